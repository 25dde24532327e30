// Upstream credentials live only in the OS keychain (gnome-keyring over the secret service
// in CI, under dbus-run-session): never in SQLite. The upstream still gets them, also after
// a restart, and removing the server removes them from the keychain.

#include "gatewayfixture.h"
#include "services/credentialstore.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace metamcp;
using namespace metamcp::test;

class TestCredentials final : public QObject
{
    Q_OBJECT

private:
    QString m_secret = QStringLiteral("s3cr3t-") + QUuid::createUuid().toString(QUuid::WithoutBraces);

    static std::optional<QString> readKey(CredentialStore &store, const QString &key, QString *error = nullptr)
    {
        bool done = false;
        std::optional<QString> result;
        store.read(key, [&](const QString &e, const std::optional<QString> &v) {
            if (error)
                *error = e;
            result = v;
            done = true;
        });
        (void)QTest::qWaitFor([&] { return done; }, 15000);
        return result;
    }

    static QString envOutput(GatewayFixture &fixture)
    {
        const QJsonObject r = fixture.request(kDefaultNamespace, QStringLiteral("tools/call"),
                                              {{QStringLiteral("name"), QStringLiteral("vault__get-env")}});
        return firstText(r);
    }

private Q_SLOTS:
    void keychainRoundTrip()
    {
        CredentialStore store(QStringLiteral("MetaMCP-test"));
        const QString key = QStringLiteral("roundtrip/") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        QString error = QStringLiteral("unset");
        bool written = false;
        store.write(key, QStringLiteral("value-1"), [&](const QString &e) {
            error = e;
            written = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(written, 15000);
        QVERIFY2(error.isEmpty(), qPrintable(QStringLiteral("keychain not usable (run the tests under the README's "
                                                            "command, which starts dbus + gnome-keyring): ") +
                                             error));
        QCOMPARE(readKey(store, key), std::optional<QString>(QStringLiteral("value-1")));
        bool removed = false;
        store.remove(key, [&](const QString &e) {
            error = e;
            removed = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(removed, 15000);
        QVERIFY(error.isEmpty());
        QCOMPARE(readKey(store, key, &error), std::optional<QString>());
        QVERIFY(error.isEmpty());
    }

    void secretsNeverReachTheDatabase()
    {
        QTemporaryDir dir;
        UpstreamConfig vault = GatewayFixture::everythingStdio(QStringLiteral("vault"));
        vault.env.insert(QStringLiteral("VAULT_API_TOKEN"), m_secret); // looks secret by name
        vault.env.insert(QStringLiteral("PLAIN_SETTING"), QStringLiteral("visible"));
        vault.env.insert(QStringLiteral("CUSTOM_THING"), m_secret + QStringLiteral("-2"));
        vault.secretEnv = {QStringLiteral("CUSTOM_THING")}; // marked secret explicitly
        {
            GatewayFixture fixture(dir.path());
            QVERIFY(fixture.start());
            QCOMPARE(fixture.addServer(vault), QString());
            QVERIFY(fixture.waitForTool(kDefaultNamespace, QStringLiteral("vault__get-env")));
            const QString env = envOutput(fixture);
            QVERIFY2(env.contains(m_secret), "the upstream process gets the secret");
            QVERIFY(env.contains(QStringLiteral("visible")));
            CredentialStore store;
            QCOMPARE(readKey(store, CredentialStore::serverKey(QStringLiteral("vault"),
                                                               QStringLiteral("env:VAULT_API_TOKEN"))),
                     std::optional<QString>(m_secret));
            QCOMPARE(
                readKey(store, CredentialStore::serverKey(QStringLiteral("vault"), QStringLiteral("env:CUSTOM_THING"))),
                std::optional<QString>(m_secret + QStringLiteral("-2")));
        }
        // The database (and any WAL) holds names only.
        for (const QString &name : QDir(dir.path()).entryList(QDir::Files)) {
            QFile f(QDir(dir.path()).filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray bytes = f.readAll();
            QVERIFY2(!bytes.contains(m_secret.toUtf8()), qPrintable(QStringLiteral("secret found in ") + name));
            if (name == u"metamcp.db")
                QVERIFY2(bytes.contains("VAULT_API_TOKEN"), "the name of the secret field is kept");
        }
        // A fresh gateway on the same database reads the secrets back from the keychain.
        {
            GatewayFixture fixture(dir.path());
            QVERIFY(fixture.start());
            QVERIFY(fixture.waitForTool(kDefaultNamespace, QStringLiteral("vault__get-env")));
            QVERIFY2(envOutput(fixture).contains(m_secret), "secrets come back from the keychain after a restart");
            bool removed = false;
            fixture.gateway()->removeServer(QStringLiteral("vault"), [&](const QString &) { removed = true; });
            QTRY_VERIFY(removed);
        }
        CredentialStore store;
        QTRY_COMPARE_WITH_TIMEOUT(
            readKey(store, CredentialStore::serverKey(QStringLiteral("vault"), QStringLiteral("env:VAULT_API_TOKEN"))),
            std::optional<QString>(), 10000);
    }
};

QTEST_GUILESS_MAIN(TestCredentials)
#include "tst_credentials.moc"
