#!/usr/bin/python3
"""Generates a Suricata rule set for bench/ids (the matcher part).

    bench/ids_gen_rules.py N OUT [--corpus DIR] [--seed S]

N rules; each has one or two contents drawn from the TCP/UDP payloads of
the corpus captures (substrings of 5..12 bytes, at least half text, found in at most 3
payloads, written as |hex| where not
printable) or random strings (a quarter of the rules), 10 % a pcre after
the content, 30 % flow:established, a mix of protocols and destination
ports (60 % any), a few nocase/depth/distance modifiers. Deterministic for
a seed. Reads classic pcap files itself (pcapng is skipped), so it needs
nothing outside the standard library.
"""
import argparse
import os
import random
import re
import string
import struct
import sys

PORTS = ["80", "443", "53", "25", "21", "22", "8080", "[80,8080]",
         "1024:", "!80"]


def pcap_payloads(path):
    """Yields L4 payloads of the Ethernet IPv4/IPv6 TCP/UDP packets."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return
    linktype = struct.unpack(e + "I", data[20:24])[0]
    if linktype != 1:
        return
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        pkt = data[off:off + caplen]
        off += caplen
        if len(pkt) < 14:
            continue
        et = struct.unpack(">H", pkt[12:14])[0]
        l3 = 14
        while et in (0x8100, 0x88a8) and len(pkt) >= l3 + 4:
            et = struct.unpack(">H", pkt[l3 + 2:l3 + 4])[0]
            l3 += 4
        if et == 0x0800 and len(pkt) >= l3 + 20:
            ihl = (pkt[l3] & 15) * 4
            proto = pkt[l3 + 9]
            l4 = l3 + ihl
        elif et == 0x86DD and len(pkt) >= l3 + 40:
            proto = pkt[l3 + 6]
            l4 = l3 + 40
        else:
            continue
        if proto == 6 and len(pkt) >= l4 + 20:
            pl = pkt[l4 + (pkt[l4 + 12] >> 4) * 4:]
        elif proto == 17 and len(pkt) >= l4 + 8:
            pl = pkt[l4 + 8:]
        else:
            continue
        if len(pl) >= 8:
            yield pl


def corpus_payloads(corpus):
    out = []
    for root, _, files in os.walk(corpus):
        for fn in sorted(files):
            if fn.endswith((".pcap", ".cap")) or "." not in fn:
                out.extend(pcap_payloads(os.path.join(root, fn)))
    return out


def content_str(b):
    """A content value: printable bytes as text, the rest as |hex|."""
    out, hexrun = [], []
    for c in b:
        ch = chr(c)
        if 0x20 <= c < 0x7f and ch not in '";\\|:':
            if hexrun:
                out.append("|" + " ".join("%02x" % x for x in hexrun) + "|")
                hexrun = []
            out.append(ch)
        else:
            hexrun.append(c)
    if hexrun:
        out.append("|" + " ".join("%02x" % x for x in hexrun) + "|")
    return "".join(out)


def pcre_lit(b):
    return "".join(re.escape(chr(c)) if 0x20 < c < 0x7f and chr(c) not in '";/\\'
                   else "\\x%02x" % c for c in b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--corpus", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
        "corpus"))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    pls = corpus_payloads(a.corpus)
    if not pls:
        sys.exit("ids_gen_rules: no payloads under %s" % a.corpus)
    # Like real signatures, a content is specific: mostly text, not runs
    # of zeros, and found in at most 3 of the corpus payloads (a common
    # substring such as "HTTP/1.1" would make every packet a candidate of
    # every rule, which no rule writer does).
    blob = b"\xff\xfe\xfd".join(pls)

    def pick():
        for _ in range(40):
            p = rnd.choice(pls)
            ln = rnd.randint(5, 12)
            if len(p) < ln:
                continue
            s = rnd.randrange(0, len(p) - ln + 1)
            b = p[s:s + ln]
            # like real rule contents: mostly text, not runs of zeros
            text = sum(1 for c in b if 0x20 <= c < 0x7f)
            if b[0] != 0 and len(set(b)) > 3 and text * 2 >= len(b) and \
                    blob.count(b) <= 3:
                return b
        return bytes(rnd.choice(string.ascii_letters).encode() * 6)

    with open(a.out, "w") as f:
        for i in range(a.n):
            proto = rnd.choices(["tcp", "udp", "ip"], [70, 20, 10])[0]
            dport = "any"
            if proto != "ip" and rnd.random() < 0.4:
                dport = rnd.choice(PORTS)
            opts = ['msg:"bench %d"' % (i + 1)]
            if rnd.random() < 0.3:
                opts.append("flow:established")
            elif rnd.random() < 0.2:
                opts.append("flow:to_server")
            if rnd.random() < 0.25:
                b = "".join(rnd.choice(string.ascii_letters + string.digits)
                            for _ in range(rnd.randint(5, 10))).encode()
            else:
                b = pick()
            opts.append('content:"%s"' % content_str(b))
            r = rnd.random()
            if r < 0.1:
                opts.append("nocase")
            elif r < 0.15:
                opts.append("depth:%d" % (len(b) + rnd.randint(0, 64)))
            if rnd.random() < 0.3:
                b2 = pick()
                opts.append('content:"%s"' % content_str(b2))
                if rnd.random() < 0.5:
                    opts.append("distance:0")
            if rnd.random() < 0.1:
                opts.append('pcre:"/%s[\\x00-\\xff]{0,4}/s"' % pcre_lit(b[:4]))
            opts.append("classtype:misc-activity")
            opts.append("sid:%d" % (1000000 + i))
            opts.append("rev:1")
            f.write("alert %s any any -> any %s (%s;)\n" %
                    (proto, dport, "; ".join(opts)))


if __name__ == "__main__":
    main()
