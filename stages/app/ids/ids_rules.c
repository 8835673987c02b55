/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules: the Suricata rule parser (the subset of docs/IDS.md) and the
 * compiler that sorts the rules into Suricata's evaluation order, groups
 * them by protocol class, direction and destination port, and builds one
 * Hyperscan literal database per group on the rules' fast patterns.
 *
 * This file is the rule set: loading (classification config, files,
 * strings), freeing and the accessors. The parts, sharing
 * ids_rules_pvt.h:
 *	ids_rules_lex.c		logical rules, option lists, helpers
 *	ids_rules_set.c		address and port sets, variables
 *	ids_rules_parse.c	one rule: header, keyword dispatch
 *	ids_rules_content.c	content, modifiers, isdataat, pcre
 *	ids_rules_opt.c		msg, flow, flowbits, threshold
 *	ids_rules_compile.c	order, groups, prefilter databases
 *
 * Everything here runs at load time; allocation is fine. Every error a
 * rule can cause names file:line:col of the offending token.
 */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids_rules_pvt.h"

extern const char ids_classification_builtin[];

static uint32_t ids_next_id = 1;	/* only touched at load time */

/* ------------------------------------------------------------------ */
/* classification.config                                              */

static int
load_classes(struct ids_pctx *pc, const char *text, const char *name)
{
	const char *p = text;
	uint32_t line = 0;

	while (*p != '\0') {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char buf[512];
		line++;
		if (n >= sizeof(buf))
			n = sizeof(buf) - 1;
		memcpy(buf, p, n);
		buf[n] = '\0';
		p = e ? e + 1 : p + n;
		char *q = buf;
		while (isspace((unsigned char)*q))
			q++;
		if (*q == '#' || *q == '\0')
			continue;
		const char *pre = "config classification:";
		if (strncmp(q, pre, strlen(pre)) != 0) {
			snprintf(pc->err, pc->errlen,
				 "%s:%u:%u: expected 'config classification: name,description,priority'",
				 name, line, (unsigned int)(q - buf) + 1);
			return -EINVAL;
		}
		q += strlen(pre);
		while (isspace((unsigned char)*q))
			q++;
		char *c1 = strchr(q, ','), *c2 = c1 ? strrchr(c1 + 1, ',') : NULL;
		long pr = c2 ? strtol(c2 + 1, NULL, 10) : 0;
		if (c1 == NULL || c2 == NULL || c1 == q || pr < 1 || pr > 255) {
			snprintf(pc->err, pc->errlen,
				 "%s:%u:%u: expected name,description,priority (priority 1..255)",
				 name, line, (unsigned int)(q - buf) + 1);
			return -EINVAL;
		}
		struct ids_class *nc = realloc(pc->cls, (pc->ncls + 1) * sizeof(*nc));
		if (nc == NULL)
			return -ENOMEM;
		pc->cls = nc;
		nc[pc->ncls].name = ids_pool_str(pc->r, q, (size_t)(c1 - q));
		nc[pc->ncls].desc = ids_pool_str(pc->r, c1 + 1, (size_t)(c2 - c1 - 1));
		nc[pc->ncls].prio = (uint8_t)pr;
		if (nc[pc->ncls].name == NULL || nc[pc->ncls].desc == NULL)
			return -ENOMEM;
		pc->ncls++;
	}
	return 0;
}

