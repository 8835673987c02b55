/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Example eBPF program for a firewall rule:
 *
 *   drop name dns ebpf "fw-ebpf-example.o"
 *
 * matches UDP over IPv4 (untagged Ethernet) to destination port 53.
 * Build (meson does this into build/stages/app/fw-ebpf-example.o):
 *
 *   clang -O2 -target bpf -c conf/fw-ebpf-example.c -o fw-ebpf-example.o
 *
 * Contract (docs/FIREWALL.md): ffwd loads the ".text" section (or the one
 * named by "section") with DPDK's rte_bpf_elf_load, passes a pointer to an
 * mbuf that presents the packet's first segment, and treats a non-zero
 * return as a match. Read the packet with load_byte/load_half/load_word:
 * they are bounds-checked against the captured data, and a load past it
 * ends the program with 0 (no match), as in classic BPF. Direct reads
 * through the mbuf's buf_addr are refused by the verifier. No helpers, no
 * maps: this is DPDK's user-space eBPF, not the kernel's.
 */
typedef unsigned long long u64;

/* LLVM's BPF_LD_ABS/BPF_LD_IND intrinsics, as in the kernel's samples. */
u64 load_byte(void *ctx, u64 off) asm("llvm.bpf.load.byte");
u64 load_half(void *ctx, u64 off) asm("llvm.bpf.load.half");

u64
fw_match(void *ctx)
{
	u64 ihl;

	if (load_half(ctx, 12) != 0x0800)	/* IPv4 */
		return 0;
	if (load_byte(ctx, 14 + 9) != 17)	/* UDP */
		return 0;
	if (load_half(ctx, 14 + 6) & 0x1fff)	/* not a first fragment */
		return 0;
	ihl = (load_byte(ctx, 14) & 0xf) * 4;
	return load_half(ctx, 14 + ihl + 2) == 53;
}
