// rest::HttpClient against real peers on 127.0.0.1: nginx (keep-alive, chunked SSI output,
// redirects, a short keepalive_timeout, TLS with a self-signed certificate made by openssl here)
// started from a generated config, and a scripted QTcpServer peer that answers with exact bytes
// (every framing, junk), hangs, or closes a reused connection instead of answering.

#include "http/httpclient.h"
#include "httpclienttest.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QProcess>
#include <QSet>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>

#ifdef Q_OS_LINUX
#include <poll.h>
#endif

using namespace metamcp::rest;
using namespace metamcp::test;

using Error = HttpClientResponse::Error;

Q_DECLARE_METATYPE(metamcp::rest::HttpClientResponse::Error)

namespace {

HttpClientRequest request(const QString &url, const QByteArray &method = QByteArrayLiteral("GET"))
{
    HttpClientRequest r;
    r.method = method;
    r.url = QUrl(url);
    r.timeoutMs = 15'000;
    return r;
}

// Sends and runs the event loop until the callback ran (see httpclienttest.h).
HttpClientResponse run(HttpClient &client, HttpClientRequest r, int waitMs = 20'000)
{
    return metamcp::test::runRequest(client, std::move(r), waitMs);
}

using metamcp::test::describe;

#ifdef Q_OS_LINUX
// The socket (file descriptor) of this process's one established TCP connection to
// 127.0.0.1:port, found through /proc; -1 if there is none or more than one.
int connectionTo(quint16 port)
{
    QFile table(QStringLiteral("/proc/self/net/tcp"));
    if (!table.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray remote = "0100007F:" + QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
    QSet<QByteArray> inodes;
    for (const QByteArray &line : table.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() > 9 && fields.at(2) == remote && fields.at(3) == "01") // ESTABLISHED
            inodes.insert("socket:[" + fields.at(9) + ']');
    }
    int found = -1;
    const QDir fds(QStringLiteral("/proc/self/fd"));
    for (const QString &name : fds.entryList(QDir::System | QDir::NoDotAndDotDot)) {
        if (!inodes.contains(QFile::symLinkTarget(fds.filePath(name)).section(QLatin1Char('/'), -1).toUtf8()))
            continue;
        if (found >= 0)
            return -1;
        found = name.toInt();
    }
    return found;
}

// Blocks, without running the event loop, until the peer of socket `fd` has closed its side.
bool waitForPeerClose(int fd, int timeoutMs)
{
    pollfd p{fd, POLLRDHUP, 0};
    return ::poll(&p, 1, timeoutMs) == 1 && (p.revents & (POLLRDHUP | POLLHUP));
}
#endif

// An HTTP/1.1 peer driven by a script: each complete request (head + Content-Length body) is
// recorded and answered with `response` (optionally in `splitBytes`-sized pieces 1 ms apart),
// or not at all (Hang), or, from the second request on a connection, with a close (CloseReused).
class ScriptedPeer
{
public:
    enum class Mode { Answer, Hang, CloseReused };

    Mode mode = Mode::Answer;
    QByteArray response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    bool closeAfterResponse = false;
    int splitBytes = 0;
    QList<QByteArray> requests; // raw: head and body
    int connections = 0;
    int disconnects = 0;

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QString url(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(path); }

    ScriptedPeer()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                auto buffer = std::make_shared<QByteArray>();
                auto served = std::make_shared<int>(0);
                QObject::connect(socket, &QTcpSocket::disconnected, socket, [this, socket] {
                    ++disconnects;
                    socket->deleteLater();
                });
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer, served] {
                    *buffer += socket->readAll();
                    for (;;) {
                        const qsizetype end = buffer->indexOf("\r\n\r\n");
                        if (end < 0)
                            return;
                        qsizetype length = 0;
                        const QList<QByteArray> lines = buffer->left(end).split('\n');
                        for (const QByteArray &line : lines)
                            if (line.toLower().startsWith("content-length:"))
                                length = line.mid(15).trimmed().toLongLong();
                        if (buffer->size() < end + 4 + length)
                            return;
                        requests << buffer->left(end + 4 + length);
                        buffer->remove(0, end + 4 + length);
                        ++*served;
                        if (mode == Mode::Hang)
                            continue;
                        if (mode == Mode::CloseReused && *served > 1) {
                            socket->disconnectFromHost();
                            return;
                        }
                        respond(socket);
                    }
                });
            }
        });
    }

private:
    void respond(QTcpSocket *socket)
    {
        if (splitBytes <= 0) {
            socket->write(response);
            if (closeAfterResponse)
                socket->disconnectFromHost();
            return;
        }
        auto rest = std::make_shared<QByteArray>(response);
        auto *timer = new QTimer(socket);
        timer->setInterval(1);
        QObject::connect(timer, &QTimer::timeout, socket, [this, socket, timer, rest] {
            socket->write(rest->left(splitBytes));
            socket->flush();
            rest->remove(0, std::min<qsizetype>(splitBytes, rest->size()));
            if (rest->isEmpty()) {
                timer->deleteLater();
                if (closeAfterResponse)
                    socket->disconnectFromHost();
            }
        });
        timer->start();
    }

    QTcpServer m_server;
};

} // namespace

class TestHttpClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void keepAliveReuse();
    void boundedPoolQueues();
    void nginxResponses_data();
    void nginxResponses();
    void rawResponses_data();
    void rawResponses();
    void splitResponses_data();
    void splitResponses();
    void junkResponses_data();
    void junkResponses();
    void serverClosesIdleConnection();
    void reusedConnectionClosedBeforeAnswer_data();
    void reusedConnectionClosedBeforeAnswer();
    void timeout();
    void queuedRequestTimesOut();
    void connectionRefused();
    void oversize_data();
    void oversize();
    void redirects_data();
    void redirects();
    void https_data();
    void https();
    void abortInFlight();
    void abortQueued();
    void requestSerialisation();
    void invalidRequestsFailAsynchronously_data();
    void invalidRequestsFailAsynchronously();
    void idleConnectionsAreClosed();
    void destroyedInsideCallback();

private:
    QString nginxUrl(const QString &path) const
    {
        return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path);
    }
    QString tlsUrl(const QString &path) const
    {
        return QStringLiteral("https://127.0.0.1:%1%2").arg(m_tlsPort).arg(path);
    }

    QTemporaryDir m_dir;
    ProcessFixture m_nginx;
    quint16 m_port = 0;      // plain HTTP
    quint16 m_shortPort = 0; // plain HTTP, keepalive_timeout 300ms
    quint16 m_tlsPort = 0;   // HTTPS, self-signed certificate
    QList<QSslCertificate> m_cert;
};

