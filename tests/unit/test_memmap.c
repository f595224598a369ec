/* SPDX-License-Identifier: GPL-2.0-only */
/* The memory map and the system view: memmap_read_sysfs, memmap_parse_iomem,
 * iomem_find_kernel, the e820 type names (src/memmap.c) and sysview_read /
 * cpuinfo_boot_apic_id (src/sysview.c), on the q35 guest captured in
 * fixtures/q35-sysroot (see fixtures/README.md) and on small trees made in a
 * temporary directory. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "memmap.h"
#include "mpkexec/bootparam.h"
#include "sysview.h"
#include "tree-fixture.h"

#define SYSROOT FIXTURES "/q35-sysroot"

#define assert_msg_has(e, s)                                                    \
	do {                                                                    \
		if (!strstr((e).msg, (s)))                                      \
			fail_msg("error message \"%s\" lacks \"%s\"", (e).msg, (s)); \
	} while (0)

/* The e820 map of the fixture guest, as [start, end) (sysfs ends are
 * inclusive). */
static const struct mem_range q35_map[] = {
	{ 0x0, 0x9fc00, E820_RAM },
	{ 0x9fc00, 0xa0000, E820_RESERVED },
	{ 0xf0000, 0x100000, E820_RESERVED },
	{ 0x100000, 0x3ffdf000, E820_RAM },
	{ 0x3ffdf000, 0x40000000, E820_RESERVED },
	{ 0xb0000000, 0xc0000000, E820_RESERVED },
	{ 0xfed1c000, 0xfed20000, E820_RESERVED },
	{ 0xfffc0000, 0x100000000, E820_RESERVED },
	{ 0xfd00000000, 0x10000000000, E820_RESERVED },
};
#define Q35_N (sizeof(q35_map) / sizeof(q35_map[0]))

/* Kernel code, rodata, data, bss of the fixture's running kernel. */
static const struct mem_range q35_kernel[] = {
	{ 0x1000000, 0x1e01d32, E820_RAM },
	{ 0x2000000, 0x28eb000, E820_RAM },
	{ 0x2a00000, 0x2c48980, E820_RAM },
	{ 0x3310000, 0x4400000, E820_RAM },
};

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	assert_non_null(f);
	buf = calloc(1, 1 << 16);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* --- temporary trees ---------------------------------------------------- */

static void put_range(const char *root, unsigned i, const char *start, const char *end,
		      const char *type)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%u/start", i);
	put_file(root, rel, start);
	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%u/end", i);
	put_file(root, rel, end);
	snprintf(rel, sizeof(rel), "sys/firmware/memmap/%u/type", i);
	put_file(root, rel, type);
}

/* --- memmap_read_sysfs --------------------------------------------------- */

static void test_sysfs_fixture(void **state)
{
	struct mpk_error err = { 0 };
	struct memmap map;

	(void)state;
	assert_int_equal(memmap_read_sysfs(SYSROOT, &map, &err), 0);
	assert_int_equal(map.n, Q35_N);
	for (size_t i = 0; i < Q35_N; i++) {
		assert_int_equal(map.r[i].start, q35_map[i].start);
		assert_int_equal(map.r[i].end, q35_map[i].end);  /* exclusive */
		assert_int_equal(map.r[i].type, q35_map[i].type);
	}
	memmap_free(&map);
	assert_null(map.r);
	assert_int_equal(map.n, 0);
}

