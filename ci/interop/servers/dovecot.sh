#!/usr/bin/env bash
# Dovecot POP3 on 127.0.0.1:11110 (plain + STLS) and 127.0.0.1:11111 (POP3S).
# Maildir store and passwd-file auth under DIR, mail processes run as uid/gid 20000 (no system user).
# Login alice / alice-pass; USER/PASS, SASL PLAIN/LOGIN/CRAM-MD5 and APOP (plaintext secret in DIR/passwd).
# alice2..alice4 (LAB_ACCOUNTS) have the same password and Maildirs of their own (DIR/accounts.json).
# Prints the PID (dovecot master in the foreground) on stdout.
source "$(dirname "$0")/lib.sh"

PORT=${DOVECOT_PORT:-11110}
PORT_TLS=${DOVECOT_PORT_TLS:-11111}

lab_init dovecot
lab_apt_install dovecot-core dovecot-pop3d
lab_make_cert
mkdir -p "$DIR"/{run,state,mail}

# passwd-file: user:password:uid:gid:gecos:home:shell.  {PLAIN} keeps the secret usable for
# CRAM-MD5 and APOP, which need the cleartext.
: > "$DIR/passwd"
for user in "${LAB_USERS[@]}"; do
  lab_write_maildir "$DIR/mail/$user/Maildir"
  printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$user" "$LAB_PASS" "$LAB_UID" "$LAB_GID" "$DIR/mail/$user" >> "$DIR/passwd"
done
chown -R "$LAB_UID:$LAB_GID" "$DIR/mail"
lab_write_accounts "" "maildir:$DIR/mail/@USER@/Maildir" yes
chmod 640 "$DIR/passwd"
chgrp dovecot "$DIR/passwd"

cat > "$DIR/dovecot.conf" <<EOF
# Written by ci/interop/servers/dovecot.sh; no include of /etc/dovecot.
protocols = pop3
listen = $LAB_HOST
base_dir = $DIR/run
state_dir = $DIR/state
log_path = $DIR/log/dovecot.log
info_log_path = $DIR/log/dovecot.log
debug_log_path = $DIR/log/dovecot.log
auth_verbose = yes

ssl = yes
ssl_cert = <$DIR/tls/cert.pem
ssl_key = <$DIR/tls/key.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 apop

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
first_valid_gid = $LAB_GID
last_valid_gid = $LAB_GID
mail_location = maildir:~/Maildir

service pop3-login {
  inet_listener pop3 {
    address = $LAB_HOST
    port = $PORT
  }
  inet_listener pop3s {
    address = $LAB_HOST
    port = $PORT_TLS
    ssl = yes
  }
}
# Dovecot's authentication penalty stays on, as it ships (anvil delays the answers to logins from an
# address with recent failures, by up to 15 s): pop3spec waits for login answers up to
# --auth-timeout (30 s), so the delay must not turn into failures of the rules under test.
# No other listener may exist; the defaults of these services are unix sockets under base_dir.
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = 0
  }
}
EOF

dovecot -c "$DIR/dovecot.conf" -n > "$DIR/log/dovecot-n.txt" 2>&1 \
  || { cat "$DIR/log/dovecot-n.txt" >&2; lab_die "dovecot rejected the config"; }
lab_check_ports_free "$PORT" "$PORT_TLS"
lab_start dovecot -F -c "$DIR/dovecot.conf"
lab_wait_ports "$PORT" "$PORT_TLS"
lab_done
