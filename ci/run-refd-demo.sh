#!/usr/bin/env bash
# Runs the built pop3refd on 127.0.0.1 with the demo Maildir, users and config in ci/demo/.
# The Maildir is copied to a temp directory first, so the checked-in files never change.
#   PORT       plain-text port (default 1110)
#   TLS_PORT   implicit-TLS port (default 1995); with openssl installed, a throw-away
#              self-signed certificate also enables STLS
#   BUILD_DIR  where pop3refd was built (default: build-release, else build)
# Extra arguments go to pop3refd (e.g. --autologout 30 --disable TOP). Stop with Ctrl-C.
# Try:  curl -u alice:alice-pass pop3://127.0.0.1:1110/2
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
demo="$repo/ci/demo"
port=${PORT:-1110}
tls_port=${TLS_PORT:-1995}

build_dir=${BUILD_DIR:-}
if [ -z "$build_dir" ]; then
  build_dir="$repo/build-release"
  [ -x "$build_dir/reference-server/pop3refd" ] || build_dir="$repo/build"
fi
pop3refd="$build_dir/reference-server/pop3refd"
if [ ! -x "$pop3refd" ]; then
  echo "run-refd-demo: no pop3refd at $pop3refd; build it first (cmake --build <dir> --target pop3refd)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pop3refd-demo-XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -R "$demo/maildir" "$work/maildir"
mkdir -p "$work/maildir/alice/new" "$work/maildir/alice/cur" "$work/maildir/alice/tmp"

tls_args=()
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
  tls_args=(--tls-cert "$work/cert.pem" --tls-key "$work/key.pem" --listen-tls "127.0.0.1:$tls_port")
  echo "run-refd-demo: TLS certificate (trust it with --cacert): $work/cert.pem"
fi

echo "run-refd-demo: user alice, password alice-pass, APOP secret tanstaaf; Maildir copy in $work/maildir"
"$pop3refd" --config "$demo/pop3refd.conf" --maildir-root "$work/maildir" \
  --listen "127.0.0.1:$port" "${tls_args[@]}" --print-ports "$@" &
server=$!
# Forward Ctrl-C / SIGTERM so pop3refd shuts down cleanly and the temp copy is removed.
trap 'kill -TERM "$server" 2>/dev/null' INT TERM
status=0
wait "$server" || status=$?
# A signal interrupts the first wait; the second one collects pop3refd's exit code.
if kill -0 "$server" 2>/dev/null; then wait "$server" || status=$?; fi
exit "$status"
