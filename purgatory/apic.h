/* SPDX-License-Identifier: GPL-2.0-only */
/* The local APIC of the CPU running purgatory, in whichever mode the old
 * kernel left it (xAPIC MMIO or x2APIC MSRs).  One send function hides the
 * mode.  Not for the mailbox-only (TDX) path: IPIs do not exist there. */
#ifndef PURGATORY_APIC_H
#define PURGATORY_APIC_H

#include <stdbool.h>
#include <stdint.h>

enum ipi_kind {
	IPI_INIT_ASSERT,
	IPI_INIT_DEASSERT,
	IPI_STARTUP,
};

struct apic {
	bool x2apic;
	uint64_t mmio_base; /* xAPIC only; must be mapped (pagetable.c) */
	uint32_t self_id;
};

/* Reads IA32_APIC_BASE; fails (returns -1) if the APIC is globally off. */
int apic_probe(struct apic *a);
/* Reads this CPU's APIC ID and sets the software-enable bit the old kernel
 * cleared (lapic_shutdown).  xAPIC: call with mmio_base mapped. */
void apic_enable(struct apic *a);
/* Returns -1 if dest cannot be addressed (xAPIC: IDs above 0xfe) or the
 * previous IPI never left the APIC. */
int apic_send_ipi(const struct apic *a, enum ipi_kind kind, uint32_t dest, uint8_t vector);

#endif
