/* SPDX-License-Identifier: GPL-2.0-only */
/* What `mpkexec -e` does to the CPUs before reboot(LINUX_REBOOT_CMD_KEXEC).
 *
 * A CPU that Linux (>= 6.11, MADT mailbox v1) offlined sits in the park
 * loop with its local APIC still enabled: no INIT resets it, as it would
 * on an INIT/SIPI machine.  At kexec Linux stops the other CPUs with a
 * REBOOT_VECTOR IPI sent as an all-but-self broadcast once every CPU has
 * booted once, so the vector lands, pending, in the parked CPU's APIC; the
 * next kernel that wakes it takes that interrupt as soon as the CPU enables
 * interrupts and stops it again (seen: an RCU stall on that CPU).  Online
 * CPUs take the IPI, disable their APIC and go home through the ResetVector,
 * clean.  So -e first brings every parked, offline CPU online.
 *
 * A kernel that halts its CPUs at kexec instead (booted by firmware, or
 * before Linux 6.11) runs the kexec on its reboot CPU (reboot=s<N>), and
 * purgatory INIT/SIPIs every other CPU but this kernel's CPU 0, which would
 * stay halted in memory the next kernel reuses.  So -e makes CPU 0 the
 * reboot CPU first. */
#ifndef MPKEXEC_EXEC_PREPARE_H
#define MPKEXEC_EXEC_PREPARE_H

#include <stdio.h>

/* When a kernel is loaded: onlines the offline CPUs when (and only when)
 * this kernel sends its CPUs to a park region's ResetVector at kexec and
 * every AP that is not online is parked there (waking any other would hang
 * this kernel: Linux's mailbox wakeup has no timeout); when it does not
 * send them there, writes 0 to /sys/kernel/reboot/cpu.  Says what it did on
 * `out`.  Never fails the exec: it only warns when a write is refused. */
void exec_prepare_cpus(const char *root, FILE *out);

#endif
