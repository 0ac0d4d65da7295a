#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""pcapgen: build SIP test traffic and write it as classic pcap files.

A library for test scenarios (import it) and a small CLI (run it).
Standard library only.

Contract:
  - Every builder returns wire bytes (frames, packets, segments) or SIP
    text (str); nothing is random: the same arguments give the same bytes,
    so outputs can be compared byte for byte across runs.
  - Checksums (IPv4 header, UDP, TCP, over IPv4 or IPv6 pseudo headers)
    are always correct; a test that wants a bad one patches the bytes.
  - Frames are padded to Ethernet's 60-byte minimum unless pad=False, as
    a NIC would receive them.
  - pcap files are classic pcap, LINKTYPE_ETHERNET, microsecond
    timestamps, each packet's timestamp chosen by the caller.
  - SIP messages use CRLF line ends and a correct Content-Length.

Layers compose from the inside out:

    seg = udp(5060, 5060, text.encode(), src, dst)
    frame = eth(MAC_A, MAC_B, ipv4(src, dst, IPPROTO_UDP, seg))

or, for the common case, sip_udp(src, dst, sport, dport, text, vlans=[100])
gives the frames (one, or the fragments when mtu is set).
"""

import argparse
import hashlib
import ipaddress
import re
import struct
import sys
import zlib
from typing import NamedTuple

ETH_P_IPV4 = 0x0800
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8
ETH_P_QINQ_OLD = 0x9100

IPPROTO_HOPOPTS = 0
IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_ROUTING = 43
IPPROTO_FRAGMENT = 44
IPPROTO_ESP = 50
IPPROTO_AH = 51
IPPROTO_NONE = 59
IPPROTO_DSTOPTS = 60

TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK, TCP_URG = 1, 2, 4, 8, 16, 32
_TCP_FLAG_LETTERS = {"F": TCP_FIN, "S": TCP_SYN, "R": TCP_RST,
                     "P": TCP_PSH, "A": TCP_ACK, "U": TCP_URG}

MAC_OUTSIDE = "02:00:00:00:00:01"
MAC_INSIDE = "02:00:00:00:00:02"

ETH_MIN_FRAME = 60  # without FCS

LINKTYPE_ETHERNET = 1
_PCAP_MAGIC_US = 0xA1B2C3D4
_PCAP_MAGIC_NS = 0xA1B23C4D


# ---------------------------------------------------------------- Ethernet

class Vlan(NamedTuple):
    """One 802.1Q/802.1ad tag; a plain int in a vlans list means Vlan(vid)."""
    vid: int
    pcp: int = 0
    dei: int = 0
    tpid: int = ETH_P_8021Q

    @property
    def tci(self):
        return self.pcp << 13 | self.dei << 12 | self.vid


def mac(text):
    """'02:00:00:00:00:01' (or bytes, passed through) -> 6 bytes."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) != 6:
            raise ValueError("a MAC address is 6 bytes")
        return bytes(text)
    parts = re.split(r"[:-]", text)
    if len(parts) != 6:
        raise ValueError(f"bad MAC address {text!r}")
    return bytes(int(p, 16) for p in parts)


def eth(src_mac, dst_mac, payload=b"", vlans=(), ethertype=ETH_P_IPV4,
        pad=True):
    """An Ethernet II frame; vlans outer first (ints or Vlan)."""
    tags = b""
    for tag in vlans:
        if not isinstance(tag, Vlan):
            tag = Vlan(tag)
        tags += struct.pack("!HH", tag.tpid, tag.tci)
    frame = mac(dst_mac) + mac(src_mac) + tags + \
        struct.pack("!H", ethertype) + bytes(payload)
    if pad and len(frame) < ETH_MIN_FRAME:
        frame += bytes(ETH_MIN_FRAME - len(frame))
    return frame


# ---------------------------------------------------------------- checksums

