#pragma once

// Owns the running Upstream objects and their registries (tools, resources, resource
// templates, prompts as last listed), on the gateway thread. apply() diffs a new server
// list against the running set: new servers start, removed ones stop, changed ones restart,
// except when only the headers of an HTTP, SSE or REST server changed (Upstream::needsRestart):
// those are sent per request (from the CredentialProvider), so the running upstream keeps its
// process or session and takes the new config as it is.
// A registry is fetched (all pages) when its upstream turns Ready and again on
// notifications/*/list_changed. A 2026-07-28 upstream's lists carry cache hints (ttlMs,
// cacheScope): such a list is fetched again when its ttlMs has passed (in the background, at most
// once a second) and whenever a client lists while it is stale (revalidate(); ttlMs 0 means every
// time). Upstreams without hints keep their lists until they say a list changed.
//
// Isolation (UpstreamConfig::isolation): every enabled server has one primary instance, which
// serves the registries and, when the server is shared, every call. An isolated server also
// runs instances owned by one client session or caller (`owner`, chosen by the Router): started
// on demand by instance(), stopped when their owner goes (release()) or after instanceIdleMs
// without a call, at most maxInstances at once. Messages an instance sends that no call claims
// carry its owner, so the Router can hand them to that owner and nobody else.

#include "model/config.h"
#include "model/events.h"
#include "model/limits.h"
#include "upstream/upstreamfactory.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QObject>

#include <functional>
#include <map>
#include <memory>

namespace metamcp {

// The cache hints of one list as the upstream gave them (2026-07-28 ttlMs/cacheScope), combined
// over its pages: the shortest ttl, private if any page is.
struct CacheHint
{
    bool hinted = false; // the upstream gave hints (else: fresh until it says the list changed)
    qint64 ttlMs = 0;
    bool isPublic = false;
    QDeadlineTimer fresh; // until when the list is fresh (from ttlMs, when fetched)

    bool stale() const { return hinted && fresh.hasExpired(); }
};

struct Registry
{
    QJsonArray tools;
    QJsonArray resources;
    QJsonArray resourceTemplates;
    QJsonArray prompts;
    bool loaded = false; // a complete fetch finished since the upstream became Ready
    QString error;       // last fetch error, if any
    quint64 generation = 0;
    QHash<QString, CacheHint> hints; // by list method ("tools/list", ...)
};

class UpstreamManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamManager)
public:
    explicit UpstreamManager(QObject *parent = nullptr);
    ~UpstreamManager() override;

    // Where upstreams come from (default: createUpstream, the real transports).
    void setFactory(UpstreamFactory factory) { m_factory = std::move(factory); }
    // Queue and stdio write bounds for the upstreams started from now on.
    void setLimits(const McpLimits &limits) { m_limits = limits; }
    // Where the HTTP transports get their per-request headers (secret values included); handed
    // to every upstream started from now on.
    void setCredentialProvider(std::shared_ptr<const CredentialProvider> provider)
    {
        m_credentials = std::move(provider);
    }

    void apply(const QList<UpstreamConfig> &servers);
    void stopAll();
    bool restart(const QString &name);
    // How often the primary instance of `name` was created (started or restarted by apply());
    // restart() of a running upstream and its own reconnects do not count.
    int starts(const QString &name) const { return m_starts.value(name); }

    Upstream *upstream(const QString &name) const;
    // The instance that serves a call of `owner` (non-empty): the primary for a shared server,
    // else the owner's own instance, started if needed. nullptr with `error` set when the
    // server is unknown or its limit of isolated instances is reached by busy instances.
    Upstream *instance(const QString &name, const QString &owner, QString *error);
    // The owner of an isolated instance ("" for a primary or an unknown upstream).
    QString ownerOf(const Upstream *upstream) const;
    // Stops every isolated instance that `owner` owns (its session ended, its call finished).
    void release(const QString &owner);
    int instanceCount(const QString &name) const;
    // Records (for the console and the log) that a shared server sent `method` (sampling,
    // elicitation, roots) that could not be given to one client, and `why`.
    void noteUnattributed(const QString &name, const QString &method, const QString &why);
    const Registry *registry(const QString &name) const;
    QStringList names() const;
    QList<UpstreamStatus> statuses() const;

    // Calls `done` (on this thread, never synchronously) once every upstream in `names` that
    // is starting or ready has a loaded registry, or after `deadlineMs`, whichever is first.
    // Stopped/failing upstreams are not waited for.
    void whenLoaded(const QStringList &names, int deadlineMs, QObject *context, std::function<void()> done);
    // Fetches `method`'s list of upstream `name` again if its cache hint says it is stale (and no
    // fetch of it is under way). True when a fetch is under way: whenLoaded() waits for it.
    bool revalidate(const QString &name, const QString &method);

    static constexpr int kListPageLimit = 100; // pages fetched per list at most

Q_SIGNALS:
    void stateChanged(const QString &name, metamcp::UpstreamState state, const QString &reason);
    void registryChanged(const QString &name);
    // Unrelated upstream notifications (after the manager consumed the primary's list_changed);
    // `owner` is the sending instance's owner ("" for the primary).
    void notification(const QString &name, const QString &owner, const QJsonObject &notification);
    // A server->client request no call claimed; answer it through `source`.
    void serverRequest(const QString &name, metamcp::Upstream *source, const QJsonObject &request);
    void logLine(const QString &name, const QString &line);

private:
    struct Entry;
    struct Instance;
    struct Waiter;
    void add(const UpstreamConfig &config);
    std::unique_ptr<Instance> startInstance(const QString &name, const UpstreamConfig &config, const QString &owner);
    void stopInstance(const QString &name, const QString &owner);
    void retire(const QString &name, std::unique_ptr<Instance> instance);
    void remove(const QString &name);
    // kind: tools/resources/prompts/all, or a list method; onlyStale: only lists whose cache
    // hint has expired and that are not being fetched already.
    void refresh(const QString &name, const QString &kind, bool onlyStale = false);
    void
    fetchPages(const QString &name, const QString &method, const QString &key, quint64 epoch, const QString &cursor,
               QJsonArray collected, CacheHint hint, int page,
               std::function<void(bool ok, const QJsonArray &items, const QString &error, const CacheHint &hint)> done);
    void scheduleExpiry(const QString &name);
    void checkWaiters();
    bool isSettled(const QString &name) const;

    McpLimits m_limits;
    UpstreamFactory m_factory = [](const UpstreamConfig &config, QObject *parent) {
        return createUpstream(config, parent);
    };
    QHash<QString, std::shared_ptr<Entry>> m_entries;
    QHash<const Upstream *, QString> m_owners; // isolated instances -> owner
    std::shared_ptr<const CredentialProvider> m_credentials;
    QHash<QString, int> m_starts;
    QList<std::shared_ptr<Waiter>> m_waiters;
};

} // namespace metamcp
