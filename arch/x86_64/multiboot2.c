/* SPDX-License-Identifier: GPL-2.0-only */
#include "multiboot2.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap-handoff.h"
#include "bytes.h"
#include "elf-exec.h"
#include "mpkexec/bootparam.h"
#include "payload-acpi.h"
#include "payload-plan.h"
#include "planner.h"

/* --- the header --------------------------------------------------------- */

static const char *htag_name(unsigned type)
{
	static const char *const names[] = {
		"end", "information request", "address", "entry address", "console flags",
		"framebuffer", "module alignment", "EFI boot services", "EFI i386 entry "
		"address", "EFI amd64 entry address", "relocatable",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

static const char *tag_name(unsigned type)
{
	static const char *const names[] = {
		"end", "command line", "boot loader name", "module", "basic memory "
		"information", "BIOS boot device", "memory map", "VBE info", "framebuffer info",
		"ELF symbols", "APM table", "EFI 32-bit system table", "EFI 64-bit system "
		"table", "SMBIOS tables", "ACPI old RSDP", "ACPI new RSDP", "networking "
		"information", "EFI memory map", "EFI boot services not terminated", "EFI "
		"32-bit image handle", "EFI 64-bit image handle", "image load base address",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

/* Information tags this loader can give in some case (8 with a linear
 * framebuffer, 12 on UEFI, 14 and 15 when an RSDP is known: checked by the
 * plan); the others never. */
static bool tag_ever_provided(uint32_t type)
{
	switch (type) {
	case MB2_TAG_END: case MB2_TAG_CMDLINE: case MB2_TAG_LOADER_NAME:
	case MB2_TAG_MODULE: case MB2_TAG_BASIC_MEMINFO: case MB2_TAG_MMAP:
	case MB2_TAG_FRAMEBUFFER: case MB2_TAG_EFI64: case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW: case MB2_TAG_LOAD_BASE:
		return true;
	default:
		return false;
	}
}

__attribute__((format(printf, 2, 3)))
static void seen(struct mb2_header *h, const char *fmt, ...)
{
	size_t at = strlen(h->tags_seen);
	va_list ap;

	if (at + 1 >= sizeof(h->tags_seen))
		return;
	va_start(ap, fmt);
	vsnprintf(h->tags_seen + at, sizeof(h->tags_seen) - at, fmt, ap);
	va_end(ap);
}

/* The tags of the header at h->offset (its fixed fields checked). */
static enum image_probe_result parse_tags(const uint8_t *hdr, const char *path,
					  struct mb2_header *h, struct mpk_error *err)
{
	uint32_t at = 16;

	for (;;) {
		uint16_t type, flags;
		uint32_t size;
		const uint8_t *t = hdr + at;
		bool optional;

		if (at > h->header_length || h->header_length - at < 8) {
			mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 header at "
				 "%#zx: no end tag within its header_length %u", path, h->offset,
				 h->header_length);
			return IMAGE_PROBE_REFUSED;
		}
		type = get_le16(t);
		flags = get_le16(t + 2);
		size = get_le32(t + 4);
		optional = flags & 1;
		if (size < 8 || size > h->header_length - at) {
			mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 header "
				 "tag %u (%s) at offset %#zx: size %u does not fit in the header "
				 "(header_length %u)", path, type, htag_name(type),
				 h->offset + at, size, h->header_length);
			return IMAGE_PROBE_REFUSED;
		}
		if (type == MB2_HTAG_END)
			return IMAGE_PROBE_OK;
		{
			static const uint32_t min_size[] = { 8, 8, 24, 12, 12, 20, 8, 8, 12, 12, 24 };

			if (type < sizeof(min_size) / sizeof(min_size[0]) && size < min_size[type]) {
				mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 "
					 "header tag %u (%s): size %u, at least %u expected", path,
					 type, htag_name(type), size, min_size[type]);
				return IMAGE_PROBE_REFUSED;
			}
		}
		seen(h, "%s%u%s", h->tags_seen[0] ? " " : "", type, optional ? "(opt)" : "");
		switch (type) {
		case MB2_HTAG_INFO_REQUEST:
			if (!optional)
				h->request_required = true;
			seen(h, "[");
			for (uint32_t o = 8; o + 4 <= size; o += 4) {
				uint32_t req = get_le32(t + o);

				seen(h, "%s%u", o == 8 ? "" : ",", req);
				if (!optional && !tag_ever_provided(req)) {
					mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 "
						 "header tag 1 (information request) requires "
						 "information tag %u (%s), which mpkexec cannot provide",
						 path, req, tag_name(req));
					return IMAGE_PROBE_REFUSED;
				}
				if (h->nrequest < MB2_MAX_REQUESTS) {
					h->request_req[h->nrequest] = !optional;
					h->request[h->nrequest++] = req;
				}
			}
			seen(h, "]");
			break;
		case MB2_HTAG_ADDRESS:
			h->have_address = true;
			h->header_addr = get_le32(t + 8);
			h->load_addr = get_le32(t + 12);
			h->load_end_addr = get_le32(t + 16);
			h->bss_end_addr = get_le32(t + 20);
			break;
		case MB2_HTAG_ENTRY:
			h->have_entry = true;
			h->entry_addr = get_le32(t + 8);
			break;
		case MB2_HTAG_CONSOLE:
			h->have_console = true;
			h->console_required = !optional;
			h->console_flags = get_le32(t + 8);
			break;
		case MB2_HTAG_FRAMEBUFFER:
			h->have_fb = true;
			h->fb_width = get_le32(t + 8);
			h->fb_height = get_le32(t + 12);
			h->fb_depth = get_le32(t + 16);
			break;
		case MB2_HTAG_MODULE_ALIGN:
			h->module_align = true;  /* modules are always page-aligned */
			break;
		case MB2_HTAG_RELOCATABLE:
			h->relocatable = true;
			h->rel_min = get_le32(t + 8);
			h->rel_max = get_le32(t + 12);
			h->rel_align = get_le32(t + 16);
			h->rel_pref = get_le32(t + 20);
			if (h->rel_align & (h->rel_align - 1) || h->rel_max < h->rel_min ||
			    h->rel_pref > 2) {
				mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 "
					 "header tag 10 (relocatable): min_addr %#x, max_addr %#x, "
					 "align %#x, preference %u is not a usable range (align a "
					 "power of two, min <= max, preference 0-2)", path,
					 h->rel_min, h->rel_max, h->rel_align, h->rel_pref);
				return IMAGE_PROBE_REFUSED;
			}
			break;
		case MB2_HTAG_EFI_BS:
		case MB2_HTAG_ENTRY_EFI32:
		case MB2_HTAG_ENTRY_EFI64:
			/* Entering through EFI boot services: not after an OS ran. */
			if (!optional) {
				mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 "
					 "header tag %u (%s) is required, but mpkexec starts images "
					 "after boot services ended, through the 32-bit entry only",
					 path, type, htag_name(type));
				return IMAGE_PROBE_REFUSED;
			}
			seen(h, "-ign");
			break;
		default:
			if (!optional) {
				mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 "
					 "header tag %u is required (not flagged optional) and not "
					 "supported by mpkexec", path, type);
				return IMAGE_PROBE_REFUSED;
			}
			seen(h, "-ign");
			break;
		}
		at += (size + 7) & ~7u;
	}
}

