#include "upstream/upstream.h"

#include "model/jsontext.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaObject>
#include <QPointer>
#include <QScopeGuard>
#include <QTimer>

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <utility>

namespace metamcp {

namespace {

constexpr int kInitialRetryMs = 1000;
constexpr int kMaxRetryMs = 60'000;
constexpr int kStableResetMs = 30'000; // Ready this long: the next failure starts at 1 s again

} // namespace

QJsonObject gatewayClientInfo()
{
    return QJsonObject{{QStringLiteral("name"), QStringLiteral("metamcp-gateway")},
                       {QStringLiteral("title"), QStringLiteral("MetaMCP Gateway")},
                       {QStringLiteral("version"), QStringLiteral(METAMCP_VERSION)}};
}

QJsonObject gatewayClientCapabilities()
{
    return QJsonObject{
        {QStringLiteral("sampling"), QJsonObject{}},
        {QStringLiteral("elicitation"),
         QJsonObject{{QStringLiteral("form"), QJsonObject{}}, {QStringLiteral("url"), QJsonObject{}}}},
        {QStringLiteral("roots"), QJsonObject{{QStringLiteral("listChanged"), true}}},
    };
}

// One request between sendRequest() and its `done`. Lives in Impl::pending, keyed by handle.
struct Upstream::Pending
{
    QString method;
    QJsonObject params;
    ResponseHandler done;
    RequestHooks hooks;
    QJsonValue progressToken = QJsonValue::Undefined; // params._meta.progressToken
    int timeoutMs = 0;
    std::optional<std::multimap<qint64, quint64>::iterator> deadline;
    bool control = false;     // sendControlRequest(): outside the concurrency gate
    bool transmitted = false; // handed to transmitRequest()
    bool finishing = false;   // inside abandonRequest(): finishRequest() from the transport is ignored
};

// All bookkeeping of the base class. Owned by the Upstream, gateway thread only.
struct Upstream::Impl
{
    quint64 nextHandle = 1;
    std::map<quint64, Pending> pending;
    std::deque<quint64> queue; // handles waiting for a concurrency slot, FIFO
    int inFlight = 0;          // transmitted, non-control
    bool pumping = false;
    int sending = 0;           // depth of sendRequest() calls: no Direct delivery inside them
    int serializedWaiting = 0; // pending requests with hooks.onSerializedResult
    bool pumpSuspended = false;

    // Timer wheel: one QTimer armed for the earliest deadline.
    std::multimap<qint64, quint64> deadlines; // QDeadlineTimer::deadline() -> handle
    QTimer wheel;

