/* The x86_64 bzImage loader: from a load request and the running system,
 * a complete load plan (segments, boot_params, relocated purgatory). */
#ifndef MPKEXEC_BZIMAGE_LOAD_H
#define MPKEXEC_BZIMAGE_LOAD_H

#include "error.h"
#include "plan.h"
#include "sysview.h"

/* Pure apart from reading `purgatory_elf`: no syscalls. */
int bzimage_plan(const struct sysview *sv, const struct load_request *rq,
		 const uint8_t *purgatory_elf, size_t purgatory_len,
		 struct load_plan *plan, struct mpk_error *err);

#endif