enum image_probe_result mb2_header_parse(const uint8_t *data, size_t size, const char *path,
					 struct mb2_header *h, struct mpk_error *err)
{
	size_t limit = size < MB2_SEARCH ? size : MB2_SEARCH;
	size_t bad_at = 0;
	uint32_t bad_found = 0, bad_want = 0;
	bool bad = false;

	memset(h, 0, sizeof(*h));
	/* The 16 fixed bytes lie within the first 32 KiB. */
	for (size_t off = 0; off + 16 <= limit; off += MB2_HEADER_ALIGN) {
		const uint8_t *p = data + off;
		uint32_t arch, len, sum, want;

		if (get_le32(p) != MB2_HEADER_MAGIC)
			continue;
		arch = get_le32(p + 4);
		len = get_le32(p + 8);
		sum = get_le32(p + 12);
		want = (uint32_t)0 - (MB2_HEADER_MAGIC + arch + len);
		if (sum != want) {
			if (!bad) {
				bad = true;
				bad_at = off;
				bad_found = sum;
				bad_want = want;
			}
			continue;
		}
		h->offset = off;
		h->header_length = len;
		if (arch != 0) {
			mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 header at "
				 "%#zx is for architecture %u%s, not 0 (i386)", path, off, arch,
				 arch == 4 ? " (32-bit MIPS)" : "");
			return IMAGE_PROBE_REFUSED;
		}
		if (len < 24 || len > limit - off) {
			mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 header at "
				 "%#zx: header_length %u %s", path, off, len, len < 24 ?
				 "is shorter than the fixed fields and an end tag (24)" :
				 "runs past the first 32 KiB (or the end of the file)");
			return IMAGE_PROBE_REFUSED;
		}
		return parse_tags(p, path, h, err);
	}
	if (bad) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 header at %#zx: "
			 "checksum %#x, but magic + architecture + header_length + checksum must "
			 "be 0 mod 2^32 (checksum %#x); the image is damaged", path, bad_at,
			 bad_found, bad_want);
		return IMAGE_PROBE_REFUSED;
	}
	mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': no multiboot2 header in the first "
		 "32 KiB", path);
	return IMAGE_PROBE_NOT_MINE;
}

enum image_probe_result multiboot2_probe(const struct image_probe_input *in,
					 struct mpk_error *err)
{
	struct mb2_header h;

	return mb2_header_parse(in->data, in->size, in->path, &h, err);
}

/* --- the information structure ----------------------------------------- */

