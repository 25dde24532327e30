// mcp-proxy 6.7.19 (a dual-era 2025-11-25 + 2026-07-28 server built on SDK v2) in two roles:
//  - as an upstream: mcp-proxy exposes server-everything (stdio) over Streamable HTTP and the
//    gateway adds it as `proxied`, so proxied__echo must work through the gateway;
//  - as the reference peer: the same 2026-07-28 client (js/modern-client.mjs, SDK v2 pinned
//    to 2026-07-28) runs against mcp-proxy directly and against the gateway in front of it,
//    and the observable results must be the same.

#include "gatewayprocess.h"

#include <QJsonArray>
#include <QTest>

using namespace metamcp::test;
using namespace Qt::StringLiterals;

namespace {

const QStringList kModernSteps{u"discover"_s, u"tools"_s, u"echo"_s, u"prompts"_s, u"resources"_s, u"error"_s};

// Steps whose outcome may differ between two correct servers: an unknown tool may be a
// JSON-RPC error or an isError result. Printed, not compared.
const QStringList kInformationalSteps{u"error"_s};

QJsonObject withoutTimings(QJsonObject step)
{
    step.remove(u"ms"_s);
    return step;
}

} // namespace

class TestMcpProxy final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void upstreamThroughGateway_data();
    void upstreamThroughGateway();
    void modernClientMatchesReference();

private:
    NodeRun runModern(const QUrl &url, const QString &prefix);

    QTemporaryDir m_dir;
    ProcessFixture m_proxy;
    QUrl m_proxyUrl;
    GatewayProcess m_gateway;
};

void TestMcpProxy::initTestCase()
{
    QVERIFY2(peersInstalled(), qPrintable(u"npm peers missing in %1 (run npm ci there)"_s.arg(npmDir())));
    QVERIFY(m_dir.isValid());

    const quint16 port = m_proxy.reservePort(); // mcp-proxy takes a port number
    QStringList args{npmPath(u"mcp-proxy/dist/bin/mcp-proxy.mjs"_s),
                     u"--host"_s,
                     u"127.0.0.1"_s,
                     u"--port"_s,
                     QString::number(port),
                     u"--server"_s,
                     u"stream"_s,
                     u"--"_s,
                     node22Program()};
    args << serverEverythingStdioArgs();
    QVERIFY(m_proxy.start(node22Program(), args));
    QVERIFY2(waitForTcpPort(port, 20000), m_proxy.output().constData());
    m_proxyUrl = QUrl(u"http://127.0.0.1:%1/mcp"_s.arg(port));

    const QJsonObject proxied{{u"type"_s, u"http"_s}, {u"url"_s, m_proxyUrl.toString()}};
    const QString import = writeImportFile(m_dir, QJsonObject{{u"proxied"_s, proxied}});
    QVERIFY(!import.isEmpty());
    const QString error = m_gateway.start(import);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(m_gateway.waitForTool(u"proxied__echo"_s), qPrintable(m_gateway.output()));
}

void TestMcpProxy::upstreamThroughGateway_data()
{
    QTest::addColumn<QString>("step");
    for (const char *step : {"tools", "echo", "resources", "prompts", "progress"})
        QTest::newRow(step) << QString::fromLatin1(step);
}

// A 2025-11-25 client (SDK v1) through the gateway to the Streamable HTTP upstream.
void TestMcpProxy::upstreamThroughGateway()
{
    QFETCH(QString, step);
    const NodeRun run = runNode({integrationScript(u"sdk-v1-client.mjs"_s), u"--url"_s, m_gateway.url().toString(),
                                 u"--prefix"_s, u"proxied__"_s, step});
    QVERIFY2(run.finished, qPrintable(run.describe()));
    const QJsonObject result = run.report.value(u"steps"_s).toObject().value(step).toObject();
    if (!result.value(u"ok"_s).toBool())
        qWarning().noquote() << run.describe() << "\nmetamcpd:" << m_gateway.output().right(4000);
    QVERIFY2(result.value(u"ok"_s).toBool(), qPrintable(result.value(u"error"_s).toString()));
    if (step == u"echo")
        QCOMPARE(result.value(u"text"_s).toString(), u"Echo: hello through http"_s);
    // server-everything sends 3; mcp-proxy 6.7.19 itself sends the result before the last one
    // (seen with curl against mcp-proxy directly), and the gateway cannot forward what it does
    // not get.
    if (step == u"progress")
        QVERIFY(result.value(u"notifications"_s).toArray().size() >= 2);
}

NodeRun TestMcpProxy::runModern(const QUrl &url, const QString &prefix)
{
    return runNode(
        QStringList{integrationScript(u"modern-client.mjs"_s), u"--url"_s, url.toString(), u"--prefix"_s, prefix} +
        kModernSteps);
}

void TestMcpProxy::modernClientMatchesReference()
{
    const NodeRun reference = runModern(m_proxyUrl, QString());
    const NodeRun gateway = runModern(m_gateway.url(), u"proxied__"_s);
    qInfo().noquote() << "mcp-proxy (reference):" << compactJson(reference.report);
    qInfo().noquote() << "gateway:              " << compactJson(gateway.report);

    // The reference itself must pass, otherwise the comparison says nothing.
    QVERIFY2(reference.report.value(u"ok"_s).toBool(), qPrintable(reference.describe()));
    QVERIFY2(gateway.report.value(u"connect"_s).toObject().value(u"ok"_s).toBool(), qPrintable(gateway.describe()));

    QStringList differences;
    auto compare = [&](const QString &what, const QJsonValue &expected, const QJsonValue &actual) {
        if (expected != actual)
            differences << u"%1:\n  mcp-proxy: %2\n  gateway:   %3"_s.arg(
                what, QString::fromUtf8(compactJson(expected)), QString::fromUtf8(compactJson(actual)));
    };
    compare(u"connect"_s, reference.report.value(u"connect"_s), gateway.report.value(u"connect"_s));
    const QJsonObject referenceSteps = reference.report.value(u"steps"_s).toObject();
    const QJsonObject gatewaySteps = gateway.report.value(u"steps"_s).toObject();
    for (const QString &step : kModernSteps) {
        if (kInformationalSteps.contains(step))
            continue;
        compare(step, withoutTimings(referenceSteps.value(step).toObject()),
                withoutTimings(gatewaySteps.value(step).toObject()));
    }
    compare(u"responses carrying Mcp-Session-Id"_s,
            reference.report.value(u"wire"_s).toObject().value(u"responsesWithSessionId"_s),
            gateway.report.value(u"wire"_s).toObject().value(u"responsesWithSessionId"_s));
    for (const QString &step : kInformationalSteps)
        qInfo().noquote() << "informational" << step << "mcp-proxy:" << compactJson(referenceSteps.value(step))
                          << "gateway:" << compactJson(gatewaySteps.value(step));
    QVERIFY2(differences.isEmpty(), qPrintable(differences.join(u'\n')));
    QVERIFY2(gateway.report.value(u"ok"_s).toBool(), qPrintable(gateway.describe()));
}

QTEST_GUILESS_MAIN(TestMcpProxy)
#include "tst_mcpproxy.moc"
