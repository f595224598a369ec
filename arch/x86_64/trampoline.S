/* SPDX-License-Identifier: GPL-2.0-only */
/* The SIPI trampoline: one 4 KiB page below 1 MiB where an AP woken by
 * INIT-SIPI-SIPI starts, and climbs from real mode to 64-bit mode to enter
 * the park region.  Only used while purgatory gathers CPUs; afterwards the
 * page is ordinary RAM the next kernel may reuse.
 *
 * Fields at TRAMP_* offsets (include/mpkexec/park-abi.h) are filled by the
 * loader (addresses) and by purgatory (CR3/CR4/EFER copied from the CPU
 * running purgatory, so the AP's paging matches: 4- or 5-level).  No stack
 * is used: every AP runs this concurrently.
 */
#include "mpkexec/park-abi.h"

#define CR0_PE    (1 << 0)
#define CR0_ET    (1 << 4)
#define CR0_NE    (1 << 5)
#define CR0_PG    (1 << 31)
#define MSR_EFER  0xc0000080

	.text
	.code16
tramp_start:
	/* Real mode, CS = page >> 4, IP = 0.  IF = 0 after INIT. */
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	movzwl	%ax, %ebx
	shll	$4, %ebx			/* EBX = linear base of this page */
	lgdtl	TRAMP_GDT_DESC
	movl	%cr0, %eax
	orl	$CR0_PE, %eax
	movl	%eax, %cr0
	ljmpl	*TRAMP_PM_JUMP			/* -> tramp_pm32, CS = 0x08 */

	.code32
tramp_pm32:
	/* 32-bit protected mode, paging off, flat segments. EBX = base. */
	movl	$TRAMP_SEL_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	TRAMP_CR4(%ebx), %eax		/* PAE [| LA57] [| MCE] */
	movl	%eax, %cr4
	movl	TRAMP_CR3(%ebx), %eax		/* the park region's PML4/PML5 */
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	movl	TRAMP_EFER(%ebx), %eax		/* LME [| NXE] [| SCE], as the BSP */
	xorl	%edx, %edx
	wrmsr
	/* Paging on with caches enabled (INIT left CD/NW set). */
	movl	$(CR0_PG | CR0_NE | CR0_ET | CR0_PE), %eax
	movl	%eax, %cr0
	ljmpl	*TRAMP_LM_JUMP(%ebx)		/* -> tramp_lm64, CS = 0x10 */

	.code64
tramp_lm64:
	/* 64-bit mode on the park page tables.  Upper halves of registers
	 * are undefined after the mode switch: zero-extend the base. */
	movl	%ebx, %ebx
	jmpq	*TRAMP_PARK_ENTRY(%rbx)		/* park region, PARK_ENTRY_SIPI */

	.org	TRAMP_GDT
tramp_gdt:
	.quad	0				/* 0x00 null */
	.quad	GDT_DESC_CODE32			/* 0x08 code, 32-bit flat */
	.quad	GDT_DESC_CODE64			/* 0x10 code, 64-bit */
	.quad	GDT_DESC_DATA			/* 0x18 data, flat */
	.org	TRAMP_GDT_DESC
	.word	4 * 8 - 1
	.long	0				/* base: page + TRAMP_GDT (loader) */
	.org	TRAMP_PM_JUMP
	.long	0				/* page + tramp_pm32 (loader) */
	.word	TRAMP_SEL_CODE32
	.org	TRAMP_LM_JUMP
	.long	0				/* page + tramp_lm64 (loader) */
	.word	PARK_GDT_CODE64
	.org	TRAMP_CR4
	.long	0
	.org	TRAMP_CR3
	.long	0
	.org	TRAMP_EFER
	.long	0
	.org	TRAMP_PARK_ENTRY
	.quad	0
	.org	TRAMP_PM32_OFF_CHECK
	.long	tramp_pm32 - tramp_start	/* where tramp_pm32 is, for the loader */
	.long	tramp_lm64 - tramp_start
	.org	0x1000
	.section .note.GNU-stack, "", @progbits
