#pragma once

// The console's live feed of call events: collected between flushes (the facade flushes every
// 50 ms and sends the batch to the GUI thread). Lossy by design: at most maxPerBatch() events
// per batch (the newest are the ones dropped, so a batch is a contiguous run), and the number
// dropped is reported with the next take. Nothing else depends on it: metrics, the call log and
// a lossless observer see every event. Gateway thread.

#include "core/observers.h"

#include <QList>

namespace metamcp {

class UiFeed final : public CallObserver
{
public:
    explicit UiFeed(int maxPerBatch = 1000)
        : m_max(maxPerBatch)
    {}
    void setMaxPerBatch(int max) { m_max = max; }
    int maxPerBatch() const { return m_max; }
    void onCallEvent(const CallEvent &event) override
    {
        if (m_batch.size() >= m_max) {
            ++m_dropped;
            return;
        }
        m_batch.append(event);
    }
    struct Batch
    {
        QList<CallEvent> events;
        quint64 dropped = 0;
    };
    Batch take()
    {
        Batch b{std::exchange(m_batch, {}), m_dropped};
        m_droppedTotal += m_dropped;
        m_dropped = 0;
        return b;
    }
    quint64 droppedTotal() const { return m_droppedTotal + m_dropped; }

private:
    int m_max;
    QList<CallEvent> m_batch;
    quint64 m_dropped = 0;
    quint64 m_droppedTotal = 0;
};

} // namespace metamcp
