/* SPDX-License-Identifier: GPL-2.0-only */
/* Purgatory's own identity map of the low 4 GiB (built by the same code as
 * a park region's: include/mpkexec/identity-map.h).  Needed where the
 * kexec page table the old kernel built (RAM, the segments, ACPI tables)
 * falls short: the xAPIC registers at 0xfee00000 (INIT and park handoffs)
 * and, on the mailbox path, a park region or firmware mailbox in ACPI NVS
 * that the kexec map need not cover.  Purgatory switches back to the
 * kexec CR3 before it enters the payload. */
#ifndef PURGATORY_PAGETABLE_H
#define PURGATORY_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Builds the map (5-level top when la57, since CR4.LA57 cannot change with
 * paging on) with the 2 MiB page holding `uncached` marked PCD|PWT
 * (IDMAP_NO_UNCACHED: none); returns the value for CR3.  Purgatory itself must lie below 4 GiB (the loader
 * places it there) to keep running after the switch. */
uint64_t pagetable_identity_4g(bool la57, uint64_t uncached);

#endif
