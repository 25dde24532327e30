// HttpUpstream (Streamable HTTP client) against the real server-everything (SSE-streamed
// answers, GET stream, sessions) and a tiny node server answering plain JSON (405 on GET,
// 404 for a forgotten session, 500 errors, header checks).

#include "testsupport.h"
#include "upstream/httpupstream.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <memory>
#include <optional>

using namespace metamcp;
using namespace metamcp::test;

namespace {

QString key(const char *literal)
{
    return QString::fromLatin1(literal);
}

// Answers every POST with application/json; GET 405; sessions "sess-N"; 404 for unknown ones.
const char kJsonServer[] = R"JS(
const http = require('http');
const sessions = new Set();
let counter = 0;
let resumable = null;
function reply(res, id, text) {
  res.writeHead(200, {'Content-Type': 'application/json; charset=utf-8'});
  res.end(JSON.stringify({jsonrpc: '2.0', id, result: {content: [{type: 'text', text}]}}));
}
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => body += c);
  req.on('end', () => {
    if (req.method === 'GET' && req.headers['last-event-id'] === 'r-2' && resumable !== null) {
      console.log('RESUME r-2');
      res.writeHead(200, {'Content-Type': 'text/event-stream'});
      res.end('id: r-3\ndata: ' + JSON.stringify({jsonrpc: '2.0', id: resumable, result: {content: [{type: 'text', text: 'resumed'}]}}) + '\n\n');
      resumable = null;
      return;
    }
    if (req.method === 'GET') { res.writeHead(405, {Allow: 'POST, DELETE'}); res.end(); return; }
    if (req.method === 'DELETE') {
      console.log('DELETE ' + req.headers['mcp-session-id']);
      sessions.delete(req.headers['mcp-session-id']);
      res.writeHead(200); res.end(); return;
    }
    const msg = JSON.parse(body);
    if (msg.method === 'initialize') {
      const sid = 'sess-' + (++counter);
      sessions.add(sid);
      console.log('INIT ' + sid + ' version-header=' + (req.headers['mcp-protocol-version'] || 'none'));
      res.writeHead(200, {'Content-Type': 'application/json', 'Mcp-Session-Id': sid});
      res.end(JSON.stringify({jsonrpc: '2.0', id: msg.id, result: {protocolVersion: '2025-03-26',
        capabilities: {tools: {}}, serverInfo: {name: 'json-fake', version: '0.1'}}}));
      return;
    }
    if (!sessions.has(req.headers['mcp-session-id'])) {
      res.writeHead(404, {'Content-Type': 'application/json'});
      res.end('{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}');
      return;
    }
    if (msg.id === undefined || msg.method === undefined) { res.writeHead(202); res.end(); return; }
    const name = msg.params && msg.params.name;
    if (name === 'headers') {
      reply(res, msg.id, JSON.stringify({custom: req.headers['x-custom'] || '', version: req.headers['mcp-protocol-version'] || '',
        session: req.headers['mcp-session-id'] || '', accept: req.headers['accept'] || '', type: req.headers['content-type'] || ''}));
    } else if (name === 'forget') {
      sessions.clear();
      reply(res, msg.id, 'forgotten');
    } else if (name === 'fail') {
      res.writeHead(500, {'Content-Type': 'text/plain'});
      res.end('kaboom: database unreachable');
    } else if (name === 'resume') {
      // 2025-11-25 polling: a priming event, one notification, then the stream closes early.
      resumable = msg.id;
      res.writeHead(200, {'Content-Type': 'text/event-stream'});
      res.write('id: r-1\nretry: 50\ndata: \n\n');
      res.end('id: r-2\ndata: ' + JSON.stringify({jsonrpc: '2.0', method: 'notifications/progress',
        params: {progressToken: msg.params._meta.progressToken, progress: 1}}) + '\n\n');
    } else if (name === 'empty') {
      res.writeHead(202); res.end();
    } else {
      reply(res, msg.id, 'hello ' + name);
    }
  });
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

class TestHttpUpstream : public QObject
{
    Q_OBJECT

private:
    UpstreamConfig config(const QString &name, const QString &url) const
    {
        UpstreamConfig c;
        c.name = name;
        c.kind = UpstreamKind::StreamableHttp;
        c.url = QUrl(url);
        c.startupTimeoutMs = 20'000;
        return c;
    }

    ProcessFixture m_everythingServer;
    QString m_everythingUrl;
    std::unique_ptr<HttpUpstream> m_everything;
    QSignalSpy *m_rootsSpy = nullptr;

