// Upstreams that speak the stateless revision 2026-07-28. The gateway negotiates with
// server/discover (falling back to initialize), then sends every request with the _meta
// envelope and the standard headers, no session. Two real 2026-07-28 servers: mcp-proxy 6.7 in
// front of server-everything, and a second MetaMCP gateway in front of the conformance fixture,
// whose endpoint checks Mcp-Method, Mcp-Name and the tools' Mcp-Param-* headers against the body
// (400 / -32020 otherwise). Its tools ask for sampling: the upstream answers input_required, and
// the gateway either asks its own 2025-11-25 session client on the call's stream and retries, or
// hands the round to its 2026-07-28 client under a state of its own.

#include "gatewayfixture.h"
#include "gatewayprocess.h"
#include "rawhttp.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace metamcp;
using namespace metamcp::test;

namespace {

QJsonObject call(int id, const QString &tool, const QJsonObject &arguments, const QJsonObject &meta = {})
{
    QJsonObject params{{QStringLiteral("name"), tool}, {QStringLiteral("arguments"), arguments}};
    if (!meta.isEmpty())
        params.insert(QStringLiteral("_meta"), meta);
    return rpc(id, QStringLiteral("tools/call"), params);
}

QJsonObject sampled(const QString &text)
{
    return {{QStringLiteral("role"), QStringLiteral("assistant")},
            {QStringLiteral("content"),
             QJsonObject{{QStringLiteral("type"), QStringLiteral("text")}, {QStringLiteral("text"), text}}},
            {QStringLiteral("model"), QStringLiteral("m")}};
}

QString text(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

} // namespace

class TestModernUpstream final : public QObject
{
    Q_OBJECT

    ProcessFixture m_proxy;
    GatewayFixture m_upstreamGateway; // the 2026-07-28 server that checks every header
    GatewayFixture m_fixture;         // the gateway under test
    QByteArray m_sid;                 // a 2025-11-25 session with the gateway under test

