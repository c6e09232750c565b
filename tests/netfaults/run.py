#!/usr/bin/python3
"""The network fault suite: each client against three memcached hosts in
network namespaces (hosts.py), one fault at a time on the third host.

    tests/netfaults/run.py [--ci | --full] [--build DIR] [--clients a,b] [--faults a,b]
                           [--pre S] [--fault S] [--post S] [--table FILE] [--json FILE]

Per client and fault: the driver (netfaults_driver, py_driver.py) runs the
workload for pre + fault + post seconds; the fault is put on host c after
`pre` seconds and cleared `fault` seconds later, while host c's memcached is
asked for its command count every 100 ms. Reported: calls, wrong values (a
value that is not the key's own: never allowed), failed calls, misses, the
worst call and the 99th percentile, the healthy hosts' speed during the fault
against before it, and the recovery: from the fault's end until host c serves
at least a third of its speed before the fault again (over a 0.5 s window).

--ci (the default; .ci/run's netfaults stage): our two clients, short phases,
and the issue's properties asserted for them with generous bounds:
  - no wrong value, ever;
  - no call longer than connect_timeout + socket_timeout + 1.5 s;
  - the healthy hosts keep at least half their speed during the fault, and
    a get_multi over all three hosts always brings back the healthy ones' keys;
  - host c back within dead_retry + socket_timeout + 2 s of the fault's end.
Each failed property is printed as `FAIL client/fault: ...`; the exit code is
1 if any failed. A run that misses a time bound (not a wrong value) is run
once more (--retries) and listed as `FLAKY client/fault: ...` whatever the
second run gives: a loaded machine can stall a healthy host past
socket_timeout. Not root, or no namespaces: prints `netfaults: SKIPPED: why`
and exits 0. --full: all four clients, longer phases, no assertions: the
table for docs/faults.md.
"""
import argparse
import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time

import hosts as hostlib

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = ("sync", "async")
CLIENTS = ("sync", "async", "libmemcached", "python-memcached")

SOCKET_TIMEOUT_MS = 1000
CONNECT_TIMEOUT_MS = 1000
DEAD_RETRY_S = 2
CALL_SLACK_S = 1.5
RECOVERY_SLACK_S = 2.0
HEALTHY_SPEED_MIN = 0.5
RECOVERED_FRACTION = 1 / 3
WINDOW_S = 0.5


class Poller(threading.Thread):
    """Host c's command count every 100 ms: (monotonic time, count or None)."""

    def __init__(self, host):
        super().__init__(daemon=True)
        self.host = host
        self.samples = []
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.is_set():
            began = time.monotonic()
            count = self.host.stats_count()
            self.samples.append((time.monotonic(), count))
            self.stopping.wait(max(0.0, 0.1 - (time.monotonic() - began)))

    def stop(self):
        self.stopping.set()
        if self.is_alive():  # never started when the driver failed to
            self.join()


def served(samples):
    """Cumulative commands served, across a restart (which zeroes the count)."""
    total, last, series = 0, None, []
    for t, count in samples:
        if count is None:
            continue
        if last is not None:
            total += count - last if count >= last else count
        last = count
        series.append((t, total))
    return series


def rate_between(series, start, end):
    inside = [(t, c) for t, c in series if start <= t <= end]
    if len(inside) < 2 or inside[-1][0] - inside[0][0] < 0.2:
        return None
    return (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0])


def recovery(series, fault_start, fault_end, t0):
    """Seconds from the fault's end until host c serves at a third of its
    earlier speed over WINDOW_S (the window's end); None if it never does."""
    before = rate_between(series, t0 + 0.3, fault_start)
    if not before:
        return None
    for i, (t, _) in enumerate(series):
        if t < fault_end + WINDOW_S:
            continue
        rate = rate_between(series, t - WINDOW_S, t)
        if rate is not None and rate >= RECOVERED_FRACTION * before:
            return t - fault_end
    return None


def healthy_speed(report, fault_start, fault_end):
    """Good calls per second on hosts a and b during the fault over before it."""
    t0, width = report["t0"], report["bucket_ms"] / 1000

    def good(first, last):
        """Per second, over the 100 ms buckets wholly inside [first, last]."""
        n, covered = 0, set()
        for home in report["per_home"][:2]:
            for i, bucket in enumerate(home):
                t = t0 + i * width
                if first <= t and t + width <= last:
                    n += bucket[0] + bucket[1]
                    covered.add(i)
        return n / max(len(covered) * width, 1e-9)

    before = good(t0 + 0.3, fault_start)
    return good(fault_start, fault_end) / before if before else None


def driver_command(client, build, specs, prefix, seconds, workers, rate):
    common = ["--rate", str(rate), "--servers", ",".join(specs), "--prefix", prefix, "--seconds", f"{seconds:.1f}",
              "--socket-timeout-ms", str(SOCKET_TIMEOUT_MS), "--connect-timeout-ms", str(CONNECT_TIMEOUT_MS),
              "--dead-retry-s", str(DEAD_RETRY_S), "--workers", str(workers)]
    if client == "python-memcached":
        return [sys.executable, os.path.join(HERE, "py_driver.py"), *common]
    return [os.path.join(build, "tests", "netfaults", "netfaults_driver"), "--client", client, *common]


