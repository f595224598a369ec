#include "ap-handoff.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "madt.h"
#include "mpkexec/bootparam.h"
#include "park-region.h"

#define SZ_1M                 (1ull << 20)
#define SZ_4G                 (1ull << 32)
#define GATHER_TIMEOUT_MS     1000u
#define PARK_MAILBOX_VERSION  1u

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

static void describe_cpus(struct load_plan *plan, const struct madt_cpus *cpus,
			  uint32_t boot_id, const char *how)
{
	size_t off = strlen(plan->ap_desc);

	off += (size_t)snprintf(plan->ap_desc + off, sizeof(plan->ap_desc) - off,
				"\n  boot CPU: APIC ID %u (runs purgatory; never INIT)", boot_id);
	for (unsigned i = 0; i < cpus->n && off < sizeof(plan->ap_desc); i++)
		if (cpus->apic_id[i] != boot_id)
			off += (size_t)snprintf(plan->ap_desc + off, sizeof(plan->ap_desc) - off,
						"\n  AP APIC ID %u: %s", cpus->apic_id[i], how);
}

/* The firmware's root tables and MADT: from the snapshot an earlier mpkexec
 * handed this kernel, else read through /dev/mem (plus the sysfs MADT, which
 * is firmware's when firmware booted this kernel).  -1 with `why` if neither. */
