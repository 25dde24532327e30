// RestUpstream against real HTTP peers on 127.0.0.1: nginx (static JSON/text files, 404,
// `return 500`) started from a generated config, and a raw QTcpServer peer that records the
// request bytes it receives (query, headers, body) or never answers (timeouts).

#include "testsupport.h"
#include "upstream/restupstream.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace metamcp;
using namespace metamcp::test;

namespace {

struct RecordedRequest
{
    QByteArray requestLine;               // "GET /path?query HTTP/1.1"
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

// A minimal HTTP/1.1 peer: records each request, answers with a canned response, or (hang)
// accepts and never answers.
class RawHttpPeer
{
public:
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QString url(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path); }

    bool hang = false;
    QByteArray status = "200 OK";
    QByteArray contentType = "application/json";
    QByteArray responseBody = R"({"ok": true})";
    QList<RecordedRequest> requests;
    int connections = 0;
    int disconnects = 0;

    RawHttpPeer()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(socket, &QTcpSocket::disconnected, socket, [this, socket] {
                    ++disconnects;
                    socket->deleteLater();
                });
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                    *buffer += socket->readAll();
                    const qsizetype end = buffer->indexOf("\r\n\r\n");
                    if (end < 0)
                        return;
                    RecordedRequest request;
                    const QList<QByteArray> lines = buffer->left(end).split('\n');
                    request.requestLine = lines.value(0).trimmed();
                    for (qsizetype i = 1; i < lines.size(); ++i) {
                        const qsizetype colon = lines.at(i).indexOf(':');
                        if (colon > 0)
                            request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                                   lines.at(i).mid(colon + 1).trimmed());
                    }
                    const qsizetype length = request.headers.value("content-length", "0").toLongLong();
                    if (buffer->size() < end + 4 + length)
                        return; // body incomplete
                    request.body = buffer->mid(end + 4, length);
                    buffer->clear();
                    requests << request;
                    if (hang)
                        return;
                    socket->write("HTTP/1.1 " + status + "\r\nContent-Type: " + contentType +
                                  "\r\nContent-Length: " + QByteArray::number(responseBody.size()) +
                                  "\r\nConnection: close\r\n\r\n" + responseBody);
                    socket->disconnectFromHost();
                });
            }
        });
    }

private:
    QTcpServer m_server;
};

RestToolConfig restTool(const QString &name, const QString &method, const QString &url)
{
    RestToolConfig t;
    t.name = name;
    t.method = method;
    t.urlTemplate = url;
    t.description = QStringLiteral("Tool %1").arg(name);
    t.inputSchema = QJsonObject{{QStringLiteral("type"), QStringLiteral("object")}};
    t.timeoutMs = 10'000;
    return t;
}

QJsonObject callParams(const QString &tool, const QJsonObject &arguments = {})
{
    return QJsonObject{{QStringLiteral("name"), tool}, {QStringLiteral("arguments"), arguments}};
}

QJsonObject resultOf(const QJsonObject &response)
{
    return response.value(QStringLiteral("result")).toObject();
}

} // namespace

class TestRestUpstream final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void lifecycle();
    void invalidConfigFails();
    void localMethods();
    void toolsList();
    void jsonResponses_data();
    void jsonResponses();
    void textResponse();
    void httpErrors_data();
    void httpErrors();
    void percentEncodedPathThroughNginx();
    void getWithPathQueryAndHeaders();
    void postRemainingArgumentsAsBody();
    void bodyParam_data();
    void bodyParam();
    void connectionRefused();
    void timeout();
    void cancelAbortsTheRequest();
    void stopFailsInFlight();

private:
    UpstreamConfig config(const QList<RestToolConfig> &tools) const;

    QTemporaryDir m_dir;
    ProcessFixture m_nginx;
    quint16 m_nginxPort = 0;
};

