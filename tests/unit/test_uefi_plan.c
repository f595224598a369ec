/* SPDX-License-Identifier: GPL-2.0-only */
/* Plans on a UEFI machine: the system view of a q35 guest booted by OVMF
 * (fixtures/ovmf-sysroot, with its ACPI tables in e820 ACPI ranges and no
 * /dev/mem), and the unaccepted-memory rules of TDX guests. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "bzimage-load.h"
#include "efi-handover.h"
#include "madt.h"
#include "error.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/handoff-report.h"
#include "plan.h"
#include "sysview.h"
#include "unaccepted.h"

#define OVMF      FIXTURES "/ovmf-sysroot"
#define HEAD_PATH FIXTURES "/vmlinuz-6.1.head"
#define PURG      ((size_t)(purgatory_blob_end - purgatory_blob))
#define K_SIZE    (0x5000u + 0x7d8200u)   /* setup + syssize * 16 of the header */

extern const uint8_t purgatory_blob[], purgatory_blob_end[];

/* The OVMF guest's EFI runtime map (fixtures/README.md): phys, pages. */
static const struct { uint64_t phys, pages; } runtime_map[] = {
	{ 0xffc00000, 0x400 }, { 0x3fedc000, 0x84 }, { 0x3f5ec000, 0x100 },
	{ 0x3f4ec000, 0x100 }, { 0x3ea8a000, 0x102 }, { 0x3dbf7000, 0x9 },
	{ 0x3dbf4000, 0x1 }, { 0x0, 0x1 },
};

struct fix {
	struct sysview sv;
	uint8_t *kernel;
	struct load_plan plan;
};

static int fix_setup(void **state)
{
	struct mpk_error err = { 0 };
	struct fix *f = calloc(1, sizeof(*f));
	FILE *h = fopen(HEAD_PATH, "rb");

	if (!f || !h || sysview_read(OVMF, &f->sv, &err) < 0)
		return -1;
	f->kernel = calloc(1, K_SIZE);
	if (!f->kernel || fread(f->kernel, 1, 16384, h) != 16384)
		return -1;
	fclose(h);
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	struct fix *f = *state;

	load_plan_free(&f->plan);
	sysview_free(&f->sv);
	free(f->kernel);
	free(f);
	return 0;
}

static int plan_at(struct fix *f, enum ap_handoff mode, uint64_t park_addr,
		   struct mpk_error *err)
{
	struct load_request rq = {
		.kernel_path = "vmlinuz-6.1", .kernel = { .data = f->kernel, .size = K_SIZE },
		.cmdline = "console=ttyS0", .verify = true, .serial_port = 0x3f8,
		.ap_handoff = mode, .mailbox_version = 1, .park_addr = park_addr,
	};

	load_plan_free(&f->plan);
	return bzimage_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, err);
}

static int plan(struct fix *f, enum ap_handoff mode, struct mpk_error *err)
{
	return plan_at(f, mode, 0, err);
}

static const struct segment *seg(const struct load_plan *p, const char *what)
{
	for (unsigned i = 0; i < p->nseg; i++)
		if (strcmp(p->seg[i].what, what) == 0)
			return &p->seg[i];
	fail_msg("no segment '%s'", what);
	return NULL;
}

/* Bytes of the boot_params segment at physical address `addr`. */
static const uint8_t *at(const struct segment *bp, uint64_t addr, size_t len)
{
	assert_true(addr >= bp->mem && addr + len <= bp->mem + bp->bufsz);
	return bp->buf + (addr - bp->mem);
}

/* Park mode with no /dev/mem: the table set comes from sysfs, the RSDP
 * handed over is the new one, and the EFI state goes with it. */
