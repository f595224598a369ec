/* SPDX-License-Identifier: GPL-2.0-only */
#include "pagetable.h"

#include "mpkexec/identity-map.h"

/* Identity-mapped: the tables' virtual address is their physical one. */
static uint8_t tables[IDMAP_SIZE] __attribute__((aligned(4096)));

uint64_t pagetable_identity_4g(bool la57, uint64_t uncached)
{
	uint64_t phys = (uint64_t)(uintptr_t)tables;

	identity_map_4g(tables, phys, uncached);
	return phys + (la57 ? IDMAP_PML5 : IDMAP_PML4);
}
