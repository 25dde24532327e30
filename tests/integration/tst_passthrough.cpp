// Tool results travel to the client as the upstream wrote them: the gateway checks them (strict
// RFC 8259) and splices the text into its response instead of parsing it into a QJsonObject and
// serialising it again.
// * A REST tool's JSON body becomes text and structuredContent. Checked through every client
//   transport of the real gateway (Streamable HTTP session, legacy SSE, the stdio bridge,
//   stateless 2026-07-28, console requests) and in the call events, with a REST API on 127.0.0.1
//   (a QTcpServer) that answers canned bodies: ones that must be spliced byte for byte, and ones
//   Qt reads more leniently than RFC 8259 allows, which take the parsing path.
// * An MCP server's tools/call result over stdio (a real SDK server, peers/ordered-server.mjs)
//   keeps its key order, its isError reaches the call events, and it is spliced into an SSE
//   answer too when progress came first.

#include "gatewayfixture.h"
#include "rawhttp.h"
#include "testsupport.h"

#include "model/jsontext.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <optional>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

namespace {

// Key order, a number beyond double precision, escapes and UTF-8: what re-serialising would
// change, and what splicing keeps. Pretty-printed, as many APIs answer: its line breaks become
// spaces, since the client transports frame messages by lines.
const QByteArray kObject = "{\n  \"z\": 1,\r\n  \"a\": 12345678901234567890,\n  \"s\": \"\xc3\xa9 \\\"q\\\" \\\\ "
                           "\\u00e9\",\n  \"n\": [1, 2]\n}\n";

QByteArray oneLine(QByteArray json)
{
    return json.replace('\n', ' ').replace('\r', ' ');
}

// `"structuredContent":<raw>` as the gateway writes a spliced body.
QByteArray structuredPart(const QByteArray &raw)
{
    return QByteArray("\"structuredContent\":") + oneLine(raw);
}

struct Body
{
    QByteArray contentType;
    QByteArray bytes;
};

const QMap<QByteArray, Body> &bodies()
{
    static const QMap<QByteArray, Body> map{
        {"/object", {"application/json", kObject}},
        {"/array", {"application/json; charset=utf-8", R"([1,"two",{"three":3}])"}},
        {"/scalar", {"application/json", R"(  "just a string"  )"}},
        {"/untyped", {"", R"({"untyped":true})"}},
        {"/lenient", {"application/json", "{\"tab\":\"x\ty\"}"}}, // raw tab: Qt reads it, RFC 8259 does not
        {"/huge", {"application/json", R"({"a":1e999})"}},        // no parser here takes it: text only
    };
    return map;
}

// The REST API: answers GET <path> with the canned body and closes the connection. It runs on
// its own thread: the test's thread blocks in the HTTP helpers while the gateway calls it.
class ApiPeer
{
public:
    ApiPeer()
    {
        m_anchor.moveToThread(&m_thread);
        m_thread.start();
    }
    ~ApiPeer()
    {
        QMetaObject::invokeMethod(
            &m_anchor,
            [this] {
                delete m_server;
                m_anchor.moveToThread(QCoreApplication::instance()->thread());
            },
            Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    bool listen()
    {
        bool ok = false;
        QMetaObject::invokeMethod(
            &m_anchor,
            [this, &ok] {
                m_server = new QTcpServer;
                QObject::connect(m_server, &QTcpServer::newConnection, m_server, [this] { accept(); });
                ok = m_server->listen(QHostAddress::LocalHost, 0);
                m_port = m_server->serverPort();
            },
            Qt::BlockingQueuedConnection);
        return ok;
    }
    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port)); }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                const QByteArray head = socket->readAll();
                const QByteArray path = head.split(' ').value(1);
                const auto it = bodies().constFind(path);
                if (it == bodies().cend()) {
                    socket->write("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                } else {
                    QByteArray response = "HTTP/1.1 200 OK\r\n";
                    if (!it->contentType.isEmpty())
                        response += "Content-Type: " + it->contentType + "\r\n";
                    response += "Content-Length: " + QByteArray::number(it->bytes.size()) +
                                "\r\nConnection: close\r\n\r\n" + it->bytes;
                    socket->write(response);
                }
                socket->disconnectFromHost();
            });
        }
    }

    QThread m_thread;
    QObject m_anchor;
    QTcpServer *m_server = nullptr; // lives on m_thread
    quint16 m_port = 0;
};

