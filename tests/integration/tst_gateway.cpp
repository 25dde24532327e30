// The gateway end to end over real HTTP: sessions, SSE, resumption, the legacy transport,
// the stateless 2026-07-28 leg with MRTR, API keys, bad input of every kind, and upstreams
// that crash or never answer. Upstream: the real server-everything over stdio.

#include "gatewayfixture.h"
#include "rawhttp.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace metamcp;
using namespace metamcp::test;

namespace {

QJsonObject initializeParams(const QString &version = QStringLiteral("2025-11-25"), const QJsonObject &caps = {})
{
    return {{QStringLiteral("protocolVersion"), version},
            {QStringLiteral("capabilities"), caps},
            {QStringLiteral("clientInfo"), QJsonObject{{QStringLiteral("name"), QStringLiteral("tst_gateway")},
                                                       {QStringLiteral("version"), QStringLiteral("1")}}}};
}

} // namespace

class TestGateway final : public QObject
{
    Q_OBJECT

private:
    GatewayFixture m_fixture;
    quint16 m_port = 0;
    QString m_marker = QStringLiteral("tst-gateway-") + QUuid::createUuid().toString(QUuid::WithoutBraces);

    QByteArray initialize(const QJsonObject &caps = {})
    {
        const RawResponse r = initializeSession(m_port, "/mcp", caps);
        if (r.status != 200)
            return {};
        const QByteArray sid = r.header("mcp-session-id");
        postJson(m_port, "/mcp",
                 QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                             {QStringLiteral("method"), QStringLiteral("notifications/initialized")}},
                 mcpHeaders(sid, "2025-11-25"));
        return sid;
    }

    void expectStillServing()
    {
        const QByteArray sid = initialize();
        QVERIFY2(!sid.isEmpty(), "the gateway no longer answers initialize");
        const RawResponse r = postJson(m_port, "/mcp",
                                       rpc(9, QStringLiteral("tools/call"),
                                           {{QStringLiteral("name"), QStringLiteral("everything__echo")},
                                            {QStringLiteral("arguments"),
                                             QJsonObject{{QStringLiteral("message"), QStringLiteral("still here")}}}}),
                                       mcpHeaders(sid, "2025-11-25"));
        QCOMPARE(r.status, 200);
        QCOMPARE(firstText(r.json()), QStringLiteral("Echo: still here"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(peersInstalled(), "npm peers missing: run scripts/bootstrap.sh deps");
        QString error;
        QVERIFY2(m_fixture.start(&error), qPrintable(error));
        m_port = m_fixture.port();
        QCOMPARE(m_fixture.addServer(GatewayFixture::everythingStdio(QStringLiteral("everything"), m_marker)),
                 QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("everything__echo")));
    }

    void sessionLifecycle()
    {
        const RawResponse init =
            postJson(m_port, "/mcp", rpc(1, QStringLiteral("initialize"), initializeParams()), mcpHeaders());
        QCOMPARE(init.status, 200);
        const QByteArray sid = init.header("mcp-session-id");
        QVERIFY(!sid.isEmpty());
        QCOMPARE(
            init.json().value(QLatin1String("result")).toObject().value(QLatin1String("protocolVersion")).toString(),
            QStringLiteral("2025-11-25"));

        const RawResponse list =
            postJson(m_port, "/mcp", rpc(2, QStringLiteral("tools/list")), mcpHeaders(sid, "2025-11-25"));
        QCOMPARE(list.status, 200);
        QStringList names;
        for (const QJsonValue &t :
             list.json().value(QLatin1String("result")).toObject().value(QLatin1String("tools")).toArray())
            names.append(t.toObject().value(QLatin1String("name")).toString());
        QVERIFY2(names.contains(QStringLiteral("everything__echo")), qPrintable(names.join(u',')));
        QVERIFY(names.contains(QStringLiteral("everything__get-sum")));

        const RawResponse call = postJson(
            m_port, "/mcp",
            rpc(3, QStringLiteral("tools/call"),
                {{QStringLiteral("name"), QStringLiteral("everything__echo")},
                 {QStringLiteral("arguments"), QJsonObject{{QStringLiteral("message"), QStringLiteral("hi")}}}}),
            mcpHeaders(sid, "2025-11-25"));
        QCOMPARE(call.status, 200);
        QCOMPARE(firstText(call.json()), QStringLiteral("Echo: hi"));

        // Older clients negotiate their version.
        const RawResponse old = postJson(
            m_port, "/mcp", rpc(1, QStringLiteral("initialize"), initializeParams(QStringLiteral("2025-03-26"))),
            mcpHeaders());
        QCOMPARE(
            old.json().value(QLatin1String("result")).toObject().value(QLatin1String("protocolVersion")).toString(),
            QStringLiteral("2025-03-26"));

        QCOMPARE(postJson(m_port, "/mcp", rpc(4, QStringLiteral("tools/list")), mcpHeaders()).status, 400);
        QCOMPARE(postJson(m_port, "/mcp", rpc(4, QStringLiteral("tools/list")), mcpHeaders("no-such-session")).status,
                 404);
        QCOMPARE(postJson(m_port, "/mcp", rpc(4, QStringLiteral("tools/list")), mcpHeaders(sid, "1999-01-01")).status,
                 400);
        QCOMPARE(rawRequest(m_port, "DELETE", "/mcp", mcpHeaders(sid)).status, 200);
        QCOMPARE(postJson(m_port, "/mcp", rpc(5, QStringLiteral("tools/list")), mcpHeaders(sid, "2025-11-25")).status,
                 404);
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("code");
        const QByteArray json = "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n";
        auto req = [](const QByteArray &headers, const QByteArray &body,
                      const QByteArray &host = "127.0.0.1") -> QByteArray {
            return "POST /mcp HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n" + headers +
                   "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        };
        const QByteArray init =
            QJsonDocument(rpc(1, QStringLiteral("initialize"), initializeParams())).toJson(QJsonDocument::Compact);
        QTest::newRow("malformed JSON") << req(json, "{\"jsonrpc\": \"2.0\", \"id\": 1,") << 400 << -32700;
        QTest::newRow("not JSON-RPC") << req(json, "{\"hello\": 1}") << 400 << -32600;
        QTest::newRow("wrong content type")
            << req("Content-Type: text/plain\r\nAccept: application/json, text/event-stream\r\n", init) << 415
            << -32600;
        QTest::newRow("no SSE in Accept")
            << req("Content-Type: application/json\r\nAccept: application/json\r\n", init) << 406 << -32600;
        QTest::newRow("batch") << req(json, "[" + init + "]") << 400 << -32600;
        QByteArray huge = QByteArrayLiteral("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"");
        huge.append(QByteArray(2 * 1024 * 1024, 'a')).append("\"}}");
        QTest::newRow("oversize") << req(json, huge) << 413 << -32600;
        QTest::newRow("bad Origin") << req(json + "Origin: http://evil.example\r\n", init) << 403 << -32600;
        QTest::newRow("DNS rebinding Host") << req(json, init, "evil.example:80") << 403 << -32600;
        QTest::newRow("unknown path") << QByteArray(
                                             "GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                                      << 404 << -32600;
        QTest::newRow("unknown namespace") << QByteArray("GET /mcp/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: "
                                                         "text/event-stream\r\nConnection: close\r\n\r\n")
                                           << 404 << -32600;
        QTest::newRow("junk request line") << QByteArray("GET FOFOFO HTTP 1/1\r\n\r\n") << 400 << -32600;
        QTest::newRow("NUL bytes") << QByteArray("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\0\0\0\r\n\r\n", 36) << 400
                                   << -32600;
        QTest::newRow("binary garbage") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\xff\xfe\r\n\r\n",
                                                      17)
                                        << 400 << -32600;
        QTest::newRow("GET without SSE")
            << QByteArray(
                   "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\nConnection: close\r\n\r\n")
            << 406 << -32600;
        QTest::newRow("PUT")
            << QByteArray("PUT /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            << 405 << -32600;
    }

    void badInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        QFETCH(int, code);
        const RawResponse r = rawExchange(m_port, bytes);
        QCOMPARE(r.status, status);
        const QJsonObject error = r.json().value(QLatin1String("error")).toObject();
        QCOMPARE(error.value(QLatin1String("code")).toInt(), code);
        QVERIFY2(!error.value(QLatin1String("message")).toString().isEmpty(), r.body.constData());
        expectStillServing();
    }

    void argumentsValidatedAgainstSchema()
    {
        const QByteArray sid = initialize();
        const RawResponse r =
            postJson(m_port, "/mcp",
                     rpc(7, QStringLiteral("tools/call"),
                         {{QStringLiteral("name"), QStringLiteral("everything__get-sum")},
                          {QStringLiteral("arguments"),
                           QJsonObject{{QStringLiteral("a"), QStringLiteral("one")}, {QStringLiteral("b"), 2}}}}),
                     mcpHeaders(sid, "2025-11-25"));
        QCOMPARE(r.status, 200);
        const QJsonObject error = r.json().value(QLatin1String("error")).toObject();
        QCOMPARE(error.value(QLatin1String("code")).toInt(), -32602);
        QCOMPARE(error.value(QLatin1String("data")).toObject().value(QLatin1String("path")).toString(),
                 QStringLiteral("/a"));
        QVERIFY2(error.value(QLatin1String("message")).toString().contains(QLatin1String("/a")), r.body.constData());

        // A null counts as absent only for optional arguments (sep-2243-client-omit-null in
        // tst_conformanceclient covers the optional one): a required null is still refused.
        const RawResponse requiredNull =
            postJson(m_port, "/mcp",
                     rpc(9, QStringLiteral("tools/call"),
                         {{QStringLiteral("name"), QStringLiteral("everything__get-sum")},
                          {QStringLiteral("arguments"),
                           QJsonObject{{QStringLiteral("a"), QJsonValue::Null}, {QStringLiteral("b"), 2}}}}),
                     mcpHeaders(sid, "2025-11-25"));
        const QJsonObject nullError = requiredNull.json().value(QLatin1String("error")).toObject();
        QCOMPARE(nullError.value(QLatin1String("code")).toInt(), -32602);
        QCOMPARE(nullError.value(QLatin1String("data")).toObject().value(QLatin1String("path")).toString(),
                 QStringLiteral("/a"));

        const RawResponse unknown = postJson(
            m_port, "/mcp",
            rpc(8, QStringLiteral("tools/call"), {{QStringLiteral("name"), QStringLiteral("everything__nope")}}),
            mcpHeaders(sid, "2025-11-25"));
        QCOMPARE(unknown.json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32602);
    }

    void progressStreamsAndResumes()
    {
        const QByteArray sid = initialize();
        const QJsonObject call = rpc(
            11, QStringLiteral("tools/call"),
            {{QStringLiteral("name"), QStringLiteral("everything__trigger-long-running-operation")},
             {QStringLiteral("arguments"), QJsonObject{{QStringLiteral("duration"), 2}, {QStringLiteral("steps"), 4}}},
             {QStringLiteral("_meta"), QJsonObject{{QStringLiteral("progressToken"), QStringLiteral("tok-1")}}}});
        StreamClient stream;
        QVERIFY(stream.open(m_port, buildRequest(m_port, "POST", "/mcp", mcpHeaders(sid, "2025-11-25"),
                                                 QJsonDocument(call).toJson(QJsonDocument::Compact))));
        QCOMPARE(stream.status(), 200);
        QVERIFY(stream.header("content-type").startsWith("text/event-stream"));
        SseEvent priming;
        QVERIFY(stream.nextEvent(&priming));
        QVERIFY2(!priming.id.isEmpty() && priming.data.isEmpty(), "the stream starts with a priming event");
        SseEvent progress;
        QVERIFY(stream.nextEvent(&progress));
        QCOMPARE(progress.json().value(QLatin1String("method")).toString(), QStringLiteral("notifications/progress"));
        QCOMPARE(
            progress.json().value(QLatin1String("params")).toObject().value(QLatin1String("progressToken")).toString(),
            QStringLiteral("tok-1"));
        // The client goes away mid-stream, then resumes from the last event it saw.
        const QByteArray lastId = progress.id;
        stream.close();
        StreamClient resumed;
        RawHeaders headers{{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}, {"Last-Event-ID", lastId}};
        QVERIFY(QTest::qWaitFor(
            [&] {
                return resumed.open(m_port, buildRequest(m_port, "GET", "/mcp", headers, {})) &&
                       resumed.status() == 200;
            },
            5000));
        QJsonObject final;
        int progressEvents = 0;
        SseEvent e;
        while (resumed.nextEvent(&e, 15000)) {
            QVERIFY2(e.id != lastId, "no event is replayed twice");
            const QJsonObject m = e.json();
            if (m.value(QLatin1String("method")).toString() == u"notifications/progress")
                ++progressEvents;
            if (m.contains(QLatin1String("result"))) {
                final = m;
                break;
            }
        }
        QVERIFY2(progressEvents >= 1, "the remaining progress events were replayed or streamed");
        QCOMPARE(final.value(QLatin1String("id")).toInt(), 11);
        QVERIFY(firstText(final).contains(QLatin1String("Long running operation completed")));
    }

    void standaloneStreamIsSingle()
    {
        const QByteArray sid = initialize();
        RawHeaders headers{{"Accept", "text/event-stream"}, {"Mcp-Session-Id", sid}};
        StreamClient first;
        QVERIFY(first.open(m_port, buildRequest(m_port, "GET", "/mcp", headers, {})));
        QCOMPARE(first.status(), 200);
        QCOMPARE(rawRequest(m_port, "GET", "/mcp", headers, {}, 5000).status, 409);
        first.close();
    }

    // JSON or a stream for a POST's answer: what the client's Accept prefers (q values, then the
    // order it wrote). A stream starts with a priming event (id, retry, empty data).
    void answerFormFollowsAccept_data()
    {
        QTest::addColumn<QByteArray>("accept");
        QTest::addColumn<bool>("stream");
        QTest::newRow("json first") << QByteArray("application/json, text/event-stream") << false;
        QTest::newRow("stream first") << QByteArray("text/event-stream, application/json") << true;
        QTest::newRow("stream q higher") << QByteArray("application/json;q=0.5, text/event-stream") << true;
        QTest::newRow("stream first, q lower") << QByteArray("text/event-stream; q=0.2, application/json") << false;
        QTest::newRow("case and spaces") << QByteArray(" Text/Event-Stream ;Q=1 , APPLICATION/JSON;q=0.9") << true;
        QTest::newRow("wildcards decide nothing") << QByteArray("*/*, application/json, text/event-stream") << false;
        QTest::newRow("bad q") << QByteArray("text/event-stream;q=x, application/json") << false;
    }

    void answerFormFollowsAccept()
    {
        QFETCH(QByteArray, accept);
        QFETCH(bool, stream);
        const QByteArray sid = initialize();
        RawHeaders headers = mcpHeaders(sid, "2025-11-25");
        for (auto &[name, value] : headers)
            if (name == "Accept")
                value = accept;
        const RawResponse r = postJson(m_port, "/mcp", rpc(5, QStringLiteral("tools/list")), headers);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type").startsWith("text/event-stream"), stream);
        if (stream) {
            QVERIFY2(r.body.startsWith("id: ") && r.body.contains("\nretry: 1000\ndata: \n\n"), r.body.constData());
            QVERIFY2(r.body.contains("\"everything__echo\""), r.body.constData());
        } else {
            QVERIFY(r.json().value(QLatin1String("result")).toObject().contains(QLatin1String("tools")));
        }
    }

    void legacySseTransport()
    {
        StreamClient sse;
        QVERIFY(sse.open(m_port, buildRequest(m_port, "GET", "/sse", {{"Accept", "text/event-stream"}}, {})));
        QCOMPARE(sse.status(), 200);
        SseEvent endpoint;
        QVERIFY(sse.nextEvent(&endpoint));
        QCOMPARE(endpoint.event, QByteArray("endpoint"));
        QVERIFY(endpoint.data.startsWith("/messages?sessionId="));
        RawHeaders json{{"Content-Type", "application/json"}};
        QCOMPARE(postJson(m_port, endpoint.data,
                          rpc(1, QStringLiteral("initialize"), initializeParams(QStringLiteral("2024-11-05"))), json)
                     .status,
                 202);
        SseEvent initResult;
        QVERIFY(sse.nextEvent(&initResult));
        QCOMPARE(initResult.json()
                     .value(QLatin1String("result"))
                     .toObject()
                     .value(QLatin1String("protocolVersion"))
                     .toString(),
                 QStringLiteral("2024-11-05"));
        QCOMPARE(postJson(m_port, endpoint.data,
                          rpc(2, QStringLiteral("tools/call"),
                              {{QStringLiteral("name"), QStringLiteral("everything__echo")},
                               {QStringLiteral("arguments"),
                                QJsonObject{{QStringLiteral("message"), QStringLiteral("legacy")}}}}),
                          json)
                     .status,
                 202);
        SseEvent callResult;
        QVERIFY(sse.nextEvent(&callResult));
        QCOMPARE(firstText(callResult.json()), QStringLiteral("Echo: legacy"));
        QCOMPARE(postJson(m_port, "/messages?sessionId=nope", rpc(3, QStringLiteral("ping")), json).status, 404);
    }

    void statelessDiscoverAndCall()
    {
        const RawResponse discover = postJson(
            m_port, "/mcp", rpc(1, QStringLiteral("server/discover"), {{QStringLiteral("_meta"), modernEnvelope()}}),
            modernHeaders("server/discover"));
        QCOMPARE(discover.status, 200);
        QVERIFY(discover.header("mcp-session-id").isEmpty());
        const QJsonObject result = discover.json().value(QLatin1String("result")).toObject();
        QVERIFY(result.value(QLatin1String("supportedVersions")).toArray().contains(QStringLiteral("2026-07-28")));
        QCOMPARE(result.value(QLatin1String("resultType")).toString(), QStringLiteral("complete"));
        QVERIFY(result.contains(QLatin1String("ttlMs")) && result.contains(QLatin1String("cacheScope")));
        QVERIFY(result.value(QLatin1String("_meta"))
                    .toObject()
                    .contains(QLatin1String("io.modelcontextprotocol/serverInfo")));

        const RawResponse call = postJson(
            m_port, "/mcp",
            rpc(2, QStringLiteral("tools/call"),
                {{QStringLiteral("name"), QStringLiteral("everything__echo")},
                 {QStringLiteral("arguments"), QJsonObject{{QStringLiteral("message"), QStringLiteral("modern")}}},
                 {QStringLiteral("_meta"), modernEnvelope()}}),
            modernHeaders("tools/call", "=?base64?" + QByteArray("everything__echo").toBase64() + "?="));
        QCOMPARE(call.status, 200);
        QCOMPARE(firstText(call.json()), QStringLiteral("Echo: modern"));
        QCOMPARE(call.json().value(QLatin1String("result")).toObject().value(QLatin1String("resultType")).toString(),
                 QStringLiteral("complete"));
    }

    void statelessErrors_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("headerMethod");
        QTest::addColumn<QByteArray>("headerName");
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("withCapabilities");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("code");
        QTest::newRow("Mcp-Method mismatch") << QByteArray("tools/list") << QByteArray("prompts/list") << QByteArray()
                                             << QStringLiteral("2026-07-28") << true << 400 << -32020;
        QTest::newRow("Mcp-Name mismatch")
            << QByteArray("tools/call") << QByteArray("tools/call") << QByteArray("other")
            << QStringLiteral("2026-07-28") << true << 400 << -32020;
        QTest::newRow("Mcp-Name missing") << QByteArray("tools/call") << QByteArray("tools/call") << QByteArray()
                                          << QStringLiteral("2026-07-28") << true << 400 << -32020;
        QTest::newRow("method case differs") << QByteArray("tools/list") << QByteArray("TOOLS/LIST") << QByteArray()
                                             << QStringLiteral("2026-07-28") << true << 400 << -32020;
        QTest::newRow("unsupported version") << QByteArray("tools/list") << QByteArray("tools/list") << QByteArray()
                                             << QStringLiteral("2099-01-01") << true << 400 << -32022;
        QTest::newRow("envelope without capabilities")
            << QByteArray("tools/list") << QByteArray("tools/list") << QByteArray() << QStringLiteral("2026-07-28")
            << false << 400 << -32602;
        QTest::newRow("ping removed") << QByteArray("ping") << QByteArray("ping") << QByteArray()
                                      << QStringLiteral("2026-07-28") << true << 404 << -32601;
        QTest::newRow("logging/setLevel removed")
            << QByteArray("logging/setLevel") << QByteArray("logging/setLevel") << QByteArray()
            << QStringLiteral("2026-07-28") << true << 404 << -32601;
    }

    void statelessErrors()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, headerMethod);
        QFETCH(QByteArray, headerName);
        QFETCH(QString, version);
        QFETCH(bool, withCapabilities);
        QFETCH(int, status);
        QFETCH(int, code);
        QJsonObject meta = modernEnvelope();
        meta.insert(QStringLiteral("io.modelcontextprotocol/protocolVersion"), version);
        if (!withCapabilities)
            meta.remove(QStringLiteral("io.modelcontextprotocol/clientCapabilities"));
        QJsonObject params{{QStringLiteral("_meta"), meta}};
        if (method == "tools/call")
            params.insert(QStringLiteral("name"), QStringLiteral("everything__echo"));
        RawHeaders headers = mcpHeaders({}, version.toLatin1());
        headers.append(std::pair<QByteArray, QByteArray>("Mcp-Method", headerMethod));
        if (!headerName.isEmpty())
            headers.append(std::pair<QByteArray, QByteArray>("Mcp-Name", headerName));
        const RawResponse r = postJson(m_port, "/mcp", rpc(42, QString::fromLatin1(method), params), headers);
        QCOMPARE(r.status, status);
        QCOMPARE(r.json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), code);
        QCOMPARE(r.json().value(QLatin1String("id")).toInt(), 42);
        if (code == -32022) {
            const QJsonObject data =
                r.json().value(QLatin1String("error")).toObject().value(QLatin1String("data")).toObject();
            QVERIFY(data.value(QLatin1String("supported")).toArray().contains(QStringLiteral("2026-07-28")));
            QCOMPARE(data.value(QLatin1String("requested")).toString(), version);
        }
    }

    void samplingReachesModernClientAsInputRequired()
    {
        const QJsonObject caps{{QStringLiteral("sampling"), QJsonObject{}}};
        const QJsonObject params{{QStringLiteral("name"), QStringLiteral("everything__trigger-sampling-request")},
                                 {QStringLiteral("arguments"),
                                  QJsonObject{{QStringLiteral("prompt"), QStringLiteral("capital of France?")}}},
                                 {QStringLiteral("_meta"), modernEnvelope(caps)}};
        const RawHeaders headers = modernHeaders("tools/call", "everything__trigger-sampling-request");
        const RawResponse first = postJson(m_port, "/mcp", rpc(1, QStringLiteral("tools/call"), params), headers);
        QCOMPARE(first.status, 200);
        const QJsonObject round1 = first.json().value(QLatin1String("result")).toObject();
        QCOMPARE(round1.value(QLatin1String("resultType")).toString(), QStringLiteral("input_required"));
        const QJsonObject inputs = round1.value(QLatin1String("inputRequests")).toObject();
        QCOMPARE(inputs.size(), 1);
        const QString key = inputs.keys().first();
        QCOMPARE(inputs.value(key).toObject().value(QLatin1String("method")).toString(),
                 QStringLiteral("sampling/createMessage"));

        // A tampered state is refused.
        QJsonObject tampered = params;
        tampered.insert(QStringLiteral("requestState"),
                        QString(round1.value(QLatin1String("requestState")).toString() + QLatin1Char('x')));
        tampered.insert(QStringLiteral("inputResponses"), QJsonObject{});
        const RawResponse bad = postJson(m_port, "/mcp", rpc(2, QStringLiteral("tools/call"), tampered), headers);
        QCOMPARE(bad.json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32602);

        QJsonObject retry = params;
        retry.insert(QStringLiteral("requestState"), round1.value(QLatin1String("requestState")));
        retry.insert(
            QStringLiteral("inputResponses"),
            QJsonObject{
                {key, QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                                  {QStringLiteral("content"),
                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                               {QStringLiteral("text"), QStringLiteral("Paris, says the client")}}},
                                  {QStringLiteral("model"), QStringLiteral("test-model")},
                                  {QStringLiteral("stopReason"), QStringLiteral("endTurn")}}}});
        const RawResponse second = postJson(m_port, "/mcp", rpc(3, QStringLiteral("tools/call"), retry), headers);
        QCOMPARE(second.status, 200);
        QCOMPARE(second.json().value(QLatin1String("result")).toObject().value(QLatin1String("resultType")).toString(),
                 QStringLiteral("complete"));
        QVERIFY2(firstText(second.json()).contains(QLatin1String("Paris, says the client")), second.body.constData());

        // Without the capability: 400 / -32021 naming what is missing.
        QJsonObject noCaps = params;
        noCaps.insert(QStringLiteral("_meta"), modernEnvelope());
        const RawResponse refused = postJson(m_port, "/mcp", rpc(4, QStringLiteral("tools/call"), noCaps), headers);
        QCOMPARE(refused.status, 400);
        const QJsonObject error = refused.json().value(QLatin1String("error")).toObject();
        QCOMPARE(error.value(QLatin1String("code")).toInt(), -32021);
        QVERIFY(error.value(QLatin1String("data"))
                    .toObject()
                    .value(QLatin1String("requiredCapabilities"))
                    .toObject()
                    .contains(QLatin1String("sampling")));
    }

    void samplingRoundTripOverSession()
    {
        const QByteArray sid = initialize(QJsonObject{{QStringLiteral("sampling"), QJsonObject{}}});
        const QJsonObject call =
            rpc(21, QStringLiteral("tools/call"),
                {{QStringLiteral("name"), QStringLiteral("everything__trigger-sampling-request")},
                 {QStringLiteral("arguments"), QJsonObject{{QStringLiteral("prompt"), QStringLiteral("hello")}}}});
        StreamClient stream;
        QVERIFY(stream.open(m_port, buildRequest(m_port, "POST", "/mcp", mcpHeaders(sid, "2025-11-25"),
                                                 QJsonDocument(call).toJson(QJsonDocument::Compact))));
        SseEvent e;
        QJsonObject samplingRequest;
        while (stream.nextEvent(&e)) {
            if (e.json().value(QLatin1String("method")).toString() == u"sampling/createMessage") {
                samplingRequest = e.json();
                break;
            }
        }
        QVERIFY2(!samplingRequest.isEmpty(), "the upstream's sampling request reaches the client on the call's stream");
        const QJsonObject answer{
            {QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("id"), samplingRequest.value(QLatin1String("id"))},
            {QStringLiteral("result"),
             QJsonObject{{QStringLiteral("role"), QStringLiteral("assistant")},
                         {QStringLiteral("content"),
                          QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                      {QStringLiteral("text"), QStringLiteral("sampled by tst_gateway")}}},
                         {QStringLiteral("model"), QStringLiteral("m")}}}};
        QCOMPARE(postJson(m_port, "/mcp", answer, mcpHeaders(sid, "2025-11-25")).status, 202);
        QJsonObject final;
        while (stream.nextEvent(&e)) {
            if (e.json().contains(QLatin1String("result"))) {
                final = e.json();
                break;
            }
        }
        QVERIFY2(firstText(final).contains(QLatin1String("sampled by tst_gateway")),
                 QJsonDocument(final).toJson().constData());
    }

    void upstreamCancellationReachesClient()
    {
        UpstreamConfig asker;
        asker.name = QStringLiteral("asker");
        asker.command = nodeProgram();
        asker.args = {sourceDir() + QStringLiteral("/tests/integration/peers/cancelling-server.mjs")};
        asker.env.insert(QStringLiteral("METAMCP_NPM_DIR"), npmDir());
        QCOMPARE(m_fixture.addServer(asker), QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("asker__ask-then-give-up")));
        const QByteArray sid = initialize(QJsonObject{{QStringLiteral("elicitation"), QJsonObject{}}});
        const QJsonObject call = rpc(61, QStringLiteral("tools/call"),
                                     {{QStringLiteral("name"), QStringLiteral("asker__ask-then-give-up")}});
        StreamClient stream;
        QVERIFY(stream.open(m_port, buildRequest(m_port, "POST", "/mcp", mcpHeaders(sid, "2025-11-25"),
                                                 QJsonDocument(call).toJson(QJsonDocument::Compact))));
        QJsonValue askedId;
        QJsonObject cancelled, final;
        SseEvent e;
        while (stream.nextEvent(&e, 15000)) {
            const QJsonObject m = e.json();
            const QString method = m.value(QLatin1String("method")).toString();
            if (method == u"elicitation/create")
                askedId = m.value(QLatin1String("id"));
            else if (method == u"notifications/cancelled")
                cancelled = m;
            else if (m.contains(QLatin1String("result"))) {
                final = m;
                break;
            }
        }
        QVERIFY2(askedId.isString(), "the elicitation reached the client");
        QCOMPARE(cancelled.value(QLatin1String("params")).toObject().value(QLatin1String("requestId")), askedId);
        QVERIFY2(firstText(final).startsWith(QLatin1String("withdrawn")), qPrintable(firstText(final)));
        // A late answer to the withdrawn request is accepted and ignored.
        QCOMPARE(postJson(m_port, "/mcp",
                          QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                      {QStringLiteral("id"), askedId},
                                      {QStringLiteral("result"),
                                       QJsonObject{{QStringLiteral("action"), QStringLiteral("decline")}}}},
                          mcpHeaders(sid, "2025-11-25"))
                     .status,
                 202);
        bool removed = false;
        m_fixture.gateway()->removeServer(QStringLiteral("asker"), [&](const QString &) { removed = true; });
        QTRY_VERIFY(removed);
    }

    void testConnection_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("message");
        QTest::newRow("server-everything") << QStringLiteral("everything") << true << QStringLiteral("Connected to");
        QTest::newRow("no such command") << QStringLiteral("missing") << false << QStringLiteral("failed to start");
        QTest::newRow("never answers") << QStringLiteral("silent") << false << QStringLiteral("initialize");
        QTest::newRow("invalid config") << QStringLiteral("invalid") << false << QStringLiteral("needs a command");
    }

    void testConnection()
    {
        QFETCH(QString, kind);
        QFETCH(bool, ok);
        QFETCH(QString, message);
        QTemporaryDir dir;
        UpstreamConfig config = GatewayFixture::everythingStdio(QStringLiteral("probe"));
        if (kind == u"missing") {
            config.command = QStringLiteral("/nonexistent/mcp-server");
            config.args.clear();
        } else if (kind == u"silent") {
            QFile f(dir.filePath(QStringLiteral("silent.mjs")));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("process.stdin.on('data', () => {}); setInterval(() => {}, 1000);\n");
            f.close();
            config.args = {f.fileName()};
            config.startupTimeoutMs = 800;
        } else if (kind == u"invalid") {
            config.command.clear();
        }
        bool answered = false, success = false;
        QString text;
        QJsonArray tools;
        m_fixture.gateway()->testConnection(config, [&](bool okay, const QString &m, const QJsonArray &t) {
            answered = true;
            success = okay;
            text = m;
            tools = t;
        });
        QTRY_VERIFY_WITH_TIMEOUT(answered, 20000);
        QCOMPARE(success, ok);
        QVERIFY2(text.contains(message), qPrintable(text));
        if (ok)
            QVERIFY(!tools.isEmpty());
    }

    void subscriptionsListenAcknowledges()
    {
        QJsonObject params{{QStringLiteral("notifications"), QJsonObject{{QStringLiteral("toolsListChanged"), true},
                                                                         {QStringLiteral("promptsListChanged"), true}}},
                           {QStringLiteral("_meta"), modernEnvelope()}};
        StreamClient listen;
        QVERIFY(listen.open(m_port, buildRequest(m_port, "POST", "/mcp", modernHeaders("subscriptions/listen"),
                                                 QJsonDocument(rpc(QStringLiteral("sub-1"),
                                                                   QStringLiteral("subscriptions/listen"), params))
                                                     .toJson(QJsonDocument::Compact))));
        QCOMPARE(listen.status(), 200);
        SseEvent ack;
        QVERIFY(listen.nextEvent(&ack));
        QCOMPARE(ack.json().value(QLatin1String("method")).toString(),
                 QStringLiteral("notifications/subscriptions/acknowledged"));
        const QJsonObject ackParams = ack.json().value(QLatin1String("params")).toObject();
        QVERIFY(ackParams.value(QLatin1String("notifications"))
                    .toObject()
                    .value(QLatin1String("toolsListChanged"))
                    .toBool());
        QCOMPARE(ackParams.value(QLatin1String("_meta"))
                     .toObject()
                     .value(QLatin1String("io.modelcontextprotocol/subscriptionId"))
                     .toString(),
                 QStringLiteral("sub-1"));
        // A tools change (an override) reaches the listener, tagged with the subscription.
        NamespaceConfig ns = *m_fixture.gateway()->config().ns(kDefaultNamespace);
        ns.toolOverrides.append(ToolOverride{QStringLiteral("everything"), QStringLiteral("get-env"), false, {}, {}});
        QCOMPARE(m_fixture.setNamespace(ns), QString());
        SseEvent changed;
        QVERIFY(listen.nextEvent(&changed, 10000));
        QCOMPARE(changed.json().value(QLatin1String("method")).toString(),
                 QStringLiteral("notifications/tools/list_changed"));
        listen.close();
        expectStillServing();
    }

    void apiKeysProtectNamespaces()
    {
        NamespaceConfig team;
        team.name = QStringLiteral("team");
        team.servers = {QStringLiteral("everything")};
        team.requireApiKey = true;
        QCOMPARE(m_fixture.setNamespace(team), QString());
        const QByteArray init =
            QJsonDocument(rpc(1, QStringLiteral("initialize"), initializeParams())).toJson(QJsonDocument::Compact);
        const RawResponse denied = rawRequest(m_port, "POST", "/mcp/team", mcpHeaders(), init);
        QCOMPARE(denied.status, 401);
        QVERIFY(denied.header("www-authenticate").startsWith("Bearer"));

        std::optional<CreatedApiKey> key;
        bool done = false;
        m_fixture.gateway()->createApiKey(QStringLiteral("team"), QStringLiteral("ci"),
                                          [&](const std::optional<CreatedApiKey> &k) {
                                              key = k;
                                              done = true;
                                          });
        QTRY_VERIFY(done);
        QVERIFY(key && key->plaintext.startsWith(QLatin1String("mcp_")));
        RawHeaders withKey = mcpHeaders();
        withKey.append(std::pair<QByteArray, QByteArray>("Authorization", "Bearer " + key->plaintext.toLatin1()));
        QCOMPARE(rawRequest(m_port, "POST", "/mcp/team", withKey, init).status, 200);
        RawHeaders wrongKey = mcpHeaders();
        wrongKey.append(std::pair<QByteArray, QByteArray>("Authorization", "Bearer mcp_wrong"));
        QCOMPARE(rawRequest(m_port, "POST", "/mcp/team", wrongKey, init).status, 401);
        // The default namespace stays open to loopback clients.
        QCOMPARE(rawRequest(m_port, "POST", "/mcp", mcpHeaders(), init).status, 200);
    }

    void clientDisconnectMidStream()
    {
        // The call events the gateway records once each call has its upstream's answer.
        QSet<QString> sessions;
        int answered = 0;
        const QMetaObject::Connection events =
            connect(m_fixture.gateway(), &Gateway::callEvents, this, [&](const QList<CallEvent> &batch) {
                for (const CallEvent &e : batch)
                    if (e.method == QLatin1String("tools/call") && sessions.contains(e.sessionId))
                        ++answered;
            });
        for (int i = 0; i < 5; ++i) {
            const QByteArray sid = initialize();
            sessions.insert(QString::fromLatin1(sid));
            const QJsonObject call =
                rpc(31, QStringLiteral("tools/call"),
                    {{QStringLiteral("name"), QStringLiteral("everything__trigger-long-running-operation")},
                     {QStringLiteral("arguments"),
                      QJsonObject{{QStringLiteral("duration"), 1}, {QStringLiteral("steps"), 2}}},
                     {QStringLiteral("_meta"), QJsonObject{{QStringLiteral("progressToken"), i}}}});
            StreamClient stream;
            QVERIFY(stream.open(m_port, buildRequest(m_port, "POST", "/mcp", mcpHeaders(sid, "2025-11-25"),
                                                     QJsonDocument(call).toJson(QJsonDocument::Compact))));
            stream.close(); // gone while the gateway still holds the answer
        }
        // The upstream answers into closed connections.
        QTRY_COMPARE_WITH_TIMEOUT(answered, 5, 15'000);
        disconnect(events);
        expectStillServing();
    }

    void upstreamKilledMidCall()
    {
        const QByteArray sid = initialize();
        // With a progress token the answer is a stream: progress first, then the error.
        const QJsonObject call =
            rpc(41, QStringLiteral("tools/call"),
                {{QStringLiteral("name"), QStringLiteral("everything__trigger-long-running-operation")},
                 {QStringLiteral("arguments"),
                  QJsonObject{{QStringLiteral("duration"), 30}, {QStringLiteral("steps"), 30}}},
                 {QStringLiteral("_meta"), QJsonObject{{QStringLiteral("progressToken"), QStringLiteral("kill")}}}});
        StreamClient stream;
        QVERIFY(stream.open(m_port, buildRequest(m_port, "POST", "/mcp", mcpHeaders(sid, "2025-11-25"),
                                                 QJsonDocument(call).toJson(QJsonDocument::Compact))));
        QCOMPARE(stream.status(), 200);
        SseEvent e;
        QVERIFY(stream.nextEvent(&e)); // priming
        QVERIFY(stream.nextEvent(&e)); // first progress: the call is running upstream
        QCOMPARE(QProcess::execute(QStringLiteral("pkill"), {QStringLiteral("-9"), QStringLiteral("-f"), m_marker}), 0);
        QJsonObject final;
        while (stream.nextEvent(&e, 15000)) {
            if (e.json().contains(QLatin1String("error")) || e.json().contains(QLatin1String("result"))) {
                final = e.json();
                break;
            }
        }
        QCOMPARE(final.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32002);
        QCOMPARE(final.value(QLatin1String("id")).toInt(), 41);
        // The supervisor respawns it and calls work again.
        QVERIFY(m_fixture.waitForUpstreamState(QStringLiteral("everything"), UpstreamState::Ready, 30000));
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("everything__echo")));
        expectStillServing();
    }

    void silentUpstreamDoesNotStallLists()
    {
        QTemporaryDir dir;
        const QString script = dir.filePath(QStringLiteral("silent.mjs"));
        QFile f(script);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("process.stdin.on('data', () => {}); setInterval(() => {}, 1000);\n");
        f.close();
        UpstreamConfig silent;
        silent.name = QStringLiteral("silent");
        silent.command = nodeProgram();
        silent.args = {script};
        silent.startupTimeoutMs = 1500;
        QCOMPARE(m_fixture.addServer(silent), QString());
        const QByteArray sid = initialize();
        QElapsedTimer timer;
        timer.start();
        const RawResponse list =
            postJson(m_port, "/mcp", rpc(51, QStringLiteral("tools/list")), mcpHeaders(sid, "2025-11-25"));
        QCOMPARE(list.status, 200);
        QVERIFY2(timer.elapsed() < 8000, "a silent upstream must not stall the list beyond the deadline");
        const QJsonObject result = list.json().value(QLatin1String("result")).toObject();
        QVERIFY(!result.value(QLatin1String("tools")).toArray().isEmpty());
        QVERIFY(m_fixture.waitForUpstreamState(QStringLiteral("silent"), UpstreamState::Failing, 10000));
        const RawResponse again =
            postJson(m_port, "/mcp", rpc(52, QStringLiteral("tools/list")), mcpHeaders(sid, "2025-11-25"));
        const QJsonArray unavailable = again.json()
                                           .value(QLatin1String("result"))
                                           .toObject()
                                           .value(QLatin1String("_meta"))
                                           .toObject()
                                           .value(QLatin1String("io.metamcp/unavailable"))
                                           .toArray();
        QVERIFY2(!unavailable.isEmpty() &&
                     unavailable.at(0).toObject().value(QLatin1String("server")).toString() == u"silent",
                 again.body.constData());
        bool removed = false;
        m_fixture.gateway()->removeServer(QStringLiteral("silent"), [&](const QString &) { removed = true; });
        QTRY_VERIFY(removed);
    }
};

QTEST_GUILESS_MAIN(TestGateway)
#include "tst_gateway.moc"
