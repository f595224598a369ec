/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86_64 bzImage loader (arch/x86_64/bzimage-load.c): bzimage_plan on
 * the q35 guest's system view (fixtures/q35-sysroot, read with sysview_read)
 * and the real 6.1 header padded to its full size.
 *
 * In the fixture the running kernel (nokaslr) occupies 0x1000000-0x43fffff,
 * RAM is 0x0-0x9fbff and 0x100000-0x3ffdefff, the RSDP is at 0xf59e0 and the
 * MADT lists APIC IDs 0-3.  The new kernel asks for 2 MiB alignment at or
 * above 0x1000000 with init_size 0x3f98000, so the first place for it is
 * 0x4400000, just above the running kernel's bss. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <xxhash.h>

#include "bytes.h"
#include "bzimage-load.h"
#include "error.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/purgatory-params.h"
#include "plan.h"
#include "planner.h"
#include "purgatory-link.h"
#include "sysview.h"

#define SYSROOT   FIXTURES "/q35-sysroot"
#define HEAD_PATH FIXTURES "/vmlinuz-6.1.head"

#define MiB (1024ull * 1024)
#define GiB (1024ull * MiB)

/* From the 6.1 header (fixtures/README.md). */
#define K_SETUP_SIZE   0x5000u
#define K_INIT_SIZE    0x3f98000u
#define K_ALIGN        0x200000u
#define K_PREF         0x1000000u
#define K_CMDLINE_SIZE 2047u
#define K_INITRD_MAX   0x7fffffffu
/* From the fixture. */
#define RAM_TOP        0x3ffdf000u  /* end of System RAM below 4 GiB */
#define RUNNING_END    0x4400000u   /* end of the running kernel's bss */
#define RSDP           0xf59e0u

#define INITRD_SIZE    (3 * MiB + 123)
#define CMDLINE        "console=ttyS0,115200 panic=-1 root=/dev/ram0 mpk.gen=1"

#define assert_msg_has(e, s)                                                    \
	do {                                                                    \
		if (!strstr((e).msg, (s)))                                      \
			fail_msg("error message \"%s\" lacks \"%s\"", (e).msg, (s)); \
	} while (0)

#define PURG ((size_t)(purgatory_blob_end - purgatory_blob))

struct fix {
	struct sysview sv;
	uint8_t *kernel;
	size_t kernel_size;
	uint8_t *initrd;
	struct load_plan plan;
};

/* boot_params + command line + the handoff report node (no ACPI snapshot:
 * the fixture's /sys/firmware/acpi/tables holds the MADT only, no FADT, so
 * no new table set can be built). */
static size_t setup_bytes(size_t cmdlen, unsigned ncpus)
{
	return align_up(4096 + cmdlen + 1, 8) + 16 + sizeof(struct mpk_handoff_report) +
	       ncpus * sizeof(struct mpk_report_cpu);
}

static uint64_t rng = 0x6a09e667f3bcc908ull;

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		p[i] = (uint8_t)(rng >> 40);
	}
}

static int fix_setup(void **state)
{
	struct mpk_error err = { 0 };
	struct fix *f = calloc(1, sizeof(*f));
	FILE *h;

	if (!f)
		return -1;
	if (sysview_read(SYSROOT, &f->sv, &err) < 0) {
		fprintf(stderr, "sysview_read: %s\n", err.msg);
		return -1;
	}
	/* the real header padded to the size it announces */
	f->kernel_size = K_SETUP_SIZE + 0x7d8200;
	f->kernel = malloc(f->kernel_size);
	f->initrd = malloc(INITRD_SIZE);
	h = fopen(HEAD_PATH, "rb");
	if (!f->kernel || !f->initrd || !h)
		return -1;
	fill_random(f->kernel, f->kernel_size);
	if (fread(f->kernel, 1, 16384, h) != 16384)
		return -1;
	fclose(h);
	fill_random(f->initrd, INITRD_SIZE);
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	struct fix *f = *state;

	load_plan_free(&f->plan);
	sysview_free(&f->sv);
	free(f->kernel);
	free(f->initrd);
	free(f);
	return 0;
}

static struct load_request request(struct fix *f, const char *cmdline, bool initrd)
{
	struct load_request rq = {
		.kernel_path = "vmlinuz-6.1",
		.kernel = { .data = f->kernel, .size = f->kernel_size },
		.initrd_path = initrd ? "/tmp/next.cpio" : NULL,
		.initrd = { .data = initrd ? f->initrd : NULL, .size = initrd ? INITRD_SIZE : 0 },
		.cmdline = cmdline,
		.verify = true,
		.serial_port = 0x3f8,
		.ap_handoff = AP_HANDOFF_INIT,
	};
	return rq;
}

static void plan_ok(struct fix *f, const struct sysview *sv, const struct load_request *rq)
{
	struct mpk_error err = { 0 };

	load_plan_free(&f->plan);
	if (bzimage_plan(sv, rq, purgatory_blob, PURG, &f->plan, &err) < 0)
		fail_msg("bzimage_plan: %s", err.msg);
}

static void expect_plan_fails(struct fix *f, const struct sysview *sv,
			      const struct load_request *rq, int code, const char *p1,
			      const char *p2)
{
	struct mpk_error err = { 0 };

	load_plan_free(&f->plan);
	assert_int_equal(bzimage_plan(sv, rq, purgatory_blob, PURG, &f->plan, &err), -1);
	assert_int_equal(err.exit_code, code);
	assert_msg_has(err, p1);
	if (p2)
		assert_msg_has(err, p2);
	/* nothing is left allocated in a failed plan */
	assert_int_equal(f->plan.nseg, 0);
	assert_null(f->plan.setup_buf);
	assert_null(f->plan.purgatory.buf);
	assert_null(f->plan.handed_map.r);
}

