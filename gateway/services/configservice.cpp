#include "services/configservice.h"

#include "core/router.h"
#include "core/upstreammanager.h"
#include "mcp/mcphttpendpoint.h"
#include "services/credentialstore.h"
#include "services/store.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QRegularExpression>

#include <algorithm>

Q_LOGGING_CATEGORY(lcConfig, "metamcp.config")

namespace metamcp {

namespace {

const QRegularExpression &namespaceNameRegex()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    return re;
}

template<typename T> void diffValue(QStringList &fields, const QString &name, const T &a, const T &b)
{
    if (!(a == b))
        fields.append(name);
}

void diffMap(QStringList &fields, const QString &prefix, const QMap<QString, QString> &a,
             const QMap<QString, QString> &b)
{
    QStringList keys = a.keys() + b.keys();
    keys.removeDuplicates();
    std::sort(keys.begin(), keys.end());
    for (const QString &k : std::as_const(keys))
        if (a.contains(k) != b.contains(k) || a.value(k) != b.value(k))
            fields.append(prefix + k);
}

QStringList serverFields(const UpstreamConfig &a, const UpstreamConfig &b)
{
    QStringList f;
    diffValue(f, QStringLiteral("type"), a.kind, b.kind);
    diffValue(f, QStringLiteral("enabled"), a.enabled, b.enabled);
    diffValue(f, QStringLiteral("command"), a.command, b.command);
    diffValue(f, QStringLiteral("args"), a.args, b.args);
    diffMap(f, QStringLiteral("env."), a.env, b.env);
    diffValue(f, QStringLiteral("cwd"), a.cwd, b.cwd);
    diffValue(f, QStringLiteral("url"), a.url, b.url);
    diffMap(f, QStringLiteral("headers."), a.headers, b.headers);
    QStringList tools;
    for (const RestToolConfig &t : a.restTools)
        tools.append(t.name);
    for (const RestToolConfig &t : b.restTools)
        if (!tools.contains(t.name))
            tools.append(t.name);
    std::sort(tools.begin(), tools.end());
    auto find = [](const QList<RestToolConfig> &list, const QString &name) -> const RestToolConfig * {
        for (const RestToolConfig &t : list)
            if (t.name == name)
                return &t;
        return nullptr;
    };
    for (const QString &name : std::as_const(tools)) {
        const RestToolConfig *x = find(a.restTools, name);
        const RestToolConfig *y = find(b.restTools, name);
        if (!x || !y || !(*x == *y))
            f.append(QStringLiteral("tools.") + name);
    }
    if (f.filter(QRegularExpression(QStringLiteral("^tools\\."))).isEmpty()) {
        QStringList orderA, orderB;
        for (const RestToolConfig &t : a.restTools)
            orderA.append(t.name);
        for (const RestToolConfig &t : b.restTools)
            orderB.append(t.name);
        diffValue(f, QStringLiteral("tools"), orderA, orderB);
    }
    diffValue(f, QStringLiteral("requestTimeoutMs"), a.requestTimeoutMs, b.requestTimeoutMs);
    diffValue(f, QStringLiteral("maxConcurrency"), a.maxConcurrency, b.maxConcurrency);
    diffValue(f, QStringLiteral("startupTimeoutMs"), a.startupTimeoutMs, b.startupTimeoutMs);
    diffValue(f, QStringLiteral("isolation"), a.isolation, b.isolation);
    diffValue(f, QStringLiteral("maxInstances"), a.maxInstances, b.maxInstances);
    diffValue(f, QStringLiteral("instanceIdleMs"), a.instanceIdleMs, b.instanceIdleMs);
    diffValue(f, QStringLiteral("warmInstances"), a.warmInstances, b.warmInstances);
    // Which fields are secret (the values are compared above).
    const UpstreamConfig sa = a.withoutSecrets();
    const UpstreamConfig sb = b.withoutSecrets();
    QStringList secretA = sa.secretHeaders, secretB = sb.secretHeaders;
    secretA.sort(Qt::CaseInsensitive);
    secretB.sort(Qt::CaseInsensitive);
    diffValue(f, QStringLiteral("secretHeaders"), secretA, secretB);
    secretA = sa.secretEnv;
    secretB = sb.secretEnv;
    secretA.sort();
    secretB.sort();
    diffValue(f, QStringLiteral("secretEnv"), secretA, secretB);
    return f;
}

QStringList listenFields(const ListenConfig &a, const ListenConfig &b)
{
    QStringList f;
    diffValue(f, QStringLiteral("address"), a.address, b.address);
    diffValue(f, QStringLiteral("port"), a.port, b.port);
    diffValue(f, QStringLiteral("allowedOrigins"), a.allowedOrigins, b.allowedOrigins);
    diffValue(f, QStringLiteral("allowedHosts"), a.allowedHosts, b.allowedHosts);
    diffValue(f, QStringLiteral("tlsCertificateFile"), a.tlsCertificateFile, b.tlsCertificateFile);
    diffValue(f, QStringLiteral("tlsKeyFile"), a.tlsKeyFile, b.tlsKeyFile);
    diffValue(f, QStringLiteral("maxBodyBytes"), a.maxBodyBytes, b.maxBodyBytes);
    return f;
}

QString overrideKey(const QString &ns, const ToolOverride &o)
{
    return ns + QLatin1Char('/') + o.server + QLatin1Char('/') + o.tool;
}

} // namespace

