/* SPDX-License-Identifier: GPL-2.0-only */
/* The physical memory map: what the running system says is RAM, ACPI, ...
 * Ranges are [start, end) with e820 types (include/mpkexec/bootparam.h). */
#ifndef MPKEXEC_MEMMAP_H
#define MPKEXEC_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct mem_range {
	uint64_t start;
	uint64_t end;      /* exclusive */
	uint32_t type;     /* enum e820_type */
};

struct memmap {
	struct mem_range *r;
	size_t n;
};

/* Reads /sys/firmware/memmap/<N>/{start,end,type} under `root` (the map
 * firmware gave this kernel, as kexec-tools uses).  Sorted by start. */
int memmap_read_sysfs(const char *root, struct memmap *map, struct mpk_error *err);

/* Parses the top level of /proc/iomem text; only ranges of known e820
 * types are kept.  Used when /sys/firmware/memmap is missing. */
int memmap_parse_iomem(const char *text, struct memmap *map, struct mpk_error *err);

/* Finds "Kernel code"/"Kernel data"/"Kernel bss" (nested under System RAM)
 * in /proc/iomem text: the running kernel's image.  Returns how many ranges
 * were stored (at most max); 0 when addresses are hidden (non-root). */
size_t iomem_find_kernel(const char *text, struct mem_range *out, size_t max);

/* The "Crash kernel" ranges (crashkernel=, nested under System RAM; more
 * than one with crashkernel=X,high) in /proc/iomem text.  Returns how many
 * were stored; 0 when there are none or addresses are hidden (non-root). */
size_t iomem_find_crash(const char *text, struct mem_range *out, size_t max);

int memmap_add(struct memmap *map, uint64_t start, uint64_t end, uint32_t type);
void memmap_sort(struct memmap *map);
/* Gives [start, end) the type `type`, splitting the ranges it cuts. */
int memmap_set_type(struct memmap *map, uint64_t start, uint64_t end, uint32_t type);
void memmap_free(struct memmap *map);

/* "System RAM", "ACPI Tables", ... as /sys/firmware/memmap spells them;
 * returns 0 for an unknown name. */
uint32_t e820_type_from_name(const char *name);
const char *e820_type_name(uint32_t type);

#endif
