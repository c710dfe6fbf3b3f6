#!/usr/bin/env bash
# Starts one server of the benchmark (bench/run.sh) on 127.0.0.1 with the bench mailboxes, and
# prints its PID (the lab's conventions: ci/interop/servers/lib.sh; logs on stderr).
#
#   bench/servers.sh dovecot|pop3refd
#
# Both get the same mail: accounts bench1..benchN (BENCH_ACCOUNTS, default 16), each holding
# message 1 (4 KiB) and message 2 (1 MiB), both with dot-leading lines; and idle1..idleM
# (BENCH_IDLE_ACCOUNTS, default 10000) with empty mailboxes, one per idle connection (pop3refd
# locks maildrops). Password: bench-pass. The messages come from BENCH_MESSAGES (a directory
# holding 1.eml and 2.eml, written by bench/run.py).
#   ports: dovecot 12210 (plain + STLS) / 12211 (POP3S); pop3refd 12220 / 12221
#   BENCH_CPUS=LIST   pin the server (and every process it forks) to these cores (taskset -c)
#   POP3REFD=PATH     the pop3refd to start (default: build-release's)
#   BENCH_LAB_ROOT=DIR   where the servers' directories go (default /dev/shm/pop3bench)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=ci/interop/servers/lib.sh
source "$root/ci/interop/servers/lib.sh"

name=${1:?usage: bench/servers.sh dovecot|pop3refd}
# On tmpfs: 10,000 idle mailboxes are 30,000 directories, and on a disk mounted with discard
# removing them for the next start took minutes.
export POP3LAB_DIR=${BENCH_LAB_ROOT:-/dev/shm/pop3bench}/$name
accounts=${BENCH_ACCOUNTS:-16}
idle_accounts=${BENCH_IDLE_ACCOUNTS:-10000}
messages=${BENCH_MESSAGES:?BENCH_MESSAGES must name the directory holding 1.eml and 2.eml}
pin=()
[ -z "${BENCH_CPUS:-}" ] || pin=(taskset -c "$BENCH_CPUS")
pass=bench-pass

# 10,000 idle connections need more descriptors than a default hard limit (root may raise it).
raise_descriptor_limit() { ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"; }

# The mail files of one account's Maildir at $1.
write_mail() {
  mkdir -p "$1"/{cur,new,tmp}
  cp "$messages/1.eml" "$1/new/1700000001.M1P1.bench"
  cp "$messages/2.eml" "$1/new/1700000002.M2P1.bench"
}
# Empty Maildirs for the idle accounts, made in bulk (one mkdir per thousand directories).
make_idle_maildirs() {  # PATTERN with @USER@
  local i
  for ((i = 1; i <= idle_accounts; i++)); do
    local d=${1//@USER@/idle$i}
    printf '%s\n' "$d/cur" "$d/new" "$d/tmp"
  done | xargs -r mkdir -p
}

case "$name" in
  dovecot)
    port=12210 port_tls=12211
    lab_init bench-dovecot  # DIR is $POP3LAB_DIR
    lab_apt_install dovecot-core dovecot-pop3d
    lab_make_cert
    mkdir -p "$DIR"/{run,state,mail}
    {
      for ((i = 1; i <= accounts; i++)); do
        printf 'bench%s:{PLAIN}%s:%s:%s::%s::\n' "$i" "$pass" "$LAB_UID" "$LAB_GID" "$DIR/mail/bench$i"
        write_mail "$DIR/mail/bench$i/Maildir"
      done
      for ((i = 1; i <= idle_accounts; i++)); do
        printf 'idle%s:{PLAIN}%s:%s:%s::%s::\n' "$i" "$pass" "$LAB_UID" "$LAB_GID" "$DIR/mail/idle$i"
      done
    } > "$DIR/passwd"
    make_idle_maildirs "$DIR/mail/@USER@/Maildir"
    chown -R "$LAB_UID:$LAB_GID" "$DIR/mail"
    chmod 640 "$DIR/passwd"
    chgrp dovecot "$DIR/passwd"
    limit=$((idle_accounts + accounts + 1000))
    # Tuned for speed, as an operator would: login processes serve many connections
    # (service_count = 0), pop3 processes are reused, limits fit 10,000 idle connections.
    cat > "$DIR/dovecot.conf" <<CONF
protocols = pop3
listen = $LAB_HOST
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/log/dovecot.log
ssl = yes
ssl_cert = <$DIR/tls/cert.pem
ssl_key = <$DIR/tls/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain
auth_cache_size = 10M
passdb {
  driver = passwd-file
  args = username_format=%u $DIR/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $DIR/passwd
}
first_valid_uid = $LAB_UID
last_valid_uid = $LAB_UID
mail_location = maildir:~/Maildir
default_process_limit = $limit
default_client_limit = $((limit * 2))
default_vsz_limit = 1G
protocol pop3 {
  mail_max_userip_connections = $limit
}
service pop3-login {
  service_count = 0
  process_min_avail = $(nproc)
  inet_listener pop3 {
    address = $LAB_HOST
    port = $port
  }
  inet_listener pop3s {
    address = $LAB_HOST
    port = $port_tls
    ssl = yes
  }
}
service pop3 {
  service_count = 0
  process_limit = $limit
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
CONF
    lab_check_ports_free "$port" "$port_tls"
    raise_descriptor_limit
    lab_start "${pin[@]}" dovecot -F -c "$DIR/dovecot.conf"
    ;;
  pop3refd)
    port=12220 port_tls=12221
    refd=${POP3REFD:-$root/build-release/reference-server/pop3refd}
    [ -x "$refd" ] || lab_die "no pop3refd at $refd (build it, or set POP3REFD)"
    lab_init bench-pop3refd  # DIR is $POP3LAB_DIR
    lab_make_cert
    {
      for ((i = 1; i <= accounts; i++)); do
        printf 'bench%s:%s\n' "$i" "$pass"
        write_mail "$DIR/mail/bench$i"
      done
      for ((i = 1; i <= idle_accounts; i++)); do printf 'idle%s:%s\n' "$i" "$pass"; done
    } > "$DIR/users"
    make_idle_maildirs "$DIR/mail/@USER@"
    lab_check_ports_free "$port" "$port_tls"
    raise_descriptor_limit  # a session holds two: its socket and its maildrop lock
    lab_start "${pin[@]}" "$refd" --listen "$LAB_HOST:$port" --listen-tls "$LAB_HOST:$port_tls" \
      --maildir-root "$DIR/mail" --users "$DIR/users" --tls-cert "$DIR/tls/cert.pem" --tls-key "$DIR/tls/key.pem" \
      --capability SLEEPING --capability CORE --max-sessions "$((idle_accounts + accounts + 1000))"
    ;;
  *) lab_die "unknown server: $name (dovecot or pop3refd)" ;;
esac
lab_wait_ports "$port" "$port_tls"
lab_done
