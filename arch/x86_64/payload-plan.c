/* SPDX-License-Identifier: GPL-2.0-only */
#include "payload-plan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap-handoff.h"
#include "bytes.h"
#include "crash-plan.h"
#include "digest.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/park-abi.h"
#include "unaccepted.h"

/* EFI runtime ranges (the runtime map the next kernel gets) hold firmware
 * code and data the next kernel calls into: no segment goes there, and the
 * next kernel's memory map shows them reserved, as the running kernel's
 * /proc/iomem does (boot-services ranges it kept are RAM in
 * /sys/firmware/memmap). */
static int efi_keep_runtime(const struct efi_handover *eh, struct planner *pl,
			    struct memmap *handed, struct mpk_error *err)
{
	struct memmap ram_hit = { NULL, 0 };
	int rc = 0;

	for (unsigned i = 0; i < eh->n_desc && rc == 0; i++) {
		const uint8_t *d = eh->memmap + (size_t)i * eh->memdesc_size;
		uint64_t start = get_le64(d + 8), end = start + (get_le64(d + 24) << 12);

		for (size_t j = 0; j < handed->n && rc == 0; j++) {
			const struct mem_range *r = &handed->r[j];
			uint64_t lo = start > r->start ? start : r->start;
			uint64_t hi = end < r->end ? end : r->end;

			if (r->type == E820_RAM && lo < hi &&
			    memmap_add(&ram_hit, lo, hi, E820_RESERVED) < 0)
				rc = mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		}
	}
	/* The planner never uses what the map does not call RAM, so only the
	 * RAM pieces of runtime ranges need avoiding (a server's runtime map
	 * has many entries, the planner's taken list a fixed size). */
	for (size_t k = 0; k < ram_hit.n && rc == 0; k++)
		if (planner_avoid(pl, ram_hit.r[k].start, ram_hit.r[k].end, err) < 0)
			rc = -1;
		else if (memmap_set_type(handed, ram_hit.r[k].start, ram_hit.r[k].end,
					 E820_RESERVED) < 0)
			rc = mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	memmap_free(&ram_hit);
	return rc;
}

int payload_plan_begin(const struct sysview *sv, const struct load_request *rq,
		       const struct payload_begin *pb, struct payload_ctx *ctx,
		       struct load_plan *plan, struct mpk_error *err)
{
	struct planner *pl = &ctx->pl;

	memset(ctx, 0, sizeof(*ctx));
	ctx->type_name = pb->type_name;
	if (rq->crash && !pb->cs)
		return mpk_fail(err, MPK_EXIT_USAGE, "-p with a %s image ('%s'): a capture "
				"kernel must be a Linux bzImage (kdump runs Linux on the crash "
				"region); load %s with -l", pb->type_name, rq->kernel_path,
				pb->type_name);
	if (!rq->crash)
		for (size_t i = 0; i < sv->firmware_map.n; i++)
			if (memmap_add(&plan->handed_map, sv->firmware_map.r[i].start,
				       sv->firmware_map.r[i].end, sv->firmware_map.r[i].type) < 0)
				return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	if (efi_handover_read(sv->root, sv->have_boot_params ? sv->boot_params : NULL,
			      &ctx->eh, err) < 0)
		return -1;
	if (ctx->eh.present && pb->efi_refused)
		efi_handover_refuse(&ctx->eh, "%s", pb->efi_refused);
	snprintf(plan->efi_desc, sizeof(plan->efi_desc), "%s", ctx->eh.present ?
		 ctx->eh.desc : ctx->eh.why_not);
	if (unaccepted_check(sv, ctx->eh.present ? NULL : ctx->eh.why_not, err) < 0)
		return -1;

	planner_init(pl, rq->crash ? &pb->cs->ram : &sv->firmware_map);
	/* Page 0: real-mode IVT and BIOS data. */
	if (planner_avoid(pl, 0, 0x1000, err) < 0 ||
	    (ctx->eh.present && efi_keep_runtime(&ctx->eh, pl, &plan->handed_map, err) < 0))
		return -1;
	/* The running kernel's image: APs halt inside its text until purgatory
	 * reaches them, so the segments copied before purgatory runs stay out
	 * (the trampoline too). */
	for (unsigned i = 0; i < sv->n_kernel_image; i++)
		if (planner_avoid(pl, sv->kernel_image[i].start, sv->kernel_image[i].end,
				  err) < 0)
			return -1;
	ctx->mode = ap_handoff_resolve(sv, rq->ap_handoff, ctx->mode_why,
				       sizeof(ctx->mode_why));
	/* A capture kernel's trampoline page is RAM of the firmware map, no
	 * segment: purgatory copies it from the crash region (crash-plan.h). */
	if (rq->crash)
		plan->trampoline = ctx->mode == AP_HANDOFF_PARK ?
				   crash_trampoline_page(&plan->handed_map) : 0;
	else
		ap_handoff_place_trampoline(pl, plan, ctx->mode);
	/* The rest of the low 1 MiB: firmware data, real-mode code; no segment. */
	return planner_avoid(pl, 0, SZ_1M, err);
}

