// The phased call pipeline (core/callpipeline.h) alone, and inside the Router with a fake
// upstream directory (no sockets, no processes, no sleeps): stage order, Stop and resume, local
// replies with status and headers, one completion per call, cancellation while a stage holds a
// call, and the phase order's promise that a refused call never reaches the admit phase.

#include "core/callpipeline.h"
#include "core/router.h"
#include "core/upstreammanager.h"
#include "fakeupstream.h"
#include "mcp/clientsession.h"
#include "model/protocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

namespace {

// Records the answer of one call.
class TestSink final : public CallSink
{
public:
    bool acceptStatus = true; // false: a transport that cannot send a status any more
    int finishes = 0;
    QJsonObject response;
    int status = 0;
    http::HttpHeaders headers;
    void message(const QJsonObject &) override {}
    qint64 finish(const QJsonObject &r) override
    {
        ++finishes;
        response = r;
        return 1;
    }
    qint64 finishSerialized(const QByteArray &r) override
    {
        ++finishes;
        response = QJsonDocument::fromJson(r).object();
        return r.size();
    }
    bool setStatus(int s, const http::HttpHeaders &h) override
    {
        if (!acceptStatus)
            return false;
        status = s;
        headers = h;
        return true;
    }
};

// A stage that logs that it ran and does what the test says.
class ProbeStage final : public CallStage
{
public:
    ProbeStage(QString name, CallPhase phase, QStringList *log)
        : m_name(std::move(name))
        , m_phase(phase)
        , m_log(log)
    {}
    std::function<Result(const CallControlPtr &)> action; // default: Continue
    CallControlPtr held;                                  // the call of the last Stop
    QString name() const override { return m_name; }
    CallPhase phase() const override { return m_phase; }
    Result onCall(const CallControlPtr &call) override
    {
        m_log->append(m_name);
        if (!action)
            return Result::Continue;
        const Result r = action(call);
        if (r == Result::Stop)
            held = call;
        return r;
    }

private:
    QString m_name;
    CallPhase m_phase;
    QStringList *m_log;
};

struct Rig
{
    UpstreamManager upstreams;
    std::unique_ptr<Router> router;
    FakeUpstream *fake = nullptr;
    ClientSession *session = nullptr;
    QList<CallEvent> events;
    QStringList log;

    explicit Rig(bool readyOnStart = true)
    {
        upstreams.setFactory([this, readyOnStart](const UpstreamConfig &config, QObject *parent) {
            auto u = std::make_unique<FakeUpstream>(config, parent);
            u->readyOnStart = readyOnStart;
            u->tools = QJsonArray{QJsonObject{
                {u"name"_s, u"echo"_s},
                {u"inputSchema"_s,
                 QJsonObject{{u"type"_s, u"object"_s},
                             {u"properties"_s, QJsonObject{{u"text"_s, QJsonObject{{u"type"_s, u"string"_s}}}}},
                             {u"required"_s, QJsonArray{u"text"_s}}}}}};
            if (!fake)
                fake = u.get(); // the primary (shared server)
            return u;
        });
        router = std::make_unique<Router>(&upstreams);
        QObject::connect(router.get(), &Router::callEvent, router.get(),
                         [this](const CallEvent &e) { events.append(e); });
        UpstreamConfig server;
        server.name = u"fake"_s;
        server.command = u"unused"_s;
        NamespaceConfig ns;
        ns.name = kDefaultNamespace;
        ns.servers = {server.name};
        GatewayConfig config;
        config.servers = {server};
        config.namespaces = {ns};
        upstreams.apply(config.servers);
        router->setConfig(config);
        session = new ClientSession(u"s1"_s, kDefaultNamespace, ClientSession::Transport::StreamableHttp);
        session->principal = Principal::apiKey(1, u"ci"_s, u"mcp_ci"_s);
        session->initialized = true;
        router->addSession(session);
    }
    ~Rig()
    {
        router->removeSession(session);
        delete session;
        upstreams.stopAll();
    }
    bool ready() { return fake && fake->state() == UpstreamState::Ready && upstreams.registry(u"fake"_s)->loaded; }
    std::shared_ptr<TestSink> call(int id, const QString &tool, const QJsonObject &args = {{u"text"_s, u"hi"_s}})
    {
        auto sink = std::make_shared<TestSink>();
        router->handleRequest(
            session, jsonrpc::request(id, u"tools/call"_s, QJsonObject{{u"name"_s, tool}, {u"arguments"_s, args}}),
            sink);
        return sink;
    }
    std::shared_ptr<ProbeStage> probe(const QString &name, CallPhase phase)
    {
        auto stage = std::make_shared<ProbeStage>(name, phase, &log);
        router->addStage(stage);
        return stage;
    }
};

} // namespace

