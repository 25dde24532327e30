#include "services/store.h"

#include <QAtomicInteger>
#include <QCryptographicHash>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace metamcp {

namespace {

// Ordered schema migrations: entry i brings user_version from i to i + 1. Each runs in its
// own transaction together with the user_version bump. Never edit a released step; append.
const QList<QStringList> &migrations()
{
    static const QList<QStringList> steps = {
        // 1: initial schema
        {
            QStringLiteral("CREATE TABLE servers ("
                           " name TEXT PRIMARY KEY NOT NULL,"
                           " kind TEXT NOT NULL,"
                           " enabled INTEGER NOT NULL DEFAULT 1,"
                           " config TEXT NOT NULL," // UpstreamConfig::toJson()
                           " position INTEGER NOT NULL DEFAULT 0)"),
            QStringLiteral("CREATE TABLE namespaces ("
                           " name TEXT PRIMARY KEY NOT NULL,"
                           " description TEXT NOT NULL DEFAULT '',"
                           " separator TEXT NOT NULL DEFAULT '__',"
                           " require_api_key INTEGER NOT NULL DEFAULT 0,"
                           " position INTEGER NOT NULL DEFAULT 0)"),
            // No foreign key to servers: a namespace may name a server that is added later
            // (imports); removeServer() deletes the rows explicitly.
            QStringLiteral("CREATE TABLE namespace_servers ("
                           " namespace TEXT NOT NULL REFERENCES namespaces(name) ON DELETE CASCADE,"
                           " server TEXT NOT NULL,"
                           " position INTEGER NOT NULL,"
                           " PRIMARY KEY (namespace, server))"),
            QStringLiteral("CREATE INDEX namespace_servers_server ON namespace_servers(server)"),
            QStringLiteral("CREATE TABLE tool_overrides ("
                           " namespace TEXT NOT NULL REFERENCES namespaces(name) ON DELETE CASCADE,"
                           " server TEXT NOT NULL,"
                           " tool TEXT NOT NULL,"
                           " enabled INTEGER NOT NULL DEFAULT 1,"
                           " rename TEXT NOT NULL DEFAULT '',"
                           " description TEXT NOT NULL DEFAULT '',"
                           " position INTEGER NOT NULL DEFAULT 0,"
                           " PRIMARY KEY (namespace, server, tool))"),
            QStringLiteral("CREATE INDEX tool_overrides_server ON tool_overrides(server)"),
            QStringLiteral("CREATE TABLE api_keys ("
                           " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                           " namespace TEXT NOT NULL,"
                           " label TEXT NOT NULL DEFAULT '',"
                           " prefix TEXT NOT NULL,"
                           " salt TEXT NOT NULL,"
                           " hash TEXT NOT NULL,"       // hex SHA-256 of salt + key
                           " created INTEGER NOT NULL," // ms since epoch, UTC
                           " last_used INTEGER)"),
            QStringLiteral("CREATE INDEX api_keys_prefix ON api_keys(prefix)"),
            QStringLiteral("CREATE INDEX api_keys_namespace ON api_keys(namespace)"),
            QStringLiteral("CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT)"),
        },
        // 2: namespaces may expose tool and prompt names without the server prefix
        {
            QStringLiteral("ALTER TABLE namespaces ADD COLUMN prefix_names INTEGER NOT NULL DEFAULT 1"),
        },
    };
    return steps;
}

constexpr int kBusyTimeoutMs = 5000;
constexpr int kApiKeyRandomChars = 40;
constexpr int kApiKeyPrefixChars = 12; // "mcp_" + 8
constexpr int kSaltBytes = 16;
const QString kApiKeyScheme = QStringLiteral("mcp_");
const QString kListenSettingKey = QStringLiteral("gateway/listen");

QAtomicInteger<quint64> s_connectionCounter;

QString hashKey(const QString &salt, const QString &key)
{
    return QString::fromLatin1(QCryptographicHash::hash((salt + key).toUtf8(), QCryptographicHash::Sha256).toHex());
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return diff == 0;
}

QString randomBase62(int length)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QString out;
    out.reserve(length);
    QRandomGenerator *rng = QRandomGenerator::system();
    for (int i = 0; i < length; ++i)
        out += QLatin1Char(alphabet[rng->bounded(62)]); // bounded() has no modulo bias
    return out;
}

