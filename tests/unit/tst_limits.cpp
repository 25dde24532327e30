// The MCP layer's bounds (model/limits.h), each reached on purpose: upstream queue length, parked
// calls, the stdio write buffer of an upstream that stops reading, and the LRU schema cache.
// (Session limits are tested with the endpoint in tst_mcpendpoint: sessionLimits.)

#include "core/router.h"
#include "core/schemavalidator.h"
#include "core/upstreammanager.h"
#include "fakeupstream.h"
#include "mcp/clientsession.h"
#include "model/protocol.h"
#include "upstream/stdioupstream.h"
#include "upstream/upstreamfactory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTest>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

namespace {

class TestSink final : public CallSink
{
public:
    int finishes = 0;
    QJsonObject response;
    void message(const QJsonObject &) override {}
    qint64 finish(const QJsonObject &r) override
    {
        ++finishes;
        response = r;
        return 1;
    }
};

QJsonObject schemaWith(const QString &property)
{
    return QJsonObject{{u"type"_s, u"object"_s},
                       {u"properties"_s, QJsonObject{{property, QJsonObject{{u"type"_s, u"string"_s}}}}},
                       {u"required"_s, QJsonArray{property}}};
}

} // namespace

class TestLimits final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void upstreamQueue();
    void parkedCalls();
    void stdioWriteBuffer();
    void schemaCacheIsLru();
};

void TestLimits::upstreamQueue()
{
    UpstreamConfig config;
    config.name = u"slow"_s;
    config.maxConcurrency = 1;
    FakeUpstream u(config);
    u.holdCalls = true;
    u.setQueueLimit(2);
    u.start();
    QList<QJsonObject> answers;
    auto send = [&] {
        return u.sendRequest(u"tools/call"_s, QJsonObject{{u"name"_s, u"x"_s}},
                             [&answers](const QJsonObject &r) { answers.append(r); });
    };
    send(); // in flight
    send(); // waits
    send(); // waits: the queue is full now
    const quint64 refused = send();
    Q_UNUSED(refused)
    QTRY_COMPARE(answers.size(), 1);
    QCOMPARE(jsonrpc::errorCode(answers[0]), rpcerr::UpstreamUnavailable);
    QVERIFY2(answers[0].value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"maxUpstreamQueue"_s),
             QJsonDocument(answers[0]).toJson().constData());
    QCOMPARE(u.queued(), 2);
    // Room again once the one in flight is answered: the next waits instead of failing.
    u.release(u.held.first());
    QTRY_COMPARE(answers.size(), 2);
    QVERIFY(!jsonrpc::isError(answers[1]));
    send();
    QCOMPARE(u.queued(), 2);
    QCOMPARE(answers.size(), 2);
    u.stop();
}

void TestLimits::parkedCalls()
{
    UpstreamManager upstreams;
    upstreams.setFactory([](const UpstreamConfig &config, QObject *parent) {
        auto u = std::make_unique<FakeUpstream>(config, parent);
        u->tools = QJsonArray{QJsonObject{{u"name"_s, u"ask"_s}}};
        u->askSampling = true;
        return u;
    });
    Router router(&upstreams);
    McpLimits limits;
    limits.maxParkedCalls = 1;
    router.setLimits(limits);
    UpstreamConfig server;
    server.name = u"fake"_s;
    NamespaceConfig ns;
    ns.name = kDefaultNamespace;
    ns.servers = {server.name};
    GatewayConfig config;
    config.servers = {server};
    config.namespaces = {ns};
    upstreams.apply(config.servers);
    router.setConfig(config);
    QTRY_VERIFY(upstreams.registry(u"fake"_s) && upstreams.registry(u"fake"_s)->loaded);
    auto *fake = static_cast<FakeUpstream *>(upstreams.upstream(u"fake"_s));

    // Two stateless (2026-07-28) calls whose tool asks the client for sampling.
    auto call = [&](int id) {
        auto *session =
            new ClientSession(QString::number(id), kDefaultNamespace, ClientSession::Transport::Stateless, &router);
        session->protocolVersion = mcp::V2026_07_28;
        session->clientCapabilities = QJsonObject{{u"sampling"_s, QJsonObject{}}};
        session->initialized = true;
        auto sink = std::make_shared<TestSink>();
        router.handleRequest(session, jsonrpc::request(id, u"tools/call"_s, QJsonObject{{u"name"_s, u"fake__ask"_s}}),
                             sink);
        return sink;
    };
    auto first = call(1);
    QTRY_COMPARE(first->finishes, 1);
    QCOMPARE(first->response.value(u"result"_s).toObject().value(u"resultType"_s).toString(), u"input_required"_s);
    QCOMPARE(router.parkedCount(), 1);
    auto second = call(2);
    QTRY_COMPARE(second->finishes, 1);
    QCOMPARE(jsonrpc::errorCode(second->response), rpcerr::LimitReached);
    QVERIFY(second->response.value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"maxParkedCalls"_s));
    QCOMPARE(router.parkedCount(), 1);
    // The upstream's request of the refused call got an error, and its call was cancelled.
    QTRY_VERIFY(!fake->samplingAnswers.isEmpty());
    QCOMPARE(jsonrpc::errorCode(fake->samplingAnswers.last()), rpcerr::LimitReached);
    QTRY_COMPARE(fake->cancelled.size(), 1);
    upstreams.stopAll();
}

