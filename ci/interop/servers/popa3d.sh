#!/usr/bin/env bash
# popa3d on 127.0.0.1:11130, plain only (popa3d has neither TLS nor CAPA).
# popa3d Conflicts: pop3-server, so it is unpacked into DIR/pkg, not installed.  It is inetd-style and
# its own -D mode binds 0.0.0.0:110, so socat serves it on loopback.  It authenticates via PAM
# (service popa3d) against /etc/shadow, needs a "popa3d" user and chroots to /var/lib/popa3d: all of
# that is private to an unshare --mount namespace (overlay on /etc, tmpfs on /var/lib).
# Login alice / alice-pass; mbox /var/mail/alice (= DIR/ns/mail/alice); alice2..alice4 (LAB_ACCOUNTS)
# likewise (DIR/accounts.json).  Prints the PID (socat).
source "$(dirname "$0")/lib.sh"

PORT=${POPA3D_PORT:-11130}

lab_init popa3d
lab_apt_install libpam0g libpam-runtime openssl
lab_unpack popa3d
LAB_NS_GROUPS='popa3d:x:20001:' lab_ns_prepare 'popa3d:x:20001:20001:popa3d:/nonexistent:/usr/sbin/nologin'
mkdir -p "$DIR/ns/etc/pam.d"
cp "$DIR/pkg/etc/pam.d/popa3d" "$DIR/ns/etc/pam.d/popa3d"

for user in "${LAB_USERS[@]}"; do
  lab_write_mbox "$DIR/ns/mail/$user"
  chown "$LAB_UID:mail" "$DIR/ns/mail/$user"
  chmod 660 "$DIR/ns/mail/$user"
done
# The host path of each /var/mail/<user> (a bind mount in the server's namespace).
lab_write_accounts "" "mbox:$DIR/ns/mail/@USER@" no

# The chroot directory for the unprivileged pre-auth process lives on a private tmpfs.
lab_ns_launcher 'mount -t tmpfs -o mode=755 tmpfs /var/lib' 'mkdir -m 755 /var/lib/popa3d'
lab_check_ports_free "$PORT"
lab_start_ns_socat "$PORT" "$DIR/pkg/usr/sbin/popa3d"
lab_wait_ports "$PORT"
lab_done
