#include "plan.h"

#include <stdlib.h>
#include <string.h>

void load_plan_free(struct load_plan *plan)
{
	purgatory_close(&plan->purgatory);
	memmap_free(&plan->handed_map);
	free(plan->setup_buf);
	memset(plan, 0, sizeof(*plan));
}
