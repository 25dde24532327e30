// rest::HttpClient against a QTcpServer on 127.0.0.1 that answers with exact bytes: the response
// parser's rarer refusals (reason phrases, obs-fold, over-long lines with and without a newline,
// chunk framing, trailers, interim-response floods), framing that forbids reuse, a request's own
// "Connection: close", redirect targets that are not http(s), bytes arriving on an idle
// connection, and idle timeouts changed while connections are idle.

#include "http/httpclient.h"
#include "httpclienttest.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>

using namespace metamcp::rest;

using Error = HttpClientResponse::Error;
Q_DECLARE_METATYPE(metamcp::rest::HttpClientResponse::Error)

namespace {

// Milliseconds on one clock shared by the peers and the tests.
qint64 now()
{
    static const QElapsedTimer clock = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return clock.elapsed();
}

// Answers every complete request head (requests here have no body) with `response`; can send
// `unsolicited` bytes some time after answering, and records connections and their ends.
class Peer
{
public:
    QByteArray response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    QByteArray unsolicited;
    QList<QByteArray> requests;
    int connections = 0;
    QList<qint64> disconnectedAt; // now() when the client closed a connection

    Peer()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(socket, &QTcpSocket::disconnected, socket, [this, socket] {
                    disconnectedAt.append(now());
                    socket->deleteLater();
                });
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                    *buffer += socket->readAll();
                    for (qsizetype end; (end = buffer->indexOf("\r\n\r\n")) >= 0;) {
                        requests.append(buffer->left(end + 4));
                        buffer->remove(0, end + 4);
                        socket->write(response);
                        if (!unsolicited.isEmpty())
                            QTimer::singleShot(50, socket, [this, socket] { socket->write(unsolicited); });
                    }
                });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url(const QString &path = QStringLiteral("/x")) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
    }

private:
    QTcpServer m_server;
};

HttpClientRequest get(const QUrl &url)
{
    HttpClientRequest r;
    r.url = url;
    r.timeoutMs = 10'000;
    return r;
}

// Sends and runs the event loop until the callback ran (see httpclienttest.h).
HttpClientResponse run(HttpClient &client, HttpClientRequest r, int waitMs = 20'000)
{
    return metamcp::test::runRequest(client, std::move(r), waitMs);
}

using metamcp::test::describe;
using metamcp::test::processPostedEvents;

} // namespace

class TestHttpClientEdge final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void refused_data();
    void refused();
    void accepted_data();
    void accepted();
    void requestConnectionClose();
    void invalidRedirectTargets_data();
    void invalidRedirectTargets();
    void bytesOnIdleConnection();
    void settingsAreClamped();
    void shorterIdleTimeoutAppliesToIdleConnections();
    void idleConnectionsExpireOneByOne();
};

