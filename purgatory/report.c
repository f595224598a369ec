#include "report.h"

#include "mpkexec/bootparam.h"

struct mpk_handoff_report *report_begin(const struct mpk_purgatory_params *p,
					uint64_t tsc_entry)
{
	struct mpk_handoff_report *r = (struct mpk_handoff_report *)(uintptr_t)p->report_addr;
	volatile uint8_t *b = (volatile uint8_t *)r;

	for (uint32_t i = 0; i < p->report_len; i++)
		b[i] = 0;
	r->magic = MPK_REPORT_MAGIC;
	r->version = MPK_REPORT_VERSION;
	r->tsc_khz = p->tsc_khz;
	r->tsc_entry = tsc_entry;
	r->flags = (p->flags & MPK_PF_CRASH) ? MPK_REPORT_CRASH : 0;
	r->park_base = (p->flags & (MPK_PF_PARK_APS | MPK_PF_MAILBOX_APS)) ? p->park_base : 0;
	r->rsdp = *(volatile uint64_t *)(uintptr_t)(p->entry_rsi + BP_ACPI_RSDP_ADDR);
	r->nr_cpus = p->nr_aps;
	r->digests_checked = (p->flags & MPK_PF_VERIFY_DIGESTS) ? p->nr_ranges : 0;
	for (uint32_t i = 0; i < p->nr_aps; i++)
		r->cpu[i].apic_id = p->aps[i].apic_id;
	return r;
}
