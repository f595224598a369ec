/* SPDX-License-Identifier: GPL-2.0-only */
#include "report.h"

#include "mpkexec/bootparam.h"

/* The report when the payload has no place for it: sized for every CPU
 * the parameter block can list. */
static union {
	struct mpk_handoff_report r;
	uint8_t bytes[sizeof(struct mpk_handoff_report) +
		      MPK_MAX_APS * sizeof(struct mpk_report_cpu)];
} own_report __attribute__((aligned(8)));

struct mpk_handoff_report *report_begin(const struct mpk_purgatory_params *p,
					uint64_t tsc_entry)
{
	struct mpk_handoff_report *r = (struct mpk_handoff_report *)(uintptr_t)p->report_addr;
	uint32_t len = p->report_len;
	volatile uint8_t *b;

	/* A payload with no place for the report (report_addr 0: not Linux)
	 * gets none; purgatory keeps it in its own memory, where say_report
	 * and the gather read it like any other. */
	if (!r) {
		r = &own_report.r;
		len = sizeof(own_report);
	}
	b = (volatile uint8_t *)r;
	for (uint32_t i = 0; i < len; i++)
		b[i] = 0;
	r->magic = MPK_REPORT_MAGIC;
	r->version = MPK_REPORT_VERSION;
	r->tsc_khz = p->tsc_khz;
	r->tsc_entry = tsc_entry;
	r->flags = (p->flags & MPK_PF_CRASH) ? MPK_REPORT_CRASH : 0;
	r->park_base = (p->flags & (MPK_PF_PARK_APS | MPK_PF_MAILBOX_APS)) ? p->park_base : 0;
	/* Linux's boot_params carry the RSDP handed over; a payload without
	 * them (boot_params 0) gets its RSDP its own way (multiboot2 tag). */
	r->rsdp = p->boot_params ?
		*(volatile uint64_t *)(uintptr_t)(p->boot_params + BP_ACPI_RSDP_ADDR) : 0;
	r->nr_cpus = p->nr_aps;
	r->digests_checked = (p->flags & MPK_PF_VERIFY_DIGESTS) ? p->nr_ranges : 0;
	for (uint32_t i = 0; i < p->nr_aps; i++)
		r->cpu[i].apic_id = p->aps[i].apic_id;
	return r;
}
