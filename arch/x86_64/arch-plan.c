/* SPDX-License-Identifier: GPL-2.0-only */
#include "arch-plan.h"

#include <stdlib.h>

#include "arch-options.h"
#include "plan.h"

void arch_plan_free(struct load_plan *plan)
{
	acpi_handoff_free(&plan->acpi);
	free(plan->setup_buf);
}

void arch_request_set(struct load_request *rq, const struct arch_options *ao)
{
	rq->ap_handoff = (enum ap_handoff)ao->ap_handoff;
	rq->park_addr = ao->park_addr;
	rq->mailbox_version = ao->mailbox_version;
	rq->entry_32bit = ao->entry_32bit;
}
