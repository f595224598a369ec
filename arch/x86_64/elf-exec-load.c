/* SPDX-License-Identifier: GPL-2.0-only */
#include "elf-exec-load.h"

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap-handoff.h"
#include "boot-params.h"
#include "bytes.h"
#include "elf-exec.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/handoff-report.h"
#include "multiboot.h"
#include "options.h"
#include "planner.h"
#include "setup-data.h"


enum image_probe_result elf_image_probe(const struct image_probe_input *in,
					struct mpk_error *err)
{
	struct elf_exec x;
	struct mb1_header h;
	struct mpk_error ignored;

	if (!elf_exec_is_elf(in->data, in->size)) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': no ELF magic (7f 45 4c 46) "
			 "at offset 0", in->path);
		return IMAGE_PROBE_NOT_MINE;
	}
	if (mb1_header_find(in->data, in->size, in->path, &h, &ignored) == 0) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': an ELF executable with a "
			 "multiboot header at offset %#zx: the multiboot type loads it",
			 in->path, h.offset);
		return IMAGE_PROBE_NOT_MINE;
	}
	if (elf_exec_parse(in->data, in->size, in->path, false, &x, err) < 0)
		return IMAGE_PROBE_REFUSED;
	return IMAGE_PROBE_OK;
}

/* --- fixed pieces --------------------------------------------------------- */

struct group {
	unsigned first, n;           /* into the sorted order */
	uint64_t lo, hi;             /* page-rounded [lo, hi) */
	uint64_t file_end;           /* highest paddr + filesz */
};

static int piece_cmp(const void *a, const void *b)
{
	const struct fixed_piece *x = *(const struct fixed_piece *const *)a;
	const struct fixed_piece *y = *(const struct fixed_piece *const *)b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* The part of [addr, end) below 1 MiB, which the planner keeps for
 * firmware and the trampoline: refused unless it is System RAM of the map
 * handed over, above page 0, off the SIPI trampoline page. */
static int place_low(const struct load_plan *plan, const char *what, const char *path,
		     const char *type_name, uint64_t addr, uint64_t end, struct mpk_error *err)
{
	const struct memmap *m = &plan->handed_map;
	bool ram = false;

	if (addr < 0x1000)
		return mpk_fail(err, MPK_EXIT_NOSPACE, "%s '%s': %#" PRIx64 "-%#" PRIx64
				" overlaps page 0 (real-mode IVT and BIOS data); the %s image "
				"must be loaded exactly there", what, path, addr, end, type_name);
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].type == E820_RAM && m->r[i].start <= addr && end <= m->r[i].end)
			ram = true;
	if (!ram)
		return mpk_fail(err, MPK_EXIT_NOSPACE, "%s '%s': %#" PRIx64 "-%#" PRIx64
				" is not System RAM below 1 MiB (firmware's, the EBDA, ROM or "
				"a hole); the %s image must be loaded exactly there", what, path,
				addr, end, type_name);
	if (plan->trampoline && addr < plan->trampoline + 0x1000 && plan->trampoline < end)
		return mpk_fail(err, MPK_EXIT_NOSPACE, "%s '%s': %#" PRIx64 "-%#" PRIx64
				" overlaps the SIPI trampoline page %#" PRIx64 " of the park "
				"handoff; use --ap-handoff=init, or load the %s image where it "
				"leaves a free page below 1 MiB", what, path, addr, end,
				plan->trampoline, type_name);
	for (unsigned i = 0; i < plan->nseg; i++)
		if (addr < plan->seg[i].mem + plan->seg[i].memsz && plan->seg[i].mem < end)
			return mpk_fail(err, MPK_EXIT_NOSPACE, "%s '%s': %#" PRIx64 "-%#" PRIx64
					" overlaps the %s segment at %#" PRIx64, what, path, addr,
					end, plan->seg[i].what, plan->seg[i].mem);
	return 0;
}

int fixed_pieces_place(struct payload_ctx *ctx, const struct sysview *sv,
		       const struct load_request *rq, struct load_plan *plan,
		       const char *what, const struct fixed_piece *pc, unsigned n,
		       struct mpk_error *err)
{
	const struct fixed_piece *sorted[ELF_EXEC_MAX_LOAD];
	struct group g[ELF_EXEC_MAX_LOAD];
	unsigned ng = 0;
	size_t total = 0, at = 0;
	uint8_t *buf = NULL;
	char name[80];

