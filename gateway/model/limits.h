#pragma once

// Bounds of the MCP layer, like HttpServerLimits for HTTP: each a named limit with a clear error
// when reached. Set through GatewayOptions::limits (metamcpd and the console use the defaults).

#include <QtGlobal>

namespace metamcp {

struct McpLimits
{
    // Client sessions (Streamable HTTP and legacy SSE) of everyone, and of one principal. A new
    // session beyond them is refused: 503 with Retry-After (all), 429 (one principal).
    int maxSessions = 10'000;
    int maxSessionsPerPrincipal = 1'000;
    // 2026-07-28 calls parked while their client is asked for input, and upstream input_required
    // rounds waiting for a stateless client's retry (core/inputbroker.h): beyond, the upstream's
    // request is refused and the call fails (-32000).
    int maxParkedCalls = 10'000;
    // Requests waiting for a free slot of one upstream (its maxConcurrency): beyond, -32002 at
    // once. The bulkhead of a later issue sets this per upstream.
    int maxUpstreamQueue = 1'000;
    // Bytes written to a stdio upstream that it has not read yet: beyond, new requests get
    // -32002 ("not reading its input") instead of growing the buffer without end.
    qint64 maxStdioWriteBuffer = 16 * 1024 * 1024;
    // Compiled tool input schemas kept (least recently used out first).
    int schemaCacheEntries = 4096;
};

} // namespace metamcp
