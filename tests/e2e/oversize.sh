#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# oversize: frames longer than the output port takes are dropped before
# the PMD and counted as "oversize"; the rest arrive byte for byte.
#
# Inputs: every corpus capture with a frame over 16128 bytes (what net_pcap
# can write whole; the 80 KB frame of bigtcp-ipv4-vxlan-ipv4.pcap used to
# kill ffwd with SIGSEGV in net_pcap's TX), found by scanning the corpus
# with tests/e2e/caplen.py (caplen as libpcap reads it). Each goes input ->
# ring -> output, to
#   - net_pcap:              oversize = frames > 16128, output = the others
#   - net_null:              it takes any length: oversize 0, all sent
#   - net_pcap, mtu: 1500:   oversize = frames > 1518, output = the others
#   - net_null, mtu: 1500:   oversize = frames > 1518
# and every capture with jumbo frames up to 16128 bytes to the two
# mtu: 1500 outputs (jumbo frames dropped as oversize, the others sent).
# every run exit 0, no crash or sanitizer report, accounting exact. The
# same cases run again with the ASan+UBSan build (BUILD_DIR's sibling
# build-asan/) where it has been built.
#
#	tests/e2e/oversize.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

CAPLEN="/usr/bin/python3 $ROOT/tests/e2e/caplen.py"
PCAP_LIMIT=16128
MTU_LIMIT=$((1500 + 18))	# MTU + Ethernet header + one VLAN tag

builds=("$FFWD")
asan=$(dirname "$BUILD")/build-asan
for f in "$asan/app/ffwd" "$asan/ffwd"; do
	if [ -x "$f" ] && [ "$f" != "$FFWD" ]; then
		builds+=("$f")
		break
	fi
done

caps=() jumbo=()
for f in "$CORPUS"/pcaps/*/*.pcap "$CORPUS"/pcaps/*/*.pcapng; do
	max=$($CAPLEN max "$f" 2>/dev/null) || continue
	if [ "$max" -gt "$PCAP_LIMIT" ]; then
		caps+=("$f")
	elif [ "$max" -gt "$MTU_LIMIT" ]; then
		jumbo+=("$f")
	fi
done
if [ "${#caps[@]}" -eq 0 ]; then
	e2e_fail "corpus" "no capture with a frame over $PCAP_LIMIT bytes found"
fi
case " ${caps[*]} " in
*/bigtcp-ipv4-vxlan-ipv4.pcap\ *) ;;
*) e2e_fail "corpus" "bigtcp-ipv4-vxlan-ipv4.pcap not among the oversize captures" ;;
esac

# run_case NAME CAPTURE SINK(pcap|null) MTU(0: none) LIMIT
run_case()
{
	local name=$1 in=$2 sink=$3 mtu=$4 limit=$5 dir dev extra="" n big want
	e2e_label ovs
	dir=$TMP/$E2E_LABEL
	mkdir "$dir"
	if ! e2e_devpath_ok "$in"; then
		e2e_fail "$name" "unusable path"
		return
	fi
	if [ "$sink" = pcap ]; then
		dev="net_pcap1,tx_pcap=$dir/out.pcap"
	else
		dev="net_null1"
	fi
	[ "$mtu" -eq 0 ] || extra=", mtu: $mtu"
	{
		e2e_cfg_pipeline "$E2E_LABEL"
		cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$in" }
  out: { dev: "$dev"$extra }
paths:
  - name: big
    stages:
      - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
      - { name: tx, kind: output, port: out, lcore: 2, idle: yield }
EOF
	} >"$dir/ffwd.yaml"
	n=$($CAPLEN count "$in" -1)
	big=$($CAPLEN count "$in" "$limit")
	e2e_run "$E2E_LABEL" "$dir" -c "$dir/ffwd.yaml" --idle-exit 300
	want=$(sed -n 's/^stage tx .* oversize \([0-9]*\).*/\1/p' "$dir/out")
	want=${want:-0}
	if ! e2e_check_ok "$dir"; then
		e2e_fail "$name" "$E2E_WHY" "$dir"
	elif [ "$SUM_RX" -ne "$n" ]; then
		e2e_fail "$name" "received $SUM_RX, the capture has $n" "$dir"
	elif [ "$want" -ne "$big" ]; then
		e2e_fail "$name" "oversize $want, expected $big (frames over $limit bytes)" "$dir"
	elif ! grep -q "^path big: .* sent $((n - big)) dropped $big" "$dir/out"; then
		e2e_fail "$name" "path line is not 'sent $((n - big)) dropped $big': $(grep '^path big' "$dir/out")" "$dir"
	elif [ "$big" -ne 0 ] && ! grep -q "^path big: .* oversize=$big ok" "$dir/out"; then
		e2e_fail "$name" "drops not all oversize: $(grep '^path big' "$dir/out")" "$dir"
	elif [ "$sink" = pcap ] &&
		! { $CAPLEN keep "$in" "$limit" "$dir/want.pcap" &&
		    cmp_out=$("$PCAPCMP" "$dir/want.pcap" "$dir/out.pcap" 2>&1); }; then
		e2e_fail "$name" "output is not the frames up to $limit bytes: ${cmp_out:-}" "$dir"
	else
		e2e_pass "$name: received $n, oversize $big, sent $((n - big))"
	fi
	e2e_drop_dir "$dir"
}

for ffwd in "${builds[@]}"; do
	FFWD=$ffwd
	tag=$(basename "$(dirname "$(dirname "$ffwd")")")
	[ "$(basename "$(dirname "$ffwd")")" = app ] || tag=$(basename "$(dirname "$ffwd")")
	for in in "${caps[@]}"; do
		cap=${in#"$CORPUS"/pcaps/}
		run_case "$tag $cap -> net_pcap" "$in" pcap 0 "$PCAP_LIMIT"
		run_case "$tag $cap -> net_null" "$in" null 0 4294967295
		run_case "$tag $cap -> net_pcap mtu 1500" "$in" pcap 1500 "$MTU_LIMIT"
		run_case "$tag $cap -> net_null mtu 1500" "$in" null 1500 "$MTU_LIMIT"
	done
	for in in "${jumbo[@]}"; do
		cap=${in#"$CORPUS"/pcaps/}
		run_case "$tag $cap -> net_pcap mtu 1500" "$in" pcap 1500 "$MTU_LIMIT"
		run_case "$tag $cap -> net_null mtu 1500" "$in" null 1500 "$MTU_LIMIT"
	done
done

e2e_finish
