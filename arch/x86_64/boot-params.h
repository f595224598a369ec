/* SPDX-License-Identifier: GPL-2.0-only */
/* Building the Linux "zero page" (struct boot_params) for the next kernel. */
#ifndef MPKEXEC_BOOT_PARAMS_H
#define MPKEXEC_BOOT_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bzimage.h"
#include "error.h"
#include "memmap.h"

struct boot_params_input {
	const struct bzimage *bz;    /* NULL: no bzImage (an ELF entered with
					--args-linux): a setup header of our own,
					see boot_params_build */
	const uint8_t *running_bp;   /* running kernel's boot_params, or NULL */
	const struct memmap *e820;   /* memory map handed over */
	uint64_t cmdline_addr;
	uint64_t initrd_addr;        /* 0 with initrd_size 0: none */
	uint64_t initrd_size;
	uint64_t acpi_rsdp;          /* 0: let the kernel search */
	uint64_t setup_data;         /* first setup_data node, 0: none */
	/* The caller chains a SETUP_E820_EXT node with the entries past the
	 * first BP_E820_MAX (see below).  Without it a longer map is refused,
	 * so that no entry is silently dropped. */
	bool e820_ext_in_setup_data;
};

/* Fills bp[BP_SIZE].  The zero page holds the first BP_E820_MAX entries
 * of in->e820 (e820_entries = min(n, 128)).  Without a bzImage (in->bz
 * NULL) the setup header is not copied from an image: it holds boot_flag
 * 0xAA55, "HdrS", version 2.15 (acpi_rsdp_addr is a 2.14 field) and
 * loadflags LOADED_HIGH, then the same fields as below. */
int boot_params_build(uint8_t *bp, const struct boot_params_input *in,
		      struct mpk_error *err);

/* The rest of a map longer than BP_E820_MAX entries goes in a setup_data
 * node of type SETUP_E820_EXT, whose payload is packed 20-byte
 * boot_e820_entry records (u64 addr, u64 size, u32 type); Linux appends
 * them to the zero page's (parse_setup_data -> e820__memory_setup_extended,
 * entry count = len / 20).  Use:
 *
 *   size_t len = boot_params_e820_ext_size(map);
 *   if (len) {
 *     reserve 16 (setup_data header) + len bytes, 8-aligned, in the
 *       boot_params segment; header: next, type SETUP_E820_EXT, len;
 *     boot_params_e820_ext_write(payload, map);
 *     link it into the chain; set in.e820_ext_in_setup_data = true;
 *   }
 *
 * The next kernel's own e820 table has a fixed size (E820_MAX_ENTRIES,
 * arch/x86/include/asm/e820/types.h); it drops entries beyond that. */
size_t boot_params_e820_ext_count(const struct memmap *e820);
size_t boot_params_e820_ext_size(const struct memmap *e820);   /* 0: no node needed */
void boot_params_e820_ext_write(uint8_t *payload, const struct memmap *e820);

#endif
