// The HTTP/1.1 server against real clients on 127.0.0.1: raw QTcpSocket for exact bytes,
// QNetworkAccessManager as an ordinary client, QSslSocket for TLS. Every abuse case ends with a
// normal request to show the server is still serving.

#include "http/httpserver.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

using namespace metamcp::http;

namespace {

constexpr int kWaitMs = 5000;

// Answers "<METHOD> <path>[ <body>]" as text/plain, 405 for methods it does not know, unless a
// test installs its own behaviour.
class TestHandler final : public IRequestHandler
{
public:
    std::function<void(const HttpRequest &, HttpResponder *)> custom;
    QList<HttpRequest> requests;

    void handleRequest(const HttpRequest &request, HttpResponder *responder) override
    {
        requests.append(request);
        if (custom)
            custom(request, responder);
        else
            answer(request, responder);
    }

    static void answer(const HttpRequest &request, HttpResponder *responder)
    {
        static const QList<QByteArray> known = {"GET", "POST", "HEAD", "PUT", "DELETE"};
        if (!known.contains(request.method)) {
            responder->respond(405, {{"Allow", "GET, POST, HEAD, PUT, DELETE"}}, {});
            return;
        }
        QByteArray body = request.method + ' ' + request.path;
        if (!request.body.isEmpty())
            body += ' ' + request.body;
        responder->respond(200, {{"Content-Type", "text/plain"}}, body);
    }
};

struct Response
{
    int status = 0;
    HttpHeaders headers;
    QByteArray body;

    QByteArray header(QByteArrayView lowerName) const
    {
        for (const auto &h : headers)
            if (h.first == lowerName)
                return h.second;
        return {};
    }
    bool hasHeader(QByteArrayView lowerName) const
    {
        for (const auto &h : headers)
            if (h.first == lowerName)
                return true;
        return false;
    }
};

// A client speaking raw bytes. Reads everything into `received`; responses are parsed from it.
class RawClient
{
public:
    explicit RawClient(quint16 port, bool drain = true)
        : RawClient(std::make_unique<QTcpSocket>(), drain)
    {
        m_socket->connectToHost(QHostAddress::LocalHost, port);
    }

    RawClient(std::unique_ptr<QTcpSocket> socket, bool drain)
        : m_socket(std::move(socket))
    {
        if (drain) {
            QObject::connect(m_socket.get(), &QTcpSocket::readyRead, m_socket.get(),
                             [this] { received += m_socket->readAll(); });
        }
        QObject::connect(m_socket.get(), &QTcpSocket::disconnected, m_socket.get(), [this] {
            if (m_socket->isOpen())
                received += m_socket->readAll();
            disconnected = true;
        });
    }

    ~RawClient() { m_socket->disconnect(); } // ~QAbstractSocket emits disconnected()
    RawClient(const RawClient &) = delete;
    RawClient &operator=(const RawClient &) = delete;

    QTcpSocket *socket() { return m_socket.get(); }

    bool waitConnected()
    {
        return QTest::qWaitFor([this] { return m_socket->state() == QAbstractSocket::ConnectedState; }, kWaitMs);
    }

    void send(const QByteArray &bytes) { m_socket->write(bytes); }

    // Parses one response off `received`; `head`: the request was HEAD (no body follows).
    std::optional<Response> takeResponse(bool head = false)
    {
        const qsizetype headEnd = received.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return std::nullopt;
        Response response;
        const QList<QByteArray> lines = received.left(headEnd).split('\n');
        const QByteArray statusLine = lines.value(0).trimmed();
        if (!statusLine.startsWith("HTTP/1."))
            return std::nullopt;
        response.status = statusLine.mid(9, 3).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                response.headers.append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
        }
        qsizetype pos = headEnd + 4;
        const bool noBody = head || response.status < 200 || response.status == 204 || response.status == 304;
        if (noBody) {
        } else if (response.hasHeader("content-length")) {
            const qsizetype length = response.header("content-length").toLongLong();
            if (received.size() - pos < length)
                return std::nullopt;
            response.body = received.mid(pos, length);
            pos += length;
        } else if (response.header("transfer-encoding").toLower() == "chunked") {
            for (;;) {
                const qsizetype lineEnd = received.indexOf("\r\n", pos);
                if (lineEnd < 0)
                    return std::nullopt;
                bool ok = false;
                const qsizetype size = received.mid(pos, lineEnd - pos).split(';').value(0).toLongLong(&ok, 16);
                if (!ok)
                    return std::nullopt;
                if (size == 0) {
                    const qsizetype end = received.indexOf("\r\n", lineEnd + 2);
                    if (end < 0)
                        return std::nullopt;
                    pos = end + 2;
                    break;
                }
                if (received.size() < lineEnd + 2 + size + 2)
                    return std::nullopt;
                response.body += received.mid(lineEnd + 2, size);
                pos = lineEnd + 2 + size + 2;
            }
        } else { // read until close
            if (!disconnected)
                return std::nullopt;
            response.body = received.mid(pos);
            pos = received.size();
        }
        received.remove(0, pos);
        return response;
    }

    std::optional<Response> readResponse(bool head = false, int timeoutMs = kWaitMs)
    {
        std::optional<Response> response;
        [[maybe_unused]] const bool done = QTest::qWaitFor(
            [&] {
                response = takeResponse(head);
                return response.has_value();
            },
            timeoutMs);
        return response;
    }

