#!/usr/bin/python3
"""python-memcached under the netfaults workload (see workload.hpp): the same
keys, values, steps and report as netfaults_driver, from threads sharing one
memcache.Client (python-memcached keeps a connection per thread).

    py_driver.py --servers H:P,H:P,H:P [--prefix P] [--keys N] [--workers N]
                 [--rate R] [--multi-workers N] [--multi-rate R] [--seconds S] [--socket-timeout-ms MS] [--dead-retry-s S]

python-memcached has one timeout (socket_timeout, also for connecting), and a
get that fails returns None as a miss does: its failed gets count as misses.
"""
import argparse
import json
import random
import sys
import threading
import time
import zlib

import memcache

BUCKET = 0.1


def value_for(key):
    crc = zlib.crc32(key.encode())
    size = 20000 if crc % 20 == 0 else 16 + crc % 2000
    return ((key + "|") * (size // (len(key) + 1) + 1))[:size]


class Tally:
    def __init__(self, start, buckets):
        self.start = start
        self.buckets = [[0, 0, 0, 0, 0] for _ in range(buckets)]
        self.latencies = []
        self.wrong_keys = []
        self.worst = (0, 0.0)

    def add(self, began, outcome, key):
        now = time.monotonic()
        took = int((now - began) * 1e6)
        index = max(0, int((now - self.start) / BUCKET))
        while index >= len(self.buckets):
            self.buckets.append([0, 0, 0, 0, 0])
        bucket = self.buckets[index]
        bucket[outcome] += 1
        bucket[4] = max(bucket[4], took)
        self.latencies.append(took)
        if outcome == 3 and len(self.wrong_keys) < 5:
            self.wrong_keys.append(key)
        if took > self.worst[0]:
            self.worst = (took, began - self.start)


OK, MISS, FAILED, WRONG = range(4)


def judge(key, got):
    if got is None:
        return MISS
    if isinstance(got, bytes):
        got = got.decode(errors="replace")
    return OK if got == value_for(key) else WRONG


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", required=True)
    parser.add_argument("--prefix", default="nf")
    parser.add_argument("--keys", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=300, help="steps a second per worker; 0: flat out")
    parser.add_argument("--multi-workers", type=int, default=1)
    parser.add_argument("--multi-rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--socket-timeout-ms", type=float, default=1000)
    parser.add_argument("--connect-timeout-ms", type=float, default=1000)  # python-memcached has none of its own
    parser.add_argument("--dead-retry-s", type=float, default=2)
    args = parser.parse_args()
    servers = args.servers.split(",")
    timeout = args.socket_timeout_ms / 1000
    mc = memcache.Client(servers, socket_timeout=timeout, dead_retry=args.dead_retry_s)
    keys = [f"{args.prefix}:{i}" for i in range(args.keys)]
    for key in keys:
        mc.set(key, value_for(key))
    homes = []
    for spec in servers:
        found = memcache.Client([spec], socket_timeout=timeout).get_multi(keys)
        homes.append([k for k in keys if k in found and judge(k, found[k]) == OK])
    start = time.monotonic()
    print(f"READY {start:.6f}", flush=True)
    end = start + args.seconds
    buckets = int(args.seconds / BUCKET) + 1
    tallies = [Tally(start, buckets) for _ in homes]
    lock = threading.Lock()

    def store(key, tally):
        began = time.monotonic()
        try:
            outcome = OK if mc.set(key, value_for(key)) else FAILED
        except Exception:  # noqa: BLE001 (any failure is a failed call)
            outcome = FAILED
        tally.add(began, outcome, key)

    def worker(home, seed):
        rng = random.Random(seed)
        mine = Tally(start, buckets)
        interval = 1 / args.rate if args.rate > 0 else 0
        due = start
        while time.monotonic() < end:
            now = time.monotonic()
            due = now if due + interval < now - 0.1 else due + interval
            if due > now:
                time.sleep(due - now)
            key = rng.choice(homes[home])
            if rng.randrange(10) == 0:
                store(key, mine)
                continue
            began = time.monotonic()
            try:
                outcome = judge(key, mc.get(key))
            except Exception:  # noqa: BLE001
                outcome = FAILED
            mine.add(began, outcome, key)
            if outcome == MISS:
                store(key, mine)
        with lock:
            tally = tallies[home]
            for i, bucket in enumerate(mine.buckets):
                while i >= len(tally.buckets):
                    tally.buckets.append([0, 0, 0, 0, 0])
                for o in range(4):
                    tally.buckets[i][o] += bucket[o]
                tally.buckets[i][4] = max(tally.buckets[i][4], bucket[4])
            tally.latencies += mine.latencies
            tally.wrong_keys += mine.wrong_keys
            tally.worst = max(tally.worst, mine.worst)

    multi_tallies = [Tally(start, buckets) for _ in homes]

    def multi_worker(seed):
        """get_multi over three keys of each home; tallied once per home."""
        rng = random.Random(seed)
        interval, due = 1 / args.multi_rate, start
        while time.monotonic() < end:
            now = time.monotonic()
            due = now if due + interval < now - 0.1 else due + interval
            if due > now:
                time.sleep(due - now)
            step = [(h, rng.choice(homes[h])) for h in range(len(homes)) if homes[h] for _ in range(3)]
            began = time.monotonic()
            failed = False
            try:
                found = mc.get_multi([key for _, key in step])
            except Exception:  # noqa: BLE001
                found, failed = {}, True
            by_home = {}
            for h, key in step:
                outcome = judge(key, found[key]) if key in found else (FAILED if failed else MISS)
                rank = (OK, MISS, FAILED, WRONG).index
                if h not in by_home or rank(outcome) > rank(by_home[h][0]):
                    by_home[h] = (outcome, key)
            with lock:
                for i, (h, (outcome, key)) in enumerate(sorted(by_home.items())):
                    latencies = len(multi_tallies[h].latencies)
                    multi_tallies[h].add(began, outcome, key)
                    if i:  # the call's latency counts once
                        del multi_tallies[h].latencies[latencies:]

    threads = [threading.Thread(target=worker, args=(h, h * 1000 + w + 1))
               for h in range(len(homes)) if homes[h] for w in range(args.workers)]
    threads += [threading.Thread(target=multi_worker, args=(1000 + m,)) for m in range(args.multi_workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies = sorted(x for t in tallies + multi_tallies for x in t.latencies)
    totals = [sum(b[o] for t in tallies for b in t.buckets) for o in range(4)]
    multi = [sum(b[o] for t in multi_tallies for b in t.buckets) for o in range(4)]
    worst = max(t.worst for t in tallies + multi_tallies)
    print(json.dumps({
        "client": "python-memcached", "t0": start, "bucket_ms": 100, "homes": [len(h) for h in homes],
        "unfinished": 0, "calls": len(latencies), "ok": totals[0], "misses": totals[1], "failed": totals[2],
        "wrong": totals[3] + multi[3], "worst_ms": worst[0] / 1000, "worst_at": worst[1],
        "p99_ms": latencies[len(latencies) * 99 // 100] / 1000 if latencies else 0,
        "wrong_keys": [k for t in tallies + multi_tallies for k in t.wrong_keys][:5], "multi_parts": multi,
        "per_home": [t.buckets for t in tallies], "multi_per_home": [t.buckets for t in multi_tallies]}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
