/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86_64 relocations purgatory's object may contain (its flags in
 * Makefile.am: large code model, no PIC, so absolute 64-bit and PC-relative
 * 32-bit ones), applied by src/purgatory-link.c. */
#include "arch.h"

#include <elf.h>
#include <string.h>

unsigned arch_reloc_width(unsigned type)
{
	switch (type) {
	case R_X86_64_64:
	case R_X86_64_PC64:
		return 8;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_32:
	case R_X86_64_32S:
		return 4;
	default:
		return 0;
	}
}

enum arch_reloc_result arch_reloc_apply(unsigned type, uint8_t *loc, uint64_t sa,
					uint64_t p)
{
	uint64_t v = sa;

	switch (type) {
	case R_X86_64_NONE:
		return ARCH_RELOC_OK;
	case R_X86_64_64:
		memcpy(loc, &v, 8);
		return ARCH_RELOC_OK;
	case R_X86_64_PC64:
		v -= p;
		memcpy(loc, &v, 8);
		return ARCH_RELOC_OK;
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		v -= p;
		__attribute__((fallthrough)); /* a signed 32-bit field */
	case R_X86_64_32S:
		if ((int64_t)v != (int32_t)v)
			return ARCH_RELOC_OVERFLOW;
		memcpy(loc, &v, 4);
		return ARCH_RELOC_OK;
	case R_X86_64_32:
		if (v > UINT32_MAX)
			return ARCH_RELOC_OVERFLOW;
		memcpy(loc, &v, 4);
		return ARCH_RELOC_OK;
	default:
		return ARCH_RELOC_UNSUPPORTED;
	}
}
