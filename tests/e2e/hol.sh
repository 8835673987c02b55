#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# hol: no head-of-line blocking, and no wait that ignores the stop flag.
#
# Two paths share lcores 1 and 2 in opposite directions, so their rings
# form a cycle across paths:
#   heavy: rx_h (lcore 1) -> work 2000 ns (lcore 2) -> tx_h (lcore 2)
#   light: rx_l (lcore 2) -> tx_l (lcore 1), paced at 20,000 pps
# The heavy input is far faster than its work stage, so the ring rx_h->w
# stays full. A segment whose ring is full keeps its burst (the stash) and
# its lcore goes on serving the light path: light must keep the rate it
# has alone (within 5 %), with no port-level drops. (With a put that spins
# until there is room, lcore 1 would never run tx_l, and the two lcores
# would wait on each other for ever.) Then SIGTERM under that saturation
# must end the run within 2 s, every packet accounted for, the pool full.
# Last, a paced output at 10 pps with a full ring in front of it stops
# within 1 s of SIGTERM.
#
#	tests/e2e/hol.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

CAP=$CORPUS/pcaps/tcpdump/vrrp.pcap
LIGHT_PPS=20000
RUN_S=3

cfg()	# cfg LABEL WITH_HEAVY(0|1)
{
	cat <<EOF
pipeline:
  label: $1
  housekeeping: 0
  memory: 512
  mbufs: 8191
  ring_size: 256
  cpus: { 0: 0, 1: 0, 2: 1 }
ports:
  hin: { dev: "net_pcap0,rx_pcap=$CAP,infinite_rx=1" }
  hout: { dev: net_null0 }
  lin: { dev: "net_pcap1,rx_pcap=$CAP,infinite_rx=1" }
  lout: { dev: net_null1 }
paths:
EOF
	if [ "$2" = 1 ]; then
		cat <<EOF
  - name: heavy
    stages:
      - { name: rx_h, kind: input, port: hin, lcore: 1 }
      - { name: w, kind: work, ns: 2000, lcore: 2 }
      - { name: tx_h, kind: output, port: hout, lcore: 2 }
EOF
	fi
	cat <<EOF
  - name: light
    stages:
      - { name: rx_l, kind: input, port: lin, lcore: 2 }
      - { name: tx_l, kind: output, port: lout, lcore: 1, pps: $LIGHT_PPS }
EOF
}

# The achieved rate of tx_l in run folder $1, or empty.
achieved()
{
	sed -n 's/^pace  tx_l .* achieved \([0-9.]*\) pps.*/\1/p' "$1/out"
}

# Port-level losses on every port of run $1: the sum of missed, rx_nombuf
# and tx_errors over the "port" lines.
port_losses()
{
	awk '/^port /{for(i=1;i<NF;i++) if($i=="missed"||$i=="rx_nombuf"||$i=="tx_errors") s+=$(i+1)} END{print s+0}' "$1/out"
}

# run LABEL DIR WITH_HEAVY: start, let it run RUN_S s, SIGTERM, time the
# stop (E2E_STOP_MS).
run()
{
	local label=$1 dir=$2 t0

	mkdir -p "$dir"
	cfg "$label" "$3" >"$dir/ffwd.yaml"
	E2E_LABELS+=("$label")
	e2e_start "$dir/out" "$dir/err" -c "$dir/ffwd.yaml" --link-wait 0
	sleep "$RUN_S"
	t0=$(date +%s%N)
	kill -TERM "$FFWD_PID" 2>/dev/null || true
	e2e_wait 30
	E2E_STOP_MS=$((($(date +%s%N) - t0) / 1000000))
	e2e_run_done "$label"
}

e2e_label hla
alone=$TMP/$E2E_LABEL
run "$E2E_LABEL" "$alone" 0
e2e_label hlb
both=$TMP/$E2E_LABEL
run "$E2E_LABEL" "$both" 1

