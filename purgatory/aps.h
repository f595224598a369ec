/* SPDX-License-Identifier: GPL-2.0-only */
/* Handing the secondary CPUs (APs) over: the classic INIT handoff, or
 * gathering them into the park region.  Both need INIT/SIPI, so neither
 * runs on a mailbox-only (TDX) machine. */
#ifndef PURGATORY_APS_H
#define PURGATORY_APS_H

#include "mpkexec/handoff-report.h"
#include "mpkexec/purgatory-params.h"

/* Puts every AP into INIT (not the CPUs left behind: the running kernel's
 * CPU 0 and firmware's BSP when purgatory runs elsewhere); the payload
 * starts them with INIT/SIPI. */
void aps_init(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r);
/* INIT-SIPI-SIPI every AP (but the ones left behind, disabled) into the
 * park region through the trampoline, waits (one deadline) for them to
 * check in, disables the ones that did not in the next MADT; if none did,
 * falls back to INIT and the original ACPI tables. */
void aps_park(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r);

#endif