    bool waitForDisconnect(int timeoutMs = kWaitMs)
    {
        return QTest::qWaitFor([this] { return disconnected; }, timeoutMs);
    }

    QByteArray received;
    bool disconnected = false;

private:
    std::unique_ptr<QTcpSocket> m_socket;
};

struct Fixture
{
    TestHandler handler;
    HttpServer server{&handler};
    QSignalSpy protocolErrors{&server, &HttpServer::protocolError};

    bool start(const HttpServerLimits &limits = {})
    {
        server.setLimits(limits);
        return server.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return server.serverPort(); }
};

bool stillServes(Fixture &f)
{
    RawClient client(f.port());
    client.send("GET /still-alive HTTP/1.1\r\nHost: t\r\n\r\n");
    const auto response = client.readResponse();
    return response && response->status == 200 && response->body == "GET /still-alive";
}

QByteArray get(const QByteArray &path, const QByteArray &extra = {})
{
    return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

} // namespace

class TestHttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requests_data();
    void requests();
    void requestFields();
    void headRequest();
    void networkAccessManager();
    void keepAlive();
    void pipelining();
    void connectionClose_data();
    void connectionClose();
    void http10KeepAlive();
    void expectContinue();
    void deferredAnswer();
    void streaming_data();
    void streaming();
    void misuseOfResponderIsHarmless();
    void disconnectWhileDeferred();
    void disconnectMidStream();
    void stalledStreamReaderIsClosed();
    void pipelinedFloodIsThrottled();
    void abuse_data();
    void abuse();
    void errorBodyFormat();
    void slowHeader();
    void stalledBody();
    void idleKeepAliveClosed();
    void silentConnectionClosed();
    void maxConnections();
    void manyClients();
    void closeIsGraceful();
    void tls();
};

void TestHttpServer::requests_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");

    QTest::addRow("get") << get("/hello") << 200 << QByteArray("GET /hello");
    QTest::addRow("post with content-length")
        << QByteArray("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello") << 200
        << QByteArray("POST /echo hello");
    QTest::addRow("chunked request body")
        << QByteArray("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "4\r\nwiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n")
        << 200 << QByteArray("POST /c wikipedia");
    QTest::addRow("percent-decoded path") << get("/a%20b?q=1") << 200 << QByteArray("GET /a b");
    QTest::addRow("unknown method reaches the handler")
        << QByteArray("BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n") << 405 << QByteArray();
    // Host is required from HTTP/1.1 on (RFC 9112 3.2), not from HTTP/1.0 clients.
    QTest::addRow("http/1.0 without host")
        << QByteArray("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << 200 << QByteArray("GET /old");
}

void TestHttpServer::requests()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, body);

    for (const bool byteByByte : {false, true}) {
        Fixture f;
        QVERIFY(f.start());
        RawClient client(f.port());
        QVERIFY(client.waitConnected());
        if (byteByByte) {
            // One byte per write, each written out and handed to the server's reader.
            for (const char c : request) {
                client.send(QByteArray(1, c));
                client.socket()->flush();
                QCoreApplication::processEvents();
            }
        } else {
            client.send(request);
        }
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, status);
        QCOMPARE(response->body, body);
        QCOMPARE(response->header("content-length"), QByteArray::number(body.size()));
        QCOMPARE(response->header("connection"), QByteArray("keep-alive"));
        QVERIFY(response->header("date").endsWith(" GMT"));
        QCOMPARE(f.handler.requests.size(), 1);
        QCOMPARE(f.protocolErrors.count(), 0);
        QVERIFY(!client.disconnected);
    }
}