static void test_ovmf_park(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	const struct segment *bp, *acpi;
	const uint8_t *b, *node, *efi, *map;
	uint32_t types[4], n = 0;
	uint64_t sd;

	if (plan(f, AP_HANDOFF_PARK, &err) < 0)
		fail_msg("%s", err.msg);
	assert_non_null(f->plan.park_base);
	acpi = seg(&f->plan, "ACPI tables");
	bp = seg(&f->plan, "boot_params");
	b = bp->buf;
	assert_int_equal(get_le64(b + BP_ACPI_RSDP_ADDR), acpi->mem);
	assert_string_equal(f->plan.acpi_desc + strcspn(f->plan.acpi_desc, ":"),
			    ": copies of FACP BGRT HPET MCFG WAET from /sys/firmware/acpi/tables; "
			    "DSDT 0x3f779000 and FACS 0x3f7dc000 stay where the FADT names them; "
			    "MADT built from firmware's (/sys/firmware/acpi/tables/APIC); "
			    "firmware's RSDP 0x3f77d014 (/sys/firmware/efi/systab), handed over "
			    "instead if no AP reaches the park region");
	assert_string_equal(f->plan.efi_desc, "systab 0x3f5eb018, 8 runtime-map entries of 48 "
			    "bytes (/sys/firmware/efi/runtime-map), SETUP_EFI from "
			    "/sys/firmware/efi");

	/* efi_info: firmware's system table, the runtime map in this segment. */
	assert_int_equal(get_le32(b + BP_EFI_INFO), EFI_LOADER_SIGNATURE_64);
	assert_int_equal(get_le32(b + BP_EFI_INFO + 4), 0x3f5eb018);
	assert_int_equal(get_le32(b + BP_EFI_INFO + 8), 48);
	assert_int_equal(get_le32(b + BP_EFI_INFO + 12), 1);
	assert_int_equal(get_le32(b + BP_EFI_INFO + 20), 8 * 48);
	assert_int_equal(get_le32(b + BP_EFI_INFO + 24), 0);        /* systab_hi */
	assert_int_equal(get_le32(b + BP_EFI_INFO + 28), 0);        /* memmap_hi */
	assert_int_equal(b[BP_SECURE_BOOT], 2);
	map = at(bp, get_le32(b + BP_EFI_INFO + 16), 8 * 48);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(get_le64(map + i * 48 + 8), runtime_map[i].phys);
		assert_int_equal(get_le64(map + i * 48 + 24), runtime_map[i].pages);
	}

	/* setup_data: report -> firmware MADT snapshot -> SETUP_EFI. */
	efi = NULL;
	for (sd = get_le64(b + HDR_SETUP_DATA); sd && n < 4; sd = get_le64(node)) {
		node = at(bp, sd, 16);
		types[n++] = get_le32(node + 8);
		if (get_le32(node + 8) == SETUP_EFI) {
			assert_int_equal(get_le32(node + 12), EFI_SETUP_DATA_SIZE);
			efi = at(bp, sd + 16, EFI_SETUP_DATA_SIZE);
		}
	}
	assert_int_equal(n, 3);
	assert_int_equal(types[0], MPK_SETUP_DATA_TYPE);
	assert_int_equal(types[1], MPK_SETUP_ACPI_ROOT);
	assert_int_equal(types[2], SETUP_EFI);
	assert_non_null(efi);
	assert_int_equal(get_le64(efi), 0x3f52aa18);       /* fw_vendor */
	assert_int_equal(get_le64(efi + 16), 0x3f5ebc98);  /* config tables */
	assert_int_equal(get_le64(efi + 24), 0x3f520000);  /* SMBIOS */

	/* No segment in an EFI runtime range; the next e820 reserves them. */
	for (unsigned i = 0; i < sizeof(runtime_map) / sizeof(runtime_map[0]); i++) {
		uint64_t lo = runtime_map[i].phys, hi = lo + runtime_map[i].pages * 4096;

		for (unsigned s = 0; s < f->plan.nseg; s++)
			assert_false(f->plan.seg[s].mem < hi &&
				     lo < f->plan.seg[s].mem + f->plan.seg[s].memsz);
		for (size_t e = 0; e < f->plan.handed_map.n; e++) {
			const struct mem_range *r = &f->plan.handed_map.r[e];

			if (r->start < hi && lo < r->end)
				assert_int_not_equal(r->type, E820_RAM);
		}
	}
}

/* A MADT of `n` x2APIC CPUs (IDs 0..n-1, all enabled), as a big server's
 * firmware has it: 44 + 16 * n bytes. */
static uint8_t *x2apic_madt(unsigned n, size_t *len)
{
	uint8_t *t;

	*len = 44 + 16 * (size_t)n;
	t = calloc(1, *len);
	assert_non_null(t);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *e = t + 44 + 16 * i;

		e[0] = 9;                       /* Processor Local x2APIC */
		e[1] = 16;
		put_le32(e + 4, i);             /* x2APIC ID */
		put_le32(e + 8, 1);             /* enabled */
		put_le32(e + 12, i);            /* ACPI processor UID */
	}
	put_le32(t + 36, 0xfee00000);
	put_le32(t + 40, 1);
	acpi_sdt_init(t, "APIC", (uint32_t)*len);
	return t;
}

