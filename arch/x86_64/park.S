/* The park loop: the code page of a park region (include/mpkexec/
 * park-abi.h, docs/park-abi.md).  It is the firmware side of the ACPI MADT
 * Multiprocessor Wakeup mailbox, version 1, for CPUs mpkexec gathered.
 *
 * Assembled as one 4 KiB page that the loader copies to region offset
 * PARK_CODE_OFF and patches (CR3 values, GDT base).  Position independent:
 * the mailbox and per-CPU table are found RIP-relative from this page.
 *
 * Rules (they hold on the TDX path too): no stack, no port I/O, no MMIO,
 * no HLT/MWAIT, no IPIs, no MSR writes; only PAUSE and ordinary memory.
 * CPUID (leaves 0, 1, 0x21, and 0xB outside a TD), one TDVMCALL<CPUID>
 * in a TD (step 4) and RDTSC are the only other instructions that leave
 * the core.
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
	movl	$PARK_HOW_INIT_SIPI, %r15d
	jmp	park_common

/* Entry as a WakeupVector of another mailbox (firmware's, or an older park
 * region's): 64-bit, IF = 0, that firmware's identity map (covering at
 * least this page), its GDT.  Used to migrate CPUs into this region. */
	.org	PARK_ENTRY_MIGRATE
park_entry_migrate:
	movl	$PARK_HOW_MIGRATED, %r15d
	jmp	park_common

/* The MADT v1 ResetVector: a kernel jumps here when it offlines a CPU or
 * stops it for kexec (Linux >= 6.11 asm_acpi_mp_play_dead).  64-bit, IF = 0,
 * CR3 = the kernel's identity map, which covers THIS PAGE ONLY of the region;
 * RSP, GDTR and IDTR still point at unmapped kernel memory.  So: touch
 * nothing outside this page and no stack until CR3 is ours. */
	.org	PARK_RESET_VECTOR
park_reset_vector:
	movl	$PARK_HOW_RESET_VECTOR, %r15d
	/* fall through */

park_common:
	cli
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
	/* 3. Our GDT and a null IDT: the old ones may be in reused memory.
	 *    CS keeps its cached 64-bit descriptor; selector 0x10 is code64 in
	 *    our GDT too. */
	lgdt	park_gdt_desc(%rip)
	lidt	park_idt_desc(%rip)
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
	 *    TDX: there is no IDT here, so nothing may raise a #VE.  The TDX
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
	 * status 0, R12-R15 = EAX/EBX/ECX/EDX.  R15 (how we came) is saved. */
	movl	%r15d, %r9d
	xorl	%eax, %eax
	movl	$TDVMCALL_EXPOSE_R10_R15, %ecx
	xorl	%r10d, %r10d
	movl	$EXIT_REASON_CPUID, %r11d
	movl	$0xb, %r12d
	xorl	%r13d, %r13d
	.byte	0x66, 0x0f, 0x01, 0xcc	/* tdcall */
	orq	%r10, %rax
	movl	%r15d, %r12d		/* EDX came back in R15 */
	movl	%r9d, %r15d
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
	/* 5. Find our per-CPU record: R14 = mailbox, R13 = record or 0. */
	leaq	(park_page - PARK_CODE_OFF)(%rip), %r14
	leaq	PARK_CPUS_OFF(%r14), %r13
	movl	(PARK_HEADER_OFF + PARK_HDR_NR_CPUS)(%r14), %ecx
	cmpl	$PARK_MAX_CPUS, %ecx
	jbe	4f
	movl	$PARK_MAX_CPUS, %ecx
4:	testl	%ecx, %ecx
	jz	5f
	cmpl	%r12d, PARK_CPU_APIC_ID(%r13)
	je	6f
	addq	$PARK_CPU_SIZE, %r13
	decl	%ecx
	jmp	4b
5:	xorl	%r13d, %r13d		/* not listed: serve the mailbox anyway */
	jmp	park_loop
6:	movl	%r15d, PARK_CPU_HOW(%r13)
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	movq	%rax, PARK_CPU_ARRIVED_TSC(%r13)
	/* Stores are seen in order (x86-TSO): state last. */
	movl	$PARK_STATE_PARKED, PARK_CPU_STATE(%r13)

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

/* The VMM would not tell a TD vCPU its APIC ID: it cannot be addressed
 * through the mailbox, so it never checks in (purgatory reports it and
 * disables it in the MADT).  Spin; PAUSE only, as everywhere here. */
park_no_id:
	pause
	jmp	park_no_id

/* Data, patched by the loader (arch/x86_64/park-region.c). */
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
park_idt_desc:
	.word	0			/* limit 0: no IDT; an exception here is fatal */
	.quad	0
	.org	0x1000
	.section .note.GNU-stack, "", @progbits
