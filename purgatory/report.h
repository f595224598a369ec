/* SPDX-License-Identifier: GPL-2.0-only */
/* The handoff report purgatory writes for the next system (struct
 * mpk_handoff_report in the boot_params segment).  Plain memory only. */
#ifndef PURGATORY_REPORT_H
#define PURGATORY_REPORT_H

#include <stdint.h>

#include "mpkexec/handoff-report.h"
#include "mpkexec/purgatory-params.h"

/* Zeroes and heads the report; called only after the boot_params segment
 * (which holds it) passed its digest check. */
struct mpk_handoff_report *report_begin(const struct mpk_purgatory_params *p,
					uint64_t tsc_entry);

#endif
