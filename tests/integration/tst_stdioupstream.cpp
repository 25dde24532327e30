// StdioUpstream against real child processes: the pinned server-everything and
// server-filesystem, plus tiny node scripts for framing, crashes and silence.

#include "testsupport.h"
#include "upstream/stdioupstream.h"
#include "upstream/upstreamfactory.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>
#include <optional>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/types.h>
#endif

using namespace metamcp;
using namespace metamcp::test;

namespace {

QString key(const char *literal)
{
    return QString::fromLatin1(literal);
}

// A minimal stdio MCP server: a banner line that is not JSON, an initialize answer written in
// two pieces, and a few tools to exercise framing, environment, stderr and exits.
const char kFakeServer[] = R"JS(
const readline = require('readline');
process.stdout.write('this banner is not JSON\n');
function send(o) { process.stdout.write(JSON.stringify(o) + '\n'); }
function text(id, t) { send({jsonrpc: '2.0', id, result: {content: [{type: 'text', text: t}]}}); }
readline.createInterface({input: process.stdin}).on('line', (line) => {
  let msg;
  try { msg = JSON.parse(line); } catch (e) { return; }
  if (msg.method === 'initialize') {
    const answer = JSON.stringify({jsonrpc: '2.0', id: msg.id, result: {
      protocolVersion: process.env.FAKE_VERSION || '2025-06-18',
      capabilities: {tools: {}}, serverInfo: {name: 'fake', version: '1.2.3'}, instructions: 'be nice'}}) + '\n';
    process.stdout.write(answer.slice(0, 17));
    setTimeout(() => process.stdout.write(answer.slice(17)), 50);
  } else if (msg.method === 'tools/call') {
    const name = msg.params.name;
    if (name === 'big') text(msg.id, 'x'.repeat(5 * 1024 * 1024));
    else if (name === 'env') text(msg.id, JSON.stringify({foo: process.env.METAMCP_TEST_FOO || '', cwd: process.cwd(), hasPath: !!process.env.PATH}));
    else if (name === 'batch') process.stdout.write(JSON.stringify([{jsonrpc: '2.0', method: 'notifications/message', params: {level: 'info', data: 'batched'}}, {jsonrpc: '2.0', id: msg.id, result: {content: [{type: 'text', text: 'from a batch'}]}}]) + '\r\n');
    else if (name === 'exit') { process.stderr.write('fatal: going down\n'); process.exit(3); }
    else text(msg.id, 'unknown tool');
  }
});
)JS";

QString writeScript(const QTemporaryDir &dir, const QString &fileName, const QByteArray &source)
{
    const QString path = dir.filePath(fileName);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(source);
    return path;
}

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

// Collects responses of asynchronous requests.
struct Responses
{
    std::shared_ptr<QList<std::pair<int, QJsonObject>>> got = std::make_shared<QList<std::pair<int, QJsonObject>>>();
    Upstream::ResponseHandler handler(int tag) const
    {
        return [list = got, tag](const QJsonObject &response) { list->append({tag, response}); };
    }
};

} // namespace

class TestStdioUpstream : public QObject
{
    Q_OBJECT

private:
    static UpstreamConfig everything(const QString &name = QStringLiteral("everything"))
    {
        UpstreamConfig config;
        config.name = name;
        config.kind = UpstreamKind::Stdio;
        config.command = nodeProgram();
        config.args = serverEverythingStdioArgs();
        config.startupTimeoutMs = 30'000;
        return config;
    }
    UpstreamConfig fake(const QString &name = QStringLiteral("fake"))
    {
        UpstreamConfig config;
        config.name = name;
        config.kind = UpstreamKind::Stdio;
        config.command = nodeProgram();
        config.args = {m_fakeScript};
        config.startupTimeoutMs = 10'000;
        return config;
    }

