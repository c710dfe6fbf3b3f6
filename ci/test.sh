#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, and passes every test, twice:
# a normal build (warnings as errors) and an ASan+UBSan build; then a short run of each fuzz target.
# The tests labelled "slow" (the long autologout checks: they idle 10 to 20 minutes and use almost
# no CPU) run once, in the background, from the end of the normal build until the end.
#   ci/test.sh            everything
#   ci/test.sh --quick    the normal build's tests without the slow ones (for local iteration)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0; [ "${1:-}" = "--quick" ] && quick=1

ci/install-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"
jobs=$(nproc)

build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOP3SPEC_WERROR=ON "$@"
  cmake --build "$dir" -j "$jobs"
}
quick_tests() {  # dir
  ctest --test-dir "$1" --output-on-failure -j "$jobs" --timeout 600 --label-exclude slow
}

echo "== normal build =="
build build
slow_pid=
if [ $quick -eq 0 ]; then
  slow_log=build/slow-tests.log
  echo "== slow tests: started in the background (output at the end, and in $slow_log) =="
  # Its own process group, so that an early failure below stops it and its children too.
  setsid -w ctest --test-dir build --output-on-failure -j 2 --label-regex slow >"$slow_log" 2>&1 &
  slow_pid=$!
  trap '[ -n "$slow_pid" ] && kill -- -"$slow_pid" 2>/dev/null || true' EXIT
fi
quick_tests build
[ $quick -eq 1 ] && exit 0

echo "== ASan + UBSan build =="
(
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  build build-asan -DPOP3SPEC_SANITIZE=ON
  quick_tests build-asan
)

echo "== fuzz smoke (libFuzzer, clang) =="
ci/fuzz.sh 20

echo "== slow tests (waiting for the background run) =="
slow_status=0
wait "$slow_pid" || slow_status=$?
slow_pid=
cat "$slow_log"
exit $slow_status
