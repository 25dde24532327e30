// The Gateway facade (what the console and metamcpd call) against the real gateway thread: pause,
// stop and start, moving the listener (new port, busy port, bad TLS files), namespace and
// override validation, API keys over real HTTP, console requests and their cancellation,
// testConnection, imports that fail, the stdio session's handling of bad lines, and the Router's
// answers to malformed requests. The one upstream is a REST server whose API is a QTcpServer on
// 127.0.0.1 that answers GET /ok and never answers anything else; no keychain is needed.

#include "gatewayfixture.h"
#include "rawhttp.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMutex>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

namespace {

// The REST API behind the upstream: "GET /ok" gets a JSON answer, every other request is read
// and left hanging (so calls stay in flight until cancelled).
class ApiPeer
{
public:
    int requests = 0;

    ApiPeer()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    const QByteArray head = socket->readAll();
                    ++requests;
                    if (!head.startsWith("GET /ok "))
                        return;
                    const QByteArray body = R"({"answer":42})";
                    socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                  QByteArray::number(body.size()) + "\r\n\r\n" + body);
                });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }

private:
    QTcpServer m_server;
};

RestToolConfig restTool(const QString &name, const QString &path)
{
    RestToolConfig t;
    t.name = name;
    t.description = QStringLiteral("GET %1").arg(path);
    t.urlTemplate = path;
    t.inputSchema = QJsonObject{{u"type"_s, u"object"_s}};
    t.timeoutMs = 20'000;
    return t;
}

UpstreamConfig restServer(const QString &name, const QUrl &url)
{
    UpstreamConfig c;
    c.name = name;
    c.kind = UpstreamKind::Rest;
    c.url = url;
    c.restTools = {restTool(u"answer"_s, u"/ok"_s), restTool(u"hang"_s, u"/hang"_s)};
    return c;
}

int errorCode(const QJsonObject &response)
{
    return response.value(u"error"_s).toObject().value(u"code"_s).toInt();
}

QString errorMessage(const QJsonObject &response)
{
    return response.value(u"error"_s).toObject().value(u"message"_s).toString();
}

// Runs one facade call that reports through a Done callback and returns its error text.
template<typename Call> std::optional<QString> doneOf(Call &&call)
{
    std::optional<QString> result;
    call([&result](const QString &error) { result = error; });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, 15'000))
        return std::nullopt;
    return result;
}

// A round trip through the gateway thread: once it is back, everything the gateway sent this
// thread before it (signals, answers) has been delivered.
bool roundTrip(Gateway *gateway)
{
    bool back = false;
    gateway->serverLog(u"api"_s, [&back](const QStringList &) { back = true; });
    return QTest::qWaitFor([&back] { return back; }, 15'000);
}

bool canConnect(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(2000);
}

} // namespace

class TestGatewayFacade final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void pauseAnswers503();
    void moveListener();
    void listenerErrorsKeepTheOldOne();
    void stopAndStartAgain();
    void namespaceValidation();
    void toolOverrides();
    void serverErrors();
    void apiKeys();
    void consoleRequests();
    void cancelConsoleRequest();
    void routerRejectsMalformedRequests_data();
    void routerRejectsMalformedRequests();
    void testConnection();
    void importErrors();
    void stdioSession();

private:
    GatewayFixture m_fixture;
    // Ports the listener moves to (moveListener): held for the whole test, so that no parallel
    // test takes one while the gateway is not on it (stopAndStartAgain starts on the last again).
    ReservedPort m_newPort;
    ReservedPort m_thirdPort;
    ApiPeer m_api;
    Gateway *gw() const { return m_fixture.gateway(); }
};

void TestGatewayFacade::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));
    QVERIFY(m_api.listen());
    QCOMPARE(m_fixture.addServer(restServer(u"api"_s, m_api.url())), QString());
    QVERIFY(m_fixture.waitForTool(kDefaultNamespace, u"api__answer"_s));
    QVERIFY(m_fixture.waitForUpstreamState(u"api"_s, UpstreamState::Ready));
}