void TestRestUpstream::initTestCase()
{
    QVERIFY2(QFileInfo(nginxProgram()).isExecutable(), "nginx is required: apt-get install nginx-light (or nginx)");
    QVERIFY(m_dir.isValid());
    const QString root = m_dir.path();
    m_nginxPort = m_nginx.reservePort(); // nginx cannot listen on port 0: one held while it runs
    QVERIFY(m_nginxPort != 0);

    QVERIFY(writeFile(root + QStringLiteral("/www/api/pets/7"), R"({"id": 7, "name": "Rex", "tags": ["good"]})"));
    QVERIFY(writeFile(root + QStringLiteral("/www/api/numbers.json"), "[1, 2, 3]"));
    QVERIFY(writeFile(root + QStringLiteral("/www/api/answer.json"), "42"));
    QVERIFY(writeFile(root + QStringLiteral("/www/api/hello.txt"), "Hello, world!\n"));
    QVERIFY(writeFile(root + QStringLiteral("/www/api/files/a b+c.txt"), "spaces and plus"));

    const QString http = QStringLiteral(R"(    types { application/json json; text/plain txt; }
    default_type text/plain;
    server {
        listen 127.0.0.1:%1;
        root %2/www;
        location /api/pets/ { default_type application/json; }
        location = /api/boom { return 500 "database exploded"; }
        location = /api/teapot { return 418; }
    }
)")
                             .arg(m_nginxPort)
                             .arg(root);
    QVERIFY2(startNginx(m_nginx, root, http, {m_nginxPort}), m_nginx.output().constData());
}

void TestRestUpstream::cleanupTestCase()
{
    m_nginx.stop();
}

UpstreamConfig TestRestUpstream::config(const QList<RestToolConfig> &tools) const
{
    UpstreamConfig c;
    c.name = QStringLiteral("petstore");
    c.kind = UpstreamKind::Rest;
    c.url = QUrl(QStringLiteral("http://127.0.0.1:%1/api/").arg(m_nginxPort));
    c.restTools = tools;
    c.requestTimeoutMs = 20'000;
    return c;
}

void TestRestUpstream::lifecycle()
{
    RestUpstream upstream(
        config({restTool(QStringLiteral("getPet"), QStringLiteral("GET"), QStringLiteral("/pets/{id}"))}));
    QSignalSpy states(&upstream, &Upstream::stateChanged);
    QCOMPARE(upstream.state(), UpstreamState::Stopped);
    upstream.start();
    QCOMPARE(upstream.state(), UpstreamState::Ready);
    QCOMPARE(states.size(), 1);
    QCOMPARE(upstream.serverInfo().value(QStringLiteral("name")).toString(), QStringLiteral("petstore"));
    QVERIFY(upstream.serverCapabilities().contains(QStringLiteral("tools")));
    upstream.start(); // no-op
    QCOMPARE(states.size(), 1);
    upstream.stop();
    QCOMPARE(upstream.state(), UpstreamState::Stopped);
    // Stopped: requests fail at once with "unavailable".
    const QJsonObject response = requestAndWait(upstream, QStringLiteral("ping"));
    QCOMPARE(response.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(),
             rpcerr::UpstreamUnavailable);
}

void TestRestUpstream::invalidConfigFails()
{
    UpstreamConfig c = config({restTool(QStringLiteral("bad name"), QStringLiteral("GET"), QStringLiteral("/x"))});
    RestUpstream upstream(c);
    upstream.start();
    QCOMPARE(upstream.state(), UpstreamState::Failing);
    QVERIFY(upstream.stateReason().contains(QLatin1String("bad name")));

    c.restTools.clear();
    RestUpstream empty(c);
    empty.start();
    QCOMPARE(empty.state(), UpstreamState::Failing);
}