void TestHttpServer::requestFields()
{
    Fixture f;
    QVERIFY(f.start());
    RawClient client(f.port());
    client.send("GET /p/a%2Fb?x=1&name=two%20words HTTP/1.1\r\nHost: t\r\nX-Custom-Header:   spaced value  \r\n"
                "X-Custom-Header: second\r\n\r\n");
    QVERIFY(client.readResponse());
    QCOMPARE(f.handler.requests.size(), 1);
    const HttpRequest &request = f.handler.requests.first();
    QCOMPARE(request.method, QByteArray("GET"));
    QCOMPARE(request.target, QByteArray("/p/a%2Fb?x=1&name=two%20words"));
    QCOMPARE(request.path, QByteArray("/p/a/b"));
    QCOMPARE(request.query.queryItemValue(QStringLiteral("x")), QStringLiteral("1"));
    QCOMPARE(request.query.queryItemValue(QStringLiteral("name"), QUrl::FullyDecoded), QStringLiteral("two words"));
    QCOMPARE(request.version, QByteArray("HTTP/1.1"));
    QCOMPARE(request.header("x-custom-header"), QByteArray("spaced value"));
    QCOMPARE(request.headers.size(), 3);
    QCOMPARE(request.headers.at(2).second, QByteArray("second"));
    QCOMPARE(request.peerAddress, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(request.peerPort, client.socket()->localPort());
    QCOMPARE(request.localPort, f.port());
    QVERIFY(!request.secure);
}

void TestHttpServer::headRequest()
{
    Fixture f;
    QVERIFY(f.start());
    RawClient client(f.port());
    client.send("HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n");
    const auto head = client.readResponse(true);
    QVERIFY(head);
    QCOMPARE(head->status, 200);
    QCOMPARE(head->header("content-length"), QByteArray("7")); // length of "HEAD /x", not sent
    // No body bytes followed: the next response parses cleanly.
    client.send(get("/next"));
    const auto next = client.readResponse();
    QVERIFY(next);
    QCOMPARE(next->body, QByteArray("GET /next"));
}

void TestHttpServer::networkAccessManager()
{
    Fixture f;
    QVERIFY(f.start());
    QNetworkAccessManager manager;
    const QUrl base(QStringLiteral("http://127.0.0.1:%1").arg(f.port()));

    std::unique_ptr<QNetworkReply> reply(manager.get(QNetworkRequest(base.resolved(QUrl(QStringLiteral("/nam"))))));
    QVERIFY(QTest::qWaitFor([&] { return reply->isFinished(); }, kWaitMs));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->readAll(), QByteArray("GET /nam"));

    QNetworkRequest post(base.resolved(QUrl(QStringLiteral("/nam/post"))));
    post.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    const QByteArray payload(100'000, 'x');
    reply.reset(manager.post(post, payload));
    QVERIFY(QTest::qWaitFor([&] { return reply->isFinished(); }, kWaitMs));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QCOMPARE(reply->readAll(), "POST /nam/post " + payload);
    QCOMPARE(f.handler.requests.last().header("content-type"), QByteArray("application/json"));

    reply.reset(manager.sendCustomRequest(QNetworkRequest(base), "BREW"));
    QVERIFY(QTest::qWaitFor([&] { return reply->isFinished(); }, kWaitMs));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 405);
}

void TestHttpServer::keepAlive()
{
    Fixture f;
    QVERIFY(f.start());
    RawClient client(f.port());
    for (int i = 0; i < 5; ++i) {
        const QByteArray path = "/r" + QByteArray::number(i);
        client.send(get(path));
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->body, "GET " + path);
        QCOMPARE(response->header("connection"), QByteArray("keep-alive"));
    }
    QCOMPARE(f.handler.requests.size(), 5);
    for (const HttpRequest &request : std::as_const(f.handler.requests))
        QCOMPARE(request.peerPort, f.handler.requests.first().peerPort);
    QCOMPARE(f.server.connectionCount(), 1);
    QVERIFY(!client.disconnected);
}

void TestHttpServer::pipelining()
{
    Fixture f;
    QVERIFY(f.start());
    QStringList events;
    f.handler.custom = [&events](const HttpRequest &request, HttpResponder *responder) {
        events << QStringLiteral("request ") + QString::fromLatin1(request.path);
        if (request.path == "/slow") { // answered later: later requests must wait
            QPointer<HttpResponder> held(responder);
            QTimer::singleShot(150, held, [held, &events] {
                events << QStringLiteral("answer /slow");
                held->respond(200, {}, "slow");
            });
            return;
        }
        events << QStringLiteral("answer ") + QString::fromLatin1(request.path);
        responder->respond(200, {}, request.path + ' ' + request.body);
    };
    RawClient client(f.port());
    client.send(get("/slow") + "POST /b HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc" + get("/c") +
                "POST /d HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n");
    QList<QByteArray> bodies;
    for (int i = 0; i < 4; ++i) {
        const auto response = client.readResponse();
        QVERIFY(response);
        bodies << response->body;
    }
    QCOMPARE(bodies, (QList<QByteArray>{"slow", "/b abc", "/c ", "/d z"}));
    QCOMPARE(events,
             (QStringList{QStringLiteral("request /slow"), QStringLiteral("answer /slow"), QStringLiteral("request /b"),
                          QStringLiteral("answer /b"), QStringLiteral("request /c"), QStringLiteral("answer /c"),
                          QStringLiteral("request /d"), QStringLiteral("answer /d")}));
}

void TestHttpServer::connectionClose_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("handlerCloses");
    QTest::addRow("client asks to close") << get("/", "Connection: close\r\n") << false;
    QTest::addRow("http/1.0 default") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false;
    QTest::addRow("handler asks to close") << get("/") << true;
}

void TestHttpServer::connectionClose()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, handlerCloses);
    Fixture f;
    QVERIFY(f.start());
    if (handlerCloses) {
        f.handler.custom = [](const HttpRequest &, HttpResponder *responder) {
            responder->respond(200, {{"Connection", "close"}}, "bye");
        };
    }
    RawClient client(f.port());
    // A second pipelined request after the closing one is never answered.
    client.send(request + get("/never"));
    const auto response = client.readResponse();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->header("connection"), QByteArray("close"));
    QVERIFY(client.waitForDisconnect());
    QVERIFY(client.received.isEmpty());
    QCOMPARE(f.handler.requests.size(), 1);
    QTRY_COMPARE(f.server.connectionCount(), 0);
}

void TestHttpServer::http10KeepAlive()
{
    Fixture f;
    QVERIFY(f.start());
    RawClient client(f.port());
    for (int i = 0; i < 2; ++i) {
        client.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->body, QByteArray("GET /old"));
        QCOMPARE(response->header("connection"), QByteArray("keep-alive"));
    }
    QCOMPARE(f.handler.requests.first().version, QByteArray("HTTP/1.0"));
    QVERIFY(!client.disconnected);
}

