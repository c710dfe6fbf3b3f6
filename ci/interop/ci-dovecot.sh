#!/usr/bin/env bash
# CI's interop gate: the Dovecot columns (plain + STLS port, and POP3S) of ci/interop/matrix.sh,
# each against its known list ci/interop/known/dovecot-{plain,tls}.txt.  Dovecot is the one lab
# server installed straight from Debian's packages with no unpacking or namespaces, so it is the
# cheapest real server to keep the suite honest against on every CI run.
#
#   ci/interop/ci-dovecot.sh        (as root, on Debian 12; about 8 minutes once pop3spec is built: Dovecot slows logins after failures)
#
# Builds pop3spec into build-release if no POP3SPEC is given and none is built, then runs
# `matrix.sh dovecot`: reports in reports/interop/dovecot-{plain,tls}/ and reports/interop/matrix.md.
# Exit code: matrix.sh's (0: both columns match their known lists; 1: a difference, in either
# direction, or a column without a report; 2: usage).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

if [ -z "${POP3SPEC:-}" ] && [ ! -x "$root/build-release/harness/pop3spec" ]; then
  cmake -S "$root" -B "$root/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOP3SPEC_TESTS=OFF >&2
  cmake --build "$root/build-release" -j "$(nproc)" --target pop3spec >&2
fi
export POP3SPEC=${POP3SPEC:-$root/build-release/harness/pop3spec}
exec "$root/ci/interop/matrix.sh" dovecot