void TestLimits::stdioWriteBuffer()
{
    // A real stdio server that answers initialize and then stops reading its input.
    const QString python = QStandardPaths::findExecutable(u"python3"_s);
    QVERIFY2(!python.isEmpty(), "python3 is needed");
    UpstreamConfig config;
    config.name = u"deaf"_s;
    config.command = python;
    config.args = {u"-c"_s, uR"(import sys, json, time
line = sys.stdin.readline()
req = json.loads(line)
sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": req["id"], "result": {"protocolVersion": "2025-11-25",
    "capabilities": {}, "serverInfo": {"name": "deaf", "version": "1"}}}) + "\n")
sys.stdout.flush()
sys.stdin.readline()  # notifications/initialized
print("deaf now", file=sys.stderr, flush=True)
time.sleep(600)
)"_s};
    std::unique_ptr<Upstream> u = createUpstream(config);
    u->setWriteBufferLimit(256 * 1024);
    u->start();
    QTRY_COMPARE_WITH_TIMEOUT(u->state(), UpstreamState::Ready, 20000);
    const QString big(100 * 1024, u'x');
    QList<QJsonObject> answers;
    // Each request is ~100 KiB; the pipe takes ~64 KiB, the rest waits in the process's buffer.
    for (int i = 0; i < 8; ++i)
        u->sendRequest(
            u"tools/call"_s, QJsonObject{{u"name"_s, u"t"_s}, {u"arguments"_s, QJsonObject{{u"s"_s, big}}}},
            [&answers](const QJsonObject &r) { answers.append(r); }, {}, 60'000);
    QTRY_VERIFY(!answers.isEmpty());
    QCOMPARE(jsonrpc::errorCode(answers[0]), rpcerr::UpstreamUnavailable);
    QVERIFY2(answers[0].value(u"error"_s).toObject().value(u"message"_s).toString().contains(u"maxStdioWriteBuffer"_s),
             QJsonDocument(answers[0]).toJson().constData());
    u->stop();
    u.reset();
    StdioUpstream::reapRetired(); // the stopped process is not left behind
}

void TestLimits::schemaCacheIsLru()
{
    SchemaValidator v;
    v.setCapacity(2);
    const QJsonObject ok{{u"a"_s, u"x"_s}, {u"b"_s, u"x"_s}, {u"c"_s, u"x"_s}};
    QVERIFY(!v.validate("A", schemaWith(u"a"_s), ok));
    QVERIFY(!v.validate("B", schemaWith(u"b"_s), ok));
    QCOMPARE(v.compilations(), quint64(2));
    QVERIFY(!v.validate("A", schemaWith(u"a"_s), ok)); // hit: A is now the most recently used
    QCOMPARE(v.compilations(), quint64(2));
    QVERIFY(!v.validate("C", schemaWith(u"c"_s), ok)); // full: B, the least recently used, goes
    QCOMPARE(v.compilations(), quint64(3));
    QCOMPARE(v.cachedCount(), 2);
    QVERIFY(!v.validate("A", schemaWith(u"a"_s), ok)); // still there
    QCOMPARE(v.compilations(), quint64(3));
    QVERIFY(v.validate("B", schemaWith(u"b"_s), QJsonObject{})); // compiled again, and still validates
    QCOMPARE(v.compilations(), quint64(4));
    QCOMPARE(v.cachedCount(), 2);
}

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"