	if (n > ELF_EXEC_MAX_LOAD)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': %u pieces to load; "
				"kexec_load takes %d segments in all", rq->kernel_path, n,
				ELF_EXEC_MAX_LOAD);
	for (unsigned i = 0; i < n; i++)
		sorted[i] = &pc[i];
	qsort(sorted, n, sizeof(sorted[0]), piece_cmp);
	for (unsigned i = 0; i < n; i++) {
		const struct fixed_piece *p = sorted[i];
		uint64_t lo = align_down(p->paddr, PAGE_SIZE_4K);
		uint64_t hi = align_up(p->paddr + p->memsz, PAGE_SIZE_4K);

		if (p->paddr + p->memsz < p->paddr || hi < p->paddr || p->memsz < p->filesz)
			return mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': %s at %#"
					PRIx64 " with memsz %#" PRIx64 " wraps the address space",
					rq->kernel_path, what, p->paddr, p->memsz);
		if (ng && lo < g[ng - 1].hi) {
			struct group *q = &g[ng - 1];

			q->n++;
			if (hi > q->hi)
				q->hi = hi;
			if (p->paddr + p->filesz > q->file_end)
				q->file_end = p->paddr + p->filesz;
			continue;
		}
		g[ng++] = (struct group){ .first = i, .n = 1, .lo = lo, .hi = hi,
					  .file_end = p->paddr + p->filesz };
	}
	/* One buffer for every group that needs one (the plan owns it). */
	for (unsigned i = 0; i < ng; i++)
		if (g[i].n > 1 || g[i].lo != sorted[g[i].first]->paddr)
			total += g[i].file_end > g[i].lo ? g[i].file_end - g[i].lo : 0;
	if (total) {
		if (plan->nowned == sizeof(plan->owned) / sizeof(plan->owned[0]))
			return mpk_fail(err, MPK_EXIT_INTERNAL, "plan: no room for another "
					"owned buffer");
		buf = calloc(1, total);
		if (!buf)
			return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		plan_own(plan, buf);
	}
	for (unsigned i = 0; i < ng; i++) {
		const struct fixed_piece *f = sorted[g[i].first];
		const uint8_t *bytes = f->bytes;
		uint64_t bufsz = f->filesz, lo = g[i].lo, hi = g[i].hi;

		if (g[i].n > 1 || lo != f->paddr) {
			bytes = buf + at;
			bufsz = g[i].file_end > lo ? g[i].file_end - lo : 0;
			for (unsigned k = 0; k < g[i].n; k++) {
				const struct fixed_piece *p = sorted[g[i].first + k];

				if (p->filesz)
					memcpy(buf + at + (p->paddr - lo), p->bytes, p->filesz);
			}
			at += bufsz;
		}
		if (g[i].n > 1)
			snprintf(name, sizeof(name), "%ss at %#" PRIx64 "-%#" PRIx64, what,
				 lo, hi);
		else
			snprintf(name, sizeof(name), "%s at %#" PRIx64, what, f->paddr);
		if (lo < SZ_1M && place_low(plan, name, rq->kernel_path, ctx->type_name, lo,
					    hi < SZ_1M ? hi : SZ_1M, err) < 0)
			return -1;
		if (hi > SZ_1M && payload_place_fixed(ctx, sv, rq, name, rq->kernel_path,
						      lo < SZ_1M ? SZ_1M : lo,
						      hi - (lo < SZ_1M ? SZ_1M : lo), err) < 0)
			return -1;
		plan_add_segment(plan, "kernel", bufsz ? bytes : NULL, bufsz, lo, hi - lo, true,
				 "%s: %u %s%s, memsz beyond filesz zeroed", rq->kernel_path,
				 g[i].n, what, g[i].n > 1 ? "s sharing pages" : "");
	}
	return 0;
}

/* --- the plan -------------------------------------------------------------- */


/* --args-linux: the zero page, command line and setup_data nodes in one
 * segment below 4 GiB; *report the handoff report node. */
