/* SPDX-License-Identifier: GPL-2.0-only */
/* EFI handover (arch/x86_64/efi-handover.c): on the OVMF guest captured in
 * fixtures/ovmf-sysroot (values in fixtures/README.md), on the SeaBIOS
 * guest of fixtures/q35-sysroot (no EFI), and on small trees made in a
 * temporary directory for the refusals and malformed inputs. */
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

#include "bytes.h"
#include "efi-handover.h"
#include "error.h"
#include "mpkexec/bootparam.h"
#include "tree-fixture.h"

#define OVMF FIXTURES "/ovmf-sysroot"
#define Q35  FIXTURES "/q35-sysroot"

/* /sys/firmware/efi/runtime-map/N of the OVMF guest. */
static const struct {
	uint32_t type;
	uint64_t phys, virt, pages, attr;
} ovmf_rtmap[] = {
	{ 0xb, 0xffc00000, 0xfffffffeffc00000, 0x400, 0x8000000000000001 },
	{ 0x6, 0x3fedc000, 0xfffffffeffadc000, 0x84, 0x800000000000000f },
	{ 0x5, 0x3f5ec000, 0xfffffffeff1ec000, 0x100, 0x800000000000000f },
	{ 0x6, 0x3f4ec000, 0xfffffffeff0ec000, 0x100, 0x800000000000000f },
	{ 0x6, 0x3ea8a000, 0xfffffffefe68a000, 0x102, 0x800000000000000f },
	{ 0x4, 0x3dbf7000, 0xfffffffefd7f7000, 0x9, 0x800000000000000f },
	{ 0x4, 0x3dbf4000, 0xfffffffefd7f4000, 0x1, 0x800000000000000f },
	{ 0x3, 0x0, 0xfffffffefc800000, 0x1, 0x800000000000000f },
};
#define OVMF_NDESC (sizeof(ovmf_rtmap) / sizeof(ovmf_rtmap[0]))

static void read_bp(const char *root, uint8_t *bp)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/kernel/boot_params/data", root);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(bp, 1, BP_SIZE, f), BP_SIZE);
	fclose(f);
}

/* --- the OVMF guest ------------------------------------------------------ */

static void test_ovmf_fixture(void **state)
{
	struct mpk_error err = { 0 };
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	(void)state;
	read_bp(OVMF, bp);
	assert_int_equal(efi_handover_read(OVMF, bp, &eh, &err), 0);
	assert_true(eh.present);
	assert_int_equal(eh.loader_signature, EFI_LOADER_SIGNATURE_64);
	assert_int_equal(eh.systab, 0x3f5eb018);
	assert_int_equal(eh.memdesc_size, 48);
	assert_int_equal(eh.memdesc_version, 1);
	assert_int_equal(eh.secure_boot, 2); /* efi_secureboot_mode_disabled */
	assert_int_equal(eh.fw_vendor, 0x3f52aa18);
	assert_int_equal(eh.runtime, 0x3f5ebb98);
	assert_int_equal(eh.config_table, 0x3f5ebc98);
	assert_int_equal(eh.smbios, 0x3f520000);
	assert_string_equal(eh.desc, "systab 0x3f5eb018, 8 runtime-map entries of 48 bytes "
			    "(/sys/firmware/efi/runtime-map), SETUP_EFI from /sys/firmware/efi");

	assert_int_equal(eh.n_desc, OVMF_NDESC);
	assert_int_equal(eh.memmap_size, OVMF_NDESC * 48);
	for (size_t i = 0; i < OVMF_NDESC; i++) {
		const uint8_t *d = eh.memmap + i * 48;
		static const uint8_t zero[8];

		assert_int_equal(get_le32(d), ovmf_rtmap[i].type);
		assert_memory_equal(d + 4, zero, 4);   /* pad */
		assert_int_equal(get_le64(d + 8), ovmf_rtmap[i].phys);
		assert_int_equal(get_le64(d + 16), ovmf_rtmap[i].virt);
		assert_int_equal(get_le64(d + 24), ovmf_rtmap[i].pages);
		assert_int_equal(get_le64(d + 32), ovmf_rtmap[i].attr);
		assert_memory_equal(d + 40, zero, 8);  /* stride 48 > 40 */
	}

	assert_int_equal(get_le64(eh.setup_efi), 0x3f52aa18);
	assert_int_equal(get_le64(eh.setup_efi + 8), 0x3f5ebb98);
	assert_int_equal(get_le64(eh.setup_efi + 16), 0x3f5ebc98);
	assert_int_equal(get_le64(eh.setup_efi + 24), 0x3f520000);
	for (unsigned i = 32; i < EFI_SETUP_DATA_SIZE; i++)
		assert_int_equal(eh.setup_efi[i], 0);
	efi_handover_free(&eh);
}