void TestRestUpstream::localMethods()
{
    RestUpstream upstream(
        config({restTool(QStringLiteral("getPet"), QStringLiteral("GET"), QStringLiteral("/pets/{id}"))}));
    upstream.start();

    const QJsonObject init = resultOf(requestAndWait(
        upstream, QStringLiteral("initialize"),
        QJsonObject{{QStringLiteral("protocolVersion"), QStringLiteral("2025-06-18")},
                    {QStringLiteral("capabilities"), QJsonObject{}},
                    {QStringLiteral("clientInfo"), QJsonObject{{QStringLiteral("name"), QStringLiteral("t")}}}}));
    QCOMPARE(init.value(QStringLiteral("protocolVersion")).toString(), QStringLiteral("2025-06-18"));
    QCOMPARE(init.value(QStringLiteral("capabilities")).toObject(),
             (QJsonObject{{QStringLiteral("tools"), QJsonObject{{QStringLiteral("listChanged"), false}}}}));
    QCOMPARE(init.value(QStringLiteral("serverInfo")).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("petstore"));

    const QJsonObject ping = requestAndWait(upstream, QStringLiteral("ping"));
    QVERIFY(ping.contains(QStringLiteral("result")));
    QCOMPARE(ping.value(QStringLiteral("jsonrpc")).toString(), QStringLiteral("2.0"));

    const QJsonObject unknown = requestAndWait(upstream, QStringLiteral("resources/list"));
    QCOMPARE(unknown.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(),
             rpcerr::MethodNotFound);

    const QJsonObject noTool =
        requestAndWait(upstream, QStringLiteral("tools/call"), callParams(QStringLiteral("nope")));
    QCOMPARE(noTool.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(),
             rpcerr::InvalidParams);

    // The answer is never delivered from inside sendRequest().
    bool answered = false;
    upstream.sendRequest(QStringLiteral("ping"), {}, [&answered](const QJsonObject &) { answered = true; });
    QVERIFY(!answered);
    QTRY_VERIFY(answered);
}

void TestRestUpstream::toolsList()
{
    RestToolConfig get = restTool(QStringLiteral("getPet"), QStringLiteral("GET"), QStringLiteral("/pets/{id}"));
    get.title = QStringLiteral("Get a pet");
    get.inputSchema = QJsonObject{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("id"), QJsonObject{{QStringLiteral("type"), QStringLiteral("integer")}}}}},
        {QStringLiteral("required"), QJsonArray{QStringLiteral("id")}}};
    get.annotations = QJsonObject{{QStringLiteral("readOnlyHint"), true}};
    get.outputSchema = QJsonObject{{QStringLiteral("type"), QStringLiteral("array")}};
    RestToolConfig post = restTool(QStringLiteral("addPet"), QStringLiteral("POST"), QStringLiteral("/pets"));
    post.inputSchema = {};

    RestUpstream upstream(config({get, post}));
    upstream.start();
    const QJsonArray tools =
        resultOf(requestAndWait(upstream, QStringLiteral("tools/list"))).value(QStringLiteral("tools")).toArray();
    QCOMPARE(tools.size(), 2);
    const QJsonObject first = tools.at(0).toObject();
    QCOMPARE(first, RestUpstream::toolDescriptor(get));
    QCOMPARE(first.value(QStringLiteral("name")).toString(), QStringLiteral("getPet"));
    QCOMPARE(first.value(QStringLiteral("title")).toString(), QStringLiteral("Get a pet"));
    QCOMPARE(first.value(QStringLiteral("description")).toString(), QStringLiteral("Tool getPet"));
    QCOMPARE(first.value(QStringLiteral("inputSchema")).toObject(), get.inputSchema);
    QCOMPARE(first.value(QStringLiteral("annotations")).toObject(), get.annotations);
    // Non-object output schema: wrapped like the structured content.
    const QJsonObject output = first.value(QStringLiteral("outputSchema")).toObject();
    QCOMPARE(output.value(QStringLiteral("type")).toString(), QStringLiteral("object"));
    QCOMPARE(output.value(QStringLiteral("properties")).toObject().value(QStringLiteral("result")).toObject(),
             get.outputSchema);
    // Empty input schema: still an object schema.
    QCOMPARE(
        tools.at(1).toObject().value(QStringLiteral("inputSchema")).toObject().value(QStringLiteral("type")).toString(),
        QStringLiteral("object"));
}

