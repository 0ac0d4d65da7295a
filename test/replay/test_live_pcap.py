#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Live mode on real DPDK ports (net_pcap vdevs: capture files as NICs),
with one worker and with two workers in software dispatch (net_pcap has
no RSS): the call limit holds exactly across workers, refused INVITEs are
answered out of the port they came in on, admitted ones cross.

usage: test_live_pcap.py PATH/TO/sipwarden [unittest args]
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import pcapgen as pg  # noqa: E402

SIPWARDEN = None
SBC = "198.18.0.10"
ACME = "198.18.10.5"
CALLS = 20
LIMIT = 10

CONFIG = """\
eal: [--no-pci, --no-huge, -m, "512", --no-shconf, --no-telemetry,
      --file-prefix, {prefix}, --lcores, "{lcores}"]
ports:
  outside: {{ device: "net_pcap0,rx_pcap={outside_in},tx_pcap={outside_out}" }}
  inside: {{ device: "net_pcap1,rx_pcap={inside_in},tx_pcap={inside_out}" }}
workers: {workers}
inside_networks: [198.18.0.0/24]
calls: {{capacity: 4096}}
registrations: {{capacity: 1024}}
control: {{socket: "{socket}"}}
metrics: {{prometheus: false}}
tenants:
  - name: acme
    prefixes: [198.18.10.0/24]
    limits: {{max_calls: {limit}}}
"""


def invites():
    # distinct sources too, so that dispatch spreads them over workers
    out = []
    for i in range(CALLS):
        src = f"198.18.10.{10 + i}"
        inv = pg.invite(f"live-{i}@x", f"u{i}", "acme.example", "bob",
                        "sbc.example", src, f"z9hG4bKlive{i}")
        out += pg.sip_udp(src, SBC, 5060, 5060, inv)
    return out


def run_live(workers, tmp):
    frames = invites()
    outside_in = os.path.join(tmp, "outside_in.pcap")
    inside_in = os.path.join(tmp, "inside_in.pcap")
    with pg.PcapWriter(outside_in) as w:
        for i, f in enumerate(frames):
            w.write(f, 1000.0 + i * 0.001)
    pg.PcapWriter(inside_in).close()
    paths = {k: os.path.join(tmp, k + ".pcap")
             for k in ("outside_out", "inside_out")}
    lcores = ",".join(f"{i}@{min(i, 1)}" for i in range(workers + 1))
    cfg = os.path.join(tmp, "live.yaml")
    with open(cfg, "w") as f:
        f.write(CONFIG.format(prefix=f"swlive{os.getpid()}-{workers}",
                              socket=os.path.join(tmp, "ctl.sock"),
                              lcores=lcores, workers=workers,
                              outside_in=outside_in, inside_in=inside_in,
                              limit=LIMIT, **paths))
    p = subprocess.Popen([SIPWARDEN, "-c", cfg, "--stats", "json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    # the capture is read at once; give the workers time, bounded
    time.sleep(3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {err}")
    return (frames, json.loads(out),
            [f for _, f in pg.read_pcap(paths["outside_out"])],
            [f for _, f in pg.read_pcap(paths["inside_out"])], err)


class LivePcapPorts(unittest.TestCase):
    def check(self, workers, mode):
        with tempfile.TemporaryDirectory() as tmp:
            frames, stats, back_out, crossed, log = run_live(workers, tmp)
        self.assertIn(mode, log)
        t = stats["totals"]
        self.assertEqual(t["packets"], CALLS)
        self.assertEqual(t["packets_outside"], CALLS)
        self.assertEqual(stats["tenants"]["acme"]["verdicts"]["forwarded"],
                         LIMIT)
        self.assertEqual(
            stats["tenants"]["acme"]["verdicts"]["call_limit"],
            CALLS - LIMIT)
        self.assertEqual(stats["tenants"]["acme"]["calls_active"], LIMIT)
        self.assertEqual(t["forwarded_packets"], LIMIT)
        self.assertEqual(t["replies"], CALLS - LIMIT)
        self.assertEqual(t["tx_errors"], 0)
        # admitted INVITEs crossed unchanged; the others were answered
        # with 503 out of the port they came in on
        self.assertEqual(len(crossed), LIMIT)
        for f in crossed:
            self.assertIn(f, frames)
        self.assertEqual(len(back_out), CALLS - LIMIT)
        for f in back_out:
            text = f[42:].decode()
            self.assertTrue(text.startswith("SIP/2.0 503 "), text)

    def test_one_worker(self):
        self.check(1, "one queue pair")

    def test_two_workers_software_dispatch(self):
        self.check(2, "software dispatch")


if __name__ == "__main__":
    SIPWARDEN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
