#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# link: in a bump in the wire, a port that loses link takes the peer
# port's link down (rte_eth_dev_set_link_down, where its PMD can) and
# brings it back when its own returns, counted; the watcher runs on the
# housekeeping lcore.
#
# The bump: wan is a net_memif server, lan a net_tap interface the kernel
# sees (ports-tN). A tester ffwd is the memif client on wan.
#   1. tester up: wan up, the tap UP in the kernel;
#   2. tester killed: wan loses link, the bump takes lan down: the kernel
#      sees the tap without UP;
#   3. tester back: wan up again, the bump brings the tap back UP;
#   4. the tap set down from the kernel side: lan loses link; memif has no
#      set_link_down, so the bump says it cannot and counts that;
#   5. the exit report: "link wan lost 1, took lan down 1, brought it back
#      1, could not 0" and "link lan lost 1, ... could not 1"; accounting
#      exact all the while.
# Needs root and /dev/net/tun; otherwise it says so and counts as skipped.
#
#	tests/e2e/link.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

E2E_SKIPPED=0
N=$(($$ % 10000))
TAP=ports-t$N
SOCK=$TMP/wan.sock
BUMP_PID= TEST_PID=

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
stop_pid()
{
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
link_cleanup()
{
	stop_pid "$TEST_PID"
	stop_pid "$BUMP_PID"
	ip link del "$TAP" 2>/dev/null || true
}
trap 'link_cleanup; e2e_cleanup' EXIT

if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
	skip "link: needs root and /dev/net/tun for the net_tap port"
	finish
	exit $?
fi

e2e_label lnkB
BUMP=$E2E_LABEL
e2e_label lnkT
TESTER=$E2E_LABEL
E2E_LABELS+=("$BUMP" "$TESTER")
cat >"$TMP/bump.yaml" <<EOF
pipeline: { label: $BUMP, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1 } }
ports:
  wan: { dev: "net_memif0,role=server,socket=$SOCK,id=0" }
  lan: { dev: "net_tap0,iface=$TAP" }
paths:
  - name: w2l
    stages:
      - { name: w_rx, kind: input, port: wan, lcore: 1, idle: yield }
      - { name: l_tx, kind: output, port: lan, lcore: 1, idle: yield }
  - name: l2w
    stages:
      - { name: l_rx, kind: input, port: lan, lcore: 1, idle: yield }
      - { name: w_tx, kind: output, port: wan, lcore: 1, idle: yield }
EOF
cat >"$TMP/tester.yaml" <<EOF
pipeline: { label: $TESTER, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1 } }
ports:
  w: { dev: "net_memif1,role=client,socket=$SOCK,id=0" }
  o: { dev: "net_null1" }
paths:
  - name: p
    stages:
      - { name: rx, kind: input, port: w, lcore: 1, idle: yield }
      - { name: tx, kind: output, port: o, lcore: 1, idle: yield }
EOF

tap_up()
{
	ip link show "$TAP" 2>/dev/null | head -1 | grep -q '[<,]UP[,>]'
}
# wait_for COND SECONDS: poll the shell function COND
wait_for()
{
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		"$1" && return 0
		sleep 0.1
	done
	return 1
}
tap_down() { ! tap_up; }
logged() { grep -q "$PATTERN" "$TMP/bump.err"; }

tester_start()
{
	env --default-signal=INT,TERM "$FFWD" "$TMP/tester.yaml" --link-wait 5 \
		>>"$TMP/tester.out" 2>>"$TMP/tester.err" &
	TEST_PID=$!
}

env --default-signal=INT,TERM "$FFWD" "$TMP/bump.yaml" --link-wait 0 \
	>"$TMP/bump.out" 2>"$TMP/bump.err" &
BUMP_PID=$!
sleep 1
tester_start

PATTERN="port 'wan': link up"
if wait_for logged 15 && wait_for tap_up 5; then
	e2e_pass "tester connected: wan up, $TAP UP"
else
	e2e_fail "start" "wan or $TAP not up: $(ip link show "$TAP" 2>&1 | head -1)"
fi

stop_pid "$TEST_PID"
TEST_PID=
PATTERN="port 'wan': link down; took port 'lan' down with it"
if wait_for logged 5 && wait_for tap_down 5; then
	e2e_pass "tester gone: wan down, bump took lan down: $(ip link show "$TAP" | head -1 | cut -d' ' -f2-3)"
else
	e2e_fail "wan down" "lan not taken down: $(ip link show "$TAP" 2>&1 | head -1); $(tail -2 "$TMP/bump.err" | tr '\n' '|')"
fi

tester_start
PATTERN="port 'wan': link up; brought port 'lan' back up"
if wait_for logged 15 && wait_for tap_up 5; then
	e2e_pass "tester back: wan up, bump brought lan back: $(ip link show "$TAP" | head -1 | cut -d' ' -f2-3)"
else
	e2e_fail "wan up" "lan not brought back: $(ip link show "$TAP" 2>&1 | head -1)"
fi

ip link set "$TAP" down
PATTERN="port 'lan': link down; port 'wan' cannot be taken down"
if wait_for logged 5; then
	e2e_pass "tap set down: memif cannot be taken down, and the bump says so"
else
	e2e_fail "lan down" "no 'cannot be taken down' line: $(tail -2 "$TMP/bump.err" | tr '\n' '|')"
fi
ip link set "$TAP" up

# The bump first: the tester's exit would be one more link loss.
kill -TERM "$BUMP_PID"
wait "$BUMP_PID" && rc=0 || rc=$?
BUMP_PID=
stop_pid "$TEST_PID"
TEST_PID=
if grep -q "^link  wan  *lost 1, took lan down 1, brought it back 1, could not 0$" "$TMP/bump.out" &&
	grep -q "^link  lan  *lost 1, took wan down 0, brought it back 0, could not 1$" "$TMP/bump.out"; then
	e2e_pass "exit report counts them: $(grep '^link  wan' "$TMP/bump.out" | tr -s ' ')"
else
	e2e_fail "exit report" "$(grep '^link' "$TMP/bump.out" | tr '\n' '|')"
fi
# The kernel's own packets on the tap (IPv6 neighbour discovery) cross
# the bump: whatever they were, every one is accounted for.
if [ "$rc" -eq 0 ] && grep -q '^summary: .* ok$' "$TMP/bump.out" &&
	[ "$(grep -c '^path .* ok$' "$TMP/bump.out")" -eq 2 ]; then
	e2e_pass "bump exits 0, both paths add up: $(grep '^summary' "$TMP/bump.out")"
else
	e2e_fail "bump exit" "exit $rc: $(grep -E '^(path|summary)' "$TMP/bump.out" | tr '\n' '|')"
fi

finish
