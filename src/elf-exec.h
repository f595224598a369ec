/* SPDX-License-Identifier: GPL-2.0-only */
/* An ELF executable's loadable view: its PT_LOAD headers at their physical
 * addresses and its entry point, for the ELF, multiboot and multiboot2
 * image types.  ELF32 and ELF64, little-endian, ET_EXEC; read with libelf
 * from memory.  Pure: bytes in, a description out. */
#ifndef MPKEXEC_ELF_EXEC_H
#define MPKEXEC_ELF_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ELF_EXEC_MAX_LOAD 16   /* kexec_load takes 16 segments in all */

struct elf_exec_load {
	uint64_t paddr;            /* p_paddr: where the bytes go */
	uint64_t vaddr;            /* p_vaddr (the entry point is a virtual address) */
	uint64_t offset;           /* p_offset: the bytes in the file */
	uint64_t filesz;
	uint64_t memsz;            /* >= filesz: the rest is zeroed */
};

struct elf_exec {
	unsigned elfclass;         /* 32 or 64 */
	uint16_t machine;          /* e_machine: one of elf_exec_machines[] */
	uint64_t entry;            /* e_entry (virtual) */
	uint64_t entry_paddr;      /* e_entry through the PT_LOAD holding it: physical;
				      e_entry itself when no PT_LOAD maps it */
	unsigned nload;
	struct elf_exec_load load[ELF_EXEC_MAX_LOAD];
	uint64_t lowest, highest;  /* physical span of all PT_LOADs, [lowest, highest) */
};

/* Whether the bytes start with an ELF identification (for probes). */
bool elf_exec_is_elf(const uint8_t *data, size_t size);

/* The machines an executable may be for, with their names for messages:
 * the architecture's (arch/x86_64/elf-machines.c: EM_386, EM_X86_64). */
struct elf_exec_machine {
	uint16_t machine;
	const char *name;
};
extern const struct elf_exec_machine elf_exec_machines[];
extern const unsigned elf_exec_nmachines;

/* Parses `data` as an ELF executable for one of elf_exec_machines[] (any
 * machine when `any_machine`).  Refuses, naming `path` and the field: a
 * file that is not ELF, not little-endian, not ET_EXEC, has no PT_LOAD,
 * more than ELF_EXEC_MAX_LOAD of them, a PT_LOAD whose bytes lie outside
 * the file, memsz < filesz, ranges that wrap or overlap each other
 * physically. */
int elf_exec_parse(const uint8_t *data, size_t size, const char *path, bool any_machine,
		   struct elf_exec *out, struct mpk_error *err);

#endif
