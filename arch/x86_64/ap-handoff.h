/* Planning the AP handoff: which CPUs there are, and whether they are
 * parked (park region + SIPI trampoline + new ACPI tables) or put into INIT.
 * Pure apart from reading physical memory through `mem`. */
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

/* Decides the handoff, adds its segments (park region, ACPI tables,
 * trampoline), marks them in plan->handed_map, fills the AP part of
 * plan->params and plan->ap_desc, and sets plan->next_rsdp. */
int ap_handoff_plan(const struct sysview *sv, const struct physmem *mem,
		    enum ap_handoff mode, struct planner *pl, struct load_plan *plan,
		    struct mpk_error *err);

#endif
