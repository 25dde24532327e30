#include "upstream/linebuffer.h"

namespace metamcp {

void LineBuffer::append(const QByteArray &bytes)
{
    if (m_discarding) {
        const qsizetype nl = bytes.indexOf('\n');
        if (nl < 0)
            return;
        m_discarding = false;
        m_buffer.append(bytes.constData() + nl + 1, bytes.size() - nl - 1);
        return;
    }
    m_buffer.append(bytes);
}

std::optional<QByteArray> LineBuffer::takeLine()
{
    while (true) {
        const qsizetype nl = m_buffer.indexOf('\n', m_start + m_scanned);
        if (nl < 0) {
            m_scanned = m_buffer.size() - m_start;
            if (m_scanned > m_maxLineBytes) { // over-long line: drop what we have and the rest of it
                m_discarding = true;
                ++m_dropped;
                m_buffer.clear();
                m_start = 0;
                m_scanned = 0;
            } else if (m_start > 0 && m_start >= m_buffer.size() / 2) {
                m_buffer.remove(0, m_start); // compact now and then, not per line
                m_start = 0;
            }
            return std::nullopt;
        }
        qsizetype end = nl;
        if (end > m_start && m_buffer.at(end - 1) == '\r')
            --end;
        const qsizetype length = end - m_start;
        const qsizetype start = m_start;
        m_start = nl + 1;
        m_scanned = 0;
        if (length > m_maxLineBytes) {
            ++m_dropped;
            continue;
        }
        QByteArray line = m_buffer.mid(start, length);
        if (m_start == m_buffer.size()) {
            m_buffer.clear();
            m_start = 0;
        }
        return line;
    }
}

QByteArray LineBuffer::takeRest()
{
    QByteArray rest = m_buffer.mid(m_start);
    m_buffer.clear();
    m_start = 0;
    m_scanned = 0;
    m_discarding = false;
    return rest;
}

} // namespace metamcp
