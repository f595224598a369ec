/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86_64 part of a load request and of a load plan (src/plan.h embeds
 * both as anonymous members, so the architecture's code names the fields
 * directly: rq->ap_handoff, plan->params).  The portable loader treats
 * them as opaque; arch_plan_free releases what they own. */
#ifndef MPKEXEC_ARCH_PLAN_H
#define MPKEXEC_ARCH_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"
#include "mpkexec/purgatory-params.h"

/* CPUs a plan accounts for (purgatory's limit) */
#define ARCH_MAX_CPUS MPK_MAX_APS

enum ap_handoff {
	AP_HANDOFF_AUTO,     /* mailbox on TDX or where CPUs start through one, else park */
	AP_HANDOFF_PARK,     /* APs gathered into a park region, MADT mailbox */
	AP_HANDOFF_INIT,     /* classic: APs into INIT, payload uses INIT/SIPI */
	AP_HANDOFF_MAILBOX,  /* mailboxes only: no INIT/SIPI ever (TDX) */
};

/* struct load_request's (from arch-options.h's struct arch_options) */
#define ARCH_REQUEST_FIELDS struct { \
	enum ap_handoff ap_handoff; \
	uint64_t park_addr;          /* --park-addr, 0: let the planner choose */ \
	unsigned mailbox_version;    /* --mailbox-version: 0 or 1 */ \
	bool entry_32bit;            /* --entry-32bit */ \
};

/* struct load_plan's: purgatory's parameter block and the AP handoff's
 * segments. */
#define ARCH_PLAN_FIELDS struct { \
	struct mpk_purgatory_params params; \
	uint8_t *setup_buf;          /* boot_params + command line + report */ \
	uint64_t next_rsdp;          /* RSDP the payload gets */ \
	uint64_t trampoline;         /* SIPI trampoline page (park mode) */ \
	uint64_t park_base;          /* park region (park mode), else 0 */ \
	struct acpi_handoff acpi;    /* new RSDP/XSDT/RSDT/MADT (park mode) */ \
	uint8_t *acpi_snapshot;      /* firmware tables for the next loader (owned) */ \
	size_t acpi_snapshot_len; \
};

struct load_plan;
struct load_request;
struct arch_options;
/* Frees what ARCH_PLAN_FIELDS own (load_plan_free calls it). */
void arch_plan_free(struct load_plan *plan);
/* ARCH_REQUEST_FIELDS from the options (arch-options.h). */
void arch_request_set(struct load_request *rq, const struct arch_options *ao);

#endif