static const struct segment *seg(const struct load_plan *p, const char *what)
{
	for (unsigned i = 0; i < p->nseg; i++)
		if (strcmp(p->seg[i].what, what) == 0)
			return &p->seg[i];
	fail_msg("no %s segment", what);
	return NULL;
}

static bool overlaps(uint64_t a, uint64_t ae, uint64_t b, uint64_t be)
{
	return a < be && b < ae;
}

/* Rules every plan follows, whatever the inputs. */
static void check_invariants(const struct load_plan *p, const struct sysview *sv)
{
	for (unsigned i = 0; i < p->nseg; i++) {
		const struct segment *s = &p->seg[i];
		bool in_ram = false;

		if (s->mem % 4096 || s->memsz % 4096 || s->memsz < s->bufsz || !s->memsz)
			fail_msg("%s: mem %#llx memsz %#llx bufsz %#llx", s->what,
				 (unsigned long long)s->mem, (unsigned long long)s->memsz,
				 (unsigned long long)s->bufsz);
		if (s->mem < 1 * MiB)
			fail_msg("%s at %#llx: in the low 1 MiB", s->what,
				 (unsigned long long)s->mem);
		for (unsigned k = 0; k < sv->n_kernel_image; k++)
			if (overlaps(s->mem, s->mem + s->memsz, sv->kernel_image[k].start,
				     sv->kernel_image[k].end))
				fail_msg("%s [%#llx, %#llx) overlaps the running kernel", s->what,
					 (unsigned long long)s->mem,
					 (unsigned long long)(s->mem + s->memsz));
		for (size_t r = 0; r < sv->firmware_map.n; r++) {
			const struct mem_range *m = &sv->firmware_map.r[r];

			if (m->type == E820_RAM && s->mem >= m->start && s->mem + s->memsz <= m->end)
				in_ram = true;
		}
		if (!in_ram)
			fail_msg("%s is not inside one System RAM range", s->what);
		for (unsigned j = 0; j < i; j++)
			if (overlaps(s->mem, s->mem + s->memsz, p->seg[j].mem,
				     p->seg[j].mem + p->seg[j].memsz))
				fail_msg("%s overlaps %s", s->what, p->seg[j].what);
	}
}

/* --- the plan for the fixture ------------------------------------------- */

static void test_segments(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	const struct load_plan *p = &f->plan;
	const struct segment *k, *i, *b, *pg;
	size_t setup_size = setup_bytes(strlen(CMDLINE), 4);

	plan_ok(f, &f->sv, &rq);
	assert_int_equal(p->nseg, 4);
	check_invariants(p, &f->sv);
	k = seg(p, "kernel");
	i = seg(p, "initrd");
	b = seg(p, "boot_params");
	pg = seg(p, "purgatory");
	assert_ptr_equal(k, &p->seg[0]);
	assert_ptr_equal(pg, &p->seg[3]);  /* purgatory last */

	/* kernel: the protected-mode part, memsz = init_size, at or above
	 * pref_address, aligned, above the running kernel */
	assert_ptr_equal(k->buf, f->kernel + K_SETUP_SIZE);
	assert_int_equal(k->bufsz, f->kernel_size - K_SETUP_SIZE);
	assert_int_equal(k->memsz, K_INIT_SIZE);
	assert_true(k->mem >= K_PREF);
	assert_int_equal(k->mem % K_ALIGN, 0);
	assert_int_equal(k->mem, RUNNING_END);
	assert_true(k->digest);

	/* initrd: top-down, page aligned, below initrd_addr_max */
	assert_ptr_equal(i->buf, f->initrd);
	assert_int_equal(i->bufsz, INITRD_SIZE);
	assert_int_equal(i->memsz, align_up(INITRD_SIZE, 4096));
	assert_true(i->mem + i->memsz - 1 <= K_INITRD_MAX);
	assert_int_equal(i->mem + i->memsz, RAM_TOP);
	assert_true(i->digest);

	/* boot_params + command line: below 4 GiB, right under the initrd */
	assert_ptr_equal(b->buf, p->setup_buf);
	assert_int_equal(b->bufsz, setup_size);
	assert_int_equal(b->memsz, align_up(setup_size, 4096));
	assert_int_equal(b->mem + b->memsz, i->mem);
	assert_true(b->mem + b->memsz <= 4 * GiB);
	assert_true(b->digest);

	/* purgatory: the relocated image, below 4 GiB, not digested */
	assert_ptr_equal(pg->buf, p->purgatory.buf);
	assert_int_equal(pg->bufsz, p->purgatory.size);
	assert_int_equal(pg->memsz, p->purgatory.size);
	assert_int_equal(pg->mem, p->purgatory.load_addr);
	assert_int_equal(pg->mem % p->purgatory.align, 0);
	assert_int_equal(pg->mem, align_down(b->mem - pg->memsz, p->purgatory.align));
	assert_true(pg->mem + pg->memsz <= 4 * GiB);
	assert_false(pg->digest);

	/* the old kernel jumps into purgatory (cli first), purgatory into the
	 * 64-bit entry with RSI = boot_params */
	assert_int_equal(p->entry, pg->mem + p->purgatory.entry_off);
	assert_int_equal(p->purgatory.buf[p->purgatory.entry_off], 0xfa);
	assert_int_equal(p->payload_entry, k->mem + 0x200);
	assert_int_equal(p->payload_rsi, b->mem);

	/* the memory map handed over is firmware's */
	assert_int_equal(p->handed_map.n, f->sv.firmware_map.n);
	assert_memory_equal(p->handed_map.r, f->sv.firmware_map.r,
			    f->sv.firmware_map.n * sizeof(struct mem_range));
	assert_non_null(strstr(p->image_desc, "boot protocol 2.15"));
	assert_string_equal(p->cmdline_desc, "54 bytes, at most 2047");
	assert_string_equal(p->rsdp_desc, "0xf59e0 (from /sys/kernel/boot_params/data)");
}

