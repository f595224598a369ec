/* SPDX-License-Identifier: GPL-2.0-only */
/* The memory purgatory edits for the next kernel, shared by every AP
 * handoff: the next MADT's CPU flags, ACPI checksums, and the records and
 * header of a park region (include/mpkexec/park-abi.h).  Plain identity-
 * mapped memory accesses only: usable on the mailbox (TDX) path. */
#ifndef PURGATORY_HANDOFF_TABLES_H
#define PURGATORY_HANDOFF_TABLES_H

#include <stdint.h>

#include "mpkexec/park-abi.h"
#include "mpkexec/purgatory-params.h"

static inline volatile uint32_t *u32_at(uint64_t addr)
{
	return (volatile uint32_t *)(uintptr_t)addr;
}

/* Field `off` (PARK_CPU_*) of record i in the region at `base`. */
static inline volatile uint32_t *park_record_u32(uint64_t base, uint32_t i, uint32_t off)
{
	return u32_at(base + PARK_CPUS_OFF + (uint64_t)i * PARK_CPU_SIZE + off);
}

static inline volatile struct park_header *park_header_at(uint64_t base)
{
	return (volatile struct park_header *)(uintptr_t)(base + PARK_HEADER_OFF);
}

/* Clears Enabled and Online Capable of aps[i] in the next kernel's MADT:
 * a CPU that is not in the park loop must never be offered to it. */
void madt_disable_cpu(const struct mpk_purgatory_params *p, uint32_t i);

/* Sets Enabled for aps[i] in the next kernel's MADT: the CPU running
 * purgatory boots the next kernel, whatever the loader planned for it.
 * Its entry stays where firmware put it: Linux >= 6.9 (arch/x86/kernel/cpu/
 * topology.c, check_for_real_bsp) takes the FIRST enumerated APIC as the
 * real BSP; a boot CPU listed first without IA32_APIC_BASE.BSP makes it
 * assume a crash kernel and limit itself to one CPU, while a boot CPU
 * listed later only costs the first entry ("Crash kernel detected.
 * Disabling real BSP"), which purgatory has disabled anyway when it is not
 * the CPU it runs on.  Linux 6.1 takes the boot CPU from its own APIC and
 * accepts it anywhere in the MADT (generic_processor_info). */
void madt_enable_cpu(const struct mpk_purgatory_params *p, uint32_t i);

/* When purgatory runs on a CPU other than firmware's BSP (`self` !=
 * bsp_apic_id), the BSP is never in the park loop (never INIT'd).  What
 * the next kernel must find in its MADT entry depends on the kernel:
 * - Linux >= 6.9 (arch/x86/kernel/cpu/topology.c, check_for_real_bsp)
 *   takes the FIRST APIC it registers for firmware's BSP; when that is not
 *   the CPU it boots on, and the boot CPU lacks IA32_APIC_BASE.BSP, it
 *   says "Crash kernel detected. Disabling real BSP" and never starts it.
 *   It registers no entry with Enabled = 0 unless firmware supports Online
 *   Capable (FADT >= 6.3; QEMU's does not) or it runs under a hypervisor
 *   it recognises.  Seen in reboot-cpu.test: with the BSP's entry disabled,
 *   Linux 6.12 took APIC ID 1 for the first one ("Boot CPU APIC ID not the
 *   first enumerated APIC ID: 2 != 1") and lost that CPU.  So for such a
 *   payload (MPK_PF_NEXT_REFUSES_BSP, set by the loader from the bzImage's
 *   version string) the BSP's entry is set Enabled again: Linux refuses it
 *   itself, and every AP after it is kept.
 * - Linux < 6.9 (6.1: generic_processor_info) wakes every enabled entry
 *   through the mailbox and waits for the ack without a timeout, so the
 *   BSP must stay disabled there; it accepts the boot CPU anywhere.
 * Purgatory's own CPU is never moved first: Linux >= 6.9 would then find
 * the first APIC is the boot CPU without the BSP bit, "assume crash
 * kernel" and limit itself to one CPU. */
void madt_hold_bsp(const struct mpk_purgatory_params *p, uint32_t self);

/* 1 if the CPU with APIC ID `id` must never get an INIT from purgatory
 * running on `self`: it is left as the old kernel stopped it
 * (MPK_CPU_LEFT_BEHIND).  Firmware's BSP always (an INIT'd BSP runs
 * firmware's reset path instead of waiting for a SIPI).  The running
 * kernel's CPU 0 too, except for a crash image (MPK_PF_CRASH): issue 9
 * kept the old boot CPU out of reboot=s<N> handoffs; a kdump capture kernel
 * must get every CPU it can, and a CPU that is not firmware's BSP, halted
 * in crash_nmi_callback (NMIs blocked), takes INIT-SIPI like any AP. */
int cpu_never_init(const struct mpk_purgatory_params *p, uint32_t self, uint32_t id);

/* Makes the ACPI table at `table` sum to 0 again over its header's length. */
void acpi_fix_checksum(uint64_t table);

#endif
