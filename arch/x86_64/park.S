/* SPDX-License-Identifier: GPL-2.0-only */
/* The park loop: the code page of a park region (include/mpkexec/
 * park-abi.h, docs/park-abi.md).  It is the firmware side of the ACPI MADT
 * Multiprocessor Wakeup mailbox, version 1, for CPUs mpkexec gathered.
 *
 * Assembled as one 4 KiB page that the loader copies to region offset
 * PARK_CODE_OFF and patches (CR3 values, GDT base, IDT gates and bases).
 * Position independent: the mailbox, per-CPU table and stacks are found
 * RIP-relative from this page.
 *
 * Rules (they hold on the TDX path too): no port I/O, no MMIO, no
 * HLT/MWAIT, no IPIs, no MSR access, no APIC access; only PAUSE, ordinary
 * memory (LOCK CMPXCHG included), LGDT/LIDT and IRETQ.  CPUID (leaves 0, 1,
 * 0x21, and 0xB outside a TD), one TDVMCALL<CPUID> in a TD (step 4) and
 * RDTSC are the only other instructions that leave the core.
 *
 * Interrupts and exceptions (ABI 2, issue 10).  IF is 0 throughout, so
 * only NMIs, exceptions and machine checks arrive; a kernel's crash path
 * sends an NMI to every other CPU, parked ones included.  Two IDTs live in
 * this page (gates patched by the loader to absolute addresses):
 *  - the ENTRY IDT, loaded by the first instructions of every entry
 *    together with our GDT and RSP = a scratch area in this page, shared by
 *    every CPU entering at once.  Its handlers never read the frame the CPU
 *    pushed there: every vector restarts the entry (park_common; EBP, how
 *    we came, survives), #MC stops the CPU.  An NMI taken this way stays
 *    blocked until the IRETQ that ends the entry.
 *  - the LOOP IDT, loaded once the CPU is on its own stack: NMI -> IRETQ
 *    (touches no register and no memory: also safe if it arrives after a
 *    Wakeup jump, before the next kernel loads its own IDT); #MC -> stop;
 *    any other exception -> re-enter (park_common) with how =
 *    PARK_HOW_EXCEPTION | vector << 8: back in the loop, on the same stack.
 * The entry ends with an IRETQ into the loop, which also unblocks NMIs
 * (a CPU sent to the ResetVector from a kernel's crash NMI handler arrives
 * with NMIs blocked).
 *
 * #MC is not returned from: MCG_STATUS (RIPV, MCIP) cannot be read or
 * cleared without MSR access, which the TDX rules forbid, and a second
 * #MC with MCIP set shuts the CPU down anyway.  The CPU re-enters, marks
 * its record PARK_STATE_STOPPED (how PARK_HOW_MACHINE_CHECK) and spins with
 * PAUSE off the mailbox, so nobody is offered a CPU that does not answer.
 *
 * Stacks.  Worst case on one stack: an exception with an error code
 * (48 bytes), an NMI inside its handler (aligned, 48), a #MC inside that
 * (48): 144 of PARK_STACK_SIZE = 192.  Handlers push nothing.  A CPU with
 * record i uses stack i; one without a record claims a spare stack keyed
 * by its APIC ID (LOCK CMPXCHG on the owner table, never freed, so the
 * same CPU always gets the same one and no two CPUs share one).  A CPU
 * with no APIC ID (TD, VMM refused) or no spare left never gets a stack:
 * it spins off the mailbox on the entry IDT.
 */
#include "mpkexec/park-abi.h"

#define CR4_PAE   (1 << 5)
#define CR4_MCE   (1 << 6)
#define CR4_LA57  (1 << 12)

/* CPUID leaf 0x21 in a TDX guest: "IntelTDX    " in EBX, EDX, ECX. */
#define TDX_SIG_EBX 0x65746e49	/* "Inte" */
#define TDX_SIG_EDX 0x5844546c	/* "lTDX" */
#define TDX_SIG_ECX 0x20202020	/* "    " */
#define TDVMCALL_EXPOSE_R10_R15 0xfc00
#define EXIT_REASON_CPUID 10

	.code64
	.text
park_page:

