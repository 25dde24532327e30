// Upstream failures after initialisation are never hidden. A real Streamable HTTP server
// (peers/auth-after-init-server.mjs) accepts initialize and then answers 401 with an RFC 9728
// challenge: the upstream is not Ready with an empty tool list but Failing with the reason, the
// reason is in its log and its status (the console's servers panel), and a call to one of its
// tools names the upstream and the cause instead of "Unknown tool".

#include "gatewayfixture.h"
#include "rawhttp.h"
#include "testsupport.h"

#include <QRegularExpression>
#include <QTest>

using namespace metamcp;
using namespace metamcp::test;

class TestUpstreamErrors final : public QObject
{
    Q_OBJECT

    ProcessFixture m_server;
    GatewayFixture m_fixture;
    QString m_url;

    QString statusReason(const QString &server) const
    {
        for (const UpstreamStatus &s : m_fixture.gateway()->upstreamStatuses())
            if (s.name == server)
                return s.reason;
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_server.start(nodeProgram(),
                               {sourceDir() + QStringLiteral("/tests/integration/peers/auth-after-init-server.mjs")}));
        QVERIFY2(m_server.waitForOutput("listening "), m_server.output().constData());
        const QRegularExpressionMatch port =
            QRegularExpression(QStringLiteral("listening (\\d+)")).match(QString::fromUtf8(m_server.output()));
        QVERIFY(port.hasMatch());
        m_url = QStringLiteral("http://127.0.0.1:%1/mcp").arg(port.captured(1));
        QString error;
        QVERIFY2(m_fixture.start(&error), qPrintable(error));
    }

    void unauthorizedAfterInitializeIsAState()
    {
        UpstreamConfig locked;
        locked.name = QStringLiteral("locked");
        locked.kind = UpstreamKind::StreamableHttp;
        locked.url = QUrl(m_url);
        QCOMPARE(m_fixture.addServer(locked), QString());

        QVERIFY(m_fixture.waitForUpstreamState(QStringLiteral("locked"), UpstreamState::Failing));
        const QString expected =
            QStringLiteral("needs authorization: HTTP 401, resource_metadata=\"%1\"")
                .arg(QString(m_url).replace(QLatin1String("/mcp"),
                                            QLatin1String("/.well-known/oauth-protected-resource/mcp")));
        QTRY_VERIFY2_WITH_TIMEOUT(statusReason(QStringLiteral("locked")).contains(expected),
                                  qPrintable(statusReason(QStringLiteral("locked"))), 5000);

        QStringList log;
        bool done = false;
        m_fixture.gateway()->serverLog(QStringLiteral("locked"), [&](const QStringList &lines) {
            log = lines;
            done = true;
        });
        QTRY_VERIFY(done);
        QVERIFY2(log.join(u'\n').contains(QLatin1String("tools/list: needs authorization: HTTP 401")),
                 qPrintable(log.join(u'\n')));

        // A client calling one of its tools learns which upstream fails and why.
        const RawResponse init = initializeSession(m_fixture.port());
        QCOMPARE(init.status, 200);
        const RawResponse call = postJson(m_fixture.port(), "/mcp",
                                          rpc(2, QStringLiteral("tools/call"),
                                              {{QStringLiteral("name"), QStringLiteral("locked__whatever")},
                                               {QStringLiteral("arguments"), QJsonObject{}}}),
                                          mcpHeaders(init.header("mcp-session-id"), "2025-11-25"));
        const QJsonObject error = call.json().value(QLatin1String("error")).toObject();
        QCOMPARE(error.value(QLatin1String("code")).toInt(), -32002);
        const QString message = error.value(QLatin1String("message")).toString();
        QVERIFY2(message.contains(QLatin1String("upstream locked is failing")) && message.contains(expected),
                 qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestUpstreamErrors)
#include "tst_upstreamerrors.moc"
