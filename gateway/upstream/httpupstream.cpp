#include "upstream/httpupstream.h"

#include "model/jsontext.h"
#include "model/protocol.h"
#include "upstream/httpclientutil.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>

namespace metamcp {

namespace {

constexpr int kInitialGetRetryMs = 1000;
constexpr int kMaxGetRetryMs = 60'000;
constexpr int kDeleteTimeoutMs = 5000;

} // namespace

// One transmitted request: its POST (or resuming GET) and the SSE state of its answer.
struct HttpUpstream::Call
{
    QJsonObject request;
    bool initialize = false;
    QPointer<QNetworkReply> reply;
    QString sentSessionId; // the session the current POST carried
    SseParser parser;
    bool streaming = false; // the current reply is text/event-stream
    bool retried = false;   // already re-sent after a lost session
    int resumes = 0;
};

HttpUpstream::HttpUpstream(const UpstreamConfig &config, QObject *parent)
    : Upstream(config, parent)
    , m_cookieJar(new QNetworkCookieJar(this))
{
    m_getRetryTimer.setSingleShot(true);
    connect(&m_getRetryTimer, &QTimer::timeout, this, [this] { openGetStream(); });
}

HttpUpstream::~HttpUpstream()
{
    ++m_generation;
    m_getRetryTimer.stop();
    // Replies are children of the managers. Delete them now, while the members their signals
    // touch (m_managers, m_calls) still exist; ~QObject would do it too late.
    for (auto &[handle, call] : m_calls)
        if (call->reply)
            disconnect(call->reply, nullptr, this, nullptr);
    if (m_getReply)
        disconnect(m_getReply, nullptr, this, nullptr);
    for (const Manager &slot : m_managers)
        delete slot.manager;
    m_managers.clear();
}

// ---- lifecycle -------------------------------------------------------------------------

void HttpUpstream::start()
{
    if (state() != UpstreamState::Stopped)
        return;
    connectSession();
}

void HttpUpstream::retryStart()
{
    if (state() == UpstreamState::Failing)
        connectSession();
}

void HttpUpstream::connectSession()
{
    ++m_generation;
    abortAll();
    m_sessionId.clear();
    m_reinitializing = false;
    m_getSupported = true;
    m_getBackoffMs = kInitialGetRetryMs;
    m_getParser.reset();
    const QUrl url = config().url;
    if (!httpclient::isHttpUrl(url)) {
        setState(UpstreamState::Failing, QStringLiteral("invalid URL \"%1\"").arg(url.toString()));
        return; // a configuration error does not heal by retrying
    }
    setState(UpstreamState::Starting);
    appendLog(QStringLiteral("[gateway] connecting to %1").arg(httpclient::displayUrl(url)));
    const quint64 generation = m_generation;
    negotiateSession(config().startupTimeoutMs, [this, generation](const QString &error) {
        if (generation != m_generation)
            return;
        if (!error.isEmpty()) {
            connectionFailed(error);
            return;
        }
        logInitialized(QStringLiteral(", session ") + (isStateless()           ? QStringLiteral("none: stateless")
                                                       : m_sessionId.isEmpty() ? QStringLiteral("none")
                                                                               : m_sessionId));
        setState(UpstreamState::Ready);
        if (!isStateless()) // 2026-07-28 has no GET stream
            openGetStream();
    });
}

void HttpUpstream::connectionFailed(const QString &reason)
{
    ++m_generation;
    abortAll();
    m_sessionId.clear();
    m_reinitializing = false;
    failAndRetry(reason);
}

void HttpUpstream::stop()
{
    cancelRetry();
    ++m_generation;
    abortAll();
    if (!m_sessionId.isEmpty()) {
        // Fire and forget, on a manager of its own so that it survives our destruction.
        auto *manager = new QNetworkAccessManager();
        QNetworkRequest req = request("application/json, text/event-stream", true);
        QNetworkReply *reply = manager->deleteResource(req);
        const QString session = m_sessionId;
        connect(reply, &QNetworkReply::finished, manager, [manager, reply] {
            reply->deleteLater();
            manager->deleteLater();
        });
        QTimer::singleShot(kDeleteTimeoutMs, manager, [manager] { manager->deleteLater(); });
        appendLog(QStringLiteral("[gateway] closing session %1").arg(session));
    }
    m_sessionId.clear();
    m_reinitializing = false;
    finishStop();
}

void HttpUpstream::abortAll()
{
    m_getRetryTimer.stop();
    closeGetStream();
    m_waitingForSession.clear();
    auto calls = std::exchange(m_calls, {});
    for (auto &[handle, call] : calls)
        httpclient::drop(call->reply, this);
}

// ---- sending ---------------------------------------------------------------------------

QNetworkRequest HttpUpstream::request(const QByteArray &accept, bool withProtocolVersion) const
{
    QNetworkRequest req = httpclient::makeRequest(requestHeaders(), config().url, accept);
    if (!m_sessionId.isEmpty())
        req.setRawHeader("Mcp-Session-Id", m_sessionId.toUtf8());
    if (withProtocolVersion && !protocolVersion().isEmpty())
        req.setRawHeader("MCP-Protocol-Version", protocolVersion().toUtf8());
    return req;
}

QNetworkReply *HttpUpstream::send(const std::function<QNetworkReply *(QNetworkAccessManager *)> &start)
{
    std::size_t slot = 0;
    while (slot < m_managers.size() && m_managers[slot].active >= kConnectionsPerManager)
        ++slot;
    if (slot == m_managers.size()) {
        auto *manager = new QNetworkAccessManager(this);
        manager->setCookieJar(m_cookieJar);
        m_cookieJar->setParent(this); // shared by all managers, owned by us
        m_managers.push_back({manager, 0});
    }
    QNetworkReply *reply = start(m_managers[slot].manager);
    ++m_managers[slot].active;
    // Counted until the reply object goes away. The manager is the context, not this: the
    // transports disconnect replies from this when they drop them.
    connect(reply, &QObject::destroyed, m_managers[slot].manager, [this, slot] { --m_managers[slot].active; });
    return reply;
}

void HttpUpstream::sendMessage(const QJsonObject &message)
{
    if (state() == UpstreamState::Stopped) {
        appendLog(QStringLiteral("[gateway] dropped %1: upstream stopped")
                      .arg(message.value(QStringLiteral("method")).toString(QStringLiteral("a response"))));
        return;
    }
    QNetworkRequest req = request("application/json, text/event-stream", true);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    const QByteArray body = QJsonDocument(message).toJson(QJsonDocument::Compact);
    QNetworkReply *reply = send([&](QNetworkAccessManager *manager) { return manager->post(req, body); });
    const QString what = message.value(QStringLiteral("method")).toString(QStringLiteral("response"));
    const QString sentSession = m_sessionId;
    connect(reply, &QNetworkReply::finished, this, [this, reply, what, sentSession] {
        reply->deleteLater();
        const int status = httpclient::httpStatus(reply);
        if (status >= 200 && status < 300)
            return;
        const QByteArray body = reply->readAll();
        appendLog(
            QStringLiteral("[gateway] %1 failed: %2").arg(what, httpclient::failureMessage(reply, config().url, body)));
        if (httpclient::sessionLost(status, body) && !sentSession.isEmpty() && sentSession == m_sessionId &&
            state() == UpstreamState::Ready)
            beginReinitialize();
    });
}

// ---- requests --------------------------------------------------------------------------

void HttpUpstream::transmitRequest(quint64 handle, const QJsonObject &request, const RequestHooks &)
{
    auto call = std::make_unique<Call>();
    call->request = request;
    // The handshake: initialize, or server/discover before it (neither is ever cancelled or retried).
    const QString method = request.value(QStringLiteral("method")).toString();
    call->initialize = method == u"initialize" || method == u"server/discover";
    const bool initialize = call->initialize;
    m_calls[handle] = std::move(call);
    if (m_reinitializing && !initialize) {
        m_waitingForSession.append(handle);
        return;
    }
    postCall(handle);
}

bool HttpUpstream::abandonRequest(quint64 handle, const QString &)
{
    if (!m_calls.contains(handle))
        return false;
    const bool sent = !m_waitingForSession.removeAll(handle); // else it never reached the server
    endCall(handle);
    return sent;
}

void HttpUpstream::postCall(quint64 handle)
{
    Call &call = *m_calls.at(handle);
    call.streaming = false;
    call.parser.reset();
    call.sentSessionId = m_sessionId;
    QNetworkRequest req = request("application/json, text/event-stream", !call.initialize);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (call.request.value(QStringLiteral("method")).toString() == u"server/discover") {
        req.setRawHeader("MCP-Protocol-Version", mcp::V2026_07_28.toLatin1());
        req.setRawHeader("Mcp-Method", "server/discover");
    } else if (isStateless()) {
        setStandardHeaders(req, call.request);
    }
    const QByteArray body = QJsonDocument(call.request).toJson(QJsonDocument::Compact);
    QNetworkReply *reply = send([&](QNetworkAccessManager *manager) { return manager->post(req, body); });
    call.reply = reply;
    wireCall(handle, reply);
}

namespace {

// A header value as SEP-2243 writes it: plain when it is printable ASCII without surrounding
// whitespace, else the Base64 sentinel =?base64?<UTF-8 in Base64>?=.
QByteArray headerValue(const QString &text)
{
    const bool plain = !text.isEmpty() && !text.front().isSpace() && !text.back().isSpace() &&
                       std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c >= u' ' && c <= u'~'; });
    return plain ? text.toLatin1() : "=?base64?" + text.toUtf8().toBase64() + "?=";
}

} // namespace

