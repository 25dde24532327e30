// Observers of the Router's completion point (core/observers.h): cumulative labelled metrics in
// the Prometheus text format (checked by promtool, served at GET /metrics), the structured call
// log (one JSON line per call), and the console's feed, which may drop events under load while
// every other observer still sees all of them.

#include "core/calllog.h"
#include "core/metrics.h"
#include "core/router.h"
#include "core/uifeed.h"
#include "core/upstreammanager.h"
#include "fakeupstream.h"
#include "gatewayfixture.h"
#include "mcp/clientsession.h"
#include "rawhttp.h"

#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

namespace {

CallEvent makeEvent(const QString &ns, const QString &upstream, const QString &method, int status, qint64 latencyUs)
{
    CallEvent e;
    e.time = QDateTime::currentDateTimeUtc();
    e.ns = ns;
    e.upstream = upstream;
    e.method = method;
    e.status = status;
    e.latencyUs = latencyUs;
    return e;
}

class Counter final : public CallObserver
{
public:
    int seen = 0;
    void onCallEvent(const CallEvent &) override { ++seen; }
};

class NullSink final : public CallSink
{
public:
    void message(const QJsonObject &) override {}
    qint64 finish(const QJsonObject &) override { return 0; }
};

} // namespace

class TestObservers final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void prometheusText();
    void callLogLinesAreJson();
    void feedDropsOthersDoNot();
    void metricsEndpoint();
};