def inet_checksum(data):
    """RFC 1071 one's complement sum, as the 16-bit value to store."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _addr(a):
    return a if isinstance(a, (ipaddress.IPv4Address, ipaddress.IPv6Address)) \
        else ipaddress.ip_address(a)


def _pseudo_header(src, dst, proto, length):
    src, dst = _addr(src), _addr(dst)
    if src.version != dst.version:
        raise ValueError("src and dst are of different IP versions")
    if src.version == 4:
        return src.packed + dst.packed + struct.pack("!BBH", 0, proto, length)
    return src.packed + dst.packed + struct.pack("!I3xB", length, proto)


def _l4_checksum(src, dst, proto, segment):
    return inet_checksum(_pseudo_header(src, dst, proto, len(segment)) +
                         segment)


# ---------------------------------------------------------------- IPv4

def ipv4(src, dst, proto, payload, ident=0, ttl=64, options=b"", tos=0,
         df=False, more_fragments=False, frag_offset=0):
    """An IPv4 packet; options are padded to 4 bytes; frag_offset in bytes."""
    if frag_offset % 8:
        raise ValueError("fragment offset must be a multiple of 8")
    options = bytes(options) + bytes(-len(options) % 4)
    hdr_len = 20 + len(options)
    if hdr_len > 60:
        raise ValueError("IPv4 options longer than 40 bytes")
    frag = (df << 14) | (more_fragments << 13) | (frag_offset // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | hdr_len // 4, tos,
                      hdr_len + len(payload), ident, frag, ttl, proto, 0,
                      _addr(src).packed, _addr(dst).packed) + options
    csum = inet_checksum(hdr)
    return hdr[:10] + struct.pack("!H", csum) + hdr[12:] + bytes(payload)


def _ipv4_copied_options(options):
    """The options a non-first fragment carries (copied flag set)."""
    out, i = b"", 0
    while i < len(options):
        kind = options[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        size = options[i + 1]
        if kind & 0x80:
            out += options[i:i + size]
        i += size
    return out


def fragment_ipv4(packet, mtu):
    """Splits an IPv4 packet into fragments of at most mtu bytes each."""
    hdr_len = (packet[0] & 0x0F) * 4
    total, ident, frag, ttl, proto = struct.unpack("!2xHHHBB", packet[:10])
    if total <= mtu:
        return [bytes(packet)]
    if frag & 0x4000:
        raise ValueError("DF is set: the packet may not be fragmented")
    src, dst = packet[12:16], packet[16:20]
    options = packet[20:hdr_len]
    payload = packet[hdr_len:total]
    base = (frag & 0x1FFF) * 8
    last_more = bool(frag & 0x2000)

    frags, pos = [], 0
    while pos < len(payload):
        opts = options if pos == 0 else _ipv4_copied_options(options)
        room = (mtu - 20 - len(opts) - (-len(opts) % 4)) // 8 * 8
        if room <= 0:
            raise ValueError(f"mtu {mtu} too small to fragment")
        chunk = payload[pos:pos + room]
        more = pos + len(chunk) < len(payload) or last_more
        frags.append(ipv4(ipaddress.IPv4Address(src),
                          ipaddress.IPv4Address(dst), proto, chunk,
                          ident=ident, ttl=ttl, options=opts,
                          tos=packet[1], more_fragments=more,
                          frag_offset=base + pos))
        pos += len(chunk)
    return frags


# ---------------------------------------------------------------- IPv6

class ExtHeader(NamedTuple):
    """An IPv6 extension header: its type and the bytes after nh/length."""
    type: int
    body: bytes

    def pack(self, next_header):
        size = 2 + len(self.body)
        if self.type == IPPROTO_AH:
            if size % 8:
                raise ValueError("AH must be a multiple of 8 bytes")
            hdr_ext_len = size // 4 - 2
        else:
            if size % 8:
                raise ValueError("extension header not 8-byte aligned")
            hdr_ext_len = size // 8 - 1
        return bytes([next_header, hdr_ext_len]) + self.body


def _pad_options(options):
    """Pads an options area with Pad1/PadN to a multiple of 8 with nh/len."""
    need = -(2 + len(options)) % 8
    if need == 1:
        return options + b"\0"
    if need:
        return options + bytes([1, need - 2]) + bytes(need - 2)
    return options


def hop_by_hop(options=b""):
    return ExtHeader(IPPROTO_HOPOPTS, _pad_options(bytes(options)))


def dest_opts(options=b""):
    return ExtHeader(IPPROTO_DSTOPTS, _pad_options(bytes(options)))


def routing(routing_type=0, segments_left=0, data=bytes(4)):
    body = bytes([routing_type, segments_left]) + bytes(data)
    return ExtHeader(IPPROTO_ROUTING, body + bytes(-(2 + len(body)) % 8))


def fragment_header(offset, more, ident):
    """offset in bytes (a multiple of 8)."""
    if offset % 8:
        raise ValueError("fragment offset must be a multiple of 8")
    return ExtHeader(IPPROTO_FRAGMENT,
                     struct.pack("!HI", offset | bool(more), ident))


def ah(spi, seq, icv=bytes(12)):
    return ExtHeader(IPPROTO_AH, struct.pack("!2xII", spi, seq) + bytes(icv))


def ipv6(src, dst, nh, payload, ext_headers=(), hop_limit=64,
         traffic_class=0, flow_label=0):
    """An IPv6 packet; nh is the upper-layer protocol after ext_headers."""
    chain = b""
    types = [h.type for h in ext_headers] + [nh]
    for hdr, next_type in zip(ext_headers, types[1:]):
        chain += hdr.pack(next_type)
    payload = chain + bytes(payload)
    first = struct.pack("!I", 6 << 28 | traffic_class << 20 | flow_label)
    return first + struct.pack("!HBB", len(payload), types[0], hop_limit) + \
        _addr(src).packed + _addr(dst).packed + payload


def _ipv6_unfragmentable_end(packet):
    """(end of the unfragmentable part, offset of the nh byte naming the
    first fragmentable header): RFC 8200 4.5."""
    nh_at, off = 6, 40
    end, end_nh_at = off, nh_at
    while packet[nh_at] in (IPPROTO_HOPOPTS, IPPROTO_ROUTING,
                            IPPROTO_DSTOPTS):
        kind = packet[nh_at]
        nh_at, off = off, off + (packet[off + 1] + 1) * 8
        if kind != IPPROTO_DSTOPTS:
            end, end_nh_at = off, nh_at
    return end, end_nh_at


def fragment_ipv6(packet, mtu, ident):
    """Splits an IPv6 packet into fragments (fragment header) <= mtu bytes."""
    if len(packet) <= mtu:
        return [bytes(packet)]
    end, nh_at = _ipv6_unfragmentable_end(packet)
    unfrag = bytearray(packet[:end])
    next_header = unfrag[nh_at]
    unfrag[nh_at] = IPPROTO_FRAGMENT
    rest = packet[end:]
    room = (mtu - len(unfrag) - 8) // 8 * 8
    if room <= 0:
        raise ValueError(f"mtu {mtu} too small to fragment")

    frags = []
    for pos in range(0, len(rest), room):
        chunk = rest[pos:pos + room]
        more = pos + len(chunk) < len(rest)
        body = fragment_header(pos, more, ident).pack(next_header) + chunk
        frag = bytearray(unfrag) + body
        struct.pack_into("!H", frag, 4, len(frag) - 40)
        frags.append(bytes(frag))
    return frags


def ip(src, dst, proto, payload, **kwargs):
    """ipv4() or ipv6(), by the family of src."""
    if _addr(src).version == 4:
        return ipv4(src, dst, proto, payload, **kwargs)
    return ipv6(src, dst, proto, payload, **kwargs)


# ---------------------------------------------------------------- UDP, TCP

def udp(sport, dport, payload, src, dst):
    """A UDP datagram (header + payload) with the checksum for src/dst."""
    payload = bytes(payload)
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    csum = _l4_checksum(src, dst, IPPROTO_UDP, seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", csum) + seg[8:]


def tcp_flags(flags):
    """'PA', 'S', ... or an int -> the flags byte."""
    if isinstance(flags, int):
        return flags
    return sum(_TCP_FLAG_LETTERS[c] for c in flags.upper())


def tcp(sport, dport, payload, src, dst, seq=0, ack=0, flags="PA",
        window=65535, options=b""):
    """A TCP segment with the checksum for src/dst; options padded."""
    options = bytes(options) + bytes(-len(options) % 4)
    hdr_len = 20 + len(options)
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack,
                      (hdr_len // 4) << 4, tcp_flags(flags), window, 0, 0) + \
        options + bytes(payload)
    csum = _l4_checksum(src, dst, IPPROTO_TCP, seg)
    return seg[:16] + struct.pack("!H", csum) + seg[18:]


def _ethertype_of(src):
    return ETH_P_IPV4 if _addr(src).version == 4 else ETH_P_IPV6


def _default_ident(data):
    return zlib.crc32(data) & 0xFFFF


def sip_udp(src, dst, sport, dport, text, vlans=(), mtu=None,
            src_mac=MAC_OUTSIDE, dst_mac=MAC_INSIDE, ident=None,
            ext_headers=()):
    """The frames of one SIP message over UDP: one, or its fragments when
    the IP packet is longer than mtu. ident (IPv4 ID / IPv6 fragment ID)
    defaults to one derived from the message."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    if ident is None:
        ident = _default_ident(data)
    seg = udp(sport, dport, data, src, dst)
    if _addr(src).version == 4:
        packets = [ipv4(src, dst, IPPROTO_UDP, seg, ident=ident)]
        if mtu:
            packets = fragment_ipv4(packets[0], mtu)
    else:
        packets = [ipv6(src, dst, IPPROTO_UDP, seg, ext_headers=ext_headers)]
        if mtu:
            packets = fragment_ipv6(packets[0], mtu, ident)
    return [eth(src_mac, dst_mac, p, vlans=vlans, ethertype=_ethertype_of(src))
            for p in packets]