    QTemporaryDir m_scripts;
    ProcessFixture m_jsonServer;
    QString m_jsonUrl;

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void readyWithSession();
    void getStreamCarriesUnrelatedRequests();
    void toolsListAndEcho();
    void progressGoesToHooks();
    void samplingThroughHooks();
    void cancelLongRunningCall();
    void timeout();
    void concurrencyLimitQueues();
    void serverRestartOnSamePort();

    void jsonAnswersAndHeaders();
    void notFoundSessionReinitializes();
    void httpErrorIsReadable();
    void earlyClosedStreamIsResumed();
    void stopDeletesSession();
    void unreachableServerFails();
    void wrongPathFails();
};

void TestHttpUpstream::initTestCase()
{
    QVERIFY2(peersInstalled(), "npm peers missing: run npm ci in tests/npm");
    const QString base = startServerEverything(m_everythingServer, QStringLiteral("streamableHttp"));
    QVERIFY2(!base.isEmpty(), m_everythingServer.output().constData());
    m_everythingUrl = base + QStringLiteral("/mcp");

    m_everything = std::make_unique<HttpUpstream>(config(QStringLiteral("everything"), m_everythingUrl));
    m_rootsSpy = new QSignalSpy(m_everything.get(), &Upstream::serverRequestReceived);
    connect(m_everything.get(), &Upstream::serverRequestReceived, this, [this](const QJsonObject &request) {
        if (request.value(key("method")).toString() == QLatin1String("roots/list"))
            m_everything->sendResponse(
                {{key("id"), request.value(key("id"))}, {key("result"), QJsonObject{{key("roots"), QJsonArray()}}}});
    });
    m_everything->start();
    QCOMPARE(m_everything->state(), UpstreamState::Starting);
    QVERIFY(waitForUpstreamState(*m_everything, UpstreamState::Ready, 20'000));

    QVERIFY(m_scripts.isValid());
    const QString script = m_scripts.filePath(QStringLiteral("jsonserver.js"));
    QFile file(script);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(kJsonServer);
    file.close();
    QVERIFY(m_jsonServer.start(nodeProgram(), {script}));
    QVERIFY(m_jsonServer.waitForOutput("PORT="));
    const QRegularExpressionMatch match =
        QRegularExpression(QStringLiteral("PORT=(\\d+)")).match(QString::fromUtf8(m_jsonServer.output()));
    QVERIFY(match.hasMatch());
    m_jsonUrl = QStringLiteral("http://127.0.0.1:%1/mcp").arg(match.captured(1));
}

void TestHttpUpstream::cleanupTestCase()
{
    if (m_everything)
        m_everything->stop();
    delete m_rootsSpy;
    m_everything.reset();
}

void TestHttpUpstream::readyWithSession()
{
    QCOMPARE(m_everything->serverInfo().value(key("name")).toString(), QStringLiteral("mcp-servers/everything"));
    QCOMPARE(m_everything->protocolVersion(), QStringLiteral("2025-11-25"));
    QVERIFY(!m_everything->sessionId().isEmpty());
    QVERIFY(m_everything->serverCapabilities().value(key("tools")).toObject().value(key("listChanged")).toBool());
}

void TestHttpUpstream::getStreamCarriesUnrelatedRequests()
{
    // server-everything asks for roots 350 ms after notifications/initialized, on the GET stream.
    QTRY_VERIFY_WITH_TIMEOUT(!m_rootsSpy->isEmpty(), 10'000);
    QCOMPARE(m_rootsSpy->first().at(0).toJsonObject().value(key("method")).toString(), QStringLiteral("roots/list"));
}

void TestHttpUpstream::toolsListAndEcho()
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

    // A caller that takes result text gets the SSE event's result as the server wrote it.
    const TextAnswer text = requestAsText(*m_everything, QStringLiteral("tools/call"),
                                          callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("text")}}));
    QVERIFY2(text.text.has_value(), QJsonDocument(text.parsed).toJson().constData());
    QVERIFY(!text.toolError);
    const QJsonObject result = QJsonDocument::fromJson(*text.text).object();
    QCOMPARE(result.value(key("content")).toArray().at(0).toObject().value(key("text")).toString(),
             QStringLiteral("Echo: text"));
}

