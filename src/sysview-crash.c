/* SPDX-License-Identifier: GPL-2.0-only */
/* The crash-kernel inputs of the system view (mpkexec -p): the "Crash
 * kernel" ranges, per-CPU crash notes, vmcoreinfo, lockdown and the
 * kernel's layout from /proc/kcore.  Part of src/sysview.h. */
#include "sysview.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"

/* A whole small text file under root, NUL-terminated; NULL if unreadable. */
static char *slurp_text(const char *root, const char *path)
{
	size_t len;

	return (char *)sysview_slurp(root, path, &len);
}

void lockdown_mode(const char *text, char *mode, size_t size)
{
	const char *a = strchr(text, '['), *b = a ? strchr(a, ']') : NULL;

	mode[0] = '\0';
	if (!a || !b || (b - a - 1 == 4 && strncmp(a + 1, "none", 4) == 0))
		return;
	snprintf(mode, size, "%.*s", (int)(b - a - 1), a + 1);
}

#define KCORE_TEXT_BASE 0xffffffff80000000ull /* __START_KERNEL_map */

bool kcore_layout(const uint8_t *hdr, size_t len, struct crash_view *cv)
{
	uint64_t phoff;
	unsigned phnum, phentsize;
	bool text = false, ram = false;

	if (len < 64 || memcmp(hdr, "\177ELF", 4) != 0 || hdr[4] != 2 || hdr[5] != 1)
		return false;
	phoff = get_le64(hdr + 32);
	phentsize = get_le16(hdr + 54);
	phnum = get_le16(hdr + 56);
	if (phentsize < 56 || phoff > len)
		return false;
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph;
		uint64_t vaddr, paddr, memsz;

		if ((len - phoff) / phentsize <= i)
			break;
		ph = hdr + phoff + (size_t)i * phentsize;
		if (get_le32(ph) != ELFCORE_PT_LOAD)
			continue;
		vaddr = get_le64(ph + 16);
		paddr = get_le64(ph + 24);
		memsz = get_le64(ph + 40);
		if (paddr == UINT64_MAX)
			continue; /* vmalloc, modules: no physical address */
		if (vaddr >= KCORE_TEXT_BASE && !text) {
			cv->text_vaddr = vaddr;
			cv->text_paddr = paddr;
			cv->text_size = memsz;
			text = true;
		} else if (vaddr < KCORE_TEXT_BASE && vaddr >= paddr && !ram) {
			/* The direct map: the first System RAM entry. */
			cv->page_offset = vaddr - paddr;
			ram = true;
		}
	}
	return text && ram;
}

static void read_kcore(const char *root, struct crash_view *cv)
{
	char full[PATH_MAX];
	uint8_t hdr[65536];
	ssize_t n;
	int fd;

	snprintf(full, sizeof(full), "%s/proc/kcore", root);
	fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, hdr, sizeof(hdr));
	close(fd);
	if (n > 0)
		cv->have_kcore = kcore_layout(hdr, (size_t)n, cv);
}

static void read_crash_notes(const char *root, struct crash_view *cv)
{
	unsigned ids[ELFCORE_MAX_CPUS];
	char *text = slurp_text(root, "/sys/devices/system/cpu/possible");
	unsigned n = 0;

	if (!text || !elfcore_parse_cpulist(text, ids, ELFCORE_MAX_CPUS, &n)) {
		snprintf(cv->notes_why, sizeof(cv->notes_why), "/sys/devices/system/cpu/"
			 "possible is %s", text ? "not a CPU list" : "unreadable");
		free(text);
		return;
	}
	free(text);
	cv->notes = calloc(n, sizeof(*cv->notes));
	if (!cv->notes) {
		snprintf(cv->notes_why, sizeof(cv->notes_why), "out of memory");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		char path[PATH_MAX], *a, *sz;
		struct stat st;

		snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpu%u", root, ids[i]);
		if (stat(path, &st) < 0)
			continue; /* possible, not present: no notes */
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/crash_notes", ids[i]);
		a = slurp_text(root, path);
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/crash_notes_size",
			 ids[i]);
		sz = slurp_text(root, path);
		if (!a || !sz || !elfcore_parse_hex(a, &cv->notes[cv->ncpu].addr) ||
		    !elfcore_parse_dec(sz, &cv->notes[cv->ncpu].size) ||
		    !cv->notes[cv->ncpu].addr || !cv->notes[cv->ncpu].size) {
			snprintf(cv->notes_why, sizeof(cv->notes_why),
				 "/sys/devices/system/cpu/cpu%u/crash_notes%s is %s", ids[i],
				 a ? "_size" : "", (a && sz) ? "not a number" :
				 errno == EACCES ? "readable by root only" : "missing");
			free(a);
			free(sz);
			cv->ncpu = 0;
			return;
		}
		free(a);
		free(sz);
		cv->ncpu++;
	}
}

void sysview_read_crash(const char *root, struct sysview *sv)
{
	struct crash_view *cv = &sv->crash;
	struct mpk_error ignored;
	uint64_t v;
	char *text;

	cv->crash_loaded = -1;
	text = slurp_text(root, "/proc/iomem");
	if (text) {
		cv->nregion = (unsigned)iomem_find_crash(text, cv->region, ELFCORE_MAX_CRASH);
		if (memmap_parse_iomem(text, &cv->iomem, &ignored) < 0)
			cv->iomem = (struct memmap){ NULL, 0 };
		free(text);
	}
	text = slurp_text(root, "/sys/kernel/kexec_crash_size");
	if (text && elfcore_parse_dec(text, &v))
		cv->crash_size = v;
	free(text);
	text = slurp_text(root, "/sys/kernel/kexec_crash_loaded");
	if (text && elfcore_parse_dec(text, &v))
		cv->crash_loaded = v != 0;
	free(text);
	text = slurp_text(root, "/sys/kernel/vmcoreinfo");
	if (!text || !elfcore_parse_vmcoreinfo(text, &cv->vmcoreinfo))
		cv->vmcoreinfo = (struct elfcore_note){ 0, 0 };
	free(text);
	text = slurp_text(root, "/sys/kernel/crash_elfcorehdr_size");
	if (text && elfcore_parse_dec(text, &v))
		cv->elfcorehdr_size = v;
	free(text);
	text = slurp_text(root, "/sys/kernel/security/lockdown");
	if (text)
		lockdown_mode(text, cv->lockdown, sizeof(cv->lockdown));
	free(text);
	read_crash_notes(root, cv);
	read_kcore(root, cv);
}

