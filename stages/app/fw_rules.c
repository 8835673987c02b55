/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * firewall rules: parse a rules file, build the rte_acl contexts and the
 * filter programs. Slow path only; nothing here runs on a stage's lcore.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "firewall_core.h"

#define FW_LINE_MAX   4096
#define FW_TOKENS_MAX 64

const char *const fw_drop_names[FW_DROP_MAX] = {
#define X(e, s) [FW_DROP_##e] = s,
	FW_DROP_REASONS(X)
#undef X
};

/* A token of a rules line: a word, or a quoted string with its quotes and
 * escapes removed. */
struct fw_tok {
	char *s;
	unsigned int col;	/**< 1-based column of its first character */
	bool quoted;
};

struct fw_parser {
	const char *file;	/**< name in messages */
	char dir[PATH_MAX];	/**< for relative ebpf object paths */
	unsigned int line;
	char *err;
	size_t errlen;
	bool have_default, have_malformed;
	bool check_only;	/**< syntax and expressions only, no EAL */
	struct fw_rules *r;
	unsigned int cap;
};

static int
fw_err(struct fw_parser *ps, unsigned int col, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(ps->err, ps->errlen, "%s:%u:%u: ", ps->file, ps->line, col);
	if (n < 0 || (size_t)n >= ps->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Split LINE (modified in place) into tokens; '#' outside quotes starts a
 * comment. Returns the number of tokens or -EINVAL. */
static int
fw_tokenize(struct fw_parser *ps, char *line, struct fw_tok *t)
{
	char *p = line;
	int n = 0;

	for (;;) {
		char *out;

		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == FW_TOKENS_MAX)
			return fw_err(ps, (unsigned int)(p - line) + 1,
				      "too many words on one line; expected at most %d",
				      FW_TOKENS_MAX);
		t[n].col = (unsigned int)(p - line) + 1;
		if (*p != '"') {
			t[n].s = p;
			t[n].quoted = false;
			while (*p != '\0' && *p != ' ' && *p != '\t' &&
			       *p != '\r' && *p != '\n' && *p != '"' && *p != '#')
				p++;
			if (*p == '"')
				return fw_err(ps, (unsigned int)(p - line) + 1,
					      "quote inside a word; expected a space before '\"'");
			if (*p != '\0') {
				bool comment = *p == '#';

				*p++ = '\0';
				n++;
				if (comment)
					return n;
				continue;
			}
			n++;
			continue;
		}
		/* Quoted: \" and \\ are the only escapes. */
		t[n].quoted = true;
		t[n].s = out = ++p;
		while (*p != '"') {
			if (*p == '\0' || *p == '\n' || *p == '\r')
				return fw_err(ps, t[n].col,
					      "unterminated string; expected a closing '\"' on the same line");
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			*out++ = *p++;
		}
		*out = '\0';
		p++;
		n++;
		if (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n' && *p != '#')
			return fw_err(ps, (unsigned int)(p - line) + 1,
				      "text right after a closing quote; expected a space");
	}
}

static int
fw_parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v > max)
		return -EINVAL;
	return 0;
}

