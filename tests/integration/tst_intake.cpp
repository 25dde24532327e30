// One message intake (gateway/mcp/intake.h): the same bad inputs sent over stdio and over
// Streamable HTTP get the same JSON-RPC errors (code, message, data, id). Before the intake
// existed, stdio skipped the 2026-07-28 checks the HTTP path made and worded parse errors
// differently.

#include "gatewayfixture.h"
#include "rawhttp.h"

#include <QJsonDocument>
#include <QMutex>
#include <QTest>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

class TestIntake final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sameErrorsOverStdioAndHttp_data();
    void sameErrorsOverStdioAndHttp();

private:
    struct Lines
    {
        QMutex mutex;
        QList<QByteArray> raw;
    };
    QByteArray nextLine(int timeoutMs = 10000);

    GatewayFixture m_fixture;
    std::shared_ptr<Lines> m_lines = std::make_shared<Lines>();
    qsizetype m_read = 0;
    QByteArray m_session; // HTTP session id
};

QByteArray TestIntake::nextLine(int timeoutMs)
{
    QByteArray line;
    (void)QTest::qWaitFor(
        [&] {
            QMutexLocker lock(&m_lines->mutex);
            while (m_lines->raw.size() > m_read) {
                line = m_lines->raw.at(m_read++);
                // Notifications (list_changed, ...) may come any time; answers are what counts.
                if (!QJsonDocument::fromJson(line).object().contains(u"method"_s))
                    return true;
            }
            line.clear();
            return false;
        },
        timeoutMs);
    return line;
}

void TestIntake::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));
    auto lines = m_lines;
    m_fixture.gateway()->openStdioSession(kDefaultNamespace, [lines](const QByteArray &line) {
        QMutexLocker lock(&lines->mutex);
        lines->raw.append(line);
    });
    const QJsonObject init = rpc(1, u"initialize"_s,
                                 {{u"protocolVersion"_s, u"2025-11-25"_s},
                                  {u"capabilities"_s, QJsonObject{}},
                                  {u"clientInfo"_s, QJsonObject{{u"name"_s, u"stdio"_s}, {u"version"_s, u"1"_s}}}});
    m_fixture.gateway()->stdioReceive(QJsonDocument(init).toJson(QJsonDocument::Compact));
    QVERIFY(nextLine().contains("\"result\""));
    const RawResponse http = initializeSession(m_fixture.port());
    QCOMPARE(http.status, 200);
    m_session = http.header("mcp-session-id");
    QVERIFY(!m_session.isEmpty());
}

