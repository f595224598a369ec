/* SPDX-License-Identifier: GPL-2.0-only */
#include "ap-handoff.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ap-census.h"
#include "ap-mailbox.h"
#include "bytes.h"
#include "handoff-place.h"
#include "madt.h"
#include "mpkexec/bootparam.h"
#include "park-region.h"
#include "tdx.h"


void ap_handoff_place_trampoline(struct planner *pl, struct load_plan *plan,
				 enum ap_handoff mode)
{
	struct mpk_error ignored;
	/* A SIPI vector addresses a page below 1 MiB; page 0 holds the real-mode
	 * IVT and BIOS data.  Any free RAM page in between will do. */
	struct placement_req req = { .what = "SIPI trampoline", .size = 4096, .align = 4096,
				     .min = 0x1000, .max = SZ_1M, .top_down = true };

	plan->trampoline = 0;
	if (mode == AP_HANDOFF_PARK && planner_place(pl, &req, &plan->trampoline, &ignored) < 0)
		plan->trampoline = 0;
}

/* Per CPU: where it is now (the census) and what the handoff does with it
 * (plan->cpu[], rendered by src/report.c). */
static void describe_cpus(struct load_plan *plan, const struct ap_census *c,
			  const char *handover, const char *how)
{
	for (unsigned i = 0; i < c->n; i++) {
		bool boot = c->cpu[i].where == AP_WHERE_BOOT;

		ap_account_cpu(plan, c, &c->cpu[i], boot ? "purgatory" : handover,
			       boot ? "runs purgatory, boots the next kernel (never INIT)" : how,
			       true);
	}
}

/* A capture kernel's park handoff: purgatory runs on whichever CPU
 * crashed; every other CPU but firmware's BSP is gathered. */
static void describe_crash_cpus(struct load_plan *plan, const struct ap_census *c,
				uint32_t bsp)
{
	for (unsigned i = 0; i < c->n; i++)
		ap_account_cpu(plan, c, &c->cpu[i], "park", c->cpu[i].apic_id == bsp ?
			       "firmware's BSP, never INIT: boots the capture kernel if the "
			       "crash is on it, else left out (disabled in the MADT of a "
			       "payload before Linux 6.9, which would wait for it)" :
			       "runs purgatory if the crash is on it, else INIT-SIPI-SIPI -> "
			       "park region -> mailbox wakeup (disabled in the MADT if it "
			       "does not arrive)", true);
}

/* "WHY; TEXT": says up front why auto chose what it chose. */
static void prepend(char *buf, size_t size, const char *why)
{
	char *old = strdup(buf);

	if (!old)
		return;
	snprintf(buf, size, "%s; %s", why, old);
	free(old);
}

/* Firmware's MADT and RSDP, and whether a new table set can be built.
 * The MADT comes from the snapshot an earlier mpkexec handed this kernel,
 * else from sysfs (firmware's own when firmware booted this kernel); the
 * other tables are always this kernel's sysfs copies (see src/acpi.h).
 * -1 with `why` if the new tables cannot be built. */
static int firmware_tables(const struct sysview *sv, uint64_t *fw_rsdp, uint8_t **madt,
			   size_t *madt_len, char *why, size_t whylen)
{
	struct mpk_error err;

	*madt = NULL;
	*fw_rsdp = sv->rsdp;
	if (sv->acpi_snapshot) {
		uint64_t snap_rsdp;

		if (acpi_snapshot_read(sv->acpi_snapshot, sv->acpi_snapshot_len, &snap_rsdp, madt,
				       madt_len, &err) < 0) {
			snprintf(why, whylen, "%.480s", err.msg);
			return -1;
		}
		if (snap_rsdp)
			*fw_rsdp = snap_rsdp;
	} else if (!sv->madt) {
		snprintf(why, whylen, "cannot read /sys/firmware/acpi/tables/APIC (%s)",
			 strerror(sv->madt_errno));
		return -1;
	} else {
		*madt = malloc(sv->madt_len);
		if (!*madt) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		memcpy(*madt, sv->madt, sv->madt_len);
		*madt_len = sv->madt_len;
	}
	if (sv->acpi_tables_why[0] || !acpi_tableset_find(&sv->acpi_tables, "FACP")) {
		snprintf(why, whylen, "the ACPI tables to hand over are unknown: %s",
			 sv->acpi_tables_why[0] ? sv->acpi_tables_why :
			 "/sys/firmware/acpi/tables has no FADT (FACP)");
		free(*madt);
		*madt = NULL;
		return -1;
	}
	return 0;
}