static int linux_args(const struct sysview *sv, const struct load_request *rq,
		      struct payload_ctx *ctx, struct load_plan *plan, uint64_t initrd_addr,
		      uint64_t *bp_addr, struct payload_entry *pe, struct mpk_error *err)
{
	const struct mpk_purgatory_params *p = &plan->params;
	struct setup_piece pc[3];
	unsigned n = 0;
	size_t cmdlen = strlen(rq->cmdline), size, ext_len;
	uint8_t *ext = NULL;
	uint64_t saddr;
	struct boot_params_input bpi;
	int rc = -1;

	pc[n++] = (struct setup_piece){ .type = MPK_SETUP_DATA_TYPE, .node = true,
		.len = sizeof(struct mpk_handoff_report) +
		       p->nr_aps * sizeof(struct mpk_report_cpu) };
	if (plan->acpi_snapshot_len)
		pc[n++] = (struct setup_piece){ .type = MPK_SETUP_ACPI_ROOT, .node = true,
			.data = plan->acpi_snapshot, .len = plan->acpi_snapshot_len };
	ext_len = boot_params_e820_ext_size(&plan->handed_map);
	if (ext_len) {
		ext = malloc(ext_len);
		if (!ext)
			return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		boot_params_e820_ext_write(ext, &plan->handed_map);
		pc[n++] = (struct setup_piece){ .type = SETUP_E820_EXT, .node = true, .data = ext,
			.len = ext_len };
	}
	size = setup_layout(cmdlen, pc, n);
	if (planner_place(&ctx->pl, &(struct placement_req){ .what = "boot_params",
			  .size = size, .align = PAGE_SIZE_4K, .min = SZ_1M, .max = SZ_4G,
			  .top_down = true }, &saddr, err) < 0)
		goto out;
	plan->setup_buf = calloc(1, align_up(size, PAGE_SIZE_4K));
	if (!plan->setup_buf) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	memcpy(plan->setup_buf + BP_SIZE, rq->cmdline, cmdlen + 1);
	setup_write(plan->setup_buf, saddr, pc, n);
	bpi = (struct boot_params_input){
		.bz = NULL, .running_bp = sv->have_boot_params ? sv->boot_params : NULL,
		.e820 = &plan->handed_map, .cmdline_addr = saddr + BP_SIZE,
		.initrd_addr = initrd_addr, .initrd_size = rq->initrd_path ? rq->initrd.size : 0,
		.acpi_rsdp = plan->next_rsdp, .setup_data = saddr + pc[0].off,
		.e820_ext_in_setup_data = ext != NULL,
	};
	if (boot_params_build(plan->setup_buf, &bpi, err) < 0)
		goto out;
	plan_add_segment(plan, "boot_params", plan->setup_buf, size, saddr, size, true,
			 "zero page of our own (%zu e820 entries%s), command line, setup_data: "
			 "handoff report%s", plan->handed_map.n, ext ? ", the rest in "
			 "SETUP_E820_EXT" : "", plan->acpi_snapshot_len ? ", firmware MADT" : "");
	*bp_addr = saddr;
	pe->boot_params = saddr;
	pe->report_addr = saddr + pc[0].off + SETUP_DATA_HDR;
	pe->report_len = (uint32_t)pc[0].len;
	rc = 0;
out:
	free(ext);
	return rc;
}

int elf_image_plan(const struct sysview *sv, const struct load_request *rq,
		   const uint8_t *purgatory_elf, size_t purgatory_len,
		   struct load_plan *plan, struct mpk_error *err)
{
	struct payload_ctx ctx = { 0 };
	struct payload_entry pe = { 0 };
	struct fixed_piece pc[ELF_EXEC_MAX_LOAD];
	struct elf_exec x;
	bool linux_style = rq->args_style == ARGS_LINUX, in_load = false;
	uint64_t iaddr = 0, bp = 0;
	const char *style;

