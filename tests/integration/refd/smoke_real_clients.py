#!/usr/bin/env python3
"""Real clients against the pop3refd program (run by CTest as refd_smoke_real_clients).

Starts pop3refd on 127.0.0.1 ephemeral ports over a temp Maildir of three messages (one with
the dot-stuffing traps, one stored with bare LF line ends), then fetches every message with
Python's poplib (USER/PASS, APOP, STLS, implicit TLS) and with curl (pop3://, STLS, pop3s://)
and compares each byte for byte with what was stored, CRLF-normalised. Finally SIGTERM must
stop the server with exit code 0. Any difference fails the test (exit 1).
"""
import argparse
import os
import poplib
import select
import signal
import ssl
import subprocess
import sys
import tempfile
import time

USER, PASSWORD, APOP_SECRET = "alice", "alice-pass", "tanstaaf"

MESSAGES = [
    b"From: Bob <bob@example.org>\r\nTo: Alice <alice@example.org>\r\nSubject: hello\r\n"
    b"Date: Tue, 14 Nov 2023 10:00:00 +0000\r\nMessage-ID: <smoke1@example.org>\r\n\r\n"
    b"Hello Alice,\r\nthis is the first message.\r\n",
    b"From: Bob <bob@example.org>\r\nTo: Alice <alice@example.org>\r\nSubject: dot traps\r\n"
    b"Date: Tue, 14 Nov 2023 10:01:00 +0000\r\nMessage-ID: <smoke2@example.org>\r\n\r\n"
    b".leading dot\r\n..two dots\r\n.\r\nthe line above is a single dot\r\n...\r\nend\r\n",
    # Stored with bare LF line ends, as many MDAs write: the server must send CRLF.
    b"From: Carol <carol@example.org>\nTo: Alice <alice@example.org>\nSubject: unix line ends\n"
    b"Date: Tue, 14 Nov 2023 10:02:00 +0000\nMessage-ID: <smoke3@example.org>\n\n"
    b"Line one.\n\nLine three after an empty line.\n" + b"".join(b"%03d " % i + b"x" * 72 + b"\n" for i in range(80)),
]


def crlf(data):
    """What RETR must deliver for stored bytes: every line ending in CRLF."""
    text = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return text if text.endswith(b"\r\n") else text + b"\r\n"


EXPECTED = [crlf(m) for m in MESSAGES]
failures = []


def check(what, got, expected):
    if got != expected:
        at = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        failures.append(f"{what}: differs at byte {at} (got {len(got)} bytes, expected {len(expected)}):\n"
                        f"  got      {got[max(0, at - 20):at + 40]!r}\n  expected {expected[max(0, at - 20):at + 40]!r}")
    else:
        print(f"ok   {what}")


def make_maildir(base):
    root = os.path.join(base, "maildirs")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(root, USER, sub))
    for i, content in enumerate(MESSAGES):
        name = f"{1700000000 + i}.M{i}P{os.getpid()}.smoke"
        path = os.path.join(root, USER, "new", name)
        with open(path, "wb") as f:
            f.write(content)
        os.utime(path, (1700000000 + i, 1700000000 + i))
    users = os.path.join(base, "users")
    with open(users, "w") as f:
        f.write(f"{USER}:{PASSWORD}:{APOP_SECRET}\n")
    return root, users


def start_server(args, root, users):
    proc = subprocess.Popen(
        [args.pop3refd, "--maildir-root", root, "--users", users, "--listen", "127.0.0.1:0",
         "--listen-tls", "127.0.0.1:0", "--tls-cert", args.cert, "--tls-key", args.key, "--print-ports"],
        stdout=subprocess.PIPE, bufsize=0)  # unbuffered: select() sees every line
    ports = {}
    deadline = time.monotonic() + 15
    while len(ports) < 2:
        ready = select.select([proc.stdout], [], [], 1)[0]
        line = proc.stdout.readline().decode() if ready else ""
        if not line and (time.monotonic() > deadline or proc.poll() is not None):
            proc.kill()
            sys.exit(f"pop3refd did not report its ports (exit code {proc.wait()})")
        if line.startswith("listening "):
            words = line.split()
            ports["tls" if words[-1] == "tls" else "plain"] = int(words[1].rsplit(":", 1)[1])
    return proc, ports["plain"], ports["tls"]


def fetch_all(client, label):
    count, _ = client.stat()
    if count != len(EXPECTED):
        failures.append(f"{label}: STAT says {count} messages, expected {len(EXPECTED)}")
    sizes = [int(line.split()[1]) for line in client.list()[1]]
    if sizes != [len(m) for m in EXPECTED]:
        failures.append(f"{label}: LIST sizes {sizes} != stored {[len(m) for m in EXPECTED]}")
    for n, expected in enumerate(EXPECTED, 1):
        _, lines, octets = client.retr(n)
        check(f"{label} RETR {n}", b"".join(line + b"\r\n" for line in lines), expected)
    client.quit()


def poplib_checks(plain_port, tls_port, context):
    c = poplib.POP3("127.0.0.1", plain_port, timeout=10)
    c.user(USER)
    c.pass_(PASSWORD)
    fetch_all(c, "poplib USER/PASS")

    c = poplib.POP3("127.0.0.1", plain_port, timeout=10)
    c.apop(USER, APOP_SECRET)
    fetch_all(c, "poplib APOP")

    c = poplib.POP3("127.0.0.1", plain_port, timeout=10)
    c.stls(context)
    c.user(USER)
    c.pass_(PASSWORD)
    fetch_all(c, "poplib STLS")

    c = poplib.POP3_SSL("127.0.0.1", tls_port, context=context, timeout=10)
    c.user(USER)
    c.pass_(PASSWORD)
    fetch_all(c, "poplib POP3_SSL")


def curl_checks(args, plain_port, tls_port):
    common = [args.curl, "--silent", "--show-error", "--max-time", "20", "--user", f"{USER}:{PASSWORD}"]
    variants = [("curl pop3://", f"pop3://127.0.0.1:{plain_port}", []),
                ("curl STLS", f"pop3://127.0.0.1:{plain_port}", ["--ssl-reqd", "--cacert", args.cert]),
                ("curl pop3s://", f"pop3s://127.0.0.1:{tls_port}", ["--cacert", args.cert])]
    for label, url, extra in variants:
        for n, expected in enumerate(EXPECTED, 1):
            result = subprocess.run(common + extra + [f"{url}/{n}"], capture_output=True, timeout=30)
            if result.returncode != 0:
                failures.append(f"{label} RETR {n}: curl exit {result.returncode}: {result.stderr.decode(errors='replace')}")
                continue
            check(f"{label} RETR {n}", result.stdout, expected)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pop3refd", required=True)
    parser.add_argument("--curl", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pop3spec-smoke-") as base:
        root, users = make_maildir(base)
        proc, plain_port, tls_port = start_server(args, root, users)
        try:
            context = ssl.create_default_context(cafile=args.cert)
            poplib_checks(plain_port, tls_port, context)
            curl_checks(args, plain_port, tls_port)
        except Exception as e:  # a client error is a test failure, reported with the rest
            failures.append(f"client error: {type(e).__name__}: {e}")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = "none (killed after 10 s)"
        if code != 0:
            failures.append(f"pop3refd exit code after SIGTERM: {code}, expected 0")
        left = sorted(os.listdir(os.path.join(root, USER, "new")) + os.listdir(os.path.join(root, USER, "cur")))
        if len(left) != len(MESSAGES):
            failures.append(f"the Maildir changed: {left}")

    for f in failures:
        print(f"FAIL {f}")
    print(f"{'FAILED' if failures else 'PASSED'}: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
