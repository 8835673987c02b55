#!/usr/bin/python3
"""ring-ab: bench/ring's ratios before and after a ring change, same hour.

Runs BEFORE/bench/bench-ring and AFTER/bench/bench-ring alternately, PAIRS
times each. bench-ring's ratios are ffwd's time over rte_ring's in the same
run, so each already cancels most of the machine's speed; what it does not
cancel is where this VM placed its two vCPUs, which moves every cross-core
figure (a round trip of about 150 ns close together, 600-900 ns apart). So
the runs are grouped by the placement each one printed (rte_ring's round
trip below or above --far-ns), and before and after are compared within a
group only: the median of each ratio, and after/before.

Usage: scripts/ring-ab.py BEFORE_BUILD [AFTER_BUILD] [--pairs N] [--far-ns NS]
       (AFTER_BUILD defaults to ./build; bench-ring's own arguments after --)
"""
import argparse
import re
import statistics
import subprocess
import sys

KEYS = ("ratio_b1", "ratio_b8", "ratio_b32", "rtt_ratio")


def run(build, extra):
    out = subprocess.run([build + "/bench/bench-ring", *extra], capture_output=True,
                         text=True, timeout=600).stdout
    rtt = re.search(r"rte_ring ([0-9.]+) ns, ffwd ([0-9.]+) ns", out)
    res = re.search(r"result: ring (.*)", out)
    if rtt is None or res is None:
        sys.exit("ring-ab: %s/bench/bench-ring printed no result:\n%s" % (build, out))
    vals = dict(kv.split("=") for kv in res.group(1).split())
    return float(rtt.group(1)), {k: float(vals[k]) for k in KEYS}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("before")
    ap.add_argument("after", nargs="?", default="build")
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--far-ns", type=float, default=400.0)
    argv = sys.argv[1:]
    extra = ["--rounds", "3", "--items", "10000000"]
    if "--" in argv:
        extra = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    a = ap.parse_args(argv)
    runs = {"before": [], "after": []}
    for i in range(a.pairs):
        for which in (("before", "after") if i % 2 == 0 else ("after", "before")):
            rtt, r = run(getattr(a, which), extra)
            runs[which].append((rtt, r))
            print("pair %2d %-6s rte_ring rtt %6.1f ns  %s" %
                  (i + 1, which, rtt, " ".join("%s=%.3f" % (k, r[k]) for k in KEYS)),
                  flush=True)
    print()
    for group, far in (("close", False), ("far", True)):
        b = [r for rtt, r in runs["before"] if (rtt >= a.far_ns) == far]
        f = [r for rtt, r in runs["after"] if (rtt >= a.far_ns) == far]
        if not b or not f:
            print("%s placement: %d before, %d after runs: nothing to compare" %
                  (group, len(b), len(f)))
            continue
        print("%s placement (%d before, %d after runs), medians:" % (group, len(b), len(f)))
        for k in KEYS:
            mb = statistics.median(x[k] for x in b)
            ma = statistics.median(x[k] for x in f)
            print("  %-10s before %.3f  after %.3f  after/before %.3f" % (k, mb, ma, ma / mb))


if __name__ == "__main__":
    main()
