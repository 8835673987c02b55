#!/usr/bin/env bash
# ffwdctl and telemetry against running pipelines: the telemetry contract,
# the bottleneck and stall verdicts, hiccups from SIGSTOP, start/stop and
# core ownership, cores audit, and /metrics through a real Prometheus parser.
# Usage: tests/e2e/ctl.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
ffwd=$build/ffwd
ctl=$build/control/ffwdctl
py=/usr/bin/python3	# Debian's: has python3-prometheus-client
tmp=$(mktemp -d)
pids=()
labels=()
pass=0 fail=0
cleanup() {
	local p l
	for l in "${labels[@]}"; do "$ctl" stop "$l" >/dev/null 2>&1; done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for l in "${labels[@]}"; do rm -rf "/var/run/dpdk/$l"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
n=$(( $$ % 1000 ))

# write_cfg LABEL FILE SRC STAGES... : a 2-CPU-friendly pipeline.
write_cfg() {
	local label=$1 file=$2 src=$3
	shift 3
	{
		echo "pipeline: { label: $label, housekeeping: 0, memory: 256, mbufs: 4095, ring_size: 256,"
		echo "            cpus: { 0: 0, 1: 1, 2: 0, 3: 1 } }"
		echo "ports:"
		echo "  src: { dev: \"$src\" }"
		echo "  dst: { dev: \"net_null9$n,copy=0\" }"
		echo "stages:"
		for s in "$@"; do echo "  - $s"; done
	} >"$file"
}

# --- 1. start, telemetry contract, monotonic counters -----------------------
A=ctlA$n
labels+=("$A")
write_cfg "$A" "$tmp/a.yaml" "net_null1$n,copy=0" \
	"{ name: rx, kind: input, port: src, lcore: 1, idle: yield }" \
	"{ name: fw, kind: fwd, lcore: 2, idle: yield }" \
	"{ name: tx, kind: output, port: dst, lcore: 3, idle: yield }"
if "$ctl" start "$tmp/a.yaml" >"$tmp/start.out" 2>&1; then
	ok "start $A"
else
	bad "start $A: $(cat "$tmp/start.out")"
fi
sleep 1
"$ctl" stats "$A" --json >"$tmp/s1.json" 2>&1
sleep 1
"$ctl" stats "$A" --json >"$tmp/s2.json" 2>&1
for c in info stages rings ports; do
	if echo "/ffwd/$c" | timeout 10 dpdk-telemetry.py -f "$A" 2>/dev/null | grep -q "\"/ffwd/$c\": {"; then
		ok "dpdk-telemetry.py answers /ffwd/$c"
	else
		bad "dpdk-telemetry.py: /ffwd/$c did not answer"
	fi
done
if $py - "$tmp/s1.json" "$tmp/s2.json" <<'PYEOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
errs = []
for snap in (a, b):
    for name, r in snap["rings"].items():
        if r["dequeued"] > r["enqueued"]:
            errs.append("ring %s dequeued %d > enqueued %d" % (name, r["dequeued"], r["enqueued"]))
        if not 0 <= r["backlog"] <= r["size"]:
            errs.append("ring %s backlog %d outside [0, %d]" % (name, r["backlog"], r["size"]))
    for name, s in snap["stages"].items():
        if s["pkts_out"] + s["drops"] > s["pkts_in"] + 64 and s["kind"] != "input":
            errs.append("stage %s out+drops %d > in %d" % (name, s["pkts_out"] + s["drops"], s["pkts_in"]))
for sec in ("stages", "rings"):
    for name, x in a[sec].items():
        for k, v in x.items():
            if isinstance(v, int) and k not in ("backlog", "hiccup_max_ns", "hiccup_max_cycles",
                                                 "utilization_bp", "lcore", "cpu", "size") \
                    and b[sec][name][k] < v:
                errs.append("%s %s %s went down: %d -> %d" % (sec, name, k, v, b[sec][name][k]))
if b["stages"]["rx"]["pkts_in"] <= a["stages"]["rx"]["pkts_in"]:
    errs.append("rx did not move")
if len(a["rings"]) != 2 or len(a["stages"]) != 3 or a["info"]["state"] != "running":
    errs.append("shape: %d rings, %d stages, state %s" % (len(a["rings"]), len(a["stages"]), a["info"]["state"]))
print("\n".join(errs))
sys.exit(1 if errs else 0)
PYEOF
then ok "telemetry contract: dequeued <= enqueued, 0 <= backlog <= size, counters monotonic"
else bad "telemetry contract (see above)"
fi

# --- 2. a second label on a held core is refused ----------------------------
B=ctlB$n
write_cfg "$B" "$tmp/b.yaml" "net_null2$n,copy=0" \
	"{ name: rx, kind: input, port: src, lcore: 3, idle: yield }" \
	"{ name: tx, kind: output, port: dst, lcore: 3, idle: yield }"
if "$ctl" start "$tmp/b.yaml" >"$tmp/b.out" 2>&1; then
	labels+=("$B")
	bad "overlapping cores were not refused"
elif grep -q "CPU 1 is dedicated to label '$A'" "$tmp/b.out" && grep -q "stage 'rx'" "$tmp/b.out"; then
	ok "overlap refused, naming label and core: $(head -1 "$tmp/b.out")"
else
	bad "overlap refused without naming label and core: $(cat "$tmp/b.out")"
fi

# --- 3. list, status, top ----------------------------------------------------
"$ctl" list >"$tmp/list.out" 2>&1
if grep -q "^$A  *running" "$tmp/list.out"; then ok "list shows $A running"; else bad "list: $(cat "$tmp/list.out")"; fi
if "$ctl" top "$A" --count 2 --interval 0.5 >"$tmp/top.out" 2>&1 && [ "$(grep -c '^pipeline' "$tmp/top.out")" = 2 ]; then
	ok "top refreshes (2 frames)"
else
	bad "top: $(head -5 "$tmp/top.out")"
fi

# --- 4. hiccups: SIGSTOP the process for 300 ms -------------------------------
pid=$($py -c 'import json,sys; print(json.load(open(sys.argv[1]))["info"]["pid"])' "$tmp/s2.json")
kill -STOP "$pid"
# 300 ms from when the kernel has it stopped: on a loaded machine the stop
# reaches a spinning thread a few ms after kill returns.
for i in $(seq 200); do
	[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = T ] && break
	sleep 0.005
done
sleep 0.3; kill -CONT "$pid"
sleep 0.5
"$ctl" stats "$A" --json >"$tmp/s3.json"
max=$($py -c 'import json,sys; print(max(s["hiccup_max_ns"] for s in json.load(open(sys.argv[1]))["stages"].values()))' "$tmp/s3.json")
if [ "$max" -ge 300000000 ]; then
	ok "SIGSTOP 300 ms shows as a hiccup of $((max / 1000000)) ms"
else
	bad "SIGSTOP 300 ms: longest hiccup only $max ns"
fi

# --- 5. stop: final counters add up -------------------------------------------
if "$ctl" stop "$A" >"$tmp/stop.out" 2>&1 && grep -q "^summary: .* ok$" "$tmp/stop.out"; then
	ok "stop: $(grep '^summary' "$tmp/stop.out")"
else
	bad "stop: $(tail -5 "$tmp/stop.out")"
fi

# --- 6. bottleneck: a slow work stage ------------------------------------------
C=ctlC$n
labels+=("$C")
# rx and slow on different CPUs: two spinning lcores on one CPU would
# take turns and the ring would fill and drain with the time slices.
write_cfg "$C" "$tmp/c.yaml" "net_null3$n,copy=0" \
	"{ name: rx, kind: input, port: src, lcore: 2 }" \
	"{ name: slow, kind: work, ns: 20000, lcore: 3 }" \
	"{ name: tx, kind: output, port: dst, lcore: 3 }"
"$ctl" start "$tmp/c.yaml" >/dev/null 2>&1
sleep 1
"$ctl" status "$C" >"$tmp/c.out" 2>&1
if grep -q "stage slow is the bottleneck: ring rx->slow [0-9]*% full" "$tmp/c.out"; then
	ok "bottleneck named: $(grep 'is the bottleneck' "$tmp/c.out" | sed 's/^ *//')"
else
	bad "bottleneck not named: $(cat "$tmp/c.out")"
fi
"$ctl" stop "$C" >/dev/null 2>&1

# --- 7. stall: a starved input (net_ring0 never has a packet) -------------------
D=ctlD$n
labels+=("$D")
write_cfg "$D" "$tmp/d.yaml" "net_ring$n" \
	"{ name: rx, kind: input, port: src, lcore: 1, idle: yield }" \
	"{ name: fw, kind: fwd, lcore: 2, idle: yield }" \
	"{ name: tx, kind: output, port: dst, lcore: 3, idle: yield }"
"$ctl" start "$tmp/d.yaml" >/dev/null 2>&1
sleep 0.5
"$ctl" status "$D" >"$tmp/d.out" 2>&1
if grep -q "ring fw->tx empty, tx idle [0-9]*%: stall upstream" "$tmp/d.out" &&
   grep -q "input rx received nothing" "$tmp/d.out"; then
	ok "stall named: $(grep 'stall' "$tmp/d.out" | head -1 | sed 's/^ *//')"
else
	bad "stall not named: $(cat "$tmp/d.out")"
fi

# --- 8. /metrics through prometheus_client ---------------------------------------
port=$((20000 + n))
"$ctl" export --listen "127.0.0.1:$port" >"$tmp/exp.out" 2>&1 &
pids+=($!)
sleep 0.5
if $py - "$port" "$D" <<'PYEOF'
import sys, urllib.request
from prometheus_client.parser import text_string_to_metric_families
port, label = sys.argv[1], sys.argv[2]
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=10).read().decode()
fams = {f.name: f for f in text_string_to_metric_families(text)}
need = ["ffwd_up", "ffwd_stages_pkts_in", "ffwd_rings_backlog", "ffwd_ports_ipackets"]
missing = [n for n in need if n not in fams]
if missing:
    sys.exit("missing families %s" % missing)
