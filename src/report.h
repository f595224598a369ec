/* SPDX-License-Identifier: GPL-2.0-only */
/* What mpkexec tells people and scripts: the load plan (--plan, -d, and
 * the AP account of -l), --status and --last-handoff, as text or as JSON
 * (--json; schemas in docs/json.md). */
#ifndef MPKEXEC_REPORT_H
#define MPKEXEC_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "handoff-account.h"
#include "plan.h"

/* The JSON schema names; the number changes when a field changes meaning
 * or disappears (docs/json.md). */
#define REPORT_SCHEMA_PLAN          "mpkexec-plan/1"
#define REPORT_SCHEMA_STATUS        "mpkexec-status/1"
#define REPORT_SCHEMA_LAST_HANDOFF  "mpkexec-last-handoff/1"

void report_plan(FILE *out, const struct load_plan *plan, const char *image_path,
		 const char *cmdline, bool loaded);
void report_plan_json(FILE *out, const struct load_plan *plan, const char *image_path,
		      const char *cmdline);
/* "<prefix>AP handoff: <summary>", then one line per CPU, then the tally. */
void report_ap_handoff(FILE *out, const char *prefix, const struct load_plan *plan);
/* Reads /sys/kernel/kexec_* and friends under root. */
void report_status(FILE *out, const char *root, bool json);
/* --last-handoff: the purgatory report in this kernel's setup_data, and
 * the park region's live status table (MPKP) under root. */
int report_last_handoff(FILE *out, const char *root, bool json, struct mpk_error *err);
/* The rendering part of report_last_handoff, pure: `park` is the MPKP
 * table's bytes (NULL: unreadable, `park_why` says why). */
void report_handoff(FILE *out, const struct handoff_account *a, const uint8_t *park,
		    size_t park_len, const char *park_why, bool json);

#endif
