/* SPDX-License-Identifier: GPL-2.0-only */
/* mpkexec -p: the ELF core header builder (src/elfcore.c) against a
 * hand-checked fixture, the capture kernel's plan (arch/x86_64/crash-plan.c
 * through bzimage_plan) and -u -p.
 *
 * fixtures/elfcore-mini (synthetic, values chosen by hand):
 *   System RAM 0x1000-0x9fbff (below 1 MiB: left out of the dump),
 *              0x100000-0x7ffffff, 0x100000000-0x13fffffff
 *   Crash kernel 0x4000000-0x5ffffff (32 MiB)
 *   cpu0 crash_notes 0x1f1a000 size 456, cpu1 0x1f5a000 size 456
 *   vmcoreinfo "0x0000000001c3b000 1024" (hex size: 0x1024 = 4132)
 *   /proc/kcore: text vaddr 0xffffffff81000000 paddr 0x1000000 size
 *   0x2000000; RAM vaddr 0xffff888000100000 paddr 0x100000, so PAGE_OFFSET
 *   0xffff888000000000; a vmalloc entry without paddr (ignored). */
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
#include "elfcore.h"
#include "error.h"
#include "kexec-syscall.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/park-abi.h"
#include "mpkexec/purgatory-params.h"
#include "park-region.h"
#include "plan.h"
#include "purgatory-link.h"
#include "report.h"
#include "sysview.h"

#define MINI  FIXTURES "/elfcore-mini"
#define Q35C  FIXTURES "/q35-crash-sysroot"
#define Q35   FIXTURES "/q35-sysroot"
#define HEAD_PATH FIXTURES "/vmlinuz-6.1.head"
#define PURG ((size_t)(purgatory_blob_end - purgatory_blob))
#define CRASH_START 0x2f000000ull  /* q35-crash-sysroot: 256 MiB */
#define CRASH_END   0x3f000000ull

#define assert_msg_has(e, s)                                                    \
	do {                                                                    \
		if (!strstr((e).msg, (s)))                                      \
			fail_msg("error message \"%s\" lacks \"%s\"", (e).msg, (s)); \
	} while (0)

/* The ELF header, byte by byte (ELF64, LSB, ET_CORE, EM_X86_64, 7 phdrs). */
static const uint8_t want_ehdr[64] = {
	0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	4, 0, 62, 0, 1, 0, 0, 0,                 /* e_type, e_machine, e_version */
	0, 0, 0, 0, 0, 0, 0, 0,                  /* e_entry */
	64, 0, 0, 0, 0, 0, 0, 0,                 /* e_phoff */
	0, 0, 0, 0, 0, 0, 0, 0,                  /* e_shoff */
	0, 0, 0, 0,                              /* e_flags */
	64, 0, 56, 0, 7, 0, 0, 0, 0, 0, 0, 0,    /* ehsize, phentsize, phnum, sh* */
};

struct phdr { uint32_t type, flags; uint64_t off, vaddr, paddr, filesz, memsz; };

static const struct phdr want_ph[7] = {
	{ 4, 0, 0x1f1a000, 0, 0x1f1a000, 456, 456 },
	{ 4, 0, 0x1f5a000, 0, 0x1f5a000, 456, 456 },
	{ 4, 0, 0x1c3b000, 0, 0x1c3b000, 0x1024, 0x1024 },
	{ 1, 7, 0x1000000, 0xffffffff81000000ull, 0x1000000, 0x2000000, 0x2000000 },
	{ 1, 7, 0x100000, 0xffff888000100000ull, 0x100000, 0x3f00000, 0x3f00000 },
	{ 1, 7, 0x6000000, 0xffff888006000000ull, 0x6000000, 0x2000000, 0x2000000 },
	{ 1, 7, 0x100000000ull, 0xffff888100000000ull, 0x100000000ull, 0x40000000,
	  0x40000000 },
};