static void test_sysfs_sorted_by_start(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct memmap map;

	/* firmware order is not address order on every machine */
	put_range(root, 0, "0x100000000\n", "0x13fffffff\n", "System RAM\n");
	put_range(root, 1, "0x100000\n", "0xbfffffff\n", "System RAM\n");
	put_range(root, 2, "0x0\n", "0x9ffff\n", "System RAM\n");
	put_range(root, 3, "0xe0000\n", "0xfffff\n", "ACPI Non-volatile Storage\n");
	put_range(root, 4, "0xc0000000\n", "0xc000ffff\n", "Some Future Kind\n");
	assert_int_equal(memmap_read_sysfs(root, &map, &err), 0);
	assert_int_equal(map.n, 5);
	assert_int_equal(map.r[0].start, 0);
	assert_int_equal(map.r[0].end, 0xa0000);
	assert_int_equal(map.r[1].start, 0xe0000);
	assert_int_equal(map.r[1].type, E820_NVS);
	assert_int_equal(map.r[2].start, 0x100000);
	assert_int_equal(map.r[2].end, 0xc0000000);
	/* a name mpkexec does not know is never handed out as RAM */
	assert_int_equal(map.r[3].start, 0xc0000000);
	assert_int_equal(map.r[3].type, E820_RESERVED);
	assert_int_equal(map.r[4].start, 0x100000000);
	assert_int_equal(map.r[4].end, 0x140000000);
	assert_int_equal(map.r[4].type, E820_RAM);
	memmap_free(&map);
}

static void test_sysfs_top_of_address_space(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct memmap map;

	put_range(root, 0, "0xfffffffffffff000\n", "0xffffffffffffffff\n", "Reserved\n");
	assert_int_equal(memmap_read_sysfs(root, &map, &err), 0);
	assert_int_equal(map.n, 1);
	assert_int_equal(map.r[0].start, 0xfffffffffffff000ull);
	assert_int_equal(map.r[0].end, UINT64_MAX); /* no wrap to 0 */
	memmap_free(&map);
}

