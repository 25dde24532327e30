#pragma once

// How a gateway is started: what the facade (Gateway) hands to its core on the gateway thread.

#include "model/config.h"
#include "model/limits.h"

#include <QString>

#include <optional>

namespace metamcp {

struct GatewayOptions
{
    QString dataDir;                            // holds metamcp.db; empty: in-memory (tests)
    std::optional<ListenConfig> listenOverride; // e.g. metamcpd --listen
    bool listen = true;                         // false: no HTTP listener (metamcpd --stdio)
    bool captureBodies = true;                  // call events carry JSON bodies (inspector)
    int listPageSize = 0;                       // aggregated list page size (0: one page)
    int listDeadlineMs = 5000;                  // how long a list waits for slow upstreams
    // Serve `metamcpd --stdio` bridges of the same user on the data directory's local socket
    // (facade/localbridge.h). Not for an in-memory gateway, nor for a bridge's own fallback.
    bool localBridge = true;
    McpLimits limits; // bounds of sessions, parked calls, upstream queues, schema cache
    // false: the upstream servers are not started (metamcpd apply / export only edit the data).
    bool runUpstreams = true;
};

} // namespace metamcp
