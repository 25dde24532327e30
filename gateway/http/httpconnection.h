#pragma once

// Private to the HTTP server: one HttpConnection per accepted socket, and the responder it
// hands to the request handler. Everything here lives on the thread that owns the HttpServer.
//
// Ownership and lifetime
//   HttpServer (QObject parent) -> HttpConnection -> QTcpSocket (child). The responder of the
//   current exchange has no QObject parent (saves the ChildAdded/ChildRemoved events on every
//   request); the connection owns it explicitly. A connection removes itself from
//   ServerContext::connections in its destructor; HttpServer deletes all connections before its
//   context goes away.
//   A responder is detached (its connection pointer cleared) as soon as it finished: answered
//   inside handleRequest() it is deleted right after the handler returns, answered later it is
//   deleteLater()'d. When the connection dies first, the responder is detached at once, closed()
//   is emitted from the event loop, and connection and responder are deleted right after. So a
//   call on a responder is either served or a no-op, never a dangling access, and nothing is
//   deleted inside a caller's stack.
//
// Per request flow
//   Idle -> (first byte) Headers -> [Body] -> Dispatched (handler holds the responder)
//   -> respond()/endStream() -> Idle (keep-alive, next pipelined request parsed) or Closing.
//   Requests are read and parsed only while no responder is outstanding, which both orders
//   pipelined answers and applies TCP back-pressure (the socket read buffer is bounded).
//   Likewise a client that pipelines requests but does not read the answers: beyond a write
//   backlog of min(maxPendingWriteBytes, 1 MiB) its next request waits until half of it drained.
//   Timeouts are deadlines checked by one coarse server-wide timer (no timer per request).

#include "http/httpparser.h"
#include "http/httpserver.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QPointer>

#include <vector>

class QTcpSocket;
class QTimer;

namespace metamcp::http {

class HttpConnection;

inline constexpr int kLingerMs = 2000;              // a closing connection waits this long for the peer's FIN
inline constexpr int kMaxRejectingConnections = 64; // beyond this, refused sockets get no 503

// State shared by all connections of one server; owned by HttpServer::Private.
struct ServerContext
{
    HttpServer *server = nullptr;
    IRequestHandler *handler = nullptr;
    HttpServerLimits limits;
    QElapsedTimer clock; // monotonic milliseconds for deadlines
    QTimer *tickTimer = nullptr;
    std::vector<HttpConnection *> connections; // index kept in HttpConnection::m_index
    int activeCount = 0;                       // connections that were not rejected with 503
    int rejectingCount = 0;

    qint64 now() const { return clock.elapsed(); }
    // "Date: <IMF-fixdate>\r\n", formatted at most once per second.
    const QByteArray &dateHeader();
    void addConnection(HttpConnection *connection);
    void removeConnection(HttpConnection *connection);

private:
    qint64 m_dateSecond = -1;
    QByteArray m_dateHeader;
};

class HttpResponderImpl;

class HttpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)
public:
    // Takes ownership of `socket`. With `reject`, answers 503 and closes.
    HttpConnection(ServerContext *context, QTcpSocket *socket, bool secure, bool reject, QObject *parent);
    ~HttpConnection() override;

    bool isRejecting() const { return m_rejecting; }
    // Called by the server's tick timer.
    void checkTimeout(qint64 now);
    // Server shutdown: close now when idle, otherwise after the current response.
    void closeWhenIdle();

    // The responder's implementation.
    void respond(HttpResponderImpl *responder, int status, const HttpHeaders &headers, const QByteArray &body);
    void beginStream(HttpResponderImpl *responder, int status, const HttpHeaders &headers);
    void writeChunk(HttpResponderImpl *responder, const QByteArray &data);
    void endStream(HttpResponderImpl *responder);
    qint64 pendingBytes() const;
    void responderDestroyed(HttpResponderImpl *responder);

private:
    enum class State { Idle, Headers, Body, Dispatched, Closing, Dead };

    void onReadyRead();
    void onBytesWritten();
    void processInput();
    bool readFromSocket();
    void dispatch();
    void finishExchange(bool close);
    void sendError(int status, const QByteArray &message);
    void closeAfterWrite();
    void halfClose();
    void terminate();
    void flushSoon();
    void write(const QByteArray &data);
    // Builds status line, handler headers (minus the ones the server owns), Date, framing,
    // Connection and an optional small body into m_out; returns whether the connection closes
    // after this response (`close`, or the handler sent Connection: close).
    enum class Framing { ContentLength, Chunked, None };
    bool writeHead(int status, const HttpHeaders &headers, Framing framing, qint64 contentLength, bool close,
                   const QByteArray &inlineBody);
    void compactInput();
    qint64 writeBacklogLimit() const;

    friend struct ServerContext;
    ServerContext *m_context;
    QTcpSocket *m_socket;
    HttpResponderImpl *m_responder = nullptr; // the current exchange's, owned (no QObject parent)
    QPointer<HttpResponderImpl> m_orphan;     // unfinished when the connection died; owned
    QPointer<HttpResponderImpl> m_retired;    // the last one answered later; owned (see finishExchange())
    HttpRequestParser m_parser;
    QByteArray m_in; // received, not yet consumed bytes start at m_inPos
    qsizetype m_inPos = 0;
    QByteArray m_out; // response head being built (capacity reused)
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;
    quint16 m_localPort = 0;
    size_t m_index = 0;    // position in ServerContext::connections
    qint64 m_deadline = 0; // 0: none
    qint64 m_pendingAtLastCheck = 0;
    State m_state = State::Idle;
    bool m_secure = false;
    bool m_rejecting = false;
    bool m_processing = false;  // inside processInput(): flush and re-parse at its end
    bool m_dispatching = false; // inside the handler's handleRequest()
    bool m_finishedInDispatch = false;
    bool m_needFlush = false;
    bool m_closeAfterResponse = false; // server is shutting down
    bool m_halfClosed = false;
    bool m_waitingForDrain = false; // too many unread answers queued: requests wait
    // The current exchange.
    bool m_keepAlive = true;
    bool m_http11 = true;
    bool m_head = false;
    bool m_streamChunked = false;
    bool m_streamClose = false;
};

class HttpResponderImpl final : public HttpResponder
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpResponderImpl)
public:
    explicit HttpResponderImpl(HttpConnection *connection);
    ~HttpResponderImpl() override;

    void respond(int status, const HttpHeaders &headers, const QByteArray &body) override;
    void beginStream(int status, const HttpHeaders &headers) override;
    void writeChunk(const QByteArray &data) override;
    void endStream() override;
    bool isFinished() const override { return m_finished; }
    bool isStreaming() const override { return m_streaming; }
    qint64 pendingBytes() const override;

private:
    friend class HttpConnection;
    HttpConnection *m_connection; // null once finished or the connection died
    bool m_finished = false;
    bool m_streaming = false;
};

} // namespace metamcp::http
