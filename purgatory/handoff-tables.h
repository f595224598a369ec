/* The memory purgatory edits for the next kernel, shared by every AP
 * handoff: the next MADT's CPU flags, ACPI checksums, and the records and
 * header of a park region (include/mpkexec/park-abi.h).  Plain identity-
 * mapped memory accesses only: usable on the mailbox (TDX) path. */
#ifndef PURGATORY_HANDOFF_TABLES_H
#define PURGATORY_HANDOFF_TABLES_H

#include <stdint.h>

#include "mpkexec/park-abi.h"
#include "mpkexec/purgatory-params.h"

static inline volatile uint32_t *u32_at(uint64_t addr)
{
	return (volatile uint32_t *)(uintptr_t)addr;
}

/* Field `off` (PARK_CPU_*) of record i in the region at `base`. */
static inline volatile uint32_t *park_record_u32(uint64_t base, uint32_t i, uint32_t off)
{
	return u32_at(base + PARK_CPUS_OFF + (uint64_t)i * PARK_CPU_SIZE + off);
}

static inline volatile struct park_header *park_header_at(uint64_t base)
{
	return (volatile struct park_header *)(uintptr_t)(base + PARK_HEADER_OFF);
}

/* Clears Enabled and Online Capable of aps[i] in the next kernel's MADT:
 * a CPU that is not in the park loop must never be offered to it. */
void madt_disable_cpu(const struct mpk_purgatory_params *p, uint32_t i);

/* Makes the ACPI table at `table` sum to 0 again over its header's length. */
void acpi_fix_checksum(uint64_t table);

#endif
