/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl tests: the verdict's attribution of hiccups, on snapshot pairs made
 * here (a table: involuntary switches, steal, hiccups, and the words the
 * verdict must and must not say), and the pid checks that stand between a
 * label's telemetry and a kill(): rows that must be refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include "ctl.h"
#include "cunit_main.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

/* One stage rx on lcore 1, CPU 1; os < 0 leaves the OS fields out. */
static json_t *
snap(long long hiccups, long long preempt, long long ticks, long long steal,
     long long irqs, bool os)
{
	json_t *s = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "name", "rx",
			      "kind", "input", "lcore", 1LL, "cpu", 1LL, "hiccups",
			      hiccups, "busy_cycles", 0LL, "idle_cycles", 100LL,
			      "pkts_out", 0LL);

	if (os) {
		json_object_set_new(s, "os_preempt", json_integer(preempt));
		json_object_set_new(s, "os_cpu_ticks", json_integer(ticks));
		json_object_set_new(s, "os_steal_ticks", json_integer(steal));
		json_object_set_new(s, "os_irqs", json_integer(irqs));
	}
	return json_pack("{s:{s:I, s:I}, s:{s:o}, s:{}}", "info", "pid", 1LL,
			 "hiccup_threshold_us", 10LL, "stages", "rx", s, "rings");
}

static void
test_ctl_verdict_attribution(void)
{
	static const struct {
		long long hiccups, preempt, ticks, steal, irqs;
		bool os;
		const char *must, *must_not;
	} rows[] = {
		/* a competitor: switched out 41 times */
		{ 50, 41, 100, 0, 900, true,
		  "scheduler preempted rx 41 times in the last 1.0 s: another task runs "
		  "on CPU 1", "no preemption" },
		/* yield mode with a competitor: switches, no gap over 10 µs */
		{ 0, 7, 100, 0, 10, true, "scheduler preempted rx 7 times", "no preemption" },
		/* gaps, no switch: the hypervisor took 3 % */
		{ 50, 0, 100, 3, 1200, true,
		  "no preemption: time taken below the OS, by the hypervisor or interrupts: "
		  "steal 3 %, 1200 interrupts/s on CPU 1", "preempted" },
		/* gaps, no switch, no steal: interrupts */
		{ 20, 0, 100, 0, 5000, true, "steal 0 %, 5000 interrupts/s", "preempted" },
		/* nothing happened: no lcore line at all */
		{ 0, 0, 100, 0, 100, true, NULL, "lcore 1" },
		/* an ffwd without thread ids: cannot tell */
		{ 50, 0, 0, 0, 0, false, "preemption cannot be told from time taken below",
		  "scheduler preempted" },
	};
	unsigned int i;

	for (i = 0; i < DIM(rows); i++) {
		json_t *b = snap(0, 0, 0, 0, 0, rows[i].os);
		json_t *a = snap(rows[i].hiccups, rows[i].preempt, rows[i].ticks,
				 rows[i].steal, rows[i].irqs, rows[i].os);
		char *text = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&text, &len);

		ctl_verdict(b, a, 1.0, m);
		fclose(m);
		if (rows[i].must != NULL && strstr(text, rows[i].must) == NULL)
			fprintf(stderr, "row %u: wanted '%s' in:\n%s", i, rows[i].must, text);
		CU_ASSERT(rows[i].must == NULL || strstr(text, rows[i].must) != NULL);
		if (strstr(text, rows[i].must_not) != NULL)
			fprintf(stderr, "row %u: '%s' should not be in:\n%s", i,
				rows[i].must_not, text);
		CU_ASSERT(strstr(text, rows[i].must_not) == NULL);
		free(text);
		json_decref(a);
		json_decref(b);
	}
}

static void
test_ctl_pid_check_refuses(void)
{
	static const struct {
		long long pid;
		const char *why;
	} rows[] = {
		{ 0, "not a pipeline's process" },
		{ -1, "not a pipeline's process" },
		{ 1, "not a pipeline's process" },
		{ 0x7ffffffe, "does not exist" },
		{ -2, "not a pipeline's process" }, /* replaced by our own pid below */
	};
	unsigned int i;

	for (i = 0; i < DIM(rows); i++) {
		char err[512] = "";
		long long pid = rows[i].pid;
		const char *why = rows[i].why;

		if (pid == -2) {
			/* a live process of ours that is not an ffwd binary */
			pid = getpid();
			why = "not an ffwd binary";
		}
		CU_ASSERT_EQUAL(ctl_pid_check("nosuchlabel", pid, err, sizeof(err)), -1);
		if (strstr(err, why) == NULL)
			fprintf(stderr, "pid %lld: wanted '%s', got '%s'\n", pid, why, err);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
	}
}

static void
test_ctl_info_cpus(void)
{
	json_t *arr = json_pack("{s:I, s:[I,I,I], s:[I,I,I]}", "housekeeping", 0LL,
				"lcore_ids", 0LL, 1LL, 2LL, "lcore_cpus", 0LL, 3LL, 5LL);
	json_t *str = json_pack("{s:I, s:s}", "housekeeping", 0LL, "lcores", "0@0,1@1,2@1");
	bool cpus[CTL_MAX_CPUS] = { false }, c2[CTL_MAX_CPUS] = { false };

	CU_ASSERT_EQUAL(ctl_info_cpus(arr, cpus, CTL_MAX_CPUS), 2);
	CU_ASSERT(!cpus[0] && cpus[3] && cpus[5] && !cpus[1]);
	CU_ASSERT_EQUAL(ctl_info_cpus(str, c2, CTL_MAX_CPUS), 1);
	CU_ASSERT(!c2[0] && c2[1]);
	json_decref(arr);
	json_decref(str);
}

int
tests_register(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{ "test_ctl_verdict_attribution", test_ctl_verdict_attribution },
		{ "test_ctl_pid_check_refuses", test_ctl_pid_check_refuses },
		{ "test_ctl_info_cpus", test_ctl_info_cpus },
	};
	CU_pSuite suite;
	unsigned int i;

	suite = CU_add_suite("ctl", NULL, NULL);
	if (suite == NULL)
		return -1;
	for (i = 0; i < DIM(tests); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			return -1;
	return 0;
}
