/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_eve, ids_rec and ids_engine tests: the logger side and the verdicts.
 *
 *  - the record queue loses (and counts) records when the logger is
 *    behind, never blocks, and gives every record back;
 *  - timestamps in Suricata's format, in UTC and in a zone with an offset;
 *  - the file is appended to and reopened on request (logrotate), a full
 *    disk (/dev/full) and a vanished socket are counted, not fatal, and a
 *    socket that comes back is reconnected;
 *  - the engine in IDS and IPS mode on frames built here: alerts allowed,
 *    drop rules drop the packet and the rest of the flow (ids_drop,
 *    ids_flow_drop), pass rules end inspection of the flow, malformed
 *    frames dropped only when asked (ids_malformed), and every packet is
 *    accounted for.
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
#include "ids_offline.h"
#include "ids_rec.h"

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

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

/* ---- the engine's verdicts ---- */

static uint32_t
frame(uint8_t *b, uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
      const char *payload, bool from_client)
{
	uint32_t plen = payload ? (uint32_t)strlen(payload) : 0;
	uint16_t tot = (uint16_t)(40 + plen);
	uint8_t *ip = b + 14, *th = ip + 20;

	memset(b, 0, 54);
	b[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = 10; ip[15] = from_client ? 1 : 2;
	ip[16] = 10; ip[19] = from_client ? 2 : 1;
	th[0] = (uint8_t)(sport >> 8); th[1] = (uint8_t)sport;
	th[2] = (uint8_t)(dport >> 8); th[3] = (uint8_t)dport;
	th[4] = (uint8_t)(seq >> 24); th[5] = (uint8_t)(seq >> 16);
	th[6] = (uint8_t)(seq >> 8); th[7] = (uint8_t)seq;
	th[12] = 0x50;
	th[13] = flags;
	if (plen)
		memcpy(th + 20, payload, plen);
	return 54 + plen;
}

static const char RULES[] =
	"alert tcp any any -> any 80 (msg:\"hello\"; content:\"hello\"; sid:1;)\n"
	"drop tcp any any -> any 6667 (msg:\"irc\"; content:\"NICK\"; sid:2;)\n"
	"pass tcp any any -> any 873 (msg:\"rsync\"; content:\"@RSYNCD\"; sid:3;)\n"
	"alert tcp any any -> any 873 (msg:\"after pass\"; content:\"secret\"; sid:4;)\n";

struct vrow {
	const char *name;
	enum ids_mode mode;
	bool drop_malformed;
	uint16_t dport;
	const char *p1, *p2;	/* two data packets of one session */
	bool malformed_first;	/* a broken frame before them */
	enum ids_verdict v1, v2;
	unsigned int alerts, drops_logged;
	uint64_t ids_drop, ids_flow_drop, ids_malformed;
};

static const struct vrow vrows[] = {
	{ "ids: alert, forwarded", IDS_MODE_IDS, false, 80, "hello", "x",
	  false, IDS_PASS, IDS_PASS, 1, 0, 0, 0, 0 },
	{ "ids: drop rule only alerts", IDS_MODE_IDS, false, 6667, "NICK a", "b",
	  false, IDS_PASS, IDS_PASS, 1, 0, 0, 0, 0 },
	{ "ips: drop rule drops the packet and the flow", IDS_MODE_IPS, false, 6667,
	  "NICK a", "PRIVMSG", false, IDS_DROP, IDS_DROP, 1, 1, 1, 1, 0 },
	{ "ips: pass rule ends inspection", IDS_MODE_IPS, false, 873,
	  "@RSYNCD: 31", "secret", false, IDS_PASS, IDS_PASS, 0, 0, 0, 0, 0 },
	{ "ids: without the pass, the later rule alerts", IDS_MODE_IDS, false, 873,
	  "hi", "secret", false, IDS_PASS, IDS_PASS, 1, 0, 0, 0, 0 },
	{ "ips: malformed dropped when asked", IDS_MODE_IPS, true, 80, "hello", "x",
	  true, IDS_PASS, IDS_PASS, 1, 0, 0, 0, 1 },
	{ "ips: malformed passed by default", IDS_MODE_IPS, false, 80, "hello", "x",
	  true, IDS_PASS, IDS_PASS, 1, 0, 0, 0, 0 },
};

static void
test_ids_engine_verdicts(void)
{
	char err[512];
	struct ids_rules *rules = ids_rules_load_string(RULES, "verdicts.rules",
							 &(struct ids_rules_opts){ 0 },
							 err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL_FATAL(rules);
	for (size_t i = 0; i < DIM(vrows); i++) {
		const struct vrow *r = &vrows[i];
		struct ids_engine_conf c;
		struct ids_engine *e;
		struct ids_rec *recs[64];
		unsigned int alerts = 0, drops = 0, n, pkts = 0;
		uint8_t b[256];
		uint32_t len;
		const uint64_t *ctr;
		enum ids_verdict v1, v2;
		uint64_t t = 1000000000ull;

		ids_engine_conf_default(&c);
		c.mode = r->mode;
		c.drop_malformed = r->drop_malformed;
		c.flow.max_flows = 64;
		c.stream.memcap_segs = 64;
		e = ids_engine_create(&c, rules, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(e);
		if (r->malformed_first) {
			len = frame(b, 1, 2, 0x10, 0, NULL, true);
			b[14] = 0x41;	/* IHL 4: broken */
			CU_ASSERT_EQUAL(ids_engine_packet(e, b, len, len, t, ++pkts),
					r->drop_malformed ? IDS_DROP : IDS_PASS);
		}
		len = frame(b, 40000, r->dport, 0x02, 100, NULL, true);
		ids_engine_packet(e, b, len, len, t, ++pkts);
		len = frame(b, r->dport, 40000, 0x12, 500, NULL, false);
		b[14 + 20 + 8] = 0; b[14 + 20 + 11] = 101;	/* ack 101 */
		ids_engine_packet(e, b, len, len, t, ++pkts);
		len = frame(b, 40000, r->dport, 0x10, 101, NULL, true);
		ids_engine_packet(e, b, len, len, t, ++pkts);
		len = frame(b, 40000, r->dport, 0x18, 101, r->p1, true);
		v1 = ids_engine_packet(e, b, len, len, t, ++pkts);
		len = frame(b, 40000, r->dport, 0x18, 101 + (uint32_t)strlen(r->p1),
			    r->p2, true);
		v2 = ids_engine_packet(e, b, len, len, t, ++pkts);
		ids_engine_flush(e);
		while ((n = ids_recq_poll(ids_engine_recq(e), recs, DIM(recs))) > 0) {
			for (unsigned int k = 0; k < n; k++) {
				alerts += recs[k]->type == IDS_REC_ALERT;
				drops += recs[k]->type == IDS_REC_DROP;
				if (recs[k]->type == IDS_REC_ALERT)
					CU_ASSERT_EQUAL(!!(recs[k]->flags & IDS_RECF_BLOCKED),
							r->mode == IDS_MODE_IPS &&
								recs[k]->sid == 2);
			}
			ids_recq_done(ids_engine_recq(e), recs, n);
		}
		ctr = ids_engine_counters(e);
		if (v1 != r->v1 || v2 != r->v2 || alerts != r->alerts)
			fprintf(stderr, "\n  row '%s': verdicts %d %d alerts %u\n",
				r->name, v1, v2, alerts);
		CU_ASSERT_EQUAL(v1, r->v1);
		CU_ASSERT_EQUAL(v2, r->v2);
		CU_ASSERT_EQUAL(alerts, r->alerts);
		CU_ASSERT_EQUAL(drops, r->drops_logged);
		CU_ASSERT_EQUAL(ctr[IDS_ENG_C_ids_drop], r->ids_drop);
		CU_ASSERT_EQUAL(ctr[IDS_ENG_C_ids_flow_drop], r->ids_flow_drop);
		CU_ASSERT_EQUAL(ctr[IDS_ENG_C_ids_malformed], r->ids_malformed);
		/* Every packet is in exactly one place. */
		CU_ASSERT_EQUAL(ctr[IDS_ENG_C_pkts], pkts);
		CU_ASSERT_EQUAL(ctr[IDS_ENG_C_pass] + ctr[IDS_ENG_C_ids_drop] +
					ctr[IDS_ENG_C_ids_flow_drop] +
					ctr[IDS_ENG_C_ids_malformed],
				pkts);
		ids_engine_free(e);
	}
	ids_rules_free(rules);
}

/* The logger far behind: records are lost and counted, packets go on. */
static void
test_ids_engine_ring_full(void)
{
	char err[512];
	struct ids_rules *rules = ids_rules_load_string(
		"alert udp any any -> any any (msg:\"u\"; content:\"x\"; sid:9;)\n",
		"ring.rules", &(struct ids_rules_opts){ 0 }, err, sizeof(err));
	struct ids_engine_conf c;
	struct ids_engine *e;
	uint8_t b[64];
	const uint64_t *ctr;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rules);
	ids_engine_conf_default(&c);
	c.rec_ring = 8;
	c.flow_records = false;
	c.flow.max_flows = 16;
	c.stream.memcap_segs = 16;
	e = ids_engine_create(&c, rules, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	memset(b, 0, sizeof(b));
	b[12] = 0x08;
	b[14] = 0x45; b[17] = 29; b[22] = 64; b[23] = 17;
	b[26] = 10; b[29] = 1; b[30] = 10; b[33] = 2;
	b[34] = 0x10; b[36] = 0x10; b[39] = 9;
	b[42] = 'x';
	for (int i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(ids_engine_packet(e, b, 43, 60, 1000 + (uint64_t)i, 0),
				IDS_PASS);
	ctr = ids_engine_counters(e);
	CU_ASSERT_EQUAL(ctr[IDS_ENG_C_alerts], 100);
	CU_ASSERT_EQUAL(ctr[IDS_ENG_C_records_lost], 92);
	CU_ASSERT_EQUAL(ids_recq_lost(ids_engine_recq(e)), 92);
	ids_engine_free(e);
	ids_rules_free(rules);
}

/* A reload keeps the flows and their flowbits (the new set keeps the old
 * one's numbering), and a set needing more flow state than was reserved is
 * refused with the old one kept. */
static void
test_ids_engine_reload_keeps_flowbits(void)
{
	char err[512];
	struct ids_rules_opts o = { 0 };
	struct ids_rules *a, *b;
	struct ids_engine_conf c;
	struct ids_engine *e;
	struct ids_rec *recs[16];
	uint8_t f[256];
	uint32_t len;
	unsigned int n, alerts = 0;

	a = ids_rules_load_string(
		"alert tcp any any -> any 80 (msg:\"login\"; content:\"LOGIN\"; "
		"flowbits:set,in; flowbits:noalert; sid:1;)\n",
		"a.rules", &o, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	o.prev = a;
	b = ids_rules_load_string(
		"alert tcp any any -> any 80 (msg:\"login\"; content:\"LOGIN\"; "
		"flowbits:set,in; flowbits:noalert; sid:1;)\n"
		"alert tcp any any -> any 80 (msg:\"after login\"; content:\"GET\"; "
		"flowbits:isset,in; sid:2;)\n",
		"b.rules", &o, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	ids_engine_conf_default(&c);
	c.flow.max_flows = 16;
	c.stream.memcap_segs = 16;
	e = ids_engine_create(&c, a, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	/* A UDP-free TCP flow without a handshake: packets inspected alone. */
	len = frame(f, 40000, 80, 0x18, 1, "LOGIN bob", true);
	ids_engine_packet(e, f, len, len, 1000, 1);
	CU_ASSERT_EQUAL(ids_engine_set_rules(e, b), 0);
	len = frame(f, 40000, 80, 0x18, 10, "GET /", true);
	ids_engine_packet(e, f, len, len, 2000, 2);
	while ((n = ids_recq_poll(ids_engine_recq(e), recs, 16)) > 0) {
		for (unsigned int i = 0; i < n; i++)
			alerts += recs[i]->type == IDS_REC_ALERT && recs[i]->sid == 2;
		ids_recq_done(ids_engine_recq(e), recs, n);
	}
	CU_ASSERT_EQUAL(alerts, 1);
	CU_ASSERT_EQUAL(ids_engine_flows_active(e), 1);
	ids_engine_free(e);
	ids_rules_free(b);
	ids_rules_free(a);
}

/*
 * No allocation per packet in the engine: glibc's allocator interposed
 * and counted while packets go through (sessions in and out of order,
 * UDP, malformed frames, evictions of a small table, closes with held
 * data, alerts, a full record queue). Not under ASan, which owns the
 * allocator (the test is then not registered, not passed).
 */
#if defined(__SANITIZE_ADDRESS__)
#define IDS_COUNT_ALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IDS_COUNT_ALLOC 0
#endif
#endif
#ifndef IDS_COUNT_ALLOC
#define IDS_COUNT_ALLOC 1
#endif

#if IDS_COUNT_ALLOC
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static volatile int alloc_watch;
static volatile unsigned long alloc_count;

void *
malloc(size_t n)
{
	if (alloc_watch)
		alloc_count++;
	return __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	if (alloc_watch)
		alloc_count++;
	return __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	if (alloc_watch)
		alloc_count++;
	return __libc_realloc(p, n);
}

void
free(void *p)
{
	__libc_free(p);
}

static void
test_ids_engine_no_alloc(void)
{
	char err[512];
	struct ids_rules *r = ids_rules_load_string(RULES, "noalloc.rules",
						     &(struct ids_rules_opts){ 0 },
						     err, sizeof(err));
	struct ids_engine_conf c;
	struct ids_engine *e;
	uint8_t b[256];
	uint32_t len;
	uint64_t t = 1000000000ull;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	ids_engine_conf_default(&c);
	c.mode = IDS_MODE_IPS;
	c.drop_malformed = true;
	c.rec_ring = 16;	/* fills: records lost, counted */
	c.flow.max_flows = 8;	/* evictions */
	c.stream.memcap_segs = 4;	/* memcap */
	e = ids_engine_create(&c, r, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	alloc_count = 0;
	alloc_watch = 1;
	for (uint16_t k = 0; k < 2000; k++) {
		uint16_t sp = (uint16_t)(10000 + k % 50);
		uint16_t dp = (uint16_t)(k % 3 == 0 ? 80 : k % 3 == 1 ? 6667 : 873);

		t += 1000000;
		len = frame(b, sp, dp, 0x02, 100, NULL, true);
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, dp, sp, 0x12, 500, NULL, false);
		b[14 + 20 + 11] = 101;
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, sp, dp, 0x18, 106, "lo NICK", true);	/* held */
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, sp, dp, 0x18, 101, "hello", true);
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, sp, dp, 0x18, 120, "@RSYNCD secret", true);
		ids_engine_packet(e, b, len, len, t, k);
		b[14] = 0x4f;		/* malformed */
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, sp, dp, 0x11, 200, NULL, true);	/* FIN */
		ids_engine_packet(e, b, len, len, t, k);
		len = frame(b, dp, sp, 0x14, 500, NULL, false);	/* RST */
		ids_engine_packet(e, b, len, len, t, k);
	}
	ids_engine_tick(e, t + 3600ull * 1000000000ull);
	ids_engine_flush(e);
	alloc_watch = 0;
	CU_ASSERT_EQUAL(alloc_count, 0);
	CU_ASSERT(ids_engine_counters(e)[IDS_ENG_C_alerts] > 1000);
	CU_ASSERT(ids_engine_counters(e)[IDS_ENG_C_records_lost] > 0);
	CU_ASSERT(ids_engine_flow_counters(e)[IDS_FLOW_C_flow_evicted] > 0);
	ids_engine_free(e);
	ids_rules_free(r);
}
#endif

/* A frame in a chain of mbufs is linearised and inspected whole: the
 * pattern sits across the segment boundary. */
static void
test_ids_engine_chained_mbuf(void)
{
	char err[512];
	struct ids_rules *r = ids_rules_load_string(RULES, "mbuf.rules",
						     &(struct ids_rules_opts){ 0 },
						     err, sizeof(err));
	struct rte_mempool *mp = rte_pktmbuf_pool_create("ids_test_mp", 63, 0, 0,
							 RTE_MBUF_DEFAULT_BUF_SIZE,
							 SOCKET_ID_ANY);
	struct ids_engine_conf c;
	struct ids_engine *e;
	struct rte_mbuf *m1, *m2;
	uint8_t b[256];
	uint32_t len, cut;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mp);
	ids_engine_conf_default(&c);
	c.flow.max_flows = 16;
	c.stream.memcap_segs = 16;
	e = ids_engine_create(&c, r, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	len = frame(b, 40000, 80, 0x18, 1, "xxhelloxx", true);
	cut = 54 + 4;		/* inside "hello" */
	m1 = rte_pktmbuf_alloc(mp);
	m2 = rte_pktmbuf_alloc(mp);
	CU_ASSERT_FATAL(m1 != NULL && m2 != NULL);
	memcpy(rte_pktmbuf_append(m1, (uint16_t)cut), b, cut);
	memcpy(rte_pktmbuf_append(m2, (uint16_t)(len - cut)), b + cut, len - cut);
	CU_ASSERT_EQUAL(rte_pktmbuf_chain(m1, m2), 0);
	CU_ASSERT_EQUAL(ids_engine_mbuf(e, m1, 1000), IDS_PASS);
	CU_ASSERT_EQUAL(ids_engine_counters(e)[IDS_ENG_C_linearised], 1);
	CU_ASSERT_EQUAL(ids_engine_counters(e)[IDS_ENG_C_alerts], 1);
	/* A contiguous one is read in place. */
	rte_pktmbuf_free(m1);
	m1 = rte_pktmbuf_alloc(mp);
	memcpy(rte_pktmbuf_append(m1, (uint16_t)len), b, len);
	ids_engine_mbuf(e, m1, 2000);
	CU_ASSERT_EQUAL(ids_engine_counters(e)[IDS_ENG_C_linearised], 1);
	CU_ASSERT_EQUAL(ids_engine_counters(e)[IDS_ENG_C_alerts], 2);
	rte_pktmbuf_free(m1);
	ids_engine_free(e);
	rte_mempool_free(mp);
	ids_rules_free(r);
}

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
	CU_pSuite s = CU_add_suite("ids_eve", NULL, NULL);

	if (s == NULL ||
	    CU_add_test(s, "test_ids_rec_queue_full", test_ids_rec_queue_full) == NULL ||
	    CU_add_test(s, "test_ids_eve_timestamp", test_ids_eve_timestamp) == NULL ||
	    CU_add_test(s, "test_ids_eve_file_reopen", test_ids_eve_file_reopen) == NULL ||
	    CU_add_test(s, "test_ids_eve_disk_full", test_ids_eve_disk_full) == NULL ||
	    CU_add_test(s, "test_ids_eve_socket_vanishes", test_ids_eve_socket_vanishes) == NULL ||
	    CU_add_test(s, "test_ids_engine_verdicts", test_ids_engine_verdicts) == NULL ||
	    CU_add_test(s, "test_ids_engine_ring_full", test_ids_engine_ring_full) == NULL ||
	    CU_add_test(s, "test_ids_engine_reload_keeps_flowbits",
			test_ids_engine_reload_keeps_flowbits) == NULL ||
	    CU_add_test(s, "test_ids_engine_chained_mbuf", test_ids_engine_chained_mbuf) == NULL ||
	    CU_add_test(s, "test_ids_offline_args", test_ids_offline_args) == NULL)
		return -1;
#if IDS_COUNT_ALLOC
	if (CU_add_test(s, "test_ids_engine_no_alloc", test_ids_engine_no_alloc) == NULL)
		return -1;
#endif
	return 0;
}
