// Store when things go wrong: used before open() or after close(), a data folder or database
// file that cannot be created, a migration that fails half-way (it must roll back), and SQL
// statements refused by the database (triggers added through a second connection make SQLite
// abort chosen statements), where multi-statement updates must stay atomic.

#include "services/store.h"

#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace metamcp;
using namespace Qt::StringLiterals;

namespace {

// Runs statements on `dbFile` through a connection of its own.
bool sideExec(const QString &dbFile, const QStringList &statements)
{
    const QString name = u"tst_store_errors_"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(dbFile);
        ok = db.open();
        QSqlQuery q(db);
        for (const QString &sql : statements) {
            if (!ok)
                break;
            ok = q.exec(sql);
            if (!ok)
                qWarning() << sql << q.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

// First column of every row of `sql` on `dbFile`.
QStringList sideQuery(const QString &dbFile, const QString &sql)
{
    const QString name = u"tst_store_errors_"_s + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QStringList out;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, name);
        db.setDatabaseName(dbFile);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql))
                while (q.next())
                    out.append(q.value(0).toString());
        }
    }
    QSqlDatabase::removeDatabase(name);
    return out;
}

QString abortTrigger(const QString &name, const QString &when)
{
    return u"CREATE TRIGGER %1 %2 BEGIN SELECT RAISE(ABORT, 'refused by %1'); END"_s.arg(name, when);
}

UpstreamConfig stdioServer(const QString &name)
{
    UpstreamConfig s;
    s.name = name;
    s.command = u"/bin/true"_s;
    return s;
}

} // namespace

class TestStoreErrors final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void closedStoreRefusesEverything();
    void apiKeyNeedsNamespace();
    void dataFolderCannotBeCreated();
    void databaseCannotBeOpened();
    void failedMigrationRollsBack();
    void refusedStatementsAreReported();
    void namespaceUpdateIsAtomic();
    void removeServerIsAtomic();
};

void TestStoreErrors::closedStoreRefusesEverything()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const bool wasOpen : {false, true}) {
        Store store;
        if (wasOpen) {
            QVERIFY(store.open(dir.path()));
            QVERIFY(store.upsertServer(stdioServer(u"kept"_s)));
            store.close();
        }
        QVERIFY(!store.isOpen());
        const QString closed = u"The store is not open"_s;
        QVERIFY(!store.upsertServer(stdioServer(u"s"_s)));
        QCOMPARE(store.lastError(), closed);
        QVERIFY(!store.removeServer(u"kept"_s));
        QCOMPARE(store.lastError(), closed);
        NamespaceConfig ns;
        ns.name = u"team"_s;
        QVERIFY(!store.upsertNamespace(ns));
        QCOMPARE(store.lastError(), closed);
        QVERIFY(!store.removeNamespace(u"team"_s));
        QCOMPARE(store.lastError(), closed);
        QVERIFY(!store.setToolOverride(u"team"_s, ToolOverride{u"s"_s, u"t"_s, false, {}, {}}));
        QCOMPARE(store.lastError(), closed);
        QVERIFY(!store.setSetting(u"k"_s, 1));
        QCOMPARE(store.lastError(), closed);
        QCOMPARE(store.setting(u"k"_s, u"fallback"_s).toString(), u"fallback"_s);
        QVERIFY(!store.createApiKey(u"team"_s, u"label"_s).has_value());
        QCOMPARE(store.lastError(), closed);
        QVERIFY(!store.verifyApiKey(u"team"_s, u"mcp_0123456789"_s).has_value());
        QVERIFY(store.apiKeys().isEmpty());
        QVERIFY(!store.revokeApiKey(1));
        QCOMPARE(store.lastError(), closed);
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*"))); // refused, not tried
        QVERIFY(store.servers().isEmpty());
        QCOMPARE(store.lastError(), closed);
        QVERIFY(store.namespaces().isEmpty());
        QCOMPARE(store.lastError(), closed);
        QVERIFY(store.loadConfig().servers.isEmpty());
        QCOMPARE(store.lastError(), closed);
    }
    // What was written before close() is still there.
    Store store;
    QVERIFY(store.open(dir.path()));
    QCOMPARE(store.servers().size(), 1);
    QCOMPARE(store.servers().first().name, u"kept"_s);
}

