#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""State across restarts (docs/RUNNING.md, "State file"): a live daemon
with `state: {file, interval: 1}` is stopped and started again, and what
it knew comes back.

usage: test_restart.py PATH/TO/sipwarden PATH/TO/sipwardenctl [unittest args]

The daemon runs in a network namespace of the test's own on net_pcap ports
over veth pairs, as in test_control.py (whose Netns and CtlConn it uses),
and the SIP frames are those of test_admission.py's Call and registration
helpers, injected one at a time and each waited for. Needs root; skipped
(saying so) without it.

What it checks, in order, one daemon after another on the same state file:
  1. SIGTERM after 3 calls (2 answered, 1 ringing) at acme's max_calls 3, a
     4th refused (call_limit), and 2 registrations (one granted for 4 s):
     exit 0, a state file written.
  2. restart (5 s later, a tenant added before acme in the
     configuration, so acme's slot changes): `calls`, `regs` and `stats`
     show the
     same (the 4 s registration gone, counted as expired in `status`), the
     totals go on from where they were; a new INVITE is refused with
     call_limit (the limit holds at once), the BYE of a restored call frees
     its slot (its key still finds it) and the next INVITE passes.
     A write that fails is reported in `status` and on stderr, and the
     next one succeeds.
  3. kill -9 after a periodic write: the next start has everything that
     write had (nothing older than one period is lost), the `stats reset`
     baseline included; the Prometheus counters go on throughout.
  4. a truncated state file: reported, renamed FILE.corrupt.<time>, and
     the daemon starts empty.
  5. SIGHUP: the configuration file is read again (a tenant added to it
     appears); SIGTERM then stops the daemon with exit 0.
"""

import atexit
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from test_admission import Call, register_frame, register_reply  # noqa: E402
from test_control import CtlConn, Netns, free_port  # noqa: E402
from test_replay import SBC4  # noqa: E402

SIPWARDEN = None
SIPWARDENCTL = None
ROOT = os.geteuid() == 0

CONFIG = """\
eal: [--no-pci, --no-huge, -m, "512", --no-shconf, --no-telemetry,
      --file-prefix, {prefix}, --lcores, "0@0,1@1"]
ports:
  outside: {{ device: "net_pcap0,rx_iface_in=swo1,tx_pcap={tmp}/o.pcap" }}
  inside: {{ device: "net_pcap1,rx_iface_in=swi1,tx_pcap={tmp}/i.pcap" }}
workers: 1
inside_networks: [198.18.0.0/24]
calls: {{capacity: 4096}}
registrations: {{capacity: 1024}}
metrics: {{port: {metrics_port}}}
control: {{socket: {tmp}/ctl.sock}}
state: {{file: {tmp}/state.bin, interval: 1}}
tenants:
  - name: acme
    prefixes: [198.18.10.0/24]
    limits: {{max_calls: 3}}
  - name: globex
    prefixes: [198.18.20.0/24]
"""


class Restart(unittest.TestCase):
    tmp = netns = daemon = conn = log = None
    socks = {}

    @classmethod
    def setUpClass(cls):
        if not ROOT:
            raise unittest.SkipTest("needs root: traffic is injected "
                                    "through veths in a namespace")
        pid = os.getpid()
        cls.tmp = tempfile.mkdtemp(prefix="sw-restart-")
        cls.state = os.path.join(cls.tmp, "state.bin")
        cls.config = os.path.join(cls.tmp, "sipwarden.yaml")
        try:
            cls.netns = Netns(f"swrst{pid}")
            cls.netns.create()
            with cls.netns.inside():
                cls.metrics_port = free_port()
                with open(cls.config, "w") as f:
                    f.write(CONFIG.format(prefix=f"swrst{pid}", tmp=cls.tmp,
                                          metrics_port=cls.metrics_port))
                for side, dev in (("outside", "swo0"), ("inside", "swi0")):
                    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                    s.bind((dev, 0))
                    cls.socks[side] = s
        except BaseException:
            cls.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cleanup()

    @classmethod
    def cleanup(cls):
        for s in cls.socks.values():
            s.close()
        cls.socks = {}
        if cls.conn is not None:
            cls.conn.close()
            cls.conn = None
        if cls.daemon is not None:
            cls.daemon.kill()
            cls.daemon.wait()
            cls.daemon = None
        if cls.log is not None:
            cls.log.close()
            cls.log = None
        if cls.netns is not None:
            cls.netns.destroy()
            cls.netns = None
        if cls.tmp is not None:
            subprocess.run(["rm", "-rf", cls.tmp])
            cls.tmp = None

    # ------------------------------------------------------------ helpers

    def start(self):
        """A daemon on the config; returns once its socket answers."""
        cls = type(self)
        if cls.log is None:
            cls.log = open(os.path.join(self.tmp, "daemon.log"), "a+")
        cls.log.seek(0, os.SEEK_END)
        cls.log_from = cls.log.tell()
        cls.daemon = subprocess.Popen(
            ["ip", "netns", "exec", self.netns.name, SIPWARDEN, "-c",
             self.config, "--stats", "none"],
            stdout=subprocess.DEVNULL, stderr=cls.log)
        deadline = time.monotonic() + 60
        while True:
            if cls.daemon.poll() is not None:
                self.fail(f"the daemon exited: {self.log_text()}")
            try:
                cls.conn = CtlConn(os.path.join(self.tmp, "ctl.sock"), 5)
                cls.conn.call("status")
                break
            except (OSError, EOFError, AssertionError):
                if cls.conn is not None:
                    cls.conn.close()
                    cls.conn = None
                if time.monotonic() > deadline:
                    self.fail(f"no control socket: {self.log_text()}")
                time.sleep(0.05)
        # packets counted so far (they go on across restarts)
        cls.expected = self.totals()["packets"]

    def stop(self, sig=signal.SIGTERM):
        cls = type(self)
        cls.conn.close()
        cls.conn = None
        cls.daemon.send_signal(sig)
        rc = cls.daemon.wait(timeout=60)
        cls.daemon = None
        log = self.log_text()
        if sig == signal.SIGTERM:
            self.assertEqual(rc, 0, log)
        for bad in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                    "runtime error:"):
            self.assertNotIn(bad, log)
        return log

    def log_text(self):
        self.log.flush()
        self.log.seek(self.log_from)
        return self.log.read()[-4000:]

    def ctl_json(self, *args):
        p = subprocess.run([SIPWARDENCTL, "-s",
                            os.path.join(self.tmp, "ctl.sock"), "--json"] +
                           list(args), capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def totals(self):
        return self.conn.call("stats")["totals"]

    def send(self, frame):
        """Inject one frame and wait until the daemon is done with it."""
        side = "inside" if frame[26:30] == socket.inet_aton(SBC4) else \
            "outside"
        self.socks[side].send(frame)
        type(self).expected += 1
        deadline = time.monotonic() + 20
        while True:
            t = self.totals()
            if t["packets"] == self.expected and t["packets"] == \
                    t["forwarded_packets"] + t["dropped_packets"] + \
                    t["replies"]:
                return
            if time.monotonic() > deadline:
                self.fail(f"frame not counted: {t}, expected "
                          f"{self.expected} packets")
            time.sleep(0.002)

    def verdicts(self):
        return self.conn.call("stats", {"tenant": "acme"})["tenants"][
            "acme"]["verdicts"]

    def prometheus(self, name, **labels):
        """One value of the daemon's /metrics (served inside the
        namespace)."""
        with self.netns.inside():
            s = socket.create_connection(("127.0.0.1", self.metrics_port),
                                         timeout=10)
        with s:
            s.sendall(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        lab = ",".join(f'{k}="{v}"' for k, v in labels.items())
        m = re.search(rf"^{re.escape(name + '{' + lab + '}')} (\d+)$",
                      data.decode(), re.M)
        self.assertIsNotNone(m, f"{name}{{{lab}}} not in the metrics")
        return int(m.group(1))

    def listing(self):
        calls = sorted((c["tenant"], c["direction"], c["state"],
                        c["emergency"])
                       for c in self.ctl_json("calls")["calls"])
        regs = sorted((r["tenant"], r["state"])
                      for r in self.ctl_json("regs")["registrations"])
        return calls, regs

    def state_status(self):
        return self.ctl_json("status")["state"]

    def wait_write_after(self, t0):
        """Until a periodic write has started after wall-clock t0 (s)."""
        deadline = time.monotonic() + 10
        while True:
            st = self.state_status()
            if st["last_write_ms"] / 1000 > t0:
                return st
            if time.monotonic() > deadline:
                self.fail(f"no state write after {t0}: {st}")
            time.sleep(0.1)

    # ------------------------------------------------------------ the test

    def events(self, type_, **match):
        return [e for e in self.ctl_json("events")["events"]
                if e["type"] == type_ and
                all(e.get(k) == v for k, v in match.items())]

    def test_restart(self):
        calls = [Call(f"rst-{i}@acme.example", caller=f"u{i}")
                 for i in range(6)]
        alice, alice_f = register_frame("sip:alice@acme.example", 3600)
        carol, carol_f = register_frame("sip:carol@acme.example", 3600)

        # 1. calls and registrations, then SIGTERM
        self.start()
        self.assertEqual(self.state_status()["loaded"]["found"], False)
        for c in calls[:3]:
            self.send(c.invite())
        for c in calls[:2]:
            for f in c.answered():
                self.send(f)
        self.send(calls[3].invite())  # over the limit
        for f in (alice_f, register_reply(alice, expires=3600), carol_f,
                  register_reply(carol, expires=4)):
            self.send(f)
        v1 = self.verdicts()
        self.assertEqual(v1["call_limit"], 1)
        calls1, regs1 = self.listing()
        self.assertEqual(calls1, sorted(
            [("acme", "inbound", "answered", False)] * 2 +
            [("acme", "inbound", "early", False)]))
        self.assertEqual(regs1, [("acme", "active")] * 2)
        totals1 = self.totals()
        log = self.stop()
        self.assertTrue(os.path.exists(self.state), log)
        self.assertFalse(os.path.exists(self.state + ".tmp"))
        self.assertEqual(os.stat(self.state).st_mode & 0o777, 0o600)
        time.sleep(5)  # carol's registration lapses while down

        # 2. restart, with a tenant added before acme (so acme's slot
        # changes): the same calls, registrations and counters
        with open(self.config) as f:
            text = f.read()
        with open(self.config, "w") as f:
            f.write(text.replace("tenants:\n", "tenants:\n  - name: zeta\n"
                                 "    prefixes: [198.18.70.0/24]\n", 1))
        self.start()
        st = self.state_status()
        loaded = st["loaded"]
        self.assertEqual(loaded["error"], "", self.log_text())
        self.assertEqual((loaded["calls"], loaded["registrations"],
                          loaded["registrations_expired"],
                          loaded["calls_expired"], loaded["calls_dropped"]),
                         (3, 1, 1, 0, 0), loaded)
        self.assertIn("restored 3 calls, 1 registrations", self.log_text())
        ev = self.events("state_restored")
        self.assertEqual(len(ev), 1, ev)
        self.assertEqual((ev[0]["calls"], ev[0]["registrations"],
                          ev[0]["registrations_expired"]), (3, 1, 1))
        calls2, regs2 = self.listing()
        self.assertEqual(calls2, calls1)
        self.assertEqual(regs2, [("acme", "active")])
        self.assertEqual(self.verdicts(), v1)
        self.assertEqual(self.totals(), totals1)
        # the limit holds at once: 3 restored calls at max_calls 3
        self.send(calls[4].invite())
        self.assertEqual(self.verdicts()["call_limit"], 2)
        # a restored call still found by its BYE: the slot comes back
        for f in calls[0].hangup():
            self.send(f)
        self.assertEqual(len(self.ctl_json("calls")["calls"]), 2)
        self.send(calls[4].invite())
        self.assertEqual(self.verdicts()["call_limit"], 2)
        calls3, regs3 = self.listing()
        self.assertEqual(len(calls3), 3)
        # Prometheus goes on from the first run, and a reset of `stats`
        # (a baseline) survives the restart without touching it
        self.assertEqual(self.prometheus("sipwarden_verdicts_total",
                                         tenant="acme", reason="call_limit"),
                         2)
        self.ctl_json("stats", "reset", "--tenant", "acme")
        self.assertEqual(self.verdicts()["call_limit"], 0)
        v3 = self.verdicts()

        # a write that fails (FILE.tmp cannot be created: a directory is
        # in the way) is reported and tried again, never fatal
        os.mkdir(self.state + ".tmp")
        deadline = time.monotonic() + 10
        while (st := self.state_status())["failures"] == 0:
            self.assertLess(time.monotonic(), deadline, st)
            time.sleep(0.1)
        self.assertIn("state.bin.tmp", st["last_error"])
        self.assertIn("sipwarden: state: cannot create", self.log_text())
        self.assertIsNone(self.daemon.poll())
        deadline = time.monotonic() + 10
        while not (ev := self.events("alert", alert="state_write_failed")):
            self.assertLess(time.monotonic(), deadline, "no alert event")
            time.sleep(0.1)
        self.assertIn("state.bin.tmp", ev[0]["error"])
        os.rmdir(self.state + ".tmp")

        # 3. kill -9 after a periodic write: nothing of it lost
        st = self.wait_write_after(time.time())
        self.assertEqual(st["entries"], 4)  # 3 calls, 1 registration
        self.assertEqual(st["last_error"], "")
        deadline = time.monotonic() + 10
        while not self.events("alert_cleared", alert="state_write_failed"):
            self.assertLess(time.monotonic(), deadline, "no alert_cleared")
            time.sleep(0.1)
        self.stop(signal.SIGKILL)
        self.start()
        self.assertEqual(self.listing(), (calls3, regs3))
        self.assertEqual(self.verdicts(), v3)
        self.assertEqual(self.prometheus("sipwarden_verdicts_total",
                                         tenant="acme", reason="call_limit"),
                         2)
        self.stop()

        # 4. a truncated file: set aside, the daemon starts empty
        size = os.path.getsize(self.state)
        with open(self.state, "r+b") as f:
            f.truncate(size // 2)
        self.start()
        loaded = self.state_status()["loaded"]
        self.assertTrue(loaded["found"])
        self.assertIn("cut short", loaded["error"])
        self.assertTrue(os.path.exists(loaded["set_aside_to"]))
        self.assertRegex(loaded["set_aside_to"],
                         r"/state\.bin\.corrupt\.\d+$")
        self.assertIn("file refused", self.log_text())
        ev = self.events("alert", alert="state_file_refused")
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0]["set_aside_to"], loaded["set_aside_to"])
        self.assertEqual(self.events("state_restored"), [])
        self.assertEqual(self.listing(), ([], []))
        self.assertEqual(self.verdicts()["call_limit"], 0)

        # 5. SIGHUP reloads the configuration file
        with open(self.config, "a") as f:
            f.write("  - name: initech\n    prefixes: [198.18.60.0/24]\n")
        self.daemon.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "initech" not in [t["name"] for t in
                                self.ctl_json("tenant", "list")["tenants"]]:
            self.assertLess(time.monotonic(), deadline, self.log_text())
            time.sleep(0.1)
        self.assertIn("SIGHUP reload", self.log_text())
        self.stop()


def _on_signal(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    SIPWARDEN = os.path.abspath(sys.argv.pop(1))
    SIPWARDENCTL = os.path.abspath(sys.argv.pop(1))
    signal.signal(signal.SIGTERM, _on_signal)
    atexit.register(Restart.cleanup)
    unittest.main(verbosity=2)
