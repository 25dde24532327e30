// The MCP Inspector CLI (@modelcontextprotocol/inspector 2.12.0) against a real metamcpd that
// fronts server-everything: Streamable HTTP (/mcp, 2025-11-25 and --protocol-era modern, i.e.
// 2026-07-28), legacy HTTP+SSE (/sse) and stdio (the Inspector starts `metamcpd --stdio`).

#include "gatewayprocess.h"

#include <QDir>
#include <QJsonArray>
#include <QTest>

using namespace metamcp::test;
using namespace Qt::StringLiterals;

class TestInspectorCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void toolsList_data();
    void toolsList();
    void toolsCall_data();
    void toolsCall();

private:
    void addTransports();
    NodeRun inspect(const QString &transport, const QStringList &methodArgs);

    QTemporaryDir m_dir;
    QString m_stdioConfig;
    GatewayProcess m_gateway;
};

void TestInspectorCli::initTestCase()
{
    QVERIFY2(peersInstalled(), qPrintable(u"npm peers missing in %1 (run npm ci there)"_s.arg(npmDir())));
    QVERIFY(m_dir.isValid());
    const QString import = writeImportFile(m_dir, QJsonObject{{u"everything"_s, serverEverythingStdioEntry()}});
    QVERIFY(!import.isEmpty());
    const QString error = m_gateway.start(import);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(m_gateway.waitForTool(u"everything__echo"_s), qPrintable(m_gateway.output()));

    // The stdio daemon gets its own data directory (one metamcpd per database) and imports
    // the same file at start-up.
    QVERIFY(QDir(m_dir.path()).mkpath(u"stdio-data"_s));
    QVERIFY(QDir(m_dir.path()).mkpath(u"home"_s));
    const QJsonObject gateway{
        {u"command"_s, builtProgram(u"metamcpd"_s)},
        {u"args"_s, QJsonArray{u"--stdio"_s, u"--data-dir"_s, m_dir.filePath(u"stdio-data"_s), u"--import"_s, import}}};
    m_stdioConfig = writeImportFile(m_dir, QJsonObject{{u"gateway"_s, gateway}}, u"inspector.json"_s);
    QVERIFY(!m_stdioConfig.isEmpty());
}

NodeRun TestInspectorCli::inspect(const QString &transport, const QStringList &methodArgs)
{
    QStringList args{npmPath(u"@modelcontextprotocol/inspector/clients/launcher/build/index.js"_s), u"--cli"_s};
    if (transport == u"http")
        args << m_gateway.url(u"/mcp"_s).toString() << u"--transport"_s << u"http"_s;
    else if (transport == u"modern")
        args << m_gateway.url(u"/mcp"_s).toString() << u"--transport"_s << u"http"_s << u"--protocol-era"_s
             << u"modern"_s;
    else if (transport == u"sse")
        args << m_gateway.url(u"/sse"_s).toString() << u"--transport"_s << u"sse"_s;
    else
        args << u"--config"_s << m_stdioConfig << u"--server"_s << u"gateway"_s;
    args << u"--format"_s << u"json"_s << u"-q"_s << methodArgs;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"HOME"_s, m_dir.filePath(u"home"_s)); // ~/.mcp-inspector lands here
    return runNode(args, 60000, env, m_dir.path());
}

void TestInspectorCli::addTransports()
{
    QTest::addColumn<QString>("transport");
    for (const char *transport : {"http", "sse", "stdio", "modern"})
        QTest::newRow(transport) << QString::fromLatin1(transport);
}

void TestInspectorCli::toolsList_data()
{
    addTransports();
}

void TestInspectorCli::toolsList()
{
    QFETCH(QString, transport);
    const NodeRun run = inspect(transport, {u"--method"_s, u"tools/list"_s});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    QStringList names;
    const QJsonArray tools = run.report.value(u"result"_s).toObject().value(u"tools"_s).toArray();
    for (const QJsonValue &tool : tools)
        names << tool.toObject().value(u"name"_s).toString();
    QVERIFY2(names.contains(u"everything__echo"_s), qPrintable(run.describe()));
    QVERIFY2(names.contains(u"everything__get-sum"_s), qPrintable(names.join(u", "_s)));
}

void TestInspectorCli::toolsCall_data()
{
    addTransports();
}

void TestInspectorCli::toolsCall()
{
    QFETCH(QString, transport);
    const QString message = u"inspector over %1"_s.arg(transport);
    const NodeRun run = inspect(transport, {u"--method"_s, u"tools/call"_s, u"--tool-name"_s, u"everything__echo"_s,
                                            u"--tool-arg"_s, u"message=%1"_s.arg(message)});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    const QJsonObject result = run.report.value(u"result"_s).toObject();
    const QJsonArray content = result.value(u"content"_s).toArray();
    QVERIFY2(!content.isEmpty(), qPrintable(run.describe()));
    QCOMPARE(content.first().toObject().value(u"text"_s).toString(), u"Echo: "_s + message);
    if (transport == u"modern") {
        // 2026-07-28 results name the server in _meta (the gateway, not the upstream).
        const QJsonObject serverInfo =
            result.value(u"_meta"_s).toObject().value(u"io.modelcontextprotocol/serverInfo"_s).toObject();
        QCOMPARE(serverInfo.value(u"name"_s).toString(), u"metamcp"_s);
    }
}

QTEST_GUILESS_MAIN(TestInspectorCli)
#include "tst_inspectorcli.moc"
