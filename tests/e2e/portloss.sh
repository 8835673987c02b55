#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# portloss: packets a port loses (here rx_nombuf) are part of the verdict.
# A pool of 64 mbufs feeds a net_pcap input whose packets wait in a
# 1024-slot ring for an output paced at 20000 pps: the pool runs dry, and
# every packet net_pcap reads while it is dry is lost as rx_nombuf. Then
#   - the exit report counts them: "ports: lost N (... rx_nombuf N ...)",
#     received + rx_nombuf = the capture's packets (net_pcap reads each
#     packet before it finds no mbuf for it);
#   - the summary says LOSS naming the port, never "ok", and ffwd exits 4;
#   - every path still adds up and every mbuf is back;
#   - `ffwdctl status` on the running pipeline names the port and its
#     rx_nombuf count in the verdict.
# A control run with a pool large enough says "ok", lost 0, exit 0.
#
#	tests/e2e/portloss.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
CTL=$BUILD/control/ffwdctl
N=3000

# N 60-byte UDP frames, each with its sequence number.
/usr/bin/python3 - "$TMP/in.pcap" "$N" <<'EOF'
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 46, i & 0xFFFF, 0, 64, 17, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        udp = struct.pack("!HHHH", 1024, 2048, 26, 0) + struct.pack("!I", i) + bytes(14)
        pkt = eth + ip + udp
        f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(pkt), len(pkt)))
        f.write(pkt)
EOF

# cfg LABEL MBUFS IDLE_EXIT
cfg()
{
	cat <<EOF
pipeline: { label: $1, housekeeping: 0, memory: 256, mbufs: $2, ring_size: 1024,
            cpus: { 0: 0, 1: 0, 2: 1 } }
ports:
  in: { dev: "net_pcap0,rx_pcap=$TMP/in.pcap" }
  out: { dev: "net_null0" }
paths:
  - name: p
    stages:
      - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
      - { name: tx, kind: output, port: out, lcore: 2, idle: yield, pps: 20000 }
EOF
}

# --- the starved pool ---------------------------------------------------------
e2e_label loss
label=$E2E_LABEL
dir=$TMP/$label
mkdir "$dir"
cfg "$label" 64 >"$dir/ffwd.yaml"
E2E_LABELS+=("$label")
# Idle for 3 s after the last packet: time for ffwdctl status.
e2e_start "$dir/out" "$dir/err" -c "$dir/ffwd.yaml" --idle-exit 3000
sleep 1.5
"$CTL" status "$label" --interval 0.5 >"$dir/status" 2>&1 || true
e2e_wait "$E2E_TIMEOUT"
e2e_run_done "$label"

nombuf=$(sed -n 's/^port  in .* rx_nombuf \([0-9]*\)$/\1/p' "$dir/out")
if why=$(e2e_crashed "$dir"); then
	e2e_fail "starved pool" "$why" "$dir"
elif ! e2e_summary "$dir"; then
	e2e_fail "starved pool" "no summary line" "$dir"
elif [ -z "$nombuf" ] || [ "$nombuf" -eq 0 ]; then
	e2e_fail "starved pool" "rx_nombuf '${nombuf}' on port in, expected > 0 with 64 mbufs: $(grep '^port  in' "$dir/out")" "$dir"
else
	e2e_pass "starved pool: port in rx_nombuf $nombuf, received $SUM_RX"
	if [ "$((SUM_RX + nombuf))" -eq "$N" ]; then
		e2e_pass "received $SUM_RX + rx_nombuf $nombuf = the capture's $N packets"
	else
		e2e_fail "loss accounted" "received $SUM_RX + rx_nombuf $nombuf != $N" "$dir"
	fi
	if grep -q "^ports: lost $nombuf (imissed 0, rx_nombuf $nombuf, oerrors 0)$" "$dir/out"; then
		e2e_pass "exit report: $(grep '^ports:' "$dir/out")"
	else
		e2e_fail "exit report" "no 'ports: lost $nombuf' line: $(grep '^ports:' "$dir/out" || echo none)" "$dir"
	fi
	line=$(grep '^summary:' "$dir/out")
	if [ "$SUM_STATUS" = LOSS ] &&
		[[ $line == *"packets lost at the ports: port 'in' rx_nombuf $nombuf" ]] &&
		! grep -qw ok <<<"$line"; then
		e2e_pass "summary says where, not ok: $line"
	else
		e2e_fail "summary" "expected LOSS naming port 'in' rx_nombuf $nombuf and no 'ok': $line" "$dir"
	fi
	if [ "$E2E_RC" -eq 4 ]; then
		e2e_pass "exit 4 (ports lost packets)"
	else
		e2e_fail "exit status" "exit $E2E_RC, expected 4" "$dir"
	fi
	if [ "$SUM_RX" -eq $((SUM_TX + SUM_DROP)) ] && [ "$SUM_AVAIL" -eq "$SUM_SIZE" ] &&
		grep -q "^path p: received $SUM_RX sent $SUM_TX dropped $SUM_DROP ok$" "$dir/out"; then
		e2e_pass "path adds up, pool $SUM_AVAIL/$SUM_SIZE"
	else
		e2e_fail "path" "$(grep -E '^(path|summary)' "$dir/out" | tr '\n' ' ')" "$dir"
	fi
	# Status ran mid-run: its figure is at most the final one.
	st=$(grep -m1 "port in lost" "$dir/status" || true)
	stn=$(sed -n 's/.*rx_nombuf \([0-9]*\),.*/\1/p' <<<"$st")
	if [ -n "$st" ] && [ -n "$stn" ] && [ "$stn" -gt 0 ] && [ "$stn" -le "$nombuf" ]; then
		e2e_pass "ffwdctl status: ${st#"${st%%[! ]*}"}"
	else
		e2e_fail "ffwdctl status" "no 'port in lost' verdict with rx_nombuf: $(tr '\n' '|' <"$dir/status" | head -c 400)"
	fi
fi
e2e_drop_dir "$dir"

# --- control: a pool large enough -------------------------------------------
e2e_label loss
label=$E2E_LABEL
dir=$TMP/$label
mkdir "$dir"
cfg "$label" 8191 >"$dir/ffwd.yaml"
e2e_run "$label" "$dir" -c "$dir/ffwd.yaml" --idle-exit 300
if ! e2e_check_ok "$dir"; then
	e2e_fail "control run" "$E2E_WHY" "$dir"
elif [ "$SUM_RX" -ne "$N" ] || ! grep -q '^ports: lost 0 ' "$dir/out"; then
	e2e_fail "control run" "received $SUM_RX of $N, $(grep '^ports:' "$dir/out")" "$dir"
else
	e2e_pass "control: 8191 mbufs, received $SUM_RX, ports lost 0, ok"
fi
e2e_drop_dir "$dir"

e2e_finish
