#include "services/store.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace metamcp;

namespace {

UpstreamConfig stdioServer(const QString &name)
{
    UpstreamConfig s;
    s.name = name;
    s.kind = UpstreamKind::Stdio;
    s.command = QStringLiteral("npx");
    s.args = {QStringLiteral("-y"), QStringLiteral("@modelcontextprotocol/server-everything")};
    s.env = {{QStringLiteral("TOKEN"), QStringLiteral("t0k3n")}};
    s.cwd = QStringLiteral("/tmp");
    s.requestTimeoutMs = 12'000;
    s.maxConcurrency = 4;
    return s;
}

UpstreamConfig httpServer(const QString &name)
{
    UpstreamConfig s;
    s.name = name;
    s.kind = UpstreamKind::StreamableHttp;
    s.url = QUrl(QStringLiteral("https://mcp.example.com/mcp"));
    s.headers = {{QStringLiteral("Authorization"), QStringLiteral("Bearer abc")}};
    s.enabled = false;
    return s;
}

UpstreamConfig restServer(const QString &name)
{
    UpstreamConfig s;
    s.name = name;
    s.kind = UpstreamKind::Rest;
    s.url = QUrl(QStringLiteral("https://api.example.com/v1"));
    RestToolConfig t;
    t.name = QStringLiteral("getPet");
    t.method = QStringLiteral("GET");
    t.urlTemplate = QStringLiteral("/pets/{id}");
    t.queryParams = {QStringLiteral("verbose")};
    t.inputSchema = QJsonObject{{QStringLiteral("type"), QStringLiteral("object")}};
    t.timeoutMs = 5000;
    s.restTools = {t};
    return s;
}

NamespaceConfig teamNamespace()
{
    NamespaceConfig ns;
    ns.name = QStringLiteral("team");
    ns.description = QStringLiteral("The team's tools");
    ns.servers = {QStringLiteral("zeta"), QStringLiteral("alpha")}; // order matters, not alphabetical
    ns.separator = QStringLiteral(".");
    ns.requireApiKey = true;
    ns.toolOverrides = {
        ToolOverride{QStringLiteral("zeta"), QStringLiteral("echo"), false, {}, {}},
        ToolOverride{QStringLiteral("alpha"), QStringLiteral("add"), true, QStringLiteral("plus"),
                     QStringLiteral("Adds")},
    };
    return ns;
}

} // namespace

class TestStore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void migratesFromEmpty();
    void walIsOn();
    void reopenKeepsData();
    void migrationIsIdempotent();
    void migratesFromVersion1();
    void refusesNewerSchema();
    void uniqueConnections();
    void serverCrud_data();
    void serverCrud();
    void serverOrderAndUpdate();
    void rejectsInvalidServerName();
    void namespaceCrud();
    void toolOverrides();
    void removeServerCascades();
    void removeNamespaceCascades();
    void settings_data();
    void settings();
    void listenConfig();
    void loadConfig();
    void apiKeys();
    void apiKeysInMemoryUseWrittenInBatches();
    void apiKeyVerification_data();
    void apiKeyVerification();
    void plaintextNeverStored();
};

void TestStore::migratesFromEmpty()
{
    Store store;
    QString error;
    QVERIFY2(store.openInMemory(&error), qPrintable(error));
    QVERIFY(store.isOpen());
    QVERIFY(Store::latestSchemaVersion() >= 1);
    QCOMPARE(store.schemaVersion(), Store::latestSchemaVersion());
    QVERIFY(store.servers().isEmpty());
    QVERIFY(store.namespaces().isEmpty());
    QVERIFY(store.apiKeys().isEmpty());
    store.close();
    QVERIFY(!store.isOpen());
}

