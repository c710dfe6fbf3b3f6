# shellcheck shell=bash
# Shared helpers for ci/interop/servers/<name>.sh.  Sourced, never run.
#
# Flow of every server script:
#   lab_init NAME             DIR=${POP3LAB_DIR:-/tmp/pop3lab/NAME}, stop the old instance, wipe DIR
#   lab_apt_install PKG...    apt-get install (one apt-get update first, only if something is missing)
#   lab_unpack PKG...         apt-get download + dpkg-deb -x into DIR/pkg (for Conflicts: pop3-server packages)
#   lab_make_cert             DIR/tls/{cert,key}.pem, self-signed, SAN localhost/127.0.0.1/::1
#   lab_write_maildir / lab_write_mbox   the 3-message mailbox of user alice (and of each of LAB_USERS)
#   lab_ns_prepare / lab_ns_launcher   (servers that only read the system's /etc and /var/mail)
#                             a private /etc overlay and /var/mail under DIR/ns, for unshare --mount
#   lab_check_ports_free PORT...   fail early if another process holds a port
#   lab_start CMD...          start CMD in its own session (setsid), record DIR/server.pid
#   lab_start_ns_socat PORT CMD   same, for inetd-style servers: socat in the namespace
#   lab_wait_ports PORT...    bounded wait for the ports, then check nothing listens off loopback
#   lab_write_accounts ...    DIR/accounts.json: LAB_USERS as a pop3spec --config file (matrix.sh)
#   lab_done                  print the PID on stdout
# Diagnostics go to stderr; stdout carries only the PID.

set -euo pipefail

LAB_USER=alice
LAB_PASS=alice-pass
LAB_UID=20000
LAB_GID=20000
LAB_HOST=127.0.0.1
# Disposable accounts, so that pop3spec can run scenarios in parallel (one account per job, see
# matrix.sh): alice, the account every check has always used, then alice2..aliceN.  All share
# alice's password, uid and gid; each has a mailbox of its own.
LAB_ACCOUNTS=${LAB_ACCOUNTS:-4}
LAB_USERS=("$LAB_USER")
for ((lab_i = 2; lab_i <= LAB_ACCOUNTS; lab_i++)); do LAB_USERS+=("$LAB_USER$lab_i"); done
unset lab_i
LAB_PORT_WAIT_SECONDS=${LAB_PORT_WAIT_SECONDS:-20}
# Shared across servers so a re-run does not download the same .deb again.
LAB_DEB_CACHE=${LAB_DEB_CACHE:-/tmp/pop3lab/.debs}

lab_log() { printf '[%s] %s\n' "${LAB_NAME:-lab}" "$*" >&2; }
lab_die() { lab_log "ERROR: $*"; exit 1; }

# Default directory for a server; $POP3LAB_DIR overrides it.
lab_dir_for() { printf '%s\n' "${POP3LAB_DIR:-/tmp/pop3lab/$1}"; }