static struct elfcore_input input_of(const struct crash_view *cv)
{
	return (struct elfcore_input){
		.cpu_notes = cv->notes, .ncpu = cv->ncpu, .vmcoreinfo = cv->vmcoreinfo,
		.iomem = &cv->iomem, .crash = cv->region, .ncrash = cv->nregion,
		.have_text = cv->have_kcore, .text_vaddr = cv->text_vaddr,
		.text_paddr = cv->text_paddr, .text_size = cv->text_size,
		.page_offset = cv->page_offset,
	};
}

static void test_sysview_reads_crash_inputs(void **state)
{
	struct sysview sv = { 0 };

	(void)state;
	sysview_read_crash(MINI, &sv);
	assert_int_equal(sv.crash.nregion, 1);
	assert_int_equal(sv.crash.region[0].start, 0x4000000);
	assert_int_equal(sv.crash.region[0].end, 0x6000000);
	assert_int_equal(sv.crash.crash_size, 32 << 20);
	assert_int_equal(sv.crash.crash_loaded, 0);
	assert_int_equal(sv.crash.ncpu, 2);
	assert_int_equal(sv.crash.notes[1].addr, 0x1f5a000);
	assert_int_equal(sv.crash.notes[1].size, 456);
	assert_int_equal(sv.crash.vmcoreinfo.addr, 0x1c3b000);
	assert_int_equal(sv.crash.vmcoreinfo.size, 0x1024);
	assert_true(sv.crash.have_kcore);
	assert_int_equal(sv.crash.page_offset, 0xffff888000000000ull);
	assert_int_equal(sv.crash.text_vaddr, 0xffffffff81000000ull);
	assert_string_equal(sv.crash.lockdown, "");
	sysview_free(&sv);
}

static void test_elfcore_hand_checked(void **state)
{
	struct mpk_error err = { 0 };
	struct sysview sv = { 0 };
	struct elfcore_input in;
	uint8_t *b;
	size_t len;

	(void)state;
	sysview_read_crash(MINI, &sv);
	in = input_of(&sv.crash);
	assert_int_equal(elfcore_build(&in, &b, &len, &err), 0);
	assert_int_equal(len, 1024); /* 64 + 7 * 56 = 456, rounded to 1 KiB */
	assert_memory_equal(b, want_ehdr, sizeof(want_ehdr));
	for (unsigned i = 0; i < 7; i++) {
		const uint8_t *ph = b + 64 + i * 56;

		assert_int_equal(get_le32(ph), want_ph[i].type);
		assert_int_equal(get_le32(ph + 4), want_ph[i].flags);
		assert_int_equal(get_le64(ph + 8), want_ph[i].off);
		assert_int_equal(get_le64(ph + 16), want_ph[i].vaddr);
		assert_int_equal(get_le64(ph + 24), want_ph[i].paddr);
		assert_int_equal(get_le64(ph + 32), want_ph[i].filesz);
		assert_int_equal(get_le64(ph + 40), want_ph[i].memsz);
		assert_int_equal(get_le64(ph + 48), 0); /* p_align */
	}
	for (size_t i = 64 + 7 * 56; i < len; i++)
		assert_int_equal(b[i], 0);
	free(b);
	sysview_free(&sv);
}

/* Two crash ranges (crashkernel=X,high plus its low part) in one RAM range,
 * one at its very start. */
static void test_elfcore_two_crash_ranges(void **state)
{
	struct mpk_error err = { 0 };
	struct mem_range ram_r[] = { { 0x100000, 0x10000000, E820_RAM } };
	struct memmap ram = { ram_r, 1 };
	struct mem_range crash[] = { { 0x8000000, 0x9000000, E820_RAM },
				     { 0x100000, 0x200000, E820_RAM } };
	struct elfcore_note note = { 0x3000000, 100 };
	struct elfcore_input in = { .cpu_notes = &note, .ncpu = 1, .iomem = &ram,
				    .crash = crash, .ncrash = 2, .page_offset = 0 };
	uint8_t *b;
	size_t len;

	(void)state;
	assert_int_equal(elfcore_build(&in, &b, &len, &err), 0);
	assert_int_equal(get_le16(b + 56), 3);
	assert_int_equal(get_le64(b + 64 + 56 + 24), 0x200000);
	assert_int_equal(get_le64(b + 64 + 56 + 32), 0x8000000 - 0x200000);
	assert_int_equal(get_le64(b + 64 + 112 + 24), 0x9000000);
	assert_int_equal(get_le64(b + 64 + 112 + 32), 0x10000000 - 0x9000000);
	free(b);
}