up = [s for s in fams["ffwd_up"].samples if s.labels.get("label") == label]
rx = [s for s in fams["ffwd_stages_pkts_in"].samples
      if s.labels.get("label") == label and s.labels.get("stage") == "rx"]
if not up or up[0].value != 1 or not rx:
    sys.exit("no samples for label %s" % label)
print("%d families parsed" % len(fams))
PYEOF
then ok "/metrics parsed by prometheus_client"
else bad "/metrics not parsed"
fi
"$ctl" stop "$D" >/dev/null 2>&1

# --- 9. cores audit tells the truth about isolation ------------------------------
"$ctl" cores audit "$tmp/a.yaml" >"$tmp/audit.out" 2>&1
if grep -qE '(^| )isolcpus=' /proc/cmdline; then
	want="isolated (isolcpus)"
else
	want="not isolated"
fi
if grep -q "^CPU 1:" "$tmp/audit.out" && grep -q "$want" "$tmp/audit.out" && grep -q "noise over" "$tmp/audit.out"; then
	ok "cores audit says CPU 1 is '$want', as /proc/cmdline does"
else
	bad "cores audit: $(cat "$tmp/audit.out")"
fi
if "$ctl" cores dedicate nosuch$n --dry-run >/dev/null 2>&1; then
	bad "dedicate of a missing label succeeded"
else
	ok "dedicate of a missing label refused"
fi
if setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" cores dedicate "$A" >"$tmp/nr.out" 2>&1; then
	bad "dedicate without root was not refused"
elif grep -q "needs root" "$tmp/nr.out"; then
	ok "dedicate without root refused: $(head -c 80 "$tmp/nr.out")..."
else
	bad "dedicate without root: $(cat "$tmp/nr.out")"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