static void test_sysfs_missing(void **state)
{
	struct mpk_error err = { 0 };
	struct memmap map;

	(void)state;
	assert_int_equal(memmap_read_sysfs("/nonexistent-root", &map, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOINPUT);
	assert_msg_has(err, "/nonexistent-root/sys/firmware/memmap/0/start");
	assert_msg_has(err, "No such file or directory");
	assert_msg_has(err, "CONFIG_FIRMWARE_MEMMAP");
	assert_null(map.r);
	assert_int_equal(map.n, 0);
}

static void test_sysfs_bad_end(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct memmap map;
	char expect[PATH_MAX];

	put_range(root, 0, "0x0\n", "0x9ffff\n", "System RAM\n");
	put_range(root, 1, "0x200000\n", "0x100000\n", "System RAM\n"); /* end < start */
	assert_int_equal(memmap_read_sysfs(root, &map, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	snprintf(expect, sizeof(expect), "memory map: bad %s/sys/firmware/memmap/1/end (not an "
		 "address at or above its start); mpkexec plans from the firmware memory map "
		 "and does not fall back to /proc/iomem when it is malformed", root);
	assert_string_equal(err.msg, expect);
	assert_null(map.r);
}

static void test_sysfs_garbage_number(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct memmap map;
	char expect[PATH_MAX];

	put_range(root, 0, "0x0\n", "0x9ffff\n", "System RAM\n");
	put_range(root, 1, "0x100000\n", "12 MiB\n", "System RAM\n");
	assert_int_equal(memmap_read_sysfs(root, &map, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	snprintf(expect, sizeof(expect), "%s/sys/firmware/memmap/1/end", root);
	assert_msg_has(err, expect);
}

/* An entry whose start is empty or not a number is malformed (exit 65),
 * not "the end of the map" nor "no firmware memmap" (exit 66). */
static void test_sysfs_bad_start(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct memmap map;
	char expect[PATH_MAX];
	static const char *const bad[] = { "\n", "-1\n", "start\n", " 0x1000\n" };

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_range(root, 0, "0x0\n", "0x9ffff\n", "System RAM\n");
		put_range(root, 1, bad[i], "0x3fffffff\n", "System RAM\n");
		assert_int_equal(memmap_read_sysfs(root, &map, &err), -1);
		assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
		snprintf(expect, sizeof(expect), "memory map: bad %s/sys/firmware/memmap/1/start "
			 "(not an address); mpkexec plans from the firmware memory map and does "
			 "not fall back to /proc/iomem when it is malformed", root);
		assert_string_equal(err.msg, expect);
		assert_null(map.r);
	}
}

/* /sys/firmware/memmap there but malformed: refused, even with a usable
 * /proc/iomem (which is only for kernels without CONFIG_FIRMWARE_MEMMAP). */
static void test_sysview_malformed_memmap_no_fallback(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));
	char expect[PATH_MAX];

	assert_non_null(sv);
	put_file(root, "proc/iomem", "00000000-3fffffff : System RAM\n");
	put_range(root, 0, "0x0\n", "0x9ffff\n", "System RAM\n");
	put_range(root, 1, "0x100000\n", "12 MiB\n", "System RAM\n");
	assert_int_equal(sysview_read(root, sv, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	snprintf(expect, sizeof(expect), "memory map: bad %s/sys/firmware/memmap/1/end (not an "
		 "address at or above its start); mpkexec plans from the firmware memory map "
		 "and does not fall back to /proc/iomem when it is malformed", root);
	assert_string_equal(err.msg, expect);
	free(sv);
}

/* No /sys/firmware/memmap at all: /proc/iomem's top level is the map. */
static void test_sysview_iomem_fallback(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	put_file(root, "proc/iomem", "00000000-00000fff : Reserved\n"
		 "00001000-3fffffff : System RAM\n  01000000-01ffffff : Kernel code\n");
	assert_int_equal(sysview_read(root, sv, &err), 0);
	assert_int_equal(sv->firmware_map.n, 2);
	assert_int_equal(sv->firmware_map.r[1].end, 0x40000000);
	assert_int_equal(sv->n_kernel_image, 1);
	sysview_free(sv);
	free(sv);
}

/* No /sys/firmware/memmap and a /proc/iomem without addresses (non-root):
 * the error says so, not only that sysfs is missing. */
static void test_sysview_no_memmap_iomem_hidden(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	put_file(root, "proc/iomem", "00000000-00000000 : Reserved\n"
		 "00000000-00000000 : System RAM\n");
	assert_int_equal(sysview_read(root, sv, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOPERM);
	assert_string_equal(err.msg, "memory map: /proc/iomem shows no addresses to this user "
			    "(run as root)");
	free(sv);
}

/* A /proc/cmdline longer than 4095 bytes is kept whole. */
static void test_sysview_long_cmdline(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));
	char *line = malloc(6002);

	assert_non_null(sv);
	assert_non_null(line);
	for (unsigned i = 0; i < 6000; i++)
		line[i] = i % 10 == 9 ? ' ' : 'a' + i % 10;
	memcpy(line + 5980, "acpi_rsdp=7 ", 12);  /* a word past 4095 is still seen */
	line[6000] = '\n';
	line[6001] = '\0';
	put_range(root, 0, "0x0\n", "0x3fffffff\n", "System RAM\n");
	put_file(root, "proc/cmdline", line);
	assert_int_equal(sysview_read(root, sv, &err), 0);
	line[6000] = '\0';
	assert_int_equal(strlen(sv->cmdline), 6000);
	assert_string_equal(sv->cmdline, line);
	assert_int_equal(sv->rsdp, 7);
	sysview_free(sv);
	assert_null(sv->cmdline);
	free(sv);
	free(line);
}

/* --- /proc/iomem --------------------------------------------------------- */

/* A range ending at the top of the address space: end + 1 would wrap to 0. */
static void test_iomem_top_of_address_space(void **state)
{
	struct mpk_error err = { 0 };
	struct memmap map;
	struct mem_range k[2];

	(void)state;
	assert_int_equal(memmap_parse_iomem("00001000-3fffffff : System RAM\n"
					    "  3f000000-ffffffffffffffff : Kernel code\n"
					    "fd00000000-ffffffffffffffff : Reserved\n", &map, &err), 0);
	assert_int_equal(map.n, 2);
	assert_int_equal(map.r[1].start, 0xfd00000000ull);
	assert_int_equal(map.r[1].end, UINT64_MAX);
	memmap_free(&map);
	assert_int_equal(iomem_find_kernel("  3f000000-ffffffffffffffff : Kernel code\n", k, 2), 1);
	assert_int_equal(k[0].start, 0x3f000000);
	assert_int_equal(k[0].end, UINT64_MAX);
}

static void test_iomem_top_level(void **state)
{
	struct mpk_error err = { 0 };
	struct memmap map;
	char *text = read_text(SYSROOT "/proc/iomem");
	/* The top-level lines of known kinds.  The MMCONFIG "Reserved" is
	 * nested under "PCI MMCONFIG" (depth 1), so it is not top level. */
	static const struct mem_range want[] = {
		{ 0x0, 0x1000, E820_RESERVED },
		{ 0x1000, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0xa0000, E820_RESERVED },
		{ 0xf0000, 0x100000, E820_RESERVED },
		{ 0x100000, 0x3ffdf000, E820_RAM },
		{ 0x3ffdf000, 0x40000000, E820_RESERVED },
		{ 0xfed1c000, 0xfed20000, E820_RESERVED },
		{ 0xfffc0000, 0x100000000, E820_RESERVED },
		{ 0xfd00000000, 0x10000000000, E820_RESERVED },
	};

	(void)state;
	assert_int_equal(memmap_parse_iomem(text, &map, &err), 0);
	assert_int_equal(map.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < map.n; i++) {
		assert_int_equal(map.r[i].start, want[i].start);
		assert_int_equal(map.r[i].end, want[i].end);
		assert_int_equal(map.r[i].type, want[i].type);
	}
	memmap_free(&map);
	free(text);
}

static void test_iomem_find_kernel_root(void **state)
{
	struct mem_range k[8];
	char *text = read_text(SYSROOT "/proc/iomem");

	(void)state;
	assert_int_equal(iomem_find_kernel(text, k, 8), 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(k[i].start, q35_kernel[i].start);
		assert_int_equal(k[i].end, q35_kernel[i].end);
	}
	/* max is honoured */
	memset(k, 0xa5, sizeof(k));
	assert_int_equal(iomem_find_kernel(text, k, 2), 2);
	assert_int_equal(k[1].start, 0x2000000);
	assert_int_equal(k[2].start, 0xa5a5a5a5a5a5a5a5ull); /* untouched */
	free(text);
}

static void test_iomem_find_kernel_nonroot(void **state)
{
	struct mem_range k[8];
	char *text = read_text(FIXTURES "/iomem-nonroot.txt");

	(void)state;
	assert_non_null(strstr(text, "  00000000-00000000 : Kernel code"));
	assert_int_equal(iomem_find_kernel(text, k, 8), 0);
	free(text);
}

/* The same text with addresses hidden must not turn into a memory map of
 * one-byte ranges at address 0: either an error or no ranges. */
static void test_iomem_nonroot_gives_no_map(void **state)
{
	struct mpk_error err = { 0 };
	struct memmap map = { 0 };
	char *text = read_text(FIXTURES "/iomem-nonroot.txt");
	int rc = memmap_parse_iomem(text, &map, &err);

	(void)state;
	free(text);
	assert_int_equal(rc, -1);
	assert_int_equal(map.n, 0);
	assert_int_equal(err.exit_code, MPK_EXIT_NOPERM);
	assert_non_null(strstr(err.msg, "shows no addresses to this user (run as root)"));
}

static void test_iomem_malformed_lines_skipped(void **state)
{
	struct mpk_error err = { 0 };
	struct memmap map;
	const char *text =
		"garbage line\n"
		"00001000-00000fff : System RAM\n"   /* end < start */
		"00100000-001fffff System RAM\n"     /* no ' : ' */
		"00200000-002fffff : Video ROM\n"    /* not an e820 kind */
		"00300000-003fffff : System RAM";    /* no final newline */

	(void)state;
	assert_int_equal(memmap_parse_iomem(text, &map, &err), 0);
	assert_int_equal(map.n, 1);
	assert_int_equal(map.r[0].start, 0x300000);
	assert_int_equal(map.r[0].end, 0x400000);
	assert_int_equal(map.r[0].type, E820_RAM);
	memmap_free(&map);
}

/* --- e820 names ---------------------------------------------------------- */

static void test_e820_names(void **state)
{
	static const struct {
		uint32_t type;
		const char *name;
	} t[] = {
		{ E820_RAM, "System RAM" },
		{ E820_RESERVED, "Reserved" },
		{ E820_ACPI, "ACPI Tables" },
		{ E820_NVS, "ACPI Non-volatile Storage" },
		{ E820_UNUSABLE, "Unusable memory" },
		{ E820_PMEM, "Persistent Memory" },
		{ E820_PRAM, "Persistent Memory (legacy)" },
		{ E820_SOFT_RESERVED, "Soft Reserved" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_string_equal(e820_type_name(t[i].type), t[i].name);
		assert_int_equal(e820_type_from_name(t[i].name), t[i].type);
		assert_int_equal(e820_type_from_name(e820_type_name(t[i].type)), t[i].type);
	}
	assert_int_equal(e820_type_from_name("reserved"), E820_RESERVED); /* iomem spelling */
	assert_int_equal(e820_type_from_name("system ram"), 0);
	assert_int_equal(e820_type_from_name("System RAM "), 0);
	assert_int_equal(e820_type_from_name(""), 0);
	assert_string_equal(e820_type_name(0), "unknown");
	assert_string_equal(e820_type_name(6), "unknown");
}

/* --- sysview ------------------------------------------------------------- */

static void test_cpuinfo_fixture(void **state)
{
	char *text = read_text(SYSROOT "/proc/cpuinfo");
	uint32_t id = 0xdead;

	(void)state;
	assert_true(cpuinfo_boot_apic_id(text, &id));
	assert_int_equal(id, 0);
	free(text);
}

static void test_cpuinfo_processor0_not_first(void **state)
{
	const char *text =
		"processor\t: 1\n"
		"apicid\t\t: 0\n"
		"\n"
		"processor\t: 0\n"
		"vendor_id\t: GenuineIntel\n"
		"initial apicid\t: 5\n"
		"apicid\t\t: 6\n"
		"\n"
		"processor\t: 10\n"
		"apicid\t\t: 7\n";
	uint32_t id = 0;

	(void)state;
	assert_true(cpuinfo_boot_apic_id(text, &id));
	assert_int_equal(id, 6);
}

static void test_cpuinfo_no_apicid(void **state)
{
	uint32_t id = 77;

	(void)state;
	/* processor 0 without an apicid line; only other CPUs have one */
	assert_false(cpuinfo_boot_apic_id("processor\t: 0\nflags\t: fpu\n\n"
					  "processor\t: 1\napicid\t: 2\n", &id));
	assert_false(cpuinfo_boot_apic_id("", &id));
	assert_int_equal(id, 77);
}

/* The TSC rate purgatory times its waits with: a number of MHz in
 * [1, 100000], or 0 (the caller assumes 3 GHz and says so). */
static void test_cpuinfo_mhz_bounded(void **state)
{
	(void)state;
	assert_int_equal(cpuinfo_khz("processor\t: 0\ncpu MHz\t\t: 2995.200\n"), 2995200);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: 1\n"), 1000);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: 100000\n"), 100000000);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: 100000.1\n"), 0);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: 1e300\n"), 0);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: 1e19\n"), 0);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: nan\n"), 0);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: -nan\n"), 0);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: inf\n"), 0);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: 0.5\n"), 0);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: -3000\n"), 0);
	assert_int_equal(cpuinfo_khz("cpu MHz\t\t: fast\n"), 0);
	assert_int_equal(cpuinfo_khz("flags\t: fpu\n"), 0);
}

