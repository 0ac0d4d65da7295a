#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Replay tests of admission control (dataplane/admission.h): concurrent
call limits and their release, expiry, retransmissions, absorbed ACKs,
CANCEL, emergency calls, registrations, call rates, direction, monitor
mode, TCP, the reply rate limit and a full call table.

Each test builds a capture whose timestamps it chooses (the capture's
clock drives rates and expiry), replays it through
`sipwarden --replay ... --stats json`, and checks the counters and the
output captures byte for byte.

usage: test_admission.py PATH/TO/sipwarden [unittest args]
"""

import os
import socket
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import test_replay as tr  # noqa: E402
from test_replay import (ACME, DROP, FWD, GLOBEX4, REPLY, SBC4,  # noqa: E402
                         STRANGER, Capture, call_frames, pg, run, sip_of)

# run() ignores stderr when sipwarden exits 0: make a sanitized build's
# UBSan findings fail the run instead of scrolling by
os.environ.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")


def config(limits="", actions="", calls=4096, globex=""):
    """acme (198.18.10.0/24) with `limits`, globex (198.18.20.0/24) with
    `globex` (a raw line of tenant keys); flow-mapping bodies as text."""
    lines = ["inside_networks: [198.18.0.0/24]",
             f"calls: {{capacity: {calls}}}",
             "registrations: {capacity: 4096}"]
    if actions:
        lines.append(f"actions: {{{actions}}}")
    lines += ["tenants:",
              "  - name: acme",
              "    prefixes: [198.18.10.0/24]"]
    if limits:
        lines.append(f"    limits: {{{limits}}}")
    lines += ["  - name: globex",
              "    prefixes: [198.18.20.0/24]"]
    if globex:
        lines.append(f"    {globex}")
    return "\n".join(lines) + "\n"


class Timeline(Capture):
    """A Capture whose frames are stamped at times the test sets: `at(t)`
    moves the clock to t seconds after the start, and each frame added
    advances it by `gap` (default 1 ms)."""

    def __init__(self):
        super().__init__()
        self.times = []
        self.now = 0.0

    def at(self, t):
        if t < self.now:
            raise ValueError(f"time goes back: {t} < {self.now}")
        self.now = t
        return self

    def _stamp(self, before, gap):
        """Times for the frames added since there were `before`."""
        for _ in range(before, len(self.items)):
            self.times.append(self.now)
            self.now += gap

    def add(self, frames, fate, gap=0.001):
        before = len(self.items)
        super().add(frames, fate)
        self._stamp(before, gap)

    def add_fragments(self, frames, last_fate, gap=0.001):
        before = len(self.items)
        super().add_fragments(frames, last_fate)
        self._stamp(before, gap)

    def mark(self):
        """The number of frames so far, for upto()."""
        return len(self.items)

    def upto(self, n):
        """A Timeline of the first n frames."""
        t = Timeline()
        t.items, t.times = self.items[:n], self.times[:n]
        t.now = self.times[n - 1] if n else 0.0
        return t

    def write(self, path):
        assert len(self.times) == len(self.items)
        with pg.PcapWriter(path) as w:
            for (frame, _), t in zip(self.items, self.times):
                w.write(frame, self.ts + t)


def udp_frame(src, dst, text):
    inside = src == SBC4
    macs = (pg.MAC_INSIDE, pg.MAC_OUTSIDE) if inside else \
        (pg.MAC_OUTSIDE, pg.MAC_INSIDE)
    frames = pg.sip_udp(src, dst, 5060, 5060, text, src_mac=macs[0],
                        dst_mac=macs[1])
    assert len(frames) == 1
    return frames[0]


class Call:
    """The messages of one dialog, as frames. Inbound: the tenant at
    `peer` calls through the SBC; outbound: the SBC calls the tenant.
    ruri overrides the Request-URI (emergency URNs, tel: URIs)."""

    def __init__(self, call_id, peer=ACME, host="acme.example",
                 caller="alice", callee="bob", outbound=False, ruri=None,
                 tcp=False):
        self.tcp = tcp
        if outbound:
            self.caller_ip, self.callee_ip = SBC4, peer
            from_host, to_host = "sbc.example", host
        else:
            self.caller_ip, self.callee_ip = peer, SBC4
            from_host, to_host = host, "sbc.example"
        extra = {"request_uri": ruri} if ruri else {}
        self.inv = pg.invite(call_id, caller, from_host, callee, to_host,
                             self.caller_ip, "z9hG4bK" + pg.tag_for(call_id),
                             transport="TCP" if tcp else "UDP", **extra)
        self.ok_text = pg.response(
            self.inv, 200, "OK", to_tag="uas" + pg.tag_for(call_id)[:6],
            sdp=True, contact=f"<sip:{callee}@{self.callee_ip}:5060>")
        self.bye_text = {}

    def _frame(self, from_caller, text):
        src, dst = (self.caller_ip, self.callee_ip) if from_caller else \
            (self.callee_ip, self.caller_ip)
        if self.tcp:
            sport, dport = (40000, 5060) if from_caller else (5060, 40000)
            macs = (pg.MAC_INSIDE, pg.MAC_OUTSIDE) if src == SBC4 else \
                (pg.MAC_OUTSIDE, pg.MAC_INSIDE)
            return pg.sip_tcp(src, dst, sport, dport, text, src_mac=macs[0],
                              dst_mac=macs[1])
        return udp_frame(src, dst, text)

    def invite(self):
        return self._frame(True, self.inv)

    def response(self, status, reason, **kw):
        return self._frame(False, pg.response(self.inv, status, reason, **kw))

    def trying(self):
        return self.response(100, "Trying")

    def ok(self):
        return self._frame(False, self.ok_text)

    def ack(self, response_text=None):
        return self._frame(True, pg.ack(self.inv, response_text or
                                        self.ok_text))

    def bye(self, by_callee=False):
        text = pg.bye(self.inv, self.ok_text,
                      "z9hG4bKbye" + pg.tag_for(self.inv + str(by_callee)),
                      from_callee=by_callee)
        self.bye_text[by_callee] = text
        return self._frame(not by_callee, text)

    def bye_ok(self, by_callee=False):
        return self._frame(by_callee,
                           pg.response(self.bye_text[by_callee], 200, "OK"))

    def answered(self):
        """100, 200, ACK."""
        return [self.trying(), self.ok(), self.ack()]

    def hangup(self, by_callee=False):
        """BYE and its 200."""
        return [self.bye(by_callee), self.bye_ok(by_callee)]


def describe(frame):
    try:
        text = sip_of(frame)
        first = text.split("\r\n")[0]
        return f"{first!r} Call-ID {pg.header(text, 'Call-ID')}"
    except (UnicodeDecodeError, IndexError, ValueError):
        return f"{len(frame)} bytes"


class AdmissionCase(unittest.TestCase):
    """Runs a Timeline and checks what every test must hold."""

    def replay(self, config_text, cap):
        with tempfile.TemporaryDirectory() as tmp:
            stats, out, replies = run(config_text, cap, tmp)
        self.check_frames(stats, out, replies, cap)
        return stats, out, replies

    def check_frames(self, stats, out, replies, cap):
        t = stats["totals"]
        self.assertEqual(t["packets"], len(cap.items))
        self.assertEqual(t["packets"], t["forwarded_packets"] +
                         t["dropped_packets"] + t["replies"],
                         "every frame is forwarded, dropped or answered")
        want = cap.expected(FWD)
        for i, (got, exp) in enumerate(zip(out, want)):
            self.assertEqual(got, exp, f"forwarded frame {i}: got "
                             f"{describe(got)}, want {describe(exp)}")
        self.assertEqual(len(out), len(want), "forwarded frames")
        self.assertEqual(t["forwarded_packets"], len(want))
        self.assertEqual(t["dropped_packets"], len(cap.expected(DROP)))
        self.assertEqual(t["replies"], len(cap.expected(REPLY)))
        self.assertEqual(len(replies), t["replies"])
        self.assertEqual(t["tx_errors"], 0)
        self.assertEqual(stats["tables"]["counter_underflows"], 0)

    def assert_refusal(self, reply, request, code, reason, retry_after=None):
        """reply answers the request frame with code and Reason text."""
        text, req = sip_of(reply), sip_of(request)
        self.assertEqual(pg.status_code(text), code, text)
        self.assertEqual(pg.header(text, "Reason"),
                         f'SIP;cause={code};text="{reason}"')
        self.assertEqual(pg.header(text, "Retry-After"),
                         None if retry_after is None else str(retry_after))
        for name in ("Call-ID", "CSeq", "Via", "From"):
            self.assertEqual(pg.header(text, name), pg.header(req, name))
        self.assertIn(";tag=", pg.header(text, "To"))
        self.assertEqual(reply[26:30], request[30:34])  # back to the sender
        self.assertEqual(reply[30:34], request[26:30])
        self.assertEqual(reply[0:6], request[6:12])

    @staticmethod
    def nonzero(verdicts):
        return {k: v for k, v in verdicts.items() if v}


class CallLimit(AdmissionCase):
    def test_concurrent_limit_release_and_reuse(self):
        """Scenario 1: 20 INVITEs against max_calls 10; the 10 admitted
        end (BYE from either side); 10 new ones pass, an 11th does not."""
        c = Timeline()
        # calls 0-4: call_frames (caller hangs up); 5-9: Call, callee
        # hangs up; 10-19: refused. call_frames gives each message's frames
        whole = [call_frames(ACME, "acme.example", call_id=f"c{i}@acme")
                 for i in range(5)]
        calls = [Call(f"c{i}@acme") for i in range(5, 20)]
        firsts = [m[0][0] for m in whole] + [k.invite() for k in calls]
        for i, inv in enumerate(firsts):
            c.add(inv, FWD if i < 10 else REPLY)
        refused = firsts[10:]
        c.at(1.0)
        for messages in whole:                 # 100, 200, ACK
            for frames in messages[1:4]:
                c.add(frames, FWD)
        for k in calls[:5]:
            c.add(k.answered(), FWD)
        c.at(20.0)
        for messages in whole:                 # BYE, 200
            for frames in messages[4:]:
                c.add(frames, FWD)
        for k in calls[:5]:
            c.add(k.hangup(by_callee=True), FWD)
        c.at(21.0)
        new = [Call(f"n{i}@acme") for i in range(11)]
        for i, k in enumerate(new):
            c.add(k.invite(), FWD if i < 10 else REPLY)
        refused.append(new[10].invite())

        stats, _, replies = self.replay(config("max_calls: 10"), c)
        self.assertEqual(len(replies), 11)
        for rep, req in zip(replies, refused):
            self.assert_refusal(rep, req, 503, "call_limit", 5)
        acme = stats["tenants"]["acme"]
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 10 + 10 * 5 + 10, "call_limit": 11})
        self.assertEqual(acme["calls_active"], 10)
        self.assertEqual(acme["calls_inbound"], 10)
        self.assertEqual(acme["calls_outbound"], 0)
        self.assertEqual(stats["tables"]["calls_active"], 10)
        self.assertEqual(stats["tables"]["calls_expired"], 0)

    def test_decisions_keep_arrival_order_within_a_burst(self):
        """The worker decides a burst in passes (dataplane/worker.c): all
        frames scanned first, then decided in order. Here one replay burst
        holds a fragmented INVITE (reassembled into the worker's scratch
        buffer, so decided before the next frame is scanned), a second
        INVITE that its slot refuses, the first call's whole life, and a
        third INVITE that gets the slot back."""
        c = Timeline()
        a, b, k = Call("f1@acme"), Call("f2@acme"), Call("f3@acme")
        big = [("X-Padding", "p" * 900), ("X-More", "q" * 900)]
        inv_big = pg.invite("f1@acme", "alice", "acme.example", "bob",
                            "sbc.example", ACME, "z9hG4bK" +
                            pg.tag_for("f1@acme"), extra_headers=big)
        frags = pg.sip_udp(ACME, SBC4, 5060, 5060, inv_big, mtu=576,
                           src_mac=pg.MAC_OUTSIDE, dst_mac=pg.MAC_INSIDE)
        self.assertGreater(len(frags), 2)
        c.add_fragments(frags, FWD)
        c.add(b.invite(), REPLY)
        c.add(a.answered(), FWD)
        c.add(a.hangup(), FWD)
        c.add(k.invite(), FWD)
        self.assertLess(len(c.items), 32, "one replay burst")

        stats, _, replies = self.replay(config("max_calls: 1"), c)
        self.assertEqual(len(replies), 1)
        self.assert_refusal(replies[0], b.invite(), 503, "call_limit", 5)
        t = stats["totals"]
        self.assertEqual(t["fragments"], len(frags))
        self.assertEqual(t["reassembled"], 1)
        acme = stats["tenants"]["acme"]
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 1 + 3 + 2 + 1, "call_limit": 1})
        self.assertEqual(acme["calls_active"], 1)
        self.assertEqual(stats["tables"]["calls_active"], 1)

    def test_monitor_mode_forwards_but_counts(self):
        """Scenario 11: actions.call_limit forward."""
        c = Timeline()
        calls = [Call(f"m{i}@acme") for i in range(3)]
        for k in calls:
            c.add(k.invite(), FWD)
        # the over-limit call was never tracked: its failure frees nothing
        c.add(calls[2].response(486, "Busy Here", to_tag="b1"), FWD)
        stats, _, _ = self.replay(
            config("max_calls: 1", actions="call_limit: forward"), c)
        acme = stats["tenants"]["acme"]
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 2, "call_limit": 2})
        self.assertEqual(acme["calls_active"], 1)
        self.assertEqual(stats["totals"]["replies"], 0)

    def test_tcp_over_limit_is_dropped(self):
        """Scenario 12: no reply over TCP; the refusal is counted."""
        c = Timeline()
        a, b = Call("t1@acme", tcp=True), Call("t2@acme", tcp=True)
        c.add(a.invite(), FWD)
        c.add(b.invite(), DROP)
        stats, _, _ = self.replay(config("max_calls: 1"), c)
        acme = stats["tenants"]["acme"]
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 1, "call_limit": 1})
        self.assertEqual(acme["calls_active"], 1)
        self.assertEqual(stats["totals"]["tcp_segments"], 2)
        self.assertEqual(stats["totals"]["replies"], 0)

    def test_table_full(self):
        """Scenario 14: calls.capacity 4 and no max_calls."""
        c = Timeline()
        calls = [Call(f"f{i}@acme") for i in range(5)]
        for i, k in enumerate(calls):
            c.add(k.invite(), FWD if i < 4 else REPLY)
        stats, _, replies = self.replay(config(calls=4), c)
        self.assertEqual(stats["tables"]["call_capacity"], 4)
        self.assertEqual(stats["tables"]["calls_active"], 4)
        self.assert_refusal(replies[0], calls[4].invite(), 503,
                            "table_full", 5)
        acme = stats["tenants"]["acme"]
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 4, "table_full": 1})
        self.assertEqual(acme["calls_active"], 4)


class Expiry(AdmissionCase):
    def test_unanswered_calls_expire(self):
        """Scenario 2: unanswered_timeout 30."""
        c = Timeline()
        calls = [Call(f"u{i}@acme") for i in range(10)]
        for k in calls:
            c.add([k.invite(), k.trying()], FWD)
        late = Call("late@acme")
        c.at(10.0)
        c.add(late.invite(), REPLY)
        after = Call("after@acme")
        c.at(45.0)
        c.add(after.invite(), FWD)
        # a final response to an expired call frees nothing twice
        c.add(calls[0].response(408, "Request Timeout", to_tag="x1"), FWD)
        stats, _, replies = self.replay(
            config("max_calls: 10, unanswered_timeout: 30"), c)
        self.assert_refusal(replies[0], late.invite(), 503, "call_limit", 5)
        self.assertEqual(stats["tables"]["calls_expired"], 10)
        self.assertEqual(stats["tables"]["calls_active"], 1)
        acme = stats["tenants"]["acme"]
        self.assertEqual(acme["calls_active"], 1)
        self.assertEqual(acme["verdicts"]["call_limit"], 1)

    def test_lost_bye_expires(self):
        """Scenario 3: answered, no BYE, max_call_duration 60."""
        c = Timeline()
        calls = [Call(f"d{i}@acme") for i in range(2)]
        for k in calls:
            c.add(k.invite(), FWD)
        c.at(1.0)
        for k in calls:
            c.add(k.answered(), FWD)
        early, late = Call("early@acme"), Call("late@acme")
        c.at(30.0)
        c.add(early.invite(), REPLY)
        c.at(70.0)
        c.add(late.invite(), FWD)
        # the BYE finally arrives, after expiry: nothing to give back
        c.add(calls[0].hangup(), FWD)
        stats, _, replies = self.replay(
            config("max_calls: 2, max_call_duration: 60"), c)
        self.assert_refusal(replies[0], early.invite(), 503, "call_limit", 5)
        self.assertEqual(stats["tables"]["calls_expired"], 2)
        self.assertEqual(stats["tenants"]["acme"]["calls_active"], 1)


class Retransmissions(AdmissionCase):
    def test_retransmitted_invites(self):
        """Scenario 4: an admitted INVITE sent 3 times counts once; a
        refused one gets the same reply each time."""
        c = Timeline()
        a, b = Call("r1@acme"), Call("r2@acme")
        for t in (0.0, 0.5, 1.5):
            c.at(t)
            c.add(a.invite(), FWD)
        for t in (2.0, 2.5, 3.5):
            c.at(t)
            c.add(b.invite(), REPLY)
        stats, out, replies = self.replay(config("max_calls: 1"), c)
        self.assertEqual(out, [a.invite()] * 3)
        self.assertEqual(len(replies), 3)
        self.assertEqual(replies[0], replies[1])
        self.assertEqual(replies[0], replies[2])
        self.assert_refusal(replies[0], b.invite(), 503, "call_limit", 5)
        acme = stats["tenants"]["acme"]
        self.assertEqual(acme["calls_active"], 1)
        self.assertEqual(stats["tables"]["calls_active"], 1)
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 3, "call_limit": 3})

    def test_ack_to_our_reply_is_absorbed(self):
        """Scenario 5: the ACK to our 503 (our To tag) is dropped and
        counted under call_limit; an ACK with a tag not ours goes on."""
        a, b = Call("k1@acme"), Call("k2@acme")
        c = Timeline()
        c.add(a.invite(), FWD)
        c.add(b.invite(), REPLY)
        cfg = config("max_calls: 1")
        _, _, replies = self.replay(cfg, c)
        ours = sip_of(replies[0])
        c.add(b.ack(ours), DROP)
        forged = ours.replace(pg.header(ours, "To"),
                              pg.header(b.inv, "To") + ";tag=sw00deadbeef")
        c.add(b.ack(forged), FWD)
        stats, _, replies2 = self.replay(cfg, c)
        self.assertEqual(replies2, replies, "replay is deterministic")
        self.assertEqual(stats["totals"]["absorbed_acks"], 1)
        acme = stats["tenants"]["acme"]
        self.assertEqual(acme["messages"], {"INVITE": 2, "ACK": 2})
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 2, "call_limit": 2})
        self.assertEqual(acme["calls_active"], 1)

    def test_cancel_returns_the_slot(self):
        """Scenario 6: INVITE, 100, CANCEL, 200, 487, ACK."""
        a, b, x = Call("x1@acme"), Call("x2@acme"), Call("x3@acme")
        cancel = pg.cancel(a.inv)
        r487 = pg.response(a.inv, 487, "Request Terminated", to_tag="t487")
        c = Timeline()
        c.add([a.invite(), a.trying(),
               a._frame(True, cancel),
               a._frame(False, pg.response(cancel, 200, "OK")),
               a._frame(False, r487), a.ack(r487)], FWD)
        c.add(b.invite(), FWD)
        c.add(x.invite(), REPLY)
        stats, _, replies = self.replay(config("max_calls: 1"), c)
        self.assert_refusal(replies[0], x.invite(), 503, "call_limit", 5)
        acme = stats["tenants"]["acme"]
        self.assertEqual(acme["calls_active"], 1)
        self.assertEqual(stats["tables"]["calls_active"], 1)
        self.assertEqual(acme["messages"],
                         {"INVITE": 3, "CANCEL": 1, "ACK": 1})
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 7, "call_limit": 1})


class Emergency(AdmissionCase):
    def test_emergency_bypasses_limit_and_suspension(self):
        """Scenario 7."""
        a, b = Call("e-a@acme"), Call("e-b@acme")
        em = [Call("e-112@acme", callee="112"),
              Call("e-sos@acme", ruri="urn:service:sos"),
              Call("e-911@acme", ruri="tel:911")]
        g = Call("e-g@globex", peer=GLOBEX4, host="globex.example")
        ge = Call("e-ge@globex", peer=GLOBEX4, host="globex.example",
                  callee="911")
        c = Timeline()
        c.add(a.invite(), FWD)
        c.add(b.invite(), REPLY)
        for k in em:
            c.add(k.invite(), FWD)
        # a retransmitted emergency INVITE keeps its verdict
        c.add(em[0].invite(), FWD)
        c.add(g.invite(), REPLY)
        c.add(ge.invite(), FWD)
        during = c.mark()
        c.at(1.0)
        for k in em + [ge]:
            c.add(k.answered(), FWD)
        c.at(5.0)
        for i, k in enumerate(em + [ge]):
            c.add(k.hangup(by_callee=i % 2 == 1), FWD)
        cfg = config("max_calls: 1", globex="suspended: true")

        stats, _, replies = self.replay(cfg, c.upto(during))
        self.assert_refusal(replies[0], b.invite(), 503, "call_limit", 5)
        self.assert_refusal(replies[1], g.invite(), 403, "suspended")
        acme, globex = stats["tenants"]["acme"], stats["tenants"]["globex"]
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 1, "call_limit": 1, "emergency": 4})
        self.assertEqual(acme["calls_active"], 1)
        self.assertEqual(acme["emergency_calls_active"], 3)
        self.assertEqual(self.nonzero(globex["verdicts"]),
                         {"suspended": 1, "emergency": 1})
        self.assertEqual(globex["calls_active"], 0)
        self.assertEqual(globex["emergency_calls_active"], 1)
        self.assertEqual(stats["tables"]["calls_active"], 5)

        stats, _, _ = self.replay(cfg, c)
        acme, globex = stats["tenants"]["acme"], stats["tenants"]["globex"]
        self.assertEqual(acme["emergency_calls_active"], 0)
        self.assertEqual(globex["emergency_calls_active"], 0)
        self.assertEqual(acme["calls_active"], 1)
        self.assertEqual(stats["tables"]["calls_active"], 1)
        # in-dialog requests of a suspended tenant's emergency call pass
        self.assertEqual(globex["verdicts"]["suspended"], 1)


def register_frame(aor, expires, cseq=1, extra_headers=()):
    user = aor.split(":")[1].split("@")[0]
    text = pg.register(aor, f"sip:{user}@{ACME}:5060", expires,
                       call_id=f"reg-{user}@{ACME}",
                       branch=f"z9hG4bK{pg.tag_for(aor + str(cseq))}",
                       cseq=cseq, extra_headers=extra_headers)
    return text, udp_frame(ACME, SBC4, text)


def register_reply(reg_text, status=200, reason="OK", expires=600,
                   extra_headers=()):
    """The SBC's response; a 2xx lists the binding when expires > 0."""
    contact = None
    if status < 300 and expires:
        contact = f"<{pg.uri_of(pg.header(reg_text, 'Contact'))}>" \
                  f";expires={expires}"
    text = pg.response(reg_text, status, reason, to_tag="reg" +
                       pg.tag_for(reg_text)[:6], contact=contact,
                       extra_headers=extra_headers)
    return udp_frame(SBC4, ACME, text)


