#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# replay_mq: `ffwd replay` dealt over several ports (--port given N times:
# packet i out of port i mod N, each port with its own TX lcore, one
# schedule over all of them).
#
#	tests/e2e/replay_mq.sh [BUILD_DIR]	(from the repository root)
#
# Cases:
#  - deal/N-ports: a corpus capture with --loop 2 --topspeed to N net_pcap
#    writers (N = 2 and 3, the capture's packet count not a multiple of
#    3): each file holds exactly the packets dealt to it, in order, twice
#    (pcapcmp against the share cut from the input with scapy), and the
#    files together hold every packet twice.
#  - rate/2-ports: --pps 100000 for 2 s over two net_null ports: the total
#    rate error within +-0.5 % (the tolerance of replay.sh's rate case),
#    each port carrying half of what was sent, +-1 %: what is due by the
#    end is the same for both, but the end may find one TX lcore behind
#    (a shared machine) with what is late held and never sent.
#  - schedule/2-ports: --pps 100 for 2 s to two net_pcap writers, which
#    stamp each packet at TX (on EAL's rounded TSC rate: corrected by the
#    replay's measured one). Packet i is due at T0 + 10 i ms whichever
#    port sends it; the pacer never sends early, only late (a shared
#    machine's other work can keep a TX lcore milliseconds behind). So
#    with T0 the earliest of stamp - 10 i ms over all packets, each port
#    must have sent some packet within 1 ms of its time: a port whose
#    schedule were its own (no lead, or its own start) would be 10 ms
#    early, or late in every packet.
#  - args/*: an --lcore list of the wrong length or with a bad CPU, more
#    than 8 ports, --stream over 2 ports, and more ports than packets:
#    exit 2 with a message saying so. yaml/*: the capture's every/from
#    keys refused with file:line:col.
#  - af_xdp/2-queues: a veth pair of 2 TX/RX queues, one end in a
#    namespace made here (named mq-...): net_af_xdp0 on queue 0 and
#    net_af_xdp1 on queue 1 of the same interface; the peer's rx_packets
#    equals what was sent, and each vdev sent its share. Skipped, and
#    counted so, where the kernel refuses AF_XDP sockets or there is no
#    root.
set -uo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

PY=/usr/bin/python3
CORPUS=${FFWD_CORPUS:-$ROOT/../shared/corpus}
if [ ! -x "$FFWD" ] || [ ! -x "$PCAPCMP" ]; then
	echo "replay_mq: $FFWD or $PCAPCMP is missing (build first)" >&2
	exit 2
fi
if [ ! -d "$CORPUS/pcaps" ]; then
	echo "replay_mq: SKIP: no corpus at $CORPUS (set FFWD_CORPUS)" >&2
	exit 77
fi
CAP=$CORPUS/pcaps/tcpdump/vrrp.pcap	# 165 packets: 165 mod 2 = 1, mod 3 = 0
CAP3=$CORPUS/pcaps/tcpdump/eapon1.pcap

N=$(($$ % 10000))
NS=mq-ns$N
VA=mq-a$N VB=mq-b$N
RPID=
net_cleanup()
{
	if [ -n "$RPID" ] && kill -0 "$RPID" 2>/dev/null; then
		kill -KILL "$RPID" 2>/dev/null
		wait "$RPID" 2>/dev/null
		rm -rf "/var/run/dpdk/replay-$RPID"
	fi
	ip link del "$VA" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
}
trap 'net_cleanup; e2e_cleanup' EXIT

# run DIR ARGS...: one replay, stdout in DIR/out, stderr in DIR/err, exit
# status in RC.
run()
{
	local dir=$1

	shift
	mkdir -p "$dir"
	env --default-signal=INT,TERM timeout -s KILL "$E2E_TIMEOUT" \
		"$FFWD" replay "$@" >"$dir/out" 2>"$dir/err" &
	RPID=$!
	RC=0
	wait "$RPID" || RC=$?
	RPID=
}

# field DIR KEY: a field of the run's "replay: key=value ..." line.
field()
{
	sed -n "s/^replay: .*[ ]$2=\([^ ]*\).*/\1/p" "$1/out" | tail -n1
}
port_field()
{
	grep "^replay-port: port=$2 " "$1/out" | tail -n1 | tr ' ' '\n' |
		sed -n "s/^$3=//p"
}

