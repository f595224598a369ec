/* SPDX-License-Identifier: GPL-2.0-only */
/* Linking the embedded purgatory object (an ELF ET_REL for x86_64) to its
 * physical load address with libelf: lay out its SHF_ALLOC sections, apply
 * its RELA relocations, find its entry and parameter block. */
#ifndef MPKEXEC_PURGATORY_LINK_H
#define MPKEXEC_PURGATORY_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct purgatory_image {
	uint8_t *buf;        /* the loadable bytes, bss included (zeroed) */
	size_t size;
	uint64_t align;      /* largest section alignment (at least 4 KiB) */
	uint64_t load_addr;  /* set by purgatory_relocate */
	uint64_t entry;      /* physical address of purgatory_start */
	size_t entry_off;
	size_t params_off;   /* where the parameter block (ARCH_PURGATORY_PARAMS_SIZE
				bytes, arch.h) lives in buf */
	/* private */
	uint8_t *elf_copy;
	size_t elf_len;
	uint64_t *sec_off;   /* per section: offset in buf, or UINT64_MAX */
	size_t nsec;
};

/* The object linked into this binary (see purgatory/Makefile.am). */
extern const uint8_t purgatory_blob[];
extern const uint8_t purgatory_blob_end[];

int purgatory_open(const uint8_t *elf, size_t len, struct purgatory_image *img,
		   struct mpk_error *err);
int purgatory_relocate(struct purgatory_image *img, uint64_t load_addr,
		       struct mpk_error *err);
void purgatory_set_params(struct purgatory_image *img, const void *params);
void purgatory_close(struct purgatory_image *img);

#endif
