#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""TCP reassembly end to end: one HTTP-like request, sent whole and cut into
two or three segments, in order and out of order, with retransmissions and
overlaps, through ffwd's offline IDS; every variant must give the same
alerts. A request with a segment missing (the server acks past it) gives
what Suricata gives: the rules whose bytes were all seen alert, the rule
whose pattern lies across the hole does not. Without a handshake, a cut
pattern is only found with stream.midstream (packets are inspected one by
one otherwise). The captures are made here with scapy; every eve.json is
checked against the EVE schema and read back by jq.

    ids_stream.py DRIVER
Prints PASS/FAIL per case, then "N passed, M failed".
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import eve_check  # noqa: E402

from scapy.all import IP, TCP, Ether, wrpcap  # noqa: E402

REQ = (b"GET /index.html HTTP/1.1\r\n"
       b"Host: example.com\r\n"
       b"User-Agent: ffwd-test-agent/1.0\r\n"
       b"Accept: */*\r\n\r\n")
RULES = """\
alert tcp any any -> any 80 (msg:"request line"; flow:established,to_server; content:"GET /index.html"; startswith; sid:1; rev:1;)
alert tcp any any -> any 80 (msg:"host"; content:"Host|3a| example.com|0d 0a|"; sid:2; rev:1;)
alert tcp any any -> any 80 (msg:"agent"; content:"ffwd-test-agent"; nocase; content:"Accept"; distance:0; sid:3; rev:1;)
alert tcp any any -> any 80 (msg:"agent pcre"; pcre:"/User-Agent: ffwd-[a-z]+-agent\\/1\\.0/"; sid:4; rev:1;)
alert tcp any 80 -> any any (msg:"response"; content:"200 OK"; sid:5; rev:1;)
"""
RESP = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"

CLI, SRV = "10.0.0.1", "10.0.0.2"
CP, SP = 40001, 80
CISN, SISN = 1000, 5000


def pkt(src, sport, dst, dport, flags, seq, ack, data=b""):
    return (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
            IP(src=src, dst=dst) /
            TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack,
                window=65535) / data)


def c2s(flags, seq, ack, data=b""):
    return pkt(CLI, CP, SRV, SP, flags, seq, ack, data)


def s2c(flags, seq, ack, data=b""):
    return pkt(SRV, SP, CLI, CP, flags, seq, ack, data)


def cuts(points):
    """REQ cut at byte offsets POINTS: [(offset, bytes)]."""
    edges = [0] + list(points) + [len(REQ)]
    return [(a, REQ[a:b]) for a, b in zip(edges, edges[1:])]


def session(segs, handshake=True, server_acks=True, missing=(), req_len=len(REQ)):
    """A whole session; SEGS are (offset, bytes) in the order sent."""
    c1, s1 = CISN + 1, SISN + 1
    out = []
    if handshake:
        out += [c2s("S", CISN, 0), s2c("SA", SISN, c1), c2s("A", c1, s1)]
    for i, (off, data) in enumerate(segs):
        if i in missing:
            continue
        out.append(c2s("PA", c1 + off, s1, data))
    end = c1 + req_len
    if server_acks:
        out.append(s2c("A", s1, end))
    out.append(s2c("PA", s1, end, RESP))
    out += [c2s("FA", end, s1 + len(RESP)), s2c("FA", s1 + len(RESP), end + 1),
            c2s("A", end + 1, s1 + len(RESP) + 1)]
    for i, p in enumerate(out):
        p.time = 1700000000 + i * 0.001
    return out


