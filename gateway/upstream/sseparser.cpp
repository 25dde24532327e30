#include "upstream/sseparser.h"

#include <QStringDecoder>

#include <algorithm>
#include <limits>
#include <utility>

namespace metamcp {

namespace {

// UTF-8 without QString::fromUtf8's removal of a leading BOM: inside a field a BOM is data.
QString decode(QByteArrayView bytes)
{
    QStringDecoder decoder(QStringDecoder::Utf8,
                           QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
    return decoder.decode(bytes);
}

} // namespace

QList<SseEvent> SseParser::feed(QByteArrayView chunk)
{
    QList<SseEvent> out;
    if (!m_started) {
        // The BOM may itself arrive split across chunks: wait for three bytes.
        static constexpr char kBom[] = "\xEF\xBB\xBF";
        m_line.append(chunk.data(), chunk.size());
        if (m_line.size() < 3 && QByteArrayView(kBom).startsWith(m_line))
            return out;
        m_started = true;
        QByteArray pending = std::exchange(m_line, {});
        if (pending.startsWith(kBom))
            pending.remove(0, 3);
        return feed(pending);
    }

    qsizetype pos = 0;
    const qsizetype size = chunk.size();
    if (m_skipLf && size > 0) {
        m_skipLf = false;
        if (chunk[0] == '\n')
            pos = 1;
    }
    while (pos < size) {
        qsizetype end = pos;
        while (end < size && chunk[end] != '\n' && chunk[end] != '\r')
            ++end;
        if (end == size) { // no line end in the rest of the chunk: carry it over
            if (!m_overflow) {
                if (m_line.size() + (size - pos) > kMaxLineBytes) {
                    m_overflow = true;
                    m_line.clear();
                } else {
                    m_line.append(chunk.data() + pos, size - pos);
                }
            }
            break;
        }
        if (m_overflow) {
            m_overflow = false;
            m_eventBroken = true;
        } else if (m_line.isEmpty()) {
            processLine(chunk.sliced(pos, end - pos), out);
        } else {
            m_line.append(chunk.data() + pos, end - pos);
            processLine(m_line, out);
            m_line.clear();
        }
        pos = end + 1;
        if (chunk[end] == '\r') {
            if (pos < size) {
                if (chunk[pos] == '\n')
                    ++pos;
            } else {
                m_skipLf = true;
            }
        }
    }
    return out;
}

void SseParser::reset(bool clearLastEventId)
{
    m_line.clear();
    m_started = false;
    m_skipLf = false;
    m_overflow = false;
    m_eventBroken = false;
    m_eventType.clear();
    m_data.clear();
    m_hasData = false;
    if (clearLastEventId) {
        m_lastEventId.clear();
        m_retryMs = -1;
    }
}

void SseParser::processLine(QByteArrayView line, QList<SseEvent> &out)
{
    if (line.isEmpty()) { // dispatch
        if (m_hasData && !m_eventBroken) {
            SseEvent event;
            if (!m_eventType.isEmpty())
                event.type = m_eventType;
            event.data = m_data;
            event.id = m_lastEventId;
            out.append(std::move(event));
        }
        m_eventType.clear();
        m_data.clear();
        m_hasData = false;
        m_eventBroken = false;
        return;
    }
    if (line.front() == ':')
        return; // comment (keep-alive)

    QByteArrayView field = line;
    QByteArrayView value;
    const qsizetype colon = line.indexOf(':');
    if (colon >= 0) {
        field = line.first(colon);
        value = line.sliced(colon + 1);
        if (value.startsWith(' '))
            value = value.sliced(1);
    }

    if (field == "data") {
        if (m_hasData)
            m_data.append(QLatin1Char('\n'));
        m_data.append(decode(value));
        m_hasData = true;
    } else if (field == "event") {
        m_eventType = decode(value);
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_lastEventId = decode(value);
    } else if (field == "retry") {
        if (value.isEmpty())
            return;
        qint64 ms = 0;
        for (const char c : value) {
            if (c < '0' || c > '9')
                return;
            ms = std::min<qint64>(ms * 10 + (c - '0'), std::numeric_limits<int>::max());
        }
        m_retryMs = static_cast<int>(ms);
    }
}

} // namespace metamcp
