/* SPDX-License-Identifier: GPL-2.0-only */
/* bzImage header parsing (Linux x86 boot protocol >= 2.12). Pure: works on
 * the bytes of an image, never touches the system. */
#ifndef MPKEXEC_BZIMAGE_H
#define MPKEXEC_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "error.h"
#include "image-types.h"

struct bzimage {
	uint16_t version;          /* boot protocol, e.g. 0x020f */
	uint8_t setup_sects;       /* as used: 0 already replaced by 4 */
	uint8_t loadflags;
	uint16_t xloadflags;
	bool relocatable;
	uint32_t kernel_alignment;
	uint32_t cmdline_size;     /* max command line length, NUL excluded */
	uint32_t initrd_addr_max;  /* highest byte address an initrd may use */
	uint64_t pref_address;
	uint32_t init_size;        /* bytes needed at the load address */
	size_t header_end;         /* offset one past the setup header */
	const uint8_t *setup;      /* start of the image (real-mode part) */
	const uint8_t *kernel;     /* protected-mode part */
	size_t kernel_size;        /* what is loaded: syssize * 16, or the rest of a
				      file that ends inside its last 16-byte unit */
	uint32_t syssize;          /* protected-mode part, 16-byte units */
	size_t signature_size;     /* PE certificate table after it, not loaded */
};

#define HDR_SYSSIZE 0x1f4u         /* u32, 16-byte units (protocol >= 2.04) */
#define HDR_CODE32_START 0x214u    /* u32: where the protected-mode part is loaded */

/* Validates and decodes `image`.  `path` only names the file in errors.
 * The file must be exactly the setup part ((setup_sects + 1) * 512, with 0
 * meaning 4) plus syssize * 16 bytes (or less than 16 bytes fewer: syssize
 * rounded up), optionally followed by the PE
 * certificate table a signing tool (sbsign, pesign) appends and records in
 * the PE header; anything else is refused as truncated or mislabelled. */
int bzimage_parse(const uint8_t *image, size_t size, const char *path,
		  struct bzimage *bz, struct mpk_error *err);

/* Which entry of the image purgatory jumps to (issue 11). */
enum bzimage_entry {
	BZIMAGE_ENTRY_64,  /* +0x200 of the protected-mode part, 64-bit, RSI = boot_params */
	BZIMAGE_ENTRY_32,  /* the protected-mode part's start (code32_start: its load
			      address), 32-bit protected mode, paging off, ESI =
			      boot_params (MPK_ENTRY_32) */
};

/* The 32-bit entry when `force32` (--entry-32bit), when the image has no
 * 64-bit entry (no XLF_KERNEL_64) or is not relocatable; else the 64-bit
 * one.  `why` (n bytes) gets the reason, for --plan.  Pure. */
enum bzimage_entry bzimage_entry(const struct bzimage *bz, bool force32, char *why,
				 size_t n);

/* Whether the running kernel can enter this image at its 64-bit entry:
 * with 5-level paging on (`host_5level`: "la57" in /proc/cpuinfo flags),
 * the image must have XLF_5LEVEL.  An image that bzimage_entry sends to
 * its 32-bit entry (paging off) passes.  Pure, like bzimage_parse. */
int bzimage_check_host(const struct bzimage *bz, bool host_5level, const char *path,
		       struct mpk_error *err);

/* The bzImage entry's probe (arch/x86_64/image-types.c): NOT_MINE without
 * the "HdrS" signature at 0x202 (ELF files, random bytes, files too short
 * for a header); with it, bzimage_parse and bzimage_check_host decide, and
 * their refusal is final (REFUSED): the image is a bzImage, a broken or
 * unusable one. */
enum image_probe_result bzimage_probe(const struct image_probe_input *in,
				      struct mpk_error *err);

#endif