static void test_boot_params(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	const uint8_t *bp, *running = f->sv.boot_params;
	const struct segment *b, *i;

	plan_ok(f, &f->sv, &rq);
	bp = f->plan.setup_buf;
	b = seg(&f->plan, "boot_params");
	i = seg(&f->plan, "initrd");

	/* e820: the firmware map, entry by entry */
	assert_int_equal(bp[BP_E820_ENTRIES], f->sv.firmware_map.n);
	assert_int_equal(bp[BP_E820_ENTRIES], 9);
	for (size_t n = 0; n < f->sv.firmware_map.n; n++) {
		const uint8_t *e = bp + BP_E820_TABLE + n * BP_E820_ENTRY_SIZE;
		const struct mem_range *r = &f->sv.firmware_map.r[n];

		assert_int_equal(get_le64(e), r->start);
		assert_int_equal(get_le64(e + 8), r->end - r->start);
		assert_int_equal(get_le32(e + 16), r->type);
	}
	assert_int_equal(get_le64(bp + BP_E820_TABLE + 3 * 20 + 8), RAM_TOP - 0x100000);
	/* the rest of the table is empty */
	for (size_t o = BP_E820_TABLE + 9 * 20; o < BP_E820_TABLE + 128 * 20; o++)
		assert_int_equal(bp[o], 0);

	/* command line: right after the zero page, inside the segment */
	assert_int_equal(get_le32(bp + HDR_CMD_LINE_PTR), b->mem + 4096);
	assert_int_equal(get_le32(bp + BP_EXT_CMD_LINE_PTR), 0);
	assert_string_equal((const char *)bp + 4096, CMDLINE);
	assert_true(4096 + strlen(CMDLINE) + 1 <= b->bufsz);

	/* initrd */
	assert_int_equal(get_le32(bp + HDR_RAMDISK_IMAGE), i->mem);
	assert_int_equal(get_le32(bp + HDR_RAMDISK_SIZE), INITRD_SIZE);
	assert_int_equal(get_le32(bp + BP_EXT_RAMDISK_IMAGE), 0);
	assert_int_equal(get_le32(bp + BP_EXT_RAMDISK_SIZE), 0);

	assert_int_equal(get_le64(bp + BP_ACPI_RSDP_ADDR), RSDP);
	assert_int_equal(bp[HDR_TYPE_OF_LOADER], LOADER_TYPE_UNDEFINED);
	assert_int_equal(bp[BP_SENTINEL], 0);
	/* the handoff report node, right after the command line */
	{
		uint64_t sd = get_le64(bp + HDR_SETUP_DATA);
		const uint8_t *node = bp + (sd - f->plan.seg[2].mem);

		assert_int_equal(sd, f->plan.seg[2].mem + align_up(4096 + strlen(CMDLINE) + 1, 8));
		assert_int_equal(get_le64(node), 0);             /* last node: no snapshot */
		assert_int_equal(get_le32(node + 8), MPK_SETUP_DATA_TYPE);
		assert_int_equal(get_le32(node + 12), sizeof(struct mpk_handoff_report) +
				 4 * sizeof(struct mpk_report_cpu));
		assert_int_equal(f->plan.params.report_addr, sd + 16);
	}

	/* the setup header is the image's, apart from the fields a loader
	 * writes */
	for (size_t o = BP_HDR; o < 0x26c; o++) {
		if (o == HDR_TYPE_OF_LOADER || (o >= HDR_RAMDISK_IMAGE && o < HDR_RAMDISK_IMAGE + 8) ||
		    (o >= HDR_CMD_LINE_PTR && o < HDR_CMD_LINE_PTR + 4) ||
		    (o >= HDR_HARDWARE_SUBARCH && o < HDR_HARDWARE_SUBARCH + 4) ||
		    (o >= HDR_SETUP_DATA && o < HDR_SETUP_DATA + 8))
			continue;
		if (bp[o] != f->kernel[o])
			fail_msg("setup header byte %#zx: %#x, the image has %#x", o, bp[o],
				 f->kernel[o]);
	}
	assert_int_equal(get_le32(bp + HDR_HEADER), HDR_MAGIC);
	assert_int_equal(get_le16(bp + HDR_VERSION), 0x020f);
	assert_int_equal(get_le32(bp + HDR_INIT_SIZE), K_INIT_SIZE);
	/* screen_info and hardware_subarch from the running kernel */
	assert_memory_equal(bp, running, BP_SCREEN_INFO_SIZE);
	assert_int_equal(get_le32(bp + HDR_HARDWARE_SUBARCH),
			 get_le32(running + HDR_HARDWARE_SUBARCH));
	/* nothing else of the running kernel's zero page (its initrd, its
	 * e820 count, ...) is carried over */
	for (size_t o = BP_SCREEN_INFO_SIZE; o < BP_E820_ENTRIES; o++) {
		if ((o >= BP_ACPI_RSDP_ADDR && o < BP_ACPI_RSDP_ADDR + 8) ||
		    (o >= BP_EXT_RAMDISK_IMAGE && o < BP_EXT_CMD_LINE_PTR + 4))
			continue;
		if (bp[o])
			fail_msg("boot_params byte %#zx is %#x, not 0", o, bp[o]);
	}
	for (size_t o = 0x26c; o < BP_E820_TABLE; o++)
		assert_int_equal(bp[o], 0);
}