# Offsets that cut the patterns: 32 is inside "Host: example.com", 60 inside
# "ffwd-test-agent", 8 inside "GET /index.html".
WHOLE = {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
CASES = [
    # name, packets, extra args, expected {sid: count}
    ("whole", session(cuts([])), [], WHOLE),
    ("two segments", session(cuts([60])), [], WHOLE),
    ("three segments", session(cuts([32, 60])), [], WHOLE),
    ("three segments, request line cut", session(cuts([8, 60])), [], WHOLE),
    ("two segments reversed", session(list(reversed(cuts([60])))), [], WHOLE),
    ("three segments 3,1,2", session([cuts([32, 60])[i] for i in (2, 0, 1)]), [], WHOLE),
    ("three segments 2,3,1", session([cuts([32, 60])[i] for i in (1, 2, 0)]), [], WHOLE),
    ("retransmitted segment", session(cuts([32, 60]) + [cuts([32, 60])[1]]), [], WHOLE),
    ("overlapping resend, same bytes", session(cuts([32, 60]) + [(20, REQ[20:70])]), [], WHOLE),
    # The hole (bytes 28..50) holds most of "Host: example.com" and the
    # "User-" of the agent header: sid 1 (before it), sid 3 (after it,
    # found once the server's ack declares the gap) and sid 5 alert; sid 2
    # and sid 4 needed bytes that were never seen.
    ("gap: middle segment missing", session(cuts([28, 50]), missing=(1,)), [],
     {1: 1, 3: 1, 5: 1}),
    # No handshake: without midstream the packets are inspected one by
    # one, so only patterns whole in one packet are found ...
    ("no handshake, midstream off", session(cuts([32, 60]), handshake=False), [],
     {5: 1}),
    # ... with midstream the session is picked up and reassembled
    # (flow:established holds for a picked-up session, as in Suricata).
    ("no handshake, midstream on", session(cuts([32, 60]), handshake=False),
     ["--set", "stream.midstream=true"], WHOLE),
    # A reassembly depth of 50 bytes: the Host header (bytes 26..45, cut
    # at 40) is reassembled; past the depth packets are inspected alone, so
    # the agent (57..72, cut at 60) is missed; the response still alerts.
    ("depth 50", session(cuts([40, 60])), ["--set", "stream.reassembly.depth=50"],
     {1: 1, 2: 1, 5: 1}),
    # The same with depth 44: the Host header is no longer whole.
    ("depth 44", session(cuts([40, 60])), ["--set", "stream.reassembly.depth=44"],
     {1: 1, 5: 1}),
    # A pattern repeated in the next segment alerts again (new bytes), an
    # old one in the lookback does not.
    # The request twice (pipelined), one a segment: the second copy's
    # bytes are new and alert again; sid 1 is anchored (startswith) at the
    # start of the inspected view, which for the second segment is the
    # lookback, so it alerts once.
    ("same request twice, pipelined", session([(0, REQ), (len(REQ), REQ)],
                                              req_len=2 * len(REQ)), [],
     {1: 1, 2: 2, 3: 2, 4: 2, 5: 1}),
]


def run(driver, validator, tmp, name, pkts, args, want):
    d = os.path.join(tmp, name.replace(" ", "_").replace(",", ""))
    os.makedirs(d)
    cap = os.path.join(d, "in.pcap")
    wrpcap(cap, pkts)
    rules = os.path.join(d, "test.rules")
    with open(rules, "w") as f:
        f.write(RULES)
    r = subprocess.run([driver, "-r", cap, "-S", rules, "-l", d, "-k", "none"] + args,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return False, f"driver exited {r.returncode}: {r.stderr.strip()[-300:]}"
    eve = os.path.join(d, "eve.json")
    n, problems = eve_check.check_file(validator, eve)
    if problems:
        return False, "EVE: " + "; ".join(problems[:3])
    got = {}
    for line in open(eve):
        rec = json.loads(line)
        if rec["event_type"] == "alert":
            sid = rec["alert"]["signature_id"]
            got[sid] = got.get(sid, 0) + 1
    if got != want:
        return False, f"alerts {dict(sorted(got.items()))}, want {want}"
    return True, f"alerts {dict(sorted(got.items()))}, {n} records schema-valid"


def main(argv):
    driver = argv[0]
    root = os.path.dirname(os.path.dirname(HERE))
    validator = eve_check.load_validator(os.path.join(root, "tests", "eve_schema.json"))
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="ffwd-ids-stream-") as tmp:
        for name, pkts, args, want in CASES:
            ok, text = run(driver, validator, tmp, name, pkts, args, want)
            print(f"{'PASS' if ok else 'FAIL'} {name}: {text}", flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
