// metamcpd as users start it: command line, --import (idempotent), --stdio, bad input over
// stdio, and a clean exit on SIGTERM.

#include "rawhttp.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace metamcp::test;

namespace {

// What metamcpd prints once it listens; with --listen 127.0.0.1:0 the port it got.
const QRegularExpression kServingOn(QStringLiteral("serving MCP on http://127\\.0\\.0\\.1:(\\d+)/mcp"));

QByteArray line(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

// Reads stdout lines until one has the given id.
QJsonObject readResponse(QProcess &p, int id, int timeoutMs = 30000)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        while (p.canReadLine()) {
            const QJsonObject o = QJsonDocument::fromJson(p.readLine()).object();
            if (o.value(QLatin1String("id")).toInt(-1) == id)
                return o;
        }
        p.waitForReadyRead(200);
    }
    return {};
}

} // namespace

class TestMetamcpd final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_import;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(peersInstalled());
        m_import = m_dir.filePath(QStringLiteral("claude_desktop_config.json"));
        QFile f(m_import);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QJsonArray args;
        for (const QString &a : serverEverythingStdioArgs())
            args.append(a);
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("mcpServers"),
                                           QJsonObject{{QStringLiteral("everything"),
                                                        QJsonObject{{QStringLiteral("command"), nodeProgram()},
                                                                    {QStringLiteral("args"), args}}}}}})
                    .toJson());
    }

    void versionAndHelp()
    {
        QProcess p;
        p.start(builtProgram(QStringLiteral("metamcpd")), {QStringLiteral("--version")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains(METAMCP_VERSION));
        p.start(builtProgram(QStringLiteral("metamcpd")), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(10000));
        const QByteArray help = p.readAllStandardOutput();
        for (const char *option : {"--listen", "--data-dir", "--import", "--stdio"})
            QVERIFY2(help.contains(option), option);
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("listen without port")
            << QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1")} << QByteArray("HOST:PORT");
        QTest::newRow("listen bad host") << QStringList{QStringLiteral("--listen"), QStringLiteral("nohost:80")}
                                         << QByteArray("not an IP address");
        QTest::newRow("listen bad port") << QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:99999")}
                                         << QByteArray("not a port");
    }

    void badArguments()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, message);
        QProcess p;
        p.start(builtProgram(QStringLiteral("metamcpd")),
                args + QStringList{QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("bad"))});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(p.readAllStandardError().contains(message), message.constData());
    }

    void portTaken()
    {
        QTcpServer blocker;
        QVERIFY(blocker.listen(QHostAddress::LocalHost, 0));
        QProcess p;
        p.start(builtProgram(QStringLiteral("metamcpd")),
                {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(blocker.serverPort()),
                 QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("taken"))});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("Cannot listen"));
    }

    void importIsIdempotentAndServes()
    {
        const QString data = m_dir.filePath(QStringLiteral("served"));
        for (int round = 0; round < 2; ++round) {
            ProcessFixture d;
            QVERIFY(d.start(builtProgram(QStringLiteral("metamcpd")),
                            {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"),
                             data, QStringLiteral("--import"), m_import}));
            const quint16 port = d.waitForPort(kServingOn);
            QVERIFY2(port != 0, d.output().constData());
            QVERIFY2(d.waitForOutput("imported 1 server(s): everything"), d.output().constData());
            const RawResponse init = initializeSession(port);
            QCOMPARE(init.status, 200);
            const QByteArray sid = init.header("mcp-session-id");
            QStringList names;
            QVERIFY(QTest::qWaitFor(
                [&] {
                    const RawResponse list =
                        postJson(port, "/mcp", rpc(2, QStringLiteral("tools/list")), mcpHeaders(sid, "2025-11-25"));
                    names.clear();
                    for (const QJsonValue &t :
                         list.json().value(QLatin1String("result")).toObject().value(QLatin1String("tools")).toArray())
                        names.append(t.toObject().value(QLatin1String("name")).toString());
                    return names.contains(QStringLiteral("everything__echo"));
                },
                30000));
            // One server, however often it was imported: no "everything-2".
            for (const QString &n : std::as_const(names))
                QVERIFY2(n.startsWith(QLatin1String("everything__")), qPrintable(n));
            // SIGTERM ends it cleanly.
            ::kill(pid_t(d.pid()), SIGTERM);
            QVERIFY(d.waitForFinished(10000));
            QCOMPARE(d.exitCode(), 0);
        }
    }

    void openApiImportServesRestTools()
    {
        // The REST API behind the tool is the daemon's own /healthz: a real HTTP round trip. The
        // document names the port before the daemon starts: one reserved for it.
        ProcessFixture d;
        const quint16 port = d.reservePort();
        QVERIFY(port != 0);
        const QString doc = m_dir.filePath(QStringLiteral("health-openapi.json"));
        QFile f(doc);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(
            QJsonDocument(
                QJsonObject{
                    {QStringLiteral("openapi"), QStringLiteral("3.0.3")},
                    {QStringLiteral("info"), QJsonObject{{QStringLiteral("title"), QStringLiteral("Health")},
                                                         {QStringLiteral("version"), QStringLiteral("1")}}},
                    {QStringLiteral("servers"),
                     QJsonArray{QJsonObject{{QStringLiteral("url"), QStringLiteral("http://127.0.0.1:%1").arg(port)}}}},
                    {QStringLiteral("paths"),
                     QJsonObject{{QStringLiteral("/healthz"),
                                  QJsonObject{{QStringLiteral("get"),
                                               QJsonObject{{QStringLiteral("operationId"), QStringLiteral("health")},
                                                           {QStringLiteral("summary"),
                                                            QStringLiteral("Is the gateway alive?")}}}}}}}})
                .toJson());
        f.close();
        QVERIFY(d.start(builtProgram(QStringLiteral("metamcpd")),
                        {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                         QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("openapi")),
                         QStringLiteral("--import-openapi"), QStringLiteral("api=") + doc}));
        QVERIFY2(d.waitForOutput("api: 1 REST tool(s): health"), d.output().constData());
        const RawResponse init = initializeSession(port);
        const QByteArray sid = init.header("mcp-session-id");
        RawResponse call;
        QVERIFY(QTest::qWaitFor(
            [&] {
                call = postJson(
                    port, "/mcp",
                    rpc(2, QStringLiteral("tools/call"), {{QStringLiteral("name"), QStringLiteral("api__health")}}),
                    mcpHeaders(sid, "2025-11-25"));
                return call.json().contains(QLatin1String("result"));
            },
            15000));
        const QJsonObject result = call.json().value(QLatin1String("result")).toObject();
        QCOMPARE(result.value(QLatin1String("structuredContent")).toObject().value(QLatin1String("status")).toString(),
                 QStringLiteral("ok"));
        QVERIFY(!result.value(QLatin1String("isError")).toBool());
        d.stop();
    }

    void sigtermEndsUpstreams()
    {
        // A stubborn upstream: ignores stdin closing and SIGTERM. Only SIGKILL ends it.
        const QString script = m_dir.filePath(QStringLiteral("stubborn.mjs"));
        QFile js(script);
        QVERIFY(js.open(QIODevice::WriteOnly));
        js.write(
            "process.on('SIGTERM', () => {}); process.stdin.on('data', () => {}); process.stdin.on('end', () => {});\n"
            "setInterval(() => {}, 1000);\n");
        js.close();
        // A marker on its command line finds its process.
        const QString marker = QStringLiteral("metamcpd-child-") + QString::number(QCoreApplication::applicationPid());
        const QString import = m_dir.filePath(QStringLiteral("stubborn.json"));
        QFile f(import);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(
                    QJsonObject{{QStringLiteral("mcpServers"),
                                 QJsonObject{{QStringLiteral("stubborn"),
                                              QJsonObject{{QStringLiteral("command"), nodeProgram()},
                                                          {QStringLiteral("args"), QJsonArray{script, marker}}}}}}})
                    .toJson());
        f.close();
        auto childRunning = [&] {
            return QProcess::execute(QStringLiteral("pgrep"), {QStringLiteral("-f"), marker}) == 0;
        };
        ProcessFixture d;
        QVERIFY(d.start(builtProgram(QStringLiteral("metamcpd")),
                        {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"),
                         m_dir.filePath(QStringLiteral("sigterm")), QStringLiteral("--import"), import}));
        QVERIFY(QTest::qWaitFor(childRunning, 20000));
        ::kill(pid_t(d.pid()), SIGTERM);
        QVERIFY(d.waitForFinished(10000));
        const bool gone = QTest::qWaitFor([&] { return !childRunning(); }, 3000);
        if (!gone)
            QProcess::execute(QStringLiteral("pkill"), {QStringLiteral("-9"), QStringLiteral("-f"), marker});
        QVERIFY2(gone, "no upstream outlives metamcpd");
    }

    void stdioServesOneClient()
    {
        const QString data = m_dir.filePath(QStringLiteral("stdio"));
        QProcess p;
        p.start(builtProgram(QStringLiteral("metamcpd")),
                {QStringLiteral("--stdio"), QStringLiteral("--data-dir"), data, QStringLiteral("--import"), m_import});
        QVERIFY(p.waitForStarted());
        p.write(
            line(rpc(1, QStringLiteral("initialize"),
                     {{QStringLiteral("protocolVersion"), QStringLiteral("2025-11-25")},
                      {QStringLiteral("capabilities"), QJsonObject{}},
                      {QStringLiteral("clientInfo"), QJsonObject{{QStringLiteral("name"), QStringLiteral("t")},
                                                                 {QStringLiteral("version"), QStringLiteral("1")}}}})));
        const QJsonObject init = readResponse(p, 1);
        QCOMPARE(init.value(QLatin1String("result")).toObject().value(QLatin1String("protocolVersion")).toString(),
                 QStringLiteral("2025-11-25"));
        p.write(line(QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                                 {QStringLiteral("method"), QStringLiteral("notifications/initialized")}}));
        // Bad input gets a JSON-RPC error on stdout and the bridge keeps going.
        p.write("this is not json\n");
        p.write("[1,2,3]\n");
        QJsonObject echo;
        QVERIFY(QTest::qWaitFor(
            [&] {
                p.write(line(rpc(2, QStringLiteral("tools/call"),
                                 {{QStringLiteral("name"), QStringLiteral("everything__echo")},
                                  {QStringLiteral("arguments"),
                                   QJsonObject{{QStringLiteral("message"), QStringLiteral("over stdio")}}}})));
                echo = readResponse(p, 2, 3000);
                return echo.contains(QLatin1String("result"));
            },
            30000));
        QCOMPARE(echo.value(QLatin1String("result"))
                     .toObject()
                     .value(QLatin1String("content"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("text"))
                     .toString(),
                 QStringLiteral("Echo: over stdio"));
        // Closing stdin ends the bridge.
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
    }

    void stdioParseErrors()
    {
        QProcess p;
        p.start(builtProgram(QStringLiteral("metamcpd")),
                {QStringLiteral("--stdio"), QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("stdio2"))});
        QVERIFY(p.waitForStarted());
        p.write("{\"jsonrpc\": \"2.0\", \"id\": 1,\n");
        // A raw control character in a string (RFC 8259 wants it escaped), which QJsonDocument takes.
        p.write("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{\"note\":\"a\x01\tb\"}}\n");
        p.write("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\"}\n");
        QList<QJsonObject> got;
        QVERIFY(QTest::qWaitFor(
            [&] {
                while (p.canReadLine())
                    got.append(QJsonDocument::fromJson(p.readLine()).object());
                p.waitForReadyRead(100);
                return got.size() >= 3;
            },
            15000));
        QCOMPARE(got.at(0).value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32700);
        QCOMPARE(got.at(1).value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(), -32700);
        QVERIFY(got.at(1).value(QLatin1String("id")).isNull());
        QCOMPARE(got.at(2).value(QLatin1String("id")).toInt(), 5);
        QCOMPARE(got.at(2).value(QLatin1String("error")).toObject().value(QLatin1String("code")).toInt(),
                 -32600); // not initialized
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(10000));
    }
};

QTEST_GUILESS_MAIN(TestMetamcpd)
#include "tst_metamcpd.moc"