/* --plan: where the tables the next kernel gets come from. */
static void describe_tables(struct load_plan *plan, const struct sysview *sv,
			    uint64_t fw_rsdp, bool built, const char *why)
{
	char *d = plan->acpi_desc;
	size_t len = sizeof(plan->acpi_desc);
	uint64_t dsdt, facs;

	if (!built) {
		snprintf(d, len, "firmware's own (RSDP %#" PRIx64 ", %s)%s%.300s", fw_rsdp,
			 fw_rsdp ? (sv->acpi_snapshot ? "from the previous handoff" :
			 sv->rsdp_source) : "unknown: the kernel finds it itself", *why ?
			 "; no new set: " : "", why);
		return;
	}
	acpi_fadt_pointers(acpi_tableset_find(&sv->acpi_tables, "FACP"), &dsdt, &facs);
	snprintf(d, len, "new set at %#" PRIx64 ": copies of", plan->acpi.rsdp_addr);
	for (size_t i = 0; i < sv->acpi_tables.n; i++)
		if (acpi_table_carried(&sv->acpi_tables.t[i]))
			plan_text_append(d, len, " %s", sv->acpi_tables.t[i].name);
	plan_text_append(d, len, " from /sys/firmware/acpi/tables; DSDT %#" PRIx64 " and FACS %#"
			 PRIx64 " stay where the FADT names them; MADT built from firmware's (%s); "
			 "firmware's RSDP %#" PRIx64 " (%s)%s", dsdt, facs, sv->acpi_snapshot ?
			 "setup_data from the previous handoff" : "/sys/firmware/acpi/tables/APIC",
			 fw_rsdp, !fw_rsdp ? "unknown" : sv->acpi_snapshot ?
			 "from the previous handoff" : sv->rsdp_source,
			 (plan->params.flags & MPK_PF_PARK_APS) ? ", handed over instead if no AP "
			 "reaches the park region" : "");
}

/* Everything park mode needs; returns -1 with `why` filled if it cannot,
 * -2 with `hard` filled if the region cannot go where --park-addr
 * (`park_addr`, 0: anywhere) says: that is refused, never a fallback. */
static int plan_park(const struct acpi_tableset *tables, const uint8_t *fw_madt,
		     size_t fw_madt_len, const struct madt_cpus *cpus, unsigned version,
		     uint64_t park_addr, bool crash, struct planner *pl, struct load_plan *plan,
		     char *why, size_t whylen, struct mpk_error *hard)
{
	struct mpk_purgatory_params *p = &plan->params;
	struct mpk_error err;
	uint8_t *madt = NULL, *tramp = NULL;
	size_t madt_len;
	uint64_t park_base, tramp_src = 0;
	uint32_t flags_off[MPK_MAX_APS];

	if (!plan->trampoline) {
		snprintf(why, whylen, crash ? "no RAM page between 4 KiB and 1 MiB in firmware's "
			 "memory map for the SIPI trampoline" :
			 "no free RAM page below 1 MiB for the SIPI trampoline");
		return -1;
	}
	/* A capture kernel: the kernel takes crash segments only inside the
	 * crash region, so the trampoline's bytes go there and purgatory
	 * copies them down (purgatory-params.h trampoline_src).  Below 4 GiB:
	 * purgatory may copy on either identity map it uses. */
	if (crash && planner_place(pl, &(struct placement_req){ .what = "SIPI trampoline "
				   "(copied below 1 MiB by purgatory)", .size = 4096,
				   .align = 4096, .min = SZ_1M, .max = SZ_4G, .top_down = true },
				   &tramp_src, &err) < 0) {
		snprintf(why, whylen, "%.480s", err.msg);
		return -1;
	}
	if (handoff_region_place(pl, park_addr, &park_base, hard) < 0) {
		if (park_addr)
			return -2;
		snprintf(why, whylen, "%.480s", hard->msg);
		return -1;
	}
	if (madt_with_wakeup(fw_madt, fw_madt_len, park_base, park_reset_vector(park_base),
			     version, &madt, &madt_len, flags_off, &err) < 0 ||
	    handoff_tables_add(tables, madt, madt_len, park_base, version, pl, plan,
			       &err) < 0 ||
	    handoff_region_add(plan, park_base, cpus, version, &err) < 0)
		goto fail_err;
	tramp = malloc(4096);
	if (!tramp) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	trampoline_build(tramp, plan->trampoline, park_base, trampoline_blob);
	if (crash)
		plan_add_segment(plan, "SIPI trampoline", tramp, 4096, tramp_src, 4096, true,
				 "built for %#" PRIx64 ", copied there by purgatory before the "
				 "SIPIs (low 1 MiB: RAM with no backup for the capture kernel); "
				 "real mode -> long mode -> park region", plan->trampoline);
	else
		plan_add_segment(plan, "SIPI trampoline", tramp, 4096, plan->trampoline, 4096,
				 true, "real mode -> long mode -> park region (RAM again "
				 "afterwards)");
	plan_own(plan, tramp);
	plan_own(plan, madt);

	p->flags |= MPK_PF_PARK_APS;
	p->park_base = park_base;
	p->trampoline = plan->trampoline;
	p->trampoline_src = tramp_src;
	p->gather_timeout_ms = MPK_GATHER_TIMEOUT_MS;
	for (unsigned i = 0; i < cpus->n; i++)
		p->aps[i].madt_flags_off = flags_off[i];
	plan->park_base = park_base;
	return 0;
fail_err:
	snprintf(why, whylen, "%.480s", err.msg);
fail:
	free(madt);
	return -1;
}

