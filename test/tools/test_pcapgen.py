#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Self-test of pcapgen: what it writes, tshark must read as we meant it.

tshark is the independent judge here: it checks the checksums, reassembles
the fragments and parses the SIP, so a bug in pcapgen cannot hide behind a
matching bug in the test.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen as pg  # noqa: E402

V4_OUT, V4_IN = "192.0.2.10", "198.51.100.5"
V6_OUT, V6_IN = "2001:db8::10", "2001:db8:1::5"
T0 = 1_700_000_000.0

TSHARK_CHECKS = ["-o", "ip.defragment:TRUE", "-o", "ipv6.defragment:TRUE",
                 "-o", "ip.check_checksum:TRUE",
                 "-o", "udp.check_checksum:TRUE",
                 "-o", "tcp.check_checksum:TRUE"]
FIELDS = ["frame.number", "vlan.id", "ieee8021ad.id", "sip.Method",
          "sip.Status-Code", "sip.Call-ID", "sip.CSeq.method", "sip.to.tag",
          "ip.checksum.status", "udp.checksum.status", "tcp.checksum.status",
          "_ws.expert", "ip.flags.mf", "ip.fragment", "ipv6.fragment"]
CHECKSUM_GOOD = "1"  # proto_checksum_enum_e: PROTO_CHECKSUM_E_GOOD


def invite_for(call_id, via_host, **kwargs):
    return pg.invite(call_id, "alice", "example.com", "+15551230000",
                     "example.net", via_host, f"z9hG4bK{pg.tag_for(call_id)}",
                     **kwargs)


def padding_headers(n):
    """Harmless headers (known to tshark) that push an INVITE past an
    MTU."""
    return [("Call-Info", f"<http://example.com/pad/{i}/{'x' * 40}>"
             ";purpose=info") for i in range(n)]


class Capture:
    """The scenario written once for all the tshark tests: frame number
    -> what it is."""

    def __init__(self, path):
        self.path = path
        self.frames = []   # (ts, bytes) in file order
        self.last_frame_of = {}  # name -> 1-based frame number
        self.texts = {}

    def add(self, name, frames, text):
        ts = T0 + len(self.frames) * 0.001
        for f in frames:
            self.frames.append((ts, f))
            ts += 0.000001
        self.last_frame_of[name] = len(self.frames)
        self.texts[name] = text

    def write(self):
        with pg.PcapWriter(self.path) as w:
            for ts, f in self.frames:
                w.write(f, ts)


def build_capture(path):
    cap = Capture(path)

    text = invite_for("v4-plain@a", V4_OUT)
    cap.add("v4", pg.sip_udp(V4_OUT, V4_IN, 5060, 5060, text), text)

    text = invite_for("v6-ext@a", V6_OUT)
    cap.add("v6", pg.sip_udp(V6_OUT, V6_IN, 5062, 5060, text,
                             ext_headers=[pg.hop_by_hop(), pg.dest_opts()]),
            text)

    text = pg.register("sip:bob@example.com", "sip:bob@192.0.2.11:5060",
                       3600)
    cap.add("vlan", pg.sip_udp(V4_OUT, V4_IN, 5060, 5060, text, vlans=[100]),
            text)

    text = pg.options("qinq@a", "probe", "example.com", None, V6_IN, V6_OUT,
                      "z9hG4bKqinq")
    cap.add("qinq", pg.sip_udp(V6_OUT, V6_IN, 5060, 5060, text,
                               vlans=[pg.Vlan(10, tpid=pg.ETH_P_8021AD),
                                      pg.Vlan(20, pcp=5)]), text)

    text = invite_for("v4-frag@a", V4_OUT,
                      extra_headers=padding_headers(12), compact=True)
    frames = pg.sip_udp(V4_OUT, V4_IN, 5060, 5060, text, mtu=576,
                        vlans=[7])
    cap.add("v4-frag", frames, text)

    text = invite_for("v6-frag@a", V6_OUT, extra_headers=padding_headers(25),
                      folded=True)
    cap.add("v6-frag", pg.sip_udp(V6_OUT, V6_IN, 5060, 5060, text, mtu=1280,
                                  ext_headers=[pg.hop_by_hop()]), text)

    inv = cap.texts["v4"]
    ok = pg.response(inv, 200, "OK", to_tag="uas-tag", sdp=True,
                     contact=f"<sip:+15551230000@{V4_IN}:5060>")
    cap.add("200", pg.sip_udp(V4_IN, V4_OUT, 5060, 5060, ok,
                              src_mac=pg.MAC_INSIDE, dst_mac=pg.MAC_OUTSIDE),
            ok)

    text = pg.bye(inv, ok, "z9hG4bKbye")
    cap.add("tcp", [pg.sip_tcp(V4_OUT, V4_IN, 40000, 5060, text)], text)

    cap.write()
    return cap


