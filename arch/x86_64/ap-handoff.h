/* SPDX-License-Identifier: GPL-2.0-only */
/* Planning the AP handoff: which CPUs there are, and whether they are
 * parked (park region + SIPI trampoline + new ACPI tables) or put into INIT.
 * Pure: everything it reads is in the system view. */
#ifndef MPKEXEC_AP_HANDOFF_H
#define MPKEXEC_AP_HANDOFF_H

#include "acpi.h"
#include "error.h"
#include "plan.h"
#include "planner.h"
#include "sysview.h"

/* Before anything else is placed: the trampoline page below 1 MiB (park
 * mode only; on failure the plan falls back to INIT later). */
void ap_handoff_place_trampoline(struct planner *pl, struct load_plan *plan,
				 enum ap_handoff mode);

/* What --ap-handoff=auto means here: mailbox on a TDX guest (CPUID leaf
 * 0x21, or the kernel's tdx_guest flag) or when this kernel's CPUs start
 * through a mailbox (its MADT has a wakeup structure, or there is an MPKP
 * table), park elsewhere.  Other modes come back as asked.  `why` says
 * what auto saw ("" when not auto). */
enum ap_handoff ap_handoff_resolve(const struct sysview *sv, enum ap_handoff asked,
				   char *why, size_t len);

/* Plans the handoff in `mode` (resolved): adds its segments (park region,
 * ACPI tables, trampoline), marks them in plan->handed_map, fills the AP
 * part of plan->params, plan->ap_desc (led by `mode_why`), the per-CPU
 * account plan->cpu[] and plan->warning, and sets plan->next_rsdp.  Park falls back to init (with
 * a warning) when it cannot work; mailbox never does. */
int ap_handoff_plan(const struct sysview *sv, const struct load_request *rq,
		    enum ap_handoff mode, const char *mode_why, struct planner *pl,
		    struct load_plan *plan, struct mpk_error *err);

#endif