def run_one(hosts, client, fault, args, serial):
    faulty = hosts[2]
    # About 2000 calls a second in all: a loaded 2-core machine keeps up, so a
    # host's speed shows what the client does, not the CPU it had.
    workers, rate = (16, 40) if client == "async" else (2, 300)
    seconds = args.pre + args.fault + args.post
    command = driver_command(client, args.build, hosts.specs, f"nf{serial}", seconds, workers, rate)
    driver = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killer = threading.Timer(seconds + 60, lambda: driver.kill())
    killer.start()
    result = {"client": client, "fault": fault}
    poller = Poller(faulty)
    try:
        ready = driver.stdout.readline().split()
        if len(ready) != 2 or ready[0] != "READY":
            driver.kill()
            raise RuntimeError(f"driver did not start: {' '.join(ready)} {driver.stderr.read().strip()}")
        t0 = float(ready[1])
        poller.start()
        time.sleep(max(0.0, t0 + args.pre - time.monotonic()))
        fault_start = time.monotonic()
        faulty.apply(fault)
        time.sleep(max(0.0, fault_start + args.fault - time.monotonic()))
        fault_end = time.monotonic()
        faulty.clear(fault)
        out, err = driver.communicate()
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
        killer.cancel()
        poller.stop()
        faulty.clear()
    if driver.returncode != 0 or not out.strip():
        result["error"] = f"driver exited with {driver.returncode} (killed after {seconds + 60:.0f} s?): {err.strip()}"
        return result
    report = json.loads(out.strip().splitlines()[-1])
    if os.environ.get("NETFAULTS_DEBUG"):
        width = report["bucket_ms"] / 1000
        for i, b in enumerate(report["per_home"][2]):
            print(f"  c {report['t0'] + i * width - fault_start:+6.1f} {b}")
    result.update({k: report[k] for k in ("calls", "ok", "misses", "failed", "wrong", "worst_ms", "p99_ms",
                                          "unfinished", "homes", "wrong_keys")})
    # get_multi over all three hosts: the parts on hosts a and b that did not
    # come back whole (a fault on c must cost c's part only).
    result["neighbours_lost"] = sum(b[1] + b[2] for home in report["multi_per_home"][:2] for b in home)
    result["multi_calls"] = sum(b[0] + b[1] + b[2] + b[3] for b in report["multi_per_home"][0])
    result["worst_at"] = report["t0"] + report["worst_at"] - fault_start
    result["healthy_speed"] = healthy_speed(report, fault_start, fault_end)
    result["recovery_s"] = recovery(served(poller.samples), fault_start, fault_end, report["t0"])
    result["fault_s"] = fault_end - fault_start
    # Everything the driver saw, with the fault's times on its clock, for a
    # run that broke a property (see --details).
    result["details"] = dict(report, fault_start=fault_start, fault_end=fault_end, host_c_served=poller.samples)
    return result


def violations(r):
    """The issue's properties this run broke (ours are held to them)."""
    if "error" in r:
        return [r["error"]]
    found = []
    if r["wrong"]:
        found.append(f"{r['wrong']} wrong values (keys {', '.join(r['wrong_keys'])})")
    bound = (SOCKET_TIMEOUT_MS + CONNECT_TIMEOUT_MS) / 1000 + CALL_SLACK_S
    if r["worst_ms"] / 1000 > bound:
        found.append(f"worst call {r['worst_ms'] / 1000:.2f} s > {bound:.1f} s "
                     f"(began {r['worst_at']:+.1f} s from the fault's start)")
    if r["neighbours_lost"]:
        found.append(f"{r['neighbours_lost']} get_multi calls lost keys of the healthy hosts")
    if r["unfinished"]:
        found.append(f"{r['unfinished']} calls never completed")
    if r["healthy_speed"] is None or r["healthy_speed"] < HEALTHY_SPEED_MIN:
        found.append(f"healthy hosts at {fmt_ratio(r['healthy_speed'])} of their speed (< {HEALTHY_SPEED_MIN:.0%})")
    bound = DEAD_RETRY_S + SOCKET_TIMEOUT_MS / 1000 + RECOVERY_SLACK_S
    if r["recovery_s"] is None or r["recovery_s"] > bound:
        found.append(f"host c back after {fmt_seconds(r['recovery_s'])} (> {bound:.1f} s)")
    return found


def report_line(r, problems):
    status = "; ".join(problems) if problems else "ok"
    if "error" in r:
        print(f"netfaults: {r['fault']:10} {r['client']:16} {r['error']}", flush=True)
        return
    print(f"netfaults: {r['fault']:10} {r['client']:16} calls {r['calls']:7} wrong {r['wrong']} "
          f"failed {r['failed']:5} misses {r['misses']:5} worst {r['worst_ms'] / 1000:5.2f} s "
          f"p99 {r['p99_ms']:7.1f} ms healthy {fmt_ratio(r['healthy_speed']):>5} "
          f"multi-lost {r['neighbours_lost']:3} recovery {fmt_seconds(r['recovery_s']):>6}  {status}", flush=True)


