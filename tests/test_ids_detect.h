/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ids_detect tests: the helpers the suites (test_ids_detect*.c) share,
 * from test_ids_detect.c.
 */
#ifndef FFWD_TEST_IDS_DETECT_H
#define FFWD_TEST_IDS_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "ids_core.h"
#include "ids_detect.h"

#define MAXM 64

#define EST_TS (IDS_PKT_TO_SERVER | IDS_FLOW_ESTABLISHED)
#define EST_TC (IDS_PKT_TO_CLIENT | IDS_FLOW_ESTABLISHED)

/* A rule set from text ("t.rules"), or NULL with the message on stderr. */
struct ids_rules *idt_load_opts(const char *text, const struct ids_rules_opts *o);
struct ids_rules *idt_load(const char *text);
/* A packet: addresses as text (IPv6 when src has a ':'), payload pl. */
struct ids_pkt idt_pkt(uint8_t proto, const char *src, uint16_t sport,
		       const char *dst, uint16_t dport, const void *pl,
		       uint32_t len, uint32_t flags);
/* "1,2,3" of the matches */
void idt_sids(const struct ids_match *m, int n, char *buf, size_t len);
/* Runs p through both the prefilter path and the full evaluation on
 * fresh contexts; both must give want. */
bool idt_expect(struct ids_rules *r, const struct ids_pkt *p, const char *want);

/* The suites of the other files. */
extern CU_TestInfo idt_payload_tests[];
extern CU_TestInfo idt_state_tests[];

#endif /* FFWD_TEST_IDS_DETECT_H */