def sip_tcp(src, dst, sport, dport, text, seq=1, ack=1, flags="PA",
            vlans=(), src_mac=MAC_OUTSIDE, dst_mac=MAC_INSIDE):
    """One frame carrying a SIP message in a single TCP segment."""
    data = text.encode() if isinstance(text, str) else bytes(text)
    seg = tcp(sport, dport, data, src, dst, seq=seq, ack=ack, flags=flags)
    if _addr(src).version == 4:
        packet = ipv4(src, dst, IPPROTO_TCP, seg, ident=_default_ident(data))
    else:
        packet = ipv6(src, dst, IPPROTO_TCP, seg)
    return eth(src_mac, dst_mac, packet, vlans=vlans,
               ethertype=_ethertype_of(src))


# ---------------------------------------------------------------- pcap

class PcapWriter:
    """Classic pcap, microsecond timestamps. Use as a context manager."""

    def __init__(self, path, snaplen=65535, linktype=LINKTYPE_ETHERNET):
        self._f = open(path, "wb")
        self._f.write(struct.pack("<IHHiIII", _PCAP_MAGIC_US, 2, 4, 0, 0,
                                  snaplen, linktype))
        self.snaplen = snaplen

    def write(self, frame, ts):
        """Writes one frame stamped ts (seconds since the epoch, float)."""
        usec = round(ts * 1_000_000)
        data = bytes(frame)
        cap = data[:self.snaplen]
        self._f.write(struct.pack("<IIII", usec // 1_000_000,
                                  usec % 1_000_000, len(cap), len(data)))
        self._f.write(cap)

    def write_all(self, frames, ts, spacing=0.0):
        """Writes frames (say, the fragments of one message) from ts on,
        spacing seconds apart; returns the timestamp after the last."""
        for frame in frames:
            self.write(frame, ts)
            ts += spacing
        return ts

    def close(self):
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_pcap(path):
    """[(ts, frame bytes)] of a classic pcap file (either byte order,
    microsecond or nanosecond timestamps)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError(f"{path}: not a pcap file")
    for endian in "<>":
        (magic,) = struct.unpack(endian + "I", data[:4])
        if magic in (_PCAP_MAGIC_US, _PCAP_MAGIC_NS):
            break
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    scale = 1e6 if magic == _PCAP_MAGIC_US else 1e9
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(endian + "IIII",
                                             data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            raise ValueError(f"{path}: last packet cut short")
        out.append((sec + frac / scale, data[off:off + caplen]))
        off += caplen
    return out


# ---------------------------------------------------------------- SIP

CRLF = "\r\n"

# RFC 3261 7.3.3 and the IANA registry; the ones a scanner must know.
COMPACT_FORMS = {
    "Via": "v", "From": "f", "To": "t", "Call-ID": "i", "Contact": "m",
    "Content-Length": "l", "Content-Type": "c", "Subject": "s",
    "Supported": "k", "Content-Encoding": "e", "Refer-To": "r",
}
_FULL_NAMES = {c: n for n, c in COMPACT_FORMS.items()}
_FULL_NAMES.update({n.lower(): n for n in COMPACT_FORMS})
_FOLDED = ("Via", "From", "To", "Contact")


def canonical_name(name):
    """A header name as written in full, whatever case or compact form."""
    return _FULL_NAMES.get(name.lower(), name)


def _fold(value):
    """Moves the parameters onto a continuation line (LWS before SEMI)."""
    head, sep, params = value.partition(";")
    return head + CRLF + "\t;" + params if sep else value


def _as_pairs(extra_headers):
    pairs = []
    for h in extra_headers:
        if isinstance(h, str):
            name, _, value = h.partition(":")
            h = (name.strip(), value.strip())
        pairs.append(h)
    return pairs


def message(start_line, headers, body="", compact=False, folded=False):
    """A SIP message: start line, headers [(name, value)] in order, then
    Content-Length (computed) and the body. Content-Length in headers is
    replaced."""
    lines = [start_line]
    headers = [(n, v) for n, v in headers
               if canonical_name(n) != "Content-Length"]
    headers.append(("Content-Length", str(len(body.encode()))))
    for name, value in headers:
        name = canonical_name(name)
        if folded and name in _FOLDED:
            value = _fold(value)
        if compact:
            name = COMPACT_FORMS.get(name, name)
        lines.append(f"{name}: {value}")
    text = CRLF.join(lines) + CRLF + CRLF
    return text + body


def tag_for(seed):
    """A deterministic tag (or branch suffix) from any string."""
    return hashlib.sha1(seed.encode()).hexdigest()[:10]


def _host_uri(user, host):
    host = _hostport(host, None)
    return f"sip:{user}@{host}" if user else f"sip:{host}"


def _hostport(host, port):
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"{host}:{port}" if port else host


def sdp_body(addr, port=49170, session_id=1):
    """A minimal audio offer/answer (PCMU, PCMA, telephone-event)."""
    try:
        family = "IP6" if _addr(addr).version == 6 else "IP4"
    except ValueError:
        family = "IP4"
    return CRLF.join([
        "v=0",
        f"o=- {session_id} {session_id} IN {family} {addr}",
        "s=-",
        f"c=IN {family} {addr}",
        "t=0 0",
        f"m=audio {port} RTP/AVP 0 8 101",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=sendrecv",
    ]) + CRLF


def request(method, call_id, from_user, from_host, to_user, to_host,
            via_host, branch, cseq=1, from_tag=None, to_tag=None,
            request_uri=None, contact=None, body="",
            content_type="application/sdp", compact=False, folded=False,
            extra_headers=(), via_port=5060, transport="UDP",
            max_forwards=70, display_name=None):
    """Any out-of-dialog (to_tag None) or in-dialog request. from_tag
    defaults to one derived from the Call-ID; request_uri to the To URI."""
    to_uri = _host_uri(to_user, to_host)
    from_uri = _host_uri(from_user, from_host)
    from_tag = from_tag or tag_for(call_id)
    name = f'"{display_name}" ' if display_name else ""
    headers = [
        ("Via", f"SIP/2.0/{transport} {_hostport(via_host, via_port)}"
                f";branch={branch}"),
        ("Max-Forwards", str(max_forwards)),
        ("From", f"{name}<{from_uri}>;tag={from_tag}"),
        ("To", f"<{to_uri}>" + (f";tag={to_tag}" if to_tag else "")),
        ("Call-ID", call_id),
        ("CSeq", f"{cseq} {method}"),
    ]
    if contact is not None:
        headers.append(("Contact", contact))
    headers += _as_pairs(extra_headers)
    if body:
        headers.append(("Content-Type", content_type))
    return message(f"{method} {request_uri or to_uri} SIP/2.0", headers,
                   body, compact=compact, folded=folded)


def invite(call_id, from_user, from_host, to_user, to_host, via_host, branch,
           cseq=1, sdp=True, compact=False, folded=False, extra_headers=(),
           **kwargs):
    """An initial INVITE; Contact is the caller at via_host. Further
    keyword arguments are request()'s."""
    kwargs.setdefault("contact", f"<sip:{from_user}@"
                      f"{_hostport(via_host, kwargs.get('via_port', 5060))}>")
    body = sdp_body(via_host) if sdp else ""
    return request("INVITE", call_id, from_user, from_host, to_user, to_host,
                   via_host, branch, cseq=cseq, body=body, compact=compact,
                   folded=folded, extra_headers=extra_headers, **kwargs)