static void test_ovmf_put_boot_params(void **state)
{
	struct mpk_error err = { 0 };
	struct efi_handover eh;
	uint8_t running[BP_SIZE], bp[BP_SIZE], before[BP_SIZE];

	(void)state;
	read_bp(OVMF, running);
	assert_int_equal(efi_handover_read(OVMF, running, &eh, &err), 0);
	memset(bp, 0x5a, sizeof(bp));
	memcpy(before, bp, sizeof(bp));
	efi_handover_put_boot_params(bp, &eh, 0x123456000ull);

	assert_int_equal(get_le32(bp + BP_EFI_LOADER_SIGNATURE), 0x34364c45);
	assert_memory_equal(bp + BP_EFI_LOADER_SIGNATURE, "EL64", 4);
	assert_int_equal(get_le32(bp + BP_EFI_SYSTAB), 0x3f5eb018);
	assert_int_equal(get_le32(bp + BP_EFI_SYSTAB_HI), 0);
	assert_int_equal(get_le32(bp + BP_EFI_MEMDESC_SIZE), 48);
	assert_int_equal(get_le32(bp + BP_EFI_MEMDESC_VERSION), 1);
	assert_int_equal(get_le32(bp + BP_EFI_MEMMAP), 0x23456000);
	assert_int_equal(get_le32(bp + BP_EFI_MEMMAP_HI), 0x1);
	assert_int_equal(get_le32(bp + BP_EFI_MEMMAP_SIZE), 8 * 48);
	assert_int_equal(bp[BP_SECURE_BOOT], 2);
	/* Nothing else touched. */
	assert_memory_equal(bp, before, BP_EFI_INFO);
	assert_memory_equal(bp + BP_EFI_INFO + BP_EFI_INFO_SIZE,
			    before + BP_EFI_INFO + BP_EFI_INFO_SIZE,
			    BP_SECURE_BOOT - (BP_EFI_INFO + BP_EFI_INFO_SIZE));
	assert_memory_equal(bp + BP_SECURE_BOOT + 1, before + BP_SECURE_BOOT + 1,
			    BP_SIZE - BP_SECURE_BOOT - 1);
	efi_handover_free(&eh);
}

/* --- no EFI -------------------------------------------------------------- */

static void test_q35_no_efi(void **state)
{
	struct mpk_error err = { 0 };
	struct efi_handover eh;
	uint8_t bp[BP_SIZE], out[BP_SIZE], zero[BP_SIZE] = { 0 };

	(void)state;
	read_bp(Q35, bp);
	assert_int_equal(efi_handover_read(Q35, bp, &eh, &err), 0);
	assert_false(eh.present);
	assert_null(eh.memmap);
	assert_string_equal(eh.why_not, "not booted through EFI (no /sys/firmware/efi)");
	memset(out, 0, sizeof(out));
	efi_handover_put_boot_params(out, &eh, 0x1000000);
	assert_memory_equal(out, zero, BP_SIZE);
	efi_handover_free(&eh);
}

/* --- temporary trees: the OVMF values, one thing changed per test -------- */

static void put_rtmap(const char *root, unsigned i, const char *type, const char *phys,
		      const char *pages)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "sys/firmware/efi/runtime-map/%u/type", i);
	put_file(root, rel, type);
	snprintf(rel, sizeof(rel), "sys/firmware/efi/runtime-map/%u/phys_addr", i);
	put_file(root, rel, phys);
	snprintf(rel, sizeof(rel), "sys/firmware/efi/runtime-map/%u/virt_addr", i);
	put_file(root, rel, "0xfffffffeffc00000\n");
	snprintf(rel, sizeof(rel), "sys/firmware/efi/runtime-map/%u/num_pages", i);
	put_file(root, rel, pages);
	snprintf(rel, sizeof(rel), "sys/firmware/efi/runtime-map/%u/attribute", i);
	put_file(root, rel, "0x8000000000000001\n");
}

/* An EFI tree with two runtime-map entries (no runtime-map when !rtmap). */
static void make_efi_tree(const char *root, int rtmap)
{
	put_file(root, "sys/firmware/efi/systab",
		 "ACPI20=0x3f77d014\nACPI=0x3f77d000\nSMBIOS3=0x3f510000\nSMBIOS=0x3f520000\n");
	put_file(root, "sys/firmware/efi/fw_vendor", "0x3f52aa18\n");
	put_file(root, "sys/firmware/efi/runtime", "0x3f5ebb98\n");
	put_file(root, "sys/firmware/efi/config_table", "0x3f5ebc98\n");
	if (rtmap) {
		put_rtmap(root, 0, "0xb\n", "0xffc00000\n", "0x400\n");
		put_rtmap(root, 1, "0x6\n", "0x3fedc000\n", "0x84\n");
	}
}

static void ovmf_bp(uint8_t *bp)
{
	read_bp(OVMF, bp);
}

