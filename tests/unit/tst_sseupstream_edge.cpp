// SseUpstream (legacy HTTP+SSE) against a scripted server on 127.0.0.1 written here with
// QTcpServer, for what a well-behaved server never does: an endpoint event naming another
// origin (messages must not be sent there), a 200 that is not an event stream, stray events,
// non-JSON data and a second endpoint, POSTs answered with errors or not at all, and a stream
// the server ends. Also a URL that is not http(s).

#include "testsupport.h"
#include "upstream/upstream.h"
#include "upstream/upstreamfactory.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <optional>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

namespace {

// GET /sse opens the stream (endpoint event first); POST /messages answers 202 and sends the
// JSON-RPC response on the stream, or answers `failStatus` for methods in `failMethods`, or
// never answers methods in `hangMethods`.
class LegacySseServer
{
public:
    QByteArray endpoint = "/messages?sessionId=abc";
    QByteArray contentType = "text/event-stream";
    QByteArray afterEndpoint; // raw SSE bytes written right after the endpoint event
    QStringList failMethods;
    QStringList hangMethods;
    QList<QJsonObject> posted;
    int streams = 0;
    QPointer<QTcpSocket> stream;

    LegacySseServer()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                QObject::connect(socket, &QTcpSocket::readyRead, socket,
                                 [this, socket, buffer] { onData(socket, buffer.get()); });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QUrl url() const { return QUrl(u"http://127.0.0.1:%1/sse"_s.arg(port())); }

    void sendEvent(const QByteArray &event, const QByteArray &data)
    {
        if (stream)
            stream->write("event: " + event + "\ndata: " + data + "\n\n");
    }

private:
    void onData(QTcpSocket *socket, QByteArray *buffer)
    {
        *buffer += socket->readAll();
        for (;;) {
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray head = buffer->left(end);
            qsizetype length = 0;
            for (const QByteArray &line : head.split('\n'))
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            if (buffer->size() < end + 4 + length)
                return;
            const QByteArray body = buffer->mid(end + 4, length);
            buffer->remove(0, end + 4 + length);
            if (head.startsWith("GET "))
                openStream(socket);
            else
                onPost(socket, QJsonDocument::fromJson(body).object());
        }
    }

    void openStream(QTcpSocket *socket)
    {
        ++streams;
        if (contentType != "text/event-stream") {
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: " + contentType +
                          "\r\nContent-Length: 13\r\n\r\n<html></html>");
            return;
        }
        stream = socket;
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                      "Connection: close\r\n\r\n");
        socket->write("event: endpoint\ndata: " + endpoint + "\n\n" + afterEndpoint);
    }

    void onPost(QTcpSocket *socket, const QJsonObject &message)
    {
        posted.append(message);
        const QString method = message.value(u"method"_s).toString();
        if (hangMethods.contains(method))
            return;
        if (failMethods.contains(method)) {
            const QByteArray body = R"({"error":"the backend is down"})";
            socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
                          QByteArray::number(body.size()) + "\r\n\r\n" + body);
            return;
        }
        socket->write("HTTP/1.1 202 Accepted\r\nContent-Length: 8\r\n\r\nAccepted");
        if (!message.contains(u"id"_s) || !message.contains(u"method"_s))
            return; // notification or response
        QJsonObject result;
        if (method == u"initialize")
            result = QJsonObject{{u"protocolVersion"_s, u"2024-11-05"_s},
                                 {u"capabilities"_s, QJsonObject{{u"tools"_s, QJsonObject{}}}},
                                 {u"serverInfo"_s, QJsonObject{{u"name"_s, u"scripted"_s}, {u"version"_s, u"1"_s}}}};
        else if (method == u"tools/list")
            result = QJsonObject{{u"tools"_s, QJsonArray()}};
        const QJsonObject response{{u"jsonrpc"_s, u"2.0"_s}, {u"id"_s, message.value(u"id"_s)}, {u"result"_s, result}};
        sendEvent("message", QJsonDocument(response).toJson(QJsonDocument::Compact));
    }

    QTcpServer m_server;
};

UpstreamConfig sseConfig(const QUrl &url)
{
    UpstreamConfig c;
    c.name = u"legacy"_s;
    c.kind = UpstreamKind::Sse;
    c.url = url;
    c.startupTimeoutMs = 5000;
    c.requestTimeoutMs = 5000;
    return c;
}

// Waits for the upstream to be Failing and returns the reason ("" if it never failed).
QString failureOf(Upstream &upstream, int timeoutMs = 10'000)
{
    if (!waitForUpstreamState(upstream, UpstreamState::Failing, timeoutMs))
        return {};
    return upstream.stateReason();
}

bool logContains(const Upstream &upstream, const QString &part)
{
    for (const QString &line : upstream.recentLog())
        if (line.contains(part))
            return true;
    return false;
}

} // namespace