void TestStore::walIsOn()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Store store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("metamcp.db"))));
    {
        // A second, independent connection sees the persistent journal mode and version.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst_store_probe"));
        db.setDatabaseName(dir.filePath(QStringLiteral("metamcp.db")));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toString().toLower(), QStringLiteral("wal"));
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), Store::latestSchemaVersion());
        QVERIFY(q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")));
        QStringList tables;
        while (q.next())
            tables << q.value(0).toString();
        for (const char *table :
             {"api_keys", "namespace_servers", "namespaces", "servers", "settings", "tool_overrides"})
            QVERIFY2(tables.contains(QLatin1String(table)), table);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst_store_probe"));
}

void TestStore::reopenKeepsData()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const NamespaceConfig ns = teamNamespace();
    qint64 keyId = 0;
    QString plaintext;
    {
        Store store;
        QVERIFY(store.open(dir.path()));
        QVERIFY(store.upsertServer(stdioServer(QStringLiteral("zeta"))));
        QVERIFY(store.upsertServer(httpServer(QStringLiteral("alpha"))));
        QVERIFY(store.upsertNamespace(ns));
        QVERIFY(store.setSetting(QStringLiteral("ui/theme"), QStringLiteral("dark")));
        const auto key = store.createApiKey(ns.name, QStringLiteral("ci"));
        QVERIFY(key);
        keyId = key->info.id;
        plaintext = key->plaintext;
    }
    Store store;
    QVERIFY(store.open(dir.path()));
    QCOMPARE(store.servers().size(), 2);
    QCOMPARE(store.servers().at(0), stdioServer(QStringLiteral("zeta")));
    QCOMPARE(store.servers().at(1), httpServer(QStringLiteral("alpha")));
    QCOMPARE(store.namespaces().size(), 1);
    QCOMPARE(store.namespaces().constFirst(), ns);
    QCOMPARE(store.setting(QStringLiteral("ui/theme")).toString(), QStringLiteral("dark"));
    const auto verified = store.verifyApiKey(ns.name, plaintext);
    QVERIFY(verified);
    QCOMPARE(verified->id, keyId);
}

void TestStore::migratesFromVersion1()
{
    QTemporaryDir dir;
    {
        Store store;
        QVERIFY(store.open(dir.path()));
        NamespaceConfig ns;
        ns.name = QStringLiteral("old");
        ns.separator = QStringLiteral("--");
        QVERIFY(store.upsertNamespace(ns));
    }
    // Turn the file back into a version 1 database (before prefix_names existed).
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst_store_v1"));
        db.setDatabaseName(dir.filePath(QStringLiteral("metamcp.db")));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY2(q.exec(QStringLiteral("ALTER TABLE namespaces DROP COLUMN prefix_names")),
                 qPrintable(q.lastError().text()));
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 1")));
        q = QSqlQuery();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst_store_v1"));
    Store store;
    QString error;
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    QCOMPARE(store.schemaVersion(), 2);
    const QList<NamespaceConfig> namespaces = store.namespaces();
    QCOMPARE(namespaces.size(), 1);
    QCOMPARE(namespaces.first().separator, QStringLiteral("--"));
    QVERIFY(namespaces.first().prefixNames); // the column's default keeps old behaviour
    NamespaceConfig plain = namespaces.first();
    plain.prefixNames = false;
    QVERIFY(store.upsertNamespace(plain));
    QVERIFY(!store.namespaces().first().prefixNames);
}

void TestStore::migrationIsIdempotent()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (int round = 0; round < 3; ++round) {
        Store store;
        QString error;
        QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
        QCOMPARE(store.schemaVersion(), Store::latestSchemaVersion());
        if (round == 0)
            QVERIFY(store.upsertServer(stdioServer(QStringLiteral("keep"))));
        QCOMPARE(store.servers().size(), 1);
    }
    // Opening twice in a row on the same Store as well.
    Store store;
    QVERIFY(store.open(dir.path()));
    QVERIFY(store.open(dir.path()));
    QCOMPARE(store.servers().size(), 1);
}