void TestHttpClient::initTestCase()
{
    QVERIFY2(QFileInfo(nginxProgram()).isExecutable(), "nginx is required: apt-get install nginx-light (or nginx)");
    QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend");
    QVERIFY(m_dir.isValid());
    const QString root = m_dir.path();

    // A self-signed certificate for 127.0.0.1 (and localhost), valid for a day.
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1"), QStringLiteral("-days"),
                   QStringLiteral("1"), QStringLiteral("-keyout"), root + QStringLiteral("/key.pem"),
                   QStringLiteral("-out"), root + QStringLiteral("/cert.pem")});
    QVERIFY(openssl.waitForFinished(60'000));
    QVERIFY2(openssl.exitCode() == 0, openssl.readAllStandardError().constData());
    m_cert = QSslCertificate::fromPath(root + QStringLiteral("/cert.pem"));
    QCOMPARE(m_cert.size(), 1);

    QVERIFY(writeFile(root + QStringLiteral("/www/item.json"), R"({"id":1,"name":"widget"})"));
    QVERIFY(writeFile(root + QStringLiteral("/www/ssi/page.html"),
                      "<p>before</p><!--# echo var=\"request_method\" --><p>after</p>"));
    QVERIFY(writeFile(root + QStringLiteral("/www/big.bin"), QByteArray(17 * 1024 * 1024, 'x')));

    // nginx cannot listen on port 0: ports reserved for it, held as long as it runs.
    m_port = m_nginx.reservePort();
    m_shortPort = m_nginx.reservePort();
    m_tlsPort = m_nginx.reservePort();
    QVERIFY(m_port && m_shortPort && m_tlsPort);
    QString chain;
    for (int i = 1; i <= 6; ++i)
        chain += QStringLiteral("        location = /chain/%1 { return 302 /chain/%2; }\n").arg(i).arg(i + 1);
    const QString http =
        QStringLiteral(R"(    types { application/json json; text/html html; application/octet-stream bin; }
    default_type text/plain;
    gzip off;
    server {
        listen 127.0.0.1:%2;
        root %1/www;
        location = /conn { return 200 "$connection"; }
        location = /method { return 200 "$request_method $content_length"; }
        location = /empty { return 204; }
        location = /boom { return 500 "database exploded"; }
        location /ssi/ { ssi on; chunked_transfer_encoding on; }
        location = /redirect/302 { return 302 /conn; }
        location = /redirect/301 { return 301 /conn; }
        location = /redirect/303 { return 303 /method; }
        location = /redirect/307 { return 307 /method; }
        location = /redirect/308 { return 308 /method; }
        location = /redirect/cross { return 302 http://127.0.0.1:%3/conn; }
        location = /redirect/upgrade { return 302 https://127.0.0.1:%4/conn; }
        location = /chain/7 { return 200 "end of chain"; }
%5    }
    server {
        listen 127.0.0.1:%3;
        keepalive_timeout 300ms;
        location = /conn { return 200 "$connection"; }
    }
    server {
        listen 127.0.0.1:%4 ssl;
        ssl_certificate %1/cert.pem;
        ssl_certificate_key %1/key.pem;
        location = /conn { return 200 "$connection"; }
        location = /redirect/downgrade { return 302 http://127.0.0.1:%2/conn; }
    }
)")
            .arg(root)
            .arg(m_port)
            .arg(m_shortPort)
            .arg(m_tlsPort)
            .arg(chain);
    QVERIFY2(startNginx(m_nginx, root, http, {m_port, m_shortPort, m_tlsPort}), m_nginx.output().constData());
}

void TestHttpClient::cleanupTestCase()
{
    m_nginx.stop();
}

void TestHttpClient::keepAliveReuse()
{
    HttpClient client;
    QSet<QByteArray> servedBy; // nginx's connection serial numbers
    for (int i = 0; i < 20; ++i) {
        const HttpClientResponse r = run(client, request(nginxUrl(QStringLiteral("/conn"))));
        QVERIFY2(r.ok() && r.status == 200, describe(r));
        servedBy.insert(r.body);
    }
    QCOMPARE(servedBy.size(), 1);
    QCOMPARE(client.connectionsMade(), quint64(1));
    QCOMPARE(client.openConnections(), 1);
    QCOMPARE(client.idleConnections(), 1);
    QCOMPARE(client.pendingRequests(), 0);
}

void TestHttpClient::boundedPoolQueues()
{
    HttpClient client;
    client.setMaxConnectionsPerOrigin(3);
    int done = 0;
    QSet<QByteArray> servedBy;
    for (int i = 0; i < 30; ++i) {
        client.send(request(nginxUrl(QStringLiteral("/conn"))), [&](const HttpClientResponse &r) {
            QVERIFY2(r.ok() && r.status == 200, describe(r));
            servedBy.insert(r.body);
            ++done;
        });
    }
    QVERIFY(client.openConnections() <= 3);
    QTRY_COMPARE(done, 30);
    QVERIFY(client.connectionsMade() <= 3);
    QVERIFY(servedBy.size() <= 3);
    QCOMPARE(client.pendingRequests(), 0);
}

void TestHttpClient::nginxResponses_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("expectedBody");
    QTest::addColumn<QByteArray>("headerName");
    QTest::addColumn<QByteArray>("headerValue");

    QTest::newRow("static json") << QStringLiteral("/item.json") << QByteArray("GET") << QByteArray() << 200
                                 << QByteArray(R"({"id":1,"name":"widget"})") << QByteArray("content-type")
                                 << QByteArray("application/json");
    QTest::newRow("chunked (ssi)") << QStringLiteral("/ssi/page.html") << QByteArray("GET") << QByteArray() << 200
                                   << QByteArray("<p>before</p>GET<p>after</p>") << QByteArray("transfer-encoding")
                                   << QByteArray("chunked");
    QTest::newRow("HEAD has no body") << QStringLiteral("/item.json") << QByteArray("HEAD") << QByteArray() << 200
                                      << QByteArray() << QByteArray("content-length") << QByteArray("24");
    QTest::newRow("204") << QStringLiteral("/empty") << QByteArray("GET") << QByteArray() << 204 << QByteArray()
                         << QByteArray() << QByteArray();
    QTest::newRow("404") << QStringLiteral("/missing") << QByteArray("GET") << QByteArray() << 404 << QByteArray()
                         << QByteArray() << QByteArray();
    QTest::newRow("500 with body") << QStringLiteral("/boom") << QByteArray("GET") << QByteArray() << 500
                                   << QByteArray("database exploded") << QByteArray() << QByteArray();
    QTest::newRow("POST with body") << QStringLiteral("/method") << QByteArray("POST") << QByteArray("hello") << 200
                                    << QByteArray("POST 5") << QByteArray() << QByteArray();
    QTest::newRow("DELETE") << QStringLiteral("/method") << QByteArray("DELETE") << QByteArray() << 200
                            << QByteArray("DELETE ") << QByteArray() << QByteArray();
}

void TestHttpClient::nginxResponses()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, expectedBody);
    QFETCH(QByteArray, headerName);
    QFETCH(QByteArray, headerValue);

    HttpClient client;
    for (int round = 0; round < 2; ++round) { // the second one reuses the connection
        HttpClientRequest r = request(nginxUrl(path), method);
        if (!body.isEmpty())
            r.body = body;
        const HttpClientResponse response = run(client, r);
        QVERIFY2(response.ok(), describe(response));
        QCOMPARE(response.status, status);
        if (status != 404)
            QCOMPARE(response.body, expectedBody);
        if (!headerName.isEmpty())
            QCOMPARE(response.header(headerName), headerValue);
        QCOMPARE(response.url, QUrl(nginxUrl(path)));
        if (status == 404)
            QCOMPARE(response.reason, QByteArray("Not Found"));
    }
    QCOMPARE(client.connectionsMade(), quint64(1));
}

void TestHttpClient::rawResponses_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<bool>("closeAfter");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("reusable");

    QTest::newRow("content-length") << QByteArray("GET")
                                    << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello") << false << 200
                                    << QByteArray("hello") << true;
    QTest::newRow("chunked with extensions and trailers")
        << QByteArray("GET")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5;name=value\r\nhello\r\n1 ; x\r\n \r\nA\r\n0123456789\r\n0\r\nX-Checksum: 42\r\n\r\n")
        << false << 200 << QByteArray("hello 0123456789") << true;
    QTest::newRow("close-delimited") << QByteArray("GET")
                                     << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end") << true
                                     << 200 << QByteArray("until the end") << false;
    QTest::newRow("HTTP/1.0 without length") << QByteArray("GET") << QByteArray("HTTP/1.0 200 OK\r\n\r\nold style")
                                             << true << 200 << QByteArray("old style") << false;
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("GET") << QByteArray("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
        << false << 200 << QByteArray("ok") << true;
    QTest::newRow("Connection: close with length")
        << QByteArray("GET") << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
        << false << 200 << QByteArray("ok") << false;
    QTest::newRow("1xx skipped") << QByteArray("POST")
                                 << QByteArray(
                                        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                                        "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone")
                                 << false << 201 << QByteArray("done") << true;
    QTest::newRow("204 ignores a length")
        << QByteArray("GET") << QByteArray("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n") << false << 204
        << QByteArray() << true;
    QTest::newRow("304") << QByteArray("GET")
                         << QByteArray("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 100\r\n\r\n")
                         << false << 304 << QByteArray() << true;
    QTest::newRow("HEAD with length") << QByteArray("HEAD")
                                      << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n") << false << 200
                                      << QByteArray() << true;
    QTest::newRow("no reason") << QByteArray("GET") << QByteArray("HTTP/1.1 200\r\nContent-Length: 3\r\n\r\nabc")
                               << false << 200 << QByteArray("abc") << true;
    QTest::newRow("obs-fold") << QByteArray("GET")
                              << QByteArray("HTTP/1.1 200 OK\r\nX-Long: a\r\n b\r\nContent-Length: 1\r\n\r\nz") << false
                              << 200 << QByteArray("z") << true;
    QTest::newRow("empty body") << QByteArray("GET") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                                << false << 200 << QByteArray() << true;
}

void TestHttpClient::rawResponses()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, response);
    QFETCH(bool, closeAfter);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(bool, reusable);

    ScriptedPeer peer;
    QVERIFY(peer.listen());
    peer.response = response;
    peer.closeAfterResponse = closeAfter;
    HttpClient client;
    for (int round = 0; round < 2; ++round) {
        HttpClientRequest r = request(peer.url(QStringLiteral("/x")), method);
        const HttpClientResponse got = run(client, r);
        QVERIFY2(got.ok(), describe(got));
        QCOMPARE(got.status, status);
        QCOMPARE(got.body, body);
    }
    QCOMPARE(peer.requests.size(), 2);
    QCOMPARE(peer.connections, reusable ? 1 : 2);
    QCOMPARE(client.connectionsMade(), quint64(reusable ? 1 : 2));
}

