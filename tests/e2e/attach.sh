#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# attach: a firewall served from a second process (`ffwd attach`, a DPDK
# secondary) in the `kind: external` place of a running pipeline.
#
# The pipeline (on hugepages: secondaries map the primary's memory) loops a
# capture of 2500 numbered UDP frames (net_pcap infinite_rx) through the
# place to a memif port, paced at 10000 pps; a tester process (memif
# server) writes what arrives to a capture. The firewall drops the frames
# whose number is a multiple of 4 (dport 2222). Five times a firewall is
# attached, serves for a while and is detached (SIGTERM); a sixth stays
# attached while the pipeline stops and drains through it. Then:
#   - every attach/detach exits 0 and its own accounting is exact;
#   - the output is every frame the firewall passes, in order, with no gap
#     or repeat across the five detaches (zero loss, order kept); the only
#     gaps allowed are frames the paced output dropped, counted, as
#     `stopped` (not yet due when the pipeline stopped);
#   - the pipeline's path adds up, its external stage counted exactly
#     what the attachments took, passed and dropped (their reports);
#   - while detached, the input held (back-pressure): nothing was lost.
# With `bypass: fail-open`, the traffic goes on while nothing is attached,
# counted as bypassed, and the path adds up. An attach is refused when the
# label's runtime folder is open to others or is another user's.
#
# Where no hugepages are free and none can be reserved, the cases that
# need them are skipped, saying so.
#
#	tests/e2e/attach.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
CTL=$BUILD/control/ffwdctl
NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HUGE_OLD= HUGE_MNT= TESTER_PID= ATT_PID=
WANT_PAGES=160