void TestHttpUpstream::progressGoesToHooks()
{
    auto progress = std::make_shared<QList<QJsonObject>>();
    RequestHooks hooks;
    hooks.onNotification = [progress](const QJsonObject &n) { progress->append(n); };
    std::optional<QJsonObject> result;
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 1}, {key("steps"), 4}},
                 {{key("progressToken"), 7}}),
        [&result](const QJsonObject &r) { result = r; }, hooks);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 15'000);
    QVERIFY(firstText(*result).contains(QStringLiteral("Long running operation completed")));
    QCOMPARE(progress->size(), 4);
    QCOMPARE(progress->last().value(key("params")).toObject().value(key("progress")).toInt(), 4);
    QCOMPARE(progress->last().value(key("params")).toObject().value(key("progressToken")).toInt(), 7);
}

void TestHttpUpstream::samplingThroughHooks()
{
    const qsizetype unrelatedBefore = m_rootsSpy->size();
    auto seen = std::make_shared<QJsonObject>();
    RequestHooks hooks;
    hooks.onServerRequest = [seen](const QJsonObject &request, std::function<void(const QJsonObject &)> reply) {
        *seen = request;
        // Answer later, from the event loop, like a real client round trip.
        QTimer::singleShot(50, qApp, [reply] {
            reply({{key("result"), samplingResult(QStringLiteral("http pong"))}});
        });
    };
    // A second call in flight at the same time: on Streamable HTTP the POST stream says which
    // call the sampling request belongs to, so this is not ambiguous.
    Responses responses;
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 0.5}, {key("steps"), 1}}),
        responses.handler(1));
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-sampling-request"), {{key("prompt"), QStringLiteral("ping")}}),
        responses.handler(2), hooks);
    QTRY_COMPARE_WITH_TIMEOUT(responses.got->size(), 2, 15'000);
    QCOMPARE(seen->value(key("method")).toString(), QStringLiteral("sampling/createMessage"));
    for (const auto &[tag, response] : std::as_const(*responses.got))
        if (tag == 2)
            QVERIFY2(firstText(response).contains(QStringLiteral("http pong")),
                     QJsonDocument(response).toJson().constData());
    QCOMPARE(m_rootsSpy->size(), unrelatedBefore);
}

void TestHttpUpstream::cancelLongRunningCall()
{
    std::optional<QJsonObject> result;
    auto progressed = std::make_shared<int>(0);
    RequestHooks hooks;
    hooks.onNotification = [progressed](const QJsonObject &) { ++*progressed; };
    const quint64 handle = m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 20}, {key("steps"), 40}},
                 {{key("progressToken"), QStringLiteral("c1")}}),
        [&result](const QJsonObject &r) { result = r; }, hooks);
    QTRY_VERIFY_WITH_TIMEOUT(*progressed > 0, 10'000);
    m_everything->cancelRequest(handle, QStringLiteral("enough"));
    QVERIFY(!result.has_value());
    QTRY_VERIFY(result.has_value());
    QCOMPARE(errorCode(*result), rpcerr::Cancelled);
    QCOMPARE(m_everything->inFlight(), 0);
    const QJsonObject echo =
        requestAndWait(*m_everything, QStringLiteral("tools/call"),
                       callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("alive")}}));
    QCOMPARE(firstText(echo), QStringLiteral("Echo: alive"));
}

void TestHttpUpstream::timeout()
{
    const QJsonObject response = requestAndWait(
        *m_everything, QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 2}, {key("steps"), 1}}), 100);
    QCOMPARE(errorCode(response), rpcerr::Timeout);
    QCOMPARE(errorMessage(response), QStringLiteral("Upstream everything did not answer tools/call within 100 ms"));
    const QJsonObject echo = requestAndWait(*m_everything, QStringLiteral("tools/call"),
                                            callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("ok")}}));
    QCOMPARE(firstText(echo), QStringLiteral("Echo: ok"));
}

void TestHttpUpstream::concurrencyLimitQueues()
{
    UpstreamConfig c = config(QStringLiteral("narrow"), m_everythingUrl);
    c.maxConcurrency = 1;
    HttpUpstream upstream(c);
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
    QCOMPARE(upstream.queued(), 0);

    // Many parallel long calls (more than one manager's connections) still all complete.
    HttpUpstream wide(config(QStringLiteral("wide"), m_everythingUrl));
    wide.start();
    QVERIFY(waitForUpstreamState(wide, UpstreamState::Ready));
    Responses many;
    for (int i = 0; i < 14; ++i)
        wide.sendRequest(
            QStringLiteral("tools/call"),
            callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 1}, {key("steps"), 1}}),
            many.handler(i));
    QCOMPARE(wide.inFlight(), 14);
    QElapsedTimer clock;
    clock.start();
    QTRY_COMPARE_WITH_TIMEOUT(many.got->size(), 14, 10'000);
    QVERIFY2(clock.elapsed() < 2500, qPrintable(QString::number(clock.elapsed())));
    for (const auto &[tag, response] : std::as_const(*many.got))
        QVERIFY(firstText(response).contains(QStringLiteral("completed")));
    upstream.stop();
    wide.stop();
}

