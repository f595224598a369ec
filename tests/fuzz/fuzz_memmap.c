/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: the memory map readers.  /proc/iomem text
 * (memmap_parse_iomem, iomem_find_kernel), memmap_set_type on what it gave,
 * and /sys/firmware/memmap (memmap_read_sysfs, which reads files: the
 * harness writes them into a tree under /dev/shm each run).
 *
 * Input: /proc/iomem text, then optionally a NUL byte and the sysfs
 * entries: lines taken three at a time as the contents of N/start, N/end
 * and N/type for N = 0, 1, ...
 * Invariants that abort(): every range returned is non-empty ([start, end)
 * with start < end), of a known type, and the map is sorted; the sysfs
 * reader returns one range per entry written or fails; after
 * memmap_set_type the range given has the type asked, nothing else
 * overlaps it, and every byte outside it keeps its range. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memmap.h"
#include "mpkexec/bootparam.h"

#define MAX_ENTRIES 16

static void check_map(const struct memmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->r[i].start >= m->r[i].end || !strcmp(e820_type_name(m->r[i].type), "unknown"))
			abort();
		if (i && m->r[i - 1].start > m->r[i].start)
			abort();
	}
}

/* Bytes of `m` in [lo, hi), counted per range (overlaps count twice). */
static uint64_t bytes_in(const struct memmap *m, uint64_t lo, uint64_t hi)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->n; i++) {
		uint64_t s = m->r[i].start > lo ? m->r[i].start : lo;
		uint64_t e = m->r[i].end < hi ? m->r[i].end : hi;

		if (s < e)
			sum += e - s;
	}
	return sum;
}

static void check_set_type(struct memmap *m)
{
	struct memmap before = { 0 };
	uint64_t s, e;
	unsigned found = 0;

	if (!m->n)
		return;
	s = m->r[0].start + (m->r[0].end - m->r[0].start) / 2;
	e = m->r[m->n - 1].end;
	if (s >= e)
		return;
	for (size_t i = 0; i < m->n; i++)
		if (memmap_add(&before, m->r[i].start, m->r[i].end, m->r[i].type) < 0)
			abort();
	if (memmap_set_type(m, s, e, E820_NVS) < 0)
		abort();
	check_map(m);
	for (size_t i = 0; i < m->n; i++) {
		if (m->r[i].start == s && m->r[i].end == e && m->r[i].type == E820_NVS && !found) {
			found++;
			continue;
		}
		if (m->r[i].start < e && s < m->r[i].end)
			abort();
	}
	if (!found || bytes_in(m, 0, s) != bytes_in(&before, 0, s) ||
	    bytes_in(m, e, UINT64_MAX) != bytes_in(&before, e, UINT64_MAX))
		abort();
	memmap_free(&before);
}

static char root[64];

static void put(const char *rel, const char *text, size_t len)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		abort();
}

/* The tree's directories, at exit (the entries are removed after each run). */
static void remove_tree(void)
{
	static const char *const dirs[] = { "/sys/firmware/memmap", "/sys/firmware", "/sys", "" };
	char path[160];

	for (unsigned i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i]);
		rmdir(path);
	}
}

/* Writes the entries, reads them back, removes them. */
static void sysfs(const char *text, size_t len)
{
	const char *names[3] = { "start", "end", "type" };
	char rel[96];
	unsigned n = 0;
	struct memmap m;
	struct mpk_error err;
	int rc;

	if (!root[0]) {
		snprintf(root, sizeof(root), "/dev/shm/mpk-fuzz-memmap.%d", (int)getpid());
		snprintf(rel, sizeof(rel), "%s/sys/firmware/memmap", root);
		for (char *p = rel + 1; (p = strchr(p, '/')); p++) {
			*p = '\0';
			mkdir(rel, 0700);
			*p = '/';
		}
		if (mkdir(rel, 0700) < 0 && errno != EEXIST)
			abort();
		atexit(remove_tree);
	}
	while (len && n < MAX_ENTRIES) {
		snprintf(rel, sizeof(rel), "%s/sys/firmware/memmap/%u", root, n);
		if (mkdir(rel, 0700) < 0)
			abort();
		for (unsigned k = 0; k < 3; k++) {
			const char *nl = memchr(text, '\n', len);
			size_t l = nl ? (size_t)(nl - text) + 1 : len;

			snprintf(rel, sizeof(rel), "/sys/firmware/memmap/%u/%s", n, names[k]);
			put(rel, text, l);
			text += l;
			len -= l;
		}
		n++;
	}
	rc = memmap_read_sysfs(root, &m, &err);
	if (rc == 0) {
		if (m.n != n)
			abort();
		check_map(&m);
		memmap_free(&m);
	} else if (m.n || m.r || !err.msg[0]) {
		abort();
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = 0; k < 3; k++) {
			snprintf(rel, sizeof(rel), "%s/sys/firmware/memmap/%u/%s", root, i, names[k]);
			unlink(rel);
			if (k == 2) {
				snprintf(rel, sizeof(rel), "%s/sys/firmware/memmap/%u", root, i);
				rmdir(rel);
			}
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct mem_range kern[4];
	struct memmap m;
	struct mpk_error err;
	size_t n, tlen;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	tlen = strlen(text);
	if (memmap_parse_iomem(text, &m, &err) == 0) {
		check_map(&m);
		check_set_type(&m);
		memmap_free(&m);
	} else if (m.n || m.r || !err.msg[0]) {
		abort();
	}
	n = iomem_find_kernel(text, kern, 4);
	if (n > 4)
		abort();
	for (size_t i = 0; i < n; i++)
		if (kern[i].start >= kern[i].end)
			abort();
	if (tlen < size)
		sysfs(text + tlen + 1, size - tlen - 1);
	free(text);
	return 0;
}
