#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Replay tests: real captures through `sipwarden --replay`, asserting the
counters (--stats json) and the output captures byte for byte.

usage: test_replay.py PATH/TO/sipwarden [unittest args]
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import pcapgen as pg  # noqa: E402

SIPWARDEN = None

SBC4 = "198.18.0.10"
SBC6 = "2001:db8:ffff::10"
ACME = "198.18.10.5"
GLOBEX4 = "198.18.20.7"
GLOBEX6 = "2001:db8:20::7"
ROAMING = "198.19.50.7"      # no tenant's prefix; initech by domain
STRANGER = "198.19.99.9"     # nobody's
NOBODY_OUT = "198.19.77.7"   # the SBC calls an address of no tenant

BASE_CONFIG = """\
inside_networks: [198.18.0.0/24, "2001:db8:ffff::/48"]
actions:
  unknown_source: {unknown}
  malformed: {malformed}
tenants:
  - name: acme
    prefixes: [198.18.10.0/24]
  - name: globex
    prefixes: [198.18.20.0/24, "2001:db8:20::/48"]
  - name: initech
    prefixes: [198.18.30.0/24]
    domains: [initech.example]
"""

FWD, DROP, REPLY = "fwd", "drop", "reply"


class Capture:
    """Frames with what the policy should do to each, in order."""

    def __init__(self):
        self.items = []  # (frame, fate)
        self.ts = 1_700_000_000.0

    def add(self, frames, fate):
        if isinstance(frames, (bytes, bytearray)):
            frames = [frames]
        for f in frames:
            self.items.append((bytes(f), fate))

    def add_fragments(self, frames, last_fate):
        """Fragments go on as they came; the last carries the verdict."""
        for f in frames[:-1]:
            self.items.append((bytes(f), FWD))
        self.items.append((bytes(frames[-1]), last_fate))

    def write(self, path):
        with pg.PcapWriter(path) as w:
            for i, (frame, _) in enumerate(self.items):
                w.write(frame, self.ts + i * 0.01)

    def expected(self, fate):
        return [f for f, x in self.items if x == fate]


