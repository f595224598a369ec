/* Handing the secondary CPUs (APs) over: the classic INIT handoff, or
 * gathering them into the park region.  Both need INIT/SIPI, so neither
 * runs on a mailbox-only (TDX) machine. */
#ifndef PURGATORY_APS_H
#define PURGATORY_APS_H

#include "mpkexec/handoff-report.h"
#include "mpkexec/purgatory-params.h"

/* Puts every AP into INIT; the payload starts them with INIT/SIPI. */
void aps_init(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r);
/* INIT-SIPI-SIPI every AP into the park region through the trampoline,
 * waits for each to check in, disables the ones that did not in the next
 * MADT; if none did, falls back to INIT and the original ACPI tables. */
void aps_park(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r);

#endif