static void test_purgatory_params(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	const struct load_plan *p = &f->plan;
	const struct mpk_purgatory_params *pp = &p->params;
	struct mpk_purgatory_params *inbuf = malloc(sizeof(*inbuf));

	assert_non_null(inbuf);
	plan_ok(f, &f->sv, &rq);
	/* what purgatory will read is the plan's copy */
	memcpy(inbuf, p->purgatory.buf + p->purgatory.params_off, sizeof(*inbuf));
	assert_memory_equal(inbuf, pp, sizeof(*pp));
	free(inbuf);

	assert_int_equal(pp->magic, MPK_PURGATORY_MAGIC);
	assert_int_equal(pp->version, MPK_PURGATORY_VERSION);
	assert_int_equal(pp->flags, MPK_PF_VERIFY_DIGESTS | MPK_PF_INIT_APS);
	assert_int_equal(pp->serial_port, 0x3f8);
	assert_int_equal(pp->entry, seg(p, "kernel")->mem + 0x200);
	assert_int_equal(pp->entry_rsi, seg(p, "boot_params")->mem);
	/* one digest per loaded segment but purgatory itself */
	assert_int_equal(pp->nr_ranges, 3);
	for (unsigned n = 0; n < 3; n++) {
		const struct segment *s = &p->seg[n];

		assert_true(s->digest);
		assert_int_equal(pp->ranges[n].addr, s->mem);
		assert_int_equal(pp->ranges[n].len, s->bufsz);
		assert_int_equal(pp->ranges[n].xxh3, XXH3_64bits(s->buf, s->bufsz));
	}
	assert_int_equal(pp->ranges[0].xxh3, XXH3_64bits(f->kernel + K_SETUP_SIZE,
							 f->kernel_size - K_SETUP_SIZE));
	assert_int_equal(pp->ranges[1].xxh3, XXH3_64bits(f->initrd, INITRD_SIZE));
	/* every CPU of the MADT, the boot CPU from /proc/cpuinfo */
	assert_int_equal(pp->boot_apic_id, 0);
	assert_int_equal(pp->nr_aps, 4);
	for (unsigned n = 0; n < 4; n++)
		assert_int_equal(pp->aps[n].apic_id, n);
	assert_int_equal(pp->aps[4].apic_id, 0);
	/* the per-CPU account (plan->cpu[], printed by src/report.c) */
	assert_int_equal(p->ncpu, 4);
	assert_true(p->cpu[0].boot);
	assert_string_equal(p->cpu[0].now_text, "this kernel's boot CPU");
	assert_string_equal(p->cpu[0].handover_text,
			    "runs purgatory, boots the next kernel (never INIT)");
	for (unsigned n = 1; n < 4; n++) {
		assert_int_equal(p->cpu[n].apic_id, n);
		assert_false(p->cpu[n].boot);
		assert_string_equal(p->cpu[n].now, "online");
		assert_string_equal(p->cpu[n].now_text, "online in this kernel");
		assert_string_equal(p->cpu[n].handover, "init");
		assert_string_equal(p->cpu[n].handover_text, "INIT");
	}
}

static void test_flags(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);

	rq.verify = false;
	plan_ok(f, &f->sv, &rq);
	assert_int_equal(f->plan.params.flags, MPK_PF_INIT_APS);
	assert_false(f->plan.params.flags & MPK_PF_VERIFY_DIGESTS);
	rq.verify = true;
	rq.serial_debug = true;
	rq.serial_port = 0x2f8;
	plan_ok(f, &f->sv, &rq);
	assert_int_equal(f->plan.params.flags,
			 MPK_PF_VERIFY_DIGESTS | MPK_PF_SERIAL_DEBUG | MPK_PF_INIT_APS);
	assert_int_equal(f->plan.params.serial_port, 0x2f8);
	assert_int_equal(get_le32(f->plan.purgatory.buf + f->plan.purgatory.params_off + 8),
			 MPK_PF_VERIFY_DIGESTS | MPK_PF_SERIAL_DEBUG | MPK_PF_INIT_APS);
}

static void test_no_initrd(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, "", false);
	const uint8_t *bp;

	plan_ok(f, &f->sv, &rq);
	assert_int_equal(f->plan.nseg, 3);
	assert_string_equal(f->plan.seg[0].what, "kernel");
	assert_string_equal(f->plan.seg[1].what, "boot_params");
	assert_string_equal(f->plan.seg[2].what, "purgatory");
	check_invariants(&f->plan, &f->sv);
	bp = f->plan.setup_buf;
	assert_int_equal(get_le32(bp + HDR_RAMDISK_IMAGE), 0);
	assert_int_equal(get_le32(bp + HDR_RAMDISK_SIZE), 0);
	/* an empty command line is still a string at cmd_line_ptr */
	assert_int_equal(get_le32(bp + HDR_CMD_LINE_PTR), f->plan.seg[1].mem + 4096);
	assert_int_equal(bp[4096], 0);
	assert_int_equal(f->plan.seg[1].bufsz, setup_bytes(0, 4));
	assert_int_equal(f->plan.seg[1].mem + align_up(setup_bytes(0, 4), 4096), RAM_TOP);
	assert_int_equal(f->plan.params.nr_ranges, 2);
}

/* Without root, /proc/iomem hides the running kernel: nothing to avoid. */
static void test_running_kernel_unknown(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	memcpy(sv, &f->sv, sizeof(*sv));
	sv->n_kernel_image = 0;
	plan_ok(f, sv, &rq);
	assert_int_equal(seg(&f->plan, "kernel")->mem, K_PREF);
	check_invariants(&f->plan, sv);
	/* ...and the plan says so: --plan in the segment, -l on stderr */
	assert_string_equal(seg(&f->plan, "kernel")->detail, "MAY OVERLAP THE RUNNING KERNEL, "
			    "whose place non-root cannot see: vmlinuz-6.1, protected-mode part; "
			    "memsz = init_size");
	assert_string_equal(f->plan.warning, "the running kernel's image is unknown (/proc/iomem "
			    "shows no \"Kernel code\" addresses to non-root), so segments may be "
			    "placed over it, where the APs wait until purgatory runs; run as root "
			    "to plan around it");
	plan_ok(f, &f->sv, &rq);
	assert_string_equal(seg(&f->plan, "kernel")->detail, "vmlinuz-6.1, protected-mode part; "
			    "memsz = init_size");
	assert_string_equal(f->plan.warning, "");
	free(sv);
}

