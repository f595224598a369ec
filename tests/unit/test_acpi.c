/* SPDX-License-Identifier: GPL-2.0-only */
/* The tables handed to a parked next kernel: the MADT rewrite (wakeup
 * structure, CPU flag offsets), the RSDP/XSDT/RSDT rewrite, the firmware
 * snapshot carried between generations, the park region image, and the
 * e820 retyping. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi.h"
#include "acpi-fixture.h"
#include "bytes.h"
#include "madt.h"
#include "memmap.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/park-abi.h"
#include "park-region.h"
#include "sysview.h"
#include "tree-fixture.h"

#define X2APIC_AML FIXTURES "/madt-x2apic.aml"

/* Walks a MADT; returns the offset of the first entry of `type`, or 0. */
static size_t find_entry(const uint8_t *t, uint8_t type, unsigned *count)
{
	size_t first = 0;

	*count = 0;
	for (size_t off = 44; off + 2 <= get_le32(t + 4); off += t[off + 1]) {
		if (t[off] != type)
			continue;
		if (!*count)
			first = off;
		(*count)++;
	}
	return first;
}

static void test_madt_v1_wakeup_on_q35(void **state)
{
	struct mpk_error err = { 0 };
	uint32_t flags_off[MPK_MAX_APS];
	size_t len, olen;
	uint8_t *t = read_file(Q35_APIC, &len), *m;
	struct madt_cpus *cpus = malloc(sizeof(*cpus));
	struct madt_wakeup w;
	unsigned n;
	size_t off;

	(void)state;
	assert_int_equal(madt_with_wakeup(t, len, 0x3e773000, 0x3e774020, 1, &m, &olen,
					  flags_off, &err), 0);
	assert_int_equal(olen, len + 24);
	assert_int_equal(get_le32(m + 4), olen);
	assert_int_equal(acpi_checksum(m, olen), 0);
	/* every original byte kept, in order, before the new structure */
	assert_memory_equal(m + 10, t + 10, len - 10);
	off = find_entry(m, MADT_MP_WAKEUP, &n);
	assert_int_equal(n, 1);
	assert_int_equal(off, len);
	assert_int_equal(m[off + 1], 24);
	assert_int_equal(get_le16(m + off + 2), 1);
	assert_int_equal(get_le32(m + off + 4), 0);
	assert_int_equal(get_le64(m + off + 8), 0x3e773000);
	assert_int_equal(get_le64(m + off + 16), 0x3e774020);
	assert_int_equal(madt_find_wakeup(m, olen, &w), 1);
	assert_int_equal(w.version, 1);
	assert_int_equal(w.reset_vector, 0x3e774020);
	/* the flag offsets point at the flags of APIC IDs 0..3, in order */
	assert_int_equal(madt_parse_cpus(m, olen, cpus, &err), 0);
	assert_int_equal(cpus->n, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(m[flags_off[i] - 4], MADT_LOCAL_APIC);
		assert_int_equal(m[flags_off[i] - 1], cpus->apic_id[i]);
		assert_int_equal(get_le32(m + flags_off[i]) & 1, 1);
	}
	assert_int_equal(madt_find_wakeup(t, len, &w), 0);
	free(cpus);
	free(m);
	free(t);
}

/* Dumped from a QEMU 7.2 i440fx (-machine pc) guest: SeaBIOS builds the
 * same MADT for pc and q35, byte for byte, and the test says so. */
static void test_madt_i440fx(void **state)
{
	struct mpk_error err = { 0 };
	uint32_t flags_off[MPK_MAX_APS];
	size_t len, qlen, olen;
	uint8_t *t = read_file(FIXTURES "/i440fx-APIC", &len), *q = read_file(Q35_APIC, &qlen), *m;
	struct madt_cpus *cpus = malloc(sizeof(*cpus));

	(void)state;
	assert_int_equal(len, qlen);
	assert_memory_equal(t, q, len);
	assert_int_equal(madt_parse_cpus(t, len, cpus, &err), 0);
	assert_int_equal(cpus->n, 4);
	assert_int_equal(madt_with_wakeup(t, len, 0x7000000, 0x7001020, 1, &m, &olen, flags_off,
					  &err), 0);
	assert_int_equal(acpi_checksum(m, olen), 0);
	free(m);
	free(cpus);
	free(q);
	free(t);
}