    QTimer retryTimer;
    QTimer stableTimer;
    int nextRetryMs = kInitialRetryMs;
};

Upstream::Upstream(const UpstreamConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , d(std::make_unique<Impl>())
{
    d->wheel.setSingleShot(true);
    d->wheel.setTimerType(Qt::PreciseTimer);
    connect(&d->wheel, &QTimer::timeout, this, [this] {
        const qint64 now = QDeadlineTimer::current(Qt::PreciseTimer).deadline();
        QList<quint64> expired;
        for (auto it = d->deadlines.begin(); it != d->deadlines.end() && it->first <= now; ++it)
            expired.append(it->second);
        for (const quint64 handle : std::as_const(expired))
            onDeadline(handle);
        if (!d->wheel.isActive() && !d->deadlines.empty()) {
            const qint64 wait = d->deadlines.begin()->first - QDeadlineTimer::current(Qt::PreciseTimer).deadline();
            d->wheel.start(static_cast<int>(std::clamp<qint64>(wait, 0, std::numeric_limits<int>::max())));
        }
    });

    d->retryTimer.setSingleShot(true);
    connect(&d->retryTimer, &QTimer::timeout, this, [this] { retryStart(); });
    d->stableTimer.setSingleShot(true);
    d->stableTimer.setInterval(kStableResetMs);
    connect(&d->stableTimer, &QTimer::timeout, this, [this] { d->nextRetryMs = kInitialRetryMs; });
}

QMap<QString, QString> Upstream::requestHeaders() const
{
    if (m_credentials)
        if (std::optional<QMap<QString, QString>> headers = m_credentials->requestHeaders(m_config.name))
            return *std::move(headers);
    return m_config.headers;
}

bool Upstream::needsRestart(const UpstreamConfig &current, const UpstreamConfig &next)
{
    if (current.kind == UpstreamKind::Stdio || next.kind != current.kind)
        return !(current == next);
    UpstreamConfig a = current;
    UpstreamConfig b = next;
    a.headers.clear();
    b.headers.clear();
    a.secretHeaders.clear();
    b.secretHeaders.clear();
    return !(a == b);
}

void Upstream::applyLiveConfig(const UpstreamConfig &next)
{
    Q_ASSERT(!needsRestart(m_config, next));
    m_config = next;
}

Upstream::~Upstream() = default;

void Upstream::restart()
{
    stop();
    start();
}

int Upstream::inFlight() const
{
    return d->inFlight;
}

int Upstream::queued() const
{
    return static_cast<int>(d->queue.size());
}

quint64 Upstream::sendRequest(const QString &method, const QJsonObject &params, ResponseHandler done,
                              RequestHooks hooks, int timeoutMs)
{
    const quint64 handle = d->nextHandle++;
    ++d->sending;
    const auto sent = qScopeGuard([impl = d.get()] { --impl->sending; });

    Pending pending;
    pending.method = method;
    pending.params = params;
    pending.done = std::move(done);
    pending.hooks = std::move(hooks);
    pending.progressToken = params.value(QStringLiteral("_meta")).toObject().value(QStringLiteral("progressToken"));
    pending.timeoutMs = timeoutMs < 0 ? m_config.requestTimeoutMs : timeoutMs;
    if (pending.hooks.onSerializedResult)
        ++d->serializedWaiting;
    auto &entry = d->pending.emplace(handle, std::move(pending)).first->second;
    if (entry.timeoutMs > 0) {
        const qint64 at = QDeadlineTimer(entry.timeoutMs, Qt::PreciseTimer).deadline();
        entry.deadline = d->deadlines.emplace(at, handle);
        if (d->deadlines.begin()->second == handle)
            d->wheel.start(entry.timeoutMs);
    }

    if (m_state == UpstreamState::Stopped || m_state == UpstreamState::Failing) {
        QString message = QStringLiteral("Upstream %1 is not available (%2").arg(name(), upstreamStateName(m_state));
        if (!m_stateReason.isEmpty())
            message += QStringLiteral(": ") + m_stateReason;
        message += QLatin1Char(')');
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::UpstreamUnavailable, message));
        return handle;
    }
    const int limit = m_config.maxConcurrency;
    const bool mustWait = m_state != UpstreamState::Ready || (limit > 0 && d->inFlight >= limit);
    if (mustWait && m_queueLimit > 0 && int(d->queue.size()) >= m_queueLimit) {
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::UpstreamUnavailable,
                                             QStringLiteral("Upstream %1 is busy: %2 requests are waiting already "
                                                            "(limit maxUpstreamQueue)")
                                                 .arg(name())
                                                 .arg(d->queue.size())));
        return handle;
    }
    d->queue.push_back(handle);
    pump();
    return handle;
}

quint64 Upstream::sendControlRequest(const QString &method, const QJsonObject &params, ResponseHandler done,
                                     int timeoutMs)
{
    const quint64 handle = d->nextHandle++;
    const QJsonObject request = jsonrpc::request(idFor(handle), method, params);

    Pending pending;
    pending.method = method;
    pending.done = std::move(done);
    pending.timeoutMs = timeoutMs;
    pending.control = true;
    pending.transmitted = true;
    auto &entry = d->pending.emplace(handle, std::move(pending)).first->second;
    if (timeoutMs > 0) {
        const qint64 at = QDeadlineTimer(timeoutMs, Qt::PreciseTimer).deadline();
        entry.deadline = d->deadlines.emplace(at, handle);
        if (d->deadlines.begin()->second == handle)
            d->wheel.start(timeoutMs);
    }
    transmitRequest(handle, request, {});
    return handle;
}

