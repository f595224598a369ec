/* SPDX-License-Identifier: GPL-2.0-only */
/* The multiboot2 image type (Multiboot2 specification 2.0): the probe, the
 * header tag parser, the information-structure builder and the plan.
 *
 *   probe   a header (magic 0xe85250d6, architecture 0 = i386,
 *           header_length, checksum) 8-byte aligned with its 16 fixed bytes
 *           in the first 32 KiB; its tags parsed (mb2_header_parse)
 *   plan    the image at its addresses (address tag, else the ELF's
 *           PT_LOADs; anywhere in [min, max] with the relocatable tag),
 *           the modules page-aligned above it, the AP handoff, the
 *           information structure in one segment, purgatory entering in
 *           32-bit protected mode with EAX = 0x36d76289 and EBX = the
 *           structure's address.
 *
 * Parsing and building are pure (bytes in, bytes out) so the unit tests and
 * the fuzz target reach them without a system view. */
#ifndef MPKEXEC_MULTIBOOT2_H
#define MPKEXEC_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image-types.h"
#include "memmap.h"
#include "plan.h"
#include "sysview.h"

#define MB2_HEADER_MAGIC      0xe85250d6u
#define MB2_BOOTLOADER_MAGIC  0x36d76289u
#define MB2_SEARCH            32768u   /* the header lies in the first 32 KiB */
#define MB2_HEADER_ALIGN      8u
#define MB2_LOADER_NAME       "mpkexec"
#define MB2_MAX_REQUESTS      32u

/* Header tag types (flags bit 0: optional). */
enum {
	MB2_HTAG_END = 0, MB2_HTAG_INFO_REQUEST = 1, MB2_HTAG_ADDRESS = 2,
	MB2_HTAG_ENTRY = 3, MB2_HTAG_CONSOLE = 4, MB2_HTAG_FRAMEBUFFER = 5,
	MB2_HTAG_MODULE_ALIGN = 6, MB2_HTAG_EFI_BS = 7, MB2_HTAG_ENTRY_EFI32 = 8,
	MB2_HTAG_ENTRY_EFI64 = 9, MB2_HTAG_RELOCATABLE = 10,
};

/* Information tag types. */
enum {
	MB2_TAG_END = 0, MB2_TAG_CMDLINE = 1, MB2_TAG_LOADER_NAME = 2, MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4, MB2_TAG_BOOTDEV = 5, MB2_TAG_MMAP = 6, MB2_TAG_VBE = 7,
	MB2_TAG_FRAMEBUFFER = 8, MB2_TAG_ELF_SECTIONS = 9, MB2_TAG_APM = 10,
	MB2_TAG_EFI32 = 11, MB2_TAG_EFI64 = 12, MB2_TAG_SMBIOS = 13, MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15, MB2_TAG_NETWORK = 16, MB2_TAG_EFI_MMAP = 17,
	MB2_TAG_EFI_BS = 18, MB2_TAG_EFI32_IH = 19, MB2_TAG_EFI64_IH = 20,
	MB2_TAG_LOAD_BASE = 21,
};

/* Memory map entry types of the mmap tag. */
#define MB2_MEM_AVAILABLE 1u
#define MB2_MEM_RESERVED  2u
#define MB2_MEM_ACPI      3u
#define MB2_MEM_NVS       4u
#define MB2_MEM_BADRAM    5u

/* What the header says. */
struct mb2_header {
	size_t offset;                 /* of the header in the file */
	uint32_t header_length;
	char tags_seen[200];           /* "1 6 10(optional) ...", for --plan */

	uint32_t request[MB2_MAX_REQUESTS]; /* information request tag(s) */
	bool request_req[MB2_MAX_REQUESTS]; /* that one's tag is required */
	unsigned nrequest;
	bool request_required;         /* some information request tag is required */

	bool have_address;             /* address tag (a.out kludge) */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
	bool have_entry;               /* entry address tag */
	uint32_t entry_addr;
	bool have_console;
	bool console_required;
	uint32_t console_flags;        /* bit 0: a console must be described; bit 1: EGA text */
	bool have_fb;                  /* framebuffer tag: preferred mode */
	uint32_t fb_width, fb_height, fb_depth;
	bool module_align;
	bool relocatable;              /* relocatable tag */
	uint32_t rel_min, rel_max, rel_align, rel_pref; /* pref: 0 none, 1 low, 2 high */
};

/* Finds and parses the header of `data`.  NOT_MINE (no header in the first
 * 32 KiB) or REFUSED (a header that cannot be honoured: bad checksum,
 * another architecture, a malformed or unsupported required tag, a required
 * information request this loader can never answer) with err naming `path`. */
enum image_probe_result mb2_header_parse(const uint8_t *data, size_t size, const char *path,
					 struct mb2_header *h, struct mpk_error *err);

enum image_probe_result multiboot2_probe(const struct image_probe_input *in,
					 struct mpk_error *err);

/* A linear framebuffer to describe (information tag 8, RGB). */
struct mb2_fb {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

/* The running kernel's linear framebuffer from its boot_params' screen_info
 * (VESA or EFI graphics); false when it has none (text mode, headless). */
bool mb2_fb_from_screen_info(const uint8_t *boot_params, struct mb2_fb *fb);

struct mb2_module_info {
	uint32_t start, end;           /* [start, end) */
	const char *cmdline;
};

/* Everything the information structure says. */
struct mb2_info_input {
	const char *cmdline;
	const char *loader_name;
	const struct mb2_module_info *module;
	unsigned nmodule;
	const struct memmap *map;      /* plan->handed_map */
	const uint8_t *rsdp;           /* RSDP bytes for tag 15 (and 14), NULL: none */
	size_t rsdp_len;               /* 36 (ACPI 2.0) or 20 */
	bool acpi_old;                 /* also tag 14 (its first 20 bytes) */
	bool efi64;                    /* tag 12 */
	uint64_t efi64_systab;
	const struct mb2_fb *fb;       /* tag 8, NULL: none */
	bool load_base;                /* tag 21 */
	uint32_t load_base_addr;
};

/* mem_lower and mem_upper in KiB: RAM from 0 (at most 640 KiB) and the
 * contiguous RAM from 1 MiB, as the map says. */
void mb2_basic_meminfo(const struct memmap *map, uint32_t *lower, uint32_t *upper);

/* The multiboot2 memory type of an e820 type. */
uint32_t mb2_mem_type(uint32_t e820_type);

/* Bytes mb2_info_build writes for `in`. */
size_t mb2_info_size(const struct mb2_info_input *in);

/* Writes the structure into `buf` (mb2_info_size bytes, zeroed by the
 * caller) in this tag order: cmdline, loader name, modules, basic meminfo,
 * mmap, load base, framebuffer, EFI64, ACPI old, ACPI new, end; each tag
 * 8-byte aligned.  Returns the size written. */
size_t mb2_info_build(const struct mb2_info_input *in, uint8_t *buf);

int multiboot2_plan(const struct sysview *sv, const struct load_request *rq,
		    const uint8_t *purgatory_elf, size_t purgatory_len, struct load_plan *plan,
		    struct mpk_error *err);

#endif
