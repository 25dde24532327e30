// The cache hints (ttlMs, cacheScope) of 2026-07-28 upstreams, honoured by the gateway as their
// client and passed on to its own stateless clients. Three real stateless servers
// (fixtures/cache-hints-server.mjs, whose tool list changes with every fetch): ttl 0 private
// (fetched again whenever a client lists), ttl one hour public (served from the registry), and
// ttl 1.5 s (fetched again in the background when it expires, so calls see the new tools too).

#include "gatewayfixture.h"
#include "gatewayprocess.h"
#include "rawhttp.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QTest>

using namespace metamcp;
using namespace metamcp::test;

namespace {

QStringList toolNames(const QJsonObject &response)
{
    QStringList names;
    const QJsonArray tools = response.value(QLatin1String("result")).toObject().value(QLatin1String("tools")).toArray();
    for (const QJsonValue &t : tools)
        names << t.toObject().value(QLatin1String("name")).toString();
    return names;
}

} // namespace

class TestCacheHints final : public QObject
{
    Q_OBJECT

    ProcessFixture m_servers[3];
    quint16 m_ports[3] = {};
    GatewayFixture m_fixture;

    // How many tools/list the server behind namespace `ns` has served (its "lists" tool).
    int listsServed(const QByteArray &ns)
    {
        const RawResponse r = postJson(
            m_fixture.port(), "/mcp/" + ns,
            rpc(90, QStringLiteral("tools/call"),
                {{QStringLiteral("name"), QStringLiteral("lists")}, {QStringLiteral("_meta"), modernEnvelope()}}),
            modernHeaders("tools/call", "lists"));
        return firstText(r.json()).toInt();
    }

    RawResponse statelessList(const QByteArray &ns)
    {
        return postJson(m_fixture.port(), "/mcp/" + ns,
                        rpc(91, QStringLiteral("tools/list"), {{QStringLiteral("_meta"), modernEnvelope()}}),
                        modernHeaders("tools/list"));
    }

    QString addServer(int i, const QString &name)
    {
        UpstreamConfig server;
        server.name = name;
        server.kind = UpstreamKind::StreamableHttp;
        server.url = QUrl(QStringLiteral("http://127.0.0.1:%1/mcp").arg(m_ports[i]));
        if (QString error = m_fixture.addServer(server, {}); !error.isEmpty())
            return error;
        NamespaceConfig ns;
        ns.name = name;
        ns.servers = {name};
        ns.prefixNames = false;
        return m_fixture.setNamespace(ns);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(peersInstalled(), "npm peers missing: run scripts/bootstrap.sh deps");
        const QStringList hints[3] = {{QStringLiteral("0"), QStringLiteral("private")},
                                      {QStringLiteral("3600000"), QStringLiteral("public")},
                                      {QStringLiteral("1500"), QStringLiteral("public")}};
        for (int i = 0; i < 3; ++i) {
            QVERIFY(m_servers[i].start(nodeProgram(),
                                       {integrationFixture(QStringLiteral("cache-hints-server.mjs")),
                                        QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--ttl"),
                                        hints[i].at(0), QStringLiteral("--scope"), hints[i].at(1)}));
            m_ports[i] = m_servers[i].waitForPort(QRegularExpression(QStringLiteral("cache-hints-server on (\\d+)")));
            QVERIFY2(m_ports[i] != 0, m_servers[i].output().constData());
        }
        QString error;
        QVERIFY2(m_fixture.start(&error), qPrintable(error));
        QCOMPARE(addServer(0, QStringLiteral("zero")), QString());
        QCOMPARE(addServer(1, QStringLiteral("hour")), QString());
        QCOMPARE(addServer(2, QStringLiteral("short")), QString());
        for (const QString &ns : {QStringLiteral("zero"), QStringLiteral("hour"), QStringLiteral("short")})
            QVERIFY(m_fixture.waitForTool(ns, QStringLiteral("static")));
    }