static void test_elfcore_no_cpus(void **state)
{
	struct mpk_error err = { 0 };
	struct elfcore_input in = { 0 };
	uint8_t *b;
	size_t len;

	(void)state;
	assert_int_equal(elfcore_build(&in, &b, &len, &err), -1);
	assert_int_equal(err.exit_code, 65);
	assert_msg_has(err, "no CPU crash notes");
	assert_null(b);
}

static void test_parsers(void **state)
{
	struct elfcore_note n;
	unsigned ids[8], cnt;
	uint64_t v;
	char mode[32];

	(void)state;
	assert_true(elfcore_parse_hex("3fc16f00\n", &v));
	assert_int_equal(v, 0x3fc16f00);
	assert_false(elfcore_parse_hex("-1\n", &v));
	assert_false(elfcore_parse_hex("12 34\n", &v));
	assert_true(elfcore_parse_vmcoreinfo("2c3b000 1024\n", &n)); /* older "%lx %x" */
	assert_int_equal(n.size, 0x1024);
	assert_false(elfcore_parse_vmcoreinfo("0xffffffffffffffff 10\n", &n));
	assert_true(elfcore_parse_cpulist("0-3,6\n", ids, 8, &cnt));
	assert_int_equal(cnt, 5);
	assert_int_equal(ids[4], 6);
	assert_false(elfcore_parse_cpulist("3-1\n", ids, 8, &cnt));
	assert_false(elfcore_parse_cpulist("0-9\n", ids, 8, &cnt));
	lockdown_mode("none [integrity] confidentiality\n", mode, sizeof(mode));
	assert_string_equal(mode, "integrity");
	lockdown_mode("[none] integrity confidentiality\n", mode, sizeof(mode));
	assert_string_equal(mode, "");
}

/* The plan of a capture kernel on q35-crash-sysroot. */
struct fix {
	struct sysview sv;
	uint8_t *kernel;
	size_t ksize;
	struct load_plan plan;
};