    QTemporaryDir m_scripts;
    QString m_fakeScript;
    std::unique_ptr<StdioUpstream> m_everything; // shared by the tests that do not break it

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void readyWithServerInfo();
    void stderrInRecentLog();
    void toolsListAndEcho();
    void progressGoesToHooks();
    void samplingThroughHooks();
    void ambiguousServerRequestGoesToSignal();
    void cancelLongRunningCall();
    void timeout();
    void concurrencyLimitQueues();
    void requestWhileStoppedFails();
    void killedProcessRespawns();

    void framingEnvAndCwd();
    void hugeLine();
    void exitReasonAndRespawn();
    void unsupportedProtocolVersion();
    void commandNotFound();
    void neverAnswers();
    void stopIsFinal();
    void filesystemServer();
};

void TestStdioUpstream::initTestCase()
{
    QVERIFY2(peersInstalled(), "npm peers missing: run npm ci in tests/npm");
    QVERIFY(m_scripts.isValid());
    m_fakeScript = writeScript(m_scripts, QStringLiteral("fake.js"), kFakeServer);
    QVERIFY(!m_fakeScript.isEmpty());

    m_everything = std::make_unique<StdioUpstream>(everything());
    QSignalSpy states(m_everything.get(), &Upstream::stateChanged);
    m_everything->start();
    QCOMPARE(m_everything->state(), UpstreamState::Starting);
    QVERIFY(waitForUpstreamState(*m_everything, UpstreamState::Ready, 30'000));
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).at(0).value<UpstreamState>(), UpstreamState::Starting);
    QCOMPARE(states.at(1).at(0).value<UpstreamState>(), UpstreamState::Ready);
    // server-everything asks for roots shortly after initialized; answer it like a gateway would.
    connect(m_everything.get(), &Upstream::serverRequestReceived, this, [this](const QJsonObject &request) {
        if (request.value(key("method")).toString() == QLatin1String("roots/list"))
            m_everything->sendResponse(
                {{key("id"), request.value(key("id"))}, {key("result"), QJsonObject{{key("roots"), QJsonArray()}}}});
    });
}

void TestStdioUpstream::cleanupTestCase()
{
    if (m_everything) {
        m_everything->stop();
        QCOMPARE(m_everything->state(), UpstreamState::Stopped);
        m_everything.reset();
    }
    // Processes of destroyed upstreams shut down on their own (retired); as the gateway does when
    // it stops, end them now and let them delete themselves, so no child outlives the test and
    // LeakSanitizer sees no QProcess left behind.
    StdioUpstream::reapRetired();
    QVERIFY(processPostedEvents()); // what their finished() queued
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

void TestStdioUpstream::readyWithServerInfo()
{
    QCOMPARE(m_everything->state(), UpstreamState::Ready);
    QCOMPARE(m_everything->serverInfo().value(key("name")).toString(), QStringLiteral("mcp-servers/everything"));
    QVERIFY(m_everything->serverCapabilities().contains(key("tools")));
    QCOMPARE(m_everything->protocolVersion(), QStringLiteral("2025-11-25"));
    QVERIFY(!m_everything->instructions().isEmpty());
    QVERIFY(m_everything->processId() > 0);
    QCOMPARE(upstreamStateName(m_everything->state()), QStringLiteral("ready"));
}

void TestStdioUpstream::stderrInRecentLog()
{
    QTRY_VERIFY(m_everything->recentLog().contains(QStringLiteral("Starting default (STDIO) server...")));
}

void TestStdioUpstream::toolsListAndEcho()
{
    const QJsonObject list = requestAndWait(*m_everything, QStringLiteral("tools/list"));
    QStringList names;
    const QJsonArray tools = list.value(key("result")).toObject().value(key("tools")).toArray();
    for (const QJsonValue &tool : tools)
        names.append(tool.toObject().value(key("name")).toString());
    QVERIFY2(names.contains(QStringLiteral("echo")), qPrintable(names.join(u',')));
    QVERIFY(names.contains(QStringLiteral("trigger-sampling-request"))); // we announced sampling

    const QJsonObject echo =
        requestAndWait(*m_everything, QStringLiteral("tools/call"),
                       callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("hello")}}));
    QCOMPARE(firstText(echo), QStringLiteral("Echo: hello"));
    QCOMPARE(echo.value(key("jsonrpc")).toString(), QStringLiteral("2.0"));
}