class TestCallPipeline final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stagesOrderedByPhase();
    void callPassesEveryPhaseInOrder();
    void stopAndResume();
    void localReplyCarriesStatusAndHeaders();
    void statusInErrorDataWhereTransportCannot();
    void refusedCallNeverReachesAdmit();
    void oneCompletionPerCall();
    void cancelWhileStopped();
    void registryWaitIsAStopAndResume();
};

void TestCallPipeline::stagesOrderedByPhase()
{
    QStringList log;
    CallPipeline p;
    QVERIFY(p.addStage(std::make_shared<ProbeStage>(u"breaker"_s, CallPhase::Protect, &log)));
    QVERIFY(p.addStage(std::make_shared<ProbeStage>(u"quota"_s, CallPhase::Admit, &log)));
    QVERIFY(p.addStage(std::make_shared<ProbeStage>(u"who"_s, CallPhase::Identify, &log)));
    QVERIFY(p.addStage(std::make_shared<ProbeStage>(u"ratelimit"_s, CallPhase::Admit, &log)));
    QVERIFY(p.addStage(std::make_shared<ProbeStage>(u"cache"_s, CallPhase::LookUp, &log)));
    // Forwarding is the terminal and recording the completion's observers: no stage goes there.
    QVERIFY(!p.addStage(std::make_shared<ProbeStage>(u"x"_s, CallPhase::Forward, &log)));
    QVERIFY(!p.addStage(std::make_shared<ProbeStage>(u"y"_s, CallPhase::Record, &log)));
    QVERIFY(!p.addStage(nullptr));
    QCOMPARE(p.describe(), QStringList({u"identify/who"_s, u"admit/quota"_s, u"admit/ratelimit"_s, u"look up/cache"_s,
                                        u"protect/breaker"_s}));
}

void TestCallPipeline::callPassesEveryPhaseInOrder()
{
    Rig rig;
    QTRY_VERIFY(rig.ready());
    QCOMPARE(rig.router->pipeline().describe(), QStringList({u"identify/principal"_s, u"authorize/resolve"_s,
                                                             u"authorize/arguments"_s, u"protect/upstream"_s}));
    rig.probe(u"protect-probe"_s, CallPhase::Protect);
    rig.probe(u"lookup-probe"_s, CallPhase::LookUp);
    auto admit = rig.probe(u"admit-probe"_s, CallPhase::Admit);
    admit->action = [](const CallControlPtr &c) {
        // Stages after authorize see the principal and the resolved tool.
        const CallContext &ctx = c->context();
        if (ctx.principal.key() == u"default/apikey/key:1"_s && ctx.upstream == u"fake"_s &&
            ctx.upstreamTool == u"echo"_s && ctx.arguments.value(u"text"_s).toString() == u"hi"_s)
            return CallStage::Result::Continue;
        c->reply({jsonrpc::error({}, -1, u"context"_s), 0, {}});
        return CallStage::Result::Stop;
    };
    auto sink = rig.call(1, u"fake__echo"_s);
    QTRY_COMPARE(sink->finishes, 1);
    QCOMPARE(rig.log, QStringList({u"admit-probe"_s, u"lookup-probe"_s, u"protect-probe"_s}));
    QCOMPARE(rig.fake->calls.size(), 1);
    QCOMPARE(rig.fake->calls[0].value(u"name"_s).toString(), u"echo"_s);
    QVERIFY(!jsonrpc::isError(sink->response));
    QCOMPARE(rig.events.size(), 1);
    QCOMPARE(rig.events[0].principal, u"default/apikey/key:1"_s);
    QCOMPARE(rig.router->openCalls(), 0);
}