void TestRestUpstream::jsonResponses_data()
{
    QTest::addColumn<QString>("urlTemplate");
    QTest::addColumn<QJsonObject>("arguments");
    QTest::addColumn<QJsonObject>("structured");

    QTest::newRow("object") << QStringLiteral("/pets/{id}") << QJsonObject{{QStringLiteral("id"), 7}}
                            << QJsonDocument::fromJson(R"({"id": 7, "name": "Rex", "tags": ["good"]})").object();
    QTest::newRow("array") << QStringLiteral("numbers.json") << QJsonObject{}
                           << QJsonObject{{QStringLiteral("result"), QJsonArray{1, 2, 3}}};
    QTest::newRow("scalar") << QStringLiteral("/answer.json") << QJsonObject{}
                            << QJsonObject{{QStringLiteral("result"), 42}};
    QTest::newRow("absolute url") << QStringLiteral("http://127.0.0.1:%1/api/pets/{id}").arg(m_nginxPort)
                                  << QJsonObject{{QStringLiteral("id"), QStringLiteral("7")}}
                                  << QJsonDocument::fromJson(R"({"id": 7, "name": "Rex", "tags": ["good"]})").object();
}

void TestRestUpstream::jsonResponses()
{
    QFETCH(QString, urlTemplate);
    QFETCH(QJsonObject, arguments);
    QFETCH(QJsonObject, structured);
    RestUpstream upstream(config({restTool(QStringLiteral("t"), QStringLiteral("GET"), urlTemplate)}));
    upstream.start();
    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"), callParams(QStringLiteral("t"), arguments));
    const QJsonObject result = resultOf(response);
    QVERIFY2(!result.value(QStringLiteral("isError")).toBool(), qPrintable(firstText(response)));
    QCOMPARE(result.value(QStringLiteral("structuredContent")).toObject(), structured);
    // The text block carries the same JSON.
    const QJsonDocument text = QJsonDocument::fromJson("[" + firstText(response).toUtf8() + "]");
    QVERIFY(!text.isNull());
    const QJsonValue parsed = text.array().at(0);
    const QJsonObject wrapped = parsed.isObject() ? parsed.toObject() : QJsonObject{{QStringLiteral("result"), parsed}};
    QCOMPARE(wrapped, structured);
    QVERIFY(!upstream.recentLog().isEmpty());
}

void TestRestUpstream::textResponse()
{
    RestUpstream upstream(
        config({restTool(QStringLiteral("hello"), QStringLiteral("GET"), QStringLiteral("/hello.txt"))}));
    upstream.start();
    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"), callParams(QStringLiteral("hello")));
    const QJsonObject result = resultOf(response);
    QVERIFY(!result.value(QStringLiteral("isError")).toBool());
    QCOMPARE(firstText(response), QStringLiteral("Hello, world!\n"));
    QVERIFY(!result.contains(QStringLiteral("structuredContent")));
    QCOMPARE(
        result.value(QStringLiteral("content")).toArray().at(0).toObject().value(QStringLiteral("type")).toString(),
        QStringLiteral("text"));
}

void TestRestUpstream::httpErrors_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("expected"); // parts of the error text

    QTest::newRow("404") << QStringLiteral("/missing/{id}")
                         << QStringList{QStringLiteral("HTTP 404"), QStringLiteral("Not Found"),
                                        QStringLiteral("from GET"), QStringLiteral("/api/missing/1")};
    QTest::newRow("500 with body") << QStringLiteral("/boom")
                                   << QStringList{QStringLiteral("HTTP 500"), QStringLiteral("database exploded")};
    QTest::newRow("418") << QStringLiteral("/teapot") << QStringList{QStringLiteral("HTTP 418")};
}

