#pragma once

// Values the gateway thread hands to observers (the console, the daemon's log): call events
// for the traffic inspector, metric samples for the dashboard, upstream status. Plain
// copyable structs, registered as metatypes so they cross threads in queued signals.

#include "model/config.h"
#include "model/errors.h"
#include "model/upstreamstate.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

namespace metamcp {

// One JSON-RPC exchange (or lone notification) that went through the gateway.
struct CallEvent
{
    quint64 seq = 0;   // gateway-wide sequence number
    QDateTime time;    // when the message arrived
    QString sessionId; // empty for stateless requests
    QString client;    // clientInfo.name (and version)
    QString ns;        // namespace
    QString direction; // "client" (client -> gateway) or "upstream" (upstream -> client)
    QString method;
    QString tool;          // exposed tool/prompt name or resource URI, if any
    QString upstream;      // upstream server that served it, if any
    int status = 0;        // 0 ok, else JSON-RPC error code (isError tool results: 1)
    QString statusText;    // "ok", error message
    qint64 latencyUs = -1; // -1 for notifications
    qint64 requestBytes = 0;
    qint64 responseBytes = 0;
    QJsonObject request;      // the message as received (may be truncated for huge payloads)
    QJsonObject response;     // the final answer sent back
    QJsonArray notifications; // progress/log/sampling messages that belonged to this call
    QString principal;        // Principal::key() of the caller
    QString principalName;    // its display name
    // What the call pipeline's stages decided other than continuing ("authorize/resolve: stop:
    // waiting for the registry"), in order; the last one that answered says why.
    QStringList decisions;
};

struct UpstreamStatus
{
    QString name;
    UpstreamKind kind = UpstreamKind::Stdio;
    UpstreamState state = UpstreamState::Stopped;
    QString reason;
    int toolCount = 0;
    int inFlight = 0;
    QJsonObject serverInfo;
    UpstreamIsolation isolation = UpstreamIsolation::Shared;
    int instances = 0; // isolated instances running (besides the one that serves the lists)
    // Something the admin should act on, e.g. a shared server that sent sampling/elicitation/roots
    // requests the gateway could not attribute to one client ("" = nothing).
    QString warning;
};

// Once a second. `values` holds named series so later features add series without changing
// the type: "requests_per_s", "errors_per_s", "error_rate", "latency_p50_ms",
// "latency_p95_ms", "latency_p99_ms", "active_sessions", "in_flight", "upstreams_ready",
// "upstreams_starting", "upstreams_failing".
struct MetricSample
{
    QDateTime time;
    QHash<QString, double> values;
    QList<UpstreamStatus> upstreams;
};

// A tool as exposed in a namespace (after prefixing and overrides).
struct ToolInfo
{
    QString ns;
    QString exposedName;
    QString server;
    QString upstreamName;
    bool enabled = true;
    QString description;
    QJsonObject tool; // the full tool object as served (name = exposed name)
};

} // namespace metamcp

Q_DECLARE_METATYPE(metamcp::CallEvent)
Q_DECLARE_METATYPE(metamcp::UpstreamStatus)
Q_DECLARE_METATYPE(metamcp::MetricSample)
Q_DECLARE_METATYPE(metamcp::ToolInfo)
