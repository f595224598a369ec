/* SPDX-License-Identifier: GPL-2.0-only */
/* The purgatory object (purgatory/purgatory.ro, an ELF ET_REL), embedded
 * as bytes; src/purgatory-link.c relocates a copy at load time. */
	.section .rodata
	.balign	16
	.globl	purgatory_blob
purgatory_blob:
	.incbin	"purgatory.ro"
	.globl	purgatory_blob_end
purgatory_blob_end:

	.section .note.GNU-stack, "", @progbits