#define SCREEN_INFO_ISVGA      0x0f
#define SCREEN_INFO_LFB_WIDTH  0x12
#define SCREEN_INFO_LFB_HEIGHT 0x14
#define SCREEN_INFO_LFB_DEPTH  0x16
#define SCREEN_INFO_LFB_BASE   0x18
#define SCREEN_INFO_LFB_LINE   0x24
#define SCREEN_INFO_COLORS     0x26   /* red size, pos, green size, pos, blue size, pos */
#define SCREEN_INFO_CAPS       0x36
#define SCREEN_INFO_EXT_BASE   0x3a
#define VIDEO_TYPE_VLFB        0x23
#define VIDEO_TYPE_EFI         0x70
#define VIDEO_CAP_64BIT_BASE   (1u << 1)

bool mb2_fb_from_screen_info(const uint8_t *bp, struct mb2_fb *fb)
{
	uint8_t type;

	memset(fb, 0, sizeof(*fb));
	if (!bp)
		return false;
	type = bp[SCREEN_INFO_ISVGA];
	if (type != VIDEO_TYPE_VLFB && type != VIDEO_TYPE_EFI)
		return false;
	fb->addr = get_le32(bp + SCREEN_INFO_LFB_BASE);
	if (get_le32(bp + SCREEN_INFO_CAPS) & VIDEO_CAP_64BIT_BASE)
		fb->addr |= (uint64_t)get_le32(bp + SCREEN_INFO_EXT_BASE) << 32;
	fb->width = get_le16(bp + SCREEN_INFO_LFB_WIDTH);
	fb->height = get_le16(bp + SCREEN_INFO_LFB_HEIGHT);
	fb->bpp = (uint8_t)get_le16(bp + SCREEN_INFO_LFB_DEPTH);
	fb->pitch = get_le16(bp + SCREEN_INFO_LFB_LINE);
	fb->red_size = bp[SCREEN_INFO_COLORS];
	fb->red_pos = bp[SCREEN_INFO_COLORS + 1];
	fb->green_size = bp[SCREEN_INFO_COLORS + 2];
	fb->green_pos = bp[SCREEN_INFO_COLORS + 3];
	fb->blue_size = bp[SCREEN_INFO_COLORS + 4];
	fb->blue_pos = bp[SCREEN_INFO_COLORS + 5];
	return fb->addr && fb->width && fb->height && fb->bpp && fb->pitch;
}

uint32_t mb2_mem_type(uint32_t e820_type)
{
	switch (e820_type) {
	case E820_RAM:
		return MB2_MEM_AVAILABLE;
	case E820_ACPI:
		return MB2_MEM_ACPI;
	case E820_NVS:
		return MB2_MEM_NVS;
	case E820_UNUSABLE:
		return MB2_MEM_BADRAM;
	default:
		return MB2_MEM_RESERVED;
	}
}

/* The end of the RAM run that contains `at` (adjacent RAM ranges joined),
 * or `at` when it is not RAM. */
static uint64_t ram_run_end(const struct memmap *map, uint64_t at)
{
	bool grew = true;

	while (grew) {
		grew = false;
		for (size_t i = 0; i < map->n; i++)
			if (map->r[i].type == E820_RAM && map->r[i].start <= at &&
			    map->r[i].end > at) {
				at = map->r[i].end;
				grew = true;
			}
	}
	return at;
}

void mb2_basic_meminfo(const struct memmap *map, uint32_t *lower, uint32_t *upper)
{
	uint64_t lo = ram_run_end(map, 0), hi = ram_run_end(map, SZ_1M) - SZ_1M;

	if (lo > 640 * 1024)
		lo = 640 * 1024;
	hi >>= 10;
	*lower = (uint32_t)(lo >> 10);
	*upper = hi > UINT32_MAX ? UINT32_MAX : (uint32_t)hi;
}

#define TAG_ALIGN(n) (((n) + 7) & ~(size_t)7)
#define MMAP_ENTRY   24u
#define FB_TAG_SIZE  38u

size_t mb2_info_size(const struct mb2_info_input *in)
{
	size_t n = 8;

	n += TAG_ALIGN(8 + strlen(in->cmdline) + 1);
	n += TAG_ALIGN(8 + strlen(in->loader_name) + 1);
	for (unsigned i = 0; i < in->nmodule; i++)
		n += TAG_ALIGN(16 + strlen(in->module[i].cmdline) + 1);
	n += 16;                                       /* basic meminfo */
	n += TAG_ALIGN(16 + MMAP_ENTRY * in->map->n);
	if (in->load_base)
		n += TAG_ALIGN(12);
	if (in->fb)
		n += TAG_ALIGN(FB_TAG_SIZE);
	if (in->efi64)
		n += 16;
	if (in->rsdp && in->acpi_old)
		n += TAG_ALIGN(8 + ACPI_RSDP_V1_LEN);
	if (in->rsdp)
		n += TAG_ALIGN(8 + in->rsdp_len);
	return n + 8;                                  /* end */
}

