#!/usr/bin/python3
"""Captures for tests/e2e/ids_inline.sh: TCP sessions (both directions,
handshake, data, FIN) and UDP, interleaved, written to OUT.pcap, and the
packets an IPS must let through to OUT-expected.pcap:

  flow 1 (10.0.0.1:40001 -> 10.0.1.1:80) carries "EVILSTUFF" in its 3rd
    data segment: a drop rule matches; that packet and every later packet
    of the flow (both directions) are dropped;
  flow 2 (10.0.0.2:40002 -> 10.0.1.1:80) carries "alertme": an alert rule,
    every packet forwarded;
  flows 3..6 and UDP: nothing matches, forwarded.
usage: mkinline.py OUT
"""
import sys

from scapy.all import IP, TCP, UDP, Ether, Raw, wrpcap

out = sys.argv[1]
CLI = "02:00:00:00:00:01"
SRV = "02:00:00:00:00:02"


def session(n, cport, payloads):
    """Packets of one TCP session, each tagged (flow n, index)."""
    c, s = "10.0.0.%d" % n, "10.0.1.1"
    cs, ss = 1000 * n, 5000 * n
    pk = []

    def tcp(src, dst, sp, dp, flags, seq, ack, data=b""):
        p = (Ether(src=CLI if src == c else SRV, dst=SRV if src == c else CLI) /
             IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags=flags, seq=seq, ack=ack))
        return p / Raw(data) if data else p

    pk.append(tcp(c, s, cport, 80, "S", cs, 0))
    pk.append(tcp(s, c, 80, cport, "SA", ss, cs + 1))
    pk.append(tcp(c, s, cport, 80, "A", cs + 1, ss + 1))
    seq = cs + 1
    for d in payloads:
        pk.append(tcp(c, s, cport, 80, "PA", seq, ss + 1, d))
        seq += len(d)
        pk.append(tcp(s, c, 80, cport, "A", ss + 1, seq))
    pk.append(tcp(c, s, cport, 80, "FA", seq, ss + 1))
    pk.append(tcp(s, c, 80, cport, "FA", ss + 1, seq + 1))
    pk.append(tcp(c, s, cport, 80, "A", seq + 1, ss + 2))
    return pk


flows = {
    1: session(1, 40001, [b"GET / HTTP/1.1\r\n", b"Host: a\r\n", b"X: EVILSTUFF\r\n", b"\r\n"]),
    2: session(2, 40002, [b"GET /alertme HTTP/1.1\r\n", b"\r\n"]),
}
for n in range(3, 7):
    flows[n] = session(n, 40000 + n, [b"GET /page%d HTTP/1.1\r\n" % n, b"\r\n"])
udp = [Ether(src=CLI, dst=SRV) / IP(src="10.0.0.9", dst="10.0.1.9") /
       UDP(sport=5000 + i, dport=53) / Raw(b"q%d" % i) for i in range(8)]

# Interleave: round robin over the flows, UDP in between.
pkts, expect = [], []
idx = {n: 0 for n in flows}
dropped = False
while any(idx[n] < len(flows[n]) for n in flows):
    for n in sorted(flows):
        if idx[n] < len(flows[n]):
            p = flows[n][idx[n]]
            idx[n] += 1
            pkts.append(p)
            if n == 1 and Raw in p and b"EVILSTUFF" in bytes(p[Raw]):
                dropped = True
            if not (n == 1 and dropped):
                expect.append(p)
    if udp:
        u = udp.pop()
        pkts.append(u)
        expect.append(u)
for i, p in enumerate(pkts):
    p.time = 1700000000 + i * 0.001
wrpcap(out + ".pcap", pkts)
wrpcap(out + "-expected.pcap", expect)
print(len(pkts), len(expect))