name="light path alone at $LIGHT_PPS pps"
if ! e2e_check_ok "$alone"; then
	e2e_fail "$name" "$E2E_WHY" "$alone"
elif [ -z "$(achieved "$alone")" ]; then
	e2e_fail "$name" "no pace line for tx_l" "$alone"
else
	e2e_pass "$name (achieved $(achieved "$alone") pps)"
fi

name="light path keeps its rate beside a saturated heavy path"
a=$(achieved "$alone")
b=$(achieved "$both")
if ! e2e_check_ok "$both"; then
	e2e_fail "$name" "$E2E_WHY" "$both"
elif [ -z "$b" ] || [ -z "$a" ]; then
	e2e_fail "$name" "no pace line for tx_l (alone '$a', with heavy '$b')" "$both"
elif ! awk -v a="$a" -v b="$b" 'BEGIN{exit !(b >= 0.95 * a)}'; then
	e2e_fail "$name" "light achieved $b pps with heavy, $a alone"
elif [ "$(port_losses "$both")" != 0 ]; then
	e2e_fail "$name" "port-level losses: $(grep '^port ' "$both/out" | tr '\n' ';')"
elif ! grep -qE '^ring  [^ ]*rx_h->w .* full [1-9]' "$both/out"; then
	e2e_fail "$name" "ring rx_h->w never full: the heavy path was not saturated"
else
	e2e_pass "$name ($b vs $a pps, ring rx_h->w full $(sed -n 's/^ring  [^ ]*rx_h->w .* full \([0-9]*\).*/\1/p' "$both/out") times)"
fi

name="SIGTERM under saturation stops within 2 s, accounting exact"
if ! e2e_check_ok "$both"; then
	e2e_fail "$name" "$E2E_WHY" "$both"
elif [ "$E2E_STOP_MS" -gt 2000 ]; then
	e2e_fail "$name" "took $E2E_STOP_MS ms"
elif ! e2e_path "$both" heavy || [ "$PATH_RX" -ne $((PATH_TX + PATH_DROP)) ]; then
	e2e_fail "$name" "heavy path line: $(grep '^path heavy' "$both/out")"
else
	e2e_pass "$name ($E2E_STOP_MS ms, heavy received $PATH_RX)"
fi

# A paced output at 10 pps behind a full ring: the drain must not wait
# for the schedule.
e2e_label hlc
dir=$TMP/$E2E_LABEL
mkdir -p "$dir"
{
	e2e_cfg_pipeline "$E2E_LABEL"
	cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$CAP,infinite_rx=1" }
  out: { dev: net_null0 }
paths:
  - name: slow
    stages:
      - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
      - { name: tx, kind: output, port: out, lcore: 2, idle: yield, pps: 10 }
EOF
} >"$dir/ffwd.yaml"
E2E_LABELS+=("$E2E_LABEL")
e2e_start "$dir/out" "$dir/err" -c "$dir/ffwd.yaml" --link-wait 0
sleep 2
t0=$(date +%s%N)
kill -TERM "$FFWD_PID" 2>/dev/null || true
e2e_wait 30
ms=$((($(date +%s%N) - t0) / 1000000))
e2e_run_done "$E2E_LABEL"
name="paced output at 10 pps stops within 1 s of SIGTERM"
if ! e2e_check_ok "$dir"; then
	e2e_fail "$name" "$E2E_WHY" "$dir"
elif [ "$ms" -gt 1000 ]; then
	e2e_fail "$name" "took $ms ms"
elif ! grep -qE '^stage tx .* stopped [1-9]' "$dir/out"; then
	e2e_fail "$name" "nothing dropped as 'stopped': $(grep '^stage tx' "$dir/out")"
else
	e2e_pass "$name ($ms ms, $(sed -n 's/^stage tx .* stopped \([0-9]*\).*/\1/p' "$dir/out") not yet due dropped as stopped)"
fi

e2e_drop_dir "$alone"
e2e_drop_dir "$both"
e2e_drop_dir "$dir"
e2e_finish