void TestStdioUpstream::progressGoesToHooks()
{
    auto progress = std::make_shared<QList<QJsonObject>>();
    QSignalSpy unrelated(m_everything.get(), &Upstream::notificationReceived);
    std::optional<QJsonObject> result;
    RequestHooks hooks;
    hooks.onNotification = [progress](const QJsonObject &n) { progress->append(n); };
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 1}, {key("steps"), 3}},
                 {{key("progressToken"), QStringLiteral("tok-1")}}),
        [&result](const QJsonObject &r) { result = r; }, hooks);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 15'000);
    QVERIFY2(firstText(*result).contains(QStringLiteral("Long running operation completed")),
             QJsonDocument(*result).toJson().constData());
    QCOMPARE(progress->size(), 3);
    for (int i = 0; i < 3; ++i) {
        const QJsonObject params = progress->at(i).value(key("params")).toObject();
        QCOMPARE(progress->at(i).value(key("method")).toString(), QStringLiteral("notifications/progress"));
        QCOMPARE(params.value(key("progressToken")).toString(), QStringLiteral("tok-1"));
        QCOMPARE(params.value(key("progress")).toInt(), i + 1);
    }
    for (const QList<QVariant> &args : std::as_const(unrelated))
        QVERIFY(args.at(0).toJsonObject().value(key("method")).toString() != QLatin1String("notifications/progress"));
}

void TestStdioUpstream::samplingThroughHooks()
{
    QSignalSpy unrelated(m_everything.get(), &Upstream::serverRequestReceived);
    auto seen = std::make_shared<QJsonObject>();
    RequestHooks hooks;
    hooks.onServerRequest = [seen](const QJsonObject &request, std::function<void(const QJsonObject &)> reply) {
        *seen = request;
        QJsonObject result{{key("role"), QStringLiteral("assistant")},
                           {key("content"), QJsonObject{{key("type"), QStringLiteral("text")},
                                                        {key("text"), QStringLiteral("pong from the test")}}},
                           {key("model"), QStringLiteral("test-model")},
                           {key("stopReason"), QStringLiteral("endTurn")}};
        reply({{key("id"), QStringLiteral("ignored")}, {key("result"), result}});
    };
    std::optional<QJsonObject> result;
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-sampling-request"), {{key("prompt"), QStringLiteral("ping")}}),
        [&result](const QJsonObject &r) { result = r; }, hooks);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 15'000);
    QCOMPARE(seen->value(key("method")).toString(), QStringLiteral("sampling/createMessage"));
    QVERIFY2(firstText(*result).contains(QStringLiteral("pong from the test")),
             QJsonDocument(*result).toJson().constData());
    QCOMPARE(unrelated.size(), 0);
}

