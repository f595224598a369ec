/* SPDX-License-Identifier: GPL-2.0-only */
/* The segment planner (src/planner.c): placement inside System RAM, lowest
 * and highest fit, alignment, windows, reserved ranges, and the error when
 * nothing fits. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "memmap.h"
#include "mpkexec/bootparam.h"
#include "planner.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

#define assert_msg_has(e, s)                                                    \
	do {                                                                    \
		if (!strstr((e).msg, (s)))                                      \
			fail_msg("error message \"%s\" lacks \"%s\"", (e).msg, (s)); \
	} while (0)

/* RAM below 1 GiB, a reserved hole, RAM from 4 to 5 GiB (a small machine
 * with its PCI hole). */
static struct mem_range basic_r[] = {
	{ 0x0, 0x9fc00, E820_RAM },
	{ 0x9fc00, 0x100000, E820_RESERVED },
	{ 0x100000, 0x40000000, E820_RAM },
	{ 0x40000000, 0x100000000, E820_RESERVED },
	{ 0x100000000, 0x140000000, E820_RAM },
};
static const struct memmap basic_map = { basic_r, sizeof(basic_r) / sizeof(basic_r[0]) };

static uint64_t place_ok(struct planner *p, uint64_t size, uint64_t align, uint64_t min,
			 uint64_t max, bool top_down)
{
	struct placement_req req = { .what = "seg", .size = size, .align = align,
				     .min = min, .max = max, .top_down = top_down };
	struct mpk_error err = { 0 };
	uint64_t addr = 0xdeadbeef;

	if (planner_place(p, &req, &addr, &err) < 0)
		fail_msg("placing %#llx bytes failed: %s", (unsigned long long)size, err.msg);
	return addr;
}

static void test_lowest_fit(void **state)
{
	struct planner p;

	(void)state;
	planner_init(&p, &basic_map);
	assert_int_equal(place_ok(&p, 0x3000, 4096, 0, UINT64_MAX, false), 0x0);
	assert_int_equal(place_ok(&p, 0x3000, 4096, 0, UINT64_MAX, false), 0x3000);
	/* a size that is not a page multiple takes whole pages */
	assert_int_equal(place_ok(&p, 0x1001, 4096, 0, UINT64_MAX, false), 0x6000);
	assert_int_equal(place_ok(&p, 1, 4096, 0, UINT64_MAX, false), 0x8000);
	assert_int_equal(p.ntaken, 4);
	/* 0x9fc00 is not a page boundary: [0x9f000, 0x9fc00) holds no page */
	assert_int_equal(place_ok(&p, 0x96000, 4096, 0, UINT64_MAX, false), 0x9000);
	assert_int_equal(place_ok(&p, 0x1000, 4096, 0, UINT64_MAX, false), 0x100000);
}

static void test_highest_fit(void **state)
{
	struct planner p;

	(void)state;
	planner_init(&p, &basic_map);
	assert_int_equal(place_ok(&p, 0x3000, 4096, 0, UINT64_MAX, true), 0x140000000 - 0x3000);
	assert_int_equal(place_ok(&p, 0x3000, 4096, 0, 4 * GiB, true), 0x40000000 - 0x3000);
	assert_int_equal(place_ok(&p, 0x1800, 4096, 0, 4 * GiB, true), 0x40000000 - 0x5000);
}

static void test_alignment(void **state)
{
	struct planner p;
	uint64_t a;

	(void)state;
	planner_init(&p, &basic_map);
	/* lowest 2 MiB-aligned address at or above 1 MiB + 64 KiB */
	a = place_ok(&p, 0x1000, 2 * MiB, 0x110000, UINT64_MAX, false);
	assert_int_equal(a, 0x200000);
	/* highest 2 MiB-aligned start such that 8 KiB fit below 1 GiB */
	a = place_ok(&p, 0x2000, 2 * MiB, 0, 4 * GiB, true);
	assert_int_equal(a, 0x40000000 - 2 * MiB);
	/* 1 GiB alignment: only 0 and 4 GiB are candidates, 0 holds less
	 * than 1 MiB of RAM */
	a = place_ok(&p, 1 * MiB, 1 * GiB, 0, UINT64_MAX, false);
	assert_int_equal(a, 4 * GiB);
	a = place_ok(&p, 64 * KiB, 64 * KiB, 0x100000, UINT64_MAX, false);
	assert_int_equal(a % (64 * KiB), 0);
	assert_int_equal(a, 0x100000);
}