void TestHttpServer::expectContinue()
{
    Fixture f;
    QVERIFY(f.start());
    RawClient client(f.port());
    client.send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    const auto interim = client.readResponse();
    QVERIFY(interim);
    QCOMPARE(interim->status, 100);
    QVERIFY(f.handler.requests.isEmpty());
    client.send("hello");
    const auto response = client.readResponse();
    QVERIFY(response);
    QCOMPARE(response->status, 200);
    QCOMPARE(response->body, QByteArray("POST /e hello"));

    // Too large: refused at once, no 100 Continue.
    Fixture g;
    HttpServerLimits limits;
    limits.maxBodyBytes = 10;
    QVERIFY(g.start(limits));
    RawClient refused(g.port());
    refused.send("POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
    const auto tooLarge = refused.readResponse();
    QVERIFY(tooLarge);
    QCOMPARE(tooLarge->status, 413);
    QVERIFY(refused.waitForDisconnect());
}

void TestHttpServer::deferredAnswer()
{
    Fixture f;
    QVERIFY(f.start());
    f.handler.custom = [](const HttpRequest &request, HttpResponder *responder) {
        QPointer<HttpResponder> held(responder);
        const QByteArray path = request.path; // the request is only valid during this call
        QTimer::singleShot(100, held, [held, path] {
            QVERIFY(held);
            QVERIFY(!held->isFinished());
            held->respond(201, {{"X-Later", "yes"}}, "later " + path);
            QVERIFY(held->isFinished());
        });
    };
    RawClient client(f.port());
    QElapsedTimer timer;
    timer.start();
    client.send(get("/deferred"));
    const auto response = client.readResponse();
    QVERIFY(response);
    QVERIFY(timer.elapsed() >= 90);
    QCOMPARE(response->status, 201);
    QCOMPARE(response->header("x-later"), QByteArray("yes"));
    QCOMPARE(response->body, QByteArray("later /deferred"));
    client.send(get("/again"));
    QVERIFY(client.readResponse());
}

void TestHttpServer::streaming_data()
{
    QTest::addColumn<QByteArray>("version");
    QTest::addRow("http/1.1 chunked") << QByteArray("HTTP/1.1");
    QTest::addRow("http/1.0 until close") << QByteArray("HTTP/1.0");
}

void TestHttpServer::streaming()
{
    QFETCH(QByteArray, version);
    const bool http11 = version == "HTTP/1.1";
    Fixture f;
    QVERIFY(f.start());
    QPointer<HttpResponder> stream;
    f.handler.custom = [&stream](const HttpRequest &request, HttpResponder *responder) {
        if (request.path != "/events") {
            TestHandler::answer(request, responder);
            return;
        }
        stream = responder;
        responder->beginStream(200, {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}});
        QVERIFY(responder->isStreaming());
        responder->writeChunk("data: 1\n\n");
    };
    RawClient client(f.port());
    client.send("GET /events " + version + "\r\nHost: t\r\n\r\n");
    QTRY_VERIFY(client.received.contains("data: 1\n\n"));
    QVERIFY(client.received.contains("Content-Type: text/event-stream"));
    QCOMPARE(client.received.contains("Transfer-Encoding: chunked"), http11);
    QVERIFY(!client.received.contains("Content-Length"));
    QVERIFY(stream);
    QVERIFY(stream->pendingBytes() >= 0);
    stream->writeChunk("data: 2\n\n");
    QTRY_VERIFY(client.received.contains("data: 2\n\n"));
    stream->writeChunk(QByteArray(100'000, 'x')); // a large chunk
    stream->writeChunk({});                       // ignored, would end the stream
    stream->writeChunk("data: 3\n\n");
    stream->endStream();
    QVERIFY(stream->isFinished());
    stream->writeChunk("after the end"); // harmless

    if (http11) {
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->body, "data: 1\n\ndata: 2\n\n" + QByteArray(100'000, 'x') + "data: 3\n\n");
        client.send(get("/after-stream"));
        const auto next = client.readResponse();
        QVERIFY(next);
        QCOMPARE(next->body, QByteArray("GET /after-stream"));
        QVERIFY(stream && stream->isFinished()); // kept (finished) until the next one retires
        client.socket()->disconnectFromHost();
        QTRY_VERIFY(!stream); // and deleted with its connection
    } else {
        QVERIFY(client.waitForDisconnect());
        const auto response = client.takeResponse();
        QVERIFY(response);
        QCOMPARE(response->header("connection"), QByteArray("close"));
        QCOMPARE(response->body, "data: 1\n\ndata: 2\n\n" + QByteArray(100'000, 'x') + "data: 3\n\n");
    }
}

void TestHttpServer::misuseOfResponderIsHarmless()
{
    Fixture f;
    QVERIFY(f.start());
    f.handler.custom = [](const HttpRequest &, HttpResponder *responder) {
        responder->writeChunk("before begin"); // ignored
        responder->endStream();                // ignored
        responder->respond(200, {{"X-Bad\r\nInjected", "1"}, {"X-Split", "a\r\nInjected: 1"}}, "first");
        responder->respond(500, {}, "second");
        responder->beginStream(200, {});
        responder->writeChunk("chunk");
        responder->endStream();
        QCOMPARE(responder->pendingBytes(), 0);
    };
    for (int i = 0; i < 3; ++i) {
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("Dropping invalid response header.*X-Bad")));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("Dropping invalid response header.*X-Split")));
    }
    RawClient client(f.port());
    client.send(get("/a") + get("/b"));
    const auto first = client.readResponse();
    const auto second = client.readResponse();
    QVERIFY(first);
    QVERIFY(second);
    QCOMPARE(first->body, QByteArray("first"));
    QCOMPARE(second->body, QByteArray("first"));
    QVERIFY(!first->hasHeader("injected"));
    // Whatever the misused responders wrote after "first" would come before the next answer.
    client.send(get("/c"));
    const auto third = client.readResponse();
    QVERIFY(third);
    QCOMPARE(third->body, QByteArray("first"));
    QVERIFY(client.received.isEmpty());
}

void TestHttpServer::disconnectWhileDeferred()
{
    Fixture f;
    QVERIFY(f.start());
    QPointer<HttpResponder> held;
    int closedCount = 0;
    f.handler.custom = [&](const HttpRequest &request, HttpResponder *responder) {
        if (request.path != "/hold") {
            TestHandler::answer(request, responder);
            return;
        }
        held = responder;
        QObject::connect(responder, &HttpResponder::closed, responder, [&closedCount, responder] {
            ++closedCount;
            // Answering a dead exchange from the closed() handler must be harmless.
            responder->respond(200, {}, "too late");
            responder->writeChunk("too late");
            QCOMPARE(responder->pendingBytes(), 0);
        });
    };
    {
        RawClient client(f.port());
        client.send(get("/hold"));
        QTRY_VERIFY(held);
        QCOMPARE(f.server.connectionCount(), 1);
        client.socket()->abort();
    }
    QTRY_COMPARE(closedCount, 1);
    QTRY_VERIFY(!held);
    QTRY_COMPARE(f.server.connectionCount(), 0);
    QVERIFY(stillServes(f));

    // Calls between the disconnect and the closed() notification are no-ops too.
    {
        RawClient client(f.port());
        client.send(get("/hold"));
        QTRY_VERIFY(held);
        client.socket()->abort();
        QCoreApplication::processEvents(); // one pass of the event loop, as before
        if (held)                          // either answers into the void or is a no-op; closed() may or may not follow
            held->respond(200, {}, "maybe");
    }
    QTRY_VERIFY(!held);
    QTRY_COMPARE(f.server.connectionCount(), 0);
    QVERIFY(stillServes(f));
}

void TestHttpServer::disconnectMidStream()
{
    Fixture f;
    QVERIFY(f.start());
    QPointer<HttpResponder> stream;
    QPointer<QTimer> ticking;
    int closedCount = 0;
    int chunksAfterClose = 0;
    f.handler.custom = [&](const HttpRequest &request, HttpResponder *responder) {
        if (request.path != "/events") {
            TestHandler::answer(request, responder);
            return;
        }
        stream = responder;
        QObject::connect(responder, &HttpResponder::closed, responder, [&closedCount] { ++closedCount; });
        responder->beginStream(200, {{"Content-Type", "text/event-stream"}});
        auto *ticker = new QTimer(responder); // dies with the responder
        ticking = ticker;
        QObject::connect(ticker, &QTimer::timeout, responder, [responder, &closedCount, &chunksAfterClose] {
            if (closedCount > 0)
                ++chunksAfterClose;
            responder->writeChunk("data: tick\n\n");
        });
        ticker->start(5);
    };
    {
        RawClient client(f.port());
        client.send(get("/events"));
        QTRY_VERIFY(client.received.contains("data: tick"));
        client.socket()->abort();
    }
    QTRY_COMPARE(closedCount, 1);
    QTRY_VERIFY(!stream);
    QVERIFY(!ticking); // the ticker is gone with the responder: no chunk can follow
    QVERIFY(chunksAfterClose <= 1);
    QTRY_COMPARE(f.server.connectionCount(), 0);
    QVERIFY(stillServes(f));
}

void TestHttpServer::stalledStreamReaderIsClosed()
{
    Fixture f;
    HttpServerLimits limits;
    limits.maxPendingWriteBytes = 256 * 1024;
    QVERIFY(f.start(limits));
    QPointer<HttpResponder> stream;
    bool closed = false;
    qint64 written = 0;
    f.handler.custom = [&](const HttpRequest &request, HttpResponder *responder) {
        if (request.path != "/flood") {
            TestHandler::answer(request, responder);
            return;
        }
        stream = responder;
        QObject::connect(responder, &HttpResponder::closed, responder, [&closed] { closed = true; });
        responder->beginStream(200, {});
    };
    // The client never reads: its socket buffer fills, then the kernel's, then the server's.
    auto socket = std::make_unique<QTcpSocket>();
    socket->setReadBufferSize(1024);
    RawClient client(std::move(socket), false);
    client.socket()->connectToHost(QHostAddress::LocalHost, f.port());
    client.send(get("/flood"));
    QTRY_VERIFY(stream);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Stream reader .* stalled")));
    const QByteArray chunk(64 * 1024, 'z');
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (int i = 0; i < 16 && stream; ++i) {
                stream->writeChunk(chunk);
                written += chunk.size();
            }
            return closed || written > 512LL * 1024 * 1024;
        },
        20000));
    QVERIFY(closed);
    QTRY_VERIFY(!stream);
    QVERIFY(stillServes(f));
}