UpstreamConfig restServer(const QUrl &url)
{
    UpstreamConfig c;
    c.name = u"api"_s;
    c.kind = UpstreamKind::Rest;
    c.url = url;
    for (auto it = bodies().cbegin(); it != bodies().cend(); ++it) {
        RestToolConfig t;
        t.name = QString::fromLatin1(it.key().mid(1));
        t.description = u"GET "_s + QString::fromLatin1(it.key());
        t.urlTemplate = QString::fromLatin1(it.key());
        t.inputSchema = QJsonObject{{u"type"_s, u"object"_s}};
        t.timeoutMs = 20'000;
        c.restTools.append(t);
    }
    return c;
}

QJsonObject callParams(const QString &tool)
{
    return QJsonObject{{u"name"_s, QString(u"api__"_s + tool)}, {u"arguments"_s, QJsonObject{}}};
}

QJsonObject resultOf(const QJsonObject &response)
{
    return response.value(u"result"_s).toObject();
}

QString textOf(const QJsonObject &result)
{
    return result.value(u"content"_s).toArray().at(0).toObject().value(u"text"_s).toString();
}

// What the client must see for `body`: its text, and its structured content.
void checkResult(const QJsonObject &result, const QByteArray &body)
{
    QVERIFY2(!result.value(u"isError"_s).toBool(), QJsonDocument(result).toJson().constData());
    QCOMPARE(textOf(result), QString::fromUtf8(body));
    const QJsonObject structured = result.value(u"structuredContent"_s).toObject();
    const QJsonValue value = QJsonDocument::fromJson("[" + body + "]").array().at(0);
    const QJsonObject expected = value.isObject() ? value.toObject() : QJsonObject{{u"result"_s, value}};
    QCOMPARE(structured, expected);
}

} // namespace

class TestPassthrough final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void streamableHttpSplicesTheBody();
    void bodyKinds_data();
    void bodyKinds();
    void legacySse();
    void stdioBridge();
    void stateless2026();
    void consoleRequest();
    void callEventsCarryTheResponse();
    void stdioResultKeepsItsText();
    void stdioToolError();
    void stdioResultAfterProgress();

private:
    QByteArray initialize();

    GatewayFixture m_fixture;
    ApiPeer m_api;
    quint16 m_port = 0;
    QByteArray m_session;
    QMutex m_eventsMutex;
    QList<CallEvent> m_events;
};

void TestPassthrough::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));
    m_port = m_fixture.port();
    connect(m_fixture.gateway(), &Gateway::callEvents, this, [this](const QList<CallEvent> &events) {
        QMutexLocker lock(&m_eventsMutex);
        m_events.append(events);
    });
    QVERIFY(m_api.listen());
    QCOMPARE(m_fixture.addServer(restServer(m_api.url())), QString());
    QVERIFY(m_fixture.waitForTool(kDefaultNamespace, u"api__object"_s));
    QVERIFY(m_fixture.waitForUpstreamState(u"api"_s, UpstreamState::Ready));
    UpstreamConfig ordered;
    ordered.name = u"ordered"_s;
    ordered.command = nodeProgram();
    ordered.args = {sourceDir() + u"/tests/integration/peers/ordered-server.mjs"_s};
    ordered.env.insert(u"METAMCP_NPM_DIR"_s, npmDir());
    QCOMPARE(m_fixture.addServer(ordered), QString());
    QVERIFY(m_fixture.waitForTool(kDefaultNamespace, u"ordered__progress"_s));
    m_session = initialize();
    QVERIFY(!m_session.isEmpty());
}

QByteArray TestPassthrough::initialize()
{
    const RawResponse init = initializeSession(m_port);
    if (init.status != 200)
        return {};
    const QByteArray session = init.header("mcp-session-id");
    postJson(m_port, "/mcp", QJsonObject{{u"jsonrpc"_s, u"2.0"_s}, {u"method"_s, u"notifications/initialized"_s}},
             mcpHeaders(session, "2025-11-25"));
    return session;
}

