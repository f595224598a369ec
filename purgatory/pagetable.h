/* Purgatory's own identity map of the low 4 GiB.  Needed only to reach the
 * xAPIC registers: the kexec page table the old kernel built maps RAM, the
 * segments and ACPI ranges, but not 0xfee00000. */
#ifndef PURGATORY_PAGETABLE_H
#define PURGATORY_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

/* Builds the map (5-level top when la57, since CR4.LA57 cannot change with
 * paging on) with the 2 MiB page holding `uncached` marked PCD|PWT; returns
 * the value for CR3.  Purgatory itself must lie below 4 GiB (the loader
 * places it there) to keep running after the switch. */
uint64_t pagetable_identity_4g(bool la57, uint64_t uncached);

#endif
