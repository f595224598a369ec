#include "bzimage-load.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot-params.h"
#include "bzimage.h"
#include "digest.h"
#include "madt.h"
#include "mpkexec/bootparam.h"
#include "planner.h"

#define SZ_1M   (1ull << 20)
#define SZ_4G   (1ull << 32)
/* kexec's destination limit with 4-level paging (MAXMEM). */
#define KEXEC_DEST_LIMIT (1ull << 46)

static struct segment *add_segment(struct load_plan *plan, const char *what,
				   const uint8_t *buf, uint64_t bufsz,
				   uint64_t mem, uint64_t memsz, bool digest)
{
	struct segment *s = &plan->seg[plan->nseg++];

	*s = (struct segment){ .what = what, .buf = buf, .bufsz = bufsz, .mem = mem,
			       .memsz = align_up(memsz, PAGE_SIZE_4K), .digest = digest };
	return s;
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

/* Decides how APs are handed over and fills the purgatory's AP list. */
static int plan_aps(const struct sysview *sv, struct load_plan *plan,
		    struct mpk_error *err)
{
	struct mpk_purgatory_params *p = &plan->params;
	struct madt_cpus *cpus;
	size_t off;

	if (!sv->madt) {
		snprintf(plan->ap_desc, sizeof(plan->ap_desc),
			 "init: APs unknown: cannot read /sys/firmware/acpi/tables/APIC (%s); "
			 "purgatory will not INIT any CPU%s", strerror(sv->madt_errno),
			 sv->madt_errno == EACCES ? " (run as root to see them)" : "");
		return 0;
	}
	cpus = malloc(sizeof(*cpus));
	if (!cpus)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	if (madt_parse_cpus(sv->madt, sv->madt_len, cpus, err) < 0) {
		free(cpus);
		return -1;
	}
	p->flags |= MPK_PF_INIT_APS;
	p->boot_apic_id = sv->have_boot_apic_id ? sv->boot_apic_id : cpus->apic_id[0];
	p->nr_aps = cpus->n;
	memcpy(p->ap_apic_ids, cpus->apic_id, cpus->n * sizeof(cpus->apic_id[0]));
	off = (size_t)snprintf(plan->ap_desc, sizeof(plan->ap_desc),
			       "init: purgatory sends INIT to every AP; the next kernel starts "
			       "them with INIT/SIPI\n  boot CPU: APIC ID %u (never INIT)\n  APs:",
			       p->boot_apic_id);
	for (unsigned i = 0; i < cpus->n && off < sizeof(plan->ap_desc); i++)
		if (cpus->apic_id[i] != p->boot_apic_id)
			off += (size_t)snprintf(plan->ap_desc + off, sizeof(plan->ap_desc) - off,
						" %u", cpus->apic_id[i]);
	if (off < sizeof(plan->ap_desc))
		snprintf(plan->ap_desc + off, sizeof(plan->ap_desc) - off,
			 " (APIC IDs from the MADT: INIT)");
	free(cpus);
	return 0;
}

int bzimage_plan(const struct sysview *sv, const struct load_request *rq,
		 const uint8_t *purgatory_elf, size_t purgatory_len,
		 struct load_plan *plan, struct mpk_error *err)
{
	struct mpk_purgatory_params *p = &plan->params;
	struct boot_params_input bpi;
	struct planner pl;
	struct bzimage bz;
	uint64_t kmem, kaddr, iaddr = 0, saddr, paddr, setup_size;
	size_t cmdlen = strlen(rq->cmdline);
	struct segment *s;

	memset(plan, 0, sizeof(*plan));
	if (bzimage_parse(rq->kernel.data, rq->kernel.size, rq->kernel_path, &bz, err) < 0)
		return -1;
	if (cmdlen > bz.cmdline_size)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"command line: %zu bytes, but kernel '%s' accepts at most %u "
				"(cmdline_size); shorten --append/--command-line", cmdlen,
				rq->kernel_path, bz.cmdline_size);
	snprintf(plan->image_desc, sizeof(plan->image_desc),
		 "bzImage, boot protocol %u.%02u, %s, kernel_alignment %#x, "
		 "pref_address %#" PRIx64 ", init_size %#x", bz.version >> 8,
		 bz.version & 0xff, bz.relocatable ? "relocatable" : "not relocatable",
		 bz.kernel_alignment, bz.pref_address, bz.init_size);
	snprintf(plan->cmdline_desc, sizeof(plan->cmdline_desc), "%zu bytes, at most %u",
		 cmdlen, bz.cmdline_size);

	/* The memory map handed over is firmware's, unchanged. */
	for (size_t i = 0; i < sv->firmware_map.n; i++)
		if (memmap_add(&plan->handed_map, sv->firmware_map.r[i].start,
			       sv->firmware_map.r[i].end, sv->firmware_map.r[i].type) < 0)
			goto oom;

	planner_init(&pl, &sv->firmware_map);
	/* Low 1 MiB: firmware data, real-mode trampolines; never a segment. */
	if (planner_avoid(&pl, 0, SZ_1M, err) < 0)
		goto fail;
	/* The running kernel's image: APs halt inside its text until purgatory
	 * INITs them, so the segments copied before purgatory runs stay out. */
	for (unsigned i = 0; i < sv->n_kernel_image; i++)
		if (planner_avoid(&pl, sv->kernel_image[i].start, sv->kernel_image[i].end,
				  err) < 0)
			goto fail;

	kmem = bz.init_size > bz.kernel_size ? bz.init_size : bz.kernel_size;
	if (place_kernel(&pl, &bz, rq->kernel_path, kmem, &kaddr, err) < 0)
		goto fail;
	if (rq->initrd_path && place_initrd(&pl, &bz, rq, &iaddr, err) < 0)
		goto fail;
	setup_size = BP_SIZE + cmdlen + 1;
	if (planner_place(&pl, &(struct placement_req){ .what = "boot_params", .size = setup_size,
			  .align = PAGE_SIZE_4K, .min = SZ_1M, .max = SZ_4G, .top_down = true },
			  &saddr, err) < 0)
		goto fail;

	plan->setup_buf = calloc(1, align_up(setup_size, PAGE_SIZE_4K));
	if (!plan->setup_buf)
		goto oom;
	memcpy(plan->setup_buf + BP_SIZE, rq->cmdline, cmdlen + 1);
	bpi = (struct boot_params_input){
		.bz = &bz, .running_bp = sv->have_boot_params ? sv->boot_params : NULL,
		.e820 = &plan->handed_map, .cmdline_addr = saddr + BP_SIZE,
		.initrd_addr = iaddr, .initrd_size = rq->initrd_path ? rq->initrd.size : 0,
		.acpi_rsdp = sv->rsdp,
	};
	if (boot_params_build(plan->setup_buf, &bpi, err) < 0)
		goto fail;
	if (sv->rsdp)
		snprintf(plan->rsdp_desc, sizeof(plan->rsdp_desc), "%#" PRIx64 " (from %s)",
			 sv->rsdp, sv->rsdp_source);
	else
		snprintf(plan->rsdp_desc, sizeof(plan->rsdp_desc),
			 "not found; the next kernel searches for it itself");

	s = add_segment(plan, "kernel", bz.kernel, bz.kernel_size, kaddr, kmem, true);
	snprintf(s->detail, sizeof(s->detail), "%s, protected-mode part; memsz = init_size",
		 rq->kernel_path);
	if (rq->initrd_path) {
		s = add_segment(plan, "initrd", rq->initrd.data, rq->initrd.size, iaddr,
				rq->initrd.size, true);
		snprintf(s->detail, sizeof(s->detail), "%s", rq->initrd_path);
	}
	s = add_segment(plan, "boot_params", plan->setup_buf, setup_size, saddr, setup_size,
			true);
	snprintf(s->detail, sizeof(s->detail), "zero page (%u e820 entries) + command line",
		 (unsigned)plan->handed_map.n);

	/* Purgatory last: its parameters name every other segment. */
	if (purgatory_open(purgatory_elf, purgatory_len, &plan->purgatory, err) < 0)
		goto fail;
	if (planner_place(&pl, &(struct placement_req){ .what = "purgatory",
			  .size = plan->purgatory.size, .align = plan->purgatory.align,
			  .min = SZ_1M, .max = SZ_4G, .top_down = true }, &paddr, err) < 0)
		goto fail;
	if (purgatory_relocate(&plan->purgatory, paddr, err) < 0)
		goto fail;

	p->magic = MPK_PURGATORY_MAGIC;
	p->version = MPK_PURGATORY_VERSION;
	p->serial_port = rq->serial_port;
	if (rq->serial_debug)
		p->flags |= MPK_PF_SERIAL_DEBUG;
	if (rq->verify)
		p->flags |= MPK_PF_VERIFY_DIGESTS;
	p->entry = kaddr + BZIMAGE_ENTRY64_OFFSET;
	p->entry_rsi = saddr;
	for (unsigned i = 0; i < plan->nseg; i++) {
		if (!plan->seg[i].digest)
			continue;
		p->ranges[p->nr_ranges++] = (struct mpk_digest_range){
			.addr = plan->seg[i].mem, .len = plan->seg[i].bufsz,
			.xxh3 = digest_xxh3(plan->seg[i].buf, plan->seg[i].bufsz),
		};
	}
	if (plan_aps(sv, plan, err) < 0)
		goto fail;
	purgatory_set_params(&plan->purgatory, p);
	s = add_segment(plan, "purgatory", plan->purgatory.buf, plan->purgatory.size, paddr,
			plan->purgatory.size, false);
	snprintf(s->detail, sizeof(s->detail),
		 "handoff code, its stack, page tables and parameters");
	if (plan_check_limits(plan, planner_ram_in(&pl, 0, UINT64_MAX), err) < 0)
		goto fail;
	plan->entry = plan->purgatory.entry;
	plan->payload_entry = p->entry;
	plan->payload_rsi = saddr;
	return 0;
oom:
	mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
fail:
	load_plan_free(plan);
	return -1;
}
