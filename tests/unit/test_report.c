/* SPDX-License-Identifier: GPL-2.0-only */
/* What mpkexec tells people and scripts (src/report.c, src/json-out.c,
 * src/handoff-account.c): the per-CPU AP account of the plan for 1024
 * CPUs, the JSON of --plan, --status and --last-handoff (checked with a
 * strict JSON checker), and the handoff report read from its bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap-handoff.h"
#include "bytes.h"
#include "handoff-account.h"
#include "json-check.h"
#include "json-out.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/park-abi.h"
#include "report.h"
#include "tree-fixture.h"

#define assert_has(hay, needle)                                                 \
	do {                                                                    \
		if (!strstr((hay), (needle)))                                   \
			fail_msg("\"%.300s...\" lacks \"%s\"", (hay), (needle)); \
	} while (0)

#define assert_json_valid(s, n)                                                 \
	do {                                                                    \
		size_t at_;                                                     \
		if (!json_check((s), (n), &at_))                                \
			fail_msg("invalid JSON at %zu: ...%.60s", at_, (s) + (at_ > 20 ? at_ - 20 : 0)); \
	} while (0)

struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
	return m->f;
}

static void mem_close(struct mem *m)
{
	fclose(m->f);
}

/* A MADT with n x2APIC entries (IDs 0..n-1, enabled), checksummed. */
static uint8_t *x2apic_madt(unsigned n, size_t *len)
{
	uint8_t *t;
	uint8_t sum = 0;

	*len = 44 + 16 * (size_t)n;
	t = calloc(1, *len);
	assert_non_null(t);
	memcpy(t, "APIC", 4);
	put_le32(t + 4, (uint32_t)*len);
	t[8] = 5;
	memcpy(t + 10, "MPKTST", 6);
	put_le32(t + 36, 0xfee00000);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = t + 44 + 16 * i;

		e[0] = 9;
		e[1] = 16;
		put_le32(e + 4, i);
		put_le32(e + 8, 1);
		put_le32(e + 12, i);
	}
	for (size_t i = 0; i < *len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)-sum;
	return t;
}

/* Defect 12: the --plan CPU list was a 4 KiB text, cut after about 42
 * CPUs.  The account is per-CPU data now; all 1024 lines are printed. */
static void test_plan_1024_cpus(void **state)
{
	struct sysview *sv = calloc(1, sizeof(*sv));
	struct load_plan *plan = calloc(1, sizeof(*plan));
	struct load_request rq = { .ap_handoff = AP_HANDOFF_INIT, .mailbox_version = 1 };
	struct mpk_error err = { 0 };
	struct mem m;
	char line[256];
	unsigned cpu_lines = 0;

	(void)state;
	assert_non_null(sv);
	assert_non_null(plan);
	sv->root = "";
	sv->madt = x2apic_madt(1024, &sv->madt_len);
	sv->have_boot_apic_id = true;
	sv->boot_apic_id = 5;
	for (unsigned i = 0; i < 1024 && i < SYSVIEW_MAX_CPUS; i++)
		sv->online_apic_ids[sv->n_online++] = i;
	assert_int_equal(ap_handoff_plan(sv, &rq, AP_HANDOFF_INIT, "", NULL, plan, &err), 0);
	assert_int_equal(plan->params.nr_aps, 1024);
	assert_int_equal(plan->ncpu, 1024);
	assert_int_equal(plan->cpu[1023].apic_id, 1023);
	assert_true(plan->cpu[5].boot);
	assert_string_equal(plan->cpu[1023].handover, "init");

	report_ap_handoff(mem_open(&m), "", plan);
	mem_close(&m);
	for (char *l = m.buf; (l = strstr(l, "\n  ")); l++)
		cpu_lines++;
	assert_int_equal(cpu_lines, 1024);
	assert_has(m.buf, "\n  boot CPU APIC ID 5: now this kernel's boot CPU -> runs purgatory");
	snprintf(line, sizeof(line), "\n  AP APIC ID 1023: now %s -> INIT\n",
		 plan->cpu[1023].now_text);
	assert_has(m.buf, line);
	free(m.buf);

	report_plan_json(mem_open(&m), plan, "/boot/vmlinuz \"new\"", "quiet\tx=\x01");
	mem_close(&m);
	assert_json_valid(m.buf, m.len);
	assert_has(m.buf, "\"schema\":\"" REPORT_SCHEMA_PLAN "\"");
	assert_has(m.buf, "\"path\":\"/boot/vmlinuz \\\"new\\\"\"");
	assert_has(m.buf, "\"text\":\"quiet\\tx=\\u0001\"");
	assert_has(m.buf, "\"mode\":\"init\"");
	assert_has(m.buf, "{\"apic_id\":1023,\"boot\":false,\"now\":\"online\"");
	assert_has(m.buf, "{\"apic_id\":5,\"boot\":true,\"now\":\"boot\"");
	free(m.buf);
	load_plan_free(plan);
	free(plan);
	free(sv->madt);
	free(sv);
}