static void test_madt_x2apic_offsets(void **state)
{
	struct mpk_error err = { 0 };
	uint32_t flags_off[MPK_MAX_APS];
	size_t len, olen;
	uint8_t *t = read_file(X2APIC_AML, &len), *m;

	(void)state;
	assert_int_equal(madt_with_wakeup(t, len, 0x1000000, 0, 0, &m, &olen, flags_off, &err), 0);
	assert_int_equal(olen, len + 16); /* version 0: no ResetVector */
	assert_int_equal(acpi_checksum(m, olen), 0);
	assert_int_equal(m[flags_off[2] - 8], MADT_LOCAL_X2APIC);
	assert_int_equal(get_le32(m + flags_off[2] - 4), 0x100);
	assert_int_equal(get_le32(m + flags_off[3] - 4), 0x101);
	free(m);
	free(t);
}

/* A hand-built MADT that already has a v0 wakeup structure: it is replaced,
 * never duplicated (Linux only reads the first one). */
static void test_madt_existing_v0_replaced(void **state)
{
	struct mpk_error err = { 0 };
	uint32_t flags_off[MPK_MAX_APS];
	uint8_t t[44 + 8 + 16 + 8] = { 'A', 'P', 'I', 'C' }, *m;
	size_t olen, off;
	struct madt_wakeup w;
	unsigned n;

	(void)state;
	put_le32(t + 4, sizeof(t));
	t[8] = 5;
	t[44] = MADT_LOCAL_APIC, t[45] = 8, t[47] = 0, put_le32(t + 48, 1);
	t[52] = MADT_MP_WAKEUP, t[53] = 16, put_le64(t + 60, 0xfee1000);
	t[68] = MADT_LOCAL_APIC, t[69] = 8, t[71] = 1, put_le32(t + 72, 1);
	acpi_set_checksum(t, sizeof(t));
	assert_int_equal(madt_find_wakeup(t, sizeof(t), &w), 1);
	assert_int_equal(w.version, 0);
	assert_int_equal(w.mailbox, 0xfee1000);
	assert_int_equal(w.reset_vector, 0);
	assert_int_equal(madt_with_wakeup(t, sizeof(t), 0x5000000, 0x5001020, 1, &m, &olen,
					  flags_off, &err), 0);
	assert_int_equal(olen, sizeof(t) - 16 + 24);
	off = find_entry(m, MADT_MP_WAKEUP, &n);
	assert_int_equal(n, 1);
	assert_int_equal(get_le64(m + off + 8), 0x5000000);
	assert_int_equal(m[flags_off[1] - 1], 1);
	assert_int_equal(acpi_checksum(m, olen), 0);
	free(m);
}

static void test_madt_bad_input_rejected(void **state)
{
	struct mpk_error err = { 0 };
	uint32_t flags_off[MPK_MAX_APS];
	size_t len, olen;
	uint8_t *t = read_file(Q35_APIC, &len), *m = (uint8_t *)1;

	(void)state;
	t[20] ^= 1; /* checksum now wrong */
	assert_int_equal(madt_with_wakeup(t, len, 0x1000, 0, 1, &m, &olen, flags_off, &err), -1);
	assert_null(m);
	assert_non_null(strstr(err.msg, "checksum"));
	free(t);
}

/* The new tables: a copy of each carried table, the MADT replaced, the
 * status table appended, DSDT and FACS left where the FADT names them. */