static bool overlap(const struct segment *a, const struct segment *b)
{
	return a->mem < b->mem + b->memsz && b->mem < a->mem + a->memsz;
}

/* 1024 x2APIC CPUs (a MADT of 16 KiB): every segment where the planner put
 * it, the ACPI tables segment as long as the tables in it (it was reserved
 * at 4 KiB whatever its size, and overlapped the park region). */
static void test_ovmf_park_1024_cpus(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	const struct segment *acpi;
	struct madt_cpus *next = malloc(sizeof(*next));
	uint8_t *madt, *saved = f->sv.madt;
	size_t len, saved_len = f->sv.madt_len;

	assert_non_null(next);
	madt = x2apic_madt(1024, &len);
	f->sv.madt = madt;
	f->sv.madt_len = len;
	if (plan(f, AP_HANDOFF_PARK, &err) < 0)
		fail_msg("%s", err.msg);
	f->sv.madt = saved;
	f->sv.madt_len = saved_len;
	assert_int_equal(f->plan.params.nr_aps, 1024);
	assert_true(f->plan.params.flags & MPK_PF_PARK_APS);
	for (unsigned i = 0; i < f->plan.nseg; i++)
		for (unsigned j = 0; j < i; j++)
			if (overlap(&f->plan.seg[i], &f->plan.seg[j]))
				fail_msg("%s [%#llx, +%#llx) overlaps %s [%#llx, +%#llx)",
					 f->plan.seg[i].what, (unsigned long long)f->plan.seg[i].mem,
					 (unsigned long long)f->plan.seg[i].memsz, f->plan.seg[j].what,
					 (unsigned long long)f->plan.seg[j].mem,
					 (unsigned long long)f->plan.seg[j].memsz);
	acpi = seg(&f->plan, "ACPI tables");
	assert_true(acpi->bufsz >= f->plan.acpi.madt_off + f->plan.acpi.madt_len);
	assert_true(acpi->memsz >= acpi->bufsz);
	assert_true(f->plan.acpi.madt_len >= len + 16);
	assert_int_equal(f->plan.params.madt_addr, acpi->mem + f->plan.acpi.madt_off);
	assert_true(acpi_handoff_lists(&f->plan.acpi, f->plan.params.madt_addr));
	assert_int_equal(madt_parse_cpus(acpi->buf + f->plan.acpi.madt_off, f->plan.acpi.madt_len,
					 next, &err), 0);
	assert_int_equal(next->n, 1024);
	/* the handed map types the whole tables segment ACPI */
	for (size_t e = 0; e < f->plan.handed_map.n; e++) {
		const struct mem_range *r = &f->plan.handed_map.r[e];

		if (r->start < acpi->mem + acpi->memsz && acpi->mem < r->end)
			assert_int_equal(r->type, E820_ACPI);
	}
	free(next);
	free(madt);
}

/* --park-addr in park mode: the region goes exactly there, or the plan is
 * refused (it used to be ignored, the planner choosing the place). */