enum ap_handoff ap_handoff_resolve(const struct sysview *sv, enum ap_handoff asked,
				   char *why, size_t len)
{
	struct madt_wakeup w;
	const char *how;

	*why = '\0';
	if (asked != AP_HANDOFF_AUTO)
		return asked;
	if (tdx_guest(sv, &how)) {
		snprintf(why, len, "auto: a TDX guest (%s), where only mailboxes reach CPUs", how);
		return AP_HANDOFF_MAILBOX;
	}
	if ((sv->madt && madt_find_wakeup(sv->madt, sv->madt_len, &w)) || sv->mpkp) {
		snprintf(why, len, "auto: this kernel starts its CPUs through a mailbox (%s)",
			 sv->mpkp ? "an mpkexec park region" : "MADT wakeup structure");
		return AP_HANDOFF_MAILBOX;
	}
	snprintf(why, len, "auto: no TDX and no mailbox here, so INIT/SIPI gathers the APs");
	return AP_HANDOFF_PARK;
}

int ap_handoff_plan(const struct sysview *sv, const struct load_request *rq,
		    enum ap_handoff mode, const char *mode_why, struct planner *pl, struct load_plan *plan, struct mpk_error *err)
{
	struct mpk_purgatory_params *p = &plan->params;
	struct madt_wakeup running_wakeup;
	uint64_t fw_rsdp;
	struct madt_cpus *cpus;
	struct ap_census *census = NULL;
	uint8_t *fw_madt = NULL;
	size_t fw_madt_len = 0;
	char why[512] = "";
	bool have_fw;
	int rc = -1, park_rc = -1;

