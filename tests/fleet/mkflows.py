#!/usr/bin/python3
"""mkflows: a capture of many interleaved flows, for the fleet tests.

  mkflows.py OUT.pcap [--flows N] [--seed S] [--only tcp|frag|oneflow]

Default: N TCP flows over IPv4 and IPv6 (some VLAN-tagged, some QinQ),
each a handshake, data both ways and a FIN exchange, interleaved at random;
UDP flows; IPv4 and IPv6 datagrams cut into fragments; ARP and LLC frames;
a few frames cut short (caplen < len) inside their IP or TCP header.
--only frag writes fragmented datagrams only; --only oneflow one TCP flow
(both directions); --only tcp TCP flows only. Deterministic for a seed.
"""
import argparse
import random

from scapy.all import (ARP, IP, TCP, UDP, Dot1AD, Dot1Q, Ether, IPv6,
                       IPv6ExtHdrFragment, LLC, Raw, fragment, fragment6,
                       wrpcap)


def eth(vlan):
    e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    if vlan == 1:
        return e / Dot1Q(vlan=10)
    if vlan == 2:
        return e / Dot1AD(vlan=20) / Dot1Q(vlan=30)
    return e


def tcp_flow(rng, i, v6):
    if v6:
        a, b = "2001:db8::%x" % (i + 1), "2001:db8:1::%x" % (i + 7)
        L3 = lambda s, d: IPv6(src=s, dst=d)
    else:
        a, b = "10.%d.%d.1" % (i // 250, i % 250), "192.168.%d.%d" % (i % 200, i % 250 + 1)
        L3 = lambda s, d: IP(src=s, dst=d, id=rng.randrange(65536))
    sp, dp = 1024 + rng.randrange(60000), rng.choice([80, 443, 22, 25, 8080])
    vlan = rng.choice([0, 0, 0, 1, 2])
    pk = []
    fwd = lambda flags, data=b"", seq=0: eth(vlan) / L3(a, b) / TCP(sport=sp, dport=dp, flags=flags, seq=seq) / Raw(data)
    rev = lambda flags, data=b"", seq=0: eth(vlan) / L3(b, a) / TCP(sport=dp, dport=sp, flags=flags, seq=seq) / Raw(data)
    pk.append(fwd("S"))
    pk.append(rev("SA"))
    pk.append(fwd("A"))
    for k in range(rng.randrange(2, 8)):
        d = bytes([k & 0xff]) * rng.randrange(1, 200)
        pk.append((fwd if rng.random() < 0.5 else rev)("PA", d, k))
    pk.append(fwd("FA"))
    pk.append(rev("FA"))
    return pk


def udp_flow(rng, i):
    a, b = "172.16.%d.1" % (i % 250), "172.17.%d.2" % (i % 250)
    sp, dp = 5000 + i, 53
    return [eth(0) / IP(src=a, dst=b) / UDP(sport=sp, dport=dp) / Raw(b"q%d" % k) if k % 2 == 0 else
            eth(0) / IP(src=b, dst=a) / UDP(sport=dp, dport=sp) / Raw(b"r%d" % k) for k in range(4)]


def frag4(rng, i):
    p = IP(src="10.200.0.%d" % (i + 1), dst="10.201.0.1", id=1000 + i) / UDP(sport=7000 + i, dport=9) / Raw(bytes(1400))
    return [eth(rng.choice([0, 1])) / f for f in fragment(p, fragsize=400)]


def frag6(rng, i):
    p = IPv6(src="2001:db8:f::%x" % (i + 1), dst="2001:db8:e::1") / IPv6ExtHdrFragment(id=500 + i) / UDP(sport=7100 + i, dport=9) / Raw(bytes(1400))
    return [eth(0) / f for f in fragment6(p, 500)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--flows", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=["tcp", "frag", "oneflow"])
    o = ap.parse_args()
    rng = random.Random(o.seed)
    flows = []
    if o.only == "oneflow":
        flows.append(tcp_flow(rng, 3, False))
    elif o.only == "frag":
        for i in range(o.flows):
            flows.append(frag4(rng, i) if i % 2 == 0 else frag6(rng, i))
    else:
        for i in range(o.flows):
            flows.append(tcp_flow(rng, i, v6=(i % 3 == 2)))
        if o.only is None:
            for i in range(o.flows // 4):
                flows.append(udp_flow(rng, i))
            for i in range(o.flows // 8):
                flows.append(frag4(rng, i) if i % 2 == 0 else frag6(rng, i))
            flows.append([Ether(src="02:00:00:00:00:0%d" % (k % 2 + 3), dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="10.9.9.%d" % k) for k in range(6)])
            flows.append([Ether(src="02:00:00:00:00:05", dst="01:80:c2:00:00:00") / LLC() / Raw(b"stp%d" % k) for k in range(4)])
    # Interleave: repeatedly take the next packet of a random live flow.
    out = []
    live = [list(f) for f in flows]
    while live:
        k = rng.randrange(len(live))
        out.append(live[k].pop(0))
        if not live[k]:
            live.pop(k)
    wrpcap(o.out, out)
    if o.only is None:
        # Frames cut inside their IP header and inside the TCP ports:
        # appended as raw records with caplen < len.
        import struct
        with open(o.out, "ab") as f:
            for p, cut in ((out[0], 20), (out[1], 36), (out[2], 15)):
                raw = bytes(p)
                f.write(struct.pack("<IIII", 0, 0, cut, len(raw)) + raw[:cut])


if __name__ == "__main__":
    main()
