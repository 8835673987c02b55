/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_eve, ids_rec and ids_engine tests: the logger side and the verdicts.
 * This file (suite ids_eve):
 *
 *  - the record queue loses (and counts) records when the logger is
 *    behind, never blocks, and gives every record back;
 *  - timestamps in Suricata's format, in UTC and in a zone with an offset;
 *  - the file is appended to and reopened on request (logrotate), a full
 *    disk (/dev/full) and a vanished socket are counted, not fatal, and a
 *    socket that comes back is reconnected.
 *
 * The engine (suite ids_engine, tests/test_ids_engine.c):
 *  - the engine in IDS and IPS mode on frames built here: alerts allowed,
 *    drop rules drop the packet and the rest of the flow (ids_drop,
 *    ids_flow_drop), pass rules end inspection of the flow, malformed
 *    frames dropped only when asked (ids_malformed), and every packet is
 *    accounted for.
 *
 * The offline driver's arguments (suite ids_offline, tests/test_ids_offline.c).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <jansson.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "cunit_main.h"
#include "ids_engine.h"
#include "ids_eve.h"
#include "ids_rec.h"

#include "test_ids_eve.h"

static char tmpdir[256];

static void
test_ids_rec_queue_full(void)
{
	struct ids_recq *q = ids_recq_create(4);
	struct ids_rec *r[8];
	unsigned int got = 0, n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_PTR_NULL(ids_recq_create(3));	/* not a power of two */
	for (int i = 0; i < 6; i++) {
		struct ids_rec *x = ids_recq_get(q);

		if (x == NULL)
			continue;
		x->sid = (uint32_t)i;
		ids_recq_put(q, x);
		got++;
	}
	CU_ASSERT_EQUAL(got, 4);
	CU_ASSERT_EQUAL(ids_recq_lost(q), 2);
	n = ids_recq_poll(q, r, 8);
	CU_ASSERT_EQUAL(n, 4);
	for (unsigned int i = 0; i < n; i++)
		CU_ASSERT_EQUAL(r[i]->sid, i);	/* in order */
	ids_recq_done(q, r, n);
	/* Every record came back: four more fit. */
	for (int i = 0; i < 4; i++) {
		struct ids_rec *x = ids_recq_get(q);

		CU_ASSERT_PTR_NOT_NULL(x);
		if (x)
			ids_recq_put(q, x);
	}
	CU_ASSERT_EQUAL(ids_recq_lost(q), 2);
	ids_recq_free(q);
}

static void
test_ids_eve_timestamp(void)
{
	char b[64];
	/* 2017-04-07T22:24:37.251547 UTC */
	uint64_t ts = 1491603877ull * 1000000000ull + 251547123ull;

	CU_ASSERT_STRING_EQUAL(ids_eve_timestamp(b, sizeof(b), ts, true),
			       "2017-04-07T22:24:37.251547+0000");
	setenv("TZ", "Europe/London", 1);	/* BST in April: +0100 */
	tzset();
	CU_ASSERT_STRING_EQUAL(ids_eve_timestamp(b, sizeof(b), ts, false),
			       "2017-04-07T23:24:37.251547+0100");
	setenv("TZ", "UTC", 1);
	tzset();
	CU_ASSERT_STRING_EQUAL(ids_eve_timestamp(b, sizeof(b), 0, false),
			       "1970-01-01T00:00:00.000000+0000");
}

static void
fill_alert(struct ids_rec *r, uint32_t sid)
{
	memset(r, 0, sizeof(*r));
	r->type = IDS_REC_ALERT;
	r->ip_ver = 4;
	r->proto = 6;
	r->src[0] = 10;
	r->src[3] = 1;
	r->dst[0] = 10;
	r->dst[3] = 2;
	r->sport = 1234;
	r->dport = 80;
	r->sid = sid;
	r->gid = 1;
	r->rev = 2;
	r->severity = 3;
	r->pcap_cnt = 7;
	r->ts_ns = 1491603877ull * 1000000000ull;
	strcpy(r->msg, "a \"quoted\" msg");
	memcpy(r->payload, "abcd", 4);
	r->payload_len = 4;
}

