/* SPDX-License-Identifier: GPL-2.0-only */
#include "payload-acpi.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "mpkexec/bootparam.h"

int payload_acpi_firmware_set(const struct sysview *sv, struct planner *pl,
			      struct load_plan *plan, struct acpi_handoff *out, char *why,
			      size_t whylen, struct mpk_error *err)
{
	uint8_t *madt = NULL;
	size_t madt_len = 0, len;
	uint64_t base, fw_rsdp;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	/* Firmware's MADT: from the previous mpkexec handoff when there was
	 * one (this kernel's own may carry that handoff's wakeup structure),
	 * else the running kernel's copy of firmware's. */
	if (sv->acpi_snapshot) {
		if (acpi_snapshot_read(sv->acpi_snapshot, sv->acpi_snapshot_len, &fw_rsdp, &madt,
				       &madt_len, err) < 0) {
			snprintf(why, whylen, "%.300s", err->msg);
			return 1;
		}
	} else if (sv->madt) {
		madt = malloc(sv->madt_len);
		if (!madt)
			return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		memcpy(madt, sv->madt, sv->madt_len);
		madt_len = sv->madt_len;
	} else {
		snprintf(why, whylen, "cannot read /sys/firmware/acpi/tables/APIC (%s)",
			 strerror(sv->madt_errno));
		return 1;
	}
	if (sv->acpi_tables_why[0] || !acpi_tableset_find(&sv->acpi_tables, "FACP")) {
		snprintf(why, whylen, "the ACPI tables are unknown: %.200s",
			 sv->acpi_tables_why[0] ? sv->acpi_tables_why :
			 "/sys/firmware/acpi/tables has no FADT (FACP)");
		free(madt);
		return 1;
	}
	len = acpi_handoff_size(&sv->acpi_tables, madt_len, false);
	if (planner_place(pl, &(struct placement_req){ .what = "ACPI tables", .size = len,
			  .align = 4096, .min = SZ_1M, .max = SZ_4G, .top_down = true },
			  &base, err) < 0 ||
	    acpi_build_handoff(&sv->acpi_tables, madt, madt_len, 0, base, out, err) < 0)
		goto out;
	if (memmap_set_type(&plan->handed_map, base, base + ((out->len + 4095) & ~(size_t)4095),
			    E820_ACPI) < 0) {
		acpi_handoff_free(out);
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	plan_own(plan, out->buf);
	plan_add_segment(plan, "ACPI tables", out->buf, out->len, base, out->len, true,
			 "RSDP, XSDT+RSDT, %u tables copied from /sys/firmware/acpi/tables, "
			 "firmware's MADT unchanged (ACPI): for the RSDP tag", out->ncopied);
	rc = 0;
out:
	free(madt);
	return rc;
}
