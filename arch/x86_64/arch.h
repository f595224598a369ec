/* SPDX-License-Identifier: GPL-2.0-only */
/* What the portable loader (src/) asks of the architecture, x86_64 here:
 * the kexec_load architecture flag, the ELF machine of purgatory and of
 * core files, and how purgatory's relocations are applied
 * (arch/x86_64/purgatory-reloc.c).  src/ includes this header by name and
 * knows no x86 constant itself. */
#ifndef MPKEXEC_ARCH_H
#define MPKEXEC_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "mpkexec/kexec-abi.h"
#include "mpkexec/purgatory-params.h"

#define ARCH_KEXEC_FLAGS  KEXEC_ARCH_X86_64
#define ARCH_ELF_MACHINE  62u   /* EM_X86_64 */
#define ARCH_NAME         "x86_64"
/* the size of purgatory's parameter block, the object's purgatory_params */
#define ARCH_PURGATORY_PARAMS_SIZE sizeof(struct mpk_purgatory_params)

/* Bytes relocation `type` writes; 0 for the "none" type and for types
 * purgatory-link refuses. */
unsigned arch_reloc_width(unsigned type);

enum arch_reloc_result {
	ARCH_RELOC_OK = 0,
	ARCH_RELOC_OVERFLOW = 1,     /* the value does not fit the field */
	ARCH_RELOC_UNSUPPORTED = 2,  /* a type purgatory must not contain */
};

/* Writes relocation `type` at `loc`: `sa` = symbol + addend, `p` = the
 * field's own (load) address. */
enum arch_reloc_result arch_reloc_apply(unsigned type, uint8_t *loc, uint64_t sa,
					uint64_t p);

/* Facts about the running system an image probe may need
 * (struct image_probe_input.arch), read once by arch_probe_facts. */
struct arch_probe_facts {
	bool host_5level;          /* the running kernel uses 5-level paging */
};

/* Fills `f` from the system under `root` ("" for this one). */
void arch_probe_facts(const char *root, struct arch_probe_facts *f);

#endif
