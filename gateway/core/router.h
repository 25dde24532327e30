#pragma once

// The MCP dispatcher: every message a client sends, whatever the transport, arrives here
// with its ClientSession. One Router per gateway serves all namespaces; it aggregates the
// lists of a namespace's upstreams (from UpstreamManager's registries), maps exposed names
// (`<server><sep><tool>` or overrides) back to upstreams, validates tool arguments, forwards
// calls with per-upstream deadlines and concurrency limits (Upstream), and routes what
// upstreams send back to the right client session. Gateway thread only.

#include "core/callpipeline.h"
#include "core/inputbroker.h"
#include "core/namespaceindex.h"
#include "core/observers.h"
#include "core/schemavalidator.h"
#include "mcp/clientsession.h"
#include "mcp/dispatcher.h"
#include "model/config.h"
#include "model/events.h"
#include "model/limits.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <memory>

namespace metamcp {

class UpstreamManager;
class Upstream;

class Router final : public QObject, public McpDispatcher
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Router)
public:
    explicit Router(UpstreamManager *upstreams, QObject *parent = nullptr);
    ~Router() override;

    void setConfig(const GatewayConfig &config);
    const GatewayConfig &config() const { return m_config; }
    bool hasNamespace(const QString &ns) const { return m_config.ns(ns) != nullptr; }

    // Largest page of an aggregated list (0: everything in one page).
    void setPageSize(int size) { m_pageSize = size; }
    // Deadline for upstream registries when a client lists (slow upstreams are left out).
    void setListDeadlineMs(int ms) { m_listDeadlineMs = ms; }
    // Whether call events carry request/response JSON (the console's inspector wants them).
    void setCaptureBodies(bool capture) { m_captureBodies = capture; }

    const NamespaceConfig *namespaceConfig(const QString &ns) const override { return m_config.ns(ns); }
    void addSession(ClientSession *session) override;
    void removeSession(ClientSession *session) override;
    ClientSession *session(const QString &id) const;
    int sessionCount() const { return int(m_sessions.size()); }

    // Entry points for transports. `requestBytes` is the size of the message on the wire.
    void handleRequest(ClientSession *session, const QJsonObject &request, CallSinkPtr sink,
                       qint64 requestBytes = 0) override;
    void handleNotification(ClientSession *session, const QJsonObject &notification) override;
    void handleResponse(ClientSession *session, const QJsonObject &response) override;

    // The tools of a namespace as exposed, including disabled ones (for the console).
    QList<ToolInfo> tools(const QString &ns);
    // The inputSchema of an enabled tool as exposed in `ns` (empty if there is no such tool).
    QJsonObject toolInputSchema(const QString &ns, const QString &tool) override;

    // Subscribes the upstreams serving `uris` for a listening (2026-07-28) session.
    void subscribe(ClientSession *session, const QStringList &uris) override;

    // Bounds: parked calls and the schema cache (model/limits.h).
    void setLimits(const McpLimits &limits)
    {
        m_limits = limits;
        m_validator.setCapacity(limits.schemaCacheEntries);
        m_broker.setCapacity(limits.maxParkedCalls);
    }
    const SchemaValidator &validator() const { return m_validator; }
    // How long a request that waits for client input (2026-07-28 input_required) stays parked.
    void setParkTimeoutMs(int ms) { m_broker.setTimeoutMs(ms); }
    // The time of park timeouts (core/inputbroker.h); not owned, nullptr is Clock::steady().
    // Before the first call.
    void setClock(Clock *clock) { m_broker.setClock(clock); }
    int parkedCount() const { return int(m_parked.size()); }
    // Tasks (io.modelcontextprotocol/tasks) the gateway knows, by gateway task id.
    int taskCount() const { return int(m_tasks.size()); }

    // The call pipeline of tools/call (core/callpipeline.h). The built-in stages are
    // identify/principal, authorize/resolve, authorize/arguments, protect/upstream; a later
    // capability (quota, rate limit, cache, breaker) adds its stage with one call.
    bool addStage(std::shared_ptr<CallStage> stage) { return m_pipeline.addStage(std::move(stage)); }
    const CallPipeline &pipeline() const { return m_pipeline; }
    // Calls in a pipeline stage or forwarded, not yet completed.
    int openCalls() const { return m_openCalls; }

    // Observers of the completion point (core/observers.h): each gets every call event,
    // synchronously, before callEvent() is emitted. Not owned; remove before destroying one.
    void addObserver(CallObserver *observer) { m_observers.append(observer); }
    void removeObserver(CallObserver *observer) { m_observers.removeAll(observer); }