void TestStoreErrors::apiKeyNeedsNamespace()
{
    Store store;
    QVERIFY(store.openInMemory());
    QVERIFY(!store.createApiKey(QString(), u"label"_s).has_value());
    QCOMPARE(store.lastError(), u"An API key needs a namespace"_s);
    QVERIFY(store.apiKeys().isEmpty());
    // Revoking a key that does not exist names it.
    QVERIFY(!store.revokeApiKey(4711));
    QCOMPARE(store.lastError(), u"No API key with id 4711"_s);
}

void TestStoreErrors::dataFolderCannotBeCreated()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A regular file where the folder would be.
    const QString blocker = dir.filePath(u"blocker"_s);
    QFile file(blocker);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    Store store;
    QString error;
    QVERIFY(!store.open(blocker + u"/data"_s, &error));
    QVERIFY2(error.startsWith(u"Cannot create the data folder"_s), qPrintable(error));
    QCOMPARE(store.lastError(), error);
    QVERIFY(!store.isOpen());
    QVERIFY(!store.upsertServer(stdioServer(u"s"_s)));
    // The same object opens fine elsewhere afterwards.
    QVERIFY(store.open(dir.filePath(u"good"_s), &error));
    QVERIFY(store.upsertServer(stdioServer(u"s"_s)));
}

void TestStoreErrors::databaseCannotBeOpened()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // metamcp.db is a folder: SQLite cannot use it.
    QVERIFY(QDir(dir.path()).mkdir(u"metamcp.db"_s));
    Store store;
    QString error;
    QVERIFY(!store.open(dir.path(), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY2(error.contains(u"metamcp.db"_s), qPrintable(error));
    QVERIFY(!store.isOpen());
    QCOMPARE(store.schemaVersion(), 0);
}

void TestStoreErrors::failedMigrationRollsBack()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString dbFile = dir.filePath(u"metamcp.db"_s);
    // A version-0 database that already has a table the first migration creates late.
    QVERIFY(sideExec(dbFile, {u"CREATE TABLE settings (other TEXT)"_s}));

    Store store;
    QString error;
    QVERIFY(!store.open(dir.path(), &error));
    QVERIFY2(error.startsWith(u"Migration to schema version 1 failed"_s), qPrintable(error));
    QVERIFY2(error.contains(u"settings"_s), qPrintable(error));
    QVERIFY(!store.isOpen());

    // Nothing of the failed step stays behind: no new tables, version still 0.
    QCOMPARE(sideQuery(dbFile, u"PRAGMA user_version"_s), QStringList{u"0"_s});
    QCOMPARE(sideQuery(dbFile, u"SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"_s),
             QStringList{u"settings"_s});

    // With the obstacle gone the migration runs through.
    QVERIFY(sideExec(dbFile, {u"DROP TABLE settings"_s}));
    QVERIFY2(store.open(dir.path(), &error), qPrintable(error));
    QCOMPARE(store.schemaVersion(), Store::latestSchemaVersion());
    QVERIFY(store.setSetting(u"k"_s, u"v"_s));
    QCOMPARE(store.setting(u"k"_s).toString(), u"v"_s);
}

void TestStoreErrors::refusedStatementsAreReported()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Store store;
    QVERIFY(store.open(dir.path()));
    NamespaceConfig ns;
    ns.name = u"team"_s;
    QVERIFY(store.upsertNamespace(ns));
    const QString dbFile = dir.filePath(u"metamcp.db"_s);
    QVERIFY(sideExec(dbFile, {abortTrigger(u"no_servers"_s, u"BEFORE INSERT ON servers"_s),
                              abortTrigger(u"no_keys"_s, u"BEFORE INSERT ON api_keys"_s),
                              abortTrigger(u"no_settings"_s, u"BEFORE INSERT ON settings"_s),
                              abortTrigger(u"keep_namespaces"_s, u"BEFORE DELETE ON namespaces"_s)}));

    QVERIFY(!store.upsertServer(stdioServer(u"s"_s)));
    QVERIFY2(store.lastError().contains(u"refused by no_servers"_s), qPrintable(store.lastError()));
    QVERIFY(store.servers().isEmpty());

    QVERIFY(!store.createApiKey(u"team"_s, u"ci"_s).has_value());
    QVERIFY2(store.lastError().contains(u"refused by no_keys"_s), qPrintable(store.lastError()));
    QVERIFY(store.apiKeys().isEmpty());

    QVERIFY(!store.setSetting(u"k"_s, 1));
    QVERIFY2(store.lastError().contains(u"refused by no_settings"_s), qPrintable(store.lastError()));
    QVERIFY(!store.setting(u"k"_s).isValid());

    // removeNamespace deletes the namespace's keys first; the refused delete undoes that too.
    QVERIFY(sideExec(dbFile, {u"DROP TRIGGER no_keys"_s}));
    const auto key = store.createApiKey(u"team"_s, u"ci"_s);
    QVERIFY(key.has_value());
    QVERIFY(!store.removeNamespace(u"team"_s));
    QVERIFY2(store.lastError().contains(u"refused by keep_namespaces"_s), qPrintable(store.lastError()));
    QCOMPARE(store.namespaces().size(), 1);
    QCOMPARE(store.apiKeys(u"team"_s).size(), 1);
    QVERIFY(store.verifyApiKey(u"team"_s, key->plaintext).has_value());
}