class Registrations(AdmissionCase):
    AOR = [f"sip:user{i}@acme.example" for i in range(4)]

    def test_max_users(self):
        """Scenario 8: users gauge after every step."""
        c = Timeline()
        steps = []  # (frames so far, users, registrations_active)

        def step(frames, fate, users):
            c.add(frames, fate)
            steps.append((c.mark(), users))

        reg1, f1 = register_frame(self.AOR[1], 3600)
        step([f1, register_reply(reg1)], FWD, 1)
        reg2, f2 = register_frame(self.AOR[2], 3600)
        step([f2, register_reply(reg2)], FWD, 2)
        reg3, f3 = register_frame(self.AOR[3], 3600)
        step(f3, REPLY, 2)
        refresh, fr = register_frame(self.AOR[1], 3600, cseq=2)
        step([fr, register_reply(refresh)], FWD, 2)
        unreg, fu = register_frame(self.AOR[2], 0, cseq=2)
        step(fu, FWD, 2)                # the request alone frees nothing
        step(register_reply(unreg, expires=0), FWD, 1)
        again, fa = register_frame(self.AOR[3], 3600, cseq=2)
        step(fa, FWD, 2)
        step(register_reply(again), FWD, 2)
        cfg = config("max_users: 2")
        for n, users in steps[:-1]:
            stats, _, _ = self.replay(cfg, c.upto(n))
            self.assertEqual(stats["tenants"]["acme"]["users"], users,
                             f"after {n} frames")
            self.assertEqual(stats["tables"]["registrations_active"], users,
                             f"after {n} frames")
        stats, _, replies = self.replay(cfg, c)
        self.assert_refusal(replies[0], f3, 403, "user_limit")
        acme = stats["tenants"]["acme"]
        self.assertEqual(acme["users"], 2)
        self.assertEqual(stats["tables"]["registrations_active"], 2)
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 10, "user_limit": 1})

    def test_challenge_then_credentials_counts_once(self):
        """Scenario 8: a 401 to a new AOR, the retry with credentials
        passes and counts once; an AOR challenged and abandoned holds its
        slot 32 s."""
        challenge = ['WWW-Authenticate: Digest realm="acme.example", '
                     'nonce="n1"']
        c = Timeline()
        reg, f = register_frame(self.AOR[0], 3600)
        c.add([f, register_reply(reg, 401, "Unauthorized",
                                 extra_headers=challenge)], FWD)
        challenged = c.mark()
        c.at(1.0)
        retry, fr = register_frame(self.AOR[0], 3600, cseq=2, extra_headers=[
            'Authorization: Digest username="user0", '
            'realm="acme.example", nonce="n1", uri="sip:acme.example", '
            'response="00000000000000000000000000000000"'])
        c.add([fr, register_reply(retry)], FWD)
        c.at(2.0)
        reg1, f1 = register_frame(self.AOR[1], 3600)
        c.add([f1, register_reply(reg1, 401, "Unauthorized",
                                  extra_headers=challenge)], FWD)
        c.at(3.0)
        _, f2 = register_frame(self.AOR[2], 3600)
        c.add(f2, REPLY)
        c.at(40.0)
        reg2, f2b = register_frame(self.AOR[2], 3600, cseq=2)
        c.add([f2b, register_reply(reg2)], FWD)
        cfg = config("max_users: 2")

        stats, _, _ = self.replay(cfg, c.upto(challenged))
        self.assertEqual(stats["tenants"]["acme"]["users"], 1)
        self.assertEqual(stats["tables"]["registrations_active"], 1)

        stats, _, replies = self.replay(cfg, c)
        self.assert_refusal(replies[0], f2, 403, "user_limit")
        acme = stats["tenants"]["acme"]
        self.assertEqual(acme["users"], 2)
        self.assertEqual(stats["tables"]["registrations_active"], 2)
        self.assertEqual(stats["tables"]["registrations_expired"], 1)
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 8, "user_limit": 1})


    def test_sbc_refusal_frees_a_new_aor(self):
        """A final failure (not 401/407) to a new AOR's REGISTER gives its
        slot back at once."""
        c = Timeline()
        reg, f = register_frame(self.AOR[0], 3600)
        c.add([f, register_reply(reg, 403, "Forbidden")], FWD)
        reg1, f1 = register_frame(self.AOR[1], 3600)
        c.add([f1, register_reply(reg1)], FWD)
        stats, _, _ = self.replay(config("max_users: 1"), c)
        self.assertEqual(stats["tenants"]["acme"]["users"], 1)
        self.assertEqual(stats["tables"]["registrations_active"], 1)
        self.assertEqual(stats["tables"]["registrations_expired"], 0)