def options(call_id, from_user, from_host, to_user, to_host, via_host, branch,
            cseq=1, compact=False, folded=False, extra_headers=(), **kwargs):
    """An OPTIONS ping; to_user None asks the host itself."""
    extra = [("Accept", "application/sdp")] + _as_pairs(extra_headers)
    return request("OPTIONS", call_id, from_user, from_host, to_user, to_host,
                   via_host, branch, cseq=cseq, compact=compact,
                   folded=folded, extra_headers=extra, **kwargs)


def _split_aor(aor):
    user_host = aor.split(":", 1)[1] if aor.startswith("sip:") else aor
    user, _, host = user_host.rpartition("@")
    return user, host


def register(aor, contact, expires, call_id=None, branch=None, via_host=None,
             cseq=1, compact=False, folded=False, extra_headers=(),
             **kwargs):
    """A REGISTER of contact (a SIP URI) for aor ('sip:alice@example.com'
    or 'alice@example.com'); via_host defaults to the contact's host."""
    user, domain = _split_aor(aor)
    via_host = via_host or _uri_host(contact)
    call_id = call_id or f"{tag_for(aor + contact)}@{via_host}"
    branch = branch or f"z9hG4bK{tag_for(call_id + str(cseq))}"
    extra = [("Expires", str(expires))] + _as_pairs(extra_headers)
    return request("REGISTER", call_id, user, domain, user, domain, via_host,
                   branch, cseq=cseq, request_uri=f"sip:{domain}",
                   contact=f"<{contact}>", compact=compact, folded=folded,
                   extra_headers=extra, **kwargs)


