/* SPDX-License-Identifier: GPL-2.0-only */
/* Time in purgatory: the TSC, with the loader's estimate of its rate.
 * Only used for bounded waits, so an estimate off by 2x is harmless. */
#ifndef PURGATORY_TIMER_H
#define PURGATORY_TIMER_H

#include <stdint.h>

#include "cpu.h"

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void delay_us(uint64_t tsc_khz, uint64_t us)
{
	uint64_t end = rdtsc() + tsc_khz * us / 1000;

	while (rdtsc() < end)
		cpu_relax();
}

#endif