/* What lies in [addr, end) that a fixed segment must not overwrite, in
 * words; NULL when nothing does (the planner's RAM check comes after). */
static const char *fixed_conflict(const struct sysview *sv, const struct load_request *rq,
				  uint64_t addr, uint64_t end, char *buf, size_t len)
{
	for (unsigned i = 0; i < sv->crash.nregion; i++)
		if (addr < sv->crash.region[i].end && sv->crash.region[i].start < end) {
			snprintf(buf, len, "the \"Crash kernel\" range %#" PRIx64 "-%#" PRIx64
				 " (crashkernel=; a loaded capture kernel lives there)",
				 sv->crash.region[i].start, sv->crash.region[i].end);
			return buf;
		}
	if (rq->park_addr && addr < rq->park_addr + PARK_REGION_SIZE && rq->park_addr < end) {
		snprintf(buf, len, "the park region --park-addr=%#" PRIx64 " asks for "
			 "(%#x bytes)", rq->park_addr, PARK_REGION_SIZE);
		return buf;
	}
	for (unsigned i = 0; i < sv->n_kernel_image; i++)
		if (addr < sv->kernel_image[i].end && sv->kernel_image[i].start < end) {
			snprintf(buf, len, "the running kernel's image %#" PRIx64 "-%#" PRIx64
				 " (where the other CPUs wait until purgatory runs; boot the "
				 "running kernel with another KASLR offset or nokaslr)",
				 sv->kernel_image[i].start, sv->kernel_image[i].end);
			return buf;
		}
	if (addr < SZ_1M) {
		snprintf(buf, len, "the low 1 MiB (firmware data and the SIPI trampoline)");
		return buf;
	}
	return NULL;
}

int payload_place_fixed(struct payload_ctx *ctx, const struct sysview *sv,
			const struct load_request *rq, const char *what, const char *path,
			uint64_t addr, uint64_t memsz, struct mpk_error *err)
{
	uint64_t end = align_up(addr + memsz, PAGE_SIZE_4K), got;
	struct mpk_error why;
	const char *conflict;
	char buf[200];

	if (addr & (PAGE_SIZE_4K - 1) || addr + memsz < addr || end >= SZ_4G * 1024)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': %#" PRIx64 "-%#" PRIx64
				" is not a page-aligned physical range this loader can fill; "
				"the %s image is unusable", what, path, addr, addr + memsz,
				ctx->type_name);
	conflict = fixed_conflict(sv, rq, addr, end, buf, sizeof(buf));
	if (conflict)
		return mpk_fail(err, MPK_EXIT_NOSPACE, "%s '%s': %#" PRIx64 "-%#" PRIx64
				" overlaps %s; the %s image must be loaded exactly there",
				what, path, addr, addr + memsz, conflict, ctx->type_name);
	if (planner_place(&ctx->pl, &(struct placement_req){ .what = what, .size = end - addr,
			  .align = PAGE_SIZE_4K, .min = addr, .max = end }, &got, &why) < 0)
		return mpk_fail(err, MPK_EXIT_NOSPACE, "%s '%s': %#" PRIx64 "-%#" PRIx64
				" is not free System RAM (reserved, ACPI, not memory, or taken "
				"by another segment); the %s image must be loaded exactly there",
				what, path, addr, addr + memsz, ctx->type_name);
	return 0;
}

int payload_plan_finish(const struct sysview *sv, const struct load_request *rq,
			struct payload_ctx *ctx, const struct payload_entry *pe,
			const uint8_t *purgatory_elf, size_t purgatory_len,
			struct load_plan *plan, struct mpk_error *err)
{
	struct mpk_purgatory_params *p = &plan->params;
	uint64_t paddr;
	char tsc[80] = "";

	if (purgatory_open(purgatory_elf, purgatory_len, &plan->purgatory, err) < 0)
		return -1;
	if (planner_place(&ctx->pl, &(struct placement_req){ .what = "purgatory",
			  .size = plan->purgatory.size, .align = plan->purgatory.align,
			  .min = SZ_1M, .max = SZ_4G, .top_down = true }, &paddr, err) < 0)
		return PAYLOAD_NO_ROOM;
	if (purgatory_relocate(&plan->purgatory, paddr, err) < 0)
		return -1;