static const struct {
	const char *name;
	uint8_t proto;
} fw_protos[] = {
	{ "icmp", IPPROTO_ICMP }, { "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },	  { "gre", IPPROTO_GRE },
	{ "esp", IPPROTO_ESP },	  { "ah", IPPROTO_AH },
	{ "icmp6", IPPROTO_ICMPV6 }, { "icmpv6", IPPROTO_ICMPV6 },
	{ "sctp", IPPROTO_SCTP },
};

static int
fw_parse_proto(struct fw_parser *ps, const struct fw_tok *t, uint8_t *proto)
{
	unsigned long v;
	unsigned int i;

	for (i = 0; i < RTE_DIM(fw_protos); i++)
		if (strcmp(t->s, fw_protos[i].name) == 0) {
			*proto = fw_protos[i].proto;
			return 0;
		}
	if (fw_parse_uint(t->s, 255, &v) == 0) {
		*proto = (uint8_t)v;
		return 0;
	}
	return fw_err(ps, t->col,
		      "unknown protocol \"%s\"; expected tcp, udp, icmp, icmp6, sctp, gre, esp, ah or a number 0..255",
		      t->s);
}

static int
fw_parse_ports(struct fw_parser *ps, const struct fw_tok *t, uint16_t *lo,
	       uint16_t *hi)
{
	char buf[32], *dash;
	unsigned long a, b;

	if (strlen(t->s) >= sizeof(buf))
		goto bad;
	strcpy(buf, t->s);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	if (fw_parse_uint(buf, 65535, &a) != 0)
		goto bad;
	b = a;
	if (dash != NULL && fw_parse_uint(dash + 1, 65535, &b) != 0)
		goto bad;
	if (b < a)
		return fw_err(ps, t->col,
			      "empty port range \"%s\"; expected LOW-HIGH with LOW <= HIGH",
			      t->s);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
bad:
	return fw_err(ps, t->col,
		      "bad port \"%s\"; expected a port 0..65535 or a range LOW-HIGH",
		      t->s);
}

/* "ADDR" or "ADDR/LEN", IPv4 or IPv6; host bits must be zero. */
static int
fw_parse_prefix(struct fw_parser *ps, const struct fw_tok *t, uint8_t *addr,
		uint8_t *len, uint8_t *family)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long plen;
	unsigned int max, i;
	int fam;

	if (strlen(t->s) >= sizeof(buf))
		goto bad;
	strcpy(buf, t->s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		fam = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		fam = 6;
		max = 128;
	} else {
		goto bad;
	}
	plen = max;
	if (slash != NULL && fw_parse_uint(slash + 1, ULONG_MAX, &plen) != 0)
		goto bad;
	if (plen > max)
		return fw_err(ps, t->col + (unsigned int)(slash + 1 - buf),
			      "prefix length %lu too long for an IPv%d address; expected 0..%u",
			      plen, fam, max);
	for (i = (unsigned int)plen; i < max; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return fw_err(ps, t->col,
				      "\"%s\" has host bits set past /%lu; expected a network address",
				      t->s, plen);
	*len = (uint8_t)plen;
	*family = (uint8_t)fam;
	return 0;
bad:
	return fw_err(ps, t->col,
		      "bad address \"%s\"; expected an IPv4 or IPv6 address, optionally /LEN",
		      t->s);
}

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

static int
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

static int
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

static int
fw_rule_set_family(struct fw_parser *ps, const struct fw_tok *t,
		   struct fw_rule *ru, uint8_t fam)
{
	if (ru->family != 0 && ru->family != fam)
		return fw_err(ps, t->col,
			      "IPv%u prefix in a rule that already has an IPv%u prefix; expected src and dst of one family",
			      fam, ru->family);
	ru->family = fam;
	return 0;
}

static int
fw_parse_rule(struct fw_parser *ps, struct fw_tok *t, int n, uint8_t action)
{
	struct fw_rules *r = ps->r;
	const struct fw_tok *prog = NULL, *section = NULL;
	bool seen[8] = { false };
	struct fw_rule *ru;
	uint8_t fam = 0;
	int i, ret;

	static const char *const keys[] = { "name",  "proto", "src", "dst",
					    "sport", "dport", "bpf", "ebpf" };

	if (r->n_rules == FW_MAX_RULES)
		return fw_err(ps, t[0].col, "too many rules; expected at most %u",
			      FW_MAX_RULES);
	if (r->n_rules == ps->cap) {
		unsigned int cap = ps->cap != 0 ? ps->cap * 2 : 64;

		ru = realloc(r->rules, cap * sizeof(*ru));
		if (ru == NULL)
			return fw_err(ps, t[0].col, "out of memory");
		r->rules = ru;
		ps->cap = cap;
	}
	ru = &r->rules[r->n_rules];
	memset(ru, 0, sizeof(*ru));
	ru->line = ps->line;
	ru->action = action;
	ru->prog = -1;
	ru->sport_hi = 65535;
	ru->dport_hi = 65535;
	snprintf(ru->name, sizeof(ru->name), "line%u", ps->line);

	for (i = 1; i < n; i += 2) {
		unsigned int k;

		for (k = 0; k < RTE_DIM(keys); k++)
			if (!t[i].quoted && strcmp(t[i].s, keys[k]) == 0)
				break;
		if (k == RTE_DIM(keys))
			return fw_err(ps, t[i].col,
				      "unknown match \"%s\"; expected name, proto, src, dst, sport, dport, bpf or ebpf",
				      t[i].s);
		if (seen[k])
			return fw_err(ps, t[i].col, "\"%s\" given twice in one rule; expected it at most once",
				      keys[k]);
		seen[k] = true;
		if (i + 1 >= n)
			return fw_err(ps, t[i].col + (unsigned int)strlen(t[i].s),
				      "\"%s\" needs a value; expected %s", keys[k],
				      k == 0 ? "a name" : k == 1 ? "a protocol" :
				      k <= 3 ? "an address or prefix" :
				      k <= 5 ? "a port or range LOW-HIGH" :
				      k == 6 ? "a quoted tcpdump expression" :
					       "an eBPF object file");
		switch (k) {
		case 0:
			if (strlen(t[i + 1].s) >= FW_NAME_MAX || t[i + 1].s[0] == '\0')
				return fw_err(ps, t[i + 1].col,
					      "bad rule name \"%s\"; expected 1..%d characters",
					      t[i + 1].s, FW_NAME_MAX - 1);
			strcpy(ru->name, t[i + 1].s);
			break;
		case 1:
			ret = fw_parse_proto(ps, &t[i + 1], &ru->proto);
			if (ret != 0)
				return ret;
			ru->has_proto = 1;
			break;
		case 2:
		case 3:
			ret = fw_parse_prefix(ps, &t[i + 1], k == 2 ? ru->src : ru->dst,
					      k == 2 ? &ru->src_len : &ru->dst_len,
					      &fam);
			if (ret == 0)
				ret = fw_rule_set_family(ps, &t[i + 1], ru, fam);
			if (ret != 0)
				return ret;
			if (k == 2)
				ru->has_src = 1;
			else
				ru->has_dst = 1;
			break;
		case 4:
		case 5:
			ret = fw_parse_ports(ps, &t[i + 1],
					     k == 4 ? &ru->sport_lo : &ru->dport_lo,
					     k == 4 ? &ru->sport_hi : &ru->dport_hi);
			if (ret != 0)
				return ret;
			ru->has_ports = 1;
			break;
		case 6:
		case 7:
			if (prog != NULL)
				return fw_err(ps, t[i].col,
					      "a rule has at most one program; expected bpf or ebpf, not both");
			if (k == 6 && !t[i + 1].quoted)
				return fw_err(ps, t[i + 1].col,
					      "unquoted filter expression; expected bpf \"EXPRESSION\"");
			prog = &t[i + 1];
			if (k == 7 && i + 3 < n && !t[i + 2].quoted &&
			    strcmp(t[i + 2].s, "section") == 0) {
				section = &t[i + 3];
				i += 2;
			} else if (k == 7 && i + 2 < n && !t[i + 2].quoted &&
				   strcmp(t[i + 2].s, "section") == 0) {
				return fw_err(ps, t[i + 2].col + 7,
					      "\"section\" needs a value; expected an ELF section name");
			}
			break;
		}
	}
	if (ru->has_ports && ru->has_proto && !fw_has_ports(ru->proto))
		return fw_err(ps, t[0].col,
			      "ports given with protocol %u, which has none; expected proto tcp, udp or sctp",
			      ru->proto);
	ru->has_tuple = ru->has_proto | ru->has_src | ru->has_dst | ru->has_ports;
	if (prog != NULL) {
		ru->prog = ps->check_only ? 0 : (int)r->n_progs;
		ret = seen[6] ? fw_add_bpf(ps, prog, r->n_rules) :
				fw_add_ebpf(ps, prog,
					    section != NULL ? section->s : ".text",
					    r->n_rules);
		if (ret != 0)
			return ret;
	}
	r->n_rules++;
	return 0;
}

static int
fw_parse_line(struct fw_parser *ps, char *line)
{
	struct fw_tok t[FW_TOKENS_MAX];
	int n = fw_tokenize(ps, line, t);
	bool is_default;

	if (n <= 0)
		return n;
	if (t[0].quoted)
		goto bad_action;
	if (strcmp(t[0].s, "allow") == 0)
		return fw_parse_rule(ps, t, n, FW_ALLOW);
	if (strcmp(t[0].s, "drop") == 0)
		return fw_parse_rule(ps, t, n, FW_DROP);
	is_default = strcmp(t[0].s, "default") == 0;
	if (!is_default && strcmp(t[0].s, "malformed") != 0)
		goto bad_action;
	if ((is_default && ps->have_default) ||
	    (!is_default && ps->have_malformed))
		return fw_err(ps, t[0].col, "\"%s\" given twice; expected it once",
			      t[0].s);
	if (n < 2)
		return fw_err(ps, t[0].col + (unsigned int)strlen(t[0].s),
			      "\"%s\" needs a value; expected %s", t[0].s,
			      is_default ? "allow or drop" : "drop or classify");
	if (n > 2)
		return fw_err(ps, t[2].col, "unexpected \"%s\"; expected the end of the line",
			      t[2].s);
	if (is_default) {
		if (strcmp(t[1].s, "allow") == 0)
			ps->r->default_action = FW_ALLOW;
		else if (strcmp(t[1].s, "drop") == 0)
			ps->r->default_action = FW_DROP;
		else
			return fw_err(ps, t[1].col,
				      "bad default policy \"%s\"; expected allow or drop",
				      t[1].s);
		ps->have_default = true;
	} else {
		if (strcmp(t[1].s, "drop") == 0)
			ps->r->malformed_drop = 1;
		else if (strcmp(t[1].s, "classify") == 0)
			ps->r->malformed_drop = 0;
		else
			return fw_err(ps, t[1].col,
				      "bad malformed policy \"%s\"; expected drop or classify",
				      t[1].s);
		ps->have_malformed = true;
	}
	return 0;
bad_action:
	return fw_err(ps, t[0].col,
		      "unknown action \"%s\"; expected allow, drop, default or malformed",
		      t[0].s);
}

/* rte_acl field layouts: dpdk-test-acl's, see struct fw_key4/fw_key6. */
enum { F4_PROTO, F4_SRC, F4_DST, F4_SPORT, F4_DPORT, F4_NUM };
enum { F6_PROTO, F6_SRC, F6_DST = F6_SRC + 4, F6_SPORT = F6_DST + 4, F6_DPORT,
       F6_NUM };

RTE_ACL_RULE_DEF(fw_acl_rule, F6_NUM);

static void
fw_acl_defs(struct rte_acl_config *cfg, int v6)
{
	struct rte_acl_field_def *d = cfg->defs;
	unsigned int i, f = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->num_categories = 1;
	d[f++] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = 0, .input_index = 0, .offset = 0 };
	for (i = 0; i < (v6 ? 8u : 2u); i++, f++)
		d[f] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
			.field_index = f, .input_index = f,
			.offset = v6 ? (i < 4 ? offsetof(struct fw_key6, src) :
						offsetof(struct fw_key6, dst)) +
					       (i % 4) * 4 :
				       (i == 0 ? offsetof(struct fw_key4, src) :
						 offsetof(struct fw_key4, dst)) };
	/* Both ports in one 4-byte input group. */
	for (i = 0; i < 2; i++, f++)
		d[f] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
			.field_index = f, .input_index = v6 ? 9 : 3,
			.offset = (v6 ? offsetof(struct fw_key6, sport) :
					offsetof(struct fw_key4, sport)) + i * 2 };
	cfg->num_fields = f;
}

