#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# forward: every capture below goes in through a net_pcap port, through
# input -> fwd -> output, and out to a pcap file, with the stages fused on
# one lcore, split over two, and over three, each with idle: yield and
# busy-polling (idle: spin) on CPUs of their own. Each run must exit 0 by
# itself (--idle-exit), say "ok", count every packet received and sent
# (none dropped), give every mbuf back, and write the input's packets,
# bytes and order unchanged (pcapcmp).
#
#	tests/e2e/forward.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

# Paths under the corpus' pcaps/. Chosen from manifest.json (category) and
# expected/libpcap_read.json: link type 1 (Ethernet), read to "eof" with no
# error, at least one packet, no packet under 14 bytes (an Ethernet header;
# runts belong to badfiles.sh), and no packet over 16128 bytes: net_pcap
# (DPDK 22.11) writes at most RTE_ETHER_MAX_JUMBO_FRAME_LEN = 16128 bytes of
# a multi-segment mbuf, so bigger frames come out cut. Left out for that:
# tcpdump/huge-tipc-messages.pcap (66014 B), bigtcp-ipv4-vxlan-ipv4.pcap
# (80116 B), bigtcp-ipv6-vxlan-ipv4.pcap (80136 B), dns_fwdptr.pcap and
# dns-badlabel.pcap (63207 B), isis-areaaddr-oobr-1.pcap and
# zephyr-oobr.pcap (65535 B). Frames over mbuf_size - headroom (2048 B)
# arrive as chained mbufs.
CAPTURES=(
	# ethernet-normal (ISIS and epgm have full 1514-byte frames)
	tcpdump/802.1ad_QinQ.pcap		# 2, QinQ tags
	tcpdump/EIGRP_adjacency.pcap		# 53
	tcpdump/ISIS_external_lsp.pcap		# 15, up to 1514 B
	tcpdump/dns_tcp.pcap			# 11
	tcpdump/eapon1.pcap			# 114, 19..342 B
	tcpdump/erspan-type-i-4.pcap		# 119
	tcpdump/geonet_v0_and_calm_fast.pcap	# 100
	tcpdump/vrrp.pcap			# 165
	tcpdump/ntp-control.pcap		# 21
	tcpdump/epgm_zmtp1.pcap			# 15, up to 1494 B
	# jumbo-or-gso: chained mbufs
	tcpdump/gso-ipv4-vxlan-ipv4.pcap	# 1 x 7106 B
	tcpdump/gso-ipv6-geneve-ipv4.pcap	# 1 x 7026 B
	tcpdump/gso-ipv6-vxlan-ipv6.pcap	# 1 x 4230 B
	tcpdump/of10_p3295.pcap			# 62, 3 of them 2962 B
	# snaplen-truncated: caplen < len, only caplen bytes travel
	tcpdump/dns_udp_2.pcap			# 2
	tcpdump/ipv6_39_byte_header.pcap	# 1 x 39 B
	tcpdump/msnlb.pcap			# 2
	tcpdump/of10_inv_OFPST_FLOW.pcap	# 2
	tcpdump/relts-0x80000000.pcap		# 1
	tcpdump/pb_nhrp_1.pcap			# 1
	tcpdump/isakmp-rfc3948-oobr.pcap	# 23, all cut at 42 B
	tcpdump/hoobr_nfs_printfh.pcap		# 9, all cut (fuzz-found)
	# pcapng, little- and big-endian
	tcpdump/of13_ericsson.pcapng		# 174, 8 over 2048 B, up to 11858 B
	tcpdump/nfs-write-verf-cookie.pcapng	# 2
	tcpdump/rtp-seg-fault-2.pcapng		# 1
	pcapng-testgen/le/basic/test001.pcapng	# 4
	pcapng-testgen/be/basic/test001.pcapng	# 4, big-endian pcapng
	libpcap-filter/rarp_req_reply.pcapng	# 2
	# other: big-endian pcap, 802.3/LLC frames of 17+ bytes
	tcpdump/unaligned-nfs-1.pcap		# 1, big-endian pcap
	libpcap-filter/llc.pcap			# 10
)

