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

/* This CPU's APIC ID, as the MADT and the mailbox name it: the x2APIC ID
 * (CPUID leaf 0xB, EDX) where leaf 0xB exists and reports a level
 * (EBX != 0), else the initial APIC ID (leaf 1, EBX[31:24]).  The same rule
 * as the park loop's step 4 (arch/x86_64/park.S), so purgatory and the park
 * loop agree on every CPU's ID.
 *
 * Why CPUID and not the APIC: on the mailbox (TDX) path the local APIC may
 * not be touched (MMIO, MSRs), and the kernel's CPU number is no guide:
 * Linux's kernel_kexec() runs machine_kexec on reboot_cpu (reboot=s<N>),
 * and kdump runs it on the crashing CPU.  Why CPUID is allowed on that path:
 * in a TDX guest the TDX module answers leaves 0x0, 0x1 and 0xB itself,
 * without a #VE (the leaves that raise #VE are those it leaves to the VMM,
 * e.g. the hypervisor range 0x40000000+); the x2APIC ID it returns is the
 * one the VMM gave the vCPU at TDH.VP.INIT, which is what the MADT lists.
 * The park loop relies on the same leaves with no IDT at all, so a #VE from
 * them would already have killed every parked CPU.  Only these three
 * leaves are used here; tests/static/mailbox-path.test says the same. */
static inline uint32_t cpu_apic_id(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	if (a >= 0xb) {
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xb), "c"(0));
		if (b)
			return d;
	}
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
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
