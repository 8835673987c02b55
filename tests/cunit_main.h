/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FFWD_CUNIT_MAIN_H
#define FFWD_CUNIT_MAIN_H

/** Adds the file's suites to the CUnit registry; 0 or -1. */
int tests_register(void);
/** Optional process-wide setup (e.g. EAL); 0 or -1. */
int tests_setup(int argc, char **argv);
void tests_teardown(void);

/**
 * Report that a case (a test, or a row of a table) was not run, and why.
 * CUnit has no skip of its own, and a skipped row inside a test that
 * passes would otherwise count as tested: this prints one line
 * "SKIP <what>: <why>" on stdout, which scripts/test.sh counts apart
 * (its closing line is "N passed, M failed, K skipped"), and the runner
 * prints the total at the end.
 */
void tests_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
