#pragma once

// Incremental HTTP/1.x response parser (RFC 9112), the client-side twin of HttpRequestParser:
// no socket, no buffer of its own. The caller hands it the unconsumed bytes and learns how many
// were used; complete lines are consumed as they arrive (the caller keeps only an unfinished
// line) and body bytes go straight into message().body.
//
// Framing: Content-Length, chunked (trailers are appended to the headers) or, without either,
// read until the connection closes (finishAtEof()). A response to HEAD, and 204 and 304, have no
// body. Interim responses (1xx except 101) are skipped, at most kMaxInterimResponses of them;
// 101 is an error (the client never asks for an upgrade). Transfer-Encoding wins over
// Content-Length, and then the connection is not kept alive (RFC 9112 6.3).
//
// Strictness: every line (status line, header, chunk size, the CRLF after chunk data, trailer)
// must end in CRLF: a bare LF is an error, as in the request parser (parsers that disagree on
// it are how messages are smuggled). Obsolete line folding is joined with a space, never for
// Content-Length or Transfer-Encoding. Only the "chunked" coding is accepted, once. Control
// characters are refused in the reason phrase, header values and chunk extensions.
//
// Limits: status line + headers (and separately the trailers, and each interim response) must
// fit in maxHeaderBytes; the body in maxBodyBytes (Result::TooLarge, decided from Content-Length
// before any body byte is read, for chunked and close-delimited bodies as soon as the total
// would exceed it).
//
// The outcome (result, message, error text) never depends on how the bytes were split across
// feed() calls. After an error the parser stays failed until reset().

#include "http/httptypes.h"

#include <QByteArray>
#include <QString>

namespace metamcp::http {

struct HttpResponseMessage
{
    int status = 0;      // 0 until a final status line was parsed
    QByteArray reason;   // reason phrase as sent
    HttpHeaders headers; // names lower-cased, values trimmed, in arrival order; then trailers
    QByteArray body;     // de-chunked
};

class HttpResponseParser
{
public:
    enum class Result {
        NeedMore, // everything given was consumed or must be passed again (an unfinished line)
        Complete, // message() is complete; bytes after it were not consumed
        Error,    // error() says why; the connection cannot be reused
        TooLarge, // the body would exceed maxBodyBytes; error() says so
    };

    static constexpr qint64 kDefaultMaxHeaderBytes = 64 * 1024;
    static constexpr qint64 kDefaultMaxBodyBytes = 16 * 1024 * 1024;
    static constexpr int kMaxInterimResponses = 16;

    HttpResponseParser();

    void setLimits(qint64 maxHeaderBytes, qint64 maxBodyBytes);
    // Prepares for the response to the next request; `headRequest`: it was a HEAD request.
    void reset(bool headRequest = false);

    // Parses from `data`; `*consumed` receives how many bytes were used. Unused bytes must be
    // passed again, followed by whatever arrived since.
    Result feed(const char *data, qsizetype size, qsizetype *consumed);
    // The connection was closed: completes a close-delimited body, anything else unfinished is
    // an error (Complete and Error are repeated as they are).
    Result finishAtEof();

    const HttpResponseMessage &message() const { return m_message; }
    // Moves the message out (complete or as far as it got); message() is empty afterwards.
    HttpResponseMessage takeMessage();

    bool hasStarted() const { return m_started; } // at least one byte was fed
    bool isComplete() const { return m_state == State::Done; }
    bool isFailed() const { return m_state == State::Failed; }
    // Whether the connection may carry another request (meaningful once complete).
    bool keepAlive() const { return m_keepAlive; }
    const QString &error() const { return m_error; }

private:
    enum class State {
        StatusLine,
        Headers,
        FixedBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
        Done,
        Failed
    };

    void resetMessage();
    Result fail(const QString &message);
    Result tooLarge();
    bool appendBody(const char *data, qsizetype size);
    bool parseStatusLine(QByteArrayView line);
    bool parseHeaderLine(QByteArrayView line, bool trailer);
    Result finishHeaders();
    bool parseChunkSize(QByteArrayView line);

    HttpResponseMessage m_message;
    State m_state = State::StatusLine;
    QString m_error;
    qint64 m_maxHeaderBytes = kDefaultMaxHeaderBytes;
    qint64 m_maxBody = kDefaultMaxBodyBytes;
    qint64 m_headerBytes = 0;
    qint64 m_contentLength = -1;
    qint64 m_chunkRemaining = 0;
    int m_interim = 0;
    bool m_head = false;
    bool m_started = false;
    bool m_http11 = true;
    bool m_keepAlive = true;
    bool m_connectionClose = false;
    bool m_connectionKeepAlive = false;
    bool m_chunked = false;
    bool m_lastHeaderFraming = false; // the previous header line was Content-Length/Transfer-Encoding
};

} // namespace metamcp::http
