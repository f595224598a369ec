/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: a whole load plan.  bzimage_plan over a system view
 * made from the input (memory map, running kernel's image, MADT, MPKP,
 * online CPUs, osrelease, TDX flag) with the real 6.1 kernel header of
 * tests/unit/fixtures (its syssize cut to 64 KiB so the digests stay
 * cheap) and a minimal FADT.
 *
 * Input, in order:
 *   u8 flags: 0-1 --ap-handoff (auto, park, init, mailbox); 4 mailbox
 *      version 1; 8 tdx_guest flag; 16 an initrd; 32 the running kernel's
 *      image is known; 64 an MPKP table (the rest of the input); 128 no
 *      --verify
 *   u8 boot APIC ID
 *   u8 n (at most 24), then n memory-map ranges of 17 bytes (start le64,
 *      end le64 exclusive, e820 type u8)
 *   u8 n (at most 64), then n bytes: APIC IDs online
 *   le64 x 2: the running kernel's image [start, end)
 *   le32: --park-addr (page-aligned by the harness; 0: none)
 *   le32: initrd size (at most 1 MiB)
 *   u8 n (at most 64), then n bytes: osrelease
 *   le16 n, then n bytes: this kernel's MADT (length and checksum fixed)
 *   the rest: MPKP (if flag 64)
 * Invariants that abort(): see check_plan. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "bytes.h"
#include "bzimage-load.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/park-abi.h"
#include "mpkexec/purgatory-params.h"
#include "plan.h"
#include "purgatory-link.h"
#include "sysview.h"

#ifndef FIXTURES
#error "FIXTURES names tests/unit/fixtures"
#endif

#define SZ_1M      (1ull << 20)
#define SZ_4G      (1ull << 32)
#define SETUP_SIZE 0x5000u            /* the 6.1 header: 39 setup sectors + 1 */
#define KERN_SIZE  0x10000u           /* protected-mode part, cut down */
#define INITRD_MAX (1u << 20)

static uint8_t kernel[SETUP_SIZE + KERN_SIZE];
static uint8_t initrd[INITRD_MAX];
static uint8_t fadt[276];

static void init_once(void)
{
	static bool done;
	FILE *f;

	if (done)
		return;
	done = true;
	f = fopen(FIXTURES "/vmlinuz-6.1.head", "rb");
	if (!f || fread(kernel, 1, 16384, f) != 16384)
		abort();
	fclose(f);
	put_le32(kernel + 0x1f4, KERN_SIZE / 16); /* syssize */
	for (size_t i = 16384; i < sizeof(kernel); i++)
		kernel[i] = (uint8_t)(i * 131);
	acpi_sdt_init(fadt, "FACP", sizeof(fadt));
}

struct input {
	const uint8_t *p, *end;
};

static const uint8_t *take(struct input *in, size_t n)
{
	const uint8_t *r = in->p;
	static const uint8_t zero[64];

	if ((size_t)(in->end - in->p) < n) {
		in->p = in->end;
		return n <= sizeof(zero) ? zero : NULL;
	}
	in->p += n;
	return r;
}

/* [a, a + len) lies inside one segment (or len is 0 and a is in one). */
static const struct segment *in_segment(const struct load_plan *p, uint64_t a, uint64_t len)
{
	for (unsigned i = 0; i < p->nseg; i++) {
		const struct segment *s = &p->seg[i];

		if (a >= s->mem && a - s->mem < s->memsz && len <= s->memsz - (a - s->mem))
			return s;
	}
	return NULL;
}

/* Every byte of [a, a + len) has type `type` in `m` (ranges may abut). */
static bool covered(const struct memmap *m, uint64_t a, uint64_t len, uint32_t type)
{
	uint64_t end = a + len;

	while (a < end) {
		uint64_t next = a;

		for (size_t i = 0; i < m->n; i++)
			if (m->r[i].type == type && m->r[i].start <= a && a < m->r[i].end &&
			    m->r[i].end > next)
				next = m->r[i].end;
		if (next == a)
			return false;
		a = next;
	}
	return true;
}

static bool below_4g(uint64_t a, uint64_t len)
{
	return a < SZ_4G && len <= SZ_4G - a;
}

