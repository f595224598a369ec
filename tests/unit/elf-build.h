/* SPDX-License-Identifier: GPL-2.0-only */
/* Synthetic ELF executables for the ELF and multiboot unit tests: an ELF
 * header, the program headers right after it, then each PT_LOAD's file
 * bytes at its own offset (filled with a pattern: byte = load index + 1).
 * Static inline: each test includes it. */
#ifndef MPKEXEC_TEST_ELF_BUILD_H
#define MPKEXEC_TEST_ELF_BUILD_H

#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct tload {
	uint64_t paddr, vaddr, filesz, memsz;
};

/* `n` PT_LOADs; the file offset of load i is 0x1000 * (i + 1) (so
 * `extra` bytes can follow the headers in the first page).  Returns a
 * malloc'd image of *size bytes. */
static inline uint8_t *elf_build(unsigned cls, uint16_t machine, uint16_t type,
				 uint64_t entry, const struct tload *l, unsigned n,
				 size_t *size)
{
	size_t total = 0x1000;
	uint8_t *img;

	for (unsigned i = 0; i < n; i++) {
		size_t end = 0x1000 * (i + 1) + l[i].filesz;

		if (end > total)
			total = end;
	}
	img = calloc(1, total);
	if (!img)
		abort();
	for (unsigned i = 0; i < n; i++)
		memset(img + 0x1000 * (i + 1), (int)(i + 1), l[i].filesz);
	if (cls == 64) {
		Elf64_Ehdr *e = (Elf64_Ehdr *)img;

		memcpy(e->e_ident, ELFMAG, SELFMAG);
		e->e_ident[EI_CLASS] = ELFCLASS64;
		e->e_ident[EI_DATA] = ELFDATA2LSB;
		e->e_ident[EI_VERSION] = EV_CURRENT;
		e->e_type = type;
		e->e_machine = machine;
		e->e_version = EV_CURRENT;
		e->e_entry = entry;
		e->e_phoff = sizeof(*e);
		e->e_ehsize = sizeof(*e);
		e->e_phentsize = sizeof(Elf64_Phdr);
		e->e_phnum = (uint16_t)n;
		for (unsigned i = 0; i < n; i++) {
			Elf64_Phdr *p = (Elf64_Phdr *)(img + sizeof(*e)) + i;

			*p = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
				.p_offset = 0x1000 * (i + 1), .p_vaddr = l[i].vaddr,
				.p_paddr = l[i].paddr, .p_filesz = l[i].filesz,
				.p_memsz = l[i].memsz, .p_align = 0x1000 };
		}
	} else {
		Elf32_Ehdr *e = (Elf32_Ehdr *)img;

		memcpy(e->e_ident, ELFMAG, SELFMAG);
		e->e_ident[EI_CLASS] = ELFCLASS32;
		e->e_ident[EI_DATA] = ELFDATA2LSB;
		e->e_ident[EI_VERSION] = EV_CURRENT;
		e->e_type = type;
		e->e_machine = machine;
		e->e_version = EV_CURRENT;
		e->e_entry = (uint32_t)entry;
		e->e_phoff = sizeof(*e);
		e->e_ehsize = sizeof(*e);
		e->e_phentsize = sizeof(Elf32_Phdr);
		e->e_phnum = (uint16_t)n;
		for (unsigned i = 0; i < n; i++) {
			Elf32_Phdr *p = (Elf32_Phdr *)(img + sizeof(*e)) + i;

			*p = (Elf32_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X,
				.p_offset = 0x1000 * (i + 1), .p_vaddr = (uint32_t)l[i].vaddr,
				.p_paddr = (uint32_t)l[i].paddr, .p_filesz = (uint32_t)l[i].filesz,
				.p_memsz = (uint32_t)l[i].memsz, .p_align = 0x1000 };
		}
	}
	*size = total;
	return img;
}

static inline uint8_t *file_slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		abort();
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	*size = (size_t)n;
	return buf;
}

#endif