huge_cleanup()
{
	local p
	for p in $ATT_PID $TESTER_PID; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	e2e_stop_ffwd
	if [ -n "$HUGE_MNT" ]; then
		rm -f "$HUGE_MNT"/* 2>/dev/null || true
		umount "$HUGE_MNT" 2>/dev/null || true
	fi
	[ -z "$HUGE_OLD" ] || echo "$HUGE_OLD" >"$NR" 2>/dev/null || true
}
trap 'huge_cleanup; e2e_cleanup' EXIT

/usr/bin/python3 - "$TMP/seq.pcap" 2500 <<'PY'
import struct, sys
out, n = sys.argv[1], int(sys.argv[2])
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        eth = bytes.fromhex("020000000002" "020000000001" "0800")
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 46, i & 0xFFFF, 0, 64, 17, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
        udp = struct.pack("!HHHH", 1024, 2222 if i % 4 == 0 else 1111, 26, 0)
        pkt = eth + ip + udp + struct.pack("!I", i) + bytes(14)
        f.write(struct.pack("<IIII", i // 1000000, i % 1000000, len(pkt), len(pkt)))
        f.write(pkt)
PY
printf 'default allow\ndrop name p2222 proto udp dport 2222\n' >"$TMP/fw.rules"
KCONF="{ kind: firewall, rules: $TMP/fw.rules }"

# pipe LABEL BYPASS OUT_DEV
pipe()
{
	cat <<EOF
pipeline: { label: $1, housekeeping: 0, hugepages: true, mbufs: 8191,
            cpus: { 0: 0, 1: 1, 2: 0 } }
ports:
  in: { dev: "net_pcap0,rx_pcap=$TMP/seq.pcap,infinite_rx=1" }
  out: { dev: "$3" }
paths:
  - name: p
    bypass: $2
    stages:
      - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
      - { name: fw, kind: external }
      - { name: tx, kind: output, port: out, lcore: 2, idle: yield, pps: 10000, retries: 1000 }
EOF
}

# Wait up to 20 s for file $1 to hold a line matching $2 while pid $3 runs.
wait_line()
{
	for _ in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# attach LABEL OUT ERR: start `ffwd attach` in the background (ATT_PID).
attach()
{
	env --default-signal=INT,TERM "$FFWD" attach "$1" fw --cpu 1 --idle yield \
		-- "$KCONF" >"$2" 2>"$3" &
	ATT_PID=$!
}

# The secondary's "attach fw:" line: A_RX A_TX A_DROP A_HELD A_OK.
attach_line()
{
	local line
	line=$(sed -n 's/^attach fw: received \([0-9]*\) sent \([0-9]*\) dropped \([0-9]*\) held \([0-9]*\) \([A-Z]*\|ok\);.*$/\1 \2 \3 \4 \5/p' "$1")
	[ -n "$line" ] || return 1
	read -r A_RX A_TX A_DROP A_HELD A_OK <<<"$line"
}

# --- a second user is kept out (no EAL needed: refused before) ---------------
e2e_label att
label=$E2E_LABEL
E2E_LABELS+=("$label")
rundir=$(e2e_rundir "$label")
mkdir -p "$rundir"
chmod 0755 "$rundir"
rc=0
"$FFWD" attach "$label" fw -- "$KCONF" >"$TMP/o1" 2>&1 || rc=$?
if [ "$rc" -eq 2 ] && grep -q "has mode 755, expected no access for group and others (0700); refused" "$TMP/o1"; then
	e2e_pass "refused: runtime folder open to others ($(cut -c 1-60 "$TMP/o1")...)"
else
	e2e_fail "refused: folder open to others" "exit $rc: $(head -c 300 "$TMP/o1")"
fi
chmod 0700 "$rundir"
chown 65534 "$rundir"
rc=0
"$FFWD" attach "$label" fw -- "$KCONF" >"$TMP/o2" 2>&1 || rc=$?
if [ "$(id -u)" -ne 0 ]; then
	e2e_skip "refused: another user's label" "needs root to chown the folder"
elif [ "$rc" -eq 2 ] && grep -q "belongs to uid 65534, not to us (uid 0): the label is another user's; refused" "$TMP/o2"; then
	e2e_pass "refused: another user's runtime folder"
else
	e2e_fail "refused: another user's label" "exit $rc: $(head -c 300 "$TMP/o2")"
fi
rm -rf "$rundir"
rc=0
"$FFWD" attach "$label" fw -- "kind: firewall" >"$TMP/o3" 2>&1 || rc=$?
if [ "$rc" -eq 2 ] && grep -q "expected a YAML file or a flow mapping" "$TMP/o3"; then
	e2e_pass "refused: KIND-CONFIG not a mapping"
else
	e2e_fail "refused: KIND-CONFIG not a mapping" "exit $rc: $(head -c 300 "$TMP/o3")"
fi
rc=0
"$FFWD" attach "$label" fw -- "{ kind: firewall, rules: $TMP/fw.rules, lcore: 3 }" >"$TMP/o4" 2>&1 || rc=$?
if [ "$rc" -eq 2 ] && grep -q "^kind-config:1:[0-9]*: stage 'fw': lcore is given on the command line" "$TMP/o4"; then
	e2e_pass "refused: KIND-CONFIG with an lcore, file:line:col"
else
	e2e_fail "refused: KIND-CONFIG with an lcore" "exit $rc: $(head -c 300 "$TMP/o4")"
fi

# --- hugepages ------------------------------------------------------------------
free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
if [ "${free:-0}" -lt "$WANT_PAGES" ]; then
	if [ "$(id -u)" -ne 0 ] || ! HUGE_OLD=$(cat "$NR" 2>/dev/null) ||
		! echo $((HUGE_OLD + WANT_PAGES)) >"$NR" 2>/dev/null; then
		HUGE_OLD=
		e2e_skip "attach" "no free hugepages and none can be reserved (needs root)"
		e2e_finish
		exit $?
	fi
	free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
	if [ "${free:-0}" -lt "$WANT_PAGES" ]; then
		e2e_skip "attach" "the kernel gave only ${free:-0} of $WANT_PAGES hugepages"
		e2e_finish
		exit $?
	fi
fi
if ! grep -q ' hugetlbfs ' /proc/mounts; then
	HUGE_MNT=$TMP/huge
	mkdir "$HUGE_MNT"
	if ! mount -t hugetlbfs -o pagesize=2M nodev "$HUGE_MNT"; then
		HUGE_MNT=
		e2e_skip "attach" "cannot mount hugetlbfs"
		e2e_finish
		exit $?
	fi
fi

# --- five detaches under looped traffic: zero loss, order, accounting ----------
e2e_label att
label=$E2E_LABEL
e2e_label att
tlabel=$E2E_LABEL
E2E_LABELS+=("$label" "$tlabel")
dir=$TMP/$label
mkdir "$dir"
pipe "$label" off "net_memif0,role=client,socket=$dir/m.sock,id=0" >"$dir/ffwd.yaml"
cat >"$dir/tester.yaml" <<EOF
pipeline: { label: $tlabel, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 0 } }
ports:
  m: { dev: "net_memif1,role=server,socket=$dir/m.sock,id=0" }
  cap: { dev: "net_pcap1,tx_pcap=$dir/out.pcap" }
paths:
  - name: t
    stages:
      - { name: m_rx, kind: input, port: m, lcore: 1, idle: yield }
      - { name: cap_tx, kind: output, port: cap, lcore: 1, idle: yield }
EOF
env --default-signal=INT,TERM "$FFWD" "$dir/tester.yaml" >"$dir/tester.out" 2>&1 &
TESTER_PID=$!
sleep 0.5
e2e_start "$dir/out" "$dir/err" -c "$dir/ffwd.yaml"
sum_rx=0 sum_tx=0 sum_drop=0 bad= cycles=0
if ! wait_line "$dir/out" "running" "$FFWD_PID"; then
	bad="the pipeline did not come up"
fi
for i in 1 2 3 4 5 6; do
	[ -z "$bad" ] || break
	attach "$label" "$dir/a$i.out" "$dir/a$i.err"
	if ! wait_line "$dir/a$i.out" "^ffwd attach: serving" "$ATT_PID"; then
		bad="attach $i did not start: $(head -c 300 "$dir/a$i.err")"
		break
	fi
	sleep 1
	if [ "$i" -eq 6 ]; then
		break	# stays attached: the pipeline drains through it
	fi
	kill -TERM "$ATT_PID"
	rc=0
	wait "$ATT_PID" || rc=$?
	ATT_PID=
	if [ "$rc" -ne 0 ] || ! attach_line "$dir/a$i.out" || [ "$A_OK" != ok ] ||
		[ "$A_HELD" -ne 0 ] || [ "$A_RX" -ne $((A_TX + A_DROP)) ] || [ "$A_RX" -eq 0 ]; then
		bad="detach $i: exit $rc: $(grep '^attach' "$dir/a$i.out" || head -c 200 "$dir/a$i.err")"
		break
	fi
	grep -q "detached, rings left for the next attach" "$dir/a$i.out" ||
		bad="detach $i: not reported as a detach"
	sum_rx=$((sum_rx + A_RX)) sum_tx=$((sum_tx + A_TX)) sum_drop=$((sum_drop + A_DROP))
	cycles=$((cycles + 1))
	sleep 0.5	# nothing attached: the ring fills, the input holds
done
e2e_stop_ffwd
E2E_RC=0
if [ -n "$ATT_PID" ]; then
	# The pipeline stopped: the last attachment drains and exits.
	for _ in $(seq 100); do kill -0 "$ATT_PID" 2>/dev/null || break; sleep 0.1; done
	rc=0
	wait "$ATT_PID" || rc=$?
	ATT_PID=
	if [ -z "$bad" ] && { [ "$rc" -ne 0 ] || ! attach_line "$dir/a6.out" || [ "$A_OK" != ok ] ||
		! grep -q "the pipeline drained through it" "$dir/a6.out"; }; then
		bad="last attach: exit $rc: $(grep '^attach' "$dir/a6.out" || head -c 200 "$dir/a6.err")"
	fi
	sum_rx=$((sum_rx + A_RX)) sum_tx=$((sum_tx + A_TX)) sum_drop=$((sum_drop + A_DROP))
fi
sleep 1
kill -INT "$TESTER_PID" 2>/dev/null || true
wait "$TESTER_PID" || true
TESTER_PID=
e2e_run_done "$label"
e2e_run_done "$tlabel"
# The pipeline ran under e2e_start and was stopped by e2e_stop_ffwd,
# which does not keep its status: its report says how it ended.
if [ -n "$bad" ]; then
	e2e_fail "attach x5" "$bad" "$dir"
elif ! e2e_summary "$dir" || [ "$SUM_STATUS" != ok ] || [ "$SUM_AVAIL" -ne "$SUM_SIZE" ]; then
	e2e_fail "attach x5" "pipeline summary: $(grep summary: "$dir/out" || echo none)" "$dir"
elif ! e2e_path "$dir" p || [ "$PATH_RX" -ne $((PATH_TX + PATH_DROP)) ]; then
	e2e_fail "attach x5" "path: $(grep '^path' "$dir/out" || echo none)" "$dir"
elif ! grep -q "^stage fw  *external lcore 0 *in $sum_rx  *out $sum_tx  *external $sum_drop$" "$dir/out"; then
	e2e_fail "attach x5" "the external stage's counters '$(grep '^stage fw' "$dir/out")' differ from the attachments' sums in $sum_rx out $sum_tx dropped $sum_drop" "$dir"
elif stopped=$(sed -n 's/^path p: .* stopped=\([0-9]*\).*/\1/p' "$dir/out") &&
	[ "$PATH_DROP" -ne $((sum_drop + ${stopped:-0})) ]; then
	# The paced output drops what is not yet due when the pipeline
	# stops ("stopped"); every other drop is the firewalls'.
	e2e_fail "attach x5" "path dropped $PATH_DROP, the attachments $sum_drop and the paced output at stop ${stopped:-0}: $(grep '^path' "$dir/out")" "$dir"
elif ! seq_out=$(/usr/bin/python3 "$ROOT/tests/e2e/seqcheck.py" "$dir/out.pcap" 2500 4 "${stopped:-0}"); then
	e2e_fail "attach x5" "output capture: $seq_out" "$dir"
elif read -r _ n_out _ n_skip <<<"$seq_out" && [ "$n_out" -ne "$PATH_TX" ]; then
	e2e_fail "attach x5" "the capture holds $n_out frames, the pipeline sent $PATH_TX" "$dir"
elif [ "$(grep -c ": detached (pid" "$dir/err")" -lt "$cycles" ]; then
	e2e_fail "attach x5" "the pipeline logged $(grep -c ": detached (pid" "$dir/err") detaches of $cycles" "$dir"
else
	e2e_pass "attach x5: $cycles detaches + a drain: $n_out frames out in order, none lost (gaps: $n_skip frames, all among the $stopped the paced output counted as stopped); received $PATH_RX = sent $PATH_TX + dropped $PATH_DROP (by the attached firewalls $sum_drop, not yet due at stop ${stopped:-0}); external stage = sum of attachments"
fi

# --- fail-open: traffic goes on while detached --------------------------------
e2e_label att
label=$E2E_LABEL
E2E_LABELS+=("$label")
dir=$TMP/$label
mkdir "$dir"
pipe "$label" fail-open "net_null1" >"$dir/ffwd.yaml"
e2e_start "$dir/out" "$dir/err" -c "$dir/ffwd.yaml"
bad= status=
if ! wait_line "$dir/out" "running" "$FFWD_PID"; then
	bad="the pipeline did not come up"
else
	attach "$label" "$dir/a.out" "$dir/a.err"
	if ! wait_line "$dir/a.out" "^ffwd attach: serving" "$ATT_PID"; then
		bad="attach did not start: $(head -c 300 "$dir/a.err")"
	else
		sleep 1
		kill -TERM "$ATT_PID"
		wait "$ATT_PID" || bad="detach failed"
		ATT_PID=
		sleep 1.5
		status=$("$CTL" status "$label" --interval 0.3 2>/dev/null | grep -E '^(bypass path|external)' || true)
	fi
fi
e2e_stop_ffwd
e2e_run_done "$label"
if [ -n "$bad" ]; then
	e2e_fail "fail-open while detached" "$bad" "$dir"
elif ! e2e_summary "$dir" || [ "$SUM_STATUS" != ok ] || ! e2e_path "$dir" p; then
	e2e_fail "fail-open while detached" "summary: $(grep summary: "$dir/out" || echo none)" "$dir"
elif ! line=$(grep "^bypass p: fail-open, now [a-z-]* bypassed [1-9][0-9]* bypass_drop 0 bypass_switches [1-9]" "$dir/out"); then
	e2e_fail "fail-open while detached" "bypass line: $(grep '^bypass' "$dir/out" || echo none)" "$dir"
elif ! grep -q "bypass fail-open: nothing attached to external stage fw" "$dir/err"; then
	e2e_fail "fail-open while detached" "switch not logged" "$dir"
elif ! grep -q "^bypass path p: fail-open, now fail-open" <<<"$status" ||
	! grep -q "^external fw: attached no" <<<"$status"; then
	e2e_fail "fail-open while detached" "ffwdctl status while detached: '$status'" "$dir"
else
	e2e_pass "fail-open while detached: ${line#bypass p: }; received $PATH_RX = sent $PATH_TX + dropped $PATH_DROP; status: $(head -n1 <<<"$status")"
fi
e2e_finish