QString randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator *rng = QRandomGenerator::system();
    for (int i = 0; i < bytes; ++i)
        raw[i] = static_cast<char>(rng->bounded(256));
    return QString::fromLatin1(raw.toHex());
}

QVariant msToVariant(const QDateTime &dt)
{
    return dt.isValid() ? QVariant(dt.toMSecsSinceEpoch()) : QVariant(QMetaType(QMetaType::LongLong));
}

QDateTime msFromVariant(const QVariant &v)
{
    if (v.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(v.toLongLong(), Qt::UTC);
}

QString encodeSetting(const QVariant &value)
{
    QJsonArray wrapper;
    wrapper.append(QJsonValue::fromVariant(value));
    return QString::fromUtf8(QJsonDocument(wrapper).toJson(QJsonDocument::Compact));
}

QVariant decodeSetting(const QString &text)
{
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (!doc.isArray() || doc.array().isEmpty())
        return {};
    return doc.array().at(0).toVariant();
}

QJsonObject listenToJson(const ListenConfig &l)
{
    return QJsonObject{
        {QStringLiteral("address"), l.address.toString()},
        {QStringLiteral("port"), int(l.port)},
        {QStringLiteral("allowedOrigins"), QJsonArray::fromStringList(l.allowedOrigins)},
        {QStringLiteral("allowedHosts"), QJsonArray::fromStringList(l.allowedHosts)},
        {QStringLiteral("tlsCertificateFile"), l.tlsCertificateFile},
        {QStringLiteral("tlsKeyFile"), l.tlsKeyFile},
        {QStringLiteral("maxBodyBytes"), l.maxBodyBytes},
    };
}

ListenConfig listenFromJson(const QJsonObject &o)
{
    ListenConfig l;
    auto strings = [](const QJsonValue &v) {
        QStringList out;
        const QJsonArray a = v.toArray();
        for (const QJsonValue &s : a)
            out << s.toString();
        return out;
    };
    const QHostAddress address(o.value(QStringLiteral("address")).toString());
    if (!address.isNull())
        l.address = address;
    const int port = o.value(QStringLiteral("port")).toInt(l.port);
    if (port > 0 && port <= 65535)
        l.port = static_cast<quint16>(port);
    l.allowedOrigins = strings(o.value(QStringLiteral("allowedOrigins")));
    l.allowedHosts = strings(o.value(QStringLiteral("allowedHosts")));
    l.tlsCertificateFile = o.value(QStringLiteral("tlsCertificateFile")).toString();
    l.tlsKeyFile = o.value(QStringLiteral("tlsKeyFile")).toString();
    l.maxBodyBytes = o.value(QStringLiteral("maxBodyBytes")).toInteger(l.maxBodyBytes);
    return l;
}

} // namespace

struct Store::Private
{
    QString connectionName;
    QString lastError;
    int schemaVersion = 0;

    QSqlDatabase db() const { return QSqlDatabase::database(connectionName, false); }

    bool fail(const QString &message)
    {
        lastError = message;
        return false;
    }
    // SQL errors are also logged: they mean a bug or a damaged database, not a user mistake.
    bool fail(const QSqlQuery &query, const QString &what)
    {
        fail(QStringLiteral("%1: %2").arg(what, query.lastError().text()));
        qWarning("Store: %s", qUtf8Printable(lastError));
        return false;
    }

    // Prepares `sql`, binds `values` positionally and executes it.
    bool exec(QSqlQuery &query, const QString &sql, const QVariantList &values = {})
    {
        if (!query.prepare(sql))
            return fail(query, QStringLiteral("Cannot prepare \"%1\"").arg(sql));
        for (const QVariant &v : values) {
            // A null QString would bind as SQL NULL; the text columns are NOT NULL.
            if (v.typeId() == QMetaType::QString && v.toString().isNull())
                query.addBindValue(QStringLiteral(""));
            else
                query.addBindValue(v);
        }
        if (!query.exec())
            return fail(query, QStringLiteral("Cannot execute \"%1\"").arg(sql));
        return true;
    }
    bool exec(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery query(db());
        return exec(query, sql, values);
    }

