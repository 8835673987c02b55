#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ids_inline: the IDS as a bump in the wire in IPS mode, over net_memif
# between two ffwd processes, and reloaded under traffic.
#  1. A tester (memif server) sends interleaved TCP sessions and UDP
#     (tests/ids/mkinline.py) into the bump's wan port; the bump runs
#     input -> ids (mode: ips) -> output to lan, back to the tester, which
#     writes what arrives. A drop rule matches flow 1's third segment: that
#     packet and the rest of flow 1 are dropped (ids_drop, ids_flow_drop);
#     an alert rule matches flow 2: alerted, forwarded; every other packet
#     comes out byte-identical and in order (pcapcmp against the expected
#     capture); the bump's accounting is exact; EVE has the alert
#     (allowed) and the drop (blocked).
#  2. Looped traffic through an ids stage, its rules reloaded by SIGHUP 100
#     times (two valid sets in turn): no packet lost, the path adds up,
#     the reloads are counted, flows are kept.
#
#	tests/e2e/ids_inline.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
ffwd=$build/ffwd
cmp=$build/tests/pcapcmp
tmp=$(mktemp -d)
n=$(( $$ % 1000 ))
bump_pid= test_pid=
cleanup() {
	local p
	for p in $test_pid $bump_pid; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp" "/var/run/dpdk/idsB$n" "/var/run/dpdk/idsT$n" "/var/run/dpdk/idsR$n"
}
trap cleanup EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

read -r total kept < <(cd "$tmp" && /usr/bin/python3 "$root/tests/ids/mkinline.py" "$tmp/in")
cat >"$tmp/ips.rules" <<'EOT'
drop tcp any any -> any 80 (msg:"evil request"; flow:to_server; content:"EVILSTUFF"; classtype:attempted-admin; sid:1000001; rev:2;)
alert tcp any any -> any 80 (msg:"alertme seen"; content:"alertme"; sid:1000002; rev:1;)
EOT
cat >"$tmp/bump.yaml" <<EOT
pipeline: { label: idsB$n, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1 } }
ports:
  wan: { dev: "net_memif0,role=client,socket=$tmp/w.sock,id=0" }
  lan: { dev: "net_memif1,role=client,socket=$tmp/l.sock,id=0" }
paths:
  - name: w2l
    stages:
      - { name: w_rx, kind: input, port: wan, lcore: 1, idle: yield }
      - { name: ips, kind: ids, mode: ips, rules: $tmp/ips.rules, eve: $tmp/eve.json, lcore: 1, idle: yield }
      - { name: l_tx, kind: output, port: lan, lcore: 1, idle: yield, retries: 1000 }
EOT
cat >"$tmp/tester.yaml" <<EOT
pipeline: { label: idsT$n, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1 } }
ports:
  a:  { dev: "net_pcap0,rx_pcap=$tmp/in.pcap" }
  o:  { dev: "net_pcap1,tx_pcap=$tmp/out.pcap" }
  w:  { dev: "net_memif2,role=server,socket=$tmp/w.sock,id=0" }
  l:  { dev: "net_memif3,role=server,socket=$tmp/l.sock,id=0" }
paths:
  - name: gen
    stages:
      - { name: a_rx, kind: input, port: a, lcore: 1, idle: yield }
      - { name: w_out, kind: output, port: w, lcore: 1, idle: yield, retries: 1000 }
  - name: back
    stages:
      - { name: l_in, kind: input, port: l, lcore: 1, idle: yield }
      - { name: o_tx, kind: output, port: o, lcore: 1, idle: yield }
EOT
env --default-signal=INT,TERM "$ffwd" "$tmp/tester.yaml" --idle-exit 1500 --start-delay 1500 >"$tmp/tester.out" 2>&1 &
test_pid=$!
sleep 0.5
env --default-signal=INT,TERM "$ffwd" "$tmp/bump.yaml" >"$tmp/bump.out" 2>"$tmp/bump.err" &
bump_pid=$!
timeout 60 tail --pid=$test_pid -f /dev/null
wait "$test_pid"; trc=$?; test_pid=
kill -INT "$bump_pid"; wait "$bump_pid"; brc=$?; bump_pid=
name="IPS bump over memif"
alerts=$(jq -c 'select(.event_type=="alert" and .alert.signature_id==1000002 and .alert.action=="allowed")' "$tmp/eve.json" 2>/dev/null | wc -l)
blocked=$(jq -c 'select((.event_type=="alert" or .event_type=="drop") and .alert.signature_id==1000001 and .alert.action=="blocked")' "$tmp/eve.json" 2>/dev/null | wc -l)
if [ $trc != 0 ] || [ $brc != 0 ]; then
	bad "$name: exit codes tester $trc, bump $brc: $(tail -3 "$tmp/bump.out" "$tmp/bump.err" | tr '\n' ' ')"
elif ! grep -qE "^path w2l: received $total sent $kept dropped $((total - kept)) ids_drop=1 ids_flow_drop=$((total - kept - 1)) ok\$" "$tmp/bump.out"; then
	bad "$name: bump path: $(grep '^path' "$tmp/bump.out") (want received $total sent $kept, 1 ids_drop)"
elif ! grep -q '^summary: .* ok$' "$tmp/bump.out"; then
	bad "$name: bump summary: $(grep '^summary' "$tmp/bump.out")"
elif ! out=$("$cmp" "$tmp/in-expected.pcap" "$tmp/out.pcap" 2>&1); then
	bad "$name: what came out is not the expected $kept packets: $out"
