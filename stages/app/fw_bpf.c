/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall rules: filter programs. A tcpdump expression is compiled by
 * libpcap, converted to eBPF by rte_bpf_convert (with the corrections
 * DPDK 22.11 needs, below) and JIT-compiled; an eBPF object is loaded from
 * its ELF file. Slow path only.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "fw_rules_pvt.h"

static struct fw_prog *
fw_prog_add(struct fw_rules *r)
{
	struct fw_prog *p = realloc(r->progs, (r->n_progs + 1) * sizeof(*p));

	if (p == NULL)
		return NULL;
	r->progs = p;
	memset(&p[r->n_progs], 0, sizeof(*p));
	return &p[r->n_progs++];
}

static void
fw_prog_jit(struct fw_rules *r, struct fw_prog *pg)
{
	struct rte_bpf_jit jit = { NULL, 0 };

	/* No JIT for this CPU or program: the interpreter runs it. */
	if (rte_bpf_get_jit(pg->bpf, &jit) == 0 && jit.func != NULL) {
		pg->jit = jit.func;
		r->jitted = 1;
	}
}

/* Packet loads of a converted program (cBPF's only way to read data). */
static bool
fw_is_ldpkt(uint8_t code)
{
	return BPF_CLASS(code) == BPF_LD &&
	       (BPF_MODE(code) == BPF_ABS || BPF_MODE(code) == BPF_IND);
}

#define FW_DIRECT_BUF (1u << 17)	/* verifier bound of a direct load */

/*
 * Rewrite a program converted from cBPF for how ffwd runs it; returns a
 * malloc'ed copy (the caller frees it), or NULL when it cannot (the caller
 * then tries the next way down: see fw_add_bpf()).
 *
 * Always:
 *  - DPDK 22.11's converter emits cBPF indirect loads (A = P[X + k]) with
 *    the index in r0 (A) instead of r7 (X), so "tcp[...]" and every load
 *    after a variable-length IPv4 header read the wrong byte;
 *  - DPDK 22.11's x86 JIT encodes "jset rN, #imm" with a one-byte
 *    immediate where x86 TEST needs four, and the code crashes: each such
 *    jump becomes "mov32 r8, #imm; jset rN, r8" (r8 is the converter's
 *    scratch register, never live across cBPF instructions);
 *  - cBPF "len" is the wire length, which ffwd keeps in the shadow mbuf's
 *    hash.usr (see fw_prog_run()); the converter loads mbuf->pkt_len.
 * With DIRECT, each packet load (an mbuf access that the JIT turns into a
 * length test, address arithmetic and a slow path) becomes a bounds check
 * against the data length and a plain load from the data pointer:
 *	prologue: r9 = sh->buf_addr (the data), r4 = sh->data_len
 *	ABS [k]:  if r4 < k+s goto fail; r0 = *(r9 + k); be
 *	IND [k]:  r1 = r7 + k+s; if r1 > r4 goto fail; r1 = r7 & 0xffff;
 *		  r2 = r9 + r1; r0 = *(r2 + k); be
 *		  (the mask changes nothing at run time, X <= data_len here,
 *		  but it gives the verifier a bound for X it can track)
 *	fail:	  r0 = 0; exit		(cBPF: a load past the end rejects)
 * The converted code never uses r1-r5 or r9 (LD_ABS clobbers r1-r5). If
 * the verifier still refuses the result, the caller falls back.
 */
