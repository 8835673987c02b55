# SPDX-License-Identifier: BSD-3-Clause
# Test eBPF program: matches when the byte at offset 47 (the TCP flags of
# an untagged IPv4/TCP packet without options) has SYN (0x02) set. DPDK
# 22.11's x86 JIT miscompiles "jset rN, #imm" with a one-byte immediate
# (the x86 TEST needs four): ffwd must run this program interpreted
# (test_firewall_ebpf_object). Clang never emits jset from C and its
# assembler does not take the mnemonic, hence the raw bytes.
# Build: clang -target bpf -c tests/fw/fw-jset.s -o fw-jset.o
	.text
	.globl	syn
syn:
	r6 = r1
	r0 = *(u8 *)skb[47]
	# jset r0, #2, +2   (code 0x45, dst r0, off 2, imm 2)
	.byte	0x45, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00
	r0 = 0
	exit
	r0 = 1
	exit
