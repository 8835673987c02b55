#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# stop: stop mid-stream. A net_pcap input that loops over its capture
# forever (infinite_rx=1) feeds a work stage slow enough (2 us a packet)
# for the rings to fill, then a net_null output, on three lcores. After 2 s
# ffwd gets SIGINT (then, in a second run, SIGTERM) at its PID and must
# drain, exit 0 within 30 s, say "ok" with received = sent + dropped and
# more than nothing received, and have every mbuf back in the pool.
#
#	tests/e2e/stop.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

# infinite_rx copies the whole capture into mbufs at queue setup and
# refuses chained ones: 165 frames of 60..142 bytes.
CAP=tcpdump/vrrp.pcap
STOP_WAIT=30

in=$CORPUS/pcaps/$CAP
for sig in INT TERM; do
	name="SIG$sig mid-stream ($CAP, infinite_rx, work 2000 ns, 3 lcores)"
	e2e_label stp
	label=$E2E_LABEL
	dir=$TMP/$label
	mkdir "$dir"
	e2e_devpath_ok "$in" || { e2e_fail "$name" "unusable path"; continue; }
	{
		e2e_cfg_pipeline "$label"
		cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$in,infinite_rx=1" }
  out: { dev: net_null0 }
paths:
  - name: stop
    stages:
      - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
      - { name: w, kind: work, ns: 2000, lcore: 2, idle: yield }
      - { name: tx, kind: output, port: out, lcore: 3, idle: yield }
EOF
	} >"$dir/ffwd.yaml"

	E2E_LABELS+=("$label")
	e2e_start "$dir/out" "$dir/err" -c "$dir/ffwd.yaml"
	pid=$FFWD_PID
	sleep 2
	if ! kill -0 "$pid" 2>/dev/null; then
		e2e_wait 1
		e2e_run_done "$label"
		e2e_fail "$name" "exited (status $E2E_RC) before the signal" "$dir"
		e2e_drop_dir "$dir"
		continue
	fi
	t0=$(date +%s%N)
	kill -"$sig" "$pid"
	e2e_wait "$STOP_WAIT"
	ms=$((($(date +%s%N) - t0) / 1000000))
	e2e_run_done "$label"

	if [ "$E2E_RC" -eq 124 ]; then
		e2e_fail "$name" "still running ${STOP_WAIT} s after SIG$sig (stopped)" "$dir"
	elif ! e2e_check_ok "$dir"; then
		e2e_fail "$name" "$E2E_WHY" "$dir"
	elif [ "$SUM_RX" -eq 0 ]; then
		e2e_fail "$name" "received nothing in 2 s" "$dir"
	elif ! e2e_path "$dir" stop; then
		e2e_fail "$name" "no 'path stop:' line on stdout" "$dir"
	elif [ "$PATH_RX" -ne $((PATH_TX + PATH_DROP)) ]; then
		e2e_fail "$name" "path stop: received $PATH_RX != sent $PATH_TX + dropped $PATH_DROP" "$dir"
	else
		e2e_pass "$name: exit 0 in $ms ms, received $SUM_RX sent $SUM_TX dropped $SUM_DROP pool $SUM_AVAIL/$SUM_SIZE"
	fi
	e2e_drop_dir "$dir"
done

e2e_finish