static size_t put_tag(uint8_t *p, uint32_t type, uint32_t size)
{
	put_le32(p, type);
	put_le32(p + 4, size);
	return TAG_ALIGN(size);
}

static size_t put_string(uint8_t *p, uint32_t type, const char *s)
{
	size_t len = strlen(s) + 1;

	memcpy(p + 8, s, len);
	return put_tag(p, type, (uint32_t)(8 + len));
}

size_t mb2_info_build(const struct mb2_info_input *in, uint8_t *buf)
{
	size_t at = 8;
	uint32_t lower, upper;

	at += put_string(buf + at, MB2_TAG_CMDLINE, in->cmdline);
	at += put_string(buf + at, MB2_TAG_LOADER_NAME, in->loader_name);
	for (unsigned i = 0; i < in->nmodule; i++) {
		size_t len = strlen(in->module[i].cmdline) + 1;

		put_le32(buf + at + 8, in->module[i].start);
		put_le32(buf + at + 12, in->module[i].end);
		memcpy(buf + at + 16, in->module[i].cmdline, len);
		at += put_tag(buf + at, MB2_TAG_MODULE, (uint32_t)(16 + len));
	}
	mb2_basic_meminfo(in->map, &lower, &upper);
	put_le32(buf + at + 8, lower);
	put_le32(buf + at + 12, upper);
	at += put_tag(buf + at, MB2_TAG_BASIC_MEMINFO, 16);
	{
		uint8_t *t = buf + at;

		put_le32(t + 8, MMAP_ENTRY);
		put_le32(t + 12, 0);               /* entry_version */
		for (size_t i = 0; i < in->map->n; i++) {
			uint8_t *e = t + 16 + i * MMAP_ENTRY;

			put_le64(e, in->map->r[i].start);
			put_le64(e + 8, in->map->r[i].end - in->map->r[i].start);
			put_le32(e + 16, mb2_mem_type(in->map->r[i].type));
			put_le32(e + 20, 0);
		}
		at += put_tag(t, MB2_TAG_MMAP, (uint32_t)(16 + MMAP_ENTRY * in->map->n));
	}
	if (in->load_base) {
		put_le32(buf + at + 8, in->load_base_addr);
		at += put_tag(buf + at, MB2_TAG_LOAD_BASE, 12);
	}
	if (in->fb) {
		uint8_t *t = buf + at;

		put_le64(t + 8, in->fb->addr);
		put_le32(t + 16, in->fb->pitch);
		put_le32(t + 20, in->fb->width);
		put_le32(t + 24, in->fb->height);
		t[28] = in->fb->bpp;
		t[29] = 1;                         /* direct RGB */
		put_le16(t + 30, 0);
		t[32] = in->fb->red_pos;
		t[33] = in->fb->red_size;
		t[34] = in->fb->green_pos;
		t[35] = in->fb->green_size;
		t[36] = in->fb->blue_pos;
		t[37] = in->fb->blue_size;
		at += put_tag(t, MB2_TAG_FRAMEBUFFER, FB_TAG_SIZE);
	}
	if (in->efi64) {
		put_le64(buf + at + 8, in->efi64_systab);
		at += put_tag(buf + at, MB2_TAG_EFI64, 16);
	}
	if (in->rsdp && in->acpi_old) {
		memcpy(buf + at + 8, in->rsdp, ACPI_RSDP_V1_LEN);
		at += put_tag(buf + at, MB2_TAG_ACPI_OLD, 8 + ACPI_RSDP_V1_LEN);
	}
	if (in->rsdp) {
		memcpy(buf + at + 8, in->rsdp, in->rsdp_len);
		at += put_tag(buf + at, MB2_TAG_ACPI_NEW, (uint32_t)(8 + in->rsdp_len));
	}
	at += put_tag(buf + at, MB2_TAG_END, 8);
	put_le32(buf, (uint32_t)at);           /* total_size */
	put_le32(buf + 4, 0);
	return at;
}

/* --- the plan ----------------------------------------------------------- */

/* One run of bytes of the image at its (linked) physical address. */
struct piece {
	uint64_t paddr;
	const uint8_t *bytes;
	uint64_t filesz, memsz;
};

/* Pieces sharing pages become one segment (kexec segments are whole pages
 * and may not overlap). */
struct chunk {
	uint64_t start, end;          /* page-aligned, linked addresses */
	uint64_t fileend;             /* last file byte + 1 */
	unsigned first, n;            /* pieces[first .. first + n) */
};

