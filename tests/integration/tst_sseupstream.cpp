// SseUpstream (legacy HTTP+SSE, 2024-11-05) against the real server-everything in its "sse"
// transport, plus a node server that opens the stream but never names an endpoint.

#include "testsupport.h"
#include "upstream/sseupstream.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>
#include <optional>

using namespace metamcp;
using namespace metamcp::test;

namespace {

QString key(const char *literal)
{
    return QString::fromLatin1(literal);
}

const char kMuteSseServer[] = R"JS(
const http = require('http');
const server = http.createServer((req, res) => {
  res.writeHead(200, {'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache'});
  res.write(': connected, but no endpoint for you\n\n');
});
server.listen(0, '127.0.0.1', () => console.log('PORT=' + server.address().port));
)JS";

QJsonObject callTool(const QString &name, const QJsonObject &arguments = {}, const QJsonObject &meta = {})
{
    QJsonObject params{{key("name"), name}, {key("arguments"), arguments}};
    if (!meta.isEmpty())
        params.insert(key("_meta"), meta);
    return params;
}

int errorCode(const QJsonObject &response)
{
    return response.value(key("error")).toObject().value(key("code")).toInt();
}

QString errorMessage(const QJsonObject &response)
{
    return response.value(key("error")).toObject().value(key("message")).toString();
}

QJsonObject samplingResult(const QString &text)
{
    return QJsonObject{
        {key("role"), QStringLiteral("assistant")},
        {key("content"), QJsonObject{{key("type"), QStringLiteral("text")}, {key("text"), text}}},
        {key("model"), QStringLiteral("test-model")},
        {key("stopReason"), QStringLiteral("endTurn")},
    };
}

struct Responses
{
    std::shared_ptr<QList<std::pair<int, QJsonObject>>> got = std::make_shared<QList<std::pair<int, QJsonObject>>>();
    Upstream::ResponseHandler handler(int tag) const
    {
        return [list = got, tag](const QJsonObject &response) { list->append({tag, response}); };
    }
};

} // namespace

class TestSseUpstream : public QObject
{
    Q_OBJECT

private:
    UpstreamConfig config(const QString &name, const QString &url) const
    {
        UpstreamConfig c;
        c.name = name;
        c.kind = UpstreamKind::Sse;
        c.url = QUrl(url);
        c.startupTimeoutMs = 20'000;
        return c;
    }
    // Answers roots/list requests that reach serverRequestReceived.
    static void answerRoots(Upstream &upstream, QObject *context)
    {
        connect(&upstream, &Upstream::serverRequestReceived, context, [&upstream](const QJsonObject &request) {
            if (request.value(key("method")).toString() == QLatin1String("roots/list"))
                upstream.sendResponse({{key("id"), request.value(key("id"))},
                                       {key("result"), QJsonObject{{key("roots"), QJsonArray()}}}});
        });
    }

    ProcessFixture m_server;
    QString m_url;
    std::unique_ptr<SseUpstream> m_everything;

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void readyWithEndpoint();
    void toolsListAndEcho();
    void progressGoesToHooks();
    void samplingThroughHooks();
    void ambiguousServerRequestGoesToSignal();
    void cancelLongRunningCall();
    void timeout();
    void concurrencyLimitQueues();
    void streamLossFailsAndReconnects();
    void noEndpointEvent();
    void unreachableServerFails();
};

