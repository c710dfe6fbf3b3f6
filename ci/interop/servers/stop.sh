#!/usr/bin/env bash
# Stop lab servers: stop.sh NAME... | all
# Stops the instance recorded in DIR/server.pid (DIR as in the start script; $POP3LAB_DIR is honoured
# for a single NAME).  Leaves DIR in place for post-mortem reading.
source "$(dirname "$0")/lib.sh"

ALL_SERVERS=(dovecot mailutils popa3d solid-pop3d courier cyrus)

[ $# -ge 1 ] || { echo "usage: $0 NAME...|all  (names: ${ALL_SERVERS[*]})" >&2; exit 2; }
if [ "$1" = all ]; then
  [ -z "${POP3LAB_DIR:-}" ] || lab_die "POP3LAB_DIR names one directory; give one NAME, not 'all'"
  set -- "${ALL_SERVERS[@]}"
fi
for name in "$@"; do
  case " ${ALL_SERVERS[*]} " in
    *" $name "*) ;;
    *) lab_die "unknown server '$name' (names: ${ALL_SERVERS[*]})" ;;
  esac
  LAB_NAME=$name
  d=$(lab_dir_for "$name")
  lab_check_dir "$d"
  lab_stop_dir "$d"
done
