#pragma once

// An upstream MCP server reached over the legacy HTTP+SSE transport (protocol 2024-11-05),
// as a client: GET config().url opens a text/event-stream; its first `endpoint` event names
// (relative to config().url) where messages are POSTed (202 Accepted expected). Responses,
// notifications and server->client requests all arrive on the stream and are matched by id.
//
// Losing the stream loses the session: pending requests fail with -32002, the state becomes
// Failing and the whole handshake is redone with exponential backoff. Like stdio, the
// transport cannot relate a server->client request to a call: it goes to the hooks of the only
// request in flight, else to serverRequestReceived.
//
// Threading: gateway thread only, like every Upstream.

#include "upstream/sseparser.h"
#include "upstream/upstream.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <map>

class QNetworkAccessManager;
class QNetworkReply;

namespace metamcp {

class SseUpstream final : public Upstream
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SseUpstream)
public:
    explicit SseUpstream(const UpstreamConfig &config, QObject *parent = nullptr);
    ~SseUpstream() override;

    void start() override;
    void stop() override;

    // Where messages are POSTed (from the `endpoint` event); empty until it arrived.
    QUrl endpoint() const { return m_endpoint; }

protected:
    void transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &hooks) override;
    // A POST to the message endpoint.
    void sendMessage(const QJsonObject &message) override;
    bool abandonRequest(quint64 handle, const QString &reason) override;
    void retryStart() override;

private:
    void connectStream();
    void connectionFailed(const QString &reason);
    void abortAll();
    void onStreamData();
    void onStreamFinished();
    void onEndpoint(const QString &data);
    QNetworkReply *post(const QJsonObject &message);

    QNetworkAccessManager *m_manager = nullptr;
    QPointer<QNetworkReply> m_stream;
    bool m_streaming = false;
    SseParser m_parser;
    QUrl m_endpoint;
    QTimer m_endpointTimer; // startupTimeoutMs for the stream + endpoint event
    QElapsedTimer m_startClock;
    std::map<quint64, QPointer<QNetworkReply>> m_posts; // request POSTs still running
    quint64 m_generation = 0;
};

} // namespace metamcp
