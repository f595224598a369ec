/* SPDX-License-Identifier: GPL-2.0-only */
#include "multiboot.h"

#include <elf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap-handoff.h"
#include "bytes.h"
#include "elf-exec.h"
#include "mpkexec/bootparam.h"
#include "options.h"
#include "payload-plan.h"
#include "planner.h"

int mb1_header_find(const uint8_t *data, size_t size, const char *path,
		    struct mb1_header *h, struct mpk_error *err)
{
	size_t end = size < MB1_SEARCH ? size : MB1_SEARCH, bad = SIZE_MAX;
	uint32_t bad_flags = 0, bad_sum = 0;

	memset(h, 0, sizeof(*h));
	for (size_t off = 0; off + 12 <= end; off += 4) {
		uint32_t flags, sum;

		if (get_le32(data + off) != MB1_HEADER_MAGIC)
			continue;
		flags = get_le32(data + off + 4);
		sum = get_le32(data + off + 8);
		if ((uint32_t)(MB1_HEADER_MAGIC + flags + sum) != 0) {
			if (bad == SIZE_MAX) {
				bad = off;
				bad_flags = flags;
				bad_sum = sum;
			}
			continue;
		}
		h->offset = off;
		h->flags = flags;
		h->aout = flags & MB1_FLAG_AOUT_KLUDGE;
		if (!h->aout)
			return 0;
		if (off + 32 > size)
			return mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot "
					"header at offset %#zx sets flag bit 16 (a.out kludge), but "
					"the file ends before its address fields", path, off) * 2;
		h->header_addr = get_le32(data + off + 12);
		h->load_addr = get_le32(data + off + 16);
		h->load_end_addr = get_le32(data + off + 20);
		h->bss_end_addr = get_le32(data + off + 24);
		h->entry_addr = get_le32(data + off + 28);
		return 0;
	}
	if (bad != SIZE_MAX)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot header "
				"at offset %#zx: checksum %#x found, %#x computed (magic + flags "
				"%#x + checksum must be 0); the header is damaged", path, bad,
				bad_sum, (uint32_t)-(MB1_HEADER_MAGIC + bad_flags), bad_flags) * 2;
	mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': no multiboot header in the "
		 "first 8 KiB", path);
	return -1;
}