void TestSseUpstream::initTestCase()
{
    QVERIFY2(peersInstalled(), "npm peers missing: run npm ci in tests/npm");
    const QString base = startServerEverything(m_server, QStringLiteral("sse"));
    QVERIFY2(!base.isEmpty(), m_server.output().constData());
    m_url = base + QStringLiteral("/sse");
    m_everything = std::make_unique<SseUpstream>(config(QStringLiteral("everything"), m_url));
    answerRoots(*m_everything, this);
    QSignalSpy serverRequests(m_everything.get(), &Upstream::serverRequestReceived);
    m_everything->start();
    QCOMPARE(m_everything->state(), UpstreamState::Starting);
    QVERIFY(waitForUpstreamState(*m_everything, UpstreamState::Ready));
    // The server asks for roots/list after initialized (answered by answerRoots): let that round
    // trip pass before the tests, whose checks of server requests it would disturb.
    QTRY_VERIFY_WITH_TIMEOUT(!serverRequests.isEmpty(), 10'000);
    QCOMPARE(serverRequests.first().at(0).toJsonObject().value(key("method")).toString(), QStringLiteral("roots/list"));
}

void TestSseUpstream::cleanupTestCase()
{
    if (m_everything)
        m_everything->stop();
    m_everything.reset();
}

void TestSseUpstream::readyWithEndpoint()
{
    QCOMPARE(m_everything->serverInfo().value(key("name")).toString(), QStringLiteral("mcp-servers/everything"));
    QVERIFY(!m_everything->protocolVersion().isEmpty());
    QCOMPARE(m_everything->endpoint().path(), QStringLiteral("/message"));
    QVERIFY(m_everything->endpoint().query().startsWith(QStringLiteral("sessionId=")));
    QCOMPARE(m_everything->endpoint().port(), QUrl(m_url).port());
}

void TestSseUpstream::toolsListAndEcho()
{
    const QJsonObject list = requestAndWait(*m_everything, QStringLiteral("tools/list"));
    QStringList names;
    const QJsonArray tools = list.value(key("result")).toObject().value(key("tools")).toArray();
    for (const QJsonValue &tool : tools)
        names.append(tool.toObject().value(key("name")).toString());
    QVERIFY2(names.contains(QStringLiteral("echo")), qPrintable(names.join(u',')));
    const QJsonObject echo =
        requestAndWait(*m_everything, QStringLiteral("tools/call"),
                       callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("hello")}}));
    QCOMPARE(firstText(echo), QStringLiteral("Echo: hello"));

    // A caller that takes result text gets the event's result as the server wrote it.
    const TextAnswer text = requestAsText(*m_everything, QStringLiteral("tools/call"),
                                          callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("text")}}));
    QVERIFY2(text.text.has_value(), QJsonDocument(text.parsed).toJson().constData());
    QVERIFY(!text.toolError);
    QCOMPARE(QJsonDocument::fromJson(*text.text)
                 .object()
                 .value(key("content"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(key("text"))
                 .toString(),
             QStringLiteral("Echo: text"));
}

void TestSseUpstream::progressGoesToHooks()
{
    auto progress = std::make_shared<QList<QJsonObject>>();
    RequestHooks hooks;
    hooks.onNotification = [progress](const QJsonObject &n) { progress->append(n); };
    std::optional<QJsonObject> result;
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 1}, {key("steps"), 2}},
                 {{key("progressToken"), QStringLiteral("sse-p")}}),
        [&result](const QJsonObject &r) { result = r; }, hooks);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 15'000);
    QVERIFY(firstText(*result).contains(QStringLiteral("Long running operation completed")));
    QCOMPARE(progress->size(), 2);
    QCOMPARE(progress->at(1).value(key("params")).toObject().value(key("progressToken")).toString(),
             QStringLiteral("sse-p"));
}

void TestSseUpstream::samplingThroughHooks()
{
    QSignalSpy unrelated(m_everything.get(), &Upstream::serverRequestReceived);
    RequestHooks hooks;
    auto seen = std::make_shared<QString>();
    hooks.onServerRequest = [seen](const QJsonObject &request, std::function<void(const QJsonObject &)> reply) {
        *seen = request.value(key("method")).toString();
        reply({{key("result"), samplingResult(QStringLiteral("sse pong"))}});
    };
    std::optional<QJsonObject> result;
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-sampling-request"), {{key("prompt"), QStringLiteral("hi")}}),
        [&result](const QJsonObject &r) { result = r; }, hooks);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 15'000);
    QCOMPARE(*seen, QStringLiteral("sampling/createMessage"));
    QVERIFY2(firstText(*result).contains(QStringLiteral("sse pong")), QJsonDocument(*result).toJson().constData());
    QCOMPARE(unrelated.size(), 0);
}

void TestSseUpstream::ambiguousServerRequestGoesToSignal()
{
    QSignalSpy unrelated(m_everything.get(), &Upstream::serverRequestReceived);
    Responses responses;
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 1.5}, {key("steps"), 1}}),
        responses.handler(1));
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-sampling-request"), {{key("prompt"), QStringLiteral("x")}}),
        responses.handler(2));
    QTRY_VERIFY_WITH_TIMEOUT(!unrelated.isEmpty(), 10'000);
    const QJsonObject request = unrelated.first().at(0).toJsonObject();
    QCOMPARE(request.value(key("method")).toString(), QStringLiteral("sampling/createMessage"));
    m_everything->sendResponse(
        {{key("id"), request.value(key("id"))}, {key("result"), samplingResult(QStringLiteral("signal pong"))}});
    QTRY_COMPARE_WITH_TIMEOUT(responses.got->size(), 2, 15'000);
    for (const auto &[tag, response] : std::as_const(*responses.got))
        if (tag == 2)
            QVERIFY(firstText(response).contains(QStringLiteral("signal pong")));
}

void TestSseUpstream::cancelLongRunningCall()
{
    std::optional<QJsonObject> result;
    auto progressed = std::make_shared<int>(0);
    RequestHooks hooks;
    hooks.onNotification = [progressed](const QJsonObject &) { ++*progressed; };
    const quint64 handle = m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 20}, {key("steps"), 40}},
                 {{key("progressToken"), 5}}),
        [&result](const QJsonObject &r) { result = r; }, hooks);
    QTRY_VERIFY_WITH_TIMEOUT(*progressed > 0, 10'000);
    m_everything->cancelRequest(handle, QStringLiteral("enough"));
    QVERIFY(!result.has_value());
    QTRY_VERIFY(result.has_value());
    QCOMPARE(errorCode(*result), rpcerr::Cancelled);
    const QJsonObject echo =
        requestAndWait(*m_everything, QStringLiteral("tools/call"),
                       callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("alive")}}));
    QCOMPARE(firstText(echo), QStringLiteral("Echo: alive"));
}

