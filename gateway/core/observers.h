#pragma once

// Observers of the Router's completion point (core/router.h, Router::complete): every call
// event, synchronously on the gateway thread, in completion order, none lost. What each does
// with them is its own business and guarantee:
//   MetricsCollector  cumulative labelled counters and latency histograms (Prometheus /metrics)
//                     and the dashboard's per-second sample
//   CallLog           the structured call log, one JSON line per call (metamcp.calls)
//   UiFeed            the console's live feed: batched, and lossy by design (at most a fixed
//                     number of events per batch; the rest are counted as dropped)
// A lossless consumer (the audit trail of a later issue) is one more observer: it gets every
// event, whatever the UI feed drops.

#include "model/events.h"

namespace metamcp {

class CallObserver
{
public:
    virtual ~CallObserver() = default;
    virtual void onCallEvent(const CallEvent &event) = 0;
};

} // namespace metamcp
