/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): EAL bring-up for
 * the parsers that need DPDK memory, and the one oracle every parser
 * shares, that an error message names the input ("NAME:..."), so a
 * malformed input is reported, not just refused.
 *
 * A finding is reported with abort(): libFuzzer saves the input and the
 * test command (scripts/fuzz.sh) counts it as a failure.
 */
#ifndef FFWD_FUZZ_COMMON_H
#define FFWD_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_FAIL(...)                                                         \
	do {                                                                   \
		fprintf(stderr, "fuzz finding: " __VA_ARGS__);                 \
		fputc('\n', stderr);                                           \
		abort();                                                       \
	} while (0)

/* An error message must be non-empty and start with "NAME". */
static inline void
fuzz_check_err(const char *name, const char *err)
{
	size_t n = strlen(name);

	if (err[0] == '\0')
		FUZZ_FAIL("refused without a message");
	if (strncmp(err, name, n) != 0 || (err[n] != ':' && err[n] != ' '))
		FUZZ_FAIL("message does not name the input '%s': %s", name, err);
}

#ifdef FUZZ_WITH_EAL
#include <rte_eal.h>

/*
 * EAL without hugepages, PCI or shared config: the rule builder and the
 * capture loader allocate from DPDK memory. The file prefix is
 * $FFWD_FUZZ_PREFIX (default "fuzz") plus the PID, so that parallel runs
 * never meet; scripts/fuzz.sh removes its runtime folder afterwards.
 */
static inline void
fuzz_eal_init(const char *argv0)
{
	const char *tag = getenv("FFWD_FUZZ_PREFIX");
	char prefix[64];
	char *eal[] = {
		(char *)argv0, "--no-huge", "-m", "512", "--no-shconf",
		"--no-pci", "--no-telemetry", "--file-prefix", prefix,
		"--log-level", "*:critical", "--lcores", "0@0",
	};

	snprintf(prefix, sizeof(prefix), "%s-%d", tag != NULL ? tag : "fuzz",
		 (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0) {
		fprintf(stderr, "fuzz: rte_eal_init failed\n");
		exit(1);
	}
}
#endif

#endif /* FFWD_FUZZ_COMMON_H */