/* A TSC rate sysview had to guess is said at load time. */
static void test_tsc_guess_warned(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	memcpy(sv, &f->sv, sizeof(*sv));
	plan_ok(f, sv, &rq);
	assert_string_equal(f->plan.warning, "");
	assert_int_equal(f->plan.params.tsc_khz, sv->tsc_khz);
	assert_string_equal(seg(&f->plan, "purgatory")->detail, "handoff code, its stack, page "
			    "tables and parameters; TSC rate 2000 MHz");
	snprintf(sv->tsc_note, sizeof(sv->tsc_note), "TSC rate assumed 3000 MHz: why");
	sv->tsc_khz = 3000000;
	plan_ok(f, sv, &rq);
	assert_int_equal(f->plan.params.tsc_khz, 3000000);
	assert_string_equal(f->plan.warning, "TSC rate assumed 3000 MHz: why; purgatory's AP "
			    "waits (INIT settle, gather timeout) are timed with it");
	assert_string_equal(seg(&f->plan, "purgatory")->detail, "handoff code, its stack, page "
			    "tables and parameters; TSC rate 3000 MHz ASSUMED (no usable \"cpu MHz\" "
			    "in /proc/cpuinfo)");
	free(sv);
}

static void test_boot_cpu_and_x2apic(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	struct sysview *sv = malloc(sizeof(*sv));
	uint8_t tab[256];
	size_t len;
	FILE *h = fopen(FIXTURES "/madt-x2apic.aml", "rb");
	const struct mpk_purgatory_params *pp = &f->plan.params;

	assert_non_null(sv);
	assert_non_null(h);
	len = fread(tab, 1, sizeof(tab), h);
	fclose(h);
	memcpy(sv, &f->sv, sizeof(*sv));
	sv->madt = tab;
	sv->madt_len = len;
	sv->boot_apic_id = 0x101;
	plan_ok(f, sv, &rq);
	assert_int_equal(pp->boot_apic_id, 0x101);
	assert_int_equal(pp->nr_aps, 4);
	assert_int_equal(pp->aps[0].apic_id, 0);
	assert_int_equal(pp->aps[1].apic_id, 1);
	assert_int_equal(pp->aps[2].apic_id, 0x100);
	assert_int_equal(pp->aps[3].apic_id, 0x101);
	assert_int_equal(f->plan.ncpu, 4);
	assert_int_equal(f->plan.cpu[3].apic_id, 257);
	assert_true(f->plan.cpu[3].boot);
	assert_string_equal(f->plan.cpu[3].now_text, "this kernel's boot CPU");
	assert_int_equal(f->plan.cpu[0].apic_id, 0);
	assert_string_equal(f->plan.cpu[0].handover, "init");
	assert_int_equal(f->plan.cpu[1].apic_id, 1);
	assert_string_equal(f->plan.cpu[1].handover_text, "INIT");
	assert_int_equal(f->plan.cpu[2].apic_id, 256);
	assert_false(f->plan.cpu[2].boot);

	/* no apicid in /proc/cpuinfo: the MADT's first CPU is the boot CPU */
	put_le32(tab + 44 + 4, 7);           /* first x2APIC entry: ID 7 */
	tab[9] = (uint8_t)(tab[9] - 7);      /* keep the checksum */
	sv->have_boot_apic_id = false;
	plan_ok(f, sv, &rq);
	assert_int_equal(pp->boot_apic_id, 7);
	assert_int_equal(pp->aps[0].apic_id, 7);
	free(sv);
}

static void test_madt_unreadable(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	memcpy(sv, &f->sv, sizeof(*sv));
	sv->madt = NULL;
	sv->madt_len = 0;
	sv->madt_errno = EACCES;
	plan_ok(f, sv, &rq);
	assert_int_equal(f->plan.params.flags, MPK_PF_VERIFY_DIGESTS);
	assert_int_equal(f->plan.params.nr_aps, 0);
	assert_non_null(strstr(f->plan.ap_desc, "cannot read /sys/firmware/acpi/tables/APIC "
				"(Permission denied)"));
	assert_non_null(strstr(f->plan.ap_desc, "run as root"));
	free(sv);
}

static void test_plan_free(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);

	plan_ok(f, &f->sv, &rq);
	load_plan_free(&f->plan);
	assert_int_equal(f->plan.nseg, 0);
	assert_null(f->plan.setup_buf);
	assert_null(f->plan.purgatory.buf);
	assert_null(f->plan.purgatory.elf_copy);
	assert_null(f->plan.purgatory.sec_off);
	assert_null(f->plan.handed_map.r);
	load_plan_free(&f->plan); /* twice is harmless */
}

/* A kernel that can take an initrd above 4 GiB gets one there when it does
 * not fit below initrd_addr_max; boot_params carries the high half. */
