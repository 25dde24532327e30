#include "upstream/sseupstream.h"

#include "upstream/httpclientutil.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>

namespace metamcp {

SseUpstream::SseUpstream(const UpstreamConfig &config, QObject *parent)
    : Upstream(config, parent)
    , m_manager(new QNetworkAccessManager(this))
{
    m_endpointTimer.setSingleShot(true);
    connect(&m_endpointTimer, &QTimer::timeout, this, [this] {
        connectionFailed(QStringLiteral("no endpoint event from %1 within %2 ms")
                             .arg(httpclient::displayUrl(this->config().url))
                             .arg(this->config().startupTimeoutMs));
    });
}

SseUpstream::~SseUpstream()
{
    ++m_generation;
    disconnect(m_manager, nullptr, this, nullptr);
    if (m_stream)
        disconnect(m_stream, nullptr, this, nullptr);
    for (auto &[handle, reply] : m_posts)
        if (reply)
            disconnect(reply, nullptr, this, nullptr);
}

void SseUpstream::start()
{
    if (state() != UpstreamState::Stopped)
        return;
    connectStream();
}

void SseUpstream::retryStart()
{
    if (state() == UpstreamState::Failing)
        connectStream();
}

void SseUpstream::stop()
{
    cancelRetry();
    ++m_generation;
    abortAll();
    finishStop();
}

void SseUpstream::abortAll()
{
    m_endpointTimer.stop();
    m_endpoint.clear();
    httpclient::drop(std::exchange(m_stream, nullptr), this);
    auto posts = std::exchange(m_posts, {});
    for (auto &[handle, reply] : posts)
        httpclient::drop(reply, this);
}

void SseUpstream::connectStream()
{
    ++m_generation;
    abortAll();
    const QUrl url = config().url;
    if (!httpclient::isHttpUrl(url)) {
        setState(UpstreamState::Failing, QStringLiteral("invalid URL \"%1\"").arg(url.toString()));
        return;
    }
    setState(UpstreamState::Starting);
    appendLog(QStringLiteral("[gateway] connecting to %1").arg(httpclient::displayUrl(url)));
    m_parser.reset();
    m_streaming = false;
    m_startClock.start();
    m_endpointTimer.start(std::max(1, config().startupTimeoutMs));
    QNetworkReply *stream = m_manager->get(httpclient::makeRequest(requestHeaders(), url, "text/event-stream"));
    m_stream = stream;
    connect(stream, &QNetworkReply::readyRead, this, [this, stream] {
        if (stream == m_stream)
            onStreamData();
    });
    connect(stream, &QNetworkReply::finished, this, [this, stream] {
        if (stream == m_stream)
            onStreamFinished();
        else
            stream->deleteLater();
    });
}

void SseUpstream::connectionFailed(const QString &reason)
{
    ++m_generation;
    abortAll();
    failAndRetry(reason);
}

void SseUpstream::onStreamData()
{
    QNetworkReply *stream = m_stream;
    if (!m_streaming) {
        if (httpclient::httpStatus(stream) != 200 || httpclient::mediaType(stream) != "text/event-stream")
            return; // reported when the reply finishes
        m_streaming = true;
    }
    const QList<SseEvent> events = m_parser.feed(stream->readAll());
    const quint64 generation = m_generation;
    for (const SseEvent &event : events) {
        if (generation != m_generation)
            return;
        if (event.type == QLatin1String("endpoint")) {
            onEndpoint(event.data);
            continue;
        }
        if (event.type != QLatin1String("message"))
            continue;
        const QByteArray data = event.data.toUtf8();
        if (!dispatchText(data, 0, true))
            appendLog(QStringLiteral("[gateway] ignored non-JSON SSE data: ") + httpclient::bodyExcerpt(data));
    }
}

void SseUpstream::onEndpoint(const QString &data)
{
    if (!m_endpoint.isEmpty()) {
        appendLog(QStringLiteral("[gateway] ignored a second endpoint event"));
        return;
    }
    const QUrl endpoint = config().url.resolved(QUrl(data.trimmed()));
    const int defaultPort = config().url.scheme() == QLatin1String("https") ? 443 : 80;
    if (!endpoint.isValid() || endpoint.host() != config().url.host() ||
        endpoint.port(defaultPort) != config().url.port(defaultPort) || endpoint.scheme() != config().url.scheme()) {
        // The spec requires the same origin; anything else would send our messages elsewhere.
        connectionFailed(QStringLiteral("endpoint event names another origin: %1").arg(data.trimmed()));
        return;
    }
    m_endpoint = endpoint;
    m_endpointTimer.stop();
    appendLog(QStringLiteral("[gateway] message endpoint %1").arg(httpclient::displayUrl(endpoint)));
    const qint64 remaining = config().startupTimeoutMs - m_startClock.elapsed();
    const quint64 generation = m_generation;
    initializeSession(static_cast<int>(std::max<qint64>(remaining, 1)), [this, generation](const QString &error) {
        if (generation != m_generation)
            return;
        if (!error.isEmpty()) {
            connectionFailed(error);
            return;
        }
        logInitialized();
        setState(UpstreamState::Ready);
    });
}

void SseUpstream::onStreamFinished()
{
    QNetworkReply *stream = m_stream;
    if (m_streaming)
        onStreamData();
    if (stream != m_stream)
        return; // handled meanwhile
    const QByteArray body = m_streaming ? QByteArray() : stream->readAll();
    QString reason;
    if (m_streaming && stream->error() == QNetworkReply::NoError)
        reason = QStringLiteral("the server closed the SSE stream");
    else if (m_streaming)
        reason = QStringLiteral("SSE stream lost: ") + stream->errorString();
    else if (httpclient::httpStatus(stream) == 200)
        reason = QStringLiteral("%1 answered %2, not text/event-stream")
                     .arg(httpclient::displayUrl(config().url), QString::fromUtf8(httpclient::mediaType(stream)));
    else
        reason = httpclient::failureMessage(stream, config().url, body);
    connectionFailed(reason);
}

QNetworkReply *SseUpstream::post(const QJsonObject &message)
{
    QNetworkRequest req = httpclient::makeRequest(requestHeaders(), m_endpoint, "application/json, text/event-stream");
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    return m_manager->post(req, QJsonDocument(message).toJson(QJsonDocument::Compact));
}

void SseUpstream::transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &)
{
    if (m_endpoint.isEmpty() || !m_stream) {
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::UpstreamUnavailable,
                                             QStringLiteral("Upstream %1 is not connected").arg(name())));
        return;
    }
    QNetworkReply *reply = post(request);
    m_posts[handle] = reply;
    const quint64 generation = m_generation;
    connect(reply, &QNetworkReply::finished, this, [this, reply, handle, generation] {
        reply->deleteLater();
        if (generation != m_generation)
            return;
        const auto it = m_posts.find(handle);
        if (it != m_posts.end() && it->second == reply)
            m_posts.erase(it);
        const int status = httpclient::httpStatus(reply);
        if (status >= 200 && status < 300)
            return; // 202 Accepted: the response comes on the stream
        const QByteArray body = reply->readAll();
        // As for Streamable HTTP: an upstream that wants authorization is not Ready.
        const QString authorization = httpclient::authorizationFailure(reply);
        const QString failure =
            authorization.isEmpty() ? httpclient::failureMessage(reply, m_endpoint, body) : authorization;
        appendLog(QStringLiteral("[gateway] POST %1: %2").arg(httpclient::displayUrl(m_endpoint), failure));
        finishRequest(handle,
                      jsonrpc::error(idFor(handle),
                                     status == 0 ? rpcerr::UpstreamUnavailable : httpclient::failureCode(status, body),
                                     QStringLiteral("Upstream %1: %2").arg(name(), failure),
                                     status == 0 ? QJsonValue() : QJsonObject{{QStringLiteral("httpStatus"), status}}));
        if (!authorization.isEmpty() && state() == UpstreamState::Ready)
            connectionFailed(authorization);
    });
}

bool SseUpstream::abandonRequest(quint64 handle, const QString &)
{
    if (const auto it = m_posts.find(handle); it != m_posts.end()) {
        httpclient::drop(it->second, this);
        m_posts.erase(it);
    }
    return true; // POSTed (a request that cannot be is finished at once)
}

void SseUpstream::sendMessage(const QJsonObject &message)
{
    const QString what = message.value(QStringLiteral("method")).toString(QStringLiteral("response"));
    if (m_endpoint.isEmpty() || !m_stream) {
        appendLog(QStringLiteral("[gateway] dropped %1: not connected").arg(what));
        return;
    }
    QNetworkReply *reply = post(message);
    const QUrl endpoint = m_endpoint;
    connect(reply, &QNetworkReply::finished, this, [this, reply, what, endpoint] {
        reply->deleteLater();
        const int status = httpclient::httpStatus(reply);
        if (status < 200 || status >= 300)
            appendLog(QStringLiteral("[gateway] %1 failed: %2")
                          .arg(what, httpclient::failureMessage(reply, endpoint, reply->readAll())));
    });
}

} // namespace metamcp
