#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# capture: `ffwdctl capture` (dpdk-dumpcap, attached to a running ffwd
# through rte_pdump) takes copies of a port's RX and TX.
#
# A pipeline on hugepages forwards 2000 numbered UDP frames (destination
# ports 1111 and 2222 in turn), looped (net_pcap infinite_rx), to net_null
# at 250 pps. While it runs:
#   - an unfiltered capture of the output port's TX takes 300 packets (or
#     the rest of the burst that reached 300): they are consecutive frames
#     of what the pipeline forwards, in order, byte for byte: the packets
#     sent in that interval;
#   - a capture of the input port's RX with the filter "udp dst port 1111"
#     takes 150 packets: every one has port 1111, and they are exactly the
#     consecutive port-1111 frames of the input from the first one on;
#   - the pipeline's own accounting stays exact.
# dpdk-dumpcap is a DPDK secondary process and needs the primary's memory
# in hugepages: where the machine has none free, the test reserves 64 x
# 2 MiB (and a hugetlbfs mount under its temporary folder) and puts both
# back at exit; where it cannot, it says so and counts as skipped.
# Also refused, with a message saying why: a pipeline without hugepages,
# and one with a net_pcap port writing a file (the secondary's net_pcap
# would truncate it).
#
#	tests/e2e/capture.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
CTL=$BUILD/control/ffwdctl
NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
E2E_SKIPPED=0
HUGE_OLD= HUGE_MNT= CAP_PIDS=()

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
huge_cleanup()
{
	local p
	for p in "${CAP_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	e2e_stop_ffwd
	if [ -n "$HUGE_MNT" ]; then
		rm -f "$HUGE_MNT"/* 2>/dev/null || true
		umount "$HUGE_MNT" 2>/dev/null || true
	fi
	[ -z "$HUGE_OLD" ] || echo "$HUGE_OLD" >"$NR" 2>/dev/null || true
}
trap 'huge_cleanup; e2e_cleanup' EXIT

if ! command -v dpdk-dumpcap >/dev/null; then
	skip "capture: no dpdk-dumpcap (Debian's dpdk package)"
	finish
	exit $?
fi

# 2000 frames: UDP to port 1111 (even) or 2222 (odd), numbered.
/usr/bin/python3 - "$TMP/in.pcap" 2000 <<'EOF'
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        eth = bytes.fromhex("020000000002" "020000000001" "0800")
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 46, i & 0xFFFF, 0, 64, 17, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        udp = struct.pack("!HHHH", 1024, 1111 if i % 2 == 0 else 2222, 26, 0)
        pkt = eth + ip + udp + struct.pack("!I", i) + bytes(14)
        f.write(struct.pack("<IIII", i // 1000, (i % 1000) * 1000, len(pkt), len(pkt)))
        f.write(pkt)
EOF

# cfg LABEL HUGEPAGES
cfg()
{
	cat <<EOF
pipeline: { label: $1, housekeeping: 0, hugepages: $2, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1 } }
ports:
  in: { dev: "net_pcap0,rx_pcap=$TMP/in.pcap${3:-}" }
  out: { dev: "net_null1" }
paths:
  - name: p
    stages:
      - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
      - { name: tx, kind: output, port: out, lcore: 1, idle: yield, pps: 250 }
EOF
}

# Wait until label $1 answers /ffwd/ports (telemetry is up).
wait_up()
{
	for _ in $(seq 100); do
		"$CTL" stats "$1" --json 2>/dev/null | grep -q '"ports"' && return 0
		kill -0 "$FFWD_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# --- without hugepages: refused, saying why -----------------------------------
e2e_label cap
label=$E2E_LABEL
E2E_LABELS+=("$label")
cfg "$label" false >"$TMP/$label.yaml"
e2e_start "$TMP/$label.out" "$TMP/$label.err" -c "$TMP/$label.yaml" --duration 2
if wait_up "$label"; then
	if ! "$CTL" capture "$label" out -w "$TMP/no.pcapng" -c 1 >"$TMP/no.out" 2>&1 &&
		grep -q "runs without hugepages" "$TMP/no.out"; then
		e2e_pass "no hugepages: refused: $(cut -c 1-90 "$TMP/no.out")..."
	else
		e2e_fail "no hugepages" "not refused as expected: $(head -c 300 "$TMP/no.out")"
	fi
else
	e2e_fail "no hugepages" "pipeline did not come up" "$TMP"
fi
e2e_wait "$E2E_TIMEOUT"
e2e_run_done "$label"

# --- a net_pcap port writing a file: refused, the file left whole ------------
e2e_label cap
label=$E2E_LABEL
E2E_LABELS+=("$label")
cfg "$label" false | sed "s|\"net_null1\"|\"net_pcap1,tx_pcap=$TMP/w.pcap\"|" >"$TMP/$label.yaml"
e2e_start "$TMP/$label.out" "$TMP/$label.err" -c "$TMP/$label.yaml" --duration 2
if wait_up "$label"; then
	if ! "$CTL" capture "$label" in -w "$TMP/no.pcapng" -c 1 >"$TMP/no.out" 2>&1 &&
		grep -q "would open it again .* and truncate it" "$TMP/no.out"; then
		e2e_pass "tx_pcap= port: refused: $(cut -c 1-80 "$TMP/no.out")..."
	else
		e2e_fail "tx_pcap= port" "not refused as expected: $(head -c 300 "$TMP/no.out")"
	fi
else
	e2e_fail "tx_pcap= port" "pipeline did not come up" "$TMP"
fi
e2e_wait "$E2E_TIMEOUT"
e2e_run_done "$label"

# --- hugepages for the primary and dpdk-dumpcap ---------------------------------
free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
if [ "${free:-0}" -lt 64 ]; then
	if [ "$(id -u)" -ne 0 ] || ! HUGE_OLD=$(cat "$NR" 2>/dev/null) ||
		! echo $((HUGE_OLD + 64)) >"$NR" 2>/dev/null; then
		HUGE_OLD=
		skip "capture: no free hugepages and none can be reserved (needs root)"
		finish
		exit $?
	fi
	free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
	if [ "${free:-0}" -lt 64 ]; then
		skip "capture: the kernel gave only ${free:-0} of 64 hugepages"
		finish
		exit $?
	fi
fi
if ! grep -q ' hugetlbfs ' /proc/mounts; then
	HUGE_MNT=$TMP/huge
	mkdir "$HUGE_MNT"
	if ! mount -t hugetlbfs -o pagesize=2M nodev "$HUGE_MNT"; then
		HUGE_MNT=
		skip "capture: cannot mount hugetlbfs"
		finish
		exit $?
	fi
fi

e2e_label cap
label=$E2E_LABEL
E2E_LABELS+=("$label")
dir=$TMP/$label
mkdir "$dir"
# The capture loops (infinite_rx) until both captures are done: a
# dumpcap slow to start on a loaded machine still finds traffic.
cfg "$label" true ",infinite_rx=1" >"$dir/ffwd.yaml"
e2e_start "$dir/out" "$dir/err" -c "$dir/ffwd.yaml" --duration 120
if ! wait_up "$label"; then
	e2e_fail "capture" "the pipeline did not come up" "$dir"
else
	timeout 90 "$CTL" capture "$label" out -w "$dir/tx.pcapng" -c 300 \
		>"$dir/tx.log" 2>&1 &
	CAP_PIDS+=($!)
	timeout 90 "$CTL" capture "$label" in -w "$dir/rx.pcapng" -c 150 udp dst port 1111 \
		>"$dir/rx.log" 2>&1 &
	CAP_PIDS+=($!)
	rc_tx=0 rc_rx=0
	wait "${CAP_PIDS[0]}" || rc_tx=$?
	wait "${CAP_PIDS[1]}" || rc_rx=$?
	CAP_PIDS=()
	kill -TERM "$FFWD_PID" 2>/dev/null || true
	e2e_wait "$E2E_TIMEOUT"
	e2e_run_done "$label"
	if ! e2e_check_ok "$dir"; then
		e2e_fail "pipeline under capture" "$E2E_WHY" "$dir"
	elif [ "$SUM_RX" -lt 300 ]; then
		e2e_fail "pipeline under capture" "received only $SUM_RX" "$dir"
	else
		e2e_pass "pipeline under capture: received $SUM_RX sent $SUM_TX, accounting exact"
	fi
	# verdict KIND WANT CAPTURE REFERENCE [DPORT]: the captured packets
	# are WANT consecutive frames of REFERENCE (those with DPORT only).
	verdict()
	{
		/usr/bin/python3 - "$ROOT/tests/e2e" "$@" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import caplen
kind, want, cap, ref = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
dport = int(sys.argv[6]) if len(sys.argv) > 6 else None
got = [d for _, d in caplen.records(cap)]
exp = [d for _, d in caplen.records(ref)
       if dport is None or int.from_bytes(d[36:38], "big") == dport]
# The input loops: what was sent is the capture over and over.
exp = exp * (2 + len(got) // len(exp))
# dumpcap stops after the burst that reached its count: want or more.
if len(got) < want:
    sys.exit("%s: %d packets captured, expected %d or more" % (kind, len(got), want))
want = len(got)
if got[0] not in exp:
    sys.exit("%s: the first captured packet is not among those sent" % kind)
i = exp.index(got[0])
if exp[i:i + want] != got:
    bad = next(k for k in range(want) if i + k >= len(exp) or exp[i + k] != got[k])
    sys.exit("%s: packet %d of the capture is not frame %d of those sent"
             % (kind, bad + 1, i + bad + 1))
seq = int.from_bytes(got[0][42:46], "big")
print("%d packets = those numbered %d..%d of %s, in order, byte for byte"
      % (want, seq, int.from_bytes(got[-1][42:46], "big"), kind))
EOF
	}
	if [ "$rc_tx" -ne 0 ]; then
		e2e_fail "TX capture" "ffwdctl capture exit $rc_tx: $(tail -3 "$dir/tx.log" | tr '\n' '|')"
	elif why=$(verdict "TX of port out" 300 "$dir/tx.pcapng" "$TMP/in.pcap" 2>&1); then
		e2e_pass "TX capture: $why"
	else
		e2e_fail "TX capture" "$why"
	fi
	if [ "$rc_rx" -ne 0 ]; then
		e2e_fail "RX capture, filtered" "ffwdctl capture exit $rc_rx: $(tail -3 "$dir/rx.log" | tr '\n' '|')"
	elif why=$(verdict "RX of port in, udp dst port 1111" 150 "$dir/rx.pcapng" "$TMP/in.pcap" 1111 2>&1); then
		e2e_pass "RX capture, filter honoured: $why"
	else
		e2e_fail "RX capture, filtered" "$why"
	fi
fi

finish