/* Entry from the SIPI trampoline: 64-bit, IF = 0, already on this region's
 * page tables and GDT.  RBX: anything. */
	.org	PARK_ENTRY_SIPI
park_entry_sipi:
	movl	$PARK_HOW_INIT_SIPI, %ebp
	jmp	park_common

/* Entry as a WakeupVector of another mailbox (firmware's, or an older park
 * region's): 64-bit, IF = 0, that firmware's identity map (covering at
 * least this page), its GDT.  Used to migrate CPUs into this region. */
	.org	PARK_ENTRY_MIGRATE, 0x90
park_entry_migrate:
	movl	$PARK_HOW_MIGRATED, %ebp
	jmp	park_common

/* The MADT v1 ResetVector: a kernel jumps here when it offlines a CPU or
 * stops it for kexec (Linux >= 6.11 asm_acpi_mp_play_dead).  64-bit, IF = 0,
 * CR3 = the kernel's identity map, which covers THIS PAGE ONLY of the region;
 * RSP, GDTR and IDTR still point at unmapped kernel memory.  So: touch
 * nothing outside this page until CR3 is ours; our GDT, entry IDT and
 * scratch stack (all in this page) come first.
 *
 * EBP = how we came (PARK_HOW_*) from here until the record is written;
 * the entry IDT's handlers restart park_common and keep it. */
	.org	PARK_RESET_VECTOR, 0x90
park_reset_vector:
	movl	$PARK_HOW_RESET_VECTOR, %ebp
	/* fall through */

park_common:
	cli
	/* 0. Our GDT, the entry IDT and the scratch stack, first: from here on
	 *    an NMI or exception restarts park_common (handlers below). */
	lgdt	park_gdt_desc(%rip)
	lidt	park_idt_entry_desc(%rip)
	leaq	park_scratch_top(%rip), %rsp
	/* 1. Our own page tables, same paging depth as now (CR4.LA57 cannot
	 *    change with paging on).  The CR3 values live in this page. */
	movq	%cr4, %rax
	movq	park_cr3_4level(%rip), %rcx
	testl	$CR4_LA57, %eax
	jz	1f
	movq	park_cr3_5level(%rip), %rcx
1:	movq	%rcx, %cr3
	/* 2. CR4 = PAE [| LA57] [| MCE]: PCIDE and PGE off, as a WakeupVector
	 *    expects (a kernel that drops to 32-bit mode needs PCIDE = 0);
	 *    MCE kept: clearing it is a #VE in a TDX guest. */
	andl	$(CR4_PAE | CR4_LA57 | CR4_MCE), %eax
	movq	%rax, %cr4
	/* 3. Flat data selectors of our GDT (loaded in step 0).  CS keeps its
	 *    cached 64-bit descriptor; selector 0x10 is code64 in our GDT too. */
	movl	$PARK_GDT_DATA, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	/* 4. Our APIC ID, as the OS will write it into the mailbox: the
	 *    x2APIC ID (leaf 0xB EDX) where leaf 0xB is implemented, else the
	 *    8-bit initial APIC ID (leaf 1 EBX[31:24]).
	 *
	 *    TDX: a #VE would only restart the entry, forever, so nothing here
	 *    may raise one.  The TDX
	 *    module answers CPUID leaves 0x0, 0x1 and 0x21 itself (Linux's
	 *    decompressor, which has no #VE handler, runs them to detect
	 *    TDX), but leaf 0xB raises #VE unless the VMM configured topology
	 *    enumeration (TDX 1.0 always does: Linux "x86/tdx: Enable CPU
	 *    topology enumeration").  So in a TD (leaf 0x21 says "IntelTDX    ")
	 *    leaf 0xB is asked of the VMM with TDG.VP.VMCALL<Instruction.CPUID>,
	 *    exactly as TDVF's own mailbox loop (OvmfPkg ApRunLoop.nasm) gets
	 *    the x2APIC ID it compares with the mailbox's ApicId.  Same rule
	 *    in purgatory (purgatory/cpu.h, cpu_apic_id). */
	xorl	%eax, %eax
	cpuid
	movl	%eax, %r8d		/* R8 = highest basic leaf */
	cmpl	$0x21, %r8d
	jb	1f
	movl	$0x21, %eax
	xorl	%ecx, %ecx
	cpuid
	cmpl	$TDX_SIG_EBX, %ebx
	jne	1f
	cmpl	$TDX_SIG_EDX, %edx
	jne	1f
	cmpl	$TDX_SIG_ECX, %ecx
	jne	1f
	/* A TD: TDG.VP.VMCALL (RAX 0), R10-R15 exposed, R10 0 (standard),
	 * R11 = exit reason CPUID, R12/R13 = leaf/subleaf; out: RAX and R10
	 * status 0, R12-R15 = EAX/EBX/ECX/EDX.  EBP (how we came) is not
	 * exposed. */
	xorl	%eax, %eax
	movl	$TDVMCALL_EXPOSE_R10_R15, %ecx
	xorl	%r10d, %r10d
	movl	$EXIT_REASON_CPUID, %r11d
	movl	$0xb, %r12d
	xorl	%r13d, %r13d
	.byte	0x66, 0x0f, 0x01, 0xcc	/* tdcall */
	orq	%r10, %rax
	movl	%r15d, %r12d		/* EDX came back in R15 */
	jnz	park_no_id		/* flags from the orq: no ID, no service */
	jmp	3f
