#pragma once

// The bookkeeping of 2026-07-28 multi-round requests (input_required), apart from the Router
// that moves their messages: which flows wait for a client's retry, in which namespace and
// round, until when, and how many at most; and the requestState tokens that name them.
//
// A token is "<flow id>.<round>.<MAC>", the MAC an HMAC-SHA256 (QMessageAuthenticationCode)
// of id, round and namespace under a key of this process. A token resolves only to its own
// flow, in its own namespace, in the current round: a token of an earlier round, of another
// namespace, a tampered one or one of an expired flow is refused. Each flow expires when its
// timeout passes without touch() (time from an injected Clock, so tests move it by hand); its
// expiry callback then runs once and the flow is gone. Gateway thread only.

#include "model/clock.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <functional>

namespace metamcp {

class InputBroker
{
    Q_DISABLE_COPY_MOVE(InputBroker)
public:
    // `clock`: not owned; nullptr is Clock::steady().
    explicit InputBroker(Clock *clock = nullptr);
    ~InputBroker();

    // Before any flow is opened.
    void setClock(Clock *clock);
    Clock &clock() const { return *m_clock; }
    // How long a flow waits for the client's retry (restarted by touch()).
    void setTimeoutMs(qint64 ms) { m_timeoutMs = ms; }
    qint64 timeoutMs() const { return m_timeoutMs; }
    // Most flows at once (0: no bound). open() refuses beyond it.
    void setCapacity(int flows) { m_capacity = flows; }
    int capacity() const { return m_capacity; }
    int size() const { return int(m_flows.size()); }
    bool isFull() const { return m_capacity > 0 && size() >= m_capacity; }

    // A new flow of namespace `ns`, in round 0, its timeout started; its id begins with `kind`
    // (a letter that tells the owner's kinds of flows apart). Empty when isFull(). `expired` gets
    // the id when the flow times out.
    QString open(const QString &ns, QChar kind, std::function<void(const QString &id)> expired);
    bool contains(const QString &id) const { return m_flows.contains(id); }
    QString namespaceOf(const QString &id) const;
    // Restarts the flow's timeout.
    void touch(const QString &id);
    // Forgets the flow; its expiry callback will not run.
    void close(const QString &id);
    // Starts the flow's next round (its timeout restarted) and returns that round's token;
    // tokens of earlier rounds stop resolving. Empty for an unknown flow.
    QString nextRound(const QString &id);
    // The flow id a token names, if it is the current round's token of an open flow of `ns`;
    // else empty.
    QString resolve(const QString &token, const QString &ns) const;

private:
    struct Flow
    {
        QString ns;
        quint64 round = 0;
        Clock::Handle expiry = 0;
        std::function<void(const QString &id)> expired;
    };
    void arm(const QString &id, Flow &flow);
    QString tokenFor(const QString &id, const Flow &flow) const;

    Clock *m_clock;
    QByteArray m_key; // HMAC key of tokens (per process)
    qint64 m_timeoutMs = 10 * 60 * 1000;
    int m_capacity = 0;
    QHash<QString, Flow> m_flows;
};

} // namespace metamcp
