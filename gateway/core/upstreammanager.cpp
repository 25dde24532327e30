#include "core/upstreammanager.h"

#include "model/protocol.h"

#include <QLoggingCategory>
#include <QTimer>

#include <algorithm>
#include <deque>
#include <optional>

Q_LOGGING_CATEGORY(lcUpstreams, "metamcp.upstreams")

namespace {
// The owner of a spare instance: no session, caller or flow (Router::ownerSessions knows none).
const QString kSpareOwner = QStringLiteral("spare:");
} // namespace

namespace metamcp {

struct UpstreamManager::Instance
{
    std::unique_ptr<Upstream> upstream;
    std::unique_ptr<QTimer> idle; // restarted by every call; stops the instance once it is idle
    quint64 lastUsed = 0;         // use counter: the least recently used idle instance makes room
    quint64 serial = 0;           // "instance N" in the log (owners are session ids: not logged)
};

struct UpstreamManager::Entry
{
    std::unique_ptr<Upstream> upstream; // primary: registries, and every call when shared
    Registry registry;
    int pendingFetches = 0;                                 // list fetches under way for the current epoch
    quint64 epoch = 0;                                      // bumped whenever the upstream (re)turns Ready or stops
    std::map<QString, std::unique_ptr<Instance>> instances; // isolated ones, by owner
    std::deque<std::unique_ptr<Instance>> spares;           // started for the next owners (kSpareOwner until then)
    quint64 uses = 0;
    quint64 nextSerial = 1;
    QStringList unattributed; // server->client methods refused on the shared instance
    QString warning;
    QSet<QString> fetching;           // list methods being fetched
    std::unique_ptr<QTimer> ttlTimer; // fetches lists again when the first cache hint expires
};

struct UpstreamManager::Waiter
{
    QStringList names;
    QPointer<QObject> context;
    std::function<void()> done;
    std::unique_ptr<QTimer> timer;
    bool fired = false;
};

UpstreamManager::UpstreamManager(QObject *parent)
    : QObject(parent)
{}

UpstreamManager::~UpstreamManager()
{
    stopAll();
}

void UpstreamManager::apply(const QList<UpstreamConfig> &servers)
{
    QSet<QString> wanted;
    for (const UpstreamConfig &config : servers) {
        if (!config.enabled)
            continue;
        wanted.insert(config.name);
        auto it = m_entries.constFind(config.name);
        if (it != m_entries.cend() && it.value()->upstream->config() == config)
            continue;
        if (it != m_entries.cend() && !Upstream::needsRestart(it.value()->upstream->config(), config)) {
            // Headers only: every instance sends them from its next request on.
            Entry &entry = *it.value();
            entry.upstream->applyLiveConfig(config);
            for (const auto &[owner, inst] : entry.instances)
                inst->upstream->applyLiveConfig(config);
            for (const auto &spare : entry.spares)
                spare->upstream->applyLiveConfig(config);
            qCInfo(lcUpstreams).noquote() << "upstream" << config.name << "headers changed (no restart)";
            continue;
        }
        if (it != m_entries.cend())
            remove(config.name);
        add(config);
    }
    const QStringList running = m_entries.keys();
    for (const QString &name : running)
        if (!wanted.contains(name))
            remove(name);
    checkWaiters();
}

void UpstreamManager::stopAll()
{
    const QStringList running = m_entries.keys();
    for (const QString &name : running)
        remove(name);
}

bool UpstreamManager::restart(const QString &name)
{
    auto entry = m_entries.value(name);
    if (!entry)
        return false;
    entry->upstream->restart();
    return true;
}

Upstream *UpstreamManager::upstream(const QString &name) const
{
    auto entry = m_entries.value(name);
    return entry ? entry->upstream.get() : nullptr;
}

Upstream *UpstreamManager::instance(const QString &name, const QString &owner, QString *error)
{
    auto entry = m_entries.value(name);
    if (!entry) {
        *error = QStringLiteral("Upstream %1 is not running").arg(name);
        return nullptr;
    }
    const UpstreamConfig &config = entry->upstream->config();
    if (config.isolation == UpstreamIsolation::Shared)
        return entry->upstream.get();
    auto it = entry->instances.find(owner);
    if (it == entry->instances.end()) {
        if (int(entry->instances.size()) >= config.maxInstances) {
            // Make room: stop the idle instance that was used least recently.
            const Instance *victim = nullptr;
            QString victimOwner;
            for (const auto &[o, inst] : entry->instances) {
                if (inst->upstream->inFlight() + inst->upstream->queued() > 0)
                    continue;
                if (!victim || inst->lastUsed < victim->lastUsed) {
                    victim = inst.get();
                    victimOwner = o;
                }
            }
            if (!victim) {
                *error = QStringLiteral("Upstream %1 already runs its limit of %2 isolated instances, all busy")
                             .arg(name)
                             .arg(config.maxInstances);
                return nullptr;
            }
            stopInstance(name, victimOwner);
        }
        std::unique_ptr<Instance> inst;
        if (!entry->spares.empty()) {
            // A spare has started already: no cold start. The oldest one that is Ready, else
            // the oldest (it has had the most time to initialise).
            auto pick = std::find_if(entry->spares.begin(), entry->spares.end(),
                                     [](const auto &s) { return s->upstream->state() == UpstreamState::Ready; });
            if (pick == entry->spares.end())
                pick = entry->spares.begin();
            inst = std::move(*pick);
            entry->spares.erase(pick);
            m_owners.insert(inst->upstream.get(), owner);
        } else {
            inst = startInstance(name, config, owner);
        }
        it = entry->instances.emplace(owner, std::move(inst)).first;
        // The next owners' instances start now, while nobody waits for them.
        while (int(entry->spares.size()) < config.warmInstances &&
               int(entry->instances.size() + entry->spares.size()) < config.maxInstances) {
            entry->spares.push_back(startInstance(name, config, kSpareOwner));
            entry->spares.back()->idle->start();
        }
    }
    it->second->lastUsed = ++entry->uses;
    it->second->idle->start();
    return it->second->upstream.get();
}

std::unique_ptr<UpstreamManager::Instance>
UpstreamManager::startInstance(const QString &name, const UpstreamConfig &config, const QString &owner)
{
    auto entry = m_entries.value(name);
    auto inst = std::make_unique<Instance>();
    inst->upstream = m_factory(config, nullptr);
    inst->upstream->setQueueLimit(m_limits.maxUpstreamQueue);
    inst->upstream->setWriteBufferLimit(m_limits.maxStdioWriteBuffer);
    inst->upstream->setCredentialProvider(m_credentials);
    inst->serial = entry->nextSerial++;
    inst->idle = std::make_unique<QTimer>();
    inst->idle->setSingleShot(true);
    inst->idle->setInterval(config.instanceIdleMs);
    Upstream *u = inst->upstream.get();
    const QString tag = QStringLiteral("[instance %1] ").arg(inst->serial);
    // The owner is looked up when something happens: a spare gets its owner later.
    connect(inst->idle.get(), &QTimer::timeout, this, [this, name, u] {
        auto e = m_entries.value(name);
        if (!e)
            return;
        const QString o = m_owners.value(u);
        if (o == kSpareOwner) {
            const auto found =
                std::find_if(e->spares.begin(), e->spares.end(), [u](const auto &s) { return s->upstream.get() == u; });
            if (found != e->spares.end()) { // nobody came for it
                std::unique_ptr<Instance> spare = std::move(*found);
                e->spares.erase(found);
                retire(name, std::move(spare));
            }
            return;
        }
        if (!e->instances.count(o))
            return;
        const Instance &found = *e->instances.at(o);
        if (found.upstream->inFlight() + found.upstream->queued() > 0)
            found.idle->start(); // a call is still running: look again later
        else
            stopInstance(name, o);
    });
    connect(u, &Upstream::stateChanged, this, [this, name, tag](UpstreamState state, const QString &reason) {
        Q_EMIT logLine(name, tag + upstreamStateName(state) + (reason.isEmpty() ? QString() : u": " + reason));
    });
    connect(u, &Upstream::notificationReceived, this, [this, name, u](const QJsonObject &n) {
        if (const QString o = m_owners.value(u); o != kSpareOwner) // a spare has nobody to tell
            Q_EMIT notification(name, o, n);
    });
    connect(u, &Upstream::serverRequestReceived, this,
            [this, name, u](const QJsonObject &request) { Q_EMIT serverRequest(name, u, request); });
    connect(u, &Upstream::logLine, this, [this, name, tag](const QString &line) { Q_EMIT logLine(name, tag + line); });
    m_owners.insert(u, owner);
    qCInfo(lcUpstreams).noquote() << "upstream" << name << "starts isolated instance" << inst->serial;
    u->start();
    return inst;
}

QString UpstreamManager::ownerOf(const Upstream *upstream) const
{
    return m_owners.value(upstream);
}

void UpstreamManager::stopInstance(const QString &name, const QString &owner)
{
    auto entry = m_entries.value(name);
    if (!entry)
        return;
    auto node = entry->instances.extract(owner);
    if (!node.empty())
        retire(name, std::move(node.mapped()));
}

void UpstreamManager::retire(const QString &name, std::unique_ptr<Instance> inst)
{
    Upstream *u = inst->upstream.get();
    m_owners.remove(u);
    qCInfo(lcUpstreams).noquote() << "upstream" << name << "stops isolated instance" << inst->serial;
    Q_EMIT logLine(name, QStringLiteral("[instance %1] stopped").arg(inst->serial));
    u->disconnect(this);
    u->stop();
    // Let queued callbacks of the upstream run before it goes away; the idle timer may be the
    // one whose timeout got us here.
    inst->upstream.release()->deleteLater();
    inst->idle->stop();
    inst->idle.release()->deleteLater();
}

void UpstreamManager::release(const QString &owner)
{
    for (auto it = m_entries.cbegin(); it != m_entries.cend(); ++it)
        if (it.value()->instances.count(owner))
            stopInstance(it.key(), owner);
}

int UpstreamManager::instanceCount(const QString &name) const
{
    auto entry = m_entries.value(name);
    return entry ? int(entry->instances.size()) : 0;
}

void UpstreamManager::noteUnattributed(const QString &name, const QString &method, const QString &why)
{
    auto entry = m_entries.value(name);
    if (!entry)
        return;
    const QString line = QStringLiteral("[gateway] refused %1: %2").arg(method, why);
    qCWarning(lcUpstreams).noquote() << "upstream" << name << line;
    Q_EMIT logLine(name, line);
    if (!entry->unattributed.contains(method))
        entry->unattributed.append(method);
    entry->warning = QStringLiteral("It sent %1 while shared, which the gateway cannot attribute to one client, "
                                    "so it refused them. A server that asks its clients for sampling, elicitation "
                                    "or roots needs isolation per-session or per-principal.")
                         .arg(entry->unattributed.join(QStringLiteral(", ")));
}

const Registry *UpstreamManager::registry(const QString &name) const
{
    auto it = m_entries.constFind(name);
    return it == m_entries.cend() ? nullptr : &it.value()->registry;
}

QStringList UpstreamManager::names() const
{
    return m_entries.keys();
}

QList<UpstreamStatus> UpstreamManager::statuses() const
{
    QList<UpstreamStatus> list;
    list.reserve(m_entries.size());
    for (const auto &entry : m_entries) {
        const Upstream *u = entry->upstream.get();
        int inFlight = u->inFlight();
        for (const auto &[owner, inst] : entry->instances)
            inFlight += inst->upstream->inFlight();
        // A Ready upstream whose lists could not be fetched says why (its tools are missing).
        const QString reason = u->state() == UpstreamState::Ready && !entry->registry.error.isEmpty()
                                   ? QStringLiteral("could not list: ") + entry->registry.error
                                   : u->stateReason();
        list.append(UpstreamStatus{u->name(), u->config().kind, u->state(), reason, int(entry->registry.tools.size()),
                                   inFlight, u->serverInfo(), u->config().isolation, int(entry->instances.size()),
                                   entry->warning});
    }
    std::sort(list.begin(), list.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
    return list;
}

void UpstreamManager::add(const UpstreamConfig &config)
{
    auto entry = std::make_shared<Entry>();
    entry->upstream = m_factory(config, nullptr);
    entry->upstream->setQueueLimit(m_limits.maxUpstreamQueue);
    entry->upstream->setWriteBufferLimit(m_limits.maxStdioWriteBuffer);
    entry->upstream->setCredentialProvider(m_credentials);
    ++m_starts[config.name];
    Upstream *u = entry->upstream.get();
    const QString name = config.name;
    m_entries.insert(name, entry);

    connect(u, &Upstream::stateChanged, this, [this, name](UpstreamState state, const QString &reason) {
        auto e = m_entries.value(name);
        if (!e)
            return;
        ++e->epoch;
        e->pendingFetches = 0;
        e->fetching.clear();
        e->registry.hints.clear();
        if (e->ttlTimer)
            e->ttlTimer->stop();
        if (state == UpstreamState::Ready) {
            e->registry.loaded = false;
            e->registry.error.clear();
            refresh(name, QStringLiteral("all"));
        } else if (state != UpstreamState::Starting) {
            // Keep the last known lists visible in the console, but do not serve them.
            e->registry.loaded = false;
        }
        qCInfo(lcUpstreams).noquote() << "upstream" << name << upstreamStateName(state) << reason;
        Q_EMIT stateChanged(name, state, reason);
        Q_EMIT registryChanged(name);
        checkWaiters();
    });
    connect(u, &Upstream::notificationReceived, this, [this, name](const QJsonObject &n) {
        const QString method = n.value(QLatin1String("method")).toString();
        if (method == u"notifications/tools/list_changed")
            refresh(name, QStringLiteral("tools"));
        else if (method == u"notifications/resources/list_changed")
            refresh(name, QStringLiteral("resources"));
        else if (method == u"notifications/prompts/list_changed")
            refresh(name, QStringLiteral("prompts"));
        Q_EMIT notification(name, QString(), n);
    });
    connect(u, &Upstream::serverRequestReceived, this,
            [this, name, u](const QJsonObject &request) { Q_EMIT serverRequest(name, u, request); });
    connect(u, &Upstream::logLine, this, [this, name](const QString &line) { Q_EMIT logLine(name, line); });
    u->start();
}

void UpstreamManager::remove(const QString &name)
{
    auto entry = m_entries.value(name);
    if (!entry)
        return;
    while (!entry->instances.empty())
        stopInstance(name, entry->instances.begin()->first);
    while (!entry->spares.empty()) {
        std::unique_ptr<Instance> spare = std::move(entry->spares.front());
        entry->spares.pop_front();
        retire(name, std::move(spare));
    }
    m_entries.remove(name);
    entry->upstream->disconnect(this);
    entry->upstream->stop();
    // Let queued callbacks of the upstream run before it goes away.
    entry->upstream.release()->deleteLater();
    Q_EMIT stateChanged(name, UpstreamState::Stopped, QStringLiteral("removed"));
    Q_EMIT registryChanged(name);
}

void UpstreamManager::refresh(const QString &name, const QString &kind, bool onlyStale)
{
    auto entry = m_entries.value(name);
    if (!entry || entry->upstream->state() != UpstreamState::Ready)
        return;
    const QJsonObject caps = entry->upstream->serverCapabilities();
    struct Job
    {
        QString kind, method, key, capability;
        QJsonArray Registry::*field;
    };
    static const Job jobs[] = {
        {QStringLiteral("tools"), QStringLiteral("tools/list"), QStringLiteral("tools"), QStringLiteral("tools"),
         &Registry::tools},
        {QStringLiteral("resources"), QStringLiteral("resources/list"), QStringLiteral("resources"),
         QStringLiteral("resources"), &Registry::resources},
        {QStringLiteral("resources"), QStringLiteral("resources/templates/list"), QStringLiteral("resourceTemplates"),
         QStringLiteral("resources"), &Registry::resourceTemplates},
        {QStringLiteral("prompts"), QStringLiteral("prompts/list"), QStringLiteral("prompts"),
         QStringLiteral("prompts"), &Registry::prompts},
    };
    const quint64 epoch = entry->epoch;
    for (const Job &job : jobs) {
        if (kind != u"all" && kind != job.kind && kind != job.method)
            continue;
        if (onlyStale && (!entry->registry.hints.value(job.method).stale() || entry->fetching.contains(job.method)))
            continue;
        if (!caps.contains(job.capability)) {
            entry->registry.*job.field = QJsonArray();
            continue;
        }
        ++entry->pendingFetches;
        entry->fetching.insert(job.method);
        QJsonArray Registry::*field = job.field;
        const QString method = job.method;
        fetchPages(name, job.method, job.key, epoch, {}, {}, {}, 0,
                   [this, name, epoch, field, method](bool ok, const QJsonArray &items, const QString &error,
                                                      const CacheHint &hint) {
                       auto e = m_entries.value(name);
                       if (!e || e->epoch != epoch)
                           return;
                       e->fetching.remove(method);
                       if (ok) {
                           e->registry.*field = items;
                           CacheHint fresh = hint;
                           if (fresh.hinted)
                               fresh.fresh = QDeadlineTimer(fresh.ttlMs);
                           e->registry.hints.insert(method, fresh);
                           scheduleExpiry(name);
                       } else {
                           // The last list stays (stale) until a fetch succeeds.
                           e->registry.error = method + QLatin1String(": ") + error;
                       }
                       if (--e->pendingFetches == 0) {
                           e->registry.loaded = true;
                           ++e->registry.generation;
                           Q_EMIT registryChanged(name);
                           checkWaiters();
                       }
                   });
    }
    if (entry->pendingFetches == 0 && !entry->registry.loaded) {
        entry->registry.loaded = true;
        ++entry->registry.generation;
        Q_EMIT registryChanged(name);
        checkWaiters();
    }
}

void UpstreamManager::scheduleExpiry(const QString &name)
{
    auto entry = m_entries.value(name);
    if (!entry)
        return;
    // The first hint with a ttl to expire; ttl 0 lists are fetched when a client lists them.
    std::optional<qint64> first;
    for (const CacheHint &hint : std::as_const(entry->registry.hints))
        if (hint.hinted && hint.ttlMs > 0)
            first = std::min(first.value_or(hint.fresh.remainingTime()), hint.fresh.remainingTime());
    if (!first) {
        if (entry->ttlTimer)
            entry->ttlTimer->stop();
        return;
    }
    if (!entry->ttlTimer) {
        entry->ttlTimer = std::make_unique<QTimer>();
        entry->ttlTimer->setSingleShot(true);
        connect(entry->ttlTimer.get(), &QTimer::timeout, this, [this, name] {
            auto e = m_entries.value(name);
            if (!e || e->upstream->state() != UpstreamState::Ready)
                return;
            refresh(name, QStringLiteral("all"), true);
            scheduleExpiry(name); // for lists that were not due yet
        });
    }
    // At most once a second, whatever the upstream asks.
    entry->ttlTimer->start(int(std::clamp<qint64>(*first, 1000, 24 * 3'600'000)));
}

bool UpstreamManager::revalidate(const QString &name, const QString &method)
{
    auto entry = m_entries.value(name);
    if (!entry || entry->upstream->state() != UpstreamState::Ready)
        return false;
    refresh(name, method, true);
    return entry->fetching.contains(method);
}

void UpstreamManager::fetchPages(const QString &name, const QString &method, const QString &key, quint64 epoch,
                                 const QString &cursor, QJsonArray collected, CacheHint hint, int page,
                                 std::function<void(bool, const QJsonArray &, const QString &, const CacheHint &)> done)
{
    auto entry = m_entries.value(name);
    if (!entry || entry->epoch != epoch)
        return;
    QJsonObject params;
    if (!cursor.isEmpty())
        params.insert(QStringLiteral("cursor"), cursor);
    entry->upstream->sendRequest(
        method, params,
        [this, name, method, key, epoch, collected, hint, page,
         done = std::move(done)](const QJsonObject &response) mutable {
            if (jsonrpc::isError(response)) {
                done(false, collected, jsonrpc::errorMessage(response), hint);
                return;
            }
            const QJsonObject result = response.value(QLatin1String("result")).toObject();
            const QJsonArray items = result.value(key).toArray();
            for (const QJsonValue &v : items)
                collected.append(v);
            // 2026-07-28 cache hints; a stateless server that gives none means ttl 0, private.
            const auto e = m_entries.value(name);
            if ((e && e->upstream->isStateless()) || result.contains(QLatin1String("ttlMs"))) {
                const qint64 ttl = std::max<qint64>(0, result.value(QLatin1String("ttlMs")).toInteger(0));
                const bool isPublic = result.value(QLatin1String("cacheScope")).toString() == u"public";
                hint.ttlMs = hint.hinted ? std::min(hint.ttlMs, ttl) : ttl;
                hint.isPublic = hint.hinted ? hint.isPublic && isPublic : isPublic;
                hint.hinted = true;
            }
            const QString next = result.value(QLatin1String("nextCursor")).toString();
            if (next.isEmpty() || page + 1 >= kListPageLimit) {
                done(true, collected, {}, hint);
                return;
            }
            fetchPages(name, method, key, epoch, next, collected, hint, page + 1, std::move(done));
        });
}

bool UpstreamManager::isSettled(const QString &name) const
{
    auto entry = m_entries.value(name);
    if (!entry)
        return true;
    switch (entry->upstream->state()) {
    case UpstreamState::Ready:
        return entry->registry.loaded && entry->fetching.isEmpty();
    case UpstreamState::Starting:
        return false;
    case UpstreamState::Failing:
    case UpstreamState::Stopped:
        return true;
    }
    return true;
}

void UpstreamManager::whenLoaded(const QStringList &names, int deadlineMs, QObject *context, std::function<void()> done)
{
    auto waiter = std::make_shared<Waiter>();
    waiter->names = names;
    waiter->context = context;
    waiter->done = std::move(done);
    waiter->timer = std::make_unique<QTimer>();
    waiter->timer->setSingleShot(true);
    std::weak_ptr<Waiter> weak = waiter;
    connect(waiter->timer.get(), &QTimer::timeout, this, [this, weak] {
        auto w = weak.lock();
        if (!w || w->fired)
            return;
        w->fired = true;
        m_waiters.removeOne(w);
        if (w->context)
            w->done();
    });
    waiter->timer->start(deadlineMs);
    m_waiters.append(waiter);
    // Settled already: still answer asynchronously.
    QTimer::singleShot(0, this, [this] { checkWaiters(); });
}

void UpstreamManager::checkWaiters()
{
    const auto waiters = m_waiters;
    for (const auto &w : waiters) {
        if (w->fired)
            continue;
        const bool settled =
            std::all_of(w->names.cbegin(), w->names.cend(), [this](const QString &n) { return isSettled(n); });
        if (!settled)
            continue;
        w->fired = true;
        w->timer->stop();
        m_waiters.removeOne(w);
        if (w->context)
            w->done();
    }
}

} // namespace metamcp
