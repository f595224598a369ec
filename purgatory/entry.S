/* Purgatory entry and exit.
 *
 * Entered by the old kernel's relocate_kernel (arch/x86/kernel/
 * relocate_kernel_64.S) on one CPU, normally the BSP:
 *   64-bit mode, CPL 0, RFLAGS.IF = 0, DF = 0
 *   CS/DS/SS: the old kernel's selectors, but GDTR and IDTR have limit 0,
 *     so nothing may reload a segment before we load our own GDT, and any
 *     exception triple-faults
 *   CR3: the kexec identity map (RAM, segments, ACPI ranges)
 *   CR4: PAE [| LA57] [| MCE on TDX]; OSFXSR = 0, so no SSE anywhere here
 *   RSP: inside the old kernel's control page, which is RAM the payload will
 *     reuse: switch away from it before the first call.
 */
#include "mpkexec/park-abi.h"
#include "mpkexec/purgatory-params.h"

/* offsetof(struct mpk_purgatory_params, flags) */
#define PARAMS_FLAGS 8
/* struct boot_handoff (purgatory/entry.h) */
#define BH_CLAIM  0
#define BH_ENTRY  8
#define BH_RSI    16
#define BH_REJOIN 24
#define BOOT_CLAIM_BSP 1

	.code64
	.text

	.globl	purgatory_start
	.type	purgatory_start, @function
purgatory_start:
	cli
	lgdt	gdt_desc(%rip)
	leaq	stack_top(%rip), %rsp
	movl	$GDT_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	/* Reload CS with a far return: there is no far jump to an absolute
	 * 64-bit target. */
	pushq	$GDT_CODE64
	leaq	1f(%rip), %rax
	pushq	%rax
	lretq
1:	/* Now on our GDT and stack.  Still IF = 0, kexec CR3.  The mailbox-
	 * only handoff (TDX) branches off here, before any C code runs, so
	 * tests/static/mailbox-path.test can check everything it executes:
	 * this function plus what purgatory_mailbox_start reaches. */
	testl	$MPK_PF_MAILBOX_APS, purgatory_params+PARAMS_FLAGS(%rip)
	jnz	2f
	call	purgatory_main
	ud2	/* purgatory_main does not return */
2:	call	purgatory_mailbox_start
	ud2	/* nor does purgatory_mailbox_start */
	.size	purgatory_start, . - purgatory_start

/* void purgatory_enter(uint64_t entry, uint64_t rsi)
 * Linux 64-bit boot protocol: identity map of the kernel, boot_params and
 * command line (the kexec CR3 purgatory_main restored covers every segment);
 * flat CS = 0x10, DS = ES = SS = 0x18 (our GDT); IF = 0; RSI = boot_params. */
	.globl	purgatory_enter
	.type	purgatory_enter, @function
purgatory_enter:
	movq	%rdi, %rax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	jmp	*%rax
	.size	purgatory_enter, . - purgatory_enter

/* purgatory_boot_vector: the WakeupVector purgatory gives firmware's BSP
 * when it hands it the boot of the next kernel (purgatory/mailbox.c,
 * mailbox_hand_over_boot).  Entered from the park loop's Wakeup: 64-bit,
 * IF = 0, the park region's identity map of the low 4 GiB (which holds
 * purgatory and, the C side checked, every segment, the entry point and
 * boot_params), the park GDT (CS 0x10, DS 0x18: Linux's boot selectors),
 * no usable stack: none is touched here.  The CPU that first sets `claim`
 * (0 -> 1 here, 0 -> 2 in C) boots the payload; so if purgatory withdrew a
 * Wakeup the BSP read just then, exactly one of them boots and the BSP
 * goes back into the park loop.  Plain memory only (the mailbox path's
 * rules: no port I/O, MSR, APIC, HLT). */
	.balign	64
	.globl	purgatory_boot_vector
	.type	purgatory_boot_vector, @function
purgatory_boot_vector:
	xorl	%eax, %eax
	movl	$BOOT_CLAIM_BSP, %ecx
	lock cmpxchgl %ecx, purgatory_boot_handoff+BH_CLAIM(%rip)
	jne	1f
	movq	purgatory_boot_handoff+BH_RSI(%rip), %rsi
	movq	purgatory_boot_handoff+BH_ENTRY(%rip), %rdi
	jmp	purgatory_enter
1:	/* purgatory boots it itself: back into the park loop, whose migrate
	 * entry takes a CPU in exactly this state */
	movq	purgatory_boot_handoff+BH_REJOIN(%rip), %rdi
	xorl	%esi, %esi
	jmp	purgatory_enter
	.size	purgatory_boot_vector, . - purgatory_boot_vector

	/* the selectors Linux's 64-bit entry expects, as in the park GDT */
	.equ	GDT_CODE64, PARK_GDT_CODE64
	.equ	GDT_DATA, PARK_GDT_DATA

	.data
	.balign	16
gdt:
	.quad	0			/* 0x00: null */
	.quad	0			/* 0x08: unused */
	.quad	GDT_DESC_CODE64		/* 0x10: code, 64-bit (L=1), DPL 0 */
	.quad	GDT_DESC_DATA		/* 0x18: data, flat 4 GiB, read/write */
gdt_end:
	.balign	8
	.word	0			/* pad so the base below is 8-aligned */
	.word	0
	.word	0
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	gdt

	.balign	8
	.globl	purgatory_boot_handoff
purgatory_boot_handoff:
	.skip	32

	.bss
	.balign	16
stack:
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