void TestRestUpstream::httpErrors()
{
    QFETCH(QString, path);
    QFETCH(QStringList, expected);
    RestUpstream upstream(config({restTool(QStringLiteral("t"), QStringLiteral("GET"), path)}));
    upstream.start();
    const QJsonObject response = requestAndWait(upstream, QStringLiteral("tools/call"),
                                                callParams(QStringLiteral("t"), {{QStringLiteral("id"), 1}}));
    // A tool error, not a protocol error.
    QVERIFY(response.contains(QStringLiteral("result")));
    QVERIFY(resultOf(response).value(QStringLiteral("isError")).toBool());
    const QString text = firstText(response);
    for (const QString &part : expected)
        QVERIFY2(text.contains(part), qPrintable(text));
}

void TestRestUpstream::percentEncodedPathThroughNginx()
{
    RestUpstream upstream(
        config({restTool(QStringLiteral("file"), QStringLiteral("GET"), QStringLiteral("/files/{name}"))}));
    upstream.start();
    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"),
                       callParams(QStringLiteral("file"), {{QStringLiteral("name"), QStringLiteral("a b+c.txt")}}));
    QVERIFY2(!resultOf(response).value(QStringLiteral("isError")).toBool(), qPrintable(firstText(response)));
    QCOMPARE(firstText(response), QStringLiteral("spaces and plus"));
}

void TestRestUpstream::getWithPathQueryAndHeaders()
{
    RawHttpPeer peer;
    QVERIFY(peer.listen());
    RestToolConfig search =
        restTool(QStringLiteral("search"), QStringLiteral("GET"), QStringLiteral("/items/{category}/list?fixed=1"));
    search.queryParams = {QStringLiteral("q"), QStringLiteral("limit"), QStringLiteral("flags"),
                          QStringLiteral("absent")};
    search.headers = {{QStringLiteral("X-Trace"), QStringLiteral("trace-{traceId}")},
                      {QStringLiteral("X-Optional"), QStringLiteral("{notGiven}")}};
    UpstreamConfig c = config({search});
    c.url = QUrl(peer.url(QStringLiteral("/v1")));
    c.headers = {{QStringLiteral("Authorization"), QStringLiteral("Bearer s3cret")}};
    RestUpstream upstream(c);
    upstream.start();

    const QJsonObject args{{QStringLiteral("category"), QStringLiteral("a b/c?&é")},
                           {QStringLiteral("q"), QStringLiteral("x+y&z=1 ü")},
                           {QStringLiteral("limit"), 5},
                           {QStringLiteral("flags"), QJsonArray{QStringLiteral("a"), true}},
                           {QStringLiteral("traceId"), QStringLiteral("42\r\nX-Evil: 1")}};
    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"), callParams(QStringLiteral("search"), args));
    QVERIFY2(!resultOf(response).value(QStringLiteral("isError")).toBool(), qPrintable(firstText(response)));
    QCOMPARE(resultOf(response).value(QStringLiteral("structuredContent")).toObject(),
             (QJsonObject{{QStringLiteral("ok"), true}}));

    QCOMPARE(peer.requests.size(), 1);
    const RecordedRequest &r = peer.requests.constFirst();
    QCOMPARE(r.requestLine,
             QByteArray("GET /v1/items/a%20b%2Fc%3F%26%C3%A9/list?fixed=1&q=x%2By%26z%3D1%20%C3%BC&limit=5"
                        "&flags=a&flags=true HTTP/1.1"));
    QCOMPARE(r.headers.value("authorization"), QByteArray("Bearer s3cret"));
    QCOMPARE(r.headers.value("x-trace"), QByteArray("trace-42X-Evil: 1")); // no header injection
    QVERIFY(!r.headers.contains("x-evil"));
    QVERIFY(!r.headers.contains("x-optional")); // its argument was not given
    QVERIFY(r.headers.value("accept").contains("application/json"));
    QVERIFY(r.body.isEmpty());
}

