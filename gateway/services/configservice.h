#pragma once

// The one path of every configuration change, whoever asks (the console through the facade,
// `metamcpd apply`, later an admin API):
//
//   validate -> store secrets (CredentialStore, OS keychain) -> persist (Store, one SQLite
//   transaction) -> apply (Router, endpoint, UpstreamManager, listener) -> changed() per item
//
// A change is an edit of a copy of the whole configuration (secret values included, in memory
// only): the service diffs the result against what runs, validates the whole result (nothing
// is written when anything is wrong), writes only what differs and emits one ConfigChange per
// added, changed or removed item. Edits run one after the other (secrets are written
// asynchronously).
//
// Secrets: the store and every signal see the configuration without secret values; the values
// are in the keychain and in this object's memory. Headers of HTTP, SSE and REST upstreams are
// handed to the transports per request through credentialProvider(), so a changed header or
// token reaches a running upstream without restarting it; a stdio server's environment is
// given at spawn, so changing it restarts the process (UpstreamManager, Upstream::needsRestart).
//
// Threading: the gateway thread (it owns the Store connection and the upstreams).

#include "model/config.h"
#include "upstream/credentialprovider.h"

#include <QHash>
#include <QObject>
#include <QStringList>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace metamcp {

class CredentialStore;
class McpHttpEndpoint;
class Router;
class Store;
class UpstreamManager;

// What one change did to one item of the configuration.
struct ConfigChange
{
    enum class Kind { Server, Namespace, ToolOverride, Settings };
    enum class Type { Added, Changed, Removed };
    Kind kind = Kind::Server;
    // Server or namespace name; "<namespace>/<server>/<tool>" for a tool override; "listen".
    QString name;
    Type type = Type::Changed;
    // For Changed: the fields that differ, named as in the configuration document
    // (docs/CONFIG-AS-CODE.md): "url", "headers.Authorization", "env.TOKEN", "tools.search", ...
    // Names only, never values.
    QStringList fields;

    bool operator==(const ConfigChange &) const = default;
};

QString configChangeKindName(ConfigChange::Kind kind); // "server", "namespace", "toolOverride", "settings"
QString configChangeTypeName(ConfigChange::Type type); // "added", "changed", "removed"

// Every difference from `before` to `after`, in a stable order (settings, servers, namespaces,
// tool overrides; by name within each). Secret values count where the configs carry them.
QList<ConfigChange> diffConfigs(const GatewayConfig &before, const GatewayConfig &after);

class ConfigService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfigService)
public:
    ConfigService(Store &store, CredentialStore &credentials, UpstreamManager &upstreams, Router &router,
                  QObject *parent = nullptr);
    ~ConfigService() override;

    // The endpoint whose Host/Origin checks follow the listen settings (may be null).
    void setEndpoint(McpHttpEndpoint *endpoint) { m_endpoint = endpoint; }
    // Moves the listener to a changed listen config (address, port, TLS, body limit) before
    // the change is committed; a non-empty error rolls the whole change back.
    using ListenHook = std::function<QString(const ListenConfig &listen)>;
    void setListenHook(ListenHook hook) { m_listenHook = std::move(hook); }
    // Listen settings that win over the stored ones until a change sets them (metamcpd --listen).
    void setListenOverride(const std::optional<ListenConfig> &listen) { m_listenOverride = listen; }
    bool hasListenOverride() const { return m_listenOverride.has_value(); }

    // Reads the store (creating the default namespace) and applies it to the router.
    void load();
    // Reads the secret values from the keychain; `done` once all answered.
    void loadSecrets(std::function<void()> done);
    // Whether upstreams run: once the gateway started and the secrets are read. Turning it on
    // starts them; off only stops applying (the owner stops them).
    void setUpstreamsLive(bool live);
    // The headers of each HTTP, SSE and REST upstream with their secret values (UpstreamManager
    // hands it to every upstream).
    std::shared_ptr<const CredentialProvider> credentialProvider() const;

    // What runs: the stored configuration with the listen override, without secret values.
    GatewayConfig config() const;
    // The stored configuration (listen settings as stored), without secret values.
    const GatewayConfig &storedConfig() const { return m_config; }
    // config() with the secret values read from the keychain (memory only: for a diff against
    // a document, never for a file or a signal). Edits start from it.
    GatewayConfig resolvedConfig() const;

    // Edits `next` (a copy of resolvedConfig()); returns an error to refuse the change. A
    // secret field left empty keeps the value the keychain has.
    using Edit = std::function<QString(GatewayConfig &next)>;
    using Done = std::function<void(const QString &error, const QList<ConfigChange> &changes)>;
    // Changes wait (queued) until loadSecrets() is done, so that a secret's value compares with
    // what the keychain has.
    void change(Edit edit, Done done);
    // What change() would do, without doing it (a dry run), in the same queue.
    void plan(Edit edit, Done done);
    // The same at once, with the secrets as loaded so far (empty list and `error` when refused).
    QList<ConfigChange> preview(const Edit &edit, QString *error) const;

    // The edits the console and the importers make, each through change().
    void upsertServer(const UpstreamConfig &server, const QStringList &addToNamespaces, Done done);
    void removeServer(const QString &name, Done done);
    void upsertNamespace(const NamespaceConfig &ns, Done done);
    void removeNamespace(const QString &name, Done done);
    void setToolOverride(const QString &ns, const ToolOverride &override_, Done done);
    void setListenConfig(const ListenConfig &listen, Done done);

    // Problems of a whole configuration, each naming where ("servers.x: ..."); empty when valid.
    static QStringList validate(const GatewayConfig &config);

Q_SIGNALS:
    // One per item a change added, changed or removed, in diffConfigs() order.
    void changed(const metamcp::ConfigChange &change);
    // After a change or load(): config() as it runs now.
    void configChanged(const metamcp::GatewayConfig &config);
    void logLine(const QString &server, const QString &line);

private:
    class Headers;
    struct Job;
    void runNext();
    void runJob(const std::shared_ptr<Job> &job);
    GatewayConfig prepare(const Edit &edit, QString *error) const;
    void storeSecrets(const std::shared_ptr<Job> &job, std::function<void(const QString &error)> done);
    QString persist(const GatewayConfig &next, const QList<ConfigChange> &changes);
    void commit(const GatewayConfig &next, const QList<ConfigChange> &changes);
    void applyRuntime();
    void ensureDefaultNamespace();

    Store &m_store;
    CredentialStore &m_credentials;
    UpstreamManager &m_upstreams;
    Router &m_router;
    McpHttpEndpoint *m_endpoint = nullptr;
    ListenHook m_listenHook;
    std::optional<ListenConfig> m_listenOverride;
    GatewayConfig m_config;                            // as stored, no secret values
    QHash<QString, QHash<QString, QString>> m_secrets; // server -> "header:X"/"env:Y" -> value (memory only)
    std::shared_ptr<Headers> m_headers;
    bool m_live = false;
    bool m_secretsLoaded = false;
    bool m_busy = false;
    std::deque<std::shared_ptr<Job>> m_queue;
};

} // namespace metamcp

Q_DECLARE_METATYPE(metamcp::ConfigChange)