static void
fw_acl_addr(struct rte_acl_field *fld, const uint8_t *addr, unsigned int plen,
	    unsigned int words)
{
	unsigned int i;

	for (i = 0; i < words; i++) {
		uint32_t w;

		memcpy(&w, addr + i * 4, 4);
		fld[i].value.u32 = rte_be_to_cpu_32(w);
		fld[i].mask_range.u32 = plen >= (i + 1) * 32 ? 32 :
					plen > i * 32 ? plen - i * 32 : 0;
	}
}

/* The rte_acl rule for rule IDX in a context of family V6. */
static void
fw_acl_rule_make(const struct fw_rule *ru, uint32_t idx, int v6,
		 struct fw_acl_rule *ar)
{
	unsigned int words = v6 ? 4 : 1;
	struct rte_acl_field *f = ar->field;

	memset(ar, 0, sizeof(*ar));
	ar->data.category_mask = 1;
	ar->data.priority = RTE_ACL_MAX_PRIORITY - idx;
	ar->data.userdata = (idx + 1) << 1 | ru->action;
	f[0].value.u8 = ru->has_proto ? ru->proto : 0;
	f[0].mask_range.u8 = ru->has_proto ? 0xff : 0;
	fw_acl_addr(&f[1], ru->src, ru->has_src ? ru->src_len : 0, words);
	fw_acl_addr(&f[1 + words], ru->dst, ru->has_dst ? ru->dst_len : 0, words);
	f[1 + 2 * words].value.u16 = ru->sport_lo;
	f[1 + 2 * words].mask_range.u16 = ru->sport_hi;
	f[2 + 2 * words].value.u16 = ru->dport_lo;
	f[2 + 2 * words].mask_range.u16 = ru->dport_hi;
}

