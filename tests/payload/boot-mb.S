/* SPDX-License-Identifier: GPL-2.0-only */
/* mpk-payload.mb2: the multiboot2 header (and a multiboot v1 header with
 * the a.out kludge, so QEMU's -kernel, which loads multiboot v1 only, can
 * start the same file), and the 32-bit entry both protocols use. */
#include "payload.h"

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386    0
#define MB1_HEADER_MAGIC 0x1badb002
#define MB1_FLAGS        ((1 << 1) | (1 << 16))	/* memory info; load/entry addresses below */

	.section .mbheader, "a"
	.balign 8
mb2_header:				/* first 32 KiB of the file, 8-byte aligned */
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* No address tag: the ELF program header says where the bytes go. */
	.balign 8
	.word 0, 0			/* end tag */
	.long 8
mb2_header_end:
	.balign 4
mb1_header:				/* first 8 KiB of the file, 4-byte aligned */
	.long MB1_HEADER_MAGIC
	.long MB1_FLAGS
	.long -(MB1_HEADER_MAGIC + MB1_FLAGS)
	.long mb1_header		/* header_addr */
	.long _load_start		/* load_addr: the first byte of the PT_LOAD */
	.long _load_end			/* load_end_addr */
	.long _bss_end			/* bss_end_addr */
	.long _start			/* entry_addr */

	.text
	.code32
/* CPU mode at entry (multiboot v1 and v2 alike): 32-bit protected mode,
 * paging off, flat CS/DS/ES/SS, IF = 0 (cleared anyway), no stack,
 * EAX = magic (MB2_MAGIC or MB1_MAGIC), EBX = the information structure
 * (physical, below 4 GiB).  The loader's GDT is not used after our lgdt. */
	.globl _start
_start:
	cli
	cld
	movl %eax, %ebp			/* magic */
	movl %ebx, %esi			/* info */
	/* .bss: zeroed here whatever the loader did (no stack yet) */
	movl $_bss_start, %edi
	movl $_bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $boot_stack_top, %esp
	lgdt gdt_desc
	movw $GDT_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	/* identity map of the low 4 GiB in 2 MiB pages (payload.h) */
	movl $pt_pdpt + 3, pt_pml4
	movl $pt_pml4 + 3, pt_pml5
	movl $pt_pd + 3, %eax
	movl %eax, pt_pdpt
	addl $0x1000, %eax
	movl %eax, pt_pdpt + 8
	addl $0x1000, %eax
	movl %eax, pt_pdpt + 16
	addl $0x1000, %eax
	movl %eax, pt_pdpt + 24
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB page */
	cmpl $1536, %ecx
	jb 2f
	orl $0x18, %eax			/* the 4th GiB (MMIO, local APIC): PCD | PWT */
2:	movl %eax, pt_pd(,%ecx,8)	/* high half stays 0 (.bss) */
	incl %ecx
	cmpl $2048, %ecx
	jb 1b
	/* long mode: PAE, CR3, EFER.LME, PG */
	movl $0x20, %eax
	movl %eax, %cr4
	movl $pt_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax
	movl %eax, %cr0
	ljmp $GDT_CODE64, $start64

	.code64
/* 64-bit mode on our tables and GDT. */
start64:
	movw $GDT_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	leaq boot_stack_top(%rip), %rsp
	movl %ebp, %edi			/* magic */
	movl %esi, %esi			/* info, zero-extended */
	movl $ENTRY_MULTIBOOT, %edx
	call payload_main
3:	cli
	hlt
	jmp 3b
	.section .note.GNU-stack, "", @progbits
