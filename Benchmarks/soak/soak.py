#!/usr/bin/env python3
"""Soak driver for Scripts/bench-soak: mixed traffic against one Sluice process for a bounded time.

Workers (threads, keep-alive connections) loop over: signed SNS notifications (from a JSONL file of
bodies made by Scripts/snsgen.py batch, each sent once, then resent as duplicates), suppression
PUT/GET/DELETE, list pages, a small CSV import, /readyz and /metrics. Every INTERVAL seconds one line:
elapsed, requests, errors (5xx or transport), p50/p99 latency, RSS (MiB) and open fds of the server
(from /proc/PID). Exit 1 when RSS keeps growing after warm-up (see `verdict`) or any 5xx was seen.
Standard library only.
"""
import argparse, http.client, json, os, random, statistics, sys, threading, time

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))

class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies, self.requests, self.errors, self.server_errors = [], 0, 0, 0
    def add(self, seconds, status):
        with self.lock:
            self.requests += 1
            self.latencies.append(seconds)
            if status is None:
                self.errors += 1
            elif status >= 500:
                self.errors += 1
                self.server_errors += 1
    def take(self):
        with self.lock:
            out = (self.latencies, self.requests, self.errors)
            self.latencies, self.requests, self.errors = [], 0, 0
            return out

def worker(args, bodies, stats, stop, seed):
    rnd = random.Random(seed)
    auth = {"Authorization": f"Bearer {args.token}"}
    conn = None
    i = seed
    while not stop.is_set():
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        kind = rnd.random()
        address = f"soak{rnd.randrange(args.addresses)}@example.com"
        if kind < 0.45 and bodies:
            body = bodies[i % len(bodies)]; i += args.workers
            req = ("POST", "/sns", body.encode(), {"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification"})
        elif kind < 0.60:
            req = ("PUT", f"/v1/suppressions/{address}", b'{"reason":"manual","detail":"soak"}', {"Content-Type": "application/json", **auth})
        elif kind < 0.75:
            req = ("GET", f"/v1/suppressions/{address}", None, auth)
        elif kind < 0.82:
            req = ("DELETE", f"/v1/suppressions/{address}", None, auth)
        elif kind < 0.90:
            req = ("GET", "/v1/suppressions?limit=50", None, auth)
        elif kind < 0.93:
            rows = "".join(f"imp{rnd.randrange(args.addresses)}@example.org,manual,soak\n" for _ in range(20))
            req = ("POST", "/v1/suppressions/import?format=csv", rows.encode(), {"Content-Type": "text/csv", **auth})
        elif kind < 0.97:
            req = ("GET", "/readyz", None, {})
        else:
            req = ("GET", "/metrics", None, {})
        method, path, body, headers = req
        started = time.monotonic()
        status = None
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close(); conn = None
        except Exception:
            try:
                conn.close()
            except Exception:
                pass
            conn = None
        stats.add(time.monotonic() - started, status)

def verdict(samples, warmup):
    """RSS after warm-up must not trend upwards: the mean of the last third may exceed the mean of the
    first third by at most 10% + 8 MiB (allocator noise), else the run fails."""
    after = [s for s in samples if s["t"] >= warmup]
    if len(after) < 6:
        return True, "too short to judge growth (need 6 samples after warm-up)"
    third = len(after) // 3
    first = statistics.mean(s["rss_mib"] for s in after[:third])
    last = statistics.mean(s["rss_mib"] for s in after[-third:])
    ok = last <= first * 1.10 + 8
    return ok, f"RSS after warm-up: first third {first:.1f} MiB, last third {last:.1f} MiB ({'stable' if ok else 'GROWING'})"

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--bodies", help="JSONL of signed SNS bodies (snsgen batch)")
    p.add_argument("--seconds", type=int, default=120)
    p.add_argument("--interval", type=int, default=10)
    p.add_argument("--warmup", type=int, default=30)
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--addresses", type=int, default=5000)
    p.add_argument("--json", help="write the samples here")
    args = p.parse_args()
    bodies = []
    if args.bodies:
        with open(args.bodies) as f:
            bodies = [json.loads(line)["body"] if line.startswith("{\"body\"") else line.rstrip("\n") for line in f if line.strip()]
    stats, stop = Stats(), threading.Event()
    threads = [threading.Thread(target=worker, args=(args, bodies, stats, stop, n), daemon=True) for n in range(args.workers)]
    for t in threads:
        t.start()
    samples, start = [], time.monotonic()
    print(f"{'t(s)':>6} {'req':>7} {'req/s':>7} {'err':>5} {'p50ms':>7} {'p99ms':>7} {'rss MiB':>8} {'fds':>5}", flush=True)
    while time.monotonic() - start < args.seconds:
        time.sleep(min(args.interval, max(0.1, args.seconds - (time.monotonic() - start))))
        lat, n, err = stats.take()
        lat.sort()
        p50 = lat[len(lat) // 2] * 1000 if lat else 0
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0
        t = time.monotonic() - start
        s = {"t": round(t), "requests": n, "errors": err, "p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
             "rss_mib": round(rss_kib(args.pid) / 1024, 1), "fds": fds(args.pid)}
        samples.append(s)
        print(f"{s['t']:>6} {n:>7} {n / args.interval:>7.0f} {err:>5} {s['p50_ms']:>7} {s['p99_ms']:>7} {s['rss_mib']:>8} {s['fds']:>5}", flush=True)
    stop.set()
    for t in threads:
        t.join(timeout=35)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(samples, f)
    ok, text = verdict(samples, args.warmup)
    print(text)
    print(f"fds: first {samples[0]['fds'] if samples else '?'}, last {samples[-1]['fds'] if samples else '?'}; 5xx seen: {stats.server_errors}")
    sys.exit(0 if ok and stats.server_errors == 0 else 1)

if __name__ == "__main__":
    main()
