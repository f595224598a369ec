/* Human-readable output: the load plan (--plan, -d) and --status. */
#ifndef MPKEXEC_REPORT_H
#define MPKEXEC_REPORT_H

#include <stdio.h>

#include "plan.h"

void report_plan(FILE *out, const struct load_plan *plan, const char *image_path,
		 const char *cmdline, bool loaded);
/* Reads /sys/kernel/kexec_* and friends under root. */
void report_status(FILE *out, const char *root);
/* --last-handoff: the purgatory report in this kernel's setup_data. */
int report_last_handoff(FILE *out, const char *root, struct mpk_error *err);

#endif
