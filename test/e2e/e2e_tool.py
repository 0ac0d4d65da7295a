#!/usr/bin/env python3
"""Helpers for the end-to-end tests (standard library only).

  e2e_tool.py echo-serve SECONDS ADDR...   UDP echo on port 7 of each ADDR
  e2e_tool.py probe TRIES ADDR...          send to ADDR:7 until every ADDR
                                           echoes (0.5 s per try); exit 1
                                           if some never did
  e2e_tool.py sipp-stat FILE COLUMN...     last row of a sipp -trace_stat
                                           CSV: the value of each COLUMN
                                           (e.g. SuccessfulCall(C))
  e2e_tool.py json FILE PATH...            the value at each dotted PATH
                                           of the last JSON line of FILE
                                           ("missing" when absent)
  e2e_tool.py flatten FILE                 every leaf of the last JSON line
                                           of FILE as "dotted.path value"
  e2e_tool.py af-xdp                       exit 0 if this kernel opens
                                           AF_XDP sockets

Every loop here is bounded in count and in time.
"""
import json
import select
import socket
import sys
import time

ECHO_PORT = 7
AF_XDP = 44


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def echo_serve(seconds, addrs):
    socks = []
    for a in addrs:
        s = socket.socket(family(a), socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((a, ECHO_PORT))
        socks.append(s)
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return 0
        ready, _, _ = select.select(socks, [], [], min(left, 1.0))
        for s in ready:
            data, peer = s.recvfrom(2048)
            s.sendto(data, peer)


def probe(tries, addrs):
    socks = {a: socket.socket(family(a), socket.SOCK_DGRAM) for a in addrs}
    pending = set(addrs)
    for i in range(tries):
        for a in pending:
            try:
                socks[a].sendto(b"swe2e-probe %d" % i, (a, ECHO_PORT))
            except OSError:
                pass  # no neighbour yet: try again
        end = time.monotonic() + 0.5
        while pending:
            left = end - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([socks[a] for a in pending], [], [],
                                        left)
            for a in list(pending):
                if socks[a] in ready:
                    try:
                        socks[a].recvfrom(2048)
                        pending.discard(a)
                    except OSError:
                        pass  # ICMP error: try again
        if not pending:
            print("probe: %s answered after %d tr%s" %
                  (", ".join(addrs), i + 1, "y" if i == 0 else "ies"))
            return 0
    print("probe: no echo from %s after %d tries" %
          (", ".join(sorted(pending)), tries))
    return 1


def sipp_stat(path, columns):
    try:
        with open(path) as f:
            rows = [line.rstrip("\n").split(";") for line in f if line.strip()]
    except OSError as e:
        print("sipp-stat: %s" % e, file=sys.stderr)
        return 1
    header = next((r for r in rows if "SuccessfulCall(C)" in r), None)
    if header is None or rows[-1] is header:
        print("sipp-stat: %s has no statistics row" % path, file=sys.stderr)
        return 1
    last = rows[-1]
    for c in columns:
        if c not in header:
            print("sipp-stat: no column %s in %s" % (c, path), file=sys.stderr)
            return 1
        print(last[header.index(c)].strip())
    return 0


def last_json(path):
    doc = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                doc = json.loads(line)
    return doc


def flatten(path):
    try:
        doc = last_json(path)
    except (OSError, ValueError) as e:
        print("flatten: %s: %s" % (path, e), file=sys.stderr)
        return 1
    if doc is None:
        print("flatten: no JSON line in %s" % path, file=sys.stderr)
        return 1

    def walk(prefix, v):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(prefix + [k], x)
        else:
            print("%s %s" % (".".join(prefix), v))
    walk([], doc)
    return 0


def json_get(path, keys):
    doc = None
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    doc = json.loads(line)
    except (OSError, ValueError) as e:
        print("json: %s: %s" % (path, e), file=sys.stderr)
        return 1
    if doc is None:
        print("json: no JSON line in %s" % path, file=sys.stderr)
        return 1
    for k in keys:
        v = doc
        for part in k.split("."):
            if isinstance(v, dict) and part in v:
                v = v[part]
            else:
                v = "missing"
                break
        print(json.dumps(v) if isinstance(v, (dict, list)) else v)
    return 0


def af_xdp():
    try:
        socket.socket(AF_XDP, socket.SOCK_RAW, 0).close()
    except OSError as e:
        print("AF_XDP sockets unavailable: %s" % e)
        return 1
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "echo-serve" and len(args) >= 2:
        return echo_serve(float(args[0]), args[1:])
    if cmd == "probe" and len(args) >= 2:
        return probe(int(args[0]), args[1:])
    if cmd == "sipp-stat" and len(args) >= 2:
        return sipp_stat(args[0], args[1:])
    if cmd == "json" and len(args) >= 2:
        return json_get(args[0], args[1:])
    if cmd == "flatten" and len(args) == 1:
        return flatten(args[0])
    if cmd == "af-xdp":
        return af_xdp()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