void TestCallPipeline::stopAndResume()
{
    Rig rig;
    QTRY_VERIFY(rig.ready());
    auto admit = rig.probe(u"limiter"_s, CallPhase::Admit);
    admit->action = [](const CallControlPtr &) { return CallStage::Result::Stop; };
    auto later = rig.probe(u"cache"_s, CallPhase::LookUp);
    auto sink = rig.call(1, u"fake__echo"_s);
    QVERIFY(admit->held);
    QCOMPARE(rig.log, QStringList{u"limiter"_s});
    QCOMPARE(rig.fake->calls.size(), 0);
    QCOMPARE(sink->finishes, 0);
    QCOMPARE(rig.router->openCalls(), 1);
    // Resumed (say, after an asynchronous look-up): the next stage runs, then the upstream.
    admit->held->resume();
    QCOMPARE(rig.log, QStringList({u"limiter"_s, u"cache"_s}));
    QTRY_COMPARE(sink->finishes, 1);
    QCOMPARE(rig.fake->calls.size(), 1);
    QCOMPARE(rig.events.size(), 1);
    QVERIFY2(rig.events[0].decisions.contains(u"admit/limiter: stop"_s),
             qPrintable(rig.events[0].decisions.join(u"; ")));
    QVERIFY(rig.events[0].decisions.contains(u"admit/limiter: resume"_s));
    // A second resume of a finished call does nothing.
    admit->held->resume();
    QCOMPARE(rig.fake->calls.size(), 1);
    QCOMPARE(sink->finishes, 1);
    QCOMPARE(rig.router->openCalls(), 0);
}

void TestCallPipeline::localReplyCarriesStatusAndHeaders()
{
    Rig rig;
    QTRY_VERIFY(rig.ready());
    auto admit = rig.probe(u"ratelimit"_s, CallPhase::Admit);
    admit->action = [](const CallControlPtr &c) {
        c->reply({jsonrpc::error({}, -32029, u"Rate limit exceeded"_s, QJsonObject{{u"retryAfterMs"_s, 3000}}),
                  429,
                  {{"Retry-After", "3"}, {"RateLimit", "\"default\";r=0;t=3"}}});
        return CallStage::Result::Stop;
    };
    auto cache = rig.probe(u"cache"_s, CallPhase::LookUp);
    auto sink = rig.call(7, u"fake__echo"_s);
    QCOMPARE(sink->finishes, 1);
    QCOMPARE(sink->status, 429);
    QCOMPARE(sink->headers.size(), 2);
    QCOMPARE(sink->headers[0].first, QByteArray("Retry-After"));
    QCOMPARE(jsonrpc::errorCode(sink->response), -32029);
    QCOMPARE(sink->response.value(u"id"_s).toInt(), 7); // the client's id, whatever the stage wrote
    QCOMPARE(rig.log, QStringList{u"ratelimit"_s});     // nothing after the stage that answered
    QCOMPARE(rig.fake->calls.size(), 0);
    QCOMPARE(rig.events.size(), 1);
    QCOMPARE(rig.events[0].status, -32029);
    QVERIFY(rig.events[0].decisions.last().startsWith(u"admit/ratelimit: reply: Rate limit exceeded"_s));
}

void TestCallPipeline::statusInErrorDataWhereTransportCannot()
{
    Rig rig;
    QTRY_VERIFY(rig.ready());
    auto admit = rig.probe(u"ratelimit"_s, CallPhase::Admit);
    admit->action = [](const CallControlPtr &c) {
        c->reply({jsonrpc::error({}, -32029, u"Rate limit exceeded"_s, QJsonObject{{u"retryAfterMs"_s, 3000}}),
                  429,
                  {{"Retry-After", "3"}}});
        return CallStage::Result::Stop;
    };
    auto sink = std::make_shared<TestSink>();
    sink->acceptStatus = false; // a stream is open, or stdio
    rig.router->handleRequest(
        rig.session,
        jsonrpc::request(1, u"tools/call"_s,
                         QJsonObject{{u"name"_s, u"fake__echo"_s}, {u"arguments"_s, QJsonObject{{u"text"_s, u"x"_s}}}}),
        sink);
    QCOMPARE(sink->finishes, 1);
    QCOMPARE(sink->status, 0);
    const QJsonObject data = sink->response.value(u"error"_s).toObject().value(u"data"_s).toObject();
    QCOMPARE(data.value(u"retryAfterMs"_s).toInt(), 3000); // the stage's own data stays
    const QJsonObject http = data.value(u"io.metamcp/http"_s).toObject();
    QCOMPARE(http.value(u"status"_s).toInt(), 429);
    QCOMPARE(http.value(u"headers"_s).toObject().value(u"Retry-After"_s).toString(), u"3"_s);
}