QString configChangeKindName(ConfigChange::Kind kind)
{
    switch (kind) {
    case ConfigChange::Kind::Server:
        return QStringLiteral("server");
    case ConfigChange::Kind::Namespace:
        return QStringLiteral("namespace");
    case ConfigChange::Kind::ToolOverride:
        return QStringLiteral("toolOverride");
    case ConfigChange::Kind::Settings:
        return QStringLiteral("settings");
    }
    return {};
}

QString configChangeTypeName(ConfigChange::Type type)
{
    switch (type) {
    case ConfigChange::Type::Added:
        return QStringLiteral("added");
    case ConfigChange::Type::Changed:
        return QStringLiteral("changed");
    case ConfigChange::Type::Removed:
        return QStringLiteral("removed");
    }
    return {};
}

QList<ConfigChange> diffConfigs(const GatewayConfig &before, const GatewayConfig &after)
{
    using K = ConfigChange::Kind;
    using T = ConfigChange::Type;
    QList<ConfigChange> out;
    if (const QStringList f = listenFields(before.listen, after.listen); !f.isEmpty())
        out.append({K::Settings, QStringLiteral("listen"), T::Changed, f});

    auto names = [](const auto &a, const auto &b) {
        QStringList n;
        for (const auto &x : a)
            n.append(x.name);
        for (const auto &x : b)
            n.append(x.name);
        n.removeDuplicates();
        std::sort(n.begin(), n.end());
        return n;
    };
    for (const QString &name : names(before.servers, after.servers)) {
        const UpstreamConfig *a = before.server(name);
        const UpstreamConfig *b = after.server(name);
        if (!a)
            out.append({K::Server, name, T::Added, {}});
        else if (!b)
            out.append({K::Server, name, T::Removed, {}});
        else if (const QStringList f = serverFields(*a, *b); !f.isEmpty())
            out.append({K::Server, name, T::Changed, f});
    }
    QList<ConfigChange> overrides;
    for (const QString &name : names(before.namespaces, after.namespaces)) {
        const NamespaceConfig *a = before.ns(name);
        const NamespaceConfig *b = after.ns(name);
        if (!a)
            out.append({K::Namespace, name, T::Added, {}});
        else if (!b)
            out.append({K::Namespace, name, T::Removed, {}});
        else {
            QStringList f;
            diffValue(f, QStringLiteral("description"), a->description, b->description);
            diffValue(f, QStringLiteral("servers"), a->servers, b->servers);
            diffValue(f, QStringLiteral("separator"), a->separator, b->separator);
            diffValue(f, QStringLiteral("prefixNames"), a->prefixNames, b->prefixNames);
            diffValue(f, QStringLiteral("requireApiKey"), a->requireApiKey, b->requireApiKey);
            if (!f.isEmpty())
                out.append({K::Namespace, name, T::Changed, f});
        }
        // Overrides of an added or removed namespace come and go with it.
        if (!a || !b)
            continue;
        QMap<QString, ToolOverride> oa, ob;
        for (const ToolOverride &o : a->toolOverrides)
            oa.insert(overrideKey(name, o), o);
        for (const ToolOverride &o : b->toolOverrides)
            ob.insert(overrideKey(name, o), o);
        QStringList keys = oa.keys() + ob.keys();
        keys.removeDuplicates();
        std::sort(keys.begin(), keys.end());
        for (const QString &key : std::as_const(keys)) {
            if (!oa.contains(key))
                overrides.append({K::ToolOverride, key, T::Added, {}});
            else if (!ob.contains(key))
                overrides.append({K::ToolOverride, key, T::Removed, {}});
            else {
                QStringList f;
                diffValue(f, QStringLiteral("enabled"), oa[key].enabled, ob[key].enabled);
                diffValue(f, QStringLiteral("rename"), oa[key].rename, ob[key].rename);
                diffValue(f, QStringLiteral("description"), oa[key].description, ob[key].description);
                if (!f.isEmpty())
                    overrides.append({K::ToolOverride, key, T::Changed, f});
            }
        }
    }
    out.append(overrides);
    return out;
}