1:	cmpl	$0xb, %r8d
	jb	2f
	movl	$0xb, %eax
	xorl	%ecx, %ecx
	cpuid
	testl	%ebx, %ebx		/* EBX = 0: leaf 0xB not implemented */
	jz	2f
	movl	%edx, %r12d
	jmp	3f
2:	movl	$1, %eax
	cpuid
	shrl	$24, %ebx
	movl	%ebx, %r12d
3:
	/* 5. Find our per-CPU record: R14 = mailbox, R13 = record or 0,
	 *    ESI = its index = our stack's. */
	leaq	(park_page - PARK_CODE_OFF)(%rip), %r14
	leaq	PARK_CPUS_OFF(%r14), %r13
	movl	(PARK_HEADER_OFF + PARK_HDR_NR_CPUS)(%r14), %ecx
	cmpl	$PARK_MAX_CPUS, %ecx
	jbe	4f
	movl	$PARK_MAX_CPUS, %ecx
4:	xorl	%esi, %esi
5:	cmpl	%ecx, %esi
	jae	park_spare		/* not listed: a spare stack */
	cmpl	%r12d, PARK_CPU_APIC_ID(%r13)
	je	6f
	addq	$PARK_CPU_SIZE, %r13
	incl	%esi
	jmp	5b
6:	/* Listed.  A machine check brought us here: stop (see the top). */
	cmpl	$PARK_HOW_MACHINE_CHECK, %ebp
	jne	7f
	movl	%ebp, PARK_CPU_HOW(%r13)
	movl	$PARK_STATE_STOPPED, PARK_CPU_STATE(%r13)
	jmp	park_stopped
7:	movl	%ebp, PARK_CPU_HOW(%r13)
	leal	1(%rsi), %eax
	movl	%eax, PARK_CPU_STACK(%r13)
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	movq	%rax, PARK_CPU_ARRIVED_TSC(%r13)
	/* Stores are seen in order (x86-TSO): state last. */
	movl	$PARK_STATE_PARKED, PARK_CPU_STATE(%r13)

	/* 6. Our stack (index ESI), the loop IDT, and IRETQ into the loop:
	 *    IF = 0, RFLAGS otherwise clear; this IRETQ unblocks NMIs. */
park_to_loop:
	imull	$PARK_STACK_SIZE, %esi, %esi
	leaq	(PARK_STACKS_OFF + PARK_STACK_SIZE)(%r14,%rsi), %rsp
	lidt	park_idt_loop_desc(%rip)
	movq	%rsp, %rax
	pushq	$PARK_GDT_DATA		/* SS */
	pushq	%rax			/* RSP: the top of our stack */
	pushq	$2			/* RFLAGS: IF = 0 */
	pushq	$PARK_GDT_CODE64	/* CS */
	leaq	park_loop(%rip), %rax
	pushq	%rax			/* RIP */
	iretq

