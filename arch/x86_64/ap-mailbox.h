/* SPDX-License-Identifier: GPL-2.0-only */
/* Planning the mailbox-only handoff (--ap-handoff=mailbox, the TDX case):
 * every AP is handed over through a mailbox or not at all.  Pure. */
#ifndef MPKEXEC_AP_MAILBOX_H
#define MPKEXEC_AP_MAILBOX_H

#include "acpi.h"
#include "ap-census.h"
#include "madt.h"
#include "plan.h"
#include "planner.h"

/* Chooses the target region (the census's region in place when it can
 * serve again, else `park_addr` or a fresh one) and a route per AP (stay,
 * migrate through the source mailbox's Wakeup, or unreachable), builds the
 * MADT with unreachable CPUs disabled and the ACPI tables, and fills
 * plan->params, plan->ap_desc, plan->cpu[], plan->ap_tally and
 * plan->warning. */
int ap_mailbox_plan(const struct ap_census *c, const struct acpi_tableset *tables,
		    const uint8_t *fw_madt, size_t fw_madt_len, const struct madt_cpus *cpus,
		    uint64_t park_addr, unsigned mailbox_version, struct planner *pl,
		    struct load_plan *plan, struct mpk_error *err);

/* Appends census CPU `cpu` to the plan's per-CPU account (plan->cpu[]):
 * where it is now, `handover` (a plan_cpu key) with its words, and whether
 * the next kernel's MADT offers it. */
void ap_account_cpu(struct load_plan *plan, const struct ap_census *c,
		    const struct ap_census_cpu *cpu, const char *handover,
		    const char *handover_text, bool offered);

#endif