void TestHttpClient::splitResponses_data()
{
    QTest::addColumn<int>("pieceSize");
    QTest::newRow("1 byte") << 1;
    QTest::newRow("3 bytes") << 3;
    QTest::newRow("7 bytes") << 7;
}

void TestHttpClient::splitResponses()
{
    QFETCH(int, pieceSize);
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    peer.response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "4\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: yes\r\n\r\n";
    peer.splitBytes = pieceSize;
    HttpClient client;
    const HttpClientResponse got = run(client, request(peer.url(QStringLiteral("/split"))));
    QVERIFY2(got.ok(), describe(got));
    QCOMPARE(got.body, QByteArray("Wikipedia in\r\n\r\nchunks."));
    QCOMPARE(got.header("content-type"), QByteArray("text/plain"));
    QCOMPARE(got.header("trailer"), QByteArray("yes"));

    // And again on the same connection, with a Content-Length body.
    peer.response = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
    const HttpClientResponse second = run(client, request(peer.url(QStringLiteral("/split"))));
    QVERIFY2(second.ok(), describe(second));
    QCOMPARE(second.body, QByteArray("hello world"));
    QCOMPARE(peer.connections, 1);
}

void TestHttpClient::junkResponses_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<Error>("kind");

    QTest::newRow("garbage status line") << QByteArray("GARBAGE\r\n\r\n") << Error::Protocol;
    QTest::newRow("HTTP/2 status line") << QByteArray("HTTP/2 200 OK\r\n\r\n") << Error::Protocol;
    QTest::newRow("nul bytes") << QByteArray("\0\0\0\0\r\n\r\n", 8) << Error::Protocol;
    QTest::newRow("status not a number") << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n") << Error::Protocol;
    QTest::newRow("status below 100") << QByteArray("HTTP/1.1 099 Low\r\n\r\n") << Error::Protocol;
    QTest::newRow("request instead of response") << QByteArray("GET FOFOFO HTTP 1/1\r\n\r\n") << Error::Protocol;
    // Lines end in CRLF, as in requests (http/httpresponseparser.h).
    QTest::newRow("bare LF") << QByteArray("HTTP/1.1 200\nContent-Length: 3\n\nabc") << Error::Protocol;
    QTest::newRow("header without colon")
        << QByteArray("HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 0\r\n\r\n") << Error::Protocol;
    QTest::newRow("space in header name")
        << QByteArray("HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n") << Error::Protocol;
    QTest::newRow("nul in header value") << QByteArray(QByteArray("HTTP/1.1 200 OK\r\nX: a") + '\0' +
                                                       "b\r\nContent-Length: 0\r\n\r\n")
                                         << Error::Protocol;
    QTest::newRow("bad content-length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n")
                                        << Error::Protocol;
    QTest::newRow("negative content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") << Error::Protocol;
    QTest::newRow("conflicting content-lengths")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc") << Error::Protocol;
    QTest::newRow("unsupported transfer coding")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n") << Error::Protocol;
    QTest::newRow("bad chunk size") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
                                    << Error::Protocol;
    QTest::newRow("huge chunk size")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n") << Error::Protocol;
    QTest::newRow("no CRLF after chunk")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n0\r\n\r\n") << Error::Protocol;
    QTest::newRow("101") << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n") << Error::Protocol;
    QTest::newRow("header section too large")
        << QByteArray(QByteArray("HTTP/1.1 200 OK\r\nX-Big: ") + QByteArray(70'000, 'a') + "\r\n\r\n")
        << Error::Protocol;
    QTest::newRow("truncated body") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc") << Error::Network;
    QTest::newRow("truncated chunked") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
                                       << Error::Network;
    QTest::newRow("truncated head") << QByteArray("HTTP/1.1 200 OK\r\nContent-") << Error::Network;
    QTest::newRow("nothing at all") << QByteArray() << Error::Network;
}

void TestHttpClient::junkResponses()
{
    QFETCH(QByteArray, response);
    QFETCH(Error, kind);
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    peer.response = response;
    peer.closeAfterResponse = true; // matters for the truncated ones; the others fail before
    HttpClient client;
    const HttpClientResponse got = run(client, request(peer.url(QStringLiteral("/junk"))));
    QVERIFY2(!got.ok(), describe(got));
    QCOMPARE(got.errorKind, kind);
    QVERIFY(!got.error.isEmpty());
    QCOMPARE(client.pendingRequests(), 0);
    QTRY_COMPARE(client.openConnections(), 0);

    // The client is still usable: a good answer on a new connection.
    peer.response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    const HttpClientResponse good = run(client, request(peer.url(QStringLiteral("/good"))));
    QVERIFY2(good.ok() && good.body == "ok", describe(good));
}

void TestHttpClient::serverClosesIdleConnection()
{
#ifndef Q_OS_LINUX
    QSKIP("finds the client's connection through /proc");
#else
    // nginx closes idle keep-alive connections after 300 ms: the next request finds the
    // connection gone and is served on a new one.
    HttpClient client;
    const QString url = QStringLiteral("http://127.0.0.1:%1/conn").arg(m_shortPort);
    const HttpClientResponse first = run(client, request(url));
    QVERIFY2(first.ok() && first.status == 200, describe(first));
    QTRY_COMPARE_WITH_TIMEOUT(client.idleConnections(), 0, 5000); // the event loop saw the close
    const HttpClientResponse second = run(client, request(url));
    QVERIFY2(second.ok() && second.status == 200, describe(second));
    QVERIFY(first.body != second.body); // served by another nginx connection
    QCOMPARE(client.connectionsMade(), quint64(2));

    // Same thing without giving the event loop a chance to see the close first: block in
    // poll(2) on the client's socket until nginx has closed it.
    const HttpClientResponse third = run(client, request(url));
    QVERIFY2(third.ok(), describe(third));
    int socket = connectionTo(m_shortPort);
    QVERIFY(socket >= 0);
    QVERIFY(waitForPeerClose(socket, 5000));
    QCOMPARE(client.idleConnections(), 1); // not noticed yet
    const HttpClientResponse fourth = run(client, request(url));
    QVERIFY2(fourth.ok() && fourth.status == 200, describe(fourth));
    QCOMPARE(client.connectionsMade(), quint64(3));

    // A POST is never retried once sent, so this one only succeeds because the closed connection
    // is recognised before anything is written to it.
    socket = connectionTo(m_shortPort);
    QVERIFY(socket >= 0);
    QVERIFY(waitForPeerClose(socket, 5000));
    QCOMPARE(client.idleConnections(), 1);
    HttpClientRequest post = request(url, "POST");
    post.body = QByteArray("x");
    const HttpClientResponse fifth = run(client, post);
    QVERIFY2(fifth.ok() && fifth.status == 200, describe(fifth));
    QCOMPARE(client.connectionsMade(), quint64(4));
#endif
}

void TestHttpClient::reusedConnectionClosedBeforeAnswer_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("retried");

    QTest::newRow("GET is retried") << QByteArray("GET") << true;
    QTest::newRow("HEAD is retried") << QByteArray("HEAD") << true;
    QTest::newRow("PUT is retried") << QByteArray("PUT") << true;
    QTest::newRow("DELETE is retried") << QByteArray("DELETE") << true;
    QTest::newRow("POST is not") << QByteArray("POST") << false;
    QTest::newRow("PATCH is not") << QByteArray("PATCH") << false;
}