static char *
read_file(const char *path, int *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL) {
		*err = errno;
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				*err = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		size_t k = fread(buf + n, 1, 4096, f);
		n += k;
		if (k < 4096)
			break;
	}
	if (ferror(f)) {
		*err = EIO;
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* ------------------------------------------------------------------ */
/* public                                                             */

void
ids_rules_free(struct ids_rules *r)
{
	if (r == NULL)
		return;
	for (uint32_t k = 0; k < r->nrules; k++)
		ids_rule_free_parts(&r->rules[k]);
	free(r->rules);
	for (int pcl = 0; pcl < IDS_PC_MAX; pcl++)
		for (int dir = 0; dir < 2; dir++) {
			struct ids_pmap *pm = &r->map[pcl][dir];
			for (uint32_t g = 0; g < pm->ngroups; g++) {
				free(pm->groups[g].always);
				hs_free_database(pm->groups[g].db);
			}
			free(pm->groups);
			free(pm->port_group);
		}
	if (r->proto_scratch)
		hs_free_scratch(r->proto_scratch);
	for (uint32_t k = 0; k < r->nflowbits; k++)
		free(r->fb_names[k]);
	free(r->fb_names);
	for (uint32_t k = 0; k < r->nskipped; k++)
		free(r->skipped[k]);
	free(r->skipped);
	for (uint32_t k = 0; k < r->nstrs; k++)
		free(r->strs[k]);
	free(r->strs);
	free(r);
}

/* One text to parse: a file (path) or a string (text, name). */
struct ids_src {
	const char *path;
	const char *text;
	const char *name;
};

/*
 * Loads the sources as one set: classification config, the previous
 * set's flowbit numbering, every rule, then the compile. NULL with errno
 * and a message on failure; nothing half-built survives.
 */
static struct ids_rules *
rules_load(const struct ids_src *src, unsigned int nsrc,
	   const struct ids_rules_opts *o, char *err, size_t errlen)
{
	char dummy[8];
	struct ids_pctx pc = { 0 };
	struct ids_rules *r = calloc(1, sizeof(*r));
	int rc = 0, e = 0;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (r == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	pc.err = err;
	pc.errlen = errlen;
	pc.o = o;
	pc.r = r;
	pc.file = "<rules>";
	pc.rules.esz = sizeof(struct ids_rule);
	r->id = __atomic_fetch_add(&ids_next_id, 1, __ATOMIC_RELAXED);
	r->threshold_slots = o && o->threshold_slots ? o->threshold_slots : 65536;
	if (o != NULL && o->prev != NULL) {
		/* keep the previous set's flowbit numbering */
		r->fb_ns = o->prev->fb_ns;
		for (uint32_t k = 0; k < o->prev->nflowbits; k++) {
			uint32_t bit;
			if (ids_flowbit_num(&pc, o->prev->fb_names[k],
					    strlen(o->prev->fb_names[k]), &bit) < 0) {
				rc = -ENOMEM;
				goto fail;
			}
		}
	} else {
		r->fb_ns = r->id;
	}

	if (o != NULL && o->classification_file != NULL) {
		char *txt = read_file(o->classification_file, &e);
		if (txt == NULL) {
			snprintf(err, errlen, "%s: %s", o->classification_file,
				 strerror(e));
			rc = -e;
			goto fail;
		}
		rc = load_classes(&pc, txt, o->classification_file);
		free(txt);
	} else {
		rc = load_classes(&pc, ids_classification_builtin,
				  "<built-in classification.config>");
	}
	if (rc < 0)
		goto fail;

	for (unsigned int f = 0; f < nsrc; f++) {
		char *txt = NULL;
		if (src[f].path != NULL) {
			txt = read_file(src[f].path, &e);
			if (txt == NULL) {
				snprintf(err, errlen, "%s: %s", src[f].path,
					 strerror(e));
				rc = -e;
				goto fail;
			}
			pc.file = src[f].path;
		} else {
			pc.file = src[f].name ? src[f].name : "<string>";
		}
		rc = ids_parse_text(&pc, txt ? txt : src[f].text);
		free(txt);
		if (rc < 0)
			goto fail;
	}
	rc = ids_rules_compile(&pc);
	if (rc < 0)
		goto fail;
	free(pc.cls);
	return r;
fail:
	for (uint32_t k = 0; k < pc.rules.n; k++)
		ids_rule_free_parts(&((struct ids_rule *)pc.rules.v)[k]);
	free(pc.rules.v);
	free(pc.cls);
	ids_rules_free(r);
	errno = rc < 0 ? -rc : EINVAL;
	return NULL;
}

struct ids_rules *
ids_rules_load_files(const char *const *files, unsigned int nfiles,
		     const struct ids_rules_opts *o, char *err, size_t errlen)
{
	struct ids_src *src = calloc(nfiles ? nfiles : 1, sizeof(*src));

	if (src == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	for (unsigned int k = 0; k < nfiles; k++)
		src[k].path = files[k];
	struct ids_rules *r = rules_load(src, nfiles, o, err, errlen);
	int e = errno;
	free(src);
	errno = e;
	return r;
}

struct ids_rules *
ids_rules_load(const char *file, const struct ids_rules_opts *o, char *err,
	       size_t errlen)
{
	struct ids_src src = { .path = file };

	return rules_load(&src, 1, o, err, errlen);
}

struct ids_rules *
ids_rules_load_string(const char *text, const char *name,
		      const struct ids_rules_opts *o, char *err, size_t errlen)
{
	struct ids_src src = { .text = text, .name = name };

	return rules_load(&src, 1, o, err, errlen);
}

unsigned int
ids_rules_count(const struct ids_rules *r)
{
	return r->nrules;
}

unsigned int
ids_rules_skipped(const struct ids_rules *r)
{
	return r->nskipped;
}

const char *
ids_rules_skipped_at(const struct ids_rules *r, unsigned int i)
{
	return i < r->nskipped ? r->skipped[i] : NULL;
}

const struct ids_rule_info *
ids_rules_info(const struct ids_rules *r, unsigned int idx)
{
	return idx < r->nrules ? &r->rules[idx].info : NULL;
}

const struct ids_rule_info *
ids_rules_find(const struct ids_rules *r, uint32_t gid, uint32_t sid)
{
	for (uint32_t k = 0; k < r->nrules; k++)
		if (r->rules[k].info.sid == sid && r->rules[k].info.gid == gid)
			return &r->rules[k].info;
	return NULL;
}

bool
ids_rules_needs_stream(const struct ids_rules *r)
{
	for (uint32_t k = 0; k < r->nrules; k++) {
		const struct ids_rule *ru = &r->rules[k];
		if ((ru->proto == 0 || ru->proto == IPPROTO_TCP) &&
		    ru->nsteps > 0 && !(ru->flow & IDS_FL_NO_STREAM))
			return true;
	}
	return false;
}

size_t
ids_detect_flow_state_size(const struct ids_rules *r)
{
	/* at least 256 bits, so that a reload adding a few flowbits still
	 * fits the flows the table already holds */
	uint32_t words = (r->nflowbits + 63) / 64;
	if (words < 4)
		words = 4;
	return sizeof(struct ids_flow_det) + words * sizeof(uint64_t);
}

void
ids_detect_flow_init(const struct ids_rules *r, struct ids_flow_det *fd,
		     size_t size)
{
	memset(fd, 0, size);
	fd->ns = r->fb_ns;
	size_t words = (size - sizeof(*fd)) / sizeof(uint64_t);
	fd->nwords = (uint16_t)(words > 65535 ? 65535 : words);
}