    QStringList logOf(const QString &server)
    {
        QStringList log;
        bool done = false;
        m_fixture.gateway()->serverLog(server, [&](const QStringList &lines) {
            log = lines;
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 10000))
            return {};
        return log;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(peersInstalled(), "npm peers missing: run scripts/bootstrap.sh deps");
        const quint16 proxyPort = m_proxy.reservePort(); // mcp-proxy takes a port number
        QVERIFY(m_proxy.start(node22Program(),
                              {npmPath(QStringLiteral("mcp-proxy/dist/bin/mcp-proxy.mjs")), QStringLiteral("--host"),
                               QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QString::number(proxyPort),
                               QStringLiteral("--server"), QStringLiteral("stream"), QStringLiteral("--"),
                               node22Program(), serverEverythingStdioArgs().at(0), QStringLiteral("stdio")}));
        QVERIFY2(waitForTcpPort(proxyPort), m_proxy.output().constData());

        QString error;
        QVERIFY2(m_upstreamGateway.start(&error), qPrintable(error));
        UpstreamConfig fixture;
        fixture.name = QStringLiteral("conformance");
        fixture.command = node22Program();
        fixture.args = {integrationFixture(QStringLiteral("conformance-everything.mjs"))};
        fixture.env.insert(QStringLiteral("METAMCP_NPM_DIR"), npmDir());
        fixture.isolation = UpstreamIsolation::PerSession; // its tools sample
        QCOMPARE(m_upstreamGateway.addServer(fixture), QString());
        QVERIFY(m_upstreamGateway.waitForTool(kDefaultNamespace, QStringLiteral("conformance__test_header_params")));

        QVERIFY2(m_fixture.start(&error), qPrintable(error));
        UpstreamConfig proxy;
        proxy.name = QStringLiteral("proxy");
        proxy.kind = UpstreamKind::StreamableHttp;
        proxy.url = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(proxyPort));
        QCOMPARE(m_fixture.addServer(proxy), QString());
        UpstreamConfig modern;
        modern.name = QStringLiteral("modern");
        modern.kind = UpstreamKind::StreamableHttp;
        modern.url = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(m_upstreamGateway.port()));
        QCOMPARE(m_fixture.addServer(modern), QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("proxy__echo")));
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("modern__conformance__test_header_params")));

        const RawResponse init =
            initializeSession(m_fixture.port(), "/mcp", {{QStringLiteral("sampling"), QJsonObject{}}});
        QCOMPARE(init.status, 200);
        m_sid = init.header("mcp-session-id");
        QCOMPARE(postJson(m_fixture.port(), "/mcp",
                          QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                      {QStringLiteral("method"), QStringLiteral("notifications/initialized")}},
                          mcpHeaders(m_sid, "2025-11-25"))
                     .status,
                 202);
    }

    void negotiatedStateless()
    {
        for (const QString &server : {QStringLiteral("proxy"), QStringLiteral("modern")}) {
            const QString log = logOf(server).join(u'\n');
            QVERIFY2(log.contains(QLatin1String("(protocol 2026-07-28, session none: stateless)")), qPrintable(log));
        }
    }

    // Every request carries the envelope and headers the upstream checks; names and the tool's
    // x-mcp-header arguments (here a non-ASCII one, sent as Base64) agree with the body.
    void requestsCarryHeaders()
    {
        const RawResponse echo =
            postJson(m_fixture.port(), "/mcp",
                     call(1, QStringLiteral("proxy__echo"), {{QStringLiteral("message"), QStringLiteral("hi")}}),
                     mcpHeaders(m_sid, "2025-11-25"));
        QCOMPARE(firstText(echo.json()), QStringLiteral("Echo: hi"));
        const RawResponse params =
            postJson(m_fixture.port(), "/mcp",
                     call(2, QStringLiteral("modern__conformance__test_header_params"),
                          {{QStringLiteral("region"), QStringLiteral(" Zürich")}, {QStringLiteral("count"), 3}}),
                     mcpHeaders(m_sid, "2025-11-25"));
        QVERIFY2(firstText(params.json()) == QStringLiteral("region= Zürich, count=3"), params.body.constData());
    }

    // A 2025-11-25 client: the upstream's input_required round is asked on the call's stream,
    // then the upstream gets the request again with its state and the answer.
    void inputRequiredForSessionClient()
    {
        StreamClient stream;
        QVERIFY(stream.open(m_fixture.port(),
                            buildRequest(m_fixture.port(), "POST", "/mcp", mcpHeaders(m_sid, "2025-11-25"),
                                         QJsonDocument(call(3, QStringLiteral("modern__conformance__test_sampling"),
                                                            {{QStringLiteral("prompt"), QStringLiteral("the sky?")}}))
                                             .toJson(QJsonDocument::Compact)),
                            30000));
        SseEvent e;
        QJsonObject request;
        while (stream.nextEvent(&e, 30000)) {
            if (e.json().value(QLatin1String("method")).toString() == u"sampling/createMessage") {
                request = e.json();
                break;
            }
            QVERIFY2(!e.json().contains(QLatin1String("result")), e.data.constData());
        }
        QVERIFY(!request.isEmpty());
        QCOMPARE(postJson(m_fixture.port(), "/mcp",
                          {{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                           {QStringLiteral("id"), request.value(QLatin1String("id"))},
                           {QStringLiteral("result"), sampled(QStringLiteral("blue, says the session client"))}},
                          mcpHeaders(m_sid, "2025-11-25"))
                     .status,
                 202);
        QJsonObject final;
        while (stream.nextEvent(&e, 30000)) {
            if (e.json().contains(QLatin1String("result")) || e.json().contains(QLatin1String("error"))) {
                final = e.json();
                break;
            }
        }
        QVERIFY2(firstText(final) == QStringLiteral("LLM response: blue, says the session client"),
                 qPrintable(text(final)));
    }

    // A 2026-07-28 client gets the round under the gateway's own state; its retry goes back to
    // the upstream with the upstream's state. A tampered or reused state is refused.
    void inputRequiredForStatelessClient()
    {
        const QString tool = QStringLiteral("modern__conformance__test_sampling");
        const QJsonObject caps{{QStringLiteral("sampling"), QJsonObject{}}};
        const QJsonObject args{{QStringLiteral("prompt"), QStringLiteral("the sea?")}};
        const RawHeaders headers = modernHeaders("tools/call", tool.toLatin1());
        const RawResponse first =
            postJson(m_fixture.port(), "/mcp", call(4, tool, args, modernEnvelope(caps)), headers);
        const QJsonObject round = first.json().value(QLatin1String("result")).toObject();
        QVERIFY2(round.value(QLatin1String("resultType")).toString() == u"input_required", first.body.constData());
        const QString state = round.value(QLatin1String("requestState")).toString();
        QVERIFY2(state.startsWith(QLatin1Char('u')), qPrintable(state)); // the gateway's, not the upstream's
        const QJsonObject inputs = round.value(QLatin1String("inputRequests")).toObject();
        QCOMPARE(inputs.size(), 1);

        auto retry = [&](int id, const QString &withState) {
            QJsonObject params{
                {QStringLiteral("name"), tool},
                {QStringLiteral("arguments"), args},
                {QStringLiteral("_meta"), modernEnvelope(caps)},
                {QStringLiteral("requestState"), withState},
                {QStringLiteral("inputResponses"),
                 QJsonObject{{inputs.begin().key(), sampled(QStringLiteral("green, says the stateless client"))}}}};
            return postJson(m_fixture.port(), "/mcp", rpc(id, QStringLiteral("tools/call"), params), headers);
        };
        const RawResponse tampered = retry(5, state + QLatin1Char('x'));
        QCOMPARE(tampered.json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32602);
        const RawResponse done = retry(6, state);
        QVERIFY2(firstText(done.json()) == QStringLiteral("LLM response: green, says the stateless client"),
                 done.body.constData());
        const RawResponse again = retry(7, state);
        QCOMPARE(again.json().value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32602);
    }
};

QTEST_GUILESS_MAIN(TestModernUpstream)
#include "tst_modernupstream.moc"