void TestHttpClient::reusedConnectionClosedBeforeAnswer()
{
    QFETCH(QByteArray, method);
    QFETCH(bool, retried);
    // The peer answers the first request of each connection and closes instead of answering the
    // next one, like a server whose keep-alive timeout hit just as the request arrived.
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    peer.mode = ScriptedPeer::Mode::CloseReused;
    peer.response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"; // no body: HEAD too
    HttpClient client;
    const HttpClientResponse first = run(client, request(peer.url(QStringLiteral("/a")), method));
    QVERIFY2(first.ok() && first.status == 200, describe(first));

    HttpClientRequest second = request(peer.url(QStringLiteral("/b")), method);
    second.body = QByteArray("payload");
    const HttpClientResponse got = run(client, second);
    if (retried) {
        QVERIFY2(got.ok() && got.status == 200, describe(got));
        QCOMPARE(peer.connections, 2);
        QCOMPARE(peer.requests.size(), 3); // /a, /b (dropped), /b again
    } else {
        QVERIFY2(!got.ok(), describe(got));
        QCOMPARE(got.errorKind, Error::Network);
        QVERIFY2(got.error.contains(QLatin1String("without a response")), qPrintable(got.error));
        QCOMPARE(peer.connections, 1);
        QCOMPARE(peer.requests.size(), 2); // sent once, never twice
    }
}

