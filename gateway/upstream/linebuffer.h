#pragma once

// Splits a byte stream into lines (newline-delimited JSON-RPC on a stdio pipe, stderr lines).
// Bytes are appended as they arrive; complete lines are taken out one by one, without the
// trailing "\n" or "\r\n". Scanning resumes where it stopped, so a line of many megabytes
// that arrives in small pieces costs linear time. A line longer than the limit is dropped
// up to its end and reported through takeLine()'s `dropped` count.
//
// Not a QObject; owned by one transport object.

#include <QByteArray>

#include <optional>
#include <utility>

namespace metamcp {

class LineBuffer
{
public:
    explicit LineBuffer(qsizetype maxLineBytes = 64 * 1024 * 1024)
        : m_maxLineBytes(maxLineBytes)
    {}

    void append(const QByteArray &bytes);
    // The next complete line, or nullopt when none is complete yet.
    std::optional<QByteArray> takeLine();
    // What is left after the last line end (an unterminated last line); clears the buffer.
    QByteArray takeRest();
    // Number of over-long lines dropped since the last call.
    int takeDroppedCount() { return std::exchange(m_dropped, 0); }
    qsizetype bufferedBytes() const { return m_buffer.size() - m_start; }

private:
    QByteArray m_buffer;
    qsizetype m_start = 0;   // first byte not yet taken
    qsizetype m_scanned = 0; // bytes from m_start already known to hold no '\n'
    qsizetype m_maxLineBytes;
    bool m_discarding = false; // inside an over-long line: drop up to the next '\n'
    int m_dropped = 0;
};

} // namespace metamcp
