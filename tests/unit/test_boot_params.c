/* SPDX-License-Identifier: GPL-2.0-only */
/* The zero page's e820 table and the SETUP_E820_EXT payload for the rest
 * (arch/x86_64/boot-params.c), with maps of 128, 129 and 200 entries.  The
 * bytes are checked against values written out here, not against the
 * function that wrote them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "boot-params.h"
#include "bytes.h"
#include "error.h"
#include "mpkexec/bootparam.h"

/* Entry i of the test maps: distinct address, size and type per entry so
 * an off-by-one anywhere shows. */
static uint64_t entry_addr(unsigned i) { return 0x100000000ull + i * 0x200000ull; }
static uint64_t entry_size(unsigned i) { return 0x1000ull * (i + 1); }
static uint32_t entry_type(unsigned i) { return (uint32_t)(i % 5) + 1; }

static struct memmap make_map(unsigned n)
{
	struct memmap m = { 0 };

	for (unsigned i = 0; i < n; i++)
		assert_int_equal(memmap_add(&m, entry_addr(i), entry_addr(i) + entry_size(i),
					    entry_type(i)), 0);
	return m;
}

/* 20 packed bytes: addr, size, type. */
static void expect_entry(const uint8_t *e, unsigned i)
{
	uint8_t want[20];

	for (unsigned b = 0; b < 8; b++) {
		want[b] = (uint8_t)(entry_addr(i) >> (8 * b));
		want[8 + b] = (uint8_t)(entry_size(i) >> (8 * b));
	}
	for (unsigned b = 0; b < 4; b++)
		want[16 + b] = (uint8_t)(entry_type(i) >> (8 * b));
	assert_memory_equal(e, want, sizeof(want));
}

/* A minimal image: only the setup header is copied into boot_params. */
struct fix {
	uint8_t setup[BP_SIZE];
	struct bzimage bz;
	uint8_t bp[BP_SIZE];
};

static int fix_setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	put_le16(f->setup + HDR_BOOT_FLAG, HDR_BOOT_FLAG_MAGIC);
	put_le32(f->setup + HDR_HEADER, HDR_MAGIC);
	f->bz.setup = f->setup;
	f->bz.header_end = 0x26c;
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	free(*state);
	return 0;
}

static int build(struct fix *f, const struct memmap *m, bool ext, struct mpk_error *err)
{
	struct boot_params_input in = {
		.bz = &f->bz, .e820 = m, .setup_data = 0x7000, .e820_ext_in_setup_data = ext,
	};

	memset(f->bp, 0xa5, sizeof(f->bp));
	return boot_params_build(f->bp, &in, err);
}

static void expect_zero_page_table(const struct fix *f, unsigned n)
{
	const uint8_t *end = f->bp + BP_E820_TABLE + BP_E820_MAX * BP_E820_ENTRY_SIZE;

	assert_int_equal(f->bp[BP_E820_ENTRIES], n);
	for (unsigned i = 0; i < n; i++)
		expect_entry(f->bp + BP_E820_TABLE + i * 20, i);
	/* Unused slots zero; 0xcd0 is where e820_table[128] ends. */
	for (const uint8_t *p = f->bp + BP_E820_TABLE + n * 20; p < end; p++)
		assert_int_equal(*p, 0);
	assert_int_equal(end - f->bp, 0xcd0);
}

static void test_128_fit(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct memmap m = make_map(128);

	assert_int_equal(boot_params_e820_ext_count(&m), 0);
	assert_int_equal(boot_params_e820_ext_size(&m), 0);
	assert_int_equal(build(f, &m, false, &err), 0);
	expect_zero_page_table(f, 128);
	/* Last entry: 0x2d0 + 127 * 20 = 0xcbc. */
	assert_int_equal(get_le64(f->bp + 0xcbc), entry_addr(127));
	assert_int_equal(get_le32(f->bp + 0xcbc + 16), entry_type(127));
	memmap_free(&m);
}

static void test_129_refused_without_ext(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct memmap m = make_map(129);

	assert_int_equal(build(f, &m, false, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_string_equal(err.msg, "memory map: 129 entries; boot_params holds 128 and this "
			    "load path does not hand the rest over (SETUP_E820_EXT)");
	memmap_free(&m);
}

static void test_129_one_in_ext(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct memmap m = make_map(129);
	uint8_t payload[20];

	assert_int_equal(build(f, &m, true, &err), 0);
	expect_zero_page_table(f, 128);
	assert_int_equal(boot_params_e820_ext_count(&m), 1);
	assert_int_equal(boot_params_e820_ext_size(&m), 20);
	memset(payload, 0xa5, sizeof(payload));
	boot_params_e820_ext_write(payload, &m);
	expect_entry(payload, 128);
	assert_int_equal(get_le64(payload), 0x100000000ull + 128 * 0x200000ull);
	assert_int_equal(get_le64(payload + 8), 129 * 0x1000ull);
	assert_int_equal(get_le32(payload + 16), 4);
	memmap_free(&m);
}

static void test_200_split(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct memmap m = make_map(200);
	size_t len = boot_params_e820_ext_size(&m);
	uint8_t *payload;

	assert_int_equal(build(f, &m, false, &err), -1);
	assert_string_equal(err.msg, "memory map: 200 entries; boot_params holds 128 and this "
			    "load path does not hand the rest over (SETUP_E820_EXT)");

	assert_int_equal(build(f, &m, true, &err), 0);
	expect_zero_page_table(f, 128);
	/* The rest of boot_params is unaffected: setup_data, sentinel. */
	assert_int_equal(get_le64(f->bp + HDR_SETUP_DATA), 0x7000);
	assert_int_equal(f->bp[BP_SENTINEL], 0);

	assert_int_equal(boot_params_e820_ext_count(&m), 72);
	assert_int_equal(len, 72 * 20);
	/* One guard byte past the end: nothing written beyond len. */
	payload = malloc(len + 1);
	assert_non_null(payload);
	memset(payload, 0xa5, len + 1);
	boot_params_e820_ext_write(payload, &m);
	for (unsigned k = 0; k < 72; k++)
		expect_entry(payload + k * 20, 128 + k);
	assert_int_equal(payload[len], 0xa5);
	/* Packed: entry 129 starts 20 bytes in, not 24. */
	assert_int_equal(get_le64(payload + 20), entry_addr(129));
	free(payload);
	memmap_free(&m);
}

static void test_small_map_untouched(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct memmap m = make_map(3);

	assert_int_equal(boot_params_e820_ext_size(&m), 0);
	assert_int_equal(build(f, &m, false, &err), 0);
	expect_zero_page_table(f, 3);
	memmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, fix_setup, fix_teardown)
		T(test_small_map_untouched),
		T(test_128_fit),
		T(test_129_refused_without_ext),
		T(test_129_one_in_ext),
		T(test_200_split),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
