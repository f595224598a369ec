/* SPDX-License-Identifier: GPL-2.0-only */
#include "bzimage-load.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap-handoff.h"
#include "boot-params.h"
#include "bytes.h"
#include "bzimage.h"
#include "crash-plan.h"
#include "digest.h"
#include "efi-handover.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/handoff-report.h"
#include "payload-plan.h"
#include "planner.h"
#include "setup-data.h"
#include "unaccepted.h"

/* kexec's destination limit with 4-level paging (MAXMEM). */
#define KEXEC_DEST_LIMIT (1ull << 46)

/* One more sentence for plan->warning (said on stderr at load time). */
__attribute__((format(printf, 2, 3)))
static void warn(struct load_plan *plan, const char *fmt, ...)
{
	char one[sizeof(plan->warning)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(one, sizeof(one), fmt, ap);
	va_end(ap);
	plan_text_append(plan->warning, sizeof(plan->warning), "%s%s",
			 plan->warning[0] ? "; " : "", one);
}

/* True when the bzImage's version string (setup header kernel_version,
 * a pointer less 0x200 into the setup area) says Linux >= major.minor.
 * False when it is missing or unreadable: the caller's cautious default. */
static bool linux_at_least(const struct bzimage *bz, unsigned major, unsigned minor)
{
	size_t area = ((size_t)bz->setup_sects + 1) * 512, off;
	unsigned maj = 0, min = 0;
	char v[16];

	if (bz->header_end < 0x210)
		return false;
	off = (size_t)bz->setup[0x20e] | (size_t)bz->setup[0x20f] << 8;
	if (!off || off + 0x200 + sizeof(v) > area)
		return false;
	memcpy(v, bz->setup + off + 0x200, sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	if (sscanf(v, "%u.%u", &maj, &min) != 2)
		return false;
	return maj > major || (maj == major && min >= minor);
}

static int place_kernel(struct planner *pl, const struct bzimage *bz, const char *path,
			uint64_t memsz, uint64_t *addr, struct mpk_error *err)
{
	struct placement_req req = {
		.what = "kernel", .size = memsz, .align = bz->kernel_alignment,
		/* At pref_address or above, so the decompressor runs in place
		 * inside the init_size bytes reserved here. */
		.min = bz->pref_address, .max = SZ_4G,
	};

	if (!bz->relocatable) {
		req.max = bz->pref_address + align_up(memsz, PAGE_SIZE_4K);
		req.align = PAGE_SIZE_4K;
	}
	if (planner_place(pl, &req, addr, err) == 0)
		return 0;
	if (!bz->relocatable)
		return mpk_fail(err, MPK_EXIT_NOSPACE,
				"kernel image '%s': not relocatable and its address %#" PRIx64
				"-%#" PRIx64 " is not free System RAM", path, bz->pref_address,
				bz->pref_address + memsz);
	return mpk_fail(err, MPK_EXIT_NOSPACE,
			"kernel image '%s': no free System RAM for init_size %" PRIu64
			" MiB aligned to %#x between %#" PRIx64 " and 4 GiB", path,
			memsz >> 20, bz->kernel_alignment, bz->pref_address);
}

static int place_initrd(struct planner *pl, const struct bzimage *bz,
			const struct load_request *rq, uint64_t *addr, struct mpk_error *err)
{
	uint64_t limit = (uint64_t)bz->initrd_addr_max + 1;
	struct placement_req req = {
		.what = "initrd", .size = rq->initrd.size, .align = PAGE_SIZE_4K,
		.min = SZ_1M, .max = limit, .top_down = true,
	};
	struct mpk_error low_err;

	if (planner_place(pl, &req, addr, &low_err) == 0)
		return 0;
	if (bz->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) {
		req.min = SZ_4G;
		req.max = KEXEC_DEST_LIMIT;
		if (planner_place(pl, &req, addr, err) == 0)
			return 0;
	}
	return mpk_fail(err, MPK_EXIT_NOSPACE,
			"initrd '%s': %zu MiB does not fit in free System RAM below "
			"initrd_addr_max %#x%s (%" PRIu64 " MiB of RAM there, part of it "
			"taken by the kernel and reserved ranges); use a smaller initrd",
			rq->initrd_path, rq->initrd.size >> 20, bz->initrd_addr_max,
			(bz->xloadflags & XLF_CAN_BE_LOADED_ABOVE_4G) ? " nor above 4 GiB" :
			" (the kernel cannot take one above 4 GiB)",
			planner_ram_in(pl, SZ_1M, limit) >> 20);
}

int bzimage_plan(const struct sysview *sv, const struct load_request *rq,
		 const uint8_t *purgatory_elf, size_t purgatory_len, struct load_plan *plan,
		 struct mpk_error *err)
{
	struct mpk_purgatory_params *p = &plan->params;
	struct boot_params_input bpi;
	struct payload_ctx ctx = { 0 };
	struct bzimage bz;
	uint64_t kmem, kaddr, iaddr = 0, saddr, setup_size;
	const char *cmdline = rq->cmdline;
	size_t cmdlen = strlen(cmdline);
	struct crash_setup cs = { 0 };
	struct setup_piece pieces[SETUP_PIECES_MAX], *report, *efi_map = NULL;
	unsigned npieces = 0;
	struct efi_handover *eh = &ctx.eh;
	uint8_t *e820_ext = NULL;
	size_t e820_ext_len;
	char efi_refused[200], entry_why[120];
	struct payload_entry pe;
	enum bzimage_entry entry;

	memset(plan, 0, sizeof(*plan));
	if (payload_refuse_options(rq, "bzImage", PAYLOAD_TAKES_INITRD | PAYLOAD_TAKES_ENTRY32,
				   err) < 0)
		return -1;
	if (bzimage_parse(rq->kernel.data, rq->kernel.size, rq->kernel_path, &bz, err) < 0)
		return -1;
	if (cmdlen > bz.cmdline_size) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "command line: %zu bytes, but kernel '%s' accepts "
			 "at most %u (cmdline_size); shorten --append/--command-line", cmdlen,
			 rq->kernel_path, bz.cmdline_size);
		goto fail;
	}
	entry = bzimage_entry(&bz, rq->entry_32bit, entry_why, sizeof(entry_why));
	snprintf(plan->image_desc, sizeof(plan->image_desc),
		 "bzImage, boot protocol %u.%02u, %s, kernel_alignment %#x, "
		 "pref_address %#" PRIx64 ", init_size %#x; %s entry: %s", bz.version >> 8,
		 bz.version & 0xff, bz.relocatable ? "relocatable" : "not relocatable",
		 bz.kernel_alignment, bz.pref_address, bz.init_size,
		 entry == BZIMAGE_ENTRY_32 ? "32-bit" : "64-bit", entry_why);
	snprintf(plan->cmdline_desc, sizeof(plan->cmdline_desc), "%zu bytes, at most %u",
		 cmdlen, bz.cmdline_size);

	kmem = bz.init_size > bz.kernel_size ? bz.init_size : bz.kernel_size;
	/* A capture kernel (-p): every segment inside the crash range(s), an
	 * e820 restricted to them (crash-plan.h). */
	if (rq->crash && (crash_setup_begin(sv, rq, kmem, &cs, err) < 0 ||
			  crash_handed_map(sv, &plan->handed_map, err) < 0))
		goto fail;
	snprintf(efi_refused, sizeof(efi_refused), "kernel '%s' does not take EFI runtime "
		 "state over a kexec (no XLF_EFI_KEXEC in its xloadflags)", rq->kernel_path);
	if (payload_plan_begin(sv, rq, &(struct payload_begin){ .type_name = "bzImage",
			       .efi_refused = (bz.xloadflags & XLF_EFI_KEXEC) ? NULL :
			       efi_refused, .cs = &cs }, &ctx, plan, err) < 0)
		goto fail;
	/* The ELF core header first, at the top of the crash range: the
	 * command line names its address. */
	if (rq->crash) {
		if (crash_place_header(&ctx.pl, plan, rq, &cs, &plan->handed_map, err) < 0)
			goto crash_fail;
		cmdline = cs.cmdline;
		cmdlen = strlen(cmdline);
		if (cmdlen > bz.cmdline_size) {
			mpk_fail(err, MPK_EXIT_BADINPUT, "command line: %zu bytes with "
				 "elfcorehdr=, but kernel '%s' accepts at most %u (cmdline_size); "
				 "shorten --append/--command-line", cmdlen, rq->kernel_path,
				 bz.cmdline_size);
			goto fail;
		}
		snprintf(plan->cmdline_desc, sizeof(plan->cmdline_desc), "%zu bytes, at most "
			 "%u; elfcorehdr= appended by -p", cmdlen, bz.cmdline_size);
	}

	if (place_kernel(&ctx.pl, &bz, rq->kernel_path, kmem, &kaddr, err) < 0)
		goto crash_fail;
	if (entry == BZIMAGE_ENTRY_32 && kaddr + kmem > SZ_4G) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': is entered at its 32-bit "
			 "entry (%s), which runs with paging off and reaches only the low 4 GiB, "
			 "but it must be loaded at %#" PRIx64 "-%#" PRIx64 " (pref_address)",
			 rq->kernel_path, entry_why, kaddr, kaddr + kmem);
		goto fail;
	}
	if (rq->initrd_path && place_initrd(&ctx.pl, &bz, rq, &iaddr, err) < 0)
		goto crash_fail;
	plan_add_segment(plan, "kernel", bz.kernel, bz.kernel_size, kaddr, kmem, true,
			 "%s%s, protected-mode part; memsz = init_size", sv->n_kernel_image ? "" :
			 "MAY OVERLAP THE RUNNING KERNEL, whose place non-root cannot see: ", rq->kernel_path);
	if (rq->initrd_path)
		plan_add_segment(plan, "initrd", rq->initrd.data, rq->initrd.size, iaddr,
				 rq->initrd.size, true, "%s", rq->initrd_path);

	if (ap_handoff_plan(sv, rq, ctx.mode, ctx.mode_why, &ctx.pl, plan, err) < 0)
		goto fail;
	if (!sv->n_kernel_image)
		warn(plan, "the running kernel's image is unknown (/proc/iomem shows no \"Kernel "
		     "code\" addresses to non-root), so segments may be placed over it, where "
		     "the APs wait until purgatory runs; run as root to plan around it");
	if (rq->crash)
		crash_plan_warnings(sv, plan);
	if (p->nr_aps && sv->tsc_note[0])
		warn(plan, "%s; purgatory's AP waits (INIT settle, gather timeout) are timed "
		     "with it", sv->tsc_note);

	report = &pieces[npieces++];
	*report = (struct setup_piece){ .type = MPK_SETUP_DATA_TYPE, .node = true,
		.len = sizeof(struct mpk_handoff_report) +
		       p->nr_aps * sizeof(struct mpk_report_cpu) };
	if (plan->acpi_snapshot_len)
		pieces[npieces++] = (struct setup_piece){ .type = MPK_SETUP_ACPI_ROOT, .node = true,
			.data = plan->acpi_snapshot, .len = plan->acpi_snapshot_len };
	if (eh->present) {
		pieces[npieces++] = (struct setup_piece){ .type = SETUP_EFI, .node = true,
			.data = eh->setup_efi, .len = sizeof(eh->setup_efi) };
		efi_map = &pieces[npieces++];
		*efi_map = (struct setup_piece){ .data = eh->memmap, .len = eh->memmap_size };
	}
	/* Entries past the zero page's 128 (UEFI machines, big servers). */
	e820_ext_len = boot_params_e820_ext_size(&plan->handed_map);
	if (e820_ext_len) {
		e820_ext = malloc(e820_ext_len);
		if (!e820_ext)
			goto oom;
		boot_params_e820_ext_write(e820_ext, &plan->handed_map);
		pieces[npieces++] = (struct setup_piece){ .type = SETUP_E820_EXT, .node = true,
			.data = e820_ext, .len = e820_ext_len };
	}
	setup_size = setup_layout(cmdlen, pieces, npieces);
	if (planner_place(&ctx.pl, &(struct placement_req){ .what = "boot_params", .size = setup_size,
			  .align = PAGE_SIZE_4K, .min = SZ_1M, .max = SZ_4G, .top_down = true },
			  &saddr, err) < 0)
		goto crash_fail;
	plan->setup_buf = calloc(1, align_up(setup_size, PAGE_SIZE_4K));
	if (!plan->setup_buf)
		goto oom;
	memcpy(plan->setup_buf + BP_SIZE, cmdline, cmdlen + 1);
	plan->cmdline = (const char *)plan->setup_buf + BP_SIZE;
	setup_write(plan->setup_buf, saddr, pieces, npieces);
	bpi = (struct boot_params_input){
		.bz = &bz, .running_bp = sv->have_boot_params ? sv->boot_params : NULL,
		.e820 = &plan->handed_map, .cmdline_addr = saddr + BP_SIZE,
		.initrd_addr = iaddr, .initrd_size = rq->initrd_path ? rq->initrd.size : 0,
		.acpi_rsdp = plan->next_rsdp, .setup_data = setup_first_node(saddr, pieces, npieces),
		.e820_ext_in_setup_data = e820_ext != NULL,
	};
	if (boot_params_build(plan->setup_buf, &bpi, err) < 0)
		goto fail;
	if (efi_map)
		efi_handover_put_boot_params(plan->setup_buf, eh, saddr + efi_map->off);
	payload_describe_rsdp(sv, plan, "the next kernel");
	plan_add_segment(plan, "boot_params", plan->setup_buf, setup_size, saddr, setup_size,
			 true, "zero page (%zu e820 entries%s), command line, setup_data: handoff "
			 "report%s%s%s", plan->handed_map.n, e820_ext ? ", beyond 128 in "
			 "SETUP_E820_EXT" : "", plan->acpi_snapshot_len ? ", firmware MADT" : "",
			 eh->present ? ", SETUP_EFI, EFI runtime map" : "", e820_ext ?
			 ", SETUP_E820_EXT" : "");

	/* Purgatory last: its parameters name every other segment. */
	pe = (struct payload_entry){ .mode = MPK_ENTRY_LINUX64,
		.entry = kaddr + BZIMAGE_ENTRY64_OFFSET, .rsi = saddr, .boot_params = saddr,
		.report_addr = saddr + report->off + SETUP_DATA_HDR,
		.report_len = (uint32_t)report->len };
	/* The 32-bit entry (Linux boot protocol, "32-bit boot protocol"): the
	 * start of the protected-mode part, ESI = boot_params, EBX = EBP =
	 * EDI = 0; code32_start says where that part was loaded (Memtest86+
	 * finds itself through it).  Everything it needs lies below 4 GiB:
	 * the kernel and boot_params are placed there. */
	if (entry == BZIMAGE_ENTRY_32) {
		put_le32(plan->setup_buf + HDR_CODE32_START, (uint32_t)kaddr);
		pe.mode = MPK_ENTRY_32;
		pe.entry = kaddr;
		pe.rsi = 0;
		pe.esi = (uint32_t)saddr;
	}
	if (linux_at_least(&bz, 6, 9))
		p->flags |= MPK_PF_NEXT_REFUSES_BSP;
	switch (payload_plan_finish(sv, rq, &ctx, &pe, purgatory_elf, purgatory_len, plan,
				    err)) {
	case 0:
		break;
	case PAYLOAD_NO_ROOM:
		goto crash_fail;
	default:
		goto fail;
	}
	payload_ctx_free(&ctx);
	free(e820_ext);
	crash_setup_free(&cs);
	return 0;
oom:
	mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	goto fail;
crash_fail:
	if (rq->crash)
		crash_no_room(&cs, sv, err);
fail:
	crash_setup_free(&cs);
	payload_ctx_free(&ctx);
	free(e820_ext);
	load_plan_free(plan);
	return -1;
}