    // Runs `body` in a transaction; rolls back when it returns false.
    // Inside an outer transaction (Store::transaction) it only runs `body`: the outer one
    // commits or rolls back everything.
    int transactionDepth = 0;
    template<typename F> bool transaction(F &&body)
    {
        if (transactionDepth > 0)
            return body();
        struct Depth
        {
            int &depth;
            explicit Depth(int &d)
                : depth(++d)
            {}
            ~Depth() { --depth; }
        } depth(transactionDepth);
        QSqlDatabase database = db();
        if (!database.transaction())
            return fail(QStringLiteral("Cannot begin a transaction: %1").arg(database.lastError().text()));
        if (!body()) {
            database.rollback();
            return false;
        }
        if (!database.commit()) {
            const QString error = database.lastError().text();
            database.rollback();
            return fail(QStringLiteral("Cannot commit: %1").arg(error));
        }
        return true;
    }

    QList<NamespaceConfig> loadNamespaces();
    QList<UpstreamConfig> loadServers();

    // API keys, verified in memory: by prefix, with salt and hash. Reloaded at open and with each
    // flush of the last-used times (so that keys another process added or revoked are seen).
    struct KeyRecord
    {
        ApiKeyInfo info;
        QString salt;
        QByteArray hash;
    };
    QHash<QString, QList<KeyRecord>> keys;
    QHash<qint64, QDateTime> pendingUse; // key id -> last use not yet written
    bool loadKeys(const QString &prefix = {});
};

bool Store::Private::loadKeys(const QString &prefix)
{
    QSqlQuery q(db());
    const QString sql =
        QStringLiteral("SELECT id, namespace, label, prefix, salt, hash, created, last_used FROM api_keys");
    if (!(prefix.isEmpty() ? exec(q, sql) : exec(q, sql + QStringLiteral(" WHERE prefix = ?"), {prefix})))
        return false;
    if (prefix.isEmpty())
        keys.clear();
    else
        keys.remove(prefix);
    while (q.next()) {
        KeyRecord r;
        r.info.id = q.value(0).toLongLong();
        r.info.ns = q.value(1).toString();
        r.info.label = q.value(2).toString();
        r.info.prefix = q.value(3).toString();
        r.salt = q.value(4).toString();
        r.hash = q.value(5).toString().toLatin1();
        r.info.created = msFromVariant(q.value(6));
        r.info.lastUsed = msFromVariant(q.value(7));
        keys[r.info.prefix].append(r);
    }
    return true;
}

Store::Store(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{}

Store::~Store()
{
    close();
}

bool Store::open(const QString &dataDir, QString *error)
{
    close();
    if (!QDir().mkpath(dataDir)) {
        d->fail(QStringLiteral("Cannot create the data folder %1").arg(QDir::toNativeSeparators(dataDir)));
        if (error)
            *error = d->lastError;
        return false;
    }
    d->connectionName = QStringLiteral("metamcp-store-%1").arg(++s_connectionCounter);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->connectionName);
    db.setDatabaseName(QDir(dataDir).filePath(QStringLiteral("metamcp.db")));
    if (!db.open()) {
        d->fail(QStringLiteral("Cannot open %1: %2").arg(db.databaseName(), db.lastError().text()));
        if (error)
            *error = d->lastError;
        db = {};
        close();
        return false;
    }
    QSqlQuery walQuery(db);
    if (!d->exec(walQuery, QStringLiteral("PRAGMA journal_mode=WAL")) || !walQuery.next() ||
        walQuery.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
        d->fail(QStringLiteral("Cannot switch %1 to WAL mode").arg(db.databaseName()));
        if (error)
            *error = d->lastError;
        walQuery = QSqlQuery();
        db = {};
        close();
        return false;
    }
    walQuery = QSqlQuery();
    db = {};
    const bool ok = migrate(error) && d->loadKeys();
    if (!ok)
        close();
    return ok;
}

bool Store::openInMemory(QString *error)
{
    close();
    d->connectionName = QStringLiteral("metamcp-store-%1").arg(++s_connectionCounter);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->connectionName);
    db.setDatabaseName(QStringLiteral(":memory:"));
    if (!db.open()) {
        d->fail(QStringLiteral("Cannot open an in-memory database: %1").arg(db.lastError().text()));
        if (error)
            *error = d->lastError;
        db = {};
        close();
        return false;
    }
    db = {};
    const bool ok = migrate(error) && d->loadKeys();
    if (!ok)
        close();
    return ok;
}