void TestHttpServer::pipelinedFloodIsThrottled()
{
    Fixture f;
    QVERIFY(f.start());
    const QByteArray body(64 * 1024, 'x');
    f.handler.custom = [&body](const HttpRequest &request, HttpResponder *responder) {
        if (request.path == "/big")
            responder->respond(200, {}, body);
        else
            TestHandler::answer(request, responder);
    };
    // 2000 pipelined requests asking for 128 MB of answers, and a client that reads nothing yet.
    constexpr int kRequests = 2000;
    auto socket = std::make_unique<QTcpSocket>();
    socket->setReadBufferSize(4096);
    RawClient client(std::move(socket), false);
    client.socket()->connectToHost(QHostAddress::LocalHost, f.port());
    QVERIFY(client.waitConnected());
    client.send(get("/big").repeated(kRequests));
    // The server takes what it can until it stops reading: client and server share this thread,
    // so that is when passes of the event loop no longer add requests (10 in a row).
    qsizetype seen = -1;
    int quietPasses = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
            QCoreApplication::processEvents();
            quietPasses = f.handler.requests.size() == seen ? quietPasses + 1 : 0;
            seen = f.handler.requests.size();
            return seen > 0 && quietPasses >= 10;
        },
        20000));
    // Kernel buffers plus the server's backlog limit hold a few hundred answers, not all.
    QVERIFY2(f.handler.requests.size() < kRequests / 2, QByteArray::number(f.handler.requests.size()).constData());

    // Once the client reads, everything arrives, in order and complete.
    qint64 received = 0;
    QByteArray head;
    QObject::connect(client.socket(), &QTcpSocket::readyRead, client.socket(), [&] {
        const QByteArray data = client.socket()->readAll();
        if (head.isEmpty())
            head = data.left(data.indexOf("\r\n\r\n") + 4);
        received += data.size();
    });
    client.socket()->setReadBufferSize(0);
    Q_EMIT client.socket()->readyRead();
    QTRY_COMPARE_WITH_TIMEOUT(f.handler.requests.size(), kRequests, 20000);
    QVERIFY(head.startsWith("HTTP/1.1 200 OK\r\n"));
    QTRY_COMPARE_WITH_TIMEOUT(received, qint64(kRequests) * (head.size() + body.size()), 20000);
    QVERIFY(stillServes(f));
}

