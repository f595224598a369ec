/* SPDX-License-Identifier: GPL-2.0-only */
#include "handoff-tables.h"

#define MADT_CPU_ENABLED 0x1u
#define MADT_CPU_USABLE 0x3u   /* Enabled | Online Capable */
#define ACPI_LENGTH     4      /* offsets in any ACPI table header */
#define ACPI_CHECKSUM   9

void madt_disable_cpu(const struct mpk_purgatory_params *p, uint32_t i)
{
	volatile uint32_t *flags = u32_at(p->madt_addr + p->aps[i].madt_flags_off);

	*flags &= ~MADT_CPU_USABLE;
}

void madt_enable_cpu(const struct mpk_purgatory_params *p, uint32_t i)
{
	*u32_at(p->madt_addr + p->aps[i].madt_flags_off) |= MADT_CPU_ENABLED;
}

void madt_hold_bsp(const struct mpk_purgatory_params *p, uint32_t self)
{
	if (self == p->bsp_apic_id || !(p->flags & MPK_PF_NEXT_REFUSES_BSP))
		return;
	for (uint32_t i = 0; i < p->nr_aps; i++)
		if (p->aps[i].apic_id == p->bsp_apic_id)
			*u32_at(p->madt_addr + p->aps[i].madt_flags_off) |= MADT_CPU_ENABLED;
}

int cpu_never_init(const struct mpk_purgatory_params *p, uint32_t self, uint32_t id)
{
	if (id == self)
		return 0;
	if (id == p->bsp_apic_id)
		return 1;
	return !(p->flags & MPK_PF_CRASH) && id == p->boot_apic_id;
}

/* Used for the next kernel's MADT and the park region's MPKP status table,
 * once their contents are what the next kernel checks when it installs
 * them. */
void acpi_fix_checksum(uint64_t table)
{
	volatile uint8_t *t = (volatile uint8_t *)(uintptr_t)table;
	uint32_t len = *(volatile uint32_t *)(t + ACPI_LENGTH);
	uint8_t sum = 0;

	t[ACPI_CHECKSUM] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[ACPI_CHECKSUM] = (uint8_t)-sum;
}
