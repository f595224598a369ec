/* SPDX-License-Identifier: GPL-2.0-only */
#include "elfcore.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "bytes.h"
#include "mpkexec/bootparam.h"

#define ET_CORE    4u
#define PF_RWX     7u
#define PN_XNUM    0xffffu

static void put_load(uint8_t *out, unsigned at, uint64_t start, uint64_t end,
		     uint64_t page_offset)
{
	uint8_t *ph = out + ELFCORE_EHDR_SIZE + (size_t)at * ELFCORE_PHDR_SIZE;

	put_le32(ph, ELFCORE_PT_LOAD);
	put_le32(ph + 4, PF_RWX);
	put_le64(ph + 8, start);                 /* p_offset */
	put_le64(ph + 16, page_offset + start);  /* p_vaddr: the direct map */
	put_le64(ph + 24, start);                /* p_paddr */
	put_le64(ph + 32, end - start);          /* p_filesz */
	put_le64(ph + 40, end - start);          /* p_memsz */
}

/* The pieces of RAM range r outside the crash ranges and the low 1 MiB,
 * written from program header `at` on when out is set; returns how many. */
static unsigned ram_pieces(const struct elfcore_input *in, const struct mem_range *r,
			   uint8_t *out, unsigned at)
{
	uint64_t cur = r->start < ELFCORE_LOW_EXCLUDED ? ELFCORE_LOW_EXCLUDED : r->start;
	unsigned n = 0;

	while (cur < r->end) {
		const struct mem_range *cut = NULL;

		/* The lowest crash range still ahead of cur, inside r. */
		for (unsigned k = 0; k < in->ncrash; k++) {
			const struct mem_range *c = &in->crash[k];

			if (c->end > cur && c->start < r->end && (!cut || c->start < cut->start))
				cut = c;
		}
		if (!cut || cut->start > cur) {
			uint64_t end = cut ? cut->start : r->end;

			if (out)
				put_load(out, at + n, cur, end, in->page_offset);
			n++;
		}
		if (!cut)
			break;
		cur = cut->end;
	}
	return n;
}

static unsigned count_or_write(const struct elfcore_input *in, uint8_t *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < in->ncpu; i++, n++)
		if (out) {
			uint8_t *ph = out + ELFCORE_EHDR_SIZE + (size_t)n * ELFCORE_PHDR_SIZE;

			put_le32(ph, ELFCORE_PT_NOTE);
			put_le64(ph + 8, in->cpu_notes[i].addr);
			put_le64(ph + 24, in->cpu_notes[i].addr);
			put_le64(ph + 32, in->cpu_notes[i].size);
			put_le64(ph + 40, in->cpu_notes[i].size);
		}
	if (in->vmcoreinfo.size) {
		if (out) {
			uint8_t *ph = out + ELFCORE_EHDR_SIZE + (size_t)n * ELFCORE_PHDR_SIZE;

			put_le32(ph, ELFCORE_PT_NOTE);
			put_le64(ph + 8, in->vmcoreinfo.addr);
			put_le64(ph + 24, in->vmcoreinfo.addr);
			put_le64(ph + 32, in->vmcoreinfo.size);
			put_le64(ph + 40, in->vmcoreinfo.size);
		}
		n++;
	}
	if (in->have_text) {
		if (out) {
			uint8_t *ph = out + ELFCORE_EHDR_SIZE + (size_t)n * ELFCORE_PHDR_SIZE;

			put_le32(ph, ELFCORE_PT_LOAD);
			put_le32(ph + 4, PF_RWX);
			put_le64(ph + 8, in->text_paddr);
			put_le64(ph + 16, in->text_vaddr);
			put_le64(ph + 24, in->text_paddr);
			put_le64(ph + 32, in->text_size);
			put_le64(ph + 40, in->text_size);
		}
		n++;
	}
	for (size_t i = 0; in->iomem && i < in->iomem->n; i++)
		if (in->iomem->r[i].type == E820_RAM)
			n += ram_pieces(in, &in->iomem->r[i], out, n);
	return n;
}

unsigned elfcore_phnum(const struct elfcore_input *in)
{
	return count_or_write(in, NULL);
}

