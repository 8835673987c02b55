/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_rules: one rule. The header (action, protocol, addresses, ports,
 * direction), the option keywords dispatched to their parsers, and the
 * finished rule checked (sid, duplicates) and appended to the set being
 * loaded.
 */
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ids_rules_pvt.h"

/* ------------------------------------------------------------------ */
/* header                                                             */

/* The next blank-separated token of the header; brackets may hold blanks. */
static bool
next_token(const char *s, uint32_t *i, uint32_t *ts, uint32_t *te)
{
	uint32_t j = ids_skip_ws(s, *i), lvl = 0;

	*ts = j;
	while (s[j] != '\0') {
		if (s[j] == '[')
			lvl++;
		else if (s[j] == ']' && lvl > 0)
			lvl--;
		else if (lvl == 0 && (s[j] == ' ' || s[j] == '\t' ||
				      s[j] == '(' || s[j] == '\r' ||
				      s[j] == '\n'))
			break;
		j++;
	}
	*te = j;
	*i = j;
	return *te > *ts;
}

static const char *const ids_app_protos[] = {
	"http", "http1", "http2", "ftp", "ftp-data", "tls", "ssl", "smb",
	"dcerpc", "dns", "smtp", "imap", "pop3", "ssh", "nfs", "ntp", "dhcp",
	"krb5", "snmp", "sip", "rfb", "mqtt", "rdp", "ike", "ikev2", "modbus",
	"dnp3", "enip", "tftp", "quic", "ldap", "websocket", "telnet", "pgsql",
	"bittorrent-dht", "doh2", "sctp", "pkthdr", "ipv4", "ipv6", "ip4", "ip6",
	"frame", NULL
};

static int
parse_header(struct ids_pctx *pc, struct ids_rule *ru, uint32_t *pi)
{
	const char *s = pc->t->s;
	uint32_t i = *pi, ts, te;
	int rc;

	/* action */
	if (!next_token(s, &i, &ts, &te))
		return ids_perr(pc, P_BAD, ts, "expected an action");
	size_t n = te - ts;
	if (n == 5 && strncasecmp(s + ts, "alert", 5) == 0)
		ru->info.action = IDS_ACT_ALERT;
	else if (n == 4 && strncasecmp(s + ts, "pass", 4) == 0)
		ru->info.action = IDS_ACT_PASS;
	else if (n == 4 && strncasecmp(s + ts, "drop", 4) == 0)
		ru->info.action = IDS_ACT_DROP;
	else if (n == 6 && strncasecmp(s + ts, "reject", 6) == 0)
		ru->info.action = IDS_ACT_REJECT;
	else if ((n == 9 && strncasecmp(s + ts, "rejectsrc", 9) == 0) ||
		 (n == 9 && strncasecmp(s + ts, "rejectdst", 9) == 0) ||
		 (n == 10 && strncasecmp(s + ts, "rejectboth", 10) == 0) ||
		 (n == 6 && strncasecmp(s + ts, "config", 6) == 0))
		return ids_perr(pc, P_UNSUP, ts, "unsupported action '%.*s'",
				(int)n, s + ts);
	else
		return ids_perr(pc, P_BAD, ts,
				"unknown action '%.*s' (expected alert, pass, drop or reject)",
				(int)n, s + ts);

	/* protocol */
	if (!next_token(s, &i, &ts, &te))
		return ids_perr(pc, P_BAD, ts, "expected a protocol");
	n = te - ts;
	if (n == 2 && strncasecmp(s + ts, "ip", 2) == 0)
		ru->proto = 0;
	else if (n == 3 && strncasecmp(s + ts, "tcp", 3) == 0)
		ru->proto = IPPROTO_TCP;
	else if (n == 3 && strncasecmp(s + ts, "udp", 3) == 0)
		ru->proto = IPPROTO_UDP;
	else if (n == 4 && strncasecmp(s + ts, "icmp", 4) == 0)
		ru->proto = IPPROTO_ICMP;	/* ICMP and ICMPv6, as Suricata */
	else if (n == 6 && strncasecmp(s + ts, "icmpv4", 6) == 0)
		ru->proto = IDS_PROTO_ICMP4;
	else if (n == 6 && strncasecmp(s + ts, "icmpv6", 6) == 0)
		ru->proto = IPPROTO_ICMPV6;
	else {
		for (int k = 0; ids_app_protos[k] != NULL; k++)
			if (strlen(ids_app_protos[k]) == n &&
			    strncasecmp(s + ts, ids_app_protos[k], n) == 0)
				return ids_perr(pc, P_UNSUP, ts,
						"unsupported protocol '%.*s' (app-layer and other protocols are outside the subset)",
						(int)n, s + ts);
		if (n > 4 && (strncasecmp(s + ts, "tcp-", 4) == 0 ||
			      strncasecmp(s + ts, "udp-", 4) == 0))
			return ids_perr(pc, P_UNSUP, ts,
					"unsupported protocol '%.*s'", (int)n,
					s + ts);
		return ids_perr(pc, P_BAD, ts,
				"unknown protocol '%.*s' (expected ip, tcp, udp, icmp, icmpv4 or icmpv6)",
				(int)n, s + ts);
	}

	/* src addr, src port, direction, dst addr, dst port */
	struct ids_span sp;
	for (int part = 0; part < 5; part++) {
		static const char *const what[] = { "a source address",
			"a source port", "a direction (-> or <>)",
			"a destination address", "a destination port" };
		if (!next_token(s, &i, &ts, &te))
			return ids_perr(pc, P_BAD, ts, "expected %s", what[part]);
		sp = (struct ids_span){ s + ts, te - ts, ts, false };
		switch (part) {
		case 0:
			rc = ids_addr_parse(pc, sp, &ru->src);
			break;
		case 1:
			rc = ids_port_parse(pc, sp, &ru->sport);
			break;
		case 2:
			if (sp.n == 2 && memcmp(sp.s, "->", 2) == 0)
				ru->bidir = 0;
			else if (sp.n == 2 && memcmp(sp.s, "<>", 2) == 0)
				ru->bidir = 1;
			else if (sp.n == 2 && memcmp(sp.s, "=>", 2) == 0)
				return ids_perr(pc, P_UNSUP, ts,
						"unsupported direction '=>' (transactional rules)");
			else
				return ids_perr(pc, P_BAD, ts,
						"bad direction '%.*s' (expected -> or <>)",
						(int)sp.n, sp.s);
			rc = P_OK;
			break;
		case 3:
			rc = ids_addr_parse(pc, sp, &ru->dst);
			break;
		default:
			rc = ids_port_parse(pc, sp, &ru->dport);
			break;
		}
		if (rc != P_OK)
			return rc;
	}
	if ((ru->proto != IPPROTO_TCP && ru->proto != IPPROTO_UDP) &&
	    (!ru->sport.any || !ru->dport.any)) {
		/* the first port that is not any */
		return ids_perr(pc, P_BAD, *pi,
				"ports need tcp or udp (this rule's protocol has none); use any");
	}
	*pi = i;
	return P_OK;
}

