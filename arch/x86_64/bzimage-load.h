/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86_64 bzImage loader: from a load request and the running system,
 * a complete load plan (segments, boot_params, relocated purgatory). */
#ifndef MPKEXEC_BZIMAGE_LOAD_H
#define MPKEXEC_BZIMAGE_LOAD_H

#include "acpi.h"
#include "error.h"
#include "plan.h"
#include "sysview.h"

/* No syscalls: the system comes in through `sv` and `mem` (physical
 * memory, for the ACPI tables; NULL if unreadable). */
int bzimage_plan(const struct sysview *sv, const struct load_request *rq,
		 const uint8_t *purgatory_elf, size_t purgatory_len,
		 struct load_plan *plan, struct mpk_error *err);

#endif