void TestHttpClientEdge::refused_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<Error>("kind");
    QTest::addColumn<QString>("message");

    const qint64 big = kDefaultMaxResponseBytes;
    const QByteArray chunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    QTest::newRow("junk after the status code") << QByteArray("HTTP/1.1 200XOK\r\nContent-Length: 0\r\n\r\n") << big
                                                << Error::Protocol << QStringLiteral("status line");
    QTest::newRow("control character in the reason") << QByteArray("HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n")
                                                     << big << Error::Protocol << QStringLiteral("status line");
    QTest::newRow("obs-fold before any header") << QByteArray("HTTP/1.1 200 OK\r\n folded\r\nContent-Length: 0\r\n\r\n")
                                                << big << Error::Protocol << QStringLiteral("header line");
    QTest::newRow("obs-fold of a framing header") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 0\r\n\r\nz")
                                                  << big << Error::Protocol << QStringLiteral("header line");
    QTest::newRow("obs-fold with a control character")
        << QByteArray("HTTP/1.1 200 OK\r\nX-A: a\r\n b\x02\r\nContent-Length: 0\r\n\r\n") << big << Error::Protocol
        << QStringLiteral("header line");
    QTest::newRow("content-length of 19 digits")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0000000000000000001\r\n\r\nz") << big << Error::Protocol
        << QStringLiteral("Content-Length");
    QTest::newRow("header section without end")
        << QByteArray("HTTP/1.1 200 OK\r\nX-Big: " + QByteArray(kMaxResponseHeaderBytes + 10, 'a')) << big
        << Error::Protocol << QStringLiteral("header section is too large");
    QTest::newRow("chunk size line without end")
        << QByteArray(chunkedHead + "5;" + QByteArray(20'000, 'e')) << big << Error::Protocol
        << QStringLiteral("Malformed chunked response body");
    QTest::newRow("junk after the chunk size") << QByteArray(chunkedHead + "5 x\r\nhello\r\n0\r\n\r\n") << big
                                               << Error::Protocol << QStringLiteral("Malformed chunked response body");
    QTest::newRow("byte instead of CRLF after a chunk") << QByteArray(chunkedHead + "2\r\nabX\n0\r\n\r\n") << big
                                                        << Error::Protocol << QStringLiteral("no CRLF after a chunk");
    QTest::newRow("bare LF before the status line") << QByteArray("\r\n\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                                                    << big << Error::Protocol << QStringLiteral("bare LF");
    QTest::newRow("bare LF after a chunk") << QByteArray(chunkedHead + "2\r\nab\n0\r\n\r\n") << big << Error::Protocol
                                           << QStringLiteral("no CRLF after a chunk");
    QTest::newRow("bad trailer") << QByteArray(chunkedHead + "2\r\nab\r\n0\r\nno colon here\r\n\r\n") << big
                                 << Error::Protocol << QStringLiteral("trailer line");
    QTest::newRow("chunked body over the limit")
        << QByteArray(chunkedHead + "4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n") << qint64(6) << Error::TooLarge << QString();
    QByteArray flood;
    for (int i = 0; i < 17; ++i)
        flood += "HTTP/1.1 100 Continue\r\n\r\n";
    QTest::newRow("17 interim responses") << QByteArray(flood + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") << big
                                          << Error::Protocol << QStringLiteral("Too many interim");
}

void TestHttpClientEdge::refused()
{
    QFETCH(QByteArray, response);
    QFETCH(qint64, maxBytes);
    QFETCH(Error, kind);
    QFETCH(QString, message);
    Peer peer;
    QVERIFY(peer.listen());
    peer.response = response;
    HttpClient client;
    HttpClientRequest r = get(peer.url());
    r.maxResponseBytes = maxBytes;
    const HttpClientResponse got = run(client, r);
    QCOMPARE(got.errorKind, kind);
    QVERIFY2(got.error.contains(message), describe(got));
    // A connection that carried junk is never reused.
    QCOMPARE(client.openConnections(), 0);
    peer.response = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfine";
    const HttpClientResponse next = run(client, get(peer.url()));
    QVERIFY2(next.ok(), describe(next));
    QCOMPARE(next.body, QByteArray("fine"));
    QCOMPARE(peer.connections, 2);
}

void TestHttpClientEdge::accepted_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("reusable");

    QTest::newRow("empty lines before the status line")
        << QByteArray("\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") << QByteArray("ok") << true;
    // RFC 9112 6.3: Transfer-Encoding wins, and the connection must not be reused.
    QTest::newRow("chunked and content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "2\r\nok\r\n0\r\n\r\n")
        << QByteArray("ok") << false;
    QTest::newRow("empty obs-fold line") << QByteArray("HTTP/1.1 200 OK\r\nX-A: a\r\n \r\nContent-Length: 2\r\n\r\nok")
                                         << QByteArray("ok") << true;
    QTest::newRow("reason with tabs and symbols")
        << QByteArray("HTTP/1.1 200 All\tfine (really) ;-)\r\nContent-Length: 2\r\n\r\nok") << QByteArray("ok") << true;
}

void TestHttpClientEdge::accepted()
{
    QFETCH(QByteArray, response);
    QFETCH(QByteArray, body);
    QFETCH(bool, reusable);
    Peer peer;
    QVERIFY(peer.listen());
    peer.response = response;
    HttpClient client;
    for (int round = 0; round < 2; ++round) {
        const HttpClientResponse got = run(client, get(peer.url()));
        QVERIFY2(got.ok(), describe(got));
        QCOMPARE(got.status, 200);
        QCOMPARE(got.body, body);
    }
    QCOMPARE(peer.connections, reusable ? 1 : 2);
}

void TestHttpClientEdge::requestConnectionClose()
{
    Peer peer;
    QVERIFY(peer.listen());
    HttpClient client;
    HttpClientRequest r = get(peer.url());
    r.headers = {{"Connection", "keep-alive, Close"}};
    for (int round = 0; round < 2; ++round) {
        const HttpClientResponse got = run(client, r);
        QVERIFY2(got.ok(), describe(got));
        QCOMPARE(got.body, QByteArray("ok"));
        QVERIFY(QTest::qWaitFor([&] { return client.openConnections() == 0; }, 2000));
    }
    QCOMPARE(peer.connections, 2);
    QCOMPARE(client.idleConnections(), 0);
    QVERIFY2(peer.requests.first().contains("\r\nConnection: keep-alive, Close\r\n"), peer.requests.first());
    // Without it the connection is kept.
    r.headers.clear();
    QVERIFY(run(client, r).ok());
    QVERIFY(run(client, r).ok());
    QCOMPARE(peer.connections, 3);
    QCOMPARE(client.idleConnections(), 1);
}

void TestHttpClientEdge::invalidRedirectTargets_data()
{
    QTest::addColumn<QByteArray>("location");
    QTest::newRow("ftp") << QByteArray("ftp://127.0.0.1/file");
    QTest::newRow("no host") << QByteArray("http:///nohost");
    QTest::newRow("mailto") << QByteArray("mailto:someone@example.com");
}

void TestHttpClientEdge::invalidRedirectTargets()
{
    QFETCH(QByteArray, location);
    Peer peer;
    QVERIFY(peer.listen());
    peer.response = "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 5\r\n\r\nmoved";
    HttpClient client;
    const HttpClientResponse got = run(client, get(peer.url()));
    QCOMPARE(got.errorKind, Error::Redirect);
    QVERIFY2(got.error.startsWith(QStringLiteral("Invalid redirect target")), describe(got));
    // The 3xx is kept, and nothing was followed.
    QCOMPARE(got.status, 302);
    QCOMPARE(got.body, QByteArray("moved"));
    QCOMPARE(got.redirects, 0);
    QCOMPARE(peer.requests.size(), 1);
}

void TestHttpClientEdge::bytesOnIdleConnection()
{
    Peer peer;
    QVERIFY(peer.listen());
    peer.unsolicited = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra";
    HttpClient client;
    HttpClientResponse got = run(client, get(peer.url()));
    QVERIFY2(got.ok(), describe(got));
    QCOMPARE(client.idleConnections(), 1);
    // The stray response arrives while nothing is asked: the connection is dropped, not reused.
    QVERIFY(QTest::qWaitFor([&] { return client.openConnections() == 0; }, 5000));
    QVERIFY(QTest::qWaitFor([&] { return peer.disconnectedAt.size() == 1; }, 5000));
    peer.unsolicited.clear();
    got = run(client, get(peer.url()));
    QVERIFY2(got.ok(), describe(got));
    QCOMPARE(got.body, QByteArray("ok"));
    QCOMPARE(peer.connections, 2);
    QCOMPARE(client.connectionsMade(), quint64(2));
}

void TestHttpClientEdge::settingsAreClamped()
{
    HttpClient client;
    QCOMPARE(client.maxConnectionsPerOrigin(), kDefaultMaxConnectionsPerOrigin);
    QCOMPARE(client.idleTimeout(), kDefaultIdleTimeoutMs);
    client.setMaxConnectionsPerOrigin(0);
    QCOMPARE(client.maxConnectionsPerOrigin(), 1);
    client.setMaxConnectionsPerOrigin(-5);
    QCOMPARE(client.maxConnectionsPerOrigin(), 1);
    client.setIdleTimeout(-1);
    QCOMPARE(client.idleTimeout(), 1);
    client.setIdleTimeout(250);
    QCOMPARE(client.idleTimeout(), 250);

    // One connection per origin: the second request waits for the first.
    Peer peer;
    QVERIFY(peer.listen());
    client.setMaxConnectionsPerOrigin(0);
    int done = 0;
    for (int i = 0; i < 3; ++i)
        client.send(get(peer.url()), [&done](const HttpClientResponse &r) { done += r.ok() ? 1 : 100; });
    QCOMPARE(client.pendingRequests(), 3);
    QVERIFY(QTest::qWaitFor([&] { return done == 3; }, 10'000));
    QCOMPARE(peer.connections, 1);
}

void TestHttpClientEdge::shorterIdleTimeoutAppliesToIdleConnections()
{
    Peer peer;
    QVERIFY(peer.listen());
    HttpClient client; // 30 s idle timeout: the sweep is far away
    QVERIFY(run(client, get(peer.url())).ok());
    QCOMPARE(client.idleConnections(), 1);
    QVERIFY(processPostedEvents()); // nothing queued closes it
    QCOMPARE(client.idleConnections(), 1);
    client.setIdleTimeout(50);
    QVERIFY(QTest::qWaitFor([&] { return client.idleConnections() == 0; }, 3000));
    QCOMPARE(client.openConnections(), 0);
    QVERIFY(QTest::qWaitFor([&] { return peer.disconnectedAt.size() == 1; }, 3000));
}

void TestHttpClientEdge::idleConnectionsExpireOneByOne()
{
    Peer first;
    Peer second;
    QVERIFY(first.listen());
    QVERIFY(second.listen());
    HttpClient client;
    client.setIdleTimeout(400);
    QVERIFY(run(client, get(first.url())).ok());
    const qint64 firstIdle = now();
    // The second connection goes idle half an idle timeout later. No event marks that moment:
    // it is a span of time, waited for on the clock (the event loop runs meanwhile).
    QTRY_VERIFY_WITH_TIMEOUT(now() - firstIdle >= 200, 5000);
    QVERIFY(run(client, get(second.url())).ok());
    const qint64 secondIdle = now();
    QCOMPARE(client.idleConnections(), 2);

    // Each connection goes when its own idle time is up, not when the other's is.
    QVERIFY(QTest::qWaitFor([&] { return client.idleConnections() == 0; }, 5000));
    QVERIFY(
        QTest::qWaitFor([&] { return first.disconnectedAt.size() == 1 && second.disconnectedAt.size() == 1; }, 3000));
    const qint64 firstClosed = first.disconnectedAt.first();
    const qint64 secondClosed = second.disconnectedAt.first();
    const QByteArray times = QStringLiteral("idle at %1 and %2 ms, closed at %3 and %4 ms")
                                 .arg(firstIdle)
                                 .arg(secondIdle)
                                 .arg(firstClosed)
                                 .arg(secondClosed)
                                 .toLatin1();
    QVERIFY2(firstClosed >= firstIdle + 300, times.constData());
    QVERIFY2(secondClosed >= secondIdle + 300, times.constData());
    QVERIFY2(secondClosed - firstClosed >= (secondIdle - firstIdle) / 2, times.constData());
}

QTEST_GUILESS_MAIN(TestHttpClientEdge)
#include "tst_httpclient_edge.moc"