	p->magic = MPK_PURGATORY_MAGIC;
	p->version = MPK_PURGATORY_VERSION;
	p->serial_port = rq->serial_port;
	/* Never on the mailbox path: the console is port I/O. */
	if (rq->serial_debug && !(p->flags & MPK_PF_MAILBOX_APS))
		p->flags |= MPK_PF_SERIAL_DEBUG;
	if (rq->verify)
		p->flags |= MPK_PF_VERIFY_DIGESTS;
	if (rq->crash)
		p->flags |= MPK_PF_CRASH;
	p->entry_mode = pe->mode;
	p->entry = pe->entry;
	p->entry_rsi = pe->rsi;
	p->entry_eax = pe->eax;
	p->entry_ebx = pe->ebx;
	p->entry_esi = pe->esi;
	p->boot_params = pe->boot_params;
	p->report_addr = pe->report_addr;
	p->report_len = pe->report_len;
	for (unsigned i = 0; i < plan->nseg; i++) {
		if (!plan->seg[i].digest)
			continue;
		p->ranges[p->nr_ranges++] = (struct mpk_digest_range){
			.addr = plan->seg[i].mem, .len = plan->seg[i].bufsz,
			.xxh3 = digest_xxh3(plan->seg[i].buf, plan->seg[i].bufsz),
		};
	}
	purgatory_set_params(&plan->purgatory, p);
	/* The rate purgatory times its AP waits with, said where --plan shows it. */
	if (p->nr_aps)
		snprintf(tsc, sizeof(tsc), "; TSC rate %" PRIu64 " MHz%s", p->tsc_khz / 1000,
			 sv->tsc_note[0] ? " ASSUMED (no usable \"cpu MHz\" in /proc/cpuinfo)" : "");
	plan_add_segment(plan, "purgatory", plan->purgatory.buf, plan->purgatory.size, paddr,
			 plan->purgatory.size, false,
			 "handoff code, its stack, page tables and parameters%s", tsc);
	/* Half of all System RAM, also for a capture kernel (not of its region). */
	if (plan_check_limits(plan, rq->crash ? planner_ram_in(&(struct planner){
			      .map = &sv->firmware_map }, 0, UINT64_MAX) :
			      planner_ram_in(&ctx->pl, 0, UINT64_MAX), err) < 0)
		return -1;
	plan->entry = plan->purgatory.entry;
	plan->payload_entry = pe->entry;
	plan->payload_rsi = pe->mode == MPK_ENTRY_LINUX64 ? pe->rsi : pe->ebx;
	return 0;
}

int payload_refuse_options(const struct load_request *rq, const char *type_name,
			   unsigned takes, struct mpk_error *err)
{
	if (rq->initrd_path && !(takes & PAYLOAD_TAKES_INITRD))
		return mpk_fail(err, MPK_EXIT_USAGE, "--initrd with %s image '%s': it takes "
				"modules; use --module=\"%s ARGS\"", type_name, rq->kernel_path,
				rq->initrd_path);
	if (rq->nmodule && !(takes & PAYLOAD_TAKES_MODULES))
		return mpk_fail(err, MPK_EXIT_USAGE, "--module with %s image '%s': modules are "
				"for multiboot and multiboot2 images%s", type_name, rq->kernel_path,
				(takes & PAYLOAD_TAKES_INITRD) ? "; give an initrd with --initrd" : "");
	if (rq->args_style && !(takes & PAYLOAD_TAKES_ARGS))
		return mpk_fail(err, MPK_EXIT_USAGE, "--args-linux/--args-none with %s image "
				"'%s': they are for ELF images", type_name, rq->kernel_path);
	if (rq->entry_32bit && !(takes & PAYLOAD_TAKES_ENTRY32))
		return mpk_fail(err, MPK_EXIT_USAGE, "--entry-32bit with %s image '%s': it is "
				"for bzImages", type_name, rq->kernel_path);
	return 0;
}

void payload_describe_rsdp(const struct sysview *sv, struct load_plan *plan, const char *who)
{
	if (plan->next_rsdp)
		snprintf(plan->rsdp_desc, sizeof(plan->rsdp_desc), "%#" PRIx64 " (%s%s)",
			 plan->next_rsdp, plan->park_base ? "new tables, see segments" : "from ",
			 plan->park_base ? "" : plan->next_rsdp == sv->rsdp ? sv->rsdp_source :
			 "firmware's, from the previous handoff");
	else
		snprintf(plan->rsdp_desc, sizeof(plan->rsdp_desc),
			 "not found; %s searches for it itself", who);
}

void payload_ctx_free(struct payload_ctx *ctx)
{
	efi_handover_free(&ctx->eh);
}