	memset(plan, 0, sizeof(*plan));
	if (rq->entry_32bit)
		return payload_refuse_options(rq, "ELF", ~PAYLOAD_TAKES_ENTRY32, err);
	if (elf_exec_parse(rq->kernel.data, rq->kernel.size, rq->kernel_path, false, &x,
			   err) < 0)
		return -1;
	if (rq->nmodule)
		return mpk_fail(err, MPK_EXIT_USAGE, "--module with an ELF image ('%s'): modules "
				"are for multiboot images; the elf type loads none",
				rq->kernel_path);
	if (rq->initrd_path && !linux_style)
		return mpk_fail(err, MPK_EXIT_USAGE, "--initrd with ELF image '%s' and "
				"--args-none: a payload entered without arguments cannot be told "
				"where the initrd is; add --args-linux", rq->kernel_path);
	for (unsigned i = 0; i < x.nload; i++)
		if (x.entry_paddr >= x.load[i].paddr &&
		    x.entry_paddr - x.load[i].paddr < x.load[i].memsz)
			in_load = true;
	if (!in_load)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': entry point %#" PRIx64
				" (physical %#" PRIx64 ") lies in no PT_LOAD; the payload would "
				"start in memory nothing was loaded into", rq->kernel_path,
				x.entry, x.entry_paddr);
	if (x.entry_paddr >= SZ_4G)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': entry point %#" PRIx64
				" is above 4 GiB; purgatory enters ELF payloads through its "
				"identity map of the low 4 GiB", rq->kernel_path, x.entry_paddr);
	if (x.elfclass == 32)
		style = linux_style ? "--args-linux: 32-bit protected mode (paging off) at "
			"the entry, ESI = boot_params" : "--args-none: 32-bit protected mode "
			"(paging off) at the entry, EAX = EBX = ESI = 0";
	else
		style = linux_style ? "--args-linux: 64-bit at the entry, RSI = boot_params "
			"(Linux zero page)" : "--args-none: 64-bit at the entry with an "
			"identity map of the low 4 GiB, no arguments";
	snprintf(plan->image_desc, sizeof(plan->image_desc), "ELF%u executable (%s), %u "
		 "PT_LOAD%s at %#" PRIx64 "-%#" PRIx64 ", entry %#" PRIx64 "; %s", x.elfclass,
		 x.machine == EM_X86_64 ? "EM_X86_64" : "EM_386", x.nload, x.nload > 1 ? "s" : "",
		 x.lowest, x.highest, x.entry_paddr, style);
	if (linux_style)
		snprintf(plan->cmdline_desc, sizeof(plan->cmdline_desc), "%zu bytes, in "
			 "boot_params", strlen(rq->cmdline));
	else
		snprintf(plan->cmdline_desc, sizeof(plan->cmdline_desc), "not passed: "
			 "--args-none");

	if (payload_plan_begin(sv, rq, &(struct payload_begin){ .type_name = "ELF",
			       .efi_refused = "an ELF payload is handed no EFI system table "
			       "or memory map" }, &ctx, plan, err) < 0)
		goto fail;
	for (unsigned i = 0; i < x.nload; i++)
		pc[i] = (struct fixed_piece){ .paddr = x.load[i].paddr,
			.bytes = rq->kernel.data + x.load[i].offset, .filesz = x.load[i].filesz,
			.memsz = x.load[i].memsz };
	if (fixed_pieces_place(&ctx, sv, rq, plan, "PT_LOAD", pc, x.nload, err) < 0)
		goto fail;
	if (rq->initrd_path) {
		if (planner_place(&ctx.pl, &(struct placement_req){ .what = "initrd",
				  .size = rq->initrd.size, .align = PAGE_SIZE_4K, .min = SZ_1M,
				  .max = SZ_4G, .top_down = true }, &iaddr, err) < 0)
			goto fail;
		plan_add_segment(plan, "initrd", rq->initrd.data, rq->initrd.size, iaddr,
				 rq->initrd.size, true, "%s", rq->initrd_path);
	}
	if (ap_handoff_plan(sv, rq, ctx.mode, ctx.mode_why, &ctx.pl, plan, err) < 0)
		goto fail;
	if (!linux_style && rq->cmdline[0])
		plan_text_append(plan->warning, sizeof(plan->warning), "%sthe command line is "
				 "not passed with --args-none (add --args-linux to pass it)",
				 plan->warning[0] ? "; " : "");
	payload_describe_rsdp(sv, plan, "the payload");

	pe.entry = x.entry_paddr;
	if (linux_style && linux_args(sv, rq, &ctx, plan, iaddr, &bp, &pe, err) < 0)
		goto fail;
	if (x.elfclass == 64) {
		pe.mode = linux_style ? MPK_ENTRY_LINUX64 : MPK_ENTRY_64_IDENTITY;
		pe.rsi = bp;
	} else {
		pe.mode = MPK_ENTRY_32;
		pe.esi = (uint32_t)bp;
	}
	if (payload_plan_finish(sv, rq, &ctx, &pe, purgatory_elf, purgatory_len, plan,
				err) != 0)
		goto fail;
	plan->payload_rsi = bp;
	payload_ctx_free(&ctx);
	return 0;
fail:
	payload_ctx_free(&ctx);
	load_plan_free(plan);
	return -1;
}