static void test_ovmf_park_addr(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	static const struct {
		uint64_t at;
		const char *msg;
	} bad[] = {
		{ 0xfffffffffffff000ull, "--park-addr=0xfffffffffffff000: the park region needs "
		  "0x45000 bytes, 4 KiB aligned, between 1 MiB and 4 GiB" },
		{ 0xffffffffffffffffull, "--park-addr=0xffffffffffffffff: the park region needs "
		  "0x45000 bytes, 4 KiB aligned, between 1 MiB and 4 GiB" },
		{ 0xfffef000ull, "--park-addr=0xfffef000: the park region needs 0x45000 bytes, "
		  "4 KiB aligned, between 1 MiB and 4 GiB" },
		{ 0x2000000ull, "--park-addr=0x2000000: [0x2000000, 0x2045000) is not free RAM "
		  "(firmware's memory map, the running kernel's image or another segment has "
		  "it); choose free RAM below 4 GiB (mpkexec --plan lists the segments)" },
		{ 0x3f76c000ull, "--park-addr=0x3f76c000: [0x3f76c000, 0x3f7b1000) is not free "
		  "RAM (firmware's memory map, the running kernel's image or another segment has "
		  "it); choose free RAM below 4 GiB (mpkexec --plan lists the segments)" },
	};

	if (plan_at(f, AP_HANDOFF_PARK, 0x20000000, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(f->plan.park_base, 0x20000000);
	assert_int_equal(f->plan.params.park_base, 0x20000000);
	assert_int_equal(seg(&f->plan, "park region")->mem, 0x20000000);
	assert_true(f->plan.params.flags & MPK_PF_PARK_APS);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(plan_at(f, AP_HANDOFF_PARK, bad[i].at, &err), -1);
		assert_int_equal(err.exit_code, MPK_EXIT_USAGE);
		assert_string_equal(err.msg, bad[i].msg);
		assert_int_equal(f->plan.nseg, 0);       /* nothing to load */
	}
}

/* init: firmware's own tables, found through the EFI system table. */
static void test_ovmf_init(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };

	if (plan(f, AP_HANDOFF_INIT, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(get_le64(seg(&f->plan, "boot_params")->buf + BP_ACPI_RSDP_ADDR),
			 0x3f77d014);
	assert_string_equal(f->plan.acpi_desc, "firmware's own (RSDP 0x3f77d014, "
			    "/sys/firmware/efi/systab)");
	assert_int_equal(get_le32(seg(&f->plan, "boot_params")->buf + BP_EFI_INFO),
			 EFI_LOADER_SIGNATURE_64);
}

/* A kernel that cannot take EFI over a kexec gets none, and --plan says so. */
static void test_kernel_without_efi_kexec(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };

	put_le16(f->kernel + HDR_XLOADFLAGS, get_le16(f->kernel + HDR_XLOADFLAGS) &
		 ~XLF_EFI_KEXEC);
	if (plan(f, AP_HANDOFF_PARK, &err) < 0)
		fail_msg("%s", err.msg);
	put_le16(f->kernel + HDR_XLOADFLAGS, get_le16(f->kernel + HDR_XLOADFLAGS) |
		 XLF_EFI_KEXEC);
	assert_string_equal(f->plan.efi_desc, "kernel 'vmlinuz-6.1' does not take EFI runtime "
			    "state over a kexec (no XLF_EFI_KEXEC in its xloadflags)");
	assert_int_equal(get_le32(seg(&f->plan, "boot_params")->buf + BP_EFI_INFO), 0);
}

static void test_unaccepted(void **state)
{
	struct fix *f = *state;
	struct sysview sv = f->sv;
	struct mpk_error err = { 0 };

	sv.have_unaccepted = true;
	sv.unaccepted_kb = 0;
	assert_int_equal(unaccepted_check(&sv, "no EFI", &err), 0);
	sv.unaccepted_kb = 1024;
	snprintf(sv.osrelease, sizeof(sv.osrelease), "6.12.117+deb12-amd64");
	assert_int_equal(unaccepted_check(&sv, NULL, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_UNAVAILABLE);
	assert_string_equal(err.msg, "unaccepted memory: 1024 kB of RAM is not accepted yet "
			    "(/proc/meminfo Unaccepted) and this kernel (6.12.117+deb12-amd64) "
			    "predates Linux 6.15, whose kexec accepts segment destinations; a "
			    "segment there would end the guest at -e.  Boot this kernel with "
			    "accept_memory=eager, or kexec from Linux >= 6.15");
	snprintf(sv.osrelease, sizeof(sv.osrelease), "6.15.0");
	assert_int_equal(unaccepted_check(&sv, NULL, &err), 0);
	assert_int_equal(unaccepted_check(&sv, "no /sys/firmware/efi", &err), -1);
	assert_string_equal(err.msg, "unaccepted memory: 1024 kB of RAM is not accepted yet, "
			    "and the next kernel learns which only from the EFI configuration "
			    "table, which cannot be handed over (no /sys/firmware/efi)");
	assert_true(meminfo_kb("MemTotal: 5 kB\nUnaccepted:     2048 kB\n", "Unaccepted:",
			       &sv.unaccepted_kb));
	assert_int_equal(sv.unaccepted_kb, 2048);
	assert_false(meminfo_kb("MemTotal: 5 kB\n", "Unaccepted:", &sv.unaccepted_kb));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ovmf_park, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_ovmf_park_1024_cpus, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_ovmf_park_addr, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_ovmf_init, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_kernel_without_efi_kexec, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_unaccepted, fix_setup, fix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
