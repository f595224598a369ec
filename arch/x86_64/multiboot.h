/* SPDX-License-Identifier: GPL-2.0-only */
/* The multiboot (v1) image type ("multiboot", kexec-tools' "multiboot-x86"),
 * Multiboot Specification 0.6.96:
 *
 *   header    magic 0x1BADB002, flags, checksum (the three add up to 0),
 *             4-byte aligned in the first 8 KiB of the image; flag bits
 *             0-15 are requirements: 0 (modules page aligned) and 1 (memory
 *             information) are met, 2 (video mode table) and the undefined
 *             3-15 are refused by number; of 16-31, bit 16 (the a.out
 *             kludge's address fields) is honoured
 *   kernel    an ELF executable's PT_LOADs at p_paddr, or with bit 16 the
 *             range [load_addr, load_end_addr) read from the file at the
 *             header's offset less (header_addr - load_addr), zeros to
 *             bss_end_addr; every byte below 4 GiB
 *   modules   --module="FILE ARGS": each page aligned below 4 GiB, its
 *             string the whole --module text (as kexec-tools)
 *   info      flags 0 (mem_lower/mem_upper), 2 (cmdline), 3 (mods), 6 (mmap:
 *             the map handed over, park region ACPI NVS, our ACPI tables
 *             ACPI), 9 (boot_loader_name "mpkexec"); one segment below 4 GiB
 *   entry     32-bit protected mode, paging off, EAX = 0x2BADB002, EBX = info
 *             (MPK_ENTRY_32)
 *
 * A multiboot (v1) kernel gets no RSDP from its loader: it searches the
 * BIOS areas and finds firmware's tables (see docs/notes-11-elf-multiboot.md). */
#ifndef MPKEXEC_MULTIBOOT_H
#define MPKEXEC_MULTIBOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf-exec-load.h"
#include "elf-exec.h"
#include "error.h"
#include "image-types.h"
#include "memmap.h"
#include "plan.h"
#include "sysview.h"

#define MB1_HEADER_MAGIC     0x1badb002u
#define MB1_BOOTLOADER_MAGIC 0x2badb002u   /* EAX at entry */
#define MB1_SEARCH           8192u         /* the header lies in the first 8 KiB */
#define MB1_FLAG_AOUT_KLUDGE (1u << 16)
#define MB1_LOADER_NAME      "mpkexec"

/* struct multiboot_info field offsets. */
#define MB1_INFO_FLAGS       0
#define MB1_INFO_MEM_LOWER   4
#define MB1_INFO_MEM_UPPER   8
#define MB1_INFO_CMDLINE     16
#define MB1_INFO_MODS_COUNT  20
#define MB1_INFO_MODS_ADDR   24
#define MB1_INFO_MMAP_LENGTH 44
#define MB1_INFO_MMAP_ADDR   48
#define MB1_INFO_LOADER_NAME 64
#define MB1_INFO_SIZE        116   /* through the framebuffer fields (zero) */
#define MB1_MOD_SIZE         16    /* mod_start, mod_end, string, reserved */
#define MB1_MMAP_ENTRY_SIZE  24    /* size (= 20), base_addr, length, type */

/* info flags we set */
#define MB1_INFO_HAVE_MEM     (1u << 0)
#define MB1_INFO_HAVE_CMDLINE (1u << 2)
#define MB1_INFO_HAVE_MODS    (1u << 3)
#define MB1_INFO_HAVE_MMAP    (1u << 6)
#define MB1_INFO_HAVE_LOADER  (1u << 9)

struct mb1_header {
	size_t offset;               /* of the magic, in the file */
	uint32_t flags;
	bool aout;                   /* flag bit 16: the five address fields */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

/* The first header in the first 8 KiB whose checksum holds.  0 found;
 * -1 none at all (err: "no multiboot header in the first 8 KiB"); -2 a
 * magic whose checksum does not hold and no valid one (err names the
 * checksum computed and found), or address fields cut off by the end of
 * the file. */
int mb1_header_find(const uint8_t *data, size_t size, const char *path,
		    struct mb1_header *h, struct mpk_error *err);

/* What a multiboot kernel loads: the header, the pieces at their physical
 * addresses (pointing into `data`) and the 32-bit entry. */
struct mb1_image {
	struct mb1_header h;
	unsigned npiece;
	struct fixed_piece piece[ELF_EXEC_MAX_LOAD];
	uint32_t entry;
	unsigned elfclass;           /* 32/64 for an ELF kernel, 0 for the a.out kludge */
	uint64_t lowest, highest;
};

/* IMAGE_PROBE_OK, _NOT_MINE (no header) or _REFUSED (err says why). */
enum image_probe_result mb1_image_parse(const uint8_t *data, size_t size, const char *path,
					struct mb1_image *out, struct mpk_error *err);

enum image_probe_result multiboot_probe(const struct image_probe_input *in,
					struct mpk_error *err);

int multiboot_plan(const struct sysview *sv, const struct load_request *rq,
		   const uint8_t *purgatory_elf, size_t purgatory_len,
		   struct load_plan *plan, struct mpk_error *err);

/* The information structure (pure, for tests): info, module list, memory
 * map, command line, loader name, module strings, in that order. */
struct mb1_module_info {
	uint32_t start, end;         /* [start, end) */
	const char *string;
};

struct mb1_info_input {
	const struct memmap *map;
	const char *cmdline;
	const struct mb1_module_info *mod;
	unsigned nmod;
};

size_t mb1_info_size(const struct mb1_info_input *in);
/* Writes mb1_info_size bytes at buf, which is loaded at `base`. */
void mb1_info_write(uint8_t *buf, uint32_t base, const struct mb1_info_input *in);

#endif