void Upstream::transmitCall(quint64 handle, const QString &method, const QJsonObject &params, const RequestHooks &hooks)
{
    if (!m_stateless)
        return transmitRequest(handle, jsonrpc::request(idFor(handle), method, params), hooks);
    // 2026-07-28: protocol version and client capabilities travel with every request.
    QJsonObject withEnvelope = params;
    QJsonObject meta = params.value(QLatin1String("_meta")).toObject();
    // The extensions the Router declared for this request (its client's) join the gateway's own
    // capabilities.
    const QJsonObject extensions =
        meta.value(mcp::kMetaClientCapabilities).toObject().value(QLatin1String("extensions")).toObject();
    const QJsonObject envelope = requestEnvelope();
    for (auto it = envelope.begin(); it != envelope.end(); ++it)
        meta.insert(it.key(), it.value());
    if (!extensions.isEmpty()) {
        QJsonObject capabilities = meta.value(mcp::kMetaClientCapabilities).toObject();
        capabilities.insert(QStringLiteral("extensions"), extensions);
        meta.insert(mcp::kMetaClientCapabilities, capabilities);
    }
    withEnvelope.insert(QStringLiteral("_meta"), meta);
    transmitRequest(handle, jsonrpc::request(idFor(handle), method, withEnvelope), hooks);
}

QJsonObject Upstream::requestEnvelope()
{
    return {{mcp::kMetaProtocolVersion, mcp::V2026_07_28},
            {mcp::kMetaClientCapabilities, gatewayClientCapabilities()},
            {mcp::kMetaClientInfo, gatewayClientInfo()}};
}

void Upstream::pump()
{
    if (d->pumping || d->pumpSuspended)
        return;
    d->pumping = true;
    const int limit = m_config.maxConcurrency;
    while (m_state == UpstreamState::Ready && !d->queue.empty() && (limit <= 0 || d->inFlight < limit)) {
        const quint64 handle = d->queue.front();
        d->queue.pop_front();
        auto it = d->pending.find(handle);
        if (it == d->pending.end())
            continue;
        it->second.transmitted = true;
        ++d->inFlight;
        // Copies: the transport may finish (and so erase) the request while it transmits.
        const QString method = it->second.method;
        const QJsonObject params = it->second.params;
        const RequestHooks hooks = it->second.hooks;
        transmitCall(handle, method, params, hooks);
    }
    d->pumping = false;
}

bool Upstream::takePending(quint64 handle, Pending *out)
{
    auto it = d->pending.find(handle);
    if (it == d->pending.end() || it->second.finishing)
        return false;
    *out = std::move(it->second);
    d->pending.erase(it);
    if (out->hooks.onSerializedResult)
        --d->serializedWaiting;
    if (out->deadline)
        d->deadlines.erase(*out->deadline);
    if (!out->transmitted) {
        const auto q = std::find(d->queue.begin(), d->queue.end(), handle);
        if (q != d->queue.end())
            d->queue.erase(q);
    } else if (!out->control) {
        --d->inFlight;
    }
    return true;
}

template<typename Answer> void Upstream::deliver(Answer &&answer, Delivery delivery)
{
    if (delivery == Delivery::Direct && d->sending == 0) {
        // Saves a posted event per call; the answer may stop or destroy this upstream.
        const QPointer<Upstream> self(this);
        answer();
        if (!self)
            return;
    } else {
        QMetaObject::invokeMethod(this, std::forward<Answer>(answer), Qt::QueuedConnection);
    }
    pump();
}

void Upstream::finishRequest(quint64 handle, const QJsonObject &response, Delivery delivery)
{
    Pending pending;
    if (!takePending(handle, &pending))
        return;
    if (pending.method == u"tools/list") {
        // Which arguments travel as Mcp-Param-* headers too (SEP-2243).
        const QJsonArray tools =
            response.value(QLatin1String("result")).toObject().value(QLatin1String("tools")).toArray();
        for (const QJsonValue &t : tools) {
            const QJsonObject tool = t.toObject();
            const QJsonObject properties =
                tool.value(QLatin1String("inputSchema")).toObject().value(QLatin1String("properties")).toObject();
            QList<std::pair<QString, QString>> params;
            for (auto p = properties.begin(); p != properties.end(); ++p)
                if (const QString header = p.value().toObject().value(QLatin1String("x-mcp-header")).toString();
                    !header.isEmpty())
                    params.append({p.key(), header});
            if (params.isEmpty())
                m_headerParams.remove(tool.value(QLatin1String("name")).toString());
            else
                m_headerParams.insert(tool.value(QLatin1String("name")).toString(), params);
        }
    }
    if (!pending.done) {
        pump();
        return;
    }
    deliver([done = std::move(pending.done), response] { done(response); }, delivery);
}