void Store::close()
{
    if (d->connectionName.isEmpty())
        return;
    flushApiKeyUsage();
    d->keys.clear();
    {
        QSqlDatabase db = QSqlDatabase::database(d->connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(d->connectionName);
    d->connectionName.clear();
    d->schemaVersion = 0;
}

bool Store::isOpen() const
{
    return !d->connectionName.isEmpty() && d->db().isOpen();
}

int Store::schemaVersion() const
{
    return d->schemaVersion;
}

int Store::latestSchemaVersion()
{
    return static_cast<int>(migrations().size());
}

QString Store::lastError() const
{
    return d->lastError;
}

bool Store::migrate(QString *error)
{
    auto failed = [&] {
        if (error)
            *error = d->lastError;
        return false;
    };
    // Connection settings (not persistent, outside any transaction).
    for (const QString &pragma : {QStringLiteral("PRAGMA synchronous=NORMAL"), QStringLiteral("PRAGMA foreign_keys=ON"),
                                  QStringLiteral("PRAGMA busy_timeout=%1").arg(kBusyTimeoutMs)}) {
        if (!d->exec(pragma))
            return failed();
    }

    QSqlQuery versionQuery(d->db());
    if (!d->exec(versionQuery, QStringLiteral("PRAGMA user_version")) || !versionQuery.next())
        return failed();
    int version = versionQuery.value(0).toInt();
    versionQuery = QSqlQuery();

    const int latest = latestSchemaVersion();
    if (version > latest) {
        d->fail(QStringLiteral("The database has schema version %1, newer than this program supports (%2)")
                    .arg(version)
                    .arg(latest));
        return failed();
    }
    while (version < latest) {
        const QStringList &steps = migrations().at(version);
        const int target = version + 1;
        const bool ok = d->transaction([&] {
            for (const QString &sql : steps)
                if (!d->exec(sql))
                    return false;
            // PRAGMA takes no bound parameters; `target` is our own integer.
            return d->exec(QStringLiteral("PRAGMA user_version=%1").arg(target));
        });
        if (!ok) {
            d->fail(QStringLiteral("Migration to schema version %1 failed: %2").arg(target).arg(d->lastError));
            return failed();
        }
        version = target;
    }
    d->schemaVersion = version;
    return true;
}

// --- servers -------------------------------------------------------------------------

QList<UpstreamConfig> Store::Private::loadServers()
{
    QList<UpstreamConfig> out;
    QSqlQuery q(db());
    if (!exec(q, QStringLiteral("SELECT name, kind, enabled, config FROM servers ORDER BY position, name")))
        return out;
    while (q.next()) {
        UpstreamConfig server =
            UpstreamConfig::fromJson(QJsonDocument::fromJson(q.value(3).toString().toUtf8()).object());
        server.name = q.value(0).toString();
        if (const auto kind = upstreamKindFromName(q.value(1).toString()))
            server.kind = *kind;
        server.enabled = q.value(2).toBool();
        out << server;
    }
    return out;
}

bool Store::upsertServer(const UpstreamConfig &server)
{
    static const QRegularExpression nameRe(QStringLiteral("^[A-Za-z0-9_-]+$"));
    if (!nameRe.match(server.name).hasMatch())
        return d->fail(QStringLiteral("Invalid server name \"%1\"").arg(server.name));
    if (!isOpen())
        return d->fail(QStringLiteral("The store is not open"));
    const QString json = QString::fromUtf8(QJsonDocument(server.toJson()).toJson(QJsonDocument::Compact));
    return d->exec(QStringLiteral("INSERT INTO servers (name, kind, enabled, config, position)"
                                  " VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM servers))"
                                  " ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, enabled = excluded.enabled,"
                                  " config = excluded.config"),
                   {server.name, upstreamKindName(server.kind), server.enabled, json});
}

bool Store::removeServer(const QString &name)
{
    if (!isOpen())
        return d->fail(QStringLiteral("The store is not open"));
    bool found = false;
    const bool ok = d->transaction([&] {
        if (!d->exec(QStringLiteral("DELETE FROM namespace_servers WHERE server = ?"), {name}) ||
            !d->exec(QStringLiteral("DELETE FROM tool_overrides WHERE server = ?"), {name}))
            return false;
        QSqlQuery q(d->db());
        if (!d->exec(q, QStringLiteral("DELETE FROM servers WHERE name = ?"), {name}))
            return false;
        found = q.numRowsAffected() > 0;
        return true;
    });
    if (ok) { // its keys are gone from memory too
        for (auto it = d->keys.begin(); it != d->keys.end(); ++it)
            it.value().removeIf([&](const Private::KeyRecord &r) {
                if (r.info.ns != name)
                    return false;
                d->pendingUse.remove(r.info.id);
                return true;
            });
    }
    if (ok && !found)
        return d->fail(QStringLiteral("No server named \"%1\"").arg(name));
    return ok;
}

QList<UpstreamConfig> Store::servers() const
{
    if (!isOpen()) { // nothing to read (and no SQL warnings from a closed connection)
        d->fail(QStringLiteral("The store is not open"));
        return {};
    }
    return d->loadServers();
}

// --- namespaces ----------------------------------------------------------------------

QList<NamespaceConfig> Store::Private::loadNamespaces()
{
    QList<NamespaceConfig> out;
    QSqlQuery q(db());
    if (!exec(q, QStringLiteral("SELECT name, description, separator, require_api_key, prefix_names FROM namespaces"
                                " ORDER BY position, name")))
        return out;
    while (q.next()) {
        NamespaceConfig ns;
        ns.name = q.value(0).toString();
        ns.description = q.value(1).toString();
        ns.separator = q.value(2).toString();
        ns.requireApiKey = q.value(3).toBool();
        ns.prefixNames = q.value(4).toBool();
        out << ns;
    }
    q = QSqlQuery();
    for (NamespaceConfig &ns : out) {
        QSqlQuery s(db());
        if (exec(s, QStringLiteral("SELECT server FROM namespace_servers WHERE namespace = ? ORDER BY position"),
                 {ns.name}))
            while (s.next())
                ns.servers << s.value(0).toString();
        QSqlQuery o(db());
        if (exec(o,
                 QStringLiteral("SELECT server, tool, enabled, rename, description FROM tool_overrides"
                                " WHERE namespace = ? ORDER BY position, server, tool"),
                 {ns.name}))
            while (o.next()) {
                ToolOverride t;
                t.server = o.value(0).toString();
                t.tool = o.value(1).toString();
                t.enabled = o.value(2).toBool();
                t.rename = o.value(3).toString();
                t.description = o.value(4).toString();
                ns.toolOverrides << t;
            }
    }
    return out;
}

bool Store::transaction(const std::function<bool()> &body)
{
    if (!isOpen())
        return d->fail(QStringLiteral("The store is not open"));
    return d->transaction(body);
}

bool Store::upsertNamespace(const NamespaceConfig &ns)
{
    if (ns.name.isEmpty())
        return d->fail(QStringLiteral("A namespace needs a name"));
    if (!isOpen())
        return d->fail(QStringLiteral("The store is not open"));
    return d->transaction([&] {
        if (!d->exec(QStringLiteral("INSERT INTO namespaces (name, description, separator, require_api_key,"
                                    " prefix_names, position)"
                                    " VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM namespaces))"
                                    " ON CONFLICT(name) DO UPDATE SET description = excluded.description,"
                                    " separator = excluded.separator, require_api_key = excluded.require_api_key,"
                                    " prefix_names = excluded.prefix_names"),
                     {ns.name, ns.description, ns.separator, ns.requireApiKey, ns.prefixNames}))
            return false;
        if (!d->exec(QStringLiteral("DELETE FROM namespace_servers WHERE namespace = ?"), {ns.name}) ||
            !d->exec(QStringLiteral("DELETE FROM tool_overrides WHERE namespace = ?"), {ns.name}))
            return false;
        int position = 0;
        for (const QString &server : ns.servers) {
            if (!d->exec(QStringLiteral("INSERT OR IGNORE INTO namespace_servers (namespace, server, position)"
                                        " VALUES (?, ?, ?)"),
                         {ns.name, server, position++}))
                return false;
        }
        position = 0;
        for (const ToolOverride &o : ns.toolOverrides) {
            if (!d->exec(QStringLiteral("INSERT OR REPLACE INTO tool_overrides"
                                        " (namespace, server, tool, enabled, rename, description, position)"
                                        " VALUES (?, ?, ?, ?, ?, ?, ?)"),
                         {ns.name, o.server, o.tool, o.enabled, o.rename, o.description, position++}))
                return false;
        }
        return true;
    });
}

bool Store::removeNamespace(const QString &name)
{
    if (!isOpen())
        return d->fail(QStringLiteral("The store is not open"));
    bool found = false;
    const bool ok = d->transaction([&] {
        // Keys of a removed namespace must not come back to life if the name is reused.
        if (!d->exec(QStringLiteral("DELETE FROM api_keys WHERE namespace = ?"), {name}))
            return false;
        QSqlQuery q(d->db());
        if (!d->exec(q, QStringLiteral("DELETE FROM namespaces WHERE name = ?"), {name}))
            return false; // namespace_servers and tool_overrides cascade
        found = q.numRowsAffected() > 0;
        return true;
    });
    if (ok) { // its keys are gone from memory too
        for (auto it = d->keys.begin(); it != d->keys.end(); ++it)
            it.value().removeIf([&](const Private::KeyRecord &r) {
                if (r.info.ns != name)
                    return false;
                d->pendingUse.remove(r.info.id);
                return true;
            });
    }
    if (ok && !found)
        return d->fail(QStringLiteral("No namespace named \"%1\"").arg(name));
    return ok;
}

QList<NamespaceConfig> Store::namespaces() const
{
    if (!isOpen()) { // nothing to read (and no SQL warnings from a closed connection)
        d->fail(QStringLiteral("The store is not open"));
        return {};
    }
    return d->loadNamespaces();
}

bool Store::setToolOverride(const QString &ns, const ToolOverride &override_)
{
    if (!isOpen())
        return d->fail(QStringLiteral("The store is not open"));
    QSqlQuery exists(d->db());
    if (!d->exec(exists, QStringLiteral("SELECT 1 FROM namespaces WHERE name = ?"), {ns}))
        return false;
    if (!exists.next())
        return d->fail(QStringLiteral("No namespace named \"%1\"").arg(ns));
    exists = QSqlQuery();
    return d->exec(
        QStringLiteral("INSERT INTO tool_overrides (namespace, server, tool, enabled, rename, description, position)"
                       " VALUES (?, ?, ?, ?, ?, ?,"
                       " (SELECT COALESCE(MAX(position), -1) + 1 FROM tool_overrides WHERE namespace = ?))"
                       " ON CONFLICT(namespace, server, tool) DO UPDATE SET enabled = excluded.enabled,"
                       " rename = excluded.rename, description = excluded.description"),
        {ns, override_.server, override_.tool, override_.enabled, override_.rename, override_.description, ns});
}

// --- settings ------------------------------------------------------------------------

bool Store::saveListenConfig(const ListenConfig &listen)
{
    return setSetting(kListenSettingKey, listenToJson(listen).toVariantMap());
}

ListenConfig Store::listenConfig() const
{
    const QVariant v = setting(kListenSettingKey);
    if (!v.isValid())
        return {};
    return listenFromJson(QJsonObject::fromVariantMap(v.toMap()));
}

QVariant Store::setting(const QString &key, const QVariant &defaultValue) const
{
    if (!isOpen())
        return defaultValue;
    QSqlQuery q(d->db());
    if (!d->exec(q, QStringLiteral("SELECT value FROM settings WHERE key = ?"), {key}) || !q.next())
        return defaultValue;
    const QVariant v = decodeSetting(q.value(0).toString());
    return v.isValid() ? v : defaultValue;
}

bool Store::setSetting(const QString &key, const QVariant &value)
{
    if (!isOpen())
        return d->fail(QStringLiteral("The store is not open"));
    if (!value.isValid())
        return d->exec(QStringLiteral("DELETE FROM settings WHERE key = ?"), {key});
    return d->exec(QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?)"
                                  " ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
                   {key, encodeSetting(value)});
}

GatewayConfig Store::loadConfig() const
{
    GatewayConfig config;
    if (!isOpen()) {
        d->fail(QStringLiteral("The store is not open"));
        return config;
    }
    config.listen = listenConfig();
    config.servers = d->loadServers();
    config.namespaces = d->loadNamespaces();
    return config;
}

// --- API keys ------------------------------------------------------------------------

std::optional<CreatedApiKey> Store::createApiKey(const QString &ns, const QString &label)
{
    if (ns.isEmpty()) {
        d->fail(QStringLiteral("An API key needs a namespace"));
        return std::nullopt;
    }
    if (!isOpen()) {
        d->fail(QStringLiteral("The store is not open"));
        return std::nullopt;
    }
    CreatedApiKey key;
    key.plaintext = kApiKeyScheme + randomBase62(kApiKeyRandomChars);
    key.info.ns = ns;
    key.info.label = label;
    key.info.prefix = key.plaintext.left(kApiKeyPrefixChars);
    // Millisecond precision: what the database keeps.
    key.info.created = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
    const QString salt = randomHex(kSaltBytes);
    QSqlQuery q(d->db());
    if (!d->exec(q,
                 QStringLiteral("INSERT INTO api_keys (namespace, label, prefix, salt, hash, created)"
                                " VALUES (?, ?, ?, ?, ?, ?)"),
                 {ns, label, key.info.prefix, salt, hashKey(salt, key.plaintext), msToVariant(key.info.created)}))
        return std::nullopt;
    key.info.id = q.lastInsertId().toLongLong();
    d->keys[key.info.prefix].append({key.info, salt, hashKey(salt, key.plaintext).toLatin1()});
    return key;
}

std::optional<ApiKeyInfo> Store::verifyApiKey(const QString &ns, const QString &plaintext)
{
    if (!isOpen() || !plaintext.startsWith(kApiKeyScheme) ||
        plaintext.size() != kApiKeyScheme.size() + kApiKeyRandomChars)
        return std::nullopt;
    const QString prefix = plaintext.left(kApiKeyPrefixChars);
    auto it = d->keys.constFind(prefix);
    if (it == d->keys.cend()) {
        // Perhaps added by another process since the last reload: one look in the database.
        d->loadKeys(prefix);
        it = d->keys.constFind(prefix);
        if (it == d->keys.cend())
            return std::nullopt;
    }
    for (const Private::KeyRecord &r : it.value()) {
        const QByteArray actual = hashKey(r.salt, plaintext).toLatin1();
        if (!constantTimeEquals(r.hash, actual) || r.info.ns != ns)
            continue;
        ApiKeyInfo info = r.info;
        info.lastUsed = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), Qt::UTC);
        d->pendingUse.insert(info.id, info.lastUsed); // written by flushApiKeyUsage()
        return info;
    }
    return std::nullopt;
}

