/* SPDX-License-Identifier: GPL-2.0-only */
#include "memmap.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "mpkexec/bootparam.h"

static const struct {
	uint32_t type;
	const char *name;
} type_names[] = {
	{ E820_RAM, "System RAM" },
	{ E820_RESERVED, "Reserved" },
	{ E820_ACPI, "ACPI Tables" },
	{ E820_NVS, "ACPI Non-volatile Storage" },
	{ E820_UNUSABLE, "Unusable memory" },
	{ E820_PMEM, "Persistent Memory" },
	{ E820_PRAM, "Persistent Memory (legacy)" },
	{ E820_SOFT_RESERVED, "Soft Reserved" },
};

uint32_t e820_type_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(name, type_names[i].name) == 0)
			return type_names[i].type;
	/* Linux prints "reserved" in /proc/iomem and "Reserved" in memmap. */
	if (strcmp(name, "reserved") == 0)
		return E820_RESERVED;
	return 0;
}

const char *e820_type_name(uint32_t type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "unknown";
}

int memmap_add(struct memmap *map, uint64_t start, uint64_t end, uint32_t type)
{
	struct mem_range *r = realloc(map->r, (map->n + 1) * sizeof(*r));

	if (!r)
		return -1;
	map->r = r;
	map->r[map->n++] = (struct mem_range){ start, end, type };
	return 0;
}

