#!/usr/bin/env bash
# A stage lcore in spin mode makes no system call: strace attaches to that
# one thread (its TID alone, not -f: the main lcore and EAL's interrupt and
# telemetry threads do make calls) for 2 seconds and must record none.
# The control: the same pipeline in yield mode must show sched_yield, so a
# broken strace cannot pass the test by seeing nothing.
# Usage: tests/e2e/nosyscall.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
ffwd="$root/$build/ffwd"
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0 fail=0

# $1: idle mode, $2: source devargs; prints the syscall count seen on the
# stage thread, and leaves the calls in $tmp/calls.$1.
count_syscalls() {
	local idle=$1 src=$2 tid= i
	cat >"$tmp/cfg.yaml" <<EOT
pipeline: { label: nosys$$, housekeeping: 0, memory: 256, mbufs: 2047, cpus: { 0: 0, 1: 1 } }
ports:
  src: { dev: "$src" }
  dst: { dev: "net_null1,copy=0" }
stages:
  - { name: rx, kind: input, port: src, lcore: 1, idle: $idle }
  - { name: sw, kind: fwd, mac_swap: true, lcore: 1, idle: $idle }
  - { name: tx, kind: output, port: dst, lcore: 1, idle: $idle }
EOT
	"$ffwd" "$tmp/cfg.yaml" --duration 8 >"$tmp/ffwd.out" 2>&1 &
	pid=$!
	for i in $(seq 50); do
		tid=$(grep -l '^rte-worker-1$' /proc/$pid/task/*/comm 2>/dev/null | head -1 | awk -F/ '{print $5}') || true
		[ -n "$tid" ] && break
		sleep 0.1
	done
	if [ -z "$tid" ]; then
		echo "no stage thread rte-worker-1 in ffwd (pid $pid)" >&2
		cat "$tmp/ffwd.out" >&2
		echo -1
		return
	fi
	sleep 1 # let the loop settle past start-up
	timeout -s INT 2 strace -p "$tid" -o "$tmp/strace.$idle" 2>/dev/null || true
	kill -INT "$pid"
	wait "$pid" || true
	pid=
	{ grep -E '^[a-z_0-9]+\(' "$tmp/strace.$idle" || true; } | tee "$tmp/calls.$idle" | wc -l
}

# Busy: net_null always has a burst ready. Idle: net_ring0 is an empty
# ring port, so every poll comes back empty.
for src in "net_null0,copy=0" "net_ring0"; do
	what=$([ "$src" = net_ring0 ] && echo "idle" || echo "busy")
	n=$(count_syscalls spin "$src")
	if [ "$n" = 0 ]; then
		echo "ok: spin-mode stage thread ($what input) made 0 system calls in 2 s"
		pass=$((pass + 1))
	else
		echo "FAIL: spin-mode stage thread ($what input) made $n system calls in 2 s:"
		cut -d'(' -f1 "$tmp/calls.spin" | sort | uniq -c | head
		fail=$((fail + 1))
	fi
done

n=$(count_syscalls yield net_ring0)
if [ "$n" -gt 0 ] && grep -q '^sched_yield' "$tmp/calls.yield"; then
	echo "ok: control: yield-mode stage thread made $n calls (sched_yield), so strace sees them"
	pass=$((pass + 1))
else
	echo "FAIL: control: yield mode showed $n calls, expected sched_yield"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
