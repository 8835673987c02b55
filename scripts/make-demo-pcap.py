#!/usr/bin/env python3
"""Writes conf/demo.pcap: a small, varied Ethernet capture for the demo.

IPv4 UDP/TCP/ICMP, IPv6 UDP, an 802.1Q-tagged frame and an ARP, sizes from
60 to 1514 bytes, so the demo shows more than one kind of packet crossing
the pipeline. Deterministic: running it again gives the same bytes.
"""
import struct
import sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    return bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", "")) + \
        struct.pack("!H", etype) + payload


def ipv4(src, dst, proto, payload, ident):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, 64, proto, 0,
                      bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def tcp(sport, dport, seq, flags, data):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + data


def icmp_echo(ident, seq, data):
    body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return body[:2] + struct.pack("!H", csum(body)) + body[4:]


def pad(frame):
    return frame + b"\0" * max(0, 60 - len(frame))


def main(out):
    a, b = "02:00:00:00:00:01", "02:00:00:00:00:02"
    frames = []
    for i in range(48):
        size = [18, 64, 200, 512, 1000, 1472][i % 6]
        data = bytes((i + k) & 0xFF for k in range(size))
        kind = i % 4
        if kind == 0:
            l3 = ipv4("10.0.0.1", "10.0.1.%d" % (i + 1), 17, udp(1024 + i, 53, data), i)
        elif kind == 1:
            l3 = ipv4("10.0.1.%d" % (i + 1), "10.0.0.1", 6, tcp(80, 40000 + i, i * 1000, 0x18, data[:1460]), i)
        elif kind == 2:
            l3 = ipv4("192.0.2.7", "198.51.100.9", 1, icmp_echo(7, i, data[:1472]), i)
        else:
            src6 = bytes.fromhex("20010db8000000000000000000000001")
            dst6 = bytes.fromhex("20010db80000000000000000000000%02x" % (i + 2))
            u = udp(5000 + i, 6000, data[:1440])
            l3 = struct.pack("!IHBB16s16s", 6 << 28, len(u), 17, 64, src6, dst6) + u
            frames.append(pad(eth(b, a, 0x86DD, l3)))
            continue
        frames.append(pad(eth(a, b, 0x0800, l3) if i % 2 == 0 else eth(b, a, 0x0800, l3)))
    # an 802.1Q-tagged UDP packet and an ARP request
    tagged = struct.pack("!HH", 100, 0x0800) + ipv4("10.9.0.1", "10.9.0.2", 17, udp(7, 7, b"vlan"), 99)
    frames.append(pad(eth(a, b, 0x8100, tagged)))
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, bytes.fromhex("020000000001"),
                      bytes([10, 0, 0, 1]), b"\0" * 6, bytes([10, 0, 0, 2]))
    frames.append(pad(eth("ff:ff:ff:ff:ff:ff", a, 0x0806, arp)))

    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 1700000000
        for n, fr in enumerate(frames):
            f.write(struct.pack("<IIII", t + n // 10, (n % 10) * 100000, len(fr), len(fr)))
            f.write(fr)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "conf/demo.pcap")