/* Every address purgatory would touch lies inside a planned segment or the
 * park region, below 4 GiB (purgatory's own identity map) but for the
 * initrd, which it only reads for its digest; no two segments
 * overlap; every segment is System RAM of firmware's map, page aligned,
 * outside the running kernel's image and, but for the trampoline, above
 * 1 MiB; the tables and the region have the type the next kernel keeps. */
static void check_plan(const struct sysview *sv, const struct load_plan *plan,
		       uint64_t old_region)
{
	const struct mpk_purgatory_params *p = &plan->params;
	const struct segment *s;

	for (unsigned i = 0; i < plan->nseg; i++) {
		const struct segment *a = &plan->seg[i];

		/* Only the initrd may lie above 4 GiB: purgatory reads it (digest)
		 * through the kexec identity map, before it switches to its own. */
		if (a->mem % 4096 || a->memsz % 4096 || !a->memsz || a->bufsz > a->memsz ||
		    !covered(&sv->firmware_map, a->mem, a->memsz, E820_RAM) ||
		    (strcmp(a->what, "initrd") != 0 && !below_4g(a->mem, a->memsz)))
			abort();
		if (a->mem < SZ_1M && a->mem != plan->trampoline)
			abort();
		for (unsigned k = 0; k < sv->n_kernel_image; k++)
			if (a->mem < sv->kernel_image[k].end && sv->kernel_image[k].start < a->mem + a->memsz)
				abort();
		for (unsigned j = i + 1; j < plan->nseg; j++)
			if (a->mem < plan->seg[j].mem + plan->seg[j].memsz &&
			    plan->seg[j].mem < a->mem + a->memsz)
				abort();
	}
	if (p->magic != MPK_PURGATORY_MAGIC || p->nr_ranges > MPK_MAX_DIGEST_RANGES)
		abort();
	for (unsigned i = 0; i < p->nr_ranges; i++)
		if (!in_segment(plan, p->ranges[i].addr, p->ranges[i].len))
			abort();
	if (!in_segment(plan, p->boot_params, BP_SIZE) || p->entry_rsi != p->boot_params ||
	    !in_segment(plan, p->report_addr, p->report_len) ||
	    !in_segment(plan, p->entry, 1) || plan->payload_entry != p->entry ||
	    plan->payload_rsi != p->entry_rsi || !in_segment(plan, plan->entry, 1))
		abort();
	if (p->trampoline && (p->trampoline >= SZ_1M || !in_segment(plan, p->trampoline, 4096)))
		abort();
	if (p->park_base) {
		s = in_segment(plan, p->park_base, PARK_REGION_SIZE);
		if (s ? !covered(&plan->handed_map, s->mem, s->memsz, E820_NVS) :
		    p->park_base != old_region || !below_4g(p->park_base, PARK_REGION_SIZE))
			abort();
		if (!(p->flags & (MPK_PF_PARK_APS | MPK_PF_MAILBOX_APS)))
			abort();
	}
	if (p->madt_addr) {
		s = in_segment(plan, p->madt_addr, plan->acpi.madt_len);
		if (!s || !covered(&plan->handed_map, s->mem, s->memsz, E820_ACPI))
			abort();
		for (unsigned i = 0; i < p->nr_aps; i++)
			if (p->aps[i].madt_flags_off + 4 > plan->acpi.madt_len)
				abort();
	}
	if (p->flags & MPK_PF_MAILBOX_APS) {
		/* purgatory reads the old region's header whenever it is named */
		if (p->src_region && !below_4g(p->src_region, PARK_REGION_SIZE))
			abort();
		for (unsigned i = 0; i < p->nr_aps; i++) {
			const struct mpk_ap *ap = &p->aps[i];

			if (ap->action == MPK_AP_MIGRATE &&
			    (!p->src_mailbox || !below_4g(p->src_mailbox, 4096)))
				abort();
			/* records purgatory reads: the source region's (when named),
			 * and a staying CPU's in the region reused in place */
			if (p->src_region && ap->src_record != MPK_NO_RECORD &&
			    ap->src_record >= PARK_MAX_CPUS)
				abort();
			if (ap->action == MPK_AP_STAY &&
			    (ap->src_record >= PARK_MAX_CPUS || p->park_base != p->src_region))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sysview sv;
	static struct load_plan plan;
	struct input in = { data, data + size };
	struct load_request rq = { 0 };
	struct mpk_error err;
	const uint8_t *b;
	unsigned flags, n;
	uint64_t old_region = 0;

	init_once();
	memset(&sv, 0, sizeof(sv));
	sv.root = "/nonexistent-mpk-fuzz";
	flags = *take(&in, 1);
	sv.have_boot_apic_id = true;
	sv.boot_apic_id = *take(&in, 1);
	n = *take(&in, 1) % 25;
	for (unsigned i = 0; i < n && in.end - in.p >= 17; i++, b = NULL)
		if ((b = take(&in, 17)) && memmap_add(&sv.firmware_map, get_le64(b), get_le64(b + 8), b[16] % 21) < 0)
			abort();
	memmap_sort(&sv.firmware_map);
	n = *take(&in, 1) % 65;
	b = take(&in, n);
	for (unsigned i = 0; i < n; i++)
		sv.online_apic_ids[sv.n_online++] = b[i];
	b = take(&in, 16);
	if ((flags & 32) && get_le64(b) < get_le64(b + 8)) { /* as iomem_find_kernel gives it */
		sv.kernel_image[0] = (struct mem_range){ get_le64(b), get_le64(b + 8), E820_RAM };
		sv.n_kernel_image = 1;
	}
	rq.park_addr = get_le32(take(&in, 4)) & ~0xfffull;
	rq.initrd.size = get_le32(take(&in, 4)) % (INITRD_MAX + 1);
	n = *take(&in, 1) % 65;
	b = take(&in, n);
	snprintf(sv.osrelease, sizeof(sv.osrelease), "%.*s", (int)n, (const char *)b);
	b = take(&in, 2);
	n = get_le16(b);
	if (n && (size_t)(in.end - in.p) >= n) {
		sv.madt = malloc(n);
		if (!sv.madt)
			abort();
		memcpy(sv.madt, take(&in, n), n);
		sv.madt_len = n;
		if (n >= 36) {
			put_le32(sv.madt + 4, n);
			acpi_set_checksum(sv.madt, n);
		}
	} else {
		sv.madt_errno = 2;
	}
	if ((flags & 64) && in.p < in.end) {
		sv.mpkp_len = (size_t)(in.end - in.p);
		sv.mpkp = malloc(sv.mpkp_len);
		if (!sv.mpkp)
			abort();
		memcpy(sv.mpkp, in.p, sv.mpkp_len);
		if (sv.mpkp_len >= 52)
			old_region = get_le64(sv.mpkp + 44);
	}
	sv.tdx_guest_flag = flags & 8;
	sv.tsc_khz = 3000000;
	if (acpi_tableset_add(&sv.acpi_tables, "FACP", fadt, sizeof(fadt), &err) < 0)
		abort();
	if (sv.madt && acpi_tableset_add(&sv.acpi_tables, "APIC", sv.madt, sv.madt_len, &err) < 0)
		sv.acpi_tables_why[0] = '\0';
	acpi_tableset_sort(&sv.acpi_tables);

	rq.kernel_path = "vmlinuz-6.1";
	rq.kernel = (struct blob){ .data = kernel, .size = sizeof(kernel) };
	if (flags & 16) {
		rq.initrd_path = "initrd";
		rq.initrd.data = initrd;
	} else {
		rq.initrd.size = 0;
	}
	rq.cmdline = "console=ttyS0 mpk.fuzz=1";
	rq.verify = !(flags & 128);
	rq.serial_port = 0x3f8;
	rq.ap_handoff = (enum ap_handoff)(flags & 3);
	rq.mailbox_version = (flags >> 2) & 1;

	err.msg[0] = '\0';
	if (bzimage_plan(&sv, &rq, purgatory_blob, (size_t)(purgatory_blob_end - purgatory_blob),
			 &plan, &err) == 0)
		check_plan(&sv, &plan, old_region);
	else if (!err.msg[0] || plan.nseg)
		abort();
	load_plan_free(&plan);
	sysview_free(&sv);
	return 0;
}