/* Not listed: spare stack j, the one whose owner is our APIC ID + 1, or
 * the first free one (claimed with LOCK CMPXCHG).  Owners are only ever
 * claimed in order and never freed, so a free one means ours is not
 * further on.  R13 = 0: the loop serves the mailbox without a record. */
park_spare:
	xorl	%r13d, %r13d
	cmpl	$PARK_HOW_MACHINE_CHECK, %ebp
	je	park_stopped
	leal	1(%r12), %edx		/* the key: APIC ID + 1 */
	testl	%edx, %edx
	jz	park_no_id		/* 0xffffffff is no APIC ID */
	xorl	%esi, %esi
8:	cmpl	$PARK_SPARE_STACKS, %esi
	jae	park_no_id		/* none left: no stack, no mailbox */
	movl	PARK_SPARE_OFF(%r14,%rsi,4), %eax
	cmpl	%edx, %eax
	je	9f
	testl	%eax, %eax
	jnz	10f
	lock cmpxchgl %edx, PARK_SPARE_OFF(%r14,%rsi,4)	/* 0 -> key */
	je	9f
	cmpl	%edx, %eax
	je	9f
10:	incl	%esi
	jmp	8b
9:	addl	$PARK_MAX_CPUS, %esi
	jmp	park_to_loop

/* The loop.  R12 = our APIC ID, R13 = our record (or 0), R14 = mailbox.
 *
 * Ordering.  The OS (Linux acpi_wakeup_cpu, and purgatory's mailbox_wakeup)
 * writes ApicId, then WakeupVector, then Command last; the addressed CPU
 * acknowledges by writing Command = 0, and the OS writes the next ApicId
 * only after it has seen that 0.  So a Command read BEFORE ApicId may
 * belong to the previous CPU's request: e.g. we read Command = Test meant
 * for CPU X; X acks; the OS writes ApicId = us, then Command = Wakeup; we
 * read ApicId = us and would act on the stale Test, clearing the Wakeup
 * meant for us without jumping.  Hence Command is read AGAIN after the
 * ApicId match, and only that value is acted on.  x86-TSO makes this
 * enough: loads are not reordered with older loads, and stores become
 * visible to all CPUs in one order that respects causality.  Our second
 * Command load follows the ApicId load that saw our ID, which the OS wrote
 * after it saw X's ack; so it returns 0 (our command not written yet: spin
 * again) or the command for us, never X's.  WakeupVector, written before
 * that Command, is read after it, so it is ours too.  The first read only
 * keeps the loop off ApicId while the mailbox is idle.  Firmware's loops
 * (OVMF/TDVF) likewise compare ApicId and then read Command again. */
park_loop:
	pause
	cmpw	$MBOX_CMD_NOOP, MBOX_COMMAND(%r14)	/* idle: nothing to look at */
	je	park_loop
	cmpl	%r12d, MBOX_APIC_ID(%r14)
	jne	park_loop			/* someone else's command: leave it */
	movzwl	MBOX_COMMAND(%r14), %eax	/* re-read: the command for us */
	testl	%eax, %eax
	jz	park_loop
	cmpl	$MBOX_CMD_WAKEUP, %eax
	je	park_wakeup
	cmpl	$MBOX_CMD_TEST, %eax
	jne	park_loop			/* unknown: leave it pending */
	/* Test: we are in the loop, say so by clearing Command. */
	testq	%r13, %r13
	jz	7f
	incl	PARK_CPU_TESTS(%r13)
7:	movw	$MBOX_CMD_NOOP, MBOX_COMMAND(%r14)
	jmp	park_loop

park_wakeup:
	/* Read the vector BEFORE the acknowledgement: once Command is 0 the
	 * OS may write the next CPU's ApicId and WakeupVector. */
	movq	MBOX_WAKEUP_VECTOR(%r14), %rax
	testq	%r13, %r13
	jz	8f
	incl	PARK_CPU_WAKEUPS(%r13)
	movl	$PARK_STATE_WOKEN, PARK_CPU_STATE(%r13)
8:	/* The acknowledgement: a plain store is a release on x86-TSO. */
	movw	$MBOX_CMD_NOOP, MBOX_COMMAND(%r14)
	/* As the spec promises: 64-bit, IF = 0, identity map of the low
	 * 4 GiB, flat selectors, CR4.PCIDE = 0, CR0.NE as it was (set). */
	jmp	*%rax

