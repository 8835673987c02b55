#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# af_xdp: net_af_xdp ports on veth pairs whose far ends sit in a network
# namespace this test makes (ports-xN) and removes.
#   1. ffwd replay of a corpus capture out of an AF_XDP port: it arrives
#      whole at the peer, counted on the peer interface (rx_packets) and
#      captured there by tcpdump, packet for packet equal to the capture.
#      A second run with the capture source's own pool (--loop 40, a pool
#      of a few hundred mbufs): the fill ring gets RX mbufs of its own.
#      A capture with frames over 2048 bytes (one mbuf of the port's own,
#      what the PMD copies into) is refused, nothing sent.
#   2. a YAML pipeline forwards veth to veth through two AF_XDP ports:
#      tcpreplay sends the capture into the first veth, tcpdump captures
#      the second; accounting exact, the capture equal to what was sent.
#      `ffwdctl cores audit` of that config has a section per interface
#      (a veth has no IRQs of its own).
# (Several queues need an interface with combined channels: net_af_xdp
# counts no others, and veth has RX and TX channels only.)
# If the kernel refuses AF_XDP sockets (probed on their own) or the
# namespace cannot be made, the test says so and counts as skipped, never
# as passed; any failure of ffwd itself is a failure. Last line: "N passed, M failed, K skipped".
#
#	tests/e2e/af_xdp.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

E2E_SKIPPED=0
skip()
{
	echo "SKIP $1"
	E2E_SKIPPED=$((E2E_SKIPPED + 1))
}
finish()
{
	echo "$E2E_PASSED passed, $E2E_FAILED failed, $E2E_SKIPPED skipped"
	[ "$E2E_FAILED" -eq 0 ]
}

N=$(($$ % 10000))
NS=ports-x$N
# Interface names: at most 15 characters.
A0=ports-a$N A1=ports-A$N B0=ports-b$N B1=ports-B$N
CAP=$CORPUS/pcaps/tcpdump/vrrp.pcap
HAVE_TCPDUMP=0
command -v tcpdump >/dev/null && HAVE_TCPDUMP=1
TCPDUMP_PID=

net_cleanup()
{
	[ -z "$TCPDUMP_PID" ] || kill "$TCPDUMP_PID" 2>/dev/null || true
	ip link del "$A0" 2>/dev/null || true
	ip link del "$B0" 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
}
trap 'net_cleanup; e2e_cleanup' EXIT

# veth PEER0 (here) <-> PEER1 (in $NS), both up, without IPv6 (whose
# neighbour discovery would add packets of the kernel's own). $3: queues.
veth()
{
	local q=${3:-1}
	ip link add "$1" numtxqueues "$q" numrxqueues "$q" type veth peer name "$2" \
		numtxqueues "$q" numrxqueues "$q" &&
	ip link set "$2" netns "$NS" &&
	sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" &&
	ip netns exec "$NS" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" &&
	ip link set "$1" up && ip -n "$NS" link set "$2" up
}

peer_rx()
{
	ip netns exec "$NS" cat "/sys/class/net/$1/statistics/rx_packets"
}

# tcpdump on $1 (in $NS) to $2, inbound only, until tcpdump_stop.
tcpdump_start()
{
	[ "$HAVE_TCPDUMP" = 1 ] || return 0
	ip netns exec "$NS" tcpdump -i "$1" -Q in -B 32768 --immediate-mode -U -w "$2" 2>"$2.log" &
	TCPDUMP_PID=$!
	for _ in $(seq 50); do
		grep -q listening "$2.log" 2>/dev/null && return 0
		sleep 0.1
	done
}
tcpdump_stop()
{
	[ -n "$TCPDUMP_PID" ] || return 0
	sleep 1
	kill -INT "$TCPDUMP_PID" 2>/dev/null || true
	wait "$TCPDUMP_PID" 2>/dev/null || true
	TCPDUMP_PID=
}

# The observer's own losses: tcpdump's "N packets dropped by kernel".
tcpdump_dropped()
{
	sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$1.log" 2>/dev/null | tail -1
}

