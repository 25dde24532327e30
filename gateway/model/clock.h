#pragma once

// Time as the gateway's policies see it: a monotonic millisecond count and one-shot callbacks at
// a deadline. SteadyClock is the real one (QElapsedTimer, QTimer); ManualClock moves only when
// told to, so tests of expiry, windows and back-off run without waiting (advance() fires what
// has come due, in deadline order). One thread: the callbacks run on the thread that scheduled
// them (SteadyClock) or in advance() (ManualClock).

#include <QtGlobal>

#include <functional>
#include <map>
#include <memory>

namespace metamcp {

class Clock
{
public:
    using Handle = quint64; // 0 is never a valid handle
    virtual ~Clock() = default;
    // Milliseconds since an arbitrary, fixed start; never goes back.
    virtual qint64 nowMs() const = 0;
    // Calls `fn` once, when nowMs() has reached `deadlineMs` (at once-ish if it has already).
    virtual Handle schedule(qint64 deadlineMs, std::function<void()> fn) = 0;
    // A scheduled callback that has not run yet will not run. Unknown handles are ignored.
    virtual void cancel(Handle handle) = 0;

    Handle scheduleIn(qint64 ms, std::function<void()> fn) { return schedule(nowMs() + ms, std::move(fn)); }

    // The process's SteadyClock (one per thread: its timers belong to the thread that asks).
    static Clock &steady();
};

class SteadyClock final : public Clock
{
public:
    SteadyClock();
    ~SteadyClock() override;
    qint64 nowMs() const override;
    Handle schedule(qint64 deadlineMs, std::function<void()> fn) override;
    void cancel(Handle handle) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 1'000'000)
        : m_now(startMs)
    {}
    qint64 nowMs() const override { return m_now; }
    Handle schedule(qint64 deadlineMs, std::function<void()> fn) override;
    void cancel(Handle handle) override;
    // Moves time forward by `ms`, running every callback that comes due on the way (in deadline
    // order, time set to each one's deadline while it runs; callbacks may schedule more).
    void advance(qint64 ms);
    // Callbacks scheduled and not yet run or cancelled.
    int pending() const { return int(m_byHandle.size()); }

private:
    qint64 m_now;
    Handle m_next = 1;
    std::map<std::pair<qint64, Handle>, std::function<void()>> m_due; // (deadline, handle)
    std::map<Handle, qint64> m_byHandle;                              // handle -> deadline
};

} // namespace metamcp