static int piece_cmp(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* Whether the header asks for information tag `type` (`required`: in a
 * tag not flagged optional). */
static bool requested(const struct mb2_header *h, uint32_t type, bool required)
{
	for (unsigned i = 0; i < h->nrequest; i++)
		if (h->request[i] == type && (!required || h->request_req[i]))
			return true;
	return false;
}

/* The image's pieces: the address tag's a.out-kludge range, else the
 * ELF's PT_LOADs; *entry: the entry tag's address, else the ELF's. */
static int image_pieces(const struct load_request *rq, const struct mb2_header *h,
			struct piece *pc, unsigned *npc, uint64_t *entry, char *kind,
			size_t kindlen, struct mpk_error *err)
{
	const uint8_t *data = rq->kernel.data;
	size_t size = rq->kernel.size;
	const char *path = rq->kernel_path;

	if (h->have_address) {
		uint64_t file_off, load = h->load_addr, loadsz, memsz;

		if (!h->have_entry)
			return mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 "
					"header has an address tag but no entry address tag (3): "
					"where the image starts is unknown", path);
		if (h->load_addr == UINT32_MAX) {
			file_off = 0;
			load = (uint64_t)h->header_addr - h->offset;
		} else if (h->load_addr > h->header_addr ||
			   h->header_addr - h->load_addr > h->offset) {
			return mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 "
					"address tag: load_addr %#x must be at most header_addr %#x "
					"and no more than the header's file offset %#zx below it",
					path, h->load_addr, h->header_addr, h->offset);
		} else {
			file_off = h->offset - (h->header_addr - h->load_addr);
		}
		if (h->load_end_addr == 0) {
			loadsz = size - file_off;
		} else if (h->load_end_addr < load || h->load_end_addr - load > size - file_off) {
			return mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 "
					"address tag: load_end_addr %#x is below load_addr %#" PRIx64
					" or past the end of the file (%zu bytes from offset %#" PRIx64
					")", path, h->load_end_addr, load, size, file_off);
		} else {
			loadsz = h->load_end_addr - load;
		}
		memsz = loadsz;
		if (h->bss_end_addr) {
			if (h->bss_end_addr < load + loadsz)
				return mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': "
						"multiboot2 address tag: bss_end_addr %#x is below "
						"the end of the loaded bytes %#" PRIx64, path,
						h->bss_end_addr, load + loadsz);
			memsz = h->bss_end_addr - load;
		}
		if (!memsz)
			return mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': multiboot2 "
					"address tag loads nothing", path);
		pc[0] = (struct piece){ load, data + file_off, loadsz, memsz };
		*npc = 1;
		*entry = h->entry_addr;
		snprintf(kind, kindlen, "address tag: file %#" PRIx64 "+%#" PRIx64 " at %#"
			 PRIx64 ", bss to %#" PRIx64, file_off, loadsz, load, load + memsz);
		return 0;
	}
	{
		struct elf_exec ex;

		if (!elf_exec_is_elf(data, size))
			return mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': a multiboot2 "
					"header without an address tag, and not an ELF executable: "
					"where its bytes go is unknown", path);
		if (elf_exec_parse(data, size, path, false, &ex, err) < 0)
			return -1;
		for (unsigned i = 0; i < ex.nload; i++)
			pc[i] = (struct piece){ ex.load[i].paddr, data + ex.load[i].offset,
						ex.load[i].filesz, ex.load[i].memsz };
		*npc = ex.nload;
		*entry = h->have_entry ? h->entry_addr : ex.entry_paddr;
		snprintf(kind, kindlen, "ELF%u, %u PT_LOAD %#" PRIx64 "-%#" PRIx64,
			 ex.elfclass, ex.nload, ex.lowest, ex.highest);
	}
	return 0;
}

static unsigned make_chunks(struct piece *pc, unsigned npc, struct chunk *ch)
{
	unsigned nch = 0;

	qsort(pc, npc, sizeof(*pc), piece_cmp);
	for (unsigned i = 0; i < npc; i++) {
		uint64_t s = align_down(pc[i].paddr, PAGE_SIZE_4K);
		uint64_t e = align_up(pc[i].paddr + pc[i].memsz, PAGE_SIZE_4K);
		uint64_t fe = pc[i].paddr + pc[i].filesz;

		if (nch && s < ch[nch - 1].end) {
			struct chunk *c = &ch[nch - 1];

			if (e > c->end)
				c->end = e;
			if (fe > c->fileend)
				c->fileend = fe;
			c->n++;
			continue;
		}
		ch[nch++] = (struct chunk){ s, e, fe, i, 1 };
	}
	return nch;
}

