#include "core/router.h"

#include "core/calllog.h"

#include "core/upstreammanager.h"
#include "model/protocol.h"
#include "upstream/upstream.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTimer>

namespace metamcp {

namespace {

const QString kUnavailableMeta = QStringLiteral("io.metamcp/unavailable");
// The tasks extension (SEP-2663) and the _meta key that picks an upstream among several that
// declare the same extension.
const QString kTasksExtension = QStringLiteral("io.modelcontextprotocol/tasks");
const QString kServerMeta = QStringLiteral("io.metamcp/server");
// How long the gateway remembers a task whose upstream names no ttlMs (null: unlimited).
constexpr qint64 kDefaultTaskTtlMs = 60 * 60 * 1000;
constexpr qint64 kMaxTaskTtlMs = 24 * 60 * 60 * 1000;
// A task stays known this much longer than its ttlMs, so that it never expires early.
constexpr qint64 kTaskGraceMs = 10 * 1000;

QString randomHex128()
{
    return QString::fromLatin1(QByteArray::number(QRandomGenerator::system()->generate64(), 16) +
                               QByteArray::number(QRandomGenerator::system()->generate64(), 16));
}

QString errorText(const QJsonObject &response)
{
    return jsonrpc::errorMessage(response);
}

QString encodeCursor(quint64 generation, int offset)
{
    return QString::fromLatin1(QByteArray::number(generation)
                                   .append(':')
                                   .append(QByteArray::number(offset))
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

bool decodeCursor(const QString &cursor, quint64 *generation, int *offset)
{
    const QByteArray raw =
        QByteArray::fromBase64(cursor.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const qsizetype colon = raw.indexOf(':');
    if (colon <= 0)
        return false;
    bool ok1 = false, ok2 = false;
    *generation = raw.left(colon).toULongLong(&ok1);
    *offset = raw.mid(colon + 1).toInt(&ok2);
    return ok1 && ok2 && *offset >= 0;
}

// The client capability a server->client request needs ("" for others, e.g. ping).
QString clientCapabilityFor(const QString &method)
{
    if (method == u"sampling/createMessage")
        return QStringLiteral("sampling");
    if (method == u"elicitation/create")
        return QStringLiteral("elicitation");
    if (method == u"roots/list")
        return QStringLiteral("roots");
    return {};
}

// How long input requests of an upstream are collected before the client is asked for them.
constexpr int kInputCoalesceMs = 20;
// The first letter of a requestState: a call the gateway parked (its client is asked for the
// upstream's server->client requests), or an upstream's own input_required round relayed to a
// stateless client.
constexpr QChar kParkedKind = u'p';
constexpr QChar kUpstreamFlowKind = u'u';

// Which of the capabilities that input requests need the session's client declared.
QStringList inputCapabilitiesOf(const ClientSession *session)
{
    QStringList capabilities;
    for (const QString &c : {QStringLiteral("sampling"), QStringLiteral("elicitation"), QStringLiteral("roots")})
        if (session && session->clientSupports(c))
            capabilities << c;
    return capabilities;
}

// RFC 5424 severities, least severe first.
const QStringList &logLevels()
{
    static const QStringList levels = {
        QStringLiteral("debug"), QStringLiteral("info"),     QStringLiteral("notice"), QStringLiteral("warning"),
        QStringLiteral("error"), QStringLiteral("critical"), QStringLiteral("alert"),  QStringLiteral("emergency")};
    return levels;
}

int logLevelRank(const QString &level)
{
    const qsizetype i = logLevels().indexOf(level);
    return i < 0 ? 0 : int(i);
}

} // namespace

// One client request from arrival to its response.
struct Router::Call : std::enable_shared_from_this<Router::Call>
{
    QPointer<ClientSession> session;
    QString sessionId;
    QString ns;
    QString client;
    CallSinkPtr sink;
    QJsonValue id;
    QString method;
    QJsonObject params;
    QJsonObject request;
    QString target;   // tool/prompt name or resource URI
    QString upstream; // server that served it
    QElapsedTimer timer;
    QDateTime arrived;
    qint64 requestBytes = 0;
    QJsonArray notifications;
    std::optional<QString> instanceOwner; // forward() uses this instance (tasks/*), not instanceOwner()
    bool finished = false;
    bool cancelled = false;
    bool stateless = false;
    // tools/call in the pipeline (core/callpipeline.h)
    CallContext ctx;
    std::function<void()> onCancel; // of the stage that holds the call
    ToolRef tool;                   // authorize/resolve
    QPointer<Upstream> serving;     // protect/upstream
};

// What the completion point writes: a parsed response ({} when none may be sent: cancelled), or
// the text of a success's result; with an HTTP status and headers when the gateway decided them.
struct Router::Completion
{
    QJsonObject response;
    QByteArray resultJson; // serialized: the result object as text
    bool serialized = false;
    bool toolError = false;
    int httpStatus = 0;
    http::HttpHeaders headers;
};

// A pipeline stage's handle on its call; keeps the call alive while a stage holds it.
class Router::Control final : public CallControl
{
public:
    Control(Router *router, CallPtr call)
        : m_router(router)
        , m_call(std::move(call))
    {}
    Call &call() { return *m_call; }
    CallContext &context() override { return m_call->ctx; }
    void resume() override
    {
        if (isDone() || !m_router)
            return;
        m_call->onCancel = nullptr;
        note(QStringLiteral("resume"), {});
        m_router->runPipeline(m_call, m_call->ctx.stage + 1);
    }
    void reply(const LocalReply &reply) override
    {
        if (m_call->finished || !m_router)
            return;
        m_call->onCancel = nullptr;
        QJsonObject response = reply.response;
        response.insert(QStringLiteral("id"), m_call->id);
        note(QStringLiteral("reply"), jsonrpc::isError(response) ? errorText(response) : QStringLiteral("result"));
        Completion c;
        c.response = response;
        c.httpStatus = reply.httpStatus;
        c.headers = reply.headers;
        m_router->complete(m_call, std::move(c));
    }
    bool isDone() const override { return m_call->finished || m_call->cancelled; }
    void onCancel(std::function<void()> cancelled) override { m_call->onCancel = std::move(cancelled); }
    void note(const QString &outcome, const QString &reason) override
    {
        const int i = m_call->ctx.stage;
        const bool inStage = m_router && i < m_router->m_pipeline.size();
        m_call->ctx.decisions.append({inStage ? m_router->m_pipeline.stage(i).name() : QStringLiteral("forward"),
                                      inStage ? m_router->m_pipeline.stage(i).phase() : CallPhase::Forward, outcome,
                                      reason});
    }

private:
    QPointer<Router> m_router;
    CallPtr m_call;
};

// Ties one upstream request to the client call currently waiting for it. A 2026-07-28 client
// may answer input_required with a new request (a new Call) that takes over the route.
struct Router::Route
{
    std::shared_ptr<Call> call; // keeps the waiting call alive until the upstream answers
    QString parkedId;
    QJsonValue clientToken; // the client's progress token, if any
    QString logLevel;       // 2026-07-28: per-request log level ("" = no log messages)
    QPointer<Upstream> upstream;
    quint64 handle = 0;
    QString server;
    QString owner;              // of the isolated instance that serves the call ("" for a shared server)
    QString method;             // as forwarded, for a 2026-07-28 upstream's input_required round
    QJsonObject clientParams;   // the client's params, before the gateway's changes
    bool mayCreateTask = false; // client and upstream declared tasks: the answer may be a CreateTaskResult
    QString taskId;             // tasks/*: the gateway's id of the task, put back into the answer
};

// A task an upstream created for a client's call (io.modelcontextprotocol/tasks).
struct Router::TaskRecord
{
    QString id; // the gateway's
    QString ns;
    QString server;
    QString owner; // of the upstream instance that runs it ("" for a shared server)
    QString upstreamId;
    QString caller; // taskCaller() of the call that created it
    std::unique_ptr<QTimer> expiry;
};

// A 2026-07-28 upstream answered input_required to a stateless client's call: the client's
// retry, with the gateway's requestState, goes back to that upstream with the upstream's state.
struct Router::UpstreamFlow
{
    QString id;
    QString ns;
    QString server;
    QString method;
    QString target; // tool/prompt name or resource URI the retry must name again
    QJsonValue upstreamState;
};

struct Router::Parked
{
    QString id;
    QString ns;
    std::shared_ptr<Route> route;
    QPointer<Upstream> upstream;
    quint64 handle = 0;
    QHash<QString, std::function<void(const QJsonObject &)>> replies; // input key -> upstream reply
    QJsonObject inputRequests;                                        // input key -> {method, params}
    std::optional<QJsonObject> finalResponse; // the upstream finished while no client call waited
    quint64 nextKey = 1;
    QStringList clientCapabilities; // of sampling, elicitation, roots: those the last request declared
    std::unique_ptr<QTimer> ask;    // running while the requests of one round are collected
};

Router::Router(UpstreamManager *upstreams, QObject *parent)
    : QObject(parent)
    , m_upstreams(upstreams)
    , m_listChangedTimer(new QTimer(this))
{
    m_listChangedTimer->setSingleShot(true);
    m_listChangedTimer->setInterval(50);
    connect(m_listChangedTimer, &QTimer::timeout, this, &Router::flushListChanged);
    connect(m_upstreams, &UpstreamManager::registryChanged, this, &Router::onRegistryChanged);
    connect(m_upstreams, &UpstreamManager::notification, this, &Router::onUpstreamNotification);
    connect(m_upstreams, &UpstreamManager::serverRequest, this, &Router::onUpstreamRequest);
    installStages();
}

Router::~Router() = default;

void Router::setConfig(const GatewayConfig &config)
{
    m_config = config;
    for (auto &idx : m_indexes)
        idx->valid = false;
    for (const NamespaceConfig &ns : m_config.namespaces)
        m_listChangedPending.insert(ns.name);
    m_listChangedTimer->start();
}

void Router::addSession(ClientSession *session)
{
    m_sessions.insert(session->id(), session);
}

void Router::removeSession(ClientSession *session)
{
    m_sessions.remove(session->id());
    // Its tasks die with its instances; nobody else may see them.
    QStringList gone;
    for (const auto &task : std::as_const(m_tasks))
        if (task->caller == sessionOwner(session->id()))
            gone << task->id;
    for (const QString &id : std::as_const(gone))
        forgetTask(id);
    m_upstreams->release(sessionOwner(session->id()));
}

ClientSession *Router::session(const QString &id) const
{
    return m_sessions.value(id);
}

// ---------------------------------------------------------------------------------------------
// Entry points

void Router::handleRequest(ClientSession *session, const QJsonObject &request, CallSinkPtr sink, qint64 requestBytes)
{
    auto call = std::make_shared<Call>();
    call->timer.start();
    call->arrived = QDateTime::currentDateTimeUtc();
    call->session = session;
    call->sessionId = session->isStateless() ? QString() : session->id();
    call->ns = session->ns();
    call->client = session->clientName();
    call->sink = std::move(sink);
    call->id = request.value(QLatin1String("id"));
    call->method = request.value(QLatin1String("method")).toString();
    call->params = request.value(QLatin1String("params")).toObject();
    call->requestBytes = requestBytes;
    call->stateless = session->isStateless();
    if (m_captureBodies)
        call->request = request;
    session->lastActivity = call->arrived;
    ++m_openCalls;
    dispatch(call);
}

void Router::dispatch(const CallPtr &call)
{
    const QString &m = call->method;
    if (call->stateless && call->params.contains(QLatin1String("requestState")) &&
        (m == u"tools/call" || m == u"prompts/get" || m == u"resources/read"))
        return resumeParked(call);
    if (m == u"tools/call")
        return callTool(call);
    if (m == u"tools/list")
        return list(call, QStringLiteral("tools"));
    if (m == u"initialize")
        return initialize(call);
    if (m == u"ping")
        return finish(call, jsonrpc::result(call->id, {}));
    if (m == u"resources/list")
        return list(call, QStringLiteral("resources"));
    if (m == u"resources/templates/list")
        return list(call, QStringLiteral("resourceTemplates"));
    if (m == u"prompts/list")
        return list(call, QStringLiteral("prompts"));
    if (m == u"prompts/get")
        return getPrompt(call);
    if (m == u"resources/read" || m == u"resources/subscribe" || m == u"resources/unsubscribe")
        return readResource(call, m);
    if (m == u"completion/complete")
        return complete(call);
    if (m == u"logging/setLevel")
        return setLogLevel(call);
    if (m == u"server/discover")
        return discover(call);
    if (m.startsWith(QLatin1String("tasks/")))
        return taskRequest(call);
    extensionRequest(call);
}

void Router::handleNotification(ClientSession *session, const QJsonObject &notification)
{
    const QString method = notification.value(QLatin1String("method")).toString();
    const QJsonObject params = notification.value(QLatin1String("params")).toObject();
    session->lastActivity = QDateTime::currentDateTimeUtc();
    if (method == u"notifications/cancelled") {
        const QJsonValue requestId = params.value(QLatin1String("requestId"));
        if (jsonrpc::isValidId(requestId))
            session->cancelInFlight(
                jsonrpc::idKey(requestId),
                params.value(QLatin1String("reason")).toString(QStringLiteral("cancelled by client")));
    } else if (method == u"notifications/roots/list_changed") {
        const NamespaceConfig *ns = m_config.ns(session->ns());
        if (ns) {
            for (const QString &server : ns->servers)
                if (Upstream *u = m_upstreams->upstream(server); u && u->state() == UpstreamState::Ready)
                    u->sendNotification(method);
        }
    }
    // notifications/initialized and client progress need no action.
    CallEvent ev;
    ev.seq = m_nextSeq++;
    ev.time = QDateTime::currentDateTimeUtc();
    ev.sessionId = session->isStateless() ? QString() : session->id();
    ev.client = session->clientName();
    ev.ns = session->ns();
    ev.direction = QStringLiteral("client");
    ev.method = method;
    ev.statusText = QStringLiteral("ok");
    if (m_captureBodies)
        ev.request = notification;
    publish(ev);
}

void Router::handleResponse(ClientSession *session, const QJsonObject &response)
{
    session->lastActivity = QDateTime::currentDateTimeUtc();
    if (!session->deliverClientResponse(response))
        qCDebug(lcCalls) << "response for unknown request id" << response.value(QLatin1String("id"));
}

// ---------------------------------------------------------------------------------------------
// Methods

void Router::initialize(const CallPtr &call)
{
    ClientSession *s = call->session;
    if (!s)
        return;
    const QString requested = call->params.value(QLatin1String("protocolVersion")).toString();
    const QString version = mcp::sessionProtocolVersions().contains(requested) ? requested : mcp::V2025_11_25;
    s->protocolVersion = version;
    s->clientInfo = call->params.value(QLatin1String("clientInfo")).toObject();
    s->clientCapabilities = call->params.value(QLatin1String("capabilities")).toObject();
    s->initialized = true;
    call->client = s->clientName();
    QJsonObject result{{QStringLiteral("protocolVersion"), version},
                       {QStringLiteral("capabilities"), capabilitiesOf(s->ns())},
                       {QStringLiteral("serverInfo"), serverInfoOf(s->ns())}};
    if (const QString instructions = instructionsOf(s->ns()); !instructions.isEmpty())
        result.insert(QStringLiteral("instructions"), instructions);
    finish(call, jsonrpc::result(call->id, result));
}

QJsonObject Router::serverInfoOf(const QString &ns)
{
    return QJsonObject{{QStringLiteral("name"), QStringLiteral("metamcp")},
                       {QStringLiteral("title"), QStringLiteral("MetaMCP Gateway (%1)").arg(ns)},
                       {QStringLiteral("version"), QStringLiteral(METAMCP_VERSION)}};
}

QJsonObject Router::capabilitiesOf(const QString &ns) const
{
    QJsonObject capabilities{{QStringLiteral("tools"), QJsonObject{{QStringLiteral("listChanged"), true}}},
                             {QStringLiteral("resources"),
                              QJsonObject{{QStringLiteral("subscribe"), true}, {QStringLiteral("listChanged"), true}}},
                             {QStringLiteral("prompts"), QJsonObject{{QStringLiteral("listChanged"), true}}},
                             {QStringLiteral("completions"), QJsonObject{}},
                             {QStringLiteral("logging"), QJsonObject{}}};
    if (const QJsonObject extensions = declaredExtensions(ns); !extensions.isEmpty())
        capabilities.insert(QStringLiteral("extensions"), extensions);
    return capabilities;
}

QString Router::instructionsOf(const QString &ns) const
{
    QStringList instructions;
    if (const NamespaceConfig *cfg = m_config.ns(ns)) {
        for (const QString &server : cfg->servers)
            if (Upstream *u = m_upstreams->upstream(server); u && !u->instructions().isEmpty())
                instructions.append(QStringLiteral("## %1\n%2").arg(server, u->instructions()));
    }
    return instructions.join(QStringLiteral("\n\n"));
}

void Router::list(const CallPtr &call, const QString &kind)
{
    const NamespaceConfig *ns = m_config.ns(call->ns);
    if (!ns)
        return fail(call, rpcerr::InvalidRequest, QStringLiteral("Unknown namespace %1").arg(call->ns));
    const QJsonValue cursorValue = call->params.value(QLatin1String("cursor"));
    if (!cursorValue.isUndefined() && !cursorValue.isString())
        return fail(call, rpcerr::InvalidParams, QStringLiteral("\"cursor\" must be a string"));

    const QString method =
        kind == u"resourceTemplates" ? QStringLiteral("resources/templates/list") : kind + QLatin1String("/list");
    auto respond = [this, call, kind, method] {
        if (call->finished)
            return;
        NamespaceIndex &idx = index(call->ns);
        const QJsonArray *all = kind == u"tools"       ? &idx.toolList
                                : kind == u"prompts"   ? &idx.promptList
                                : kind == u"resources" ? &idx.resourceList
                                                       : &idx.templateList;
        int offset = 0;
        const QString cursor = call->params.value(QLatin1String("cursor")).toString();
        if (!cursor.isEmpty()) {
            quint64 generation = 0;
            if (!decodeCursor(cursor, &generation, &offset) || offset > all->size())
                return fail(call, rpcerr::InvalidParams, QStringLiteral("Invalid cursor"));
        }
        QJsonObject result;
        if (m_pageSize <= 0 && offset == 0) {
            result.insert(kind, *all);
        } else {
            const int end = m_pageSize <= 0 ? int(all->size()) : std::min(int(all->size()), offset + m_pageSize);
            QJsonArray page;
            for (int i = offset; i < end; ++i)
                page.append(all->at(i));
            result.insert(kind, page);
            if (end < all->size())
                result.insert(QStringLiteral("nextCursor"), encodeCursor(idx.generation, end));
        }
        if (!idx.unavailable.isEmpty())
            result.insert(QStringLiteral("_meta"), QJsonObject{{kUnavailableMeta, idx.unavailable}});
        if (call->stateless)
            insertCacheHints(call, method, &result);
        finish(call, jsonrpc::result(call->id, result));
    };

    // Fast path: every upstream settled, and no list the upstream gave a ttl for has expired
    // (a stale one is fetched again first).
    bool settled = true;
    for (const QString &server : ns->servers) {
        const Upstream *u = m_upstreams->upstream(server);
        if (u && (u->state() == UpstreamState::Starting ||
                  (u->state() == UpstreamState::Ready && !m_upstreams->registry(server)->loaded)))
            settled = false;
        else if (m_upstreams->revalidate(server, method))
            settled = false;
    }
    if (settled)
        return respond();
    m_upstreams->whenLoaded(ns->servers, m_listDeadlineMs, this, [this, call, respond] {
        // Upstreams that missed the deadline are reported in _meta.
        if (auto it = m_indexes.find(call->ns); it != m_indexes.end())
            it.value()->valid = false;
        respond();
    });
}

void Router::callTool(const CallPtr &call)
{
    const QJsonValue nameValue = call->params.value(QLatin1String("name"));
    if (!nameValue.isString())
        return fail(call, rpcerr::InvalidParams, QStringLiteral("tools/call needs a \"name\" string"));
    const QJsonValue argsValue = call->params.value(QLatin1String("arguments"));
    if (!argsValue.isUndefined() && !argsValue.isObject() && !argsValue.isNull())
        return fail(call, rpcerr::InvalidParams, QStringLiteral("\"arguments\" must be an object"));
    call->target = nameValue.toString();
    call->ctx.ns = call->ns;
    call->ctx.method = call->method;
    call->ctx.tool = call->target;
    call->ctx.arguments = argsValue.toObject();
    call->ctx.argumentsNull = argsValue.isNull();
    // A cancellation while a stage holds the call ends it here; once forwarded, forward()'s own
    // canceller (which cancels the upstream request) takes over.
    if (call->session) {
        std::weak_ptr<Call> weak = call;
        QPointer<Router> self = this;
        call->session->addInFlight(jsonrpc::idKey(call->id), [self, weak](const QString &) {
            auto c = weak.lock();
            if (!self || !c || c->finished)
                return;
            c->cancelled = true;
            if (auto cancelled = std::exchange(c->onCancel, {}))
                cancelled();
            self->finish(c, {});
        });
    }
    runPipeline(call, 0);
}

void Router::runPipeline(const CallPtr &call, int from)
{
    auto control = std::make_shared<Control>(this, call);
    if (m_pipeline.run(control, from) == m_pipeline.size() && !control->isDone())
        forwardTool(call);
}

void Router::installStages()
{
    using Result = CallStage::Result;
    auto callOf = [](const CallControlPtr &c) -> Call & { return static_cast<Control &>(*c).call(); };

    // identify: who is calling. The transport resolved the principal (mcp/authenticator.h).
    m_pipeline.addStage(std::make_shared<FunctionStage>(
        QStringLiteral("principal"), CallPhase::Identify, [callOf](const CallControlPtr &c) {
            Call &call = callOf(c);
            call.ctx.principal = call.session ? call.session->principal : Principal::anonymous();
            return Result::Continue;
        }));

    // authorize: the exposed name to a tool of an upstream. A registry that is still loading (the
    // upstream just started) is waited for once, up to the list deadline: the stage stops and
    // runs again when it loaded.
    m_pipeline.addStage(std::make_shared<FunctionStage>(
        QStringLiteral("resolve"), CallPhase::Authorize, [this, callOf](const CallControlPtr &c) {
            Call &call = callOf(c);
            const QString &name = call.ctx.tool;
            NamespaceIndex &idx = index(call.ns);
            auto it = idx.tools.constFind(name);
            if (it != idx.tools.cend() && it->enabled) {
                call.tool = *it;
                call.upstream = it->server;
                call.ctx.upstream = it->server;
                call.ctx.upstreamTool = it->upstreamName;
                return Result::Continue;
            }
            const NamespaceConfig *ns = m_config.ns(call.ns);
            QStringList loading;
            if (ns)
                for (const QString &server : ns->servers)
                    if (const Upstream *u = m_upstreams->upstream(server);
                        u && (u->state() == UpstreamState::Starting ||
                              (u->state() == UpstreamState::Ready && !m_upstreams->registry(server)->loaded)))
                        loading << server;
            if (!loading.isEmpty() && !call.ctx.waitedForRegistry) {
                call.ctx.waitedForRegistry = true;
                c->note(QStringLiteral("wait"), QStringLiteral("registry of %1 loading").arg(loading.join(u", ")));
                const int stage = call.ctx.stage;
                m_upstreams->whenLoaded(ns->servers, m_listDeadlineMs, this, [this, c, stage] {
                    if (c->isDone())
                        return;
                    if (auto i = m_indexes.find(c->context().ns); i != m_indexes.end())
                        i.value()->valid = false;
                    c->context().stage = stage;
                    static_cast<Control &>(*c).call().onCancel = nullptr;
                    runPipeline(static_cast<Control &>(*c).call().shared_from_this(), stage);
                });
                return Result::Stop;
            }
            // A tool of an upstream that is not serving: name the upstream and why, not "unknown".
            if (ns && ns->prefixNames) {
                for (const QString &server : ns->servers) {
                    const Upstream *u = m_upstreams->upstream(server);
                    if (!u || !name.startsWith(server + ns->separator))
                        continue;
                    const Registry *registry = m_upstreams->registry(server);
                    if (u->state() != UpstreamState::Ready) {
                        c->reply({jsonrpc::error(
                                      QJsonValue::Null, rpcerr::UpstreamUnavailable,
                                      QStringLiteral("Unknown tool %1: upstream %2 is %3%4")
                                          .arg(name, server, upstreamStateName(u->state()),
                                               u->stateReason().isEmpty() ? QString() : u": " + u->stateReason())),
                                  0,
                                  {}});
                        return Result::Stop;
                    }
                    if (registry && !registry->error.isEmpty()) {
                        c->reply(
                            {jsonrpc::error(QJsonValue::Null, rpcerr::UpstreamUnavailable,
                                            QStringLiteral("Unknown tool %1: upstream %2 could not list its tools: %3")
                                                .arg(name, server, registry->error)),
                             0,
                             {}});
                        return Result::Stop;
                    }
                }
            }
            c->reply(
                {jsonrpc::error(QJsonValue::Null, rpcerr::InvalidParams, QStringLiteral("Unknown tool: %1").arg(name)),
                 0,
                 {}});
            return Result::Stop;
        }));

    // authorize: the arguments against the tool's inputSchema (valijson). An optional argument
    // given as null is one left out (clients write "no value" either way; SEP-2243 names the
    // case): checked without it, forwarded as sent.
    m_pipeline.addStage(std::make_shared<FunctionStage>(
        QStringLiteral("arguments"), CallPhase::Authorize, [this, callOf](const CallControlPtr &c) {
            Call &call = callOf(c);
            const ToolRef &ref = call.tool;
            if (ref.inputSchema.isEmpty())
                return Result::Continue;
            QJsonObject checked = call.ctx.arguments;
            const QJsonArray required = ref.inputSchema.value(QLatin1String("required")).toArray();
            for (auto it = checked.begin(); it != checked.end();) {
                if (it.value().isNull() && !required.contains(it.key()))
                    it = checked.erase(it);
                else
                    ++it;
            }
            if (auto violation = m_validator.validate(ref.validatorKey, ref.inputSchema, checked)) {
                c->reply({jsonrpc::error(QJsonValue::Null, rpcerr::InvalidParams,
                                         QStringLiteral("Invalid arguments for tool %1: %2: %3")
                                             .arg(call.ctx.tool, violation->path, violation->message),
                                         QJsonObject{{QStringLiteral("path"), violation->path},
                                                     {QStringLiteral("message"), violation->message}}),
                          0,
                          {}});
                return Result::Stop;
            }
            return Result::Continue;
        }));

    // protect: the upstream must be serving (a circuit breaker and a bulkhead join this phase).
    m_pipeline.addStage(std::make_shared<FunctionStage>(
        QStringLiteral("upstream"), CallPhase::Protect, [this, callOf](const CallControlPtr &c) {
            Call &call = callOf(c);
            call.serving = readyUpstream(call.shared_from_this(), call.tool.server);
            return call.serving ? Result::Continue : Result::Stop;
        }));
}

void Router::forwardTool(const CallPtr &call)
{
    if (!call->serving)
        return fail(call, rpcerr::UpstreamUnavailable, QStringLiteral("Upstream %1 is gone").arg(call->upstream));
    QJsonObject params = call->params;
    params.insert(QStringLiteral("name"), call->tool.upstreamName);
    if (call->ctx.argumentsNull)
        params.remove(QStringLiteral("arguments"));
    forward(call, call->serving, call->method, params);
}

void Router::getPrompt(const CallPtr &call)
{
    const QString name = call->params.value(QLatin1String("name")).toString();
    if (name.isEmpty())
        return fail(call, rpcerr::InvalidParams, QStringLiteral("prompts/get needs a \"name\" string"));
    call->target = name;
    NamespaceIndex &idx = index(call->ns);
    auto it = idx.prompts.constFind(name);
    if (it == idx.prompts.cend())
        return fail(call, rpcerr::InvalidParams, QStringLiteral("Unknown prompt: %1").arg(name));
    const PromptRef ref = *it;
    call->upstream = ref.server;
    Upstream *u = readyUpstream(call, ref.server);
    if (!u)
        return;
    QJsonObject params = call->params;
    params.insert(QStringLiteral("name"), ref.upstreamName);
    forward(call, u, call->method, params);
}

void Router::readResource(const CallPtr &call, const QString &method)
{
    const QString uri = call->params.value(QLatin1String("uri")).toString();
    if (uri.isEmpty())
        return fail(call, rpcerr::InvalidParams, QStringLiteral("%1 needs a \"uri\" string").arg(method));
    call->target = uri;
    const QString server = serverForUri(call->ns, uri);
    if (server.isEmpty())
        return fail(call, call->stateless ? rpcerr::InvalidParams : rpcerr::ResourceNotFound,
                    QStringLiteral("Resource not found: %1").arg(uri), QJsonObject{{QStringLiteral("uri"), uri}});
    call->upstream = server;
    Upstream *u = readyUpstream(call, server);
    if (!u)
        return;
    if (method == u"resources/subscribe" && call->session)
        call->session->subscriptions.insert(uri);
    else if (method == u"resources/unsubscribe" && call->session)
        call->session->subscriptions.remove(uri);
    forward(call, u, method, call->params);
}

void Router::complete(const CallPtr &call)
{
    const QJsonObject ref = call->params.value(QLatin1String("ref")).toObject();
    const QString type = ref.value(QLatin1String("type")).toString();
    QString server;
    QJsonObject params = call->params;
    if (type == u"ref/prompt") {
        const QString name = ref.value(QLatin1String("name")).toString();
        call->target = name;
        NamespaceIndex &idx = index(call->ns);
        auto it = idx.prompts.constFind(name);
        if (it == idx.prompts.cend())
            return fail(call, rpcerr::InvalidParams, QStringLiteral("Unknown prompt: %1").arg(name));
        server = it->server;
        QJsonObject newRef = ref;
        newRef.insert(QStringLiteral("name"), it->upstreamName);
        params.insert(QStringLiteral("ref"), newRef);
    } else if (type == u"ref/resource") {
        const QString uri = ref.value(QLatin1String("uri")).toString();
        call->target = uri;
        server = serverForUri(call->ns, uri);
        if (server.isEmpty())
            return fail(call, rpcerr::InvalidParams, QStringLiteral("Unknown resource: %1").arg(uri));
    } else {
        return fail(call, rpcerr::InvalidParams,
                    QStringLiteral("completion/complete needs ref/prompt or ref/resource"));
    }
    call->upstream = server;
    Upstream *u = readyUpstream(call, server);
    if (!u)
        return;
    if (!u->serverCapabilities().contains(QLatin1String("completions")))
        return finish(call, jsonrpc::result(call->id, QJsonObject{{QStringLiteral("completion"),
                                                                   QJsonObject{{QStringLiteral("values"), QJsonArray()},
                                                                               {QStringLiteral("hasMore"), false}}}}));
    forward(call, u, call->method, params);
}

void Router::setLogLevel(const CallPtr &call)
{
    const QString level = call->params.value(QLatin1String("level")).toString();
    if (!logLevels().contains(level))
        return fail(call, rpcerr::InvalidParams, QStringLiteral("Unknown log level \"%1\"").arg(level));
    if (call->session)
        call->session->logLevel = level;
    if (const NamespaceConfig *ns = m_config.ns(call->ns)) {
        for (const QString &server : ns->servers) {
            Upstream *u = m_upstreams->upstream(server);
            if (u && u->state() == UpstreamState::Ready && u->serverCapabilities().contains(QLatin1String("logging")))
                u->sendRequest(call->method, call->params, [](const QJsonObject &) {});
        }
    }
    finish(call, jsonrpc::result(call->id, {}));
}

void Router::discover(const CallPtr &call)
{
    QJsonObject result{{QStringLiteral("supportedVersions"), QJsonArray::fromStringList(mcp::allProtocolVersions())},
                       {QStringLiteral("capabilities"), capabilitiesOf(call->ns)}};
    if (const QString instructions = instructionsOf(call->ns); !instructions.isEmpty())
        result.insert(QStringLiteral("instructions"), instructions);
    finish(call, jsonrpc::result(call->id, result));
}

// ---------------------------------------------------------------------------------------------
// Extensions and tasks

QJsonObject Router::declaredExtensions(const QString &ns) const
{
    QJsonObject extensions;
    const NamespaceConfig *config = m_config.ns(ns);
    if (!config)
        return extensions;
    for (const QString &server : config->servers) {
        const Upstream *u = m_upstreams->upstream(server);
        if (!u || u->state() != UpstreamState::Ready)
            continue;
        const QJsonObject declared = u->serverCapabilities().value(QLatin1String("extensions")).toObject();
        for (auto it = declared.begin(); it != declared.end(); ++it)
            if (!extensions.contains(it.key()))
                extensions.insert(it.key(), it.value());
    }
    return extensions;
}

QStringList Router::serversDeclaring(const QString &ns, const QString &extension) const
{
    QStringList servers;
    if (const NamespaceConfig *config = m_config.ns(ns)) {
        for (const QString &server : config->servers) {
            const Upstream *u = m_upstreams->upstream(server);
            if (u && u->state() == UpstreamState::Ready &&
                u->serverCapabilities().value(QLatin1String("extensions")).toObject().contains(extension))
                servers << server;
        }
    }
    return servers;
}

QJsonObject Router::clientExtensions(const Call &call)
{
    QJsonObject extensions;
    if (call.session)
        extensions = call.session->clientCapabilities.value(QLatin1String("extensions")).toObject();
    const QJsonObject perRequest = call.params.value(QLatin1String("_meta"))
                                       .toObject()
                                       .value(mcp::kMetaClientCapabilities)
                                       .toObject()
                                       .value(QLatin1String("extensions"))
                                       .toObject();
    for (auto it = perRequest.begin(); it != perRequest.end(); ++it)
        extensions.insert(it.key(), it.value());
    return extensions;
}

QString Router::taskCaller(const Call &call)
{
    if (!call.stateless && call.session)
        return sessionOwner(call.session->id());
    return QLatin1String("principal:") + (call.session ? call.session->principal.key() : QString());
}

void Router::extensionRequest(const CallPtr &call)
{
    const QString &method = call->method;
    // "skills/list" belongs to the extension whose id ends in "/skills" (io.modelcontextprotocol/skills).
    const QString family = method.section(QLatin1Char('/'), 0, 0);
    QString extension;
    if (method.contains(QLatin1Char('/')) && !family.isEmpty()) {
        const QJsonObject declared = declaredExtensions(call->ns);
        for (auto it = declared.begin(); it != declared.end() && extension.isEmpty(); ++it)
            if (it.key().section(QLatin1Char('/'), -1) == family)
                extension = it.key();
    }
    if (extension.isEmpty()) {
        if (call->stateless) // 2026-07-28 answers such errors with an HTTP status
            call->sink->setStatus(404, {});
        return fail(call, rpcerr::MethodNotFound, QStringLiteral("Method not found: %1").arg(method));
    }
    const QStringList servers = serversDeclaring(call->ns, extension);
    QJsonObject params = call->params;
    QJsonObject meta = params.value(QLatin1String("_meta")).toObject();
    const QString chosen = meta.value(kServerMeta).toString();
    QString server;
    if (!chosen.isEmpty()) {
        if (!servers.contains(chosen))
            return fail(call, rpcerr::InvalidParams,
                        QStringLiteral("No upstream %1 serves extension %2 in this namespace").arg(chosen, extension),
                        QJsonObject{{QStringLiteral("extension"), extension},
                                    {QStringLiteral("servers"), QJsonArray::fromStringList(servers)}});
        server = chosen;
    } else if (servers.size() == 1) {
        server = servers.first();
    } else {
        // Which upstream a request of an unknown shape is for cannot be guessed.
        return fail(call, rpcerr::InvalidParams,
                    QStringLiteral("Extension %1 is served by several upstreams of this namespace (%2): name one in "
                                   "params._meta[\"%3\"]")
                        .arg(extension, servers.join(QStringLiteral(", ")), kServerMeta),
                    QJsonObject{{QStringLiteral("extension"), extension},
                                {QStringLiteral("servers"), QJsonArray::fromStringList(servers)}});
    }
    meta.remove(kServerMeta);
    if (meta.isEmpty())
        params.remove(QStringLiteral("_meta"));
    else
        params.insert(QStringLiteral("_meta"), meta);
    call->upstream = server;
    Upstream *u = readyUpstream(call, server);
    if (!u)
        return;
    forward(call, u, method, params);
}

void Router::taskRequest(const CallPtr &call)
{
    const QString &method = call->method;
    const bool known = method == u"tasks/get" || method == u"tasks/update" || method == u"tasks/cancel";
    if (!known || serversDeclaring(call->ns, kTasksExtension).isEmpty()) {
        // tasks/result and tasks/list are gone from the tasks extension (SEP-2663).
        if (call->stateless) // 2026-07-28 answers such errors with an HTTP status
            call->sink->setStatus(404, {});
        return fail(call, rpcerr::MethodNotFound, QStringLiteral("Method not found: %1").arg(method));
    }
    if (!clientExtensions(*call).contains(kTasksExtension)) {
        if (call->stateless) // 2026-07-28 answers such errors with an HTTP status
            call->sink->setStatus(400, {});
        return fail(
            call, rpcerr::MissingClientCapability,
            QStringLiteral("%1 needs the client capability extension %2, which the client did not declare")
                .arg(method, kTasksExtension),
            QJsonObject{{QStringLiteral("requiredCapabilities"),
                         QJsonObject{{QStringLiteral("extensions"), QJsonObject{{kTasksExtension, QJsonObject{}}}}}}});
    }
    const QJsonValue taskIdValue = call->params.value(QLatin1String("taskId"));
    if (!taskIdValue.isString())
        return fail(call, rpcerr::InvalidParams, QStringLiteral("%1 needs a \"taskId\" string").arg(method));
    const QString taskId = taskIdValue.toString();
    call->target = taskId;
    // Another caller's task, or one of another namespace, is as unknown as one that never was.
    const auto task = m_tasks.value(taskId);
    if (!task || task->ns != call->ns || task->caller != taskCaller(*call))
        return fail(call, rpcerr::InvalidParams, QStringLiteral("Unknown task: %1").arg(taskId),
                    QJsonObject{{QStringLiteral("taskId"), taskId}});
    call->upstream = task->server;
    Upstream *u = readyUpstream(call, task->server);
    if (!u)
        return;
    QJsonObject params = call->params;
    params.insert(QStringLiteral("taskId"), task->upstreamId);
    call->instanceOwner = task->owner;
    forward(call, u, method, params);
}

QString Router::upstreamTaskKey(const QString &server, const QString &owner, const QString &upstreamId)
{
    return server + QLatin1Char('\n') + owner + QLatin1Char('\n') + upstreamId;
}

QJsonObject Router::registerTask(const std::shared_ptr<Route> &route, QJsonObject result)
{
    const CallPtr &c = route->call;
    auto task = std::make_shared<TaskRecord>();
    task->id = QLatin1Char('t') + randomHex128();
    task->ns = c->ns;
    task->server = route->server;
    task->owner = route->owner;
    task->upstreamId = result.value(QLatin1String("taskId")).toString();
    task->caller = taskCaller(*c);
    const QJsonValue ttl = result.value(QLatin1String("ttlMs"));
    const qint64 ttlMs =
        ttl.isDouble() && ttl.toDouble() > 0 ? std::min(qint64(ttl.toDouble()), kMaxTaskTtlMs) : kDefaultTaskTtlMs;
    task->expiry = std::make_unique<QTimer>();
    task->expiry->setSingleShot(true);
    connect(task->expiry.get(), &QTimer::timeout, this, [this, id = task->id] { forgetTask(id); });
    task->expiry->start(std::chrono::milliseconds(ttlMs + kTaskGraceMs));
    m_upstreamTasks.insert(upstreamTaskKey(task->server, task->owner, task->upstreamId), task->id);
    if (!task->owner.isEmpty())
        ++m_taskOwners[task->owner]; // a stateless call's instance lives on with its task
    m_tasks.insert(task->id, task);
    result.insert(QStringLiteral("taskId"), task->id);
    return result;
}

void Router::forgetTask(const QString &id)
{
    const auto task = m_tasks.take(id);
    if (!task)
        return;
    m_upstreamTasks.remove(upstreamTaskKey(task->server, task->owner, task->upstreamId));
    if (task->owner.isEmpty())
        return;
    if (--m_taskOwners[task->owner] > 0)
        return;
    m_taskOwners.remove(task->owner);
    if (task->owner.startsWith(QLatin1String("call:")))
        QMetaObject::invokeMethod(
            this, [this, owner = task->owner] { m_upstreams->release(owner); }, Qt::QueuedConnection);
}

void Router::deliverTaskNotification(const QString &server, const QString &owner, const QJsonObject &notification)
{
    QJsonObject params = notification.value(QLatin1String("params")).toObject();
    const auto task = m_tasks.value(
        m_upstreamTasks.value(upstreamTaskKey(server, owner, params.value(QLatin1String("taskId")).toString())));
    if (!task)
        return; // a task the gateway does not know belongs to nobody it could tell
    params.insert(QStringLiteral("taskId"), task->id);
    QJsonObject n = notification;
    n.insert(QStringLiteral("params"), params);
    auto declaresTasks = [](const ClientSession *s) {
        return s->clientCapabilities.value(QLatin1String("extensions")).toObject().contains(kTasksExtension);
    };
    if (task->caller.startsWith(QLatin1String("session:"))) {
        if (ClientSession *s = m_sessions.value(task->caller.mid(8)); s && declaresTasks(s))
            s->sendToClient(n);
        return;
    }
    // A stateless caller hears it on its listen streams that declared tasks.
    const QString principal = task->caller.mid(10);
    for (ClientSession *s : sessionsOf(task->ns))
        if (s->isStateless() && s->principal.key() == principal && declaresTasks(s))
            s->sendToClient(n);
}

// ---------------------------------------------------------------------------------------------
// Forwarding

Upstream *Router::readyUpstream(const CallPtr &call, const QString &server)
{
    Upstream *u = m_upstreams->upstream(server);
    if (!u) {
        fail(call, rpcerr::UpstreamUnavailable, QStringLiteral("Upstream %1 is not running").arg(server));
        return nullptr;
    }
    if (u->state() != UpstreamState::Ready) {
        fail(call, rpcerr::UpstreamUnavailable,
             QStringLiteral("Upstream %1 is %2%3")
                 .arg(server, upstreamStateName(u->state()),
                      u->stateReason().isEmpty() ? QString() : QLatin1String(": ") + u->stateReason()));
        return nullptr;
    }
    return u;
}

QString Router::sessionOwner(const QString &sessionId)
{
    return QLatin1String("session:") + sessionId;
}

QString Router::instanceOwner(const CallPtr &call, const UpstreamConfig &config) const
{
    switch (config.isolation) {
    case UpstreamIsolation::Shared:
        break;
    case UpstreamIsolation::PerSession:
        if (call->session && !call->stateless)
            return sessionOwner(call->session->id());
        // A stateless call has no session: its flow (the call and its input rounds) is one.
        // "call:<random>:<principal>": the caller's listen streams hear its list changes.
        return QLatin1String("call:") +
               QString::fromLatin1(QByteArray::number(QRandomGenerator::system()->generate64(), 16)) +
               QLatin1Char(':') + (call->session ? call->session->principal.key() : QString());
    case UpstreamIsolation::PerPrincipal:
        return QLatin1String("principal:") + (call->session ? call->session->principal.key() : QString());
    }
    return {};
}

void Router::forward(const CallPtr &call, Upstream *upstream, const QString &method, QJsonObject params)
{
    auto route = std::make_shared<Route>();
    route->call = call;
    route->server = upstream->name();
    route->method = method;
    route->clientParams = params;
    route->owner = call->instanceOwner ? *call->instanceOwner : instanceOwner(call, upstream->config());
    if (call->instanceOwner && method.startsWith(QLatin1String("tasks/")))
        route->taskId = call->target;
    if (!route->owner.isEmpty()) {
        QString error;
        upstream = m_upstreams->instance(route->server, route->owner, &error);
        if (!upstream)
            return fail(call, rpcerr::UpstreamUnavailable, error);
    }
    // Progress tokens are per client; upstreams are shared, so the gateway hands out its own.
    QJsonObject meta = params.value(QLatin1String("_meta")).toObject();
    route->clientToken = meta.value(QLatin1String("progressToken"));
    if (call->stateless) {
        route->logLevel = meta.value(QLatin1String("io.modelcontextprotocol/logLevel")).toString();
        // The upstream speaks the session protocol: the envelope is the gateway's business.
        for (const QString &key : {mcp::kMetaProtocolVersion, mcp::kMetaClientCapabilities, mcp::kMetaClientInfo,
                                   QStringLiteral("io.modelcontextprotocol/logLevel")})
            meta.remove(key);
    }
    if (!route->clientToken.isUndefined())
        meta.insert(QStringLiteral("progressToken"), QStringLiteral("gwp-%1").arg(m_nextProgressToken++));
    // The extensions the client declared (for its session or this request) and the upstream
    // declares too travel with the request: the gateway's own session with the upstream declares
    // none, since not every client does.
    QJsonObject extensions;
    // The primary's: an isolated instance may still be starting, and every instance runs the same server.
    const Upstream *primary = m_upstreams->upstream(route->server);
    const QJsonObject offered =
        (primary ? primary : upstream)->serverCapabilities().value(QLatin1String("extensions")).toObject();
    const QJsonObject declared = clientExtensions(*call);
    for (auto it = declared.begin(); it != declared.end(); ++it)
        if (offered.contains(it.key()))
            extensions.insert(it.key(), it.value());
    if (!extensions.isEmpty()) {
        QJsonObject capabilities = meta.value(mcp::kMetaClientCapabilities).toObject();
        capabilities.insert(QStringLiteral("extensions"), extensions);
        meta.insert(mcp::kMetaClientCapabilities, capabilities);
        route->mayCreateTask = extensions.contains(kTasksExtension) && !method.startsWith(QLatin1String("tasks/"));
    }
    if (meta.isEmpty())
        params.remove(QStringLiteral("_meta"));
    else
        params.insert(QStringLiteral("_meta"), meta);

    RequestHooks hooks;
    hooks.onNotification = [this, route](const QJsonObject &notification) {
        auto c = route->call;
        if (!c || c->finished)
            return; // between input rounds nobody listens
        QJsonObject n = notification;
        const QString method = n.value(QLatin1String("method")).toString();
        if (method == u"notifications/cancelled") {
            relayCancellation(route->server, route->owner, n);
            return;
        }
        if (method == u"notifications/tasks")
            return deliverTaskNotification(route->server, route->owner, n);
        if (method == u"notifications/progress") {
            if (route->clientToken.isUndefined())
                return;
            QJsonObject p = n.value(QLatin1String("params")).toObject();
            p.insert(QStringLiteral("progressToken"), route->clientToken);
            n.insert(QStringLiteral("params"), p);
        } else if (method == u"notifications/message" && c->stateless) {
            const QString level = n.value(QLatin1String("params")).toObject().value(QLatin1String("level")).toString();
            if (route->logLevel.isEmpty() || logLevelRank(level) < logLevelRank(route->logLevel))
                return;
        }
        if (m_captureBodies)
            c->notifications.append(n);
        c->sink->message(n);
    };
    hooks.onServerRequest = [this, route](const QJsonObject &request, std::function<void(const QJsonObject &)> reply) {
        auto c = route->call;
        if (!route->parkedId.isEmpty() || (c && c->stateless)) {
            parkForInput(route, request, std::move(reply));
            return;
        }
        if (!c || c->finished) {
            reply(jsonrpc::error(QJsonValue::Null, rpcerr::InternalError, QStringLiteral("The client request ended")));
            return;
        }
        relayClientRequest(c, route->owner, request, std::move(reply));
    };
    hooks.onStreamPaused = [route](int retryMs) {
        auto c = route->call;
        if (c && !c->finished && !c->cancelled)
            c->sink->pause(retryMs);
    };
    hooks.onSerializedResult = [this, route](const QByteArray &resultJson, bool toolError) {
        auto c = route->call;
        // A 2026-07-28 upstream may ask for input (MRTR): that answer is the Router's business.
        const bool mayAsk = route->upstream && route->upstream->isStateless() && resultJson.contains("input_required");
        // A task's answer names the task by the upstream's id: the gateway's goes in instead.
        const bool task = route->mayCreateTask || !route->taskId.isEmpty();
        if (c && !c->finished && !c->cancelled && !c->stateless && route->parkedId.isEmpty() && !mayAsk && !task) {
            dropRoute(route);
            return finishSerialized(c, resultJson, toolError);
        }
        // The rare cases (a parked or cancelled call, 2026-07-28 stamping) work on the parsed answer.
        onForwardAnswer(route, jsonrpc::result(QJsonValue::Null, QJsonDocument::fromJson(resultJson).object()));
    };
    const quint64 handle = upstream->sendRequest(
        method, params, [this, route](const QJsonObject &response) { onForwardAnswer(route, response); }, hooks);
    if (call->session) {
        QPointer<Upstream> up = upstream;
        call->session->addInFlight(jsonrpc::idKey(call->id), [route, up, handle](const QString &reason) {
            if (auto c = route->call)
                c->cancelled = true;
            if (up)
                up->cancelRequest(handle, reason);
        });
    }
    // Remember how to cancel in case the call gets parked.
    route->upstream = upstream;
    route->handle = handle;
}

void Router::dropRoute(const std::shared_ptr<Route> &route)
{
    // The instance of a stateless call's flow has served its only call. Stopped from the event
    // loop: this may run inside the instance's own answer.
    if (route->owner.startsWith(QLatin1String("call:")) && !m_taskOwners.contains(route->owner))
        QMetaObject::invokeMethod(
            this, [this, owner = std::exchange(route->owner, {})] { m_upstreams->release(owner); },
            Qt::QueuedConnection);
}

void Router::onForwardAnswer(const std::shared_ptr<Route> &route, const QJsonObject &response)
{
    auto c = route->call;
    QJsonObject result = response.value(QLatin1String("result")).toObject();
    // A CreateTaskResult (tasks extension): the task outlives the call, and so does its instance.
    if (route->mayCreateTask && c && !c->finished && !c->cancelled &&
        result.value(QLatin1String("resultType")).toString() == u"task" &&
        result.value(QLatin1String("taskId")).isString()) {
        if (!route->parkedId.isEmpty())
            dropParked(route->parkedId);
        QJsonObject r = response;
        r.insert(QStringLiteral("id"), c->id);
        r.insert(QStringLiteral("result"), registerTask(route, result));
        return finish(c, r);
    }
    dropRoute(route);
    if (!c || c->finished) {
        // A parked call finished while the client was away: keep the answer for the retry.
        if (auto p = m_parked.value(route->parkedId))
            p->finalResponse = response;
        return;
    }
    if (!route->parkedId.isEmpty())
        dropParked(route->parkedId);
    if (c->cancelled)
        return finish(c, {});
    if (result.value(QLatin1String("resultType")).toString() == u"input_required")
        return upstreamAsksForInput(route, result);
    QJsonObject r = response;
    r.insert(QStringLiteral("id"), c->id);
    if (!route->taskId.isEmpty() && result.contains(QLatin1String("taskId"))) {
        result.insert(QStringLiteral("taskId"), route->taskId);
        r.insert(QStringLiteral("result"), result);
    }
    if (c->stateless && c->method == u"resources/read" && jsonrpc::errorCode(r) == rpcerr::ResourceNotFound) {
        // 2026-07-28 (SEP-2164): an unknown resource is -32602 naming the URI.
        const QString uri = c->params.value(QLatin1String("uri")).toString();
        r = jsonrpc::error(c->id, rpcerr::InvalidParams, QStringLiteral("Resource not found: %1").arg(uri),
                           QJsonObject{{QStringLiteral("uri"), uri}});
    }
    finish(c, r);
}

void Router::upstreamAsksForInput(const std::shared_ptr<Route> &route, const QJsonObject &result)
{
    const CallPtr c = route->call;
    const QJsonObject inputs = result.value(QLatin1String("inputRequests")).toObject();
    const QJsonValue upstreamState = result.value(QLatin1String("requestState"));
    if (c->stateless) {
        // The client answers the round itself and retries with the gateway's state, which names
        // this flow (and its namespace) and is signed like the gateway's own rounds.
        auto flow = std::make_shared<UpstreamFlow>();
        flow->id = m_broker.open(c->ns, kUpstreamFlowKind, [this](const QString &id) { m_upstreamFlows.remove(id); });
        if (flow->id.isEmpty())
            return fail(c, rpcerr::LimitReached,
                        QStringLiteral("Too many requests are waiting for client input (%1, limit maxParkedCalls); "
                                       "try again later")
                            .arg(m_broker.size()));
        flow->ns = c->ns;
        flow->server = route->server;
        flow->method = route->method;
        flow->target = c->target;
        flow->upstreamState = upstreamState;
        m_upstreamFlows.insert(flow->id, flow);
        QJsonObject out = result;
        out.insert(QStringLiteral("requestState"), m_broker.nextRound(flow->id));
        return finish(c, jsonrpc::result(c->id, out));
    }
    // A session's client is asked on the call's stream, request by request; with every answer in,
    // the upstream gets the same request again with its state and the answers.
    if (inputs.isEmpty())
        return fail(c, rpcerr::InternalError,
                    QStringLiteral("Upstream %1 asked for input but named none").arg(route->server));
    struct Round
    {
        int left = 0;
        QJsonObject responses;
        bool failed = false;
    };
    auto round = std::make_shared<Round>();
    round->left = int(inputs.size());
    for (auto it = inputs.begin(); it != inputs.end(); ++it) {
        const QJsonObject input = it.value().toObject();
        const QJsonObject request{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                  {QStringLiteral("id"), QStringLiteral("mrtr-%1").arg(m_nextProgressToken++)},
                                  {QStringLiteral("method"), input.value(QLatin1String("method"))},
                                  {QStringLiteral("params"), input.value(QLatin1String("params"))}};
        relayClientRequest(
            c, route->owner, request, [this, route, round, key = it.key(), upstreamState](const QJsonObject &response) {
                const CallPtr call = route->call;
                if (round->failed || !call || call->finished)
                    return;
                if (response.contains(QLatin1String("error"))) {
                    round->failed = true;
                    const QJsonObject error = response.value(QLatin1String("error")).toObject();
                    return fail(call, error.value(QLatin1String("code")).toInt(rpcerr::InternalError),
                                error.value(QLatin1String("message")).toString(), error.value(QLatin1String("data")));
                }
                round->responses.insert(key, response.value(QLatin1String("result")));
                if (--round->left > 0)
                    return;
                QJsonObject params = route->clientParams;
                params.insert(QStringLiteral("requestState"), upstreamState);
                params.insert(QStringLiteral("inputResponses"), round->responses);
                Upstream *u = readyUpstream(call, route->server);
                if (u)
                    forward(call, u, route->method, params);
            });
    }
}

void Router::relayClientRequest(const CallPtr &call, const QString &owner, const QJsonObject &request,
                                std::function<void(const QJsonObject &)> reply)
{
    ClientSession *s = call->session;
    const QString method = request.value(QLatin1String("method")).toString();
    const QString capability = clientCapabilityFor(method);
    if (!s) {
        reply(jsonrpc::error(request.value(QLatin1String("id")), rpcerr::InternalError,
                             QStringLiteral("The client session ended")));
        return;
    }
    if (!capability.isEmpty() && !s->clientSupports(capability)) {
        reply(jsonrpc::error(request.value(QLatin1String("id")), rpcerr::MethodNotFound,
                             QStringLiteral("The client does not support %1").arg(capability)));
        return;
    }
    const QString relayKey = relayKeyFor(call->upstream, owner, request.value(QLatin1String("id")));
    const QString id =
        s->registerClientRequest([this, relayKey, reply = std::move(reply)](const QJsonObject &response) {
            m_relayed.remove(relayKey);
            reply(response);
        });
    m_relayed.insert(relayKey, Relayed{s, id, call});
    QJsonObject forwarded = request;
    forwarded.insert(QStringLiteral("id"), id);
    if (m_captureBodies)
        call->notifications.append(forwarded);
    call->sink->message(forwarded);
}

QString Router::relayKeyFor(const QString &server, const QString &owner, const QJsonValue &upstreamId)
{
    return server + QLatin1Char('\n') + owner + QLatin1Char('\n') + jsonrpc::idKey(upstreamId);
}

bool Router::relayCancellation(const QString &server, const QString &owner, const QJsonObject &notification)
{
    const QJsonObject params = notification.value(QLatin1String("params")).toObject();
    const QJsonValue requestId = params.value(QLatin1String("requestId"));
    if (!jsonrpc::isValidId(requestId))
        return false;
    const Relayed relayed = m_relayed.take(relayKeyFor(server, owner, requestId));
    if (!relayed.session)
        return false;
    relayed.session->forgetClientRequest(relayed.gatewayId);
    QJsonObject p = params;
    p.insert(QStringLiteral("requestId"), relayed.gatewayId);
    const QJsonObject n = jsonrpc::notification(QStringLiteral("notifications/cancelled"), p);
    // On the stream of the call that asked, if it is still open; else the session's own.
    if (auto c = relayed.call.lock(); c && !c->finished)
        c->sink->message(n);
    else
        relayed.session->sendToClient(n);
    return true;
}

// ---------------------------------------------------------------------------------------------
// 2026-07-28 multi round-trip requests

void Router::resumeUpstreamFlow(const CallPtr &call, const QString &requestState)
{
    const QString id = m_broker.resolve(requestState, call->ns);
    const auto flow = m_upstreamFlows.value(id);
    if (!flow)
        return fail(call, rpcerr::InvalidParams, QStringLiteral("Invalid or expired requestState"));
    call->target =
        call->params.value(QLatin1String("name")).toString(call->params.value(QLatin1String("uri")).toString());
    if (call->method != flow->method || call->target != flow->target)
        return fail(call, rpcerr::InvalidParams,
                    QStringLiteral("The retry must repeat the request that asked for input (%1 %2)")
                        .arg(flow->method, flow->target));
    m_upstreamFlows.remove(id); // one retry per state: the upstream's next round gets a new one
    m_broker.close(id);
    call->upstream = flow->server;
    Upstream *u = readyUpstream(call, flow->server);
    if (!u)
        return;
    QJsonObject params = call->params;
    params.insert(QStringLiteral("requestState"), flow->upstreamState);
    if (call->method == u"tools/call") {
        // The tool's exposed name back to the upstream's.
        const NamespaceIndex &idx = index(call->ns);
        if (const auto tool = idx.tools.constFind(call->target); tool != idx.tools.cend())
            params.insert(QStringLiteral("name"), tool->upstreamName);
    } else if (call->method == u"prompts/get") {
        const NamespaceIndex &idx = index(call->ns);
        if (const auto prompt = idx.prompts.constFind(call->target); prompt != idx.prompts.cend())
            params.insert(QStringLiteral("name"), prompt->upstreamName);
    }
    forward(call, u, call->method, params);
}

void Router::dropParked(const QString &id)
{
    m_parked.remove(id);
    m_broker.close(id);
}

bool Router::clientSupports(const Route &route, const QString &capability) const
{
    if (route.call && route.call->session)
        return route.call->session->clientSupports(capability);
    // Between rounds no call is attached: the capabilities of the last request count.
    const auto parked = m_parked.value(route.parkedId);
    return parked && parked->clientCapabilities.contains(capability);
}

void Router::parkForInput(const std::shared_ptr<Route> &route, const QJsonObject &request,
                          std::function<void(const QJsonObject &)> reply)
{
    auto c = route->call;
    const QString method = request.value(QLatin1String("method")).toString();
    const QString capability = clientCapabilityFor(method);
    if (capability.isEmpty()) {
        reply(jsonrpc::error(QJsonValue::Null, rpcerr::MethodNotFound,
                             QStringLiteral("%1 cannot be asked of a 2026-07-28 client").arg(method)));
        return;
    }
    std::shared_ptr<Parked> parked = m_parked.value(route->parkedId);
    if (!clientSupports(*route, capability)) {
        reply(jsonrpc::error(QJsonValue::Null, rpcerr::MethodNotFound,
                             QStringLiteral("The client does not support %1").arg(capability)));
        // roots/list asks about the client, not for the tool's input (a server asks it when it
        // starts, say): the client simply has no roots. Sampling or elicitation the tool needs.
        if (method == u"roots/list")
            return;
        if (c && !c->finished) {
            // The request needs a capability the client did not declare: 400 / -32021.
            if (c->stateless)
                c->sink->setStatus(400, {});
            fail(c, rpcerr::MissingClientCapability,
                 QStringLiteral("This request needs the client capability \"%1\", which the request's _meta "
                                "does not declare")
                     .arg(capability),
                 QJsonObject{{QStringLiteral("requiredCapabilities"), QJsonObject{{capability, QJsonObject{}}}}});
            // The caller has its answer: the upstream's call ends too, or it would stay in flight
            // and make the next call's server requests on a shared instance ambiguous.
            if (route->upstream)
                route->upstream->cancelRequest(route->handle,
                                               QStringLiteral("the client does not support %1").arg(capability));
        }
        return;
    }
    if (!parked && m_broker.isFull()) {
        // Bounded: a new call may not wait for input; it fails, and so does the upstream's request.
        reply(jsonrpc::error(QJsonValue::Null, rpcerr::LimitReached,
                             QStringLiteral("The gateway has too many calls waiting for client input")));
        if (c && !c->finished)
            fail(c, rpcerr::LimitReached,
                 QStringLiteral("Too many calls are waiting for client input (%1, limit maxParkedCalls); try again "
                                "later")
                     .arg(m_broker.size()));
        if (route->upstream)
            route->upstream->cancelRequest(route->handle, QStringLiteral("too many calls waiting for input"));
        return;
    }
    if (!parked) {
        parked = std::make_shared<Parked>();
        parked->clientCapabilities = inputCapabilitiesOf(c->session);
        // When the client does not come back in time, the upstream's requests fail and its call
        // ends.
        parked->id = m_broker.open(c->ns, kParkedKind, [this](const QString &id) {
            auto p = m_parked.take(id);
            if (!p)
                return;
            for (auto &r : p->replies)
                r(jsonrpc::error(QJsonValue::Null, rpcerr::Timeout,
                                 QStringLiteral("The client did not answer in time")));
            if (p->upstream)
                p->upstream->cancelRequest(p->handle, QStringLiteral("the client did not answer in time"));
        });
        const QString id = parked->id;
        parked->ns = c->ns;
        parked->route = route;
        // A tool may send several requests at once (say elicitation, sampling and roots/list
        // through Promise.all), each its own write: wait briefly, so that one round asks for all
        // of them. A request that comes later is asked for in the next round.
        parked->ask = std::make_unique<QTimer>();
        parked->ask->setSingleShot(true);
        parked->ask->setInterval(kInputCoalesceMs);
        connect(parked->ask.get(), &QTimer::timeout, this, [this, id] { askForInput(id); });
        parked->upstream = route->upstream;
        parked->handle = route->handle;
        route->parkedId = parked->id;
        m_parked.insert(parked->id, parked);
    }
    m_broker.touch(parked->id);
    const QString key = QStringLiteral("input-%1").arg(parked->nextKey++);
    parked->replies.insert(key, [reply](const QJsonObject &response) { reply(response); });
    QJsonObject input{{QStringLiteral("method"), method}};
    QJsonObject params = request.value(QLatin1String("params")).toObject();
    params.remove(QStringLiteral("_meta"));
    input.insert(QStringLiteral("params"), params);
    parked->inputRequests.insert(key, input);
    if (!parked->ask->isActive())
        parked->ask->start();
}

void Router::askForInput(const QString &parkedId)
{
    auto parked = m_parked.value(parkedId);
    if (!parked || parked->inputRequests.isEmpty())
        return;
    auto c = parked->route->call;
    if (!c || c->finished)
        return; // asked already; the retry collects them
    QJsonObject result{{QStringLiteral("resultType"), QStringLiteral("input_required")},
                       {QStringLiteral("inputRequests"), parked->inputRequests},
                       {QStringLiteral("requestState"), m_broker.nextRound(parkedId)}};
    parked->route->call.reset(); // the retry attaches the next call
    finish(c, jsonrpc::result(c->id, result));
}

void Router::resumeParked(const CallPtr &call)
{
    const QString state = call->params.value(QLatin1String("requestState")).toString();
    if (state.startsWith(kUpstreamFlowKind))
        return resumeUpstreamFlow(call, state);
    auto parked = m_parked.value(m_broker.resolve(state, call->ns));
    if (!parked)
        return fail(call, rpcerr::InvalidParams, QStringLiteral("Invalid or expired requestState"));
    const QString id = parked->id;
    call->target =
        call->params.value(QLatin1String("name")).toString(call->params.value(QLatin1String("uri")).toString());
    const QJsonObject responses = call->params.value(QLatin1String("inputResponses")).toObject();
    for (auto it = responses.begin(); it != responses.end(); ++it) {
        auto reply = parked->replies.take(it.key());
        if (!reply)
            continue; // extra keys are ignored
        parked->inputRequests.remove(it.key());
        reply(jsonrpc::result(QJsonValue::Null, it.value().toObject()));
    }
    parked->route->call = call;
    parked->clientCapabilities = inputCapabilitiesOf(call->session);
    if (parked->upstream && call->session) {
        QPointer<Upstream> up = parked->upstream;
        const quint64 handle = parked->handle;
        auto route = parked->route;
        call->session->addInFlight(jsonrpc::idKey(call->id), [route, up, handle](const QString &reason) {
            if (auto c = route->call)
                c->cancelled = true;
            if (up)
                up->cancelRequest(handle, reason);
        });
    }
    if (parked->finalResponse) {
        QJsonObject r = *parked->finalResponse;
        dropParked(id);
        r.insert(QStringLiteral("id"), call->id);
        return finish(call, r);
    }
    if (!parked->inputRequests.isEmpty())
        return askForInput(id); // some answers are missing: ask again
    m_broker.touch(id);
}

void Router::subscribe(ClientSession *session, const QStringList &uris)
{
    for (const QString &uri : uris) {
        const QString server = serverForUri(session->ns(), uri);
        Upstream *u = server.isEmpty() ? nullptr : m_upstreams->upstream(server);
        if (u && u->state() == UpstreamState::Ready &&
            u->serverCapabilities()
                .value(QLatin1String("resources"))
                .toObject()
                .value(QLatin1String("subscribe"))
                .toBool())
            u->sendRequest(QStringLiteral("resources/subscribe"), QJsonObject{{QStringLiteral("uri"), uri}},
                           [](const QJsonObject &) {});
    }
}

// A stateless client's list result says how long it stays fresh: as long as every upstream's
// list it was built from (the shortest remaining ttl), public only if all of them are. A list
// from an upstream that gave no hints (2025-11-25: it notifies changes instead), or a namespace
// with an upstream that is not serving, is stale at once.
void Router::insertCacheHints(const CallPtr &call, const QString &method, QJsonObject *result) const
{
    const NamespaceConfig *ns = m_config.ns(call->ns);
    qint64 ttl = -1;
    bool isPublic = ns != nullptr;
    for (const QString &server : ns ? ns->servers : QStringList()) {
        const Upstream *u = m_upstreams->upstream(server);
        const Registry *registry = m_upstreams->registry(server);
        if (!u || u->state() != UpstreamState::Ready || !registry) {
            if (u) // a disabled server is not part of the list; a failing one may come back
                ttl = 0;
            continue;
        }
        const CacheHint hint = registry->hints.value(method);
        const qint64 remaining = hint.hinted ? std::max<qint64>(0, hint.fresh.remainingTime()) : 0;
        ttl = ttl < 0 ? remaining : std::min(ttl, remaining);
        isPublic = isPublic && hint.hinted && hint.isPublic;
    }
    result->insert(QStringLiteral("ttlMs"), std::max<qint64>(0, ttl));
    result->insert(QStringLiteral("cacheScope"), isPublic ? QStringLiteral("public") : QStringLiteral("private"));
}

QJsonObject Router::stampResult(const CallPtr &call, QJsonObject result) const
{
    if (!call->stateless)
        return result;
    if (!result.contains(QLatin1String("resultType")))
        result.insert(QStringLiteral("resultType"), QStringLiteral("complete"));
    static const QStringList cacheable = {QStringLiteral("tools/list"),     QStringLiteral("prompts/list"),
                                          QStringLiteral("resources/list"), QStringLiteral("resources/templates/list"),
                                          QStringLiteral("resources/read"), QStringLiteral("server/discover")};
    if (cacheable.contains(call->method)) {
        if (!result.contains(QLatin1String("ttlMs")))
            result.insert(QStringLiteral("ttlMs"), 0);
        if (!result.contains(QLatin1String("cacheScope")))
            result.insert(QStringLiteral("cacheScope"), QStringLiteral("private"));
    }
    QJsonObject meta = result.value(QLatin1String("_meta")).toObject();
    meta.insert(QStringLiteral("io.modelcontextprotocol/serverInfo"), serverInfoOf(call->ns));
    result.insert(QStringLiteral("_meta"), meta);
    return result;
}

void Router::publish(const CallEvent &event)
{
    for (CallObserver *observer : std::as_const(m_observers))
        observer->onCallEvent(event);
    Q_EMIT callEvent(event);
}

bool Router::markFinished(const CallPtr &call)
{
    if (call->finished)
        return false;
    call->finished = true;
    --m_openCalls;
    if (call->session)
        call->session->removeInFlight(jsonrpc::idKey(call->id));
    return true;
}

CallEvent Router::eventFor(const CallPtr &call, qint64 responseBytes)
{
    CallEvent ev;
    ev.seq = m_nextSeq++;
    ev.time = call->arrived;
    ev.sessionId = call->sessionId;
    ev.client = call->client;
    ev.ns = call->ns;
    ev.direction = QStringLiteral("client");
    ev.method = call->method;
    ev.tool = call->target;
    ev.upstream = call->upstream;
    ev.latencyUs = call->timer.nsecsElapsed() / 1000;
    ev.requestBytes = call->requestBytes;
    ev.responseBytes = responseBytes;
    if (call->session) {
        ev.principal = call->session->principal.key();
        ev.principalName = call->session->principal.displayName;
    }
    for (const CallDecision &d : std::as_const(call->ctx.decisions))
        ev.decisions << QStringLiteral("%1/%2: %3%4")
                            .arg(callPhaseName(d.phase), d.stage, d.outcome,
                                 d.reason.isEmpty() ? QString() : u": " + d.reason);
    if (m_captureBodies) {
        ev.request = call->request;
        ev.notifications = call->notifications;
    }
    return ev;
}

void Router::finish(const CallPtr &call, QJsonObject response)
{
    Completion c;
    c.response = std::move(response);
    complete(call, std::move(c));
}

void Router::finishSerialized(const CallPtr &call, const QByteArray &resultJson, bool toolError)
{
    Completion c;
    c.resultJson = resultJson;
    c.serialized = true;
    c.toolError = toolError;
    complete(call, std::move(c));
}

void Router::complete(const CallPtr &call, Completion completion)
{
    if (!markFinished(call))
        return;
    call->onCancel = nullptr;
    QJsonObject &response = completion.response;
    if (completion.httpStatus || !completion.headers.isEmpty()) {
        // Status and headers go with the answer where the transport can still send them; else
        // (inside a stream, stdio, legacy SSE) the error's data carries them.
        if (!call->sink->setStatus(completion.httpStatus ? completion.httpStatus : 200, completion.headers) &&
            jsonrpc::isError(response)) {
            QJsonObject error = response.value(QLatin1String("error")).toObject();
            QJsonObject data = error.value(QLatin1String("data")).toObject();
            QJsonObject headers;
            for (const auto &[name, value] : std::as_const(completion.headers))
                headers.insert(QString::fromLatin1(name), QString::fromLatin1(value));
            QJsonObject http{{QStringLiteral("headers"), headers}};
            if (completion.httpStatus)
                http.insert(QStringLiteral("status"), completion.httpStatus);
            if (!error.value(QLatin1String("data")).isObject() && !error.value(QLatin1String("data")).isUndefined())
                data.insert(QStringLiteral("value"), error.value(QLatin1String("data")));
            data.insert(QStringLiteral("io.metamcp/http"), http);
            error.insert(QStringLiteral("data"), data);
            response.insert(QStringLiteral("error"), error);
        }
    }
    CallEvent ev;
    if (completion.serialized) {
        const QByteArray message = jsonrpc::resultMessage(call->id, completion.resultJson);
        ev = eventFor(call, call->sink->finishSerialized(message));
        ev.status = completion.toolError ? 1 : 0;
        ev.statusText = completion.toolError ? QStringLiteral("tool error") : QStringLiteral("ok");
        if (m_captureBodies)
            ev.response = QJsonDocument::fromJson(message).object();
    } else {
        if (call->stateless && response.contains(QLatin1String("result")))
            response.insert(QStringLiteral("result"),
                            stampResult(call, response.value(QLatin1String("result")).toObject()));
        ev = eventFor(call, call->sink->finish(response));
        if (response.isEmpty()) {
            ev.status = rpcerr::Cancelled;
            ev.statusText = QStringLiteral("cancelled");
        } else if (jsonrpc::isError(response)) {
            ev.status = jsonrpc::errorCode(response);
            ev.statusText = errorText(response);
        } else if (response.value(QLatin1String("result")).toObject().value(QLatin1String("isError")).toBool()) {
            ev.status = 1;
            ev.statusText = QStringLiteral("tool error");
        } else {
            ev.statusText = QStringLiteral("ok");
        }
        if (m_captureBodies)
            ev.response = response;
    }
    publish(ev);
}

void Router::fail(const CallPtr &call, int code, const QString &message, const QJsonValue &data)
{
    finish(call, jsonrpc::error(call->id, code, message, data));
}

// ---------------------------------------------------------------------------------------------
// Namespace index

NamespaceIndex &Router::index(const QString &nsName)
{
    auto &slot = m_indexes[nsName];
    if (!slot)
        slot = std::make_shared<IndexSlot>();
    if (slot->valid)
        return slot->index;
    const quint64 generation = slot->index.generation + 1;
    slot->valid = true;
    const NamespaceConfig *ns = m_config.ns(nsName);
    if (!ns) {
        slot->index = NamespaceIndex();
        slot->index.generation = generation;
        return slot->index;
    }
    QList<ServerListing> listings;
    listings.reserve(ns->servers.size());
    for (const QString &server : ns->servers) {
        ServerListing l;
        l.server = server;
        const UpstreamConfig *cfg = m_config.server(server);
        l.enabled = !cfg || cfg->enabled;
        if (const Upstream *u = m_upstreams->upstream(server)) {
            l.running = true;
            l.state = u->state();
            l.stateReason = u->stateReason();
        }
        if (const Registry *reg = m_upstreams->registry(server)) {
            l.loaded = reg->loaded;
            l.generation = reg->generation;
            l.tools = reg->tools;
            l.prompts = reg->prompts;
            l.resources = reg->resources;
            l.resourceTemplates = reg->resourceTemplates;
        }
        listings.append(std::move(l));
    }
    slot->index = NamespaceIndex::build(*ns, listings, generation);
    return slot->index;
}

QString Router::serverForUri(const QString &ns, const QString &uri)
{
    if (QString server = index(ns).serverForUri(uri); !server.isEmpty())
        return server;
    // A single server with resources in the namespace can take any URI.
    QString only;
    if (const NamespaceConfig *cfg = m_config.ns(ns)) {
        for (const QString &server : cfg->servers) {
            const Upstream *u = m_upstreams->upstream(server);
            if (u && u->serverCapabilities().contains(QLatin1String("resources"))) {
                if (!only.isEmpty())
                    return {};
                only = server;
            }
        }
    }
    return only;
}

QList<ToolInfo> Router::tools(const QString &ns)
{
    return index(ns).toolInfos;
}

QJsonObject Router::toolInputSchema(const QString &ns, const QString &tool)
{
    const NamespaceIndex &idx = index(ns);
    const auto it = idx.tools.constFind(tool);
    return it == idx.tools.cend() || !it->enabled ? QJsonObject() : it->inputSchema;
}

QStringList Router::namespacesOf(const QString &server) const
{
    QStringList result;
    for (const NamespaceConfig &ns : m_config.namespaces)
        if (ns.servers.contains(server))
            result.append(ns.name);
    return result;
}

QList<ClientSession *> Router::sessionsOf(const QString &ns) const
{
    QList<ClientSession *> result;
    for (const auto &s : m_sessions)
        if (s && s->ns() == ns && s->initialized)
            result.append(s);
    return result;
}

// ---------------------------------------------------------------------------------------------
// From upstreams

void Router::onRegistryChanged(const QString &server)
{
    const QStringList namespaces = namespacesOf(server);
    for (const QString &ns : namespaces) {
        if (auto it = m_indexes.find(ns); it != m_indexes.end())
            it.value()->valid = false;
        m_listChangedPending.insert(ns);
    }
    if (!namespaces.isEmpty() && !m_listChangedTimer->isActive())
        m_listChangedTimer->start();
}

void Router::flushListChanged()
{
    const QSet<QString> pending = std::exchange(m_listChangedPending, {});
    for (const QString &ns : pending) {
        Q_EMIT toolsChanged(ns);
        for (ClientSession *s : sessionsOf(ns)) {
            s->sendToClient(jsonrpc::notification(QStringLiteral("notifications/tools/list_changed")));
            s->sendToClient(jsonrpc::notification(QStringLiteral("notifications/resources/list_changed")));
            s->sendToClient(jsonrpc::notification(QStringLiteral("notifications/prompts/list_changed")));
        }
    }
}

QList<ClientSession *> Router::ownerSessions(const QString &server, const QString &owner, bool listeners) const
{
    QList<ClientSession *> result;
    if (owner.startsWith(QLatin1String("session:"))) {
        if (ClientSession *s = m_sessions.value(owner.mid(8)); s && s->initialized)
            result.append(s);
        return result;
    }
    QString principal;
    if (owner.startsWith(QLatin1String("principal:")))
        principal = owner.mid(10);
    else if (owner.startsWith(QLatin1String("call:")) && listeners)
        principal = owner.section(QLatin1Char(':'), 2, -1); // a flow's own list changes: its caller's
    else
        return result; // primaries, and a flow's requests (they went to the call), have no owner to tell
    for (const QString &ns : namespacesOf(server))
        for (ClientSession *s : sessionsOf(ns))
            if ((listeners || !s->isStateless()) && s->principal.key() == principal)
                result.append(s);
    return result;
}

void Router::onUpstreamNotification(const QString &server, const QString &owner, const QJsonObject &notification)
{
    const QString method = notification.value(QLatin1String("method")).toString();
    const QJsonObject params = notification.value(QLatin1String("params")).toObject();
    if (method == u"notifications/cancelled") {
        relayCancellation(server, owner, notification);
        return;
    }
    if (method == u"notifications/tasks")
        return deliverTaskNotification(server, owner, notification);
    // What an isolated instance says is its owner's business only.
    QList<ClientSession *> targets;
    if (owner.isEmpty()) {
        if (method.endsWith(QLatin1String("/list_changed")))
            return; // turned into a registry refresh, then into list_changed per namespace
        for (const QString &ns : namespacesOf(server))
            targets += sessionsOf(ns);
    } else {
        // list_changed is a content-free hint: it may reach the caller's listen streams too.
        targets = ownerSessions(server, owner, method.endsWith(QLatin1String("/list_changed")));
    }
    for (ClientSession *s : std::as_const(targets)) {
        if (method.endsWith(QLatin1String("/list_changed"))) {
            s->sendToClient(notification);
        } else if (method == u"notifications/resources/updated") {
            if (s->subscriptions.contains(params.value(QLatin1String("uri")).toString()))
                s->sendToClient(notification);
        } else if (method == u"notifications/message") {
            if (s->logLevel.isEmpty() ||
                logLevelRank(params.value(QLatin1String("level")).toString()) < logLevelRank(s->logLevel))
                continue;
            QJsonObject n = notification;
            QJsonObject p = params;
            if (!p.contains(QLatin1String("logger")))
                p.insert(QStringLiteral("logger"), server);
            n.insert(QStringLiteral("params"), p);
            s->sendToClient(n);
        }
    }
}

void Router::onUpstreamRequest(const QString &server, Upstream *source, const QJsonObject &request)
{
    const QJsonValue upstreamId = request.value(QLatin1String("id"));
    const QString method = request.value(QLatin1String("method")).toString();
    if (method == u"ping") {
        source->sendResponse(jsonrpc::result(upstreamId, {}));
        return;
    }
    // A request tied to a call (the POST stream of a Streamable HTTP call; over stdio and legacy
    // SSE the only call in flight that takes server requests) went to that call's hooks. This
    // one is tied to none. It may go to the client that owns the instance, and only to it: on a
    // shared instance it belongs to nobody provably, and is refused, never guessed.
    const QString owner = m_upstreams->ownerOf(source);
    const QString capability = clientCapabilityFor(method);
    ClientSession *target = nullptr;
    int able = 0;
    for (ClientSession *s : ownerSessions(server, owner)) {
        if (s->channel() && (capability.isEmpty() || s->clientSupports(capability))) {
            target = s;
            ++able;
        }
    }
    if (able != 1) {
        QString why;
        if (owner.isEmpty()) {
            const UpstreamConfig *config = m_config.server(server);
            if (config && config->isolation != UpstreamIsolation::Shared) {
                why = QStringLiteral("the instance of %1 that serves lists belongs to no client").arg(server);
            } else {
                why = source->inFlight() > 1
                          ? QStringLiteral("%1 calls are in flight on the shared instance of %2")
                                .arg(source->inFlight())
                                .arg(server)
                          : QStringLiteral("no client's call that could have caused it is in flight on the shared "
                                           "instance of %1")
                                .arg(server);
                if (!capability.isEmpty())
                    m_upstreams->noteUnattributed(server, method, why);
            }
        } else if (able > 1) {
            why = QStringLiteral("several sessions of the caller could answer it");
        } else {
            why = QStringLiteral("the client that owns this instance of %1 has no open stream%2")
                      .arg(server,
                           capability.isEmpty() ? QString() : QStringLiteral(" or did not declare ") + capability);
        }
        source->sendResponse(
            jsonrpc::error(upstreamId, rpcerr::MethodNotFound,
                           QStringLiteral("The gateway cannot tell which client %1 is for: %2").arg(method, why)));
        return;
    }
    QPointer<Upstream> up = source;
    const QString relayKey = relayKeyFor(server, owner, upstreamId);
    const QString id = target->registerClientRequest([this, relayKey, up, upstreamId](const QJsonObject &response) {
        m_relayed.remove(relayKey);
        if (!up)
            return;
        QJsonObject r = response;
        r.insert(QStringLiteral("id"), upstreamId);
        up->sendResponse(r);
    });
    m_relayed.insert(relayKey, Relayed{target, id, {}});
    QJsonObject forwarded = request;
    forwarded.insert(QStringLiteral("id"), id);
    if (!target->sendToClient(forwarded))
        target->deliverClientResponse(
            jsonrpc::error(QJsonValue(id), rpcerr::InternalError, QStringLiteral("The client has no open stream")));
}

} // namespace metamcp
