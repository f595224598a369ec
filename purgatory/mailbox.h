/* The mailbox-only AP handoff (MPK_PF_MAILBOX_APS): the TDX case, where
 * INIT/SIPI do not exist and a CPU can only be reached through a mailbox.
 *
 * Everything reachable from purgatory_mailbox_start uses plain memory,
 * CR3/CR4 reads, one CR3 write, RDTSC and PAUSE: no port I/O (so no serial
 * console), no MMIO (so no local APIC), no HLT/MWAIT, no IPI, no MSR
 * access.  tests/static/mailbox-path.test checks this on the built object. */
#ifndef PURGATORY_MAILBOX_H
#define PURGATORY_MAILBOX_H

#include <stdint.h>

#include "mpkexec/handoff-report.h"
#include "mpkexec/purgatory-params.h"

/* Called by entry.S instead of purgatory_main when the parameters ask for
 * the mailbox handoff: verify -> hand the APs over -> report -> enter. */
void purgatory_mailbox_start(void) __attribute__((noreturn));

/* Leaves every AP with action STAY or MIGRATE parked in the region at
 * p->park_base (bounded waits), disables every other AP in the next MADT. */
void aps_mailbox(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r);

#endif
