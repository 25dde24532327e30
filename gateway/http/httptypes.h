#pragma once

// The HTTP transport seen by the MCP layer: a parsed request in, a response writer out.
// The MCP endpoint (McpHttpEndpoint) implements IRequestHandler and never touches a socket,
// so it is testable with an in-memory HttpResponder.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QUrlQuery>

#include <utility>

namespace metamcp::http {

using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct HttpRequest
{
    QByteArray method;   // "GET", "POST", ... (as sent, upper case expected)
    QByteArray target;   // raw request-target, e.g. "/mcp/team?x=1"
    QByteArray path;     // percent-decoded path without the query, e.g. "/mcp/team"
    QUrlQuery query;     // parsed query string
    QByteArray version;  // "HTTP/1.1" or "HTTP/1.0"
    HttpHeaders headers; // names lower-cased, values trimmed, in arrival order
    QByteArray body;     // de-chunked body
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    quint16 localPort = 0;
    bool secure = false; // arrived over TLS

    // First value of a header (name must be lower-case), empty if absent.
    QByteArray header(QByteArrayView lowerName) const
    {
        for (const auto &h : headers)
            if (h.first == lowerName)
                return h.second;
        return {};
    }
    bool hasHeader(QByteArrayView lowerName) const
    {
        for (const auto &h : headers)
            if (h.first == lowerName)
                return true;
        return false;
    }
};

// Writes the answer to one request. Owned by the connection: it is deleted when the client
// disconnects or the exchange has ended, so anyone answering later must hold it in a
// QPointer<HttpResponder> and check it. `closed()` is emitted before deletion when the peer
// goes away mid-exchange (e.g. an SSE client disconnects).
//
// Either respond() once, or beginStream() followed by any number of writeChunk() and one
// endStream(). The server adds Content-Length / Transfer-Encoding: chunked, Date and
// Connection headers itself.
class HttpResponder : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    ~HttpResponder() override = default;

    virtual void respond(int status, const HttpHeaders &headers, const QByteArray &body) = 0;
    virtual void beginStream(int status, const HttpHeaders &headers) = 0;
    virtual void writeChunk(const QByteArray &data) = 0;
    virtual void endStream() = 0;

    // True once respond() or endStream() was called.
    virtual bool isFinished() const = 0;
    virtual bool isStreaming() const = 0;
    // Bytes queued but not yet written to the socket (for back-pressure on streams).
    virtual qint64 pendingBytes() const = 0;

Q_SIGNALS:
    void closed();
};

class IRequestHandler
{
public:
    virtual ~IRequestHandler() = default;
    // Called on the thread owning the HttpServer for every complete request. The handler
    // must eventually answer through `responder` (now or later).
    virtual void handleRequest(const HttpRequest &request, HttpResponder *responder) = 0;
};

// Standard reason phrase for a status code ("Not Found"), "Unknown" for others.
QByteArray reasonPhrase(int status);

} // namespace metamcp::http
