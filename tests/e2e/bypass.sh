#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bypass: an inline path whose inspection stage stalls. A `work` stage on
# an lcore of its own stalls once for 1200 ms (its test-only stall_ms knob)
# after 20000 packets, under looped traffic (net_pcap infinite_rx) for 4 s:
#   - bypass: fail-open: the watchdog switches the input straight to the
#     output (logged, counted as bypassed, shown by `ffwdctl status` while
#     it holds), inspection resumes once the stage moves (logged, counted),
#     and the path adds up with nothing dropped: bypassed packets are sent;
#   - bypass: fail-closed: the same stall drops instead, counted as
#     bypass_drop (the path's only drops), and inspection resumes;
#   - bypass: off (the control): no switch, nothing bypassed or dropped:
#     the stall only held the traffic (a hiccup of its lcore).
#
#	tests/e2e/bypass.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
CTL=$BUILD/control/ffwdctl

/usr/bin/python3 - "$TMP/seq.pcap" 1000 <<'PY'
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        eth = bytes.fromhex("020000000002" "020000000001" "0800")
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 46, i & 0xFFFF, 0, 64, 17, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        udp = struct.pack("!HHHH", 1024, 1111, 26, 0)
        pkt = eth + ip + udp + struct.pack("!I", i) + bytes(14)
        f.write(struct.pack("<IIII", 0, i, len(pkt), len(pkt)))
        f.write(pkt)
PY

# cfg LABEL BYPASS
cfg()
{
	e2e_cfg_pipeline "$1" "0: 0, 1: 1, 2: 0, 3: 1"
	cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$TMP/seq.pcap,infinite_rx=1" }
  out: { dev: "net_null1" }
paths:
  - name: p
EOF
	if [ "$2" != off ]; then
		printf '    bypass: %s\n    stall_ms: 100\n' "$2"
	fi
	cat <<EOF
    stages:
      - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
      - { name: w, kind: work, ns: 1, stall_ms: 1200, stall_after: 20000, lcore: 3, idle: yield }
      - { name: tx, kind: output, port: out, lcore: 2, idle: yield }
EOF
}

# The "bypass p:" line of a run: sets B_BYP B_DROP B_SW B_RES.
bypass_line()
{
	local line
	line=$(sed -n 's/^bypass p: [a-z-]*, now [a-z]* bypassed \([0-9]*\) bypass_drop \([0-9]*\) bypass_switches \([0-9]*\) bypass_resumes \([0-9]*\)$/\1 \2 \3 \4/p' "$1/out")
	[ -n "$line" ] || return 1
	read -r B_BYP B_DROP B_SW B_RES <<<"$line"
}

for mode in fail-open fail-closed off; do
	e2e_label byp
	label=$E2E_LABEL
	dir=$TMP/$label
	mkdir "$dir"
	cfg "$label" "$mode" >"$dir/ffwd.yaml"
	E2E_LABELS+=("$label")
	e2e_start "$dir/out" "$dir/err" -c "$dir/ffwd.yaml" --duration 4
	# While the stall holds (it starts within the first second), the
	# control plane shows the switch.
	status=
	for _ in $(seq 60); do
		sleep 0.1
		kill -0 "$FFWD_PID" 2>/dev/null || break
		status=$("$CTL" status "$label" --interval 0.2 2>/dev/null | grep '^bypass path' || true)
		case $status in *"now fail-"*) break ;; esac
	done
	e2e_wait "$E2E_TIMEOUT"
	e2e_run_done "$label"
	name="bypass $mode"
	if ! e2e_check_ok "$dir"; then
		e2e_fail "$name" "$E2E_WHY" "$dir"
		continue
	fi
	e2e_path "$dir" p || true
	if [ "$mode" = off ]; then
		if grep -q '^bypass p:' "$dir/out" || grep -q 'bypass' "$dir/err"; then
			e2e_fail "$name" "a path without bypass reports one: $(grep bypass "$dir/out" "$dir/err" | head -2)" "$dir"
		elif [ "$PATH_DROP" -ne 0 ] || [ "$PATH_RX" -ne "$PATH_TX" ]; then
			e2e_fail "$name" "received $PATH_RX sent $PATH_TX dropped $PATH_DROP, expected all sent" "$dir"
		elif ! grep -Eq '^lcore 3 .* max (1[0-9]{3}|[2-9][0-9]{3})\.[0-9]+ ms$' "$dir/out"; then
			e2e_fail "$name" "the stall did not show as a hiccup of lcore 3: $(grep '^lcore 3' "$dir/out")" "$dir"
		else
			e2e_pass "$name (control): the 1.2 s stall held the path, no switch, $PATH_TX of $PATH_RX sent"
		fi
		e2e_drop_dir "$dir"
		continue
	fi
	if ! bypass_line "$dir"; then
		e2e_fail "$name" "no bypass line in the report" "$dir"
	elif [ "$B_SW" -lt 1 ] || [ "$B_RES" -lt 1 ]; then
		e2e_fail "$name" "switches $B_SW resumes $B_RES, expected at least one of each" "$dir"
	elif ! grep -q "^ffwd: path 'p': bypass $mode: no progress with packets waiting: stage w$" "$dir/err" ||
		! grep -q "^ffwd: path 'p': bypass normal: inspection resumed$" "$dir/err"; then
		e2e_fail "$name" "switch or resume not logged: $(grep bypass "$dir/err" | head -3 | tr '\n' '|')" "$dir"
	elif [ "$(grep -c "bypass $mode:" "$dir/err")" -ne "$B_SW" ]; then
		e2e_fail "$name" "$(grep -c "bypass $mode:" "$dir/err") switches logged, $B_SW counted" "$dir"
	elif [ "$mode" = fail-open ] && { [ "$B_BYP" -eq 0 ] || [ "$B_DROP" -ne 0 ] ||
		[ "$PATH_DROP" -ne 0 ] || [ "$PATH_RX" -ne "$PATH_TX" ]; }; then
		e2e_fail "$name" "bypassed $B_BYP bypass_drop $B_DROP; path received $PATH_RX sent $PATH_TX dropped $PATH_DROP, expected bypassed > 0 and all sent" "$dir"
	elif [ "$mode" = fail-closed ] && { [ "$B_DROP" -eq 0 ] || [ "$B_BYP" -ne 0 ] ||
		[ "$PATH_DROP" -ne "$B_DROP" ] || ! grep -q "^path p: .* bypass_drop=$B_DROP ok" "$dir/out"; }; then
		e2e_fail "$name" "bypass_drop $B_DROP bypassed $B_BYP; path dropped $PATH_DROP, expected bypass_drop > 0 and the path's only drops" "$dir"
	elif ! grep -q "^bypass path p: $mode, now $mode:" <<<"$status"; then
		e2e_fail "$name" "ffwdctl status during the stall: '${status:-nothing}', expected 'bypass path p: $mode, now $mode'" "$dir"
	else
		e2e_pass "$name: switched $B_SW, resumed $B_RES, bypassed $B_BYP, bypass_drop $B_DROP; received $PATH_RX = sent $PATH_TX + dropped $PATH_DROP; status showed it"
	fi
	e2e_drop_dir "$dir"
done
e2e_finish