void TestGatewayFacade::pauseAnswers503()
{
    const quint16 port = gw()->port();
    QSignalSpy paused(gw(), &Gateway::pausedChanged);
    gw()->setPaused(true);
    QVERIFY(paused.wait(5000));
    QCOMPARE(paused.first().first().toBool(), true);
    QVERIFY(gw()->isPaused());
    gw()->setPaused(true); // no change, no signal

    RawResponse r = initializeSession(port);
    QCOMPARE(r.status, 503);
    QCOMPARE(r.header("retry-after"), QByteArray("5"));
    QCOMPARE(errorCode(r.json()), -32002);
    QVERIFY(r.header("mcp-session-id").isEmpty());
    // Liveness still answers.
    r = rawRequest(port, "GET", "/healthz");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().value(u"status"_s).toString(), u"ok"_s);
    // Console requests do not go through HTTP and keep working.
    QVERIFY(m_fixture.request(kDefaultNamespace, u"ping"_s).contains(u"result"_s));
    // Its answer came after anything the repeated setPaused(true) could have signalled.
    QCOMPARE(paused.size(), 1);

    gw()->setPaused(false);
    QVERIFY(QTest::qWaitFor([&] { return paused.size() == 2; }, 5000));
    QCOMPARE(paused.last().first().toBool(), false);
    QVERIFY(!gw()->isPaused());
    r = initializeSession(port);
    QCOMPARE(r.status, 200);
    QVERIFY(!r.header("mcp-session-id").isEmpty());
}

void TestGatewayFacade::moveListener()
{
    const quint16 oldPort = gw()->port();
    const quint16 newPort = m_newPort.port();
    QVERIFY(newPort != 0 && newPort != oldPort);
    ListenConfig listen = gw()->config().listen;
    listen.port = newPort;
    listen.allowedOrigins = {u"https://console.example"_s};
    QSignalSpy started(gw(), &Gateway::started);
    QCOMPARE(doneOf([&](auto done) { gw()->applyListenConfig(listen, done); }), QString());
    QVERIFY(QTest::qWaitFor([&] { return !started.isEmpty(); }, 5000));
    QCOMPARE(started.last().at(1).value<quint16>(), newPort);
    QVERIFY(QTest::qWaitFor([&] { return gw()->port() == newPort; }, 5000));
    QCOMPARE(gw()->endpointUrl(), QStringLiteral("http://127.0.0.1:%1/mcp").arg(newPort));
    QCOMPARE(gw()->endpointUrl(u"team"_s), QStringLiteral("http://127.0.0.1:%1/mcp/team").arg(newPort));
    QCOMPARE(gw()->endpointUrl(kDefaultNamespace, true), QStringLiteral("http://127.0.0.1:%1/sse").arg(newPort));
    QCOMPARE(gw()->endpointUrl(u"team"_s, true), QStringLiteral("http://127.0.0.1:%1/sse/team").arg(newPort));

    // The new listener serves, with the new settings; the old one is gone.
    RawResponse r = initializeSession(newPort);
    QCOMPARE(r.status, 200);
    r = rawRequest(newPort, "OPTIONS", "/mcp", {{"Origin", "https://console.example"}});
    QCOMPARE(r.status, 204);
    QCOMPARE(r.header("access-control-allow-origin"), QByteArray("https://console.example"));
    QVERIFY(QTest::qWaitFor([&] { return !canConnect(oldPort); }, 5000));
    // Persisted: the configuration the facade publishes has it.
    QVERIFY(QTest::qWaitFor([&] { return gw()->config().listen.port == newPort; }, 5000));
    QCOMPARE(gw()->config().listen.allowedOrigins, listen.allowedOrigins);

    // Changing only what the endpoint checks keeps the listener and its sessions.
    const QByteArray session = initializeSession(newPort).header("mcp-session-id");
    QVERIFY(!session.isEmpty());
    listen.allowedOrigins.clear();
    QCOMPARE(doneOf([&](auto done) { gw()->applyListenConfig(listen, done); }), QString());
    QCOMPARE(gw()->port(), newPort);
    r = rawRequest(newPort, "OPTIONS", "/mcp", {{"Origin", "https://console.example"}});
    QCOMPARE(r.status, 403);
    QCOMPARE(postJson(newPort, "/mcp", rpc(2, u"ping"_s), mcpHeaders(session, "2025-11-25")).status, 200);

    // Moving the listener ends the sessions of the old one.
    const quint16 thirdPort = m_thirdPort.port();
    QVERIFY(thirdPort != 0);
    listen.port = thirdPort;
    QCOMPARE(doneOf([&](auto done) { gw()->applyListenConfig(listen, done); }), QString());
    QVERIFY(QTest::qWaitFor([&] { return gw()->port() == thirdPort; }, 5000));
    QCOMPARE(postJson(thirdPort, "/mcp", rpc(3, u"ping"_s), mcpHeaders(session, "2025-11-25")).status, 404);
}

