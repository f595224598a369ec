/* SPDX-License-Identifier: GPL-2.0-only */
#include "elf-exec.h"

#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>

bool elf_exec_is_elf(const uint8_t *data, size_t size)
{
	return size >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0;
}

static bool machine_known(uint16_t m)
{
	for (unsigned i = 0; i < elf_exec_nmachines; i++)
		if (elf_exec_machines[i].machine == m)
			return true;
	return false;
}

static int check_loads(const struct elf_exec *x, const char *path, struct mpk_error *err)
{
	for (unsigned i = 0; i < x->nload; i++)
		for (unsigned j = i + 1; j < x->nload; j++) {
			const struct elf_exec_load *a = &x->load[i], *b = &x->load[j];

			if (a->memsz && b->memsz && a->paddr < b->paddr + b->memsz &&
			    b->paddr < a->paddr + a->memsz)
				return mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': "
						"PT_LOAD %u (%#" PRIx64 "+%#" PRIx64 ") and %u "
						"(%#" PRIx64 "+%#" PRIx64 ") overlap physically",
						path, i, a->paddr, a->memsz, j, b->paddr, b->memsz);
		}
	return 0;
}

int elf_exec_parse(const uint8_t *data, size_t size, const char *path, bool any_machine,
		   struct elf_exec *out, struct mpk_error *err)
{
	Elf *e;
	GElf_Ehdr eh;
	size_t nph;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!elf_exec_is_elf(data, size))
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': no ELF magic", path);
	if (elf_version(EV_CURRENT) == EV_NONE)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "libelf: %s", elf_errmsg(-1));
	/* libelf reads from the buffer and never writes it (ELF_C_READ_MEMORY). */
	e = elf_memory((char *)(uintptr_t)data, size);
	if (!e)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': %s", path,
				elf_errmsg(-1));
	if (!gelf_getehdr(e, &eh) || elf_getphdrnum(e, &nph) != 0) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': unreadable ELF header or "
			 "program headers (%s)", path, elf_errmsg(-1));
		goto out;
	}
	/* libelf reports no program headers, rather than an error, when the
	 * table lies past the end of the file. */
	if (eh.e_phnum && eh.e_phnum != PN_XNUM && (eh.e_phoff > size ||
	    (uint64_t)eh.e_phnum * eh.e_phentsize > size - eh.e_phoff)) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': %u program headers at offset "
			 "%#" PRIx64 " lie past the end of the file (%zu bytes); the file is "
			 "truncated", path, eh.e_phnum, (uint64_t)eh.e_phoff, size);
		goto out;
	}
	out->elfclass = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	out->machine = eh.e_machine;
	out->entry = eh.e_entry;
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': big-endian; x86 executables "
			 "are little-endian", path);
		goto out;
	}
	if (eh.e_type != ET_EXEC) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': e_type %u is not ET_EXEC "
			 "(an executable); relocatable objects and shared objects cannot be "
			 "loaded", path, eh.e_type);
		goto out;
	}
	if (!any_machine && !machine_known(eh.e_machine)) {
		char names[80] = "";

		for (unsigned i = 0; i < elf_exec_nmachines; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? (i + 1 == elf_exec_nmachines ? " or " : ", ") : "",
				 elf_exec_machines[i].name);
		mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': e_machine %u is not %s",
			 path, eh.e_machine, names);
		goto out;
	}
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		struct elf_exec_load *l;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': program header %zu "
				 "unreadable (%s)", path, i, elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (out->nload == ELF_EXEC_MAX_LOAD) {
			mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': more than %d PT_LOAD "
				 "headers; kexec_load takes %d segments in all", path,
				 ELF_EXEC_MAX_LOAD, ELF_EXEC_MAX_LOAD);
			goto out;
		}
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > size ||
		    ph.p_filesz > size - ph.p_offset ||
		    ph.p_paddr + ph.p_memsz < ph.p_paddr) {
			mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': PT_LOAD %zu (offset "
				 "%#" PRIx64 ", filesz %#" PRIx64 ", memsz %#" PRIx64 ", paddr %#"
				 PRIx64 ") lies outside the file (%zu bytes) or wraps", path, i,
				 (uint64_t)ph.p_offset, (uint64_t)ph.p_filesz,
				 (uint64_t)ph.p_memsz, (uint64_t)ph.p_paddr, size);
			goto out;
		}
		l = &out->load[out->nload++];
		*l = (struct elf_exec_load){ .paddr = ph.p_paddr, .vaddr = ph.p_vaddr,
			.offset = ph.p_offset, .filesz = ph.p_filesz, .memsz = ph.p_memsz };
		if (out->nload == 1 || l->paddr < out->lowest)
			out->lowest = l->paddr;
		if (l->paddr + l->memsz > out->highest)
			out->highest = l->paddr + l->memsz;
		if (out->entry >= l->vaddr && out->entry - l->vaddr < l->memsz)
			out->entry_paddr = l->paddr + (out->entry - l->vaddr);
	}
	if (!out->nload) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "ELF image '%s': no PT_LOAD program header; "
			 "nothing to load", path);
		goto out;
	}
	if (!out->entry_paddr)
		out->entry_paddr = out->entry;
	rc = check_loads(out, path, err);
out:
	elf_end(e);
	return rc;
}
