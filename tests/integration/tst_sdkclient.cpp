// The official TypeScript SDK clients against a real metamcpd that fronts server-everything
// over stdio:
//  - SDK v1 (js/sdk-v1-client.mjs) over Streamable HTTP at /mcp (2025-11-25 sessions) for the
//    whole feature set, and over the legacy HTTP+SSE transport at /sse for the basic flow;
//  - SDK v2 pinned to 2026-07-28 (js/modern-client.mjs) at /mcp: discover, lists, calls,
//    progress, and sampling/elicitation turned into input_required rounds by the gateway.

#include "gatewayprocess.h"

#include <QJsonArray>
#include <QTest>

using namespace metamcp::test;
using namespace Qt::StringLiterals;

class TestSdkClient final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void streamableHttp_data();
    void streamableHttp();
    void legacySse_data();
    void legacySse();
    void modernClient_data();
    void modernClient();

private:
    NodeRun runClient(const QString &transport, const QString &path, const QString &step);
    void checkStep(const QString &transport, const QString &path);

    QTemporaryDir m_dir;
    GatewayProcess m_gateway;
};

void TestSdkClient::initTestCase()
{
    QVERIFY2(peersInstalled(), qPrintable(u"npm peers missing in %1 (run npm ci there)"_s.arg(npmDir())));
    QVERIFY(m_dir.isValid());
    // Its tools ask the client for sampling and elicitation: a process per session (per stateless
    // call) lets the gateway tell whose request each is, also next to a flow a client abandoned.
    QJsonObject everything = serverEverythingStdioEntry();
    everything.insert(u"isolation"_s, u"per-session"_s);
    const QString import = writeImportFile(m_dir, QJsonObject{{u"everything"_s, everything}});
    QVERIFY(!import.isEmpty());
    const QString error = m_gateway.start(import);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(m_gateway.waitForTool(u"everything__echo"_s), qPrintable(m_gateway.output()));
}

NodeRun TestSdkClient::runClient(const QString &transport, const QString &path, const QString &step)
{
    return runNode({integrationScript(u"sdk-v1-client.mjs"_s), u"--url"_s, m_gateway.url(path).toString(),
                    u"--transport"_s, transport, u"--prefix"_s, u"everything__"_s, u"--step-timeout"_s, u"20000"_s,
                    step},
                   60000);
}

// Runs one step in a fresh client session and checks the script's verdict and observations.
void TestSdkClient::checkStep(const QString &transport, const QString &path)
{
    QFETCH(QString, step);
    const NodeRun run = runClient(transport, path, step);
    QVERIFY2(run.finished, qPrintable(run.describe()));
    const QJsonObject init = run.report.value(u"initialize"_s).toObject();
    QVERIFY2(init.value(u"ok"_s).toBool(), qPrintable(run.describe()));
    QCOMPARE(init.value(u"serverInfo"_s).toObject().value(u"name"_s).toString(), u"metamcp"_s);
    const QJsonObject result = run.report.value(u"steps"_s).toObject().value(step).toObject();
    if (!result.value(u"ok"_s).toBool())
        qWarning().noquote() << run.describe() << "\nmetamcpd:" << m_gateway.output().right(4000);
    QVERIFY2(result.value(u"ok"_s).toBool(), qPrintable(result.value(u"error"_s).toString()));
    QCOMPARE(run.exitCode, 0);

    if (step == u"echo")
        QCOMPARE(result.value(u"text"_s).toString(), u"Echo: hello through %1"_s.arg(transport));
    if (step == u"progress") {
        const QJsonArray notifications = result.value(u"notifications"_s).toArray();
        // server-everything sends 3; the SDK's SSE client may lose the last one (see the script).
        if (transport == u"http")
            QCOMPARE(notifications.size(), 3);
        else
            QVERIFY(notifications.size() >= 2);
    }
    if (step == u"cancel") {
        QVERIFY(result.value(u"error"_s).toString().contains(u"test-abort"_s));
        QCOMPARE(result.value(u"next"_s).toString(), u"Echo: after cancel"_s);
    }
    if (step == u"sampling")
        QVERIFY(result.value(u"text"_s).toString().contains(u"FIXED-SAMPLING-REPLY"_s));
    if (step == u"elicitation")
        QVERIFY(result.value(u"text"_s).toString().contains(u"- Name: Ada Lovelace"_s));
}

void TestSdkClient::streamableHttp_data()
{
    QTest::addColumn<QString>("step");
    for (const char *step :
         {"tools", "echo", "ping", "resources", "prompts", "progress", "cancel", "sampling", "elicitation"})
        QTest::newRow(step) << QString::fromLatin1(step);
}

void TestSdkClient::streamableHttp()
{
    checkStep(u"http"_s, u"/mcp"_s);
}

void TestSdkClient::legacySse_data()
{
    QTest::addColumn<QString>("step");
    for (const char *step : {"tools", "echo", "resources", "prompts", "progress", "sampling"})
        QTest::newRow(step) << QString::fromLatin1(step);
}

void TestSdkClient::legacySse()
{
    checkStep(u"sse"_s, u"/sse"_s);
}

void TestSdkClient::modernClient_data()
{
    QTest::addColumn<QString>("step");
    // "abandoned" leaves a parked upstream call behind for a minute: keep it last.
    for (const char *step :
         {"discover", "tools", "echo", "prompts", "resources", "progress", "sampling", "elicitation", "abandoned"})
        QTest::newRow(step) << QString::fromLatin1(step);
}

void TestSdkClient::modernClient()
{
    QFETCH(QString, step);
    const NodeRun run = runNode({integrationScript(u"modern-client.mjs"_s), u"--url"_s, m_gateway.url().toString(),
                                 u"--prefix"_s, u"everything__"_s, u"--handlers"_s, step});
    QVERIFY2(run.finished, qPrintable(run.describe()));
    const QJsonObject connect = run.report.value(u"connect"_s).toObject();
    QVERIFY2(connect.value(u"ok"_s).toBool(), qPrintable(run.describe()));
    QCOMPARE(connect.value(u"era"_s).toString(), u"modern"_s);
    QCOMPARE(connect.value(u"version"_s).toString(), u"2026-07-28"_s);
    const QJsonObject result = run.report.value(u"steps"_s).toObject().value(step).toObject();
    if (!result.value(u"ok"_s).toBool())
        qWarning().noquote() << run.describe() << "\nmetamcpd:" << m_gateway.output().right(4000);
    QVERIFY2(result.value(u"ok"_s).toBool(), qPrintable(result.value(u"error"_s).toString()));
    QCOMPARE(run.report.value(u"wire"_s).toObject().value(u"responsesWithSessionId"_s).toInt(), 0);

    if (step == u"discover" || step == u"tools") {
        QCOMPARE(result.value(u"resultType"_s).toString(), u"complete"_s);
        QVERIFY(result.value(u"ttlMsIsInteger"_s).toBool());
    }
    if (step == u"echo") {
        QCOMPARE(result.value(u"resultType"_s).toString(), u"complete"_s);
        QCOMPARE(result.value(u"content"_s).toArray().first().toObject().value(u"text"_s).toString(),
                 u"Echo: modern hello"_s);
    }
    if (step == u"progress")
        QCOMPARE(result.value(u"notifications"_s).toArray().size(), 3);
    if (step == u"sampling") // one input_required round, fulfilled by the SDK
        QCOMPARE(result.value(u"rounds"_s).toInt(), 1);
}

QTEST_GUILESS_MAIN(TestSdkClient)
#include "tst_sdkclient.moc"