	have_fw = firmware_tables(sv, &fw_rsdp, &fw_madt, &fw_madt_len, why, sizeof(why)) == 0;
	if (mode == AP_HANDOFF_MAILBOX && !have_fw) {
		/* No INIT fallback on a machine that may have no INIT. */
		mpk_fail(err, MPK_EXIT_UNAVAILABLE, "--ap-handoff=mailbox: firmware's ACPI "
			 "tables, which the next kernel's MADT is built from, are unknown (%s)%s",
			 why, rq->ap_handoff == AP_HANDOFF_AUTO ? "" : "; on a machine with "
			 "INIT/SIPI, --ap-handoff=init hands over firmware's own tables");
		goto out;
	}
	plan->next_rsdp = fw_rsdp;
	p->orig_rsdp = plan->next_rsdp;
	if (!have_fw && sv->madt && madt_find_wakeup(sv->madt, sv->madt_len, &running_wakeup)) {
		/* This kernel's MADT has a wakeup mailbox (an earlier mpkexec?) and
		 * firmware's is unknown: handing it over with the APs in INIT
		 * would hang the next kernel waiting on the mailbox. */
		mpk_fail(err, MPK_EXIT_UNAVAILABLE,
			 "MADT: this kernel's MADT has a wakeup mailbox at %#" PRIx64 " but the "
			 "firmware tables to hand over instead are unknown (%s)",
			 running_wakeup.mailbox, why);
		goto out;
	}
	if (!have_fw && !sv->madt) {
		snprintf(plan->ap_desc, sizeof(plan->ap_desc),
			 "none: CPUs unknown: cannot read /sys/firmware/acpi/tables/APIC (%s); "
			 "purgatory leaves every AP as it is%s", strerror(sv->madt_errno),
			 sv->madt_errno == EACCES ? " (run as root to see them)" : "");
		rc = 0;
		goto out;
	}
	cpus = malloc(sizeof(*cpus));
	if (!cpus) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	if (madt_parse_cpus(have_fw ? fw_madt : sv->madt, have_fw ? fw_madt_len : sv->madt_len,
			    cpus, err) < 0) {
		free(cpus);
		goto out;
	}
	p->boot_apic_id = sv->have_boot_apic_id ? sv->boot_apic_id : cpus->apic_id[0];
	p->bsp_apic_id = cpus->apic_id[0]; /* firmware lists its BSP first */
	p->nr_aps = cpus->n;
	p->tsc_khz = sv->tsc_khz;
	for (unsigned i = 0; i < cpus->n; i++)
		p->aps[i].apic_id = cpus->apic_id[i];
	if (have_fw) {
		/* Passed on, so every later generation builds from firmware's tables. */
		plan->acpi_snapshot_len = acpi_snapshot_size(fw_madt_len);
		plan->acpi_snapshot = malloc(plan->acpi_snapshot_len);
		if (!plan->acpi_snapshot) {
			free(cpus);
			mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
			goto out;
		}
		acpi_snapshot_write(plan->acpi_snapshot, fw_rsdp, fw_madt, fw_madt_len);
		plan_own(plan, plan->acpi_snapshot);
	}
	census = malloc(sizeof(*census));
	if (!census) {
		free(cpus);
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	ap_census_take(sv, fw_madt, fw_madt_len, cpus, p->boot_apic_id, census);
	if (mode == AP_HANDOFF_MAILBOX) {
		rc = ap_mailbox_plan(census, &sv->acpi_tables, fw_madt, fw_madt_len, cpus, rq->park_addr,
				     rq->mailbox_version, pl, plan, err);
		free(cpus);
		if (rc == 0 && *mode_why)
			prepend(plan->ap_desc, sizeof(plan->ap_desc), mode_why);
		goto out;
	}
	/* A bad --park-addr is refused even where parking falls back to init. */
	if (mode == AP_HANDOFF_PARK && rq->park_addr &&
	    handoff_region_check(rq->park_addr, err) < 0) {
		free(cpus);
		goto out;
	}
	if (mode == AP_HANDOFF_PARK && have_fw)
		park_rc = plan_park(&sv->acpi_tables, fw_madt, fw_madt_len, cpus,
				    rq->mailbox_version, rq->park_addr, rq->crash, pl, plan, why,
				    sizeof(why), err);
	if (park_rc == -2) {
		free(cpus);
		goto out;
	}
	if (park_rc == 0) {
		snprintf(plan->ap_desc, sizeof(plan->ap_desc),
			 "park: purgatory gathers every AP with INIT-SIPI-SIPI into the park "
			 "region at %#" PRIx64 "; the next kernel wakes them through the MADT "
			 "mailbox (version %u, ResetVector %#" PRIx64 ")", plan->park_base,
			 rq->mailbox_version, park_reset_vector(plan->park_base));
		if (rq->crash) {
			plan_text_append(plan->ap_desc, sizeof(plan->ap_desc), "; a capture "
					 "kernel: purgatory runs on the crashing CPU, copies the "
					 "trampoline from %#" PRIx64 " to %#" PRIx64 " first, and "
					 "never INITs firmware's BSP (APIC ID %u): unless the crash "
					 "is on it, it is left out (disabled in the MADT of a payload "
					 "before Linux 6.9; a later one refuses it itself)",
					 p->trampoline_src, p->trampoline, p->bsp_apic_id);
			describe_crash_cpus(plan, census, p->bsp_apic_id);
		} else {
			describe_cpus(plan, census, "park", "INIT-SIPI-SIPI -> park region -> "
				      "mailbox wakeup (disabled in the MADT if it does not "
				      "arrive)");
		}
		plan->next_rsdp = plan->acpi.rsdp_addr;
	} else {
		p->flags |= MPK_PF_INIT_APS;
		plan->next_rsdp = p->orig_rsdp;
		if (mode == AP_HANDOFF_PARK) {
			snprintf(plan->ap_desc, sizeof(plan->ap_desc),
				 "init (parking impossible: %.480s): purgatory sends INIT to every "
				 "AP; the next kernel starts them with INIT/SIPI", why);
			snprintf(plan->warning, sizeof(plan->warning),
				 "parking impossible (%.480s); falling back to --ap-handoff=init",
				 why);
		} else {
			snprintf(plan->ap_desc, sizeof(plan->ap_desc),
				 "init: purgatory sends INIT to every AP; the next kernel "
				 "starts them with INIT/SIPI (firmware's ACPI tables)");
		}
		describe_cpus(plan, census, "init", "INIT");
	}
	free(cpus);
	if (*mode_why)
		prepend(plan->ap_desc, sizeof(plan->ap_desc), mode_why);
	rc = 0;
out:
	if (rc == 0)
		describe_tables(plan, sv, fw_rsdp, plan->acpi.buf != NULL, why);
	free(census);
	free(fw_madt);
	return rc;
}