static void test_initrd_above_4g(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	struct sysview *sv = malloc(sizeof(*sv));
	struct memmap m = { 0 };
	size_t big = 1100 * MiB;
	void *d = mmap(NULL, big, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	const struct segment *i;
	const uint8_t *bp;

	assert_non_null(sv);
	assert_true(d != MAP_FAILED);
	assert_int_equal(memmap_add(&m, 0, 0x9fc00, E820_RAM), 0);
	assert_int_equal(memmap_add(&m, 0x100000, 0x40000000, E820_RAM), 0);
	assert_int_equal(memmap_add(&m, 0xb0000000, 0xc0000000, E820_RESERVED), 0);
	assert_int_equal(memmap_add(&m, 0x100000000, 0x200000000, E820_RAM), 0);
	memcpy(sv, &f->sv, sizeof(*sv));
	sv->firmware_map = m;
	sv->n_kernel_image = 0;
	rq.initrd.data = d;
	rq.initrd.size = big;
	plan_ok(f, sv, &rq);
	check_invariants(&f->plan, sv);
	i = seg(&f->plan, "initrd");
	assert_int_equal(i->mem, 0x200000000 - 1100 * MiB);
	bp = f->plan.setup_buf;
	assert_int_equal(get_le32(bp + HDR_RAMDISK_IMAGE), (uint32_t)i->mem);
	assert_int_equal(get_le32(bp + BP_EXT_RAMDISK_IMAGE), 1);
	assert_int_equal(get_le32(bp + HDR_RAMDISK_SIZE), 1100 * MiB);
	assert_int_equal(get_le32(bp + BP_EXT_RAMDISK_SIZE), 0);
	/* the rest stays below 4 GiB */
	assert_true(seg(&f->plan, "kernel")->mem + K_INIT_SIZE <= 4 * GiB);
	assert_true(seg(&f->plan, "boot_params")->mem < 4 * GiB);
	assert_true(seg(&f->plan, "purgatory")->mem < 4 * GiB);

	/* the same kernel without XLF_CAN_BE_LOADED_ABOVE_4G */
	put_le16(f->kernel + HDR_XLOADFLAGS, 0x7f & ~XLF_CAN_BE_LOADED_ABOVE_4G);
	expect_plan_fails(f, sv, &rq, MPK_EXIT_NOSPACE, "initrd '/tmp/next.cpio': 1100 MiB does "
			  "not fit in free System RAM below initrd_addr_max 0x7fffffff (the kernel "
			  "cannot take one above 4 GiB)", "(1023 MiB of RAM there");
	put_le16(f->kernel + HDR_XLOADFLAGS, 0x7f);
	munmap(d, big);
	memmap_free(&m);
	free(sv);
}

/* A running kernel without /sys/kernel/boot_params and no other RSDP
 * source: nothing to copy, the next kernel finds the RSDP itself. */
static void test_no_running_boot_params(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	struct sysview *sv = malloc(sizeof(*sv));
	const uint8_t *bp;

	assert_non_null(sv);
	memcpy(sv, &f->sv, sizeof(*sv));
	sv->have_boot_params = false;
	memset(sv->boot_params, 0xee, sizeof(sv->boot_params)); /* must not be read */
	sv->rsdp = 0;
	sv->rsdp_source = NULL;
	plan_ok(f, sv, &rq);
	bp = f->plan.setup_buf;
	assert_int_equal(get_le64(bp + BP_ACPI_RSDP_ADDR), 0);
	for (size_t o = 0; o < BP_SCREEN_INFO_SIZE; o++)
		assert_int_equal(bp[o], 0);
	assert_int_equal(get_le32(bp + HDR_HARDWARE_SUBARCH), 0);
	assert_string_equal(f->plan.rsdp_desc, "not found; the next kernel searches for it itself");
	free(sv);
}

/* --- errors ------------------------------------------------------------- */

static void test_cmdline_too_long(void **state)
{
	struct fix *f = *state;
	char *c = malloc(K_CMDLINE_SIZE + 2);
	struct load_request rq;

	assert_non_null(c);
	memset(c, 'a', K_CMDLINE_SIZE);
	c[K_CMDLINE_SIZE] = '\0';
	rq = request(f, c, true);
	plan_ok(f, &f->sv, &rq);              /* exactly cmdline_size: fine */
	assert_string_equal((char *)f->plan.setup_buf + 4096, c);
	c[K_CMDLINE_SIZE] = 'b';
	c[K_CMDLINE_SIZE + 1] = '\0';
	expect_plan_fails(f, &f->sv, &rq, MPK_EXIT_BADINPUT, "command line", "cmdline_size");
	expect_plan_fails(f, &f->sv, &rq, MPK_EXIT_BADINPUT,
			  "command line: 2048 bytes, but kernel 'vmlinuz-6.1' accepts at most 2047",
			  NULL);
	free(c);
}

static void test_initrd_too_big(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	size_t big = 2 * GiB;
	void *m = mmap(NULL, big, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	assert_true(m != MAP_FAILED);
	rq.initrd.data = m;
	rq.initrd.size = big;
	expect_plan_fails(f, &f->sv, &rq, MPK_EXIT_NOSPACE, "initrd '/tmp/next.cpio'",
			  "does not fit");
	expect_plan_fails(f, &f->sv, &rq, MPK_EXIT_NOSPACE, "2048 MiB",
			  "initrd_addr_max 0x7fffffff nor above 4 GiB");
	munmap(m, big);
}

/* Fits in RAM, but kexec_load refuses segments over half of RAM. */
static void test_initrd_over_half_of_ram(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	size_t big = 600 * MiB;
	void *m = mmap(NULL, big, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	assert_true(m != MAP_FAILED);
	rq.initrd.data = m;
	rq.initrd.size = big;
	expect_plan_fails(f, &f->sv, &rq, MPK_EXIT_NOSPACE, "initrd: 600 MiB",
			  "half of System RAM (511 MiB)");
	/* 450 MiB fits on its own but not with the kernel's 64 MiB */
	rq.initrd.size = 450 * MiB;
	expect_plan_fails(f, &f->sv, &rq, MPK_EXIT_NOSPACE, "image of 513 MiB in all",
			  "at most half of System RAM (511 MiB)");
	munmap(m, big);
}

static void test_not_a_bzimage(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	uint8_t *junk = malloc(1 * MiB);

	assert_non_null(junk);
	fill_random(junk, 1 * MiB);
	rq.kernel.data = junk;
	rq.kernel.size = 1 * MiB;
	expect_plan_fails(f, &f->sv, &rq, MPK_EXIT_BADINPUT, "kernel image 'vmlinuz-6.1'",
			  "not a bzImage");
	free(junk);
}

static void test_kernel_not_relocatable(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	struct sysview *sv = malloc(sizeof(*sv));

	assert_non_null(sv);
	f->kernel[HDR_RELOCATABLE_KERNEL] = 0;
	/* it must go at pref_address, where the running kernel is */
	expect_plan_fails(f, &f->sv, &rq, MPK_EXIT_NOSPACE, "not relocatable",
			  "0x1000000-0x4f98000 is not free System RAM");
	/* with the running kernel elsewhere it does */
	memcpy(sv, &f->sv, sizeof(*sv));
	sv->n_kernel_image = 0;
	plan_ok(f, sv, &rq);
	assert_int_equal(seg(&f->plan, "kernel")->mem, K_PREF);
	f->kernel[HDR_RELOCATABLE_KERNEL] = 1;
	free(sv);
}

static void test_kernel_does_not_fit(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, false);

	put_le32(f->kernel + HDR_INIT_SIZE, 0x3c000000); /* 960 MiB */
	expect_plan_fails(f, &f->sv, &rq, MPK_EXIT_NOSPACE, "kernel image 'vmlinuz-6.1'",
			  "no free System RAM for init_size 960 MiB aligned to 0x200000 "
			  "between 0x1000000 and 4 GiB");
	put_le32(f->kernel + HDR_INIT_SIZE, K_INIT_SIZE);
}

/* --- the 32-bit entry (issue 11) ----------------------------------------- */

/* Memtest86+ 6.10 (fixtures/memtest86+x64.head, its setup part, in a file
 * of the real size): not relocatable, so loaded at pref_address 0x100000
 * and entered at its 32-bit entry there, ESI = boot_params, code32_start
 * = the load address. */
#define MT_HEAD  FIXTURES "/memtest86+x64.head"
#define MT_SETUP 0x600u
#define MT_SIZE  144312u

static void test_memtest_plan(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, "console=ttyS0,115200", false);
	const struct load_plan *p = &f->plan;
	const struct mpk_purgatory_params *pp = &p->params;
	const struct segment *k, *b;
	uint8_t *mt = malloc(MT_SIZE);
	FILE *h = fopen(MT_HEAD, "rb");

	assert_non_null(mt);
	assert_non_null(h);
	fill_random(mt, MT_SIZE);
	assert_int_equal(fread(mt, 1, MT_SETUP, h), MT_SETUP);
	fclose(h);
	rq.kernel_path = "memtest86+x64.bin";
	rq.kernel = (struct blob){ .data = mt, .size = MT_SIZE };
	plan_ok(f, &f->sv, &rq);
	check_invariants(p, &f->sv);
	k = seg(p, "kernel");
	b = seg(p, "boot_params");
	assert_int_equal(k->mem, 0x100000);
	assert_int_equal(k->bufsz, MT_SIZE - MT_SETUP);
	assert_int_equal(k->memsz, 0x6b000);             /* init_size 0x6acf8 */
	assert_string_equal(p->image_desc,
			    "bzImage, boot protocol 2.12, not relocatable, kernel_alignment "
			    "0x1000, pref_address 0x100000, init_size 0x6acf8; 32-bit entry: "
			    "not relocatable (its 64-bit entry is used only for relocatable "
			    "images, as kexec-tools does)");
	assert_int_equal(pp->entry_mode, MPK_ENTRY_32);
	assert_int_equal(pp->entry, 0x100000);
	assert_int_equal(pp->entry_esi, b->mem);
	assert_int_equal(pp->entry_eax, 0);
	assert_int_equal(pp->entry_ebx, 0);
	assert_int_equal(pp->entry_rsi, 0);
	assert_int_equal(pp->boot_params, b->mem);
	assert_true(b->mem + b->memsz <= 4 * GiB);
	/* the handoff report still goes into boot_params' setup_data */
	assert_int_equal(pp->report_addr, get_le64(p->setup_buf + HDR_SETUP_DATA) + 16);
	assert_int_equal(get_le32(p->setup_buf + 0x214), 0x100000);   /* code32_start */
	assert_int_equal(p->payload_entry, 0x100000);
	/* the digest of boot_params covers code32_start as written */
	assert_int_equal(pp->ranges[1].addr, b->mem);
	assert_int_equal(pp->ranges[1].xxh3, XXH3_64bits(b->buf, b->bufsz));
	rq.kernel = (struct blob){ .data = f->kernel, .size = f->kernel_size };
	load_plan_free(&f->plan);
	free(mt);
}

/* --entry-32bit on the relocatable 6.1: loaded where the 64-bit plan puts
 * it, entered at the start of the protected-mode part, code32_start
 * rewritten to that address. */
static void test_entry_32bit_forced(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	const struct load_plan *p = &f->plan;
	const struct mpk_purgatory_params *pp = &p->params;

	plan_ok(f, &f->sv, &rq);
	assert_int_equal(pp->entry_mode, MPK_ENTRY_LINUX64);
	assert_int_equal(pp->entry, RUNNING_END + 0x200);
	assert_int_equal(get_le32(p->setup_buf + 0x214), get_le32(f->kernel + 0x214));
	assert_non_null(strstr(p->image_desc, "; 64-bit entry: relocatable, XLF_KERNEL_64"));
	rq.entry_32bit = true;
	plan_ok(f, &f->sv, &rq);
	check_invariants(p, &f->sv);
	assert_int_equal(seg(p, "kernel")->mem, RUNNING_END);
	assert_int_equal(pp->entry_mode, MPK_ENTRY_32);
	assert_int_equal(pp->entry, RUNNING_END);
	assert_int_equal(pp->entry_esi, seg(p, "boot_params")->mem);
	assert_int_equal(pp->entry_ebx, 0);
	assert_int_equal(get_le32(p->setup_buf + 0x214), RUNNING_END);
	assert_non_null(strstr(p->image_desc, "; 32-bit entry: asked for with --entry-32bit"));
}

/* A non-relocatable image whose pref_address is above 4 GiB cannot be
 * entered at its 32-bit entry (paging off): refused, nothing planned. */
static void test_entry_32bit_above_4g(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, false);
	struct sysview *sv = malloc(sizeof(*sv));
	struct memmap m = { 0 };

	assert_non_null(sv);
	assert_int_equal(memmap_add(&m, 0, 0x9fc00, E820_RAM), 0);
	assert_int_equal(memmap_add(&m, 0x100000, 0x40000000, E820_RAM), 0);
	assert_int_equal(memmap_add(&m, 0x100000000, 0x200000000, E820_RAM), 0);
	memcpy(sv, &f->sv, sizeof(*sv));
	sv->firmware_map = m;
	sv->n_kernel_image = 0;
	f->kernel[HDR_RELOCATABLE_KERNEL] = 0;
	put_le64(f->kernel + HDR_PREF_ADDRESS, 0x100000000);
	expect_plan_fails(f, sv, &rq, MPK_EXIT_BADINPUT,
			  "kernel image 'vmlinuz-6.1': is entered at its 32-bit entry (not "
			  "relocatable (its 64-bit entry is used only for relocatable images, as "
			  "kexec-tools does)), which runs with paging off and reaches only the low "
			  "4 GiB, but it must be loaded at 0x100000000-0x103f98000 (pref_address)",
			  NULL);
	f->kernel[HDR_RELOCATABLE_KERNEL] = 1;
	put_le64(f->kernel + HDR_PREF_ADDRESS, K_PREF);
	memmap_free(&m);
	free(sv);
}