not_ok()
{
	if [ "$RC" -ne 0 ]; then
		echo "exit $RC, expected 0"
	elif grep -qE 'Segmentation|AddressSanitizer|runtime error:' "$1/out" "$1/err"; then
		echo "crash report"
	elif [ "$(field "$1" status)" != ok ]; then
		echo "status '$(field "$1" status)', expected ok (pool $(field "$1" pool))"
	fi
}

holds()
{
	"$PY" -c "import sys; sys.exit(0 if ($1) else 1)"
}

# share IN OUT K N LOOPS: packets K, K+N, ... of IN, LOOPS times over.
share()
{
	"$PY" - "$@" <<'EOF'
import sys
from scapy.all import rdpcap, wrpcap
src, dst, k, n, loops = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
pk = list(rdpcap(src))[k::n]
wrpcap(dst, pk * loops)
EOF
} 2>/dev/null

# ---- deal: every packet out of its port, in order -----------------------

want_all=$(($(e2e_count "$CAP") * 2))
for n in 2 3; do
	dir=$TMP/deal$n
	args=()
	for ((k = 0; k < n; k++)); do
		args+=(--port "net_pcap$k,tx_pcap=$dir/o$k.pcap")
	done
	run "$dir" "$CAP" "${args[@]}" --loop 2 --topspeed
	why=$(not_ok "$dir")
	total=0
	for ((k = 0; k < n; k++)); do
		[ -z "$why" ] || break
		if ! share "$CAP" "$dir/want$k.pcap" "$k" "$n" 2; then
			why="cannot cut share $k with scapy"
			break
		fi
		if ! c=$("$PCAPCMP" "$dir/want$k.pcap" "$dir/o$k.pcap" 2>&1); then
			why="port $k: $c"
			break
		fi
		total=$((total + $(e2e_count "$dir/o$k.pcap")))
	done
	if [ -n "$why" ]; then
		e2e_fail "deal/$n-ports" "$why" "$dir"
	elif [ "$total" -ne "$want_all" ] || [ "$(field "$dir" sent)" != "$want_all" ]; then
		e2e_fail "deal/$n-ports" "files hold $total packets, sent=$(field "$dir" sent), expected $want_all"
	else
		e2e_pass "deal/$n-ports ($want_all packets, each port's share in order, twice)"
	fi
done

# --timing over two ports (at 1000 times the capture's speed): the same
# deal, each port's share in order.
dir=$TMP/deal-timing
run "$dir" "$CAP3" --port "net_pcap0,tx_pcap=$dir/o0.pcap" \
	--port "net_pcap1,tx_pcap=$dir/o1.pcap" --timing --speed 1000
why=$(not_ok "$dir")
if [ -z "$why" ]; then
	for k in 0 1; do
		share "$CAP3" "$dir/want$k.pcap" "$k" 2 1
		c=$("$PCAPCMP" "$dir/want$k.pcap" "$dir/o$k.pcap" 2>&1) || why="port $k: $c"
	done
fi
if [ -n "$why" ]; then
	e2e_fail deal/timing "$why" "$dir"
else
	e2e_pass "deal/timing ($(field "$dir" sent) packets at speed 1000, rate error $(field "$dir" rate_err_pct) %)"
fi

# ---- rate: the total is what was asked ----------------------------------

"$PY" - "$TMP/64.pcap" 2>/dev/null <<'EOF'
import sys
from scapy.all import Ether, IP, UDP, Raw, wrpcap
wrpcap(sys.argv[1], [Ether() / IP(dst="10.0.0.%d" % (i % 250 + 1)) / UDP() / Raw(b"\0" * 22)
                     for i in range(1000)])
EOF
dir=$TMP/rate
run "$dir" "$TMP/64.pcap" --port net_null0 --port net_null1 --pps 100000 --duration 2 --loop 0
why=$(not_ok "$dir")
err=$(field "$dir" rate_err_pct)
sent=$(field "$dir" sent)
s0=$(port_field "$dir" 0 sent)
s1=$(port_field "$dir" 1 sent)
if [ -n "$why" ]; then
	e2e_fail rate/2-ports "$why" "$dir"