/* Build the context for family V6 and packets with (PORTS) or without
 * ports; NULL with *ret 0 when no rule belongs in it. */
static struct rte_acl_ctx *
fw_acl_build(struct fw_rules *r, int v6, int ports, int *ret)
{
	struct rte_acl_param prm = { 0 };
	struct rte_acl_config cfg;
	struct rte_acl_ctx *ctx;
	struct fw_acl_rule ar;
	char name[RTE_ACL_NAMESIZE];
	uint32_t i, n = 0;

	*ret = 0;
	for (i = 0; i < r->n_rules; i++) {
		const struct fw_rule *ru = &r->rules[i];

		if (ru->prog < 0 && ru->family != (v6 ? 4 : 6) &&
		    (ports || !ru->has_ports))
			n++;
	}
	if (n == 0)
		return NULL;
	/* ACL context names must be unique in the process (rte_acl_create()
	 * returns an existing context of the same name): the rule set's
	 * address is, for as long as the context lives. */
	snprintf(name, sizeof(name), "fw%" PRIxPTR "_%d%d", (uintptr_t)r, v6,
		 ports);
	prm.name = name;
	prm.socket_id = SOCKET_ID_ANY;
	prm.rule_size = RTE_ACL_RULE_SZ(v6 ? F6_NUM : F4_NUM);
	prm.max_rule_num = n;
	ctx = rte_acl_create(&prm);
	if (ctx == NULL) {
		*ret = -rte_errno;
		return NULL;
	}
	for (i = 0; i < r->n_rules; i++) {
		const struct fw_rule *ru = &r->rules[i];

		if (ru->prog >= 0 || ru->family == (v6 ? 4 : 6) ||
		    (!ports && ru->has_ports))
			continue;
		fw_acl_rule_make(ru, i, v6, &ar);
		*ret = rte_acl_add_rules(ctx, (struct rte_acl_rule *)&ar, 1);
		if (*ret != 0)
			goto err;
	}
	fw_acl_defs(&cfg, v6);
	*ret = rte_acl_build(ctx, &cfg);
	if (*ret != 0)
		goto err;
	return ctx;
err:
	rte_acl_free(ctx);
	return NULL;
}

