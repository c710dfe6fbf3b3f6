#!/usr/bin/env python3
"""The side-by-side benchmark: pop3refd against Dovecot, every mode of pop3bench, alternately.

Run through bench/run.sh (which installs and builds first). For each repetition and each figure
it runs pop3bench against dovecot and against pop3refd one after the other (the order swaps
every repetition), so both see the same machine noise; it prints a Markdown table of medians,
ranges and the pop3refd/dovecot ratio, and each server's memory per idle connection (PSS summed
over its processes, from /proc, loaded minus unloaded, divided by the connections)."""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVERS = {"dovecot": (12210, 12211), "pop3refd": (12220, 12221)}
LAB_ROOT = os.environ.get("BENCH_LAB_ROOT", "/dev/shm/pop3bench")  # as bench/servers.sh

# (key, what it measures, pop3bench arguments, value taken, target ratio pop3refd/dovecot,
#  servers that have it). Targets: issue 12.
FIGURES = [
    ("sessions-plain-1", "sessions/s plain, 1 worker", ["sessions", "--workers", "1"], "per_second", 5),
    ("sessions-plain-8", "sessions/s plain, 8 workers", ["sessions", "--workers", "8"], "per_second", 5),
    ("sessions-tls-1", "sessions/s implicit TLS, 1 worker", ["sessions", "--tls", "--workers", "1"], "per_second", 2),
    ("sessions-tls-8", "sessions/s implicit TLS, 8 workers", ["sessions", "--tls", "--workers", "8"], "per_second", 2),
    ("sessions-stls-1", "sessions/s STLS, 1 worker", ["sessions", "--stls", "--workers", "1"], "per_second", 2),
    ("retr-1m-1", "RETR 1 MiB, MB/s, 1 worker", ["retr", "--message", "2", "--workers", "1"], "mb_per_second", 3),
    ("retr-1m-8", "RETR 1 MiB, MB/s, 8 workers", ["retr", "--message", "2", "--workers", "8"], "mb_per_second", 3),
    ("retr-4k-1", "RETR 4 KiB, RETR/s, 1 worker", ["retr", "--message", "1", "--workers", "1"], "per_second", 2),
    ("poll-fresh-1", "poll: fresh TLS session + STAT, polls/s", ["poll", "--poll", "fresh", "--tls"], "per_second", 2),
    ("poll-noop-1", "poll: held TLS NOOP+STAT, polls/s", ["poll", "--poll", "noop", "--tls"], "per_second", 3),
    ("poll-core-1", "poll: held TLS CORE, polls/s (pop3refd only)", ["poll", "--poll", "core", "--tls"],
     "per_second", None, ("pop3refd",)),
    ("poll-wake-1", "poll: held TLS WAKE+STAT+SLEE, polls/s (pop3refd only)", ["poll", "--poll", "wake", "--tls"],
     "per_second", None, ("pop3refd",)),
]
# Memory per idle connection: plain and TLS (the latter with pop3refd's SLEEPING too).
IDLE = [("idle-plain", "KB per idle connection, plain", [], 8), ("idle-tls", "KB per idle connection, TLS", ["--tls"], 40)]


def log(text):
    print(text, file=sys.stderr, flush=True)


def pin(cores):
    return ["taskset", "-c", cores] if cores else []


def write_messages(directory):
    """Message 1 about 4 KiB, message 2 exactly 1 MiB of body, both with dot-leading lines."""
    head = "From: bench@bench.test\nTo: user@bench.test\nSubject: bench message {n}\nMessage-ID: <b{n}@bench.test>\n\n"
    for n, octets in ((1, 4096), (2, 1 << 20)):
        lines, size, i = [head.format(n=n)], 0, 0
        while size < octets:
            line = (".dot-leading line %06d " % i if i % 7 == 0 else "line %06d of the bench body " % i).ljust(70, "x") + "\n"
            lines.append(line)
            size += len(line)
            i += 1
        with open(os.path.join(directory, "%d.eml" % n), "w") as f:
            f.write("".join(lines))


def start(name, env):
    out = subprocess.run([os.path.join(ROOT, "bench", "servers.sh"), name], env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("bench: %s did not start:\n%s" % (name, out.stderr[-3000:]))
    return int(out.stdout.strip())


def stop(name):
    subprocess.run(["bash", "-c", 'source "%s/ci/interop/servers/lib.sh"; lab_stop_dir "%s"' % (ROOT, os.path.join(LAB_ROOT, name))],
                   capture_output=True)


def session_pids(leader):
    out = subprocess.run(["ps", "-e", "-o", "pid=,sid="], capture_output=True, text=True).stdout
    return [int(p) for p, s in (l.split() for l in out.splitlines()) if int(s) == leader]


def pss_kb(leader):
    """PSS of every process of the server's session (dovecot forks one per session)."""
    total = 0
    for pid in session_pids(leader):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                total += sum(int(l.split()[1]) for l in f if l.startswith("Pss:"))
        except OSError:
            pass  # the process ended meanwhile
    return total


def bench(args, server, tls, seconds, cores, extra=()):
    port = SERVERS[server][1 if tls else 0]
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = pin(cores) + [args.pop3bench] + list(extra) + ["--server", "127.0.0.1:%d" % port, "--seconds", str(seconds),
                                                               "--json", out.name, "--pass", "bench-pass"]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 300)
        if run.returncode == 2:
            sys.exit("bench: pop3bench refused %s:\n%s" % (" ".join(cmd), run.stderr))
        result = json.load(open(out.name))
    if result["errors"]:
        log("  %s on %s: %d errors, first: %s" % (result["name"], server, result["errors"], result["first_error"]))
    return result


