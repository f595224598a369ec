/* SPDX-License-Identifier: GPL-2.0-only */
#include "planner.h"

#include <inttypes.h>
#include <stdlib.h>

#include "mpkexec/bootparam.h"

void planner_init(struct planner *p, const struct memmap *map)
{
	p->map = map;
	p->ntaken = 0;
}

static int taken_cmp(const void *a, const void *b)
{
	const struct mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int planner_avoid(struct planner *p, uint64_t start, uint64_t end,
		  struct mpk_error *err)
{
	if (end <= start)
		return 0;
	if (p->ntaken == PLANNER_MAX_TAKEN)
		return mpk_fail(err, MPK_EXIT_INTERNAL,
				"planner: more than %d reserved ranges", PLANNER_MAX_TAKEN);
	p->taken[p->ntaken++] = (struct mem_range){ start, end, 0 };
	qsort(p->taken, p->ntaken, sizeof(p->taken[0]), taken_cmp);
	return 0;
}

/* Calls fn for each free piece of [lo, hi): the complement of the sorted
 * `blocked` list.  Blocked ranges may overlap each other. */
static void for_each_free(const struct mem_range *blocked, size_t n, uint64_t lo, uint64_t hi,
			  void (*fn)(uint64_t a, uint64_t b, void *ctx), void *ctx)
{
	uint64_t cur = lo;

	for (size_t i = 0; i < n && cur < hi; i++) {
		const struct mem_range *t = &blocked[i];

		if (t->end <= cur)
			continue;
		if (t->start >= hi)
			break;
		if (t->start > cur)
			fn(cur, t->start, ctx);
		if (t->end > cur)
			cur = t->end;
	}
	if (cur < hi)
		fn(cur, hi, ctx);
}

struct fit {
	const struct placement_req *req;
	uint64_t size;
	bool found;
	uint64_t best;
};

static void try_fit(uint64_t a, uint64_t b, void *ctx)
{
	struct fit *f = ctx;
	uint64_t pos;

	if (b - a < f->size)
		return;
	if (f->req->top_down) {
		pos = align_down(b - f->size, f->req->align);
		if (pos < a)
			return;
		if (!f->found || pos > f->best)
			f->best = pos;
	} else {
		pos = align_up(a, f->req->align);
		if (pos < a || pos > b - f->size)
			return;
		if (!f->found || pos < f->best)
			f->best = pos;
	}
	f->found = true;
}

int planner_place(struct planner *p, const struct placement_req *req,
		  uint64_t *addr, struct mpk_error *err)
{
	struct fit f = { .req = req, .size = align_up(req->size, PAGE_SIZE_4K) };
	struct mem_range *blocked;
	size_t nblocked = 0;

	if (req->size == 0 || req->align < PAGE_SIZE_4K || (req->align & (req->align - 1)) ||
	    f.size < req->size)
		return mpk_fail(err, MPK_EXIT_INTERNAL,
				"planner: bad request for %s (size %#" PRIx64 ", align %#" PRIx64 ")",
				req->what, req->size, req->align);
	/* Off-limits: the taken ranges, and every range of the map that is not
	 * RAM, since a firmware map may list RAM that overlaps a reserved (or
	 * ACPI, ...) range; the stricter type wins. */
	blocked = malloc((p->ntaken + p->map->n + 1) * sizeof(*blocked));
	if (!blocked)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	for (unsigned i = 0; i < p->ntaken; i++)
		blocked[nblocked++] = p->taken[i];
	for (size_t i = 0; i < p->map->n; i++)
		if (p->map->r[i].type != E820_RAM)
			blocked[nblocked++] = p->map->r[i];
	qsort(blocked, nblocked, sizeof(*blocked), taken_cmp);
	for (size_t i = 0; i < p->map->n; i++) {
		const struct mem_range *r = &p->map->r[i];
		uint64_t lo = r->start > req->min ? r->start : req->min;
		uint64_t hi = r->end < req->max ? r->end : req->max;

		if (r->type != E820_RAM || lo >= hi)
			continue;
		for_each_free(blocked, nblocked, lo, hi, try_fit, &f);
	}
	free(blocked);
	if (!f.found)
		return mpk_fail(err, MPK_EXIT_NOSPACE,
				"%s does not fit: no free, %#" PRIx64 "-aligned System RAM range of "
				"%" PRIu64 " KiB in [%#" PRIx64 ", %#" PRIx64 ")",
				req->what, req->align, f.size >> 10, req->min, req->max);
	*addr = f.best;
	return planner_avoid(p, f.best, f.best + f.size, err);
}

uint64_t planner_ram_in(const struct planner *p, uint64_t min, uint64_t max)
{
	uint64_t total = 0;

	for (size_t i = 0; i < p->map->n; i++) {
		const struct mem_range *r = &p->map->r[i];
		uint64_t lo = r->start > min ? r->start : min;
		uint64_t hi = r->end < max ? r->end : max;

		if (r->type == E820_RAM && lo < hi)
			total += hi - lo;
	}
	return total;
}