void TestPassthrough::streamableHttpSplicesTheBody()
{
    // A string id that needs escaping, to check the envelope written around the spliced result.
    const QString id = u"id \"with\" quotes\\"_s;
    const RawResponse r = postJson(m_port, "/mcp", rpc(id, u"tools/call"_s, callParams(u"object"_s)),
                                   mcpHeaders(m_session, "2025-11-25"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
    QVERIFY2(json::isStrictJson(r.body), r.body.constData());
    QVERIFY2(r.body.startsWith(R"({"jsonrpc":"2.0","id":"id \"with\" quotes\\","result":{"content":[{"type":"text",)"),
             r.body.constData());
    // The upstream's bytes as they were: key order, the 20-digit number, the escapes.
    QVERIFY2(r.body.contains(QByteArray(structuredPart(kObject) + "}}")), r.body.constData());
    QVERIFY(!r.body.contains('\n'));
    const QJsonObject response = r.json();
    QCOMPARE(response.value(u"id"_s).toString(), id);
    checkResult(resultOf(response), kObject);
}

void TestPassthrough::bodyKinds_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<bool>("spliced");
    QTest::addColumn<bool>("structured");

    QTest::newRow("array") << u"array"_s << true << true;
    QTest::newRow("scalar") << u"scalar"_s << true << true;
    QTest::newRow("no content type") << u"untyped"_s << true << true;
    QTest::newRow("lenient JSON: parsed by Qt") << u"lenient"_s << false << true;
    QTest::newRow("unreadable number: text only") << u"huge"_s << false << false;
}

void TestPassthrough::bodyKinds()
{
    QFETCH(QString, tool);
    QFETCH(bool, spliced);
    QFETCH(bool, structured);
    const QByteArray body = bodies().value("/" + tool.toLatin1()).bytes;
    const RawResponse r =
        postJson(m_port, "/mcp", rpc(7, u"tools/call"_s, callParams(tool)), mcpHeaders(m_session, "2025-11-25"));
    QCOMPARE(r.status, 200);
    QVERIFY2(json::isStrictJson(r.body), r.body.constData()); // always valid JSON to the client
    const QJsonObject result = resultOf(r.json());
    if (structured) {
        checkResult(result, body);
    } else {
        QVERIFY(!result.contains(u"structuredContent"_s));
        QCOMPARE(textOf(result), QString::fromUtf8(body));
    }
    if (spliced) {
        const QByteArray raw = QJsonDocument::fromJson("[" + body + "]").array().at(0).isObject()
                                   ? body
                                   : QByteArray(R"({"result":)" + body + "}");
        QVERIFY2(r.body.contains(structuredPart(raw)), r.body.constData());
    }
}

void TestPassthrough::legacySse()
{
    StreamClient sse;
    QVERIFY(sse.open(m_port, buildRequest(m_port, "GET", "/sse", {{"Accept", "text/event-stream"}}, {})));
    QCOMPARE(sse.status(), 200);
    SseEvent endpoint;
    QVERIFY(sse.nextEvent(&endpoint));
    QVERIFY(endpoint.data.startsWith("/messages?sessionId="));
    const RawHeaders json{{"Content-Type", "application/json"}};
    const QJsonObject init{{u"protocolVersion"_s, u"2024-11-05"_s},
                           {u"capabilities"_s, QJsonObject{}},
                           {u"clientInfo"_s, QJsonObject{{u"name"_s, u"legacy"_s}, {u"version"_s, u"1"_s}}}};
    QCOMPARE(postJson(m_port, endpoint.data, rpc(1, u"initialize"_s, init), json).status, 202);
    SseEvent initResult;
    QVERIFY(sse.nextEvent(&initResult));
    QCOMPARE(postJson(m_port, endpoint.data, rpc(2, u"tools/call"_s, callParams(u"object"_s)), json).status, 202);
    SseEvent callResult;
    QVERIFY(sse.nextEvent(&callResult));
    QCOMPARE(callResult.event, QByteArray("message"));
    QVERIFY2(callResult.data.startsWith(R"({"jsonrpc":"2.0","id":2,"result":)"), callResult.data.constData());
    QVERIFY2(callResult.data.contains(structuredPart(kObject)), callResult.data.constData());
    checkResult(resultOf(callResult.json()), kObject);
}

void TestPassthrough::stdioBridge()
{
    struct Lines
    {
        QMutex mutex;
        QList<QByteArray> raw;
    };
    auto sink = std::make_shared<Lines>();
    m_fixture.gateway()->openStdioSession(kDefaultNamespace, [sink](const QByteArray &line) {
        QMutexLocker lock(&sink->mutex);
        sink->raw.append(line);
    });
    // Waits for the line that answers `id`.
    auto answer = [sink](const QByteArray &idText) {
        QByteArray found;
        (void)QTest::qWaitFor(
            [&] {
                QMutexLocker lock(&sink->mutex);
                for (const QByteArray &line : std::as_const(sink->raw))
                    if (line.contains(QByteArray("\"id\":" + idText + ",")))
                        found = line;
                return !found.isEmpty();
            },
            15'000);
        return found;
    };
    const QJsonObject init = rpc(1, u"initialize"_s,
                                 {{u"protocolVersion"_s, u"2025-11-25"_s},
                                  {u"capabilities"_s, QJsonObject{}},
                                  {u"clientInfo"_s, QJsonObject{{u"name"_s, u"stdio"_s}, {u"version"_s, u"1"_s}}}});
    m_fixture.gateway()->stdioReceive(QJsonDocument(init).toJson(QJsonDocument::Compact));
    QVERIFY(!answer("1").isEmpty());
    m_fixture.gateway()->stdioReceive(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    m_fixture.gateway()->stdioReceive(
        QJsonDocument(rpc(u"call-2"_s, u"tools/call"_s, callParams(u"object"_s))).toJson(QJsonDocument::Compact));
    const QByteArray line = answer("\"call-2\"");
    QVERIFY2(line.startsWith(R"({"jsonrpc":"2.0","id":"call-2","result":)"), line.constData());
    // One line: the body's line breaks are escaped in the text and spaces in structuredContent.
    QVERIFY(line.endsWith("}\n"));
    QCOMPARE(line.count('\n'), 1);
    QVERIFY(line.contains(structuredPart(kObject)));
    checkResult(resultOf(QJsonDocument::fromJson(line).object()), kObject);
}

void TestPassthrough::stateless2026()
{
    const QJsonObject meta{
        {u"io.modelcontextprotocol/protocolVersion"_s, u"2026-07-28"_s},
        {u"io.modelcontextprotocol/clientCapabilities"_s, QJsonObject{}},
        {u"io.modelcontextprotocol/clientInfo"_s, QJsonObject{{u"name"_s, u"modern"_s}, {u"version"_s, u"1"_s}}}};
    QJsonObject params = callParams(u"object"_s);
    params.insert(u"_meta"_s, meta);
    RawHeaders headers = mcpHeaders({}, "2026-07-28");
    headers.append(std::pair<QByteArray, QByteArray>("Mcp-Method", "tools/call"));
    headers.append(std::pair<QByteArray, QByteArray>("Mcp-Name", "api__object"));
    const RawResponse r = postJson(m_port, "/mcp", rpc(5, u"tools/call"_s, params), headers);
    QCOMPARE(r.status, 200);
    const QJsonObject result = resultOf(r.json());
    checkResult(result, kObject);
    // The 2026-07-28 fields the gateway adds: this answer went through the parsed path.
    QCOMPARE(result.value(u"resultType"_s).toString(), u"complete"_s);
    QVERIFY(result.value(u"_meta"_s).toObject().contains(u"io.modelcontextprotocol/serverInfo"_s));
}

void TestPassthrough::consoleRequest()
{
    const QJsonObject response = m_fixture.request(kDefaultNamespace, u"tools/call"_s, callParams(u"object"_s));
    checkResult(resultOf(response), kObject);
}

void TestPassthrough::callEventsCarryTheResponse()
{
    const RawResponse r =
        postJson(m_port, "/mcp", rpc(11, u"tools/call"_s, callParams(u"array"_s)), mcpHeaders(m_session, "2025-11-25"));
    QCOMPARE(r.status, 200);
    CallEvent event;
    QVERIFY(QTest::qWaitFor(
        [&] {
            QMutexLocker lock(&m_eventsMutex);
            for (const CallEvent &e : std::as_const(m_events))
                if (e.tool == u"api__array"_s && e.request.value(u"id"_s) == QJsonValue(11)) {
                    event = e;
                    return true;
                }
            return false;
        },
        10'000));
    QCOMPARE(event.status, 0);
    QCOMPARE(event.statusText, u"ok"_s);
    QCOMPARE(event.upstream, u"api"_s);
    QCOMPARE(event.responseBytes, r.body.size());
    QCOMPARE(event.response, r.json()); // the inspector sees what the client got
}

namespace {

// What the ordered server's structuredContent is, as JSON.stringify writes it.
const QByteArray kOrdered = R"({"zeta":1,"alpha":"two\nlines","mid":[3,{"y":true,"b":null}]})";

std::optional<CallEvent> eventFor(QMutex &mutex, const QList<CallEvent> &events, const QString &tool, int id)
{
    QMutexLocker lock(&mutex);
    for (const CallEvent &e : events)
        if (e.tool == tool && e.request.value(u"id"_s) == QJsonValue(id))
            return e;
    return std::nullopt;
}

} // namespace

void TestPassthrough::stdioResultKeepsItsText()
{
    const RawResponse r = postJson(m_port, "/mcp", rpc(21, u"tools/call"_s, {{u"name"_s, u"ordered__ordered"_s}}),
                                   mcpHeaders(m_session, "2025-11-25"));
    QCOMPARE(r.status, 200);
    QVERIFY2(json::isStrictJson(r.body), r.body.constData());
    // In the server's key order (a QJsonObject would have sorted them: alpha, mid, zeta).
    QVERIFY2(r.body.contains(QByteArray(QByteArray("\"structuredContent\":") + kOrdered)), r.body.constData());
    QVERIFY2(r.body.startsWith(R"({"jsonrpc":"2.0","id":21,"result":)"), r.body.constData());
    const QJsonObject result = resultOf(r.json());
    QCOMPARE(result.value(u"structuredContent"_s).toObject(), QJsonDocument::fromJson(kOrdered).object());
    QCOMPARE(textOf(result), QString::fromUtf8(kOrdered));
}

void TestPassthrough::stdioToolError()
{
    const RawResponse r = postJson(m_port, "/mcp", rpc(22, u"tools/call"_s, {{u"name"_s, u"ordered__fails"_s}}),
                                   mcpHeaders(m_session, "2025-11-25"));
    QCOMPARE(r.status, 200);
    const QJsonObject result = resultOf(r.json());
    QVERIFY(result.value(u"isError"_s).toBool());
    QCOMPARE(textOf(result), u"it failed"_s);
    std::optional<CallEvent> event;
    QVERIFY(QTest::qWaitFor(
        [&] { return (event = eventFor(m_eventsMutex, m_events, u"ordered__fails"_s, 22)).has_value(); }, 10'000));
    QCOMPARE(event->status, 1);
    QCOMPARE(event->statusText, u"tool error"_s);
    QCOMPARE(event->upstream, u"ordered"_s);
    QCOMPARE(event->response, r.json());
}

void TestPassthrough::stdioResultAfterProgress()
{
    QJsonObject params{{u"name"_s, u"ordered__progress"_s}, {u"_meta"_s, QJsonObject{{u"progressToken"_s, u"p-1"_s}}}};
    StreamClient stream;
    QVERIFY(stream.open(m_port,
                        buildRequest(m_port, "POST", "/mcp", mcpHeaders(m_session, "2025-11-25"),
                                     QJsonDocument(rpc(23, u"tools/call"_s, params)).toJson(QJsonDocument::Compact))));
    QCOMPARE(stream.status(), 200);
    QCOMPARE(stream.header("content-type"), QByteArray("text/event-stream"));
    QList<SseEvent> events;
    SseEvent e;
    while (stream.nextEvent(&e, 15'000)) {
        if (e.data.trimmed().isEmpty())
            continue; // the priming event
        events.append(e);
        if (e.json().contains(u"result"_s) || e.json().contains(u"error"_s))
            break;
    }
    QCOMPARE(events.size(), 2);
    const QJsonObject progress = events.first().json();
    QCOMPARE(progress.value(u"method"_s).toString(), u"notifications/progress"_s);
    QCOMPARE(progress.value(u"params"_s).toObject().value(u"progressToken"_s).toString(), u"p-1"_s);
    QVERIFY2(events.last().data.startsWith(R"({"jsonrpc":"2.0","id":23,"result":)"), events.last().data.constData());
    QVERIFY2(events.last().data.contains(QByteArray(QByteArray("\"structuredContent\":") + kOrdered)),
             events.last().data.constData());
    QVERIFY(!events.last().id.isEmpty()); // numbered, so a client can resume after it
}

QTEST_GUILESS_MAIN(TestPassthrough)
#include "tst_passthrough.moc"