static int
count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (f == NULL)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void
test_ids_eve_file_reopen(void)
{
	struct ids_eve_conf c = { 0 };
	struct ids_rec r;
	struct ids_eve *w;
	char path[300], rot[310], err[256], line[4096];
	json_t *j;
	FILE *f;

	snprintf(path, sizeof(path), "%s/eve.json", tmpdir);
	snprintf(rot, sizeof(rot), "%s/eve.json.1", tmpdir);
	c.path = path;
	c.payload = true;
	c.utc = true;
	w = ids_eve_open(&c, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	fill_alert(&r, 42);
	CU_ASSERT_EQUAL(ids_eve_write(w, &r), 0);
	/* logrotate: rename, then SIGHUP -> reopen */
	CU_ASSERT_EQUAL(rename(path, rot), 0);
	ids_eve_request_reopen(w);
	fill_alert(&r, 43);
	CU_ASSERT_EQUAL(ids_eve_write(w, &r), 0);
	CU_ASSERT_EQUAL(count_lines(rot), 1);
	CU_ASSERT_EQUAL(count_lines(path), 1);
	CU_ASSERT_EQUAL(ids_eve_counters(w)[IDS_EVE_C_reopens], 1);
	CU_ASSERT_EQUAL(ids_eve_counters(w)[IDS_EVE_C_records], 2);
	ids_eve_close(w);
	/* The record as Suricata writes it. */
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	fclose(f);
	j = json_loads(line, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "event_type")), "alert");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "timestamp")),
			       "2017-04-07T22:24:37.000000+0000");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "src_ip")), "10.0.0.1");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "dest_port")), 80);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "pcap_cnt")), 7);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "proto")), "TCP");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "payload")), "YWJjZA==");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(json_object_get(j, "alert"),
							   "signature_id")), 43);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(j, "alert"),
								  "signature")),
			       "a \"quoted\" msg");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_object_get(j, "alert"),
								  "action")), "allowed");
	CU_ASSERT_PTR_NULL(json_object_get(j, "flow_id"));	/* no flow: not written */
	json_decref(j);
	/* IPv6 in Suricata's uncompressed form. */
	w = ids_eve_open(&c, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	fill_alert(&r, 44);
	r.ip_ver = 6;
	memset(r.src, 0, 16);
	r.src[0] = 0x20; r.src[1] = 0x01; r.src[2] = 0x0d; r.src[3] = 0xb8;
	r.src[15] = 1;
	CU_ASSERT_EQUAL(ids_eve_write(w, &r), 0);
	ids_eve_close(w);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL)
		;
	fclose(f);
	j = json_loads(line, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(j, "src_ip")),
			       "2001:0db8:0000:0000:0000:0000:0000:0001");
	json_decref(j);
	/* An output that cannot be opened is an error at start. */
	c.path = "/nonexistent-dir/eve.json";
	CU_ASSERT_PTR_NULL(ids_eve_open(&c, err, sizeof(err)));
	CU_ASSERT(strstr(err, "/nonexistent-dir/eve.json") != NULL);
}

static void
test_ids_eve_disk_full(void)
{
	struct ids_eve_conf c = { 0 };
	struct ids_rec r;
	struct ids_eve *w;
	char err[256];

	if (access("/dev/full", W_OK) != 0) {
		CU_FAIL("no /dev/full to fill");
		return;
	}
	c.path = "/dev/full";
	w = ids_eve_open(&c, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	fill_alert(&r, 1);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(ids_eve_write(w, &r), -ENOSPC);
	CU_ASSERT_EQUAL(ids_eve_counters(w)[IDS_EVE_C_write_errors], 3);
	CU_ASSERT_EQUAL(ids_eve_counters(w)[IDS_EVE_C_records], 0);
	ids_eve_close(w);
}

static int
listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	unlink(path);
	strcpy(sa.sun_path, path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 4) < 0)
		return -1;
	return fd;
}

static void
test_ids_eve_socket_vanishes(void)
{
	struct ids_eve_conf c = { 0 };
	struct ids_rec r;
	struct ids_eve *w;
	char path[300], err[256], buf[8192];
	int l, a, rc = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/eve.sock", tmpdir);
	l = listen_unix(path);
	CU_ASSERT_FATAL(l >= 0);
	c.path = path;
	c.unix_socket = true;
	w = ids_eve_open(&c, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	a = accept(l, NULL, NULL);
	fill_alert(&r, 5);
	CU_ASSERT_EQUAL(ids_eve_write(w, &r), 0);
	n = read(a, buf, sizeof(buf) - 1);
	CU_ASSERT(n > 0 && buf[n - 1] == '\n');
	/* The reader goes away: writes fail, are counted, nothing crashes
	 * (no SIGPIPE). */
	close(a);
	close(l);
	unlink(path);
	for (int i = 0; i < 4; i++)
		rc |= ids_eve_write(w, &r);
	CU_ASSERT(rc != 0);
	CU_ASSERT(ids_eve_counters(w)[IDS_EVE_C_write_errors] >= 3);
	/* It comes back: the next write reconnects. */
	l = listen_unix(path);
	CU_ASSERT_FATAL(l >= 0);
	CU_ASSERT_EQUAL(ids_eve_write(w, &r), 0);
	a = accept(l, NULL, NULL);
	n = read(a, buf, sizeof(buf) - 1);
	CU_ASSERT(n > 0);
	CU_ASSERT(ids_eve_counters(w)[IDS_EVE_C_reopens] >= 1);
	close(a);
	close(l);
	unlink(path);
	ids_eve_close(w);
}

int
tests_setup(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--no-huge", "-m", "256", "--no-shconf",
			"--no-pci", "--file-prefix", prefix, "--log-level",
			"*:error", NULL };

	(void)argc;
	snprintf(prefix, sizeof(prefix), "ids-eve-test-%d", (int)getpid());
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ids-eve-test-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return rte_eal_init((int)DIM(eal) - 1, eal) < 0 ? -1 : 0;
}

void
tests_teardown(void)
{
	char cmd[300];

	rte_eal_cleanup();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

int
tests_register(void)
{
	static CU_TestInfo tests[] = {
		{ "test_ids_rec_queue_full", test_ids_rec_queue_full },
		{ "test_ids_eve_timestamp", test_ids_eve_timestamp },
		{ "test_ids_eve_file_reopen", test_ids_eve_file_reopen },
		{ "test_ids_eve_disk_full", test_ids_eve_disk_full },
		{ "test_ids_eve_socket_vanishes", test_ids_eve_socket_vanishes },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ .pName = "ids_eve", .pTests = tests },
		{ .pName = "ids_engine", .pTests = test_ids_engine_tests },
		{ .pName = "ids_offline", .pTests = test_ids_offline_tests },
		CU_SUITE_INFO_NULL,
	};

	return CU_register_suites(suites) == CUE_SUCCESS ? 0 : -1;
}
