#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The control plane of a live daemon, driven through sipwardenctl and the
socket protocol (docs/CONTROL.md), with SIP traffic flowing in phases.

usage: test_control.py PATH/TO/sipwarden PATH/TO/sipwardenctl [unittest args]

How traffic is driven (root): a net_pcap capture file is read once, as fast
as the port is polled, so it cannot be sent in phases around control
commands. Instead the test makes a network namespace of its own with two
veth pairs and no addresses (IPv6 off, so the kernel sends nothing on
them), runs the daemon inside it (`ip netns exec`) on net_pcap ports that
capture live from one end of each pair (`rx_iface_in=`, incoming only) and
write what they send to capture files (`tx_pcap=`), and injects frames into
the other end from this process with an AF_PACKET socket opened inside the
namespace (setns(2) on the calling thread).

Flow control: net_pcap opens the capture with libpcap's defaults (a 2 MB
TPACKET_V3 ring whose blocks are handed over on a timer), and while a
worker is off its CPU the ring holds only a few blocks' worth of frames
(measured: ~150 frames sent back to back, 8 sent 2 ms apart); beyond that
the kernel drops them (DPDK's imissed), which is the test bed losing
frames, not sipwarden. So the test keeps at most a few frames in flight:
phases send one INVITE and wait for the daemon to count it (stats over
the socket) before the next; the traffic under 10,000 updates waits for
each INVITE to come out of the inside port (the size of its tx_pcap file)
instead, so that it does not depend on the control socket it loads. A
frame the daemon never counts fails the test after a timeout.

The addresses in the frames are from 198.18.0.0/15 and never leave the
namespace; the namespace, the group made for the permission test, the
daemon (by PID) and the files are removed at the end, also on failure (or
SIGTERM/SIGINT).

Metrics listen on 127.0.0.1 inside the namespace (a free port there); the
test connects from inside it too. The control socket is a file, reachable
from outside the namespace.

Without root: the daemon runs on net_pcap ports reading empty capture
files; the tests that need traffic, the namespace or other users are
skipped (saying so), the rest (status, listings, exit codes, reload, tenant
add/del and prefix edits without traffic) run.

What it checks:
  - status and tenant list reflect the configuration; sipwardenctl's exit
    codes: 0 ok, 1 refused, 2 usage, 3 no daemon.
  - a limit change takes effect for the next call: 5 INVITEs at max_calls 2
    give 2 forwarded and 3 call_limit replies; after `tenant set acme
    max_calls=4`, 5 more give 2 more forwarded and 3 more refused; the
    counters of `stats --tenant` and of Prometheus agree with that and with
    the frames that came out of the ports.
  - 10,000 tenant.set requests pipelined on one connection while traffic
    flows: all answered ok, in order; no frame lost (every injected frame
    counted, forwarded + dropped + replies = packets); the tenant's traffic
    all admitted.
  - reload of a broken file: exit 1, FILE:LINE:COL in the message, the
    running policy unchanged; then a good edit: the new tenant in `added`.
  - tenant add/del: traffic is attributed to a new tenant right after the
    add and is unknown_source again right after the del; prefix add
    emergency 110: an INVITE to 110 is admitted at the call limit.
  - the socket refuses a user outside the configured group (both gates:
    the file's mode, and the peer-credential check when the file is open
    to all), and admits the user once in the group.
  - events: a follower (`events` with follow) gets the history (started
    first), then tenant_suspended/tenant_resumed and config_changed with
    the peer's uid, and one limit_hit per tenant and reason per interval
    carrying the count (6 INVITEs of a suspended tenant, sent at once ->
    counts summing to 6 in at most 2 events); the events file holds the
    same lines; `sipwardenctl events` lists them; `events -f` prints
    each new one; SIGUSR1 reopens a rotated file and changes nothing,
    SIGHUP's reload is announced with source sighup.
  - the daemon exits 0 on SIGINT and its final counters match.
"""

import atexit
import contextlib
import ctypes
import grp
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import pcapgen as pg  # noqa: E402

SIPWARDEN = None
SIPWARDENCTL = None
ROOT = os.geteuid() == 0

SBC = "198.18.0.10"
UPDATES = 10000
CLONE_NEWNET = 0x40000000

CONFIG = """\
eal: [--no-pci, --no-huge, -m, "512", --no-shconf, --no-telemetry,
      --file-prefix, {prefix}, --lcores, "0@0,1@1"]
ports:
  outside: {{ device: "net_pcap0,{outside_rx},tx_pcap={outside_out}" }}
  inside: {{ device: "net_pcap1,{inside_rx},tx_pcap={inside_out}" }}
workers: 1
inside_networks: [198.18.0.0/24]
max_tenants: 64
calls: {{capacity: 65536}}
registrations: {{capacity: 1024}}
emergency: {{numbers: ["112"]}}
metrics: {{port: {metrics_port}}}
control: {{socket: {socket}{group}}}
events: {{output: file, file: {events_file}}}
tenants:
  - name: acme
    prefixes: [198.18.10.0/24]
    limits: {{max_calls: 2}}
  - name: busy
    prefixes: [198.18.20.0/24]
    limits: {{max_calls: 100000}}
  - name: emerg
    prefixes: [198.18.30.0/24]
    limits: {{max_calls: 1}}
  - name: evt
    prefixes: [198.18.70.0/24]
    limits: {{max_calls: 100}}
  - name: globex
    domains: [globex.example]
"""
CONFIG_TENANTS = ["acme", "busy", "emerg", "evt", "globex"]

# a broken edit: the value on line BAD_LINE, column BAD_COL is no integer
BAD_TAIL = """\
  - name: broken
    prefixes: [198.18.50.0/24]
    limits: {max_calls: lots}
"""
GOOD_TAIL = """\
  - name: initech
    prefixes: [198.18.60.0/24]
"""

_libc = ctypes.CDLL(None, use_errno=True)

# connects and prints the first line the daemon sends, sending nothing
RAW_CLIENT = """
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
data = b""
while b"\\n" not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
sys.stdout.write(data.decode().split("\\n")[0])
"""


class Netns:
    """A network namespace of the test's own with two veth pairs:
    swo0 (we inject) -- swo1 (daemon's outside port), swi0 -- swi1."""

    def __init__(self, name):
        self.name = name
        self.made = False

    def create(self):
        run(["ip", "netns", "add", self.name])
        self.made = True
        run(["ip", "netns", "exec", self.name, "sysctl", "-qw",
             "net.ipv6.conf.all.disable_ipv6=1",
             "net.ipv6.conf.default.disable_ipv6=1"])
        for a, b in (("swo0", "swo1"), ("swi0", "swi1")):
            run(["ip", "-n", self.name, "link", "add", "name", a, "type",
                 "veth", "peer", "name", b])
            for dev in (a, b):
                run(["ip", "-n", self.name, "link", "set", dev, "up"])
        run(["ip", "-n", self.name, "link", "set", "lo", "up"])

    def destroy(self):
        if self.made:
            subprocess.run(["ip", "netns", "del", self.name],
                           stderr=subprocess.DEVNULL)
            self.made = False

    @contextlib.contextmanager
    def inside(self):
        """This thread in the namespace (sockets made here stay in it)."""
        orig = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        target = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
        try:
            if _libc.setns(target, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns")
            try:
                yield
            finally:
                if _libc.setns(orig, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns back")
        finally:
            os.close(orig)
            os.close(target)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CtlConn:
    """One connection speaking the protocol: a JSON object per line."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
        except OSError:
            self.sock.close()
            raise
        self.buf = b""

    def send(self, cmd, args=None, rid=None):
        req = {"cmd": cmd}
        if args is not None:
            req["args"] = args
        if rid is not None:
            req["id"] = rid
        self.sock.sendall(json.dumps(req).encode() + b"\n")

    def recv(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError("the daemon closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, cmd, args=None):
        self.send(cmd, args, rid=1)
        r = self.recv()
        if not r.get("ok"):
            raise AssertionError(f"{cmd}: {r}")
        return r["result"]

    def close(self):
        self.sock.close()


class Control(unittest.TestCase):
    tmp = netns = group = daemon = None
    injected = 0
    serial = 0

    # ------------------------------------------------------------ set-up

    @classmethod
    def setUpClass(cls):
        try:
            cls._start()
        except BaseException:
            cls._cleanup()
            raise

    @classmethod
    def _start(cls):
        pid = os.getpid()
        cls.tmp = tempfile.mkdtemp(prefix="sw-control-")
        # other users must reach the socket for the permission test
        os.chmod(cls.tmp, 0o711)
        cls.sockdir = os.path.join(cls.tmp, "run")
        os.mkdir(cls.sockdir)
        os.chmod(cls.sockdir, 0o711)
        cls.sock = os.path.join(cls.sockdir, "ctl.sock")
        cls.out = {k: os.path.join(cls.tmp, k + ".pcap")
                   for k in ("outside_out", "inside_out")}
        group = ""
        if ROOT:
            cls.netns = Netns(f"swctl{pid}")
            cls.netns.create()
            with cls.netns.inside():
                cls.metrics_port = free_port()
            rx = {"outside_rx": "rx_iface_in=swo1",
                  "inside_rx": "rx_iface_in=swi1"}
            cls.group = f"swctl{pid}"
            run(["groupadd", cls.group])
            group = f", group: {cls.group}"
        else:
            cls.metrics_port = free_port()
            rx = {}
            for side in ("outside", "inside"):
                path = os.path.join(cls.tmp, side + "_in.pcap")
                pg.PcapWriter(path).close()
                rx[side + "_rx"] = "rx_pcap=" + path
        cls.events_file = os.path.join(cls.tmp, "events.jsonl")
        cls.config_path = os.path.join(cls.tmp, "sipwarden.yaml")
        cls.config_text = CONFIG.format(
            prefix=f"swctl{pid}", metrics_port=cls.metrics_port,
            socket=cls.sock, group=group, events_file=cls.events_file,
            **rx, **cls.out)
        with open(cls.config_path, "w") as f:
            f.write(cls.config_text)
        cmd = [SIPWARDEN, "-c", cls.config_path, "--stats", "json"]
        if cls.netns:
            cmd = ["ip", "netns", "exec", cls.netns.name] + cmd
        cls.log = open(os.path.join(cls.tmp, "daemon.log"), "w+")
        cls.daemon = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                      stderr=cls.log, text=True)
        deadline = time.monotonic() + 60
        while True:
            if cls.daemon.poll() is not None:
                raise AssertionError(f"the daemon exited: {cls.log_text()}")
            try:
                with contextlib.closing(CtlConn(cls.sock, timeout=5)) as c:
                    c.call("status")
                break
            except (OSError, EOFError, AssertionError):
                if time.monotonic() > deadline:
                    raise AssertionError(
                        f"no control socket: {cls.log_text()}")
                time.sleep(0.05)
        cls.conn = CtlConn(cls.sock)
        if cls.netns:
            cls.inject_sock = {}
            with cls.netns.inside():
                for side, dev in (("outside", "swo0"), ("inside", "swi0")):
                    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                    s.bind((dev, 0))
                    cls.inject_sock[side] = s

    @classmethod
    def log_text(cls):
        cls.log.flush()
        cls.log.seek(0)
        return cls.log.read()[-4000:]

    @classmethod
    def tearDownClass(cls):
        try:
            cls._stop_daemon()
        finally:
            cls._cleanup()

    @classmethod
    def _stop_daemon(cls):
        cls.conn.close()
        cls.daemon.send_signal(signal.SIGINT)
        out, _ = cls.daemon.communicate(timeout=120)
        log = cls.log_text()
        rc = cls.daemon.returncode
        cls.daemon = None
        if rc != 0:
            raise AssertionError(f"the daemon exited {rc}: {log}")
        if cls.final_error(out, log):
            raise AssertionError(cls.final_error(out, log))

    @classmethod
    def final_error(cls, out, log):
        """The daemon must stop cleanly (sanitizers included) with its
        final counters matching what was injected."""
        if "ERROR: AddressSanitizer" in log or \
                "ERROR: LeakSanitizer" in log or "runtime error:" in log:
            return f"sanitizer report: {log}"
        try:
            t = json.loads(out)["totals"]
        except ValueError:
            return f"no final counters: {out!r} {log}"
        if t["packets"] != cls.injected:
            return f"final packets {t['packets']} != {cls.injected}"
        if t["forwarded_packets"] + t["dropped_packets"] + t["replies"] \
                != t["packets"]:
            return f"final counters do not add up: {t}"
        return None

    @classmethod
    def _cleanup(cls):
        for s in getattr(cls, "inject_sock", {}).values():
            s.close()
        cls.inject_sock = {}
        if getattr(cls, "log", None) is not None:
            cls.log.close()
            cls.log = None
        if cls.daemon is not None:
            cls.daemon.kill()
            cls.daemon.wait()
            cls.daemon = None
        if cls.netns is not None:
            cls.netns.destroy()
        if cls.group is not None:
            subprocess.run(["groupdel", cls.group],
                           stderr=subprocess.DEVNULL)
            cls.group = None
        if cls.tmp is not None:
            subprocess.run(["rm", "-rf", cls.tmp])
            cls.tmp = None

    # ------------------------------------------------------------ helpers

    def need_traffic(self):
        if not self.netns:
            self.skipTest("needs root: traffic is injected through veths "
                          "in a network namespace of the test's own")

    def ctl(self, *args, user=None, sock=None, check=None, timeout=30):
        cmd = [SIPWARDENCTL, "-s", sock or self.sock] + list(args)
        if user is not None:
            cmd = ["setpriv"] + user + ["--"] + cmd
        p = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout)
        if check is not None:
            self.assertEqual(p.returncode, check,
                             f"{args}: exit {p.returncode}, stdout "
                             f"{p.stdout!r}, stderr {p.stderr!r}")
        return p

    def ctl_json(self, *args):
        return json.loads(self.ctl("--json", *args, check=0).stdout)

    def stats(self, tenant=None):
        return self.conn.call("stats", {"tenant": tenant} if tenant else {})

    @classmethod
    def next_id(cls):
        cls.serial += 1
        return cls.serial

    def invite(self, src, to_user="bob", tag="c"):
        n = self.next_id()
        text = pg.invite(f"{tag}-{n}@ctl.test", f"u{n}", "caller.example",
                         to_user, "sbc.example", src, f"z9hG4bK{tag}{n}")
        return f"{tag}-{n}@ctl.test", pg.sip_udp(src, SBC, 5060, 5060, text)

    def inject(self, frames, side="outside"):
        s = self.inject_sock[side]
        for f in frames:
            s.send(f)
        type(self).injected += len(frames)

    def send_invites(self, src, count, to_user="bob", tag="c"):
        """One INVITE at a time, each counted before the next."""
        ids = []
        for _ in range(count):
            call_id, frames = self.invite(src, to_user, tag)
            self.inject(frames)
            ids.append(call_id)
            self.settle()
        return ids

    def settle(self, timeout=20):
        """Wait until the daemon has counted every injected frame, and
        finished with it: a frame is counted in `packets` as it arrives and
        in forwarded/dropped/replies (after its verdict) once handled, and
        the counters are read while the worker runs."""
        deadline = time.monotonic() + timeout
        while True:
            t = self.stats()["totals"]
            if t["packets"] > self.injected or (
                    t["packets"] == self.injected and
                    t["forwarded_packets"] + t["dropped_packets"] +
                    t["replies"] == t["packets"]):
                break
            if time.monotonic() > deadline:
                self.fail(f"{t['packets']} of {self.injected} frames "
                          f"counted after {timeout} s (dropped by the "
                          f"capture ring?)")
            time.sleep(0.002)
        self.assertEqual(t["packets"], self.injected)
        self.assertEqual(t["forwarded_packets"] + t["dropped_packets"] +
                         t["replies"], t["packets"])
        self.assertEqual(t["tx_errors"], 0)
        return t

    def verdicts(self, tenant):
        return self.stats(tenant)["tenants"][tenant]["verdicts"]

    def out_frames(self, key, want, timeout=10):
        """The frames sent out of a port so far, once there are `want`."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                frames = [f for _, f in pg.read_pcap(self.out[key])]
            except (ValueError, FileNotFoundError):
                frames = []
            if len(frames) >= want or time.monotonic() > deadline:
                return frames
            time.sleep(0.02)

    def metrics(self):
        with self.netns.inside() if self.netns else contextlib.nullcontext():
            s = socket.create_connection(("127.0.0.1", self.metrics_port),
                                         timeout=10)
        with s:
            s.sendall(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1."), head)
        self.assertIn(b" 200 ", head.split(b"\r\n")[0])
        return body.decode()

    def metric(self, text, name, **labels):
        lab = ",".join(f'{k}="{v}"' for k, v in labels.items())
        lab = "{" + lab + "}" if lab else ""
        m = re.search(rf"^{re.escape(name + lab)} (\d+)$", text, re.M)
        self.assertIsNotNone(m, f"{name}{{{lab}}} not in the metrics")
        return int(m.group(1))

    def metric_sum(self, text, name):
        """The sum of every sample of a family (all label values)."""
        vals = re.findall(rf"^{re.escape(name)}(?:{{[^}}]*}})? (\d+)$", text,
                          re.M)
        self.assertTrue(vals, f"no {name} in the metrics")
        return sum(int(v) for v in vals)

    def tenant_list(self):
        return self.ctl_json("tenant", "list")["tenants"]

    # ------------------------------------------------------------ tests

    def test_01_status_and_listing(self):
        st = self.ctl_json("status")
        self.assertEqual(st["mode"], "inline")
        self.assertEqual(st["config"], self.config_path)
        self.assertEqual(st["workers"], 1)
        self.assertEqual(st["tenants"], len(CONFIG_TENANTS))
        self.assertEqual(st["max_tenants"], 64)
        self.assertEqual(st["call_capacity"], 65536)
        self.assertEqual(st["registration_capacity"], 1024)
        tenants = {t["name"]: t for t in self.tenant_list()}
        self.assertEqual(sorted(tenants), CONFIG_TENANTS)
        self.assertEqual(tenants["acme"]["max_calls"], 2)
        self.assertEqual(tenants["busy"]["max_calls"], 100000)
        self.assertEqual(tenants["emerg"]["max_calls"], 1)
        self.assertFalse(any(t["suspended"] for t in tenants.values()))
        show = self.ctl_json("tenant", "show", "acme")
        self.assertEqual(show["prefixes"], ["198.18.10.0/24"])
        self.assertEqual(show["limits"]["max_calls"], 2)
        self.assertEqual(self.ctl_json("tenant", "show", "globex")["domains"],
                         ["globex.example"])
        self.assertEqual(self.ctl_json("prefix", "list", "emergency")
                         ["entries"], ["112"])
        # the people's format says the same
        text = self.ctl("tenant", "list", check=0).stdout
        self.assertRegex(text, r"(?m)^NAME\s")
        for name in CONFIG_TENANTS:
            self.assertRegex(text, rf"(?m)^{name}\s")

    def test_02_exit_codes(self):
        p = self.ctl("tenant", "show", "nosuch", check=1)
        self.assertIn("no tenant 'nosuch'", p.stderr)
        p = self.ctl("tenant", "set", "acme", "max_calls=abc", check=2)
        self.assertIn("usage", p.stderr)
        p = self.ctl("tenant", "set", "acme", "no_such_limit=1", check=2)
        p = self.ctl("status", sock=os.path.join(self.tmp, "nosuch.sock"),
                     check=3)
        self.assertIn("cannot connect", p.stderr)
        self.ctl("raw", "no.such.command", check=1)
        # a refused change changed nothing
        self.ctl("tenant", "set", "acme", "max_calls=99999999999", check=2)
        p = self.ctl("raw", "tenant.set",
                     '{"name": "acme", "limits": {"max_calls": -1}}', check=1)
        self.assertEqual(self.ctl_json("tenant", "show", "acme")["limits"]
                         ["max_calls"], 2)

    def test_03_limit_change_applies_to_next_call(self):
        self.need_traffic()
        src = "198.18.10.5"
        before = self.verdicts("acme")
        fwd0 = len(self.out_frames("inside_out", 0, timeout=0))
        back0 = len(self.out_frames("outside_out", 0, timeout=0))

        first = self.send_invites(src, 5, tag="lim")
        v = self.verdicts("acme")
        self.assertEqual(v["forwarded"] - before["forwarded"], 2)
        self.assertEqual(v["call_limit"] - before["call_limit"], 3)
        self.assertEqual(self.stats("acme")["tenants"]["acme"]
                         ["calls_active"], 2)

        p = self.ctl("tenant", "set", "acme", "max_calls=4", check=0)
        self.assertRegex(p.stdout, r"(?m)^max_calls: 4$")
        second = self.send_invites(src, 5, tag="lim")
        v = self.verdicts("acme")
        self.assertEqual(v["forwarded"] - before["forwarded"], 4)
        self.assertEqual(v["call_limit"] - before["call_limit"], 6)
        st = self.ctl_json("stats", "--tenant", "acme")
        self.assertEqual(list(st["tenants"]), ["acme"])
        self.assertEqual(st["tenants"]["acme"]["calls_active"], 4)
        self.assertEqual(st["tenants"]["acme"]["verdicts"], v)
        show = self.ctl_json("tenant", "show", "acme")
        self.assertEqual(show["calls_active"], 4)
        self.assertEqual(show["max_calls"], 4)

        # Prometheus reads the same counters (no stats.reset of acme)
        m = self.metrics()
        for reason in ("forwarded", "call_limit"):
            self.assertEqual(self.metric(m, "sipwarden_verdicts_total",
                                         tenant="acme", reason=reason),
                             v[reason])
        self.assertEqual(self.metric(m, "sipwarden_calls_active",
                                     tenant="acme"), 4)
        self.assertEqual(self.metric(m, "sipwarden_packets_total"),
                         self.injected)

        # per lcore: the one worker (lcore 1) received and handled it all
        for fam, total in (("rx_packets", "packets"),
                           ("rx_bytes", "bytes"),
                           ("forwarded_packets", "forwarded_packets"),
                           ("replies", "replies"),
                           ("dropped_packets", "dropped_packets"),
                           ("tx_errors", "tx_errors")):
            self.assertEqual(
                self.metric(m, f"sipwarden_lcore_{fam}_total", lcore="1"),
                self.metric(m, f"sipwarden_{total}_total"), fam)
        self.assertEqual(self.metric_sum(m, "sipwarden_lcore_rx_packets_total"),
                         self.injected)
        # per port: the ports received what was injected, and sent what
        # was forwarded plus the replies (the worker's TX buffer is
        # flushed within a loop, so a scrape may come just before it)
        deadline = time.monotonic() + 5
        while True:
            m = self.metrics()
            sent = self.metric_sum(m, "sipwarden_port_tx_packets_total")
            want = (self.metric(m, "sipwarden_forwarded_packets_total") +
                    self.metric(m, "sipwarden_replies_total"))
            if sent == want or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(sent, want)
        self.assertEqual(self.metric_sum(m, "sipwarden_port_rx_packets_total"),
                         self.injected)
        self.assertEqual(self.metric(m, "sipwarden_port_rx_packets_total",
                                     port="0", device="net_pcap0") +
                         self.metric(m, "sipwarden_port_rx_packets_total",
                                     port="1", device="net_pcap1"),
                         self.injected)
        for fam in ("rx_missed", "rx_errors", "tx_errors", "rx_nombuf"):
            self.assertEqual(
                self.metric_sum(m, f"sipwarden_port_{fam}_total"), 0, fam)
        self.assertIn("# TYPE sipwarden_port_queue_rx_packets_total counter",
                      m)

        # and the ports: the first two of each phase crossed, the other
        # three were answered 503 out of the outside port
        crossed = self.out_frames("inside_out", fwd0 + 4)[fwd0:]
        back = self.out_frames("outside_out", back0 + 6)[back0:]
        self.assertEqual(len(crossed), 4)
        self.assertEqual(len(back), 6)
        ids = [re.search(rb"Call-ID: (\S+)", f).group(1).decode()
               for f in crossed]
        self.assertEqual(ids, first[:2] + second[:2])
        for f in back:
            self.assertTrue(f[42:].startswith(b"SIP/2.0 503 "), f[42:80])
        refused = [re.search(rb"Call-ID: (\S+)", f).group(1).decode()
                   for f in back]
        self.assertEqual(refused, first[2:] + second[2:])

    def test_04_updates_under_traffic(self):
        self.need_traffic()
        before = self.verdicts("busy")
        stop = threading.Event()
        sent = []
        errors = []

        out = self.out["inside_out"]
        size = [os.path.getsize(out)]
        late = []

        def traffic():
            # bounded in count and time; each INVITE must have crossed
            # (its frame appended to the inside port's capture file)
            # before the next is sent: see the module's docstring
            try:
                end = time.monotonic() + 120
                while not stop.is_set() and len(sent) < 20000:
                    _, frames = self.invite("198.18.20.7", tag="busy")
                    t0 = time.monotonic()
                    self.inject(frames)
                    sent.append(len(frames))
                    size[0] += sum(16 + len(f) for f in frames)
                    while os.path.getsize(out) < size[0]:
                        if time.monotonic() > end:
                            raise AssertionError(
                                f"INVITE {len(sent)} never crossed")
                        time.sleep(0.0002)
                    late.append(time.monotonic() - t0)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        t = threading.Thread(target=traffic)
        t.start()
        conn = CtlConn(self.sock, timeout=60)
        try:
            while len(sent) < 50 and t.is_alive():
                time.sleep(0.005)  # traffic first

            def requests():
                # pipelined, 50 lines a write, spread over a second or
                # more so that traffic keeps crossing throughout
                lines = []
                for i in range(UPDATES):
                    lines.append(json.dumps({
                        "cmd": "tenant.set", "id": i,
                        "args": {"name": "busy",
                                 "limits": {"max_calls": 50000 + i,
                                            "cps": 1000000 - i}}}))
                    if len(lines) == 50 or i == UPDATES - 1:
                        conn.sock.sendall(("\n".join(lines) + "\n")
                                          .encode())
                        lines = []
                        time.sleep(0.005)

            w = threading.Thread(target=requests)
            t0 = time.monotonic()
            w.start()
            at_start = len(sent)
            for i in range(UPDATES):
                r = conn.recv()
                self.assertEqual(r.get("id"), i, r)
                self.assertTrue(r.get("ok"), r)
                self.assertEqual(r["result"]["max_calls"], 50000 + i)
            elapsed = time.monotonic() - t0
            during = len(sent) - at_start
            w.join()
        finally:
            stop.set()
            t.join()
            conn.close()
        self.assertEqual(errors, [])
        late.sort()
        print(f"\n  {UPDATES} updates answered in {elapsed:.2f} s, "
              f"{during} INVITEs crossed meanwhile, {len(sent)} in all; "
              f"INVITE in -> out: median "
              f"{late[len(late) // 2] * 1e3:.2f} ms, max "
              f"{late[-1] * 1e3:.1f} ms", file=sys.stderr)
        self.assertGreater(during, 0, "no traffic during the updates")
        self.settle()
        v = self.verdicts("busy")
        self.assertEqual(v["forwarded"] - before["forwarded"], len(sent))
        self.assertEqual(sum(v.values()) - sum(before.values()), len(sent))
        show = self.ctl_json("tenant", "show", "busy")
        self.assertEqual(show["limits"]["max_calls"], 50000 + UPDATES - 1)
        self.assertEqual(show["limits"]["cps"], 1000000 - UPDATES + 1)

    def test_05_add_del_and_emergency_prefix(self):
        # a tenant added at runtime
        p = self.ctl("tenant", "add", "newco", "--prefix", "198.18.40.0/24",
                     "max_calls=1", check=0)
        self.assertRegex(p.stdout, r"(?m)^name: newco$")
        self.assertIn("newco", [t["name"] for t in self.tenant_list()])
        self.assertEqual(self.ctl_json("tenant", "show", "newco")
                         ["prefixes"], ["198.18.40.0/24"])
        self.ctl("tenant", "add", "newco", "--prefix", "198.18.41.0/24",
                 check=1)
        if self.netns:
            v = self.verdicts("newco")
            self.assertEqual(v["forwarded"], 0)
            self.send_invites("198.18.40.5", 2, tag="new")
            v = self.verdicts("newco")
            self.assertEqual(v["forwarded"], 1)
            self.assertEqual(v["call_limit"], 1)
        p = self.ctl("tenant", "del", "newco", check=0)
        self.assertRegex(p.stdout, r"(?m)^removed: newco$")
        self.ctl("tenant", "show", "newco", check=1)
        self.assertNotIn("newco", [t["name"] for t in self.tenant_list()])
        if self.netns:
            unknown = self.stats()["totals"]["verdicts"]["unknown_source"]
            self.send_invites("198.18.40.6", 1, tag="gone")
            self.assertEqual(self.stats()["totals"]["verdicts"]
                             ["unknown_source"], unknown + 1)

        # an emergency number added at runtime
        if self.netns:
            self.send_invites("198.18.30.5", 1, tag="em")  # the one call
            self.send_invites("198.18.30.5", 1, to_user="110", tag="em")
            v = self.verdicts("emerg")
            self.assertEqual((v["forwarded"], v["call_limit"],
                              v["emergency"]), (1, 1, 0))
        p = self.ctl("prefix", "add", "emergency", "110", check=0)
        self.assertEqual(self.ctl_json("prefix", "list", "emergency")
                         ["entries"], ["112", "110"])
        if self.netns:
            self.send_invites("198.18.30.5", 1, to_user="110", tag="em")
            self.send_invites("198.18.30.5", 1, to_user="111", tag="em")
            st = self.stats("emerg")["tenants"]["emerg"]
            v = st["verdicts"]
            self.assertEqual((v["forwarded"], v["call_limit"],
                              v["emergency"]), (1, 2, 1))
            self.assertEqual(st["emergency_calls_active"], 1)
            self.assertEqual(st["calls_active"], 1)
        self.ctl("prefix", "del", "emergency", "110", check=0)
        self.ctl("prefix", "add", "emergency", "not-a-number", check=1)
        self.assertEqual(self.ctl_json("prefix", "list", "emergency")
                         ["entries"], ["112"])

    def test_06_reload(self):
        listing = self.tenant_list()
        shows = {n: self.ctl_json("tenant", "show", n)
                 for n in CONFIG_TENANTS}
        # a broken file: refused with its position, nothing changes
        bad = self.config_text + BAD_TAIL
        line = bad.count("\n", 0, bad.index("lots")) + 1
        col = bad.index("lots") - bad.rindex("\n", 0, bad.index("lots"))
        with open(self.config_path, "w") as f:
            f.write(bad)
        p = self.ctl("reload", check=1)
        self.assertIn(f"{self.config_path}:{line}:{col}:", p.stderr)
        self.assertIn("the running policy stays", p.stderr)
        self.assertEqual(self.tenant_list(), listing)
        for n in CONFIG_TENANTS:
            self.assertEqual(self.ctl_json("tenant", "show", n), shows[n])
        # a good edit: one tenant more
        with open(self.config_path, "w") as f:
            f.write(self.config_text + GOOD_TAIL)
        r = self.ctl_json("reload")
        self.assertEqual(r["added"], ["initech"])
        self.assertEqual(r["removed"], [])
        names = [t["name"] for t in self.tenant_list()]
        self.assertEqual(sorted(names), sorted(CONFIG_TENANTS + ["initech"]))
        # runtime limit changes went back to the file
        self.assertEqual(self.ctl_json("tenant", "show", "acme")["limits"]
                         ["max_calls"], 2)
        if self.netns:
            self.send_invites("198.18.60.9", 1, tag="ini")
            self.assertEqual(self.verdicts("initech")["forwarded"], 1)
        # the same file again: nothing to say
        r = self.ctl_json("reload")
        self.assertEqual((r["added"], r["removed"], r["changed"]),
                         ([], [], []))

    def test_08_events(self):
        f = Follower(self.sock)
        f.seen = []
        try:
            f.send("events", {"follow": True, "last": 1000}, rid=7)
            first = f.recv()
            self.assertTrue(first["ok"], first)
            self.assertEqual(first["id"], 7)
            history = first["result"]["events"]
            emitted = first["result"]["emitted"]
            # the last 1,000 (events.history), oldest first, none missing;
            # test_04's 10,000 tenant.set pushed "started" out
            self.assertEqual(len(history), min(emitted, 1000))
            self.assertEqual([e["seq"] for e in history],
                             list(range(emitted - len(history) + 1,
                                        emitted + 1)))

            self.ctl("tenant", "suspend", "evt", check=0)
            ev = f.next_event("tenant_suspended")
            self.assertEqual((ev["tenant"], ev["source"], ev["uid"]),
                             ("evt", "ctl", os.geteuid()))
            self.assertRegex(ev["time"],
                             r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            if self.netns:
                # six refusals at once: summed, not one event each
                before = self.verdicts("evt")["suspended"]
                for _ in range(6):
                    self.inject(self.invite("198.18.70.7", tag="ev")[1])
                self.settle()
                self.assertEqual(self.verdicts("evt")["suspended"],
                                 before + 6)
                hits = [f.next_event("limit_hit", timeout=5, tenant="evt")]
                if hits[0]["count"] < 6:
                    hits.append(f.next_event("limit_hit", timeout=5,
                                             tenant="evt"))
                for h in hits:
                    self.assertEqual((h["tenant"], h["reason"],
                                      h["interval_s"]),
                                     ("evt", "suspended", 1))
                self.assertEqual(sum(h["count"] for h in hits), 6)
            self.ctl("tenant", "resume", "evt", check=0)
            ev = f.next_event("tenant_resumed")
            self.assertEqual(ev["tenant"], "evt")
            self.ctl("tenant", "set", "evt", "max_calls=50", check=0)
            ev = f.next_event("config_changed")
            self.assertEqual(ev["cmd"], "tenant.set")
            self.assertEqual(ev["args"], {"name": "evt",
                                          "limits": {"max_calls": 50}})
            self.assertEqual(ev["uid"], os.geteuid())
            # resumed: the next call passes
            if self.netns:
                self.send_invites("198.18.70.8", 1, tag="ev")
                self.assertEqual(self.verdicts("evt")["suspended"],
                                 before + 6)
        finally:
            f.close()
        # the file has every line the follower saw, the same text
        with open(self.events_file) as fh:
            lines = [json.loads(x) for x in fh.read().splitlines()]
        self.assertEqual(lines[0]["type"], "started")
        self.assertEqual(lines[0]["tenants"], len(CONFIG_TENANTS))
        by_seq = {e["seq"]: e for e in lines}
        for e in history + f.seen:
            self.assertEqual(by_seq[e["seq"]], e)
        self.assertEqual([e["seq"] for e in lines],
                         list(range(1, len(lines) + 1)))
        # and the CLI lists the latest
        out = self.ctl_json("events")
        self.assertEqual(out["events"][-1]["seq"], lines[-1]["seq"])
        self.assertEqual(out["write_errors"], 0)
        self.assertIn("tenant_resumed", self.ctl("events", check=0).stdout)
        # a bad argument is refused, the connection still answers
        self.ctl("raw", "events", '{"last": -1}', check=1)
        # sipwardenctl events -f: the answer, then each event as a line
        cli = subprocess.Popen([SIPWARDENCTL, "-s", self.sock, "--json",
                                "events", "-f"], stdout=subprocess.PIPE,
                               text=True)
        try:
            answer = json.loads(cli.stdout.readline())
            self.assertIn("events", answer)
            self.ctl("tenant", "set", "evt", "max_calls=60", check=0)
            line = json.loads(cli.stdout.readline())
            self.assertEqual((line["type"], line["args"]["limits"]),
                             ("config_changed", {"max_calls": 60}))
        finally:
            cli.kill()
            cli.wait()
            cli.stdout.close()
        # log rotation: SIGUSR1 reopens the file and changes nothing else
        os.rename(self.events_file, self.events_file + ".1")
        self.daemon.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while not os.path.exists(self.events_file):
            self.assertLess(time.monotonic(), deadline, "no new events file")
            time.sleep(0.01)
        self.assertEqual(self.ctl_json("tenant", "show", "evt")["max_calls"],
                         60)
        # SIGHUP reloads (back to the file) and says who asked
        self.daemon.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while True:
            with open(self.events_file) as fh:
                fresh = [json.loads(x) for x in fh.read().splitlines()]
            if fresh:
                break
            self.assertLess(time.monotonic(), deadline, "no reload event")
            time.sleep(0.01)
        self.assertEqual((fresh[0]["type"], fresh[0]["cmd"],
                          fresh[0]["source"]),
                         ("config_changed", "reload", "sighup"))
        self.assertNotIn("uid", fresh[0])
        self.assertEqual(fresh[0]["result"]["changed"], ["evt"])
        self.assertEqual(fresh[0]["seq"], lines[-1]["seq"] + 2)
        self.assertEqual(self.ctl_json("tenant", "show", "evt")["max_calls"],
                         100)

    def test_07_socket_permissions(self):
        if not ROOT:
            self.skipTest("needs root: runs sipwardenctl as 'nobody' and "
                          "makes a group")
        nobody = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        gid = grp.getgrnam(self.group).gr_gid
        st = os.stat(self.sock)
        self.assertEqual(st.st_gid, gid)
        self.assertEqual(st.st_mode & 0o777, 0o660)
        # not in the group: the file's mode keeps them out
        p = self.ctl("status", user=nobody, check=3)
        self.assertIn("Permission denied", p.stderr)
        # the file open to all: the daemon's credential check refuses.
        # sipwardenctl exits 3; it may report the daemon's line or, when
        # the daemon closed before the request went out, the broken pipe
        os.chmod(self.sock, 0o666)
        try:
            p = self.ctl("status", user=nobody)
            raw = subprocess.run(
                ["setpriv"] + nobody + ["--", "/usr/bin/python3", "-c",
                                        RAW_CLIENT, self.sock],
                capture_output=True, text=True, timeout=30)
        finally:
            os.chmod(self.sock, 0o660)
        self.assertIn(p.returncode, (1, 3), p)
        self.assertRegex(p.stderr.lower(), r"permission denied|broken pipe|"
                         r"closed the connection")
        self.assertEqual(raw.returncode, 0, raw.stderr)
        answer = json.loads(raw.stdout)
        self.assertEqual(answer, {
            "ok": False, "error": "permission denied: uid 65534 gid 65534 "
            "may not use this socket"})
        # once in the group: allowed
        run(["gpasswd", "-a", "nobody", self.group], stdout=subprocess.DEVNULL)
        p = self.ctl("--json", "status", check=0,
                     user=["--reuid=nobody", "--regid=nogroup",
                           "--init-groups"])
        self.assertEqual(json.loads(p.stdout)["mode"], "inline")
        self.ctl("tenant", "list", check=0,
                 user=["--reuid=nobody", "--regid=nogroup",
                       f"--groups={gid}"])


class Follower(CtlConn):
    def next_event(self, want_type, timeout=10, **match):
        """The next event of that type with those members (others are
        skipped, and kept in `seen`)."""
        deadline = time.monotonic() + timeout
        while True:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                ev = self.recv()
            except socket.timeout:
                raise AssertionError(f"no {want_type} event in {timeout} s")
            self.seen.append(ev)
            if ev.get("type") == want_type and all(
                    ev.get(k) == v for k, v in match.items()):
                return ev


def _on_signal(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    SIPWARDEN = os.path.abspath(sys.argv.pop(1))
    SIPWARDENCTL = os.path.abspath(sys.argv.pop(1))
    if not ROOT:
        print("test_control: not root: traffic, namespace and permission "
              "tests are skipped", file=sys.stderr)
    # meson's timeout sends SIGTERM: tear down all the same (atexit also
    # runs when an interrupt skips tearDownClass)
    signal.signal(signal.SIGTERM, _on_signal)
    atexit.register(Control._cleanup)
    unittest.main(verbosity=2)