static int fix_setup(void **state)
{
	struct mpk_error err = { 0 };
	struct fix *f = calloc(1, sizeof(*f));
	FILE *h = fopen(HEAD_PATH, "rb");

	if (!f || !h || sysview_read(Q35C, &f->sv, &err) < 0)
		return -1;
	sysview_read_crash(Q35C, &f->sv);
	f->ksize = 0x5000 + 0x7d8200;
	f->kernel = calloc(1, f->ksize);
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

static struct load_request crash_request(struct fix *f, bool hotplug)
{
	return (struct load_request){
		.kernel_path = "vmlinuz-6.1", .kernel = { .data = f->kernel, .size = f->ksize },
		.cmdline = "irqpoll nr_cpus=1 reset_devices", .verify = true,
		.serial_port = 0x3f8, .ap_handoff = AP_HANDOFF_INIT, .crash = true,
		.hotplug = hotplug,
	};
}

static void test_crash_plan(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct load_request rq = crash_request(f, false);
	const struct segment *hdr = NULL;
	const struct memmap *m = &f->plan.handed_map;
	char want[128];
	bool region_ram = false;

	assert_int_equal(bzimage_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err), 0);
	/* every segment and the entry inside the crash region */
	for (unsigned i = 0; i < f->plan.nseg; i++) {
		const struct segment *s = &f->plan.seg[i];

		if (s->mem < CRASH_START || s->mem + s->memsz > CRASH_END)
			fail_msg("%s at %#llx-%#llx: outside the crash region", s->what,
				 (unsigned long long)s->mem,
				 (unsigned long long)(s->mem + s->memsz));
		if (strcmp(s->what, "elfcorehdr") == 0)
			hdr = s;
	}
	assert_true(f->plan.entry >= CRASH_START && f->plan.entry < CRASH_END);
	assert_non_null(hdr);
	assert_true(hdr->digest);
	assert_int_equal(hdr->mem, CRASH_END - 0x1000); /* top of the region */
	assert_true(f->plan.params.flags & MPK_PF_CRASH);
	/* elfcorehdr= at the end of the command line in boot_params */
	snprintf(want, sizeof(want), "irqpoll nr_cpus=1 reset_devices elfcorehdr=%lluK",
		 (unsigned long long)(hdr->mem >> 10));
	assert_string_equal((const char *)f->plan.setup_buf + 4096, want);
	/* e820: RAM only below 1 MiB and in the crash region (less the header,
	 * reserved); the rest of the firmware map as it was */
	for (size_t i = 0; i < m->n; i++) {
		if (m->r[i].type != E820_RAM)
			continue;
		if (m->r[i].start == CRASH_START && m->r[i].end == hdr->mem)
			region_ram = true;
		else if (m->r[i].end > 1 << 20)
			fail_msg("RAM %#llx-%#llx handed over outside the crash region",
				 (unsigned long long)m->r[i].start,
				 (unsigned long long)m->r[i].end);
	}
	assert_true(region_ram);
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].start == hdr->mem)
			assert_int_equal(m->r[i].type, E820_RESERVED);
}

static const struct segment *seg_named(const struct load_plan *plan, const char *what)
{
	for (unsigned i = 0; i < plan->nseg; i++)
		if (strcmp(plan->seg[i].what, what) == 0)
			return &plan->seg[i];
	fail_msg("no segment \"%s\"", what);
	return NULL;
}

static uint32_t type_at(const struct memmap *m, uint64_t a)
{
	for (size_t i = 0; i < m->n; i++)
		if (a >= m->r[i].start && a < m->r[i].end)
			return m->r[i].type;
	return 0;
}

/* A firmware-booted running kernel (issue 10, item 3, "otherwise"): auto
 * parks the capture kernel's APs with INIT-SIPI.  The trampoline's bytes
 * are a segment inside the crash region, built for a RAM page below 1 MiB
 * that purgatory copies them to; the park region and the new ACPI tables
 * lie in the region too, the region as ACPI NVS in the e820.  Before:
 * "parking impossible (no free RAM page below 1 MiB for the SIPI
 * trampoline); falling back to --ap-handoff=init". */
