/* SPDX-License-Identifier: GPL-2.0-only */
/* An ACPI table set for a payload that is handed its RSDP's bytes (the
 * multiboot2 ACPI tags) when the AP handoff built none: --ap-handoff=init,
 * or park falling back to init.  Firmware's RSDP cannot be read without
 * /dev/mem, so a copy of firmware's tables is built instead, exactly as
 * park mode does (src/acpi.h acpi_build_handoff: the tables the running
 * kernel exports, bytes unchanged, DSDT and FACS left in place), but with
 * firmware's MADT unchanged (no wakeup structure: the APs are in INIT and
 * the payload starts them with INIT/SIPI) and no extra table. */
#ifndef MPKEXEC_PAYLOAD_ACPI_H
#define MPKEXEC_PAYLOAD_ACPI_H

#include <stddef.h>

#include "acpi.h"
#include "error.h"
#include "plan.h"
#include "planner.h"
#include "sysview.h"

/* Builds the set below 4 GiB (top-down), adds it as the segment "ACPI
 * tables", types it ACPI in plan->handed_map and points `out` at it (the
 * plan owns out->buf).  1 with `why` when there is nothing to build from
 * (firmware's MADT or the FADT unknown, e.g. not root); -1 with err when no
 * room or out of memory. */
int payload_acpi_firmware_set(const struct sysview *sv, struct planner *pl,
			      struct load_plan *plan, struct acpi_handoff *out, char *why,
			      size_t whylen, struct mpk_error *err);

#endif