void TestHttpClient::timeout()
{
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    peer.mode = ScriptedPeer::Mode::Hang;
    HttpClient client;
    HttpClientRequest r = request(peer.url(QStringLiteral("/slow")));
    r.timeoutMs = 300;
    QElapsedTimer timer;
    timer.start();
    const HttpClientResponse got = run(client, r);
    QVERIFY2(timer.elapsed() >= 290, QByteArray::number(timer.elapsed()).constData());
    QVERIFY(timer.elapsed() < 10'000);
    QVERIFY(got.isTimeout());
    QVERIFY(!got.isNetworkError());
    QVERIFY2(got.error.contains(QLatin1String("300 ms")), qPrintable(got.error));
    QCOMPARE(peer.requests.size(), 1);
    QTRY_COMPARE(peer.disconnects, 1); // the connection was closed
    QCOMPARE(client.openConnections(), 0);
    QCOMPARE(client.pendingRequests(), 0);
}

void TestHttpClient::queuedRequestTimesOut()
{
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    peer.mode = ScriptedPeer::Mode::Hang;
    HttpClient client;
    client.setMaxConnectionsPerOrigin(1);
    std::optional<HttpClientResponse> first;
    std::optional<HttpClientResponse> second;
    HttpClientRequest r = request(peer.url(QStringLiteral("/slow")));
    r.timeoutMs = 2'000;
    client.send(r, [&first](const HttpClientResponse &got) { first = got; });
    r.timeoutMs = 200;
    client.send(r, [&second](const HttpClientResponse &got) { second = got; }); // waits for the connection
    QTRY_VERIFY(second.has_value());
    QVERIFY(second->isTimeout());
    QVERIFY(!first.has_value());
    QCOMPARE(peer.requests.size(), 1); // the queued one never went out
    QTRY_VERIFY(first.has_value());
    QVERIFY(first->isTimeout());
}

void TestHttpClient::connectionRefused()
{
    HttpClient client;
    const ReservedPort closed; // bound, never listening: connections are refused
    QVERIFY(closed.port() != 0);
    const HttpClientResponse got = run(client, request(QStringLiteral("http://127.0.0.1:%1/x").arg(closed.port())));
    QVERIFY(!got.ok());
    QCOMPARE(got.errorKind, Error::Network);
    QVERIFY(got.isNetworkError());
    QVERIFY2(got.error.contains(QLatin1String("refused"), Qt::CaseInsensitive), qPrintable(got.error));
    QCOMPARE(client.openConnections(), 0);
}

void TestHttpClient::oversize_data()
{
    QTest::addColumn<QString>("path");        // on nginx; empty: the scripted peer
    QTest::addColumn<QByteArray>("response"); // scripted peer
    QTest::addColumn<qint64>("limit");

    QTest::newRow("17 MiB file, default 16 MiB limit")
        << QStringLiteral("/big.bin") << QByteArray() << kDefaultMaxResponseBytes;
    QTest::newRow("content-length over a small limit") << QStringLiteral("/item.json") << QByteArray() << qint64(10);
    QTest::newRow("chunked over the limit")
        << QString()
        << QByteArray(
               "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
        << qint64(12);
    QTest::newRow("close-delimited over the limit")
        << QString() << QByteArray("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n0123456789abcdef") << qint64(12);
}

void TestHttpClient::oversize()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, response);
    QFETCH(qint64, limit);
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    peer.response = response;
    peer.closeAfterResponse = true;
    HttpClient client;
    HttpClientRequest r = request(path.isEmpty() ? peer.url(QStringLiteral("/big")) : nginxUrl(path));
    r.maxResponseBytes = limit;
    const HttpClientResponse got = run(client, r);
    QCOMPARE(got.errorKind, Error::TooLarge);
    QVERIFY(got.body.size() <= limit);
    QTRY_COMPARE(client.openConnections(), 0);
}

void TestHttpClient::redirects_data()
{
    QTest::addColumn<QString>("url"); // "%1": nginx port, "%2": TLS port
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("expectedBody"); // "*": any
    QTest::addColumn<int>("redirects");
    QTest::addColumn<Error>("kind");

    const QString http = QStringLiteral("http://127.0.0.1:%1");
    QTest::newRow("302 GET") << http + QStringLiteral("/redirect/302") << QByteArray("GET") << QByteArray() << 200
                             << QByteArray("*") << 1 << Error::None;
    QTest::newRow("301 HEAD") << http + QStringLiteral("/redirect/301") << QByteArray("HEAD") << QByteArray() << 200
                              << QByteArray() << 1 << Error::None;
    QTest::newRow("303 GET") << http + QStringLiteral("/redirect/303") << QByteArray("GET") << QByteArray() << 200
                             << QByteArray("GET ") << 1 << Error::None;
    QTest::newRow("307 POST keeps method and body")
        << http + QStringLiteral("/redirect/307") << QByteArray("POST") << QByteArray("hello") << 200
        << QByteArray("POST 5") << 1 << Error::None;
    QTest::newRow("308 PUT keeps method and body")
        << http + QStringLiteral("/redirect/308") << QByteArray("PUT") << QByteArray("abc") << 200
        << QByteArray("PUT 3") << 1 << Error::None;
    QTest::newRow("302 POST is not followed") << http + QStringLiteral("/redirect/302") << QByteArray("POST")
                                              << QByteArray("x") << 302 << QByteArray("*") << 0 << Error::None;
    QTest::newRow("303 POST is not followed") << http + QStringLiteral("/redirect/303") << QByteArray("POST")
                                              << QByteArray("x") << 303 << QByteArray("*") << 0 << Error::None;
    QTest::newRow("5 redirects") << http + QStringLiteral("/chain/2") << QByteArray("GET") << QByteArray() << 200
                                 << QByteArray("end of chain") << 5 << Error::None;
    QTest::newRow("6 redirects are too many") << http + QStringLiteral("/chain/1") << QByteArray("GET") << QByteArray()
                                              << 302 << QByteArray("*") << 5 << Error::Redirect;
    QTest::newRow("another origin is refused") << http + QStringLiteral("/redirect/cross") << QByteArray("GET")
                                               << QByteArray() << 302 << QByteArray("*") << 0 << Error::Redirect;
    QTest::newRow("upgrade to https on the same host")
        << http + QStringLiteral("/redirect/upgrade") << QByteArray("GET") << QByteArray() << 200 << QByteArray("*")
        << 1 << Error::None;
    QTest::newRow("https to http is refused")
        << QStringLiteral("https://127.0.0.1:%2/redirect/downgrade") << QByteArray("GET") << QByteArray() << 302
        << QByteArray("*") << 0 << Error::Redirect;
}