void TestStore::refusesNewerSchema()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    {
        Store store;
        QVERIFY(store.open(dir.path()));
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst_store_bump"));
        db.setDatabaseName(dir.filePath(QStringLiteral("metamcp.db")));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = %1").arg(Store::latestSchemaVersion() + 1)));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst_store_bump"));
    Store store;
    QString error;
    QVERIFY(!store.open(dir.path(), &error));
    QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
    QVERIFY(!store.isOpen());
}

void TestStore::uniqueConnections()
{
    const QStringList before = QSqlDatabase::connectionNames();
    {
        Store a;
        Store b;
        QVERIFY(a.openInMemory());
        QVERIFY(b.openInMemory());
        QCOMPARE(QSqlDatabase::connectionNames().size(), before.size() + 2);
        QVERIFY(a.upsertServer(stdioServer(QStringLiteral("only-in-a"))));
        QCOMPARE(a.servers().size(), 1);
        QCOMPARE(b.servers().size(), 0);
    }
    QCOMPARE(QSqlDatabase::connectionNames(), before); // removeDatabase on close
}

void TestStore::serverCrud_data()
{
    QTest::addColumn<UpstreamConfig>("server");
    QTest::newRow("stdio") << stdioServer(QStringLiteral("everything"));
    QTest::newRow("http") << httpServer(QStringLiteral("remote"));
    UpstreamConfig sse = httpServer(QStringLiteral("legacy"));
    sse.kind = UpstreamKind::Sse;
    sse.url = QUrl(QStringLiteral("http://127.0.0.1:3001/sse"));
    QTest::newRow("sse") << sse;
    QTest::newRow("rest") << restServer(QStringLiteral("petstore"));
}

void TestStore::serverCrud()
{
    QFETCH(UpstreamConfig, server);
    Store store;
    QVERIFY(store.openInMemory());
    QVERIFY2(store.upsertServer(server), qPrintable(store.lastError()));
    QCOMPARE(store.servers().size(), 1);
    QCOMPARE(store.servers().constFirst(), server);

    UpstreamConfig changed = server;
    changed.enabled = !server.enabled;
    changed.requestTimeoutMs = 999;
    QVERIFY(store.upsertServer(changed));
    QCOMPARE(store.servers().size(), 1);
    QCOMPARE(store.servers().constFirst(), changed);

    QVERIFY(store.removeServer(server.name));
    QVERIFY(store.servers().isEmpty());
    QVERIFY(!store.removeServer(server.name));
    QVERIFY(!store.lastError().isEmpty());
}

