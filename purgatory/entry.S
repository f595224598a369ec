/* SPDX-License-Identifier: GPL-2.0-only */
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
/* the 32-bit exit */
#define CR0_PG    0x80000000
#define CR4_MCE   0x40
#define MSR_EFER  0xc0000080
#define EFER_LME  0x100

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

/* void purgatory_enter_identity64(uint64_t entry)   (MPK_ENTRY_64_IDENTITY)
 * Entered with: 64-bit mode, IF = 0, our GDT (CS 0x10 64-bit, data 0x18),
 * CR3 = purgatory's identity map of the low 4 GiB (the C caller switched
 * to it; 4- or 5-level as CR4.LA57 already was: LA57 cannot change with
 * paging on).  Leaves with every general register 0, RSP included (the
 * payload sets up its own stack, as its entry convention says), and jumps
 * through a slot in purgatory's data: no register may carry the target. */
	.globl	purgatory_enter_identity64
	.type	purgatory_enter_identity64, @function
purgatory_enter_identity64:
	movq	%rdi, exit64_target(%rip)
	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%esi, %esi
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	xorl	%esp, %esp
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
	xorl	%r10d, %r10d
	xorl	%r11d, %r11d
	xorl	%r12d, %r12d
	xorl	%r13d, %r13d
	xorl	%r14d, %r14d
	xorl	%r15d, %r15d
	jmp	*exit64_target(%rip)
	.size	purgatory_enter_identity64, . - purgatory_enter_identity64

/* void purgatory_enter32(uint32_t entry, uint32_t eax, uint32_t ebx,
 *                        uint32_t esi)                      (MPK_ENTRY_32)
 * void purgatory_enter32_keep_efer(...same...)   (the mailbox-only path)
 *
 * Leaves long mode for 32-bit protected mode with paging off and jumps to
 * `entry` with EAX/EBX/ESI as given, every other general register 0 (ESP
 * included), IF = 0, CS = 0x10 (flat 4 GiB 32-bit code) and DS = ES = SS =
 * FS = GS = 0x18 (flat 4 GiB data), in gdt32 below: Linux's 32-bit boot
 * protocol needs exactly __BOOT_CS 0x10 / __BOOT_DS 0x18, multiboot and
 * multiboot2 take any flat segments.  GDTR stays on gdt32 (in purgatory's
 * memory, which the payload may reuse once it has its own GDT); IDTR is
 * still the old kernel's limit-0 table.
 *
 * Mode assumptions, checked by the callers (purgatory.c, mailbox.c) and
 * the loader:
 *   - on entry: 64-bit mode, CPL 0, IF = 0, CR4.PCIDE = 0 (relocate_kernel
 *     leaves CR4 = PAE [| LA57] [| MCE]; clearing CR0.PG with PCIDE set
 *     would #GP);
 *   - this code, its data and its stack lie below 4 GiB (the loader places
 *     purgatory there) and CR3 maps them 1:1 (purgatory's own map of the
 *     low 4 GiB), so execution carries on at the same addresses when
 *     paging goes off;
 *   - `entry` is below 4 GiB (struct mpk_purgatory_params says so).
 *
 * The steps (Intel SDM, "Leaving IA-32e mode"): load gdt32; far return to
 * its 32-bit code segment: compatibility mode, still paged; clear CR0.PG:
 * EFER.LMA drops to 0, the CPU is in legacy 32-bit protected mode with
 * paging off; clear CR4 but for MCE (PAE and LA57 are now free to change;
 * MCE must stay set in a TDX guest, which #VEs on clearing it); clear
 * EFER.LME so that a payload enabling PAE paging itself gets 32-bit PAE
 * paging, not long mode.
 *
 * The mailbox-only (TDX) variant differs only in EFER: a TD #VEs on a
 * WRMSR to EFER (Linux's trampoline skips the write when EFER already
 * holds the value; there is no #VE handler here: IDTR limit 0) and the
 * path has no MSR access at all (tests/static/mailbox-path.test).  So it
 * leaves EFER.LME = 1: with CR0.PG = 0, LMA is 0 and the CPU is in plain
 * 32-bit protected mode all the same; only a payload that turns on PAE
 * paging without writing EFER would find itself in long mode.  Its CR0
 * and CR4 writes are the ones a TD allows: clearing CR0.PG with PE and NE
 * kept (Linux's trampoline_64.S does it in a TD when LA57 differs, OVMF's
 * TDX AP loop on every ResetVector), CR4 = MCE (OVMF's TDX AP loop writes
 * exactly that).
 *
 * The last instruction is a far jump whose offset this code writes (a
 * 32-bit store into .Lexit32_jump below, before the switch): with every
 * register but EAX/EBX/ESI zero there is none to jump through, and an
 * absolute data address would need a 32-bit relocation of purgatory's
 * address.  The store is followed by the far return and MOV CR0, both of
 * which end the instruction stream the CPU may have fetched (MOV CR0 is
 * serializing), so the new offset is the one executed. */
	.globl	purgatory_enter32
	.type	purgatory_enter32, @function