static void test_crash_plan_park(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct load_request rq = crash_request(f, false);
	const struct mpk_purgatory_params *p = &f->plan.params;
	const struct segment *tr, *park, *acpi;
	uint8_t want[4096];
	bool digested = false;

	rq.ap_handoff = AP_HANDOFF_AUTO;
	load_plan_free(&f->plan);
	assert_int_equal(bzimage_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err), 0);
	if (strstr(f->plan.warning, "parking impossible"))
		fail_msg("%s", f->plan.warning);
	assert_int_equal(p->flags & (MPK_PF_PARK_APS | MPK_PF_CRASH | MPK_PF_INIT_APS),
			 MPK_PF_PARK_APS | MPK_PF_CRASH);
	for (unsigned i = 0; i < f->plan.nseg; i++) {
		const struct segment *s = &f->plan.seg[i];

		if (s->mem < CRASH_START || s->mem + s->memsz > CRASH_END)
			fail_msg("%s at %#llx: outside the crash region", s->what,
				 (unsigned long long)s->mem);
	}
	/* the destination: the top page of firmware's RAM 0-0x9fbff */
	assert_int_equal(p->trampoline, 0x9e000);
	assert_int_equal(type_at(&f->sv.firmware_map, p->trampoline), E820_RAM);
	assert_int_equal(type_at(&f->sv.firmware_map, p->trampoline + 4095), E820_RAM);
	assert_int_equal(type_at(&f->plan.handed_map, p->trampoline), E820_RAM);
	/* the source: a segment in the region, the page built for 0x9e000 */
	tr = seg_named(&f->plan, "SIPI trampoline");
	assert_int_equal(p->trampoline_src, tr->mem);
	assert_int_equal(tr->bufsz, 4096);
	assert_true(tr->digest);
	park = seg_named(&f->plan, "park region");
	trampoline_build(want, 0x9e000, park->mem, trampoline_blob);
	assert_memory_equal(tr->buf, want, sizeof(want));
	for (unsigned i = 0; i < p->nr_ranges; i++)
		if (p->ranges[i].addr == tr->mem)
			digested = true;
	assert_true(digested);
	/* the park region and the tables: in the region, NVS and ACPI */
	assert_int_equal(p->park_base, park->mem);
	assert_int_equal(type_at(&f->plan.handed_map, park->mem), E820_NVS);
	assert_int_equal(type_at(&f->plan.handed_map, park->mem + PARK_REGION_SIZE - 1),
			 E820_NVS);
	acpi = seg_named(&f->plan, "ACPI tables");
	assert_int_equal(type_at(&f->plan.handed_map, acpi->mem), E820_ACPI);
	assert_int_equal(p->madt_addr >= acpi->mem && p->madt_addr < acpi->mem + acpi->memsz, 1);
	/* never INIT firmware's BSP: APIC ID 0, first in q35's MADT */
	assert_int_equal(p->bsp_apic_id, 0);
	assert_int_equal(p->nr_aps, 4);
	assert_int_equal(f->plan.next_rsdp, f->plan.acpi.rsdp_addr);
	assert_non_null(strstr(f->plan.ap_desc, "copies the trampoline from"));
	assert_non_null(strstr(f->plan.ap_desc, "never INITs firmware's BSP (APIC ID 0)"));
}

/* No RAM below 1 MiB in firmware's map: parking falls back to init and
 * says why (the old text spoke of free RAM, which the crash region never
 * has there). */
static void test_crash_plan_park_no_low_ram(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct load_request rq = crash_request(f, false);

	rq.ap_handoff = AP_HANDOFF_PARK;
	f->sv.firmware_map.r[0].type = E820_RESERVED; /* 0-0x9fbff */
	load_plan_free(&f->plan);
	assert_int_equal(bzimage_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err), 0);
	assert_true(f->plan.params.flags & MPK_PF_INIT_APS);
	assert_false(f->plan.params.flags & MPK_PF_PARK_APS);
	assert_int_equal(f->plan.params.trampoline_src, 0);
	assert_non_null(strstr(f->plan.warning, "parking impossible (no RAM page between 4 KiB "
			       "and 1 MiB in firmware's memory map for the SIPI trampoline); "
			       "falling back to --ap-handoff=init"));
}

static void test_crash_plan_hotplug(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct load_request rq = crash_request(f, true);
	uint64_t hdr = 0;

	f->sv.crash.elfcorehdr_size = 917616; /* 6.12's, in the VM */
	load_plan_free(&f->plan);
	assert_int_equal(bzimage_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err), 0);

	for (unsigned i = 0; i < f->plan.nseg; i++)
		if (strcmp(f->plan.seg[i].what, "elfcorehdr") == 0) {
			assert_false(f->plan.seg[i].digest);
			assert_int_equal(f->plan.seg[i].memsz, 0xe1000); /* 917616 in pages */
			hdr = f->plan.seg[i].mem;
		}
	assert_int_equal(hdr, CRASH_END - 0xe1000);
	/* purgatory's digest list leaves it out */
	assert_int_equal(f->plan.params.nr_ranges, 2); /* kernel, boot_params */
	for (unsigned i = 0; i < f->plan.params.nr_ranges; i++)
		assert_int_not_equal(f->plan.params.ranges[i].addr, hdr);
}