void TestGatewayFacade::listenerErrorsKeepTheOldOne()
{
    const quint16 port = gw()->port();
    const ListenConfig current = gw()->config().listen;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    // A port somebody else holds.
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    ListenConfig busy = current;
    busy.port = squatter.serverPort();
    std::optional<QString> error = doneOf([&](auto done) { gw()->applyListenConfig(busy, done); });
    QVERIFY(error.has_value());
    QVERIFY2(error->startsWith(u"Cannot listen on 127.0.0.1:%1"_s.arg(busy.port)), qPrintable(*error));

    // TLS files that do not exist.
    ListenConfig tls = current;
    tls.tlsCertificateFile = dir.filePath(u"missing-cert.pem"_s);
    tls.tlsKeyFile = dir.filePath(u"missing-key.pem"_s);
    error = doneOf([&](auto done) { gw()->applyListenConfig(tls, done); });
    QVERIFY(error.has_value());
    QVERIFY2(error->startsWith(u"Cannot read the TLS certificate or key"_s), qPrintable(*error));

    // TLS files that are not PEM.
    QVERIFY(writeFile(dir.filePath(u"cert.pem"_s), "not a certificate\n"));
    QVERIFY(writeFile(dir.filePath(u"key.pem"_s), "not a key\n"));
    tls.tlsCertificateFile = dir.filePath(u"cert.pem"_s);
    tls.tlsKeyFile = dir.filePath(u"key.pem"_s);
    error = doneOf([&](auto done) { gw()->applyListenConfig(tls, done); });
    QVERIFY(error.has_value());
    QCOMPARE(*error, u"The TLS certificate or key is not valid PEM"_s);

    // Nothing changed: same port, plain http, still serving; the failed settings were not saved.
    QCOMPARE(gw()->port(), port);
    QCOMPARE(gw()->endpointUrl(), QStringLiteral("http://127.0.0.1:%1/mcp").arg(port));
    QCOMPARE(initializeSession(port).status, 200);
    QCOMPARE(gw()->config().listen, current);
}

