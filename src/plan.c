/* SPDX-License-Identifier: GPL-2.0-only */
#include "plan.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct segment *plan_add_segment(struct load_plan *plan, const char *what,
				 const uint8_t *buf, uint64_t bufsz, uint64_t mem,
				 uint64_t memsz, bool digest, const char *detail, ...)
{
	struct segment *s;
	va_list ap;

	/* kexec_load takes KEXEC_SEGMENT_MAX: the rest is counted, and
	 * plan_check_limits refuses the plan. */
	if (plan->nseg == KEXEC_SEGMENT_MAX) {
		plan->nseg_dropped++;
		return NULL;
	}
	s = &plan->seg[plan->nseg++];

	*s = (struct segment){ .what = what, .buf = buf, .bufsz = bufsz, .mem = mem,
			       .memsz = (memsz + 4095) & ~(uint64_t)4095, .digest = digest };
	va_start(ap, detail);
	vsnprintf(s->detail, sizeof(s->detail), detail, ap);
	va_end(ap);
	return s;
}

void plan_text_append(char *buf, size_t size, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;

	if (off + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + off, size - off, fmt, ap);
	va_end(ap);
}

void plan_own(struct load_plan *plan, void *p)
{
	plan->owned[plan->nowned++] = p;
}

void load_plan_free(struct load_plan *plan)
{
	for (unsigned i = 0; i < plan->nowned; i++)
		free(plan->owned[i]);
	arch_plan_free(plan);
	purgatory_close(&plan->purgatory);
	memmap_free(&plan->handed_map);
	memset(plan, 0, sizeof(*plan));
}

int plan_check_limits(const struct load_plan *plan, uint64_t total_ram,
		      struct mpk_error *err)
{
	uint64_t sum = 0, half = total_ram / 2;

	if (plan->nseg_dropped)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "%u segments: kexec_load takes at most "
				"%u (payload, modules, information structure, purgatory and the AP "
				"handoff's own); give fewer modules or an image with fewer "
				"PT_LOAD headers", plan->nseg + plan->nseg_dropped,
				KEXEC_SEGMENT_MAX);

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
