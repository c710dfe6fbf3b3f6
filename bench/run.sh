#!/usr/bin/env bash
# The benchmark in one command: installs what it needs (the project's dependencies and
# dovecot-pop3d from Debian's packages), builds pop3refd and pop3bench in Release, then runs
# bench/run.py: pop3refd and Dovecot side by side on 127.0.0.1, every pop3bench mode against
# both alternately, a Markdown table of medians and ratios on stdout (docs/performance.md).
#
#   bench/run.sh [--quick] [--json FILE] [--repetitions N] [--seconds S] [--idle 1000,10000]
#
# Run as root (the lab starts Dovecot as root). BENCH_BUILD_DIR=DIR uses an existing build
# (CI passes its test build, so the quick run costs no extra compile).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench/run.sh must run as root (it starts Dovecot)" >&2; exit 2; }
ci/install-deps.sh >&2
# shellcheck source=ci/interop/servers/lib.sh
(source ci/interop/servers/lib.sh; lab_apt_install dovecot-core dovecot-pop3d util-linux procps)
build=${BENCH_BUILD_DIR:-build-release}
if [ -z "${BENCH_BUILD_DIR:-}" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOP3SPEC_TESTS=OFF >&2
  cmake --build "$build" -j "$(nproc)" --target pop3refd pop3bench >&2
fi
exec python3 bench/run.py --pop3bench "$build/bench/pop3bench" --pop3refd "$build/reference-server/pop3refd" "$@"