void HttpUpstream::setStandardHeaders(QNetworkRequest &req, const QJsonObject &request) const
{
    const QString method = request.value(QStringLiteral("method")).toString();
    const QJsonObject params = request.value(QStringLiteral("params")).toObject();
    req.setRawHeader("Mcp-Method", headerValue(method));
    QString name;
    if (method == u"tools/call" || method == u"prompts/get")
        name = params.value(QStringLiteral("name")).toString();
    else if (method == u"resources/read")
        name = params.value(QStringLiteral("uri")).toString();
    if (!name.isEmpty())
        req.setRawHeader("Mcp-Name", headerValue(name));
    if (method != u"tools/call")
        return;
    const QJsonObject arguments = params.value(QStringLiteral("arguments")).toObject();
    for (const auto &[argument, header] : headerParams(name)) {
        if (const std::optional<QString> text = json::scalarText(arguments.value(argument)))
            req.setRawHeader("Mcp-Param-" + header.toLatin1(), headerValue(*text));
    }
}

void HttpUpstream::resumeCall(quint64 handle)
{
    Call &call = *m_calls.at(handle);
    ++call.resumes;
    call.streaming = false;
    call.parser.reset(false);
    QNetworkRequest req = request("text/event-stream", true);
    req.setRawHeader("Last-Event-ID", call.parser.lastEventId().toUtf8());
    appendLog(QStringLiteral("[gateway] resuming the stream of request %1 after event %2")
                  .arg(handle)
                  .arg(call.parser.lastEventId()));
    QNetworkReply *reply = send([&](QNetworkAccessManager *manager) { return manager->get(req); });
    call.reply = reply;
    wireCall(handle, reply);
}

