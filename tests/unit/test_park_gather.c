/* SPDX-License-Identifier: GPL-2.0-only */
/* Purgatory's INIT-SIPI gather (purgatory/aps.c, aps_park), compiled for
 * the host with a fake CPU (park-host.h) and a fake local APIC that logs
 * every IPI: a capture kernel's trampoline page is copied from the crash
 * region to its page below 1 MiB before the first IPI, and firmware's BSP
 * gets none.  Memory is host memory at its host address, as purgatory's
 * identity map gives it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "apic.h"
#include "aps.h"
#include "console.h"
#include "handoff-tables.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/park-abi.h"
#include "mpkexec/purgatory-params.h"
#include "pagetable.h"

uint64_t fake_tsc, fake_tsc_step;
int64_t fake_apic_id;
void (*fake_other_cpus)(void);

#define MADT_LEN (44 + 8 * 4)

static struct mpk_purgatory_params p;
static uint8_t *region, *madt, *tramp_dst, *tramp_src;
static struct mpk_handoff_report *r;

/* The IPIs sent, in order, and what the trampoline page held at the first. */
struct ipi_sent {
	enum ipi_kind kind;
	uint32_t dest;
	uint8_t vector;
};
static struct ipi_sent ipi[64];
static unsigned nipi;
static int copied_at_first_ipi = -1;

void console_puts(const char *s)
{
	(void)s;
}

uint64_t pagetable_identity_4g(bool la57, uint64_t uncached)
{
	(void)la57;
	(void)uncached;
	return 0x2000;
}

int apic_probe(struct apic *a)
{
	a->x2apic = true;
	a->mmio_base = 0;
	return 0;
}

void apic_enable(struct apic *a)
{
	a->self_id = (uint32_t)fake_apic_id;
}

/* The page as the loader built it, but for the words purgatory writes
 * itself after the copy (CR4, CR3, EFER). */
static int tramp_matches_src(void)
{
	return memcmp(tramp_dst, tramp_src, TRAMP_CR4) == 0 &&
	       memcmp(tramp_dst + TRAMP_EFER + 4, tramp_src + TRAMP_EFER + 4,
		      4096 - TRAMP_EFER - 4) == 0;
}

/* A STARTUP sends the CPU through the trampoline into the park loop. */
int apic_send_ipi(const struct apic *a, enum ipi_kind kind, uint32_t dest, uint8_t vector)
{
	(void)a;
	if (copied_at_first_ipi < 0)
		copied_at_first_ipi = tramp_matches_src();
	if (nipi < sizeof(ipi) / sizeof(ipi[0]))
		ipi[nipi++] = (struct ipi_sent){ kind, dest, vector };
	if (kind == IPI_STARTUP) {
		uint32_t parked = PARK_STATE_PARKED;

		for (uint32_t i = 0; i < p.nr_aps; i++)
			if (p.aps[i].apic_id == dest)
				memcpy(region + PARK_CPUS_OFF + i * PARK_CPU_SIZE + PARK_CPU_STATE,
				       &parked, 4);
	}
	return 0;
}

static uint32_t madt_flags(uint32_t i)
{
	uint32_t v;

	memcpy(&v, madt + p.aps[i].madt_flags_off, 4);
	return v;
}

