#!/usr/bin/env bash
# Telemetry of a large pipeline under AddressSanitizer: 128 lcores (the
# housekeeping one and 127 stage lcores, all mapped onto CPUs 0 and 1, idle
# stages yielding), four paths, 123 rings and a firewall of 1,000 rules.
# /ffwd/info once overflowed a 512-byte buffer past about 80 lcores, and
# DPDK's telemetry silently drops what passes 256 entries or 16 KiB. Every
# raw reply must be valid JSON under 16 KiB; followed page by page ("_next")
# the replies must name every stage and ring; what does not fit (the per-rule
# hits) must be counted in entries_cut and served by /ffwd/rules page by page;
# ffwdctl must see it all; and the ASan
# build of ffwd must report nothing and exit 0.
# Usage: tests/e2e/cores_big.sh [BUILD_DIR]   (uses BUILD_DIR's sibling build-asan)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
asan=$root/build-asan
ctl=$build/control/ffwdctl
py=/usr/bin/python3
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
n=$(($$ % 10000))
L=coresB$n
tmp=$(mktemp -d)
fpid=
ffwd=$asan/ffwd
[ -x "$ffwd" ] || ffwd=$asan/app/ffwd
cleanup() {
	[ -n "$fpid" ] && kill -KILL "$fpid" 2>/dev/null
	rm -rf "/var/run/dpdk/$L" "${XDG_RUNTIME_DIR:-/nonexistent}/dpdk/$L"; [ "${E2E_KEEP:-0}" = 1 ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
if [ ! -x "$ffwd" ]; then
	bad "no ASan build of ffwd at $asan (scripts/test.sh builds it)"
	echo "$pass passed, $fail failed"
	exit 1
fi

# 1,000 rules, then the config: paths of 32, 32, 32 and 31 stages, one
# stage per lcore 1..127, lcore L on CPU L % 2.
{
	echo "default allow"
	for ((i = 1; i <= 1000; i++)); do echo "drop name r$i proto udp dport $i"; done
} >"$tmp/big.rules"
"$py" - "$tmp/big.yaml" "$L" "$root/conf/demo.pcap" "$tmp/big.rules" "$n" <<'PYEOF'
import sys
out, label, pcap, rules, n = sys.argv[1:6]
cpus = ", ".join("%d: %d" % (l, l % 2) for l in range(128))
lines = ["pipeline: { label: %s, housekeeping: 0, memory: 512, mbufs: 8191, ring_size: 64," % label,
         "            cpus: { %s } }" % cpus, "ports:"]
sizes = [32, 32, 32, 31]
for p in range(4):
    lines.append('  in%d: { dev: "net_pcap%d%s,rx_pcap=%s" }' % (p, p, n, pcap))
    lines.append('  out%d: { dev: "net_null%d%s,copy=0" }' % (p, p, n))
lines.append("paths:")
lcore = 1
for p, size in enumerate(sizes):
    lines.append("  - name: p%d" % p)
    lines.append("    stages:")
    for i in range(size):
        if i == 0:
            kind = "kind: input, port: in%d" % p
        elif i == size - 1:
            kind = "kind: output, port: out%d" % p
        elif p == 0 and i == 1:
            kind = "kind: firewall, rules: %s" % rules
        else:
            kind = "kind: fwd"
        lines.append("      - { name: s%d_%d, %s, lcore: %d, idle: yield }" % (p, i, kind, lcore))
        lcore += 1
open(out, "w").write("\n".join(lines) + "\n")
PYEOF

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
(env --default-signal=INT,TERM "$ffwd" "$tmp/big.yaml" >"$tmp/out" 2>"$tmp/err" &
 echo $! >"$tmp/pid")
fpid=$(cat "$tmp/pid")
up=0
for ((i = 0; i < 300; i++)); do
	if "$ctl" stats "$L" --json >/dev/null 2>&1; then up=1; break; fi
	kill -0 "$fpid" 2>/dev/null || break
	sleep 0.1
done
if [ "$up" = 1 ]; then
	ok "ffwd (ASan) with 128 lcores and 1,000 rules answers telemetry"
else
	bad "ffwd (ASan) did not come up: $(tail -5 "$tmp/err")"
	echo "$pass passed, $fail failed"
	exit 1
fi
# Every stage lcore stores its thread id before its loop; 127 of them
# starting on 2 busy CPUs may take a moment.
for ((i = 0; i < 100; i++)); do
	"$ctl" stats "$L" --json 2>/dev/null | "$py" -c '
import json, sys
sys.exit(0 if all(t > 0 for t in json.load(sys.stdin)["info"]["lcore_tids"]) else 1)' && break
	sleep 0.1
done

# Raw replies, as any DPDK telemetry client sees them.
if [ "$(id -u)" = 0 ]; then sock=/var/run/dpdk/$L/dpdk_telemetry.v2; else sock=$XDG_RUNTIME_DIR/dpdk/$L/dpdk_telemetry.v2; fi
"$py" - "$sock" >"$tmp/raw.out" 2>&1 <<'PYEOF'
import json, socket, sys
path = sys.argv[1]
def ask(cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.recv(65536)
    s.send(cmd.encode())
    raw = s.recv(1 << 20)
    s.close()
    if len(raw) >= 16384:
        print("FAIL %s: reply of %d bytes (DPDK's limit is 16384)" % (cmd, len(raw)))
    try:
        return json.loads(raw)[cmd.split(",")[0]], len(raw)
    except ValueError as e:
        print("FAIL %s: not JSON (%s), %d bytes" % (cmd, e, len(raw)))
        sys.exit(0)
def pages(cmd):
    got, nxt, sizes = {}, 0, []
    while True:
        v, size = ask(cmd if nxt == 0 else "%s,@%d" % (cmd, nxt))
        sizes.append(size)
        for k, e in v.items():
            if isinstance(e, dict):
                got[e.get("name", k)] = e
        nxt = v.get("_next", 0)
        if not nxt:
            return got, sizes
info, size = ask("/ffwd/info")
errs = []
if len(info.get("lcore_ids", [])) != 127 or info.get("n_lcores") != 127:
    errs.append("lcore_ids has %d entries, n_lcores %s" % (len(info.get("lcore_ids", [])), info.get("n_lcores")))
if any(t <= 0 for t in info.get("lcore_tids", [0])) or len(info.get("lcore_tids", [])) != 127:
    errs.append("lcore_tids incomplete")
full = ",".join("%d@%d" % (l, c) for l, c in zip(info["lcore_ids"], info["lcore_cpus"]))
if info.get("lcores_complete") != 0 or not full.startswith(info["lcores"]) or len(info["lcores"]) > 127:
    errs.append("lcores string %r not marked as cut" % info["lcores"][:40])
if info.get("stage_names_complete") != 0:
    errs.append("stage_names not marked as cut")
print("info: %d bytes, %d lcores, lcores string %d chars (complete=%d)" % (size, len(info["lcore_ids"]), len(info["lcores"]), info["lcores_complete"]))
stages, ssz = pages("/ffwd/stages")
rings, rsz = pages("/ffwd/rings")
print("stages: %d in %d pages (%s bytes); rings: %d in %d pages (%s bytes)" %
      (len(stages), len(ssz), "/".join(map(str, ssz)), len(rings), len(rsz), "/".join(map(str, rsz))))
want = set("s%d_%d" % (p, i) for p, sz in enumerate([32, 32, 32, 31]) for i in range(sz))
if set(stages) != want:
    errs.append("stages missing: %s" % sorted(want - set(stages))[:5])
if len(rings) != 123:
    errs.append("%d rings, expected 123" % len(rings))
fw = stages.get("s0_1", {})
acl = [k for k in fw if k.startswith("acl_")]
cut = fw.get("entries_cut", 0)
print("firewall: %d per-rule entries shown, entries_cut %d" % (len(acl), cut))
if len(acl) + cut < 1002 or cut == 0:
    errs.append("firewall: %d rule entries + %d cut < 1002" % (len(acl), cut))
hits, nxt, npages = {}, 0, 0
while True:
    v, size = ask("/ffwd/rules,s0_1" + (",@%d" % nxt if nxt else ""))
    npages += 1
    hits.update((k, x) for k, x in v.items() if k.startswith("acl_"))
    nxt = v.get("_next", 0)
    if not nxt or npages > 50:
        break
print("/ffwd/rules,s0_1: %d per-rule entries in %d pages" % (len(hits), npages))
if len(hits) != 1002 or "acl_r1000" not in hits or "acl_default" not in hits:
    errs.append("/ffwd/rules pages hold %d entries, expected 1002" % len(hits))
for e in errs:
    print("FAIL " + e)
if not errs:
    print("OK")
PYEOF
sed 's/^/    /' "$tmp/raw.out"
if grep -q '^OK$' "$tmp/raw.out" && ! grep -q '^FAIL' "$tmp/raw.out"; then
	ok "raw replies under 16 KiB, paged, complete or marked as cut"
else
	bad "raw replies: $(grep '^FAIL' "$tmp/raw.out" | head -3 | tr '\n' ' ')"
fi

"$ctl" stats "$L" --json >"$tmp/stats.json" 2>"$tmp/stats.err"
if "$py" -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert len(s["stages"]) == 127, len(s["stages"])
assert len(s["rings"]) == 123, len(s["rings"])
assert all(st.get("tid", 0) > 0 for st in s["stages"].values())
fw = s["stages"]["s0_1"]
assert len([k for k in fw if k.startswith("acl_")]) == 1002, "rule hits"
assert "entries_cut" not in fw, "still marked cut"
' "$tmp/stats.json" 2>"$tmp/py.err"; then
	ok "ffwdctl stats follows the pages: 127 stages, 123 rings, thread ids, all 1,002 rule hits"
else
	bad "ffwdctl stats: $(tail -2 "$tmp/py.err") $(cat "$tmp/stats.err")"
fi
if "$ctl" status "$L" >"$tmp/status.out" 2>&1 && [ "$(awk '$2 ~ /^(input|fwd|firewall|output)$/' "$tmp/status.out" | wc -l)" = 127 ]; then
	ok "ffwdctl status shows all 127 stages"
else
	bad "ffwdctl status: $(tail -3 "$tmp/status.out")"
fi

kill -TERM "$fpid"
for ((i = 0; i < 300; i++)); do kill -0 "$fpid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$fpid" 2>/dev/null; then
	bad "ffwd did not stop within 30 s"
	kill -KILL "$fpid"
fi
fpid=
hit=$(grep -h -m1 -E 'AddressSanitizer|LeakSanitizer|runtime error:|stack-buffer-overflow' "$tmp/out" "$tmp/err" | head -1)
if [ -z "$hit" ] && grep -q "summary: .* ok" "$tmp/out"; then
	ok "no ASan/UBSan report; the run accounts for every packet"
else
	bad "ASan/accounting: ${hit:-$(grep summary "$tmp/out")} $(tail -3 "$tmp/err")"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