static void test_sysview_tsc_guess_noted(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	put_range(root, 0, "0x0\n", "0x3fffffff\n", "System RAM\n");
	put_file(root, "proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 1e300\napicid\t\t: 0\n");
	assert_int_equal(sysview_read(root, sv, &err), 0);
	assert_int_equal(sv->tsc_khz, 3000000);
	assert_string_equal(sv->tsc_note, "TSC rate assumed 3000 MHz: /proc/cpuinfo says "
			    "\"cpu MHz\t\t: 1e300\", not a rate between 1 and 100000 MHz");
	sysview_free(sv);
	put_file(root, "proc/cpuinfo", "processor\t: 0\ncpu MHz\t\t: 2995.200\n");
	assert_int_equal(sysview_read(root, sv, &err), 0);
	assert_int_equal(sv->tsc_khz, 2995200);
	assert_string_equal(sv->tsc_note, "");
	sysview_free(sv);
	put_file(root, "proc/cpuinfo", "processor\t: 0\n");
	assert_int_equal(sysview_read(root, sv, &err), 0);
	assert_int_equal(sv->tsc_khz, 3000000);
	assert_string_equal(sv->tsc_note, "TSC rate assumed 3000 MHz: processor 0 has no "
			    "\"cpu MHz\" in /proc/cpuinfo");
	sysview_free(sv);
	free(sv);
}