static int range_cmp(const void *a, const void *b)
{
	const struct mem_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void memmap_sort(struct memmap *map)
{
	if (map->n)
		qsort(map->r, map->n, sizeof(*map->r), range_cmp);
}

void memmap_free(struct memmap *map)
{
	free(map->r);
	map->r = NULL;
	map->n = 0;
}

/* -1 with errno: unreadable; -2: not one number (empty, garbage, too big). */
static int read_u64_file(const char *path, uint64_t *v)
{
	char buf[64], *end;

	if (file_read_text(path, buf, sizeof(buf)) < 0)
		return -1;
	if (buf[0] < '0' || buf[0] > '9')   /* strtoull takes "-1" and " 1" */
		return -2;
	errno = 0;
	*v = strtoull(buf, &end, 0);
	return (errno || *end) ? -2 : 0;
}

int memmap_read_sysfs(const char *root, struct memmap *map, struct mpk_error *err)
{
	char path[PATH_MAX], name[64];

	map->r = NULL;
	map->n = 0;
	for (unsigned i = 0;; i++) {
		uint64_t start, end;
		uint32_t type;
		int rc;

		snprintf(path, sizeof(path), "%s/sys/firmware/memmap/%u/start", root, i);
		rc = read_u64_file(path, &start);
		if (rc == -1 && errno == ENOENT && i > 0)
			break;
		if (rc == -1) {
			memmap_free(map);
			return mpk_fail(err, MPK_EXIT_NOINPUT,
					"memory map: cannot read %s: %s; mpkexec needs the "
					"firmware memory map (CONFIG_FIRMWARE_MEMMAP)",
					path, strerror(errno));
		}
		if (rc < 0) {
			memmap_free(map);
			return mpk_fail(err, MPK_EXIT_BADINPUT, "memory map: bad %s (not an "
					"address); mpkexec plans from the firmware memory map and "
					"does not fall back to /proc/iomem when it is malformed", path);
		}
		snprintf(path, sizeof(path), "%s/sys/firmware/memmap/%u/end", root, i);
		if (read_u64_file(path, &end) != 0 || end < start) {
			memmap_free(map);
			return mpk_fail(err, MPK_EXIT_BADINPUT, "memory map: bad %s (not an address "
					"at or above its start); mpkexec plans from the firmware "
					"memory map and does not fall back to /proc/iomem when it is "
					"malformed", path);
		}
		snprintf(path, sizeof(path), "%s/sys/firmware/memmap/%u/type", root, i);
		if (file_read_text(path, name, sizeof(name)) <= 0) {
			memmap_free(map);
			return mpk_fail(err, MPK_EXIT_BADINPUT, "memory map: cannot read %s", path);
		}
		type = e820_type_from_name(name);
		if (!type)
			type = E820_RESERVED; /* unknown kinds are never handed out as RAM */
		if (end == UINT64_MAX)
			end--; /* keep [start, end) representable */
		if (start > end)
			continue; /* only the byte at 2^64 - 1 */
		if (memmap_add(map, start, end + 1, type) < 0) {
			memmap_free(map);
			return mpk_fail(err, MPK_EXIT_INTERNAL, "memory map: out of memory");
		}
	}
	memmap_sort(map);
	return 0;
}

/* One /proc/iomem line: "<indent>start-end : name". */
static int iomem_line(const char *line, unsigned *depth, uint64_t *start,
		      uint64_t *end, const char **name)
{
	const char *p = line;
	char *q;

	*depth = 0;
	while (*p == ' ') {
		p++;
		(*depth)++;
	}
	*depth /= 2;
	/* hex digits only: strtoull also takes a sign ("-1" is 2^64 - 1) and
	 * leading blanks */
	if (!isxdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*start = strtoull(p, &q, 16);
	if (errno || *q != '-' || !isxdigit((unsigned char)q[1]))
		return -1;
	*end = strtoull(q + 1, &q, 16);
	if (errno || strncmp(q, " : ", 3) != 0 || *end < *start)
		return -1;
	*name = q + 3;
	return 0;
}

int memmap_parse_iomem(const char *text, struct memmap *map, struct mpk_error *err)
{
	char line[256];

	map->r = NULL;
	map->n = 0;
	while (*text) {
		size_t len = strcspn(text, "\n");
		uint64_t start, end;
		const char *name;
		unsigned depth;
		uint32_t type;

		snprintf(line, sizeof(line), "%.*s", (int)len, text);
		text += len + (text[len] == '\n');
		if (iomem_line(line, &depth, &start, &end, &name) < 0 || depth != 0)
			continue;
		if (end == 0) {
			memmap_free(map);
			return mpk_fail(err, MPK_EXIT_NOPERM,
					"memory map: /proc/iomem shows no addresses to this user "
					"(run as root)");
		}
		type = e820_type_from_name(name);
		if (!type)
			continue;
		if (end == UINT64_MAX)
			end--; /* keep [start, end) representable: end + 1 would be 0 */
		if (start > end)
			continue; /* only the byte at 2^64 - 1: nothing to plan with */
		if (memmap_add(map, start, end + 1, type) < 0) {
			memmap_free(map);
			return mpk_fail(err, MPK_EXIT_INTERNAL, "memory map: out of memory");
		}
	}
	memmap_sort(map);
	return 0;
}

/* The ranges of /proc/iomem named `name` (or, with `prefix`, whose name
 * starts with it), at any depth, as [start, end + 1).  A range ending at
 * 2^64 - 1 is kept (ending there) only if `top_ok`. */
static size_t iomem_find(const char *text, const char *name, bool prefix, bool top_ok,
			 struct mem_range *out, size_t max)
{
	size_t nlen = strlen(name), n = 0;
	char line[256];

	while (*text && n < max) {
		size_t len = strcspn(text, "\n");
		uint64_t start, end;
		const char *what;
		unsigned depth;

		snprintf(line, sizeof(line), "%.*s", (int)len, text);
		text += len + (text[len] == '\n');
		if (iomem_line(line, &depth, &start, &end, &what) < 0)
			continue;
		if ((prefix ? strncmp(what, name, nlen) : strcmp(what, name)) != 0 || end == 0 ||
		    (end == UINT64_MAX && (!top_ok || start == UINT64_MAX)))
			continue; /* (a range that is only the byte at 2^64 - 1 is empty here) */
		out[n++] = (struct mem_range){ start, end == UINT64_MAX ? end : end + 1, E820_RAM };
	}
	return n;
}

size_t iomem_find_kernel(const char *text, struct mem_range *out, size_t max)
{
	return iomem_find(text, "Kernel ", true, true, out, max);
}

size_t iomem_find_crash(const char *text, struct mem_range *out, size_t max)
{
	return iomem_find(text, "Crash kernel", false, false, out, max);
}

int memmap_set_type(struct memmap *map, uint64_t start, uint64_t end, uint32_t type)
{
	struct memmap out = { NULL, 0 };

	/* Rebuild: every range split around [start, end), which takes `type`. */
	for (size_t i = 0; i < map->n; i++) {
		const struct mem_range *r = &map->r[i];

		if (r->end <= start || r->start >= end) {
			if (memmap_add(&out, r->start, r->end, r->type) < 0)
				goto oom;
			continue;
		}
		if (r->start < start && memmap_add(&out, r->start, start, r->type) < 0)
			goto oom;
		if (r->end > end && memmap_add(&out, end, r->end, r->type) < 0)
			goto oom;
	}
	if (memmap_add(&out, start, end, type) < 0)
		goto oom;
	memmap_sort(&out);
	memmap_free(map);
	*map = out;
	return 0;
oom:
	memmap_free(&out);
	return -1;
}