static void test_window(void **state)
{
	struct planner p;
	struct mpk_error err = { 0 };
	uint64_t addr = 0x1234;
	struct placement_req req = { .what = "boot_params", .size = 0x6000, .align = 4096,
				     .min = 0x10000000, .max = 0x10005000 };

	(void)state;
	planner_init(&p, &basic_map);
	assert_int_equal(place_ok(&p, 0x5000, 4096, 0x10000000, 0x10005000, false), 0x10000000);
	planner_init(&p, &basic_map);
	assert_int_equal(place_ok(&p, 0x5000, 4096, 0x10000000, 0x10005000, true), 0x10000000);
	/* one page too many for the window */
	planner_init(&p, &basic_map);
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_int_equal(addr, 0x1234);
	assert_int_equal(err.exit_code, MPK_EXIT_NOSPACE);
	assert_string_equal(err.msg, "boot_params does not fit: no free, 0x1000-aligned System "
			    "RAM range of 24 KiB in [0x10000000, 0x10005000)");
	/* a window straddling the hole: only its RAM parts count */
	planner_init(&p, &basic_map);
	assert_int_equal(place_ok(&p, 0x2000, 4096, 0x3ffff000, 0x100002000, false), 0x100000000);
	assert_int_equal(place_ok(&p, 0x1000, 4096, 0x3ffff000, 0x100002000, false), 0x3ffff000);
	assert_int_equal(place_ok(&p, 0x1000, 4096, 0x3ffff000, 0x100003000, true), 0x100002000);
	/* min not page aligned: the start is rounded up, never below min */
	planner_init(&p, &basic_map);
	assert_int_equal(place_ok(&p, 0x1000, 4096, 0x100001, UINT64_MAX, false), 0x101000);
}

static void test_avoid_overlapping_and_adjacent(void **state)
{
	struct mpk_error err = { 0 };
	struct planner p;

	(void)state;
	planner_init(&p, &basic_map);
	assert_int_equal(planner_avoid(&p, 0x0, 0x100000, &err), 0);
	assert_int_equal(planner_avoid(&p, 0x180000, 0x300000, &err), 0);  /* overlaps next */
	assert_int_equal(planner_avoid(&p, 0x100000, 0x200000, &err), 0);
	assert_int_equal(planner_avoid(&p, 0x300000, 0x400000, &err), 0);  /* adjacent */
	assert_int_equal(planner_avoid(&p, 0x380000, 0x390000, &err), 0);  /* inside another */
	assert_int_equal(planner_avoid(&p, 0x403000, 0x500000, &err), 0);  /* 12 KiB gap before */
	/* an empty range is ignored */
	assert_int_equal(planner_avoid(&p, 0x600000, 0x600000, &err), 0);
	assert_int_equal(planner_avoid(&p, 0x700000, 0x600000, &err), 0);
	assert_int_equal(p.ntaken, 6);

	assert_int_equal(place_ok(&p, 0x3000, 4096, 0, UINT64_MAX, false), 0x400000);
	/* the gap is now used: the next piece goes after 0x500000 */
	assert_int_equal(place_ok(&p, 0x1000, 4096, 0, UINT64_MAX, false), 0x500000);
	assert_int_equal(place_ok(&p, 0x1000, 4096, 0, UINT64_MAX, false), 0x501000);

	/* top-down below an avoided top of RAM */
	planner_init(&p, &basic_map);
	assert_int_equal(planner_avoid(&p, 0x3ff00000, 0x40000000, &err), 0);
	assert_int_equal(place_ok(&p, 0x1000, 4096, 0, 4 * GiB, true), 0x3ff00000 - 0x1000);
	/* a reservation exactly covering a RAM range hides it entirely */
	planner_init(&p, &basic_map);
	assert_int_equal(planner_avoid(&p, 0x100000000, 0x140000000, &err), 0);
	assert_int_equal(place_ok(&p, 0x1000, 4096, 0, UINT64_MAX, true), 0x40000000 - 0x1000);
}

