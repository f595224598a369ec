/* SPDX-License-Identifier: GPL-2.0-only */
/* madt_parse_cpus (arch/x86_64/madt.c) on the MADT of the q35 guest
 * (fixtures/q35-sysroot/sys/firmware/acpi/tables/APIC), on tables compiled
 * with iasl (fixtures/madt-*.dsl) and on copies broken one field at a time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "error.h"
#include "madt.h"

#define Q35_APIC FIXTURES "/q35-sysroot/sys/firmware/acpi/tables/APIC"

#define assert_msg_has(e, s)                                                    \
	do {                                                                    \
		if (!strstr((e).msg, (s)))                                      \
			fail_msg("error message \"%s\" lacks \"%s\"", (e).msg, (s)); \
	} while (0)

static uint8_t *read_table(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(65536);

	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

static void fix_checksum(uint8_t *t)
{
	uint32_t len = get_le32(t + 4);
	uint8_t sum = 0;

	t[9] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)-sum;
}

/* Processor entries the MADT lists as neither enabled nor online-capable. */
static unsigned count_disabled(const uint8_t *t)
{
	uint32_t len = get_le32(t + 4);
	unsigned n = 0;

	for (uint32_t off = 44; off + 2 <= len && t[off + 1] >= 2; off += t[off + 1]) {
		uint32_t flags;

		if (t[off] == MADT_LOCAL_APIC)
			flags = get_le32(t + off + 4);
		else if (t[off] == MADT_LOCAL_X2APIC && get_le32(t + off + 4) != 0xffffffffu)
			flags = get_le32(t + off + 8);
		else
			continue;
		n += !(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE));
	}
	return n;
}

/* --- building tables ---------------------------------------------------- */

struct tab {
	uint8_t *b;
	size_t len;
};

static void tab_init(struct tab *t, size_t cap)
{
	t->b = calloc(1, cap);
	assert_non_null(t->b);
	memcpy(t->b, "APIC", 4);
	t->b[8] = 5;                       /* revision */
	memcpy(t->b + 10, "MPKTST", 6);
	put_le32(t->b + 36, 0xfee00000);   /* local APIC address */
	put_le32(t->b + 40, 1);            /* PC-AT compatible */
	t->len = 44;
}

static void tab_lapic(struct tab *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t *e = t->b + t->len;

	e[0] = MADT_LOCAL_APIC;
	e[1] = 8;
	e[2] = uid;
	e[3] = id;
	put_le32(e + 4, flags);
	t->len += 8;
}

static void tab_x2apic(struct tab *t, uint32_t id, uint32_t flags, uint32_t uid)
{
	uint8_t *e = t->b + t->len;

	e[0] = MADT_LOCAL_X2APIC;
	e[1] = 16;
	put_le16(e + 2, 0);
	put_le32(e + 4, id);
	put_le32(e + 8, flags);
	put_le32(e + 12, uid);
	t->len += 16;
}

static void tab_raw(struct tab *t, const uint8_t *e, size_t n)
{
	memcpy(t->b + t->len, e, n);
	t->len += n;
}

static void tab_finish(struct tab *t)
{
	put_le32(t->b + 4, (uint32_t)t->len);
	fix_checksum(t->b);
}

/* --- tables that parse -------------------------------------------------- */

