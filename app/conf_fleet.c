/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fleets in the config: a stage's replicas and lcores keys, and the
 * checks that a fleet's neighbours spread and merge on lcores of their
 * own and that no other stage uses a fleet's lcores.
 */
#include <stdio.h>
#include <string.h>

#include "conf_pvt.h"

/*
 * replicas: N and lcores: [a, b, ...] (app stages only). With lcores, the
 * list is what is reserved and replicas (default: all) what is active at
 * start; with replicas alone, lcores lcore .. lcore+N-1 are reserved.
 * LCORE_NODE is the stage's lcore key, or NULL.
 */
int
conf_fleet_parse(struct conf_ctx *ctx, yaml_node_t *map, const char *where,
		 struct conf_stage *st, yaml_node_t *lcore_node)
{
	const struct conf *conf = ctx->conf;
	yaml_node_t *rep = conf_get(ctx, map, "replicas", NULL);
	yaml_node_t *lcs = conf_get(ctx, map, "lcores", NULL);
	char what[32];
	unsigned int i, j;
	long long n, l;

	if (rep == NULL && lcs == NULL)
		return 0;
	if (st->ops->role != STAGE_ROLE_APP)
		return conf_err(ctx, rep != NULL ? rep : lcs, where,
				"%s is given on %s %s stage, expected replicas and lcores on app stages only (an input spreads over RX queues with its port's rss: symmetric and rxq)",
				rep != NULL ? "replicas" : "lcores",
				stage_kind_article(st->ops), st->ops->name);
	if (lcs != NULL) {
		if (conf_want(ctx, lcs, YAML_SEQUENCE_NODE, where, "lcores",
			      "a sequence of lcores, e.g. [2, 3]") < 0)
			return -1;
		st->n_lcores = conf_seq_size(lcs);
		if (st->n_lcores == 0 || st->n_lcores > CONF_FLEET_MAX)
			return conf_err(ctx, lcs, where,
					"lcores lists %u lcores, expected 1..%d",
					st->n_lcores, CONF_FLEET_MAX);
		for (i = 0; i < st->n_lcores; i++) {
			yaml_node_t *ln = conf_node(ctx, lcs->data.sequence.items.start[i]);

			snprintf(what, sizeof(what), "lcores[%u]", i);
			if (conf_int(ctx, ln, where, what, 0, CONF_MAX_LCORES - 1,
				     NULL, &l) < 0)
				return -1;
			st->lcores[i] = (unsigned int)l;
			if (st->lcores[i] == conf->housekeeping)
				return conf_err(ctx, ln, where,
						"%s is %u, expected another lcore: dedicated lcores must differ from the housekeeping lcore %u",
						what, st->lcores[i], conf->housekeeping);
			for (j = 0; j < i; j++)
				if (st->lcores[j] == st->lcores[i])
					return conf_err(ctx, ln, where,
							"%s is %u again, expected one replica per lcore",
							what, st->lcores[i]);
			if (conf_check_lcore_cpu(ctx, ln, where, what,
						 st->lcores[i]) < 0)
				return -1;
		}
		if (lcore_node != NULL && st->lcore != st->lcores[0])
			return conf_err(ctx, lcore_node, where,
					"lcore is %u but lcores starts with %u, expected lcore to be the first of lcores (or left out)",
					st->lcore, st->lcores[0]);
		st->lcore = st->lcores[0];
		st->replicas = st->n_lcores;
	}
	if (rep != NULL) {
		if (conf_int(ctx, rep, where, "replicas", 1, CONF_FLEET_MAX, NULL,
			     &n) < 0)
			return -1;
		if (lcs != NULL && n > st->n_lcores)
			return conf_err(ctx, rep, where,
					"replicas is %lld but lcores reserves %u, expected at most as many replicas as lcores reserved",
					n, st->n_lcores);
		st->replicas = (unsigned int)n;
		if (lcs == NULL) {
			st->n_lcores = st->replicas;
			for (i = 0; i < st->n_lcores; i++) {
				st->lcores[i] = st->lcore + i;
				snprintf(what, sizeof(what), "replica lcore");
				if (st->lcores[i] >= CONF_MAX_LCORES ||
				    st->lcores[i] == conf->housekeeping)
					return conf_err(ctx, rep, where,
							"replicas is %u from lcore %u: lcore %u is %s, expected lcores of their own (list them with lcores: [...])",
							st->replicas, st->lcore, st->lcores[i],
							st->lcores[i] >= CONF_MAX_LCORES ?
							"out of range" : "the housekeeping lcore");
				if (conf_check_lcore_cpu(ctx, rep, where, what,
							 st->lcores[i]) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static bool
conf_fleet_has(const struct conf_stage *st, unsigned int lcore)
{
	unsigned int r;

	for (r = 0; r < st->n_lcores; r++)
		if (st->lcores[r] == lcore)
			return true;
	return false;
}

static bool
conf_fleet_same(const struct conf_stage *a, const struct conf_stage *b)
{
	return a->n_lcores == b->n_lcores && a->replicas == b->replicas &&
	       memcmp(a->lcores, b->lcores, a->n_lcores * sizeof(a->lcores[0])) == 0;
}

/*
 * Fleets of a path: every stage of a fused run carries the same fleet (the
 * run is replicated whole); the stage in front spreads and the one behind
 * merges, so neither may sit on a replica's lcore, except an input whose
 * port spreads by RSS: that input is then replicated, one RX queue per
 * replica. No other stage may use a fleet's lcores.
 */
int
conf_fleet_check_path(struct conf_ctx *ctx, const struct conf_path *path,
		      const char *where)
{
	const struct conf *conf = ctx->conf;
	const struct conf_stage *st, *f, *prev;
	unsigned int i, j;

	/* A fused neighbour must be in the same fleet, or in none. */
	for (i = 1; i < path->n_stages; i++) {
		st = &path->stages[i];
		prev = &path->stages[i - 1];
		if (st->lcore == prev->lcore && prev->ops->role == STAGE_ROLE_APP &&
		    st->ops->role == STAGE_ROLE_APP && !conf_fleet_same(st, prev))
			return conf_err_at(ctx, st->mark, where,
					   "stage '%s' is fused with stage '%s' on lcore %u but their replicas/lcores differ, expected the same replicas and lcores on every stage of a fused run",
					   st->name, prev->name, st->lcore);
	}
	for (i = 1; i < path->n_stages; i++) {
		st = &path->stages[i];
		prev = &path->stages[i - 1];
		if (st->n_lcores == 0 || conf_fleet_same(st, prev))
			continue;
		f = st;
		/* f starts a fleet: look at the stage in front. */
		if (conf_fleet_has(f, prev->lcore)) {
			const struct conf_port *port = prev->port >= 0 ?
				&conf->ports[prev->port] : NULL;

			if (prev->ops->role != STAGE_ROLE_INPUT || port == NULL ||
			    !port->rss || prev->lcore != f->lcores[0])
				return conf_err_at(ctx, prev->mark, where,
						   "stage '%s' on lcore %u is in front of fleet '%s', which reserves that lcore, expected the stage in front of a fleet on an lcore of its own (it spreads the flows), or an input whose port has rss: symmetric on the fleet's first lcore",
						   prev->name, prev->lcore, f->name);
			if (port->rxq != f->n_lcores || f->replicas != f->n_lcores)
				return conf_err_at(ctx, prev->mark, where,
						   "input '%s' spreads fleet '%s' by RSS over %u RX queues of port '%s' for %u lcores with %u active, expected one RX queue per lcore and every replica active (a fleet spread by RSS is not resized)",
						   prev->name, f->name, port->rxq, port->name,
						   f->n_lcores, f->replicas);
		}
		/* The stage behind the fleet merges. */
		for (j = i + 1; j < path->n_stages && conf_fleet_same(&path->stages[j], f) &&
		     path->stages[j].lcore == f->lcore; j++)
			;
		if (j < path->n_stages && conf_fleet_has(f, path->stages[j].lcore))
			return conf_err_at(ctx, path->stages[j].mark, where,
					   "stage '%s' on lcore %u is behind fleet '%s', which reserves that lcore, expected the stage behind a fleet on an lcore of its own (it merges the replicas)",
					   path->stages[j].name, path->stages[j].lcore, f->name);
	}
	return 0;
}

/* A fleet's lcores run its replicas (and an RSS input in front) only. */
int
conf_fleet_check_lcores(struct conf_ctx *ctx)
{
	const struct conf *conf = ctx->conf;
	const struct conf_stage *f, *o;
	unsigned int p, s, q, t;
	char where[CONF_NAME_MAX + 16];

	for (p = 0; p < conf->n_paths; p++) {
		for (s = 0; s < conf->paths[p].n_stages; s++) {
			f = &conf->paths[p].stages[s];
			if (f->n_lcores == 0)
				continue;
			for (q = 0; q < conf->n_paths; q++) {
				for (t = 0; t < conf->paths[q].n_stages; t++) {
					o = &conf->paths[q].stages[t];
					if (!conf_fleet_has(f, o->lcore))
						continue;
					if (q == p && conf_fleet_same(o, f) &&
					    o->lcore == f->lcore)
						continue; /* its fused run */
					if (q == p && t + 1 < conf->paths[q].n_stages &&
					    o->ops->role == STAGE_ROLE_INPUT &&
					    conf_fleet_same(&conf->paths[q].stages[t + 1], f))
						continue; /* its RSS input */
					snprintf(where, sizeof(where), "path '%s'",
						 conf->paths[q].name);
					return conf_err_at(ctx, o->mark, where,
							   "stage '%s' uses lcore %u, which fleet '%s' reserves, expected a fleet's lcores to run its replicas only",
							   o->name, o->lcore, f->name);
				}
			}
			/* An RSS input in front reads every RX queue of its
			 * port, one per replica: nobody else may read one. */
			if (s == 0 || conf->paths[p].stages[s - 1].ops->role != STAGE_ROLE_INPUT ||
			    !conf_fleet_has(f, conf->paths[p].stages[s - 1].lcore) ||
			    conf_fleet_same(&conf->paths[p].stages[s - 1], f))
				continue;
			for (q = 0; q < conf->n_paths; q++) {
				for (t = 0; t < conf->paths[q].n_stages; t++) {
					const struct conf_stage *in = &conf->paths[p].stages[s - 1];

					o = &conf->paths[q].stages[t];
					if (o == in || o->ops->role != STAGE_ROLE_INPUT ||
					    o->port != in->port)
						continue;
					snprintf(where, sizeof(where), "stage '%s'", o->name);
					return conf_err_at(ctx, o->mark, where,
							   "port '%s' is read whole by input '%s' for fleet '%s' (RX queue r by replica r), expected no other input on it",
							   conf->ports[in->port].name, in->name, f->name);
				}
			}
		}
	}
	return 0;
}