void TestGatewayFacade::stopAndStartAgain()
{
    const quint16 port = gw()->port();
    QSignalSpy stopped(gw(), &Gateway::stopped);
    QSignalSpy started(gw(), &Gateway::started);
    gw()->stop();
    QVERIFY(stopped.wait(10'000));
    QVERIFY(!gw()->isRunning());
    QVERIFY(!canConnect(port));
    gw()->stop(); // stopping twice is harmless
    QVERIFY(roundTrip(gw()));
    QCOMPARE(stopped.size(), 1);

    gw()->start();
    QVERIFY(started.wait(10'000));
    QVERIFY(gw()->isRunning());
    // The saved listen configuration (this port) is used again, and the REST server comes back.
    QCOMPARE(gw()->port(), port);
    QVERIFY(m_fixture.waitForUpstreamState(u"api"_s, UpstreamState::Ready));
    QVERIFY(m_fixture.waitForTool(kDefaultNamespace, u"api__answer"_s));
    QCOMPARE(initializeSession(port).status, 200);
}

void TestGatewayFacade::namespaceValidation()
{
    NamespaceConfig ns;
    ns.name = u"bad name"_s;
    QVERIFY(m_fixture.setNamespace(ns).contains(u"may only contain"_s));
    ns.name = QString(65, u'a');
    QVERIFY(m_fixture.setNamespace(ns).contains(u"may only contain"_s));
    ns.name = u"team"_s;
    ns.servers = {u"ghost"_s};
    QCOMPARE(m_fixture.setNamespace(ns), u"There is no server named ghost."_s);
    ns.servers = {u"api"_s};
    ns.separator.clear();
    QCOMPARE(m_fixture.setNamespace(ns), u"The tool name separator must not be empty."_s);
    QVERIFY(!gw()->config().ns(u"team"_s));

    ns.separator = u"."_s;
    QCOMPARE(m_fixture.setNamespace(ns), QString());
    QVERIFY(m_fixture.waitForTool(u"team"_s, u"api.answer"_s));
    QVERIFY(QTest::qWaitFor([&] { return gw()->config().ns(u"team"_s) != nullptr; }, 5000));
    QCOMPARE(gw()->config().ns(u"team"_s)->separator, u"."_s);
    QCOMPARE(rawRequest(gw()->port(), "GET", "/mcp/team", {{"Accept", "text/event-stream"}}).status, 400);

    QCOMPARE(doneOf([&](auto done) { gw()->removeNamespace(kDefaultNamespace, done); }),
             u"The default namespace cannot be removed."_s);
    QCOMPARE(doneOf([&](auto done) { gw()->removeNamespace(u"team"_s, done); }), QString());
    QVERIFY(QTest::qWaitFor([&] { return gw()->config().ns(u"team"_s) == nullptr; }, 5000));
    // Its URL is gone with it.
    QCOMPARE(rawRequest(gw()->port(), "GET", "/mcp/team", {{"Accept", "text/event-stream"}}).status, 404);
    // Console requests into it are refused.
    const QJsonObject response = m_fixture.request(u"team"_s, u"tools/list"_s);
    QCOMPARE(errorCode(response), -32600);
    QCOMPARE(errorMessage(response), u"Unknown namespace team"_s);
}

void TestGatewayFacade::toolOverrides()
{
    ToolOverride o;
    o.server = u"api"_s;
    o.tool = u"answer"_s;
    o.rename = u"the_answer"_s;
    o.description = u"Asks the API"_s;
    QCOMPARE(doneOf([&](auto done) { gw()->setToolOverride(u"nowhere"_s, o, done); }),
             u"There is no namespace named nowhere."_s);
    QCOMPARE(doneOf([&](auto done) { gw()->setToolOverride(kDefaultNamespace, o, done); }), QString());
    QVERIFY(m_fixture.waitForTool(kDefaultNamespace, u"the_answer"_s));
    const QJsonObject listed = m_fixture.request(kDefaultNamespace, u"tools/list"_s);
    QStringList names;
    QString description;
    for (const QJsonValue &t : listed.value(u"result"_s).toObject().value(u"tools"_s).toArray()) {
        names.append(t.toObject().value(u"name"_s).toString());
        if (names.last() == u"the_answer")
            description = t.toObject().value(u"description"_s).toString();
    }
    QVERIFY2(names.contains(u"the_answer"_s) && !names.contains(u"api__answer"_s), qPrintable(names.join(u',')));
    QCOMPARE(description, u"Asks the API"_s);
    // The renamed tool calls the same endpoint.
    const QJsonObject called = m_fixture.request(kDefaultNamespace, u"tools/call"_s, {{u"name"_s, u"the_answer"_s}});
    QVERIFY2(QJsonDocument(called).toJson().contains("42"), QJsonDocument(called).toJson().constData());

    // Disabled: not listed, not callable.
    o.enabled = false;
    QCOMPARE(doneOf([&](auto done) { gw()->setToolOverride(kDefaultNamespace, o, done); }), QString());
    QVERIFY(QTest::qWaitFor(
        [&] {
            const QJsonObject l = m_fixture.request(kDefaultNamespace, u"tools/list"_s);
            return !QJsonDocument(l).toJson().contains("the_answer");
        },
        5000));
    const QJsonObject refused = m_fixture.request(kDefaultNamespace, u"tools/call"_s, {{u"name"_s, u"the_answer"_s}});
    QVERIFY2(refused.contains(u"error"_s), QJsonDocument(refused).toJson().constData());

    // Back to the default.
    o.enabled = true;
    o.rename.clear();
    o.description.clear();
    QCOMPARE(doneOf([&](auto done) { gw()->setToolOverride(kDefaultNamespace, o, done); }), QString());
    QVERIFY(m_fixture.waitForTool(kDefaultNamespace, u"api__answer"_s));
}

void TestGatewayFacade::serverErrors()
{
    QCOMPARE(doneOf([&](auto done) { gw()->removeServer(u"ghost"_s, done); }), u"There is no server named ghost."_s);
    UpstreamConfig invalid = restServer(u"bad name"_s, m_api.url());
    QVERIFY(m_fixture.addServer(invalid).contains(u"may only contain"_s));
    invalid = restServer(u"norest"_s, m_api.url());
    invalid.restTools.clear();
    QCOMPARE(m_fixture.addServer(invalid), u"A REST server needs at least one tool."_s);
    QVERIFY(!gw()->config().server(u"norest"_s));

    // The log of a server that does not exist is empty; restarting it does nothing.
    gw()->restartServer(u"ghost"_s);
    std::optional<QStringList> log;
    gw()->serverLog(u"ghost"_s, [&log](const QStringList &lines) { log = lines; });
    QVERIFY(QTest::qWaitFor([&] { return log.has_value(); }, 5000));
    QCOMPARE(*log, QStringList());

    // A second REST server, removed again: its tools go away.
    QCOMPARE(m_fixture.addServer(restServer(u"api2"_s, m_api.url())), QString());
    QVERIFY(m_fixture.waitForTool(kDefaultNamespace, u"api2__answer"_s));
    gw()->restartServer(u"api2"_s);
    QVERIFY(m_fixture.waitForUpstreamState(u"api2"_s, UpstreamState::Ready));
    QCOMPARE(doneOf([&](auto done) { gw()->removeServer(u"api2"_s, done); }), QString());
    QVERIFY(QTest::qWaitFor([&] { return !gw()->config().server(u"api2"_s); }, 5000));
    const QJsonObject call = m_fixture.request(kDefaultNamespace, u"tools/call"_s, {{u"name"_s, u"api2__answer"_s}});
    QCOMPARE(errorCode(call), -32602);
}

void TestGatewayFacade::apiKeys()
{
    NamespaceConfig locked;
    locked.name = u"locked"_s;
    locked.servers = {u"api"_s};
    locked.requireApiKey = true;
    QCOMPARE(m_fixture.setNamespace(locked), QString());

    std::optional<std::optional<CreatedApiKey>> created;
    gw()->createApiKey(u"locked"_s, u"ci"_s, [&](const std::optional<CreatedApiKey> &key) { created = key; });
    QVERIFY(QTest::qWaitFor([&] { return created.has_value(); }, 5000));
    QVERIFY(created->has_value());
    const CreatedApiKey key = **created;
    QVERIFY(!key.plaintext.isEmpty());
    QCOMPARE(key.info.label, u"ci"_s);
    QVERIFY(key.plaintext.startsWith(key.info.prefix));

    std::optional<QList<ApiKeyInfo>> keys;
    gw()->listApiKeys(u"locked"_s, [&](const QList<ApiKeyInfo> &list) { keys = list; });
    QVERIFY(QTest::qWaitFor([&] { return keys.has_value(); }, 5000));
    QCOMPARE(keys->size(), 1);
    QCOMPARE(keys->first().id, key.info.id);
    QCOMPARE(keys->first().label, u"ci"_s);

    const quint16 port = gw()->port();
    const QJsonObject init = rpc(1, u"initialize"_s,
                                 {{u"protocolVersion"_s, u"2025-11-25"_s},
                                  {u"capabilities"_s, QJsonObject{}},
                                  {u"clientInfo"_s, QJsonObject{{u"name"_s, u"t"_s}, {u"version"_s, u"1"_s}}}});
    RawHeaders withKey = mcpHeaders();
    withKey.append({"Authorization", "Bearer " + key.plaintext.toUtf8()});
    QCOMPARE(postJson(port, "/mcp/locked", init, mcpHeaders()).status, 401);
    QCOMPARE(postJson(port, "/mcp/locked", init, withKey).status, 200);

    QCOMPARE(doneOf([&](auto done) { gw()->revokeApiKey(key.info.id, done); }), QString());
    QCOMPARE(postJson(port, "/mcp/locked", init, withKey).status, 401);
    const std::optional<QString> again = doneOf([&](auto done) { gw()->revokeApiKey(key.info.id, done); });
    QVERIFY(again.has_value());
    QVERIFY2(again->contains(QString::number(key.info.id)), qPrintable(*again));
    keys.reset();
    gw()->listApiKeys(u"locked"_s, [&](const QList<ApiKeyInfo> &list) { keys = list; });
    QVERIFY(QTest::qWaitFor([&] { return keys.has_value(); }, 5000));
    QVERIFY(keys->isEmpty());
}

void TestGatewayFacade::consoleRequests()
{
    QJsonObject r = m_fixture.request(u"nowhere"_s, u"tools/list"_s);
    QCOMPARE(errorCode(r), -32600);
    QCOMPARE(r.value(u"id"_s), QJsonValue(QJsonValue::Null));

    // A call answered by the REST API, with its related messages callback.
    r = m_fixture.request(kDefaultNamespace, u"tools/call"_s, {{u"name"_s, u"api__answer"_s}});
    const QJsonObject result = r.value(u"result"_s).toObject();
    QVERIFY2(!result.value(u"isError"_s).toBool(), QJsonDocument(r).toJson().constData());
    QVERIFY(QJsonDocument(result).toJson().contains("42"));
    // Unknown handles are ignored.
    gw()->cancelRequest(999'999);
    QVERIFY(m_fixture.request(kDefaultNamespace, u"ping"_s).contains(u"result"_s));
}

void TestGatewayFacade::cancelConsoleRequest()
{
    const int before = m_api.requests;
    std::optional<QJsonObject> response;
    const quint64 handle = gw()->request(kDefaultNamespace, u"tools/call"_s, {{u"name"_s, u"api__hang"_s}},
                                         [&](const QJsonObject &r) { response = r; });
    QVERIFY(handle != 0);
    // The request reaches the API and hangs there.
    QVERIFY(QTest::qWaitFor([&] { return m_api.requests > before; }, 10'000));
    QVERIFY(roundTrip(gw()));
    QVERIFY(!response.has_value());
    gw()->cancelRequest(handle);
    QVERIFY(QTest::qWaitFor([&] { return response.has_value(); }, 10'000));
    QCOMPARE(errorCode(*response), -32800);
    // Cancelling it again is harmless.
    gw()->cancelRequest(handle);
    QVERIFY(m_fixture.request(kDefaultNamespace, u"ping"_s).contains(u"result"_s));
}

void TestGatewayFacade::routerRejectsMalformedRequests_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown method") << u"tools/frobnicate"_s << QJsonObject() << -32601
                                    << u"Method not found: tools/frobnicate"_s;
    QTest::newRow("tool name not a string")
        << u"tools/call"_s << QJsonObject{{u"name"_s, 7}} << -32602 << u"tools/call needs a \"name\" string"_s;
    QTest::newRow("arguments not an object")
        << u"tools/call"_s << QJsonObject{{u"name"_s, u"api__answer"_s}, {u"arguments"_s, u"x"_s}} << -32602
        << u"\"arguments\" must be an object"_s;
    QTest::newRow("unknown tool") << u"tools/call"_s << QJsonObject{{u"name"_s, u"api__nothing"_s}} << -32602
                                  << u"api__nothing"_s;
    QTest::newRow("prompt without name") << u"prompts/get"_s << QJsonObject() << -32602
                                         << u"prompts/get needs a \"name\" string"_s;
    QTest::newRow("unknown prompt") << u"prompts/get"_s << QJsonObject{{u"name"_s, u"p"_s}} << -32602
                                    << u"Unknown prompt: p"_s;
    QTest::newRow("read without uri") << u"resources/read"_s << QJsonObject() << -32602
                                      << u"resources/read needs a \"uri\" string"_s;
    QTest::newRow("unknown resource") << u"resources/read"_s << QJsonObject{{u"uri"_s, u"file:///nothing"_s}} << -32002
                                      << u"Resource not found: file:///nothing"_s;
    QTest::newRow("subscribe unknown resource")
        << u"resources/subscribe"_s << QJsonObject{{u"uri"_s, u"file:///nothing"_s}} << -32002
        << u"Resource not found: file:///nothing"_s;
    QTest::newRow("complete bad ref type")
        << u"completion/complete"_s << QJsonObject{{u"ref"_s, QJsonObject{{u"type"_s, u"ref/tool"_s}}}} << -32602
        << u"completion/complete needs ref/prompt or ref/resource"_s;
    QTest::newRow("complete unknown prompt")
        << u"completion/complete"_s
        << QJsonObject{{u"ref"_s, QJsonObject{{u"type"_s, u"ref/prompt"_s}, {u"name"_s, u"p"_s}}}} << -32602
        << u"Unknown prompt: p"_s;
    QTest::newRow("complete unknown resource")
        << u"completion/complete"_s
        << QJsonObject{{u"ref"_s, QJsonObject{{u"type"_s, u"ref/resource"_s}, {u"uri"_s, u"file:///x/{id}"_s}}}}
        << -32602 << u"Unknown resource: file:///x/{id}"_s;
    QTest::newRow("unknown log level") << u"logging/setLevel"_s << QJsonObject{{u"level"_s, u"loud"_s}} << -32602
                                       << u"Unknown log level \"loud\""_s;
    QTest::newRow("cursor not a string") << u"tools/list"_s << QJsonObject{{u"cursor"_s, 5}} << -32602
                                         << u"\"cursor\" must be a string"_s;
    QTest::newRow("forged cursor") << u"prompts/list"_s << QJsonObject{{u"cursor"_s, u"abc"_s}} << -32602
                                   << u"Invalid cursor"_s;
}

void TestGatewayFacade::routerRejectsMalformedRequests()
{
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);
    QFETCH(int, code);
    QFETCH(QString, message);
    const QJsonObject r = m_fixture.request(kDefaultNamespace, method, params);
    QVERIFY2(r.contains(u"error"_s), QJsonDocument(r).toJson().constData());
    QCOMPARE(errorCode(r), code);
    QVERIFY2(errorMessage(r).contains(message), qPrintable(errorMessage(r)));
}

void TestGatewayFacade::testConnection()
{
    struct Outcome
    {
        bool ok = false;
        QString message;
        QJsonArray tools;
    };
    auto test = [this](const UpstreamConfig &server) {
        std::optional<Outcome> outcome;
        gw()->testConnection(server, [&outcome](bool ok, const QString &message, const QJsonArray &tools) {
            outcome = Outcome{ok, message, tools};
        });
        (void)QTest::qWaitFor([&] { return outcome.has_value(); }, 20'000);
        return outcome;
    };

    // Invalid: refused before anything starts.
    UpstreamConfig invalid = restServer(u"t"_s, QUrl(u"ftp://example.com"_s));
    std::optional<Outcome> o = test(invalid);
    QVERIFY(o.has_value());
    QVERIFY(!o->ok);
    QCOMPARE(o->message, u"The URL must start with http:// or https://."_s);

    // A stdio server whose program does not exist fails with the reason.
    UpstreamConfig missing;
    missing.name = u"missing"_s;
    missing.command = u"/nonexistent/metamcp-test-program"_s;
    missing.startupTimeoutMs = 5000;
    o = test(missing);
    QVERIFY(o.has_value());
    QVERIFY(!o->ok);
    QVERIFY(!o->message.isEmpty());

    // A REST server: its tools as configured, nothing added to the gateway.
    o = test(restServer(u"probe"_s, m_api.url()));
    QVERIFY(o.has_value());
    QVERIFY2(o->ok, qPrintable(o->message));
    QVERIFY2(o->message.startsWith(u"Connected to probe-test"_s), qPrintable(o->message));
    QStringList names;
    for (const QJsonValue &t : o->tools)
        names.append(t.toObject().value(u"name"_s).toString());
    names.sort();
    QCOMPARE(names, (QStringList{u"answer"_s, u"hang"_s}));
    QVERIFY(!gw()->config().server(u"probe"_s));
    QVERIFY(!gw()->config().server(u"probe-test"_s));
}

void TestGatewayFacade::importErrors()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto importServers = [this](const QString &path) {
        std::optional<std::pair<QString, QStringList>> result;
        gw()->importMcpServersFile(path, kDefaultNamespace, [&result](const QString &error, const QStringList &added) {
            result = std::pair{error, added};
        });
        (void)QTest::qWaitFor([&] { return result.has_value(); }, 10'000);
        return result;
    };
    auto importOpenApi = [this](const QString &path, const QUrl &base) {
        std::optional<std::pair<QString, QStringList>> result;
        gw()->importOpenApiFile(path, u"petstore"_s, kDefaultNamespace, base,
                                [&result](const QString &error, const QStringList &tools) {
                                    result = std::pair{error, tools};
                                });
        (void)QTest::qWaitFor([&] { return result.has_value(); }, 10'000);
        return result;
    };

    auto r = importServers(dir.filePath(u"none.json"_s));
    QVERIFY(r.has_value());
    QVERIFY(!r->first.isEmpty());
    QVERIFY(r->second.isEmpty());
    QVERIFY(writeFile(dir.filePath(u"broken.json"_s), "{\"mcpServers\": "));
    r = importServers(dir.filePath(u"broken.json"_s));
    QVERIFY(r.has_value());
    QVERIFY(!r->first.isEmpty());

    r = importOpenApi(dir.filePath(u"none.json"_s), {});
    QVERIFY(r.has_value());
    QVERIFY2(r->first.startsWith(u"Cannot read"_s), qPrintable(r->first));
    QVERIFY(writeFile(dir.filePath(u"notopenapi.json"_s), R"({"swagger": "2.0", "paths": {}})"));
    r = importOpenApi(dir.filePath(u"notopenapi.json"_s), {});
    QVERIFY(r.has_value());
    QVERIFY(!r->first.isEmpty());
    QVERIFY(r->second.isEmpty());
    QVERIFY(!gw()->config().server(u"petstore"_s));

    // A valid document whose base URL is overridden: the tools call the override.
    const QByteArray doc = R"({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "servers": [{"url": "http://192.0.2.1:9"}],
        "paths": {"/ok": {"get": {"operationId": "getOk", "responses": {"200": {"description": "ok"}}}}}})";
    QVERIFY(writeFile(dir.filePath(u"api.json"_s), doc));
    r = importOpenApi(dir.filePath(u"api.json"_s), m_api.url());
    QVERIFY(r.has_value());
    QCOMPARE(r->first, QString());
    QCOMPARE(r->second, QStringList{u"getOk"_s});
    QVERIFY(m_fixture.waitForTool(kDefaultNamespace, u"petstore__getOk"_s));
    const QJsonObject called =
        m_fixture.request(kDefaultNamespace, u"tools/call"_s, {{u"name"_s, u"petstore__getOk"_s}});
    QVERIFY2(QJsonDocument(called).toJson().contains("42"), QJsonDocument(called).toJson().constData());
    QCOMPARE(doneOf([&](auto done) { gw()->removeServer(u"petstore"_s, done); }), QString());
}

void TestGatewayFacade::stdioSession()
{
    // `write` runs on the gateway thread (metamcpd passes a thread-safe stdout writer), and may
    // run after this function returned: the lines live as long as the session.
    struct Lines
    {
        QMutex mutex;
        QList<QByteArray> raw;
    };
    auto sink = std::make_shared<Lines>();
    gw()->openStdioSession(kDefaultNamespace, [sink](const QByteArray &line) {
        QMutexLocker lock(&sink->mutex);
        sink->raw.append(line);
    });
    auto count = [sink] {
        QMutexLocker lock(&sink->mutex);
        return sink->raw.size();
    };
    auto take = [sink] {
        QMutexLocker lock(&sink->mutex);
        QList<QJsonObject> out;
        for (const QByteArray &line : std::exchange(sink->raw, {})) {
            if (!line.endsWith('\n') || line.count('\n') != 1)
                qWarning() << "not one line:" << line;
            else
                out.append(QJsonDocument::fromJson(line).object());
        }
        return out;
    };
    const QByteArray marker = R"({"jsonrpc":"2.0","id":"marker","method":"ping"})";
    // Sends `line` and collects what it produced: `expected` messages, or (0) nothing until the
    // answer to a ping sent after it.
    // Notifications the gateway sends on its own (list_changed once the upstream is ready) may
    // come at any time: only messages with an id count.
    auto replies = [&](QList<QJsonObject> &into) {
        for (const QJsonObject &m : take())
            if (m.contains(u"id"_s))
                into.append(m);
    };
    auto exchange = [&](const QByteArray &line, qsizetype expected) {
        take();
        gw()->stdioReceive(line);
        QList<QJsonObject> out;
        if (expected > 0) {
            (void)QTest::qWaitFor(
                [&] {
                    replies(out);
                    return out.size() >= expected;
                },
                10'000);
            return out;
        }
        gw()->stdioReceive(marker);
        (void)QTest::qWaitFor(
            [&] {
                replies(out);
                return !out.isEmpty() && out.last().value(u"id"_s) == QJsonValue(u"marker"_s);
            },
            10'000);
        if (!out.isEmpty() && out.last().value(u"id"_s) == QJsonValue(u"marker"_s))
            out.removeLast();
        else
            out.append(QJsonObject{{u"missing"_s, u"marker"_s}});
        return out;
    };

    QCOMPARE(exchange("   \n", 0).size(), 0);
    QList<QJsonObject> out = exchange("this is not json", 1);
    QCOMPARE(out.size(), 1);
    QCOMPARE(errorCode(out.first()), -32700);
    out = exchange(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])", 1);
    QCOMPARE(out.size(), 1);
    QCOMPARE(errorCode(out.first()), -32600);
    QVERIFY(errorMessage(out.first()).contains(u"batches are not supported"_s));
    out = exchange(R"({"jsonrpc":"2.0","id":4,"method":"tools/list"})", 1);
    QCOMPARE(out.size(), 1);
    QCOMPARE(errorCode(out.first()), -32600);
    QCOMPARE(out.first().value(u"id"_s).toInt(), 4);
    QVERIFY(errorMessage(out.first()).contains(u"not initialized"_s));
    out = exchange(R"({"jsonrpc":"1.0","id":5,"method":"ping"})", 1);
    QCOMPARE(out.size(), 1);
    QCOMPARE(errorCode(out.first()), -32600);
    QCOMPARE(out.first().value(u"id"_s).toInt(), 5);
    out = exchange(R"({"jsonrpc":"2.0","id":{"x":1},"method":"ping"})", 1);
    QCOMPARE(out.size(), 1);
    QCOMPARE(errorCode(out.first()), -32600);
    QCOMPARE(out.first().value(u"id"_s), QJsonValue(QJsonValue::Null));
    // A response nobody asked for and a notification: no output.
    QCOMPARE(exchange(R"({"jsonrpc":"2.0","id":"s-1","result":{}})", 0).size(), 0);
    QCOMPARE(exchange(R"({"jsonrpc":"2.0","method":"notifications/roots/list_changed"})", 0).size(), 0);

    // 2026-07-28 requests need no initialize: they carry the envelope.
    const QJsonObject meta{{u"io.modelcontextprotocol/protocolVersion"_s, u"2026-07-28"_s},
                           {u"io.modelcontextprotocol/clientCapabilities"_s, QJsonObject{}}};
    out = exchange(QJsonDocument(rpc(6, u"tools/list"_s, {{u"_meta"_s, meta}})).toJson(QJsonDocument::Compact), 1);
    QCOMPARE(out.size(), 1);
    QCOMPARE(out.first().value(u"id"_s).toInt(), 6);
    const QJsonObject listed = out.first().value(u"result"_s).toObject();
    QCOMPARE(listed.value(u"resultType"_s).toString(), u"complete"_s);
    QVERIFY(QJsonDocument(listed).toJson().contains("api__answer"));

    // initialize, then the session works.
    const QJsonObject init = rpc(7, u"initialize"_s,
                                 {{u"protocolVersion"_s, u"2025-06-18"_s},
                                  {u"capabilities"_s, QJsonObject{}},
                                  {u"clientInfo"_s, QJsonObject{{u"name"_s, u"stdio"_s}, {u"version"_s, u"1"_s}}}});
    out = exchange(QJsonDocument(init).toJson(QJsonDocument::Compact), 1);
    QCOMPARE(out.size(), 1);
    QCOMPARE(out.first().value(u"result"_s).toObject().value(u"protocolVersion"_s).toString(), u"2025-06-18"_s);
    out = exchange(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"api__answer"}})", 1);
    QCOMPARE(out.size(), 1);
    QCOMPARE(out.first().value(u"id"_s).toInt(), 8);
    QVERIFY(QJsonDocument(out.first()).toJson().contains("42"));
}

QTEST_GUILESS_MAIN(TestGatewayFacade)
#include "tst_gatewayfacade.moc"