void TestStdioUpstream::ambiguousServerRequestGoesToSignal()
{
    // Two calls in flight: stdio cannot tell which one the sampling request belongs to.
    Responses responses;
    bool hookCalled = false;
    RequestHooks hooks;
    hooks.onServerRequest = [&hookCalled](const QJsonObject &, std::function<void(const QJsonObject &)>) {
        hookCalled = true;
    };
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 1.5}, {key("steps"), 1}}),
        responses.handler(1), hooks);
    QSignalSpy unrelated(m_everything.get(), &Upstream::serverRequestReceived);
    m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-sampling-request"), {{key("prompt"), QStringLiteral("x")}}),
        responses.handler(2), hooks);
    QTRY_VERIFY_WITH_TIMEOUT(!unrelated.isEmpty(), 10'000);
    const QJsonObject request = unrelated.first().at(0).toJsonObject();
    QCOMPARE(request.value(key("method")).toString(), QStringLiteral("sampling/createMessage"));
    QVERIFY(!hookCalled);
    QJsonObject result{{key("role"), QStringLiteral("assistant")},
                       {key("content"), QJsonObject{{key("type"), QStringLiteral("text")},
                                                    {key("text"), QStringLiteral("via signal")}}},
                       {key("model"), QStringLiteral("m")}};
    m_everything->sendResponse({{key("id"), request.value(key("id"))}, {key("result"), result}});
    QTRY_COMPARE_WITH_TIMEOUT(responses.got->size(), 2, 15'000);
    for (const auto &[tag, response] : std::as_const(*responses.got)) {
        if (tag == 2)
            QVERIFY(firstText(response).contains(QStringLiteral("via signal")));
        else
            QVERIFY(firstText(response).contains(QStringLiteral("completed")));
    }
}

void TestStdioUpstream::cancelLongRunningCall()
{
    std::optional<QJsonObject> result;
    auto progressed = std::make_shared<int>(0);
    RequestHooks hooks;
    hooks.onNotification = [progressed](const QJsonObject &) { ++*progressed; };
    const quint64 handle = m_everything->sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 20}, {key("steps"), 40}},
                 {{key("progressToken"), 99}}),
        [&result](const QJsonObject &r) { result = r; }, hooks);
    QTRY_VERIFY_WITH_TIMEOUT(*progressed > 0, 10'000);
    QCOMPARE(m_everything->inFlight(), 1);
    QSignalSpy unrelated(m_everything.get(), &Upstream::notificationReceived);
    m_everything->cancelRequest(handle, QStringLiteral("user pressed stop"));
    QVERIFY(!result.has_value()); // never synchronous
    QTRY_VERIFY(result.has_value());
    QCOMPARE(errorCode(*result), rpcerr::Cancelled);
    QCOMPARE(m_everything->inFlight(), 0);
    const int afterCancel = *progressed;

    const QJsonObject echo =
        requestAndWait(*m_everything, QStringLiteral("tools/call"),
                       callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("still here")}}));
    QCOMPARE(firstText(echo), QStringLiteral("Echo: still here"));
    // The server does not stop the operation: its next progress (every 500 ms) matches no request
    // any more and comes as an unrelated notification, not to the hook.
    auto progressAfterCancel = [&unrelated] {
        for (const QList<QVariant> &args : std::as_const(unrelated)) {
            const QJsonObject n = args.at(0).toJsonObject();
            if (n.value(key("method")).toString() == QLatin1String("notifications/progress") &&
                n.value(key("params")).toObject().value(key("progressToken")).toInt() == 99)
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(progressAfterCancel(), 5000);
    QCOMPARE(*progressed, afterCancel); // the hook is gone with the request
}

void TestStdioUpstream::timeout()
{
    const QJsonObject response = requestAndWait(
        *m_everything, QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 2}, {key("steps"), 1}}), 150);
    QCOMPARE(errorCode(response), rpcerr::Timeout);
    QCOMPARE(errorMessage(response), QStringLiteral("Upstream everything did not answer tools/call within 150 ms"));
    QCOMPARE(m_everything->inFlight(), 0);
    const QJsonObject echo =
        requestAndWait(*m_everything, QStringLiteral("tools/call"),
                       callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("after")}}));
    QCOMPARE(firstText(echo), QStringLiteral("Echo: after"));
}

