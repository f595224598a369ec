/* SPDX-License-Identifier: GPL-2.0-only */
#include "crash-plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elfcore.h"
#include "mpkexec/bootparam.h"

#define SZ_1M_ ((uint64_t)1 << 20)
/* Room the rest of the plan takes in the region besides kernel, initrd and
 * header: boot_params + command line, purgatory, park region. */
#define CRASH_OTHER_BYTES ((uint64_t)1 << 20)

static uint64_t region_total(const struct crash_view *cv)
{
	uint64_t t = 0;

	for (unsigned i = 0; i < cv->nregion; i++)
		t += cv->region[i].end - cv->region[i].start;
	return t;
}

int crash_check_reservation(const struct sysview *sv, struct mpk_error *err)
{
	const struct crash_view *cv = &sv->crash;

	if (cv->nregion == 0 && cv->crash_size)
		return mpk_fail(err, MPK_EXIT_NOPERM, "-p: /sys/kernel/kexec_crash_size says %"
				PRIu64 " MiB are reserved for a capture kernel, but /proc/iomem "
				"shows this user no addresses; run as root", cv->crash_size >> 20);
	if (cv->nregion == 0)
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE, "-p: no memory is reserved for a "
				"capture kernel (no \"Crash kernel\" range in /proc/iomem); boot "
				"the running kernel with crashkernel=SIZE (e.g. crashkernel=256M)");
	return 0;
}

int crash_setup_begin(const struct sysview *sv, const struct load_request *rq,
		      uint64_t kmem, struct crash_setup *cs, struct mpk_error *err)
{
	const struct crash_view *cv = &sv->crash;
	struct elfcore_input in = {
		.cpu_notes = cv->notes, .ncpu = cv->ncpu, .vmcoreinfo = cv->vmcoreinfo,
		.iomem = &cv->iomem, .crash = cv->region, .ncrash = cv->nregion,
		.have_text = cv->have_kcore, .text_vaddr = cv->text_vaddr,
		.text_paddr = cv->text_paddr, .text_size = cv->text_size,
		.page_offset = cv->have_kcore ? cv->page_offset : CRASH_PAGE_OFFSET_DEFAULT,
	};
	uint64_t need, initrd = rq->initrd_path ? rq->initrd.size : 0;

	memset(cs, 0, sizeof(*cs));
	if (crash_check_reservation(sv, err) < 0)
		return -1;
	if (cv->ncpu == 0)
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE, "-p: no CPU crash notes for the ELF "
				"core header: %s", cv->notes_why[0] ? cv->notes_why :
				"/sys/devices/system/cpu/cpuN/crash_notes missing");
	if (!cv->vmcoreinfo.size)
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE, "-p: /sys/kernel/vmcoreinfo is "
				"missing or not \"ADDRESS SIZE\"; the dump needs it (running "
				"kernel built without CONFIG_CRASH_DUMP?)");
	if (rq->hotplug && !cv->elfcorehdr_size)
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE, "--hotplug: the running kernel has no "
				"/sys/kernel/crash_elfcorehdr_size, so it cannot rewrite the ELF "
				"core header on hotplug (Linux before 6.6, or built without "
				"CONFIG_CRASH_HOTPLUG); load without --hotplug");
	cs->region_bytes = region_total(cv);
	if (elfcore_build(&in, &cs->hdr, &cs->hdr_len, err) < 0)
		return -1;
	cs->hdr_memsz = cs->hdr_len;
	if (rq->hotplug && cv->elfcorehdr_size > cs->hdr_memsz)
		cs->hdr_memsz = cv->elfcorehdr_size;
	need = kmem + initrd + cs->hdr_memsz + CRASH_OTHER_BYTES;
	if (need > cs->region_bytes) {
		mpk_fail(err, MPK_EXIT_NOSPACE, "-p: capture kernel '%s' (init_size %" PRIu64
			 " MiB)%s%s%s need about %" PRIu64 " MiB, more than the %" PRIu64 " MiB "
			 "reserved by crashkernel=; reserve more (crashkernel=%" PRIu64 "M) or "
			 "use a smaller kernel or initrd", rq->kernel_path,
			 (kmem + SZ_1M_ - 1) >> 20, initrd ? " and initrd '" : "",
			 initrd ? rq->initrd_path : "", initrd ? "'" : "",
			 (need + SZ_1M_ - 1) >> 20, cs->region_bytes >> 20,
			 ((need + ((uint64_t)64 << 20) - 1) >> 26) << 6);
		crash_setup_free(cs);
		return -1;
	}
	for (unsigned i = 0; i < cv->nregion; i++)
		if (memmap_add(&cs->ram, cv->region[i].start, cv->region[i].end, E820_RAM) < 0) {
			crash_setup_free(cs);
			return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		}
	memmap_sort(&cs->ram);
	return 0;
}

