/* SPDX-License-Identifier: GPL-2.0-only */
#include "ap-mailbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "handoff-place.h"
#include "park-region.h"


/* Purgatory reaches memory through its identity map of the low 4 GiB, so
 * it cannot use a mailbox above that (0, no mailbox at all, is not). */
static bool mailbox_above_4g(uint64_t mailbox)
{
	return mailbox > SZ_4G - 4096;
}

static const char *const where_key[] = {
	[AP_WHERE_BOOT] = "boot", [AP_WHERE_PARKED] = "parked",
	[AP_WHERE_ONLINE] = "online", [AP_WHERE_HELD] = "held",
	[AP_WHERE_MAILBOX] = "mailbox", [AP_WHERE_STOPPED] = "stopped",
};

void ap_account_cpu(struct load_plan *plan, const struct ap_census *c,
		    const struct ap_census_cpu *cpu, const char *handover,
		    const char *handover_text, bool offered)
{
	struct plan_cpu *pc;

	if (plan->ncpu >= MPK_MAX_APS)
		return;
	pc = &plan->cpu[plan->ncpu++];
	pc->apic_id = cpu->apic_id;
	pc->boot = cpu->where == AP_WHERE_BOOT;
	pc->now = (unsigned)cpu->where < sizeof(where_key) / sizeof(where_key[0]) ?
		  where_key[cpu->where] : "unknown";
	ap_where_text(c, cpu, pc->now_text, sizeof(pc->now_text));
	pc->handover = handover;
	pc->handover_text = handover_text;
	pc->offered = offered;
}

static const char *action_key(uint32_t action)
{
	switch (action) {
	case MPK_AP_EXEMPT:
		return "purgatory";
	case MPK_AP_STAY:
		return "stay";
	case MPK_AP_MIGRATE:
		return "migrate";
	}
	return "unreachable";
}

/* The route of one AP, and the words --plan says about it. */
static uint32_t route(const struct ap_census *c, const struct ap_census_cpu *cpu,
		      bool in_place, const char **how)
{
	if (!in_place && cpu->where != AP_WHERE_BOOT && mailbox_above_4g(c->mailbox)) {
		*how = "UNREACHABLE: its mailbox is not below 4 GiB, where purgatory "
		       "reaches memory; disabled in the next kernel's MADT";
		return MPK_AP_UNREACHABLE;
	}
	switch (cpu->where) {
	case AP_WHERE_BOOT:
		*how = "runs purgatory, boots the next kernel";
		return MPK_AP_EXEMPT;
	case AP_WHERE_PARKED:
		*how = in_place ? "stays parked (region reused in place)" :
			"Wakeup through the old region's mailbox -> new region (migrate)";
		return in_place ? MPK_AP_STAY : MPK_AP_MIGRATE;
	case AP_WHERE_ONLINE:
		if (!c->returns_at_kexec)
			break;
		if (in_place && cpu->record == MPK_NO_RECORD) {
			/* Not listed in the region: it could not check in there. */
			*how = "UNREACHABLE: the park region has no record for it; disabled";
			return MPK_AP_UNREACHABLE;
		}
		*how = in_place ? "returns to this region through the ResetVector at kexec" :
			"returns to the old mailbox through the ResetVector at kexec, then "
			"Wakeup -> new region (migrate)";
		return in_place ? MPK_AP_STAY : MPK_AP_MIGRATE;
	case AP_WHERE_MAILBOX:
		*how = "Wakeup through that mailbox -> new region (migrate)";
		return MPK_AP_MIGRATE;
	case AP_WHERE_HELD:
	case AP_WHERE_STOPPED:
		break;
	}
	*how = "UNREACHABLE: no mailbox reaches it; disabled in the next kernel's MADT";
	return MPK_AP_UNREACHABLE;
}

int ap_mailbox_plan(const struct ap_census *c, const struct acpi_tableset *tables,
		    const uint8_t *fw_madt, size_t fw_madt_len, const struct madt_cpus *cpus,
		    uint64_t park_addr, unsigned mailbox_version, struct planner *pl,
		    struct load_plan *plan, struct mpk_error *err)
{
	struct mpk_purgatory_params *p = &plan->params;
	uint32_t flags_off[MPK_MAX_APS];
	unsigned handed = 0, unreachable = 0, aps = 0;
	uint8_t *madt = NULL;
	size_t madt_len;
	uint64_t base;
	bool in_place;
	char where[160];