# -- reading messages back (for responses, in-dialog requests and tests)

def parse(text):
    """(start line, [(full header name, unfolded value)], body)."""
    head, _, body = text.partition(CRLF + CRLF)
    head = re.sub(r"\r\n[ \t]+", " ", head)
    start, *lines = head.split(CRLF)
    headers = []
    for line in lines:
        name, _, value = line.partition(":")
        headers.append((canonical_name(name.strip()), value.strip()))
    return start, headers, body


def header_values(text, name):
    """Every value of a header, in order (comma-joined ones not split)."""
    name = canonical_name(name)
    return [v for n, v in parse(text)[1] if n.lower() == name.lower()]


def header(text, name):
    """The first value of a header, or None."""
    values = header_values(text, name)
    return values[0] if values else None


def status_code(text):
    """A response's status code, or None for a request."""
    start = parse(text)[0]
    return int(start.split()[1]) if start.startswith("SIP/2.0 ") else None


def uri_of(value):
    """The URI of a name-addr or addr-spec header value."""
    m = re.search(r"<([^>]*)>", value)
    return m.group(1) if m else value.split(";")[0].strip()


def _with_branch(via, branch):
    return re.sub(r";\s*branch=[^;,\s]*", f";branch={branch}", via)


def _strip_port(hostport):
    if hostport.startswith("["):
        return hostport[1:hostport.index("]")]
    return hostport.rsplit(":", 1)[0] if hostport.count(":") == 1 \
        else hostport