/* More than the zero page's 128 entries: the rest in a SETUP_E820_EXT node. */
static void test_memmap_over_128(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	struct sysview *sv = malloc(sizeof(*sv));
	struct memmap m = { 0 };
	const struct segment *b;
	const uint8_t *bp, *ext = NULL;
	uint64_t sd;
	size_t n = 0, total;

	assert_non_null(sv);
	/* 300 entries: the fixture's RAM, then 298 one-page reserved ranges
	 * (firmware with many small runtime regions) */
	assert_int_equal(memmap_add(&m, 0, 0x9fc00, E820_RAM), 0);
	assert_int_equal(memmap_add(&m, 0x100000, RAM_TOP, E820_RAM), 0);
	for (unsigned i = 0; i < 298; i++)
		assert_int_equal(memmap_add(&m, 0x40000000 + i * 8192ull,
					    0x40000000 + i * 8192ull + 4096, E820_RESERVED), 0);
	memcpy(sv, &f->sv, sizeof(*sv));
	sv->firmware_map = m;
	sv->n_kernel_image = 0;
	plan_ok(f, sv, &rq);
	total = f->plan.handed_map.n;
	assert_true(total >= 300);
	b = seg(&f->plan, "boot_params");
	bp = b->buf;
	assert_int_equal(bp[BP_E820_ENTRIES], 128);
	for (sd = get_le64(bp + HDR_SETUP_DATA); sd; sd = get_le64(bp + (sd - b->mem))) {
		assert_true(sd > b->mem && sd + 16 <= b->mem + b->bufsz);
		if (get_le32(bp + (sd - b->mem) + 8) == SETUP_E820_EXT) {
			n = get_le32(bp + (sd - b->mem) + 12) / 20;
			ext = bp + (sd - b->mem) + 16;
		}
	}
	assert_non_null(ext);
	assert_int_equal(128 + n, total);
	/* Every entry, zero page then extension, in the handed map's order. */
	for (size_t i = 0; i < total; i++) {
		const uint8_t *e = i < 128 ? bp + BP_E820_TABLE + i * 20 : ext + (i - 128) * 20;
		const struct mem_range *r = &f->plan.handed_map.r[i];

		assert_int_equal(get_le64(e), r->start);
		assert_int_equal(get_le64(e + 8), r->end - r->start);
		assert_int_equal(get_le32(e + 16), r->type);
	}
	memmap_free(&m);
	free(sv);
}