int crash_handed_map(const struct sysview *sv, struct memmap *handed, struct mpk_error *err)
{
	const struct crash_view *cv = &sv->crash;

	for (size_t i = 0; i < sv->firmware_map.n; i++) {
		const struct mem_range *r = &sv->firmware_map.r[i];
		uint64_t end = r->end;

		if (r->type != E820_RAM) {
			if (memmap_add(handed, r->start, r->end, r->type) < 0)
				goto oom;
			continue;
		}
		/* RAM: only the low 1 MiB (no backup, see crash-plan.h). */
		if (r->start >= SZ_1M_)
			continue;
		if (end > SZ_1M_)
			end = SZ_1M_;
		if (memmap_add(handed, r->start, end, E820_RAM) < 0)
			goto oom;
	}
	for (unsigned i = 0; i < cv->nregion; i++)
		if (memmap_set_type(handed, cv->region[i].start, cv->region[i].end, E820_RAM) < 0)
			goto oom;
	memmap_sort(handed);
	return 0;
oom:
	return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
}

uint64_t crash_trampoline_page(const struct memmap *handed)
{
	uint64_t best = 0;

	for (size_t i = 0; i < handed->n; i++) {
		const struct mem_range *r = &handed->r[i];
		uint64_t start = align_up(r->start < 0x1000 ? 0x1000 : r->start, 4096);
		uint64_t end = (r->end < SZ_1M_ ? r->end : SZ_1M_) & ~(uint64_t)4095;

		/* memmap_set_type may have split RAM around a page marked
		 * otherwise: every range is checked on its own. */
		if (r->type != E820_RAM || start >= end)
			continue;
		if (end - 4096 > best)
			best = end - 4096;
	}
	return best;
}

int crash_place_header(struct planner *pl, struct load_plan *plan,
		       const struct load_request *rq, struct crash_setup *cs,
		       struct memmap *handed, struct mpk_error *err)
{
	struct placement_req req = { .what = "ELF core header", .size = cs->hdr_memsz,
				     .align = PAGE_SIZE_4K, .min = 0, .max = UINT64_MAX,
				     .top_down = true };
	uint64_t addr;
	size_t len;

	if (planner_place(pl, &req, &addr, err) < 0)
		return -1;
	len = strlen(rq->cmdline) + 40;
	cs->cmdline = malloc(len);
	if (!cs->cmdline)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	/* kexec-tools' form: kilobytes (addr is page aligned). */
	snprintf(cs->cmdline, len, "%s%selfcorehdr=%" PRIu64 "K", rq->cmdline,
		 rq->cmdline[0] ? " " : "", addr >> 10);
	if (memmap_set_type(handed, addr, addr + align_up(cs->hdr_memsz, PAGE_SIZE_4K),
			    E820_RESERVED) < 0)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	plan_own(plan, cs->hdr);
	plan_add_segment(plan, "elfcorehdr", cs->hdr, cs->hdr_len, addr, cs->hdr_memsz,
			 !rq->hotplug, "ELF core header: %u program headers%s",
			 (unsigned)cs->hdr[56] | (unsigned)cs->hdr[57] << 8,
			 rq->hotplug ? "; rewritten by the kernel on hotplug, so not in "
			 "the digest" : "");
	cs->hdr = NULL;
	return 0;
}

void crash_plan_warnings(const struct sysview *sv, struct load_plan *plan)
{
	if (!sv->crash.have_kcore)
		plan_text_append(plan->warning, sizeof(plan->warning), "%sthe ELF core header "
				 "has no kernel text PT_LOAD and assumes PAGE_OFFSET %#llx: "
				 "/proc/kcore's program headers are readable by root only (the "
				 "dump stays usable with makedumpfile, which reads vmcoreinfo)",
				 plan->warning[0] ? "; " : "",
				 (unsigned long long)CRASH_PAGE_OFFSET_DEFAULT);
}

int crash_no_room(const struct crash_setup *cs, const struct sysview *sv,
		  struct mpk_error *err)
{
	char why[sizeof(err->msg)];

	snprintf(why, sizeof(why), "%s", err->msg);
	return mpk_fail(err, MPK_EXIT_NOSPACE, "-p: inside the crash kernel region "
			"%#" PRIx64 "-%#" PRIx64 " (%" PRIu64 " MiB, crashkernel=): %s",
			sv->crash.region[0].start, sv->crash.region[0].end - 1,
			cs->region_bytes >> 20, why);
}

void crash_setup_free(struct crash_setup *cs)
{
	memmap_free(&cs->ram);
	free(cs->hdr);
	free(cs->cmdline);
	cs->hdr = NULL;
	cs->cmdline = NULL;
}