void TestHttpUpstream::serverRestartOnSamePort()
{
    ProcessFixture server;
    const QString base = startServerEverything(server, QStringLiteral("streamableHttp"));
    QVERIFY(!base.isEmpty());
    const quint16 port = static_cast<quint16>(QUrl(base).port());
    HttpUpstream upstream(config(QStringLiteral("phoenix"), base + QStringLiteral("/mcp")));
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready));
    const QString firstSession = upstream.sessionId();
    QCOMPARE(firstText(requestAndWait(upstream, QStringLiteral("tools/call"),
                                      callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("one")}}))),
             QStringLiteral("Echo: one"));

    server.stop();
    // The fixture still holds the port it reserved: nobody took it in between.
    QVERIFY(!startServerEverything(server, QStringLiteral("streamableHttp"), port).isEmpty());
    // The old session is unknown to the new process (server-everything answers 400, not 404).
    const QJsonObject echo =
        requestAndWait(upstream, QStringLiteral("tools/call"),
                       callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("two")}}));
    QVERIFY2(firstText(echo) == QStringLiteral("Echo: two"), QJsonDocument(echo).toJson().constData());
    QCOMPARE(upstream.state(), UpstreamState::Ready);
    QVERIFY(!upstream.sessionId().isEmpty());
    QVERIFY(upstream.sessionId() != firstSession);
    const QStringList log = upstream.recentLog();
    QVERIFY(std::any_of(log.cbegin(), log.cend(),
                        [](const QString &line) { return line.startsWith(QStringLiteral("[gateway] session lost")); }));
    upstream.stop();
}

void TestHttpUpstream::jsonAnswersAndHeaders()
{
    UpstreamConfig c = config(QStringLiteral("json"), m_jsonUrl);
    c.headers.insert(QStringLiteral("X-Custom"), QStringLiteral("abc 123"));
    HttpUpstream upstream(c);
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready));
    QCOMPARE(upstream.protocolVersion(), QStringLiteral("2025-03-26"));
    QVERIFY(upstream.sessionId().startsWith(QStringLiteral("sess-")));
    QVERIFY(m_jsonServer.waitForOutput("INIT " + upstream.sessionId().toUtf8() + " version-header=none"));

    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"), callTool(QStringLiteral("headers")));
    const QJsonObject seen = QJsonDocument::fromJson(firstText(response).toUtf8()).object();
    QCOMPARE(seen.value(key("custom")).toString(), QStringLiteral("abc 123"));
    QCOMPARE(seen.value(key("version")).toString(), QStringLiteral("2025-03-26"));
    QCOMPARE(seen.value(key("session")).toString(), upstream.sessionId());
    QVERIFY(seen.value(key("accept")).toString().contains(QStringLiteral("application/json")));
    QVERIFY(seen.value(key("accept")).toString().contains(QStringLiteral("text/event-stream")));
    QCOMPARE(seen.value(key("type")).toString(), QStringLiteral("application/json"));
    QTRY_VERIFY(upstream.recentLog().contains(QStringLiteral("[gateway] the server offers no GET stream (HTTP 405)")));

    // The same from an application/json body, for a caller that takes result text.
    const TextAnswer text = requestAsText(upstream, QStringLiteral("tools/call"), callTool(QStringLiteral("headers")));
    QVERIFY2(text.text.has_value(), QJsonDocument(text.parsed).toJson().constData());
    QVERIFY(text.text->startsWith("{") && text.text->endsWith("}"));
    QVERIFY(text.text->contains("abc 123"));

    const QJsonObject empty = requestAndWait(upstream, QStringLiteral("tools/call"), callTool(QStringLiteral("empty")));
    QCOMPARE(errorCode(empty), rpcerr::InternalError);
    upstream.stop();
}

