/* SPDX-License-Identifier: GPL-2.0-only */
/* Forced in front of purgatory sources compiled for the host
 * (-include tests/unit/purgatory-host.h): it takes the place of
 * purgatory/cpu.h and purgatory/timer.h (their include guards are defined
 * here, so the real ones, which run privileged instructions, are skipped)
 * with a fake CPU: a TSC that moves only when the code waits (cpu_relax),
 * an APIC ID the test chooses, and a hook that plays the other CPUs. */
#ifndef TESTS_UNIT_PURGATORY_HOST_H
#define TESTS_UNIT_PURGATORY_HOST_H

#define PURGATORY_CPU_H
#define PURGATORY_TIMER_H

#include <stdint.h>

#define CR4_LA57 (1ull << 12)

extern uint64_t fake_tsc;          /* what rdtsc() returns */
extern uint64_t fake_tsc_step;     /* added by every cpu_relax() */
extern int64_t fake_apic_id;       /* what cpu_apic_id() returns */
extern void (*fake_other_cpus)(void); /* run at every cpu_relax(), or NULL */

static inline uint64_t rdtsc(void)
{
	return fake_tsc;
}

static inline void cpu_relax(void)
{
	fake_tsc += fake_tsc_step;
	if (fake_other_cpus)
		fake_other_cpus();
}

static inline int64_t cpu_apic_id(void)
{
	return fake_apic_id;
}

static inline uint64_t read_cr3(void)
{
	return 0x1000;
}

static inline void write_cr3(uint64_t v)
{
	(void)v;
}

static inline uint64_t read_cr4(void)
{
	return 0;
}

#endif
