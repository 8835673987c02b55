/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FFWD_CUNIT_MAIN_H
#define FFWD_CUNIT_MAIN_H

/** Adds the file's suites to the CUnit registry; 0 or -1. */
int tests_register(void);
/** Optional process-wide setup (e.g. EAL); 0 or -1. */
int tests_setup(int argc, char **argv);
void tests_teardown(void);

#endif