def _sent_by_host(via):
    return _strip_port(via.split(None, 1)[1].split(";")[0].strip())


def _uri_host(uri):
    return _strip_port(re.split(r"[;?>]",
                                re.sub(r"^sips?:([^@]*@)?", "", uri))[0])


def response(request_text, status, reason, to_tag=None, sdp=False,
             contact=None, extra_headers=()):
    """The response a UAS sends: Via (all), From, To (plus to_tag),
    Call-ID and CSeq copied from the request, and Record-Route for
    dialog-creating responses."""
    _, req_headers, _ = parse(request_text)
    copied = ("Via", "From", "To", "Call-ID", "CSeq")
    if 100 < status < 300:
        copied += ("Record-Route",)
    headers = []
    for name, value in req_headers:
        if name not in copied:
            continue
        if name == "To" and to_tag and ";tag=" not in value:
            value += f";tag={to_tag}"
        headers.append((name, value))
    if contact is not None:
        headers.append(("Contact", contact))
    headers += _as_pairs(extra_headers)
    body = ""
    if sdp:
        addr = _uri_host(uri_of(contact)) if contact else \
            _uri_host(uri_of(header(request_text, "To")))
        body = sdp_body(addr)
        headers.append(("Content-Type", "application/sdp"))
    return message(f"SIP/2.0 {status} {reason}", headers, body)