class Rates(AdmissionCase):
    def test_cps(self):
        """Scenario 9: cps 2, burst 2."""
        c = Timeline()
        first = [Call(f"p{i}@acme") for i in range(10)]
        for i, k in enumerate(first):
            c.add(k.invite(), FWD if i < 2 else REPLY, gap=0.01)
        c.at(1.1)
        later = [Call(f"q{i}@acme") for i in range(3)]
        for i, k in enumerate(later):
            c.add(k.invite(), FWD if i < 2 else REPLY)
        stats, _, replies = self.replay(config("cps: 2, burst: 2"), c)
        refused = [k.invite() for k in first[2:]] + [later[2].invite()]
        self.assertEqual(len(replies), 9)
        for rep, req in zip(replies, refused):
            self.assert_refusal(rep, req, 503, "cps_limit", 1)
        acme = stats["tenants"]["acme"]
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 4, "cps_limit": 9})
        self.assertEqual(acme["calls_active"], 4)

    def test_caller_cps(self):
        """Scenario 9: caller_cps 1: one caller's second INVITE in the
        same second is refused while another caller passes."""
        c = Timeline()
        a1, a2 = Call("a1@acme", caller="alice"), Call("a2@acme",
                                                       caller="alice")
        b1 = Call("b1@acme", caller="bob")
        a3 = Call("a3@acme", caller="alice")
        c.add(a1.invite(), FWD)
        c.at(0.1)
        c.add(a2.invite(), REPLY)
        c.at(0.2)
        c.add(b1.invite(), FWD)
        c.at(1.2)
        c.add(a3.invite(), FWD)
        stats, _, replies = self.replay(config("caller_cps: 1"), c)
        self.assert_refusal(replies[0], a2.invite(), 503, "cps_limit", 1)
        self.assertEqual(
            self.nonzero(stats["tenants"]["acme"]["verdicts"]),
            {"forwarded": 3, "cps_limit": 1})

    def test_reply_rate_limit(self):
        """Scenario 13: reply_rate 5, reply_burst 5; 20 INVITEs from an
        unknown source at one instant."""
        c = Timeline()
        for i in range(20):
            k = Call(f"s{i}@x", peer=STRANGER, host="evil.example")
            c.add(k.invite(), REPLY if i < 5 else DROP, gap=0)
        stats, _, replies = self.replay(
            config(actions="reply_rate: 5, reply_burst: 5"), c)
        t = stats["totals"]
        self.assertEqual(t["replies"], 5)
        self.assertEqual(t["replies_suppressed"], 15)
        self.assertEqual(t["verdicts"]["unknown_source"], 20)
        for rep in replies:
            self.assertEqual(pg.status_code(sip_of(rep)), 403)


