/* SPDX-License-Identifier: BSD-3-Clause */
/* The stage-kind registry and the set-up every kind shares. */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>

#include "stage.h"

/* Filled by constructors before main(); read-only afterwards. */
static struct stage_ops *stage_kinds;

/* Input kinds first, then app kinds, then outputs; by name within a role. */
static int
stage_kind_cmp(const struct stage_ops *a, const struct stage_ops *b)
{
	if (a->role != b->role)
		return (int)a->role - (int)b->role;
	return strcmp(a->name, b->name);
}

void
stage_register(struct stage_ops *ops)
{
	struct stage_ops **pp = &stage_kinds;

	while (*pp != NULL && stage_kind_cmp(*pp, ops) < 0)
		pp = &(*pp)->next;
	ops->next = *pp;
	*pp = ops;
}

const struct stage_ops *
stage_kind_find(const char *name)
{
	const struct stage_ops *o;

	for (o = stage_kinds; o != NULL; o = o->next)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

const struct stage_ops *
stage_kind_next(const struct stage_ops *prev)
{
	return prev == NULL ? stage_kinds : prev->next;
}

const char *
stage_kind_article(const struct stage_ops *ops)
{
	return strchr("aeiou", ops->name[0]) != NULL ? "an" : "a";
}

int
stage_init(struct stage *s, const struct stage_ops *ops, const char *name,
	   const void *kconf, const struct stage_env *env)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->burst = ops->burst;
	s->kconf = kconf;
	s->name = name;
	s->port_id = env->port_id;
	s->queue = env->queue;
	if (ops->priv_size != 0) {
		s->priv = rte_zmalloc_socket(name, ops->priv_size,
					     RTE_CACHE_LINE_SIZE, env->socket);
		if (s->priv == NULL)
			return -ENOMEM;
	}
	if (ops->init == NULL)
		return 0;
	ret = ops->init(s, env);
	if (ret != 0)
		stage_fini(s);
	return ret;
}

void
stage_fini(struct stage *s)
{
	if (s->ops != NULL && s->ops->fini != NULL)
		s->ops->fini(s);
	rte_free(s->priv);
	s->priv = NULL;
	s->ops = NULL;
}

uint64_t
stage_drops(const struct stage *s)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < STAGE_DROPS_MAX; i++)
		sum += s->ctr.drops[i];
	return sum;
}

int
stage_gap_field(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = STAGE_GAP_DYNFIELD,
		.size = sizeof(uint64_t),
		.align = __alignof__(uint64_t),
	};
	int off = rte_mbuf_dynfield_register(&desc);

	return off < 0 ? -rte_errno : off;
}

int
stage_span_field(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = STAGE_SPAN_DYNFIELD,
		.size = sizeof(struct stage_span),
		.align = __alignof__(struct stage_span),
	};
	int off = rte_mbuf_dynfield_register(&desc);

	return off < 0 ? -rte_errno : off;
}
