#pragma once

// JSON-RPC and MCP error codes the gateway uses or synthesises. A value type of the model
// layer: every layer may use it.

namespace metamcp {

// Error codes the gateway synthesises (JSON-RPC implementation-defined range).
namespace rpcerr {
constexpr int ParseError = -32700;
constexpr int InvalidRequest = -32600;
constexpr int MethodNotFound = -32601;
constexpr int InvalidParams = -32602;
constexpr int InternalError = -32603;
constexpr int Timeout = -32001;
constexpr int UpstreamUnavailable = -32002;
constexpr int Unauthorized = -32003;
constexpr int ResourceNotFound = -32002; // 2025-11-25: resource not found (2026-07-28 uses -32602)
constexpr int HeaderMismatch = -32020;   // 2026-07-28: HTTP headers and body disagree
constexpr int MissingClientCapability = -32021;
constexpr int UnsupportedProtocolVersion = -32022;
constexpr int SessionNotFound = -32001; // Streamable HTTP: unknown or terminated session (HTTP 404)
constexpr int Cancelled = -32800;
constexpr int UrlElicitationRequired = -32042;
constexpr int LimitReached = -32000; // a bound of McpLimits (model/limits.h) was reached
} // namespace rpcerr

} // namespace metamcp