elif [ "$(field "$dir" ports)" != 2 ] || [ -z "$s0" ] || [ -z "$s1" ]; then
	e2e_fail rate/2-ports "no ports=2 or no per-port lines: $(tail -1 "$dir/out")"
elif ! holds "$err >= -0.5 and $err <= 0.5"; then
	e2e_fail rate/2-ports "total rate error $err %"
elif ! holds "$sent >= 196000 and $sent <= 200000 and $s0 + $s1 == $sent and abs($s0 - $s1) <= $sent / 100"; then
	e2e_fail rate/2-ports "sent $sent ($s0 + $s1) in 2 s, expected 196000..200000 split in halves"
else
	e2e_pass "rate/2-ports (error $err %, sent $sent = $s0 + $s1, dep p99 $(field "$dir" dep_p99_us) us)"
fi

# --mbps over two ports: the bits of every packet before this one, on
# either port: 1000 Mbit/s with the IFG of 64-byte frames is 1,488,095 pps
# in all, +-0.5 % (replay.sh's linerate case).
dir=$TMP/linerate
run "$dir" "$TMP/64.pcap" --port net_null0 --port net_null1 --mbps 1000 --ifg --duration 1 --loop 0
why=$(not_ok "$dir")
pps=$(field "$dir" pps)
if [ -n "$why" ]; then
	e2e_fail linerate/2-ports "$why" "$dir"
elif ! holds "$pps >= 1488095 * 0.995 and $pps <= 1488095 * 1.005"; then
	e2e_fail linerate/2-ports "$pps pps in all, expected 1488095 +-0.5 %"
else
	e2e_pass "linerate/2-ports ($pps pps in all, $(port_field "$dir" 0 pps) + $(port_field "$dir" 1 pps), error $(field "$dir" rate_err_pct) %)"
fi

# ---- schedule: one schedule over both ports -----------------------------

dir=$TMP/sched
run "$dir" "$TMP/64.pcap" --port "net_pcap0,tx_pcap=$dir/o0.pcap" \
	--port "net_pcap1,tx_pcap=$dir/o1.pcap" --pps 100 --duration 2 --loop 1
