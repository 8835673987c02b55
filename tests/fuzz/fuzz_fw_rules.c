/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: firewall rule files (fw_rules_parse(), stages/app/
 * fw_rules.c) from an in-memory buffer, built for real: rte_acl contexts,
 * libpcap filter compilation, eBPF conversion, verification and JIT.
 * Oracle: a refusal names the file ("fuzz.rules:line:col: ..."); a rule set
 * that builds can be asked its size and names.
 *
 * The text ends at the first NUL, as it would when read from a file
 * (fw_rules_load() refuses a NUL byte before it gets here). eBPF object
 * paths are resolved against the current folder; scripts/fuzz.sh runs the
 * target in an empty one.
 */
#define FUZZ_WITH_EAL 1

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firewall.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	fuzz_eal_init((*argv)[0]);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct fw_rules *r;
	unsigned int i, n;
	char *text;

	text = malloc(size + 1);
	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	err[0] = '\0';
	r = fw_rules_parse("fuzz.rules", text, err, sizeof(err));
	free(text);
	if (r == NULL) {
		fuzz_check_err("fuzz.rules", err);
		return 0;
	}
	n = fw_rules_count(r);
	for (i = 0; i < n; i++)
		if (fw_rules_name(r, i) == NULL || fw_rules_name(r, i)[0] == '\0')
			FUZZ_FAIL("rule %u of %u has no name", i, n);
	if (fw_rules_name(r, n) != NULL)
		FUZZ_FAIL("a name for rule %u of %u", n, n);
	fw_rules_free(r);
	return 0;
}
