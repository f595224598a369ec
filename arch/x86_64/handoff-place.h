/* SPDX-License-Identifier: GPL-2.0-only */
/* Placing what a mailbox handoff (park or mailbox-only) gives the next
 * kernel: a park region and the new ACPI tables (RSDP, XSDT/RSDT, MADT
 * with the wakeup structure, and the MPKP table inside the region).  Both
 * are added as segments and typed in plan->handed_map (NVS and ACPI: the
 * next kernel keeps them; never RESERVED, which a TDX guest maps shared). */
#ifndef MPKEXEC_HANDOFF_PLACE_H
#define MPKEXEC_HANDOFF_PLACE_H

#include "acpi.h"
#include "madt.h"
#include "plan.h"
#include "planner.h"

/* Whether `at` (--park-addr) can hold a region at all: 4 KiB aligned,
 * [at, at + PARK_REGION_SIZE) between 1 MiB and 4 GiB.  -1 (usage) if not. */
int handoff_region_check(uint64_t at, struct mpk_error *err);

/* A fresh region: free RAM below 4 GiB (top-down), or exactly `at` if
 * nonzero.  -1 with err if there is no room (or `at` is not free RAM). */
int handoff_region_place(struct planner *pl, uint64_t at, uint64_t *base,
			 struct mpk_error *err);

/* Builds the region at `base` for `cpus` and adds it as a segment. */
int handoff_region_add(struct load_plan *plan, uint64_t base, const struct madt_cpus *cpus,
		       unsigned mailbox_version, struct mpk_error *err);

/* Places and builds the new ACPI tables around `madt` (whose wakeup
 * structure names the region at park_base), adds them as a segment, and
 * sets plan->acpi and params.madt_addr (the caller hands plan->acpi.rsdp_addr
 * over once nothing else can fail). */
int handoff_tables_add(const struct acpi_tableset *tables, const uint8_t *madt, size_t madt_len,
		       uint64_t park_base, unsigned mailbox_version, struct planner *pl,
		       struct load_plan *plan, struct mpk_error *err);

#endif