static void test_bad_madt_fails_plan(void **state)
{
	struct fix *f = *state;
	struct load_request rq = request(f, CMDLINE, true);
	struct sysview *sv = malloc(sizeof(*sv));
	uint8_t tab[144];

	assert_non_null(sv);
	memcpy(tab, f->sv.madt, sizeof(tab));
	tab[20]++;                          /* checksum no longer 0 */
	memcpy(sv, &f->sv, sizeof(*sv));
	sv->madt = tab;
	expect_plan_fails(f, sv, &rq, MPK_EXIT_BADINPUT, "MADT", "checksum mismatch");
	free(sv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_boot_params),
		cmocka_unit_test(test_purgatory_params),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_no_initrd),
		cmocka_unit_test(test_running_kernel_unknown),
		cmocka_unit_test(test_tsc_guess_warned),
		cmocka_unit_test(test_boot_cpu_and_x2apic),
		cmocka_unit_test(test_madt_unreadable),
		cmocka_unit_test(test_plan_free),
		cmocka_unit_test(test_initrd_above_4g),
		cmocka_unit_test(test_no_running_boot_params),
		cmocka_unit_test(test_cmdline_too_long),
		cmocka_unit_test(test_initrd_too_big),
		cmocka_unit_test(test_initrd_over_half_of_ram),
		cmocka_unit_test(test_not_a_bzimage),
		cmocka_unit_test(test_kernel_not_relocatable),
		cmocka_unit_test(test_kernel_does_not_fit),
		cmocka_unit_test(test_memmap_over_128),
		cmocka_unit_test(test_memtest_plan),
		cmocka_unit_test(test_entry_32bit_forced),
		cmocka_unit_test(test_entry_32bit_above_4g),
		cmocka_unit_test(test_bad_madt_fails_plan),
	};

	return cmocka_run_group_tests_name("bzimage_plan", tests, fix_setup, fix_teardown);
}