/* Where the image goes: `delta` added to every linked address. */
static int place_image(struct payload_ctx *ctx, const struct sysview *sv,
		       const struct load_request *rq, const struct mb2_header *h,
		       const struct chunk *ch, unsigned nch, uint64_t *delta, char *where,
		       size_t wlen, struct mpk_error *err)
{
	uint64_t lo = ch[0].start, hi = ch[nch - 1].end, got;
	struct mpk_error why;

	*delta = 0;
	if (!h->relocatable) {
		for (unsigned i = 0; i < nch; i++)
			if (payload_place_fixed(ctx, sv, rq, "image", rq->kernel_path, ch[i].start,
						ch[i].end - ch[i].start, err) < 0)
				return -1;
		snprintf(where, wlen, "at its linked addresses");
		return 0;
	}
	{
		uint64_t align = h->rel_align > PAGE_SIZE_4K ? h->rel_align : PAGE_SIZE_4K;
		struct placement_req req = { .what = "image", .size = hi - lo, .align = align,
			.min = h->rel_min, .max = (uint64_t)h->rel_max + 1,
			.top_down = h->rel_pref == 2 };

		/* No preference: where it is linked, if that is free. */
		if (h->rel_pref == 0 && lo >= h->rel_min && hi - 1 <= h->rel_max &&
		    planner_place(&ctx->pl, &(struct placement_req){ .what = "image",
				  .size = hi - lo, .align = PAGE_SIZE_4K, .min = lo, .max = hi },
				  &got, &why) == 0) {
			snprintf(where, wlen, "relocatable, at its linked address");
			return 0;
		}
		if (req.min < SZ_1M)
			req.min = SZ_1M;
		if (planner_place(&ctx->pl, &req, &got, &why) < 0)
			return mpk_fail(err, MPK_EXIT_NOSPACE, "image '%s': %" PRIu64 " KiB do not "
					"fit in free System RAM between %#x and %#x aligned to %#"
					PRIx64 " (multiboot2 relocatable tag)", rq->kernel_path,
					(hi - lo) >> 10, h->rel_min, h->rel_max, align);
		*delta = got - lo;
		snprintf(where, wlen, "relocated to %#" PRIx64 " (%#x-%#x, align %#x, %s)", got,
			 h->rel_min, h->rel_max, h->rel_align, h->rel_pref == 2 ? "high" :
			 h->rel_pref == 1 ? "low" : "any");
	}
	return 0;
}

static int place_module(struct planner *pl, const struct load_module *m, unsigned i,
			uint64_t above, uint64_t *addr, struct mpk_error *err)
{
	uint64_t size = m->data.size ? m->data.size : 1;
	struct placement_req req = { .what = "module", .size = size, .align = PAGE_SIZE_4K,
				     .min = above, .max = SZ_4G };
	struct mpk_error why;

	if (above < SZ_4G && planner_place(pl, &req, addr, &why) == 0)
		return 0;
	req.min = SZ_1M;
	if (planner_place(pl, &req, addr, &why) == 0)
		return 0;
	return mpk_fail(err, MPK_EXIT_NOSPACE, "module %u '%s': %zu KiB do not fit in free "
			"System RAM below 4 GiB (multiboot2 modules are 32-bit addresses); use "
			"a smaller module", i + 1, m->path, m->data.size >> 10);
}

int multiboot2_plan(const struct sysview *sv, const struct load_request *rq,
		    const uint8_t *purgatory_elf, size_t purgatory_len, struct load_plan *plan,
		    struct mpk_error *err)
{
	struct payload_ctx ctx = { 0 };
	struct mb2_header h;
	struct piece pc[ELF_EXEC_MAX_LOAD];
	struct chunk ch[ELF_EXEC_MAX_LOAD];
	struct mb2_module_info mods[sizeof(rq->module) / sizeof(rq->module[0])];
	struct mb2_info_input in;
	struct acpi_handoff own_acpi = { 0 };
	struct mb2_fb fb;
	bool have_fb;
	unsigned npc = 0, nch;
	uint64_t entry = 0, delta, image_end, iaddr;
	size_t isize, composed = 0;
	uint8_t *ibuf = NULL, *cbuf = NULL;
	char *cmdline = NULL;
	char kind[120], where[120], why[320] = "";
	const uint8_t *rsdp = NULL;
	struct payload_entry pe;

	memset(plan, 0, sizeof(*plan));
	if (payload_refuse_options(rq, "multiboot2", PAYLOAD_TAKES_MODULES, err) < 0)
		return -1;
	if (mb2_header_parse(rq->kernel.data, rq->kernel.size, rq->kernel_path, &h, err) !=
	    IMAGE_PROBE_OK)
		return -1;
	if (image_pieces(rq, &h, pc, &npc, &entry, kind, sizeof(kind), err) < 0)
		return -1;
	nch = make_chunks(pc, npc, ch);
	have_fb = mb2_fb_from_screen_info(sv->have_boot_params ? sv->boot_params : NULL, &fb);

