#pragma once

// Incremental parser of a text/event-stream body (WHATWG HTML "Server-sent events",
// section 9.2.6 "Interpreting an event stream"). Feed it the bytes as they arrive, in chunks
// of any size; it returns the events completed by each chunk.
//
//  * Lines end with CRLF, LF or CR (a CR at the end of one chunk and an LF at the start of the
//    next are one line end). A UTF-8 BOM at the very start of the stream is skipped.
//  * "event", "data" (several data lines join with LF), "id" (kept across events, ignored when
//    it contains NUL) and "retry" (digits only) fields; lines starting with ':' are comments;
//    unknown fields are ignored; one space after the colon is removed.
//  * An empty line dispatches the event unless no data line was seen. An event that is not
//    terminated by an empty line when the stream ends is discarded.
//
// Used by HttpUpstream (POST responses and the GET stream) and SseUpstream. Not a QObject;
// no threading concerns (owned by one transport object).

#include <QByteArray>
#include <QList>
#include <QString>

namespace metamcp {

struct SseEvent
{
    QString type = QStringLiteral("message"); // "event" field, "message" when absent
    QString data;                             // data lines joined with '\n'
    QString id;                               // last event id in effect for this event
    bool operator==(const SseEvent &) const = default;
};

class SseParser
{
public:
    // Parses the next chunk and returns the events it completed, in order.
    QList<SseEvent> feed(QByteArrayView chunk);
    // Forgets everything (new stream). The last event id is kept unless clearLastEventId.
    void reset(bool clearLastEventId = true);

    // The "id" in effect (sent as Last-Event-ID when reconnecting); empty if none.
    QString lastEventId() const { return m_lastEventId; }
    // The latest "retry" value in milliseconds, or -1 if the stream sent none.
    int retryMs() const { return m_retryMs; }

    // Longest line accepted; longer lines are dropped (with the event they belong to).
    static constexpr qsizetype kMaxLineBytes = 64 * 1024 * 1024;

private:
    void processLine(QByteArrayView line, QList<SseEvent> &out);

    QByteArray m_line;          // incomplete line carried over from the previous chunk
    bool m_started = false;     // BOM check done
    bool m_skipLf = false;      // last chunk ended with CR: a leading LF belongs to it
    bool m_overflow = false;    // current line exceeded kMaxLineBytes; skip to its end
    bool m_eventBroken = false; // a line of the current event was dropped
    QString m_eventType;
    QString m_data;
    bool m_hasData = false;
    QString m_lastEventId;
    int m_retryMs = -1;
};

} // namespace metamcp