void TestRestUpstream::postRemainingArgumentsAsBody()
{
    RawHttpPeer peer;
    QVERIFY(peer.listen());
    peer.status = "201 Created";
    peer.responseBody = R"({"id": 99})";
    RestToolConfig create =
        restTool(QStringLiteral("create"), QStringLiteral("POST"), peer.url(QStringLiteral("/owners/{owner}/pets")));
    create.queryParams = {QStringLiteral("dryRun")};
    create.headers = {{QStringLiteral("X-Request-Id"), QStringLiteral("{requestId}")}};
    RestUpstream upstream(config({create}));
    upstream.start();

    const QJsonObject args{{QStringLiteral("owner"), 3},
                           {QStringLiteral("dryRun"), false},
                           {QStringLiteral("requestId"), QStringLiteral("r-1")},
                           {QStringLiteral("name"), QStringLiteral("Rex")},
                           {QStringLiteral("tags"), QJsonArray{QStringLiteral("good")}},
                           {QStringLiteral("age"), 2.5}};
    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"), callParams(QStringLiteral("create"), args));
    QVERIFY2(!resultOf(response).value(QStringLiteral("isError")).toBool(), qPrintable(firstText(response)));
    QCOMPARE(resultOf(response).value(QStringLiteral("structuredContent")).toObject(),
             (QJsonObject{{QStringLiteral("id"), 99}}));

    QCOMPARE(peer.requests.size(), 1);
    const RecordedRequest &r = peer.requests.constFirst();
    QCOMPARE(r.requestLine, QByteArray("POST /owners/3/pets?dryRun=false HTTP/1.1"));
    QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(r.headers.value("x-request-id"), QByteArray("r-1"));
    QCOMPARE(QJsonDocument::fromJson(r.body).object(),
             (QJsonObject{{QStringLiteral("name"), QStringLiteral("Rex")},
                          {QStringLiteral("tags"), QJsonArray{QStringLiteral("good")}},
                          {QStringLiteral("age"), 2.5}}));
}

void TestRestUpstream::bodyParam_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonValue>("payload");
    QTest::addColumn<QByteArray>("expectedBody");

    QTest::newRow("PUT object") << QStringLiteral("PUT") << QJsonValue(QJsonObject{{QStringLiteral("a"), 1}})
                                << QByteArray(R"({"a":1})");
    QTest::newRow("PATCH array") << QStringLiteral("PATCH") << QJsonValue(QJsonArray{1, QStringLiteral("x")})
                                 << QByteArray(R"([1,"x"])");
    QTest::newRow("POST string") << QStringLiteral("POST") << QJsonValue(QStringLiteral("hi \"you\""))
                                 << QByteArray(R"("hi \"you\"")");
    QTest::newRow("DELETE with body") << QStringLiteral("DELETE")
                                      << QJsonValue(QJsonObject{{QStringLiteral("why"), QStringLiteral("old")}})
                                      << QByteArray(R"({"why":"old"})");
    QTest::newRow("absent") << QStringLiteral("PUT") << QJsonValue(QJsonValue::Undefined) << QByteArray();
}

void TestRestUpstream::bodyParam()
{
    QFETCH(QString, method);
    QFETCH(QJsonValue, payload);
    QFETCH(QByteArray, expectedBody);
    RawHttpPeer peer;
    QVERIFY(peer.listen());
    peer.contentType = "text/plain; charset=utf-8";
    peer.responseBody = "done";
    RestToolConfig t = restTool(QStringLiteral("t"), method, peer.url(QStringLiteral("/things/{id}")));
    t.bodyParam = QStringLiteral("payload");
    RestUpstream upstream(config({t}));
    upstream.start();

    QJsonObject args{{QStringLiteral("id"), QStringLiteral("x1")}, {QStringLiteral("ignored"), 1}};
    if (!payload.isUndefined())
        args.insert(QStringLiteral("payload"), payload);
    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"), callParams(QStringLiteral("t"), args));
    QVERIFY2(!resultOf(response).value(QStringLiteral("isError")).toBool(), qPrintable(firstText(response)));
    QCOMPARE(firstText(response), QStringLiteral("done"));
    QCOMPARE(peer.requests.size(), 1);
    const RecordedRequest &r = peer.requests.constFirst();
    QCOMPARE(r.requestLine, method.toLatin1() + " /things/x1 HTTP/1.1");
    QCOMPARE(r.body, expectedBody);
    if (!expectedBody.isEmpty())
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
}

