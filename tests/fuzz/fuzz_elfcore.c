/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: the ELF core header builder (src/elfcore.c) on the
 * inputs mpkexec -p reads: /proc/iomem text (memmap_parse_iomem,
 * iomem_find_crash), /sys/kernel/vmcoreinfo, and per CPU crash_notes and
 * crash_notes_size (the elfcore_parse_* readers).
 *
 * Input: NUL-separated sections: iomem text, vmcoreinfo text, then pairs
 * crash_notes text, crash_notes_size text (one pair per CPU; a pair either
 * of which does not parse is dropped, as no CPU's notes would be read).
 * Oracle (abort()): the header is ELF64 ET_CORE EM_X86_64 with e_phnum
 * program headers at 64, its length a multiple of 1 KiB; the PT_NOTEs are
 * the CPUs' notes in order, then vmcoreinfo as read; every PT_LOAD lies in
 * one System RAM range of the iomem text, at or above 1 MiB, outside every
 * Crash kernel range, with vaddr = PAGE_OFFSET + paddr and filesz = memsz
 * > 0; the PT_LOADs add up to the RAM above 1 MiB outside the crash ranges.
 * A failure is allowed only with no CPUs or 0xffff program headers. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "elfcore.h"
#include "memmap.h"
#include "mpkexec/bootparam.h"

#define MAX_CPUS 64
#define PAGE_OFF 0xffff888000000000ull
#define LOW      (1ull << 20)

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* Bytes of [lo, hi) inside the union of the crash ranges. */
static uint64_t crash_bytes(const struct mem_range *c, unsigned n, uint64_t lo, uint64_t hi)
{
	uint64_t total = 0, cur = lo;

	while (cur < hi) {
		const struct mem_range *best = NULL;

		for (unsigned k = 0; k < n; k++)
			if (c[k].end > cur && c[k].start < hi && (!best || c[k].start < best->start))
				best = &c[k];
		if (!best)
			break;
		if (best->start > cur)
			cur = best->start;
		total += min64(best->end, hi) - cur;
		cur = min64(best->end, hi);
	}
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *sec[2 + 2 * MAX_CPUS];
	struct elfcore_note notes[MAX_CPUS];
	struct mem_range crash[ELFCORE_MAX_CRASH];
	struct elfcore_input in = { .page_offset = PAGE_OFF };
	struct mpk_error err;
	struct memmap iomem = { NULL, 0 };
	unsigned nsec = 0, ncpu = 0, ncrash, phnum, nnote = 0;
	uint64_t want_bytes = 0, got_bytes = 0;
	uint8_t *b;
	size_t len;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	sec[nsec++] = text;
	for (size_t i = 0; i < size && nsec < sizeof(sec) / sizeof(sec[0]); i++)
		if (text[i] == '\0')
			sec[nsec++] = text + i + 1;
	if (memmap_parse_iomem(sec[0], &iomem, &err) < 0)
		iomem = (struct memmap){ NULL, 0 };
	ncrash = (unsigned)iomem_find_crash(sec[0], crash, ELFCORE_MAX_CRASH);
	if (nsec > 1 && !elfcore_parse_vmcoreinfo(sec[1], &in.vmcoreinfo))
		in.vmcoreinfo = (struct elfcore_note){ 0, 0 };
	for (unsigned s = 2; s + 1 < nsec && ncpu < MAX_CPUS; s += 2)
		if (elfcore_parse_hex(sec[s], &notes[ncpu].addr) &&
		    elfcore_parse_dec(sec[s + 1], &notes[ncpu].size))
			ncpu++;
	in.cpu_notes = notes;
	in.ncpu = ncpu;
	in.iomem = &iomem;
	in.crash = crash;
	in.ncrash = ncrash;
	for (unsigned k = 0; k < ncrash; k++)
		if (crash[k].start >= crash[k].end)
			abort(); /* iomem_find_crash gave an empty range */
	phnum = elfcore_phnum(&in);
	if (elfcore_build(&in, &b, &len, &err) < 0) {
		if (ncpu && phnum < 0xffff)
			abort();
		goto out;
	}
	if (memcmp(b, "\177ELF\2\1\1", 7) || get_le16(b + 16) != 4 || get_le16(b + 18) != 62 ||
	    get_le64(b + 32) != 64 || get_le16(b + 56) != phnum || len % ELFCORE_ALIGN ||
	    len < 64 + (size_t)phnum * 56)
		abort();
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = b + 64 + (size_t)i * 56;
		uint64_t off = get_le64(ph + 8), vaddr = get_le64(ph + 16);
		uint64_t paddr = get_le64(ph + 24), fsz = get_le64(ph + 32), msz = get_le64(ph + 40);
		bool in_ram = false;

		if (get_le32(ph) == ELFCORE_PT_NOTE) {
			const struct elfcore_note *n = nnote < ncpu ? &notes[nnote] :
						       nnote == ncpu ? &in.vmcoreinfo : NULL;

			if (!n || off != n->addr || paddr != n->addr || fsz != n->size ||
			    msz != n->size || vaddr)
				abort();
			nnote++;
			continue;
		}
		if (get_le32(ph) != ELFCORE_PT_LOAD || off != paddr || fsz != msz || !fsz ||
		    vaddr != PAGE_OFF + paddr || paddr < LOW || paddr + fsz < paddr)
			abort();
		for (size_t r = 0; r < iomem.n; r++)
			if (iomem.r[r].type == E820_RAM && paddr >= iomem.r[r].start &&
			    paddr + fsz <= iomem.r[r].end)
				in_ram = true;
		if (!in_ram || crash_bytes(crash, ncrash, paddr, paddr + fsz))
			abort();
		got_bytes += fsz;
	}
	if (nnote != ncpu + (in.vmcoreinfo.size ? 1 : 0))
		abort();
	for (size_t r = 0; r < iomem.n; r++) {
		uint64_t lo = max64(iomem.r[r].start, LOW), hi = iomem.r[r].end;

		if (iomem.r[r].type == E820_RAM && lo < hi)
			want_bytes += hi - lo - crash_bytes(crash, ncrash, lo, hi);
	}
	if (got_bytes != want_bytes)
		abort();
	free(b);
out:
	memmap_free(&iomem);
	free(text);
	return 0;
}
