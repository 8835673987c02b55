#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# bump: bump in the wire, both directions at once. Two net_pcap ports, each
# reading one capture and writing another:
#   wan: rx_pcap=A, tx_pcap=outW		lan: rx_pcap=B, tx_pcap=outL
# path w2l: input wan -> fwd -> output lan; path l2w: input lan -> output
# wan, on lcores 1 and 2. outL must equal A and outW equal B (pcapcmp), and
# each path must count exactly its own capture, nothing dropped.
#
#	tests/e2e/bump.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

# "A B W2L_LCORES L2W_LCORES": captures under pcaps/ (Ethernet, read to eof
# by libpcap, no frame over 16128 bytes: see forward.sh), then the lcores
# of w2l's rx fw tx and of l2w's rx tx.
CASES=(
	# each path on its own lcore
	"tcpdump/vrrp.pcap tcpdump/eapon1.pcap 1,1,1 2,2"
	# crossed: lcore 1 serves port wan (w2l in, l2w out), lcore 2 port
	# lan; chained mbufs (up to 11858 and 2962 B) both ways
	"tcpdump/of13_ericsson.pcapng tcpdump/of10_p3295.pcap 1,1,2 2,1"
	# one direction silent from the start: idle-exit must still come
	"tcpdump/geonet_v0_and_calm_fast.pcap derived/header-only.pcap 1,2,2 1,2"
)

for row in "${CASES[@]}"; do
	read -r cap_a cap_b lc_w lc_l <<<"$row"
	IFS=, read -r w_rx w_fw w_tx <<<"$lc_w"
	IFS=, read -r l_rx l_tx <<<"$lc_l"
	name="$cap_a <-> $cap_b (w2l $lc_w, l2w $lc_l)"
	a=$CORPUS/pcaps/$cap_a
	b=$CORPUS/pcaps/$cap_b
	n_a=$(e2e_count "$a")
	n_b=$(e2e_count "$b")
	if [ -z "$n_a" ] || [ -z "$n_b" ]; then
		e2e_fail "$name" "pcapcmp cannot read an input"
		continue
	fi
	e2e_label bmp
	label=$E2E_LABEL
	dir=$TMP/$label
	mkdir "$dir"
	out_w=$dir/out_wan.pcap
	out_l=$dir/out_lan.pcap
	for p in "$a" "$b" "$out_w" "$out_l"; do
		e2e_devpath_ok "$p" || { e2e_fail "$name" "unusable path"; continue 2; }
	done
	{
		e2e_cfg_pipeline "$label"
		cat <<EOF
ports:
  wan: { dev: "net_pcap0,rx_pcap=$a,tx_pcap=$out_w" }
  lan: { dev: "net_pcap1,rx_pcap=$b,tx_pcap=$out_l" }
paths:
  - name: w2l
    stages:
      - { name: w_rx, kind: input, port: wan, lcore: $w_rx, idle: yield }
      - { name: w_fw, kind: fwd, lcore: $w_fw, idle: yield }
      - { name: w_tx, kind: output, port: lan, lcore: $w_tx, idle: yield }
  - name: l2w
    stages:
      - { name: l_rx, kind: input, port: lan, lcore: $l_rx, idle: yield }
      - { name: l_tx, kind: output, port: wan, lcore: $l_tx, idle: yield }
EOF
	} >"$dir/ffwd.yaml"

	e2e_run "$label" "$dir" -c "$dir/ffwd.yaml" --idle-exit 300

	if ! e2e_check_ok "$dir"; then
		e2e_fail "$name" "$E2E_WHY" "$dir"
	elif [ "$SUM_RX" -ne $((n_a + n_b)) ] || [ "$SUM_TX" -ne $((n_a + n_b)) ]; then
		e2e_fail "$name" "summary received $SUM_RX sent $SUM_TX, expected $((n_a + n_b)) both" "$dir"
	elif ! e2e_path "$dir" w2l; then
		e2e_fail "$name" "no 'path w2l:' line on stdout" "$dir"
	elif [ "$PATH_RX $PATH_TX $PATH_DROP" != "$n_a $n_a 0" ]; then
		e2e_fail "$name" "path w2l: received $PATH_RX sent $PATH_TX dropped $PATH_DROP, expected $n_a $n_a 0" "$dir"
	elif ! e2e_path "$dir" l2w; then
		e2e_fail "$name" "no 'path l2w:' line on stdout" "$dir"
	elif [ "$PATH_RX $PATH_TX $PATH_DROP" != "$n_b $n_b 0" ]; then
		e2e_fail "$name" "path l2w: received $PATH_RX sent $PATH_TX dropped $PATH_DROP, expected $n_b $n_b 0" "$dir"
	elif ! cmp_out=$("$PCAPCMP" "$a" "$out_l" 2>&1); then
		e2e_fail "$name" "lan output differs from $cap_a: $cmp_out" "$dir"
	elif ! cmp_out=$("$PCAPCMP" "$b" "$out_w" 2>&1); then
		e2e_fail "$name" "wan output differs from $cap_b: $cmp_out" "$dir"
	else
		e2e_pass "$name ($n_a + $n_b packets)"
	fi
	e2e_drop_dir "$dir"
done

e2e_finish