void Upstream::finishRequestSerialized(quint64 handle, const QByteArray &resultJson, bool toolError, Delivery delivery)
{
    auto it = d->pending.find(handle);
    if (it == d->pending.end() || it->second.finishing)
        return;
    if (!it->second.hooks.onSerializedResult) {
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(resultJson, &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
            finishRequest(
                handle,
                jsonrpc::error(idFor(handle), rpcerr::InternalError,
                               QStringLiteral("Malformed result from %1: %2").arg(name(), parseError.errorString())),
                delivery);
            return;
        }
        finishRequest(handle, jsonrpc::result(idFor(handle), doc.object()), delivery);
        return;
    }
    // Client transports frame messages by lines (stdio, SSE data): in valid JSON text a CR or LF
    // can only be whitespace between tokens, so it becomes a space.
    QByteArray oneLine = resultJson;
    if (oneLine.contains('\n') || oneLine.contains('\r'))
        oneLine.replace('\n', ' ').replace('\r', ' ');
    Pending pending;
    takePending(handle, &pending);
    deliver([answer = std::move(pending.hooks.onSerializedResult), oneLine = std::move(oneLine),
             toolError] { answer(oneLine, toolError); },
            delivery);
}

void Upstream::cancelRequest(quint64 handle, const QString &reason)
{
    auto it = d->pending.find(handle);
    if (it == d->pending.end() || it->second.finishing)
        return;
    QString message = QStringLiteral("Request cancelled");
    if (!reason.isEmpty())
        message += QStringLiteral(": ") + reason;
    if (abandon(handle, reason))
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::Cancelled, message));
}

void Upstream::onDeadline(quint64 handle)
{
    auto it = d->pending.find(handle);
    if (it == d->pending.end() || it->second.finishing)
        return;
    const QString message = QStringLiteral("Upstream %1 did not answer %2 within %3 ms")
                                .arg(name(), it->second.method)
                                .arg(it->second.timeoutMs);
    if (abandon(handle, QStringLiteral("Request timed out after %1 ms").arg(it->second.timeoutMs)))
        finishRequest(handle, jsonrpc::error(idFor(handle), rpcerr::Timeout, message));
}

bool Upstream::abandon(quint64 handle, const QString &reason)
{
    auto it = d->pending.find(handle);
    if (!it->second.transmitted)
        return true;             // still queued: the upstream knows nothing of it
    it->second.finishing = true; // finishRequest() from the transport is ignored meanwhile
    const QString method = it->second.method;
    // MCP: the handshake is never cancelled; 2026-07-28: the closed request is the cancellation.
    if (abandonRequest(handle, reason) && method != u"initialize" && method != u"server/discover" && !m_stateless) {
        QJsonObject params{{QStringLiteral("requestId"), idFor(handle)}};
        if (!reason.isEmpty())
            params.insert(QStringLiteral("reason"), reason);
        sendNotification(QStringLiteral("notifications/cancelled"), params);
    }
    it = d->pending.find(handle);
    if (it == d->pending.end())
        return false;
    it->second.finishing = false;
    return true;
}

void Upstream::sendNotification(const QString &method, const QJsonObject &params)
{
    sendMessage(jsonrpc::notification(method, params));
}

void Upstream::sendResponse(const QJsonObject &response)
{
    QJsonObject message = response;
    message.insert(QStringLiteral("jsonrpc"), QStringLiteral("2.0"));
    sendMessage(message);
}

void Upstream::failAll(int code, const QString &message)
{
    QList<quint64> handles;
    handles.reserve(static_cast<qsizetype>(d->pending.size()));
    for (const auto &[handle, pending] : d->pending)
        if (!pending.finishing)
            handles.append(handle);
    d->pumpSuspended = true;
    for (const quint64 handle : std::as_const(handles))
        finishRequest(handle, jsonrpc::error(idFor(handle), code, message));
    d->pumpSuspended = false;
}