static void test_crash_plan_no_reservation(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct load_request rq = crash_request(f, false);
	struct sysview sv = f->sv;

	sv.crash.nregion = 0;
	sv.crash.crash_size = 0;
	load_plan_free(&f->plan);
	assert_int_equal(bzimage_plan(&sv, &rq, purgatory_blob, PURG, &f->plan, &err), -1);
	assert_int_equal(err.exit_code, 69);
	assert_string_equal(err.msg, "-p: no memory is reserved for a capture kernel (no "
			    "\"Crash kernel\" range in /proc/iomem); boot the running kernel "
			    "with crashkernel=SIZE (e.g. crashkernel=256M)");
	assert_int_equal(f->plan.nseg, 0);
}

static void test_crash_plan_too_large(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct load_request rq = crash_request(f, false);
	static uint8_t initrd[200 << 20];

	rq.initrd_path = "big.cpio";
	rq.initrd = (struct blob){ .data = initrd, .size = sizeof(initrd) };
	load_plan_free(&f->plan);
	assert_int_equal(bzimage_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err), -1);
	assert_int_equal(err.exit_code, 73);
	assert_string_equal(err.msg, "-p: capture kernel 'vmlinuz-6.1' (init_size 64 MiB) "
			    "and initrd 'big.cpio' need about 265 MiB, more than the 256 MiB "
			    "reserved by crashkernel=; reserve more (crashkernel=320M) or use "
			    "a smaller kernel or initrd");
	assert_int_equal(f->plan.nseg, 0);
}

static void test_unload_nothing_loaded(void **state)
{
	struct mpk_error err = { 0 };

	(void)state;
	/* refused before any syscall: the fixture says 0 */
	assert_int_equal(kexec_unload(MINI, false, true, &err), -1);
	assert_int_equal(err.exit_code, 64);
	assert_string_equal(err.msg, "-u -p: no capture kernel is loaded "
			    "(/sys/kernel/kexec_crash_loaded is 0); nothing to unload");
}

static char *status_of(const char *root, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	report_status(f, root, json);
	fclose(f);
	return buf;
}

/* --status names the crash region (issue 10, item 2). */
static void test_status_crash_region(void **state)
{
	char *t;

	(void)state;
	t = status_of(Q35C, false);
	assert_non_null(strstr(t, "crash image:           not loaded "
			       "(/sys/kernel/kexec_crash_loaded)\n"));
	assert_non_null(strstr(t, "crash region bytes:    268435456 "
			       "(/sys/kernel/kexec_crash_size)\n"));
	assert_non_null(strstr(t, "crash region:          0x2f000000-0x3effffff (256 MiB) "
			       "(/proc/iomem)\n"));
	free(t);
	t = status_of(Q35C, true);
	assert_non_null(strstr(t, "\"crash_region\":{\"file\":\"/proc/iomem\",\"value\":"
			       "[{\"start\":\"0x2f000000\",\"end\":\"0x3effffff\","
			       "\"bytes\":268435456}],\"raw\":null}"));
	free(t);
	t = status_of(Q35, false);
	assert_non_null(strstr(t, "crash region:          none: no crashkernel= reservation, "
			       "mpkexec -p cannot load (/proc/iomem)\n"));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sysview_reads_crash_inputs),
		cmocka_unit_test(test_elfcore_hand_checked),
		cmocka_unit_test(test_elfcore_two_crash_ranges),
		cmocka_unit_test(test_elfcore_no_cpus),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_unload_nothing_loaded),
		cmocka_unit_test(test_status_crash_region),
		cmocka_unit_test_setup_teardown(test_crash_plan, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_crash_plan_hotplug, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_crash_plan_park, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_crash_plan_park_no_low_ram, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_crash_plan_no_reservation, fix_setup,
						fix_teardown),
		cmocka_unit_test_setup_teardown(test_crash_plan_too_large, fix_setup,
						fix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
