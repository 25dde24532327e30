-- wrk script for tests/bench/gateway-bench.sh: POSTs one fixed body with fixed headers and, at the
-- end, prints one parseable line:
--   BENCH label=<label> requests=<n> rps=<req/s> p50_us=<µs> p90_us=<µs> p99_us=<µs> max_us=<µs>
--         errors=<socket errors> non2xx=<n> unexpected=<n> checked=<n>
-- Configured through the environment (wrk passes no arguments to setup/done):
--   BENCH_LABEL    name printed in the BENCH line
--   BENCH_BODY     request body (JSON-RPC)
--   BENCH_SESSION  Mcp-Session-Id; empty/unset: plain HTTP GET (nginx direct)
--   BENCH_EXPECT   optional substring every response body must contain; when set, bodies are
--                  checked (costs client CPU, so the script sets it for the warm-up only)

local label = os.getenv("BENCH_LABEL") or "bench"
local body = os.getenv("BENCH_BODY") or ""
local session = os.getenv("BENCH_SESSION") or ""
local expect = os.getenv("BENCH_EXPECT") or ""

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    checked = 0
    unexpected = 0
    if session ~= "" then
        wrk.method = "POST"
        wrk.body = body
        wrk.headers["Content-Type"] = "application/json"
        wrk.headers["Accept"] = "application/json, text/event-stream"
        wrk.headers["Mcp-Session-Id"] = session
        wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
    end
    request_data = wrk.format()
end

function request()
    return request_data
end

if expect ~= "" then
    function response(status, headers, resp_body)
        checked = checked + 1
        if status ~= 200 or resp_body == nil or not string.find(resp_body, expect, 1, true) then
            unexpected = unexpected + 1
            if unexpected == 1 then
                io.stderr:write(string.format("%s: unexpected response (HTTP %d): %s\n", label, status,
                                              string.sub(resp_body or "", 1, 300)))
            end
        end
    end
end

function done(summary, latency, requests)
    local checked_total, unexpected_total = 0, 0
    for _, t in ipairs(threads) do
        checked_total = checked_total + (t:get("checked") or 0)
        unexpected_total = unexpected_total + (t:get("unexpected") or 0)
    end
    local e = summary.errors
    local seconds = summary.duration / 1e6
    io.write(string.format(
        "BENCH label=%s requests=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d unexpected=%d checked=%d\n",
        label, summary.requests, summary.requests / seconds, latency:percentile(50), latency:percentile(90),
        latency:percentile(99), latency.max, e.connect + e.read + e.write + e.timeout, e.status,
        unexpected_total, checked_total))
end