static void test_avoid_limit(void **state)
{
	struct mpk_error err = { 0 };
	struct planner p;

	(void)state;
	planner_init(&p, &basic_map);
	/* a few dozen EFI runtime pieces, the low 1 MiB, the kernel's image
	 * and a dozen segments must fit */
	assert_true(PLANNER_MAX_TAKEN >= 128);
	for (unsigned i = 0; i < PLANNER_MAX_TAKEN; i++)
		assert_int_equal(planner_avoid(&p, i * 0x2000ull, i * 0x2000ull + 0x1000, &err), 0);
	assert_int_equal(planner_avoid(&p, 0x800000, 0x801000, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_INTERNAL);
	assert_string_equal(err.msg, "planner: more than 256 reserved ranges");
	/* and a placement that would need one more entry fails the same way */
	err = (struct mpk_error){ 0 };
	{
		struct placement_req req = { .what = "x", .size = 0x1000, .align = 4096,
					     .min = 0, .max = UINT64_MAX };
		uint64_t addr;

		assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
		assert_msg_has(err, "more than 256");
	}
}

struct placed {
	uint64_t start, end, align, min, max;
};

static bool in_ram(const struct memmap *m, uint64_t s, uint64_t e)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].type == E820_RAM && s >= m->r[i].start && e <= m->r[i].end)
			return true;
	return false;
}

/* A fragmented map (RAM between ACPI, NVS and reserved ranges) and many
 * placements of mixed sizes, alignments, directions and windows. */
static void test_many_placements_never_overlap(void **state)
{
	static struct mem_range r[] = {
		{ 0x0, 0x9f000, E820_RAM },
		{ 0x9f000, 0x100000, E820_RESERVED },
		{ 0x100000, 0x800000, E820_RAM },
		{ 0x800000, 0x808000, E820_NVS },
		{ 0x808000, 0x810000, E820_RAM },
		{ 0x810000, 0x900000, E820_NVS },
		{ 0x900000, 0x7e000000, E820_RAM },
		{ 0x7e000000, 0x7e100000, E820_ACPI },
		{ 0x7e100000, 0x7f000000, E820_RAM },
		{ 0x7f000000, 0x80000000, E820_RESERVED },
		{ 0x80000000, 0x100000000, E820_UNUSABLE },
		{ 0x100000000, 0x180000000, E820_RAM },
	};
	const struct memmap m = { r, sizeof(r) / sizeof(r[0]) };
	struct placed pl[40];
	struct mpk_error err = { 0 };
	struct planner p;
	uint64_t seed = 12345;

	(void)state;
	planner_init(&p, &m);
	assert_int_equal(planner_avoid(&p, 0, 0x100000, &err), 0);
	assert_int_equal(planner_avoid(&p, 0x1000000, 0x4400000, &err), 0);
	for (unsigned i = 0; i < 40; i++) {
		uint64_t size, align, min, max;
		bool top;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		size = ((seed >> 20) % (48 * MiB)) + 1;
		align = 4096ull << ((seed >> 8) % 10);   /* 4 KiB .. 2 MiB */
		top = (seed >> 40) & 1;
		min = (seed >> 41) & 1 ? 0x100000 : 0;
		max = (seed >> 42) & 1 ? 4 * GiB : UINT64_MAX;
		pl[i] = (struct placed){ .align = align, .min = min, .max = max };
		pl[i].start = place_ok(&p, size, align, min, max, top);
		pl[i].end = pl[i].start + align_up(size, 4096);
	}
	for (unsigned i = 0; i < 40; i++) {
		assert_int_equal(pl[i].start % pl[i].align, 0);
		assert_true(pl[i].start >= pl[i].min);
		assert_true(pl[i].end <= pl[i].max);
		if (!in_ram(&m, pl[i].start, pl[i].end))
			fail_msg("segment %u [%#llx, %#llx) is not inside one RAM range", i,
				 (unsigned long long)pl[i].start, (unsigned long long)pl[i].end);
		assert_true(pl[i].start >= 0x100000);
		assert_true(pl[i].end <= 0x1000000 || pl[i].start >= 0x4400000);
		for (unsigned j = 0; j < i; j++)
			if (pl[i].start < pl[j].end && pl[j].start < pl[i].end)
				fail_msg("segments %u and %u overlap", i, j);
	}
}

