/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules parser internals, shared by the files of the rule parser
 * (ids_rules.c, ids_rules_lex.c, ids_rules_set.c, ids_rules_parse.c,
 * ids_rules_content.c, ids_rules_opt.c, ids_rules_compile.c): the load
 * context, the rule being built and the helpers the keyword parsers
 * share. Nothing outside the rule parser includes it.
 */
#ifndef FFWD_IDS_RULES_PVT_H
#define FFWD_IDS_RULES_PVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ids_core.h"

/* parse results */
#define P_OK		0
#define P_BAD		(-1)	/* malformed: always an error */
#define P_UNSUP		(-2)	/* outside the subset: skippable */

struct ids_class {
	char *name, *desc;
	uint8_t prio;
};

struct ids_vec {
	void *v;
	uint32_t n, cap;
	size_t esz;
};

/* One logical rule (continuation lines joined) with the source position
 * of every byte. */
struct ids_text {
	char *s;
	uint32_t *line, *col;
	uint32_t len, cap;
};

struct ids_pctx {
	const char *file;
	char *err;
	size_t errlen;
	const struct ids_rules_opts *o;
	struct ids_rules *r;
	struct ids_vec rules;	/* struct ids_rule */
	struct ids_class *cls;
	uint32_t ncls;
	struct ids_text *t;	/* the rule being parsed */
	uint32_t order;
	const char *var_name;	/* set while expanding a variable */
	unsigned int set_nest;	/* '!' and '[' open in the address or port
				 * set being parsed (bounds the recursion) */
};

/* Parsing works on a (string, position) pair: at is the byte of the rule
 * text errors are reported at (inside a variable's value: the $NAME). */
struct ids_span {
	const char *s;
	uint32_t n;
	uint32_t at;		/* rule text index of s[0] */
	bool in_var;		/* s is a variable's value: report at 'at' */
};

/* One option of a rule: keyword and value as offsets into the rule text. */
struct ids_opt {
	uint32_t ks, ke;	/* keyword */
	uint32_t vs, ve;	/* value (vs == ve: none) */
	bool has_val;
};

struct ids_rule_build {
	struct ids_rule *ru;
	int32_t last_content;	/* step index, -1: none */
	int32_t last_step;	/* content or pcre, for relative keywords */
	bool have_sid, have_prio;
	uint32_t sid_at;
	struct ids_vec steps;	/* struct ids_step */
	struct ids_vec fb;	/* struct ids_flowbit */
	const char *classtype;
};

/* ---- ids_rules_lex.c ---- */

/* A new zeroed element at the end of v; NULL when out of memory. */
void *ids_vec_push(struct ids_vec *v);
/* A copy of s[0..n) owned by the rule set (freed with it). */
char *ids_pool_str(struct ids_rules *r, const char *s, size_t n);
/* An error at byte i of the current rule text (or at the file when no
 * rule). Returns rc so callers can `return ids_perr(...)`. */
int ids_perr(struct ids_pctx *pc, int rc, uint32_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
uint32_t ids_skip_ws(const char *s, uint32_t i);
/* Parses a decimal integer in [lo, hi] from s[*i]; false if none/out of range. */
bool ids_parse_int(const char *s, uint32_t *i, long long lo, long long hi,
		   long long *out);
/* A whole value that is one integer (surrounding blanks allowed). */
int ids_value_int(struct ids_pctx *pc, const char *kw, uint32_t vs, uint32_t ve,
		  long long lo, long long hi, long long *out);
/* Value of a quoted option: start/end of the text inside the quotes, and
 * whether a '!' came first. */
int ids_quoted(struct ids_pctx *pc, const char *kw, struct ids_opt *op,
	       bool allow_neg, bool *neg, uint32_t *qs, uint32_t *qe);
/* Splits "(k:v; k; ...)" starting at '(' and parses each option. */
int ids_parse_options(struct ids_pctx *pc, struct ids_rule_build *b,
		      uint32_t i);
/* Every rule of text into pc->rules; 0, -EINVAL (pc->err) or -ENOMEM. */
int ids_parse_text(struct ids_pctx *pc, const char *text);

/* ---- ids_rules_set.c ---- */

/* A header address / port field into an empty set. */
int ids_addr_parse(struct ids_pctx *pc, struct ids_span sp,
		   struct ids_addr_set *as);
int ids_port_parse(struct ids_pctx *pc, struct ids_span sp,
		   struct ids_port_set *ps);

/* ---- ids_rules_parse.c ---- */

/* Parses the rule in pc->t. P_OK appends it to pc->rules. */
int ids_parse_rule(struct ids_pctx *pc);
/* One option (keyword and value) of the rule being built. */
int ids_parse_option(struct ids_pctx *pc, struct ids_rule_build *b,
		     struct ids_opt *op);
/* Frees what a rule owns (not the rule itself). */
void ids_rule_free_parts(struct ids_rule *ru);

/* ---- ids_rules_content.c ---- */

int ids_opt_content(struct ids_pctx *pc, struct ids_rule_build *b,
		    struct ids_opt *op);
int ids_opt_modifier(struct ids_pctx *pc, struct ids_rule_build *b,
		     struct ids_opt *op, const char *kw);
int ids_opt_isdataat(struct ids_pctx *pc, struct ids_rule_build *b,
		     struct ids_opt *op);
int ids_opt_pcre(struct ids_pctx *pc, struct ids_rule_build *b,
		 struct ids_opt *op);
/* The inspection chain of a complete rule made ready for the matcher. */
void ids_rule_prepare_steps(struct ids_rule *ru);

/* ---- ids_rules_opt.c ---- */

int ids_opt_msg(struct ids_pctx *pc, struct ids_rule_build *b,
		struct ids_opt *op);
int ids_opt_flow(struct ids_pctx *pc, struct ids_rule_build *b,
		 struct ids_opt *op);
int ids_opt_flowbits(struct ids_pctx *pc, struct ids_rule_build *b,
		     struct ids_opt *op);
int ids_opt_threshold(struct ids_pctx *pc, struct ids_rule_build *b,
		      struct ids_opt *op, bool detection);
/* The number of flowbit name[0..n), a new one if unknown; 0 or -ENOMEM. */
int ids_flowbit_num(struct ids_pctx *pc, const char *name, size_t n,
		    uint32_t *out);

/* ---- ids_rules_compile.c ---- */

/* Moves pc->rules into the set: order, groups, databases. 0 or -errno. */
int ids_rules_compile(struct ids_pctx *pc);

#endif /* FFWD_IDS_RULES_PVT_H */