static struct ebpf_insn *
fw_convert_rewrite(const struct ebpf_insn *in, uint32_t n, bool direct,
		   uint32_t *n_out)
{
	const uint8_t jset_k = BPF_JMP | BPF_JSET | BPF_K;
	const uint32_t pro = direct ? 2 : 0;
	struct ebpf_insn *out = NULL;
	uint32_t i, len, fail, *pos;

	pos = malloc((n + 1) * sizeof(*pos));
	if (pos == NULL)
		return NULL;
	/* pos[i]: where old instruction i's expansion starts. */
	for (i = 0, len = pro; i < n; i++) {
		pos[i] = len;
		if (in[i].code == jset_k)
			len += 2;
		else if (direct && fw_is_ldpkt(in[i].code))
			len += (BPF_MODE(in[i].code) == BPF_ABS ? 2 : 8) +
			       (BPF_SIZE(in[i].code) != BPF_B);
		else
			len++;
	}
	pos[n] = len;
	fail = len;
	/* The fail block only where a load can jump to it: the verifier
	 * refuses unreachable code. */
	for (i = 0; direct && i < n; i++)
		if (fw_is_ldpkt(in[i].code)) {
			len += 2;
			break;
		}
	out = calloc(len, sizeof(*out));
	if (out == NULL)
		goto err;
	if (direct) {
		out[0] = (struct ebpf_insn){
			.code = BPF_LDX | BPF_MEM | EBPF_DW, .dst_reg = EBPF_REG_9,
			.src_reg = EBPF_REG_1, .off = offsetof(struct rte_mbuf, buf_addr) };
		out[1] = (struct ebpf_insn){
			.code = BPF_LDX | BPF_MEM | BPF_H, .dst_reg = EBPF_REG_4,
			.src_reg = EBPF_REG_1, .off = offsetof(struct rte_mbuf, data_len) };
		if (len > fail) {
			out[fail] = (struct ebpf_insn){
				.code = BPF_ALU | EBPF_MOV | BPF_K };
			out[fail + 1] = (struct ebpf_insn){
				.code = BPF_JMP | EBPF_EXIT };
		}
	}
	for (i = 0; i < n; i++) {
		struct ebpf_insn x = in[i];
		uint32_t at = pos[i];

		if (BPF_CLASS(x.code) == BPF_LD && BPF_MODE(x.code) == BPF_IND)
			x.src_reg = EBPF_REG_7;
		else if (x.code == (BPF_LDX | BPF_MEM | BPF_W) &&
			 x.src_reg == EBPF_REG_6 &&
			 x.off == offsetof(struct rte_mbuf, pkt_len))
			x.off = offsetof(struct rte_mbuf, hash.usr);
		if (direct && fw_is_ldpkt(x.code)) {
			uint8_t sz = BPF_SIZE(x.code);
			int32_t s = sz == BPF_B ? 1 : sz == BPF_H ? 2 : 4;
			uint8_t ld = BPF_LDX | BPF_MEM | sz;

			if (x.imm < 0 || x.imm > INT16_MAX)
				goto err;
			if (BPF_MODE(x.code) == BPF_ABS) {
				out[at] = (struct ebpf_insn){
					.code = BPF_JMP | EBPF_JLT | BPF_K,
					.dst_reg = EBPF_REG_4, .imm = x.imm + s,
					.off = (int16_t)(fail - at - 1) };
				out[at + 1] = (struct ebpf_insn){
					.code = ld, .dst_reg = EBPF_REG_0,
					.src_reg = EBPF_REG_9, .off = (int16_t)x.imm };
				at += 2;
			} else {
				static const struct ebpf_insn ind[] = {
					{ .code = EBPF_ALU64 | EBPF_MOV | BPF_X,
					  .dst_reg = EBPF_REG_1, .src_reg = EBPF_REG_7 },
					{ .code = EBPF_ALU64 | BPF_ADD | BPF_K,
					  .dst_reg = EBPF_REG_1 },
					{ .code = BPF_JMP | BPF_JGT | BPF_X,
					  .dst_reg = EBPF_REG_1, .src_reg = EBPF_REG_4 },
					{ .code = EBPF_ALU64 | EBPF_MOV | BPF_X,
					  .dst_reg = EBPF_REG_1, .src_reg = EBPF_REG_7 },
					{ .code = EBPF_ALU64 | BPF_AND | BPF_K,
					  .dst_reg = EBPF_REG_1, .imm = 0xffff },
					{ .code = EBPF_ALU64 | EBPF_MOV | BPF_X,
					  .dst_reg = EBPF_REG_2, .src_reg = EBPF_REG_9 },
					{ .code = EBPF_ALU64 | BPF_ADD | BPF_X,
					  .dst_reg = EBPF_REG_2, .src_reg = EBPF_REG_1 },
				};

				memcpy(&out[at], ind, sizeof(ind));
				out[at + 1].imm = x.imm + s;
				out[at + 2].off = (int16_t)(fail - (at + 2) - 1);
				out[at + 7] = (struct ebpf_insn){
					.code = ld, .dst_reg = EBPF_REG_0,
					.src_reg = EBPF_REG_2, .off = (int16_t)x.imm };
				at += 8;
			}
			if (s != 1)
				out[at] = (struct ebpf_insn){
					.code = BPF_ALU | EBPF_END | EBPF_TO_BE,
					.dst_reg = EBPF_REG_0, .imm = s * 8 };
			continue;
		}
		if (x.code == jset_k) {
			out[at++] = (struct ebpf_insn){
				.code = BPF_ALU | EBPF_MOV | BPF_K,
				.dst_reg = EBPF_REG_8, .imm = x.imm };
			x.code = BPF_JMP | BPF_JSET | BPF_X;
			x.src_reg = EBPF_REG_8;
			x.imm = 0;
		}
		if (BPF_CLASS(x.code) == BPF_JMP && BPF_OP(x.code) != EBPF_CALL &&
		    BPF_OP(x.code) != EBPF_EXIT) {
			int64_t t = (int64_t)i + 1 + x.off;
			int64_t off;

			/* Jumps from cBPF go forward inside the program. */
			if (t < 0 || t > (int64_t)n)
				goto err;
			off = (int64_t)pos[t] - at - 1;
			if (off > INT16_MAX)
				goto err;
			x.off = (int16_t)off;
		}
		out[at] = x;
	}
	*n_out = len;
	free(pos);
	return out;
err:
	free(out);
	free(pos);
	return NULL;
}

