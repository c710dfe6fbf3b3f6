#!/usr/bin/env bash
# Differential comparison of Dovecot with pop3refd (docs/compare.md). Starts the interop lab's
# Dovecot (servers/dovecot.sh), runs `pop3spec compare` over the scenarios with the reference
# mirroring Dovecot's capabilities, writes JUnit and JSON into reports/out/compare-dovecot/, and
# stops Dovecot again. Not part of CI's default run (it installs and runs a third-party server).
#
#   ci/interop/compare-dovecot.sh [more pop3spec compare options, scenario paths or ids]
#
#   POP3SPEC=path/to/pop3spec     default: the newest build*/harness/pop3spec in the repository
#   POP3LAB_DIR, DOVECOT_PORT     as for servers/dovecot.sh (default /tmp/pop3lab/dovecot, 11110)
#   COMPARE_EXCLUDE               id glob left out (default rfc1939/autologout/*: ten minutes each)
#
# Exit code: pop3spec compare's (0 no divergence, 1 divergences or errors, 2 usage, 3 unreachable).
#
# Run with POP3SPEC_ACTION set (as pop3spec's exec: fixture adapter runs it), the script is that
# adapter instead: it writes the message on stdin into Dovecot's Maildir, owned by Dovecot's mail
# user (the maildir: adapter would leave root-owned files Dovecot cannot read), or empties it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=ci/interop/servers/lib.sh
source "$here/servers/lib.sh"
export POP3LAB_DIR=${POP3LAB_DIR:-/tmp/pop3lab/dovecot}

if [ -n "${POP3SPEC_ACTION:-}" ]; then
  maildir="$POP3LAB_DIR/mail/$POP3SPEC_USER/Maildir"
  [ -d "$maildir/new" ] || lab_die "no Maildir at $maildir (is Dovecot set up?)"
  case "$POP3SPEC_ACTION" in
    clear)
      find "$maildir/new" "$maildir/cur" -maxdepth 1 -type f -delete
      ;;
    deliver)
      # Maildir delivery: write under tmp/, then rename into new/. Dovecot keeps LF line ends.
      name="$(date +%s).M$(date +%N)P$$.pop3spec"
      sed 's/\r$//' > "$maildir/tmp/$name"
      chown "$LAB_UID:$LAB_GID" "$maildir/tmp/$name"
      mv "$maildir/tmp/$name" "$maildir/new/$name"
      ;;
    *) lab_die "unknown POP3SPEC_ACTION '$POP3SPEC_ACTION'" ;;
  esac
  exit 0
fi

pop3spec=${POP3SPEC:-}
if [ -z "$pop3spec" ]; then
  # The most recently built one, if there are several build directories.
  pop3spec=$(find "$root" -maxdepth 3 -path "$root/build*/harness/pop3spec" -type f -printf '%T@ %p\n' 2>/dev/null |
    sort -rn | head -n 1 | cut -d' ' -f2-)
fi
if [ -z "$pop3spec" ] || [ ! -x "$pop3spec" ]; then
  lab_die "build pop3spec first (cmake --build DIR --target pop3spec) or set POP3SPEC"
fi
port=${DOVECOT_PORT:-11110}
out="$root/reports/out/compare-dovecot"
mkdir -p "$out"

"$here/servers/dovecot.sh" > /dev/null
trap '"$here/servers/stop.sh" dovecot' EXIT

# --timeout 20: after a failed login Dovecot waits auth_failure_delay (2 s), and anvil's auth
# penalty grows that per client address up to 15 s (servers/dovecot.sh now switches the penalty off,
# but a Dovecot configured otherwise has it); a shorter read timeout would call it silence.
set +e
"$pop3spec" compare \
  --server "127.0.0.1:$port" --user "$LAB_USER" --pass "$LAB_PASS" --apop-secret "$LAB_PASS" \
  --ca "$POP3LAB_DIR/tls/cert.pem" --fixtures "exec:$here/compare-dovecot.sh" --allow-destructive \
  --mirror-capabilities --timeout 20 --exclude "${COMPARE_EXCLUDE:-rfc1939/autologout/*}" \
  --junit "$out/junit.xml" --json "$out/compare.json" --markdown "$out/compare.md" "$@"
code=$?
set -e
lab_log "reports in $out (exit code $code)"
exit "$code"