void TestCallPipeline::refusedCallNeverReachesAdmit()
{
    Rig rig;
    QTRY_VERIFY(rig.ready());
    int admitted = 0;
    auto quota = rig.probe(u"quota"_s, CallPhase::Admit);
    quota->action = [&admitted](const CallControlPtr &) {
        ++admitted;
        return CallStage::Result::Continue;
    };
    // Unknown tool, invalid arguments: refused in authorize, before any quota is spent.
    auto unknown = rig.call(1, u"fake__nope"_s);
    QCOMPARE(jsonrpc::errorCode(unknown->response), rpcerr::InvalidParams);
    auto invalid = rig.call(2, u"fake__echo"_s, QJsonObject{{u"text"_s, 5}});
    QCOMPARE(jsonrpc::errorCode(invalid->response), rpcerr::InvalidParams);
    QVERIFY(
        invalid->response.value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"Invalid arguments"_s));
    QCOMPARE(admitted, 0);
    QCOMPARE(rig.fake->calls.size(), 0);
    // A valid call is admitted once.
    auto ok = rig.call(3, u"fake__echo"_s);
    QTRY_COMPARE(ok->finishes, 1);
    QCOMPARE(admitted, 1);
    QCOMPARE(rig.events.size(), 3);
}

void TestCallPipeline::oneCompletionPerCall()
{
    Rig rig;
    QTRY_VERIFY(rig.ready());
    auto admit = rig.probe(u"double"_s, CallPhase::Admit);
    admit->action = [](const CallControlPtr &c) {
        c->reply({jsonrpc::result({}, QJsonObject{{u"content"_s, QJsonArray{}}}), 0, {}});
        c->reply({jsonrpc::error({}, -1, u"second"_s), 0, {}}); // ignored
        c->resume();                                            // ignored: the call is answered
        return CallStage::Result::Continue;                     // ignored as well
    };
    auto sink = rig.call(1, u"fake__echo"_s);
    QCOMPARE(sink->finishes, 1);
    QVERIFY(!jsonrpc::isError(sink->response));
    QCOMPARE(rig.fake->calls.size(), 0);
    QCOMPARE(rig.events.size(), 1);
    QCOMPARE(rig.router->openCalls(), 0);
}

void TestCallPipeline::cancelWhileStopped()
{
    Rig rig;
    QTRY_VERIFY(rig.ready());
    auto admit = rig.probe(u"slow-lookup"_s, CallPhase::Admit);
    int cancels = 0;
    admit->action = [&cancels](const CallControlPtr &c) {
        c->onCancel([&cancels] { ++cancels; });
        return CallStage::Result::Stop;
    };
    auto sink = rig.call(9, u"fake__echo"_s);
    QVERIFY(admit->held);
    QVERIFY(!admit->held->isDone());
    // notifications/cancelled from the client.
    rig.router->handleNotification(
        rig.session, jsonrpc::notification(u"notifications/cancelled"_s, QJsonObject{{u"requestId"_s, 9}}));
    QCOMPARE(cancels, 1);
    QVERIFY(admit->held->isDone());
    QCOMPARE(sink->finishes, 1);
    QVERIFY(sink->response.isEmpty()); // no response to a cancelled request
    QCOMPARE(rig.events.size(), 2);    // the call's and the notification's
    QCOMPARE(rig.events[0].method, u"tools/call"_s);
    QCOMPARE(rig.events[0].status, rpcerr::Cancelled);
    // The stage finishing its work later changes nothing.
    admit->held->resume();
    admit->held->reply({jsonrpc::error({}, -1, u"late"_s), 0, {}});
    QCOMPARE(sink->finishes, 1);
    QCOMPARE(rig.fake->calls.size(), 0);
    QCOMPARE(rig.router->openCalls(), 0);
}

void TestCallPipeline::registryWaitIsAStopAndResume()
{
    Rig rig(false); // the upstream stays Starting
    QTRY_VERIFY(rig.fake && rig.fake->state() == UpstreamState::Starting);
    auto sink = rig.call(1, u"fake__echo"_s);
    QCOMPARE(sink->finishes, 0); // authorize/resolve stopped: the registry is loading
    rig.fake->becomeReady();
    QTRY_COMPARE(sink->finishes, 1);
    QVERIFY2(!jsonrpc::isError(sink->response), QJsonDocument(sink->response).toJson().constData());
    QCOMPARE(rig.fake->calls.size(), 1);
    QVERIFY2(rig.events[0].decisions.first().startsWith(u"authorize/resolve: wait: registry of fake loading"_s),
             qPrintable(rig.events[0].decisions.join(u"; ")));
}

QTEST_GUILESS_MAIN(TestCallPipeline)
#include "tst_callpipeline.moc"