/* Load the rewritten program; NULL if the verifier refuses it. */
static struct rte_bpf *
fw_load_rewritten(const struct rte_bpf_prm *prm, bool direct)
{
	struct rte_bpf_prm p = *prm;
	struct ebpf_insn *ins;
	struct rte_bpf *bpf;

	ins = fw_convert_rewrite(prm->ins, prm->nb_ins, direct, &p.nb_ins);
	if (ins == NULL)
		return NULL;
	p.ins = ins;
	/* Direct loads go through buf_addr, which the shadow mbuf points at
	 * the data; the verifier needs a size to bound them by. */
	if (direct)
		p.prog_arg.buf_size = FW_DIRECT_BUF;
	bpf = rte_bpf_load(&p);
	free(ins);
	return bpf;
}

int
fw_add_bpf(struct fw_parser *ps, const struct fw_tok *t, uint32_t rule)
{
	struct rte_bpf_prm *prm;
	struct bpf_program code;
	struct fw_prog *pg;
	pcap_t *pc;

	pc = pcap_open_dead(DLT_EN10MB, 262144);
	if (pc == NULL)
		return fw_err(ps, t->col, "libpcap: cannot open a DLT_EN10MB handle");
	if (pcap_compile(pc, &code, t->s, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		fw_err(ps, t->col, "bad filter expression \"%s\": %s; expected a tcpdump (pcap-filter) expression",
		       t->s, pcap_geterr(pc));
		pcap_close(pc);
		return -EINVAL;
	}
	if (ps->check_only) {
		pcap_freecode(&code);
		pcap_close(pc);
		return 0;
	}
	pg = fw_prog_add(ps->r);
	if (pg == NULL) {
		pcap_freecode(&code);
		pcap_close(pc);
		return fw_err(ps, t->col, "out of memory");
	}
	pg->rule = rule;
	prm = rte_bpf_convert(&code);
	/* Fastest first: direct loads, then mbuf loads, then libpcap. */
	if (prm != NULL) {
		pg->bpf = fw_load_rewritten(prm, true);
		if (pg->bpf != NULL)
			ps->r->n_direct++;
		else
			pg->bpf = fw_load_rewritten(prm, false);
		rte_free(prm);
	}
	if (pg->bpf != NULL) {
		fw_prog_jit(ps->r, pg);
	} else {
		/* Not expressible for DPDK (see struct fw_prog): keep the
		 * classic program for libpcap's interpreter. */
		size_t sz = code.bf_len * sizeof(*code.bf_insns);

		pg->cbpf = malloc(sz);
		if (pg->cbpf == NULL) {
			pcap_freecode(&code);
			pcap_close(pc);
			return fw_err(ps, t->col, "out of memory");
		}
		memcpy(pg->cbpf, code.bf_insns, sz);
		pg->cbpf_len = code.bf_len;
	}
	pcap_freecode(&code);
	pcap_close(pc);
	return 0;
}

/*
 * Does section SECTION of the eBPF object PATH hold a "jset rN, #imm" with
 * an immediate that fits a byte? DPDK 22.11's x86 JIT miscompiles those
 * (see fw_convert_rewrite()); such a program runs interpreted instead.
 * Returns 1, 0, or -1 when the file is not an ELF64 we can read (then
 * rte_bpf_elf_load() will have its own say).
 */
static int
fw_elf_small_jset(const char *path, const char *section)
{
	const uint8_t jset_k = BPF_JMP | BPF_JSET | BPF_K;
	const Elf64_Shdr *sh, *strs;
	const Elf64_Ehdr *eh;
	uint8_t *img = NULL;
	long size;
	int ret = -1;
	unsigned int i;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < (long)sizeof(*eh) ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	img = malloc((size_t)size);
	if (img == NULL || fread(img, 1, (size_t)size, f) != (size_t)size)
		goto out;
	eh = (const Elf64_Ehdr *)img;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > (uint64_t)size ||
	    (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > (uint64_t)size - eh->e_shoff ||
	    eh->e_shstrndx >= eh->e_shnum)
		goto out;
	sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	strs = &sh[eh->e_shstrndx];
	if (strs->sh_offset > (uint64_t)size || strs->sh_size > (uint64_t)size - strs->sh_offset)
		goto out;
	ret = 0;
	for (i = 0; i < eh->e_shnum; i++) {
		const char *name = (const char *)img + strs->sh_offset + sh[i].sh_name;
		const struct ebpf_insn *ins;
		uint64_t k;

		if (sh[i].sh_name >= strs->sh_size ||
		    strnlen(name, strs->sh_size - sh[i].sh_name) == strs->sh_size - sh[i].sh_name ||
		    strcmp(name, section) != 0 || sh[i].sh_offset > (uint64_t)size ||
		    sh[i].sh_size > (uint64_t)size - sh[i].sh_offset)
			continue;
		ins = (const struct ebpf_insn *)(img + sh[i].sh_offset);
		for (k = 0; k < sh[i].sh_size / sizeof(*ins); k++)
			if (ins[k].code == jset_k && ins[k].imm >= INT8_MIN &&
			    ins[k].imm <= INT8_MAX)
				ret = 1;
	}
out:
	free(img);
	fclose(f);
	return ret;
}

int
fw_add_ebpf(struct fw_parser *ps, const struct fw_tok *t, const char *section,
	    uint32_t rule)
{
	/* The program gets the same shadow mbuf as a converted filter: it
	 * reads the packet with load_byte/half/word (LD_ABS/LD_IND), which
	 * fail past the first segment's data; buf_size 0 lets the verifier
	 * refuse direct reads through buf_addr, which nothing bounds. */
	struct rte_bpf_prm prm = {
		.prog_arg = {
			.type = RTE_BPF_ARG_PTR_MBUF,
			.size = sizeof(struct rte_mbuf),
			.buf_size = 0,
		},
	};
	char path[PATH_MAX + 16];
	struct fw_prog *pg;
	FILE *f;

	if (t->s[0] == '/' || ps->dir[0] == '\0')
		snprintf(path, sizeof(path), "%s", t->s);
	else
		snprintf(path, sizeof(path), "%s/%s", ps->dir, t->s);
	f = fopen(path, "r");
	if (f == NULL)
		return fw_err(ps, t->col, "cannot open eBPF object \"%s\": %s; expected an ELF file built with clang -target bpf",
			      path, strerror(errno));
	fclose(f);
	if (ps->check_only)
		return 0;
	pg = fw_prog_add(ps->r);
	if (pg == NULL)
		return fw_err(ps, t->col, "out of memory");
	pg->rule = rule;
	pg->bpf = rte_bpf_elf_load(&prm, path, section);
	if (pg->bpf == NULL) {
		ps->r->n_progs--;
		return fw_err(ps, t->col,
			      "cannot load section \"%s\" of eBPF object \"%s\": %s; expected a program that takes an mbuf and reads the packet with load_byte/load_half/load_word",
			      section, path, rte_strerror(rte_errno));
	}
	if (fw_elf_small_jset(path, section) == 1)
		return 0; /* interpreted: see fw_elf_small_jset() */
	fw_prog_jit(ps->r, pg);
	return 0;
}