void TestSseUpstream::timeout()
{
    const QJsonObject response = requestAndWait(
        *m_everything, QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 2}, {key("steps"), 1}}), 100);
    QCOMPARE(errorCode(response), rpcerr::Timeout);
    QCOMPARE(errorMessage(response), QStringLiteral("Upstream everything did not answer tools/call within 100 ms"));
    QCOMPARE(firstText(requestAndWait(*m_everything, QStringLiteral("tools/call"),
                                      callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("ok")}}))),
             QStringLiteral("Echo: ok"));
}

void TestSseUpstream::concurrencyLimitQueues()
{
    UpstreamConfig c = config(QStringLiteral("narrow"), m_url);
    c.maxConcurrency = 1;
    SseUpstream upstream(c);
    answerRoots(upstream, this);
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready));
    Responses responses;
    for (int i = 0; i < 3; ++i)
        upstream.sendRequest(
            QStringLiteral("tools/call"),
            callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 0.3}, {key("steps"), 1}}),
            responses.handler(i));
    QCOMPARE(upstream.inFlight(), 1);
    QCOMPARE(upstream.queued(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(responses.got->size(), 3, 10'000);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(responses.got->at(i).first, i);
    QCOMPARE(upstream.inFlight(), 0);
    upstream.stop();
}

void TestSseUpstream::streamLossFailsAndReconnects()
{
    ProcessFixture server;
    const QString base = startServerEverything(server, QStringLiteral("sse"));
    QVERIFY(!base.isEmpty());
    const quint16 port = static_cast<quint16>(QUrl(base).port());
    SseUpstream upstream(config(QStringLiteral("fragile"), base + QStringLiteral("/sse")));
    answerRoots(upstream, this);
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready));

    std::optional<QJsonObject> result;
    bool running = false; // the server works on the call: its first progress came
    RequestHooks hooks;
    hooks.onNotification = [&running](const QJsonObject &) { running = true; };
    upstream.sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 10}, {key("steps"), 40}},
                 {{key("progressToken"), 1}}),
        [&result](const QJsonObject &r) { result = r; }, hooks);
    QTRY_VERIFY_WITH_TIMEOUT(running, 10'000);
    server.kill();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Failing, 5000));
    QTRY_VERIFY(result.has_value());
    QCOMPARE(errorCode(*result), rpcerr::UpstreamUnavailable);
    QVERIFY2(!upstream.stateReason().isEmpty(), "a reason");

    // The fixture still holds the port it reserved: nobody took it in between.
    QVERIFY(!startServerEverything(server, QStringLiteral("sse"), port).isEmpty());
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 20'000));
    QCOMPARE(firstText(requestAndWait(upstream, QStringLiteral("tools/call"),
                                      callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("back")}}))),
             QStringLiteral("Echo: back"));
    upstream.stop();
}

void TestSseUpstream::noEndpointEvent()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("mute.js")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(kMuteSseServer);
    file.close();
    ProcessFixture mute;
    QVERIFY(mute.start(nodeProgram(), {file.fileName()}));
    QVERIFY(mute.waitForOutput("PORT="));
    const QString port =
        QRegularExpression(QStringLiteral("PORT=(\\d+)")).match(QString::fromUtf8(mute.output())).captured(1);

    UpstreamConfig c = config(QStringLiteral("mute"), QStringLiteral("http://127.0.0.1:%1/sse").arg(port));
    c.startupTimeoutMs = 500;
    SseUpstream upstream(c);
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Failing, 5000));
    QVERIFY2(upstream.stateReason().startsWith(QStringLiteral("no endpoint event from")),
             qPrintable(upstream.stateReason()));
    upstream.stop();
}

void TestSseUpstream::unreachableServerFails()
{
    const ReservedPort nowhere; // bound, never listening: connections are refused
    QVERIFY(nowhere.port() != 0);
    SseUpstream upstream(
        config(QStringLiteral("nowhere"), QStringLiteral("http://127.0.0.1:%1/sse").arg(nowhere.port())));
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Failing, 10'000));
    QVERIFY2(upstream.stateReason().startsWith(QStringLiteral("network error from")),
             qPrintable(upstream.stateReason()));
    upstream.stop();
    QCOMPARE(upstream.state(), UpstreamState::Stopped);
}

QTEST_GUILESS_MAIN(TestSseUpstream)
#include "tst_sseupstream.moc"
