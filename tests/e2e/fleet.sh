#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# fleet: one stage on several lcores.
#  - the order checker itself: pcapcmp --per-flow must fail on a capture
#    reordered within a flow, with a packet lost or added, and pass one
#    reordered only across flows;
#  - forward: many-flow captures (generated, and the corpus captures with
#    the most flows) through fleets of 2 and 3 replicas, in yield and spin
#    mode, and through a replicated fused run: exit 0, every packet
#    accounted for, pool full, per-flow order;
#  - placement: replicas count the flows they saw (the flowcount test
#    kind): over the replicas they add up to the capture's flows only if
#    both directions of every flow went to one replica; one flow both ways
#    goes to exactly one replica; IPv4 and IPv6 fragments of a datagram
#    land together;
#  - resize 1 -> 3 -> 2 -> 1 with `ffwdctl scale` under steady traffic (a
#    looped capture): nothing lost, per-flow order kept, every bucket
#    moved, the moves counted; `ffwdctl status` shows provisioned lcores
#    and speaks of the fleet; and again with a kind that hands its flow
#    state over (ops->handover): no flow counted twice;
#  - RSS: an input with rxq: 2 and rss: symmetric on net_null feeding 2
#    replicas: exact accounting, both queues polled; no resize;
#  - config errors with file:line:col.
#
#	tests/e2e/fleet.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

TESTKIND=$BUILD/tests/ffwd-testkind
CTL=$BUILD/control/ffwdctl
MKFLOWS=$ROOT/tests/fleet/mkflows.py
PY=/usr/bin/python3
for x in "$TESTKIND" "$CTL"; do
	if [ ! -x "$x" ]; then
		echo "fleet: $x is missing, build first" >&2
		exit 2
	fi
done

# Lcores 0..5 on the two CPUs: housekeeping 0, input 1, replicas 2..4,
# output 5.
fleet_pipeline()
{
	cat <<EOF
pipeline:
  label: $1
  housekeeping: 0
  memory: 512
  mbufs: 8191
  cpus: { 0: 0, 1: 0, 2: 1, 3: 0, 4: 1, 5: 1 }
EOF
}

# The stage line of a fleet of $2 replicas of kind $1 (rest of the
# mapping in $3), idle mode $4.
fleet_stage()
{
	local lc
	case $2 in
	1) lc="[2]" ;;
	2) lc="[2, 3]" ;;
	3) lc="[2, 3, 4]" ;;
	esac
	echo "  - { name: f, kind: $1, lcores: $lc, idle: $4$3 }"
}

# Per replica "in" counts of stage f/<r> from a run's stdout.
replica_in()
{
	sed -n "s/^stage f\/$2 .* in \([0-9][0-9]*\) .*/\1/p" "$1/out"
}

# Counter $3 of replica $2.
replica_ctr()
{
	sed -n "s/^stage f\/$2 .* $3 \([0-9][0-9]*\).*/\1/p" "$1/out"
}

# ---- the checker ----
gen=$TMP/gen
mkdir "$gen"
$PY "$MKFLOWS" "$gen/many.pcap" --flows 400 --seed 7
$PY "$MKFLOWS" "$gen/tcp.pcap" --flows 300 --seed 3 --only tcp
$PY "$MKFLOWS" "$gen/one.pcap" --only oneflow
$PY "$MKFLOWS" "$gen/frag.pcap" --flows 60 --only frag
$PY - "$gen" <<'EOF'
import sys
from scapy.all import rdpcap, wrpcap
from scapy.layers.inet import TCP
d = sys.argv[1]
p = list(rdpcap(d + "/tcp.pcap"))
key = lambda q: tuple(sorted([(q.payload.src, q[TCP].sport), (q.payload.dst, q[TCP].dport)]))
first = key(p[0])
same = [i for i in range(len(p)) if key(p[i]) == first]
# Two packets of one flow swapped: per-flow order broken.
a = list(p); i, j = same[0], same[1]; a[i], a[j] = a[j], a[i]
wrpcap(d + "/swap_in_flow.pcap", a)
# Two neighbours of different flows swapped: allowed.
b = list(p)
for k in range(len(b) - 1):
    if key(b[k]) != key(b[k + 1]):
        b[k], b[k + 1] = b[k + 1], b[k]
        break
