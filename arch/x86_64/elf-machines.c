/* SPDX-License-Identifier: GPL-2.0-only */
/* The ELF machines x86_64 loads executables for (src/elf-exec.h): 32-bit
 * kernels (multiboot, ELF32 payloads) and 64-bit ones. */
#include "elf-exec.h"

const struct elf_exec_machine elf_exec_machines[] = {
	{ 3, "EM_386" },
	{ 62, "EM_X86_64" },
};
const unsigned elf_exec_nmachines = sizeof(elf_exec_machines) / sizeof(elf_exec_machines[0]);