def run(config_text, capture, tmp, extra=(), expect_rc=0):
    cfg = os.path.join(tmp, "test.yaml")
    with open(cfg, "w") as f:
        f.write(config_text)
    pcap_in = os.path.join(tmp, "in.pcap")
    capture.write(pcap_in)
    out = os.path.join(tmp, "out.pcap")
    replies = os.path.join(tmp, "replies.pcap")
    p = subprocess.run([SIPWARDEN, "-c", cfg, "--replay", pcap_in,
                        "--write", out, "--replies", replies,
                        "--stats", "json", *extra],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != expect_rc:
        raise AssertionError(f"sipwarden exited {p.returncode}\n"
                             f"stdout: {p.stdout}\nstderr: {p.stderr}")
    stats = json.loads(p.stdout)
    return (stats, [f for _, f in pg.read_pcap(out)],
            [f for _, f in pg.read_pcap(replies)])


def config(unknown="reply", malformed="drop"):
    return BASE_CONFIG.format(unknown=unknown, malformed=malformed)


def call_frames(caller_ip, caller_host, callee="bob", call_id="c1@x",
                vlans=(), compact=False, folded=False, v6=False):
    """A whole answered call: INVITE, 100, 200, ACK, BYE, 200."""
    sbc = SBC6 if v6 else SBC4
    inv = pg.invite(call_id, "alice", caller_host, callee, "sbc.example",
                    caller_ip, "z9hG4bK" + pg.tag_for(call_id),
                    compact=compact, folded=folded)
    trying = pg.response(inv, 100, "Trying")
    ok = pg.response(inv, 200, "OK", to_tag="callee1", sdp=True,
                     contact=f"<sip:{callee}@{pg._hostport(sbc, 5060)}>")
    ack = pg.ack(inv, ok)
    bye = pg.bye(inv, ok, "z9hG4bKbye" + pg.tag_for(call_id))
    bye_ok = pg.response(bye, 200, "OK")

    def out(text):
        return pg.sip_udp(caller_ip, sbc, 5060, 5060, text, vlans=vlans)

    def back(text):
        return pg.sip_udp(sbc, caller_ip, 5060, 5060, text, vlans=vlans,
                          src_mac=pg.MAC_INSIDE, dst_mac=pg.MAC_OUTSIDE)

    return [out(inv), back(trying), back(ok), out(ack), out(bye),
            back(bye_ok)]


def without(text, header_name):
    lines = text.split("\r\n")
    return "\r\n".join(l for l in lines
                       if not l.lower().startswith(header_name.lower() + ":"))


def sip_of(frame):
    """The SIP text of a single-frame UDP message (v4 or v6, VLANs)."""
    off = 12
    etype = int.from_bytes(frame[off:off + 2], "big")
    while etype in (pg.ETH_P_8021Q, pg.ETH_P_8021AD, pg.ETH_P_QINQ_OLD):
        off += 4
        etype = int.from_bytes(frame[off:off + 2], "big")
    l3 = off + 2
    if etype == pg.ETH_P_IPV4:
        l4 = l3 + (frame[l3] & 0x0F) * 4
    else:
        l4 = l3 + 40
    return frame[l4 + 8:].decode()


class MixedCapture(unittest.TestCase):
    """One capture with several tenants, IPv4 and IPv6, VLAN tags,
    fragmented INVITEs, compact and folded headers, garbage and truncated
    packets: every counter and every output byte checked."""

    @classmethod
    def setUpClass(cls):
        c = Capture()
        # acme: a whole call over one VLAN tag, and one over QinQ with
        # compact, folded headers
        for frames in call_frames(ACME, "acme.example", vlans=[100]):
            c.add(frames, FWD)
        for frames in call_frames(ACME, "acme.example", call_id="c2@x",
                                  vlans=[pg.Vlan(200, tpid=pg.ETH_P_8021AD),
                                         300],
                                  compact=True, folded=True):
            c.add(frames, FWD)
        # globex over IPv6, INVITE with a hop-by-hop header
        inv6 = pg.invite("g1@x", "gina", "globex.example", "bob",
                         "sbc.example", GLOBEX6, "z9hG4bKg1")
        c.add(pg.sip_udp(GLOBEX6, SBC6, 5060, 5060, inv6,
                         ext_headers=[pg.hop_by_hop()]), FWD)
        c.add(pg.sip_udp(SBC6, GLOBEX6, 5060, 5060,
                         pg.response(inv6, 180, "Ringing", to_tag="r1"),
                         src_mac=pg.MAC_INSIDE, dst_mac=pg.MAC_OUTSIDE),
              FWD)
        # fragmented INVITEs, v4 and v6 (big SDP)
        big = [("X-Padding", "p" * 900), ("X-More", "q" * 900)]
        inv_frag4 = pg.invite("g2@x", "gina", "globex.example", "bob",
                              "sbc.example", GLOBEX4, "z9hG4bKg2",
                              extra_headers=big)
        cls.frag4 = pg.sip_udp(GLOBEX4, SBC4, 5060, 5060, inv_frag4,
                               mtu=576)
        c.add_fragments(cls.frag4, FWD)
        inv_frag6 = pg.invite("g3@x", "gina", "globex.example", "bob",
                              "sbc.example", GLOBEX6, "z9hG4bKg3",
                              extra_headers=big)
        cls.frag6 = pg.sip_udp(GLOBEX6, SBC6, 5060, 5060, inv_frag6,
                               mtu=1280, ident=0x1234)
        c.add_fragments(cls.frag6, FWD)
        # initech roams: no prefix, found by the From domain
        reg = pg.register("sip:ivan@initech.example",
                          f"sip:ivan@{ROAMING}:5060", 3600)
        c.add(pg.sip_udp(ROAMING, SBC4, 5060, 5060, reg), FWD)
        # a stranger: 403, its retransmission the same 403, its ACK
        # absorbed
        cls.stranger_inv = pg.invite("s1@x", "eve", "evil.example", "bob",
                                     "sbc.example", STRANGER, "z9hG4bKs1")
        c.add(pg.sip_udp(STRANGER, SBC4, 5060, 5060, cls.stranger_inv),
              REPLY)
        c.add(pg.sip_udp(STRANGER, SBC4, 5060, 5060, cls.stranger_inv),
              REPLY)
        stranger_ack = pg.request("ACK", "s1@x", "eve", "evil.example",
                                  "bob", "sbc.example", STRANGER,
                                  "z9hG4bKs1", to_tag="anything")
        c.add(pg.sip_udp(STRANGER, SBC4, 5060, 5060, stranger_ack), DROP)
        # garbage and malformed SIP from acme
        c.add(pg.sip_udp(ACME, SBC4, 5060, 5060, "HELLO WORLD\r\n\r\n"),
              DROP)
        no_callid = without(pg.invite("m1@x", "alice", "acme.example",
                                      "bob", "sbc.example", ACME,
                                      "z9hG4bKm1"), "Call-ID")
        c.add(pg.sip_udp(ACME, SBC4, 5060, 5060, no_callid), DROP)
        bad_cseq = pg.invite("m2@x", "alice", "acme.example", "bob",
                             "sbc.example", ACME, "z9hG4bKm2").replace(
            "CSeq: 1 INVITE", "CSeq: one INVITE")
        c.add(pg.sip_udp(ACME, SBC4, 5060, 5060, bad_cseq), DROP)
        # a truncated frame: IPv4 header cut short
        whole = pg.sip_udp(ACME, SBC4, 5060, 5060, "OPTIONS x")[0]
        c.add(whole[:24], DROP)
        # ARP and RTP cross untouched
        c.add(pg.eth(pg.MAC_OUTSIDE, "ff:ff:ff:ff:ff:ff", bytes(28),
                     ethertype=pg.ETH_P_ARP), FWD)
        c.add(pg.eth(pg.MAC_OUTSIDE, pg.MAC_INSIDE,
                     pg.ipv4(ACME, SBC4, pg.IPPROTO_UDP,
                             pg.udp(40000, 20000, bytes(172), ACME, SBC4))),
              FWD)
        # TCP: a whole message, a partial one, a bare SYN
        tcp_inv = pg.invite("t1@x", "alice", "acme.example", "bob",
                            "sbc.example", ACME, "z9hG4bKt1",
                            transport="TCP")
        c.add(pg.sip_tcp(ACME, SBC4, 40001, 5060, tcp_inv), FWD)
        c.add(pg.sip_tcp(ACME, SBC4, 40001, 5060, tcp_inv[:200]), FWD)
        c.add(pg.eth(pg.MAC_OUTSIDE, pg.MAC_INSIDE,
                     pg.ipv4(ACME, SBC4, pg.IPPROTO_TCP,
                             pg.tcp(40002, 5060, b"", ACME, SBC4,
                                    flags="S"))), FWD)
        # keepalive
        c.add(pg.sip_udp(ACME, SBC4, 5060, 5060, "\r\n\r\n"), FWD)
        # TLS: judged by source only
        tls = b"\x17\x03\x03\x00\x10" + bytes(16)
        c.add(pg.eth(pg.MAC_OUTSIDE, pg.MAC_INSIDE,
                     pg.ipv4(ACME, SBC4, pg.IPPROTO_TCP,
                             pg.tcp(40003, 5061, tls, ACME, SBC4))), FWD)
        c.add(pg.eth(pg.MAC_OUTSIDE, pg.MAC_INSIDE,
                     pg.ipv4(STRANGER, SBC4, pg.IPPROTO_TCP,
                             pg.tcp(40004, 5061, tls, STRANGER, SBC4))),
              DROP)
        # the SBC pings an address of no tenant
        opt = pg.options("o1@x", "sbc", "sbc.example", None, NOBODY_OUT,
                         SBC4, "z9hG4bKo1")
        c.add(pg.sip_udp(SBC4, NOBODY_OUT, 5060, 5060, opt,
                         src_mac=pg.MAC_INSIDE, dst_mac=pg.MAC_OUTSIDE), FWD)
        cls.capture = c
        cls.tmp = tempfile.TemporaryDirectory()
        cls.stats, cls.out, cls.replies = run(config(), c, cls.tmp.name)
        cls.t = cls.stats["totals"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_forwarded_capture_is_exactly_the_forwarded_frames(self):
        expected = self.capture.expected(FWD)
        self.assertEqual(len(self.out), len(expected))
        for i, (got, want) in enumerate(zip(self.out, expected)):
            self.assertEqual(got, want, f"forwarded frame {i} differs")

    def test_frame_accounting(self):
        t = self.t
        self.assertEqual(t["packets"], len(self.capture.items))
        self.assertEqual(t["forwarded_packets"],
                         len(self.capture.expected(FWD)))
        self.assertEqual(t["dropped_packets"],
                         len(self.capture.expected(DROP)))
        self.assertEqual(t["replies"], len(self.capture.expected(REPLY)))
        self.assertEqual(t["packets"], t["forwarded_packets"] +
                         t["dropped_packets"] + t["replies"])
        self.assertEqual(t["bytes"],
                         sum(len(f) for f, _ in self.capture.items))
        self.assertEqual(t["tx_errors"], 0)

    def test_classification_totals(self):
        t = self.t
        n_frag = len(self.frag4) + len(self.frag6)
        self.assertEqual(t["fragments"], n_frag)
        self.assertEqual(t["reassembled"], 2)
        self.assertEqual(t["fragment_errors"], 0)
        self.assertEqual(t["non_sip"], 2)          # ARP, RTP
        self.assertEqual(t["keepalives"], 1)
        self.assertEqual(t["tcp_segments"], 3)
        self.assertEqual(t["tcp_partial"], 1)
        self.assertEqual(t["tls_packets"], 2)
        self.assertEqual(t["decode_errors"], 1)
        self.assertEqual(t["malformed"], 4)  # garbage, no Call-ID, CSeq, cut
        self.assertEqual(t["malformed_reasons"],
                         {"bad_start_line": 1, "no_call_id": 1,
                          "bad_cseq": 1})
        self.assertEqual(t["outbound_unknown_tenant"], 1)
        # 12 call messages, 2 globex v6, 2 reassembled INVITEs, REGISTER,
        # 2 stranger INVITEs + ACK, TCP INVITE, OPTIONS
        self.assertEqual(t["sip_messages"], 22)
        self.assertEqual(t["sip_requests"], 15)
        self.assertEqual(t["sip_responses"], 7)
        self.assertEqual(t["messages"], {"INVITE": 8, "ACK": 3, "BYE": 2,
                                         "REGISTER": 1, "OPTIONS": 1})
        self.assertEqual(t["responses"], {"1xx": 3, "2xx": 4, "3xx": 0,
                                          "4xx": 0, "5xx": 0, "6xx": 0})
        self.assertEqual(t["verdicts"]["forwarded"], 19)
        # 3 from the stranger's SIP, 1 TLS packet
        self.assertEqual(t["verdicts"]["unknown_source"], 4)
        self.assertEqual(t["verdicts"]["malformed"], 4)

    def test_per_tenant(self):
        ten = self.stats["tenants"]
        self.assertEqual(sorted(ten), ["acme", "globex", "initech"])
        acme = ten["acme"]
        self.assertEqual(acme["messages"], {"INVITE": 3, "ACK": 2, "BYE": 2})
        self.assertEqual(acme["responses"]["1xx"], 2)
        self.assertEqual(acme["responses"]["2xx"], 4)
        self.assertEqual(acme["verdicts"]["forwarded"], 13)
        # garbage, no Call-ID, bad CSeq come from acme's address
        self.assertEqual(acme["verdicts"]["malformed"], 3)
        globex = ten["globex"]
        self.assertEqual(globex["messages"], {"INVITE": 3})
        self.assertEqual(globex["responses"]["1xx"], 1)
        self.assertEqual(globex["verdicts"]["forwarded"], 4)
        initech = ten["initech"]
        self.assertEqual(initech["messages"], {"REGISTER": 1})
        self.assertEqual(initech["verdicts"]["forwarded"], 1)
        for name in ten:
            self.assertEqual(ten[name]["verdicts"]["unknown_source"], 0)
            # every reason is always listed
            self.assertEqual(len(ten[name]["verdicts"]), 14)

    def test_replies_are_403_to_the_stranger(self):
        self.assertEqual(len(self.replies), 2)
        self.assertEqual(self.replies[0], self.replies[1],
                         "a retransmission must get the same reply")
        req = pg.sip_udp(STRANGER, SBC4, 5060, 5060, self.stranger_inv)[0]
        rep = self.replies[0]
        self.assertEqual(rep[0:6], req[6:12])    # MACs swapped
        self.assertEqual(rep[6:12], req[0:6])
        self.assertEqual(rep[26:30], req[30:34])  # IPv4 addresses swapped
        self.assertEqual(rep[30:34], req[26:30])
        text = sip_of(rep)
        self.assertTrue(text.startswith("SIP/2.0 403 "), text)
        self.assertEqual(pg.header(text, "Call-ID"), "s1@x")
        self.assertEqual(pg.header(text, "CSeq"), "1 INVITE")
        self.assertIn(";tag=", pg.header(text, "To"))
        self.assertIn('text="unknown_source"', pg.header(text, "Reason"))
        self.assertEqual(pg.header(text, "Via"),
                         pg.header(self.stranger_inv, "Via"))


class Actions(unittest.TestCase):
    """actions.unknown_source and actions.malformed change the fate."""

    def capture(self):
        c = Capture()
        inv = pg.invite("s1@x", "eve", "evil.example", "bob", "sbc.example",
                        STRANGER, "z9hG4bKs1")
        c.add(pg.sip_udp(STRANGER, SBC4, 5060, 5060, inv), None)
        c.add(pg.sip_udp(ACME, SBC4, 5060, 5060, "NOT SIP AT ALL\r\n\r\n"),
              None)
        return c

    def test_drop_unknown_forward_malformed(self):
        c = self.capture()
        with tempfile.TemporaryDirectory() as tmp:
            stats, out, replies = run(config("drop", "forward"), c, tmp)
        self.assertEqual(replies, [])
        self.assertEqual(out, [c.items[1][0]])
        t = stats["totals"]
        self.assertEqual(t["dropped_packets"], 1)
        self.assertEqual(t["verdicts"]["unknown_source"], 1)
        self.assertEqual(t["verdicts"]["malformed"], 1)

    def test_forward_unknown_drop_malformed(self):
        c = self.capture()
        with tempfile.TemporaryDirectory() as tmp:
            stats, out, replies = run(config("forward", "drop"), c, tmp)
        self.assertEqual(replies, [])
        self.assertEqual(out, [c.items[0][0]])
        self.assertEqual(stats["totals"]["verdicts"]["unknown_source"], 1)
        self.assertEqual(stats["totals"]["forwarded_packets"], 1)

    def test_reply_code_is_configurable(self):
        c = self.capture()
        cfg = config().replace("  malformed: drop",
                               "  malformed: drop\n"
                               "  unknown_source_code: 404")
        with tempfile.TemporaryDirectory() as tmp:
            _, _, replies = run(cfg, c, tmp)
        self.assertEqual(len(replies), 1)
        self.assertTrue(sip_of(replies[0]).startswith("SIP/2.0 404 "))


class TlsPortsAreTheSbcs(unittest.TestCase):
    """Only the SBC's end of a TCP connection makes traffic TLS (judged by
    source alone): plain SIP sent from port 5061 is scanned like any."""

    def test_sender_cannot_choose_tls(self):
        no_callid = without(pg.invite("x1@x", "alice", "acme.example", "bob",
                                      "sbc.example", ACME, "z9hG4bKx1"),
                            "Call-ID")
        c = Capture()
        # plain SIP over UDP from port 5061, and over TCP from 5061 to the
        # SBC's 5060: both malformed, both dropped
        c.add(pg.sip_udp(ACME, SBC4, 5061, 5060, no_callid), DROP)
        c.add(pg.sip_tcp(ACME, SBC4, 5061, 5060, no_callid), DROP)
        # UDP to the SBC's TLS port is no TLS either
        c.add(pg.sip_udp(ACME, SBC4, 40000, 5061, no_callid), DROP)
        # TCP to the SBC's TLS port is, and passes on its source
        c.add(pg.sip_tcp(ACME, SBC4, 40001, 5061, no_callid), FWD)
        with tempfile.TemporaryDirectory() as tmp:
            stats, out, _ = run(config(), c, tmp)
        t = stats["totals"]
        self.assertEqual(t["tls_packets"], 1)
        self.assertEqual(t["malformed_reasons"], {"no_call_id": 3})
        self.assertEqual(out, c.expected(FWD))


class Hostile(unittest.TestCase):
    """Random and cut frames: no crash, every frame accounted for."""

    def test_random_and_truncated_frames(self):
        rng = random.Random(4475)
        c = Capture()
        valid = []
        for i in range(20):
            inv = pg.invite(f"h{i}@x", "alice", "acme.example", "bob",
                            "sbc.example", ACME, f"z9hG4bKh{i}")
            valid += pg.sip_udp(ACME, SBC4, 5060, 5060, inv,
                                vlans=[7] if i % 2 else [])
            valid += pg.sip_udp(GLOBEX6, SBC6, 5060, 5060, inv,
                                mtu=700 if i % 3 == 0 else None)
        for frame in valid:
            cut = rng.randrange(0, len(frame))
            c.add(frame[:cut], None)
            mutated = bytearray(frame)
            for _ in range(rng.randrange(1, 8)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            c.add(bytes(mutated), None)
        for _ in range(300):
            c.add(bytes(rng.randrange(256)
                        for _ in range(rng.randrange(1, 400))), None)
        with tempfile.TemporaryDirectory() as tmp:
            stats, out, replies = run(config("reply", "forward"), c, tmp)
        t = stats["totals"]
        self.assertEqual(t["packets"], len(c.items))
        self.assertEqual(t["packets"], t["forwarded_packets"] +
                         t["dropped_packets"] + t["replies"])
        self.assertEqual(len(out), t["forwarded_packets"])
        self.assertEqual(len(replies), t["replies"])


class Determinism(unittest.TestCase):
    def test_two_runs_write_identical_files(self):
        c = Capture()
        for frames in call_frames(ACME, "acme.example"):
            c.add(frames, None)
        inv = pg.invite("s1@x", "eve", "evil.example", "bob", "sbc.example",
                        STRANGER, "z9hG4bKs1")
        c.add(pg.sip_udp(STRANGER, SBC4, 5060, 5060, inv), None)
        results = []
        for _ in range(2):
            with tempfile.TemporaryDirectory() as tmp:
                run(config(), c, tmp)
                with open(os.path.join(tmp, "out.pcap"), "rb") as f:
                    out = f.read()
                with open(os.path.join(tmp, "replies.pcap"), "rb") as f:
                    rep = f.read()
                results.append((out, rep))
        self.assertEqual(results[0], results[1])
        # output keeps the capture's timestamps
        with tempfile.TemporaryDirectory() as tmp:
            run(config(), c, tmp)
            ts = [t for t, _ in pg.read_pcap(os.path.join(tmp, "out.pcap"))]
        self.assertAlmostEqual(ts[0], c.ts, places=5)


class CommandLine(unittest.TestCase):
    def sw(self, *args):
        return subprocess.run([SIPWARDEN, *args], capture_output=True,
                              text=True, timeout=60)

    def test_help_and_version(self):
        p = self.sw("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--replay", p.stdout)
        p = self.sw("--version")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("sipwarden "))

    def test_usage_errors_exit_2(self):
        self.assertEqual(self.sw().returncode, 2)
        self.assertEqual(self.sw("-c", "x.yaml", "--stats", "xml")
                         .returncode, 2)
        self.assertEqual(self.sw("-c", "x.yaml", "--write", "o.pcap")
                         .returncode, 2)
        self.assertEqual(self.sw("-c", "x.yaml", "stray").returncode, 2)

    def test_bad_config_is_refused_with_its_position(self):
        with tempfile.TemporaryDirectory() as tmp:
            cfg = os.path.join(tmp, "bad.yaml")
            with open(cfg, "w") as f:
                f.write(config().replace("    prefixes: [198.18.10.0/24]",
                                         "    prefixes: [198.18.10.0/33]"))
            p = self.sw("-c", cfg, "--check")
            self.assertEqual(p.returncode, 2)
            self.assertIn(f"{cfg}:7:16:", p.stderr)
            self.assertIn("198.18.10.0/33", p.stderr)
            p = self.sw("-c", cfg, "--replay", "/nonexistent.pcap")
            self.assertEqual(p.returncode, 2)

    def test_check_accepts_the_sample(self):
        p = self.sw("-c", "config/sipwarden.yaml", "--check")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ok", p.stdout)

    def test_missing_capture_exits_1(self):
        with tempfile.TemporaryDirectory() as tmp:
            cfg = os.path.join(tmp, "ok.yaml")
            with open(cfg, "w") as f:
                f.write(config())
            p = self.sw("-c", cfg, "--replay",
                        os.path.join(tmp, "missing.pcap"))
            self.assertEqual(p.returncode, 1)
            self.assertIn("missing.pcap", p.stderr)
            # a Linux cooked capture is refused with a reason
            sll = os.path.join(tmp, "sll.pcap")
            with pg.PcapWriter(sll, linktype=113) as w:
                w.write(bytes(40), 1.0)
            p = self.sw("-c", cfg, "--replay", sll)
            self.assertEqual(p.returncode, 1)
            self.assertIn("Ethernet", p.stderr)


class BundledSample(unittest.TestCase):
    """The sample behind `make demo` replays and is what its generator
    makes."""

    def test_sample_is_current_and_replays(self):
        with tempfile.TemporaryDirectory() as tmp:
            fresh = os.path.join(tmp, "sample.pcap")
            subprocess.run([sys.executable,
                            os.path.join(HERE, "..", "tools",
                                         "make_sample.py"), fresh],
                           check=True, timeout=60)
            with open(fresh, "rb") as a, \
                    open("config/sample.pcap", "rb") as b:
                self.assertEqual(a.read(), b.read(),
                                 "config/sample.pcap is stale: run "
                                 "test/tools/make_sample.py "
                                 "config/sample.pcap")
        p = subprocess.run([SIPWARDEN, "-c", "config/sipwarden.yaml",
                            "--replay", "config/sample.pcap", "--stats",
                            "json"], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        stats = json.loads(p.stdout)
        for name in ("acme", "globex", "initech"):
            self.assertGreater(stats["tenants"][name]["requests"], 0, name)
        self.assertGreater(stats["totals"]["verdicts"]["unknown_source"], 0)
        self.assertGreater(stats["totals"]["replies"], 0)


if __name__ == "__main__":
    SIPWARDEN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
