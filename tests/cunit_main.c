/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared CUnit runner: each test_<module>.c provides tests_register(),
 * which adds its suites, and optionally tests_setup()/tests_teardown()
 * (weak) for process-wide state such as EAL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "cunit_main.h"

static unsigned int tests_skipped;

void
tests_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("\nSKIP ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
	tests_skipped++;
}

__attribute__((weak)) int
tests_setup(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

__attribute__((weak)) void
tests_teardown(void)
{
}

int
main(int argc, char **argv)
{
	unsigned int failed;

	if (tests_setup(argc, argv) != 0) {
		fprintf(stderr, "test setup failed\n");
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (tests_register() != 0) {
		fprintf(stderr, "registering tests failed: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	/* A suite whose init failed runs nothing: count that as a failure. */
	failed += CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	if (tests_skipped != 0)
		printf("skipped %u case(s), each on a line starting with SKIP\n",
		       tests_skipped);
	tests_teardown();
	return failed == 0 ? 0 : 1;
}
