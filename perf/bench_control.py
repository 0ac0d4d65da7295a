#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""bench_control: the control plane of a live daemon, measured through its
socket (docs/CONTROL.md), while it forwards SIP traffic.

usage: bench_control.py PATH/TO/sipwarden [--count N] [--seconds S]
                        [--rate R] [--reload-tenants N[,N...]] [--idle]
                        [--client-cpu C]

What it measures, on a daemon with one worker (lcore 1 on CPU 1, the
control loop on CPU 0):

 1. tenant.set round trips: N requests (default 5000) sent one at a time on
    one connection, each timed from just before the request is written to
    just after its response line is read (time.perf_counter_ns). The
    handler swaps the tenant's policy object (one pointer store) before it
    writes the response, and a worker reads the registry for every message
    of the tenant, so the change applies to the next message the worker
    takes after the swap: request -> response bounds request -> applied,
    give or take the worker's current burst (microseconds) and the
    pointer's trip to the worker's CPU (measured by
    bench_policy_updates: under a microsecond at the median). It includes
    this Python client's own overhead (tens of microseconds), so it
    overstates. Measured while the daemon forwards (default) and, with
    --idle, also with no traffic.
 2. Forwarding while R (default 10,000) tenant.set requests per second are
    applied for S seconds (pipelined on one connection in batches every
    millisecond; a thread reads the answers): the daemon's packet rate
    (totals.packets over time) before, during and after.
 3. Changes that rebuild the snapshot: tenant.add / tenant.del round trips
    (rcu_barrier, a new configuration, new prefix tables, publish).
 4. --reload-tenants N: a daemon started on a configuration of N tenants
    (one IPv6 /64 and one domain each): its start-up time and the round trip
    of `reload` (reading the file again, the diff, the rebuild).

The traffic: the outside port is net_pcap with infinite_rx=1 looping a
capture of 32 INVITEs (distinct Call-IDs; after the first pass they are
retransmissions of calls in progress) and 32 OPTIONS, from 32 addresses of
tenant "acme" (the tenant whose limits change), as fast as the worker takes
them; the inside port is net_null without RX. Everything runs as the
current user, without a network namespace (nothing is sent anywhere).