/* ------------------------------------------------------------------ */
/* options: the keyword dispatch                                      */

static const struct ids_class *
class_find(struct ids_pctx *pc, const char *name, size_t n)
{
	for (uint32_t k = 0; k < pc->ncls; k++)
		if (strlen(pc->cls[k].name) == n &&
		    strncmp(pc->cls[k].name, name, n) == 0)
			return &pc->cls[k];
	return NULL;
}

/* Options that only carry information (metadata, reference): any value. */
static int
opt_info(struct ids_pctx *pc, struct ids_opt *op, const char *kw)
{
	if (!op->has_val || ids_skip_ws(pc->t->s, op->vs) >= op->ve)
		return ids_perr(pc, P_BAD, op->ks, "%s needs a value", kw);
	return P_OK;
}

int
ids_parse_option(struct ids_pctx *pc, struct ids_rule_build *b, struct ids_opt *op)
{
	const char *s = pc->t->s;
	char kw[48];
	size_t n = op->ke - op->ks;
	long long v;
	int rc;

	if (n >= sizeof(kw))
		n = sizeof(kw) - 1;
	/* keywords are case-insensitive, as in Suricata */
	for (size_t k = 0; k < n; k++)
		kw[k] = (char)tolower((unsigned char)s[op->ks + k]);
	kw[n] = '\0';

	if (strcmp(kw, "msg") == 0)
		return ids_opt_msg(pc, b, op);
	if (strcmp(kw, "sid") == 0 || strcmp(kw, "rev") == 0 ||
	    strcmp(kw, "gid") == 0) {
		if (!op->has_val)
			return ids_perr(pc, P_BAD, op->ks, "%s needs a value", kw);
		rc = ids_value_int(pc, kw, op->vs, op->ve, kw[0] == 'r' ? 0 : 1,
				   UINT32_MAX, &v);
		if (rc != P_OK)
			return rc;
		if (kw[0] == 's') {
			b->ru->info.sid = (uint32_t)v;
			b->have_sid = true;
			b->sid_at = op->ks;
		} else if (kw[0] == 'r') {
			b->ru->info.rev = (uint32_t)v;
		} else {
			b->ru->info.gid = (uint32_t)v;
		}
		return P_OK;
	}
	if (strcmp(kw, "priority") == 0) {
		if (!op->has_val)
			return ids_perr(pc, P_BAD, op->ks, "priority needs a value");
		rc = ids_value_int(pc, kw, op->vs, op->ve, 1, 255, &v);
		if (rc != P_OK)
			return rc;
		b->ru->info.priority = (uint8_t)v;
		b->have_prio = true;
		return P_OK;
	}
	if (strcmp(kw, "classtype") == 0) {
		uint32_t i = ids_skip_ws(s, op->vs), e = op->ve;
		while (e > i && isspace((unsigned char)s[e - 1]))
			e--;
		if (!op->has_val || e == i)
			return ids_perr(pc, P_BAD, op->ks, "classtype needs a value");
		const struct ids_class *c = class_find(pc, s + i, e - i);
		if (c == NULL)
			return ids_perr(pc, P_BAD, i,
					"unknown classtype '%.*s' (not in the classification config)",
					(int)(e - i), s + i);
		b->ru->info.classtype = c->name;
		b->ru->info.category = c->desc;
		if (!b->have_prio)
			b->ru->info.priority = c->prio;
		return P_OK;
	}
	if (strcmp(kw, "metadata") == 0 || strcmp(kw, "reference") == 0)
		return opt_info(pc, op, kw);
	if (strcmp(kw, "content") == 0) {
		if (!op->has_val)
			return ids_perr(pc, P_BAD, op->ks, "content needs a value");
		return ids_opt_content(pc, b, op);
	}
	if (strcmp(kw, "nocase") == 0 || strcmp(kw, "depth") == 0 ||
	    strcmp(kw, "offset") == 0 || strcmp(kw, "distance") == 0 ||
	    strcmp(kw, "within") == 0 || strcmp(kw, "startswith") == 0 ||
	    strcmp(kw, "endswith") == 0 || strcmp(kw, "fast_pattern") == 0)
		return ids_opt_modifier(pc, b, op, kw);
	if (strcmp(kw, "isdataat") == 0)
		return ids_opt_isdataat(pc, b, op);
	if (strcmp(kw, "dsize") == 0) {
		uint32_t i = ids_skip_ws(s, op->vs);
		long long a, c;
		uint8_t o = IDS_DS_EQ;
		if (!op->has_val)
			return ids_perr(pc, P_BAD, op->ks, "dsize needs a value");
		if (b->ru->dsize_op != IDS_DS_NONE)
			return ids_perr(pc, P_BAD, op->ks, "dsize given twice");
		if (s[i] == '<' && s[i + 1] == '=') {
			o = IDS_DS_LE;
			i += 2;
		} else if (s[i] == '>' && s[i + 1] == '=') {
			o = IDS_DS_GE;
			i += 2;
		} else if (s[i] == '<') {
			o = IDS_DS_LT;
			i++;
		} else if (s[i] == '>') {
			o = IDS_DS_GT;
			i++;
		} else if (s[i] == '!') {
			o = IDS_DS_NE;
			i++;
		} else if (s[i] == '=') {
			i++;
		}
		i = ids_skip_ws(s, i);
		if (!ids_parse_int(s, &i, 0, 65535, &a))
			return ids_perr(pc, P_BAD, i, "dsize: expected a number 0..65535");
		c = a;
		i = ids_skip_ws(s, i);
		if (o == IDS_DS_EQ && i < op->ve &&
		    (s[i] == '-' || (s[i] == '<' && s[i + 1] == '>'))) {
			i = ids_skip_ws(s, i + (s[i] == '-' ? 1 : 2));
			if (!ids_parse_int(s, &i, 0, 65535, &c))
				return ids_perr(pc, P_BAD, i,
						"dsize: expected the range's upper bound");
			if (c <= a + 1)
				return ids_perr(pc, P_BAD, op->vs,
						"dsize: range %lld<>%lld holds no value (bounds are exclusive)",
						a, c);
			o = IDS_DS_RANGE;
			i = ids_skip_ws(s, i);
		}
		if (i < op->ve)
			return ids_perr(pc, P_BAD, i, "dsize: unexpected '%c'", s[i]);
		if (o == IDS_DS_LT && a == 0)
			return ids_perr(pc, P_BAD, op->vs, "dsize:<0 matches nothing");
		b->ru->dsize_op = o;
		b->ru->dsize_a = (uint16_t)a;
		b->ru->dsize_b = (uint16_t)c;
		return P_OK;
	}
	if (strcmp(kw, "pcre") == 0) {
		if (!op->has_val)
			return ids_perr(pc, P_BAD, op->ks, "pcre needs a value");
		return ids_opt_pcre(pc, b, op);
	}
	if (strcmp(kw, "flow") == 0)
		return ids_opt_flow(pc, b, op);
	if (strcmp(kw, "flowbits") == 0)
		return ids_opt_flowbits(pc, b, op);
	if (strcmp(kw, "noalert") == 0) {
		if (op->has_val)
			return ids_perr(pc, P_BAD, op->vs, "noalert takes no value");
		b->ru->info.flags |= IDS_RULE_NOALERT;
		return P_OK;
	}
	if (strcmp(kw, "threshold") == 0)
		return ids_opt_threshold(pc, b, op, false);
	if (strcmp(kw, "detection_filter") == 0)
		return ids_opt_threshold(pc, b, op, true);
	if (n == 0)
		return ids_perr(pc, P_BAD, op->ks, "expected a keyword");
	for (size_t k = 0; k < n; k++)
		if (!isalnum((unsigned char)kw[k]) && kw[k] != '_' &&
		    kw[k] != '.' && kw[k] != '-')
			return ids_perr(pc, P_BAD, op->ks + k,
					"bad character '%c' in keyword", kw[k]);
	return ids_perr(pc, P_UNSUP, op->ks, "unsupported keyword '%s'", kw);
}