static enum image_probe_result refuse(struct mpk_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum image_probe_result refuse(struct mpk_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->exit_code = MPK_EXIT_BADINPUT;
	return IMAGE_PROBE_REFUSED;
}

/* The a.out kludge: [load_addr, load_end_addr) from the file, zeros to
 * bss_end_addr (spec 3.1.3). */
static enum image_probe_result parse_aout(const uint8_t *data, size_t size, const char *path,
					  struct mb1_image *m, struct mpk_error *err)
{
	const struct mb1_header *h = &m->h;
	uint64_t before = (uint64_t)h->header_addr - h->load_addr, foff, len, end, bss;

	if (h->header_addr < h->load_addr || before > h->offset)
		return refuse(err, "kernel image '%s': multiboot a.out kludge: header_addr "
			      "%#x and load_addr %#x put the load start %s the file (header at "
			      "offset %#zx)", path, h->header_addr, h->load_addr,
			      h->header_addr < h->load_addr ? "after the header, not before, in" :
			      "before the beginning of", h->offset);
	foff = h->offset - before;
	if (h->load_end_addr) {
		if (h->load_end_addr <= h->load_addr)
			return refuse(err, "kernel image '%s': multiboot a.out kludge: "
				      "load_end_addr %#x is not above load_addr %#x", path,
				      h->load_end_addr, h->load_addr);
		len = (uint64_t)h->load_end_addr - h->load_addr;
		if (len > size - foff)
			return refuse(err, "kernel image '%s': multiboot a.out kludge: "
				      "load_addr %#x-load_end_addr %#x is %#" PRIx64 " bytes "
				      "from file offset %#" PRIx64 ", past the end of the file "
				      "(%zu bytes)", path, h->load_addr, h->load_end_addr, len,
				      foff, size);
	} else {
		len = size - foff;   /* load_end_addr 0: the rest of the file */
	}
	end = h->load_addr + len;
	bss = end;
	if (h->bss_end_addr) {
		if (h->bss_end_addr < end)
			return refuse(err, "kernel image '%s': multiboot a.out kludge: "
				      "bss_end_addr %#x is below the end of the loaded bytes %#"
				      PRIx64, path, h->bss_end_addr, end);
		bss = h->bss_end_addr;
	}
	if (bss > SZ_4G)
		return refuse(err, "kernel image '%s': multiboot a.out kludge: the kernel "
			      "(%#x-%#" PRIx64 ") runs past 4 GiB", path, h->load_addr, bss);
	if (h->entry_addr < h->load_addr || h->entry_addr >= bss)
		return refuse(err, "kernel image '%s': multiboot a.out kludge: entry_addr %#x "
			      "lies outside the kernel %#x-%#" PRIx64, path, h->entry_addr,
			      h->load_addr, bss);
	m->npiece = 1;
	m->piece[0] = (struct fixed_piece){ .paddr = h->load_addr, .bytes = data + foff,
		.filesz = len, .memsz = bss - h->load_addr };
	m->entry = h->entry_addr;
	m->lowest = h->load_addr;
	m->highest = bss;
	return IMAGE_PROBE_OK;
}

static enum image_probe_result parse_elf(const uint8_t *data, size_t size, const char *path,
					 struct mb1_image *m, struct mpk_error *err)
{
	struct elf_exec x;
	bool in_load = false;

	if (!elf_exec_is_elf(data, size))
		return refuse(err, "kernel image '%s': multiboot header at offset %#zx without "
			      "flag bit 16 (a.out kludge) in an image that is not ELF: where "
			      "its bytes go is unknown", path, m->h.offset);
	if (elf_exec_parse(data, size, path, false, &x, err) < 0)
		return IMAGE_PROBE_REFUSED;
	if (x.highest > SZ_4G)
		return refuse(err, "kernel image '%s': multiboot ELF kernel with PT_LOADs up to "
			      "%#" PRIx64 ", above 4 GiB; it starts in 32-bit mode", path,
			      x.highest);
	for (unsigned i = 0; i < x.nload; i++) {
		m->piece[i] = (struct fixed_piece){ .paddr = x.load[i].paddr,
			.bytes = data + x.load[i].offset, .filesz = x.load[i].filesz,
			.memsz = x.load[i].memsz };
		if (x.entry_paddr >= x.load[i].paddr &&
		    x.entry_paddr - x.load[i].paddr < x.load[i].memsz)
			in_load = true;
	}
	if (!in_load)
		return refuse(err, "kernel image '%s': multiboot ELF kernel's entry point %#"
			      PRIx64 " (physical %#" PRIx64 ") lies in no PT_LOAD", path,
			      x.entry, x.entry_paddr);
	m->npiece = x.nload;
	m->entry = (uint32_t)x.entry_paddr;
	m->elfclass = x.elfclass;
	m->lowest = x.lowest;
	m->highest = x.highest;
	return IMAGE_PROBE_OK;
}

enum image_probe_result mb1_image_parse(const uint8_t *data, size_t size, const char *path,
					struct mb1_image *out, struct mpk_error *err)
{
	uint32_t unmet;

	memset(out, 0, sizeof(*out));
	switch (mb1_header_find(data, size, path, &out->h, err)) {
	case 0:
		break;
	case -1:
		return IMAGE_PROBE_NOT_MINE;
	default:
		return IMAGE_PROBE_REFUSED;
	}
	/* Bits 0-15 must be honoured; 0 (modules page aligned) and 1 (memory
	 * information) are. */
	unmet = out->h.flags & 0xfffcu;
	if (unmet & (1u << 2))
		return refuse(err, "kernel image '%s': multiboot header flags %#x require bit "
			      "2 (video mode information), which mpkexec does not provide",
			      path, out->h.flags);
	if (unmet) {
		unsigned bit = (unsigned)__builtin_ctz(unmet);

		return refuse(err, "kernel image '%s': multiboot header flags %#x require bit "
			      "%u, which the multiboot specification (0.6.96) does not define; "
			      "mpkexec cannot honour it", path, out->h.flags, bit);
	}
	return out->h.aout ? parse_aout(data, size, path, out, err) :
			     parse_elf(data, size, path, out, err);
}

enum image_probe_result multiboot_probe(const struct image_probe_input *in,
					struct mpk_error *err)
{
	struct mb1_image m;

	return mb1_image_parse(in->data, in->size, in->path, &m, err);
}

/* --- the information structure ---------------------------------------------- */

struct info_layout {
	size_t mods, mmap, cmdline, loader, strings, size;
};

static void info_layout(const struct mb1_info_input *in, struct info_layout *l)
{
	size_t at = MB1_INFO_SIZE;

	l->mods = at = align_up(at, 8);
	at += (size_t)in->nmod * MB1_MOD_SIZE;
	l->mmap = at;
	at += in->map->n * MB1_MMAP_ENTRY_SIZE;
	l->cmdline = at;
	at += strlen(in->cmdline) + 1;
	l->loader = at;
	at += sizeof(MB1_LOADER_NAME);
	l->strings = at;
	for (unsigned i = 0; i < in->nmod; i++)
		at += strlen(in->mod[i].string) + 1;
	l->size = at;
}

size_t mb1_info_size(const struct mb1_info_input *in)
{
	struct info_layout l;

	info_layout(in, &l);
	return l.size;
}

static uint32_t mmap_type(uint32_t e820)
{
	/* 1 available, 2 reserved, 3 ACPI reclaimable, 4 NVS, 5 bad RAM */
	return e820 >= E820_RAM && e820 <= E820_UNUSABLE ? e820 : E820_RESERVED;
}

void mb1_info_write(uint8_t *buf, uint32_t base, const struct mb1_info_input *in)
{
	const struct memmap *m = in->map;
	struct info_layout l;
	uint64_t lower = 0, upper = 0;
	size_t s;

	info_layout(in, &l);
	memset(buf, 0, l.size);
	/* mem_lower: RAM from 0 (at most 640 KiB); mem_upper: RAM from 1 MiB
	 * up to the first hole, in KiB. */
	for (size_t i = 0; i < m->n; i++) {
		const struct mem_range *r = &m->r[i];

		if (r->type != E820_RAM)
			continue;
		if (r->start == 0)
			lower = (r->end < 0xa0000 ? r->end : 0xa0000) / 1024;
		if (r->start <= SZ_1M && r->end > SZ_1M)
			upper = (r->end - SZ_1M) / 1024;
	}
	put_le32(buf + MB1_INFO_FLAGS, MB1_INFO_HAVE_MEM | MB1_INFO_HAVE_CMDLINE |
		 MB1_INFO_HAVE_MODS | MB1_INFO_HAVE_MMAP | MB1_INFO_HAVE_LOADER);
	put_le32(buf + MB1_INFO_MEM_LOWER, (uint32_t)lower);
	put_le32(buf + MB1_INFO_MEM_UPPER, upper > UINT32_MAX ? UINT32_MAX : (uint32_t)upper);
	put_le32(buf + MB1_INFO_CMDLINE, base + (uint32_t)l.cmdline);
	put_le32(buf + MB1_INFO_MODS_COUNT, in->nmod);
	put_le32(buf + MB1_INFO_MODS_ADDR, base + (uint32_t)l.mods);
	put_le32(buf + MB1_INFO_MMAP_LENGTH, (uint32_t)(m->n * MB1_MMAP_ENTRY_SIZE));
	put_le32(buf + MB1_INFO_MMAP_ADDR, base + (uint32_t)l.mmap);
	put_le32(buf + MB1_INFO_LOADER_NAME, base + (uint32_t)l.loader);
	s = l.strings;
	for (unsigned i = 0; i < in->nmod; i++) {
		uint8_t *e = buf + l.mods + (size_t)i * MB1_MOD_SIZE;
		size_t len = strlen(in->mod[i].string) + 1;

		put_le32(e, in->mod[i].start);
		put_le32(e + 4, in->mod[i].end);
		put_le32(e + 8, base + (uint32_t)s);
		memcpy(buf + s, in->mod[i].string, len);
		s += len;
	}
	for (size_t i = 0; i < m->n; i++) {
		uint8_t *e = buf + l.mmap + i * MB1_MMAP_ENTRY_SIZE;

		put_le32(e, MB1_MMAP_ENTRY_SIZE - 4);
		put_le64(e + 4, m->r[i].start);
		put_le64(e + 12, m->r[i].end - m->r[i].start);
		put_le32(e + 20, mmap_type(m->r[i].type));
	}
	memcpy(buf + l.cmdline, in->cmdline, strlen(in->cmdline) + 1);
	memcpy(buf + l.loader, MB1_LOADER_NAME, sizeof(MB1_LOADER_NAME));
}

/* --- the plan ------------------------------------------------------------------ */

int multiboot_plan(const struct sysview *sv, const struct load_request *rq,
		   const uint8_t *purgatory_elf, size_t purgatory_len,
		   struct load_plan *plan, struct mpk_error *err)
{
	struct payload_ctx ctx = { 0 };
	struct payload_entry pe = { 0 };
	struct mb1_module_info mods[sizeof(rq->module) / sizeof(rq->module[0])];
	struct mb1_info_input ii;
	struct mb1_image m;
	uint64_t iaddr;
	size_t isize;
	uint8_t *info;

	memset(plan, 0, sizeof(*plan));
	if (rq->entry_32bit)
		return payload_refuse_options(rq, "multiboot", ~PAYLOAD_TAKES_ENTRY32, err);
	if (mb1_image_parse(rq->kernel.data, rq->kernel.size, rq->kernel_path, &m, err) !=
	    IMAGE_PROBE_OK)
		return -1;
	if (rq->initrd_path)
		return mpk_fail(err, MPK_EXIT_USAGE, "--initrd with multiboot image '%s': a "
				"multiboot kernel takes modules; use --module=\"%s ARGS\"",
				rq->kernel_path, rq->initrd_path);
	if (rq->args_style != ARGS_DEFAULT)
		return mpk_fail(err, MPK_EXIT_USAGE, "--args-linux/--args-none with multiboot "
				"image '%s': they are for ELF images; a multiboot kernel is "
				"entered with EAX = 0x2BADB002 and EBX = its information",
				rq->kernel_path);
	if (m.h.aout)
		snprintf(plan->image_desc, sizeof(plan->image_desc), "multiboot (v1) kernel, "
			 "header at %#zx, flags %#x, a.out kludge: load %#x-%#" PRIx64 ", bss "
			 "to %#" PRIx64 "; entry %#x: 32-bit protected mode, EAX = 0x2BADB002, "
			 "EBX = multiboot information", m.h.offset, m.h.flags, m.h.load_addr,
			 m.piece[0].paddr + m.piece[0].filesz, m.highest, m.entry);
	else
		snprintf(plan->image_desc, sizeof(plan->image_desc), "multiboot (v1) kernel, "
			 "header at %#zx, flags %#x, ELF%u with %u PT_LOAD%s at %#" PRIx64 "-%#"
			 PRIx64 "; entry %#x: 32-bit protected mode, EAX = 0x2BADB002, EBX = "
			 "multiboot information", m.h.offset, m.h.flags, m.elfclass, m.npiece,
			 m.npiece > 1 ? "s" : "", m.lowest, m.highest, m.entry);
	snprintf(plan->cmdline_desc, sizeof(plan->cmdline_desc), "%zu bytes, in the "
		 "multiboot information", strlen(rq->cmdline));

	if (payload_plan_begin(sv, rq, &(struct payload_begin){ .type_name = "multiboot",
			       .efi_refused = "a multiboot (v1) kernel is handed no EFI data" },
			       &ctx, plan, err) < 0)
		goto fail;
	if (fixed_pieces_place(&ctx, sv, rq, plan, m.h.aout ? "a.out kludge load range" :
			       "PT_LOAD", m.piece, m.npiece, err) < 0)
		goto fail;
	/* Modules: page aligned (header bit 0 or not), lowest free RAM from
	 * 1 MiB, below 4 GiB (the module list has 32-bit addresses). */
	for (unsigned i = 0; i < rq->nmodule; i++) {
		const struct load_module *lm = &rq->module[i];
		uint64_t a;
		struct mpk_error why;

		if (planner_place(&ctx.pl, &(struct placement_req){ .what = "module",
				  .size = lm->data.size ? lm->data.size : 1, .align = PAGE_SIZE_4K,
				  .min = SZ_1M, .max = SZ_4G }, &a, &why) < 0) {
			mpk_fail(err, MPK_EXIT_NOSPACE, "module '%s': no free System RAM below "
				 "4 GiB for its %zu bytes (multiboot module addresses are 32-bit)",
				 lm->path, lm->data.size);
			goto fail;
		}
		mods[i] = (struct mb1_module_info){ .start = (uint32_t)a,
			.end = (uint32_t)(a + lm->data.size), .string = lm->args };
		plan_add_segment(plan, "module", lm->data.data, lm->data.size, a,
				 lm->data.size ? lm->data.size : 1, true, "%s", lm->args);
	}
	if (ap_handoff_plan(sv, rq, ctx.mode, ctx.mode_why, &ctx.pl, plan, err) < 0)
		goto fail;
	if (plan->next_rsdp)
		snprintf(plan->rsdp_desc, sizeof(plan->rsdp_desc), "not passed (multiboot v1 "
			 "has no RSDP field): the kernel searches the BIOS areas and finds "
			 "firmware's%s", plan->park_base ? ", not the new tables" : "");
	else
		snprintf(plan->rsdp_desc, sizeof(plan->rsdp_desc), "not passed (multiboot v1 "
			 "has no RSDP field)");

	ii = (struct mb1_info_input){ .map = &plan->handed_map, .cmdline = rq->cmdline,
		.mod = mods, .nmod = rq->nmodule };
	isize = mb1_info_size(&ii);
	if (planner_place(&ctx.pl, &(struct placement_req){ .what = "multiboot information",
			  .size = isize, .align = PAGE_SIZE_4K, .min = SZ_1M, .max = SZ_4G,
			  .top_down = true }, &iaddr, err) < 0)
		goto fail;
	if (plan->nowned == sizeof(plan->owned) / sizeof(plan->owned[0])) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "plan: no room for another owned buffer");
		goto fail;
	}
	info = calloc(1, isize);
	if (!info) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		goto fail;
	}
	plan_own(plan, info);
	mb1_info_write(info, (uint32_t)iaddr, &ii);
	plan_add_segment(plan, "multiboot info", info, isize, iaddr, isize, true,
			 "flags mem, cmdline, mods (%u), mmap (%zu entries), boot_loader_name "
			 "\"" MB1_LOADER_NAME "\"", rq->nmodule, plan->handed_map.n);

	pe = (struct payload_entry){ .mode = MPK_ENTRY_32, .entry = m.entry,
		.eax = MB1_BOOTLOADER_MAGIC, .ebx = (uint32_t)iaddr };
	if (payload_plan_finish(sv, rq, &ctx, &pe, purgatory_elf, purgatory_len, plan,
				err) != 0)
		goto fail;
	payload_ctx_free(&ctx);
	return 0;
fail:
	payload_ctx_free(&ctx);
	load_plan_free(plan);
	return -1;
}
