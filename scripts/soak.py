#!/usr/bin/python3
"""soak: ffwd at line rate for a long time, watched every minute.

`ffwd replay` sends an IMIX capture (64/594/1518-byte frames, 7:4:1, many
TCP and UDP flows) at 1,488,095 pps over net_memif into a second ffwd, an
inline bump whose path runs a firewall, then the IDS (IPS mode) as a fleet
of two replicas, before a net_null output (--no-ids: the firewall alone;
--ids RULES: those rules instead of the soak's own). Every sample
interval (a minute by default) it records, from the bump's telemetry and /proc: mbufs in use, RSS, per-port
and per-stage counters, the arrival rate at the bump and its error against
the asked rate, and hiccups, into a CSV; at the end a PNG plot.

It passes when, after the warm-up sample, neither mbufs in use nor RSS
grow (growth over the run under 2 % of the pool and under 4 MiB), and at
the end every packet is accounted for: what the replay handed to memif is
what the bump received, and the bump's paths add up with the pool full.

usage: scripts/soak.sh [--minutes M] [--sample S] [--out DIR] [--build DIR]
                       [--ids RULES | --no-ids]
"""
import argparse
import csv
import json
import os
import random
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PPS = 1488095


def imix_pcap(path, n=1200, seed=7):
    """Deterministic IMIX: 7 x 64, 4 x 594, 1 x 1518 (sizes with FCS)."""
    rnd = random.Random(seed)
    sizes = [60] * 7 + [590] * 4 + [1514]
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            size = sizes[i % len(sizes)]
            flow = rnd.randrange(256)
            tcp = flow % 3 != 0
            eth = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
            l4len = 20 if tcp else 8
            plen = max(0, size - 14 - 20 - l4len)
            body = (b"GET /index.html HTTP/1.1\r\nHost: soak\r\n\r\n" * 40)[:plen]
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + l4len + plen, i & 0xFFFF,
                             0, 64, 6 if tcp else 17, 0, bytes([10, 0, 0, 1 + flow % 7]),
                             bytes([10, 0, 1, flow]))
            if tcp:
                l4 = struct.pack("!HHIIBBHHH", 40000 + flow, 80, i, 0, 0x50, 0x18, 65535, 0, 0)
            else:
                l4 = struct.pack("!HHHH", 40000 + flow, 53, 8 + plen, 0)
            frame = eth + ip + l4 + body
            f.write(struct.pack("<IIII", i // 1000, i % 1000, len(frame), len(frame)) + frame)


def telemetry(label, cmd):
    out = subprocess.run(["dpdk-telemetry.py", "-f", label], input=cmd + "\n",
                         capture_output=True, text=True, timeout=10).stdout
    start = out.find("{")
    return json.loads(out[start:])[cmd.split(",")[0]] if start >= 0 else None


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def slope_growth(xs, ys):
    """Growth over the span of xs by least squares (robust to jitter)."""
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0
    k = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return k * (xs[-1] - xs[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--sample", type=float, default=None,
                    help="seconds between samples (default 60, or minutes*60/9 if shorter)")
    ap.add_argument("--out", default=None, help="folder for soak.csv and soak.png")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--ids", default=None, help="the IDS's rules (default: the soak's own)")
    ap.add_argument("--no-ids", action="store_true", help="the firewall alone")
    a = ap.parse_args()
    total_s = a.minutes * 60
    sample = a.sample or min(60.0, total_s / 9)
    ffwd = os.path.join(a.build, "ffwd")
    tmp = tempfile.mkdtemp(prefix="ffwd-soak.")
    out = a.out or tmp
    os.makedirs(out, exist_ok=True)
    cap = os.path.join(tmp, "imix.pcap")
    imix_pcap(cap)
    rules = os.path.join(tmp, "fw.rules")
    with open(rules, "w") as f:
        f.write("default allow\ndrop name dns proto udp dport 53 src 10.0.0.7/32\n")
    n = os.getpid() % 10000
    label = "soak%d" % n
    sock = os.path.join(tmp, "w.sock")
    ids_stage = ""
    if not a.no_ids:
        ids_rules = a.ids
        if ids_rules is None:
            # Rules the MPM scans every payload for, that (but for one)
            # never match: the cost of inspection without an alert per
            # packet. The one that matches takes flow 77 only (1/256 of
            # the TCP flows), so EVE writes a steady trickle.
            ids_rules = os.path.join(tmp, "ids.rules")
            with open(ids_rules, "w") as f:
                f.write('alert tcp any any -> any 80 (msg:"soak admin"; flow:to_server; '
                        'content:"/admin.php"; sid:9000001; rev:1;)\n'
                        'alert tcp any any -> any any (msg:"soak cmd"; content:"cmd.exe"; '
                        'nocase; sid:9000002; rev:1;)\n'
                        'alert udp any any -> any 53 (msg:"soak dns txt"; content:"|00 10 00 01|"; '
                        'sid:9000003; rev:1;)\n'
                        'alert tcp any any -> any 80 (msg:"soak ua"; content:"User-Agent|3a| sqlmap"; '
                        'sid:9000004; rev:1;)\n'
                        'alert tcp 10.0.0.1 any -> 10.0.1.77 80 (msg:"soak flow 77"; '
                        'content:"Host: soak"; sid:9000005; rev:1;)\n')
        ids_stage = ("  - { name: ids, kind: ids, mode: ips, rules: %s, eve: /dev/null, "
                     "lcores: [2, 3], idle: yield }\n" % ids_rules)
    cfg = os.path.join(tmp, "bump.yaml")
    # One path (the top-level "stages:" form, which a fleet needs): rx and
    # the firewall on CPU 1, the IDS replicas on CPUs 1 and 0, tx on CPU
    # 1; the replay's TX lcore is on CPU 0. Every lcore yields when idle.
    with open(cfg, "w") as f:
        f.write("""pipeline: { label: %s, housekeeping: 0, memory: 1024, mbufs: 16383,
            cpus: { 0: 0, 1: 1, 2: 1, 3: 0, 4: 1 } }
ports:
  wan: { dev: "net_memif0,role=client,socket=%s,id=0,rsize=12" }
  lan: { dev: "net_null0,copy=0" }
stages:
  - { name: rx, kind: input, port: wan, lcore: 1, idle: yield }
  - { name: fw, kind: firewall, rules: %s, lcore: 1, idle: yield }
%s  - { name: tx, kind: output, port: lan, lcore: 4, idle: yield }
""" % (label, sock, rules, ids_stage))
    env = dict(os.environ)
    rep = subprocess.Popen([ffwd, "replay", cap, "--port",
                            "net_memif0,role=server,socket=%s,id=0,rsize=12" % sock,
                            "--pps", str(PPS), "--lcore", "0", "--loop", "0", "--duration", str(total_s + 5),
                            "--start-delay", "1"],
                           stdout=open(os.path.join(tmp, "replay.out"), "w"),
                           stderr=open(os.path.join(tmp, "replay.err"), "w"), env=env)
    time.sleep(0.5)
    bump = subprocess.Popen([ffwd, cfg, "--idle-exit", "2000"],
                            stdout=open(os.path.join(tmp, "bump.out"), "w"),
                            stderr=open(os.path.join(tmp, "bump.err"), "w"), env=env)
    rows = []
    t0 = time.monotonic()
    prev_rx, prev_t = None, None
    fields = ["t_s", "pool_in_use", "rss_kib", "replay_rss_kib", "rx_pkts", "rate_pps",
              "rate_err_pct", "imissed", "rx_nombuf", "oerrors", "fw_drops", "hiccups",
              "hiccup_max_ms"]
    failed = []
    try:
        time.sleep(3)
        while time.monotonic() - t0 < total_s:
            time.sleep(max(0.0, min(sample, total_s - (time.monotonic() - t0))))
            if bump.poll() is not None or rep.poll() is not None:
                failed.append("a process exited early (bump %s, replay %s)" % (bump.poll(), rep.poll()))
                break
            info = telemetry(label, "/ffwd/info")
            stages = telemetry(label, "/ffwd/stages")
            ports = telemetry(label, "/ffwd/ports")
            now = time.monotonic()
            rx = stages["rx"]["pkts_in"]
            rate = (rx - prev_rx) / (now - prev_t) if prev_rx is not None else float("nan")
            prev_rx, prev_t = rx, now
            wan = ports["wan"]
            row = {
                "t_s": round(now - t0, 1),
                "pool_in_use": info["pool_size"] - info["pool_avail"],
                "rss_kib": rss_kib(bump.pid),
                "replay_rss_kib": rss_kib(rep.pid),
                "rx_pkts": rx,
                "rate_pps": round(rate, 1),
                "rate_err_pct": round((rate - PPS) / PPS * 100, 4) if rate == rate else "",
                "imissed": wan["imissed"], "rx_nombuf": wan["rx_nombuf"],
                "oerrors": ports["lan"]["oerrors"],
                "fw_drops": stages["fw"]["drops"],
                "hiccups": stages["rx"]["hiccups"],
                "hiccup_max_ms": round(stages["rx"]["hiccup_max_ns"] / 1e6, 3),
            }
            rows.append(row)
            print("soak: t=%6.1f s pool in use %6d rss %7d KiB rate %10.1f pps (%s %%) hiccups %d max %.3f ms"
                  % (row["t_s"], row["pool_in_use"], row["rss_kib"], rate, row["rate_err_pct"],
                     row["hiccups"], row["hiccup_max_ms"]), flush=True)
    finally:
        if rep.poll() is None:
            rep.send_signal(signal.SIGINT)
        try:
            rep.wait(timeout=30)
        except subprocess.TimeoutExpired:
            rep.kill()
        try:
            bump.wait(timeout=30)
        except subprocess.TimeoutExpired:
            bump.send_signal(signal.SIGTERM)
            bump.wait(timeout=30)
        subprocess.run(["rm", "-rf", "/var/run/dpdk/" + label, "/var/run/dpdk/replay-%d" % rep.pid])
    with open(os.path.join(out, "soak.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    bump_out = open(os.path.join(tmp, "bump.out")).read()
    rep_out = open(os.path.join(tmp, "replay.out")).read()
    m = re.search(r"^replay: .* sent=(\d+)", rep_out, re.M)
    sent = int(m.group(1)) if m else None
    m = re.search(r"^summary: received=(\d+) sent=(\d+) dropped=(\d+) pool=(\d+)/(\d+) (\w+)", bump_out, re.M)
    if len(rows) >= 3:
        post = rows[1:]
        xs = [r["t_s"] for r in post]
        pool_size = 16383
        g_pool = slope_growth(xs, [r["pool_in_use"] for r in post])
        g_rss = slope_growth(xs, [r["rss_kib"] for r in post])
        print("soak: after warm-up, mbufs in use grew %.1f (limit %.0f), RSS grew %.0f KiB (limit 4096)"
              % (g_pool, 0.02 * pool_size, g_rss))
        if g_pool > 0.02 * pool_size:
            failed.append("mbufs in use grew by %.0f" % g_pool)
        if g_rss > 4096:
            failed.append("RSS grew by %.0f KiB" % g_rss)
        errs = [r["rate_err_pct"] for r in post if r["rate_err_pct"] != ""]
        if errs:
            print("soak: arrival rate error at the bump per sample: min %.4f %% max %.4f %%" % (min(errs), max(errs)))
    else:
        failed.append("only %d samples" % len(rows))
    if m is None:
        failed.append("bump printed no summary (exit %s): %s" % (bump.returncode, bump_out[-400:]))
    else:
        rx, tx, drop = int(m.group(1)), int(m.group(2)), int(m.group(3))
        print("soak: replay handed memif %s, bump received %d sent %d dropped %d pool %s/%s %s"
              % (sent, rx, tx, drop, m.group(4), m.group(5), m.group(6)))
        if m.group(6) != "ok" or rx != tx + drop or m.group(4) != m.group(5):
            failed.append("bump accounting: " + m.group(0))
        if sent != rx:
            failed.append("replay sent %s, bump received %d" % (sent, rx))
    for line in bump_out.splitlines():
        if line.startswith(("port ", "lcore ", "path ", "fleet ")):
            print("soak: bump " + line)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(3, 1, figsize=(8, 7), sharex=True)
        t = [r["t_s"] / 60 for r in rows]
        ax[0].plot(t, [r["pool_in_use"] for r in rows], marker="o")
        ax[0].set_ylabel("mbufs in use")
        ax[1].plot(t, [r["rss_kib"] / 1024 for r in rows], marker="o", label="bump")
        ax[1].plot(t, [r["replay_rss_kib"] / 1024 for r in rows], marker="o", label="replay")
        ax[1].set_ylabel("RSS (MiB)")
        ax[1].legend()
        ax[2].plot(t, [r["rate_pps"] / 1e6 for r in rows], marker="o")
        ax[2].axhline(PPS / 1e6, color="grey", linestyle="--")
        ax[2].set_ylabel("arrivals (Mpps)")
        ax[2].set_xlabel("minutes")
        fig.suptitle("ffwd soak: replay 1.488 Mpps IMIX over memif -> bump (firewall%s)"
                     % ("" if a.no_ids else " + IDS fleet of 2"))
        fig.savefig(os.path.join(out, "soak.png"), dpi=80)
    except ImportError:
        print("soak: no matplotlib: no plot")
    print("soak: csv and plot in %s" % out)
    if failed:
        for f in failed:
            print("FAIL soak: " + f)
        return 1
    print("PASS soak: %.1f min, no growth, every packet accounted for" % a.minutes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