void
fw_rules_free(struct fw_rules *r)
{
	unsigned int i;

	if (r == NULL)
		return;
	for (i = 0; i < 4; i++)
		rte_acl_free(r->acl[i >> 1][i & 1]);
	for (i = 0; i < r->n_progs; i++) {
		if (r->progs[i].bpf != NULL)
			rte_bpf_destroy(r->progs[i].bpf);
		free(r->progs[i].cbpf);
	}
	free(r->progs);
	free(r->rules);
	free(r);
}

static struct fw_rules *
fw_parse_text(const char *name, const char *text, bool check_only, char *err,
	      size_t errlen)
{
	struct fw_parser ps = { .file = name, .err = err, .errlen = errlen,
				.check_only = check_only };
	const char *p = text, *slash;
	char line[FW_LINE_MAX];
	unsigned int i;
	int ret = 0, v6, ports;

	if (errlen != 0)
		err[0] = '\0';
	slash = strrchr(name, '/');
	if (slash != NULL && (size_t)(slash - name) < sizeof(ps.dir))
		snprintf(ps.dir, sizeof(ps.dir), "%.*s", (int)(slash - name), name);
	ps.r = calloc(1, sizeof(*ps.r));
	if (ps.r == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		rte_errno = ENOMEM;
		return NULL;
	}
	ps.r->default_action = FW_ALLOW;
	ps.r->malformed_drop = 1;
	while (*p != '\0') {
		size_t len = strcspn(p, "\n");

		ps.line++;
		if (len >= sizeof(line)) {
			ret = fw_err(&ps, FW_LINE_MAX, "line too long; expected at most %d characters",
				     FW_LINE_MAX - 1);
			goto err;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		ret = fw_parse_line(&ps, line);
		if (ret < 0)
			goto err;
		p += len;
		if (*p == '\n')
			p++;
	}
	if (check_only)
		return ps.r;
	ps.r->any_rule = ps.r->n_rules;
	ps.r->any_action = ps.r->default_action;
	for (i = 0; i < ps.r->n_rules; i++)
		if (!ps.r->rules[i].has_tuple && ps.r->rules[i].prog < 0) {
			ps.r->any_rule = i;
			ps.r->any_action = ps.r->rules[i].action;
			break;
		}
	for (v6 = 0; v6 < 2; v6++)
		for (ports = 0; ports < 2; ports++) {
			ps.r->acl[v6][ports] = fw_acl_build(ps.r, v6, ports, &ret);
			if (ret != 0) {
				snprintf(err, errlen,
					 "%s: building the IPv%d ACL of %u rules failed: %s",
					 name, v6 ? 6 : 4, ps.r->n_rules,
					 rte_strerror(-ret));
				goto err;
			}
		}
	ps.r->progs_only = !ps.r->malformed_drop;
	for (i = 0; i < 4; i++)
		if (ps.r->acl[i >> 1][i & 1] != NULL)
			ps.r->progs_only = 0;
	for (i = 0; i < ps.r->n_progs; i++) {
		struct fw_prog *pg = &ps.r->progs[i];

		pg->action = ps.r->rules[pg->rule].action;
		pg->has_tuple = ps.r->rules[pg->rule].has_tuple;
		if (pg->has_tuple)
			ps.r->progs_only = 0;
	}
	return ps.r;
err:
	fw_rules_free(ps.r);
	rte_errno = ret < 0 ? -ret : EINVAL;
	return NULL;
}

struct fw_rules *
fw_rules_parse(const char *name, const char *text, char *err, size_t errlen)
{
	return fw_parse_text(name, text, false, err, errlen);
}

/* The whole of FILE as a string, or NULL with ERR and rte_errno set. */
static char *
fw_read_file(const char *file, char *err, size_t errlen)
{
	char *text;
	long size;
	FILE *f;

	f = fopen(file, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open: %s; expected a readable rules file",
			 file, strerror(errno));
		rte_errno = errno;
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, errlen, "%s: cannot read: %s", file, strerror(errno));
		fclose(f);
		rte_errno = EIO;
		return NULL;
	}
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, errlen, "%s: cannot read %ld bytes", file, size);
		free(text);
		fclose(f);
		rte_errno = EIO;
		return NULL;
	}
	fclose(f);
	text[size] = '\0';
	if (strlen(text) != (size_t)size) {
		size_t nul = strlen(text), i, line = 1, bol = 0;

		for (i = 0; i < nul; i++)
			if (text[i] == '\n') {
				line++;
				bol = i + 1;
			}
		snprintf(err, errlen, "%s:%zu:%zu: NUL byte; expected a text file",
			 file, line, nul - bol + 1);
		free(text);
		rte_errno = EINVAL;
		return NULL;
	}
	return text;
}

struct fw_rules *
fw_rules_load(const char *file, char *err, size_t errlen)
{
	char *text = fw_read_file(file, err, errlen);
	struct fw_rules *r;

	if (text == NULL)
		return NULL;
	r = fw_parse_text(file, text, false, err, errlen);
	free(text);
	return r;
}

int
fw_rules_check(const char *file, char *err, size_t errlen)
{
	char *text = fw_read_file(file, err, errlen);
	struct fw_rules *r;

	if (text == NULL)
		return -rte_errno;
	r = fw_parse_text(file, text, true, err, errlen);
	free(text);
	if (r == NULL)
		return -EINVAL;
	fw_rules_free(r);
	return 0;
}

unsigned int
fw_rules_count(const struct fw_rules *r)
{
	return r->n_rules;
}

const char *
fw_rules_name(const struct fw_rules *r, unsigned int idx)
{
	return idx < r->n_rules ? r->rules[idx].name : NULL;
}

int
fw_rules_jitted(const struct fw_rules *r)
{
	return r->jitted;
}

unsigned int
fw_rules_direct(const struct fw_rules *r)
{
	return r->n_direct;
}
