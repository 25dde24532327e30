#pragma once

// An upstream MCP server reached over Streamable HTTP (MCP 2025-11-25 "Streamable HTTP"
// transport), as a client.
//
//  * Every message is a POST to config().url (Accept: application/json, text/event-stream;
//    custom config().headers; Mcp-Session-Id once assigned; MCP-Protocol-Version after
//    initialize). A request's answer is either one JSON body or an SSE stream that carries
//    related notifications and server->client requests (-> the request's hooks; our replies
//    are POSTed back) and finally the response. A stream that ends early after event ids is
//    resumed with GET + Last-Event-ID (honouring `retry:`).
//  * After initialize, a GET SSE stream receives unrelated server messages (405: the server
//    has none). It is reopened with Last-Event-ID when it drops.
//  * 404 to a request that carried our session id (or 400 whose body talks about the session)
//    means the server lost the session: initialize again without telling anyone and send the
//    request once more. Requests arriving meanwhile wait for the new session.
//  * Failed start-up (network error, HTTP error, timeout) -> Failing + retry with backoff.
//  * stop() DELETEs the session (fire and forget) and aborts everything.
//
// HTTP/1.1 allows only a few parallel connections per host and manager, and an SSE response
// holds its connection for as long as the call runs; so requests are spread over a small pool
// of QNetworkAccessManagers (sharing one cookie jar) instead of queueing behind long calls.
//
// Threading: gateway thread only, like every Upstream.

#include "upstream/sseparser.h"
#include "upstream/upstream.h"

#include <QPointer>
#include <QTimer>

#include <map>
#include <vector>

class QNetworkAccessManager;
class QNetworkCookieJar;
class QNetworkReply;
class QNetworkRequest;

namespace metamcp {

class HttpUpstream final : public Upstream
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpUpstream)
public:
    explicit HttpUpstream(const UpstreamConfig &config, QObject *parent = nullptr);
    ~HttpUpstream() override;

    void start() override;
    void stop() override;

    // The Mcp-Session-Id the server assigned; empty before initialize or for stateless servers.
    QString sessionId() const { return m_sessionId; }

    static constexpr int kConnectionsPerManager = 6; // Qt's HTTP/1.1 connections per host
    static constexpr int kMaxStreamResumes = 5;

protected:
    void transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &hooks) override;
    // A POST of its own (its answer is only checked for a lost session).
    void sendMessage(const QJsonObject &message) override;
    bool abandonRequest(quint64 handle, const QString &reason) override;
    void retryStart() override;

private:
    struct Call;

    void connectSession();
    void connectionFailed(const QString &reason);
    void abortAll();

    QNetworkRequest request(const QByteArray &accept, bool withProtocolVersion) const;
    // Starts a request on a manager of the pool with a free connection.
    QNetworkReply *send(const std::function<QNetworkReply *(QNetworkAccessManager *)> &start);

    // 2026-07-28: Mcp-Method, Mcp-Name and the tool's Mcp-Param-* headers of a request.
    void setStandardHeaders(QNetworkRequest &req, const QJsonObject &request) const;
    void postCall(quint64 handle);
    void resumeCall(quint64 handle);
    void wireCall(quint64 handle, QNetworkReply *reply);
    void onCallData(quint64 handle, QNetworkReply *reply);
    void onCallFinished(quint64 handle, QNetworkReply *reply);
    void handleStreamEvents(quint64 handle, const QList<SseEvent> &events);
    void endCall(quint64 handle);
    void sweepFinishedCalls();
    void sessionLost(quint64 handle, const QString &failure);
    void beginReinitialize();

    void openGetStream();
    void closeGetStream();
    void onGetData(QNetworkReply *reply);
    void onGetFinished(QNetworkReply *reply);

    struct Manager
    {
        QNetworkAccessManager *manager = nullptr;
        int active = 0;
    };
    std::vector<Manager> m_managers;
    QNetworkCookieJar *m_cookieJar = nullptr;

    std::map<quint64, std::unique_ptr<Call>> m_calls; // transmitted requests by handle
    QList<quint64> m_waitingForSession;               // sent again once re-initialized
    QString m_sessionId;
    bool m_reinitializing = false;
    quint64 m_generation = 0; // bumped on stop / reconnect: stale callbacks do nothing

    QPointer<QNetworkReply> m_getReply;
    SseParser m_getParser;
    bool m_getStreaming = false;
    bool m_getSupported = true;
    int m_getBackoffMs = 1000;
    QTimer m_getRetryTimer;
};

} // namespace metamcp