# tcpdump's verdict on capture $1 (expected, $2 times over) against $3:
# sets cmp_out; returns 1 only on a real difference. When tcpdump itself
# dropped packets (its buffer, on a loaded machine) the comparison says so
# and stands aside: the interface counter is the measure then.
tcpdump_check()
{
	local d
	cmp_out=
	[ "$HAVE_TCPDUMP" = 1 ] || return 0
	d=$(tcpdump_dropped "$3")
	if [ -n "$d" ] && [ "$d" -gt 0 ]; then
		cmp_out="tcpdump itself dropped $d, not compared"
		return 0
	fi
	cmp_out=$("$PCAPCMP" --repeat "$2" "$1" "$3" 2>&1)
}

# Does the kernel give AF_XDP sockets here? Asked apart from ffwd, so
# that no failure of ffwd's own (the fill ring once had too few mbufs:
# "Failed to configure xdp socket") can pass for a kernel that refuses.
xdp_probe()
{
	/usr/bin/python3 -c 'import socket; socket.socket(44, socket.SOCK_RAW).close()' 2>&1
}

if [ "$(id -u)" -ne 0 ] || ! ip netns add "$NS" 2>/dev/null; then
	skip "af_xdp: cannot make network namespace $NS (needs root)"
	finish
	exit $?
fi
if ! veth "$A0" "$A1" || ! veth "$B0" "$B1"; then
	skip "af_xdp: cannot make veth pairs in $NS"
	finish
	exit $?
fi
if ! why=$(xdp_probe); then
	skip "af_xdp: the kernel refuses AF_XDP sockets here: ${why##*$'\n'}"
	finish
	exit $?
fi
n=$(e2e_count "$CAP")