static void test_tables_rewrite(void **state)
{
	struct acpi_tableset ts;
	struct mpk_error err = { 0 };
	struct acpi_handoff h;
	const uint64_t base = 0x3e772000, status = 0x3e774000 + PARK_STATUS_OFF;
	const char *order[] = { "FACP", "HPET", "SSDT1", "SSDT2" };
	uint8_t *rsdp, *xsdt, *rsdt;
	uint8_t madt[144];
	uint64_t dsdt, facs;

	(void)state;
	fixture_tableset(&ts);
	assert_int_equal(ts.n, 7);
	assert_string_equal(ts.t[0].name, "FACP");
	memcpy(madt, acpi_tableset_find(&ts, "APIC")->data, sizeof(madt));
	madt[40] ^= 0x5a;                                /* "ours", not the sysfs one */
	acpi_set_checksum(madt, sizeof(madt));
	assert_int_equal(acpi_build_handoff(&ts, madt, sizeof(madt), status, base, &h, &err), 0);
	assert_int_equal(h.len, acpi_handoff_size(&ts, sizeof(madt), true));
	assert_int_equal(h.ncopied, 4);
	assert_int_equal(h.rsdp_addr, base);
	rsdp = h.buf;
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_memory_equal(rsdp + 9, "BOCHS ", 6);      /* firmware's OEM, from the FADT */
	assert_int_equal(rsdp[15], 2);
	assert_int_equal(acpi_checksum(rsdp, 20), 0);
	assert_int_equal(acpi_checksum(rsdp, 36), 0);
	xsdt = h.buf + (get_le64(rsdp + 24) - base);
	rsdt = h.buf + (get_le32(rsdp + 16) - base);
	assert_memory_equal(xsdt, "XSDT", 4);
	assert_memory_equal(xsdt + 10, "BOCHS BXPC    ", 14);
	assert_int_equal(get_le32(xsdt + 4), 36 + 6 * 8);
	assert_int_equal(acpi_checksum(xsdt, 36 + 6 * 8), 0);
	assert_memory_equal(rsdt, "RSDT", 4);
	assert_int_equal(get_le32(rsdt + 4), 36 + 6 * 4);
	assert_int_equal(acpi_checksum(rsdt, 36 + 6 * 4), 0);
	for (unsigned i = 0; i < 4; i++) {
		const struct acpi_table *t = acpi_tableset_find(&ts, order[i]);
		uint64_t at = get_le64(xsdt + 36 + i * 8);

		assert_int_equal(get_le32(rsdt + 36 + i * 4), at);
		assert_true(at >= base && at + t->len <= base + h.len);
		assert_int_equal(at & 15, 0);
		assert_memory_equal(h.buf + (at - base), t->data, t->len);  /* bytes unchanged */
	}
	assert_int_equal(get_le64(xsdt + 36 + 4 * 8), h.madt_addr);
	assert_true(acpi_handoff_lists(&h, h.madt_addr));
	assert_true(acpi_handoff_lists(&h, status));
	assert_false(acpi_handoff_lists(&h, h.madt_addr + 16));
	put_le32(rsdt + 36 + 4 * 4, 0x1234);       /* the RSDT alone loses it */
	assert_false(acpi_handoff_lists(&h, h.madt_addr));
	put_le32(rsdt + 36 + 4 * 4, (uint32_t)h.madt_addr);
	put_le32(xsdt + 4, 36 + 4 * 8);            /* an XSDT cut before it */
	assert_false(acpi_handoff_lists(&h, h.madt_addr));
	put_le32(xsdt + 4, 1u << 31);              /* an XSDT longer than the buffer */
	assert_false(acpi_handoff_lists(&h, h.madt_addr));
	put_le32(xsdt + 4, 36 + 6 * 8);
	put_le64(rsdp + 24, base + h.len);         /* an RSDP pointing past the buffer */
	assert_false(acpi_handoff_lists(&h, h.madt_addr));
	put_le64(rsdp + 24, base - 16);
	assert_false(acpi_handoff_lists(&h, h.madt_addr));
	put_le64(rsdp + 24, base + (uint64_t)(xsdt - h.buf));
	assert_true(acpi_handoff_lists(&h, h.madt_addr));
	assert_int_equal(get_le64(xsdt + 36 + 5 * 8), status);
	assert_int_equal(get_le32(rsdt + 36 + 5 * 4), status);
	assert_memory_equal(h.buf + h.madt_off, madt, sizeof(madt));
	assert_int_equal(h.madt_addr & 15, 0);
	/* The copied FADT still names firmware's DSDT and FACS. */
	acpi_fadt_pointers(acpi_tableset_find(&ts, "FACP"), &dsdt, &facs);
	assert_int_equal(dsdt, DSDT_AT);
	assert_int_equal(facs, FACS_AT);
	acpi_handoff_free(&h);
	/* Above 4 GiB an RSDT cannot name them. */
	assert_int_equal(acpi_build_handoff(&ts, madt, sizeof(madt), status, 0xfffffe00, &h,
					    &err), -1);
	assert_string_equal(err.msg, "ACPI tables must lie below 4 GiB (RSDT)");
	acpi_tableset_free(&ts);
}

