/* SPDX-License-Identifier: GPL-2.0-only */
#include "handoff-place.h"

#include <inttypes.h>
#include <stdlib.h>

#include "bytes.h"
#include "mpkexec/bootparam.h"
#include "park-region.h"


int handoff_region_check(uint64_t at, struct mpk_error *err)
{
	/* at > 4 GiB - size, not at + size > 4 GiB: any u64 may arrive here
	 * (-1, -4096), and the sum would wrap. */
	if (at & 4095 || at < SZ_1M || at > SZ_4G - PARK_REGION_SIZE)
		return mpk_fail(err, MPK_EXIT_USAGE, "--park-addr=%#" PRIx64 ": the park "
				"region needs %#x bytes, 4 KiB aligned, between 1 MiB and "
				"4 GiB", at, PARK_REGION_SIZE);
	return 0;
}

int handoff_region_place(struct planner *pl, uint64_t at, uint64_t *base,
			 struct mpk_error *err)
{
	struct placement_req req = { .what = "park region", .size = PARK_REGION_SIZE,
				     .align = 4096, .min = SZ_1M, .max = SZ_4G, .top_down = true };

	if (at) {
		if (handoff_region_check(at, err) < 0)
			return -1;
		req.min = at;
		req.max = at + PARK_REGION_SIZE;
	}
	if (planner_place(pl, &req, base, err) < 0) {
		if (at)
			mpk_fail(err, MPK_EXIT_USAGE, "--park-addr=%#" PRIx64 ": [%#" PRIx64
				 ", %#" PRIx64 ") is not free RAM (firmware's memory map, the running "
				 "kernel's image or another segment has it); choose free RAM below "
				 "4 GiB (mpkexec --plan lists the segments)", at, at, at + PARK_REGION_SIZE);
		return -1;
	}
	return 0;
}

int handoff_region_add(struct load_plan *plan, uint64_t base, const struct madt_cpus *cpus,
		       unsigned mailbox_version, struct mpk_error *err)
{
	uint8_t *park = malloc(PARK_REGION_SIZE);

	if (!park)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	park_region_build(park, base, park_code_blob, cpus->apic_id, cpus->n, mailbox_version);
	if (memmap_set_type(&plan->handed_map, base, base + PARK_REGION_SIZE, E820_NVS) < 0) {
		free(park);
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	}
	plan_add_segment(plan, "park region", park, PARK_REGION_SIZE, base, PARK_REGION_SIZE,
			 true, "mailbox, park code, page tables, MPKP status table with %u CPU "
			 "records (ACPI NVS)", cpus->n);
	plan_own(plan, park);
	return 0;
}

int handoff_tables_add(const struct acpi_tableset *tables, const uint8_t *madt,
		       size_t madt_len, uint64_t park_base, unsigned mailbox_version,
		       struct planner *pl, struct load_plan *plan, struct mpk_error *err)
{
	size_t len = acpi_handoff_size(tables, madt_len, true);
	uint64_t base;

	if (planner_place(pl, &(struct placement_req){ .what = "ACPI tables",
			  .size = len, .align = 4096, .min = SZ_1M, .max = SZ_4G,
			  .top_down = true }, &base, err) < 0)
		return -1;
	if (acpi_build_handoff(tables, madt, madt_len, park_base + PARK_STATUS_OFF, base,
			       &plan->acpi, err) < 0)
		return -1;
	/* The segment is exactly what was reserved: a longer buffer would run
	 * into whatever the planner puts next (the park region). */
	if (plan->acpi.len > len) {
		acpi_handoff_free(&plan->acpi);
		return mpk_fail(err, MPK_EXIT_INTERNAL, "ACPI tables: built %zu bytes into a "
				"reservation of %zu", plan->acpi.len, len);
	}
	/* Purgatory edits the MADT at madt_addr: the next kernel must find it
	 * there through its XSDT and its RSDT. */
	if (!acpi_handoff_lists(&plan->acpi, plan->acpi.madt_addr)) {
		acpi_handoff_free(&plan->acpi);
		return mpk_fail(err, MPK_EXIT_INTERNAL, "ACPI tables: the new MADT at %#" PRIx64
				" is not listed in the new XSDT and RSDT", base);
	}
	if (memmap_set_type(&plan->handed_map, base,
			    base + ((plan->acpi.len + 4095) & ~(size_t)4095), E820_ACPI) < 0) {
		acpi_handoff_free(&plan->acpi);
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	}
	plan_add_segment(plan, "ACPI tables", plan->acpi.buf, plan->acpi.len, base,
			 plan->acpi.len, true, "RSDP, XSDT+RSDT, %u tables copied from "
			 "/sys/firmware/acpi/tables, MADT with wakeup structure v%u (ACPI)",
			 plan->acpi.ncopied, mailbox_version);
	plan->params.madt_addr = plan->acpi.madt_addr;
	return 0;
}
