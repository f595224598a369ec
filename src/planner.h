/* SPDX-License-Identifier: GPL-2.0-only */
/* The segment planner: finds physical destinations for segments inside
 * System RAM, never overlapping each other or ranges the caller marks as
 * off-limits.  Pure: no syscalls, same inputs give the same answer. */
#ifndef MPKEXEC_PLANNER_H
#define MPKEXEC_PLANNER_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "memmap.h"

#define PLANNER_MAX_TAKEN 256
#define PAGE_SIZE_4K      4096ull

struct placement_req {
	const char *what;   /* for error messages: "initrd", ... */
	uint64_t size;      /* bytes; rounded up to whole pages */
	uint64_t align;     /* power of two, at least 4 KiB */
	uint64_t min;       /* the whole range must lie in [min, max) */
	uint64_t max;
	bool top_down;      /* highest fitting address instead of lowest */
};

struct planner {
	const struct memmap *map;
	struct mem_range taken[PLANNER_MAX_TAKEN];
	unsigned ntaken;
};

void planner_init(struct planner *p, const struct memmap *map);
/* Marks [start, end) as unusable (e.g. the running kernel's image). */
int planner_avoid(struct planner *p, uint64_t start, uint64_t end,
		  struct mpk_error *err);
/* Places one segment and marks it taken. */
int planner_place(struct planner *p, const struct placement_req *req,
		  uint64_t *addr, struct mpk_error *err);
/* Total bytes of RAM in [min, max). */
uint64_t planner_ram_in(const struct planner *p, uint64_t min, uint64_t max);

static inline uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static inline uint64_t align_down(uint64_t v, uint64_t a)
{
	return v & ~(a - 1);
}

#endif