/* Four CPUs, APIC IDs 0-3, 0 firmware's BSP; a crash on APIC ID 3. */
static int setup(void **state)
{
	uint32_t len = MADT_LEN;

	(void)state;
	memset(&p, 0, sizeof(p));
	region = aligned_alloc(4096, PARK_REGION_SIZE);
	tramp_dst = aligned_alloc(4096, 4096);
	tramp_src = aligned_alloc(4096, 4096);
	madt = calloc(1, MADT_LEN);
	r = calloc(1, sizeof(*r) + 4 * sizeof(r->cpu[0]));
	memset(region, 0, PARK_REGION_SIZE);
	memset(tramp_dst, 0, 4096);
	for (unsigned i = 0; i < 4096; i++)
		tramp_src[i] = (uint8_t)(i * 7 + 1);
	memcpy(madt, "APIC", 4);
	memcpy(madt + 4, &len, 4);
	*(uint32_t *)(region + PARK_STATUS_OFF + 4) = PARK_STATUS_LEN(4);
	p.flags = MPK_PF_PARK_APS | MPK_PF_CRASH;
	p.park_base = (uintptr_t)region;
	p.madt_addr = (uintptr_t)madt;
	p.trampoline = (uintptr_t)tramp_dst;
	p.trampoline_src = (uintptr_t)tramp_src;
	p.tsc_khz = 1000;
	p.gather_timeout_ms = 1000;
	p.nr_aps = 4;
	for (uint32_t i = 0; i < 4; i++) {
		uint32_t one = 1;

		p.aps[i].apic_id = i;
		p.aps[i].madt_flags_off = 44 + 8 * i + 4;
		memcpy(madt + 44 + 8 * i + 4, &one, 4);
	}
	r->nr_cpus = 4;
	fake_tsc = 1000000;
	fake_tsc_step = 100;
	fake_apic_id = 3;
	fake_other_cpus = NULL;
	nipi = 0;
	copied_at_first_ipi = -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(region);
	free(tramp_dst);
	free(tramp_src);
	free(madt);
	free(r);
	return 0;
}

/* Issue 10 item 3: the kernel loads no crash segment below 1 MiB, so the
 * trampoline's bytes come from the crash region; purgatory must copy them
 * before it sends anything.  Before the copy existed the APs were sent to
 * a zeroed page (copied_at_first_ipi 0). */
static void test_crash_copies_trampoline_before_ipis(void **state)
{
	(void)state;
	aps_park(&p, r);
	assert_int_equal(copied_at_first_ipi, 1);
	assert_true(tramp_matches_src());
	/* the words purgatory fills in: CR3 = the park tables (4-level) */
	assert_int_equal(*(uint32_t *)(tramp_dst + TRAMP_CR3),
			 (uint32_t)(p.park_base + PARK_PT_PML4));
	assert_int_equal(*(uint32_t *)(tramp_dst + TRAMP_EFER), 0x901);
	/* INIT (assert, deassert) to APIC IDs 1 and 2, then two rounds of
	 * STARTUP with the destination page's vector; nothing to 0 (firmware's
	 * BSP) or 3 (this CPU) */
	assert_int_equal(nipi, 2 * 2 + 2 * 2);
	for (unsigned i = 0; i < nipi; i++) {
		assert_true(ipi[i].dest == 1 || ipi[i].dest == 2);
		if (i < 4)
			assert_int_not_equal(ipi[i].kind, IPI_STARTUP);
		else {
			assert_int_equal(ipi[i].kind, IPI_STARTUP);
			assert_int_equal(ipi[i].vector, (uint8_t)(p.trampoline >> 12));
		}
	}
	assert_int_equal(r->strategy, MPK_STRATEGY_PARK);
	assert_int_equal(r->cpu[0].outcome, MPK_CPU_LEFT_BEHIND);
	assert_int_equal(r->cpu[1].outcome, MPK_CPU_PARKED_INIT_SIPI);
	assert_int_equal(r->cpu[2].outcome, MPK_CPU_PARKED_INIT_SIPI);
	assert_int_equal(r->cpu[3].outcome, MPK_CPU_BOOT);
	assert_int_equal(r->init_ipis, 2);
	assert_int_equal(r->sipi_ipis, 4);
	assert_int_equal(madt_flags(0) & 1, 0); /* 6.1 payload: BSP disabled */
	assert_int_equal(madt_flags(3) & 1, 1);
}

/* Not a capture kernel (trampoline_src 0): the trampoline is a segment of
 * its own and purgatory only fills in CR3/CR4/EFER. */
static void test_no_copy_without_source(void **state)
{
	(void)state;
	p.flags = MPK_PF_PARK_APS;
	p.trampoline_src = 0;
	fake_apic_id = 0;
	aps_park(&p, r);
	for (unsigned i = 0; i < TRAMP_CR4; i++)
		assert_int_equal(tramp_dst[i], 0);
	assert_int_equal(r->cpu[0].outcome, MPK_CPU_BOOT);
	assert_int_equal(r->cpu[3].outcome, MPK_CPU_PARKED_INIT_SIPI);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_crash_copies_trampoline_before_ipis, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_copy_without_source, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