void TestRestUpstream::connectionRefused()
{
    const ReservedPort closed; // bound, never listening: connections are refused
    QVERIFY(closed.port() != 0);
    RestUpstream upstream(config({restTool(QStringLiteral("t"), QStringLiteral("GET"),
                                           QStringLiteral("http://127.0.0.1:%1/x").arg(closed.port()))}));
    upstream.start();
    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"), callParams(QStringLiteral("t")));
    QVERIFY(resultOf(response).value(QStringLiteral("isError")).toBool());
    const QString text = firstText(response);
    QVERIFY2(text.contains(QLatin1String("GET http://127.0.0.1")) && text.contains(QLatin1String("failed")),
             qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("refused"), Qt::CaseInsensitive), qPrintable(text));
}

void TestRestUpstream::timeout()
{
    RawHttpPeer peer;
    QVERIFY(peer.listen());
    peer.hang = true;
    RestToolConfig t = restTool(QStringLiteral("slow"), QStringLiteral("GET"), peer.url(QStringLiteral("/slow")));
    t.timeoutMs = 300;
    RestUpstream upstream(config({t}));
    upstream.start();
    QElapsedTimer timer;
    timer.start();
    const QJsonObject response =
        requestAndWait(upstream, QStringLiteral("tools/call"), callParams(QStringLiteral("slow")));
    QVERIFY(timer.elapsed() >= 250);
    QVERIFY(timer.elapsed() < 10'000);
    QVERIFY(resultOf(response).value(QStringLiteral("isError")).toBool());
    const QString text = firstText(response);
    QVERIFY2(text.contains(QLatin1String("timed out")) && text.contains(QLatin1String("300 ms")), qPrintable(text));
    QCOMPARE(peer.requests.size(), 1);
    QCOMPARE(upstream.inFlight(), 0);
}

void TestRestUpstream::cancelAbortsTheRequest()
{
    RawHttpPeer peer;
    QVERIFY(peer.listen());
    peer.hang = true;
    RestUpstream upstream(
        config({restTool(QStringLiteral("slow"), QStringLiteral("GET"), peer.url(QStringLiteral("/slow")))}));
    upstream.start();
    std::optional<QJsonObject> response;
    const quint64 handle = upstream.sendRequest(QStringLiteral("tools/call"), callParams(QStringLiteral("slow")),
                                                [&response](const QJsonObject &r) { response = r; });
    QTRY_COMPARE(peer.requests.size(), 1);
    upstream.cancelRequest(handle, QStringLiteral("user gave up"));
    QTRY_VERIFY(response.has_value());
    QCOMPARE(response->value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(),
             rpcerr::Cancelled);
    QTRY_COMPARE(peer.disconnects, 1); // the HTTP request was aborted
    QCOMPARE(upstream.inFlight(), 0);
    QVERIFY(upstream.recentLog().join(QLatin1Char('\n')).contains(QLatin1String("abandoned")));
}

void TestRestUpstream::stopFailsInFlight()
{
    RawHttpPeer peer;
    QVERIFY(peer.listen());
    peer.hang = true;
    RestUpstream upstream(
        config({restTool(QStringLiteral("slow"), QStringLiteral("GET"), peer.url(QStringLiteral("/slow")))}));
    upstream.start();
    std::optional<QJsonObject> response;
    upstream.sendRequest(QStringLiteral("tools/call"), callParams(QStringLiteral("slow")),
                         [&response](const QJsonObject &r) { response = r; });
    QTRY_COMPARE(peer.requests.size(), 1);
    upstream.stop();
    QTRY_VERIFY(response.has_value());
    QCOMPARE(response->value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(),
             rpcerr::UpstreamUnavailable);
    QTRY_COMPARE(peer.disconnects, 1);
}

QTEST_GUILESS_MAIN(TestRestUpstream)
#include "tst_restupstream.moc"