void TestStoreErrors::namespaceUpdateIsAtomic()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Store store;
    QVERIFY(store.open(dir.path()));
    NamespaceConfig ns;
    ns.name = u"team"_s;
    ns.description = u"before"_s;
    ns.servers = {u"a"_s};
    ns.toolOverrides = {ToolOverride{u"a"_s, u"t"_s, false, {}, {}}};
    QVERIFY(store.upsertNamespace(ns));
    const NamespaceConfig before = store.namespaces().first();

    const QString dbFile = dir.filePath(u"metamcp.db"_s);
    // The row and the server list are written, then the overrides are refused.
    QVERIFY(sideExec(dbFile, {abortTrigger(u"no_overrides"_s, u"BEFORE INSERT ON tool_overrides"_s)}));
    NamespaceConfig changed = ns;
    changed.description = u"after"_s;
    changed.servers = {u"a"_s, u"b"_s};
    changed.toolOverrides = {ToolOverride{u"b"_s, u"u"_s, true, u"renamed"_s, {}}};
    QVERIFY(!store.upsertNamespace(changed));
    QVERIFY2(store.lastError().contains(u"refused by no_overrides"_s), qPrintable(store.lastError()));
    QCOMPARE(store.namespaces().size(), 1);
    QCOMPARE(store.namespaces().first(), before);

    // Refused server list: same.
    QVERIFY(sideExec(dbFile, {u"DROP TRIGGER no_overrides"_s,
                              abortTrigger(u"no_members"_s, u"BEFORE INSERT ON namespace_servers"_s)}));
    QVERIFY(!store.upsertNamespace(changed));
    QVERIFY2(store.lastError().contains(u"refused by no_members"_s), qPrintable(store.lastError()));
    QCOMPARE(store.namespaces().first(), before);

    // A brand-new namespace is not created half-way either.
    NamespaceConfig fresh;
    fresh.name = u"fresh"_s;
    fresh.servers = {u"a"_s};
    QVERIFY(!store.upsertNamespace(fresh));
    QCOMPARE(store.namespaces().size(), 1);

    QVERIFY(sideExec(dbFile, {u"DROP TRIGGER no_members"_s}));
    QVERIFY(store.upsertNamespace(changed));
    QCOMPARE(store.namespaces().first(), changed);
}

void TestStoreErrors::removeServerIsAtomic()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Store store;
    QVERIFY(store.open(dir.path()));
    QVERIFY(store.upsertServer(stdioServer(u"a"_s)));
    NamespaceConfig ns;
    ns.name = u"team"_s;
    ns.servers = {u"a"_s};
    ns.toolOverrides = {ToolOverride{u"a"_s, u"t"_s, false, {}, {}}};
    QVERIFY(store.upsertNamespace(ns));

    // The namespace rows go first; the server row is refused, so they must come back.
    QVERIFY(sideExec(dir.filePath(u"metamcp.db"_s), {abortTrigger(u"keep_servers"_s, u"BEFORE DELETE ON servers"_s)}));
    QVERIFY(!store.removeServer(u"a"_s));
    QVERIFY2(store.lastError().contains(u"refused by keep_servers"_s), qPrintable(store.lastError()));
    QCOMPARE(store.servers().size(), 1);
    QCOMPARE(store.namespaces().first().servers, QStringList{u"a"_s});
    QCOMPARE(store.namespaces().first().toolOverrides.size(), 1);
    const GatewayConfig config = store.loadConfig();
    QVERIFY(config.server(u"a"_s));
}

QTEST_GUILESS_MAIN(TestStoreErrors)
#include "tst_store_errors.moc"