Q_SIGNALS:
    void callEvent(const metamcp::CallEvent &event);
    // The exposed tool list of a namespace may have changed.
    void toolsChanged(const QString &ns);

private:
    struct Call;
    struct IndexSlot
    {
        bool valid = false;
        NamespaceIndex index;
    };
    struct Route;
    struct Parked;
    struct UpstreamFlow;
    struct TaskRecord;
    struct Completion;
    class Control;
    using CallPtr = std::shared_ptr<Call>;

    void installStages();
    // Runs the pipeline of a tools/call from stage `from`; forwards when every stage continued.
    void runPipeline(const CallPtr &call, int from);
    void forwardTool(const CallPtr &call);

    void dispatch(const CallPtr &call);
    void initialize(const CallPtr &call);
    void list(const CallPtr &call, const QString &kind);
    void callTool(const CallPtr &call);
    void getPrompt(const CallPtr &call);
    void readResource(const CallPtr &call, const QString &method);
    void complete(const CallPtr &call);
    void setLogLevel(const CallPtr &call);
    void discover(const CallPtr &call);
    // The gateway as the server of namespace `ns`, one source for initialize, server/discover
    // and the _meta of every 2026-07-28 result.
    static QJsonObject serverInfoOf(const QString &ns);
    QJsonObject capabilitiesOf(const QString &ns) const;
    QString instructionsOf(const QString &ns) const; // "## <server>\n<its instructions>" each
    // Extensions (capabilities.extensions, keyed by extension id). A method the core does not
    // have goes to the upstream of the namespace that declared the extension it belongs to
    // (`skills/list` -> the extension whose id ends in "/skills"); several such upstreams need
    // params._meta["io.metamcp/server"]; none is -32601.
    void extensionRequest(const CallPtr &call);
    // tasks/get, tasks/update, tasks/cancel: to the upstream instance that created the task,
    // for the caller that created it only.
    void taskRequest(const CallPtr &call);
    // The extensions the upstreams of `ns` declare (the first declaration of each id wins).
    QJsonObject declaredExtensions(const QString &ns) const;
    QStringList serversDeclaring(const QString &ns, const QString &extension) const;
    // The extensions the client declared: for its session, or for this request in _meta.
    static QJsonObject clientExtensions(const Call &call);
    // Whose tasks a call may see: "session:<id>" for a session, "principal:<Principal::key()>"
    // for a stateless caller.
    static QString taskCaller(const Call &call);
    // A task-creating result of `route`'s upstream: remembered, its id replaced by the gateway's.
    QJsonObject registerTask(const std::shared_ptr<Route> &route, QJsonObject result);
    void forgetTask(const QString &id);
    // notifications/tasks of an upstream instance: to the task's caller only, if it declared tasks.
    void deliverTaskNotification(const QString &server, const QString &owner, const QJsonObject &notification);
    static QString upstreamTaskKey(const QString &server, const QString &owner, const QString &upstreamId);
    void forward(const CallPtr &call, Upstream *upstream, const QString &method, QJsonObject params);
    // The upstream's answer to a forwarded request.
    void onForwardAnswer(const std::shared_ptr<Route> &route, const QJsonObject &response);
    void dropRoute(const std::shared_ptr<Route> &route);
    // A server->client request tied to `call` goes to its client on the call's stream.
    // `owner`: of the instance that asked (Route::owner).
    void relayClientRequest(const CallPtr &call, const QString &owner, const QJsonObject &request,
                            std::function<void(const QJsonObject &)> reply);
    // Isolation: who owns the instance that serves `call` ("" when the server is shared).
    QString instanceOwner(const CallPtr &call, const UpstreamConfig &config) const;
    static QString sessionOwner(const QString &sessionId);
    // The sessions an isolated instance's unrelated messages may reach (none for a primary):
    // its session, or its caller's sessions; with `listeners` (list_changed) also the caller's
    // stateless listen streams, and those of the caller of a stateless call's flow.
    QList<ClientSession *> ownerSessions(const QString &server, const QString &owner, bool listeners = false) const;
    // 2026-07-28 clients cannot take server->client requests: park the upstream call and answer
    // input_required; the client's retry (requestState + inputResponses) resumes it.
    void parkForInput(const std::shared_ptr<Route> &route, const QJsonObject &request,
                      std::function<void(const QJsonObject &)> reply);
    void askForInput(const QString &parkedId);
    // Whether the client behind a forwarded call declared `capability` (sampling, elicitation,
    // roots): the attached call's request, else (between rounds) the last request of the flow.
    bool clientSupports(const Route &route, const QString &capability) const;
    void resumeParked(const CallPtr &call);
    // A 2026-07-28 upstream answered input_required: a session's client is asked on the call's
    // stream and the upstream gets the request again with the answers; a stateless client gets
    // the round (with a gateway state) and its retry goes back through resumeUpstreamFlow().
    void upstreamAsksForInput(const std::shared_ptr<Route> &route, const QJsonObject &result);
    void resumeUpstreamFlow(const CallPtr &call, const QString &requestState);
    // Forgets a parked call (no expiry).
    void dropParked(const QString &id);
    // The completion point: every answer, error and cancellation of a client request passes
    // here once (the sink writes it, the call event is made and emitted). A second completion of
    // the same call is ignored.
    void complete(const CallPtr &call, Completion completion);
    void finish(const CallPtr &call, QJsonObject response);
    // finish() for a success whose result is JSON object text, spliced into the response as is.
    void finishSerialized(const CallPtr &call, const QByteArray &resultJson, bool toolError);
    // Marks the call finished; false if it already was.
    bool markFinished(const CallPtr &call);
    CallEvent eventFor(const CallPtr &call, qint64 responseBytes);
    void fail(const CallPtr &call, int code, const QString &message, const QJsonValue &data = {});
    QJsonObject stampResult(const CallPtr &call, QJsonObject result) const;
    void insertCacheHints(const CallPtr &call, const QString &method, QJsonObject *result) const;

    NamespaceIndex &index(const QString &ns);
    void invalidate(const QString &server);
    QString serverForUri(const QString &ns, const QString &uri);
    Upstream *readyUpstream(const CallPtr &call, const QString &server);
    QStringList namespacesOf(const QString &server) const;
    QList<ClientSession *> sessionsOf(const QString &ns) const;

    void onUpstreamNotification(const QString &server, const QString &owner, const QJsonObject &notification);
    void onUpstreamRequest(const QString &server, Upstream *source, const QJsonObject &request);
    void onRegistryChanged(const QString &server);
    void flushListChanged();

    UpstreamManager *m_upstreams;
    GatewayConfig m_config;
    QHash<QString, std::shared_ptr<IndexSlot>> m_indexes;
    QHash<QString, QPointer<ClientSession>> m_sessions;
    SchemaValidator m_validator;
    QSet<QString> m_listChangedPending; // namespaces whose clients must hear list_changed
    QTimer *m_listChangedTimer;
    int m_pageSize = 0;
    int m_listDeadlineMs = 5000;
    bool m_captureBodies = true;
    QHash<QString, std::shared_ptr<Parked>> m_parked;
    QHash<QString, std::shared_ptr<UpstreamFlow>> m_upstreamFlows;
    QHash<QString, std::shared_ptr<TaskRecord>> m_tasks; // gateway task id -> task
    QHash<QString, QString> m_upstreamTasks;             // upstreamTaskKey() -> gateway task id
    QHash<QString, int> m_taskOwners;                    // instance owner -> tasks that keep it running
    // Server->client requests relayed to a session, by relayKeyFor() -> where they went.
    struct Relayed
    {
        QPointer<ClientSession> session;
        QString gatewayId;
        std::weak_ptr<Call> call;
    };
    QHash<QString, Relayed> m_relayed;
    static QString relayKeyFor(const QString &server, const QString &owner, const QJsonValue &upstreamId);
    bool relayCancellation(const QString &server, const QString &owner, const QJsonObject &notification);
    // Parked calls and upstream flows: their requestState tokens, rounds, timeouts and bound.
    InputBroker m_broker;
    quint64 m_nextProgressToken = 1;
    CallPipeline m_pipeline;
    McpLimits m_limits;
    QList<CallObserver *> m_observers;
    void publish(const CallEvent &event);
    int m_openCalls = 0;
    quint64 m_nextSeq = 1;
};

} // namespace metamcp