void TestHttpServer::abuse_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");

    const QByteArray chunked = "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    QByteArray garbage(512, Qt::Uninitialized);
    QRandomGenerator random(42);
    for (char &c : garbage)
        c = char(random.bounded(256));

    QTest::addRow("413 by content-length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 4096\r\n\r\n") << 413;
    QTest::addRow("413 while uploading") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 300000\r\n\r\n" +
                                                       QByteArray(300'000, 'u'))
                                         << 413;
    QTest::addRow("413 chunked") << chunked + "200\r\n" + QByteArray(512, 'a') + "\r\n200\r\n" + QByteArray(512, 'b') +
                                        "\r\n10\r\n" + QByteArray(16, 'c') + "\r\n0\r\n\r\n"
                                 << 413;
    QTest::addRow("431 header too big") << get("/", "X-Big: " + QByteArray(4096, 'h') + "\r\n") << 431;
    QTest::addRow("431 endless header") << "GET / HTTP/1.1\r\nX-Big: " + QByteArray(100'000, 'h') << 431;
    QTest::addRow("junk request line") << QByteArray("GET FOFOFO HTTP 1/1\r\n\r\n") << 400;
    QTest::addRow("NUL bytes") << QByteArray(64, '\0') << 400;
    QTest::addRow("NUL in header") << get("/", QByteArray("X-A: a\0b\r\n", 10)) << 400;
    QTest::addRow("random binary garbage") << garbage << 400;
    QTest::addRow("TLS to a plain port") << QByteArray("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11) << 400;
    QTest::addRow("bad chunk size") << chunked + "xyz\r\nabc\r\n0\r\n\r\n" << 400;
    QTest::addRow("conflicting content-length")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!") << 400;
    QTest::addRow("content-length with chunked")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") << 400;
    QTest::addRow("non-token method") << QByteArray("G{}T / HTTP/1.1\r\n\r\n") << 400;
    QTest::addRow("header without colon") << get("/", "NoColonHere\r\n") << 400;
    QTest::addRow("unsupported version") << QByteArray("GET / HTTP/3.0\r\n\r\n") << 505;
    QTest::addRow("unknown transfer coding") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: br\r\n\r\n") << 501;
    QTest::addRow("unknown expectation") << get("/", "Expect: something\r\n") << 417;
    // RFC 9112 3.2: Host is required in HTTP/1.1 and may appear only once.
    QTest::addRow("http/1.1 without host") << QByteArray("GET / HTTP/1.1\r\nX-A: b\r\n\r\n") << 400;
    QTest::addRow("http/1.1 post without host")
        << QByteArray("POST /mcp HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}") << 400;
    QTest::addRow("duplicate host") << get("/", "Host: evil.example\r\n") << 400;
    QTest::addRow("invalid host") << QByteArray("GET / HTTP/1.1\r\nHost: a b\r\n\r\n") << 400;
    // Lines end in CRLF, in the head and in a chunked body alike.
    QTest::addRow("bare LF in request line") << QByteArray("GET / HTTP/1.1\nHost: t\r\n\r\n") << 400;
    QTest::addRow("bare LF after chunk size") << chunked + "5\nhello\r\n0\r\n\r\n" << 400;
    QTest::addRow("bare LF after chunk data") << chunked + "5\r\nhello\n0\r\n\r\n" << 400;
    QTest::addRow("bare LF after last chunk") << chunked + "0\n\r\n" << 400;
}

void TestHttpServer::abuse()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);

    Fixture f;
    HttpServerLimits limits;
    limits.maxBodyBytes = 1024;
    limits.maxHeaderBytes = 2048;
    QVERIFY(f.start(limits));
    RawClient client(f.port());
    client.send(request);
    const auto response = client.readResponse();
    QVERIFY(response);
    QCOMPARE(response->status, status);
    QCOMPARE(response->header("content-type"), QByteArray("application/json"));
    QCOMPARE(response->header("connection"), QByteArray("close"));
    const QJsonObject error = QJsonDocument::fromJson(response->body).object();
    QCOMPARE(error.value(QStringLiteral("jsonrpc")).toString(), QStringLiteral("2.0"));
    QVERIFY(error.value(QStringLiteral("id")).isNull());
    QCOMPARE(error.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toInt(), -32600);
    QVERIFY(!error.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString().isEmpty());
    QVERIFY(client.waitForDisconnect());
    QTRY_COMPARE(f.protocolErrors.count(), 1);
    QCOMPARE(f.protocolErrors.first().at(0).value<QHostAddress>(), QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(f.protocolErrors.first().at(1).toInt(), status);
    QVERIFY(f.handler.requests.isEmpty());
    QTRY_COMPARE(f.server.connectionCount(), 0);
    QVERIFY(stillServes(f));
}

void TestHttpServer::errorBodyFormat()
{
    Fixture f;
    QVERIFY(f.start());
    RawClient client(f.port());
    client.send("POST /mcp HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000\r\n\r\n");
    const auto response = client.readResponse();
    QVERIFY(response);
    QCOMPARE(response->status, 413);
    QCOMPARE(
        response->body,
        QByteArray(
            R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Request body exceeds 4194304 bytes"}})"));
    QCOMPARE(f.protocolErrors.count(), 1);
    QCOMPARE(f.protocolErrors.first().at(2).toString(), QStringLiteral("Request body exceeds 4194304 bytes"));
}

void TestHttpServer::slowHeader()
{
    Fixture f;
    HttpServerLimits limits;
    limits.headerTimeoutMs = 1500;
    QVERIFY(f.start(limits));
    RawClient client(f.port());
    QVERIFY(client.waitConnected());
    const QByteArray request = get("/slowloris");
    qsizetype sent = 0;
    QTimer drip;
    QObject::connect(&drip, &QTimer::timeout, &drip, [&] {
        if (sent < request.size() && client.socket()->state() == QAbstractSocket::ConnectedState)
            client.send(request.mid(sent++, 1));
    });
    drip.start(1000); // one byte a second
    client.send(request.mid(sent++, 1));
    QElapsedTimer timer;
    timer.start();
    const auto response = client.readResponse(false, 6000);
    QVERIFY(response);
    QCOMPARE(response->status, 408);
    QVERIFY2(timer.elapsed() >= 1400, QByteArray::number(timer.elapsed()).constData());
    QVERIFY(client.waitForDisconnect());
    QCOMPARE(f.protocolErrors.count(), 1);
    QCOMPARE(f.protocolErrors.first().at(1).toInt(), 408);
    QVERIFY(f.handler.requests.isEmpty());
    QVERIFY(stillServes(f));
}

void TestHttpServer::stalledBody()
{
    Fixture f;
    HttpServerLimits limits;
    limits.bodyIdleTimeoutMs = 800;
    QVERIFY(f.start(limits));
    RawClient client(f.port());
    client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
    const auto response = client.readResponse(false, 4000);
    QVERIFY(response);
    QCOMPARE(response->status, 408);
    QVERIFY(client.waitForDisconnect());
    QVERIFY(f.handler.requests.isEmpty());
    QVERIFY(stillServes(f));
}

void TestHttpServer::idleKeepAliveClosed()
{
    Fixture f;
    HttpServerLimits limits;
    limits.keepAliveIdleMs = 600;
    QVERIFY(f.start(limits));
    RawClient client(f.port());
    client.send(get("/once"));
    QVERIFY(client.readResponse());
    QElapsedTimer timer;
    timer.start();
    QVERIFY(client.waitForDisconnect(4000));
    QVERIFY(timer.elapsed() >= 500);
    QVERIFY(client.received.isEmpty());
    QCOMPARE(f.protocolErrors.count(), 0);
    QTRY_COMPARE(f.server.connectionCount(), 0);
}

void TestHttpServer::silentConnectionClosed()
{
    Fixture f;
    HttpServerLimits limits;
    limits.headerTimeoutMs = 600;
    QVERIFY(f.start(limits));
    RawClient client(f.port());
    QVERIFY(client.waitConnected());
    QVERIFY(client.waitForDisconnect(4000)); // nothing sent: closed without an answer
    QVERIFY(client.received.isEmpty());
    QCOMPARE(f.protocolErrors.count(), 0);
}

void TestHttpServer::maxConnections()
{
    Fixture f;
    HttpServerLimits limits;
    limits.maxConnections = 2;
    QVERIFY(f.start(limits));
    auto first = std::make_unique<RawClient>(f.port());
    RawClient second(f.port());
    QTRY_COMPARE(f.server.connectionCount(), 2);

    RawClient third(f.port());
    const auto refused = third.readResponse();
    QVERIFY(refused);
    QCOMPARE(refused->status, 503);
    QCOMPARE(refused->header("content-type"), QByteArray("application/json"));
    QVERIFY(third.waitForDisconnect());
    QCOMPARE(f.protocolErrors.count(), 1);
    QCOMPARE(f.protocolErrors.first().at(1).toInt(), 503);
    QCOMPARE(f.server.connectionCount(), 2);

    // The admitted ones still work; a freed slot admits a new client.
    second.send(get("/second"));
    QVERIFY(second.readResponse());
    first->socket()->abort();
    first.reset();
    QTRY_COMPARE(f.server.connectionCount(), 1);
    QVERIFY(stillServes(f));
}

void TestHttpServer::manyClients()
{
    Fixture f;
    QVERIFY(f.start());
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 20; ++i)
        clients.push_back(std::make_unique<RawClient>(f.port()));
    for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < clients.size(); ++i)
            clients[i]->send(get("/c" + QByteArray::number(qulonglong(i)) + "/r" + QByteArray::number(round)));
        for (size_t i = 0; i < clients.size(); ++i) {
            const auto response = clients[i]->readResponse();
            QVERIFY(response);
            QCOMPARE(response->body, "GET /c" + QByteArray::number(qulonglong(i)) + "/r" + QByteArray::number(round));
        }
    }
    QCOMPARE(f.handler.requests.size(), 100);
    QCOMPARE(f.server.connectionCount(), 20);
}