void TestStore::serverOrderAndUpdate()
{
    Store store;
    QVERIFY(store.openInMemory());
    for (const char *name : {"c", "a", "b"})
        QVERIFY(store.upsertServer(stdioServer(QString::fromLatin1(name))));
    QVERIFY(store.upsertServer(httpServer(QStringLiteral("a")))); // update keeps the position
    QStringList names;
    for (const UpstreamConfig &s : store.servers())
        names << s.name;
    QCOMPARE(names, (QStringList{QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(store.servers().at(1).kind, UpstreamKind::StreamableHttp);
}

void TestStore::rejectsInvalidServerName()
{
    Store store;
    QVERIFY(store.openInMemory());
    QVERIFY(!store.upsertServer(stdioServer(QString())));
    QVERIFY(!store.upsertServer(stdioServer(QStringLiteral("bad name"))));
    QVERIFY(!store.upsertServer(stdioServer(QStringLiteral("x'; DROP TABLE servers; --"))));
    QVERIFY(store.servers().isEmpty());
}

void TestStore::namespaceCrud()
{
    Store store;
    QVERIFY(store.openInMemory());
    NamespaceConfig ns = teamNamespace();
    QVERIFY2(store.upsertNamespace(ns), qPrintable(store.lastError()));
    NamespaceConfig def;
    def.name = kDefaultNamespace;
    def.servers = {QStringLiteral("alpha")};
    QVERIFY(store.upsertNamespace(def));
    QCOMPARE(store.namespaces().size(), 2);
    QCOMPARE(store.namespaces().at(0), ns);
    QCOMPARE(store.namespaces().at(1), def);

    // Upsert replaces servers and overrides.
    ns.servers = {QStringLiteral("alpha")};
    ns.toolOverrides = {ToolOverride{QStringLiteral("alpha"), QStringLiteral("x"), true, QStringLiteral("y"), {}}};
    ns.description = QStringLiteral("changed");
    ns.requireApiKey = false;
    QVERIFY(store.upsertNamespace(ns));
    QCOMPARE(store.namespaces().size(), 2);
    QCOMPARE(store.namespaces().at(0), ns);

    QVERIFY(store.removeNamespace(ns.name));
    QCOMPARE(store.namespaces().size(), 1);
    QCOMPARE(store.namespaces().constFirst().name, kDefaultNamespace);
    QVERIFY(!store.removeNamespace(ns.name));
    QVERIFY(!store.upsertNamespace(NamespaceConfig{}));
}

void TestStore::toolOverrides()
{
    Store store;
    QVERIFY(store.openInMemory());
    NamespaceConfig ns;
    ns.name = QStringLiteral("n");
    ns.servers = {QStringLiteral("s")};
    QVERIFY(store.upsertNamespace(ns));

    const ToolOverride first{QStringLiteral("s"), QStringLiteral("one"), false, {}, {}};
    ToolOverride second{QStringLiteral("s"), QStringLiteral("two"), true, QStringLiteral("deux"), QStringLiteral("d")};
    QVERIFY(store.setToolOverride(ns.name, first));
    QVERIFY(store.setToolOverride(ns.name, second));
    second.description = QStringLiteral("changed");
    QVERIFY(store.setToolOverride(ns.name, second)); // update in place
    QCOMPARE(store.namespaces().constFirst().toolOverrides, (QList<ToolOverride>{first, second}));

    // Unknown namespace: refused by the foreign key.
    QVERIFY(!store.setToolOverride(QStringLiteral("nope"), first));
}

void TestStore::removeServerCascades()
{
    Store store;
    QVERIFY(store.openInMemory());
    QVERIFY(store.upsertServer(stdioServer(QStringLiteral("zeta"))));
    QVERIFY(store.upsertServer(stdioServer(QStringLiteral("alpha"))));
    QVERIFY(store.upsertNamespace(teamNamespace()));
    NamespaceConfig other;
    other.name = QStringLiteral("other");
    other.servers = {QStringLiteral("alpha"), QStringLiteral("zeta")};
    other.toolOverrides = {ToolOverride{QStringLiteral("zeta"), QStringLiteral("t"), false, {}, {}}};
    QVERIFY(store.upsertNamespace(other));

    QVERIFY(store.removeServer(QStringLiteral("zeta")));
    const QList<NamespaceConfig> namespaces = store.namespaces();
    QCOMPARE(namespaces.size(), 2);
    for (const NamespaceConfig &ns : namespaces) {
        QCOMPARE(ns.servers, QStringList{QStringLiteral("alpha")});
        for (const ToolOverride &o : ns.toolOverrides)
            QCOMPARE(o.server, QStringLiteral("alpha"));
    }
    QCOMPARE(namespaces.at(0).toolOverrides.size(), 1);
    QCOMPARE(namespaces.at(1).toolOverrides.size(), 0);
}

void TestStore::removeNamespaceCascades()
{
    Store store;
    QVERIFY(store.openInMemory());
    QVERIFY(store.upsertNamespace(teamNamespace()));
    const auto key = store.createApiKey(QStringLiteral("team"), QStringLiteral("k"));
    QVERIFY(key);
    QVERIFY(store.removeNamespace(QStringLiteral("team")));
    QVERIFY(store.apiKeys().isEmpty());
    // Re-creating the namespace does not revive old keys.
    QVERIFY(store.upsertNamespace(teamNamespace()));
    QVERIFY(!store.verifyApiKey(QStringLiteral("team"), key->plaintext));
    QCOMPARE(store.namespaces().constFirst().toolOverrides.size(), 2);
}

void TestStore::settings_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::newRow("string") << QVariant(QStringLiteral("hello 'quoted' \"text\""));
    QTest::newRow("int") << QVariant(42);
    QTest::newRow("bool") << QVariant(true);
    QTest::newRow("double") << QVariant(2.5);
    QTest::newRow("string list") << QVariant(QStringList{QStringLiteral("a"), QStringLiteral("b")});
    QTest::newRow("map") << QVariant(QVariantMap{{QStringLiteral("k"), QStringLiteral("v")}});
}

void TestStore::settings()
{
    QFETCH(QVariant, value);
    Store store;
    QVERIFY(store.openInMemory());
    const QString key = QStringLiteral("some/key");
    QCOMPARE(store.setting(key, QStringLiteral("fallback")).toString(), QStringLiteral("fallback"));
    QVERIFY(store.setSetting(key, value));
    const QVariant back = store.setting(key);
    if (value.typeId() == QMetaType::QStringList)
        QCOMPARE(back.toStringList(), value.toStringList());
    else if (value.typeId() == QMetaType::QVariantMap)
        QCOMPARE(back.toMap(), value.toMap());
    else
        QCOMPARE(back.toString(), value.toString());
    QVERIFY(store.setSetting(key, QStringLiteral("second")));
    QCOMPARE(store.setting(key).toString(), QStringLiteral("second"));
    QVERIFY(store.setSetting(key, QVariant())); // invalid value removes the key
    QVERIFY(!store.setting(key).isValid());
}

void TestStore::listenConfig()
{
    Store store;
    QVERIFY(store.openInMemory());
    QCOMPARE(store.listenConfig(), ListenConfig{});
    ListenConfig listen;
    listen.address = QHostAddress(QStringLiteral("0.0.0.0"));
    listen.port = 9999;
    listen.allowedOrigins = {QStringLiteral("http://localhost:6274")};
    listen.allowedHosts = {QStringLiteral("gateway.lan")};
    listen.tlsCertificateFile = QStringLiteral("/etc/cert.pem");
    listen.tlsKeyFile = QStringLiteral("/etc/key.pem");
    listen.maxBodyBytes = 1234567;
    QVERIFY(store.saveListenConfig(listen));
    QCOMPARE(store.listenConfig(), listen);
    listen.port = 1;
    QVERIFY(store.saveListenConfig(listen));
    QCOMPARE(store.listenConfig().port, quint16(1));
}

void TestStore::loadConfig()
{
    Store store;
    QVERIFY(store.openInMemory());
    ListenConfig listen;
    listen.port = 7000;
    QVERIFY(store.saveListenConfig(listen));
    QVERIFY(store.upsertServer(stdioServer(QStringLiteral("zeta"))));
    QVERIFY(store.upsertServer(restServer(QStringLiteral("alpha"))));
    QVERIFY(store.upsertNamespace(teamNamespace()));
    const GatewayConfig config = store.loadConfig();
    QCOMPARE(config.listen, listen);
    QCOMPARE(config.servers.size(), 2);
    QVERIFY(config.server(QStringLiteral("alpha")));
    QCOMPARE(*config.server(QStringLiteral("alpha")), restServer(QStringLiteral("alpha")));
    QVERIFY(config.ns(QStringLiteral("team")));
    QCOMPARE(*config.ns(QStringLiteral("team")), teamNamespace());
}

void TestStore::apiKeys()
{
    Store store;
    QVERIFY(store.openInMemory());
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    const auto key = store.createApiKey(QStringLiteral("team"), QStringLiteral("laptop"));
    QVERIFY(key);
    static const QRegularExpression format(QStringLiteral("^mcp_[A-Za-z0-9]{40}$"));
    QVERIFY2(format.match(key->plaintext).hasMatch(), qPrintable(key->plaintext));
    QVERIFY(key->info.id > 0);
    QCOMPARE(key->info.ns, QStringLiteral("team"));
    QCOMPARE(key->info.label, QStringLiteral("laptop"));
    QVERIFY(key->plaintext.startsWith(key->info.prefix));
    QVERIFY(key->info.prefix.size() >= 8 && key->info.prefix.size() < 20);
    QVERIFY(key->info.created >= before);
    QVERIFY(!key->info.lastUsed.isValid());

    const auto other = store.createApiKey(QStringLiteral("default"), QString());
    QVERIFY(other);
    QVERIFY(other->plaintext != key->plaintext);

    QCOMPARE(store.apiKeys().size(), 2);
    QCOMPARE(store.apiKeys(QStringLiteral("team")).size(), 1);
    const ApiKeyInfo listed = store.apiKeys(QStringLiteral("team")).constFirst();
    QCOMPARE(listed.id, key->info.id);
    QCOMPARE(listed.prefix, key->info.prefix);
    QCOMPARE(listed.created, key->info.created);
    QVERIFY(!listed.lastUsed.isValid());

    const auto verified = store.verifyApiKey(QStringLiteral("team"), key->plaintext);
    QVERIFY(verified);
    QCOMPARE(verified->id, key->info.id);
    QVERIFY(verified->lastUsed.isValid());
    QCOMPARE(store.apiKeys(QStringLiteral("team")).constFirst().lastUsed, verified->lastUsed);

    QVERIFY(store.revokeApiKey(key->info.id));
    QVERIFY(!store.verifyApiKey(QStringLiteral("team"), key->plaintext));
    QVERIFY(!store.revokeApiKey(key->info.id));
    QCOMPARE(store.apiKeys().size(), 1);
    QVERIFY(store.verifyApiKey(QStringLiteral("default"), other->plaintext));
}

// Verification reads no database row per request and writes none: the use is kept in memory and
// written by flushApiKeyUsage() (the gateway does that every 30 s and when it stops). Two stores
// on one folder stand for two processes.
void TestStore::apiKeysInMemoryUseWrittenInBatches()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Store a;
    Store b;
    QVERIFY(a.open(dir.path()));
    QVERIFY(b.open(dir.path()));
    const auto key = a.createApiKey(QStringLiteral("team"), QStringLiteral("ci"));
    QVERIFY(key);
    for (int i = 0; i < 100; ++i)
        QVERIFY(a.verifyApiKey(QStringLiteral("team"), key->plaintext));
    QCOMPARE(a.pendingApiKeyUsage(), 1);
    QVERIFY(a.apiKeys().constFirst().lastUsed.isValid());  // the console sees it at once
    QVERIFY(!b.apiKeys().constFirst().lastUsed.isValid()); // nothing written yet
    QVERIFY(a.flushApiKeyUsage());
    QCOMPARE(a.pendingApiKeyUsage(), 0);
    QCOMPARE(b.apiKeys().constFirst().lastUsed, a.apiKeys().constFirst().lastUsed);

    // A key another process added is found (one look at the database for an unknown prefix)...
    const auto fromB = b.createApiKey(QStringLiteral("team"), QStringLiteral("other process"));
    QVERIFY(fromB);
    QVERIFY(a.verifyApiKey(QStringLiteral("team"), fromB->plaintext));
    // ...and one it revoked is refused after the next flush, which reloads the keys.
    QVERIFY(b.revokeApiKey(key->info.id));
    QVERIFY(a.flushApiKeyUsage());
    QVERIFY(!a.verifyApiKey(QStringLiteral("team"), key->plaintext));
    // Revoked here: refused at once, and its pending use is dropped.
    QVERIFY(a.verifyApiKey(QStringLiteral("team"), fromB->plaintext));
    QVERIFY(a.revokeApiKey(fromB->info.id));
    QVERIFY(!a.verifyApiKey(QStringLiteral("team"), fromB->plaintext));
    QCOMPARE(a.pendingApiKeyUsage(), 0);

    // close() writes what is pending.
    const auto third = a.createApiKey(QStringLiteral("team"), QStringLiteral("third"));
    QVERIFY(third);
    QVERIFY(a.verifyApiKey(QStringLiteral("team"), third->plaintext));
    a.close();
    QVERIFY(b.flushApiKeyUsage());
    QVERIFY(b.apiKeys().constFirst().lastUsed.isValid());
}

void TestStore::apiKeyVerification_data()
{
    QTest::addColumn<QString>("ns");
    QTest::addColumn<QString>("mutation");
    QTest::addColumn<bool>("valid");
    QTest::newRow("right key") << QStringLiteral("team") << QString() << true;
    QTest::newRow("wrong namespace") << QStringLiteral("default") << QString() << false;
    QTest::newRow("last char changed") << QStringLiteral("team") << QStringLiteral("last") << false;
    QTest::newRow("truncated") << QStringLiteral("team") << QStringLiteral("truncate") << false;
    QTest::newRow("extended") << QStringLiteral("team") << QStringLiteral("extend") << false;
    QTest::newRow("prefix only") << QStringLiteral("team") << QStringLiteral("prefix") << false;
    QTest::newRow("empty") << QStringLiteral("team") << QStringLiteral("empty") << false;
    QTest::newRow("other scheme") << QStringLiteral("team") << QStringLiteral("scheme") << false;
}

void TestStore::apiKeyVerification()
{
    QFETCH(QString, ns);
    QFETCH(QString, mutation);
    QFETCH(bool, valid);
    Store store;
    QVERIFY(store.openInMemory());
    const auto key = store.createApiKey(QStringLiteral("team"), QStringLiteral("k"));
    QVERIFY(key);
    QString candidate = key->plaintext;
    if (mutation == QLatin1String("last"))
        candidate.back() = candidate.back() == QLatin1Char('a') ? QLatin1Char('b') : QLatin1Char('a');
    else if (mutation == QLatin1String("truncate"))
        candidate.chop(1);
    else if (mutation == QLatin1String("extend"))
        candidate += QLatin1Char('x');
    else if (mutation == QLatin1String("prefix"))
        candidate = key->info.prefix;
    else if (mutation == QLatin1String("empty"))
        candidate.clear();
    else if (mutation == QLatin1String("scheme"))
        candidate.replace(0, 4, QStringLiteral("xyz_"));
    QCOMPARE(store.verifyApiKey(ns, candidate).has_value(), valid);
}

void TestStore::plaintextNeverStored()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QStringList plaintexts;
    {
        Store store;
        QVERIFY(store.open(dir.path()));
        for (int i = 0; i < 5; ++i) {
            const auto key = store.createApiKey(QStringLiteral("team"), QStringLiteral("key %1").arg(i));
            QVERIFY(key);
            plaintexts << key->plaintext;
            QVERIFY(store.verifyApiKey(QStringLiteral("team"), key->plaintext));
        }
    }
    // Database, WAL and shared-memory files: none holds a key or its secret part.
    const QStringList files = QDir(dir.path()).entryList(QDir::Files);
    QVERIFY(files.contains(QStringLiteral("metamcp.db")));
    for (const QString &name : files) {
        QFile file(dir.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        for (const QString &plaintext : plaintexts) {
            QVERIFY2(!bytes.contains(plaintext.toLatin1()), qPrintable(name));
            QVERIFY2(!bytes.contains(plaintext.mid(12).toLatin1()), qPrintable(name)); // the secret part
            QVERIFY2(!bytes.contains(plaintext.toUtf8().toHex()), qPrintable(name));
            QVERIFY2(!bytes.contains(plaintext.toUtf8().toBase64()), qPrintable(name));
        }
    }
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