static void test_exact_fill(void **state)
{
	static struct mem_range r[] = {
		{ 0x0, 0x100000, E820_RESERVED },
		{ 0x100000, 0x200000, E820_RAM },
		{ 0x200000, 0x300000, E820_ACPI },
	};
	const struct memmap m = { r, 3 };
	struct placement_req req = { .what = "initrd", .size = 1, .align = 4096,
				     .min = 0, .max = UINT64_MAX };
	struct mpk_error err = { 0 };
	struct planner p;
	uint64_t addr = 0;

	(void)state;
	planner_init(&p, &m);
	assert_int_equal(place_ok(&p, 0x100000, 4096, 0, UINT64_MAX, false), 0x100000);
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOSPACE);
	planner_init(&p, &m);
	assert_int_equal(place_ok(&p, 0x100000, 4096, 0, UINT64_MAX, true), 0x100000);
	/* 1 MiB aligned to 1 MiB fits exactly as well */
	planner_init(&p, &m);
	assert_int_equal(place_ok(&p, 0x100000, 0x100000, 0, UINT64_MAX, true), 0x100000);
	/* one byte more does not */
	planner_init(&p, &m);
	req.size = 0x100001;
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_string_equal(err.msg, "initrd does not fit: no free, 0x1000-aligned System RAM "
			    "range of 1028 KiB in [0, 0xffffffffffffffff)");
	assert_int_equal(p.ntaken, 0);
}

static void test_does_not_fit(void **state)
{
	struct placement_req req = { .what = "initrd", .size = 2 * GiB, .align = 4096,
				     .min = 1 * MiB, .max = 0x80000000 };
	struct mpk_error err = { 0 };
	struct planner p;
	uint64_t addr = 42;

	(void)state;
	planner_init(&p, &basic_map);
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOSPACE);
	assert_msg_has(err, "initrd does not fit");
	assert_string_equal(err.msg, "initrd does not fit: no free, 0x1000-aligned System RAM "
			    "range of 2097152 KiB in [0x100000, 0x80000000)");
	assert_int_equal(addr, 42);
	assert_int_equal(p.ntaken, 0);
	/* RAM would hold it in total (two ranges), but not in one piece */
	req.size = 1 * GiB;
	req.max = UINT64_MAX;
	assert_int_equal(planner_place(&p, &req, &addr, &err), 0);
	assert_int_equal(addr, 4 * GiB);
	req.size = 1023 * MiB + 1;
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOSPACE);
	assert_msg_has(err, "1047556 KiB");
}

static void test_non_ram_never_used(void **state)
{
	static struct mem_range r[] = {
		{ 0x0, 0x10000000, E820_RESERVED },
		{ 0x10000000, 0x20000000, E820_ACPI },
		{ 0x20000000, 0x30000000, E820_NVS },
		{ 0x30000000, 0x40000000, E820_UNUSABLE },
		{ 0x40000000, 0x50000000, E820_PMEM },
		{ 0x50000000, 0x60000000, E820_PRAM },
		{ 0x60000000, 0x70000000, E820_SOFT_RESERVED },
		{ 0x70000000, 0x70004000, E820_RAM },
	};
	const struct memmap m = { r, sizeof(r) / sizeof(r[0]) };
	struct placement_req req = { .what = "kernel", .size = 0x1000, .align = 4096,
				     .min = 0, .max = UINT64_MAX };
	struct mpk_error err = { 0 };
	struct planner p;
	uint64_t addr;

	(void)state;
	planner_init(&p, &m);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(place_ok(&p, 0x1000, 4096, 0, UINT64_MAX, i & 1),
				 (i & 1) ? 0x70004000 - 0x1000 * (i / 2 + 1) : 0x70000000 + 0x1000 * (i / 2));
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOSPACE);
	assert_msg_has(err, "kernel does not fit");
	/* nothing but non-RAM below 0x70000000 */
	planner_init(&p, &m);
	req.max = 0x70000000;
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOSPACE);
}

/* A firmware map whose RAM overlaps a reserved (and an ACPI) range: the
 * overlap is never used, whichever order the ranges come in. */