@unittest.skipUnless(shutil.which("tshark"), "tshark is not installed")
class TsharkReadsWhatWeWrote(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.cap = build_capture(os.path.join(cls.tmp.name, "all.pcap"))
        cmd = ["tshark", "-n", "-r", cls.cap.path, *TSHARK_CHECKS,
               "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
               "-E", "aggregator=,"]
        for f in FIELDS:
            cmd += ["-e", f]
        out = subprocess.run(cmd, check=True, capture_output=True,
                             text=True).stdout
        cls.rows = {}
        for line in out.splitlines():
            row = dict(zip(FIELDS, line.split("\t")))
            cls.rows[int(row["frame.number"])] = row

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def row(self, name):
        return self.rows[self.cap.last_frame_of[name]]

    def assert_sip(self, name, method, call_id):
        row = self.row(name)
        self.assertEqual(row["sip.Method"], method, row)
        self.assertEqual(row["sip.Call-ID"], call_id, row)

    def test_every_frame_decoded(self):
        self.assertEqual(len(self.rows), len(self.cap.frames))

    def test_no_expert_info_and_good_checksums(self):
        for n, row in self.rows.items():
            self.assertEqual(row["_ws.expert"], "", f"frame {n}: {row}")
            if row["ip.checksum.status"]:
                self.assertEqual(row["ip.checksum.status"], CHECKSUM_GOOD,
                                 f"frame {n}")
        for name in ("v4", "v6", "vlan", "qinq", "v4-frag", "v6-frag",
                     "200"):
            self.assertEqual(self.row(name)["udp.checksum.status"],
                             CHECKSUM_GOOD, name)
        self.assertEqual(self.row("tcp")["tcp.checksum.status"],
                         CHECKSUM_GOOD)

    def test_sip_over_v4_and_v6(self):
        self.assert_sip("v4", "INVITE", "v4-plain@a")
        self.assert_sip("v6", "INVITE", "v6-ext@a")
        self.assert_sip("tcp", "BYE", "v4-plain@a")

    def test_vlans(self):
        self.assertEqual(self.row("vlan")["vlan.id"], "100")
        self.assert_sip("vlan", "REGISTER", self.cap.texts["vlan"].split(
            "Call-ID: ")[1].split("\r\n")[0])
        # tshark names an 802.1ad S-tag apart from 802.1Q tags
        self.assertEqual(self.row("qinq")["ieee8021ad.id"], "10")
        self.assertEqual(self.row("qinq")["vlan.id"], "20")
        self.assert_sip("qinq", "OPTIONS", "qinq@a")

    def test_fragmented_invites_reassembled(self):
        first = self.cap.last_frame_of["qinq"] + 1
        last = self.cap.last_frame_of["v4-frag"]
        self.assertGreater(last, first, "the v4 INVITE was not fragmented")
        for n in range(first, last):
            self.assertEqual(self.rows[n]["sip.Method"], "", f"frame {n}")
            self.assertEqual(self.rows[n]["ip.flags.mf"], "1", f"frame {n}")
        self.assertEqual(self.rows[last]["ip.flags.mf"], "0")
        self.assertEqual(len(self.rows[last]["ip.fragment"].split(",")),
                         last - first + 1)
        self.assert_sip("v4-frag", "INVITE", "v4-frag@a")

        first = last + 1
        last = self.cap.last_frame_of["v6-frag"]
        self.assertGreater(last, first, "the v6 INVITE was not fragmented")
        self.assertEqual(len(self.rows[last]["ipv6.fragment"].split(",")),
                         last - first + 1)
        self.assert_sip("v6-frag", "INVITE", "v6-frag@a")

    def test_response_and_dialog(self):
        row = self.row("200")
        self.assertEqual(row["sip.Status-Code"], "200")
        self.assertEqual(row["sip.CSeq.method"], "INVITE")
        self.assertEqual(row["sip.Call-ID"], "v4-plain@a")
        self.assertEqual(row["sip.to.tag"], "uas-tag")
        self.assertEqual(self.row("tcp")["sip.to.tag"], "uas-tag")


class Frames(unittest.TestCase):
    def test_pcap_round_trip(self):
        frames = [(T0 + 0.123456, pg.eth(pg.MAC_OUTSIDE, pg.MAC_INSIDE,
                                         b"\x01" * 100)),
                  (T0 + 1.5, bytes(60)), (T0 + 2.000001, bytes(1514))]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "rt.pcap")
            with pg.PcapWriter(path) as w:
                for ts, f in frames:
                    w.write(f, ts)
            got = pg.read_pcap(path)
        self.assertEqual([f for _, f in got], [f for _, f in frames])
        for (ts, _), (want, _) in zip(got, frames):
            self.assertAlmostEqual(ts, want, places=6)

    def test_padding(self):
        frames = pg.sip_udp(V4_OUT, V4_IN, 5060, 5060, "x")
        self.assertEqual(len(frames[0]), 60)
        self.assertEqual(len(pg.eth(pg.MAC_OUTSIDE, pg.MAC_INSIDE, b"",
                                    pad=False)), 14)

    def test_fragments_fit_the_mtu(self):
        text = invite_for("mtu@a", V4_OUT, extra_headers=padding_headers(30))
        packet = pg.ipv4(V4_OUT, V4_IN, pg.IPPROTO_UDP,
                         pg.udp(5060, 5060, text.encode(), V4_OUT, V4_IN))
        frags = pg.fragment_ipv4(packet, 600)
        self.assertTrue(all(len(f) <= 600 for f in frags))
        self.assertEqual(sum(len(f) - 20 for f in frags), len(packet) - 20)
        self.assertEqual(pg.fragment_ipv4(packet, 65535), [packet])

        packet = pg.ipv6(V6_OUT, V6_IN, pg.IPPROTO_UDP,
                         pg.udp(5060, 5060, text.encode(), V6_OUT, V6_IN))
        frags = pg.fragment_ipv6(packet, 1280, ident=7)
        self.assertTrue(all(len(f) <= 1280 for f in frags))
        self.assertEqual(sum(len(f) - 48 for f in frags), len(packet) - 40)

    def test_deterministic(self):
        text = invite_for("same@a", V4_OUT)
        self.assertEqual(pg.sip_udp(V4_OUT, V4_IN, 5060, 5060, text, mtu=300),
                         pg.sip_udp(V4_OUT, V4_IN, 5060, 5060, text, mtu=300))