void TestHttpClient::redirects()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, expectedBody);
    QFETCH(int, redirects);
    QFETCH(Error, kind);

    HttpClient client;
    client.addCaCertificates(m_cert);
    HttpClientRequest r = request(url.replace(QLatin1String("%1"), QString::number(m_port))
                                      .replace(QLatin1String("%2"), QString::number(m_tlsPort)),
                                  method);
    if (!body.isEmpty())
        r.body = body;
    const HttpClientResponse got = run(client, r);
    QCOMPARE(got.errorKind, kind);
    QCOMPARE(got.status, status);
    QCOMPARE(got.redirects, redirects);
    if (expectedBody != "*")
        QCOMPARE(got.body, expectedBody);
    if (kind == Error::Redirect)
        QVERIFY(!got.error.isEmpty());
    if (kind == Error::None && status == 200)
        QVERIFY(got.url != QUrl(url));
}

void TestHttpClient::https_data()
{
    QTest::addColumn<bool>("trustCa");
    QTest::newRow("self-signed, not trusted") << false;
    QTest::newRow("self-signed, trusted CA") << true;
}

void TestHttpClient::https()
{
    QFETCH(bool, trustCa);
    HttpClient client;
    if (trustCa)
        client.addCaCertificates(m_cert);
    QStringList opened;
    connect(&client, &HttpClient::connectionOpened, this, [&opened](const QString &origin) { opened << origin; });
    const HttpClientResponse got = run(client, request(tlsUrl(QStringLiteral("/conn"))));
    if (!trustCa) {
        QVERIFY2(!got.ok(), describe(got));
        QCOMPARE(got.errorKind, Error::Tls);
        QVERIFY(got.isNetworkError());
        QVERIFY2(got.error.contains(QLatin1String("self signed"), Qt::CaseInsensitive) ||
                     got.error.contains(QLatin1String("self-signed"), Qt::CaseInsensitive),
                 qPrintable(got.error));
        QCOMPARE(got.status, 0);
        QVERIFY(opened.isEmpty());
        QCOMPARE(client.openConnections(), 0);
        return;
    }
    QVERIFY2(got.ok() && got.status == 200, describe(got));
    // Keep-alive over TLS as well.
    for (int i = 0; i < 3; ++i) {
        const HttpClientResponse again = run(client, request(tlsUrl(QStringLiteral("/conn"))));
        QVERIFY2(again.ok(), describe(again));
        QCOMPARE(again.body, got.body);
    }
    QCOMPARE(client.connectionsMade(), quint64(1));
    QCOMPARE(opened, QStringList{QStringLiteral("https://127.0.0.1:%1").arg(m_tlsPort)});
}

void TestHttpClient::abortInFlight()
{
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    peer.mode = ScriptedPeer::Mode::Hang;
    HttpClient client;
    bool called = false;
    const quint64 id = client.send(request(peer.url(QStringLiteral("/slow"))),
                                   [&called](const HttpClientResponse &) { called = true; });
    QVERIFY(id != 0);
    QTRY_COMPARE(peer.requests.size(), 1);
    client.abort(id);
    QCOMPARE(client.pendingRequests(), 0);
    QTRY_COMPARE(peer.disconnects, 1); // the request's connection was closed
    QVERIFY(processPostedEvents());    // no queued callback either
    QVERIFY(!called);
    client.abort(id);    // again: ignored
    client.abort(12345); // unknown: ignored
    QCOMPARE(client.openConnections(), 0);
}

void TestHttpClient::abortQueued()
{
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    peer.mode = ScriptedPeer::Mode::Hang;
    HttpClient client;
    client.setMaxConnectionsPerOrigin(1);
    bool firstCalled = false;
    bool secondCalled = false;
    const quint64 first = client.send(request(peer.url(QStringLiteral("/first"))),
                                      [&firstCalled](const HttpClientResponse &) { firstCalled = true; });
    const quint64 second = client.send(request(peer.url(QStringLiteral("/second"))),
                                       [&secondCalled](const HttpClientResponse &) { secondCalled = true; });
    QTRY_COMPARE(peer.requests.size(), 1);
    client.abort(second);
    QCOMPARE(client.pendingRequests(), 1);
    client.abort(first);
    QTRY_COMPARE(peer.disconnects, 1);
    QVERIFY(processPostedEvents());
    QVERIFY(!firstCalled && !secondCalled);
    // The next request goes out next: the aborted queued one never does.
    peer.mode = ScriptedPeer::Mode::Answer;
    const HttpClientResponse third = run(client, request(peer.url(QStringLiteral("/third"))));
    QVERIFY2(third.ok(), describe(third));
    QVERIFY(!firstCalled && !secondCalled);
    QCOMPARE(peer.requests.size(), 2);
    QVERIFY(peer.requests.constFirst().startsWith("GET /first "));
    QVERIFY(peer.requests.constLast().startsWith("GET /third "));
}

