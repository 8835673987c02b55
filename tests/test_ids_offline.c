/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_offline: the offline driver's arguments, good rows and bad rows.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "ids_offline.h"

#include "test_ids_eve.h"

/* The offline driver's arguments: good rows set what they say, bad rows
 * are refused with a message naming what was wrong (the driver exits 2). */
struct arow {
	const char *name;
	const char *argv[12];
	int rc;			/* 0, 1 (help) or -EINVAL */
	const char *msg;	/* in the message, for bad rows */
};

static const struct arow arows[] = {
	{ "minimal", { "-r", "a.pcap", "-S", "a.rules", "-l", "out" }, 0, NULL },
	{ "suricata-verify args", { "-r", "a.pcap", "-S", "a.rules", "-l", "out", "-k", "none",
				    "--set", "stream.midstream=true" }, 0, NULL },
	{ "--set= form", { "-r", "a", "-S", "b", "-l", "c", "--set=stream.reassembly.depth=64kb" }, 0, NULL },
	{ "help", { "--help" }, 1, NULL },
	{ "unknown --set key", { "-r", "a", "-S", "b", "-l", "c", "--set", "stream.nonsense=1" },
	  -EINVAL, "unknown key 'stream.nonsense'" },
	{ "--set without =", { "-r", "a", "-S", "b", "-l", "c", "--set", "stream.midstream" },
	  -EINVAL, "expected KEY=VALUE" },
	{ "bad bool", { "-r", "a", "-S", "b", "-l", "c", "--set", "stream.midstream=maybe" },
	  -EINVAL, "bad value 'maybe'" },
	{ "bad size", { "-r", "a", "-S", "b", "-l", "c", "--set", "stream.reassembly.depth=1tb" },
	  -EINVAL, "bad value '1tb'" },
	{ "lookback too big", { "-r", "a", "-S", "b", "-l", "c", "--set", "stream.reassembly.lookback=9999" },
	  -EINVAL, "stream.reassembly.lookback" },
	{ "bad -k", { "-r", "a", "-S", "b", "-l", "c", "-k", "some" }, -EINVAL, "-k some" },
	{ "unknown option", { "-r", "a", "-S", "b", "-l", "c", "--frobnicate" }, -EINVAL, "--frobnicate" },
	{ "missing -l", { "-r", "a", "-S", "b" }, -EINVAL, "-l DIR" },
	{ "-r without value", { "-S", "b", "-l", "c", "-r" }, -EINVAL, "-r: needs a value" },
};

static void
test_ids_offline_args(void)
{
	for (size_t i = 0; i < DIM(arows); i++) {
		const struct arow *r = &arows[i];
		struct ids_offline_opts o;
		char err[256] = "";
		int argc = 0, rc;

		while (argc < (int)DIM(r->argv) && r->argv[argc] != NULL)
			argc++;
		ids_offline_opts_default(&o);
		rc = ids_offline_parse(&o, argc, (char **)r->argv, err, sizeof(err));
		if (rc != r->rc || (r->msg && strstr(err, r->msg) == NULL))
			fprintf(stderr, "\n  row '%s': rc %d, message '%s'\n", r->name, rc, err);
		CU_ASSERT_EQUAL(rc, r->rc);
		if (r->msg != NULL)
			CU_ASSERT_PTR_NOT_NULL(strstr(err, r->msg));
	}
	/* And the values land where they should. */
	{
		const char *av[] = { "-r", "x", "-S", "y", "-S", "z", "-l", "d", "-k", "all",
				     "--simulate-ips", "--set", "stream.reassembly.depth=2mb",
				     "--set", "stream.async-oneside=yes", "--set",
				     "flow.max-flows=1000" };
		struct ids_offline_opts o;
		char err[256];

		ids_offline_opts_default(&o);
		CU_ASSERT_EQUAL(ids_offline_parse(&o, (int)DIM(av), (char **)av, err,
						  sizeof(err)), 0);
		CU_ASSERT_EQUAL(o.nrules, 2);
		CU_ASSERT_EQUAL(o.eng.csum, IDS_CSUM_ALL);
		CU_ASSERT_EQUAL(o.eng.mode, IDS_MODE_IPS);
		CU_ASSERT_EQUAL(o.eng.stream.depth, 2u * 1024 * 1024);
		CU_ASSERT(o.eng.flow.async_oneside);
		CU_ASSERT(!o.eng.flow.midstream);
		CU_ASSERT_EQUAL(o.eng.flow.max_flows, 1000);
	}
}

CU_TestInfo test_ids_offline_tests[] = {
	{ "test_ids_offline_args", test_ids_offline_args },
	CU_TEST_INFO_NULL,
};