def idle_memory(args, server, leader, count, tls, cores):
    """KB of PSS per idle logged-in connection, and whether every one still answered."""
    base = pss_kb(leader)
    ready = tempfile.mktemp(prefix="pop3bench-ready-")
    port = SERVERS[server][1 if tls else 0]
    cmd = pin(cores) + [args.pop3bench, "idle", "--server", "127.0.0.1:%d" % port, "--workers", str(count),
                        "--user", "idle{n}", "--pass", "bench-pass", "--seconds", "3", "--timeout", "120", "--ready-file", ready, "--json", ready + ".json"]
    if tls:
        cmd.append("--tls")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not os.path.exists(ready) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # let the server settle what the last logins allocated
    loaded = pss_kb(leader)
    proc.wait(timeout=600)
    result = json.load(open(ready + ".json")) if os.path.exists(ready + ".json") else {"held": 0, "first_error": proc.stderr.read()}
    for f in (ready, ready + ".json"):
        if os.path.exists(f):
            os.unlink(f)
    if result["held"] != count:
        log("  idle %d on %s: only %d of %d still answered (%s)" % (count, server, result["held"], count, result.get("first_error")))
    return (loaded - base) / count, result["held"]


def fmt(values):
    if not values:
        return "n/a"
    med = statistics.median(values)
    return "%.1f [%.1f-%.1f]" % (med, min(values), max(values)) if len(values) > 1 else "%.1f" % med


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="1 s per mode, one repetition, 100 idle connections (CI)")
    p.add_argument("--json", help="write every figure to FILE")
    p.add_argument("--repetitions", type=int, default=3)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--idle", default="1000,10000", help="idle connection counts")
    p.add_argument("--pop3bench", default=os.path.join(ROOT, "build-release", "bench", "pop3bench"))
    p.add_argument("--pop3refd", default=os.path.join(ROOT, "build-release", "reference-server", "pop3refd"))
    args = p.parse_args()
    if args.quick:
        args.repetitions, args.seconds, args.idle = 1, 1, "100"
    idle_counts = [int(c) for c in args.idle.split(",") if c]
    cores = os.cpu_count() or 1
    # Server on the last core, load generator on the others, when there are two or more.
    server_cores, bench_cores = (str(cores - 1), "0-%d" % (cores - 2)) if cores >= 2 else ("", "")
    messages = tempfile.mkdtemp(prefix="pop3bench-mail-")
    write_messages(messages)
    env = dict(os.environ, BENCH_MESSAGES=messages, BENCH_CPUS=server_cores, POP3REFD=args.pop3refd,
               BENCH_IDLE_ACCOUNTS=str(max(idle_counts + [1])))
    leaders = {}
    try:
        for name in SERVERS:
            log("starting %s" % name)
            leaders[name] = start(name, env)
        samples = {f[0]: {s: [] for s in SERVERS} for f in FIGURES}
        for rep in range(args.repetitions):
            order = list(SERVERS) if rep % 2 == 0 else list(reversed(list(SERVERS)))
            log("repetition %d of %d (%s first)" % (rep + 1, args.repetitions, order[0]))
            for key, _, cmd, value, _, *only in FIGURES:
                for server in order:
                    if only and server not in only[0]:
                        continue
                    tls = "--tls" in cmd
                    r = bench(args, server, tls, args.seconds, bench_cores, extra=[a for a in cmd if a != "--tls"] + (["--tls"] if tls else []))
                    samples[key][server].append(r[value])
        memory = {}
        for key, _, extra, _ in IDLE:
            for count in idle_counts:
                for server in SERVERS:
                    log("idle: %d connections on %s (%s)" % (count, server, key))
                    # A fresh server each time: Dovecot keeps the processes of ended sessions for
                    # reuse, which would count as the unloaded baseline of the next measurement.
                    stop(server)
                    leaders[server] = start(server, env)
                    memory[(key, count, server)] = idle_memory(args, server, leaders[server], count, "--tls" in extra, bench_cores)
    finally:
        for name in SERVERS:
            stop(name)
        shutil.rmtree(messages, ignore_errors=True)
    report(args, samples, memory, idle_counts, cores)


def report(args, samples, memory, idle_counts, cores):
    rows = ["| figure | dovecot | pop3refd | ratio | target |", "|---|---|---|---|---|"]
    out = {"repetitions": args.repetitions, "seconds": args.seconds, "cores": cores, "figures": {}, "memory": {}}
    for key, label, _, _, target, *_ in FIGURES:
        d, r = samples[key]["dovecot"], samples[key]["pop3refd"]
        ratio = statistics.median(r) / statistics.median(d) if d and r and statistics.median(d) > 0 else None
        ok = "" if target is None or ratio is None else (" (met)" if ratio >= target else " (**not met**)")
        rows.append("| %s | %s | %s | %s | %s |" % (label, fmt(d), fmt(r), "%.2fx" % ratio if ratio else "",
                                                    (">= %gx%s" % (target, ok)) if target else ""))
        out["figures"][key] = {"label": label, "dovecot": d, "pop3refd": r, "ratio": ratio, "target": target}
    for key, label, _, target in IDLE:
        for count in idle_counts:
            d, r = memory[(key, count, "dovecot")], memory[(key, count, "pop3refd")]
            ok = " (met)" if r[0] <= target else " (**not met**)"
            rows.append("| %s (%d connections; answered d %d / r %d) | %.1f | %.1f | | pop3refd <= %d KB%s |"
                        % (label, count, d[1], r[1], d[0], r[0], target, ok))
            out["memory"]["%s-%d" % (key, count)] = {"dovecot_kb": d[0], "pop3refd_kb": r[0], "held": [d[1], r[1]]}
    print("Medians of %d repetitions of %g s each [min-max]; %d cores (server pinned to the last one)\n"
          % (args.repetitions, args.seconds, cores))
    print("\n".join(rows))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
