#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the bundled sample capture (config/sample.pcap) that `make demo`
replays against config/sipwarden.yaml: a few minutes of ordinary traffic
from the three sample tenants, IPv4 and IPv6, a VLAN-tagged tenant, a
fragmented INVITE, a stranger refused with 403, and some garbage.

usage: make_sample.py OUT.pcap
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapgen as pg  # noqa: E402

SBC4, SBC6 = "198.18.0.10", "2001:db8:ffff::10"


def call(w, ts, caller, host, call_id, vlans=(), mtu=None, extra=()):
    sbc = SBC6 if ":" in caller else SBC4
    inv = pg.invite(call_id, "alice", host, "bob", "sbc.example", caller,
                    "z9hG4bK" + pg.tag_for(call_id), extra_headers=extra)
    ok = pg.response(inv, 200, "OK", to_tag=pg.tag_for("to" + call_id),
                     sdp=True, contact=f"<sip:bob@{pg._hostport(sbc, 5060)}>")
    msgs = [(caller, inv), (sbc, pg.response(inv, 100, "Trying")),
            (sbc, pg.response(inv, 180, "Ringing",
                              to_tag=pg.tag_for("to" + call_id))),
            (sbc, ok), (caller, pg.ack(inv, ok))]
    bye = pg.bye(inv, ok, "z9hG4bKb" + pg.tag_for(call_id))
    msgs += [(caller, bye), (sbc, pg.response(bye, 200, "OK"))]
    for src, text in msgs:
        dst = sbc if src == caller else caller
        macs = ((pg.MAC_OUTSIDE, pg.MAC_INSIDE) if src == caller else
                (pg.MAC_INSIDE, pg.MAC_OUTSIDE))
        frames = pg.sip_udp(src, dst, 5060, 5060, text, vlans=vlans,
                            mtu=mtu if text is inv else None,
                            src_mac=macs[0], dst_mac=macs[1])
        ts = w.write_all(frames, ts, 0.0001) + 0.2
    return ts


def main(out):
    with pg.PcapWriter(out) as w:
        ts = 1_764_000_000.0
        for i in range(3):
            ts = call(w, ts, "198.18.10.21", "acme.example", f"acme-{i}@pbx",
                      vlans=[100])
        ts = call(w, ts, "2001:db8:20::5", "globex.example", "globex-v6@pbx")
        ts = call(w, ts, "198.18.20.5", "globex.example", "globex-big@pbx",
                  mtu=576, extra=[("Call-Info", "<http://x/" + "p" * 1200
                                   + ">")])
        reg = pg.register("sip:ivan@initech.example",
                          "sip:ivan@198.19.50.7:5060", 3600)
        w.write_all(pg.sip_udp("198.19.50.7", SBC4, 5060, 5060, reg), ts)
        ts += 0.1
        w.write_all(pg.sip_udp(SBC4, "198.19.50.7", 5060, 5060,
                               pg.response(reg, 200, "OK"),
                               src_mac=pg.MAC_INSIDE,
                               dst_mac=pg.MAC_OUTSIDE), ts)
        ts += 0.5
        scan = pg.options("scan-1", "100", "198.19.99.9", "100",
                          "198.18.0.10", "198.19.99.9", "z9hG4bKscan",
                          extra_headers=[("User-Agent", "friendly-scanner")])
        inv = pg.invite("evil-1@x", "1000", "198.19.99.9", "0044900123456",
                        "198.18.0.10", "198.19.99.9", "z9hG4bKevil")
        for text in (scan, inv, inv):
            w.write_all(pg.sip_udp("198.19.99.9", SBC4, 5060, 5060, text), ts)
            ts += 0.5
        # acme (max_calls 2) places three calls at once: the third gets
        # 503; then one caller dials 112, admitted whatever the limit
        for i in range(3):
            inv = pg.invite(f"acme-burst-{i}@pbx", f"20{i}", "acme.example",
                            "0123456789", "sbc.example", "198.18.10.21",
                            f"z9hG4bKburst{i}")
            w.write_all(pg.sip_udp("198.18.10.21", SBC4, 5060, 5060, inv), ts)
            ts += 0.01
        sos = pg.invite("acme-sos@pbx", "201", "acme.example", "112",
                        "sbc.example", "198.18.10.21", "z9hG4bKsos")
        w.write_all(pg.sip_udp("198.18.10.21", SBC4, 5060, 5060, sos), ts)
        ts += 0.5
        w.write_all(pg.sip_udp("198.18.10.21", SBC4, 5060, 5060,
                               "\x16\x03\x01garbage\r\n\r\n"), ts)
        w.write_all(pg.sip_udp("198.18.10.21", SBC4, 5060, 5060, "\r\n\r\n"),
                    ts + 1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
