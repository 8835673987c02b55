#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""caplen.py: captured lengths of a pcap or pcapng file, read the way
libpcap does (caplen as recorded, up to 256 KiB, not cut at 65535 as some
Python readers do), for the oversize test.

  caplen.py max FILE              the longest caplen, "0" if none
  caplen.py count FILE LIMIT      packets with caplen > LIMIT
  caplen.py keep FILE LIMIT OUT   write OUT (classic pcap, same link type)
                                  with the packets of caplen <= LIMIT, in
                                  order: what a port of that limit sends

Exit status 2 on a file it cannot parse.
"""
import struct
import sys


MAX_SNAPLEN = 262144  # libpcap's MAXIMUM_SNAPLEN


def snaplen(v):
    """The snapshot length libpcap uses for a header's value."""
    return MAX_SNAPLEN if v == 0 or v > MAX_SNAPLEN else v


def records(path):
    """Yield (linktype, data) for each packet of a pcap or pcapng file."""
    with open(path, "rb") as f:
        blob = f.read()
    magic = blob[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1",
                 b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = "<" if magic[0] in (0xd4, 0x4d) else ">"
        snap = snaplen(struct.unpack(end + "I", blob[16:20])[0])
        linktype = struct.unpack(end + "I", blob[20:24])[0] & 0x0FFFFFFF
        off = 24
        while off + 16 <= len(blob):
            caplen = struct.unpack(end + "I", blob[off + 8:off + 12])[0]
            data = blob[off + 16:off + 16 + caplen]
            if len(data) < caplen or caplen > MAX_SNAPLEN:
                break
            # libpcap reads a record longer than the snapshot length
            # whole but hands out only snaplen bytes of it.
            yield linktype, data[:snap]
            off += 16 + caplen
        return
    if magic == b"\x0a\x0d\x0d\x0a":
        end, off, links = "<", 0, []
        while off + 12 <= len(blob):
            btype = struct.unpack(end + "I", blob[off:off + 4])[0]
            if btype == 0x0A0D0D0A:
                bom = blob[off + 8:off + 12]
                end = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
                links = []
            blen = struct.unpack(end + "I", blob[off + 4:off + 8])[0]
            if blen < 12 or off + blen > len(blob):
                break
            body = blob[off + 8:off + blen - 4]
            if btype == 1:  # IDB
                link, _, snap = struct.unpack(end + "HHI", body[:8])
                links.append((link, snaplen(snap)))
            elif btype == 6:  # EPB
                ifid, _, _, caplen, _ = struct.unpack(end + "IIIII", body[:20])
                if ifid < len(links):
                    link, snap = links[ifid]
                    yield link, body[20:20 + caplen][:snap]
            elif btype == 3 and links:  # SPB
                wire = struct.unpack(end + "I", body[:4])[0]
                link, snap = links[0]
                yield link, body[4:4 + min(wire, len(body) - 4)][:snap]
            off += blen
        return
    raise ValueError("not a pcap or pcapng file")


def main(argv):
    try:
        cmd, path = argv[1], argv[2]
        recs = list(records(path))
    except (IndexError, OSError, ValueError, struct.error) as e:
        print("caplen.py: %s" % e, file=sys.stderr)
        return 2
    if cmd == "max":
        print(max((len(d) for _, d in recs), default=0))
    elif cmd == "count":
        print(sum(1 for _, d in recs if len(d) > int(argv[3])))
    elif cmd == "keep":
        limit, out = int(argv[3]), argv[4]
        link = recs[0][0] if recs else 1
        with open(out, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0,
                                262144, link))
            for _, d in recs:
                if len(d) <= limit:
                    f.write(struct.pack("<IIII", 0, 0, len(d), len(d)))
                    f.write(d)
    else:
        print("caplen.py: unknown command %s" % cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