class Direction(AdmissionCase):
    def test_outbound_calls(self):
        """Scenario 10: the SBC calling the tenant counts as outbound;
        max_outbound 1 refuses the second, answered towards the SBC."""
        o1 = Call("o1@sbc", outbound=True)
        o2 = Call("o2@sbc", outbound=True)
        i1, i2 = Call("i1@acme"), Call("i2@acme")
        c = Timeline()
        c.add([o1.invite(), o1.trying()], FWD)
        c.add(o2.invite(), REPLY)
        c.add([i1.invite(), i2.invite()], FWD)
        stats, _, replies = self.replay(config("max_outbound: 1"), c)
        self.assertEqual(len(replies), 1)
        self.assert_refusal(replies[0], o2.invite(), 503, "call_limit", 5)
        self.assertEqual(replies[0][30:34], socket.inet_aton(SBC4))
        self.assertEqual(replies[0][0:6], pg.mac(pg.MAC_INSIDE))
        acme = stats["tenants"]["acme"]
        self.assertEqual(acme["calls_outbound"], 1)
        self.assertEqual(acme["calls_inbound"], 2)
        self.assertEqual(acme["calls_active"], 3)
        self.assertEqual(self.nonzero(acme["verdicts"]),
                         {"forwarded": 4, "call_limit": 1})
        self.assertEqual(stats["totals"]["outbound_unknown_tenant"], 0)


if __name__ == "__main__":
    tr.SIPWARDEN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
