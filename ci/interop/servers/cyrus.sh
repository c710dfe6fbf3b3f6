#!/usr/bin/env bash
# Cyrus pop3d on 127.0.0.1:11160 (plain + STLS) and 127.0.0.1:11161 (POP3S); lmtpd on 127.0.0.1:11162.
# cyrus-common and sasl2-bin are apt-installed (cyrus-common needs an MTA: msmtp-mta is asked for,
# which has no daemon, rather than letting apt pick exim4); cyrus-pop3d (Conflicts: pop3-server) is
# unpacked into DIR/pkg.  Config, spool and databases all under DIR (imapd.conf -C, cyrus.conf -M);
# the services run as the package's "cyrus" user.  Login alice / alice-pass from a private sasldb
# (USER/PASS, APOP and SASL).  The 3 messages are delivered over LMTP with `cyrus deliver`, which
# creates the INBOX (autocreate_post); alice2..alice4 (LAB_ACCOUNTS) likewise (DIR/accounts.json).
# Cyrus logs to syslog only: protocol telemetry is written to DIR/lib/log/<user>/.  Prints the PID (cyrmaster, in the foreground) on stdout.
source "$(dirname "$0")/lib.sh"

PORT=${CYRUS_PORT:-11160}
PORT_TLS=${CYRUS_PORT_TLS:-11161}
# LMTP on loopback TCP as well as the unix socket: pop3spec's lmtp:// fixture adapter speaks TCP only.
PORT_LMTP=${CYRUS_PORT_LMTP:-11162}
SERVERNAME=localhost

lab_init cyrus
lab_apt_install cyrus-common sasl2-bin msmtp-mta openssl
lab_unpack cyrus-pop3d
lab_make_cert
chown cyrus:mail "$DIR/tls/key.pem"

mkdir -p "$DIR"/{lib,spool/stage.,sieve,run/proc,run/lock,run/socket}
for d in db proc socket log msg user quota lock; do mkdir -p "$DIR/lib/$d"; done
# Telemetry (the full protocol transcript) is written only if the user's log directory exists.
for user in "${LAB_USERS[@]}"; do mkdir -p "$DIR/lib/log/$user"; done
chown -R cyrus:mail "$DIR"/{lib,spool,sieve,run}
chmod -R go-rwx "$DIR"/{lib,spool}

# The SASL realm is the server name, so the sasldb entry is alice@localhost.
for user in "${LAB_USERS[@]}"; do
  printf '%s' "$LAB_PASS" | saslpasswd2 -p -c -f "$DIR/sasldb2" -u "$SERVERNAME" "$user"
done
chown cyrus:mail "$DIR/sasldb2"
chmod 640 "$DIR/sasldb2"

cat > "$DIR/imapd.conf" <<CONF
# Written by ci/interop/servers/cyrus.sh.
servername: $SERVERNAME
configdirectory: $DIR/lib
proc_path: $DIR/run/proc
mboxname_lockpath: $DIR/run/lock
defaultpartition: default
partition-default: $DIR/spool
sievedir: $DIR/sieve
lmtpsocket: $DIR/run/socket/lmtp
idlesocket: $DIR/run/socket/idle
notifysocket: $DIR/run/socket/notify
unixhierarchysep: yes
altnamespace: no
lmtp_downcase_rcpt: yes
autocreate_post: yes
autocreate_quota: 0
popminpoll: 0
# Cyrus drops (with 250 OK) an LMTP delivery whose Message-ID it already delivered to the mailbox;
# pop3spec delivers the same fixture messages again and again.
duplicatesuppression: 0
allowplaintext: yes
allowapop: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $DIR/sasldb2
sasl_mech_list: PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256
tls_server_cert: $DIR/tls/cert.pem
tls_server_key: $DIR/tls/key.pem
syslog_prefix: cyrus-pop3lab
CONF

pop3d=$DIR/pkg/usr/lib/cyrus/bin/pop3d
cat > "$DIR/cyrus.conf" <<CONF
# Written by ci/interop/servers/cyrus.sh.
START {
  recover cmd="ctl_cyrusdb -r -C $DIR/imapd.conf"
}
SERVICES {
  pop3     cmd="$pop3d -C $DIR/imapd.conf" listen="$LAB_HOST:$PORT" prefork=0
  pop3s    cmd="$pop3d -s -C $DIR/imapd.conf" listen="$LAB_HOST:$PORT_TLS" prefork=0
  lmtpunix cmd="lmtpd -C $DIR/imapd.conf" listen="$DIR/run/socket/lmtp" prefork=0
  # -a: a TCP client is trusted without LMTP AUTH (it is loopback only, and only pop3spec uses it).
  lmtp     cmd="lmtpd -a -C $DIR/imapd.conf" listen="$LAB_HOST:$PORT_LMTP" prefork=0
}
EVENTS {
}
DAEMON {
}
CONF

lab_check_ports_free "$PORT" "$PORT_TLS" "$PORT_LMTP"
lab_start cyrmaster -C "$DIR/imapd.conf" -M "$DIR/cyrus.conf" -p "$DIR/run/master.pid" -D
lab_wait_ports "$PORT" "$PORT_TLS" "$PORT_LMTP"

for user in "${LAB_USERS[@]}"; do
  for n in 1 2 3; do
    lab_message "$n" | timeout 30 cyrus deliver -C "$DIR/imapd.conf" "$user" \
      || lab_die "cyrus deliver of message $n to $user failed"
  done
done
# Fixtures go straight into the spool, not over LMTP: lmtpd prepends Return-Path: and Received:
# (no imapd.conf option turns that off), so sizes, line counts and contents would all differ from
# the fixture, and it refuses some robustness fixtures outright (554 5.6.0 invalid header).  The
# exec: adapter writes the message as message file UID. and has `reconstruct` index it; clear
# removes the message files and reconstructs.  UIDs come from a counter above any LMTP UID.
echo 100000 > "$DIR/next-uid"
chown cyrus:mail "$DIR/next-uid"
cat > "$DIR/fixture.sh" <<SCRIPT
#!/bin/sh
# Written by ci/interop/servers/cyrus.sh: pop3spec exec: fixture adapter (POP3SPEC_USER, POP3SPEC_ACTION).
set -eu
conf=$DIR/imapd.conf
bin=/usr/lib/cyrus/bin
box="user/\$POP3SPEC_USER"
dir=\$(runuser -u cyrus -- \$bin/mbpath -C \$conf "\$box")
case "\$POP3SPEC_ACTION" in
  clear) find "\$dir" -maxdepth 1 -name '[0-9]*.' -delete ;;
  deliver)
    uid=\$(flock $DIR/next-uid sh -c 'n=\$(cat $DIR/next-uid); echo \$((n + 1)) > $DIR/next-uid; echo \$n')
    # Spool files are CRLF: a bare LF becomes CRLF, nothing else changes.
    perl -0777 -pe 's/(?<!\r)\n/\r\n/g' > "\$dir/\$uid."
    chown cyrus:mail "\$dir/\$uid."
    chmod 600 "\$dir/\$uid." ;;
  *) echo "unknown action \$POP3SPEC_ACTION" >&2; exit 2 ;;
esac
runuser -u cyrus -- \$bin/reconstruct -C \$conf "\$box" >/dev/null
SCRIPT
chmod 755 "$DIR/fixture.sh"
lab_write_accounts "" "exec:$DIR/fixture.sh" yes
lab_done