	if (payload_plan_begin(sv, rq, &(struct payload_begin){ .type_name = "multiboot2" },
			       &ctx, plan, err) < 0)
		goto fail;
	/* What the header requires and this system cannot give. */
	if (requested(&h, MB2_TAG_FRAMEBUFFER, true) && !have_fb) {
		mpk_fail(err, MPK_EXIT_UNAVAILABLE, "kernel image '%s': its multiboot2 header "
			 "requires information tag 8 (framebuffer info), but the running kernel "
			 "has no linear framebuffer to hand over (screen_info)", rq->kernel_path);
		goto fail;
	}
	if (requested(&h, MB2_TAG_EFI64, true) && !ctx.eh.present) {
		mpk_fail(err, MPK_EXIT_UNAVAILABLE, "kernel image '%s': its multiboot2 header "
			 "requires information tag 12 (EFI 64-bit system table): %s",
			 rq->kernel_path, ctx.eh.why_not);
		goto fail;
	}
	if (h.have_console && h.console_required && (h.console_flags & 1) && !have_fb) {
		mpk_fail(err, MPK_EXIT_UNAVAILABLE, "kernel image '%s': its multiboot2 header "
			 "tag 4 (console flags %#x) requires a described console, but the "
			 "running kernel has no linear framebuffer to hand over", rq->kernel_path,
			 h.console_flags);
		goto fail;
	}
	/* Nothing planned goes into a "Crash kernel" range (a loaded capture
	 * kernel); fixed segments are refused there by name. */
	for (unsigned i = 0; i < sv->crash.nregion; i++)
		if (planner_avoid(&ctx.pl, sv->crash.region[i].start, sv->crash.region[i].end,
				  err) < 0)
			goto fail;

