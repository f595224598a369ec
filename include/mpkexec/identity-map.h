/* SPDX-License-Identifier: GPL-2.0-only */
/* The identity map of the low 4 GiB in 2 MiB pages, built in ONE place for
 * both users: the loader writes it into every park region
 * (arch/x86_64/park-region.c; the parked CPUs and every WakeupVector run
 * on it) and purgatory builds its own (purgatory/pagetable.c).  Plain
 * stores only: usable in freestanding purgatory code, on the mailbox path
 * too.
 *
 * Layout from `t` (IDMAP_SIZE bytes, 4 KiB aligned in physical memory):
 * PML5, PML4, PDPT, 4 page directories.  PML5[0] -> PML4, so one set
 * serves 4- and 5-level paging.  Entries not written here are left as
 * they are (callers start from zeroed memory). */
#ifndef MPKEXEC_IDENTITY_MAP_H
#define MPKEXEC_IDENTITY_MAP_H

#include <stdint.h>

#define IDMAP_PML5          0x0000
#define IDMAP_PML4          0x1000
#define IDMAP_PDPT          0x2000
#define IDMAP_PD0           0x3000  /* 4 pages */
#define IDMAP_SIZE          0x7000
#define IDMAP_NO_UNCACHED   UINT64_MAX /* `uncached`: every page write-back */

#define IDMAP_P             (1ull << 0)
#define IDMAP_RW            (1ull << 1)
#define IDMAP_PWT           (1ull << 3)
#define IDMAP_PCD           (1ull << 4)
#define IDMAP_PS            (1ull << 7)  /* 2 MiB page in a PD entry */

/* Little-endian, byte by byte: `t` need not be 8-byte aligned in the
 * loader's buffer. */
static inline void idmap_put(uint8_t *t, uint32_t off, uint64_t v)
{
	for (unsigned b = 0; b < 8; b++)
		t[off + b] = (uint8_t)(v >> (8 * b));
}

/* Fills the tables at `t`, which lie at physical address `phys`; the 2 MiB
 * page holding `uncached` (if below 4 GiB) is mapped PCD|PWT (purgatory's
 * xAPIC registers). */
static inline void identity_map_4g(uint8_t *t, uint64_t phys, uint64_t uncached)
{
	for (uint32_t g = 0; g < 4; g++) {
		for (uint32_t i = 0; i < 512; i++) {
			uint64_t addr = ((uint64_t)g << 30) + ((uint64_t)i << 21);
			uint64_t e = addr | IDMAP_P | IDMAP_RW | IDMAP_PS;

			if (uncached != IDMAP_NO_UNCACHED && addr == (uncached & ~((1ull << 21) - 1)))
				e |= IDMAP_PCD | IDMAP_PWT;
			idmap_put(t, IDMAP_PD0 + g * 4096 + i * 8, e);
		}
		idmap_put(t, IDMAP_PDPT + g * 8, phys + IDMAP_PD0 + g * 4096 + (IDMAP_P | IDMAP_RW));
	}
	idmap_put(t, IDMAP_PML4, phys + IDMAP_PDPT + (IDMAP_P | IDMAP_RW));
	idmap_put(t, IDMAP_PML5, phys + IDMAP_PML4 + (IDMAP_P | IDMAP_RW));
}

#endif