void HttpUpstream::wireCall(quint64 handle, QNetworkReply *reply)
{
    connect(reply, &QNetworkReply::readyRead, this, [this, handle, reply] { onCallData(handle, reply); });
    connect(reply, &QNetworkReply::finished, this, [this, handle, reply] { onCallFinished(handle, reply); });
}

void HttpUpstream::onCallData(quint64 handle, QNetworkReply *reply)
{
    const auto it = m_calls.find(handle);
    if (it == m_calls.end() || it->second->reply != reply)
        return;
    Call &call = *it->second;
    if (!call.streaming) {
        if (httpclient::httpStatus(reply) != 200 || httpclient::mediaType(reply) != "text/event-stream")
            return; // a JSON body (or an error) is read when the reply has finished
        call.streaming = true;
        if (call.initialize && reply->hasRawHeader("Mcp-Session-Id"))
            m_sessionId = QString::fromUtf8(reply->rawHeader("Mcp-Session-Id"));
    }
    handleStreamEvents(handle, call.parser.feed(reply->readAll()));
}

void HttpUpstream::handleStreamEvents(quint64 handle, const QList<SseEvent> &events)
{
    const quint64 generation = m_generation;
    for (const SseEvent &event : events) {
        if (generation != m_generation)
            return;
        if (event.type != QLatin1String("message"))
            continue;
        if (event.data.trimmed().isEmpty())
            continue; // priming event (id only) of 2025-11-25 servers
        const QByteArray data = event.data.toUtf8();
        // On the GET stream (handle 0) nothing ties a server request to a call: as over stdio,
        // it is the call's only while exactly one call that takes such requests is in flight.
        if (!dispatchText(data, handle, handle == 0))
            appendLog(QStringLiteral("[gateway] ignored non-JSON SSE data: ") + httpclient::bodyExcerpt(data));
    }
    if (generation == m_generation)
        sweepFinishedCalls();
}

void HttpUpstream::sweepFinishedCalls()
{
    QList<quint64> done;
    for (const auto &[handle, call] : m_calls)
        if (!isPending(handle))
            done.append(handle);
    for (const quint64 handle : std::as_const(done))
        endCall(handle);
}

void HttpUpstream::endCall(quint64 handle)
{
    const auto it = m_calls.find(handle);
    if (it == m_calls.end())
        return;
    const std::unique_ptr<Call> call = std::move(it->second);
    m_calls.erase(it);
    if (QNetworkReply *reply = call->reply) {
        disconnect(reply, nullptr, this, nullptr);
        if (reply->isRunning())
            reply->abort(); // the response is in; do not keep the connection busy
        reply->deleteLater();
    }
}

