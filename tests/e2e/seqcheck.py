#!/usr/bin/python3
"""seqcheck.py PCAP PERIOD DROP_MOD [SKIPS]: the frames of PCAP carry a
sequence number (big-endian u32 at byte 42) that runs 0..PERIOD-1 and
starts again (a looped capture); the firewall under test drops those with
seq % DROP_MOD == 0. Checks that what came out is every other one, in
order, with no repeat, from the first one on, and with gaps (forward
jumps shorter than PERIOD) adding up to at most SKIPS frames (default 0:
none), for drops counted elsewhere (a paced output's `stopped`): prints
"ok N skipped K" or what went wrong, and exits 1 on a fault."""
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        if magic not in (0xA1B2C3D4, 0xA1B23C4D):
            sys.exit("seqcheck: %s: not a little-endian pcap" % path)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            caplen = struct.unpack("<IIII", rec)[2]
            yield f.read(caplen)


def main():
    path, period, mod = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    budget = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    want = 0
    n = skipped = 0
    for fr in frames(path):
        if len(fr) < 46:
            print("frame %d is %d bytes, too short for a sequence number" % (n, len(fr)))
            sys.exit(1)
        while want % mod == 0:
            want = (want + 1) % period
        seq = struct.unpack("!I", fr[42:46])[0]
        # A forward jump over frames the firewall passes: skipped ones.
        gap = 0
        probe = want
        while seq != probe and seq % mod != 0 and seq < period and gap < period:
            probe = (probe + 1) % period
            if probe % mod != 0:
                gap += 1
        if seq != want and seq == probe and skipped + gap <= budget:
            skipped += gap
            want = seq
        if seq != want:
            print("frame %d has sequence %d, expected %d (a loss, a repeat or a reordering)"
                  % (n, seq, want))
            sys.exit(1)
        want = (want + 1) % period
        n += 1
    print("ok %d skipped %d" % (n, skipped))


if __name__ == "__main__":
    main()
