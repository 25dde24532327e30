#pragma once

// Owns the running Upstream objects and their registries (tools, resources, resource
// templates, prompts as last listed), on the gateway thread. apply() diffs a new server
// list against the running set: new servers start, removed ones stop, changed ones restart.
// A registry is fetched (all pages) when its upstream turns Ready and again on
// notifications/*/list_changed.

#include "core/config.h"
#include "core/events.h"
#include "upstream/upstream.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QObject>

#include <functional>
#include <memory>

namespace metamcp {

struct Registry
{
    QJsonArray tools;
    QJsonArray resources;
    QJsonArray resourceTemplates;
    QJsonArray prompts;
    bool loaded = false; // a complete fetch finished since the upstream became Ready
    QString error;       // last fetch error, if any
    quint64 generation = 0;
};

class UpstreamManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamManager)
public:
    explicit UpstreamManager(QObject *parent = nullptr);
    ~UpstreamManager() override;

    void apply(const QList<UpstreamConfig> &servers);
    void stopAll();
    bool restart(const QString &name);

    Upstream *upstream(const QString &name) const;
    const Registry *registry(const QString &name) const;
    QStringList names() const;
    QList<UpstreamStatus> statuses() const;

    // Calls `done` (on this thread, never synchronously) once every upstream in `names` that
    // is starting or ready has a loaded registry, or after `deadlineMs`, whichever is first.
    // Stopped/failing upstreams are not waited for.
    void whenLoaded(const QStringList &names, int deadlineMs, QObject *context, std::function<void()> done);

    static constexpr int kListPageLimit = 100; // pages fetched per list at most

Q_SIGNALS:
    void stateChanged(const QString &name, metamcp::UpstreamState state, const QString &reason);
    void registryChanged(const QString &name);
    // Unrelated upstream notifications (after the manager consumed list_changed itself).
    void notification(const QString &name, const QJsonObject &notification);
    void serverRequest(const QString &name, const QJsonObject &request);
    void logLine(const QString &name, const QString &line);

private:
    struct Entry;
    struct Waiter;
    void add(const UpstreamConfig &config);
    void remove(const QString &name);
    void refresh(const QString &name, const QString &kind); // kind: tools/resources/templates/prompts/all
    void fetchPages(const QString &name, const QString &method, const QString &key, quint64 epoch,
                    const QString &cursor, QJsonArray collected, int page,
                    std::function<void(bool ok, const QJsonArray &items, const QString &error)> done);
    void checkWaiters();
    bool isSettled(const QString &name) const;

    QHash<QString, std::shared_ptr<Entry>> m_entries;
    QList<std::shared_ptr<Waiter>> m_waiters;
};

} // namespace metamcp
