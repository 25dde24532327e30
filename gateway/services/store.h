#pragma once

// Persistent configuration in SQLite (WAL) through Qt Sql, with versioned migrations.
// One Store per thread that uses it (a QSqlDatabase connection belongs to its thread);
// the gateway thread owns the gateway's Store. Secrets are never stored here: API keys are
// kept as salted SHA-256 hashes, credentials live in the OS keychain.

#include "model/config.h"

#include <QDateTime>
#include <QObject>
#include <QString>
#include <QVariant>

#include <functional>
#include <optional>

namespace metamcp {

struct ApiKeyInfo
{
    qint64 id = 0;
    QString ns; // namespace the key grants access to
    QString label;
    QString prefix; // first characters of the key, shown in lists ("mcp_3f9a…")
    QDateTime created;
    QDateTime lastUsed;
};

struct CreatedApiKey
{
    ApiKeyInfo info;
    QString plaintext; // shown once, never stored
};

class Store final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Store)
public:
    explicit Store(QObject *parent = nullptr);
    ~Store() override;

    // Opens (creating) <dataDir>/metamcp.db, enables WAL, runs pending migrations.
    bool open(const QString &dataDir, QString *error = nullptr);
    // In-memory database (tests).
    bool openInMemory(QString *error = nullptr);
    void close();
    bool isOpen() const;
    int schemaVersion() const;
    static int latestSchemaVersion();
    QString lastError() const;

    // Runs `body` (changes through the methods below) in one transaction: all or nothing.
    // Rolled back when `body` returns false.
    bool transaction(const std::function<bool()> &body);

    // Whole configuration (listen settings, servers, namespaces with overrides).
    GatewayConfig loadConfig() const;

    bool upsertServer(const UpstreamConfig &server);
    bool removeServer(const QString &name); // also drops it from namespaces and overrides
    QList<UpstreamConfig> servers() const;

    bool upsertNamespace(const NamespaceConfig &ns); // replaces servers + overrides
    bool removeNamespace(const QString &name);
    QList<NamespaceConfig> namespaces() const;
    bool setToolOverride(const QString &ns, const ToolOverride &override_);

    bool saveListenConfig(const ListenConfig &listen);
    ListenConfig listenConfig() const;

    QVariant setting(const QString &key, const QVariant &defaultValue = {}) const;
    bool setSetting(const QString &key, const QVariant &value);

    // API keys: "mcp_" + 40 random base62 chars; stored as salted SHA-256.
    std::optional<CreatedApiKey> createApiKey(const QString &ns, const QString &label);
    // Returns the key's info if `plaintext` is a valid key for `ns`. Checked in memory (no query
    // per request); the use is recorded for flushApiKeyUsage().
    std::optional<ApiKeyInfo> verifyApiKey(const QString &ns, const QString &plaintext);
    // Writes the last-used times recorded since the last flush, in one transaction, and reloads
    // the keys (another process may have added or revoked some). Also done by close().
    bool flushApiKeyUsage();
    int pendingApiKeyUsage() const;
    QList<ApiKeyInfo> apiKeys(const QString &ns = {}) const;
    bool revokeApiKey(qint64 id);

private:
    bool migrate(QString *error);
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace metamcp
