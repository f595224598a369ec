/* SPDX-License-Identifier: GPL-2.0-only */
/* Privileged x86_64 instructions purgatory uses, one inline wrapper each.
 * Purgatory runs in 64-bit mode at CPL 0 with IF = 0 (see entry.S). */
#ifndef PURGATORY_CPU_H
#define PURGATORY_CPU_H

#include <stdint.h>

#define CR4_LA57 (1ull << 12)

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* CPUID leaf 0x21 of a TDX guest says "IntelTDX    ". */
#define TDX_SIG_EBX 0x65746e49u
#define TDX_SIG_EDX 0x5844546cu
#define TDX_SIG_ECX 0x20202020u

/* TDG.VP.VMCALL<Instruction.CPUID>: asks the VMM for CPUID `leaf` (GHCI:
 * RAX 0, RCX = R10-R15 exposed, R10 0 = standard, R11 = exit reason 10,
 * R12/R13 = leaf/subleaf; out: RAX and R10 status, R12-R15 =
 * EAX/EBX/ECX/EDX).  Returns -1 if the TDX module or the VMM refused. */
static inline int tdvmcall_cpuid_edx(uint32_t leaf, uint32_t *edx)
{
	register uint64_t r10 __asm__("r10") = 0;
	register uint64_t r11 __asm__("r11") = 10;
	register uint64_t r12 __asm__("r12") = leaf;
	register uint64_t r13 __asm__("r13") = 0;
	register uint64_t r14 __asm__("r14");
	register uint64_t r15 __asm__("r15");
	uint64_t rax = 0, rcx = 0xfc00;

	__asm__ volatile(".byte 0x66, 0x0f, 0x01, 0xcc" /* tdcall */
			 : "+a"(rax), "+c"(rcx), "+r"(r10), "+r"(r11), "+r"(r12), "+r"(r13),
			   "=r"(r14), "=r"(r15)
			 : : "memory");
	*edx = (uint32_t)r15;
	return (rax || r10) ? -1 : 0;
}

/* This CPU's APIC ID, as the MADT and the mailbox name it, by the park
 * loop's rule (arch/x86_64/park.S, step 4), so both agree on every CPU:
 * the x2APIC ID (leaf 0xB, EDX) where leaf 0xB is implemented (EBX != 0),
 * else the initial APIC ID (leaf 1, EBX[31:24]); in a TDX guest, leaf 0xB
 * through the VMM.  Returns -1 only when the VMM refuses to tell.
 *
 * Why CPUID, not the APIC: on the mailbox (TDX) path the local APIC may
 * not be touched (MMIO, MSRs), and the kernel's CPU number is no guide:
 * Linux's kernel_kexec() runs machine_kexec on reboot_cpu (reboot=s<N>),
 * and kdump on the crashing CPU.
 * Why these CPUID leaves are safe in a TD, where purgatory has no #VE
 * handler (IDTR limit 0: a #VE triple-faults): the TDX module answers
 * leaves 0x0, 0x1 and 0x21 itself, without a #VE (Linux's decompressor,
 * which has no #VE handler either, runs them to detect TDX).  Leaf 0xB is
 * NOT safe: it raises #VE unless the VMM configured topology enumeration
 * (never on TDX 1.0; Linux "x86/tdx: Enable CPU topology enumeration").
 * So in a TD it is asked of the VMM with TDG.VP.VMCALL<Instruction.CPUID>,
 * as TDVF's own mailbox loop (OvmfPkg ApRunLoop.nasm) gets the x2APIC ID
 * it compares with the mailbox's ApicId.  tests/static/mailbox-path.test
 * and park-insns.test hold the same argument. */
static inline int64_t cpu_apic_id(void)
{
	uint32_t max, a, b, c, d;

	cpuid(0, &max, &b, &c, &d);
	if (max >= 0x21) {
		cpuid(0x21, &a, &b, &c, &d);
		if (b == TDX_SIG_EBX && d == TDX_SIG_EDX && c == TDX_SIG_ECX)
			return tdvmcall_cpuid_edx(0xb, &d) < 0 ? -1 : (int64_t)d;
	}
	if (max >= 0xb) {
		cpuid(0xb, &a, &b, &c, &d);
		if (b)
			return d;
	}
	cpuid(1, &a, &b, &c, &d);
	return b >> 24;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* Stops this CPU for good: IF is 0, so only NMI/SMI/INIT end a HLT. */
static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}

#endif