	if (place_image(&ctx, sv, rq, &h, ch, nch, &delta, where, sizeof(where), err) < 0)
		goto fail;
	entry += delta;
	if (entry >= SZ_4G) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': entry %#" PRIx64 " is above "
			 "4 GiB; the multiboot2 entry runs in 32-bit protected mode",
			 rq->kernel_path, entry);
		goto fail;
	}
	for (unsigned i = 0; i < nch; i++)
		if (ch[i].n > 1 || ch[i].start != pc[ch[i].first].paddr)
			composed += ch[i].fileend - ch[i].start;
	if (composed) {
		cbuf = calloc(1, composed);
		if (!cbuf)
			goto oom;
		plan_own(plan, cbuf);
	}
	composed = 0;
	for (unsigned i = 0; i < nch; i++) {
		const struct piece *p0 = &pc[ch[i].first];
		const uint8_t *buf = p0->bytes;
		uint64_t bufsz = p0->filesz;

		if (ch[i].n > 1 || ch[i].start != p0->paddr) {
			uint8_t *c = cbuf + composed;

			for (unsigned k = ch[i].first; k < ch[i].first + ch[i].n; k++)
				memcpy(c + (pc[k].paddr - ch[i].start), pc[k].bytes, pc[k].filesz);
			buf = c;
			bufsz = ch[i].fileend - ch[i].start;
			composed += bufsz;
		}
		plan_add_segment(plan, "image", buf, bufsz, ch[i].start + delta,
				 ch[i].end - ch[i].start, true, "%s%s", rq->kernel_path,
				 ch[i].n > 1 ? ", PT_LOADs sharing pages joined" : "");
	}
	image_end = ch[nch - 1].end + delta;
	plan_text_append(plan->image_desc, sizeof(plan->image_desc), "multiboot2, header at %#zx, "
		 "tags %s; %s, %s; entry %#" PRIx64 " (32-bit, EAX=%#x, EBX=info)",
		 h.offset, h.tags_seen, kind, where, entry, MB2_BOOTLOADER_MAGIC);

	/* The AP handoff (park region, ACPI tables: typed in the handed map). */
	if (ap_handoff_plan(sv, rq, ctx.mode, ctx.mode_why, &ctx.pl, plan, err) < 0)
		goto fail;

	/* The parked CPUs run in the park region until the payload sends them
	 * INIT or wakes them.  The multiboot2 mmap says ACPI NVS there, but a
	 * payload that asks the BIOS for its memory map instead (Xen does,
	 * unless given no-real-mode) sees RAM and may overwrite it first. */
	if ((plan->params.flags & MPK_PF_PARK_APS) && !ctx.eh.present)
		plan_text_append(plan->warning, sizeof(plan->warning), "%sthe parked CPUs run "
				 "in the park region at %#" PRIx64 " (ACPI NVS in the multiboot2 "
				 "memory map); a payload that takes the BIOS memory map instead "
				 "(Xen without no-real-mode) may overwrite it: give such a payload "
				 "--ap-handoff=init (Xen: or no-real-mode)", plan->warning[0] ? "; " : "", plan->park_base);

	/* Modules: page-aligned, above the image, below 4 GiB. */
	for (unsigned i = 0; i < rq->nmodule; i++) {
		const struct load_module *m = &rq->module[i];
		uint64_t maddr;

		if (place_module(&ctx.pl, m, i, image_end, &maddr, err) < 0)
			goto fail;
		mods[i] = (struct mb2_module_info){ (uint32_t)maddr,
						    (uint32_t)(maddr + m->data.size), m->args };
		plan_add_segment(plan, "module", m->data.data, m->data.size, maddr,
				 m->data.size ? m->data.size : 1, true, "%u: %s, command line "
				 "\"%.100s\"", i + 1, m->path, m->args);
	}

	/* The RSDP the payload is handed: the new set's when the handoff built
	 * one (park, mailbox: its MADT has the wakeup structure), else a copy
	 * of firmware's tables with its MADT unchanged (payload-acpi.h). */
	if (plan->acpi.buf) {
		rsdp = plan->acpi.buf;   /* the RSDP leads the set (src/acpi.h) */
		snprintf(plan->rsdp_desc, sizeof(plan->rsdp_desc), "%#" PRIx64 " (new tables, "
			 "see segments), in the multiboot2 ACPI tag", plan->acpi.rsdp_addr);
	} else {
		switch (payload_acpi_firmware_set(sv, &ctx.pl, plan, &own_acpi, why, sizeof(why),
						  err)) {
		case 0:
			rsdp = own_acpi.buf;
			plan->next_rsdp = own_acpi.rsdp_addr;
			snprintf(plan->rsdp_desc, sizeof(plan->rsdp_desc), "%#" PRIx64 " (a copy "
				 "of firmware's tables, MADT unchanged), in the multiboot2 ACPI "
				 "tag", own_acpi.rsdp_addr);
			snprintf(plan->acpi_desc, sizeof(plan->acpi_desc), "new set at %#" PRIx64
				 " for the multiboot2 ACPI tag: copies of %u tables from "
				 "/sys/firmware/acpi/tables and of firmware's MADT, unchanged (%s); "
				 "DSDT and FACS stay where the FADT names them", own_acpi.rsdp_addr,
				 own_acpi.ncopied, sv->acpi_snapshot ? "from the previous handoff" :
				 "/sys/firmware/acpi/tables/APIC");
			break;
		case 1:
			plan_text_append(plan->rsdp_desc, sizeof(plan->rsdp_desc), "no ACPI tag "
					 "(the payload searches for firmware's RSDP): %s", why);
			break;
		default:
			goto fail;
		}
	}
	if (!rsdp && (requested(&h, MB2_TAG_ACPI_NEW, true) ||
		      requested(&h, MB2_TAG_ACPI_OLD, true))) {
		mpk_fail(err, MPK_EXIT_UNAVAILABLE, "kernel image '%s': its multiboot2 header "
			 "requires an ACPI RSDP tag, but no ACPI tables can be built here: %s",
			 rq->kernel_path, why);
		goto fail;
	}

	/* The command line: the image's name first, as kexec-tools gives it
	 * (a payload such as Xen drops the first word unless the loader is
	 * GRUB 2); each module's is the whole --module text. */
	if (asprintf(&cmdline, "%s%s%s", rq->kernel_path, rq->cmdline[0] ? " " : "",
		     rq->cmdline) < 0) {
		cmdline = NULL;
		goto oom;
	}
	snprintf(plan->cmdline_desc, sizeof(plan->cmdline_desc), "%zu bytes, image name "
		 "first", strlen(cmdline));
	in = (struct mb2_info_input){
		.cmdline = cmdline, .loader_name = MB2_LOADER_NAME, .module = mods,
		.nmodule = rq->nmodule, .map = &plan->handed_map, .rsdp = rsdp,
		.rsdp_len = rsdp ? ACPI_RSDP_LEN : 0,
		.acpi_old = requested(&h, MB2_TAG_ACPI_OLD, false),
		.efi64 = ctx.eh.present, .efi64_systab = ctx.eh.systab,
		.fb = have_fb ? &fb : NULL,
		.load_base = h.relocatable || requested(&h, MB2_TAG_LOAD_BASE, false),
		.load_base_addr = (uint32_t)(pc[0].paddr + delta),
	};
	isize = mb2_info_size(&in);
	if (planner_place(&ctx.pl, &(struct placement_req){ .what = "multiboot2 information",
			  .size = isize, .align = PAGE_SIZE_4K, .min = SZ_1M, .max = SZ_4G,
			  .top_down = true }, &iaddr, err) < 0)
		goto fail;
	ibuf = calloc(1, isize);
	if (!ibuf)
		goto oom;
	plan_own(plan, ibuf);
	mb2_info_build(&in, ibuf);
	plan_add_segment(plan, "multiboot2 information", ibuf, isize, iaddr, isize, true,
			 "cmdline, loader name, %u module tags, meminfo, mmap (%zu entries)%s%s%s%s",
			 rq->nmodule, plan->handed_map.n, in.load_base ? ", load base" : "",
			 have_fb ? ", framebuffer" : "", in.efi64 ? ", EFI64" : "",
			 rsdp ? ", ACPI RSDP" : "");

	pe = (struct payload_entry){ .mode = MPK_ENTRY_32, .entry = entry,
		.eax = MB2_BOOTLOADER_MAGIC, .ebx = (uint32_t)iaddr };
	switch (payload_plan_finish(sv, rq, &ctx, &pe, purgatory_elf, purgatory_len, plan, err)) {
	case 0:
		break;
	default:
		goto fail;
	}
	free(cmdline);
	payload_ctx_free(&ctx);
	return 0;
oom:
	mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
fail:
	free(cmdline);
	payload_ctx_free(&ctx);
	load_plan_free(plan);
	return -1;
}