void TestIntake::sameErrorsOverStdioAndHttp_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("statelessMethod"); // non-empty: sent as 2026-07-28 (headers as a client sends them)
    QTest::addColumn<QByteArray>("statelessVersion");
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("sameMessage");

    const QByteArray env = R"("_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
                           R"("io.modelcontextprotocol/clientCapabilities":{}})";
    QTest::newRow("invalid JSON") << QByteArray(R"({"jsonrpc":"2.0","id":1,)") << QByteArray() << QByteArray() << -32700
                                  << true;
    QTest::newRow("raw control character")
        << QByteArray("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"a\x01b\"}}")
        << QByteArray() << QByteArray() << -32700 << true;
    QTest::newRow("a scalar") << QByteArray("42") << QByteArray() << QByteArray() << -32600 << true;
    QTest::newRow("no jsonrpc member") << QByteArray(R"({"id":7,"method":"tools/list"})") << QByteArray()
                                       << QByteArray() << -32600 << true;
    QTest::newRow("id of a bad type") << QByteArray(R"({"jsonrpc":"2.0","id":{},"method":"tools/list"})")
                                      << QByteArray() << QByteArray() << -32600 << true;
    // Found by fuzz_jsonrpc: an id beyond 64 bits was cast to an integer (undefined behaviour).
    QTest::newRow("id beyond 64 bits") << QByteArray(R"({"jsonrpc":"2.0","id":900719266666669254740993,"method":"x"})")
                                       << QByteArray() << QByteArray() << -32600 << true;
    QTest::newRow("batch") << QByteArray(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])") << QByteArray()
                           << QByteArray() << -32600 << false;
    QTest::newRow("2026: no clientCapabilities")
        << QByteArray(R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"_meta":{)"
                      R"("io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})")
        << QByteArray("tools/list") << QByteArray("2026-07-28") << -32602 << true;
    QTest::newRow("2026: clientCapabilities not an object")
        << QByteArray(R"({"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{)"
                      R"("io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
                      R"("io.modelcontextprotocol/clientCapabilities":[]}}})")
        << QByteArray("tools/list") << QByteArray("2026-07-28") << -32602 << true;
    QTest::newRow("2026: empty version")
        << QByteArray(
               R"({"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"_meta":{)"
               R"("io.modelcontextprotocol/protocolVersion":"","io.modelcontextprotocol/clientCapabilities":{}}}})")
        << QByteArray("tools/list") << QByteArray() << -32602 << true;
    QTest::newRow("2026: unsupported version")
        << QByteArray(
               R"({"jsonrpc":"2.0","id":5,"method":"tools/list","params":{"_meta":{)"
               R"("io.modelcontextprotocol/protocolVersion":"2099-01-01","io.modelcontextprotocol/clientCapabilities":{}}}})")
        << QByteArray("tools/list") << QByteArray("2099-01-01") << -32022 << true;
    QTest::newRow("2026: ping was removed")
        << QByteArray(R"({"jsonrpc":"2.0","id":6,"method":"ping","params":{)" + env + "}}") << QByteArray("ping")
        << QByteArray("2026-07-28") << -32601 << true;
    QTest::newRow("2026: logging/setLevel was removed")
        << QByteArray(R"({"jsonrpc":"2.0","id":"s","method":"logging/setLevel","params":{"level":"info",)" + env + "}}")
        << QByteArray("logging/setLevel") << QByteArray("2026-07-28") << -32601 << true;
}

void TestIntake::sameErrorsOverStdioAndHttp()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, statelessMethod);
    QFETCH(QByteArray, statelessVersion);
    QFETCH(int, code);
    QFETCH(bool, sameMessage);

    m_fixture.gateway()->stdioReceive(bytes);
    const QByteArray line = nextLine();
    QVERIFY2(!line.isEmpty(), "no answer over stdio");
    const QJsonObject overStdio = QJsonDocument::fromJson(line).object();

    RawHeaders headers{{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
    if (statelessMethod.isEmpty()) {
        headers.append({QByteArray("Mcp-Session-Id"), m_session});
        headers.append({QByteArray("MCP-Protocol-Version"), QByteArray("2025-11-25")});
    } else {
        if (!statelessVersion.isEmpty())
            headers.append({QByteArray("MCP-Protocol-Version"), statelessVersion});
        headers.append({QByteArray("Mcp-Method"), statelessMethod});
    }
    const RawResponse http = rawRequest(m_fixture.port(), "POST", "/mcp", headers, bytes);
    QVERIFY2(http.status >= 400, http.body.constData());
    const QJsonObject overHttp = http.json();

    QCOMPARE(overStdio.value(u"error"_s).toObject().value(u"code"_s).toInt(), code);
    QCOMPARE(overHttp.value(u"error"_s).toObject().value(u"code"_s).toInt(), code);
    QCOMPARE(overStdio.value(u"id"_s), overHttp.value(u"id"_s));
    if (sameMessage)
        QCOMPARE(QJsonDocument(overStdio.value(u"error"_s).toObject()).toJson(QJsonDocument::Compact),
                 QJsonDocument(overHttp.value(u"error"_s).toObject()).toJson(QJsonDocument::Compact));
}

QTEST_GUILESS_MAIN(TestIntake)
#include "tst_intake.moc"
