#!/usr/bin/env bash
# Start each lab server, fetch the mailbox with check-server.py in every mode it supports, stop it.
#   ci/interop/check-all.sh                 all six servers, one after the other
#   ci/interop/check-all.sh dovecot cyrus   just those
#   KEEP=1 ci/interop/check-all.sh ...      leave the servers running afterwards
# Prints one line per (server, mode) and exits 1 if any check failed.  Transcripts of each check go
# to /tmp/pop3lab/<name>/log/check-<mode>.txt.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p /tmp/pop3lab

# name: login, then "mode:port" entries (plain, stls, tls, apop).
declare -A login=(
  [dovecot]=alice [mailutils]=alice@lab.test [popa3d]=alice
  [solid-pop3d]=alice [courier]=alice [cyrus]=alice
)
declare -A modes=(
  [dovecot]="plain:11110 stls:11110 tls:11111 apop:11110"
  [mailutils]="plain:11120 stls:11120 tls:11121 apop:11120"
  [popa3d]="plain:11130"
  [solid-pop3d]="plain:11140"
  [courier]="plain:11150 stls:11150 tls:11151"
  [cyrus]="plain:11160 stls:11160 tls:11161 apop:11160"
)
order=(dovecot mailutils popa3d solid-pop3d courier cyrus)
[ $# -gt 0 ] && order=("$@")

failed=0
for name in "${order[@]}"; do
  [ -n "${modes[$name]:-}" ] || { echo "unknown server: $name" >&2; exit 2; }
  dir=/tmp/pop3lab/$name
  if ! POP3LAB_DIR=$dir "$here/servers/$name.sh" > /dev/null 2> "/tmp/pop3lab/$name.start.log"; then
    echo "$name: START FAILED (see /tmp/pop3lab/$name.start.log)"
    failed=1
    continue
  fi
  for entry in ${modes[$name]}; do
    mode=${entry%%:*} port=${entry##*:}
    args=()
    case $mode in
      stls) args=(--stls --ca "$dir/tls/cert.pem") ;;
      tls) args=(--tls --ca "$dir/tls/cert.pem") ;;
      apop) args=(--apop) ;;
    esac
    log=$dir/log/check-$mode.txt
    if timeout 90 python3 "$here/check-server.py" 127.0.0.1 "$port" "${login[$name]}" alice-pass \
        "${args[@]}" > "$log" 2>&1; then
      echo "$name $mode ($port): ok"
    else
      echo "$name $mode ($port): FAILED: $(tail -n 1 "$log")"
      failed=1
    fi
  done
  [ "${KEEP:-0}" = 1 ] || POP3LAB_DIR=$dir "$here/servers/stop.sh" "$name" 2>/dev/null
done
exit $failed
