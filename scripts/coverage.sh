#!/usr/bin/env bash
# Line coverage of gateway/*.cpp with gcovr: an instrumented build in build-cov, the unit and
# integration tests (under a private D-Bus + gnome-keyring, as in CI), then a summary and an
# HTML report in build-cov/coverage/index.html. Run after `scripts/bootstrap.sh deps`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
cmake -S . -B build-cov -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMETAMCP_COVERAGE=ON -DMETAMCP_GUI=OFF >/dev/null
cmake --build build-cov -j "$(nproc)"
find build-cov -name '*.gcda' -delete
export HOME=$(mktemp -d) QT_QPA_PLATFORM=offscreen
dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  cd build-cov && ctest -L "unit|integration" -LE slow -j 2 --output-on-failure' || true
mkdir -p build-cov/coverage
# Only the .cpp files: gcovr 5.2 asserts when it merges the functions of a header that several
# translation units instantiate, so headers (inline code, templates) stay out of the figure.
gcovr --root . --filter 'gateway/.*\.cpp$' --object-directory build-cov \
      --print-summary --html-details build-cov/coverage/index.html
