/* SPDX-License-Identifier: GPL-2.0-only */
/* mpk-payload.elf64: the ELF64 entry, in 64-bit mode. */
#include "payload.h"

	.text
	.code64
/* CPU mode at entry (purgatory's MPK_ENTRY_LINUX64 with --args-linux,
 * MPK_ENTRY_64_IDENTITY with --args-none): 64-bit mode, paging on with an
 * identity map covering at least this image (which tables, and whether
 * CR4.LA57 is set, is the loader's business: we switch to our own), IF = 0
 * (cleared anyway), RSI = a Linux boot_params (--args-linux) or 0, RSP
 * not usable (0 with --args-none). */
	.globl _start
_start:
	cli
	cld
	movq %rsi, %r12			/* boot_params or 0 */
	/* .bss: zeroed here whatever the loader did (no stack yet) */
	leaq _bss_start(%rip), %rdi
	leaq _bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	leaq boot_stack_top(%rip), %rsp
	/* identity map of the low 4 GiB in 2 MiB pages (payload.h) */
	leaq pt_pdpt(%rip), %rax
	orq $3, %rax
	movq %rax, pt_pml4(%rip)
	leaq pt_pml4(%rip), %rax
	orq $3, %rax
	movq %rax, pt_pml5(%rip)
	leaq pt_pd(%rip), %rax
	orq $3, %rax
	leaq pt_pdpt(%rip), %rdi
	movl $4, %ecx
1:	movq %rax, (%rdi)
	addq $0x1000, %rax
	addq $8, %rdi
	decl %ecx
	jnz 1b
	leaq pt_pd(%rip), %rdi
	xorl %ecx, %ecx
2:	movq %rcx, %rax
	shlq $21, %rax
	orq $0x83, %rax			/* present, writable, 2 MiB page */
	cmpl $1536, %ecx
	jb 3f
	orq $0x18, %rax			/* the 4th GiB (MMIO, local APIC): PCD | PWT */
3:	movq %rax, (%rdi,%rcx,8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b
	/* CR4.LA57 cannot change with paging on: with 5-level paging the
	 * root is pt_pml5, whose entry 0 is our PML4. */
	leaq pt_pml4(%rip), %rax
	movq %cr4, %rdx
	btq $12, %rdx
	jnc 4f
	leaq pt_pml5(%rip), %rax
4:	movq %rax, %cr3
	lgdt gdt_desc(%rip)
	pushq $GDT_CODE64
	leaq 5f(%rip), %rax
	pushq %rax
	lretq
5:	movw $GDT_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	xorl %edi, %edi			/* no magic */
	movq %r12, %rsi
	movl $ENTRY_ELF64, %edx
	call payload_main
6:	cli
	hlt
	jmp 6b
	.section .note.GNU-stack, "", @progbits