void Upstream::setState(UpstreamState state, const QString &reason)
{
    if (state == m_state && reason == m_stateReason)
        return;
    m_state = state;
    m_stateReason = reason;
    if (state == UpstreamState::Ready)
        d->stableTimer.start();
    else
        d->stableTimer.stop();
    Q_EMIT stateChanged(state, reason);
    if (state == UpstreamState::Ready)
        pump();
}

void Upstream::setServerInfo(const QJsonObject &initializeResult)
{
    m_serverCapabilities = initializeResult.value(QStringLiteral("capabilities")).toObject();
    m_serverInfo = initializeResult.value(QStringLiteral("serverInfo")).toObject();
    m_instructions = initializeResult.value(QStringLiteral("instructions")).toString();
    m_protocolVersion = initializeResult.value(QStringLiteral("protocolVersion")).toString();
}

void Upstream::appendLog(const QString &line)
{
    m_log.append(line);
    if (m_log.size() > kMaxLogLines)
        m_log.remove(0, m_log.size() - kMaxLogLines);
    Q_EMIT logLine(line);
}

void Upstream::logInitialized(const QString &detail)
{
    appendLog(QStringLiteral("[gateway] initialized %1 %2 (protocol %3%4)")
                  .arg(m_serverInfo.value(QStringLiteral("name")).toString(),
                       m_serverInfo.value(QStringLiteral("version")).toString(), m_protocolVersion, detail));
}

void Upstream::negotiateSession(int timeoutMs, std::function<void(const QString &error)> finished, bool retried)
{
    m_stateless = false;
    sendControlRequest(
        QStringLiteral("server/discover"), QJsonObject{{QStringLiteral("_meta"), requestEnvelope()}},
        [this, timeoutMs, retried, finished = std::move(finished)](const QJsonObject &response) mutable {
            const QJsonObject result = response.value(QStringLiteral("result")).toObject();
            const QStringList versions = [&] {
                QStringList list;
                for (const QJsonValue &v : result.value(QStringLiteral("supportedVersions")).toArray())
                    list << v.toString();
                return list;
            }();
            if (!versions.contains(mcp::V2026_07_28)) {
                const int code = jsonrpc::errorCode(response);
                if (code == rpcerr::UnsupportedProtocolVersion && !retried) {
                    // The version was refused (-32022): the one the gateway offers is the one a
                    // stateless server supports, so ask once more before falling back.
                    appendLog(QStringLiteral("[gateway] server/discover: %1; asking again")
                                  .arg(jsonrpc::errorMessage(response)));
                    negotiateSession(timeoutMs, std::move(finished), true);
                    return;
                }
                const bool httpAnswer = response.value(QLatin1String("error"))
                                            .toObject()
                                            .value(QLatin1String("data"))
                                            .toObject()
                                            .contains(QLatin1String("httpStatus"));
                // (-32001 is also what servers answer for an unknown session: an HTTP answer.)
                if (!httpAnswer && (code == rpcerr::Timeout || code == rpcerr::UpstreamUnavailable)) {
                    finished(jsonrpc::errorMessage(response)); // no answer at all: initialize would fare no better
                    return;
                }
                appendLog(QStringLiteral("[gateway] server/discover: %1; initializing a session")
                              .arg(response.contains(QLatin1String("error"))
                                       ? jsonrpc::errorMessage(response)
                                       : QStringLiteral("versions %1").arg(versions.join(QStringLiteral(", ")))));
                initializeSession(timeoutMs, std::move(finished));
                return;
            }
            m_stateless = true;
            m_serverCapabilities = result.value(QStringLiteral("capabilities")).toObject();
            m_serverInfo = result.value(QStringLiteral("_meta"))
                               .toObject()
                               .value(QStringLiteral("io.modelcontextprotocol/serverInfo"))
                               .toObject();
            m_instructions = result.value(QStringLiteral("instructions")).toString();
            m_protocolVersion = mcp::V2026_07_28;
            finished({});
        },
        timeoutMs);
}