void TestObservers::prometheusText()
{
    MetricsCollector m;
    m.setUpstreamStatusProvider([] {
        UpstreamStatus a;
        a.name = u"everything"_s;
        a.state = UpstreamState::Ready;
        UpstreamStatus b;
        b.name = u"down"_s;
        b.state = UpstreamState::Failing;
        return QList<UpstreamStatus>{a, b};
    });
    m.addGauge(u"active_sessions"_s, [] { return 3.0; });
    m.onCallEvent(makeEvent(u"default"_s, u"everything"_s, u"tools/call"_s, 0, 800));
    m.onCallEvent(makeEvent(u"default"_s, u"everything"_s, u"tools/call"_s, 0, 40'000));
    m.onCallEvent(makeEvent(u"default"_s, u"everything"_s, u"tools/call"_s, 1, 900));
    m.onCallEvent(makeEvent(u"default"_s, u"everything"_s, u"tools/call"_s, -32800, 900));
    m.onCallEvent(makeEvent(u"default"_s, u"everything"_s, u"tools/call"_s, -32602, 100));
    // A method a client made up is "other"; a label value with a quote and a line break is escaped.
    m.onCallEvent(makeEvent(u"te\"am\n"_s, QString(), u"evil/\"method\"\n{x=1}"_s, -32601, 50));
    m.onCallEvent(makeEvent(u"default"_s, QString(), u"notifications/x"_s, 0, -1)); // a notification: not a call

    const QByteArray text = m.prometheusText();
    QVERIFY2(text.contains("metamcp_calls_total{namespace=\"default\",upstream=\"everything\",method=\"tools/call\","
                           "outcome=\"ok\"} 2\n"),
             text.constData());
    QVERIFY(text.contains("outcome=\"tool_error\"} 1\n"));
    QVERIFY(text.contains("outcome=\"cancelled\"} 1\n"));
    QVERIFY(text.contains(
        "metamcp_calls_total{namespace=\"te\\\"am\\n\",upstream=\"\",method=\"other\",outcome=\"error\"} 1\n"));
    QVERIFY(!text.contains("evil"));
    QVERIFY(text.contains("metamcp_call_duration_seconds_bucket{namespace=\"default\",upstream=\"everything\","
                          "le=\"0.001\"} 4\n"));
    QVERIFY(text.contains("metamcp_call_duration_seconds_count{namespace=\"default\",upstream=\"everything\"} 5\n"));
    QVERIFY(text.contains("metamcp_upstream_up{upstream=\"everything\"} 1\n"));
    QVERIFY(text.contains("metamcp_upstream_up{upstream=\"down\"} 0\n"));
    QVERIFY(text.contains("metamcp_active_sessions 3\n"));
    QCOMPARE(m.totalRequests(), quint64(6));

    // Prometheus' own checker reads it (scripts/bootstrap.sh installs promtool).
    const QString promtool = QStandardPaths::findExecutable(u"promtool"_s);
    QVERIFY2(!promtool.isEmpty(), "promtool is not installed (Debian package prometheus)");
    QProcess check;
    check.start(promtool, {u"check"_s, u"metrics"_s});
    QVERIFY(check.waitForStarted());
    check.write(text);
    check.closeWriteChannel();
    QVERIFY(check.waitForFinished(30'000));
    const QByteArray report = check.readAllStandardOutput() + check.readAllStandardError();
    // Lint remarks (e.g. about counters' _total suffix) are fine; a parse error is not.
    QVERIFY2(!report.contains("error"), report.constData());
    QVERIFY2(check.exitCode() == 0 || !report.contains("parse"), report.constData());
}

void TestObservers::callLogLinesAreJson()
{
    CallLog log;
    CallEvent a = makeEvent(u"default"_s, u"srv"_s, u"tools/call"_s, 0, 1234);
    a.client = u"cli \"quoted\" \u00e9\u20ac\t\x01"_s;
    a.tool = u"srv__echo"_s;
    a.principal = u"default/apikey/key:3"_s;
    a.decisions = {u"admit/ratelimit: stop"_s, u"admit/ratelimit: resume"_s};
    log.onCallEvent(a);
    log.onCallEvent(makeEvent(u"default"_s, QString(), u"notifications/initialized"_s, 0, -1)); // not logged
    log.onCallEvent(makeEvent(u"team"_s, u"x"_s, u"tools/list"_s, -32602, 9));
    const QList<QByteArray> lines = log.take().split('\n');
    QCOMPARE(lines.size(), 3); // two lines and the empty rest
    QVERIFY(lines.last().isEmpty());
    QJsonParseError error;
    const QJsonObject first = QJsonDocument::fromJson(lines[0], &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(first.value(u"client"_s).toString(), a.client);
    QCOMPARE(first.value(u"principal"_s).toString(), a.principal);
    QCOMPARE(first.value(u"latency_us"_s).toInteger(), 1234);
    QCOMPARE(first.value(u"decisions"_s).toArray().size(), 2);
    const QJsonObject second = QJsonDocument::fromJson(lines[1], &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(second.value(u"status"_s).toInt(), -32602);
    QVERIFY(!second.contains(u"decisions"_s));
    QVERIFY(log.take().isEmpty());
}

void TestObservers::feedDropsOthersDoNot()
{
    UpstreamManager upstreams;
    upstreams.setFactory([](const UpstreamConfig &config, QObject *parent) {
        auto u = std::make_unique<FakeUpstream>(config, parent);
        u->tools = QJsonArray{QJsonObject{{u"name"_s, u"echo"_s}}};
        return u;
    });
    Router router(&upstreams);
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

    UiFeed feed(10);
    Counter lossless;
    MetricsCollector metrics;
    router.addObserver(&feed);
    router.addObserver(&lossless);
    router.addObserver(&metrics);
    ClientSession session(u"s"_s, kDefaultNamespace, ClientSession::Transport::StreamableHttp);
    session.initialized = true;
    router.addSession(&session);
    for (int i = 0; i < 50; ++i)
        router.handleRequest(&session, jsonrpc::request(i, u"tools/call"_s, QJsonObject{{u"name"_s, u"fake__echo"_s}}),
                             std::make_shared<NullSink>());
    QTRY_COMPARE(lossless.seen, 50);
    QCOMPARE(metrics.totalRequests(), quint64(50));
    const UiFeed::Batch batch = feed.take();
    QCOMPARE(batch.events.size(), 10);
    QCOMPARE(batch.dropped, quint64(40));
    QCOMPARE(feed.droppedTotal(), quint64(40));
    QCOMPARE(feed.take().events.size(), 0);
    router.removeSession(&session);
    upstreams.stopAll();
}

void TestObservers::metricsEndpoint()
{
    GatewayFixture fixture;
    QString error;
    QVERIFY2(fixture.start(&error), qPrintable(error));
    const QJsonObject answer = fixture.request(kDefaultNamespace, u"tools/list"_s);
    QVERIFY(answer.contains(u"result"_s));
    QByteArray body;
    // The console's request completes on the gateway thread; /metrics shows it.
    QTRY_VERIFY_WITH_TIMEOUT((body = rawRequest(fixture.port(), "GET", "/metrics").body)
                                 .contains("method=\"tools/list\",outcome=\"ok\"} 1\n"),
                             10000);
    QVERIFY(body.contains("# TYPE metamcp_calls_total counter"));
    const RawResponse post = rawRequest(fixture.port(), "POST", "/metrics");
    QCOMPARE(post.status, 405);
    const RawResponse get = rawRequest(fixture.port(), "GET", "/metrics");
    QCOMPARE(get.status, 200);
    QVERIFY(get.header("content-type").startsWith("text/plain; version=0.0.4"));
}

QTEST_GUILESS_MAIN(TestObservers)
#include "tst_observers.moc"
