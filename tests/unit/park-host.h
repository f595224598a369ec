/* SPDX-License-Identifier: GPL-2.0-only */
/* Forced in front of purgatory/aps.c compiled for the host (test_park_gather):
 * purgatory-host.h's fake CPU plus what the INIT-SIPI gather needs beyond
 * the mailbox gather: EFER (rdmsr) and delay_us on the fake TSC. */
#ifndef TESTS_UNIT_PARK_HOST_H
#define TESTS_UNIT_PARK_HOST_H

#include "purgatory-host.h"

static inline uint64_t rdmsr(uint32_t msr)
{
	(void)msr;
	return 0xd01; /* EFER: SCE | LME | LMA | NXE */
}

static inline void delay_us(uint64_t tsc_khz, uint64_t us)
{
	fake_tsc += tsc_khz * us / 1000;
}

#endif
