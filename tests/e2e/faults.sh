#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# faults: a bad day leaves ffwd standing and counting.
#  1. SIGSTOP the forwarding process for 100 ms while it receives 1.488 Mpps
#     of 64-byte frames from `ffwd replay` over net_memif, then SIGCONT: it
#     recovers, its exit report shows a hiccup of >= 100 ms on its lcore,
#     what it received equals what the replay could hand to memif (any loss
#     is where it happened: the replay's TX calls that took fewer than
#     offered), and its accounting is exact.
#  2. A firewall's rules file is broken and SIGHUP sent 100 times under
#     traffic: every reload is refused with file:line:col, the old rules
#     stay in force (they still drop), and not a packet is lost.
#  3. The IDS's EVE file on a 1 MiB tmpfs: once it is full, the records
#     lost to write errors are counted and forwarding goes on.
#  4. The replay peer is killed (SIGKILL) mid-stream, memif peer gone: the
#     forwarder survives, says its port's link went down, and when a new
#     replay connects it takes that traffic whole (what it received after
#     the kill equals what the new peer handed to memif); the exit report
#     counts the link loss and the accounting is exact.
#
#	tests/e2e/faults.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
ffwd=$build/ffwd
tmp=$(mktemp -d)
n=$(( $$ % 1000 ))
fpid= rpid=
labels=()
cleanup() {
	local p l
	for p in $rpid $fpid; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for l in "${labels[@]}"; do rm -rf "/var/run/dpdk/${l:?}"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
rfield() { sed -n "s/^replay: .*[ ]$1=\([^ ]*\).*/\1/p" "$tmp/r.out" | tail -n1; }

# ---- 1. SIGSTOP 100 ms at 1.488 Mpps over memif -----------------------
/usr/bin/python3 - "$tmp/64.pcap" <<'EOF'
import struct, sys
# 64 distinct 64-byte frames (60 + FCS on the wire): UDP, one flow each.
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(64):
        eth = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 46, i, 0, 64, 17, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 1, i]))
        udp = struct.pack("!HHHH", 1024 + i, 9, 26, 0) + bytes(18)
        frame = eth + ip + udp
        f.write(struct.pack("<IIII", 0, i, len(frame), len(frame)) + frame)
EOF
lf=flt$n
labels+=("$lf")
cat >"$tmp/fwd.yaml" <<EOT
pipeline: { label: $lf, housekeeping: 0, memory: 256, mbufs: 8191, cpus: { 0: 0, 1: 1 } }
ports:
  m: { dev: "net_memif0,role=client,socket=$tmp/m.sock,id=0,rsize=14" }
  n: { dev: "net_null0" }
stages:
  - { name: rx, kind: input, port: m, lcore: 1 }
  - { name: tx, kind: output, port: n, lcore: 1 }
EOT
env --default-signal=INT,TERM "$ffwd" replay "$tmp/64.pcap" \
	--port "net_memif0,role=server,socket=$tmp/m.sock,id=0,rsize=14" \
	--pps 1488095 --duration 4 --loop 0 --start-delay 1 \
	>"$tmp/r.out" 2>"$tmp/r.err" &
rpid=$!
labels+=("replay-$rpid")
sleep 0.5
env --default-signal=INT,TERM "$ffwd" "$tmp/fwd.yaml" --idle-exit 1500 >"$tmp/f.out" 2>"$tmp/f.err" &
fpid=$!
sleep 3
kill -STOP "$fpid"
# Stopped for 100 ms from when the kernel has stopped it (a loaded machine
# may take a while to deliver the stop to a spinning thread).
for i in $(seq 200); do
	[ "$(awk '{print $3}' "/proc/$fpid/stat" 2>/dev/null)" = T ] && break
	sleep 0.005
done
sleep 0.1
kill -CONT "$fpid"
wait "$rpid"; rrc=$?; rpid=
wait "$fpid"; frc=$?; fpid=
got=$(sed -n 's/^summary: received=\([0-9]*\) .*/\1/p' "$tmp/f.out")
maxms=$(sed -n 's/^lcore 1 .* max \([0-9.]*\) ms$/\1/p' "$tmp/f.out")
name="SIGSTOP 100 ms at 1.488 Mpps over memif"
if [ "$rrc" != 0 ] || [ "$frc" != 0 ]; then
	bad "$name: replay exit $rrc, forwarder exit $frc: $(tail -2 "$tmp/f.out" "$tmp/r.err" | tr '\n' ' ')"
elif ! grep -q '^summary: .* ok$' "$tmp/f.out"; then
	bad "$name: forwarder summary: $(grep '^summary' "$tmp/f.out")"
elif [ "${got:-x}" != "$(rfield sent)" ]; then
	bad "$name: forwarder received ${got:-none}, replay handed memif $(rfield sent)"
