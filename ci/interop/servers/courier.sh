#!/usr/bin/env bash
# Courier POP3 on 127.0.0.1:11150 (plain + STLS) and 127.0.0.1:11151 (POP3S via couriertls).
# courier-base, courier-authdaemon and courier-authlib-userdb are apt-installed; courier-pop
# (Conflicts: pop3-server, and ships /usr/sbin/pop3d like mailutils) is unpacked into DIR/pkg.
# authdaemond and courierpop3login use compiled-in paths (/etc/courier/authdaemonrc, the userdb,
# the socket in /run/courier/authdaemon), so everything runs in one unshare --mount namespace with
# a private overlay on /etc and a tmpfs on /run/courier; couriertcpd is started directly (no
# courierlogger, which would detach).  Login alice / alice-pass from a courier userdb (uid/gid 20000,
# crypt hash); Maildir DIR/home/alice/Maildir; alice2..alice4 (LAB_ACCOUNTS) likewise
# (DIR/accounts.json).  Prints the PID (the launcher, which becomes the plain-port couriertcpd;
# authdaemond and the POP3S couriertcpd are in its session).
source "$(dirname "$0")/lib.sh"

PORT=${COURIER_PORT:-11150}
PORT_TLS=${COURIER_PORT_TLS:-11151}

lab_init courier
lab_apt_install courier-base courier-authdaemon courier-authlib-userdb openssl
lab_unpack courier-pop
lab_make_cert
# couriertls wants the key and the certificate in one file, readable by user courier: for STLS,
# courierpop3login has already dropped to that user when it runs couriertls.
cat "$DIR/tls/key.pem" "$DIR/tls/cert.pem" > "$DIR/tls/courier.pem"
chown courier:courier "$DIR/tls/courier.pem"
chmod 600 "$DIR/tls/courier.pem"

# shellcheck disable=SC2119  # no extra passwd lines needed
lab_ns_prepare
for user in "${LAB_USERS[@]}"; do lab_write_maildir "$DIR/home/$user/Maildir"; done
chown -R "$LAB_UID:$LAB_GID" "$DIR/home"
lab_write_accounts "" "maildir:$DIR/home/@USER@/Maildir" no

etc_courier=$DIR/ns/etc/courier
mkdir -p "$etc_courier"
chown root:courier "$etc_courier"
chmod 755 "$etc_courier"
sed -e 's/^authmodulelist=.*/authmodulelist="authuserdb"/' -e 's/^daemons=.*/daemons=1/' \
  -e 's/^DEBUG_LOGIN=.*/DEBUG_LOGIN=1/' /etc/courier/authdaemonrc > "$etc_courier/authdaemonrc"
chown root:courier "$etc_courier/authdaemonrc"
chmod 640 "$etc_courier/authdaemonrc"
# systempw serves USER/PASS, PLAIN and LOGIN; the hmac-*pw fields serve the CRAM-* mechanisms that
# courierpop3login advertises by default (without them a client choosing CRAM-MD5 cannot log in).
secrets="|systempw=$(openssl passwd -6 "$LAB_PASS")"
for alg in md5 sha1 sha256; do
  secrets+="|hmac-${alg}pw=$(printf '%s\n' "$LAB_PASS" | userdbpw "-hmac-$alg")"
done
: > "$etc_courier/userdb"
for user in "${LAB_USERS[@]}"; do
  printf '%s\tuid=%s|gid=%s|home=%s|mail=%s%s\n' "$user" "$LAB_UID" "$LAB_GID" "$DIR/home/$user" \
    "$DIR/home/$user/Maildir" "$secrets" >> "$etc_courier/userdb"
done
chmod 600 "$etc_courier/userdb"
makeuserdb -f "$etc_courier/userdb"

# The environment courierpop3login/couriertls read (what /etc/courier/pop3d{,-ssl} would set; the
# POP3S listener adds POP3_TLS=1 POP3_STARTTLS=NO, as /usr/lib/courier/pop3d-ssl does).  An empty
# POP3AUTH_TLS, as the shipped /etc/courier/pop3d has it, announces the POP3AUTH list under TLS too:
# the same mechanisms on both ports (with "LOGIN PLAIN" there the TLS column hid the CRAM-*
# mechanisms the server implements, and failed sasl/auth/non-plaintext-mechanism for the lab's sake).
cat > "$DIR/courier.env" <<ENV
PATH=/usr/bin:/bin:/usr/sbin:/sbin
SHELL=/bin/sh
POP3AUTH="PLAIN LOGIN CRAM-MD5 CRAM-SHA1 CRAM-SHA256"
POP3AUTH_TLS=
POP3_PROXY=0
POP3_STARTTLS=YES
POP3_TLS_REQUIRED=0
MAILDIRPATH=Maildir
MIME_UNICODE_MESSAGE_TYPE=message/global
COURIERTLS=/usr/bin/couriertls
TLS_CERTFILE=$DIR/tls/courier.pem
TLS_DHPARAMS=/etc/courier/dhparams.pem
TLS_TRUSTCERTS=/etc/ssl/certs/ca-certificates.crt
TLS_VERIFYPEER=NONE
TLS_CACHEFILE=
ENV

login=$DIR/pkg/usr/lib/courier/courier/courierpop3login
pop3d=$DIR/pkg/usr/lib/courier/courier/courierpop3d
# Every client is 127.0.0.1: -maxperip must leave room for matrix.sh's parallel jobs and the
# many-connection scenarios (at 10, couriertcpd dropped connections before the greeting).
tcpd=(couriertcpd "-address=$LAB_HOST" -maxprocs=100 -maxperip=100 -nodnslookup -noidentlookup)
lab_ns_launcher \
  'mount -t tmpfs -o mode=775 tmpfs /run/courier' \
  'install -d -o courier -g courier -m 750 /run/courier/authdaemon' \
  'set -a; . /etc/courier/authdaemonrc; . '"$DIR/courier.env"'; set +a' \
  '/usr/lib/courier/courier-authlib/authdaemond &' \
  "POP3_TLS=1 POP3_STARTTLS=NO ${tcpd[*]} $PORT_TLS /usr/bin/couriertls -server -tcpd -user=courier $login $pop3d Maildir &"
lab_check_ports_free "$PORT" "$PORT_TLS"
lab_start unshare --mount --propagation private sh "$DIR/ns/launch.sh" \
  "${tcpd[@]}" "$PORT" "$login" "$pop3d" Maildir
lab_wait_ports "$PORT" "$PORT_TLS"
lab_done