static void test_ram_overlapping_reserved(void **state)
{
	static struct mem_range r[] = {
		{ 0x100000, 0x4000000, E820_RAM },
		{ 0x3f00000, 0x4000000, E820_RESERVED },   /* the top MiB of that RAM */
		{ 0x200000, 0x280000, E820_ACPI },         /* and a hole low in it */
		{ 0x3e00000, 0x3f00000, E820_RAM },        /* listed twice */
	};
	const struct memmap m = { r, sizeof(r) / sizeof(r[0]) };
	struct placement_req req = { .what = "initrd", .size = 0x3d00000, .align = 4096,
				     .min = 0x100000, .max = 0x4000000 };
	struct mpk_error err = { 0 };
	struct planner p;
	uint64_t addr;

	(void)state;
	planner_init(&p, &m);
	assert_int_equal(place_ok(&p, 0x1000, 4096, 0, UINT64_MAX, true), 0x3f00000 - 0x1000);
	assert_int_equal(place_ok(&p, 0x100000, 4096, 0x100000, UINT64_MAX, false), 0x100000);
	assert_int_equal(place_ok(&p, 0x1000, 4096, 0x100000, UINT64_MAX, false), 0x280000);
	/* [0x280000, 0x3eff000) is all that is left: 0x3c7f000 bytes */
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOSPACE);
	req.size = 0x3c7e000;
	assert_int_equal(planner_place(&p, &req, &addr, &err), 0);
	assert_int_equal(addr, 0x281000);
}

static void test_bad_request(void **state)
{
	struct placement_req req = { .what = "purgatory", .size = 0, .align = 4096,
				     .min = 0, .max = UINT64_MAX };
	struct mpk_error err = { 0 };
	struct planner p;
	uint64_t addr;

	(void)state;
	planner_init(&p, &basic_map);
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_INTERNAL);
	assert_string_equal(err.msg, "planner: bad request for purgatory (size 0, align 0x1000)");
	req.size = 0x1000;
	req.align = 0x800;
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_msg_has(err, "align 0x800");
	req.align = 0x3000;
	assert_int_equal(planner_place(&p, &req, &addr, &err), -1);
	assert_msg_has(err, "align 0x3000");
	assert_int_equal(p.ntaken, 0);
}

static void test_ram_in(void **state)
{
	struct mpk_error err = { 0 };
	struct planner p;

	(void)state;
	planner_init(&p, &basic_map);
	assert_int_equal(planner_ram_in(&p, 0, UINT64_MAX), 0x9fc00 + (0x40000000 - 0x100000) + GiB);
	assert_int_equal(planner_ram_in(&p, 1 * MiB, 4 * GiB), 0x40000000 - 0x100000);
	assert_int_equal(planner_ram_in(&p, 0x3ff00000, 0x100100000), 0x100000 + 0x100000);
	assert_int_equal(planner_ram_in(&p, 0x50000000, 0x60000000), 0);   /* reserved only */
	assert_int_equal(planner_ram_in(&p, 0x200000, 0x200000), 0);       /* empty window */
	assert_int_equal(planner_ram_in(&p, 0x300000, 0x200000), 0);       /* inverted */
	assert_int_equal(planner_ram_in(&p, 0x9f000, 0x101000), 0xc00 + 0x1000);
	/* counts RAM, not free RAM: placements do not change it */
	place_ok(&p, 16 * MiB, 4096, 0, UINT64_MAX, false);
	assert_int_equal(planner_avoid(&p, 0x100000, 0x200000, &err), 0);
	assert_int_equal(planner_ram_in(&p, 1 * MiB, 4 * GiB), 0x40000000 - 0x100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lowest_fit),
		cmocka_unit_test(test_highest_fit),
		cmocka_unit_test(test_alignment),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_avoid_overlapping_and_adjacent),
		cmocka_unit_test(test_avoid_limit),
		cmocka_unit_test(test_many_placements_never_overlap),
		cmocka_unit_test(test_exact_fill),
		cmocka_unit_test(test_does_not_fit),
		cmocka_unit_test(test_non_ram_never_used),
		cmocka_unit_test(test_ram_overlapping_reserved),
		cmocka_unit_test(test_bad_request),
		cmocka_unit_test(test_ram_in),
	};

	return cmocka_run_group_tests_name("planner", tests, NULL, NULL);
}