static void test_json_escapes(void **state)
{
	struct json_out j;
	struct mem m;

	(void)state;
	json_init(&j, mem_open(&m));
	json_object_begin(&j, NULL);
	json_string(&j, "q\"k", "a\"b\\c\n\r\x7f");
	json_string(&j, "utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	json_string(&j, "bad", "\xff\xc3(\xed\xa0\x80\xc0\xaf");
	json_string(&j, "null", NULL);
	json_double(&j, "inf", 1.0 / 0.0);
	json_u64(&j, "max", UINT64_MAX);
	json_hex(&j, "zero", 0);
	json_array_begin(&j, "empty");
	json_array_end(&j);
	json_array_begin(&j, "a");
	json_bool(&j, NULL, true);
	json_object_begin(&j, NULL);
	json_object_end(&j);
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
	mem_close(&m);
	assert_json_valid(m.buf, m.len);
	assert_string_equal(m.buf, "{\"q\\\"k\":\"a\\\"b\\\\c\\n\\u000d\\u007f\","
			    "\"utf8\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\","
			    "\"bad\":\"\\u00ff\\u00c3(\\u00ed\\u00a0\\u0080\\u00c0\\u00af\","
			    "\"null\":null,\"inf\":null,\"max\":18446744073709551615,"
			    "\"zero\":\"0x0\",\"empty\":[],\"a\":[true,{}]}\n");
	free(m.buf);
	/* the checker itself refuses what is not JSON */
	assert_false(json_check("{\"a\":1,}", 8, NULL));
	assert_false(json_check("\"\xff\"", 3, NULL));
	assert_false(json_check("[1] [2]", 7, NULL));
	assert_false(json_check("\"a\tb\"", 5, NULL));
	assert_true(json_check(" {\"a\":[1.5e3,-0,null]} ", 23, NULL));
}

/* A report as purgatory writes it: version 2 layout (digests_ok at 20). */
static size_t report_v2(uint8_t *b, uint32_t version, uint32_t nr_cpus, uint32_t records)
{
	size_t len = 112 + 16 * (size_t)records;

	memset(b, 0, len);
	put_le64(b, MPK_REPORT_MAGIC);
	put_le32(b + 8, version);
	put_le32(b + 12, MPK_STRATEGY_PARK);
	put_le32(b + 16, 3);             /* digests_checked */
	put_le32(b + 20, 1);             /* digests_ok */
	put_le32(b + 24, 2);             /* INIT */
	put_le32(b + 28, 4);             /* SIPI */
	put_le64(b + 32, 1000000);       /* 1 GHz */
	put_le64(b + 40, 0);
	put_le64(b + 48, 2000000);
	put_le64(b + 56, 3000000);
	put_le64(b + 64, 4000000);
	put_le64(b + 72, 0x3e760000);
	put_le64(b + 80, 0xf5a40);
	put_le64(b + 96, 1);
	put_le32(b + 104, 0);
	put_le32(b + 108, nr_cpus);
	for (uint32_t i = 0; i < records; i++) {
		put_le32(b + 112 + 16 * i, i);
		put_le32(b + 112 + 16 * i + 4, i == 0 ? MPK_CPU_BOOT : i == 1 ?
			 MPK_CPU_PARKED_INIT_SIPI : 99);
		put_le64(b + 112 + 16 * i + 8, i ? 2500000 : 0);
	}
	return len;
}

static void test_handoff_report(void **state)
{
	uint8_t b[112 + 16 * 3], park[PARK_STATUS_LEN(2)];
	struct handoff_account a;
	char why[200];
	struct mem m;
	size_t len = report_v2(b, 2, 3, 3);

	(void)state;
	assert_int_equal(handoff_account_parse(b, len, &a, why, sizeof(why)), 0);
	assert_int_equal(a.nr_cpus, 3);
	assert_int_equal(a.init_ipis, 2);
	assert_int_equal(a.sipi_ipis, 4);
	memset(park, 0, sizeof(park));
	memcpy(park, PARK_STATUS_SIG, 4);
	put_le32(park + PARK_STATUS_BODY, 1);
	put_le32(park + PARK_STATUS_BODY + 4, 3);     /* 3 announced, 2 present */
	put_le64(park + PARK_STATUS_BODY + 8, 0x3e760000);
	put_le64(park + PARK_STATUS_BODY + 16, 1);
	put_le32(park + PARK_STATUS_HEAD + PARK_CPU_APIC_ID, 1);
	put_le32(park + PARK_STATUS_HEAD + PARK_CPU_STATE, PARK_STATE_WOKEN);
	put_le32(park + PARK_STATUS_HEAD + PARK_CPU_HOW, PARK_HOW_INIT_SIPI);
	put_le32(park + PARK_STATUS_HEAD + PARK_CPU_WAKEUPS, 1);
	put_le32(park + PARK_STATUS_HEAD + PARK_CPU_SIZE + PARK_CPU_STATE, 7);

	report_handoff(mem_open(&m), &a, park, sizeof(park), NULL, false);
	mem_close(&m);
	assert_has(m.buf, "strategy: park (APs gathered into the park region; MADT wakeup "
		   "mailbox)\ndigests: 3 segments checked, all matched\nIPIs sent: 2 INIT, "
		   "4 SIPI\npurgatory: 4.000 ms from entry to payload; AP gather 1.000 ms");
	assert_has(m.buf, "  APIC ID 0: boot CPU (ran purgatory)\n");
	assert_has(m.buf, "  APIC ID 1: parked via INIT-SIPI-SIPI (+0.500 ms)\n");
	/* a value this mpkexec has no name for yet */
	assert_has(m.buf, "  APIC ID 2: outcome 99 (+0.500 ms)\n");
	assert_has(m.buf, "park region now: 0x3e760000, ABI 1, mailbox v1, 3 CPU records\n"
		   "  APIC ID 1: woken by mailbox, 1 wakeups, 0 tests, last arrival: INIT-SIPI\n"
		   "  APIC ID 0: state 7, 0 wakeups, 0 tests, last arrival: never\n");
	free(m.buf);

	report_handoff(mem_open(&m), &a, park, sizeof(park), NULL, true);
	mem_close(&m);
	assert_json_valid(m.buf, m.len);
	assert_has(m.buf, "{\"schema\":\"" REPORT_SCHEMA_LAST_HANDOFF "\",\"report_version\":2,");
	assert_has(m.buf, "\"strategy_code\":2,\"strategy\":\"park\",");
	assert_has(m.buf, "\"init_ipis\":2,\"sipi_ipis\":4,");
	assert_has(m.buf, "{\"apic_id\":1,\"outcome_code\":3,\"outcome\":\"parked-init-sipi\","
		   "\"outcome_text\":\"parked via INIT-SIPI-SIPI\",\"arrived_tsc\":2500000,"
		   "\"arrived_ms\":0.500}");
	assert_has(m.buf, "\"outcome_code\":99,\"outcome\":null,\"outcome_text\":\"outcome 99\"");
	assert_has(m.buf, "\"park_now\":{\"region_base\":\"0x3e760000\",\"is_reported_region\":true,");
	assert_has(m.buf, "\"state_code\":7,\"state\":null,");
	assert_has(m.buf, "\"park_now_error\":null}");
	free(m.buf);

	/* the park status table unreadable */
	report_handoff(mem_open(&m), &a, NULL, 0, "Permission denied", true);
	mem_close(&m);
	assert_json_valid(m.buf, m.len);
	assert_has(m.buf, "\"park_now\":null,\"park_now_error\":\"Permission denied\"}");
	free(m.buf);
}

/* Issue 10: a version 3 report of a kdump handoff: flags (at 20, where
 * version 2 had digests_ok = 1, which must not read as flags) say crash;
 * the crashing CPU handed the boot to firmware's BSP and parked itself. */
static void test_handoff_report_crash(void **state)
{
	uint8_t b[112 + 16 * 3];
	struct handoff_account a;
	char why[200];
	struct mem m;
	size_t len = report_v2(b, 2, 3, 3);

	(void)state;
	/* version 2: the 1 at offset 20 is digests_ok, not a flag */
	assert_int_equal(handoff_account_parse(b, len, &a, why, sizeof(why)), 0);
	assert_int_equal(a.flags, 0);
	report_handoff(mem_open(&m), &a, NULL, 0, NULL, false);
	mem_close(&m);
	assert_null(strstr(m.buf, "crash"));
	free(m.buf);

	put_le32(b + 8, 3);
	put_le32(b + 12, MPK_STRATEGY_MAILBOX);
	put_le32(b + 20, MPK_REPORT_CRASH);
	put_le32(b + 24, 0);
	put_le32(b + 28, 0);
	put_le32(b + 104, 2);            /* the crashing CPU */
	put_le32(b + 112 + 4, MPK_CPU_BOOT_WOKEN);
	put_le32(b + 112 + 16 + 4, MPK_CPU_RETURNED);
	put_le32(b + 112 + 32 + 4, MPK_CPU_SELF_PARKED);
	assert_int_equal(handoff_account_parse(b, len, &a, why, sizeof(why)), 0);
	assert_int_equal(a.version, 3);
	assert_int_equal(a.flags, MPK_REPORT_CRASH);
	report_handoff(mem_open(&m), &a, NULL, 0, NULL, false);
	mem_close(&m);
	assert_has(m.buf, "IPIs sent: 0 INIT, 0 SIPI\n");
	assert_has(m.buf, "crash capture: the crashed kernel's CPU APIC ID 2 ran purgatory\n"
		   "purgatory ran on APIC ID 2; CPUs (3):\n"
		   "  APIC ID 0: boot CPU (firmware's BSP, woken from the park loop to boot "
		   "this kernel)\n"
		   "  APIC ID 1: returned through the ResetVector (+0.500 ms)\n"
		   "  APIC ID 2: ran purgatory, handed the boot to firmware's BSP and parked "
		   "itself (+0.500 ms)\n");
	assert_null(strstr(m.buf, "handoff failed"));
	free(m.buf);

	put_le32(b + 20, MPK_REPORT_CRASH | MPK_REPORT_HANDOFF_FAILED);
	put_le32(b + 112 + 4, MPK_CPU_RETURNED);
	put_le32(b + 112 + 32 + 4, MPK_CPU_BOOT);
	assert_int_equal(handoff_account_parse(b, len, &a, why, sizeof(why)), 0);
	report_handoff(mem_open(&m), &a, NULL, 0, NULL, false);
	mem_close(&m);
	assert_has(m.buf, "boot handoff failed: firmware's BSP did not take its Wakeup; "
		   "purgatory's CPU booted this kernel\n");
	free(m.buf);

	put_le32(b + 20, MPK_REPORT_CRASH);
	put_le32(b + 112 + 4, MPK_CPU_BOOT_WOKEN);
	put_le32(b + 112 + 32 + 4, MPK_CPU_SELF_PARKED);
	assert_int_equal(handoff_account_parse(b, len, &a, why, sizeof(why)), 0);
	report_handoff(mem_open(&m), &a, NULL, 0, NULL, true);
	mem_close(&m);
	assert_json_valid(m.buf, m.len);
	assert_has(m.buf, "\"report_version\":3,");
	assert_has(m.buf, "\"self_apic_id\":2,\"flags\":1,\"crash\":true,"
		   "\"boot_handoff_failed\":false,");
	assert_has(m.buf, "{\"apic_id\":0,\"outcome_code\":11,\"outcome\":\"boot-woken\",");
	assert_has(m.buf, "{\"apic_id\":2,\"outcome_code\":10,\"outcome\":\"self-parked\",");
	free(m.buf);
}

static void test_handoff_report_refused(void **state)
{
	uint8_t b[112 + 16 * 3];
	struct handoff_account a;
	char why[200];
	size_t len;

	(void)state;
	len = report_v2(b, 2, 4, 3);     /* 4 announced, 3 there */
	assert_int_equal(handoff_account_parse(b, len, &a, why, sizeof(why)), -1);
	assert_string_equal(why, "version 2 report of 160 bytes announces 4 CPU records, "
			    "which do not fit");
	len = report_v2(b, 2, 0xffffffffu, 3);
	assert_int_equal(handoff_account_parse(b, len, &a, why, sizeof(why)), -1);
	assert_int_equal(a.nr_cpus, 0);
	len = report_v2(b, 9, 3, 3);
	assert_int_equal(handoff_account_parse(b, len, &a, why, sizeof(why)), -1);
	assert_has(why, "report version 9; this mpkexec reads versions 2 and");
	len = report_v2(b, 2, 0, 0);
	assert_int_equal(handoff_account_parse(b, len - 1, &a, why, sizeof(why)), -1);
	assert_string_equal(why, "version 2 report of 111 bytes, shorter than its 112-byte head");
	assert_int_equal(handoff_account_parse(b, 11, &a, why, sizeof(why)), -1);
	assert_string_equal(why, "11 bytes, no MPKREPRT magic");
	assert_int_equal(handoff_account_parse(b, len, &a, why, sizeof(why)), 0);
}

static void test_status_json(void **state)
{
	char root[] = "/tmp/mpk-report-XXXXXX", cmd[64];
	struct mem m;

	(void)state;
	assert_non_null(mkdtemp(root));
	put_file(root, "sys/kernel/kexec_loaded", "1\n");
	put_file(root, "sys/kernel/kexec_crash_loaded", "0\n");
	put_file(root, "sys/kernel/kexec_crash_size", "268435456\n");
	put_file(root, "sys/kernel/security/lockdown", "[none] integrity \"conf\"\n");
	report_status(mem_open(&m), root, true);
	mem_close(&m);
	assert_json_valid(m.buf, m.len);
	assert_has(m.buf, "{\"schema\":\"" REPORT_SCHEMA_STATUS "\",\"kexec_loaded\":{\"file\":"
		   "\"/sys/kernel/kexec_loaded\",\"value\":true,\"raw\":\"1\"},");
	assert_has(m.buf, "\"crash_loaded\":{\"file\":\"/sys/kernel/kexec_crash_loaded\","
		   "\"value\":false,");
	assert_has(m.buf, "\"value\":268435456,");
	assert_has(m.buf, "\"kexec_load_disabled\":{\"file\":\"/proc/sys/kernel/"
		   "kexec_load_disabled\",\"value\":null,\"raw\":null}");
	assert_has(m.buf, "\"value\":\"[none] integrity \\\"conf\\\"\"");
	free(m.buf);
	report_status(mem_open(&m), root, false);
	mem_close(&m);
	assert_has(m.buf, "kexec image:           loaded (/sys/kernel/kexec_loaded)\n");
	assert_has(m.buf, "kexec_load:            unknown (/proc/sys/kernel/kexec_load_disabled "
		   "unreadable)\n");
	free(m.buf);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

/* --plan loads nothing, so -l's stderr warning (a guessed TSC rate, a
 * kernel that may overlap the running one) must be in the plan it prints;
 * with -d (loaded) the warning stays on stderr only, said once. */
static void test_plan_says_warning(void **state)
{
	struct load_plan *plan = calloc(1, sizeof(*plan));
	struct mem m;

	(void)state;
	assert_non_null(plan);
	snprintf(plan->warning, sizeof(plan->warning), "TSC rate guessed");
	report_plan(mem_open(&m), plan, "/boot/vmlinuz", "", false);
	mem_close(&m);
	assert_has(m.buf, "\nwarning: TSC rate guessed\n");
	free(m.buf);
	report_plan(mem_open(&m), plan, "/boot/vmlinuz", "", true);
	mem_close(&m);
	assert_null(strstr(m.buf, "warning:"));
	free(m.buf);
	free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_1024_cpus),
		cmocka_unit_test(test_plan_says_warning),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_handoff_report),
		cmocka_unit_test(test_handoff_report_refused),
		cmocka_unit_test(test_handoff_report_crash),
		cmocka_unit_test(test_status_json),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