void HttpUpstream::onCallFinished(quint64 handle, QNetworkReply *reply)
{
    const auto it = m_calls.find(handle);
    if (it == m_calls.end() || it->second->reply != reply) {
        reply->deleteLater();
        return;
    }
    if (!isPending(handle)) {
        endCall(handle);
        return;
    }
    Call &call = *it->second;
    const int status = httpclient::httpStatus(reply);
    const QString method = call.request.value(QStringLiteral("method")).toString();

    if (call.streaming) {
        onCallData(handle, reply); // whatever is still buffered
        if (!m_calls.contains(handle) || !isPending(handle)) {
            endCall(handle);
            return;
        }
        Call &same = *m_calls.at(handle);
        if (!same.parser.lastEventId().isEmpty() && same.resumes < kMaxStreamResumes) {
            // The server closed the stream early (2025-11-25 polling): resume it after `retry`.
            disconnect(reply, nullptr, this, nullptr);
            reply->deleteLater();
            same.reply = nullptr;
            const int delay = std::max(0, same.parser.retryMs());
            dispatchStreamPaused(handle, delay); // may finish the request (the client went away)
            if (!m_calls.contains(handle) || !isPending(handle)) {
                endCall(handle);
                return;
            }
            const quint64 generation = m_generation;
            QTimer::singleShot(delay, this, [this, handle, generation] {
                if (generation == m_generation && m_calls.contains(handle) && isPending(handle))
                    resumeCall(handle);
            });
            return;
        }
        QString message = QStringLiteral("Upstream %1 closed the stream of %2 without a response").arg(name(), method);
        if (reply->error() != QNetworkReply::NoError)
            message += QStringLiteral(": ") + reply->errorString();
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::UpstreamUnavailable, message));
        endCall(handle);
        return;
    }

    const QByteArray body = reply->readAll();
    if (status == 0) { // no HTTP response at all
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::UpstreamUnavailable,
                                             httpclient::failureMessage(reply, config().url, body)));
        endCall(handle);
        return;
    }
    if (status >= 300) {
        const QString failure = httpclient::failureMessage(reply, config().url, body);
        if (httpclient::sessionLost(status, body) && !call.sentSessionId.isEmpty() && !call.initialize &&
            !call.retried) {
            sessionLost(handle, failure);
            return;
        }
        // An upstream that wants authorization after it was initialised is not Ready: say so
        // (state, log, console) instead of serving an empty tool list, and try again later.
        const QString authorization = httpclient::authorizationFailure(reply);
        const bool initialize = call.initialize;
        QJsonObject data{{QStringLiteral("httpStatus"), status}};
        if (reply->hasRawHeader("WWW-Authenticate"))
            data.insert(QStringLiteral("wwwAuthenticate"), QString::fromLatin1(reply->rawHeader("WWW-Authenticate")));
        const QString message = initialize
                                    ? (authorization.isEmpty() ? failure : authorization)
                                    : QStringLiteral("Upstream %1: %2 (%3)")
                                          .arg(name(), authorization.isEmpty() ? failure : authorization, method);
        appendLog(QStringLiteral("[gateway] %1: %2").arg(method, authorization.isEmpty() ? failure : authorization));
        finishRequest(handle, jsonrpc::error(idFor(handle), httpclient::failureCode(status, body), message, data));
        endCall(handle);
        if (!authorization.isEmpty() && !initialize)
            connectionFailed(authorization);
        return;
    }
    if (call.initialize && reply->hasRawHeader("Mcp-Session-Id"))
        m_sessionId = QString::fromUtf8(reply->rawHeader("Mcp-Session-Id"));

    if (!dispatchText(body, handle)) {
        const QString text = body.trimmed().isEmpty()
                                 ? QStringLiteral("HTTP %1 from %2 without a response to %3")
                                       .arg(status)
                                       .arg(httpclient::displayUrl(config().url), method)
                                 : QStringLiteral("invalid JSON from %1: %2")
                                       .arg(httpclient::displayUrl(config().url), httpclient::bodyExcerpt(body));
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::InternalError, text));
        endCall(handle);
        return;
    }
    if (isPending(handle)) {
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::InternalError,
                                             QStringLiteral("the body from %1 holds no response to %2")
                                                 .arg(httpclient::displayUrl(config().url), method)));
    }
    sweepFinishedCalls();
}

// ---- lost sessions ---------------------------------------------------------------------