elif ! awk -v m="${maxms:-0}" 'BEGIN{exit !(m >= 100)}'; then
	bad "$name: longest hiccup on lcore 1 is ${maxms:-none} ms, expected >= 100"
else
	ok "$name: received $got = sent by replay, hiccup max $maxms ms, replay TX calls short $(rfield tx_short), rate error $(rfield rate_err_pct) %"
fi

# ---- 2. 100 broken reloads under traffic ------------------------------
lw=flr$n
labels+=("$lw")
printf 'default allow\ndrop name udp proto udp\n' >"$tmp/fw.rules"
cat >"$tmp/fw.yaml" <<EOT
pipeline: { label: $lw, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1, 2: 1 } }
ports:
  cap: { dev: "net_pcap0,rx_pcap=$root/conf/demo.pcap,infinite_rx=1" }
  sink: { dev: "net_null0,copy=0" }
stages:
  - { name: rx, kind: input, port: cap, lcore: 1, idle: yield }
  - { name: fw, kind: firewall, rules: $tmp/fw.rules, lcore: 2, idle: yield }
  - { name: tx, kind: output, port: sink, lcore: 2, idle: yield }
EOT
env --default-signal=INT,TERM,HUP "$ffwd" "$tmp/fw.yaml" >"$tmp/w.out" 2>"$tmp/w.err" &
fpid=$!
# Reload only once it runs (SIGHUP before its handler is set would kill it).
for i in $(seq 300); do
	grep -q "pipeline '$lw' running" "$tmp/w.out" 2>/dev/null && break
	sleep 0.05
done
sleep 0.5
printf 'default allow\ndrop name udp proto udp\ndrop name bad proto udp dport 99999\n' >"$tmp/fw.rules"
for i in $(seq 100); do
	kill -HUP "$fpid"
	sleep 0.02
done
sleep 0.5
kill -INT "$fpid"
wait "$fpid"; frc=$?; fpid=
refused=$(grep -c "reload refused, old rules kept: .*fw.rules:3:" "$tmp/w.err")
name="100 broken reloads under traffic"
udp=$(sed -n 's/^path main: .* fw_rule=\([0-9]*\).*/\1/p' "$tmp/w.out")
if [ "$frc" != 0 ] || ! grep -q '^summary: .* ok$' "$tmp/w.out"; then
	bad "$name: exit $frc: $(tail -3 "$tmp/w.out" "$tmp/w.err" | tr '\n' ' ')"
elif [ "$refused" -lt 1 ]; then
	bad "$name: no reload refused with file:line:col: $(tail -2 "$tmp/w.err")"
elif grep -q 'rules reloaded' "$tmp/w.err"; then
	bad "$name: a broken file was taken: $(grep 'rules reloaded' "$tmp/w.err" | head -1)"
elif [ "${udp:-0}" -le 0 ]; then
	bad "$name: the old rules no longer drop UDP: $(grep '^path' "$tmp/w.out")"
else
	ok "$name: $refused refusals ($(grep -m1 -o 'fw.rules:3:[0-9]*: [^;]*' "$tmp/w.err")), old rules in force ($udp UDP dropped), $(grep '^path' "$tmp/w.out")"
fi

# ---- 3. the IDS's EVE file on a full 1 MiB tmpfs ----------------------
name="EVE on a 1 MiB tmpfs that fills up"
mnt=$tmp/tiny
mkdir -p "$mnt"
if mount -t tmpfs -o size=1m "ffwd-faults-$n" "$mnt" 2>"$tmp/mount.err"; then
	le=fle$n
	labels+=("$le")
	printf 'alert ip any any -> any any (msg:"every packet"; sid:9; rev:1;)\n' >"$tmp/all.rules"
	cat >"$tmp/eve.yaml" <<EOT
pipeline: { label: $le, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1 } }
ports:
  cap: { dev: "net_pcap0,rx_pcap=$root/conf/demo.pcap,infinite_rx=1" }
  sink: { dev: "net_null0,copy=0" }
stages:
  - { name: rx, kind: input, port: cap, lcore: 1 }
  - { name: ids, kind: ids, rules: $tmp/all.rules, eve: $mnt/eve.json, lcore: 1 }
  - { name: tx, kind: output, port: sink, lcore: 1 }
