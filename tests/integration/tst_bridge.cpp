// One gateway for every local client: with a gateway running for a data directory (here the
// in-process gateway the console runs), `metamcpd --stdio --data-dir` for that directory is a
// thin bridge to it. A stdio client's call through the bridge reaches the running gateway (its
// call events, which the console's inspector shows), and the upstream process runs once.
// Another OS user cannot attach; an unknown namespace is refused; with no gateway running,
// metamcpd serves stdio with a gateway of its own and says so.

#include "gatewayfixture.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <sys/stat.h>
#include <unistd.h>

using namespace metamcp;
using namespace metamcp::test;

namespace {

QByteArray line(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

QByteArray initializeLine(const QString &client)
{
    return line(
        {{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
         {QStringLiteral("id"), 1},
         {QStringLiteral("method"), QStringLiteral("initialize")},
         {QStringLiteral("params"),
          QJsonObject{{QStringLiteral("protocolVersion"), QStringLiteral("2025-11-25")},
                      {QStringLiteral("capabilities"), QJsonObject{}},
                      {QStringLiteral("clientInfo"), QJsonObject{{QStringLiteral("name"), client},
                                                                 {QStringLiteral("version"), QStringLiteral("1")}}}}}});
}

QByteArray initializedLine()
{
    return line({{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                 {QStringLiteral("method"), QStringLiteral("notifications/initialized")}});
}

QByteArray echoLine(int id, const QString &message)
{
    return line({{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                 {QStringLiteral("id"), id},
                 {QStringLiteral("method"), QStringLiteral("tools/call")},
                 {QStringLiteral("params"),
                  QJsonObject{{QStringLiteral("name"), QStringLiteral("everything__echo")},
                              {QStringLiteral("arguments"), QJsonObject{{QStringLiteral("message"), message}}}}}});
}

int processCount(const QString &marker)
{
    QProcess pgrep;
    pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-c"), QStringLiteral("-f"), marker});
    pgrep.waitForFinished(10000);
    return pgrep.readAllStandardOutput().trimmed().toInt();
}

} // namespace

class TestBridge final : public QObject
{
    Q_OBJECT

    GatewayFixture m_fixture;
    const QString m_marker = QStringLiteral("tst-bridge-") + QUuid::createUuid().toString(QUuid::Id128);
    QList<CallEvent> m_events;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(peersInstalled(), "npm peers missing: run scripts/bootstrap.sh deps");
        QString error;
        QVERIFY2(m_fixture.start(&error), qPrintable(error));
        connect(m_fixture.gateway(), &Gateway::callEvents, this,
                [this](const QList<CallEvent> &events) { m_events += events; });
        QCOMPARE(m_fixture.addServer(GatewayFixture::everythingStdio(QStringLiteral("everything"), m_marker)),
                 QString());
        QVERIFY(m_fixture.waitForTool(kDefaultNamespace, QStringLiteral("everything__echo")));
    }

    void stdioClientUsesTheRunningGateway()
    {
        ProcessFixture bridge;
        QVERIFY(bridge.start(builtProgram(QStringLiteral("metamcpd")),
                             {QStringLiteral("--stdio"), QStringLiteral("--data-dir"), m_fixture.dataDir()}));
        QVERIFY2(bridge.waitForOutput("bridging stdio to the gateway already running for"),
                 bridge.output().constData());
        bridge.process()->write(initializeLine(QStringLiteral("tst-bridge")) + initializedLine() +
                                echoLine(2, QStringLiteral("through the bridge")));
        QVERIFY2(bridge.waitForOutput("Echo: through the bridge"), bridge.output().constData());

        // The running gateway served it: its call events (the console's inspector) show the call.
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(m_events.cbegin(), m_events.cend(),
                                             [](const CallEvent &e) {
                                                 return e.method == u"tools/call" && e.tool == u"everything__echo" &&
                                                        e.client.startsWith(QLatin1String("tst-bridge"));
                                             }),
                                 5000);
        // The upstream runs once, in the running gateway.
        QCOMPARE(processCount(m_marker), 1);

        // End of input ends the bridge, cleanly.
        bridge.process()->closeWriteChannel();
        QVERIFY(bridge.waitForFinished(10000));
        QCOMPARE(bridge.exitCode(), 0);
    }

    void unknownNamespaceIsRefused()
    {
        ProcessFixture bridge;
        QVERIFY(bridge.start(builtProgram(QStringLiteral("metamcpd")),
                             {QStringLiteral("--stdio"), QStringLiteral("--data-dir"), m_fixture.dataDir(),
                              QStringLiteral("--namespace"), QStringLiteral("nosuch")}));
        QVERIFY(bridge.waitForFinished(15000));
        QCOMPARE(bridge.exitCode(), 1);
        QVERIFY2(bridge.output().contains("refused the bridge: the gateway has no namespace \"nosuch\""),
                 bridge.output().constData());
        QCOMPARE(processCount(m_marker), 1);
    }

    // Another user can neither connect by the socket's permissions nor, with them opened up, by
    // the gateway's check of the peer's user id: it never gets the hello answered.
    void otherUserCannotAttach()
    {
        if (::geteuid() != 0)
            QFAIL("this check switches to another user id and needs to run as root (as CI does)");
        const QString socketPath = m_fixture.dataDir() + QStringLiteral("/metamcp.sock");
        QVERIFY2(QFile::exists(socketPath), qPrintable(socketPath));
        QCOMPARE(::chmod(QFile::encodeName(m_fixture.dataDir()).constData(), 0755), 0);
        QCOMPARE(::chmod(QFile::encodeName(socketPath).constData(), 0777), 0);
        const QString script = QStringLiteral(
            "import socket,sys\n"
            "s=socket.socket(socket.AF_UNIX)\n"
            "s.connect(sys.argv[1])\n"
            "data=b''\n"
            "try:\n"
            "    s.sendall(b'{\"metamcp-bridge\":1,\"namespace\":\"default\",\"client\":\"intruder\"}\\n')\n"
            "    s.settimeout(10)\n"
            "    while True:\n"
            "        chunk=s.recv(4096)\n"
            "        if not chunk: break\n"
            "        data+=chunk\n"
            "except OSError:\n"
            "    pass\n"
            "print('CONNECTED ANSWER:'+data.decode(errors='replace')+':END')\n");
        QProcess intruder;
        intruder.setProcessChannelMode(QProcess::MergedChannels);
        intruder.start(QStringLiteral("setpriv"), {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                                   QStringLiteral("--clear-groups"), QStringLiteral("/usr/bin/python3"),
                                                   QStringLiteral("-c"), script, socketPath});
        QVERIFY(intruder.waitForFinished(20000));
        const QByteArray out = intruder.readAll();
        // It connected (the socket was open to it), and was closed unanswered.
        QVERIFY2(out.contains("CONNECTED ANSWER::END"), out.constData());
        QCOMPARE(processCount(m_marker), 1);
    }

    void withoutARunningGatewayItServesItself()
    {
        QTemporaryDir empty;
        ProcessFixture own;
        QVERIFY(own.start(builtProgram(QStringLiteral("metamcpd")),
                          {QStringLiteral("--stdio"), QStringLiteral("--data-dir"), empty.path()}));
        QVERIFY2(own.waitForOutput("no gateway is running for"), own.output().constData());
        own.process()->write(initializeLine(QStringLiteral("tst-own")));
        QVERIFY2(own.waitForOutput("\"serverInfo\""), own.output().constData());
        own.process()->closeWriteChannel();
        QVERIFY(own.waitForFinished(10000));
        QCOMPARE(own.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TestBridge)
#include "tst_bridge.moc"