wrpcap(d + "/swap_across.pcap", b)
wrpcap(d + "/lost.pcap", p[:same[2]] + p[same[2] + 1:])
wrpcap(d + "/added.pcap", p + [p[same[1]]])
# Looped twice, cut, with one packet of the second pass missing.
loop = p + p[:len(p) // 2]
wrpcap(d + "/loop_ok.pcap", loop)
del loop[len(p) + same[1]]
wrpcap(d + "/loop_gap.pcap", loop)
EOF
for c in swap_in_flow:1 swap_across:0 lost:1 added:1; do
	f=${c%%:*} want=${c##*:} rc=0
	"$PCAPCMP" --per-flow "$gen/tcp.pcap" "$gen/$f.pcap" >"$gen/cmp.out" 2>&1 || rc=$?
	if [ "$rc" = "$want" ]; then
		e2e_pass "checker: $f -> exit $rc"
	else
		e2e_fail "checker: $f" "pcapcmp --per-flow exit $rc, expected $want: $(cat "$gen/cmp.out")"
	fi
done
for c in loop_ok:0 loop_gap:1; do
	f=${c%%:*} want=${c##*:} rc=0
	"$PCAPCMP" --per-flow --loop "$gen/tcp.pcap" "$gen/$f.pcap" >"$gen/cmp.out" 2>&1 || rc=$?
	if [ "$rc" = "$want" ]; then
		e2e_pass "checker --loop: $f -> exit $rc"
	else
		e2e_fail "checker --loop: $f" "exit $rc, expected $want: $(cat "$gen/cmp.out")"
	fi
done

# ---- forward through fleets ----
# Corpus captures with the most flows (5..14), and the generated ones.
CAPTURES=(
	"$gen/many.pcap"
	"$CORPUS/pcaps/tcpdump/vrrp.pcap"
	"$CORPUS/pcaps/tcpdump/IGMP_V2.pcap"
	"$CORPUS/pcaps/tcpdump/eapon1.pcap"
	"$CORPUS/pcaps/tcpdump/kday3.pcap"
	"$CORPUS/pcaps/libpcap-filter/vxlan.pcap"
	"$CORPUS/pcaps/tcpdump/erspan-type-i-4.pcap"
	"$CORPUS/pcaps/tcpdump/802.1ad_QinQ.pcap"
)
for in in "${CAPTURES[@]}"; do
	n=$(e2e_count "$in")
	for mode in yield spin; do
		# Spin mode has five lcores spinning on two CPUs: the big
		# capture and two corpus ones are enough to show it.
		if [ "$mode" = spin ]; then
			case $in in */many.pcap | */vrrp.pcap | */eapon1.pcap) ;; *) continue ;; esac
		fi
		for r in 2 3; do
			name="forward $(basename "$in") x$r $mode"
			e2e_label fl
			label=$E2E_LABEL
			dir=$TMP/$label
			mkdir "$dir"
			out=$dir/out.pcap
			{
				fleet_pipeline "$label"
				cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$in" }
  out: { dev: "net_pcap1,tx_pcap=$out" }
stages:
  - { name: rx, kind: input, port: in, lcore: 1, idle: $mode }
$(fleet_stage fwd "$r" "" "$mode")
  - { name: tx, kind: output, port: out, lcore: 5, idle: $mode }
EOF
			} >"$dir/ffwd.yaml"
			e2e_run "$label" "$dir" -c "$dir/ffwd.yaml" --idle-exit 300 --link-wait 0
			if ! e2e_check_ok "$dir"; then
				e2e_fail "$name" "$E2E_WHY" "$dir"
			elif [ "$SUM_RX" -ne "$n" ] || [ "$SUM_TX" -ne "$n" ]; then
				e2e_fail "$name" "received $SUM_RX sent $SUM_TX, expected $n" "$dir"
			elif ! cmp_out=$("$PCAPCMP" --per-flow "$in" "$out" 2>&1); then
				e2e_fail "$name" "$cmp_out" "$dir"
			else
				spread=
				if [ "$in" = "$gen/many.pcap" ]; then
					for ((k = 0; k < r; k++)); do
						[ "$(replica_in "$dir" $k)" -gt 0 ] || spread="replica $k got nothing"
					done
				fi
				if [ -n "$spread" ]; then
					e2e_fail "$name" "$spread" "$dir"
				else
					e2e_pass "$name ($n packets; ${cmp_out#pcapcmp: })"
				fi
			fi
			e2e_drop_dir "$dir"
		done
	done
done

# ---- a fused run replicated ----
name="forward many.pcap through a fused run (fwd + work) x2"
e2e_label fu
label=$E2E_LABEL
dir=$TMP/$label
mkdir "$dir"
{
	fleet_pipeline "$label"
	cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$gen/many.pcap" }
  out: { dev: "net_pcap1,tx_pcap=$dir/out.pcap" }
stages:
  - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
  - { name: f, kind: fwd, lcores: [2, 3], idle: yield }
  - { name: g, kind: work, ns: 100, lcores: [2, 3], idle: yield }
  - { name: tx, kind: output, port: out, lcore: 5, idle: yield }
EOF
} >"$dir/ffwd.yaml"
e2e_run "$label" "$dir" -c "$dir/ffwd.yaml" --idle-exit 300 --link-wait 0
n=$(e2e_count "$gen/many.pcap")
g0=$(sed -n 's/^stage g\/0 .* in \([0-9]*\) .*/\1/p' "$dir/out")
g1=$(sed -n 's/^stage g\/1 .* in \([0-9]*\) .*/\1/p' "$dir/out")
if ! e2e_check_ok "$dir"; then
	e2e_fail "$name" "$E2E_WHY" "$dir"
elif [ "$SUM_TX" -ne "$n" ] || [ "$(replica_in "$dir" 0)" != "${g0:-x}" ] ||
	[ "$(replica_in "$dir" 1)" != "${g1:-x}" ] || [ $((g0 + g1)) -ne "$n" ]; then
	e2e_fail "$name" "sent $SUM_TX of $n; f/0 $(replica_in "$dir" 0) g/0 $g0 f/1 $(replica_in "$dir" 1) g/1 $g1: each replica's run must see its own packets" "$dir"
elif ! cmp_out=$("$PCAPCMP" --per-flow "$gen/many.pcap" "$dir/out.pcap" 2>&1); then
	e2e_fail "$name" "$cmp_out" "$dir"
else
	e2e_pass "$name: f/0+g/0 $g0, f/1+g/1 $g1; ${cmp_out#pcapcmp: }"
fi
e2e_drop_dir "$dir"

# ---- placement: flows counted by the replicas ----
# $1 name, $2 capture, $3 replicas; sets DIR
flowcount_run()
{
	e2e_label fc
	DIR=$TMP/$E2E_LABEL
	mkdir "$DIR"
	{
		fleet_pipeline "$E2E_LABEL"
		cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$2" }
  out: { dev: "net_pcap1,tx_pcap=$DIR/out.pcap" }
stages:
  - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
$(fleet_stage flowcount "$3" "" yield)
  - { name: tx, kind: output, port: out, lcore: 5, idle: yield }
EOF
	} >"$DIR/ffwd.yaml"
	E2E_LABELS+=("$E2E_LABEL")
	env --default-signal=INT,TERM "$TESTKIND" -c "$DIR/ffwd.yaml" --idle-exit 300 --link-wait 0 \
		>"$DIR/out" 2>"$DIR/err" &
	FFWD_PID=$!
	e2e_wait "$E2E_TIMEOUT"
	e2e_run_done "$E2E_LABEL"
}

# Sum of counter $2 over $3 replicas of run $1 in SUM; replicas with a
# nonzero count in NZ.
sum_ctr()
{
	local k v
	SUM=0
	NZ=0
	for ((k = 0; k < $3; k++)); do
		v=$(replica_ctr "$1" $k "$2")
		SUM=$((SUM + ${v:-0}))
		if [ "${v:-0}" -gt 0 ]; then NZ=$((NZ + 1)); fi
	done
}

for r in 1 3; do
	flowcount_run "tcp x$r" "$gen/tcp.pcap" $r
	if ! e2e_check_ok "$DIR"; then
		e2e_fail "flows: 300 TCP flows x$r" "$E2E_WHY" "$DIR"
		continue
	fi
	sum_ctr "$DIR" flows $r
	s=$SUM
	if [ "$s" -ne 300 ]; then
		e2e_fail "flows: 300 TCP flows x$r" "replicas counted $s flows in all, expected 300: a flow's directions were split" "$DIR"
	elif [ "$r" -gt 1 ] && [ "$NZ" -ne "$r" ]; then
		e2e_fail "flows: 300 TCP flows x$r" "only $NZ of $r replicas saw flows" "$DIR"
	elif ! cmp_out=$("$PCAPCMP" --per-flow "$gen/tcp.pcap" "$DIR/out.pcap" 2>&1); then
		e2e_fail "flows: 300 TCP flows x$r" "$cmp_out" "$DIR"
	else
		e2e_pass "flows: 300 TCP flows x$r: both directions of each on one replica ($(for ((k = 0; k < r; k++)); do printf '%s ' "$(replica_ctr "$DIR" $k flows)"; done))"
	fi
done

flowcount_run "one flow" "$gen/one.pcap" 3
n=$(e2e_count "$gen/one.pcap")
if ! e2e_check_ok "$DIR"; then
	e2e_fail "one TCP flow, both directions" "$E2E_WHY" "$DIR"
else
	got=
	for k in 0 1 2; do
		v=$(replica_in "$DIR" $k)
		if [ "${v:-0}" -gt 0 ]; then got="$got $k:$v"; fi
	done
	sum_ctr "$DIR" flows 3
	s=$SUM
	if [ "$(echo "$got" | wc -w)" -ne 1 ] || [ "${got#*:}" -ne "$n" ] || [ "$s" -ne 1 ]; then
		e2e_fail "one TCP flow, both directions" "replicas with packets:$got (of $n), flows counted $s; expected one replica with all $n and 1 flow" "$DIR"
	else
		e2e_pass "one TCP flow, both directions: all $n packets on replica${got%%:*}"
	fi
fi

flowcount_run "fragments" "$gen/frag.pcap" 3
if ! e2e_check_ok "$DIR"; then
	e2e_fail "IPv4 and IPv6 fragments" "$E2E_WHY" "$DIR"
else
	sum_ctr "$DIR" datagrams 3
	s=$SUM
	if [ "$s" -ne 60 ] || [ "$NZ" -lt 2 ]; then
		e2e_fail "IPv4 and IPv6 fragments" "replicas counted $s datagrams ($NZ replicas), expected 60 on 2+ replicas: a datagram's fragments were split" "$DIR"
	elif ! cmp_out=$("$PCAPCMP" --per-flow "$gen/frag.pcap" "$DIR/out.pcap" 2>&1); then
		e2e_fail "IPv4 and IPv6 fragments" "$cmp_out" "$DIR"
	else
		e2e_pass "IPv4 and IPv6 fragments: 30 + 30 datagrams, each whole on one replica of 3, in order"
	fi
fi

# ---- resize under traffic ----
name="scale 1 -> 3 -> 2 -> 1 under looped traffic"
e2e_label sc
label=$E2E_LABEL
dir=$TMP/$label
mkdir "$dir"
{
	fleet_pipeline "$label"
	cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$gen/many.pcap,infinite_rx=1" }
  out: { dev: "net_pcap1,tx_pcap=$dir/out.pcap" }
stages:
  - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
  - { name: f, kind: work, ns: 20000, lcores: [2, 3, 4], replicas: 1, idle: yield }
  - { name: tx, kind: output, port: out, lcore: 5, idle: yield }
EOF
} >"$dir/ffwd.yaml"
E2E_LABELS+=("$label")
e2e_start "$dir/out" "$dir/err" -c "$dir/ffwd.yaml" --link-wait 0
why=
ok_ctl()
{
	local i
	# The telemetry socket shows up once EAL is up.
	for ((i = 0; i < 100; i++)); do
		"$CTL" list 2>/dev/null | grep -q "^$label " && return 0
		sleep 0.1
	done
	return 1
}
if ! ok_ctl; then
	why="pipeline never answered ffwdctl"
else
	sleep 0.5
	"$CTL" status "$label" --interval 0.3 >"$dir/status1" 2>&1 || why="status failed"
	for step in 3:170 2:85 1:128; do
		[ -z "$why" ] || break
		n=${step%%:*} moved=${step##*:}
		if ! "$CTL" scale "$label" f "$n" >"$dir/scale$n" 2>&1; then
			why="ffwdctl scale $n failed: $(cat "$dir/scale$n")"
		elif ! grep -q "^fleet f: $n of 3 replicas active .*; $moved buckets moved" "$dir/scale$n"; then
			why="ffwdctl scale $n said: $(cat "$dir/scale$n"), expected $n of 3 active and $moved buckets moved"
		fi
		[ "$n" = 3 ] && "$CTL" status "$label" --interval 0.3 >"$dir/status3" 2>&1
		sleep 0.4
	done
	if [ -z "$why" ]; then
		"$CTL" scale "$label" f 4 >"$dir/scale4" 2>&1 && why="scale to 4 of 3 reserved was accepted"
	fi
fi
e2e_stop_ffwd
E2E_RC=0
wait 2>/dev/null || true
e2e_run_done "$label"
if [ -n "$why" ]; then
	e2e_fail "$name" "$why" "$dir"
elif ! grep -q " ok$" <(grep '^summary:' "$dir/out"); then
	e2e_fail "$name" "summary: $(grep '^summary:' "$dir/out")" "$dir"
elif ! e2e_summary "$dir" || [ "$SUM_RX" -ne "$SUM_TX" ] || [ "$SUM_DROP" -ne 0 ] ||
	[ "$SUM_AVAIL" -ne "$SUM_SIZE" ] || [ "$SUM_RX" -lt 1000 ]; then
	e2e_fail "$name" "received $SUM_RX sent $SUM_TX dropped $SUM_DROP pool $SUM_AVAIL/$SUM_SIZE: expected no loss, 1000+ packets" "$dir"
elif ! grep -q "^fleet f: 3 replicas reserved, 1 active.* moves 383 resizes 3 " "$dir/out"; then
	e2e_fail "$name" "report: $(grep '^fleet f:' "$dir/out"), expected 383 moves (170 + 85 + 128) in 3 resizes, 1 active" "$dir"
elif ! grep -q "^fleet f replica 0: lcore 2 active buckets 256 " "$dir/out" ||
	! grep -q "^fleet f replica 1: lcore 3 parked buckets 0 packets [1-9]" "$dir/out" ||
	! grep -q "^fleet f replica 2: lcore 4 parked buckets 0 packets [1-9]" "$dir/out"; then
	e2e_fail "$name" "replicas: $(grep '^fleet f replica' "$dir/out" | tr '\n' ';')" "$dir"
elif ! grep -q "fleet f: 3 lcores provisioned, 1 allocated" "$dir/status1" ||
	! grep -q "provisioned" "$dir/status1" || ! grep -q "fleet f: 3 lcores provisioned, 3 allocated" "$dir/status3"; then
	e2e_fail "$name" "status did not show 3 provisioned with 1 then 3 allocated" "$dir"
elif ! grep -q "fleet f ([13] replicas\?) is the bottleneck" "$dir/status1" "$dir/status3"; then
	e2e_fail "$name" "no fleet verdict in status: $(grep -A9 verdict "$dir/status3")" "$dir"
elif ! cmp_out=$("$PCAPCMP" --per-flow --loop "$gen/many.pcap" "$dir/out.pcap" 2>&1); then
	e2e_fail "$name" "$cmp_out" "$dir"
else
	e2e_pass "$name: $SUM_RX packets, none lost, 383 buckets moved; ${cmp_out#pcapcmp: }"
fi
e2e_drop_dir "$dir"

# ---- resize with flow state handed over (ops->handover) ----
# flowcount keeps its flows per bucket and hands moved buckets over: over
# a resize the replicas still count each of the 300 flows once. Without
# the hook the new replica would count the moved flows again.
name="scale with handover: flow state moves with its buckets"
e2e_label ho
label=$E2E_LABEL
dir=$TMP/$label
mkdir "$dir"
{
	fleet_pipeline "$label"
	cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$gen/tcp.pcap,infinite_rx=1" }
  out: { dev: "net_null1" }
stages:
  - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
  - { name: f, kind: flowcount, lcores: [2, 3, 4], replicas: 1, idle: yield }
  - { name: tx, kind: output, port: out, lcore: 5, idle: yield }
EOF
} >"$dir/ffwd.yaml"
E2E_LABELS+=("$label")
env --default-signal=INT,TERM "$TESTKIND" -c "$dir/ffwd.yaml" --link-wait 0 >"$dir/out" 2>"$dir/err" &
FFWD_PID=$!
why=
if ! ok_ctl; then
	why="pipeline never answered ffwdctl"
else
	sleep 0.3
	for n in 3 2 1; do
		"$CTL" scale "$label" f "$n" >"$dir/scale$n" 2>&1 || why="scale $n: $(cat "$dir/scale$n")"
		sleep 0.3
	done
fi
e2e_stop_ffwd
e2e_run_done "$label"
E2E_RC=0
sum_ctr "$dir" flows 3
if [ -n "$why" ]; then
	e2e_fail "$name" "$why" "$dir"
elif ! grep -q "^summary: .* ok$" "$dir/out"; then
	e2e_fail "$name" "summary: $(grep '^summary:' "$dir/out")" "$dir"
elif ! grep -q "^fleet f: .* moves 383 resizes 3 state_dropped 0 state_handed 383 " "$dir/out"; then
	e2e_fail "$name" "report: $(grep '^fleet f:' "$dir/out"), expected 383 moves, all handed over" "$dir"
elif [ "$SUM" -ne 300 ]; then
	e2e_fail "$name" "replicas counted $SUM flows in all, expected 300: moved flows counted again" "$dir"
else
	e2e_pass "$name: 383 buckets handed over, 300 flows counted once"
fi
e2e_drop_dir "$dir"

# ---- RSS ----
name="rss: rxq 2 on net_null feeding 2 replicas"
e2e_label rs
label=$E2E_LABEL
dir=$TMP/$label
mkdir "$dir"
{
	fleet_pipeline "$label"
	cat <<EOF
ports:
  in: { dev: "net_null0,copy=0", rxq: 2, rss: symmetric }
  out: { dev: "net_null1" }
stages:
  - { name: rx, kind: input, port: in, lcore: 2, idle: yield }
  - { name: f, kind: fwd, lcores: [2, 3], idle: yield }
  - { name: tx, kind: output, port: out, lcore: 5, idle: yield }
EOF
} >"$dir/ffwd.yaml"
e2e_run "$label" "$dir" -c "$dir/ffwd.yaml" --duration 1 --link-wait 0
if ! e2e_check_ok "$dir"; then
	e2e_fail "$name" "$E2E_WHY" "$dir"
else
	q0=$(sed -n 's/^stage rx\/0 .* in \([0-9]*\) .*/\1/p' "$dir/out")
	q1=$(sed -n 's/^stage rx\/1 .* in \([0-9]*\) .*/\1/p' "$dir/out")
	if [ "${q0:-0}" -eq 0 ] || [ "${q1:-0}" -eq 0 ] || [ "$SUM_RX" -ne $((q0 + q1)) ] ||
		[ "$SUM_TX" -ne "$SUM_RX" ]; then
		e2e_fail "$name" "queue 0 $q0 queue 1 $q1 received $SUM_RX sent $SUM_TX" "$dir"
	else
		e2e_pass "$name: queue 0 $q0 + queue 1 $q1 = received $SUM_RX = sent"
	fi
fi
e2e_drop_dir "$dir"

# ---- config errors ----
bad_conf()
{
	local what=$1 want=$2 dir rc=0
	e2e_label ce
	dir=$TMP/$E2E_LABEL
	mkdir "$dir"
	{ fleet_pipeline "$E2E_LABEL"; cat; } >"$dir/ffwd.yaml"
	"$FFWD" --check "$dir/ffwd.yaml" >"$dir/out" 2>"$dir/err" || rc=$?
	# The pipeline block is 6 lines: ports from line 7, stages from 11.
	if [ "$rc" -eq 2 ] && grep -q "^$dir/ffwd.yaml:$want" "$dir/err"; then
		e2e_pass "config: $what ($(sed "s|^$dir/||" "$dir/err"))"
	else
		e2e_fail "config: $what" "exit $rc: $(cat "$dir/err"), expected 2 and ffwd.yaml:$want"
	fi
}
bad_conf "replicas on an input" "11:60: stage 'rx': replicas is given on an input stage" <<EOF
ports:
  in: { dev: "net_null0" }
  out: { dev: "net_null1" }
stages:
  - { name: rx, kind: input, port: in, lcore: 1, replicas: 2 }
  - { name: tx, kind: output, port: out, lcore: 5 }
EOF
bad_conf "lcores on an output" "12:50: stage 'tx': lcores is given on an output stage" <<EOF
ports:
  in: { dev: "net_null0" }
  out: { dev: "net_null1" }
stages:
  - { name: rx, kind: input, port: in, lcore: 1 }
  - { name: tx, kind: output, port: out, lcores: [4, 5] }
EOF
bad_conf "more replicas than lcores" "12:53: stage 'f': replicas is 3 but lcores reserves 2" <<EOF
ports:
  in: { dev: "net_null0" }
  out: { dev: "net_null1" }
stages:
  - { name: rx, kind: input, port: in, lcore: 1 }
  - { name: f, kind: fwd, lcores: [2, 3], replicas: 3 }
  - { name: tx, kind: output, port: out, lcore: 5 }
EOF
bad_conf "rss on a pcap port" "8:55: port 'in': rss is symmetric, but net_pcap computes no RSS hash" <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=x.pcap", rxq: 2, rss: symmetric }
  out: { dev: "net_null1" }
stages:
  - { name: rx, kind: input, port: in, lcore: 2 }
  - { name: f, kind: fwd, lcores: [2, 3] }
  - { name: tx, kind: output, port: out, lcore: 5 }
EOF

e2e_finish
