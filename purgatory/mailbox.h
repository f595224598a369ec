/* SPDX-License-Identifier: GPL-2.0-only */
/* The mailbox-only AP handoff (MPK_PF_MAILBOX_APS): the TDX case, where
 * INIT/SIPI do not exist and a CPU can only be reached through a mailbox.
 *
 * Everything reachable from purgatory_mailbox_start uses plain memory,
 * CR3/CR4 reads, CR3 writes (our identity map, then back), RDTSC, PAUSE
 * CPUID leaves 0x0/0x1/0x21 (and 0xB outside a TD) and, in a TD, one
 * TDG.VP.VMCALL<Instruction.CPUID> for leaf 0xB (its own APIC ID; why:
 * purgatory/cpu.h, cpu_apic_id): no port I/O (so no serial console),
 * no MMIO (so no local APIC), no HLT/MWAIT, no IPI, no MSR access.
 * tests/static/mailbox-path.test checks this on the built object. */
#ifndef PURGATORY_MAILBOX_H
#define PURGATORY_MAILBOX_H

#include <stdint.h>

#include "mpkexec/handoff-report.h"
#include "mpkexec/purgatory-params.h"

/* Called by entry.S instead of purgatory_main when the parameters ask for
 * the mailbox handoff: verify -> hand the APs over -> report -> enter. */
void purgatory_mailbox_start(void) __attribute__((noreturn));

/* Finds the CPU it runs on (the next kernel's boot CPU, whatever the
 * loader planned for it), then, within ONE deadline for all of them,
 * moves every AP with action MIGRATE into the region at p->park_base and
 * waits for the ones with action STAY; every AP not parked by then (and
 * every UNREACHABLE one, and the planned boot CPU if it does not come) is
 * disabled in the next MADT and reported. */
void aps_mailbox(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r);

/* When aps_mailbox planned it (outcomes MPK_CPU_BOOT_WOKEN for firmware's
 * BSP, MPK_CPU_SELF_PARKED for our CPU; why: mailbox.c,
 * plan_boot_handoff): wakes the BSP at purgatory_boot_vector to boot the
 * payload and parks this CPU in the region (does not return).  Returns,
 * with the report saying so (MPK_REPORT_HANDOFF_FAILED, our CPU the boot
 * CPU again), if the BSP does not take the Wakeup within the gather
 * timeout; returns at once when no handoff was planned. */
void mailbox_hand_over_boot(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r);

#endif