/* The VMM would not tell a TD vCPU its APIC ID, or an unlisted CPU found
 * no spare stack: it cannot be served safely, so it never checks in
 * (purgatory reports it and disables it in the MADT).  Spin on the entry
 * IDT (an NMI restarts the entry and comes back here); PAUSE only. */
park_no_id:
park_stopped:
	pause
	jmp	park_stopped

/* Handlers.  Entry IDT: every vector restarts the entry (the frame on the
 * shared scratch stack is never read), #MC stops. */
park_restart:
	jmp	park_common
park_mce:
	movl	$PARK_HOW_MACHINE_CHECK, %ebp
	jmp	park_common

/* Loop IDT.  NMI: return to where it struck, every register and flag
 * as it was (IRETQ restores RFLAGS). */
park_nmi:
	iretq

/* Loop IDT, other exceptions: re-enter with how = PARK_HOW_EXCEPTION |
 * vector << 8 (the entry resets RSP, so an error code needs no popping).
 * Re-entering does not depend on any register, so this is also right
 * after a Wakeup jump, while the next kernel still runs on our IDT. */
	.irp	v, 0,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,19,20,21,22,23,24,25,26,27,28,29,30,31
park_exc_\v:
	movl	$(PARK_HOW_EXCEPTION | (\v << 8)), %ebp
	jmp	park_common
	.endr
park_text_end:

/* Data, patched by the loader (arch/x86_64/park-region.c). */

/* A 64-bit interrupt gate, DPL 0, IST 0, selector code64.  The offset
 * holds the handler's offset in this page; the loader adds the page's
 * physical address (below 4 GiB: the high half stays 0). */
	.macro	gate handler
	.word	\handler - park_page
	.word	PARK_GDT_CODE64
	.byte	0, 0x8e
	.word	0
	.long	0, 0
	.endm

	.org	PARK_CODE_TEXT_END	/* fails if the code grew past it */
	.org	PARK_CODE_IDT_LOOP
park_idt_loop:
	.irp	v, 0,1
	gate	park_exc_\v
	.endr
	gate	park_nmi		/* 2 */
	.irp	v, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
	gate	park_exc_\v
	.endr
	gate	park_mce		/* 18 */
	.irp	v, 19,20,21,22,23,24,25,26,27,28,29,30,31
	gate	park_exc_\v
	.endr
	.org	PARK_CODE_IDT_ENTRY
park_idt_entry:
	.rept	18
	gate	park_restart
	.endr
	gate	park_mce		/* 18 */
	.rept	13
	gate	park_restart
	.endr
	/* The scratch stack: frames pushed while entering, never read. */
	.org	PARK_CODE_SCRATCH_TOP
park_scratch_top:
	.org	PARK_CODE_CR3_4LEVEL
park_cr3_4level:
	.quad	0
	.org	PARK_CODE_CR3_5LEVEL
park_cr3_5level:
	.quad	0
	.org	PARK_CODE_GDT
park_gdt:
	.quad	0			/* 0x00 null */
	.quad	0			/* 0x08 unused */
	.quad	GDT_DESC_CODE64		/* 0x10 code, 64-bit */
	.quad	GDT_DESC_DATA		/* 0x18 data, flat */
	.org	PARK_CODE_GDT_DESC
park_gdt_desc:
	.word	4 * 8 - 1
	.quad	0			/* base: region + PARK_CODE_OFF + PARK_CODE_GDT */
	.org	PARK_CODE_IDT_LOOP_DESC
park_idt_loop_desc:
	.word	PARK_IDT_GATES * 16 - 1
	.quad	0			/* base: region + PARK_CODE_OFF + PARK_CODE_IDT_LOOP */
	.org	PARK_CODE_IDT_ENTRY_DESC
park_idt_entry_desc:
	.word	PARK_IDT_GATES * 16 - 1
	.quad	0			/* base: region + PARK_CODE_OFF + PARK_CODE_IDT_ENTRY */
	.org	0x1000
	.section .note.GNU-stack, "", @progbits