purgatory_enter32:
	leaq	exit32_clear_efer(%rip), %r8
	jmp	exit32_switch
	.size	purgatory_enter32, . - purgatory_enter32

	.globl	purgatory_enter32_keep_efer
	.type	purgatory_enter32_keep_efer, @function
purgatory_enter32_keep_efer:
	leaq	exit32_keep_efer(%rip), %r8
	jmp	exit32_switch
	.size	purgatory_enter32_keep_efer, . - purgatory_enter32_keep_efer

/* 64-bit: R8 = the 32-bit code to continue in (one of the two below). */
	.type	exit32_switch, @function
exit32_switch:
	movl	%edi, .Lexit32_jump+1(%rip)	/* the ljmpl's offset */
	movl	%esi, exit32_regs+0(%rip)	/* EAX */
	movl	%edx, exit32_regs+4(%rip)	/* EBX */
	movl	%ecx, exit32_regs+8(%rip)	/* ESI */
	lgdt	gdt32_desc(%rip)
	/* EBP: the register block, for the 32-bit code (below 4 GiB, so
	 * its upper half is 0 and the 32-bit EBP is the same address) */
	leaq	exit32_regs(%rip), %rbp
	pushq	$GDT32_CODE
	pushq	%r8
	lretq		/* to compatibility mode: CS.L = 0, D = 1 */
	.size	exit32_switch, . - exit32_switch

	.code32
/* Compatibility mode, paging still on (identity), on gdt32. */
	.type	exit32_clear_efer, @function
exit32_clear_efer:
	movl	%cr0, %eax
	andl	$(CR0_PG - 1), %eax	/* CR0.PG is bit 31: keep the rest */
	movl	%eax, %cr0	/* legacy protected mode, paging off, LMA = 0 */
	movl	%cr4, %eax
	andl	$CR4_MCE, %eax
	movl	%eax, %cr4	/* PAE, LA57 (and the rest) off */
	movl	$MSR_EFER, %ecx
	rdmsr
	andl	$~EFER_LME, %eax
	wrmsr		/* LME may change now: paging is off */
	jmp	exit32_finish
	.size	exit32_clear_efer, . - exit32_clear_efer

/* The same without EFER (mailbox-only path; see above why). */
	.type	exit32_keep_efer, @function
exit32_keep_efer:
	movl	%cr0, %eax
	andl	$(CR0_PG - 1), %eax	/* CR0.PG is bit 31: keep the rest */
	movl	%eax, %cr0	/* legacy protected mode, paging off, LMA = 0 */
	movl	%cr4, %eax
	andl	$CR4_MCE, %eax
	movl	%eax, %cr4
	jmp	exit32_finish
	.size	exit32_keep_efer, . - exit32_keep_efer

/* 32-bit protected mode, paging off; EBP = exit32_regs. */
	.type	exit32_finish, @function
exit32_finish:
	movl	$GDT32_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	0(%ebp), %eax
	movl	4(%ebp), %ebx
	movl	8(%ebp), %esi
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%esp, %esp
	xorl	%ebp, %ebp
.Lexit32_jump:
	ljmpl	$GDT32_CODE, $0	/* offset = the payload's entry, written above */
	.size	exit32_finish, . - exit32_finish
	.code64

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

	/* Linux's 32-bit boot selectors (__BOOT_CS, __BOOT_DS) */
	.equ	GDT32_CODE, 0x10
	.equ	GDT32_DATA, 0x18

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

	/* The 32-bit exit's GDT: same selectors, 32-bit code at 0x10. */
	.balign	16
gdt32:
	.quad	0			/* 0x00: null */
	.quad	0			/* 0x08: unused */
	.quad	GDT_DESC_CODE32		/* 0x10: code, 32-bit (D=1), flat 4 GiB */
	.quad	GDT_DESC_DATA		/* 0x18: data, flat 4 GiB, read/write */
gdt32_end:
	.balign	8
	.word	0
	.word	0
	.word	0
gdt32_desc:
	.word	gdt32_end - gdt32 - 1
	.quad	gdt32

	.balign	8
exit64_target:
	.quad	0
exit32_regs:
	.long	0, 0, 0			/* EAX, EBX, ESI */

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
