#pragma once

// The client-facing MCP endpoint over HTTP, behind the IRequestHandler interface (so it is
// testable without sockets):
//   /mcp, /mcp/<ns>    Streamable HTTP: 2025-11-25 (negotiating 2025-06-18, 2025-03-26) with
//                      sessions, and stateless 2026-07-28 on the same URL
//   /sse, /sse/<ns>    legacy HTTP+SSE (2024-11-05): GET opens the stream, `endpoint` event
//   /messages          POST target of the legacy transport (?sessionId=)
//   /healthz           liveness
// Security: Host checked against DNS rebinding, Origin validated (403), optional bearer API
// keys per namespace (401). Malformed requests are 400: without Host in HTTP/1.1, two Hosts,
// an Mcp-* header twice, an empty session id or protocol version. Gateway thread only.

#include "http/httptypes.h"
#include "mcp/authenticator.h"
#include "mcp/clientsession.h"
#include "mcp/dispatcher.h"
#include "model/config.h"
#include "model/limits.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

namespace metamcp {

class McpHttpEndpoint final : public QObject, public http::IRequestHandler
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(McpHttpEndpoint)
public:
    explicit McpHttpEndpoint(McpDispatcher *router, QObject *parent = nullptr);
    ~McpHttpEndpoint() override;

    void setListenConfig(const ListenConfig &listen);
    // Who sends each request (every /mcp, /sse and /messages request is authenticated, also for
    // an open namespace, whose callers are anonymous principals). Without one, namespaces that
    // need a credential refuse everyone.
    void setAuthenticator(std::shared_ptr<Authenticator> authenticator) { m_authenticator = std::move(authenticator); }
    void setKeepAliveIntervalMs(int ms);
    void setSessionIdleTimeoutMs(int ms) { m_sessionIdleTimeoutMs = ms; }
    // Events kept per SSE stream for resumption with Last-Event-ID.
    void setReplayLimit(int events) { m_replayLimit = events; }
    // maxSessions and maxSessionsPerPrincipal of McpLimits (model/limits.h).
    void setLimits(const McpLimits &limits) { m_limits = limits; }

    void handleRequest(const http::HttpRequest &request, http::HttpResponder *responder) override;

    int sessionCount() const;
    void closeAllSessions();

Q_SIGNALS:
    void sessionOpened(const QString &id, const QString &ns);
    void sessionClosed(const QString &id);

private:
    struct Stream;
    struct HttpSession;
    class PostSink;
    class StatelessSink;
    class LegacySink;
    class StreamChannel;
    friend class PostSink;

    void handleMcp(const http::HttpRequest &request, http::HttpResponder *responder, const QString &ns);
    void handleMcpAs(const http::HttpRequest &request, http::HttpResponder *responder, const QString &ns,
                     const Principal &principal);
    void handleMcpPost(const http::HttpRequest &request, http::HttpResponder *responder, const QString &ns,
                       const Principal &principal);
    void handleMcpGet(const http::HttpRequest &request, http::HttpResponder *responder, const QString &ns,
                      const Principal &principal);
    void handleMcpDelete(const http::HttpRequest &request, http::HttpResponder *responder, const QString &ns,
                         const Principal &principal);
    void handleStateless(const http::HttpRequest &request, http::HttpResponder *responder, const QString &ns,
                         const QJsonObject &message, qint64 bytes, const Principal &principal);
    void openListenStream(const http::HttpRequest &request, http::HttpResponder *responder, ClientSession *session,
                          const QJsonObject &message);
    bool checkLegacyVersionHeader(const http::HttpRequest &request, http::HttpResponder *responder);
    void handleLegacySse(const http::HttpRequest &request, http::HttpResponder *responder, const QString &ns);
    void openLegacyStream(const http::HttpRequest &request, http::HttpResponder *responder, const QString &ns,
                          const Principal &principal);
    void handleLegacyPost(const http::HttpRequest &request, http::HttpResponder *responder);
    void handleLegacyPostAs(const http::HttpRequest &request, http::HttpResponder *responder, const QString &id,
                            const Principal &principal);

    bool checkHostAndOrigin(const http::HttpRequest &request, http::HttpResponder *responder);
    // 400 for an Mcp-* header sent twice, or an empty Mcp-Session-Id or MCP-Protocol-Version.
    bool checkMcpHeaders(const http::HttpRequest &request, http::HttpResponder *responder);
    // Resolves the request's principal through the Authenticator, then calls `next` (now or
    // later, not at all when the client left); answers the client itself when it is refused.
    void authenticate(const http::HttpRequest &request, http::HttpResponder *responder, const QString &ns,
                      std::function<void(const Principal &principal)> next);
    // The request's session: 400 without Mcp-Session-Id, 404 when unknown, of another namespace
    // or transport, or of another principal.
    HttpSession *sessionFor(const http::HttpRequest &request, http::HttpResponder *responder, const QString &ns,
                            const Principal &principal);
    HttpSession *createSession(const QString &ns, ClientSession::Transport transport, const Principal &principal);
    // False (and the client answered 503 or 429) when a new session would pass a session limit.
    bool admitSession(const Principal &principal, http::HttpResponder *responder, const http::HttpHeaders &cors,
                      const QJsonValue &id = QJsonValue::Null);
    void closeSession(const QString &id);
    void sweep();
    void keepAlive();

    http::HttpHeaders corsHeaders(const http::HttpRequest &request) const;
    void replyError(http::HttpResponder *responder, int status, int code, const QString &message,
                    const http::HttpHeaders &extra = {}, const QJsonValue &id = QJsonValue::Null);

    McpDispatcher *m_router;
    ListenConfig m_listen;
    std::shared_ptr<Authenticator> m_authenticator;
    McpLimits m_limits;
    QHash<QString, std::shared_ptr<HttpSession>> m_sessions;
    QTimer *m_keepAliveTimer;
    QTimer *m_sweepTimer;
    int m_sessionIdleTimeoutMs = 60 * 60 * 1000;
    int m_replayLimit = 512;
    quint64 m_nextStreamId = 1;
};

} // namespace metamcp