# Refuse to wipe anything that does not look like a scratch directory.
lab_check_dir() {
  local d=$1
  case "$d" in
    /*) ;;
    *) lab_die "directory must be absolute: $d" ;;
  esac
  [ "$(realpath -m "$d")" != / ] || lab_die "refusing to use / as the lab directory"
  [ "$(realpath -m "$d" | tr -cd / | wc -c)" -ge 2 ] || lab_die "refusing a top-level directory: $d"
}

# True if PID is alive and leads its own session (every lab server is started with setsid),
# so a recycled PID of an unrelated process is never signalled.
lab_is_our_leader() {
  local pid=$1 sid
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  sid=$(ps -o sid= -p "$pid" 2>/dev/null | tr -d ' ')
  [ "$sid" = "$pid" ]
}

# All PIDs in the session led by PID (the server and the children it forked).
lab_session_pids() { ps -e -o pid=,sid= | awk -v s="$1" '$2 == s { print $1 }'; }

# Stop the instance recorded in DIR/server.pid, if any: TERM the session, wait up to 10 s, then KILL.
lab_stop_dir() {
  local d=$1 pid pids i
  [ -f "$d/server.pid" ] || return 0
  pid=$(tr -cd '0-9' < "$d/server.pid")
  if lab_is_our_leader "$pid"; then
    lab_log "stopping PID $pid (session of $d)"
    pids=$(lab_session_pids "$pid")
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      pids=$(lab_session_pids "$pid")
      [ -z "$pids" ] && break
      sleep 0.1
    done
    if [ -n "$pids" ]; then
      lab_log "still alive after 10 s, sending KILL to: $pids"
      # shellcheck disable=SC2086
      kill -KILL $pids 2>/dev/null || true
    fi
  fi
  rm -f "$d/server.pid"
}

lab_init() {
  LAB_NAME=$1
  DIR=$(lab_dir_for "$LAB_NAME")
  lab_check_dir "$DIR"
  [ "$(id -u)" -eq 0 ] || lab_die "must run as root"
  lab_apt_install iproute2 procps  # ss and ps
  lab_stop_dir "$DIR"
  rm -rf "$DIR"
  mkdir -p "$DIR"/{log,tls}
  export DIR
}

# The lab scripts run in parallel (matrix.sh), and apt takes its locks without waiting for
# `apt-get update`: every apt step runs under one lock of the lab's, and one update an hour serves
# them all.
LAB_APT_LOCK=/tmp/pop3lab/.apt.lock
LAB_APT_STAMP=/tmp/pop3lab/.apt-updated
lab_apt_locked() {
  mkdir -p "$(dirname "$LAB_APT_LOCK")"
  ( flock -w 1200 9 || lab_die "waited 20 minutes for $LAB_APT_LOCK"; "$@" ) 9> "$LAB_APT_LOCK"
}

lab_apt_update_once() {  # call under lab_apt_locked
  [ -n "$(find "$LAB_APT_STAMP" -mmin -60 2>/dev/null)" ] && return 0
  lab_log "apt-get update"
  DEBIAN_FRONTEND=noninteractive timeout 300 apt-get -o DPkg::Lock::Timeout=120 update -qq >&2
  touch "$LAB_APT_STAMP"
}

lab_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

lab_apt_install_now() {
  local missing=() p
  for p in "$@"; do lab_installed "$p" || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  lab_apt_update_once
  lab_log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -y -qq -o DPkg::Lock::Timeout=120 \
    install --no-install-recommends "${missing[@]}" >&2
}
lab_apt_install() {
  local p
  for p in "$@"; do lab_installed "$p" || { lab_apt_locked lab_apt_install_now "$@"; return; }; done
}

lab_download_deb() {  # PKG; call under lab_apt_locked
  [ -n "$(find "$LAB_DEB_CACHE" -maxdepth 1 -name "${1}_*.deb")" ] && return 0
  lab_apt_update_once
  lab_log "apt-get download $1"
  (cd "$LAB_DEB_CACHE" && timeout 300 apt-get download -qq "$1" >&2)
}

# Fetch packages that declare Conflicts: pop3-server and unpack them into DIR/pkg without dpkg
# knowing, so all six servers can coexist.
lab_unpack() {
  local p deb
  mkdir -p "$LAB_DEB_CACHE" "$DIR/pkg"
  # apt's download sandbox user must be able to write there (else apt warns and runs unsandboxed).
  chown _apt "$LAB_DEB_CACHE" 2>/dev/null || true
  for p in "$@"; do
    deb=$(find "$LAB_DEB_CACHE" -maxdepth 1 -name "${p}_*.deb" | sort | tail -n 1)
    if [ -z "$deb" ]; then
      lab_apt_locked lab_download_deb "$p"
      deb=$(find "$LAB_DEB_CACHE" -maxdepth 1 -name "${p}_*.deb" | sort | tail -n 1)
      [ -n "$deb" ] || lab_die "apt-get download $p produced no .deb"
    fi
    lab_log "unpacking $(basename "$deb") into $DIR/pkg"
    dpkg-deb -x "$deb" "$DIR/pkg"
  done
}

lab_make_cert() {
  lab_apt_install openssl
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" 2>/dev/null
  chmod 644 "$DIR/tls/cert.pem"
  chmod 600 "$DIR/tls/key.pem"
}

# Message N (1..3) of the lab mailbox, LF line endings.  Message 2 holds the byte-stuffing traps;
# check-server.py knows these texts.
lab_message() {
  local n=$1
  printf 'From: Bob <bob@lab.test>\nTo: Alice <alice@lab.test>\n'
  printf 'Subject: lab message %s\nDate: Mon, 0%s Jan 2024 10:00:00 +0000\n' "$n" "$n"
  printf 'Message-ID: <lab-msg-%s@lab.test>\nMIME-Version: 1.0\n' "$n"
  printf 'Content-Type: text/plain; charset=us-ascii\n\n'
  case "$n" in
    1) printf 'Hello Alice,\nthis is lab message 1.\n' ;;
    2) printf 'Byte-stuffing traps follow.\n.leading dot\n..two leading dots\n.\nend of lab message 2\n' ;;
    3) printf 'Lab message 3, a few lines of filler.\n'
       for i in $(seq 1 20); do printf 'filler line %02d: the quick brown fox jumps over the lazy dog\n' "$i"; done ;;
  esac
}

# Maildir at $1 (cur/ new/ tmp/), messages in new/ so every server treats them as unseen.
lab_write_maildir() {
  local md=$1 n
  mkdir -p "$md"/{cur,new,tmp}
  for n in 1 2 3; do lab_message "$n" > "$md/new/170000000$n.M${n}P1.lab"; done
}

# Traditional mbox at $1 ("From " separator lines; no body line starts with "From ").
lab_write_mbox() {
  local mb=$1 n
  mkdir -p "$(dirname "$mb")"
  for n in 1 2 3; do
    printf 'From bob@lab.test Mon Jan  %s 10:00:00 2024\n' "$n"
    lab_message "$n"
    printf '\n'
  done > "$mb"
}

# Private system files for a server run under `unshare --mount` (popa3d, solid-pop3d, courier):
# DIR/ns/etc is the upper layer of an overlayfs mounted on /etc inside the namespace, holding copies
# of the host's passwd/shadow/group with alice (uid 20000) appended; DIR/ns/mail is bind-mounted on
# /var/mail.  The host's files are never edited.  Whole-directory overlays, not bind mounts of single
# files: when apt replaces the host's /etc/passwd, a file bind mount is silently detached.
# Extra lines for passwd/group (system users a package would have created) come as arguments:
#   lab_ns_prepare 'popa3d:x:20001:20001::/nonexistent:/usr/sbin/nologin' ...   (group lines: LAB_NS_GROUPS)
lab_ns_prepare() {
  local line user hash
  mkdir -p "$DIR"/ns/{etc,work,mail}
  cp -p /etc/passwd /etc/group /etc/shadow /etc/gshadow "$DIR/ns/etc/"
  hash=$(openssl passwd -6 "$LAB_PASS")
  # Every lab account shares uid 20000: the servers look users up by name, and one uid keeps the
  # mailbox ownership the same for all of them.
  for user in "${LAB_USERS[@]}"; do
    mkdir -p "$DIR/ns/home/$user"
    printf '%s:x:%s:%s:Alice:%s:/bin/sh\n' "$user" "$LAB_UID" "$LAB_GID" "$DIR/ns/home/$user" \
      >> "$DIR/ns/etc/passwd"
    printf '%s:%s:19700:0:99999:7:::\n' "$user" "$hash" >> "$DIR/ns/etc/shadow"
    chown "$LAB_UID:$LAB_GID" "$DIR/ns/home/$user"
  done
  printf '%s:x:%s:\n' "$LAB_USER" "$LAB_GID" >> "$DIR/ns/etc/group"
  for line in "$@"; do printf '%s\n' "$line" >> "$DIR/ns/etc/passwd"; done
  for line in ${LAB_NS_GROUPS:-}; do printf '%s\n' "$line" >> "$DIR/ns/etc/group"; done
  # Same owner and mode as Debian's /var/mail (root:mail 2775) so dot-locking works.
  chown root:mail "$DIR/ns/mail"
  chmod 2775 "$DIR/ns/mail"
}

# Write DIR/ns/launch.sh: mounts the overlay and /var/mail, runs the extra shell lines given as
# arguments (more mounts), then execs its own arguments.  Start it with
#   lab_start unshare --mount --propagation private sh "$DIR/ns/launch.sh" CMD...
lab_ns_launcher() {
  {
    printf '#!/bin/sh\n# Written by ci/interop/servers; runs inside unshare --mount.\nset -e\n'
    printf 'mount -t overlay overlay -o lowerdir=/etc,upperdir=%s,workdir=%s /etc\n' \
      "$DIR/ns/etc" "$DIR/ns/work"
    printf 'mount --bind %s /var/mail\n' "$DIR/ns/mail"
    printf '%s\n' "$@"
    printf 'exec "$@"\n'
  } > "$DIR/ns/launch.sh"
}

# inetd-style servers (popa3d, solid-pop3d): in the namespace, socat accepts on 127.0.0.1:PORT only
# and hands each connection to CMD as its stdin/stdout (nofork: the socket itself, which solid-pop3d
# insists on; started any other way it daemonizes on *:110).
lab_start_ns_socat() {  # PORT CMD
  lab_apt_install socat
  lab_start unshare --mount --propagation private sh "$DIR/ns/launch.sh" \
    socat "TCP-LISTEN:$1,bind=$LAB_HOST,reuseaddr,fork" "EXEC:$2,nofork"
}

# Start CMD in the background as the leader of a new session; stdout/stderr to DIR/log/server.out.
lab_start() {
  lab_log "starting: $*"
  setsid "$@" </dev/null >>"$DIR/log/server.out" 2>&1 &
  LAB_PID=$!
  echo "$LAB_PID" > "$DIR/server.pid"
}

# Refuse to start when something already listens on a port: the wait below would see it as ours.
lab_check_ports_free() {
  local port
  for port in "$@"; do
    ! lab_port_open "$port" || lab_die "port $port on $LAB_HOST is already in use: $(ss -Hltnp "sport = :$port")"
  done
}

lab_port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$LAB_HOST/$1" 2>/dev/null; }

# Wait (bounded) for every port, then verify that every listening socket of the server's session
# is bound to a loopback address.
lab_wait_ports() {
  local port deadline=$((SECONDS + LAB_PORT_WAIT_SECONDS))
  for port in "$@"; do
    until lab_port_open "$port"; do
      if ! kill -0 "$LAB_PID" 2>/dev/null; then
        lab_log "server exited before port $port opened; tail of $DIR/log/server.out:"
        tail -n 20 "$DIR/log/server.out" >&2 || true
        exit 1
      fi
      if ((SECONDS >= deadline)); then
        lab_log "port $port not open after ${LAB_PORT_WAIT_SECONDS} s; stopping; tail of $DIR/log/server.out:"
        tail -n 20 "$DIR/log/server.out" >&2 || true
        lab_stop_dir "$DIR"
        exit 1
      fi
      sleep 0.2
    done
  done
  lab_check_loopback_only
}

lab_check_loopback_only() {
  local pid bad=""
  for pid in $(lab_session_pids "$LAB_PID"); do
    bad+=$(ss -Hltnp | grep "pid=$pid," | awk '{ print $4 }' | grep -Ev '^(127\.[0-9.]+|\[::1\]):[0-9]+$' || true)
  done
  if [ -n "$bad" ]; then
    lab_log "listening on a non-loopback address: $bad -- stopping"
    lab_stop_dir "$DIR"
    exit 1
  fi
}

# DIR/accounts.json: the lab's accounts as a `pop3spec run --config` file (matrix.sh adds the server,
# TLS and facts on the command line).  Every account is disposable: the lab wipes DIR on each start.
#   lab_write_accounts LOGIN_SUFFIX FIXTURES APOP
# LOGIN_SUFFIX is appended to each user name to make the login ("@lab.test" for mailutils, or "");
# FIXTURES is the account's fixture spec with @USER@ standing for the user name (not the login);
# APOP is "yes" when the server accepts APOP with the password as the shared secret.
lab_write_accounts() {
  local suffix=$1 fixtures=$2 apop=$3 user sep="" secret=""
  [ "$apop" = yes ] && secret=$LAB_PASS
  {
    printf '{\n  "accounts": [\n'
    for user in "${LAB_USERS[@]}"; do
      printf '%s    {"user": "%s", "pass": "%s", "apop_secret": "%s", "fixtures": "%s", "disposable": true}' \
        "$sep" "$user$suffix" "$LAB_PASS" "$secret" "${fixtures//@USER@/$user}"
      sep=$',\n'
    done
    printf '\n  ]\n}\n'
  } > "$DIR/accounts.json"
}

lab_done() {
  lab_log "running, PID $LAB_PID, dir $DIR"
  printf '%s\n' "$LAB_PID"
}