void Upstream::initializeSession(int timeoutMs, std::function<void(const QString &error)> finished)
{
    m_stateless = false;
    const QJsonObject params{{QStringLiteral("protocolVersion"), mcp::sessionProtocolVersions().constFirst()},
                             {QStringLiteral("capabilities"), gatewayClientCapabilities()},
                             {QStringLiteral("clientInfo"), gatewayClientInfo()}};
    sendControlRequest(
        QStringLiteral("initialize"), params,
        [this, finished = std::move(finished)](const QJsonObject &response) {
            if (jsonrpc::isError(response)) {
                const int code = jsonrpc::errorCode(response);
                const QString message = jsonrpc::errorMessage(response);
                if (code == rpcerr::Timeout || code == rpcerr::UpstreamUnavailable || code == rpcerr::Unauthorized)
                    finished(message); // made up by the gateway: already a sentence about the upstream
                else
                    finished(QStringLiteral("initialize failed: %1 (%2)").arg(message).arg(code));
                return;
            }
            const QJsonObject result = response.value(QStringLiteral("result")).toObject();
            const QString version = result.value(QStringLiteral("protocolVersion")).toString();
            if (!mcp::sessionProtocolVersions().contains(version)) {
                finished(QStringLiteral("initialize failed: unsupported protocol version \"%1\"").arg(version));
                return;
            }
            setServerInfo(result);
            sendNotification(QStringLiteral("notifications/initialized"));
            finished({});
        },
        timeoutMs);
}

void Upstream::dispatchMessage(const QJsonValue &message, quint64 relatedHandle, bool guessSole)
{
    if (message.isArray()) { // JSON-RPC batch (2025-03-26)
        const QJsonArray batch = message.toArray();
        for (const QJsonValue &item : batch)
            dispatchMessage(item, relatedHandle, guessSole);
        return;
    }
    if (!message.isObject()) {
        appendLog(QStringLiteral("[gateway] ignored a JSON-RPC message that is not an object"));
        return;
    }
    const QJsonObject object = message.toObject();
    const bool hasMethod = object.value(QStringLiteral("method")).isString();
    const bool hasId = object.contains(QStringLiteral("id")) && !object.value(QStringLiteral("id")).isNull();
    if (hasMethod && hasId) {
        dispatchServerRequest(object, relatedHandle, guessSole);
    } else if (hasMethod) {
        dispatchNotification(object, relatedHandle);
    } else if (object.contains(QStringLiteral("result")) || object.contains(QStringLiteral("error"))) {
        const quint64 handle = handleFromId(object.value(QStringLiteral("id")));
        const auto it = d->pending.find(handle);
        if (it != d->pending.end() && it->second.transmitted) // a queued request cannot have an answer
            finishRequest(handle, object, Delivery::Direct);
        else if (object.contains(QStringLiteral("error")) && !hasId)
            appendLog(
                QStringLiteral("[gateway] upstream reported an error: ") +
                QString::fromUtf8(
                    QJsonDocument(object.value(QStringLiteral("error")).toObject()).toJson(QJsonDocument::Compact)));
        // else: a late answer to a request that timed out or was cancelled
    } else {
        appendLog(QStringLiteral("[gateway] ignored a malformed JSON-RPC message"));
    }
}

bool Upstream::dispatchSerializedResponse(const QByteArray &text)
{
    if (d->serializedWaiting == 0)
        return false; // nobody takes text: spare the scan
    const std::optional<json::SuccessResponse> response = json::scanSuccessResponse(text);
    if (!response || response->id <= 0)
        return false;
    const auto handle = static_cast<quint64>(response->id);
    const auto it = d->pending.find(handle);
    if (it == d->pending.end() || !it->second.transmitted || it->second.finishing ||
        !it->second.hooks.onSerializedResult)
        return false;
    finishRequestSerialized(handle, text.sliced(response->resultBegin, response->resultEnd - response->resultBegin),
                            response->isError, Delivery::Direct);
    return true;
}

bool Upstream::dispatchText(const QByteArray &text, quint64 relatedHandle, bool guessSole)
{
    if (dispatchSerializedResponse(text))
        return true; // a tool result passed on as text
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError || doc.isNull())
        return false;
    dispatchMessage(doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()), relatedHandle, guessSole);
    return true;
}

