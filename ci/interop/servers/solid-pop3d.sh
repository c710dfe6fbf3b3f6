#!/usr/bin/env bash
# Solid POP3 (solid-pop3d) on 127.0.0.1:11140, plain only (it has no TLS).
# HAZARD: started with stdin not a socket (even `solid-pop3d -h`) it daemonizes and listens on *:110
# on every interface.  This script only ever runs it as socat's EXEC child on 127.0.0.1.
# solid-pop3d Conflicts: pop3-server, so it is unpacked into DIR/pkg, not installed.  It authenticates
# via PAM (service solid-pop3d) against /etc/shadow, reads /etc/spop3d.conf and drops privileges to a
# "spop3d" user (group mail) before login: all private to an unshare --mount namespace (overlay on /etc).
# Login alice / alice-pass; mbox /var/mail/alice (= DIR/ns/mail/alice); alice2..alice4 (LAB_ACCOUNTS)
# likewise (DIR/accounts.json).  APOP is advertised (timestamp in the greeting) but alice has no APOP secret
# (that needs ~/.spop3d written by the interactive pop_auth).  Prints the PID (socat).
source "$(dirname "$0")/lib.sh"

PORT=${SOLID_POP3D_PORT:-11140}

lab_init solid-pop3d
lab_apt_install libpam0g libpam-runtime liblockfile1 openssl
lab_unpack solid-pop3d
lab_ns_prepare 'spop3d:x:20002:8:Solid POP3 Server:/nonexistent:/usr/sbin/nologin'
mkdir -p "$DIR/ns/etc/pam.d"
cp "$DIR/pkg/etc/pam.d/solid-pop3d" "$DIR/ns/etc/pam.d/solid-pop3d"
cat > "$DIR/ns/etc/spop3d.conf" <<CONF
/* Written by ci/interop/servers/solid-pop3d.sh: the package default, a timeout, and no bulletins
   (their default directory is made by the package's postinst; without it every login fails). */
<Global>
	MailDropName	"/var/mail/%s"
	MailDropType	mailbox
	LogStatistics	no
	AutoLogoutTime	10m
	AddBulletins	no
</Global>
CONF

for user in "${LAB_USERS[@]}"; do
  lab_write_mbox "$DIR/ns/mail/$user"
  chown "$LAB_UID:mail" "$DIR/ns/mail/$user"
  chmod 660 "$DIR/ns/mail/$user"
done
# The host path of each /var/mail/<user> (a bind mount in the server's namespace).  Fixtures are
# written without the empty line local delivery appends after each message (mbox-no-blank:): Solid
# counts that line as part of the message (mailbox.c, mb_parse), so every fixture would come back two
# octets longer and every content check would fail for that one reason.  That behaviour is recorded
# once, in docs/interop.md; the lab's own 3-message mailbox above keeps the delivered form.
lab_write_accounts "" "mbox-no-blank:$DIR/ns/mail/@USER@" no

# shellcheck disable=SC2119  # no extra mounts needed
lab_ns_launcher
lab_check_ports_free "$PORT"
lab_start_ns_socat "$PORT" "$DIR/pkg/usr/sbin/solid-pop3d"
lab_wait_ports "$PORT"
lab_done
