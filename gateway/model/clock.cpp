#include "model/clock.h"

#include <QElapsedTimer>
#include <QThreadStorage>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace metamcp {

struct SteadyClock::Private
{
    QElapsedTimer elapsed;
    Handle next = 1;
    std::unordered_map<Handle, std::unique_ptr<QTimer>> timers;
};

SteadyClock::SteadyClock()
    : d(std::make_unique<Private>())
{
    d->elapsed.start();
}

SteadyClock::~SteadyClock() = default;

qint64 SteadyClock::nowMs() const
{
    return d->elapsed.elapsed();
}

Clock::Handle SteadyClock::schedule(qint64 deadlineMs, std::function<void()> fn)
{
    const Handle handle = d->next++;
    auto timer = std::make_unique<QTimer>();
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer);
    QObject::connect(timer.get(), &QTimer::timeout, timer.get(), [this, handle, fn = std::move(fn)] {
        // Remove first: the callback may schedule or cancel, and the timer dies after the call.
        auto it = d->timers.find(handle);
        if (it == d->timers.end())
            return;
        std::unique_ptr<QTimer> self = std::move(it->second);
        d->timers.erase(it);
        self.release()->deleteLater();
        fn();
    });
    timer->start(int(std::clamp<qint64>(deadlineMs - nowMs(), 0, std::numeric_limits<int>::max())));
    d->timers.emplace(handle, std::move(timer));
    return handle;
}

void SteadyClock::cancel(Handle handle)
{
    d->timers.erase(handle);
}

Clock &Clock::steady()
{
    static QThreadStorage<SteadyClock *> clocks;
    if (!clocks.hasLocalData())
        clocks.setLocalData(new SteadyClock);
    return *clocks.localData();
}

Clock::Handle ManualClock::schedule(qint64 deadlineMs, std::function<void()> fn)
{
    const Handle handle = m_next++;
    m_due.emplace(std::make_pair(deadlineMs, handle), std::move(fn));
    m_byHandle.emplace(handle, deadlineMs);
    return handle;
}

void ManualClock::cancel(Handle handle)
{
    const auto it = m_byHandle.find(handle);
    if (it == m_byHandle.end())
        return;
    m_due.erase(std::make_pair(it->second, handle));
    m_byHandle.erase(it);
}

void ManualClock::advance(qint64 ms)
{
    const qint64 target = m_now + ms;
    while (!m_due.empty() && m_due.begin()->first.first <= target) {
        auto node = m_due.extract(m_due.begin());
        m_byHandle.erase(node.key().second);
        m_now = std::max(m_now, node.key().first);
        node.mapped()();
    }
    m_now = target;
}

} // namespace metamcp