static void test_sysview_fixture(void **state)
{
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));
	uint8_t bp[4096];
	FILE *f;

	(void)state;
	assert_non_null(sv);
	assert_int_equal(sysview_read(SYSROOT, sv, &err), 0);
	assert_int_equal(sv->firmware_map.n, Q35_N);
	assert_int_equal(sv->firmware_map.r[3].end, 0x3ffdf000);
	assert_int_equal(sv->n_kernel_image, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(sv->kernel_image[i].start, q35_kernel[i].start);
		assert_int_equal(sv->kernel_image[i].end, q35_kernel[i].end);
	}
	assert_true(sv->have_boot_params);
	f = fopen(SYSROOT "/sys/kernel/boot_params/data", "rb");
	assert_non_null(f);
	assert_int_equal(fread(bp, 1, sizeof(bp), f), 4096);
	fclose(f);
	assert_memory_equal(sv->boot_params, bp, 4096);
	assert_int_equal(sv->rsdp, 0xf59e0);
	assert_string_equal(sv->rsdp_source, "/sys/kernel/boot_params/data");
	assert_string_equal(sv->cmdline,
			    "console=ttyS0,115200 panic=-1 root=/dev/ram0 quiet nokaslr");
	assert_non_null(sv->madt);
	assert_int_equal(sv->madt_len, 144);
	assert_memory_equal(sv->madt, "APIC", 4);
	assert_true(sv->have_boot_apic_id);
	assert_int_equal(sv->boot_apic_id, 0);
	sysview_free(sv);
	assert_null(sv->madt);
	assert_null(sv->firmware_map.r);
	free(sv);
}