# --- 1. ffwd replay out of an AF_XDP port ------------------------------------
for variant in "preloaded:" "looped:--loop 40"; do
	name=${variant%%:*}
	args=${variant#*:}
	loops=1
	[ -z "$args" ] || loops=40
	dir=$TMP/replay-$name
	mkdir "$dir"
	before=$(peer_rx "$A1")
	tcpdump_start "$A1" "$dir/peer.pcap"
	# shellcheck disable=SC2086
	timeout "$E2E_TIMEOUT" "$FFWD" replay "$CAP" --pps 10000 $args \
		--port "net_af_xdp0,iface=$A0" >"$dir/out" 2>"$dir/err" && rc=0 || rc=$?
	tcpdump_stop
	got=$(($(peer_rx "$A1") - before))
	want=$((n * loops))
	cmp_out=
	if [ "$rc" -ne 0 ]; then
		e2e_fail "replay $name" "exit $rc" "$dir"
	elif ! grep -q "sent=$want .*status=ok" "$dir/out"; then
		e2e_fail "replay $name" "not 'sent=$want ... status=ok': $(tail -1 "$dir/out")" "$dir"
	elif [ "$got" -ne "$want" ]; then
		e2e_fail "replay $name" "peer $A1 received $got packets, expected $want" "$dir"
	elif ! tcpdump_check "$CAP" "$loops" "$dir/peer.pcap"; then
		e2e_fail "replay $name" "tcpdump on the peer: $cmp_out" "$dir"
	else
		e2e_pass "replay $name: $want packets sent, $got arrived at $A1${cmp_out:+, tcpdump: $cmp_out}"
	fi
done

# A capture with frames longer than one of the port's mbufs (2048 bytes):
# refused before anything is sent (the PMD would read past the mbuf).
JUMBO=$CORPUS/pcaps/tcpdump/of10_p3295.pcap
before=$(peer_rx "$A1")
timeout "$E2E_TIMEOUT" "$FFWD" replay "$JUMBO" --topspeed \
	--port "net_af_xdp0,iface=$A0" >"$TMP/jumbo.out" 2>"$TMP/jumbo.err" && rc=0 || rc=$?
got=$(($(peer_rx "$A1") - before))
if [ "$rc" -eq 2 ] && [ "$got" -eq 0 ] && grep -q "takes at most 2048 whole" "$TMP/jumbo.err"; then
	e2e_pass "replay of 2962-byte frames refused, nothing sent: $(grep -o 'has frames.*whole' "$TMP/jumbo.err")"
else
	e2e_fail "replay jumbo" "exit $rc, $got arrived: $(grep -v libxdp "$TMP/jumbo.err" | tail -2 | tr '\n' '|')"
fi

# --- 2./3. a pipeline veth -> AF_XDP -> AF_XDP -> veth -------------------------
# pipeline NAME IN_IF IN_PEER OUT_IF OUT_PEER QUEUES
pipeline()
{
	local name=$1 in=$2 inp=$3 out=$4 outp=$5 q=$6 label dir before got sent
	e2e_label xdp
	label=$E2E_LABEL
	dir=$TMP/$label
	mkdir "$dir"
	{
		cat <<EOF
pipeline: { label: $label, housekeeping: 0, memory: 512, mbufs: 8191,
            cpus: { 0: 0, 1: 1, 2: 0 } }
ports:
  a: { dev: "net_af_xdp0,iface=$in", rxq: $q, txq: $q, busy_budget: 64 }
  b: { dev: "net_af_xdp1,iface=$out", rxq: $q, txq: $q, zero_copy: off }
paths:
EOF
		for ((i = 0; i < q; i++)); do
			cat <<EOF
  - name: q$i
    stages:
      - { name: rx$i, kind: input, port: a, queue: $i, lcore: $((i + 1)), idle: yield }
      - { name: tx$i, kind: output, port: b, queue: $i, lcore: $((i + 1)), idle: yield }
EOF
		done
	} >"$dir/ffwd.yaml"
	E2E_LABELS+=("$label")
	before=$(peer_rx "$outp")
	tcpdump_start "$outp" "$dir/peer.pcap"
	e2e_start "$dir/out" "$dir/err" -c "$dir/ffwd.yaml" --duration 30
	for _ in $(seq 100); do
		grep -q running "$dir/out" 2>/dev/null && break
		kill -0 "$FFWD_PID" 2>/dev/null || break
		sleep 0.1
	done
	sleep 0.5
	ip netns exec "$NS" tcpreplay -q -i "$inp" --pps 5000 --loop 4 "$CAP" \
		>"$dir/tcpreplay" 2>&1 || true
	sleep 1
	e2e_stop_ffwd
	tcpdump_stop
	e2e_run_done "$label"
	E2E_RC=0
	got=$(($(peer_rx "$outp") - before))
	sent=$((n * 4))
	if grep -q "running" "$dir/out" && e2e_summary "$dir" && [ "$SUM_STATUS" = ok ] &&
		[ "$SUM_RX" -eq "$sent" ] && [ "$SUM_TX" -eq "$sent" ] && [ "$got" -eq "$sent" ]; then
		if ! tcpdump_check "$CAP" 4 "$dir/peer.pcap"; then
			e2e_fail "$name" "tcpdump on $outp: $cmp_out" "$dir"
		else
			e2e_pass "$name: tcpreplay sent $sent, ffwd received $SUM_RX sent $SUM_TX, $got arrived at $outp${cmp_out:+ ($cmp_out)}"
		fi
	elif ! e2e_summary "$dir"; then
		e2e_fail "$name" "no summary; tcpreplay: $(tail -1 "$dir/tcpreplay")" "$dir"
	else
		e2e_fail "$name" "tcpreplay sent $sent; $(grep '^summary' "$dir/out"); $got arrived at $outp" "$dir"
	fi
	cmp_out=
	# The interfaces' IRQs in the cores audit of the same config.
	"$BUILD/control/ffwdctl" cores audit "$dir/ffwd.yaml" >"$dir/audit" 2>&1 || true
	if grep -q "^port a (interface $in):" "$dir/audit" &&
		grep -A1 "^port b (interface $out):" "$dir/audit" | grep -q "no IRQs of its own"; then
		e2e_pass "cores audit notes the interfaces' IRQs: $(grep -A1 "^port b" "$dir/audit" | tail -1 | cut -c 5-60)..."
	else
		e2e_fail "cores audit" "no interface section for $in and $out: $(tail -5 "$dir/audit" | tr '\n' '|')"
	fi
}

if ! command -v tcpreplay >/dev/null; then
	skip "pipeline: no tcpreplay to send into the first veth"
else
	pipeline "pipeline veth->af_xdp->af_xdp->veth" "$A0" "$A1" "$B0" "$B1" 1
fi

finish