def fmt_ratio(x):
    return "n/a" if x is None else f"{x:.0%}"


def fmt_seconds(x):
    return "never" if x is None else f"{x:.1f} s"


def table(results):
    lines = ["| fault | client | calls | wrong | failed | misses | worst call | p99 | healthy hosts' speed "
             "| get_multi losing healthy keys | recovery |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['fault']} | {r['client']} | driver failed: {r['error'][:80]} | | | | | | | | |")
            continue
        worst = f"{r['worst_ms'] / 1000:.2f} s" if r["worst_ms"] >= 1000 else f"{r['worst_ms']:.0f} ms"
        lines.append(f"| {r['fault']} | {r['client']} | {r['calls']} | {r['wrong']} | {r['failed']} | {r['misses']} "
                     f"| {worst} | {r['p99_ms']:.1f} ms | {fmt_ratio(r['healthy_speed'])} "
                     f"| {r['neighbours_lost']} of {r['multi_calls']} | {fmt_seconds(r['recovery_s'])} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ci", action="store_true", help="our clients, short phases, assertions (the default)")
    parser.add_argument("--full", action="store_true", help="all four clients, longer phases, the table")
    parser.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"))
    parser.add_argument("--clients")
    parser.add_argument("--faults")
    parser.add_argument("--pre", type=float)
    parser.add_argument("--fault", type=float)
    parser.add_argument("--post", type=float)
    parser.add_argument("--retries", type=int, default=1,
                        help="runs again a client/fault that missed a time bound (never a wrong value)")
    parser.add_argument("--details", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "netfaults-failures"),
                        help="where a failed run's per-100-ms record goes")
    parser.add_argument("--table", help="write the markdown table here")
    parser.add_argument("--json", help="write every result here")
    args = parser.parse_args()
    full = args.full
    clients = args.clients.split(",") if args.clients else list(CLIENTS if full else OURS)
    faults = args.faults.split(",") if args.faults else list(hostlib.FAULTS)
    args.pre = args.pre or (3.0 if full else 1.5)
    # A fault longer than dead_retry + socket_timeout, so that the client has
    # probed host c in vain at least once before it comes back.
    args.fault = args.fault or (12.0 if full else 3.5)
    args.post = args.post or (6.0 if full else 5.0)
    for fault in faults:
        if fault not in hostlib.FAULTS:
            sys.exit(f"netfaults: unknown fault {fault} (known: {', '.join(hostlib.FAULTS)})")
    for client in clients:
        if client not in CLIENTS:
            sys.exit(f"netfaults: unknown client {client} (known: {', '.join(CLIENTS)})")
    try:
        hostlib.Hosts.check()
    except hostlib.Unavailable as why:
        print(f"netfaults: SKIPPED: {why}")
        return 0
    if any(c != "python-memcached" for c in clients):
        driver = os.path.join(args.build, "tests", "netfaults", "netfaults_driver")
        if not os.access(driver, os.X_OK):
            sys.exit(f"netfaults: {driver} not built (libmemcached-dev missing?): "
                     f"BUILD_TARGETS=netfaults_driver ./scripts/build.sh")

    # One run at a time on a machine: the namespaces have fixed names.
    lock = open("/run/mcnf.lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("netfaults: another run holds /run/mcnf.lock; waiting for it", flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
    hosts = hostlib.Hosts()
    # SIGTERM (a CI timeout) cleans up as an exception does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results, failures, flaky = [], [], []
    try:
        hosts.up()
        serial = 0
        for fault in faults:
            for client in clients:
                for attempt in range(1 + args.retries):
                    serial += 1
                    r = run_one(hosts, client, fault, args, serial)
                    problems = violations(r) if client in OURS and not full else []
                    report_line(r, problems)
                    # A wrong value is never retried; a time bound missed on
                    # a shared machine gets one more run, and says so.
                    if not problems or r.get("wrong") or attempt == args.retries:
                        break
                    r.pop("details", None)
                    flaky.append(f"FLAKY {client}/{fault}: {'; '.join(problems)} (then run again)")
                details = r.pop("details", None)
                results.append(r)
                if problems and details:
                    os.makedirs(args.details, exist_ok=True)
                    path = os.path.join(args.details, f"{client}-{fault}.json")
                    with open(path, "w") as f:
                        json.dump(details, f)
                    problems[-1] += f" (details: {path})"
                for p in problems:
                    failures.append(f"FAIL {client}/{fault}: {p}")
    finally:
        hosts.down()
    print()
    print(table(results))
    if args.table:
        with open(args.table, "w") as f:
            f.write(table(results) + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if flaky:
        print("\n" + "\n".join(flaky))
        print(f"netfaults: {len(flaky)} runs missed a property and were run again")
    if failures:
        print("\n" + "\n".join(failures))
        print(f"netfaults: {len(failures)} properties failed")
        return 1
    print(f"netfaults: {len(results)} runs" + ("" if full else ", every property held"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