def _cseq_number(text):
    return int(header(text, "CSeq").split()[0])


def ack(invite_text, response_text, branch=None):
    """The ACK for an INVITE's final response: in the INVITE's transaction
    for a failure, a new transaction (new branch, to the Contact) for 2xx."""
    ruri = parse(invite_text)[0].split()[1]
    via = header(invite_text, "Via")
    if 200 <= status_code(response_text) < 300:
        branch = branch or f"z9hG4bK{tag_for(via + 'ACK')}"
        via = _with_branch(via, branch)
        contact = header(response_text, "Contact")
        ruri = uri_of(contact) if contact else ruri
    headers = [
        ("Via", via),
        ("Max-Forwards", "70"),
        ("From", header(invite_text, "From")),
        ("To", header(response_text, "To")),
        ("Call-ID", header(invite_text, "Call-ID")),
        ("CSeq", f"{_cseq_number(invite_text)} ACK"),
    ]
    return message(f"ACK {ruri} SIP/2.0", headers)


def bye(invite_text, response_text, branch, from_callee=False, cseq=None,
        via_host=None, via_port=5060):
    """An in-dialog BYE of the dialog an INVITE and its 2xx set up, from
    the caller (default) or the callee."""
    invite_via = header(invite_text, "Via")
    transport = invite_via.split(None, 1)[0]
    if from_callee:
        peer = header(invite_text, "Contact") or header(invite_text, "From")
        own = header(response_text, "Contact") or header(response_text, "To")
        via_host = via_host or _uri_host(uri_of(own))
        from_value, to_value = header(response_text, "To"), \
            header(invite_text, "From")
        cseq = cseq or 1
    else:
        peer = header(response_text, "Contact") or \
            "<" + parse(invite_text)[0].split()[1] + ">"
        via_host = via_host or _sent_by_host(invite_via)
        from_value, to_value = header(invite_text, "From"), \
            header(response_text, "To")
        cseq = cseq or _cseq_number(invite_text) + 1
    headers = [
        ("Via", f"{transport} {_hostport(via_host, via_port)}"
                f";branch={branch}"),
        ("Max-Forwards", "70"),
        ("From", from_value),
        ("To", to_value),
        ("Call-ID", header(invite_text, "Call-ID")),
        ("CSeq", f"{cseq} BYE"),
    ]
    return message(f"BYE {uri_of(peer)} SIP/2.0", headers)


def cancel(invite_text):
    """The CANCEL of a pending INVITE: same Request-URI, top Via, From, To,
    Call-ID and CSeq number."""
    headers = [
        ("Via", header(invite_text, "Via")),
        ("Max-Forwards", "70"),
        ("From", header(invite_text, "From")),
        ("To", header(invite_text, "To")),
        ("Call-ID", header(invite_text, "Call-ID")),
        ("CSeq", f"{_cseq_number(invite_text)} CANCEL"),
    ]
    return message(f"CANCEL {parse(invite_text)[0].split()[1]} SIP/2.0",
                   headers)