void HttpUpstream::sessionLost(quint64 handle, const QString &failure)
{
    Call &call = *m_calls.at(handle);
    call.retried = true;
    if (QNetworkReply *reply = call.reply) {
        disconnect(reply, nullptr, this, nullptr);
        reply->deleteLater();
        call.reply = nullptr;
    }
    if (!m_reinitializing && !m_sessionId.isEmpty() && call.sentSessionId != m_sessionId) {
        postCall(handle); // another request already got us a new session
        return;
    }
    appendLog(QStringLiteral("[gateway] session lost (%1); initializing a new one").arg(failure));
    m_waitingForSession.append(handle);
    beginReinitialize();
}

void HttpUpstream::beginReinitialize()
{
    if (m_reinitializing)
        return;
    m_reinitializing = true;
    m_sessionId.clear();
    m_getRetryTimer.stop();
    closeGetStream();
    m_getParser.reset();
    m_getSupported = true;
    const quint64 generation = m_generation;
    initializeSession(config().startupTimeoutMs, [this, generation](const QString &error) {
        if (generation != m_generation)
            return;
        m_reinitializing = false;
        if (!error.isEmpty()) {
            connectionFailed(error);
            return;
        }
        appendLog(QStringLiteral("[gateway] new session %1")
                      .arg(m_sessionId.isEmpty() ? QStringLiteral("(none)") : m_sessionId));
        const QList<quint64> waiting = std::exchange(m_waitingForSession, {});
        for (const quint64 handle : waiting)
            if (m_calls.contains(handle) && isPending(handle))
                postCall(handle);
        openGetStream();
    });
}

// ---- GET stream ------------------------------------------------------------------------

void HttpUpstream::openGetStream()
{
    if (!m_getSupported || m_getReply || m_reinitializing || state() != UpstreamState::Ready)
        return;
    QNetworkRequest req = request("text/event-stream", true);
    if (!m_getParser.lastEventId().isEmpty())
        req.setRawHeader("Last-Event-ID", m_getParser.lastEventId().toUtf8());
    m_getParser.reset(false);
    m_getStreaming = false;
    QNetworkReply *reply = send([&](QNetworkAccessManager *manager) { return manager->get(req); });
    m_getReply = reply;
    connect(reply, &QNetworkReply::readyRead, this, [this, reply] { onGetData(reply); });
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onGetFinished(reply); });
}

void HttpUpstream::closeGetStream()
{
    httpclient::drop(std::exchange(m_getReply, nullptr), this);
}

void HttpUpstream::onGetData(QNetworkReply *reply)
{
    if (reply != m_getReply)
        return;
    if (!m_getStreaming) {
        if (httpclient::httpStatus(reply) != 200 || httpclient::mediaType(reply) != "text/event-stream")
            return;
        m_getStreaming = true;
        m_getBackoffMs = kInitialGetRetryMs;
    }
    handleStreamEvents(0, m_getParser.feed(reply->readAll()));
}

void HttpUpstream::onGetFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_getReply)
        return;
    if (m_getStreaming)
        onGetData(reply);
    if (reply != m_getReply)
        return;
    m_getReply = nullptr;
    if (state() != UpstreamState::Ready || m_reinitializing)
        return;

    const int status = httpclient::httpStatus(reply);
    const QByteArray body = m_getStreaming ? QByteArray() : reply->readAll();
    if (status == 405) {
        m_getSupported = false;
        appendLog(QStringLiteral("[gateway] the server offers no GET stream (HTTP 405)"));
        return;
    }
    if (httpclient::sessionLost(status, body) && !m_sessionId.isEmpty()) {
        appendLog(QStringLiteral("[gateway] session lost (%1); initializing a new one")
                      .arg(httpclient::failureMessage(reply, config().url, body)));
        beginReinitialize();
        return;
    }
    if (status == 200 && !m_getStreaming) {
        m_getSupported = false;
        appendLog(QStringLiteral("[gateway] the GET stream answered %1, not text/event-stream; not using it")
                      .arg(QString::fromUtf8(httpclient::mediaType(reply))));
        return;
    }
    int delay = m_getBackoffMs;
    if (m_getStreaming && m_getParser.retryMs() >= 0)
        delay = m_getParser.retryMs();
    m_getBackoffMs = std::min(m_getBackoffMs * 2, kMaxGetRetryMs);
    const QString why = m_getStreaming && reply->error() == QNetworkReply::NoError
                            ? QStringLiteral("closed by the server")
                            : httpclient::failureMessage(reply, config().url, body);
    appendLog(QStringLiteral("[gateway] GET stream %1; reconnecting in %2 ms").arg(why).arg(delay));
    m_getRetryTimer.start(delay);
}

} // namespace metamcp
