#!/usr/bin/env bash
# GNU Mailutils pop3d on 127.0.0.1:11120 (plain + STLS) and 127.0.0.1:11121 (POP3S).
# Login alice@lab.test / alice-pass: the virtdomain auth module reads DIR/domains/lab.test
# (passwd(5) format, crypt hash, uid/gid 20000) and, in daemon mode, only finds the user when the
# login carries the domain.  mbox store DIR/mail/alice/INBOX.  APOP secret in DIR/apop.db (popauth).
# alice2@lab.test..alice4@lab.test (LAB_ACCOUNTS) likewise, with mboxes of their own (DIR/accounts.json).
# Prints the PID (pop3d master in the foreground) on stdout.
source "$(dirname "$0")/lib.sh"

PORT=${MAILUTILS_PORT:-11120}
PORT_TLS=${MAILUTILS_PORT_TLS:-11121}
DOMAIN=lab.test

lab_init mailutils
lab_apt_install mailutils-pop3d openssl
lab_make_cert
mkdir -p "$DIR"/domains
hash=$(openssl passwd -6 "$LAB_PASS")
: > "$DIR/domains/$DOMAIN"
for user in "${LAB_USERS[@]}"; do
  lab_write_mbox "$DIR/mail/$user/INBOX"
  # virtdomain: the mailbox is <home>/INBOX.
  printf '%s:%s:%s:%s:Alice:%s:/bin/false\n' "$user" "$hash" "$LAB_UID" "$LAB_GID" "$DIR/mail/$user" \
    >> "$DIR/domains/$DOMAIN"
  # -f names the database for --add (without -f popauth writes /etc/apop.db).
  popauth --add --user "$user@$DOMAIN" --password "$LAB_PASS" --file "$DIR/apop.db"
done
# The session runs as uid 20000 and dot-locks in the mailbox's directory.
chown -R "$LAB_UID:$LAB_GID" "$DIR/mail"
chmod 600 "$DIR/domains/$DOMAIN" "$DIR/apop.db"
lab_write_accounts "@$DOMAIN" "mbox:$DIR/mail/@USER@/INBOX" yes

cat > "$DIR/pop3d.conf" <<EOF
# Written by ci/interop/servers/mailutils.sh; loaded with --config-file (no site config).
mode daemon;
foreground yes;
# Room for matrix.sh's parallel jobs and the many-connection scenarios (at 20, pop3d refused
# connections with "too many children").
max-children 100;
timeout 600;
logging {
  syslog no;
  print-severity yes;
};
auth {
  authorization virtdomain;
  authentication generic;
};
virtdomain {
  passwd-dir "$DIR/domains";
};
apop-database-file "$DIR/apop.db";
tls {
  ssl-certificate-file "$DIR/tls/cert.pem";
  ssl-key-file "$DIR/tls/key.pem";
};
server $LAB_HOST:$PORT {
  tls-mode stls;
  transcript yes;
};
server $LAB_HOST:$PORT_TLS {
  tls-mode connection;
  transcript yes;
};
EOF

pop3d --config-file="$DIR/pop3d.conf" --config-lint >&2 || lab_die "pop3d rejected the config"
lab_check_ports_free "$PORT" "$PORT_TLS"
lab_start pop3d --config-file="$DIR/pop3d.conf"
lab_wait_ports "$PORT" "$PORT_TLS"
lab_done
