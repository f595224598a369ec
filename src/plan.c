#include "plan.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void load_plan_free(struct load_plan *plan)
{
	purgatory_close(&plan->purgatory);
	memmap_free(&plan->handed_map);
	free(plan->setup_buf);
	memset(plan, 0, sizeof(*plan));
}

int plan_check_limits(const struct load_plan *plan, uint64_t total_ram,
		      struct mpk_error *err)
{
	uint64_t sum = 0, half = total_ram / 2;

	/* kexec_load(2) refuses (EINVAL) any segment, and the whole image,
	 * larger than half of RAM: say which one, before the syscall. */
	for (unsigned i = 0; i < plan->nseg; i++) {
		const struct segment *s = &plan->seg[i];

		if (s->memsz > half)
			return mpk_fail(err, MPK_EXIT_NOSPACE,
					"%s: %" PRIu64 " MiB (%s); the kernel accepts segments of "
					"at most half of System RAM (%" PRIu64 " MiB)", s->what,
					s->memsz >> 20, s->detail, half >> 20);
		sum += s->memsz;
	}
	if (sum > half)
		return mpk_fail(err, MPK_EXIT_NOSPACE,
				"image of %" PRIu64 " MiB in all: the kernel accepts at most half "
				"of System RAM (%" PRIu64 " MiB); use a smaller initrd", sum >> 20,
				half >> 20);
	return 0;
}