static int firmware_tables(const struct sysview *sv, const struct physmem *mem,
			   struct acpi_root *root, uint8_t **madt, size_t *madt_len,
			   char *why, size_t whylen)
{
	struct mpk_error err;

	*madt = NULL;
	if (sv->acpi_snapshot) {
		if (acpi_snapshot_read(sv->acpi_snapshot, sv->acpi_snapshot_len, root, madt,
				       madt_len, &err) == 0)
			return 0;
		snprintf(why, whylen, "%.480s", err.msg);
		return -1;
	}
	if (!sv->rsdp) {
		snprintf(why, whylen, "the ACPI RSDP is unknown%s",
			 sv->have_boot_params ? "" : " (/sys/kernel/boot_params/data unreadable)");
		return -1;
	}
	if (!mem) {
		snprintf(why, whylen, "cannot read the ACPI tables through /dev/mem (%s)",
			 strerror(sv->physmem_errno));
		return -1;
	}
	if (!sv->madt) {
		snprintf(why, whylen, "cannot read /sys/firmware/acpi/tables/APIC (%s)",
			 strerror(sv->madt_errno));
		return -1;
	}
	if (acpi_read_root(mem, sv->rsdp, root, &err) < 0) {
		snprintf(why, whylen, "%.480s", err.msg);
		return -1;
	}
	*madt = malloc(sv->madt_len);
	if (!*madt) {
		acpi_root_free(root);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	memcpy(*madt, sv->madt, sv->madt_len);
	*madt_len = sv->madt_len;
	return 0;
}

/* Everything park mode needs; returns -1 with `why` filled if it cannot. */
static int plan_park(const struct acpi_root *root, const uint8_t *fw_madt, size_t fw_madt_len,
		     const struct madt_cpus *cpus, struct planner *pl,
		     struct load_plan *plan, char *why, size_t whylen)
{
	struct mpk_purgatory_params *p = &plan->params;
	struct mpk_error err;
	uint8_t *madt = NULL, *park = NULL, *tramp = NULL;
	size_t madt_len;
	uint64_t park_base, acpi_base;
	uint32_t flags_off[MPK_MAX_APS];
	struct acpi_handoff acpi;

	if (!plan->trampoline) {
		snprintf(why, whylen, "no free RAM page below 1 MiB for the SIPI trampoline");
		return -1;
	}
	if (planner_place(pl, &(struct placement_req){ .what = "park region",
			  .size = PARK_REGION_SIZE, .align = 4096, .min = SZ_1M, .max = SZ_4G,
			  .top_down = true }, &park_base, &err) < 0)
		goto fail_err;
	if (madt_with_wakeup(fw_madt, fw_madt_len, park_base, park_reset_vector(park_base),
			     PARK_MAILBOX_VERSION, &madt, &madt_len, flags_off, &err) < 0)
		goto fail_err;
	/* The size of the new tables does not depend on where they go. */
	if (acpi_build_handoff(root, madt, madt_len, park_base + PARK_STATUS_OFF, 0, &acpi,
			       &err) < 0)
		goto fail_err;
	acpi_handoff_free(&acpi);
	if (planner_place(pl, &(struct placement_req){ .what = "ACPI tables",
			  .size = acpi.len ? acpi.len : 4096, .align = 4096, .min = SZ_1M,
			  .max = SZ_4G, .top_down = true }, &acpi_base, &err) < 0)
		goto fail_err;
	if (acpi_build_handoff(root, madt, madt_len, park_base + PARK_STATUS_OFF, acpi_base,
			       &plan->acpi, &err) < 0)
		goto fail_err;
	park = malloc(PARK_REGION_SIZE);
	tramp = malloc(4096);
	if (!park || !tramp) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	park_region_build(park, park_base, park_code_blob, cpus->apic_id, cpus->n,
			  PARK_MAILBOX_VERSION);
	trampoline_build(tramp, plan->trampoline, park_base, trampoline_blob);
	/* NVS and ACPI, never RESERVED (a TDX guest maps reserved ranges shared)
	 * nor RAM: the next kernel keeps them. */
	if (memmap_set_type(&plan->handed_map, park_base, park_base + PARK_REGION_SIZE,
			    E820_NVS) < 0 ||
	    memmap_set_type(&plan->handed_map, acpi_base,
			    acpi_base + ((plan->acpi.len + 4095) & ~(size_t)4095), E820_ACPI) < 0) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	plan_add_segment(plan, "park region", park, PARK_REGION_SIZE, park_base,
			 PARK_REGION_SIZE, true, "mailbox, park code, page tables, MPKP status "
			 "table with %u CPU records (ACPI NVS)", cpus->n);
	plan_add_segment(plan, "ACPI tables", plan->acpi.buf, plan->acpi.len, acpi_base,
			 plan->acpi.len, true, "RSDP, %s%s, MADT with wakeup structure v%u "
			 "(ACPI)", root->xsdt ? "XSDT" : "", root->rsdt ? (root->xsdt ? "+RSDT" : "RSDT")
			 : "", PARK_MAILBOX_VERSION);
	plan_add_segment(plan, "SIPI trampoline", tramp, 4096, plan->trampoline, 4096, true,
			 "real mode -> long mode -> park region (RAM again afterwards)");
	plan_own(plan, park);
	plan_own(plan, tramp);
	plan_own(plan, madt);

	p->flags |= MPK_PF_PARK_APS;
	p->park_base = park_base;
	p->trampoline = plan->trampoline;
	p->madt_addr = plan->acpi.madt_addr;
	p->gather_timeout_ms = GATHER_TIMEOUT_MS;
	for (unsigned i = 0; i < cpus->n; i++)
		p->aps[i].madt_flags_off = flags_off[i];
	plan->next_rsdp = plan->acpi.rsdp_addr;
	plan->park_base = park_base;
	return 0;
fail_err:
	snprintf(why, whylen, "%.480s", err.msg);
fail:
	free(madt);
	free(park);
	free(tramp);
	acpi_handoff_free(&plan->acpi);
	return -1;
}

int ap_handoff_plan(const struct sysview *sv, const struct physmem *mem,
		    enum ap_handoff mode, struct planner *pl, struct load_plan *plan,
		    struct mpk_error *err)
{
	struct mpk_purgatory_params *p = &plan->params;
	struct madt_wakeup running_wakeup;
	struct acpi_root root;
	struct madt_cpus *cpus;
	uint8_t *fw_madt = NULL;
	size_t fw_madt_len = 0;
	char why[512] = "";
	bool have_fw;
	int rc = -1;

	memset(&root, 0, sizeof(root));
	have_fw = firmware_tables(sv, mem, &root, &fw_madt, &fw_madt_len, why, sizeof(why)) == 0;
	plan->next_rsdp = have_fw ? root.rsdp_addr : sv->rsdp;
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
	p->nr_aps = cpus->n;
	p->tsc_khz = sv->tsc_khz;
	for (unsigned i = 0; i < cpus->n; i++)
		p->aps[i].apic_id = cpus->apic_id[i];
	if (have_fw) {
		/* Passed on, so every later generation builds from firmware's tables. */
		plan->acpi_snapshot_len = acpi_snapshot_size(&root, fw_madt_len);
		plan->acpi_snapshot = malloc(plan->acpi_snapshot_len);
		if (!plan->acpi_snapshot) {
			free(cpus);
			mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
			goto out;
		}
		acpi_snapshot_write(plan->acpi_snapshot, &root, fw_madt, fw_madt_len);
		plan_own(plan, plan->acpi_snapshot);
	}
	if (mode == AP_HANDOFF_PARK && have_fw &&
	    plan_park(&root, fw_madt, fw_madt_len, cpus, pl, plan, why, sizeof(why)) == 0) {
		snprintf(plan->ap_desc, sizeof(plan->ap_desc),
			 "park: purgatory gathers every AP with INIT-SIPI-SIPI into the park "
			 "region at %#" PRIx64 "; the next kernel wakes them through the MADT "
			 "mailbox (version %u, ResetVector %#" PRIx64 ")", plan->park_base,
			 PARK_MAILBOX_VERSION, park_reset_vector(plan->park_base));
		describe_cpus(plan, cpus, p->boot_apic_id,
			      "INIT-SIPI-SIPI -> park region -> mailbox wakeup "
			      "(disabled in the MADT if it does not arrive)");
	} else {
		p->flags |= MPK_PF_INIT_APS;
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
		describe_cpus(plan, cpus, p->boot_apic_id, "INIT");
	}
	free(cpus);
	rc = 0;
out:
	free(fw_madt);
	acpi_root_free(&root);
	return rc;
}
