#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# badfiles: malformed and non-Ethernet captures as the input of a
# three-lcore input -> fwd -> output pipeline. Whatever the file, ffwd must
# not crash, hang or trip a sanitizer, and must either
#   - refuse it: exit 2 with a message on stderr naming the file, where
#     libpcap cannot open it, stops on an error part-way through, or gives
#     a link type other than Ethernet (a partial read must not pass for a
#     complete one); or
#   - forward it: exit 0, summary ok, every packet libpcap reads received,
#     and, where none was dropped and none is over 16128 bytes (what
#     net_pcap writes of a chained mbuf), the output equal to the input.
#
#	tests/e2e/badfiles.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

# "PATH RC PACKETS MAX_CAPLEN", PATH under the corpus' pcaps/. Every file in
# pcaps/derived/ and pcaps/libpcap-badformat/ (a file there with no row
# fails), then non-Ethernet captures and pcapng-testgen files libpcap 1.10
# refuses. RC, PACKETS and MAX_CAPLEN follow expected/libpcap_read.json
# (libpcap 1.10.3, pcap_open_offline + pcap_next_ex): open_error -> 2; dlt
# != 1 -> 2; "end" an error -> 2 (after the packets noted); else 0 with
# "packets" and max(caplen).
EXPECT=(
	"derived/bad-magic.pcap 2 - -"			# open: unknown file format
	"derived/bad-usec.pcap 0 1 60"			# usec field 1999999
	"derived/caplen-gt-len.pcap 0 11 280"		# caplen 74 > len 20
	"derived/caplen-gt-snaplen.pcap 0 11 64"
	"derived/caplen-huge.pcap 2 - -"		# error after 1: caplen 4294967280
	"derived/empty-file.pcap 2 - -"			# open: 0 header bytes
	"derived/header-only.pcap 0 0 0"		# no packets at all
	"derived/len-zero.pcap 0 11 280"
	"derived/ng-bad-bom.pcapng 2 - -"		# open: unknown file format
	"derived/ng-block-len-not-mult4.pcapng 2 - -"	# error after 0
	"derived/ng-epb-bad-ifid.pcapng 2 - -"		# error after 0: no IDB 7
	"derived/ng-epb-caplen-exceeds-block.pcapng 2 - -" # error after 0
	"derived/ng-no-idb.pcapng 2 - -"		# open: packet before IDB
	"derived/ng-trailer-mismatch.pcapng 2 - -"	# error after 0
	"derived/ng-trunc-mid-block.pcapng 2 - -"	# error after 0
	"derived/oversize-frame.pcap 0 2 65535"		# a 65535-byte frame
	"derived/runt-frames.pcap 0 15 15"		# frames of 0..15 bytes
	"derived/short-file-header.pcap 2 - -"		# open: 9 header bytes
	"derived/snaplen-zero.pcap 0 11 280"
	"derived/time-goes-backwards.pcap 0 6 60"
	"derived/trunc-in-record-data.pcap 2 - -"	# error after 10
	"derived/trunc-in-record-header.pcap 2 - -"	# error after 2
	"libpcap-badformat/linktype-reserved-field-not-zero.pcap 2 - -" # dlt 0x300000
	"libpcap-badformat/pcap-invalid-version-1.pcap 2 - -"	# open: archaic format
	"libpcap-badformat/pcapng-invalid-vers-1.pcapng 2 - -"	# open: version 0.1
	# other-linktype and more non-Ethernet link types
	"tcpdump/quic_handshake.pcap 2 - -"		# DLT_NULL (0)
	"tcpdump/reason_code-1.pcap 2 - -"		# radiotap (127)
	"tcpdump/status_code-31.pcap 2 - -"		# radiotap (127)
	"tcpdump/tcp-handshake-nano.pcap 2 - -"		# Linux SLL (113), ns
	"tcpdump/hdlc_slarp.pcapng 2 - -"		# Cisco HDLC (104), pcapng
	"libpcap-filter/http_PPI.pcap 2 - -"		# PPI (192)
	# pcapng-testgen as libpcap 1.10 sees it (Wireshark reads more)
	"pcapng-testgen/le/basic/test002.pcapng 2 - -"	# open: no IDB
	"pcapng-testgen/le/basic/test003.pcapng 0 0 0"	# IDB, no packets
	"pcapng-testgen/le/basic/test005.pcapng 2 - -"	# error after 1: 2nd snaplen
	"pcapng-testgen/be/advanced/test100.pcapng 2 - -" # error after 1: 2nd link type
)

declare -A LISTED=()
for row in "${EXPECT[@]}"; do
	read -r cap _ <<<"$row"
	LISTED[$cap]=1
done
for f in "$CORPUS"/pcaps/derived/* "$CORPUS"/pcaps/libpcap-badformat/*; do
	cap=${f#"$CORPUS"/pcaps/}
	[ -n "${LISTED[$cap]:-}" ] ||
		e2e_fail "$cap" "in the corpus but not in EXPECT: add its row"
done

for row in "${EXPECT[@]}"; do
	read -r cap want n maxlen <<<"$row"
	in=$CORPUS/pcaps/$cap
	base=$(basename "$cap")
	e2e_label bad
	label=$E2E_LABEL
	dir=$TMP/$label
	mkdir "$dir"
	out=$dir/out.pcap
	if ! e2e_devpath_ok "$in" || ! e2e_devpath_ok "$out"; then
		e2e_fail "$cap" "unusable path"
		continue
	fi
	{
		e2e_cfg_pipeline "$label"
		cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$in" }
  out: { dev: "net_pcap1,tx_pcap=$out" }
paths:
  - name: bad
    stages:
      - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
      - { name: fw, kind: fwd, lcore: 2, idle: yield }
      - { name: tx, kind: output, port: out, lcore: 3, idle: yield }
EOF
	} >"$dir/ffwd.yaml"

	e2e_run "$label" "$dir" -c "$dir/ffwd.yaml" --idle-exit 300

	if why=$(e2e_crashed "$dir"); then
		e2e_fail "$cap" "$why" "$dir"
	elif [ "$want" -eq 2 ]; then
		msg=$(grep -F -m1 -- "$base" "$dir/err" || true)
		if [ "$E2E_RC" -ne 2 ]; then
			e2e_fail "$cap" "exit $E2E_RC, expected 2 (libpcap refuses it or it is not Ethernet)" "$dir"
		elif [ -z "$msg" ]; then
			e2e_fail "$cap" "exit 2 but no stderr line names $base" "$dir"
		else
			e2e_pass "$cap: exit 2: ${msg:0:120}"
		fi
	elif ! e2e_check_ok "$dir"; then
		e2e_fail "$cap" "$E2E_WHY" "$dir"
	elif [ "$SUM_RX" -ne "$n" ]; then
		e2e_fail "$cap" "received $SUM_RX, libpcap reads $n" "$dir"
	elif [ "$SUM_DROP" -eq 0 ] && [ "$maxlen" -le 16128 ] &&
		! cmp_out=$("$PCAPCMP" "$in" "$out" 2>&1); then
		e2e_fail "$cap" "nothing dropped but the output differs: $cmp_out" "$dir"
	else
		e2e_pass "$cap: exit 0: received $SUM_RX sent $SUM_TX dropped $SUM_DROP"
	fi
	e2e_drop_dir "$dir"
done

e2e_finish