static void test_q35_fixture(void **state)
{
	struct mpk_error err = { 0 };
	struct madt_cpus *c = malloc(sizeof(*c));
	size_t len;
	uint8_t *t = read_table(Q35_APIC, &len);

	(void)state;
	assert_non_null(c);
	assert_int_equal(len, 144);
	assert_int_equal(madt_parse_cpus(t, len, c, &err), 0);
	assert_int_equal(c->n, 4);
	assert_int_equal(count_disabled(t), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(c->apic_id[i], i);
	free(c);
	free(t);
}

static void test_x2apic_fixture(void **state)
{
	struct mpk_error err = { 0 };
	struct madt_cpus *c = malloc(sizeof(*c));
	size_t len;
	uint8_t *t = read_table(FIXTURES "/madt-x2apic.aml", &len);

	(void)state;
	assert_non_null(c);
	assert_int_equal(len, 142);
	assert_int_equal(madt_parse_cpus(t, len, c, &err), 0);
	assert_int_equal(c->n, 4);
	assert_int_equal(count_disabled(t), 0);
	assert_int_equal(c->apic_id[0], 0x0);
	assert_int_equal(c->apic_id[1], 0x1);
	assert_int_equal(c->apic_id[2], 0x100);
	assert_int_equal(c->apic_id[3], 0x101);
	free(c);
	free(t);
}

static void test_flags_fixture(void **state)
{
	struct mpk_error err = { 0 };
	struct madt_cpus *c = malloc(sizeof(*c));
	size_t len;
	uint8_t *t = read_table(FIXTURES "/madt-flags.aml", &len);

	(void)state;
	assert_non_null(c);
	assert_int_equal(len, 94);
	assert_int_equal(madt_parse_cpus(t, len, c, &err), 0);
	/* disabled (flags 0) is left out; online-capable (flags 2) is usable */
	assert_int_equal(c->n, 3);
	assert_int_equal(count_disabled(t), 1);
	assert_int_equal(c->apic_id[0], 0);
	assert_int_equal(c->apic_id[1], 1);
	assert_int_equal(c->apic_id[2], 3);
	free(c);
	free(t);
}

static void test_mixed_and_skipped_entries(void **state)
{
	static const uint8_t ioapic[12] = { 1, 12, 0, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0 };
	static const uint8_t odd[3] = { 0x7f, 3, 0xaa };  /* a future type */
	static const uint8_t wakeup[16] = { MADT_MP_WAKEUP, 16, 0, 0, 0, 0, 0, 0,
					    0, 0, 0, 0, 0, 0, 0, 0 };
	struct mpk_error err = { 0 };
	struct madt_cpus *c = malloc(sizeof(*c));
	struct tab t;

	(void)state;
	assert_non_null(c);
	tab_init(&t, 4096);
	tab_lapic(&t, 0, 2, MADT_CPU_ENABLED);
	tab_raw(&t, ioapic, sizeof(ioapic));
	tab_x2apic(&t, 0xffffffff, MADT_CPU_ENABLED, 9); /* placeholder: no CPU */
	tab_raw(&t, odd, sizeof(odd));
	tab_x2apic(&t, 0x200, MADT_CPU_ENABLED, 1);
	tab_raw(&t, wakeup, sizeof(wakeup));
	tab_lapic(&t, 2, 0, MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE);
	tab_x2apic(&t, 0x201, 0, 3);
	tab_lapic(&t, 4, 0xff, 0);
	tab_finish(&t);
	assert_int_equal(madt_parse_cpus(t.b, t.len, c, &err), 0);
	assert_int_equal(c->n, 3);
	assert_int_equal(c->apic_id[0], 2);      /* table order, not sorted */
	assert_int_equal(c->apic_id[1], 0x200);
	assert_int_equal(c->apic_id[2], 0);
	assert_int_equal(count_disabled(t.b), 2);
	free(t.b);
	free(c);
}

/* The buffer may hold more than the table (read size rounded up): only
 * the header's length counts. */
static void test_trailing_bytes_ignored(void **state)
{
	struct mpk_error err = { 0 };
	struct madt_cpus *c = malloc(sizeof(*c));
	size_t len;
	uint8_t *t = read_table(Q35_APIC, &len);

	(void)state;
	assert_non_null(c);
	memset(t + len, 0x00, 64);
	t[len] = MADT_LOCAL_APIC;   /* would be a 5th CPU if read */
	t[len + 1] = 8;
	t[len + 3] = 9;
	t[len + 4] = 1;
	assert_int_equal(madt_parse_cpus(t, len + 64, c, &err), 0);
	assert_int_equal(c->n, 4);
	free(c);
	free(t);
}

static void test_no_usable_cpu(void **state)
{
	struct mpk_error err = { 0 };
	struct madt_cpus *c = malloc(sizeof(*c));
	struct tab t;

	(void)state;
	assert_non_null(c);
	tab_init(&t, 4096);
	tab_finish(&t);                 /* no entries at all */
	assert_int_equal(madt_parse_cpus(t.b, t.len, c, &err), 0);
	assert_int_equal(c->n, 0);
	assert_int_equal(count_disabled(t.b), 0);
	free(t.b);
	free(c);
}

static void test_max_processors(void **state)
{
	struct mpk_error err = { 0 };
	struct madt_cpus *c = malloc(sizeof(*c));
	struct tab t;

	(void)state;
	assert_non_null(c);
	tab_init(&t, 44 + 16 * (MPK_MAX_APS + 1));
	for (uint32_t i = 0; i < MPK_MAX_APS; i++)
		tab_x2apic(&t, i * 2, MADT_CPU_ENABLED, i);
	tab_finish(&t);
	assert_int_equal(madt_parse_cpus(t.b, t.len, c, &err), 0);
	assert_int_equal(c->n, MPK_MAX_APS);
	assert_int_equal(c->apic_id[MPK_MAX_APS - 1], (MPK_MAX_APS - 1) * 2);
	/* one more: refused rather than truncated */
	tab_x2apic(&t, 0x10000, MADT_CPU_ENABLED, MPK_MAX_APS);
	tab_finish(&t);
	assert_int_equal(madt_parse_cpus(t.b, t.len, c, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_string_equal(err.msg, "MADT: more than 1024 processors");
	free(t.b);
	free(c);
}

/* --- tables that do not ------------------------------------------------- */

static void expect_bad(const uint8_t *t, size_t len, const char *msg)
{
	struct mpk_error err = { 0 };
	struct madt_cpus *c = malloc(sizeof(*c));

	unsigned n;
	int rc;

	assert_non_null(c);
	rc = madt_parse_cpus(t, len, c, &err);
	n = c->n;
	free(c);
	if (rc != -1)
		fail_msg("table accepted (%u usable CPUs); expected an error naming \"%s\"", n, msg);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_msg_has(err, "MADT");
	assert_msg_has(err, msg);
}

static void test_bad_checksum(void **state)
{
	size_t len;
	uint8_t *t = read_table(Q35_APIC, &len);

	(void)state;
	t[24]++;                               /* OEM revision */
	expect_bad(t, len, "checksum mismatch (sum 0x1)");
	t[24]--;
	t[0x30] ^= 0x01;                       /* CPU 0's flags: enabled -> disabled */
	expect_bad(t, len, "checksum mismatch");
	free(t);
}

static void test_entry_length_zero(void **state)
{
	size_t len;
	uint8_t *t = read_table(Q35_APIC, &len);

	(void)state;
	assert_int_equal(t[44], MADT_LOCAL_APIC);
	t[45] = 0;
	fix_checksum(t);
	expect_bad(t, len, "entry at offset 44 (type 0) has bad length 0");
	t[45] = 1;
	fix_checksum(t);
	expect_bad(t, len, "entry at offset 44 (type 0) has bad length 1");
	free(t);
}

static void test_entry_past_end(void **state)
{
	size_t len;
	uint8_t *t = read_table(Q35_APIC, &len);

	(void)state;
	/* the last entry: Local APIC NMI, 6 bytes at 138 */
	assert_int_equal(t[138], 4);
	assert_int_equal(t[139], 6);
	t[139] = 7;
	fix_checksum(t);
	expect_bad(t, len, "entry at offset 138 (type 0x4) has bad length 7");
	t[139] = 0xff;
	fix_checksum(t);
	expect_bad(t, len, "has bad length 255");
	free(t);
}

/* A processor entry shorter than its type defines (Local APIC: 8 bytes,
 * x2APIC: 16) is malformed; skipping it would silently leave that CPU out
 * of the list purgatory puts into INIT. */
static void test_local_apic_entry_too_short(void **state)
{
	uint8_t t[144];
	size_t len;
	uint8_t *orig = read_table(Q35_APIC, &len);

	(void)state;
	assert_int_equal(len, sizeof(t));
	memcpy(t, orig, len);
	free(orig);
	/* CPU 1 (Local APIC at offset 52) cut to 6 bytes, the rest moved up */
	assert_int_equal(t[52], MADT_LOCAL_APIC);
	memmove(t + 58, t + 60, len - 60);
	t[53] = 6;
	put_le32(t + 4, (uint32_t)(len - 2));
	fix_checksum(t);
	expect_bad(t, len - 2, "offset 52");
	expect_bad(t, len - 2, "length 6");
}

static void test_x2apic_entry_too_short(void **state)
{
	uint8_t t[44 + 16];
	struct tab x;

	(void)state;
	tab_init(&x, 4096);
	tab_x2apic(&x, 0x100, MADT_CPU_ENABLED, 0);
	x.b[45] = 12;                       /* x2APIC entry of 12 bytes */
	x.len -= 4;
	tab_finish(&x);
	memcpy(t, x.b, x.len);
	free(x.b);
	expect_bad(t, 44 + 12, "offset 44");
	expect_bad(t, 44 + 12, "length 12");
}

static void test_truncated_table(void **state)
{
	size_t len;
	uint8_t *t = read_table(Q35_APIC, &len);

	(void)state;
	expect_bad(t, 100, "header length 144 does not match the 100 bytes read");
	expect_bad(t, 143, "header length 144 does not match the 143 bytes read");
	expect_bad(t, 43, "not an APIC table (43 bytes)");
	expect_bad(t, 0, "not an APIC table (0 bytes)");
	/* a header length shorter than the MADT header itself */
	put_le32(t + 4, 40);
	expect_bad(t, len, "header length 40");
	free(t);
}

static void test_not_apic(void **state)
{
	size_t len;
	uint8_t *t = read_table(Q35_APIC, &len);

	(void)state;
	memcpy(t, "FACP", 4);
	fix_checksum(t);
	expect_bad(t, len, "not an APIC table (144 bytes)");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q35_fixture),
		cmocka_unit_test(test_x2apic_fixture),
		cmocka_unit_test(test_flags_fixture),
		cmocka_unit_test(test_mixed_and_skipped_entries),
		cmocka_unit_test(test_trailing_bytes_ignored),
		cmocka_unit_test(test_no_usable_cpu),
		cmocka_unit_test(test_max_processors),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_entry_length_zero),
		cmocka_unit_test(test_entry_past_end),
		cmocka_unit_test(test_local_apic_entry_too_short),
		cmocka_unit_test(test_x2apic_entry_too_short),
		cmocka_unit_test(test_truncated_table),
		cmocka_unit_test(test_not_apic),
	};

	return cmocka_run_group_tests_name("madt_parse_cpus", tests, NULL, NULL);
}