class SipText(unittest.TestCase):
    def test_content_length_and_crlf(self):
        text = invite_for("cl@a", V4_OUT)
        head, body = text.split("\r\n\r\n", 1)
        self.assertEqual(int(pg.header(text, "Content-Length")),
                         len(body.encode()))
        self.assertNotIn("\n", head.replace("\r\n", ""))
        self.assertTrue(body.startswith("v=0\r\n"))
        text = pg.register("alice@example.com", "sip:alice@192.0.2.10", 60)
        self.assertTrue(text.endswith("Content-Length: 0\r\n\r\n"))
        self.assertEqual(pg.header(text, "Expires"), "60")
        self.assertEqual(pg.parse(text)[0],
                         "REGISTER sip:example.com SIP/2.0")

    def test_compact_and_folded_read_back_the_same(self):
        plain = invite_for("forms@a", V4_OUT)
        for form in ({"compact": True}, {"folded": True},
                     {"compact": True, "folded": True}):
            text = invite_for("forms@a", V4_OUT, **form)
            self.assertNotEqual(text, plain)
            for name in ("Via", "From", "To", "Call-ID", "Contact",
                         "Content-Length"):
                want = pg.header(plain, name)
                got = pg.header(text, name)
                self.assertEqual(got.replace(" ;", ";"), want, (form, name))
        self.assertIn("\r\ni: forms@a\r\n",
                      invite_for("forms@a", V4_OUT, compact=True))
        self.assertIn("\r\n\t;tag=", invite_for("forms@a", V4_OUT,
                                                folded=True))

    def test_response_copies_the_request(self):
        inv = invite_for("resp@a", V4_OUT, extra_headers=[
            "Record-Route: <sip:proxy.example.com;lr>"])
        ok = pg.response(inv, 200, "OK", to_tag="t1")
        for name in ("Via", "From", "Call-ID", "CSeq", "Record-Route"):
            self.assertEqual(pg.header(ok, name), pg.header(inv, name))
        self.assertEqual(pg.header(ok, "To"),
                         pg.header(inv, "To") + ";tag=t1")
        self.assertEqual(pg.status_code(ok), 200)
        trying = pg.response(inv, 100, "Trying")
        self.assertIsNone(pg.header(trying, "Record-Route"))
        self.assertEqual(pg.header(trying, "To"), pg.header(inv, "To"))

    def test_ack_bye_cancel(self):
        inv = invite_for("dlg@a", V4_OUT)
        busy = pg.response(inv, 486, "Busy Here", to_tag="t2")
        a = pg.ack(inv, busy)
        self.assertEqual(pg.header(a, "Via"), pg.header(inv, "Via"))
        self.assertEqual(pg.header(a, "CSeq"), "1 ACK")
        self.assertEqual(pg.header(a, "To"), pg.header(busy, "To"))

        ok = pg.response(inv, 200, "OK", to_tag="t3",
                         contact="<sip:bob@198.51.100.5:5070>")
        a = pg.ack(inv, ok)
        self.assertNotEqual(pg.header(a, "Via"), pg.header(inv, "Via"))
        self.assertTrue(a.startswith("ACK sip:bob@198.51.100.5:5070 "))

        b = pg.bye(inv, ok, "z9hG4bKb1")
        self.assertEqual(pg.header(b, "CSeq"), "2 BYE")
        self.assertEqual(pg.header(b, "From"), pg.header(inv, "From"))
        self.assertEqual(pg.header(b, "To"), pg.header(ok, "To"))
        b = pg.bye(inv, ok, "z9hG4bKb2", from_callee=True)
        self.assertEqual(pg.header(b, "From"), pg.header(ok, "To"))
        self.assertEqual(pg.header(b, "To"), pg.header(inv, "From"))
        self.assertIn("198.51.100.5:5060;branch=z9hG4bKb2",
                      pg.header(b, "Via"))
        self.assertTrue(b.startswith(f"BYE sip:alice@{V4_OUT}:5060 "))

        c = pg.cancel(inv)
        self.assertEqual(pg.header(c, "CSeq"), "1 CANCEL")
        self.assertEqual(pg.header(c, "Via"), pg.header(inv, "Via"))

    def test_ipv6_hosts_are_bracketed(self):
        text = invite_for("v6@a", V6_OUT)
        self.assertIn(f"SIP/2.0/UDP [{V6_OUT}]:5060;", text)
        self.assertIn("c=IN IP6 2001:db8::10\r\n", text)


if __name__ == "__main__":
    unittest.main()