elif [ "$alerts" -lt 1 ] || [ "$blocked" -lt 1 ]; then
	bad "$name: EVE: $alerts allowed alerts for sid 1000002, $blocked blocked for sid 1000001: $(head -c 600 "$tmp/eve.json")"
else
	ok "$name: $total in, $kept out byte-identical ($out), flow 1 dropped from its evil segment on, sid 1000002 alerted ($alerts) and sid 1000001 blocked ($blocked)"
fi

# ---- 2. reload 100 times under traffic --------------------------------
printf 'alert tcp any any -> any any (msg:"a"; content:"HTTP"; sid:1; rev:1;)\n' >"$tmp/r1.rules"
printf 'alert tcp any any -> any any (msg:"b"; content:"Host"; sid:2; rev:1;)\nalert udp any any -> any any (msg:"u"; content:"q"; sid:3; rev:1;)\n' >"$tmp/r2.rules"
cp "$tmp/r1.rules" "$tmp/live.rules"
cat >"$tmp/reload.yaml" <<EOT
pipeline: { label: idsR$n, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1, 2: 1 } }
ports:
  cap: { dev: "net_pcap0,rx_pcap=$tmp/in.pcap,infinite_rx=1" }
  sink: { dev: "net_null0,copy=0" }
stages:
  - { name: rx, kind: input, port: cap, lcore: 1, idle: yield }
  - { name: ids, kind: ids, rules: $tmp/live.rules, lcore: 2, idle: yield }
  - { name: tx, kind: output, port: sink, lcore: 2, idle: yield }
EOT
env --default-signal=INT,TERM,HUP "$ffwd" "$tmp/reload.yaml" >"$tmp/r.out" 2>"$tmp/r.err" &
bump_pid=$!
sleep 1
for i in $(seq 100); do
	if [ $((i % 2)) = 1 ]; then cp "$tmp/r2.rules" "$tmp/live.rules"; else cp "$tmp/r1.rules" "$tmp/live.rules"; fi
	kill -HUP "$bump_pid"
	sleep 0.03
done
sleep 0.5
kill -INT "$bump_pid"; wait "$bump_pid"; brc=$?; bump_pid=
name="ids rules reloaded 100 times under traffic"
reloads=$(sed -n 's/^stage ids .* ids_reloads \([0-9]*\).*/\1/p' "$tmp/r.out")
loaded=$(grep -c "stage 'ids': rules reloaded" "$tmp/r.err")
if [ $brc != 0 ] || ! grep -q '^summary: .* ok$' "$tmp/r.out"; then
	bad "$name: exit $brc: $(tail -3 "$tmp/r.out" | tr '\n' ' ')"
elif ! grep -qE '^path main: received ([0-9]+) sent \1 dropped 0 ok$' "$tmp/r.out"; then
	bad "$name: $(grep '^path' "$tmp/r.out")"
elif [ "${reloads:-0}" -lt 1 ] || [ "$loaded" -lt 1 ]; then
	bad "$name: reloads in force ${reloads:-0}, accepted $loaded: $(tail -2 "$tmp/r.err")"
else
	ok "$name: $loaded accepted, $reloads switched in by the stage between packets, $(grep '^path' "$tmp/r.out")"
fi

# ---- 3. the IPS as a fleet of two replicas ----------------------------
# Each replica has its own flow table and EVE writer (one line a write,
# O_APPEND, so their records interleave whole); both directions of every
# flow reach one replica, so the drop still takes the rest of flow 1.
cat >"$tmp/fleet.yaml" <<EOT
pipeline: { label: idsF$n, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 0, 2: 1, 3: 0, 4: 1 } }
ports:
  cap: { dev: "net_pcap0,rx_pcap=$tmp/in.pcap" }
  out: { dev: "net_pcap1,tx_pcap=$tmp/fout.pcap" }
stages:
  - { name: rx, kind: input, port: cap, lcore: 1, idle: yield }
  - { name: ips, kind: ids, mode: ips, rules: $tmp/ips.rules, eve: $tmp/feve.json, lcores: [2, 3], idle: yield }
  - { name: tx, kind: output, port: out, lcore: 4, idle: yield }
EOT
timeout 120 "$ffwd" "$tmp/fleet.yaml" --idle-exit 1000 >"$tmp/f.out" 2>&1
frc=$?
rm -rf "/var/run/dpdk/idsF$n"
name="IPS as a fleet of 2 replicas"
blocked=$(jq -c 'select(.event_type=="alert" and .alert.signature_id==1000001 and .alert.action=="blocked")' "$tmp/feve.json" 2>/dev/null | wc -l)
alerts=$(jq -c 'select(.event_type=="alert" and .alert.signature_id==1000002)' "$tmp/feve.json" 2>/dev/null | wc -l)
if [ $frc != 0 ] || ! grep -qE "^path main: received $total sent $kept dropped $((total - kept)) ids_drop=1 ids_flow_drop=$((total - kept - 1)) ok\$" "$tmp/f.out"; then
	bad "$name: exit $frc: $(grep -E '^path|^summary' "$tmp/f.out" | tr '\n' ' ')"
elif ! out=$("$cmp" --per-flow "$tmp/in-expected.pcap" "$tmp/fout.pcap" 2>&1); then
	bad "$name: output: $out"
elif [ "$blocked" != 1 ] || [ "$alerts" != 1 ]; then
	bad "$name: EVE: $blocked blocked sid 1000001, $alerts alerts sid 1000002 (want 1 each)"
else
	ok "$name: $(grep -c '^fleet ips replica' "$tmp/f.out") replicas, $out, one drop and one alert in EVE"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
