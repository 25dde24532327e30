#pragma once

// Incremental HTTP/1.0 and HTTP/1.1 request parser (RFC 9112), private to the HTTP server.
// It owns no buffer of its own: the connection hands it the unconsumed bytes, the parser says
// how many it consumed. Complete lines are consumed as they arrive, so the caller only keeps
// the unfinished line; body bytes are copied straight into request().body.
//
// Limits: request line + headers (and separately the trailers of a chunked body) must fit in
// maxHeaderBytes (431); the body in maxBodyBytes (413, decided from Content-Length before any
// body byte is read, for chunked bodies as soon as the running total would exceed it).
// Anything malformed is 400; a version other than 1.x is 505, an unknown transfer coding 501,
// an Expect other than 100-continue 417. After an error the parser stays failed until reset().
// Malformed includes: a line (head, chunk size, chunk data end, trailer) not ending in CRLF,
// an HTTP/1.1 request without Host, and more than one Host or an invalid one (RFC 9112 3.2).
// The outcome never depends on how the bytes were split across feed() calls.

#include "http/httptypes.h"

namespace metamcp::http {

class HttpRequestParser
{
public:
    enum class Result {
        NeedMore,        // everything given was consumed or kept (an unfinished line), feed more
        HeaderComplete,  // headers parsed and a body follows: the caller may answer 100-continue
        MessageComplete, // request() is complete; call reset() before feeding the next request
        Error,           // errorStatus()/errorMessage() say why; the connection must be closed
    };

    HttpRequestParser();

    void setLimits(qint64 maxHeaderBytes, qint64 maxBodyBytes);
    // Prepares for the next request; keeps the capacity of buffers that can be reused.
    void reset();

    // Parses from `data`; `*consumed` receives how many bytes were used. Unused bytes (an
    // unfinished line, or the next pipelined request after MessageComplete) must be passed
    // again, followed by whatever arrived since.
    Result feed(const char *data, qsizetype size, qsizetype *consumed);

    HttpRequest &request() { return m_request; }
    const HttpRequest &request() const { return m_request; }

    // At least one byte of the request line arrived (leading empty lines do not count).
    bool hasStarted() const { return m_started; }
    bool isHeaderPhase() const { return m_state == State::RequestLine || m_state == State::Headers; }
    bool isHttp11() const { return m_http11; }
    bool keepAlive() const { return m_keepAlive; }
    bool expectContinue() const { return m_expectContinue; }
    bool isHead() const { return m_head; }

    int errorStatus() const { return m_errorStatus; }
    const QByteArray &errorMessage() const { return m_errorMessage; }

private:
    enum class State { RequestLine, Headers, FixedBody, ChunkSize, ChunkData, ChunkDataEnd, Trailers, Done, Failed };
    enum class LineResult { Line, NeedMore, TooLong, Error };

    LineResult takeLine(const char *data, qsizetype size, qsizetype *pos, qsizetype maxLength, const char **begin,
                        const char **end);
    const char *firstBadRequestLineByte(const char *line, const char *from, const char *to);
    bool parseRequestLine(const char *begin, const char *end);
    bool parseTarget(const char *begin, const char *end);
    bool parseHeaderLine(const char *begin, const char *end, bool store);
    bool parseContentLength(const QByteArray &value);
    bool parseTransferEncoding(const QByteArray &value);
    void parseConnection(const QByteArray &value);
    Result finishHeaders();
    bool parseChunkSize(const char *begin, const char *end);
    Result fail(int status, const char *message);
    Result fail(int status, QByteArray message);

    HttpRequest m_request;
    State m_state = State::RequestLine;
    qint64 m_maxHeaderBytes = 32 * 1024;
    qint64 m_maxBodyBytes = 4 * 1024 * 1024;
    qint64 m_headerBytes = 0;    // request line + headers so far (then trailers)
    qsizetype m_lineScanned = 0; // bytes of the unfinished line already checked
    qint64 m_contentLength = -1;
    qint64 m_chunkRemaining = 0;
    int m_errorStatus = 0;
    QByteArray m_errorMessage;
    bool m_started = false;
    bool m_methodDone = false; // the request line got past the method
    bool m_versionUnsupported = false;
    bool m_contentLengthInvalid = false;
    bool m_transferEncodingInvalid = false;
    bool m_transferEncodingUnsupported = false;
    bool m_hostSeen = false;
    bool m_hostDuplicate = false;
    bool m_hostInvalid = false;
    bool m_http11 = true;
    bool m_keepAlive = true;
    bool m_connectionClose = false;
    bool m_connectionKeepAlive = false;
    bool m_chunked = false;
    bool m_expectContinue = false;
    bool m_expectOther = false;
    bool m_head = false;
};

} // namespace metamcp::http