# ---------------------------------------------------------------- CLI

def _cli_call(args, out):
    ts = args.start
    for n in range(args.count):
        call_id = f"call-{n}@{args.src}"
        inv = invite(call_id, args.from_user, args.domain, args.to_user,
                     args.dst, args.src, f"z9hG4bK{tag_for(call_id)}")
        to_tag = tag_for(call_id + "uas")
        contact = f"<sip:{args.to_user}@{_hostport(args.dst, 5060)}>"
        ok = response(inv, 200, "OK", to_tag, sdp=True, contact=contact)
        out_msgs = [
            (0.0, inv, False),
            (0.01, response(inv, 100, "Trying"), True),
            (0.5, response(inv, 180, "Ringing", to_tag, contact=contact),
             True),
            (2.0, ok, True),
            (2.01, ack(inv, ok), False),
        ]
        end = args.duration
        by = bye(inv, ok, f"z9hG4bK{tag_for(call_id + 'bye')}")
        out_msgs += [(end, by, False),
                     (end + 0.01, response(by, 200, "OK"), True)]
        for offset, text, reply in out_msgs:
            src, dst = (args.dst, args.src) if reply else (args.src, args.dst)
            macs = (MAC_INSIDE, MAC_OUTSIDE) if reply else \
                (MAC_OUTSIDE, MAC_INSIDE)
            frames = sip_udp(src, dst, 5060, 5060, text, vlans=args.vlan,
                             mtu=args.mtu, src_mac=macs[0], dst_mac=macs[1])
            out.write_all(frames, ts + offset)
        ts += args.interval


def _cli_register(args, out):
    ts = args.start
    for n in range(args.count):
        aor = f"{args.from_user}{n}@{args.domain}"
        text = register(aor, f"sip:{args.from_user}{n}@"
                        f"{_hostport(args.src, 5060)}", args.expires)
        out.write_all(sip_udp(args.src, args.dst, 5060, 5060, text,
                              vlans=args.vlan, mtu=args.mtu), ts)
        ts += args.interval


def _cli_options(args, out):
    ts = args.start
    for n in range(args.count):
        call_id = f"options-{n}@{args.src}"
        text = options(call_id, args.from_user, args.domain, None, args.dst,
                       args.src, f"z9hG4bK{tag_for(call_id)}")
        out.write_all(sip_udp(args.src, args.dst, 5060, 5060, text,
                              vlans=args.vlan, mtu=args.mtu), ts)
        ts += args.interval


def _cli_dump(args):
    for n, (ts, frame) in enumerate(read_pcap(args.pcap), 1):
        print(f"{n}\t{ts:.6f}\t{len(frame)}\t{frame[:64].hex()}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    gens = {"call": _cli_call, "register": _cli_register,
            "options": _cli_options}
    for name, fn in gens.items():
        p = sub.add_parser(name, help=f"write {name} traffic to a pcap file")
        p.add_argument("pcap")
        p.add_argument("--src", default="192.0.2.10")
        p.add_argument("--dst", default="198.51.100.5")
        p.add_argument("--domain", default="example.com")
        p.add_argument("--from-user", default="alice")
        p.add_argument("--to-user", default="+15551230000")
        p.add_argument("--vlan", type=int, action="append", default=[],
                       help="a VLAN id, outer first; repeat for QinQ")
        p.add_argument("--mtu", type=int, help="fragment above this size")
        p.add_argument("--count", type=int, default=1)
        p.add_argument("--start", type=float, default=1_700_000_000.0)
        p.add_argument("--interval", type=float, default=1.0)
        p.add_argument("--duration", type=float, default=30.0,
                       help="call: seconds from INVITE to BYE")
        p.add_argument("--expires", type=int, default=3600)
        p.set_defaults(fn=fn)
    p = sub.add_parser("dump", help="list a pcap file's packets")
    p.add_argument("pcap")
    args = ap.parse_args(argv)
    if args.cmd == "dump":
        _cli_dump(args)
        return 0
    with PcapWriter(args.pcap) as out:
        args.fn(args, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
