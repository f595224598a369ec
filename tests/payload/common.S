/* SPDX-License-Identifier: GPL-2.0-only */
/* mpk-payload, code and data both builds share: the GDT, the page tables
 * and the stack (in .bss), the AP check-in entry and the INIT-mode
 * real-mode trampoline. */
#include "payload.h"

	.section .data
	.balign 16
	.globl gdt, gdt_desc
gdt:	.quad 0
	.quad 0x00cf9a000000ffff	/* GDT_CODE32: flat 4 GiB, D = 1 */
	.quad 0x00af9a000000ffff	/* GDT_CODE64: L = 1 */
	.quad 0x00cf92000000ffff	/* GDT_DATA: flat 4 GiB, read/write */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt			/* lgdt in 32-bit mode reads the low 4 bytes */

/* Page tables: PML5 (used only when the 64-bit entry finds CR4.LA57 set)
 * -> PML4 -> PDPT -> 4 PDs of 2 MiB pages: identity map of the low 4 GiB.
 * Filled by the entry code (boot-mb.S in 32-bit mode, boot-elf64.S in
 * 64-bit mode), after it zeroed .bss. */
	.section .bss.pagetables, "aw", @nobits
	.balign 4096
	.globl pt_pml5, pt_pml4, pt_pdpt, pt_pd
pt_pml5: .skip 4096
pt_pml4: .skip 4096
pt_pdpt: .skip 4096
pt_pd:	 .skip 4 * 4096

	.section .bss
	.balign 16
	.globl boot_stack, boot_stack_top
boot_stack: .skip STACK_SIZE
boot_stack_top:

	.text
	.code64
/* ap_entry64: where every AP starts in our code.
 * CPU mode: 64-bit mode, paging on with an identity map of (at least) this
 * payload -- the park region's tables when the park loop jumps here (a
 * mailbox Wakeup: docs/park-abi.md), ours when it comes from tramp_start --
 * IF = 0, no usable stack (none is touched: no push, no call).
 * Checks in: finds its APIC ID (CPUID 0xB EDX when leaf 0xB is valid, else
 * CPUID 1 EBX[31:24]), claims a slot with LOCK XADD, stores APIC ID + 1
 * there, LOCK INC checkin_count, then halts with IF = 0 (only NMI, SMI,
 * INIT wake it; nothing here sends those). */
	.globl ap_entry64
ap_entry64:
	cli
	xorl %eax, %eax
	cpuid
	cmpl $0xb, %eax
	jb 1f
	movl $0xb, %eax
	xorl %ecx, %ecx
	cpuid
	testl %ebx, %ebx		/* EBX = 0: leaf 0xB not implemented */
	jz 1f
	movl %edx, %r8d
	jmp 2f
1:	movl $1, %eax
	cpuid
	shrl $24, %ebx
	movl %ebx, %r8d
2:	movl $1, %eax
	lock xaddl %eax, ap_slot(%rip)	/* RAX = our slot (upper half zeroed) */
	cmpl $MAX_CPUS, %eax
	jae 3f
	leaq checkin_ids(%rip), %rdx
	leal 1(%r8), %ecx
	movl %ecx, (%rdx,%rax,4)
3:	lock incl checkin_count(%rip)
4:	cli
	hlt
	jmp 4b

/* The INIT-SIPI trampoline: copied to TRAMP_PAGE (below 1 MiB, SIPI vector
 * TRAMP_PAGE >> 12) and run there, so every address in it is TRAMP_PAGE +
 * its offset.  payload_main fills tramp_cr3 (our PML4, below 4 GiB) and
 * tramp_target (ap_entry64) before the first SIPI.  No stack: several APs
 * could run it at once (we start them one at a time anyway).
 * CPU mode at entry: real mode, CS = TRAMP_PAGE >> 4, IP = 0, IF = 0 (as
 * after INIT-SIPI).  Then protected mode on its own GDT, then long mode
 * (CR4.PAE, our 4-level tables, EFER.LME), then ap_entry64. */
#define T(sym) (TRAMP_PAGE + ((sym) - tramp_start))
	.globl tramp_start, tramp_end, tramp_cr3, tramp_target
	.code16
tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (tramp_gdt_desc - tramp_start)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl $GDT_CODE32, $T(tramp_32)
	.code32
tramp_32:
	movw $GDT_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $0x20, %eax		/* CR4: PAE only */
	movl %eax, %cr4
	movl T(tramp_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax		/* PG | PE */
	movl %eax, %cr0
	ljmp $GDT_CODE64, $T(tramp_64)
	.code64
tramp_64:
	movl $T(tramp_target), %eax
	jmp *(%rax)
	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* GDT_CODE32 */
	.quad 0x00af9a000000ffff	/* GDT_CODE64 */
	.quad 0x00cf92000000ffff	/* GDT_DATA */
tramp_gdt_desc:
	.word 31
	.long T(tramp_gdt)
	.balign 8
tramp_cr3:	.long 0
	.long 0
tramp_target:	.quad 0
tramp_end:
	.section .note.GNU-stack, "", @progbits