static void test_tableset_errors(void **state)
{
	struct acpi_tableset ts = { 0 };
	struct mpk_error err = { 0 };
	uint8_t t[64] = { 0 };

	(void)state;
	acpi_sdt_init(t, "HPET", 56);
	assert_int_equal(acpi_tableset_add(&ts, "HPET", t, 64, &err), -1);
	assert_string_equal(err.msg, "ACPI table 'HPET': header length 56, but the kernel "
			    "exports 64 bytes");
	assert_int_equal(acpi_tableset_add(&ts, "SSDT", t, 56, &err), -1);
	assert_string_equal(err.msg, "ACPI table 'SSDT': 56 bytes that do not start with its "
			    "signature");
	assert_int_equal(acpi_tableset_add(&ts, "HPETx", t, 56, &err), -1);
	assert_string_equal(err.msg, "ACPI table 'HPETx': not a table name (signature plus "
			    "instance number)");
	assert_int_equal(acpi_tableset_add(&ts, "HPET", t, 7, &err), -1);
	put_le32(t + 4, 20);
	assert_int_equal(acpi_tableset_add(&ts, "HPET", t, 20, &err), -1);
	assert_int_equal(ts.n, 0);
	/* SSDT10 sorts after SSDT9, FACP first. */
	acpi_sdt_init(t, "SSDT", 40);
	assert_int_equal(acpi_tableset_add(&ts, "SSDT10", t, 40, &err), 0);
	assert_int_equal(acpi_tableset_add(&ts, "SSDT9", t, 40, &err), 0);
	acpi_sdt_init(t, "FACP", 40);
	assert_int_equal(acpi_tableset_add(&ts, "FACP", t, 40, &err), 0);
	acpi_tableset_sort(&ts);
	assert_string_equal(ts.t[0].name, "FACP");
	assert_string_equal(ts.t[1].name, "SSDT9");
	assert_string_equal(ts.t[2].name, "SSDT10");
	acpi_tableset_free(&ts);
}