int elfcore_build(const struct elfcore_input *in, uint8_t **buf, size_t *len,
		  struct mpk_error *err)
{
	unsigned phnum;
	size_t size;
	uint8_t *b;

	*buf = NULL;
	*len = 0;
	if (in->ncpu == 0)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ELF core header: no CPU crash notes "
				"(/sys/devices/system/cpu/cpuN/crash_notes); the running kernel "
				"needs CONFIG_CRASH_DUMP (CONFIG_KEXEC_CORE) for a capture kernel");
	for (unsigned k = 0; k < in->ncrash; k++)
		if (in->crash[k].end <= in->crash[k].start)
			return mpk_fail(err, MPK_EXIT_BADINPUT, "ELF core header: empty crash "
					"range %#" PRIx64 "-%#" PRIx64, in->crash[k].start,
					in->crash[k].end);
	phnum = elfcore_phnum(in);
	if (phnum >= PN_XNUM)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ELF core header: %u program headers, "
				"more than ELF's %u", phnum, PN_XNUM - 1);
	size = ELFCORE_EHDR_SIZE + (size_t)phnum * ELFCORE_PHDR_SIZE;
	size = (size + ELFCORE_ALIGN - 1) / ELFCORE_ALIGN * ELFCORE_ALIGN;
	b = calloc(1, size);
	if (!b)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	memcpy(b, "\177ELF", 4);
	b[4] = 2;                        /* ELFCLASS64 */
	b[5] = 1;                        /* ELFDATA2LSB */
	b[6] = 1;                        /* EV_CURRENT */
	put_le16(b + 16, ET_CORE);
	put_le16(b + 18, ARCH_ELF_MACHINE);
	put_le32(b + 20, 1);             /* e_version */
	put_le64(b + 32, ELFCORE_EHDR_SIZE); /* e_phoff */
	put_le16(b + 52, ELFCORE_EHDR_SIZE);
	put_le16(b + 54, ELFCORE_PHDR_SIZE);
	put_le16(b + 56, (uint16_t)phnum);
	count_or_write(in, b);
	*buf = b;
	*len = size;
	return 0;
}

/* Skips spaces/tabs; then requires the rest to be whitespace only. */
static bool only_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	return *p == '\0';
}

static bool parse_u64(const char *text, int base, uint64_t *v, const char **end)
{
	char *q;

	while (*text == ' ' || *text == '\t')
		text++;
	if (*text == '-' || *text == '+' || *text == '\0')
		return false;
	errno = 0;
	*v = strtoull(text, &q, base);
	if (errno || q == text)
		return false;
	*end = q;
	return true;
}

bool elfcore_parse_hex(const char *text, uint64_t *v)
{
	const char *end;

	return parse_u64(text, 16, v, &end) && only_space(end);
}

bool elfcore_parse_dec(const char *text, uint64_t *v)
{
	const char *end;

	return parse_u64(text, 10, v, &end) && only_space(end);
}

bool elfcore_parse_vmcoreinfo(const char *text, struct elfcore_note *n)
{
	const char *end;

	return parse_u64(text, 16, &n->addr, &end) && (*end == ' ' || *end == '\t') &&
	       parse_u64(end, 16, &n->size, &end) && only_space(end) &&
	       n->addr + n->size >= n->addr;
}

bool elfcore_parse_cpulist(const char *text, unsigned *ids, unsigned max, unsigned *n)
{
	const char *p = text;

	*n = 0;
	while (*p && *p != '\n') {
		uint64_t lo, hi;
		const char *end;

		if (*p < '0' || *p > '9' || !parse_u64(p, 10, &lo, &end))
			return false;
		hi = lo;
		p = end;
		if (*p == '-') {
			if (p[1] < '0' || p[1] > '9' || !parse_u64(p + 1, 10, &hi, &end))
				return false;
			p = end;
		}
		if (hi < lo || hi >= ELFCORE_MAX_CPUS * 4u)
			return false;
		for (uint64_t c = lo; c <= hi; c++) {
			if (*n >= max)
				return false;
			ids[(*n)++] = (unsigned)c;
		}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return false;
	}
	return only_space(p) && *n > 0;
}