/* Only the memory map is required: everything else is recorded as missing. */
static void test_sysview_minimal_tree(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	put_range(root, 0, "0x0\n", "0x3fffffff\n", "System RAM\n");
	assert_int_equal(sysview_read(root, sv, &err), 0);
	assert_int_equal(sv->firmware_map.n, 1);
	assert_int_equal(sv->n_kernel_image, 0);
	assert_false(sv->have_boot_params);
	assert_int_equal(sv->rsdp, 0);
	assert_null(sv->rsdp_source);
	assert_string_equal(sv->cmdline, "");
	assert_null(sv->madt);
	assert_int_equal(sv->madt_errno, ENOENT);
	assert_false(sv->have_boot_apic_id);
	sysview_free(sv);
	free(sv);
}

static void test_sysview_no_memmap(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	put_file(root, "proc/cmdline", "quiet\n");
	assert_int_equal(sysview_read(root, sv, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOINPUT);
	assert_msg_has(err, "/sys/firmware/memmap/0/start");
	assert_msg_has(err, "CONFIG_FIRMWARE_MEMMAP");
	free(sv);
}

/* RSDP sources after boot_params: the EFI system table, then acpi_rsdp=. */
static void test_sysview_rsdp_efi_systab(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	put_range(root, 0, "0x0\n", "0x3fffffff\n", "System RAM\n");
	put_file(root, "sys/firmware/efi/systab", "SMBIOS3=0x7f8f5000\nACPI=0x7f9fd000\n"
		 "ACPI20=0x7f9fd014\n");
	put_file(root, "proc/cmdline", "acpi_rsdp=0x12345 quiet\n");
	assert_int_equal(sysview_read(root, sv, &err), 0);
	assert_int_equal(sv->rsdp, 0x7f9fd014); /* ACPI20 preferred */
	assert_string_equal(sv->rsdp_source, "/sys/firmware/efi/systab");
	sysview_free(sv);
	free(sv);
}

static void test_sysview_rsdp_cmdline(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	put_range(root, 0, "0x0\n", "0x3fffffff\n", "System RAM\n");
	put_file(root, "proc/cmdline", "root=/dev/sda1 acpi_rsdp=0xf5a10 quiet\n");
	assert_int_equal(sysview_read(root, sv, &err), 0);
	assert_int_equal(sv->rsdp, 0xf5a10);
	assert_string_equal(sv->rsdp_source, "acpi_rsdp= on /proc/cmdline");
	assert_string_equal(sv->cmdline, "root=/dev/sda1 acpi_rsdp=0xf5a10 quiet");
	sysview_free(sv);
	free(sv);
}

/* Only a whole word counts; a longer word ending in "acpi_rsdp=" earlier on
 * the line must not hide the real one. */
static void test_sysview_rsdp_cmdline_not_first_match(void **state)
{
	const char *root = *state;
	struct mpk_error err = { 0 };
	struct sysview *sv = malloc(sizeof(*sv));
	uint64_t rsdp;

	assert_non_null(sv);
	put_range(root, 0, "0x0\n", "0x3fffffff\n", "System RAM\n");
	put_file(root, "proc/cmdline", "root=/dev/sda1 mpk.acpi_rsdp=0x1 acpi_rsdp=0xf5a10 quiet\n");
	assert_int_equal(sysview_read(root, sv, &err), 0);
	rsdp = sv->rsdp;
	sysview_free(sv);
	free(sv);
	assert_int_equal(rsdp, 0xf5a10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysfs_fixture),
		cmocka_unit_test_setup_teardown(test_sysfs_sorted_by_start, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysfs_top_of_address_space, tree_setup,
						tree_teardown),
		cmocka_unit_test(test_sysfs_missing),
		cmocka_unit_test_setup_teardown(test_sysfs_bad_end, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysfs_garbage_number, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysfs_bad_start, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysview_malformed_memmap_no_fallback, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysview_iomem_fallback, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysview_long_cmdline, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysview_no_memmap_iomem_hidden, tree_setup,
						tree_teardown),
		cmocka_unit_test(test_iomem_top_of_address_space),
		cmocka_unit_test(test_iomem_top_level),
		cmocka_unit_test(test_iomem_find_kernel_root),
		cmocka_unit_test(test_iomem_find_kernel_nonroot),
		cmocka_unit_test(test_iomem_nonroot_gives_no_map),
		cmocka_unit_test(test_iomem_malformed_lines_skipped),
		cmocka_unit_test(test_e820_names),
		cmocka_unit_test(test_cpuinfo_fixture),
		cmocka_unit_test(test_cpuinfo_processor0_not_first),
		cmocka_unit_test(test_cpuinfo_no_apicid),
		cmocka_unit_test(test_sysview_fixture),
		cmocka_unit_test_setup_teardown(test_sysview_minimal_tree, tree_setup, tree_teardown),
		cmocka_unit_test(test_cpuinfo_mhz_bounded),
		cmocka_unit_test_setup_teardown(test_sysview_tsc_guess_noted, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysview_no_memmap, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysview_rsdp_efi_systab, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysview_rsdp_cmdline, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_sysview_rsdp_cmdline_not_first_match, tree_setup,
						tree_teardown),
	};

	return cmocka_run_group_tests_name("memmap and sysview", tests, NULL, NULL);
}
