/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: an ELF executable as the elf, multiboot and multiboot2
 * image types read it (elf_exec_parse, src/elf-exec.c, over libelf), for
 * the architecture's machines and for any machine.  Invariants that abort():
 *   - success: 32 or 64 bits; 1..ELF_EXEC_MAX_LOAD PT_LOADs, each with
 *     0 < memsz, filesz <= memsz, its file bytes inside the input, no wrap
 *     of paddr + memsz; no two overlap physically; [lowest, highest) is
 *     exactly their span; entry_paddr is e_entry translated through the
 *     PT_LOAD whose virtual range holds it, else e_entry; unless any
 *     machine: one of elf_exec_machines[] (EM_386, EM_X86_64); any-machine success is implied by
 *     x86 success;
 *   - failure: exit code 65, a message naming the file ("ELF image 'fuzz'"). */
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf-exec.h"
#include "error.h"

#define NAME "ELF image 'fuzz'"

static int check(const uint8_t *data, size_t size, bool any)
{
	struct mpk_error err = { 0 };
	struct elf_exec x;
	uint64_t lo = UINT64_MAX, hi = 0, entry;

	if (elf_exec_parse(data, size, "fuzz", any, &x, &err) < 0) {
		if (err.exit_code != MPK_EXIT_BADINPUT || strncmp(err.msg, NAME, strlen(NAME)))
			abort();
		return -1;
	}
	if ((x.elfclass != 32 && x.elfclass != 64) || !x.nload || x.nload > ELF_EXEC_MAX_LOAD)
		abort();
	if (!any) {
		bool known = false;

		for (unsigned i = 0; i < elf_exec_nmachines; i++)
			known |= elf_exec_machines[i].machine == x.machine;
		if (!known)
			abort();
	}
	entry = x.entry;
	for (unsigned i = 0; i < x.nload; i++) {
		const struct elf_exec_load *l = &x.load[i];

		if (!l->memsz || l->filesz > l->memsz || l->offset > size ||
		    l->filesz > size - l->offset || l->paddr + l->memsz < l->paddr)
			abort();
		for (unsigned j = 0; j < i; j++)
			if (l->paddr < x.load[j].paddr + x.load[j].memsz &&
			    x.load[j].paddr < l->paddr + l->memsz)
				abort();
		if (l->paddr < lo)
			lo = l->paddr;
		if (l->paddr + l->memsz > hi)
			hi = l->paddr + l->memsz;
	}
	if (x.lowest != lo || x.highest != hi)
		abort();
	/* the last PT_LOAD holding e_entry virtually wins (as parsed) */
	for (unsigned i = 0; i < x.nload; i++)
		if (x.entry >= x.load[i].vaddr && x.entry - x.load[i].vaddr < x.load[i].memsz)
			entry = x.load[i].paddr + (x.entry - x.load[i].vaddr);
	if (!entry)
		entry = x.entry;
	if (x.entry_paddr != entry)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* x86 success implies any-machine success */
	if (check(data, size, false) == 0 && check(data, size, true) != 0)
		abort();
	return 0;
}