    // ttl 0: every client list fetches the upstream's list again, and gets what it says now;
    // the gateway passes the hints on: stale at once, private.
    void zeroTtlIsFetchedEveryTime()
    {
        const int before = listsServed("zero");
        QVERIFY(before >= 1);
        const RawResponse first = statelessList("zero");
        const QJsonObject result = first.json().value(QLatin1String("result")).toObject();
        QCOMPARE(result.value(QLatin1String("ttlMs")).toInteger(-1), 0);
        QCOMPARE(result.value(QLatin1String("cacheScope")).toString(), QStringLiteral("private"));
        QCOMPARE(listsServed("zero"), before + 1);
        QVERIFY2(toolNames(first.json()).contains(QStringLiteral("gen_%1").arg(before + 1)), first.body.constData());

        // A 2025-11-25 session client revalidates the same way (and gets no 2026 fields).
        const RawResponse init = initializeSession(m_fixture.port(), "/mcp/zero");
        const QByteArray sid = init.header("mcp-session-id");
        QVERIFY(!sid.isEmpty());
        const RawResponse second = postJson(m_fixture.port(), "/mcp/zero", rpc(2, QStringLiteral("tools/list")),
                                            mcpHeaders(sid, "2025-11-25"));
        QVERIFY2(toolNames(second.json()).contains(QStringLiteral("gen_%1").arg(before + 2)), second.body.constData());
        QVERIFY(!second.json().value(QLatin1String("result")).toObject().contains(QLatin1String("ttlMs")));
        QCOMPARE(listsServed("zero"), before + 2);
    }

    // A long ttl: lists are served from the registry, no upstream fetch; the gateway's own hint
    // is the remaining freshness, public as the upstream said.
    void longTtlIsServedFromTheRegistry()
    {
        const int before = listsServed("hour");
        for (int i = 0; i < 3; ++i) {
            const RawResponse r = statelessList("hour");
            const QJsonObject result = r.json().value(QLatin1String("result")).toObject();
            const qint64 ttl = result.value(QLatin1String("ttlMs")).toInteger(-1);
            QVERIFY2(ttl > 0 && ttl <= 3'600'000, r.body.constData());
            QCOMPARE(result.value(QLatin1String("cacheScope")).toString(), QStringLiteral("public"));
            QVERIFY(toolNames(r.json()).contains(QStringLiteral("gen_%1").arg(before)));
        }
        QCOMPARE(listsServed("hour"), before);
    }

    // A short ttl: when it expires the gateway fetches the list again by itself (no client
    // lists), so a call finds a tool that appeared meanwhile.
    void shortTtlIsRefreshedInTheBackground()
    {
        const int before = listsServed("short");
        QTRY_VERIFY_WITH_TIMEOUT(listsServed("short") > before, 20000);
        const int now = listsServed("short");
        const QString appeared = QStringLiteral("gen_%1").arg(now);
        QTRY_VERIFY_WITH_TIMEOUT(m_fixture.waitForTool(QStringLiteral("short"), appeared, 100), 10000);
        const RawResponse call =
            postJson(m_fixture.port(), "/mcp/short",
                     rpc(3, QStringLiteral("tools/call"),
                         {{QStringLiteral("name"), appeared}, {QStringLiteral("_meta"), modernEnvelope()}}),
                     modernHeaders("tools/call", appeared.toUtf8()));
        QVERIFY2(!firstText(call.json()).isEmpty(), call.body.constData());
    }

    // A namespace over upstreams with different hints: the shortest ttl, private if any is.
    void combinedHints()
    {
        NamespaceConfig both;
        both.name = QStringLiteral("both");
        both.servers = {QStringLiteral("zero"), QStringLiteral("hour")};
        QCOMPARE(m_fixture.setNamespace(both), QString());
        QVERIFY(m_fixture.waitForTool(QStringLiteral("both"), QStringLiteral("hour__static")));
        const RawResponse r = statelessList("both");
        const QJsonObject result = r.json().value(QLatin1String("result")).toObject();
        QCOMPARE(result.value(QLatin1String("ttlMs")).toInteger(-1), 0);
        QCOMPARE(result.value(QLatin1String("cacheScope")).toString(), QStringLiteral("private"));
        both.servers = {QStringLiteral("hour")};
        QCOMPARE(m_fixture.setNamespace(both), QString());
        QTRY_COMPARE_WITH_TIMEOUT(statelessList("both")
                                      .json()
                                      .value(QLatin1String("result"))
                                      .toObject()
                                      .value(QLatin1String("cacheScope"))
                                      .toString(),
                                  QStringLiteral("public"), 10000);
    }
};

QTEST_GUILESS_MAIN(TestCacheHints)
#include "tst_cachehints.moc"