why=$(not_ok "$dir")
if [ -z "$why" ]; then
	why=$("$PY" - "$dir/o0.pcap" "$dir/o1.pcap" "$(field "$dir" eal_mhz)" \
		"$(field "$dir" tsc_mhz)" 2>/dev/null <<'EOF'
import statistics, sys
from scapy.all import rdpcap
scale = float(sys.argv[3]) / float(sys.argv[4])
ts = []
for k, f in enumerate(sys.argv[1:3]):
    for j, p in enumerate(rdpcap(f)):
        ts.append((k, j * 2 + k, float(p.time)))   # packet i = j * 2 + k
first = min(t for k, i, t in ts)
off = [(k, (t - first) * scale - i / 100.0) for k, i, t in ts]
t0 = min(o for k, o in off)
late = [min(o for kk, o in off if kk == k) - t0 for k in (0, 1)]
med = [statistics.median(o for kk, o in off if kk == k) - t0 for k in (0, 1)]
if sorted(i for k, i, t in ts) != list(range(200)):
    print("%d packets, expected 0..199" % len(ts))
elif max(late) > 0.001:
    print("earliest packet of port 0 %.1f us, port 1 %.1f us after its time" % (late[0] * 1e6, late[1] * 1e6))
else:
    print("OK medians %.1f, %.1f us late" % (med[0] * 1e6, med[1] * 1e6))
EOF
)
	case $why in OK*) sched=${why#OK }; why= ;; esac
fi
if [ -n "$why" ]; then
	e2e_fail schedule/2-ports "$why" "$dir"
else
	e2e_pass "schedule/2-ports (packet i at 10 i ms on either port: $sched; rate error $(field "$dir" rate_err_pct) %)"
fi

# The same deal written as YAML: two paths, each a capture's share into a
# shared output of its own, on two lcores; each file holds its share, ten
# times, and each output ran at about half the schedule's 2000 pps.
dir=$TMP/yaml-deal
mkdir -p "$dir"
e2e_label mq
{
	e2e_cfg_pipeline "$E2E_LABEL" "0: 0, 1: 1, 2: 0"
	cat <<EOF
ports:
  o0: { dev: "net_pcap0,tx_pcap=$dir/o0.pcap" }
  o1: { dev: "net_pcap1,tx_pcap=$dir/o1.pcap" }
paths:
  - name: even
    stages:
      - { name: c0, kind: capture, lcore: 1, file: "$CAP", loop: 10, every: 2, from: 0 }
      - { name: t0, kind: output, port: o0, lcore: 1, pps: 2000, shared: true }
  - name: odd
    stages:
      - { name: c1, kind: capture, lcore: 2, file: "$CAP", loop: 10, every: 2, from: 1 }
      - { name: t1, kind: output, port: o1, lcore: 2, pps: 2000, shared: true }
EOF
} >"$dir/p.yaml"
e2e_run "$E2E_LABEL" "$dir" "$dir/p.yaml"
why=
if [ "$E2E_RC" -ne 0 ]; then
	why="exit $E2E_RC"
else
	for k in 0 1; do
		share "$CAP" "$dir/want$k.pcap" "$k" 2 10
		c=$("$PCAPCMP" "$dir/want$k.pcap" "$dir/o$k.pcap" 2>&1) || why="share $k: $c"
	done
fi
if [ -n "$why" ]; then
	e2e_fail yaml/deal "$why" "$dir"
elif got=$(sed -n 's/^pace  t0 .*a share of one schedule at 2000 pps: achieved \([0-9.]*\) pps.*/\1/p' "$dir/out") &&
	{ [ -z "$got" ] || ! holds "$got > 900 and $got < 1100"; }; then
	# half of 2000 pps, loosely: the point is the deal in YAML
	e2e_fail yaml/deal "no pace line of t0 at about 1000 pps: $(grep '^pace  t0' "$dir/out" | head -n1)"
else
	e2e_pass "yaml/deal (each path's file holds its share; $(grep -o 'achieved [0-9.]* pps' "$dir/out" | head -n1) on t0)"
fi

# ---- bad command lines, bad keys ----------------------------------------

refused()
{
	local name=$1 msg=$2

	shift 2
	run "$TMP/args-$name" "$@"
	if [ "$RC" -ne 2 ] || ! grep -qF -- "$msg" "$TMP/args-$name/err"; then
		e2e_fail "args/$name" "exit $RC, expected 2 with '$msg': $(head -c 300 "$TMP/args-$name/err")"
	else
		e2e_pass "args/$name ($(head -n1 "$TMP/args-$name/err" | cut -c1-100))"
	fi
}
refused lcore-short "--lcore gives 1 CPU for 2 --port" "$CAP" --port net_null0 --port net_null1 --lcore 1 --topspeed
refused lcore-long "--lcore gives 3 CPUs for 2 --port" "$CAP" --port net_null0 --port net_null1 --lcore 1,0,1 --topspeed
refused lcore-bad "bad value '1,x' for --lcore" "$CAP" --port net_null0 --port net_null1 --lcore 1,x --topspeed
refused lcore-empty "bad value '1,' for --lcore" "$CAP" --port net_null0 --port net_null1 --lcore 1, --topspeed
many=()
for k in $(seq 0 8); do many+=(--port "net_null$k"); done
refused nine-ports "more than 8 --port given" "$CAP" "${many[@]}" --topspeed
refused stream "--stream goes with one --port only" "$CAP" --port net_null0 --port net_null1 --stream --topspeed
# A 2-packet capture over 3 ports: the third gets nothing.
"$PY" - "$TMP/two.pcap" 2>/dev/null <<'EOF'
import sys
from scapy.all import Ether, IP, UDP, wrpcap
wrpcap(sys.argv[1], [Ether() / IP() / UDP(), Ether() / IP() / UDP()])
EOF
refused more-ports-than-packets "deals none of them" "$TMP/two.pcap" --port net_null0 \
	--port net_null1 --port net_null2 --topspeed

# The keys in YAML: from below every, every 1..64, not with stream.
yaml_refused()
{
	local name=$1 keys=$2 msg=$3 out=${4:-pps: 10} dir=$TMP/yaml-$1

	mkdir -p "$dir"
	e2e_label mq
	{
		e2e_cfg_pipeline "$E2E_LABEL" "0: 0, 1: 1"
		cat <<EOF
ports:
  o: { dev: "net_null0" }
stages:
  - { name: cap, kind: capture, lcore: 1, file: "$CAP",
      $keys }
  - { name: tx, kind: output, port: o, lcore: 1, $out }
EOF
	} >"$dir/p.yaml"
	e2e_run "$E2E_LABEL" "$dir" --check "$dir/p.yaml"
	if [ "$E2E_RC" -ne 2 ] || ! grep -qE "p\.yaml:[0-9]+:[0-9]+: .*$msg" "$dir/err"; then
		e2e_fail "yaml/$name" "exit $E2E_RC, expected 2 with file:line:col and '$msg': $(head -c 300 "$dir/err")"
	else
		e2e_pass "yaml/$name ($(grep -oE 'p\.yaml:[0-9]+:[0-9]+: .*' "$dir/err" | head -n1 | cut -c1-90))"
	fi
}
yaml_refused from-too-big "every: 2, from: 2" "from is 2, expected 0..1"
yaml_refused every-zero "every: 0" "every"
yaml_refused every-65 "every: 65" "every"
yaml_refused every-stream "every: 2, stream: true" "every is given with stream"
yaml_refused shared-unpaced "every: 2, from: 1" "shared is given without pacing" "shared: true"

# ---- af_xdp: two vdevs, one per queue of a 2-queue veth -----------------

xdp_probe()
{
	"$PY" -c 'import socket; socket.socket(44, socket.SOCK_RAW).close()' 2>&1
}

if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
	e2e_skip af_xdp/2-queues "needs root and iproute2"
elif ! ip netns add "$NS" 2>/dev/null ||
	! ip link add "$VA" numtxqueues 2 numrxqueues 2 type veth peer name "$VB" \
		numtxqueues 2 numrxqueues 2 ||
	! ip link set "$VB" netns "$NS" ||
	! sysctl -qw "net.ipv6.conf.$VA.disable_ipv6=1" ||
	! ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$VB.disable_ipv6=1" ||
	! ip link set "$VA" up || ! ip -n "$NS" link set "$VB" up; then
	e2e_fail af_xdp/2-queues "cannot make a 2-queue veth pair $VA/$VB in $NS"
elif ! why=$(xdp_probe); then
	e2e_skip af_xdp/2-queues "the kernel refuses AF_XDP sockets here: ${why##*$'\n'}"
else
	sleep 0.5
	dir=$TMP/xdp
	loops=20
	before=$(ip netns exec "$NS" cat "/sys/class/net/$VB/statistics/rx_packets")
	run "$dir" "$CAP" --pps 20000 --loop "$loops" \
		--port "net_af_xdp0,iface=$VA,start_queue=0,queue_count=1" \
		--port "net_af_xdp1,iface=$VA,start_queue=1,queue_count=1"
	sleep 0.5
	got=$(($(ip netns exec "$NS" cat "/sys/class/net/$VB/statistics/rx_packets") - before))
	want=$(($(e2e_count "$CAP") * loops))
	w0=$((($(e2e_count "$CAP") + 1) / 2 * loops))	# packets 0, 2, ...
	why=$(not_ok "$dir")
	s0=$(port_field "$dir" 0 sent)
	s1=$(port_field "$dir" 1 sent)
	if [ -n "$why" ] && grep -qiE "Failed to (configure|create) xdp socket|xsk|Operation not supported" "$dir/err" &&
		[ "$(field "$dir" sent)" = "" ]; then
		e2e_skip af_xdp/2-queues "the kernel refused the XDP sockets: $(grep -iE 'xdp' "$dir/err" | head -n1)"
	elif [ -n "$why" ]; then
		e2e_fail af_xdp/2-queues "$why" "$dir"
	elif [ "$(field "$dir" sent)" != "$want" ]; then
		e2e_fail af_xdp/2-queues "sent=$(field "$dir" sent), expected $want"
	elif [ "$got" -ne "$want" ]; then
		e2e_fail af_xdp/2-queues "peer $VB received $got packets, expected $want"
	elif [ "$s0" != "$w0" ] || [ "$s1" != $((want - w0)) ]; then
		e2e_fail af_xdp/2-queues "queues sent $s0 + $s1, expected $w0 + $((want - w0))"
	else
		e2e_pass "af_xdp/2-queues ($want sent, $s0 on queue 0 + $s1 on queue 1, $got arrived at $VB)"
	fi
fi
net_cleanup

e2e_finish