/* sysview_acpi_tables: regular files only (not data/ or dynamic/). */
static void test_tableset_from_dir(void **state)
{
	char dir[] = "/tmp/mpk-acpi-XXXXXX", path[256], why[200] = "";
	struct acpi_tableset ts;
	uint8_t t[40];

	(void)state;
	assert_non_null(mkdtemp(dir));
	acpi_sdt_init(t, "SSDT", 40);
	put_bytes(dir, "SSDT", t, sizeof(t));
	snprintf(path, sizeof(path), "%s/dynamic", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(sysview_acpi_tables(dir, "", &ts, why, sizeof(why)), 0);
	assert_int_equal(ts.n, 1);
	assert_string_equal(ts.t[0].name, "SSDT");
	acpi_tableset_free(&ts);
	/* A damaged table: the whole set is refused, naming the file. */
	put_bytes(dir, "HPET", t, sizeof(t));
	assert_int_equal(sysview_acpi_tables(dir, "", &ts, why, sizeof(why)), -1);
	assert_string_equal(why, "/HPET: ACPI table 'HPET': 40 bytes that do not start with "
			    "its signature");
	assert_int_equal(ts.n, 0);
	assert_int_equal(sysview_acpi_tables(dir, "/nonexistent", &ts, why, sizeof(why)), -1);
	assert_string_equal(why, "cannot list /nonexistent: No such file or directory");
	rmdir(path);
	snprintf(path, sizeof(path), "%s/HPET", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/SSDT", dir);
	unlink(path);
	rmdir(dir);
}

static void test_snapshot_roundtrip(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t *snap, *old, *madt, *fw;
	size_t n, madt_len, fw_len;
	uint64_t rsdp;
	struct mpk_acpi_snapshot hdr;

	(void)state;
	fw = read_file(Q35_APIC, &fw_len);
	n = acpi_snapshot_size(fw_len);
	snap = malloc(n);
	acpi_snapshot_write(snap, 0xf59e0, fw, fw_len);
	assert_int_equal(acpi_snapshot_read(snap, n, &rsdp, &madt, &madt_len, &err), 0);
	assert_int_equal(rsdp, 0xf59e0);
	assert_int_equal(madt_len, fw_len);
	assert_memory_equal(madt, fw, madt_len);
	free(madt);
	/* truncated, or the MADT damaged in transit: refused */
	assert_int_equal(acpi_snapshot_read(snap, n - 1, &rsdp, &madt, &madt_len, &err), -1);
	snap[sizeof(struct mpk_acpi_snapshot) + 40] ^= 1;
	assert_int_equal(acpi_snapshot_read(snap, n, &rsdp, &madt, &madt_len, &err), -1);
	assert_string_equal(err.msg, "ACPI snapshot: bad MADT copy");
	assert_null(madt);
	/* An earlier mpkexec's snapshot (XSDT and RSDT before the MADT) still reads. */
	old = calloc(1, n + 60 + 44);
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = MPK_ACPI_SNAPSHOT_MAGIC;
	hdr.xsdt_len = 60;
	hdr.rsdt_len = 44;
	hdr.madt_len = (uint32_t)fw_len;
	hdr.rsdp_addr = 0xf5000;
	memcpy(old, &hdr, sizeof(hdr));
	memcpy(old + sizeof(hdr) + 104, fw, fw_len);
	assert_int_equal(acpi_snapshot_read(old, n + 104, &rsdp, &madt, &madt_len, &err), 0);
	assert_int_equal(rsdp, 0xf5000);
	assert_memory_equal(madt, fw, fw_len);
	free(madt);
	free(old);
	free(snap);
	free(fw);
}

static void test_park_region_layout(void **state)
{
	uint8_t *r = calloc(1, PARK_REGION_SIZE), tr[4096];
	const uint64_t base = 0x3e773000;
	const uint32_t ids[3] = { 0, 1, 0x100 };
	const uint8_t *code = park_code_blob, *st = r + PARK_STATUS_OFF;

	(void)state;
	assert_int_equal(park_code_blob_end - park_code_blob, 4096);
	assert_int_equal(trampoline_blob_end - trampoline_blob, 4096);
	park_region_build(r, base, code, ids, 3, 1);
	/* mailbox empty, header in the firmware half */
	for (unsigned i = 0; i < 0x800; i++)
		assert_int_equal(r[i], 0);
	assert_int_equal(get_le64(r + PARK_HEADER_OFF), PARK_MAGIC);
	assert_int_equal(get_le32(r + PARK_HEADER_OFF + PARK_HDR_NR_CPUS), 3);
	assert_int_equal(get_le64(r + PARK_HEADER_OFF + 0x20), base + 0x1020);
	/* code page: patched CR3s and GDT base, otherwise the assembled page */
	assert_int_equal(get_le64(r + PARK_CODE_OFF + PARK_CODE_CR3_4LEVEL), base + PARK_PT_PML4);
	assert_int_equal(get_le64(r + PARK_CODE_OFF + PARK_CODE_CR3_5LEVEL), base + PARK_PT_PML5);
	assert_int_equal(get_le64(r + PARK_CODE_OFF + PARK_CODE_GDT_DESC + 2),
			 base + PARK_CODE_OFF + PARK_CODE_GDT);
	assert_memory_equal(r + PARK_CODE_OFF, code, PARK_CODE_IDT_LOOP);
	assert_memory_equal(r + PARK_CODE_OFF + PARK_CODE_IDT_ENTRY + PARK_IDT_GATES * 16,
			    code + PARK_CODE_IDT_ENTRY + PARK_IDT_GATES * 16,
			    PARK_CODE_CR3_4LEVEL - PARK_CODE_IDT_ENTRY - PARK_IDT_GATES * 16);
	/* ABI 2: both IDTs, gates made absolute, 32 vectors each */
	assert_int_equal(get_le16(r + PARK_CODE_OFF + PARK_CODE_IDT_LOOP_DESC), 32 * 16 - 1);
	assert_int_equal(get_le64(r + PARK_CODE_OFF + PARK_CODE_IDT_LOOP_DESC + 2),
			 base + PARK_CODE_OFF + PARK_CODE_IDT_LOOP);
	assert_int_equal(get_le16(r + PARK_CODE_OFF + PARK_CODE_IDT_ENTRY_DESC), 32 * 16 - 1);
	assert_int_equal(get_le64(r + PARK_CODE_OFF + PARK_CODE_IDT_ENTRY_DESC + 2),
			 base + PARK_CODE_OFF + PARK_CODE_IDT_ENTRY);
	for (unsigned g = 0; g < 2 * PARK_IDT_GATES; g++) {
		const uint8_t *gate = r + PARK_CODE_OFF + PARK_CODE_IDT_LOOP + g * 16;
		uint64_t addr = get_le16(gate) | (uint64_t)get_le16(gate + 6) << 16 |
				(uint64_t)get_le32(gate + 8) << 32;

		assert_int_equal(get_le16(gate + 2), PARK_GDT_CODE64);
		assert_int_equal(gate[4], 0);    /* IST 0 */
		assert_int_equal(gate[5], 0x8e); /* present, DPL 0, 64-bit interrupt gate */
		assert_in_range(addr, base + PARK_CODE_OFF, base + PARK_CODE_OFF + PARK_CODE_TEXT_END - 1);
		assert_int_equal(addr - base - PARK_CODE_OFF, get_le16(code + PARK_CODE_IDT_LOOP + g * 16));
	}
	{	/* the loop's NMI handler (vector 2) is IRETQ: 48 cf */
		const uint8_t *gate = r + PARK_CODE_OFF + PARK_CODE_IDT_LOOP + 2 * 16;
		uint64_t nmi = get_le16(gate) | (uint64_t)get_le16(gate + 6) << 16;

		assert_int_equal(r[nmi - base], 0x48);
		assert_int_equal(r[nmi - base + 1], 0xcf);
	}
	/* spare-stack owners free, stacks zero, region ends with the last stack */
	for (unsigned i = PARK_SPARE_OFF; i < PARK_REGION_SIZE; i++)
		assert_int_equal(r[i], 0);
	assert_int_equal(PARK_REGION_SIZE, 0x45000);
	assert_int_equal(get_le32(r + PARK_HEADER_OFF + 0x0c), PARK_REGION_SIZE);
	assert_int_equal(get_le32(r + PARK_HEADER_OFF + 0x08), 2);
	/* identity map: PML5 -> PML4 -> PDPT -> 4 PDs of 2 MiB pages */
	assert_int_equal(get_le64(r + PARK_PT_PML5), base + PARK_PT_PML4 + 3);
	assert_int_equal(get_le64(r + PARK_PT_PML4), base + PARK_PT_PDPT + 3);
	assert_int_equal(get_le64(r + PARK_PT_PDPT + 3 * 8), base + PARK_PT_PD0 + 3 * 4096 + 3);
	assert_int_equal(get_le64(r + PARK_PT_PD0 + 3 * 4096 + 511 * 8),
			 0xffe00000ull | 0x83);
	/* status table: a valid ACPI table with the records */
	assert_memory_equal(st, "MPKP", 4);
	assert_int_equal(get_le32(st + 4), PARK_STATUS_LEN(3));
	assert_int_equal(acpi_checksum(st, PARK_STATUS_LEN(3)), 0);
	assert_int_equal(get_le64(st + 44), base);
	assert_int_equal(get_le32(r + PARK_CPUS_OFF + 2 * PARK_CPU_SIZE), 0x100);
	assert_int_equal(get_le32(r + PARK_CPUS_OFF + 2 * PARK_CPU_SIZE + PARK_CPU_STATE),
			 PARK_STATE_ABSENT);

	trampoline_build(tr, 0x9e000, base, trampoline_blob);
	assert_int_equal(tr[0], 0xfa); /* cli */
	assert_int_equal(get_le32(tr + TRAMP_GDT_DESC + 2), 0x9e000 + TRAMP_GDT);
	assert_int_equal(get_le32(tr + TRAMP_PM_JUMP),
			 0x9e000 + get_le32(trampoline_blob + TRAMP_PM32_OFF_CHECK));
	assert_int_equal(get_le16(tr + TRAMP_LM_JUMP + 4), PARK_GDT_CODE64);
	assert_int_equal(get_le64(tr + TRAMP_PARK_ENTRY), base + PARK_CODE_OFF + PARK_ENTRY_SIPI);
	free(r);
}

static void test_memmap_set_type(void **state)
{
	struct memmap m = { 0 };

	(void)state;
	memmap_add(&m, 0, 0x9fc00, E820_RAM);
	memmap_add(&m, 0x100000, 0x3ffdf000, E820_RAM);
	memmap_add(&m, 0x3ffdf000, 0x40000000, E820_RESERVED);
	assert_int_equal(memmap_set_type(&m, 0x3e772000, 0x3e773000, E820_ACPI), 0);
	assert_int_equal(memmap_set_type(&m, 0x3e773000, 0x3e785000, E820_NVS), 0);
	assert_int_equal(m.n, 6);
	assert_int_equal(m.r[1].start, 0x100000);
	assert_int_equal(m.r[1].end, 0x3e772000);
	assert_int_equal(m.r[2].type, E820_ACPI);
	assert_int_equal(m.r[3].start, 0x3e773000);
	assert_int_equal(m.r[3].end, 0x3e785000);
	assert_int_equal(m.r[3].type, E820_NVS);
	assert_int_equal(m.r[4].start, 0x3e785000);
	assert_int_equal(m.r[4].end, 0x3ffdf000);
	assert_int_equal(m.r[4].type, E820_RAM);
	memmap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_madt_v1_wakeup_on_q35),
		cmocka_unit_test(test_madt_i440fx),
		cmocka_unit_test(test_madt_x2apic_offsets),
		cmocka_unit_test(test_madt_existing_v0_replaced),
		cmocka_unit_test(test_madt_bad_input_rejected),
		cmocka_unit_test(test_tables_rewrite),
		cmocka_unit_test(test_tableset_errors),
		cmocka_unit_test(test_tableset_from_dir),
		cmocka_unit_test(test_snapshot_roundtrip),
		cmocka_unit_test(test_park_region_layout),
		cmocka_unit_test(test_memmap_set_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