/* Reads the tree; expects success and returns eh.present. */
static bool read_ok(const char *root, const uint8_t *bp, struct efi_handover *eh)
{
	struct mpk_error err = { 0 };

	if (efi_handover_read(root, bp, eh, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	return eh->present;
}

static void test_tree_smbios_not_smbios3(void **state)
{
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	ovmf_bp(bp);
	make_efi_tree(*state, 1);
	assert_true(read_ok(*state, bp, &eh));
	assert_int_equal(eh.n_desc, 2);
	assert_int_equal(eh.smbios, 0x3f520000);
	efi_handover_free(&eh);
}

static void test_tree_no_smbios(void **state)
{
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	ovmf_bp(bp);
	make_efi_tree(*state, 1);
	put_file(*state, "sys/firmware/efi/systab", "ACPI20=0x3f77d014\n");
	assert_true(read_ok(*state, bp, &eh));
	assert_int_equal(eh.smbios, 0);
	assert_int_equal(get_le64(eh.setup_efi + 24), 0);
	efi_handover_free(&eh);
}

/* One file of the OVMF tree (with `nrtmap` runtime-map entries) replaced by
 * `text`: the read fails, naming the file (`msg` follows the root), and
 * hands nothing over. */
static void expect_malformed(const char *root, int nrtmap, const char *rel, const char *text,
			     const char *msg)
{
	struct mpk_error err = { 0 };
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];
	char want[PATH_MAX + 128];

	ovmf_bp(bp);
	make_efi_tree(root, nrtmap);
	put_file(root, rel, text);
	assert_int_equal(efi_handover_read(root, bp, &eh, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	snprintf(want, sizeof(want), "EFI handover: %s/%s", root, msg);
	assert_string_equal(err.msg, want);
	assert_null(eh.memmap);
	assert_false(eh.present);
}

static void test_tree_garbage_hex(void **state)
{
	expect_malformed(*state, 1, "sys/firmware/efi/runtime-map/1/num_pages", "0x8g\n",
			 "sys/firmware/efi/runtime-map/1/num_pages: \"0x8g\" is not a hex "
			 "number (0x...)");
}

static void test_tree_decimal_rejected(void **state)
{
	expect_malformed(*state, 1, "sys/firmware/efi/fw_vendor", "1062382104\n",
			 "sys/firmware/efi/fw_vendor: \"1062382104\" is not a hex number (0x...)");
}

static void test_tree_type_too_wide(void **state)
{
	expect_malformed(*state, 1, "sys/firmware/efi/runtime-map/0/type", "0x100000000\n",
			 "sys/firmware/efi/runtime-map/0/type: 0x100000000 does not fit the "
			 "descriptor's 32-bit type");
}

static void test_tree_bad_smbios(void **state)
{
	expect_malformed(*state, 1, "sys/firmware/efi/systab", "SMBIOS=nowhere\n",
			 "sys/firmware/efi/systab: bad SMBIOS= line \"SMBIOS=nowhere\"");
}

static void test_tree_no_runtime_map(void **state)
{
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	ovmf_bp(bp);
	make_efi_tree(*state, 0);
	assert_false(read_ok(*state, bp, &eh));
	assert_null(eh.memmap);
	assert_string_equal(eh.why_not, "no /sys/firmware/efi/runtime-map (the running kernel "
			    "lacks CONFIG_EFI_RUNTIME_MAP, or EFI runtime services)");
}

static void test_tree_empty_runtime_map(void **state)
{
	char path[PATH_MAX];
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	ovmf_bp(bp);
	make_efi_tree(*state, 0);
	snprintf(path, sizeof(path), "%s/sys/firmware/efi/runtime-map", (char *)*state);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_false(read_ok(*state, bp, &eh));
	assert_string_equal(eh.why_not, "/sys/firmware/efi/runtime-map is empty");
}

/* What a non-root reader sees: the entry directories, but files it may
 * not open.  A directory in place of the file fails the same way for root
 * too, so the test does not depend on who runs it. */
static void test_tree_runtime_map_unreadable(void **state)
{
	char path[PATH_MAX];
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	ovmf_bp(bp);
	make_efi_tree(*state, 1);
	snprintf(path, sizeof(path), "%s/sys/firmware/efi/runtime-map/1/phys_addr",
		 (char *)*state);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_false(read_ok(*state, bp, &eh));
	assert_null(eh.memmap);
	assert_int_equal(eh.n_desc, 0);
	assert_string_equal(eh.why_not,
			    "cannot read /sys/firmware/efi/runtime-map/1: Is a directory");
}

static void test_tree_runtime_map_eacces(void **state)
{
	char path[PATH_MAX];
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	if (geteuid() == 0)
		skip(); /* root opens mode 0400 files of others, and 0000 ones */
	ovmf_bp(bp);
	make_efi_tree(*state, 1);
	snprintf(path, sizeof(path), "%s/sys/firmware/efi/runtime-map/0/type", (char *)*state);
	assert_int_equal(chmod(path, 0), 0);
	assert_false(read_ok(*state, bp, &eh));
	assert_string_equal(eh.why_not, "cannot read /sys/firmware/efi/runtime-map/0: "
			    "Permission denied (root only)");
}

static void test_tree_no_runtime_file(void **state)
{
	char path[PATH_MAX];
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	ovmf_bp(bp);
	make_efi_tree(*state, 1);
	snprintf(path, sizeof(path), "%s/sys/firmware/efi/runtime", (char *)*state);
	assert_int_equal(unlink(path), 0);
	assert_false(read_ok(*state, bp, &eh));
	assert_string_equal(eh.why_not, "cannot read /sys/firmware/efi/runtime: No such file "
			    "or directory: the running kernel exposes no EFI runtime");
}

static void test_tree_memmap_size_zero(void **state)
{
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	ovmf_bp(bp);
	put_le32(bp + BP_EFI_MEMMAP_SIZE, 0);
	make_efi_tree(*state, 1);
	assert_false(read_ok(*state, bp, &eh));
	assert_string_equal(eh.why_not, "the running kernel was given no EFI memory map "
			    "(efi_memmap_size 0 in /sys/kernel/boot_params/data)");
}

static void test_tree_no_boot_params(void **state)
{
	struct efi_handover eh;

	make_efi_tree(*state, 1);
	assert_false(read_ok(*state, NULL, &eh));
	assert_string_equal(eh.why_not,
			    "efi_info unknown: /sys/kernel/boot_params/data unreadable");
}

static void test_tree_32bit_firmware(void **state)
{
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	ovmf_bp(bp);
	memcpy(bp + BP_EFI_LOADER_SIGNATURE, "EL32", 4);
	make_efi_tree(*state, 1);
	assert_false(read_ok(*state, bp, &eh));
	assert_string_equal(eh.why_not, "efi_loader_signature 0x32334c45 is not \"EL64\": "
			    "no 64-bit EFI runtime to hand over");
}

static void test_tree_memdesc_version(void **state)
{
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	ovmf_bp(bp);
	put_le32(bp + BP_EFI_MEMDESC_VERSION, 2);
	make_efi_tree(*state, 1);
	assert_false(read_ok(*state, bp, &eh));
	assert_string_equal(eh.why_not,
			    "efi_memdesc_version 2: only version 1 descriptors are known");
}

/* A stride no descriptor fits in becomes sizeof(efi_memory_desc_t). */
static void test_tree_memdesc_size_fallback(void **state)
{
	static const uint32_t bad[] = { 0, 24, 39, 4097, 0xffffffff };
	struct efi_handover eh;
	uint8_t bp[BP_SIZE];

	ovmf_bp(bp);
	make_efi_tree(*state, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_le32(bp + BP_EFI_MEMDESC_SIZE, bad[i]);
		assert_true(read_ok(*state, bp, &eh));
		assert_int_equal(eh.memdesc_size, 40);
		assert_int_equal(eh.memmap_size, 80);
		assert_int_equal(get_le32(eh.memmap + 40), 0x6);
		assert_int_equal(get_le64(eh.memmap + 40 + 8), 0x3fedc000);
		assert_int_equal(get_le64(eh.memmap + 40 + 24), 0x84);
		efi_handover_free(&eh);
	}
	put_le32(bp + BP_EFI_MEMDESC_SIZE, 64);
	assert_true(read_ok(*state, bp, &eh));
	assert_int_equal(eh.memdesc_size, 64);
	assert_int_equal(eh.memmap_size, 128);
	assert_int_equal(get_le64(eh.memmap + 64 + 8), 0x3fedc000);
	efi_handover_free(&eh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ovmf_fixture),
		cmocka_unit_test(test_ovmf_put_boot_params),
		cmocka_unit_test(test_q35_no_efi),
#define T(f) cmocka_unit_test_setup_teardown(f, tree_setup, tree_teardown)
		T(test_tree_smbios_not_smbios3),
		T(test_tree_no_smbios),
		T(test_tree_garbage_hex),
		T(test_tree_decimal_rejected),
		T(test_tree_type_too_wide),
		T(test_tree_bad_smbios),
		T(test_tree_no_runtime_map),
		T(test_tree_empty_runtime_map),
		T(test_tree_runtime_map_unreadable),
		T(test_tree_runtime_map_eacces),
		T(test_tree_no_runtime_file),
		T(test_tree_memmap_size_zero),
		T(test_tree_no_boot_params),
		T(test_tree_32bit_firmware),
		T(test_tree_memdesc_version),
		T(test_tree_memdesc_size_fallback),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
