/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the YAML pipeline configuration (conf_parse(), app/conf.c)
 * from an in-memory buffer. Oracle: 0 or -1, and a refusal names the file
 * (every config error is "file:line:col: ...").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "conf.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the runtime takes for granted in an accepted config. */
static void
fuzz_check_conf(const struct conf *c)
{
	unsigned int i, j;

	if (c->n_paths == 0 || c->n_paths > CONF_MAX_PATHS ||
	    c->n_ports > CONF_MAX_PORTS)
		FUZZ_FAIL("accepted with %u paths, %u ports", c->n_paths,
			  c->n_ports);
	if (memchr(c->label, '\0', sizeof(c->label)) == NULL || c->label[0] == '\0')
		FUZZ_FAIL("accepted with a bad label");
	for (i = 0; i < c->n_paths; i++) {
		const struct conf_path *p = &c->paths[i];

		if (p->n_stages == 0 || p->n_stages > CONF_MAX_STAGES)
			FUZZ_FAIL("path %u accepted with %u stages", i,
				  p->n_stages);
		for (j = 0; j < p->n_stages; j++) {
			const struct conf_stage *s = &p->stages[j];

			if (s->lcore >= CONF_MAX_LCORES ||
			    c->cpu_of[s->lcore] < 0)
				FUZZ_FAIL("stage %s accepted on lcore %u, which has no CPU",
					  s->name, s->lcore);
			if (s->ops == NULL)
				FUZZ_FAIL("stage %s accepted without a kind", s->name);
			if ((s->ops->flags & STAGE_F_PORT) &&
			    (s->port < 0 || (unsigned int)s->port >= c->n_ports))
				FUZZ_FAIL("stage %s accepted with port %d of %u",
					  s->name, s->port, c->n_ports);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf *c;
	char err[CONF_ERR_MAX];
	int ret;

	/* ~1 MiB: allocated once, and filled with garbage each time so that
	 * a field the parser forgets to set is not hidden by a clean one. */
	if (c == NULL && (c = malloc(sizeof(*c))) == NULL)
		abort();
	memset(c, 0xa5, sizeof(*c));
	err[0] = '\0';
	ret = conf_parse(c, "fuzz.yaml", (const char *)data, size, err,
			 sizeof(err));
	if (ret != 0 && ret != -1)
		FUZZ_FAIL("conf_parse returned %d", ret);
	if (ret == -1)
		fuzz_check_err("fuzz.yaml", err);
	else
		fuzz_check_conf(c);
	/* The kinds' configs are the conf's; a failed parse freed them. */
	conf_free(c);
	return 0;
}
