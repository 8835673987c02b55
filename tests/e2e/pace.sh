#!/usr/bin/env bash
# Paced outputs in a YAML pipeline: pps and mbps (with per-frame overhead)
# on net_null, the achieved rate within +-0.5 % of the asked one.
# Usage: tests/e2e/pace.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
ffwd=$build/ffwd
tmp=$(mktemp -d)
n=$(( $$ % 1000 ))
trap 'rm -rf "$tmp" "/var/run/dpdk/pace${n:?}"' EXIT
pass=0 fail=0

# run NAME OUTPUT-KEYS WANT_PPS
run() {
	local name=$1 keys=$2 want=$3 got
	cat >"$tmp/p.yaml" <<EOT
pipeline: { label: pace$n, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1, 2: 0 } }
ports:
  src: { dev: "net_null0$n,copy=0,size=64" }
  dst: { dev: "net_null1$n,copy=0" }
stages:
  - { name: rx, kind: input, port: src, lcore: 2, idle: yield }
  - { name: tx, kind: output, port: dst, lcore: 1, $keys }
EOT
	"$ffwd" "$tmp/p.yaml" --duration 3 >"$tmp/out" 2>&1
	# ffwd's figure: units sent before the last departure over the time
	# from the first, on the TSC calibrated against CLOCK_MONOTONIC.
	got=$(sed -n 's/^pace  tx .* achieved \([0-9.]*\) .*/\1/p' "$tmp/out")
	if [ -n "$got" ] && grep -q "^summary: .* ok$" "$tmp/out" &&
	   awk -v g="$got" -v w="$want" 'BEGIN { e = (g - w) / w; exit !(e <= 0.005 && e >= -0.005) }'; then
		echo "PASS $name: achieved $got (asked $want)"
		pass=$((pass + 1))
	else
		echo "FAIL $name: achieved '$got', asked $want: $(grep -E "^(pace|summary)" "$tmp/out")"
		fail=$((fail + 1))
	fi
}

run "pps 100000" "pps: 100000" 100000
# net_null's 64-byte packets are frames with their FCS; + 20 bytes of
# preamble and inter-frame gap = 672 bits: 1000 Mbps is gigabit line rate,
# 1,488,095 frames/s.
run "mbps 1000, overhead 20" "mbps: 1000, overhead: 20" 1000
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