void Upstream::dispatchNotification(const QJsonObject &notification, quint64 relatedHandle)
{
    const QJsonObject params = notification.value(QStringLiteral("params")).toObject();
    if (notification.value(QStringLiteral("method")).toString() == QLatin1String("notifications/progress")) {
        const QJsonValue token = params.value(QStringLiteral("progressToken"));
        if (!token.isUndefined() && !token.isNull()) {
            for (const auto &[handle, pending] : d->pending) {
                if (pending.progressToken == token && !pending.finishing) {
                    if (pending.hooks.onNotification) {
                        const auto hook = pending.hooks.onNotification; // the hook may finish the request
                        hook(notification);
                        return;
                    }
                    break;
                }
            }
        }
    }
    if (relatedHandle != 0) {
        const auto it = d->pending.find(relatedHandle);
        if (it != d->pending.end() && !it->second.finishing && it->second.hooks.onNotification) {
            const auto hook = it->second.hooks.onNotification;
            hook(notification);
            return;
        }
    }
    Q_EMIT notificationReceived(notification);
}

void Upstream::dispatchStreamPaused(quint64 handle, int retryMs)
{
    const auto it = d->pending.find(handle);
    if (it == d->pending.end() || it->second.finishing || !it->second.hooks.onStreamPaused)
        return;
    const auto hook = it->second.hooks.onStreamPaused;
    hook(retryMs);
}

void Upstream::dispatchServerRequest(const QJsonObject &request, quint64 relatedHandle, bool guessSole)
{
    quint64 target = 0;
    if (relatedHandle != 0 && isPending(relatedHandle)) {
        target = relatedHandle;
    } else if (guessSole) {
        for (const auto &[handle, pending] : d->pending) {
            // Only calls made for a client can have caused it (not the gateway's own list fetches).
            if (!pending.transmitted || pending.control || pending.finishing || !pending.hooks.onServerRequest)
                continue;
            if (target != 0) { // more than one: ambiguous
                target = 0;
                break;
            }
            target = handle;
        }
    }
    if (target != 0) {
        const auto &hooks = d->pending.at(target).hooks;
        if (hooks.onServerRequest) {
            const auto hook = hooks.onServerRequest;
            auto answered = std::make_shared<bool>(false);
            hook(request, [self = QPointer<Upstream>(this), id = request.value(QStringLiteral("id")),
                           answered](const QJsonObject &response) {
                if (!self || std::exchange(*answered, true))
                    return;
                QJsonObject copy = response;
                copy.insert(QStringLiteral("id"), id);
                self->sendResponse(copy); // adds "jsonrpc"
            });
            return;
        }
    }
    Q_EMIT serverRequestReceived(request);
}

bool Upstream::isPending(quint64 handle) const
{
    return d->pending.contains(handle);
}

QString Upstream::pendingMethod(quint64 handle) const
{
    const auto it = d->pending.find(handle);
    return it == d->pending.end() ? QString() : it->second.method;
}

quint64 Upstream::handleFromId(const QJsonValue &id)
{
    if (id.isDouble()) {
        const double value = id.toDouble();
        if (value >= 1 && value <= 9007199254740992.0 && value == static_cast<double>(static_cast<quint64>(value)))
            return static_cast<quint64>(value);
        return 0;
    }
    if (id.isString()) { // some servers echo numeric ids as strings
        bool ok = false;
        const quint64 value = id.toString().toULongLong(&ok);
        return ok ? value : 0;
    }
    return 0;
}

void Upstream::scheduleRetry(const QString &reason)
{
    setState(UpstreamState::Failing, reason);
    const int delay = d->nextRetryMs;
    d->nextRetryMs = std::min(d->nextRetryMs * 2, kMaxRetryMs);
    appendLog(QStringLiteral("[gateway] %1; retrying in %2 s").arg(reason).arg(delay / 1000.0));
    d->retryTimer.start(delay);
}

void Upstream::failAndRetry(const QString &reason)
{
    failAll(rpcerr::UpstreamUnavailable, QStringLiteral("Upstream %1 is not available: %2").arg(name(), reason));
    scheduleRetry(reason);
}

void Upstream::finishStop()
{
    failAll(rpcerr::UpstreamUnavailable, QStringLiteral("Upstream %1 stopped").arg(name()));
    setState(UpstreamState::Stopped);
}

void Upstream::cancelRetry()
{
    d->retryTimer.stop();
    d->nextRetryMs = kInitialRetryMs;
}

} // namespace metamcp
