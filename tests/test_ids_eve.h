/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_eve tests (one binary, test_ids_eve): what its files share. The
 * suites ids_engine (test_ids_engine.c) and ids_offline
 * (test_ids_offline.c) run after ids_eve (test_ids_eve.c), which sets up
 * EAL for all three.
 */
#ifndef FFWD_TEST_IDS_EVE_H
#define FFWD_TEST_IDS_EVE_H

#include <CUnit/CUnit.h>

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

extern CU_TestInfo test_ids_engine_tests[];
extern CU_TestInfo test_ids_offline_tests[];

#endif /* FFWD_TEST_IDS_EVE_H */
