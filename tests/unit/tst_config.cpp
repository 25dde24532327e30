// UpstreamConfig: validation messages, JSON round trip, and which fields count as secrets.

#include "model/config.h"

#include <QJsonDocument>
#include <QTest>

using namespace metamcp;

class TestConfig final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void validate_data()
    {
        QTest::addColumn<QJsonObject>("json");
        QTest::addColumn<QString>("problem"); // empty: valid; else a fragment of the message
        QTest::newRow("stdio ok") << QJsonObject{{QStringLiteral("name"), QStringLiteral("a")},
                                                 {QStringLiteral("command"), QStringLiteral("node")}}
                                  << QString();
        QTest::newRow("no name") << QJsonObject{{QStringLiteral("command"), QStringLiteral("node")}}
                                 << QStringLiteral("needs a name");
        QTest::newRow("bad name") << QJsonObject{{QStringLiteral("name"), QStringLiteral("a b")},
                                                 {QStringLiteral("command"), QStringLiteral("x")}}
                                  << QStringLiteral("may only contain");
        QTest::newRow("stdio without command")
            << QJsonObject{{QStringLiteral("name"), QStringLiteral("a")}} << QStringLiteral("needs a command");
        QTest::newRow("http ok") << QJsonObject{{QStringLiteral("name"), QStringLiteral("h")},
                                                {QStringLiteral("type"), QStringLiteral("http")},
                                                {QStringLiteral("url"), QStringLiteral("http://127.0.0.1:1/mcp")}}
                                 << QString();
        QTest::newRow("http relative url") << QJsonObject{{QStringLiteral("name"), QStringLiteral("h")},
                                                          {QStringLiteral("type"), QStringLiteral("http")},
                                                          {QStringLiteral("url"), QStringLiteral("/mcp")}}
                                           << QStringLiteral("not a valid absolute URL");
        QTest::newRow("sse ftp") << QJsonObject{{QStringLiteral("name"), QStringLiteral("s")},
                                                {QStringLiteral("type"), QStringLiteral("sse")},
                                                {QStringLiteral("url"), QStringLiteral("ftp://x/sse")}}
                                 << QStringLiteral("http:// or https://");
        QTest::newRow("rest without tools") << QJsonObject{{QStringLiteral("name"), QStringLiteral("r")},
                                                           {QStringLiteral("type"), QStringLiteral("rest")},
                                                           {QStringLiteral("url"), QStringLiteral("http://127.0.0.1/")}}
                                            << QStringLiteral("at least one tool");
        QTest::newRow("timeout too small") << QJsonObject{{QStringLiteral("name"), QStringLiteral("a")},
                                                          {QStringLiteral("command"), QStringLiteral("x")},
                                                          {QStringLiteral("requestTimeoutMs"), 5}}
                                           << QStringLiteral("timeout");
    }

    void validate()
    {
        QFETCH(QJsonObject, json);
        QFETCH(QString, problem);
        const QString message = UpstreamConfig::fromJson(json).validate();
        if (problem.isEmpty())
            QVERIFY2(message.isEmpty(), qPrintable(message));
        else
            QVERIFY2(message.contains(problem), qPrintable(message));
    }

    void jsonRoundTrip()
    {
        UpstreamConfig c;
        c.name = QStringLiteral("x");
        c.kind = UpstreamKind::StreamableHttp;
        c.url = QUrl(QStringLiteral("https://127.0.0.1:9/mcp"));
        c.headers = {{QStringLiteral("X-Team"), QStringLiteral("blue")}};
        c.secretHeaders = {QStringLiteral("X-Custom")};
        c.requestTimeoutMs = 1234;
        c.maxConcurrency = 3;
        QCOMPARE(UpstreamConfig::fromJson(c.toJson()), c);
    }

    void secretFields_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("secret");
        QTest::newRow("Authorization") << QStringLiteral("Authorization") << true;
        QTest::newRow("X-API-Key") << QStringLiteral("X-API-Key") << true;
        QTest::newRow("GITHUB_TOKEN") << QStringLiteral("GITHUB_TOKEN") << true;
        QTest::newRow("DB_PASSWORD") << QStringLiteral("DB_PASSWORD") << true;
        QTest::newRow("OPENAI_API_KEY") << QStringLiteral("OPENAI_API_KEY") << true;
        QTest::newRow("client_secret") << QStringLiteral("client_secret") << true;
        QTest::newRow("Accept") << QStringLiteral("Accept") << false;
        QTest::newRow("LOG_LEVEL") << QStringLiteral("LOG_LEVEL") << false;
        QTest::newRow("HOME") << QStringLiteral("HOME") << false;
    }

    void secretFields()
    {
        QFETCH(QString, name);
        QFETCH(bool, secret);
        QCOMPARE(UpstreamConfig::looksSecret(name), secret);
    }

    void withoutSecretsKeepsNamesOnly()
    {
        UpstreamConfig c;
        c.name = QStringLiteral("x");
        c.command = QStringLiteral("node");
        c.env = {{QStringLiteral("GITHUB_TOKEN"), QStringLiteral("ghp_123")},
                 {QStringLiteral("MODE"), QStringLiteral("fast")},
                 {QStringLiteral("SPECIAL"), QStringLiteral("hidden")}};
        c.secretEnv = {QStringLiteral("SPECIAL")};
        c.headers = {{QStringLiteral("Authorization"), QStringLiteral("Bearer abc")}};
        const QStringList fields = c.secretFields();
        QVERIFY(fields.contains(QStringLiteral("env:GITHUB_TOKEN")));
        QVERIFY(fields.contains(QStringLiteral("env:SPECIAL")));
        QVERIFY(fields.contains(QStringLiteral("header:Authorization")));
        QVERIFY(!fields.contains(QStringLiteral("env:MODE")));
        const UpstreamConfig stripped = c.withoutSecrets();
        const QByteArray json = QJsonDocument(stripped.toJson()).toJson();
        QVERIFY(!json.contains("ghp_123") && !json.contains("hidden") && !json.contains("Bearer abc"));
        QVERIFY(json.contains("fast"));
        QCOMPARE(stripped.secretFields(), fields); // still known as secrets once the values are gone
        UpstreamConfig restored = stripped;
        restored.setSecretValue(QStringLiteral("env:GITHUB_TOKEN"), QStringLiteral("ghp_123"));
        QCOMPARE(restored.secretValue(QStringLiteral("env:GITHUB_TOKEN")), QStringLiteral("ghp_123"));
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