void TestHttpUpstream::notFoundSessionReinitializes()
{
    HttpUpstream upstream(config(QStringLiteral("forgetful"), m_jsonUrl));
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready));
    const QString first = upstream.sessionId();
    QSignalSpy states(&upstream, &Upstream::stateChanged);
    QCOMPARE(firstText(requestAndWait(upstream, QStringLiteral("tools/call"), callTool(QStringLiteral("forget")))),
             QStringLiteral("forgotten"));
    // Three calls at once all hit the 404; one re-initialize serves them all.
    Responses responses;
    for (int i = 0; i < 3; ++i)
        upstream.sendRequest(QStringLiteral("tools/call"), callTool(QStringLiteral("n%1").arg(i)),
                             responses.handler(i));
    QTRY_COMPARE_WITH_TIMEOUT(responses.got->size(), 3, 10'000);
    for (const auto &[tag, response] : std::as_const(*responses.got))
        QCOMPARE(firstText(response), QStringLiteral("hello n%1").arg(tag));
    QVERIFY(upstream.sessionId() != first);
    QCOMPARE(states.size(), 0); // transparent
    upstream.stop();
}

void TestHttpUpstream::httpErrorIsReadable()
{
    HttpUpstream upstream(config(QStringLiteral("broken"), m_jsonUrl));
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready));
    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"), callTool(QStringLiteral("fail")));
    QCOMPARE(errorCode(response), rpcerr::UpstreamUnavailable);
    // It names the upstream, the cause and the request.
    QCOMPARE(
        errorMessage(response),
        QStringLiteral("Upstream broken: HTTP 500 from %1: kaboom: database unreachable (tools/call)").arg(m_jsonUrl));
    QCOMPARE(response.value(key("error")).toObject().value(key("data")).toObject().value(key("httpStatus")).toInt(),
             500);
    upstream.stop();
}

void TestHttpUpstream::earlyClosedStreamIsResumed()
{
    HttpUpstream upstream(config(QStringLiteral("poller"), m_jsonUrl));
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready));
    auto progress = std::make_shared<QList<QJsonObject>>();
    RequestHooks hooks;
    hooks.onNotification = [progress](const QJsonObject &n) { progress->append(n); };
    std::optional<QJsonObject> result;
    upstream.sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("resume"), {}, {{key("progressToken"), QStringLiteral("rp")}}),
        [&result](const QJsonObject &r) { result = r; }, hooks);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 5000);
    QCOMPARE(firstText(*result), QStringLiteral("resumed"));
    QCOMPARE(progress->size(), 1);
    QVERIFY(m_jsonServer.waitForOutput("RESUME r-2"));
    upstream.stop();
}

void TestHttpUpstream::stopDeletesSession()
{
    auto upstream = std::make_unique<HttpUpstream>(config(QStringLiteral("leaver"), m_jsonUrl));
    upstream->start();
    QVERIFY(waitForUpstreamState(*upstream, UpstreamState::Ready));
    const QByteArray session = upstream->sessionId().toUtf8();
    std::optional<QJsonObject> pending;
    upstream->stop();
    QCOMPARE(upstream->state(), UpstreamState::Stopped);
    upstream->sendRequest(QStringLiteral("tools/list"), {}, [&pending](const QJsonObject &r) { pending = r; });
    QTRY_VERIFY(pending.has_value());
    QCOMPARE(errorCode(*pending), rpcerr::UpstreamUnavailable);
    upstream.reset(); // the DELETE survives the upstream
    QVERIFY(m_jsonServer.waitForOutput("DELETE " + session));
}

void TestHttpUpstream::unreachableServerFails()
{
    const ReservedPort nowhere; // bound, never listening: connections are refused
    const quint16 port = nowhere.port();
    QVERIFY(port != 0);
    UpstreamConfig c = config(QStringLiteral("nowhere"), QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    HttpUpstream upstream(c);
    QSignalSpy states(&upstream, &Upstream::stateChanged);
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Failing, 10'000));
    QVERIFY2(
        upstream.stateReason().startsWith(QStringLiteral("network error from http://127.0.0.1:%1/mcp: ").arg(port)),
        qPrintable(upstream.stateReason()));
    // ... and it keeps trying: Starting again after about a second.
    QTRY_VERIFY_WITH_TIMEOUT(states.size() >= 3, 5000);
    QCOMPARE(states.at(2).at(0).value<UpstreamState>(), UpstreamState::Starting);
    upstream.stop();
    QCOMPARE(upstream.state(), UpstreamState::Stopped);
}

void TestHttpUpstream::wrongPathFails()
{
    const QUrl url = QUrl(m_everythingUrl).resolved(QUrl(QStringLiteral("/nope")));
    HttpUpstream upstream(config(QStringLiteral("typo"), url.toString()));
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Failing));
    QVERIFY2(upstream.stateReason().startsWith(QStringLiteral("HTTP 404 from %1: ").arg(url.toString())),
             qPrintable(upstream.stateReason()));
    upstream.stop();
}

QTEST_GUILESS_MAIN(TestHttpUpstream)
#include "tst_httpupstream.moc"
