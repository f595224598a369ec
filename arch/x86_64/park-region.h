/* SPDX-License-Identifier: GPL-2.0-only */
/* Building a park region and its SIPI trampoline page (the bytes the
 * loader hands to kexec_load).  Pure.  Layout: include/mpkexec/park-abi.h. */
#ifndef MPKEXEC_PARK_REGION_H
#define MPKEXEC_PARK_REGION_H

#include <stddef.h>
#include <stdint.h>

#include "mpkexec/park-abi.h"

/* The assembled pages (arch/x86_64/park.S, trampoline.S), embedded. */
extern const uint8_t park_code_blob[];
extern const uint8_t park_code_blob_end[];
extern const uint8_t trampoline_blob[];
extern const uint8_t trampoline_blob_end[];

/* Fills buf[PARK_REGION_SIZE] for a region at physical `base`: mailbox
 * (zero) + header, code page (patched: CR3 values, GDT base), identity page
 * tables for the low 4 GiB (4- and 5-level tops), and the per-CPU table. */
void park_region_build(uint8_t *buf, uint64_t base, const uint8_t *code,
		       const uint32_t *apic_ids, unsigned n, unsigned mailbox_version);

/* Fills buf[4096] for a trampoline at physical `addr` (< 1 MiB) that enters
 * the region at `park_base`.  CR3/CR4/EFER are left for purgatory. */
void trampoline_build(uint8_t *buf, uint64_t addr, uint64_t park_base,
		      const uint8_t *code);

static inline uint64_t park_reset_vector(uint64_t base)
{
	return base + PARK_CODE_OFF + PARK_RESET_VECTOR;
}

#endif
