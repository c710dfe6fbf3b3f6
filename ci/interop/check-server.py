#!/usr/bin/env python3
"""Fetch the pop3lab mailbox from a real POP3 server with Python's poplib and check it.

usage: check-server.py HOST PORT USER PASS [--stls | --tls] [--ca FILE] [--apop]

Logs in (USER/PASS, or APOP with --apop), runs STAT, RETRs every message and checks that there
are exactly 3, that message N has "Subject: lab message N", and that message 2's unstuffed lines
contain the byte-stuffing traps ".leading dot", "..two leading dots" and "." in that order.
Prints the greeting, CAPA and a summary on stdout; exits 1 on any mismatch, 2 on a usage error.
Every socket operation has a timeout, so nothing hangs.
"""

import argparse
import poplib
import ssl
import sys

TIMEOUT_SECONDS = 15
EXPECTED_COUNT = 3
DOT_TRAPS = [b".leading dot", b"..two leading dots", b"."]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("user")
    p.add_argument("password")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--stls", action="store_true", help="upgrade with STLS before login")
    mode.add_argument("--tls", action="store_true", help="implicit TLS (POP3S)")
    p.add_argument("--ca", help="CA file to trust (the lab's self-signed DIR/tls/cert.pem)")
    p.add_argument("--apop", action="store_true", help="log in with APOP instead of USER/PASS")
    args = p.parse_args()
    if (args.stls or args.tls) and not args.ca:
        p.error("--stls/--tls need --ca FILE")
    return args


def tls_context(ca_file):
    # Verifies the chain and the name: the lab cert has IP SANs for 127.0.0.1 and ::1.
    return ssl.create_default_context(cafile=ca_file)


def connect(args):
    if args.tls:
        return poplib.POP3_SSL(args.host, args.port, timeout=TIMEOUT_SECONDS,
                               context=tls_context(args.ca))
    conn = poplib.POP3(args.host, args.port, timeout=TIMEOUT_SECONDS)
    if args.stls:
        print("STLS:", conn.stls(tls_context(args.ca)).decode(errors="replace"))
    return conn


def capa_lines(conn):
    try:
        return [k + (" " + " ".join(v) if v else "") for k, v in conn.capa().items()]
    except poplib.error_proto as e:
        return [f"(CAPA failed: {e})"]


def contains_in_order(lines, wanted):
    """True if WANTED occurs in LINES as a contiguous run."""
    n = len(wanted)
    return any(lines[i:i + n] == wanted for i in range(len(lines) - n + 1))


def check_message(n, lines):
    problems = []
    subject = f"Subject: lab message {n}".encode()
    if subject not in lines:
        problems.append(f"message {n}: no line {subject!r}")
    if n == 2 and not contains_in_order(lines, DOT_TRAPS):
        problems.append(f"message 2: dot traps not found unstuffed; body lines: {lines[-6:]!r}")
    return problems


def main():
    args = parse_args()
    problems = []
    try:
        conn = connect(args)
        print("greeting:", conn.getwelcome().decode(errors="replace"))
        for line in capa_lines(conn):
            print("CAPA:", line)
        if args.apop:
            print("APOP:", conn.apop(args.user, args.password).decode(errors="replace"))
        else:
            conn.user(args.user)
            print("PASS:", conn.pass_(args.password).decode(errors="replace"))
        count, size = conn.stat()
        print(f"STAT: {count} {size}")
        if count != EXPECTED_COUNT:
            problems.append(f"STAT says {count} messages, expected {EXPECTED_COUNT}")
        for n in range(1, count + 1):
            resp, lines, octets = conn.retr(n)
            print(f"RETR {n}: {resp.decode(errors='replace')} ({len(lines)} lines, {octets} octets)")
            problems += check_message(n, lines)
        print("QUIT:", conn.quit().decode(errors="replace"))
    except (OSError, poplib.error_proto, ssl.SSLError) as e:
        problems.append(f"{type(e).__name__}: {e}")
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    if problems:
        return 1
    print("OK: 3 messages fetched, dot traps intact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
