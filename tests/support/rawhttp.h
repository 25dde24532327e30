#pragma once

// A deliberately plain HTTP/1.1 client over QTcpSocket for tests that must control every
// byte (Host, Origin, junk, NUL bytes) and read SSE streams incrementally. Blocking calls:
// use it on a thread other than the server's (the Gateway facade runs its own thread).

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QTcpSocket>

#include <memory>
#include <utility>

namespace metamcp::test {

using RawHeaders = QList<std::pair<QByteArray, QByteArray>>;

struct SseEvent
{
    QByteArray event;
    QByteArray id;
    QByteArray data;
    QJsonObject json() const;
};

struct RawResponse
{
    int status = 0;     // 0: no (complete) response
    RawHeaders headers; // names lower-cased
    QByteArray body;    // de-chunked
    QByteArray header(const QByteArray &lowerName) const;
    QJsonObject json() const;
    QList<SseEvent> events() const; // body parsed as text/event-stream
};

QList<SseEvent> parseSse(const QByteArray &stream);

// Builds "METHOD path HTTP/1.1" with Host: 127.0.0.1:port (unless given) and Content-Length.
QByteArray buildRequest(quint16 port, const QByteArray &method, const QByteArray &path, const RawHeaders &headers,
                        const QByteArray &body);

// One request on a fresh connection (Connection: close); reads the whole response.
RawResponse rawRequest(quint16 port, const QByteArray &method, const QByteArray &path, const RawHeaders &headers = {},
                       const QByteArray &body = {}, int timeoutMs = 15000);
// Sends arbitrary bytes and reads whatever comes back until the server closes or the timeout.
RawResponse rawExchange(quint16 port, const QByteArray &bytes, int timeoutMs = 15000);

// A JSON-RPC request object.
QJsonObject rpc(const QJsonValue &id, const QString &method, const QJsonObject &params = {});

// JSON-RPC POST helpers for the MCP endpoint.
RawHeaders mcpHeaders(const QByteArray &sessionId = {}, const QByteArray &protocolVersion = {});
RawResponse postJson(quint16 port, const QByteArray &path, const QJsonObject &message, const RawHeaders &headers);
// 2026-07-28 (stateless): the per-request _meta envelope (protocol version, the given client
// capabilities, clientInfo "tst") and the headers with Mcp-Method (and Mcp-Name when given).
QJsonObject modernEnvelope(const QJsonObject &capabilities = {});
RawHeaders modernHeaders(const QByteArray &method, const QByteArray &name = {});
// POSTs initialize (client "tst", the given capabilities); the session id is the
// response's mcp-session-id header.
RawResponse initializeSession(quint16 port, const QByteArray &path = "/mcp", const QJsonObject &capabilities = {},
                              const QString &protocolVersion = QStringLiteral("2025-11-25"));

// An open connection that reads a streamed response incrementally.
class StreamClient
{
public:
    bool open(quint16 port, const QByteArray &requestBytes, int timeoutMs = 10000); // sends, reads the head
    int status() const { return m_status; }
    QByteArray header(const QByteArray &lowerName) const;
    // Waits for the next complete SSE event (de-chunking as needed); false on timeout/close.
    bool nextEvent(SseEvent *event, int timeoutMs = 15000);
    void close();

private:
    bool fill(int timeoutMs);
    std::unique_ptr<QTcpSocket> m_socket;
    int m_status = 0;
    RawHeaders m_headers;
    bool m_chunked = false;
    QByteArray m_raw;  // undecoded bytes
    QByteArray m_body; // decoded body bytes not yet consumed
};

} // namespace metamcp::test
