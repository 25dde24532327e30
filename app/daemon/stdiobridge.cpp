#include "stdiobridge.h"

#include <cstdio>

namespace metamcp {

void StdinReader::run()
{
    QByteArray line;
    char buffer[65536];
    for (;;) {
        if (!std::fgets(buffer, sizeof buffer, stdin)) {
            if (!line.isEmpty())
                Q_EMIT lineRead(line);
            Q_EMIT endOfInput();
            return;
        }
        line.append(buffer);
        if (line.endsWith('\n')) {
            line.chop(1);
            if (line.endsWith('\r'))
                line.chop(1);
            Q_EMIT lineRead(line);
            line.clear();
        } else if (line.size() > 64 * 1024 * 1024) {
            // A line that never ends must not eat the machine: drop it, the client gets no answer.
            line.clear();
        }
    }
}

void StdoutWriter::writeLine(const QByteArray &line)
{
    std::lock_guard lock(m_mutex);
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    if (!line.endsWith('\n'))
        std::fputc('\n', stdout);
    std::fflush(stdout);
}

} // namespace metamcp