The client pins itself to CPU 0 (the control loop's) by default, so that
it does not take the worker's CPU: on a 2-CPU machine an unpinned client
lands on the worker's CPU half the time and the forwarding rate then
measures the scheduler. The worker's own CPU time is read from /proc, and
the rates are also given per second of the worker's CPU time.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "tools"))
import pcapgen as pg  # noqa: E402

SBC = "198.18.0.10"

CONFIG = """\
eal: [--no-pci, --no-huge, -m, "{mem}", --no-shconf, --no-telemetry,
      --file-prefix, {prefix}, --lcores, "0@0,1@1"]
ports:
  outside: {{ device: "net_pcap0,rx_pcap={rx},{infinite}" }}
  inside: {{ device: "net_null0,no-rx=1" }}
workers: 1
inside_networks: [198.18.0.0/24]
calls: {{capacity: 65536}}
registrations: {{capacity: 1024}}
metrics: {{prometheus: false}}
control: {{socket: {sock}}}
tenants:
  - name: acme
    prefixes: [198.18.10.0/24]
    limits: {{max_calls: 100000, cps: 1000000, other_rate: 1000000}}
{more}"""


class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.buf = b""

    def recv(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, cmd, args=None):
        self.s.sendall(json.dumps({"cmd": cmd, "args": args or {}})
                       .encode() + b"\n")
        r = self.recv()
        if not r["ok"]:
            raise RuntimeError(f"{cmd}: {r['error']}")
        return r["result"]


class Daemon:
    def __init__(self, sipwarden, tmp, traffic=True, tenants=0, mem=512):
        self.tmp = tmp
        self.sock = os.path.join(tmp, "ctl.sock")
        rx = os.path.join(tmp, "loop.pcap")
        with pg.PcapWriter(rx) as w:
            if traffic:
                for i in range(32):
                    src = f"198.18.10.{10 + i}"
                    inv = pg.invite(f"bench-{i}@x", f"u{i}", "acme.example",
                                    "bob", "sbc.example", src, f"z9hG4bKb{i}")
                    opt = pg.options(f"ka-{i}@x", f"u{i}", "acme.example",
                                     None, "sbc.example", src, f"z9hG4bKo{i}")
                    for f in pg.sip_udp(src, SBC, 5060, 5060, inv) + \
                            pg.sip_udp(src, SBC, 5060, 5060, opt):
                        w.write(f, 1000.0)
        more = "".join(f"  - name: t{t:06d}\n"
                       f"    prefixes: [\"2001:db8:{t >> 16:x}:{t & 0xffff:x}"
                       f"::/64\"]\n"
                       f"    domains: [t{t:06d}.example]\n"
                       for t in range(tenants))
        self.config = os.path.join(tmp, "sipwarden.yaml")
        with open(self.config, "w") as f:
            f.write(CONFIG.format(
                mem=mem, prefix=f"swbench{os.getpid()}", rx=rx,
                infinite="infinite_rx=1" if traffic else "",
                sock=self.sock, more=more))
        self.log = open(os.path.join(tmp, "daemon.log"), "w+")
        t0 = time.monotonic()
        self.p = subprocess.Popen([sipwarden, "-c", self.config,
                                   "--stats", "none"],
                                  stdout=subprocess.DEVNULL, stderr=self.log)
        while True:
            if self.p.poll() is not None:
                self.log.seek(0)
                raise RuntimeError("daemon exited: " + self.log.read())
            try:
                self.conn = Conn(self.sock)
                self.conn.call("status")
                break
            except (OSError, EOFError):
                time.sleep(0.01)
        self.start_s = time.monotonic() - t0

    def packets(self):
        return self.conn.call("stats")["totals"]["packets"]

    def worker_cpu_s(self):
        """CPU seconds the worker thread has had"""
        tick = os.sysconf("SC_CLK_TCK")
        for tid in os.listdir(f"/proc/{self.p.pid}/task"):
            base = f"/proc/{self.p.pid}/task/{tid}"
            with open(base + "/comm") as f:
                if not f.read().startswith("rte-worker"):
                    continue
            with open(base + "/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick
        return float("nan")

    def mark(self):
        return self.packets(), time.monotonic(), self.worker_cpu_s()

    def since(self, m):
        """(packets per second, share of the time the worker was on a
        CPU, packets per worker CPU second) since mark m"""
        p1, t1, c1 = self.mark()
        p0, t0, c0 = m
        share = (c1 - c0) / (t1 - t0)
        return ((p1 - p0) / (t1 - t0), share,
                (p1 - p0) / (c1 - c0) if c1 > c0 else float("nan"))

    def rate(self, seconds):
        m = self.mark()
        time.sleep(seconds)
        return self.since(m)

    def stop(self):
        self.conn.s.close()
        self.p.send_signal(signal.SIGINT)
        self.p.wait(timeout=120)
        self.log.close()
        if self.p.returncode != 0:
            raise RuntimeError(f"daemon exited {self.p.returncode}")


def fwd(r):
    pps, share, per_cpu = r
    return (f"{pps / 1e6:.3f} Mpps, worker on a CPU {100 * share:.0f}% of "
            f"the time, {per_cpu / 1e6:.3f} M packets per worker CPU second")


def pct(sorted_ns, q):
    return sorted_ns[min(len(sorted_ns) - 1, int(len(sorted_ns) * q))]


def fmt_us(ns):
    return f"{ns / 1000:.0f} us" if ns >= 10000 else f"{ns / 1000:.1f} us"


def round_trips(d, count, label):
    lat = []
    for i in range(count):
        req = json.dumps({"cmd": "tenant.set", "id": i,
                          "args": {"name": "acme",
                                   "limits": {"max_calls": 100000 + i % 2}}}
                         ).encode() + b"\n"
        t0 = time.perf_counter_ns()
        d.conn.s.sendall(req)
        r = d.conn.recv()
        lat.append(time.perf_counter_ns() - t0)
        if not r["ok"] or r["id"] != i:
            raise RuntimeError(r)
    lat.sort()
    print(f"tenant.set round trip, {label}, {count} requests: "
          f"p50 {fmt_us(pct(lat, .5))}, p90 {fmt_us(pct(lat, .9))}, "
          f"p99 {fmt_us(pct(lat, .99))}, p99.9 {fmt_us(pct(lat, .999))}, "
          f"max {fmt_us(lat[-1])}; p99 < 1 ms: "
          f"{'met' if pct(lat, .99) < 1e6 else 'NOT met'}")
    return lat


def updates_at_rate(d, rate, seconds):
    conn = Conn(d.sock)
    total = int(rate * seconds)
    answered = [0]
    bad = []

    def reader():
        for _ in range(total):
            r = conn.recv()
            if not r["ok"]:
                bad.append(r)
            answered[0] += 1

    t = threading.Thread(target=reader)
    t.start()
    m = d.mark()
    t0 = time.monotonic()
    sent = 0
    while sent < total:
        due = min(total, int((time.monotonic() - t0) * rate) + 1)
        if due > sent:
            conn.s.sendall(b"".join(json.dumps({
                "cmd": "tenant.set", "id": i,
                "args": {"name": "acme",
                         "limits": {"max_calls": 100000 + i % 2}}})
                .encode() + b"\n" for i in range(sent, due)))
            sent = due
        time.sleep(0.001)
    t.join()
    elapsed = time.monotonic() - t0
    fwd = d.since(m)
    conn.s.close()
    return fwd, elapsed, answered[0], bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sipwarden")
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rate", type=int, default=10000)
    ap.add_argument("--idle", action="store_true")
    ap.add_argument("--reload-tenants", default="")
    ap.add_argument("--reload-only", action="store_true",
                    help="only the --reload-tenants part")
    ap.add_argument("--client-cpu", type=int, default=0,
                    help="CPU for this client (default 0, the control "
                    "loop's; -1: unpinned)")
    a = ap.parse_args()
    if a.client_cpu >= 0:
        # as an operator's tools would, off the worker's CPU
        os.sched_setaffinity(0, {a.client_cpu})
    print(f"machine: {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at start; client on CPU "
          f"{a.client_cpu if a.client_cpu >= 0 else 'any'}")

    if a.idle:
        with tempfile.TemporaryDirectory() as tmp:
            d = Daemon(a.sipwarden, tmp, traffic=False)
            try:
                round_trips(d, a.count, "idle daemon")
            finally:
                d.stop()

    with tempfile.TemporaryDirectory() as tmp:
        if a.reload_only:
            tmp = None
        d = Daemon(a.sipwarden, tmp) if tmp else None
        try:
            if d is None:
                raise StopIteration
            time.sleep(1)
            base = d.rate(a.seconds)
            print(f"forwarding, no changes: {fwd(base)}")
            m = d.mark()
            round_trips(d, a.count, "while forwarding")
            print(f"forwarding during the round trips: {fwd(d.since(m))}")
            rate, elapsed, answered, bad = updates_at_rate(d, a.rate,
                                                           a.seconds)
            after = d.rate(a.seconds)
            print(f"forwarding while {a.rate} tenant.set/s are applied "
                  f"({answered} answered in {elapsed:.2f} s, "
                  f"{len(bad)} refused): {fwd(rate)}")
            print(f"forwarding after: {fwd(after)}")
            print(f"change with updates: {100 * (rate[0] / base[0] - 1):+.1f}%"
                  f" in packets/s, {100 * (rate[2] / base[2] - 1):+.1f}% in "
                  f"packets per worker CPU second")
            lat = {"tenant.add": [], "tenant.del": []}
            for i in range(10):
                for cmd, args in (
                        ("tenant.add", {"name": f"extra{i}",
                                        "prefixes": [f"198.18.{100 + i}"
                                                     f".0/24"]}),
                        ("tenant.del", {"name": f"extra{i}"})):
                    t0 = time.perf_counter_ns()
                    d.conn.call(cmd, args)
                    lat[cmd].append(time.perf_counter_ns() - t0)
            for cmd, v in lat.items():
                v.sort()
                print(f"{cmd} round trip (snapshot rebuild), 10 requests: "
                      f"median {v[5] / 1e6:.1f} ms, max {v[-1] / 1e6:.1f} ms")
        except StopIteration:
            pass
        finally:
            if d is not None:
                d.stop()

    for n in [int(x) for x in a.reload_tenants.split(",") if x]:
        with tempfile.TemporaryDirectory() as tmp:
            # two snapshots live during a rebuild; LPM6 is sized by the
            # number of prefixes
            mem = 512 + n * 3 // 200
            d = Daemon(a.sipwarden, tmp, traffic=False, tenants=n, mem=mem)
            try:
                t0 = time.perf_counter()
                r = d.conn.call("reload")
                took = time.perf_counter() - t0
                st = d.conn.call("status")
                print(f"{n} tenants: daemon ready in {d.start_s:.2f} s "
                      f"(EAL, config_load, policy_build, ports); reload "
                      f"round trip {took:.2f} s ({st['tenants']} tenants, "
                      f"{len(r['changed'])} changed)")
            finally:
                d.stop()


if __name__ == "__main__":
    main()
