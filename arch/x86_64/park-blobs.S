/* SPDX-License-Identifier: GPL-2.0-only */
/* The park code page and the SIPI trampoline page, assembled to flat
 * 4 KiB binaries by the build (see Makefile.am) and embedded here. */
	.section .rodata
	.balign	16
	.globl	park_code_blob
park_code_blob:
	.incbin	"park.bin"
	.globl	park_code_blob_end
park_code_blob_end:
	.globl	trampoline_blob
trampoline_blob:
	.incbin	"trampoline.bin"
	.globl	trampoline_blob_end
trampoline_blob_end:

	.section .note.GNU-stack, "", @progbits