EOT
	timeout -s KILL 60 env --default-signal=INT,TERM "$ffwd" "$tmp/eve.yaml" --duration 3 >"$tmp/e.out" 2>"$tmp/e.err"
	frc=$?
	werr=$(sed -n 's/^eve   ids .* write_errors \([0-9]*\) .*/\1/p' "$tmp/e.out")
	sent=$(sed -n 's/^path main: received [0-9]* sent \([0-9]*\) .*/\1/p' "$tmp/e.out")
	size=$(stat -c %s "$mnt/eve.json" 2>/dev/null || echo 0)
	umount "$mnt"
	if [ "$frc" != 0 ] || ! grep -q '^summary: .* ok$' "$tmp/e.out"; then
		bad "$name: exit $frc: $(tail -3 "$tmp/e.out" | tr '\n' ' ')"
	elif [ "${werr:-0}" -le 0 ]; then
		bad "$name: no write error counted: $(grep '^eve' "$tmp/e.out")"
	elif [ "${sent:-0}" -le 100000 ]; then
		bad "$name: forwarding did not go on: $(grep '^path' "$tmp/e.out")"
	else
		ok "$name: file full at $size bytes, $werr records lost to write errors (counted), forwarding went on: $(grep '^path' "$tmp/e.out")"
	fi
else
	bad "$name: cannot mount a tmpfs (root needed): $(cat "$tmp/mount.err")"
fi

# ---- 4. the memif peer killed mid-stream, then a new one --------------
# The forwarder is the memif server here (a server takes the next client
# that connects); the replays are clients.
name="memif peer killed mid-stream, a new peer connects"
lk=flk$n
labels+=("$lk")
sed "s/label: $lf,/label: $lk,/; s|role=client,socket=$tmp/m.sock|role=server,socket=$tmp/k.sock|" \
	"$tmp/fwd.yaml" >"$tmp/k.yaml"
# pkts_in of stage rx, from the forwarder's telemetry
rx_in() {
	echo /ffwd/stages | dpdk-telemetry.py -f "$lk" 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys; t=sys.stdin.read(); print(json.loads(t[t.index("{"):])["/ffwd/stages"]["rx"]["pkts_in"])' 2>/dev/null
}
peer() {	# peer OUT ARGS...: a replay, memif client of the forwarder
	local out=$1
	shift
	env --default-signal=INT,TERM "$ffwd" replay "$tmp/64.pcap" \
		--port "net_memif0,role=client,socket=$tmp/k.sock,id=0,rsize=14" \
		--pps 200000 --start-delay 0.5 "$@" >"$out" 2>"$out.err" &
	rpid=$!
	labels+=("replay-$rpid")
}
env --default-signal=INT,TERM "$ffwd" "$tmp/k.yaml" --stats-interval 0 >"$tmp/k.out" 2>"$tmp/k.err" &
fpid=$!
for i in $(seq 100); do [ -S "$tmp/k.sock" ] && break; sleep 0.05; done
peer "$tmp/k1.out" --duration 30 --loop 0
sleep 3
before_kill=$(rx_in)
kill -KILL "$rpid"; wait "$rpid" 2>/dev/null; rpid=
down=0
for i in $(seq 100); do
	grep -q "port 'm': link down" "$tmp/k.err" && { down=1; break; }
	sleep 0.05
done
sleep 0.3
r1=$(rx_in)
peer "$tmp/r.out" --loop 1000
wait "$rpid"; rrc=$?; rpid=
sleep 0.5
r2=$(rx_in)
up=$(grep -c "port 'm': link up" "$tmp/k.err")
kill -INT "$fpid"
wait "$fpid"; frc=$?; fpid=
sent2=$(rfield sent)
if [ "$frc" != 0 ] || ! grep -q '^summary: .* ok$' "$tmp/k.out"; then
	bad "$name: forwarder exit $frc: $(tail -n 3 "$tmp/k.out" "$tmp/k.err" | tr '\n' ' ')"
elif [ "${before_kill:-0}" -le 0 ]; then
	bad "$name: nothing forwarded before the kill (rx ${before_kill:-no telemetry})"
elif [ "$down" != 1 ]; then
	bad "$name: no 'link down' said after the peer died: $(tail -n 3 "$tmp/k.err" | tr '\n' ' ')"
elif [ "$rrc" != 0 ] || [ -z "$sent2" ]; then
	bad "$name: the new peer failed (exit $rrc): $(tail -n 3 "$tmp/r.out.err" "$tmp/r.out" | tr '\n' ' ')"
elif [ "${up:-0}" -lt 1 ]; then
	bad "$name: no 'link up' after the new peer: $(tail -n 3 "$tmp/k.err" | tr '\n' ' ')"
elif [ -z "$r1" ] || [ -z "$r2" ] || [ $((r2 - r1)) != "$sent2" ]; then
	bad "$name: received ${r1:-?} at the kill, ${r2:-?} after the new peer, which handed memif $sent2"
elif ! grep -qE '^link +m +lost [1-9]' "$tmp/k.out"; then
	bad "$name: the exit report has no link loss: $(grep -E '^(link|port)' "$tmp/k.out" | tr '\n' ' ')"
else
	ok "$name: $r1 received before the kill, link down then up, $((r2 - r1)) = $sent2 from the new peer, $(grep -E '^link +m' "$tmp/k.out"), $(grep '^summary' "$tmp/k.out")"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