void TestStdioUpstream::concurrencyLimitQueues()
{
    UpstreamConfig config = everything(QStringLiteral("narrow"));
    config.maxConcurrency = 1;
    StdioUpstream upstream(config);
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 30'000));

    Responses responses;
    for (int i = 0; i < 3; ++i)
        upstream.sendRequest(
            QStringLiteral("tools/call"),
            callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 0.3}, {key("steps"), 1}}),
            responses.handler(i));
    QCOMPARE(upstream.inFlight(), 1);
    QCOMPARE(upstream.queued(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(upstream.queued(), 1, 5000);
    QCOMPARE(upstream.inFlight(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(responses.got->size(), 3, 10'000);
    QCOMPARE(upstream.inFlight(), 0);
    QCOMPARE(upstream.queued(), 0);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(responses.got->at(i).first, i); // FIFO
        QVERIFY(firstText(responses.got->at(i).second).contains(QStringLiteral("completed")));
    }

    // A queued request's deadline runs while it waits.
    Responses more;
    upstream.sendRequest(
        QStringLiteral("tools/call"),
        callTool(QStringLiteral("trigger-long-running-operation"), {{key("duration"), 1}, {key("steps"), 1}}),
        more.handler(0));
    upstream.sendRequest(QStringLiteral("tools/list"), {}, more.handler(1), {}, 200);
    QTRY_COMPARE_WITH_TIMEOUT(more.got->size(), 1, 5000);
    QCOMPARE(more.got->at(0).first, 1);
    QCOMPARE(errorCode(more.got->at(0).second), rpcerr::Timeout);
    QCOMPARE(upstream.queued(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(more.got->size(), 2, 5000);
    upstream.stop();
}

void TestStdioUpstream::requestWhileStoppedFails()
{
    StdioUpstream upstream(everything(QStringLiteral("idle")));
    std::optional<QJsonObject> result;
    upstream.sendRequest(QStringLiteral("tools/list"), {}, [&result](const QJsonObject &r) { result = r; });
    QVERIFY(!result.has_value());
    QTRY_VERIFY(result.has_value());
    QCOMPARE(errorCode(*result), rpcerr::UpstreamUnavailable);
}

void TestStdioUpstream::killedProcessRespawns()
{
#ifndef Q_OS_UNIX
    QSKIP("needs kill(2)");
#else
    StdioUpstream upstream(everything(QStringLiteral("victim")));
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 30'000));
    const qint64 firstPid = upstream.processId();
    QVERIFY(firstPid > 0);

    QSignalSpy states(&upstream, &Upstream::stateChanged);
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
    QCOMPARE(::kill(static_cast<pid_t>(firstPid), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 5000);
    QCOMPARE(errorCode(*result), rpcerr::UpstreamUnavailable);
    QCOMPARE(errorMessage(*result), QStringLiteral("Upstream victim crashed"));
    QVERIFY(!states.isEmpty());
    QCOMPARE(states.first().at(0).value<UpstreamState>(), UpstreamState::Failing);
    QVERIFY2(states.first().at(1).toString().startsWith(QStringLiteral("crashed")),
             qPrintable(states.first().at(1).toString()));

    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 30'000));
    QVERIFY(upstream.processId() > 0);
    QVERIFY(upstream.processId() != firstPid);
    const QJsonObject echo =
        requestAndWait(upstream, QStringLiteral("tools/call"),
                       callTool(QStringLiteral("echo"), {{key("message"), QStringLiteral("again")}}));
    QCOMPARE(firstText(echo), QStringLiteral("Echo: again"));
    upstream.stop();
#endif
}

void TestStdioUpstream::framingEnvAndCwd()
{
    QTemporaryDir workDir;
    QVERIFY(workDir.isValid());
    UpstreamConfig config = fake();
    config.env.insert(QStringLiteral("METAMCP_TEST_FOO"), QStringLiteral("bar baz"));
    config.cwd = workDir.path();
    StdioUpstream upstream(config);
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 10'000));
    QCOMPARE(upstream.protocolVersion(), QStringLiteral("2025-06-18"));
    QCOMPARE(upstream.serverInfo().value(key("version")).toString(), QStringLiteral("1.2.3"));
    QCOMPARE(upstream.instructions(), QStringLiteral("be nice"));
    QVERIFY(upstream.recentLog().contains(QStringLiteral("[stdout] this banner is not JSON")));

    const QJsonObject env = requestAndWait(upstream, QStringLiteral("tools/call"), callTool(QStringLiteral("env")));
    const QJsonObject seen = QJsonDocument::fromJson(firstText(env).toUtf8()).object();
    QCOMPARE(seen.value(key("foo")).toString(), QStringLiteral("bar baz"));
    QCOMPARE(QFileInfo(seen.value(key("cwd")).toString()).canonicalFilePath(),
             QFileInfo(workDir.path()).canonicalFilePath());
    QVERIFY(seen.value(key("hasPath")).toBool()); // merged onto the system environment

    QSignalSpy notifications(&upstream, &Upstream::notificationReceived);
    const QJsonObject batch = requestAndWait(upstream, QStringLiteral("tools/call"), callTool(QStringLiteral("batch")));
    QCOMPARE(firstText(batch), QStringLiteral("from a batch"));
    QCOMPARE(notifications.size(), 1);
    QCOMPARE(notifications.first().at(0).toJsonObject().value(key("method")).toString(),
             QStringLiteral("notifications/message"));
    upstream.stop();
}

void TestStdioUpstream::hugeLine()
{
    StdioUpstream upstream(fake());
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 10'000));
    const QJsonObject big = requestAndWait(upstream, QStringLiteral("tools/call"), callTool(QStringLiteral("big")));
    QCOMPARE(firstText(big).size(), 5 * 1024 * 1024);
    upstream.stop();
}

void TestStdioUpstream::exitReasonAndRespawn()
{
    StdioUpstream upstream(fake(QStringLiteral("quitter")));
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 10'000));
    QSignalSpy states(&upstream, &Upstream::stateChanged);
    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"), callTool(QStringLiteral("exit")));
    QCOMPARE(errorCode(response), rpcerr::UpstreamUnavailable);
    QTRY_VERIFY(!states.isEmpty());
    QCOMPARE(states.first().at(0).value<UpstreamState>(), UpstreamState::Failing);
    QCOMPARE(states.first().at(1).toString(), QStringLiteral("exited with code 3: fatal: going down"));
    QCOMPARE(upstream.stateReason(), QStringLiteral("exited with code 3: fatal: going down"));
    QVERIFY(upstream.recentLog().contains(QStringLiteral("fatal: going down")));
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 10'000)); // respawned after ~1 s
    upstream.stop();
}

void TestStdioUpstream::unsupportedProtocolVersion()
{
    UpstreamConfig config = fake(QStringLiteral("ancient"));
    config.env.insert(QStringLiteral("FAKE_VERSION"), QStringLiteral("1999-01-01"));
    StdioUpstream upstream(config);
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Failing, 10'000));
    QVERIFY2(upstream.stateReason().contains(QStringLiteral("unsupported protocol version \"1999-01-01\"")),
             qPrintable(upstream.stateReason()));
    upstream.stop();
}

void TestStdioUpstream::commandNotFound()
{
    UpstreamConfig config = fake(QStringLiteral("ghost"));
    config.command = QStringLiteral("/nonexistent/metamcp-no-such-command");
    std::unique_ptr<Upstream> upstream = createUpstream(config);
    QVERIFY(qobject_cast<StdioUpstream *>(upstream.get()));
    std::optional<QJsonObject> result;
    upstream->start();
    upstream->sendRequest(QStringLiteral("tools/list"), {}, [&result](const QJsonObject &r) { result = r; });
    QVERIFY(waitForUpstreamState(*upstream, UpstreamState::Failing, 10'000));
    QVERIFY2(
        upstream->stateReason().startsWith(QStringLiteral("failed to start /nonexistent/metamcp-no-such-command: ")),
        qPrintable(upstream->stateReason()));
    QTRY_VERIFY(result.has_value()); // queued while starting, failed with the start
    QCOMPARE(errorCode(*result), rpcerr::UpstreamUnavailable);
    upstream->stop();
    QCOMPARE(upstream->state(), UpstreamState::Stopped);
}

void TestStdioUpstream::neverAnswers()
{
    const QString script =
        writeScript(m_scripts, QStringLiteral("silent.js"),
                    "process.stdin.on('data', () => {}); console.error('listening, never answering');\n");
    UpstreamConfig config = fake(QStringLiteral("mute"));
    config.args = {script};
    config.startupTimeoutMs = 600;
    StdioUpstream upstream(config);
    QElapsedTimer clock;
    clock.start();
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Failing, 5000));
    QVERIFY(clock.elapsed() >= 500);
    QVERIFY2(upstream.stateReason().startsWith(QStringLiteral("Upstream mute did not answer initialize within")),
             qPrintable(upstream.stateReason()));
    upstream.stop();
    QCOMPARE(upstream.state(), UpstreamState::Stopped);
}

void TestStdioUpstream::stopIsFinal()
{
    StdioUpstream upstream(fake(QStringLiteral("stopper")));
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 10'000));
    const qint64 pid = upstream.processId();
    std::optional<QJsonObject> result;
    upstream.sendRequest(QStringLiteral("tools/call"), callTool(QStringLiteral("never-answered-before-stop")),
                         [&result](const QJsonObject &r) { result = r; });
    upstream.stop();
    QSignalSpy states(&upstream, &Upstream::stateChanged);
    QCOMPARE(upstream.state(), UpstreamState::Stopped);
    QCOMPARE(upstream.processId(), 0);
    QTRY_VERIFY(result.has_value());
    QCOMPARE(errorCode(*result), rpcerr::UpstreamUnavailable);
#ifdef Q_OS_UNIX
    QTRY_VERIFY_WITH_TIMEOUT(::kill(static_cast<pid_t>(pid), 0) != 0, 5000); // the child went away
#else
    Q_UNUSED(pid)
#endif
    // No respawn: its exit, handled by now, is no crash to recover from (a crash would have
    // made the upstream Failing at once, the respawn following after the backoff).
    QVERIFY(processPostedEvents());
    QVERIFY(states.isEmpty());
    QCOMPARE(upstream.state(), UpstreamState::Stopped);
    upstream.start(); // and it can be started again
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 10'000));
    upstream.restart();
    QCOMPARE(upstream.state(), UpstreamState::Starting);
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 10'000));
    upstream.stop();
}

void TestStdioUpstream::filesystemServer()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    {
        QFile file(root.filePath(QStringLiteral("notes.txt")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("hello from a file\n");
    }
    const QString rootPath = QFileInfo(root.path()).canonicalFilePath();
    UpstreamConfig config;
    config.name = QStringLiteral("fs");
    config.kind = UpstreamKind::Stdio;
    config.command = nodeProgram();
    config.args = {npmPath(QStringLiteral("@modelcontextprotocol/server-filesystem/dist/index.js")), rootPath};
    StdioUpstream upstream(config);
    connect(&upstream, &Upstream::serverRequestReceived, this, [&upstream, rootPath](const QJsonObject &request) {
        if (request.value(key("method")).toString() == QLatin1String("roots/list"))
            upstream.sendResponse(
                {{key("id"), request.value(key("id"))},
                 {key("result"), QJsonObject{{key("roots"), QJsonArray{QJsonObject{
                                                                {key("uri"), QUrl::fromLocalFile(rootPath).toString()},
                                                                {key("name"), QStringLiteral("root")}}}}}}});
    });
    upstream.start();
    QVERIFY(waitForUpstreamState(upstream, UpstreamState::Ready, 30'000));
    QCOMPARE(upstream.serverInfo().value(key("name")).toString(), QStringLiteral("secure-filesystem-server"));

    const QJsonObject listing = requestAndWait(upstream, QStringLiteral("tools/call"),
                                               callTool(QStringLiteral("list_directory"), {{key("path"), rootPath}}));
    QVERIFY2(firstText(listing).contains(QStringLiteral("notes.txt")), QJsonDocument(listing).toJson().constData());
    const QJsonObject read = requestAndWait(
        upstream, QStringLiteral("tools/call"),
        callTool(QStringLiteral("read_text_file"), {{key("path"), QString(rootPath + QStringLiteral("/notes.txt"))}}));
    QVERIFY2(firstText(read).contains(QStringLiteral("hello from a file")), QJsonDocument(read).toJson().constData());
    upstream.stop();
}

QTEST_GUILESS_MAIN(TestStdioUpstream)
#include "tst_stdioupstream.moc"