class TestSseUpstreamEdge final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void endpointOnAnotherOrigin_data();
    void endpointOnAnotherOrigin();
    void notAnEventStream();
    void urlThatIsNotHttp();
    void strayEventsAreIgnored();
    void failedPostFailsTheRequest();
    void cancelWhilePostIsInFlight();
    void stopWithPostsInFlight();
    void serverEndsTheStream();
};

void TestSseUpstreamEdge::endpointOnAnotherOrigin_data()
{
    QTest::addColumn<QString>("endpoint"); // PORT: the server's port
    QTest::newRow("other host") << u"http://127.0.0.2:PORT/messages"_s;
    QTest::newRow("other port") << u"http://127.0.0.1:1/messages"_s;
    QTest::newRow("other scheme") << u"https://127.0.0.1:PORT/messages"_s;
    QTest::newRow("protocol-relative") << u"//evil.example/messages"_s;
}

void TestSseUpstreamEdge::endpointOnAnotherOrigin()
{
    QFETCH(QString, endpoint);
    LegacySseServer server;
    QVERIFY(server.listen());
    server.endpoint = endpoint.replace(u"PORT"_s, QString::number(server.port())).toUtf8();
    auto upstream = createUpstream(sseConfig(server.url()));
    upstream->start();
    const QString reason = failureOf(*upstream);
    QVERIFY2(reason.contains(u"endpoint event names another origin"_s), qPrintable(reason));
    // Nothing was posted anywhere.
    QVERIFY(server.posted.isEmpty());
    upstream->stop();
}

void TestSseUpstreamEdge::notAnEventStream()
{
    LegacySseServer server;
    QVERIFY(server.listen());
    server.contentType = "text/html";
    auto upstream = createUpstream(sseConfig(server.url()));
    upstream->start();
    const QString reason = failureOf(*upstream);
    QVERIFY2(reason.contains(u"not text/event-stream"_s) && reason.contains(u"text/html"_s), qPrintable(reason));
    QVERIFY(server.posted.isEmpty());
    upstream->stop();
}

void TestSseUpstreamEdge::urlThatIsNotHttp()
{
    auto upstream = createUpstream(sseConfig(QUrl(u"ftp://127.0.0.1/sse"_s)));
    upstream->start();
    QCOMPARE(upstream->state(), UpstreamState::Failing);
    QVERIFY2(upstream->stateReason().startsWith(u"invalid URL"_s), qPrintable(upstream->stateReason()));
    // Requests fail at once instead of waiting.
    const QJsonObject response = requestAndWait(*upstream, u"tools/list"_s, {}, -1, 5000);
    QCOMPARE(response.value(u"error"_s).toObject().value(u"code"_s).toInt(), rpcerr::UpstreamUnavailable);
    upstream->stop();
}