	if (park_addr && park_addr == c->region && !c->region_reusable)
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE, "--park-addr=%#" PRIx64 " is the "
				"current park region, which cannot serve again (%s); omit "
				"--park-addr to move the CPUs to a new one", park_addr, c->region_why);
	in_place = c->region && c->region_reusable && (!park_addr || park_addr == c->region);
	if (in_place)
		base = c->region;
	else if (handoff_region_place(pl, park_addr, &base, err) < 0)
		return -1;
	if (madt_with_wakeup(fw_madt, fw_madt_len, base, park_reset_vector(base),
			     mailbox_version, &madt, &madt_len, flags_off, err) < 0)
		return -1;

	snprintf(plan->ap_desc, sizeof(plan->ap_desc), "mailbox (no INIT, no SIPI): park "
		 "region %#" PRIx64 " %s; source mailbox %#" PRIx64 ", found in %s; %s; the next "
		 "kernel gets MADT wakeup v%u", base, in_place ? "reused in place" :
		 c->region || c->region_why[0] ? "new (CPUs migrate out of the old region)" : "new",
		 c->mailbox, c->mailbox_src, c->returns_why, mailbox_version);
	/* (an old region of another ABI has region 0: its records are not read) */
	if ((c->region || c->region_why[0]) && !c->region_reusable)
		plan_text_append(plan->ap_desc, sizeof(plan->ap_desc), "; old region not reusable: %s",
		       c->region_why);
	snprintf(plan->warning, sizeof(plan->warning), "cannot hand over through a mailbox "
		 "(disabled in the next kernel's MADT):");
	for (unsigned i = 0; i < c->n; i++) {
		const struct ap_census_cpu *cpu = &c->cpu[i];
		const char *how;
		uint32_t action = route(c, cpu, in_place, &how);

		p->aps[i].action = action;
		p->aps[i].src_record = cpu->record;
		if (action == MPK_AP_UNREACHABLE) {
			madt[flags_off[i]] &= (uint8_t)~(MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE);
			plan_text_append(plan->warning, sizeof(plan->warning), " APIC ID %u (%s)",
			       cpu->apic_id, ap_where_text(c, cpu, where, sizeof(where)));
			unreachable++;
		} else if (action != MPK_AP_EXEMPT) {
			handed++;
		}
		aps += action != MPK_AP_EXEMPT;
		ap_account_cpu(plan, c, cpu, action_key(action), how,
			       action != MPK_AP_UNREACHABLE);
	}
	snprintf(plan->ap_tally, sizeof(plan->ap_tally), "%u of %u APs handed over, %u "
		 "unreachable; IPIs: 0 INIT, 0 SIPI", handed, aps, unreachable);
	if (unreachable)
		plan_text_append(plan->warning, sizeof(plan->warning), "; %s", c->returns_why);
	else
		plan->warning[0] = '\0';
	acpi_set_checksum(madt, (uint32_t)madt_len);
	if ((!in_place && handoff_region_add(plan, base, cpus, mailbox_version, err) < 0) ||
	    handoff_tables_add(tables, madt, madt_len, base, mailbox_version, pl, plan, err) < 0) {
		free(madt);
		return -1;
	}
	plan_own(plan, madt);
	p->flags = (p->flags & ~(MPK_PF_SERIAL_DEBUG | MPK_PF_INIT_APS | MPK_PF_PARK_APS)) |
		   MPK_PF_MAILBOX_APS;
	p->park_base = base;
	plan->next_rsdp = plan->acpi.rsdp_addr;
	p->src_mailbox = c->mailbox;
	/* Purgatory reads the old region (header, records) under its own
	 * identity map of the low 4 GiB: one above that is not handed over. */
	p->src_region = c->region <= SZ_4G - PARK_REGION_SIZE ? c->region : 0;
	p->mailbox_version = mailbox_version;
	p->gather_timeout_ms = MPK_GATHER_TIMEOUT_MS;
	for (unsigned i = 0; i < cpus->n; i++)
		p->aps[i].madt_flags_off = flags_off[i];
	plan->park_base = base;
	return 0;
}
