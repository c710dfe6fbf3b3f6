#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, and passes every test, twice:
# a normal build (warnings as errors) and an ASan+UBSan build; then a short run of each fuzz target.
#   ci/test.sh            everything
#   ci/test.sh --quick    the normal build only (for local iteration)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0; [ "${1:-}" = "--quick" ] && quick=1

ci/install-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"
jobs=$(nproc)

build_and_test() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOP3SPEC_WERROR=ON "$@"
  cmake --build "$dir" -j "$jobs"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 600
}

echo "== normal build =="
build_and_test build
[ $quick -eq 1 ] && exit 0

echo "== ASan + UBSan build =="
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
build_and_test build-asan -DPOP3SPEC_SANITIZE=ON

echo "== fuzz smoke (libFuzzer, clang) =="
ci/fuzz.sh 20