int Store::pendingApiKeyUsage() const
{
    return int(d->pendingUse.size());
}

bool Store::flushApiKeyUsage()
{
    if (!isOpen())
        return false;
    const QHash<qint64, QDateTime> pending = std::exchange(d->pendingUse, {});
    const bool ok = pending.isEmpty() || d->transaction([&] {
        for (auto it = pending.cbegin(); it != pending.cend(); ++it)
            if (!d->exec(QStringLiteral("UPDATE api_keys SET last_used = ? WHERE id = ?"),
                         {msToVariant(it.value()), it.key()}))
                return false;
        return true;
    });
    if (!ok) // kept for the next flush
        for (auto it = pending.cbegin(); it != pending.cend(); ++it)
            d->pendingUse.insert(it.key(), it.value());
    return d->loadKeys() && ok;
}

QList<ApiKeyInfo> Store::apiKeys(const QString &ns) const
{
    QList<ApiKeyInfo> out;
    if (!isOpen())
        return out;
    QSqlQuery q(d->db());
    const bool ok = ns.isEmpty() ? d->exec(q, QStringLiteral("SELECT id, namespace, label, prefix, created, last_used"
                                                             " FROM api_keys ORDER BY id"))
                                 : d->exec(q,
                                           QStringLiteral("SELECT id, namespace, label, prefix, created, last_used"
                                                          " FROM api_keys WHERE namespace = ? ORDER BY id"),
                                           {ns});
    if (!ok)
        return out;
    while (q.next()) {
        ApiKeyInfo info;
        info.id = q.value(0).toLongLong();
        info.ns = q.value(1).toString();
        info.label = q.value(2).toString();
        info.prefix = q.value(3).toString();
        info.created = msFromVariant(q.value(4));
        info.lastUsed = d->pendingUse.value(info.id, msFromVariant(q.value(5)));
        out << info;
    }
    return out;
}

bool Store::revokeApiKey(qint64 id)
{
    if (!isOpen())
        return d->fail(QStringLiteral("The store is not open"));
    QSqlQuery q(d->db());
    if (!d->exec(q, QStringLiteral("DELETE FROM api_keys WHERE id = ?"), {id}))
        return false;
    if (q.numRowsAffected() <= 0)
        return d->fail(QStringLiteral("No API key with id %1").arg(id));
    d->pendingUse.remove(id);
    for (auto it = d->keys.begin(); it != d->keys.end(); ++it)
        it.value().removeIf([id](const Private::KeyRecord &r) { return r.info.id == id; });
    return true;
}

} // namespace metamcp