void TestHttpClient::requestSerialisation()
{
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    HttpClient client;

    HttpClientRequest get = request(peer.url(QStringLiteral("/a%20b/../c?x=1&y=%C3%BC#fragment")));
    get.headers = {{"Authorization", "Bearer s3cret"}, {"X-Empty", ""}, {"Host", "evil.example"}};
    QVERIFY(run(client, get).ok());
    HttpClientRequest post = request(peer.url(QStringLiteral("/items")), "POST");
    post.body = QByteArray(R"({"a":1})");
    post.headers = {{"Content-Type", "application/json"}, {"Content-Length", "999"}};
    QVERIFY(run(client, post).ok());
    QVERIFY(run(client, request(peer.url(QStringLiteral("/put")), "PUT")).ok());
    QVERIFY(run(client, request(peer.url(QString()))).ok());

    QCOMPARE(peer.requests.size(), 4);
    const QByteArray host = QByteArray("Host: 127.0.0.1:" + QByteArray::number(peer.port()) + "\r\n");
    QCOMPARE(peer.requests.at(0), QByteArray("GET /c?x=1&y=%C3%BC HTTP/1.1\r\n" + host +
                                             "Authorization: Bearer s3cret\r\nX-Empty: \r\n\r\n"));
    QCOMPARE(peer.requests.at(1), QByteArray("POST /items HTTP/1.1\r\n" + host +
                                             "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}"));
    QCOMPARE(peer.requests.at(2), QByteArray("PUT /put HTTP/1.1\r\n" + host + "Content-Length: 0\r\n\r\n"));
    QCOMPARE(peer.requests.at(3), QByteArray("GET / HTTP/1.1\r\n" + host + "\r\n"));
    QCOMPARE(peer.connections, 1);
}

void TestHttpClient::invalidRequestsFailAsynchronously_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("headerValue");

    QTest::newRow("ftp") << QStringLiteral("ftp://127.0.0.1/x") << QByteArray("GET") << QByteArray("v");
    QTest::newRow("relative") << QStringLiteral("/only/a/path") << QByteArray("GET") << QByteArray("v");
    QTest::newRow("no host") << QStringLiteral("http:///x") << QByteArray("GET") << QByteArray("v");
    QTest::newRow("bad method") << QStringLiteral("http://127.0.0.1:1/x") << QByteArray("GET /evil") << QByteArray("v");
    QTest::newRow("header injection") << QStringLiteral("http://127.0.0.1:1/x") << QByteArray("GET")
                                      << QByteArray("a\r\nX-Evil: 1");
}

void TestHttpClient::invalidRequestsFailAsynchronously()
{
    QFETCH(QString, url);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, headerValue);
    HttpClient client;
    HttpClientRequest r = request(url, method);
    r.headers = {{"X-Value", headerValue}};
    std::optional<HttpClientResponse> got;
    client.send(r, [&got](const HttpClientResponse &response) { got = response; });
    QVERIFY(!got.has_value()); // never from inside send()
    QTRY_VERIFY(got.has_value());
    QCOMPARE(got->errorKind, Error::Invalid);
    QVERIFY(!got->error.isEmpty());
    QCOMPARE(client.connectionsMade(), quint64(0));
}

void TestHttpClient::idleConnectionsAreClosed()
{
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    HttpClient client;
    client.setIdleTimeout(200);
    QVERIFY(run(client, request(peer.url(QStringLiteral("/a")))).ok());
    QCOMPARE(client.idleConnections(), 1);
    QTRY_COMPARE(client.openConnections(), 0);
    QTRY_COMPARE(peer.disconnects, 1);
    QVERIFY(run(client, request(peer.url(QStringLiteral("/b")))).ok());
    QCOMPARE(client.connectionsMade(), quint64(2));
}

void TestHttpClient::destroyedInsideCallback()
{
    ScriptedPeer peer;
    QVERIFY(peer.listen());
    peer.response = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nbye"; // completes from the close handler
    peer.closeAfterResponse = true;
    QPointer<HttpClient> client = new HttpClient;
    bool called = false;
    bool otherCalled = false;
    bool otherCalledBeforeDelete = false;
    client->send(request(peer.url(QStringLiteral("/a"))), [&](const HttpClientResponse &r) {
        called = true;
        QCOMPARE(r.body, QByteArray("bye"));
        otherCalledBeforeDelete = otherCalled;
        delete client.data();
    });
    client->send(request(nginxUrl(QStringLiteral("/conn"))),
                 [&otherCalled](const HttpClientResponse &) { otherCalled = true; });
    QTRY_VERIFY(called);
    QVERIFY(client.isNull());
    QVERIFY(processPostedEvents());
    // The nginx request either finished first or never calls back.
    QCOMPARE(otherCalled, otherCalledBeforeDelete);

    // Destroyed from a keep-alive completion (inside readyRead) and from a timeout.
    QPointer<HttpClient> second = new HttpClient;
    bool secondCalled = false;
    second->send(request(nginxUrl(QStringLiteral("/conn"))), [&](const HttpClientResponse &r) {
        secondCalled = r.ok();
        delete second.data();
    });
    QTRY_VERIFY(second.isNull());
    QVERIFY(secondCalled);

    ScriptedPeer hang;
    QVERIFY(hang.listen());
    hang.mode = ScriptedPeer::Mode::Hang;
    QPointer<HttpClient> third = new HttpClient;
    HttpClientRequest slow = request(hang.url(QStringLiteral("/slow")));
    slow.timeoutMs = 50;
    third->send(slow, [&](const HttpClientResponse &r) {
        QVERIFY(r.isTimeout());
        delete third.data();
    });
    QTRY_VERIFY(third.isNull());
    QTRY_COMPARE(hang.disconnects, 1);
}

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_httpclient.moc"