void TestSseUpstreamEdge::strayEventsAreIgnored()
{
    LegacySseServer server;
    QVERIFY(server.listen());
    server.afterEndpoint = "event: heartbeat\ndata: {}\n\n"
                           "event: message\ndata: this is not JSON\n\n"
                           "event: endpoint\ndata: /elsewhere\n\n";
    auto upstream = createUpstream(sseConfig(server.url()));
    upstream->start();
    QVERIFY2(waitForUpstreamState(*upstream, UpstreamState::Ready, 10'000), qPrintable(upstream->stateReason()));
    QCOMPARE(upstream->serverInfo().value(u"name"_s).toString(), u"scripted"_s);
    QVERIFY(logContains(*upstream, u"ignored non-JSON SSE data"_s));
    QVERIFY(logContains(*upstream, u"ignored a second endpoint event"_s));
    // The first endpoint is the one used.
    const QJsonObject listed = requestAndWait(*upstream, u"tools/list"_s);
    QVERIFY2(listed.contains(u"result"_s), QJsonDocument(listed).toJson().constData());
    QCOMPARE(server.streams, 1);
    upstream->stop();
}

void TestSseUpstreamEdge::failedPostFailsTheRequest()
{
    LegacySseServer server;
    QVERIFY(server.listen());
    server.failMethods = {u"tools/call"_s};
    auto upstream = createUpstream(sseConfig(server.url()));
    upstream->start();
    QVERIFY2(waitForUpstreamState(*upstream, UpstreamState::Ready, 10'000), qPrintable(upstream->stateReason()));
    const QJsonObject response = requestAndWait(*upstream, u"tools/call"_s, {{u"name"_s, u"x"_s}});
    const QJsonObject error = response.value(u"error"_s).toObject();
    QVERIFY2(!error.isEmpty(), QJsonDocument(response).toJson().constData());
    QCOMPARE(error.value(u"data"_s).toObject().value(u"httpStatus"_s).toInt(), 503);
    QVERIFY2(error.value(u"message"_s).toString().contains(u"503"_s), qPrintable(error.value(u"message"_s).toString()));
    // One failed POST does not end the session.
    QCOMPARE(upstream->state(), UpstreamState::Ready);
    QVERIFY(requestAndWait(*upstream, u"tools/list"_s).contains(u"result"_s));
    upstream->stop();
}

void TestSseUpstreamEdge::cancelWhilePostIsInFlight()
{
    LegacySseServer server;
    QVERIFY(server.listen());
    server.hangMethods = {u"tools/call"_s};
    auto upstream = createUpstream(sseConfig(server.url()));
    upstream->start();
    QVERIFY2(waitForUpstreamState(*upstream, UpstreamState::Ready, 10'000), qPrintable(upstream->stateReason()));
    std::optional<QJsonObject> response;
    const quint64 handle = upstream->sendRequest(u"tools/call"_s, {{u"name"_s, u"slow"_s}},
                                                 [&response](const QJsonObject &r) { response = r; });
    QVERIFY(QTest::qWaitFor(
        [&] { return !server.posted.isEmpty() && server.posted.last().value(u"method"_s) == u"tools/call"_s; }, 5000));
    upstream->cancelRequest(handle, u"no longer needed"_s);
    QVERIFY(QTest::qWaitFor([&] { return response.has_value(); }, 5000));
    QCOMPARE(response->value(u"error"_s).toObject().value(u"code"_s).toInt(), rpcerr::Cancelled);
    // The server hears about it.
    QVERIFY(
        QTest::qWaitFor([&] { return server.posted.last().value(u"method"_s) == u"notifications/cancelled"_s; }, 5000));
    const QJsonObject params = server.posted.last().value(u"params"_s).toObject();
    QCOMPARE(params.value(u"requestId"_s), server.posted.at(server.posted.size() - 2).value(u"id"_s));
    QCOMPARE(params.value(u"reason"_s).toString(), u"no longer needed"_s);
    QCOMPARE(upstream->inFlight(), 0);
    upstream->stop();
}

void TestSseUpstreamEdge::stopWithPostsInFlight()
{
    LegacySseServer server;
    QVERIFY(server.listen());
    server.hangMethods = {u"tools/call"_s};
    auto upstream = createUpstream(sseConfig(server.url()));
    upstream->start();
    QVERIFY2(waitForUpstreamState(*upstream, UpstreamState::Ready, 10'000), qPrintable(upstream->stateReason()));
    std::optional<QJsonObject> response;
    upstream->sendRequest(u"tools/call"_s, {{u"name"_s, u"slow"_s}},
                          [&response](const QJsonObject &r) { response = r; });
    QVERIFY(QTest::qWaitFor([&] { return server.posted.size() >= 3; }, 5000)); // initialize, initialized, call
    upstream->stop();
    QCOMPARE(upstream->state(), UpstreamState::Stopped);
    QVERIFY(QTest::qWaitFor([&] { return response.has_value(); }, 5000));
    QCOMPARE(response->value(u"error"_s).toObject().value(u"code"_s).toInt(), rpcerr::UpstreamUnavailable);
    // Sending afterwards is refused, not queued.
    const QJsonObject late = requestAndWait(*upstream, u"tools/list"_s, {}, -1, 5000);
    QCOMPARE(late.value(u"error"_s).toObject().value(u"code"_s).toInt(), rpcerr::UpstreamUnavailable);
}

void TestSseUpstreamEdge::serverEndsTheStream()
{
    LegacySseServer server;
    QVERIFY(server.listen());
    auto upstream = createUpstream(sseConfig(server.url()));
    QSignalSpy changed(upstream.get(), &Upstream::stateChanged);
    upstream->start();
    QVERIFY2(waitForUpstreamState(*upstream, UpstreamState::Ready, 10'000), qPrintable(upstream->stateReason()));
    QVERIFY(server.stream);
    server.stream->disconnectFromHost(); // a clean end of the response
    QVERIFY(QTest::qWaitFor(
        [&] {
            for (const QList<QVariant> &args : std::as_const(changed))
                if (args.at(1).toString().contains(u"the server closed the SSE stream"_s))
                    return true;
            return false;
        },
        10'000));
    QVERIFY(upstream->state() != UpstreamState::Ready);
    // It reconnects (after the first backoff step) and is usable again.
    QVERIFY2(waitForUpstreamState(*upstream, UpstreamState::Ready, 10'000), qPrintable(upstream->stateReason()));
    QCOMPARE(server.streams, 2);
    QVERIFY(requestAndWait(*upstream, u"tools/list"_s).contains(u"result"_s));
    upstream->stop();
}

QTEST_GUILESS_MAIN(TestSseUpstreamEdge)
#include "tst_sseupstream_edge.moc"
