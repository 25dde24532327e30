// The config service: one path for every configuration change (validate, keychain, SQLite,
// apply, one typed event per item). Built here from the real parts on this thread: a Store on a
// temporary folder, the OS keychain (gnome-keyring under dbus-run-session), UpstreamManager with
// the real transports, Router. A header of a running Streamable HTTP upstream (here a secret
// Authorization token and a plain header) changes without a restart: the next request carries
// it in the same upstream session; a changed URL, or a stdio server's environment, restarts.

#include "core/router.h"
#include "core/upstreammanager.h"
#include "gatewayprocess.h"
#include "services/configservice.h"
#include "services/credentialstore.h"
#include "services/store.h"
#include "testsupport.h"

#include <QDir>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace metamcp;
using namespace metamcp::test;
using namespace Qt::StringLiterals;

class TestConfigService final : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<CredentialStore> m_credentials;
    std::unique_ptr<UpstreamManager> m_upstreams;
    std::unique_ptr<Router> m_router;
    std::unique_ptr<ConfigService> m_service;
    ProcessFixture m_echo;
    quint16 m_echoPort = 0;
    const QString m_token = u"tok-"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);

    QString run(const std::function<void(ConfigService::Done)> &call, QList<ConfigChange> *changes = nullptr)
    {
        bool done = false;
        QString result;
        call([&](const QString &error, const QList<ConfigChange> &c) {
            result = error;
            if (changes)
                *changes = c;
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 15000))
            return u"no answer"_s;
        return result;
    }

    UpstreamConfig echoServer(const QString &token, const QString &team, const QString &path = u"/mcp"_s) const
    {
        UpstreamConfig s;
        s.name = u"echo"_s;
        s.kind = UpstreamKind::StreamableHttp;
        s.url = QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_echoPort).arg(path));
        s.headers.insert(u"Authorization"_s, u"Bearer "_s + token);
        s.headers.insert(u"X-Team"_s, team);
        return s;
    }

    // What the echo server saw on a whoami call through the running upstream.
    QJsonObject whoami()
    {
        Upstream *u = m_upstreams->upstream(u"echo"_s);
        if (!u || !waitForUpstreamState(*u, UpstreamState::Ready))
            return {};
        const QJsonObject r = requestAndWait(*u, u"tools/call"_s, {{u"name"_s, u"whoami"_s}});
        return QJsonDocument::fromJson(firstText(r).toUtf8()).object();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(peersInstalled(), "npm peers missing: run scripts/bootstrap.sh deps");
        QVERIFY(m_echo.start(nodeProgram(), {integrationFixture(u"header-echo-server.mjs"_s), u"--port"_s, u"0"_s}));
        m_echoPort = m_echo.waitForPort(QRegularExpression(u"listening (\\d+)"_s));
        QVERIFY2(m_echoPort, m_echo.output().constData());

        m_store = std::make_unique<Store>();
        QString error;
        QVERIFY2(m_store->open(m_dir.path(), &error), qPrintable(error));
        m_credentials = std::make_unique<CredentialStore>(u"MetaMCP-test"_s);
        m_upstreams = std::make_unique<UpstreamManager>();
        m_router = std::make_unique<Router>(m_upstreams.get());
        m_service = std::make_unique<ConfigService>(*m_store, *m_credentials, *m_upstreams, *m_router);
        m_service->load();
        bool loaded = false;
        m_service->loadSecrets([&] { loaded = true; });
        QTRY_VERIFY(loaded);
        m_service->setUpstreamsLive(true);
    }

    void cleanupTestCase()
    {
        if (m_service)
            run([&](auto done) { m_service->removeServer(u"echo"_s, done); });
        m_upstreams->stopAll();
        m_service.reset();
        m_router.reset();
        m_upstreams.reset();
        m_store.reset();
    }

    void addEmitsOneEventPerItem()
    {
        QSignalSpy changed(m_service.get(), &ConfigService::changed);
        QList<ConfigChange> changes;
        QCOMPARE(
            run([&](auto done) { m_service->upsertServer(echoServer(m_token, u"red"_s), {kDefaultNamespace}, done); },
                &changes),
            QString());
        const QList<ConfigChange> expected = {
            {ConfigChange::Kind::Server, u"echo"_s, ConfigChange::Type::Added, {}},
            {ConfigChange::Kind::Namespace, kDefaultNamespace, ConfigChange::Type::Changed, {u"servers"_s}}};
        QCOMPARE(changes, expected);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.at(0).at(0).value<ConfigChange>(), expected.at(0));

        const QJsonObject seen = whoami();
        QCOMPARE(seen.value("authorization"_L1).toString(), u"Bearer "_s + m_token);
        QCOMPARE(seen.value("team"_L1).toString(), u"red"_s);
        QCOMPARE(m_upstreams->starts(u"echo"_s), 1);

        // The same again changes nothing and says so.
        changed.clear();
        QCOMPARE(
            run([&](auto done) { m_service->upsertServer(echoServer(m_token, u"red"_s), {kDefaultNamespace}, done); },
                &changes),
            QString());
        QVERIFY(changes.isEmpty());
        QCOMPARE(changed.size(), 0);
    }

    void headerChangeNeedsNoRestart()
    {
        const QJsonObject before = whoami();
        const QString session = before.value("session"_L1).toString();
        QVERIFY(!session.isEmpty());
        const int initializes = before.value("initializes"_L1).toInt();
        QSignalSpy states(m_upstreams.get(), &UpstreamManager::stateChanged);

        const QString refreshed = m_token + u"-refreshed"_s;
        QList<ConfigChange> changes;
        QCOMPARE(run([&](auto done) { m_service->upsertServer(echoServer(refreshed, u"blue"_s), {}, done); }, &changes),
                 QString());
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.at(0).fields, QStringList({u"headers.Authorization"_s, u"headers.X-Team"_s}));

        const QJsonObject after = whoami();
        QCOMPARE(after.value("authorization"_L1).toString(), u"Bearer "_s + refreshed);
        QCOMPARE(after.value("team"_L1).toString(), u"blue"_s);
        QCOMPARE(after.value("session"_L1).toString(), session); // the same upstream session
        QCOMPARE(after.value("initializes"_L1).toInt(), initializes);
        QCOMPARE(m_upstreams->starts(u"echo"_s), 1);
        QVERIFY(states.isEmpty()); // never left Ready

        // The new token is in the keychain, under the server's field.
        std::optional<QString> stored;
        bool read = false;
        m_credentials->read(CredentialStore::serverKey(u"echo"_s, u"header:Authorization"_s),
                            [&](const QString &, const std::optional<QString> &v) {
                                stored = v;
                                read = true;
                            });
        QTRY_VERIFY(read);
        QCOMPARE(stored, std::optional<QString>(u"Bearer "_s + refreshed));
    }

    void urlChangeRestarts()
    {
        const QJsonObject before = whoami();
        QCOMPARE(run([&](auto done) {
                     m_service->upsertServer(echoServer(m_token + u"-refreshed"_s, u"blue"_s, u"/other"_s), {}, done);
                 }),
                 QString());
        QCOMPARE(m_upstreams->starts(u"echo"_s), 2);
        const QJsonObject after = whoami();
        QVERIFY(after.value("session"_L1).toString() != before.value("session"_L1).toString());
        QCOMPARE(after.value("initializes"_L1).toInt(), before.value("initializes"_L1).toInt() + 1);
        // The secret came along from the keychain (the edit left it empty: keep).
        QCOMPARE(after.value("authorization"_L1).toString(), u"Bearer "_s + m_token + u"-refreshed"_s);
    }

    void keptSecretWhenLeftEmpty()
    {
        UpstreamConfig edited = echoServer(QString(), u"green"_s, u"/other"_s);
        edited.headers.insert(u"Authorization"_s, QString());
        QList<ConfigChange> changes;
        QCOMPARE(run([&](auto done) { m_service->upsertServer(edited, {}, done); }, &changes), QString());
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.at(0).fields, QStringList{u"headers.X-Team"_s});
        const QJsonObject seen = whoami();
        QCOMPARE(seen.value("authorization"_L1).toString(), u"Bearer "_s + m_token + u"-refreshed"_s);
        QCOMPARE(seen.value("team"_L1).toString(), u"green"_s);
    }

    void stdioEnvironmentChangeRestarts()
    {
        UpstreamConfig s;
        s.name = u"everything"_s;
        s.command = node22Program();
        s.args = serverEverythingStdioArgs();
        s.env.insert(u"PLAIN_SETTING"_s, u"one"_s);
        QCOMPARE(run([&](auto done) { m_service->upsertServer(s, {}, done); }), QString());
        QVERIFY(waitForUpstreamState(*m_upstreams->upstream(u"everything"_s), UpstreamState::Ready));
        QCOMPARE(m_upstreams->starts(u"everything"_s), 1);
        s.env.insert(u"PLAIN_SETTING"_s, u"two"_s);
        QCOMPARE(run([&](auto done) { m_service->upsertServer(s, {}, done); }), QString());
        QCOMPARE(m_upstreams->starts(u"everything"_s), 2);
        QList<ConfigChange> changes;
        QCOMPARE(run([&](auto done) { m_service->removeServer(u"everything"_s, done); }, &changes), QString());
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.at(0).type, ConfigChange::Type::Removed);
        QVERIFY(!m_upstreams->upstream(u"everything"_s));
    }

    void invalidChangeWritesNothing()
    {
        const GatewayConfig before = m_service->config();
        QSignalSpy changed(m_service.get(), &ConfigService::changed);
        // A whole edit: one good server and a namespace naming a server that does not exist.
        QString error = run([&](auto done) {
            m_service->change(
                [](GatewayConfig &next) {
                    UpstreamConfig good;
                    good.name = u"good"_s;
                    good.command = u"true"_s;
                    next.servers.append(good);
                    NamespaceConfig ns;
                    ns.name = u"team"_s;
                    ns.servers = {u"good"_s, u"ghost"_s};
                    next.namespaces.append(ns);
                    return QString();
                },
                done);
        });
        QCOMPARE(error, u"namespaces.team.servers: there is no server named ghost"_s);
        QCOMPARE(changed.size(), 0);
        QVERIFY(!m_service->config().server(u"good"_s));
        QCOMPARE(m_store->loadConfig().servers.size(), before.servers.size());
        QCOMPARE(run([&](auto done) { m_service->removeNamespace(kDefaultNamespace, done); }),
                 u"The default namespace cannot be removed."_s);
    }

    void secretsNeverReachTheDatabase()
    {
        // Everything the store wrote (database, WAL) holds the field names, never a value.
        for (const QString &name : QDir(m_dir.path()).entryList(QDir::Files)) {
            QFile f(QDir(m_dir.path()).filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains(m_token.toUtf8()), qPrintable(u"secret found in "_s + name));
        }
        for (const ConfigChange &c : diffConfigs({}, m_service->resolvedConfig()))
            QVERIFY(!c.fields.join(u' ').contains(m_token));
        const GatewayConfig published = m_service->config();
        QCOMPARE(published.server(u"echo"_s)->headers.value(u"Authorization"_s), QString());
    }
};

QTEST_GUILESS_MAIN(TestConfigService)
#include "tst_configservice.moc"