// The headers of every HTTP, SSE and REST upstream, secret values included; what the
// transports send with each request.
class ConfigService::Headers final : public CredentialProvider
{
public:
    std::optional<QMap<QString, QString>> requestHeaders(const QString &server) const override
    {
        auto it = m_headers.constFind(server);
        if (it == m_headers.cend())
            return std::nullopt;
        return *it;
    }
    QHash<QString, QMap<QString, QString>> m_headers;
};

struct ConfigService::Job
{
    Edit edit;
    bool dryRun = false;
    Done done;
    GatewayConfig next;
    QList<ConfigChange> changes;
};

ConfigService::ConfigService(Store &store, CredentialStore &credentials, UpstreamManager &upstreams, Router &router,
                             QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_credentials(credentials)
    , m_upstreams(upstreams)
    , m_router(router)
    , m_headers(std::make_shared<Headers>())
{
    m_upstreams.setCredentialProvider(m_headers);
}

ConfigService::~ConfigService() = default;

std::shared_ptr<const CredentialProvider> ConfigService::credentialProvider() const
{
    return m_headers;
}

GatewayConfig ConfigService::config() const
{
    GatewayConfig c = m_config;
    if (m_listenOverride)
        c.listen = *m_listenOverride;
    return c;
}

GatewayConfig ConfigService::resolvedConfig() const
{
    GatewayConfig c = config();
    for (UpstreamConfig &server : c.servers) {
        const auto secrets = m_secrets.value(server.name);
        for (auto it = secrets.cbegin(); it != secrets.cend(); ++it)
            server.setSecretValue(it.key(), it.value());
    }
    return c;
}

void ConfigService::ensureDefaultNamespace()
{
    if (m_config.ns(kDefaultNamespace))
        return;
    NamespaceConfig def;
    def.name = kDefaultNamespace;
    def.description = QStringLiteral("Served at /mcp and /sse");
    m_store.upsertNamespace(def);
    m_config.namespaces.prepend(def);
}

void ConfigService::load()
{
    m_secretsLoaded = false;
    m_secrets.clear();
    m_config = m_store.loadConfig();
    ensureDefaultNamespace();
    applyRuntime();
    Q_EMIT configChanged(config());
}

void ConfigService::loadSecrets(std::function<void()> done)
{
    auto pending = std::make_shared<int>(1);
    QPointer<ConfigService> self = this;
    auto finishOne = [pending, done, self] {
        if (--*pending > 0)
            return;
        if (self) {
            self->m_secretsLoaded = true;
            self->runNext();
        }
        if (done)
            done();
    };
    for (const UpstreamConfig &server : std::as_const(m_config.servers)) {
        for (const QString &field : server.secretFields()) {
            ++*pending;
            const QString name = server.name;
            m_credentials.read(
                CredentialStore::serverKey(name, field),
                [self, name, field, finishOne](const QString &error, const std::optional<QString> &value) {
                    if (self) {
                        if (!error.isEmpty())
                            Q_EMIT self->logLine(name, QStringLiteral("The credential %1 could not be "
                                                                      "read: %2")
                                                           .arg(field, error));
                        else if (!value)
                            Q_EMIT self->logLine(name,
                                                 QStringLiteral("The credential %1 is not in the keychain").arg(field));
                        else
                            self->m_secrets[name].insert(field, *value);
                    }
                    finishOne();
                });
        }
    }
    finishOne();
}

void ConfigService::setUpstreamsLive(bool live)
{
    m_live = live;
    if (live)
        applyRuntime();
}

void ConfigService::applyRuntime()
{
    const GatewayConfig effective = config();
    m_router.setConfig(effective);
    if (m_endpoint)
        m_endpoint->setListenConfig(effective.listen);
    // Headers per request (secret values included); everything else as the upstream's config,
    // with the secret environment values a process needs at spawn.
    const GatewayConfig resolved = resolvedConfig();
    m_headers->m_headers.clear();
    QList<UpstreamConfig> upstreams;
    for (const UpstreamConfig &server : resolved.servers) {
        UpstreamConfig running = server.withoutSecrets();
        QMap<QString, QString> headers;
        for (auto it = server.headers.cbegin(); it != server.headers.cend(); ++it)
            if (!it.value().isEmpty() || !running.secretHeaders.contains(it.key()))
                headers.insert(it.key(), it.value());
        if (server.kind != UpstreamKind::Stdio)
            m_headers->m_headers.insert(server.name, headers);
        for (const QString &field : running.secretFields())
            if (field.startsWith(QLatin1String("env:")))
                running.setSecretValue(field, server.secretValue(field));
        upstreams.append(running);
    }
    if (m_live)
        m_upstreams.apply(upstreams);
}

QStringList ConfigService::validate(const GatewayConfig &config)
{
    QStringList problems;
    QStringList seen;
    for (const UpstreamConfig &server : config.servers) {
        const QString where = QStringLiteral("servers.%1").arg(server.name);
        if (seen.contains(server.name))
            problems.append(QStringLiteral("%1: the name is used twice").arg(where));
        seen.append(server.name);
        if (const QString p = server.validate(); !p.isEmpty())
            problems.append(QStringLiteral("%1: %2").arg(where, p));
    }
    seen.clear();
    if (!config.ns(kDefaultNamespace))
        problems.append(QStringLiteral("namespaces: the default namespace cannot be removed"));
    for (const NamespaceConfig &ns : config.namespaces) {
        const QString where = QStringLiteral("namespaces.%1").arg(ns.name);
        if (!namespaceNameRegex().match(ns.name).hasMatch())
            problems.append(
                QStringLiteral("%1: a namespace name may only contain letters, digits, '-' and '_'").arg(where));
        if (seen.contains(ns.name))
            problems.append(QStringLiteral("%1: the name is used twice").arg(where));
        seen.append(ns.name);
        for (const QString &server : ns.servers)
            if (!config.server(server))
                problems.append(QStringLiteral("%1.servers: there is no server named %2").arg(where, server));
        if (ns.separator.isEmpty())
            problems.append(QStringLiteral("%1.separator: the tool name separator must not be empty").arg(where));
        QStringList tools;
        for (const ToolOverride &o : ns.toolOverrides) {
            if (o.server.isEmpty() || o.tool.isEmpty())
                problems.append(QStringLiteral("%1.overrides: an override needs a server and a tool").arg(where));
            const QString key = o.server + QLatin1Char('/') + o.tool;
            if (tools.contains(key))
                problems.append(QStringLiteral("%1.overrides: %2 is overridden twice").arg(where, key));
            tools.append(key);
        }
    }
    if (config.listen.maxBodyBytes < 1024)
        problems.append(QStringLiteral("settings.listen.maxBodyBytes: at least 1024"));
    return problems;
}

GatewayConfig ConfigService::prepare(const Edit &edit, QString *error) const
{
    GatewayConfig next = resolvedConfig();
    if (const QString refused = edit(next); !refused.isEmpty()) {
        *error = refused;
        return {};
    }
    // A secret left empty keeps what the keychain has.
    for (UpstreamConfig &server : next.servers)
        for (const QString &field : server.secretFields())
            if (server.secretValue(field).isEmpty())
                if (const QString kept = m_secrets.value(server.name).value(field); !kept.isEmpty())
                    server.setSecretValue(field, kept);
    if (const QStringList problems = validate(next); !problems.isEmpty()) {
        *error = problems.join(QLatin1Char('\n'));
        return {};
    }
    error->clear();
    return next;
}

QList<ConfigChange> ConfigService::preview(const Edit &edit, QString *error) const
{
    const GatewayConfig next = prepare(edit, error);
    if (!error->isEmpty())
        return {};
    return diffConfigs(resolvedConfig(), next);
}

void ConfigService::change(Edit edit, Done done)
{
    auto job = std::make_shared<Job>();
    job->edit = std::move(edit);
    job->done = std::move(done);
    m_queue.push_back(job);
    runNext();
}

void ConfigService::plan(Edit edit, Done done)
{
    auto job = std::make_shared<Job>();
    job->edit = std::move(edit);
    job->dryRun = true;
    job->done = std::move(done);
    m_queue.push_back(job);
    runNext();
}

void ConfigService::runNext()
{
    if (m_busy || m_queue.empty() || !m_secretsLoaded)
        return;
    std::shared_ptr<Job> job = m_queue.front();
    m_queue.pop_front();
    m_busy = true;
    runJob(job);
}

void ConfigService::runJob(const std::shared_ptr<Job> &job)
{
    QPointer<ConfigService> self = this;
    auto finish = [self, job](const QString &error) {
        if (!self)
            return;
        self->m_busy = false;
        if (job->done)
            job->done(error, error.isEmpty() ? job->changes : QList<ConfigChange>());
        self->runNext();
    };
    // 1. validate
    QString error;
    job->next = prepare(job->edit, &error);
    if (!error.isEmpty())
        return finish(error);
    job->changes = diffConfigs(resolvedConfig(), job->next);
    if (job->changes.isEmpty() || job->dryRun)
        return finish({});
    // 2. secrets
    storeSecrets(job, [self, job, finish](const QString &error) {
        if (!self)
            return;
        if (!error.isEmpty())
            return finish(error);
        // 3. persist (and move the listener), all or nothing
        if (const QString failed = self->persist(job->next, job->changes); !failed.isEmpty())
            return finish(failed);
        // 4. apply, 5. tell
        self->commit(job->next, job->changes);
        finish({});
    });
}

void ConfigService::storeSecrets(const std::shared_ptr<Job> &job, std::function<void(const QString &)> done)
{
    auto pending = std::make_shared<int>(1);
    auto failed = std::make_shared<QString>();
    auto finishOne = [pending, failed, done] {
        if (--*pending == 0)
            done(*failed);
    };
    for (const UpstreamConfig &server : std::as_const(job->next.servers)) {
        for (const QString &field : server.secretFields()) {
            const QString value = server.secretValue(field);
            if (value.isEmpty() || m_secrets.value(server.name).value(field) == value)
                continue;
            ++*pending;
            m_credentials.write(CredentialStore::serverKey(server.name, field), value,
                                [failed, field, finishOne](const QString &error) {
                                    if (!error.isEmpty() && failed->isEmpty())
                                        *failed =
                                            QStringLiteral("The secret %1 could not be stored: %2").arg(field, error);
                                    finishOne();
                                });
        }
    }
    finishOne();
}

QString ConfigService::persist(const GatewayConfig &next, const QList<ConfigChange> &changes)
{
    using K = ConfigChange::Kind;
    using T = ConfigChange::Type;
    QSet<QString> namespacesToWrite;
    for (const ConfigChange &c : changes) {
        if (c.kind == K::Namespace && c.type != T::Removed)
            namespacesToWrite.insert(c.name);
        if (c.kind == K::ToolOverride)
            namespacesToWrite.insert(c.name.section(QLatin1Char('/'), 0, 0));
    }
    QString listenError;
    const bool ok = m_store.transaction([&] {
        for (const ConfigChange &c : changes)
            if (c.kind == K::Server && c.type != T::Removed &&
                !m_store.upsertServer(next.server(c.name)->withoutSecrets()))
                return false;
        for (const ConfigChange &c : changes)
            if (c.kind == K::Namespace && c.type == T::Removed && !m_store.removeNamespace(c.name))
                return false;
        for (const ConfigChange &c : changes)
            if (c.kind == K::Server && c.type == T::Removed && !m_store.removeServer(c.name))
                return false;
        // In the order of the new configuration (new namespaces are appended in that order).
        for (const NamespaceConfig &ns : next.namespaces)
            if (namespacesToWrite.contains(ns.name) && !m_store.upsertNamespace(ns))
                return false;
        for (const ConfigChange &c : changes) {
            if (c.kind != K::Settings)
                continue;
            if (!m_store.saveListenConfig(next.listen))
                return false;
            if (m_listenHook)
                if (listenError = m_listenHook(next.listen); !listenError.isEmpty())
                    return false;
        }
        return true;
    });
    if (ok)
        return {};
    return listenError.isEmpty() ? m_store.lastError() : listenError;
}

void ConfigService::commit(const GatewayConfig &next, const QList<ConfigChange> &changes)
{
    const GatewayConfig before = m_config;
    m_config = m_store.loadConfig();
    ensureDefaultNamespace();
    if (std::any_of(changes.cbegin(), changes.cend(),
                    [](const ConfigChange &c) { return c.kind == ConfigChange::Kind::Settings; }))
        m_listenOverride.reset();

    // The secrets now in the keychain; fields that went away leave it.
    QHash<QString, QHash<QString, QString>> secrets;
    for (const UpstreamConfig &server : next.servers)
        for (const QString &field : server.secretFields())
            if (const QString value = server.secretValue(field); !value.isEmpty())
                secrets[server.name].insert(field, value);
    for (const UpstreamConfig &old : before.servers) {
        const UpstreamConfig *now = next.server(old.name);
        const QStringList kept = now ? now->secretFields() : QStringList();
        for (const QString &field : old.secretFields()) {
            if (kept.contains(field))
                continue;
            m_credentials.remove(CredentialStore::serverKey(old.name, field),
                                 [self = QPointer<ConfigService>(this), name = old.name](const QString &error) {
                                     if (self && !error.isEmpty())
                                         Q_EMIT self->logLine(name, error);
                                 });
        }
    }
    m_secrets = secrets;

    applyRuntime();
    for (const ConfigChange &c : changes) {
        qCInfo(lcConfig).noquote() << configChangeKindName(c.kind) << c.name << configChangeTypeName(c.type)
                                   << c.fields.join(QLatin1Char(','));
        Q_EMIT changed(c);
    }
    Q_EMIT configChanged(config());
}

// ---- the edits of the console and the importers -------------------------------------------

void ConfigService::upsertServer(const UpstreamConfig &server, const QStringList &addToNamespaces, Done done)
{
    if (const QString problem = server.validate(); !problem.isEmpty()) {
        if (done)
            done(problem, {});
        return;
    }
    change(
        [server, addToNamespaces](GatewayConfig &next) -> QString {
            auto it = std::find_if(next.servers.begin(), next.servers.end(),
                                   [&](const UpstreamConfig &s) { return s.name == server.name; });
            if (it == next.servers.end())
                next.servers.append(server);
            else
                *it = server;
            for (const QString &nsName : addToNamespaces) {
                auto ns = std::find_if(next.namespaces.begin(), next.namespaces.end(),
                                       [&](const NamespaceConfig &n) { return n.name == nsName; });
                if (ns == next.namespaces.end()) {
                    NamespaceConfig created;
                    created.name = nsName;
                    next.namespaces.append(created);
                    ns = next.namespaces.end() - 1;
                }
                if (!ns->servers.contains(server.name))
                    ns->servers.append(server.name);
            }
            return {};
        },
        std::move(done));
}

void ConfigService::removeServer(const QString &name, Done done)
{
    change(
        [name](GatewayConfig &next) -> QString {
            const auto removed = next.servers.removeIf([&](const UpstreamConfig &s) { return s.name == name; });
            if (removed == 0)
                return QStringLiteral("There is no server named %1.").arg(name);
            for (NamespaceConfig &ns : next.namespaces) {
                ns.servers.removeAll(name);
                ns.toolOverrides.removeIf([&](const ToolOverride &o) { return o.server == name; });
            }
            return {};
        },
        std::move(done));
}

void ConfigService::upsertNamespace(const NamespaceConfig &ns, Done done)
{
    change(
        [ns](GatewayConfig &next) -> QString {
            if (!namespaceNameRegex().match(ns.name).hasMatch())
                return QStringLiteral("A namespace name may only contain letters, digits, '-' and '_'.");
            for (const QString &server : ns.servers)
                if (!next.server(server))
                    return QStringLiteral("There is no server named %1.").arg(server);
            if (ns.separator.isEmpty())
                return QStringLiteral("The tool name separator must not be empty.");
            auto it = std::find_if(next.namespaces.begin(), next.namespaces.end(),
                                   [&](const NamespaceConfig &n) { return n.name == ns.name; });
            if (it == next.namespaces.end())
                next.namespaces.append(ns);
            else
                *it = ns;
            return {};
        },
        std::move(done));
}

void ConfigService::removeNamespace(const QString &name, Done done)
{
    change(
        [name](GatewayConfig &next) -> QString {
            if (name == kDefaultNamespace)
                return QStringLiteral("The default namespace cannot be removed.");
            if (next.namespaces.removeIf([&](const NamespaceConfig &n) { return n.name == name; }) == 0)
                return QStringLiteral("No namespace named \"%1\"").arg(name);
            return {};
        },
        std::move(done));
}

void ConfigService::setToolOverride(const QString &nsName, const ToolOverride &override_, Done done)
{
    change(
        [nsName, override_](GatewayConfig &next) -> QString {
            auto ns = std::find_if(next.namespaces.begin(), next.namespaces.end(),
                                   [&](const NamespaceConfig &n) { return n.name == nsName; });
            if (ns == next.namespaces.end())
                return QStringLiteral("There is no namespace named %1.").arg(nsName);
            auto it = std::find_if(ns->toolOverrides.begin(), ns->toolOverrides.end(), [&](const ToolOverride &o) {
                return o.server == override_.server && o.tool == override_.tool;
            });
            if (it == ns->toolOverrides.end())
                ns->toolOverrides.append(override_);
            else
                *it = override_;
            return {};
        },
        std::move(done));
}

void ConfigService::setListenConfig(const ListenConfig &listen, Done done)
{
    change(
        [listen](GatewayConfig &next) -> QString {
            next.listen = listen;
            return {};
        },
        std::move(done));
}

} // namespace metamcp