# Stage lcores for rx, fw, tx.
declare -A PLACEMENT=(
	[fused]="1 1 1"
	[two]="1 1 2"
	[three]="1 2 3"
)

# Every placement runs twice: with "idle: yield" (lcores may share a CPU:
# two per CPU, the default map), and busy-polling ("idle: spin", what a
# deployment runs) with each stage lcore on a CPU of its own, so that no
# spinning lcore waits for another to be descheduled. The housekeeping
# lcore 0 (which sleeps) shares CPU 0. A spin placement needs as many
# CPUs as stage lcores; where there are fewer it is skipped, and said so.
NCPU=$(nproc)
declare -A SPIN_CPUS=(
	[fused]="0: 0, 1: $((NCPU > 1 ? 1 : 0))"
	[two]="0: 0, 1: 0, 2: 1"
	[three]="0: 0, 1: 0, 2: 1, 3: 2"
)
declare -A SPIN_NEED=([fused]=1 [two]=2 [three]=3)

for cap in "${CAPTURES[@]}"; do
	in=$CORPUS/pcaps/$cap
	n=$(e2e_count "$in")
	if [ -z "$n" ]; then
		e2e_fail "$cap" "pcapcmp cannot read the input"
		continue
	fi
	for mode in "fused yield" "two yield" "three yield" \
		"fused spin" "two spin" "three spin"; do
		read -r pl idle <<<"$mode"
		name="$cap $pl"
		[ "$idle" = yield ] || name="$name spin"
		if [ "$idle" = spin ] && [ "$NCPU" -lt "${SPIN_NEED[$pl]}" ]; then
			e2e_skip "$name" "needs ${SPIN_NEED[$pl]} CPUs for its spinning lcores, this machine has $NCPU"
			continue
		fi
		e2e_label fw
		label=$E2E_LABEL
		dir=$TMP/$label
		mkdir "$dir"
		out=$dir/out.pcap
		if ! e2e_devpath_ok "$in" || ! e2e_devpath_ok "$out"; then
			e2e_fail "$name" "unusable path"
			continue
		fi
		read -r l_rx l_fw l_tx <<<"${PLACEMENT[$pl]}"
		cpus=
		[ "$idle" = yield ] || cpus=${SPIN_CPUS[$pl]}
		{
			e2e_cfg_pipeline "$label" "$cpus"
			cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$in" }
  out: { dev: "net_pcap1,tx_pcap=$out" }
paths:
  - name: fwd
    stages:
      - { name: rx, kind: input, port: in, lcore: $l_rx, idle: $idle }
      - { name: fw, kind: fwd, lcore: $l_fw, idle: $idle }
      - { name: tx, kind: output, port: out, lcore: $l_tx, idle: $idle }
EOF
		} >"$dir/ffwd.yaml"

		e2e_run "$label" "$dir" -c "$dir/ffwd.yaml" --idle-exit 300
		if ! e2e_check_ok "$dir"; then
			e2e_fail "$name" "$E2E_WHY" "$dir"
		elif [ "$SUM_RX" -ne "$n" ] || [ "$SUM_TX" -ne "$n" ]; then
			e2e_fail "$name" "received $SUM_RX sent $SUM_TX, expected $n and $n" "$dir"
		elif ! e2e_path "$dir" fwd; then
			e2e_fail "$name" "no 'path fwd:' line on stdout" "$dir"
		elif [ "$PATH_RX" -ne "$n" ] || [ "$PATH_TX" -ne "$n" ] ||
			[ "$PATH_DROP" -ne 0 ]; then
			e2e_fail "$name" "path fwd: received $PATH_RX sent $PATH_TX dropped $PATH_DROP, expected $n $n 0" "$dir"
		elif ! cmp_out=$("$PCAPCMP" "$in" "$out" 2>&1); then
			e2e_fail "$name" "output differs: $cmp_out" "$dir"
		else
			e2e_pass "$name ($n packets)"
		fi
		e2e_drop_dir "$dir"
	done
done

e2e_finish
