#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# oversize: frames longer than the output port takes are dropped before
# the PMD and counted as "oversize"; the rest arrive byte for byte.
#
# Inputs: every corpus capture with a frame over 16128 bytes (what net_pcap
# can write whole; the 80 KB frame of bigtcp-ipv4-vxlan-ipv4.pcap used to
# kill ffwd with SIGSEGV in net_pcap's TX), found by scanning the corpus
# with tests/e2e/caplen.py (caplen as libpcap reads it). In one ffwd run per
# capture, four inputs read it, each on a path input -> ring -> output to
#   - net_pcap:              oversize = frames > 16128, output = the others
#   - net_null:              it takes any length: oversize 0, all sent
#   - net_pcap, mtu: 1500:   oversize = frames > 1518, output = the others
#   - net_null, mtu: 1500:   oversize = frames > 1518
# and the same for every capture with jumbo frames up to 16128 bytes (the
# mtu: 1500 outputs drop those as oversize, the others send them). Every
# run exits 0, no crash or sanitizer report, accounting exact. The
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

# run_capture TAG CAPTURE: one ffwd run; four inputs read the capture,
# one path to each sink (pcap, null, pcap with mtu 1500, null with mtu
# 1500); each path checked on its own.
run_capture()
{
	local tag=$1 in=$2 cap dir n p sink limit big got line name
	cap=${in#"$CORPUS"/pcaps/}
	e2e_label ovs
	dir=$TMP/$E2E_LABEL
	mkdir "$dir"
	if ! e2e_devpath_ok "$in"; then
		e2e_fail "$tag $cap" "unusable path"
		return
	fi
	{
		e2e_cfg_pipeline "$E2E_LABEL"
		echo "ports:"
		echo "  i0: { dev: \"net_pcap0,rx_pcap=$in\" }"
		echo "  i1: { dev: \"net_pcap1,rx_pcap=$in\" }"
		echo "  i2: { dev: \"net_pcap2,rx_pcap=$in\" }"
		echo "  i3: { dev: \"net_pcap3,rx_pcap=$in\" }"
		# ("null" is YAML's null: the sinks are named to_*.)
		echo "  to_pcap: { dev: \"net_pcap4,tx_pcap=$dir/to_pcap.pcap\" }"
		echo "  to_null: { dev: \"net_null0\" }"
		echo "  to_pcapmtu: { dev: \"net_pcap5,tx_pcap=$dir/to_pcapmtu.pcap\", mtu: 1500 }"
		echo "  to_nullmtu: { dev: \"net_null1\", mtu: 1500 }"
		echo "paths:"
		for p in to_pcap:i0 to_null:i1 to_pcapmtu:i2 to_nullmtu:i3; do
			echo "  - name: ${p%%:*}"
			echo "    stages:"
			echo "      - { name: rx_${p%%:*}, kind: input, port: ${p#*:}, lcore: 1, idle: yield }"
			echo "      - { name: tx_${p%%:*}, kind: output, port: ${p%%:*}, lcore: 2, idle: yield }"
		done
	} >"$dir/ffwd.yaml"
	n=$($CAPLEN count "$in" -1)
	e2e_run "$E2E_LABEL" "$dir" -c "$dir/ffwd.yaml" --idle-exit 300
	if ! e2e_check_ok "$dir"; then
		e2e_fail "$tag $cap" "$E2E_WHY" "$dir"
		e2e_drop_dir "$dir"
		return
	fi
	for p in to_pcap:$PCAP_LIMIT to_null:4294967295 to_pcapmtu:$MTU_LIMIT \
		to_nullmtu:$MTU_LIMIT; do
		sink=${p%%:*}
		limit=${p#*:}
		name=${sink#to_}
		name="$tag $cap -> net_${name%mtu}"
		[ "${sink%mtu}" = "$sink" ] || name="$name mtu 1500"
		big=$($CAPLEN count "$in" "$limit")
		got=$(sed -n "s/^stage tx_$sink .* oversize \([0-9]*\).*/\1/p" "$dir/out")
		got=${got:-0}
		line=$(grep "^path $sink: " "$dir/out" || true)
		cmp_out=
		if ! grep -q "^path $sink: received $n sent $((n - big)) dropped $big" <<<"$line"; then
			e2e_fail "$name" "expected received $n sent $((n - big)) dropped $big: $line" "$dir"
		elif [ "$got" -ne "$big" ]; then
			e2e_fail "$name" "oversize $got, expected $big (frames over $limit bytes)" "$dir"
		elif [ "$big" -ne 0 ] && ! grep -q " oversize=$big ok" <<<"$line"; then
			e2e_fail "$name" "drops not all oversize: $line" "$dir"
		elif [ "${sink#to_pcap}" != "$sink" ] &&
			! { $CAPLEN keep "$in" "$limit" "$dir/want-$sink.pcap" &&
			    cmp_out=$("$PCAPCMP" "$dir/want-$sink.pcap" "$dir/$sink.pcap" 2>&1); }; then
			e2e_fail "$name" "output is not the frames up to $limit bytes: $cmp_out" "$dir"
		else
			e2e_pass "$name: received $n, oversize $big, sent $((n - big))"
		fi
	done
	e2e_drop_dir "$dir"
}

# An output skips the per-frame check only where its path's input bounds
# every frame under the output's limit (net_null's size here). At the
# limit and one byte over it: all sent, then all counted as oversize.
run_bound() {
	local tag=$1 size=$2 want=$3 dir name out
	name="$tag net_null size=$size -> net_null mtu 1500"
	dir=$TMP/bound-$tag-$size
	mkdir -p "$dir"
	cat >"$dir/b.yaml" <<EOT
pipeline: { label: ovb$$, housekeeping: 0, memory: 256, mbufs: 4095, cpus: { 0: 0, 1: 1 } }
ports:
  a: { dev: "net_null0,size=$size" }
  b: { dev: "net_null1", mtu: 1500 }
stages:
  - { name: rx, kind: input, port: a, lcore: 1, idle: yield }
  - { name: tx, kind: output, port: b, lcore: 1, idle: yield }
EOT
	out=$(timeout 60 "$FFWD" "$dir/b.yaml" --duration 0.5 --stats-interval 0 2>&1)
	rm -rf "/var/run/dpdk/ovb$$"
	if ! echo "$out" | grep -qE "^path main: received [1-9][0-9]* $want ok\$"; then
		e2e_fail "$name" "expected '$want': $(echo "$out" | grep -E '^(path|summary)')" "$dir"
	else
		e2e_pass "$name: $(echo "$out" | grep '^path')"
		e2e_drop_dir "$dir"
	fi
}

for ffwd in "${builds[@]}"; do
	FFWD=$ffwd
	btag=$(basename "$(dirname "$ffwd")")
	run_bound "$btag" 1518 "sent [1-9][0-9]* dropped 0"
	run_bound "$btag" 1519 "sent 0 dropped [1-9][0-9]* oversize=[1-9][0-9]*"
done

for ffwd in "${builds[@]}"; do
	FFWD=$ffwd
	tag=$(basename "$(dirname "$(dirname "$ffwd")")")
	[ "$(basename "$(dirname "$ffwd")")" = app ] || tag=$(basename "$(dirname "$ffwd")")
	for in in "${caps[@]}" "${jumbo[@]}"; do
		run_capture "$tag" "$in"
	done
done

e2e_finish