/* ------------------------------------------------------------------ */
/* the rule                                                           */

void
ids_rule_free_parts(struct ids_rule *ru)
{
	for (uint32_t k = 0; k < ru->nsteps; k++) {
		free(ru->steps[k].pat);
		if (ru->steps[k].re != NULL)
			pcre2_code_free(ru->steps[k].re);
	}
	free(ru->steps);
	free(ru->fb);
	free(ru->src.v4.v);
	free(ru->src.v6.v);
	free(ru->dst.v4.v);
	free(ru->dst.v6.v);
	free(ru->sport.p.v);
	free(ru->dport.p.v);
}

/* Parses the rule in pc->t. P_OK appends it to pc->rules. */
int
ids_parse_rule(struct ids_pctx *pc)
{
	struct ids_rule_build b = { .last_content = -1, .last_step = -1 };
	struct ids_rule ru = { 0 };
	uint32_t i = 0;
	int rc;

	b.ru = &ru;
	b.steps.esz = sizeof(struct ids_step);
	b.fb.esz = sizeof(struct ids_flowbit);
	ru.info.gid = 1;
	ru.info.priority = 3;
	ru.info.msg = "";
	ru.info.category = "";
	rc = parse_header(pc, &ru, &i);
	if (rc == P_OK)
		rc = ids_parse_options(pc, &b, i);
	if (rc == P_OK && !b.have_sid)
		rc = ids_perr(pc, P_BAD, pc->t->len, "rule has no sid");
	ru.steps = b.steps.v;
	ru.nsteps = b.steps.n;
	ru.fb = b.fb.v;
	ru.nfb = b.fb.n;
	if (rc != P_OK) {
		ids_rule_free_parts(&ru);
		return rc;
	}
	if (ru.dsize_op != IDS_DS_NONE)
		ru.flow |= IDS_FL_NO_STREAM;	/* dsize is about packets */
	ids_rule_prepare_steps(&ru);
	ru.info.file = ids_pool_str(pc->r, pc->file, strlen(pc->file));
	ru.info.line = pc->t->line[0];
	ru.order_key = pc->order++;
	/* duplicate gid:sid */
	const struct ids_rule *rs = pc->rules.v;
	for (uint32_t k = 0; k < pc->rules.n; k++)
		if (rs[k].info.sid == ru.info.sid && rs[k].info.gid == ru.info.gid) {
			rc = ids_perr(pc, P_BAD, b.sid_at,
				      "duplicate sid %u (first at %s:%u)",
				      ru.info.sid, rs[k].info.file, rs[k].info.line);
			ids_rule_free_parts(&ru);
			return rc;
		}
	struct ids_rule *slot = ids_vec_push(&pc->rules);
	if (slot == NULL) {
		ids_rule_free_parts(&ru);
		return ids_perr(pc, P_BAD, 0, "out of memory");
	}
	*slot = ru;
	return P_OK;
}