void TestHttpServer::closeIsGraceful()
{
    Fixture f;
    QVERIFY(f.start());
    QPointer<HttpResponder> held;
    f.handler.custom = [&held](const HttpRequest &request, HttpResponder *responder) {
        if (request.path == "/hold")
            held = responder;
        else
            TestHandler::answer(request, responder);
    };
    RawClient idle(f.port());
    idle.send(get("/idle"));
    QVERIFY(idle.readResponse());
    RawClient busy(f.port());
    busy.send(get("/hold"));
    QTRY_VERIFY(held);

    f.server.close();
    QVERIFY(!f.server.isListening());
    QVERIFY(idle.waitForDisconnect());
    QVERIFY(!busy.disconnected);
    held->respond(200, {}, "last");
    const auto last = busy.readResponse();
    QVERIFY(last);
    QCOMPARE(last->body, QByteArray("last"));
    QCOMPARE(last->header("connection"), QByteArray("close"));
    QVERIFY(busy.waitForDisconnect());
    QTRY_COMPARE(f.server.connectionCount(), 0);
}

void TestHttpServer::tls()
{
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend");
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    QVERIFY2(!openssl.isEmpty(), "openssl (installed by the test command) generates the test certificate");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString keyPath = dir.filePath(QStringLiteral("key.pem"));
    const QString certPath = dir.filePath(QStringLiteral("cert.pem"));
    QProcess process;
    process.start(openssl, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                            QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-subj"),
                            QStringLiteral("/CN=localhost"), QStringLiteral("-days"), QStringLiteral("1"),
                            QStringLiteral("-keyout"), keyPath, QStringLiteral("-out"), certPath});
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 0);

    QFile keyFile(keyPath);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QSslKey key(&keyFile, QSsl::Rsa, QSsl::Pem);
    QVERIFY(!key.isNull());
    const QList<QSslCertificate> certificates = QSslCertificate::fromPath(certPath);
    QCOMPARE(certificates.size(), 1);
    const QSslCertificate certificate = certificates.first();

    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificate(certificate);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);

    Fixture f;
    f.server.setTlsConfiguration(configuration);
    QVERIFY2(f.start(), qPrintable(f.server.errorString()));

    auto socket = std::make_unique<QSslSocket>();
    QSslSocket *ssl = socket.get();
    ssl->ignoreSslErrors({QSslError(QSslError::SelfSignedCertificate, certificate)});
    RawClient client(std::move(socket), true);
    ssl->connectToHostEncrypted(QStringLiteral("127.0.0.1"), f.port(), QStringLiteral("localhost"));
    QVERIFY(QTest::qWaitFor([ssl] { return ssl->isEncrypted(); }, 15000));
    for (int i = 0; i < 2; ++i) {
        client.send(get("/secure"));
        const auto response = client.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("GET /secure"));
    }
    QCOMPARE(f.handler.requests.size(), 2);
    QVERIFY(f.handler.requests.first().secure);

    // Junk on the TLS port: the handshake fails, the server goes on.
    RawClient junk(f.port());
    junk.send("GET / HTTP/1.1\r\n\r\n");
    QVERIFY(junk.waitForDisconnect(10000));
    client.send(get("/secure-again"));
    QVERIFY(client.readResponse());
}

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_httpserver.moc"
