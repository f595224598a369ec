/* Purgatory's mailbox gather (purgatory/mailbox.c, aps_mailbox), compiled
 * here for the host with a fake CPU (tests/unit/purgatory-host.h): a TSC
 * that only moves while purgatory waits, so the tests measure exactly how
 * long it would spin; a chosen APIC ID for the CPU running purgatory.
 * Memory (park region, mailbox, MADT) is host memory at its host address,
 * which is what purgatory's identity map gives it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "mailbox.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/park-abi.h"
#include "mpkexec/purgatory-params.h"
#include "pagetable.h"
#include "report.h"
#include "verify.h"

uint64_t fake_tsc, fake_tsc_step;
int64_t fake_apic_id;
void (*fake_other_cpus)(void);

/* What mailbox.c links against besides handoff-tables.c. */
struct mpk_purgatory_params purgatory_params;

void purgatory_enter(uint64_t entry, uint64_t rsi)
{
	(void)entry;
	(void)rsi;
	abort();
}

uint64_t pagetable_identity_4g(bool la57, uint64_t uncached)
{
	(void)la57;
	(void)uncached;
	return 0x2000;
}

struct mpk_handoff_report *report_begin(const struct mpk_purgatory_params *p,
					uint64_t tsc_entry)
{
	(void)p;
	(void)tsc_entry;
	abort();
}

int verify_ranges(const struct mpk_digest_range *r, uint32_t n, uint64_t *found)
{
	(void)r;
	(void)n;
	(void)found;
	abort();
}

#define TSC_KHZ     1000u      /* 1000 ticks per ms */
#define TIMEOUT_MS  1000u      /* the loader's gather timeout */
#define TIMEOUT     ((uint64_t)TSC_KHZ * TIMEOUT_MS)
#define STEP        100u       /* ticks per PAUSE */
#define MADT_LEN    (44 + 8 * MPK_MAX_APS)

struct world {
	struct mpk_purgatory_params p;
	uint8_t *region, *src_mailbox, *madt;
	struct mpk_handoff_report *r;
};

static struct world *w;

static uint32_t madt_flags(uint32_t i)
{
	uint32_t v;

	memcpy(&v, w->madt + w->p.aps[i].madt_flags_off, 4);
	return v;
}

static void record_set(uint32_t rec, uint32_t apic, uint32_t state, uint32_t how)
{
	uint8_t *c = w->region + PARK_CPUS_OFF + rec * PARK_CPU_SIZE;

	memcpy(c + PARK_CPU_APIC_ID, &apic, 4);
	memcpy(c + PARK_CPU_STATE, &state, 4);
	memcpy(c + PARK_CPU_HOW, &how, 4);
}

/* n CPUs, APIC IDs 0..n-1, every one enabled in a Local APIC MADT. */
static int setup(void **state)
{
	uint32_t len = MADT_LEN;

	(void)state;
	w = calloc(1, sizeof(*w));
	w->region = aligned_alloc(4096, PARK_REGION_SIZE);
	w->src_mailbox = aligned_alloc(4096, 4096);
	w->madt = calloc(1, MADT_LEN);
	w->r = calloc(1, sizeof(*w->r) + MPK_MAX_APS * sizeof(w->r->cpu[0]));
	memset(w->region, 0, PARK_REGION_SIZE);
	memset(w->src_mailbox, 0, 4096);
	memcpy(w->madt, "APIC", 4);
	memcpy(w->madt + 4, &len, 4);
	w->p.park_base = (uintptr_t)w->region;
	w->p.madt_addr = (uintptr_t)w->madt;
	w->p.tsc_khz = TSC_KHZ;
	w->p.gather_timeout_ms = TIMEOUT_MS;
	w->p.mailbox_version = 1;
	*(uint32_t *)(w->region + PARK_STATUS_OFF + 4) = PARK_STATUS_LEN(4);
	fake_tsc = 1000000;
	fake_tsc_step = STEP;
	fake_apic_id = 0;
	fake_other_cpus = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(w->region);
	free(w->src_mailbox);
	free(w->madt);
	free(w->r);
	free(w);
	return 0;
}

static void add_cpus(uint32_t n)
{
	w->p.nr_aps = n;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t one = 1;

		w->p.aps[i].apic_id = i;
		w->p.aps[i].madt_flags_off = 44 + 8 * i + 4;
		w->p.aps[i].src_record = MPK_NO_RECORD;
		memcpy(w->madt + 44 + 8 * i + 4, &one, 4);
	}
}

/* Defect 9: a dead source mailbox (nobody ever takes a command) with 255
 * APs to migrate.  Each migration used to have its own deadline, so the
 * gather spun 255 timeouts (255 s); with one deadline for the whole
 * gather it ends after one, and every AP is reported and disabled. */
static void test_dead_mailbox_costs_one_deadline(void **state)
{
	(void)state;
	add_cpus(256);
	w->p.src_mailbox = (uintptr_t)w->src_mailbox;
	w->p.aps[0].action = MPK_AP_EXEMPT;
	for (uint32_t i = 1; i < 256; i++)
		w->p.aps[i].action = MPK_AP_MIGRATE;
	aps_mailbox(&w->p, w->r);
	assert_true(w->r->tsc_gather_end - w->r->tsc_gather_start <= TIMEOUT + 2 * STEP);
	assert_int_equal(w->r->cpu[0].outcome, MPK_CPU_BOOT);
	assert_int_equal(madt_flags(0), 1);
	for (uint32_t i = 1; i < 256; i++) {
		assert_int_equal(w->r->cpu[i].outcome, MPK_CPU_NOT_ARRIVED);
		assert_int_equal(madt_flags(i) & 3, 0);
	}
	/* a withdrawn command leaves the mailbox idle */
	assert_int_equal(*(uint16_t *)w->src_mailbox, MBOX_CMD_NOOP);
}

/* The source mailbox is alive: each AP in it takes its Wakeup and parks in
 * the new region (played at every PAUSE); one AP never arrives.  All the
 * live ones are gathered, the dead one is reported, still one deadline. */
static void other_cpus_serve_mailbox(void)
{
	uint16_t cmd = *(volatile uint16_t *)w->src_mailbox;
	uint32_t apic;

	if (cmd != MBOX_CMD_WAKEUP)
		return;
	memcpy(&apic, w->src_mailbox + MBOX_APIC_ID, 4);
	if (apic == 5)
		return;     /* APIC ID 5 is dead: never takes its command */
	record_set(apic, apic, PARK_STATE_PARKED, PARK_HOW_MIGRATED);
	*(volatile uint16_t *)w->src_mailbox = MBOX_CMD_NOOP;
}

static void test_live_mailbox_one_dead_cpu(void **state)
{
	(void)state;
	add_cpus(8);
	w->p.src_mailbox = (uintptr_t)w->src_mailbox;
	w->p.aps[0].action = MPK_AP_EXEMPT;
	for (uint32_t i = 1; i < 8; i++)
		w->p.aps[i].action = MPK_AP_MIGRATE;
	fake_other_cpus = other_cpus_serve_mailbox;
	aps_mailbox(&w->p, w->r);
	assert_true(w->r->tsc_gather_end - w->r->tsc_gather_start <= TIMEOUT + 2 * STEP);
	for (uint32_t i = 1; i < 8; i++) {
		assert_int_equal(w->r->cpu[i].outcome,
				 i == 5 ? MPK_CPU_NOT_ARRIVED : MPK_CPU_MIGRATED);
		assert_int_equal(madt_flags(i) & 3, i == 5 ? 0 : 1);
	}
}

/* Defect 8: Linux ran machine_kexec on CPU 2 (reboot=s2).  The region is
 * reused in place; APIC IDs 1 and 3 came back through the ResetVector;
 * APIC ID 0, the CPU the loader took for the boot CPU, was halted by the
 * old kernel and never arrives.  Purgatory must call itself APIC ID 2,
 * boot the next kernel on it (enabled in the MADT, even though the loader
 * expected it in the loop), not wait for or disable itself, and leave
 * APIC ID 0 behind, disabled. */
static void reboot_cpu_2(bool old_boot_cpu_returns, bool refuses_bsp)
{
	if (refuses_bsp)
		w->p.flags |= MPK_PF_NEXT_REFUSES_BSP;
	add_cpus(4);
	w->p.src_region = w->p.park_base;
	w->p.src_mailbox = w->p.park_base;
	w->p.boot_apic_id = 0;
	w->p.bsp_apic_id = 0;
	for (uint32_t i = 0; i < 4; i++) {
		w->p.aps[i].action = i ? MPK_AP_STAY : MPK_AP_EXEMPT;
		w->p.aps[i].src_record = i;
		record_set(i, i, (i == 1 || i == 3 || (i == 0 && old_boot_cpu_returns)) ?
			   PARK_STATE_PARKED : PARK_STATE_WOKEN, PARK_HOW_RESET_VECTOR);
	}
	memset(w->madt + w->p.aps[2].madt_flags_off, 0, 4); /* planned: not offered */
	fake_apic_id = 2;
	aps_mailbox(&w->p, w->r);
	assert_int_equal(w->r->self_apic_id, 2);
	assert_int_equal(w->r->cpu[2].outcome, MPK_CPU_BOOT);
	assert_int_equal(madt_flags(2) & 1, 1);
	assert_int_equal(w->r->cpu[1].outcome, MPK_CPU_RETURNED);
	assert_int_equal(w->r->cpu[3].outcome, MPK_CPU_RETURNED);
	assert_int_equal(madt_flags(1), 1);
	assert_int_equal(madt_flags(3), 1);
	if (old_boot_cpu_returns) {
		assert_int_equal(w->r->cpu[0].outcome, MPK_CPU_RETURNED);
		assert_int_equal(madt_flags(0), 1);
		/* nobody missing: no waiting at all */
		assert_true(w->r->tsc_gather_end - w->r->tsc_gather_start <= STEP);
	} else {
		assert_int_equal(w->r->cpu[0].outcome, MPK_CPU_LEFT_BEHIND);
		/* firmware's BSP, left behind: disabled for a Linux < 6.9
		 * payload, listed Enabled for one that refuses it itself */
		assert_int_equal(madt_flags(0) & 3, refuses_bsp ? 1 : 0);
		assert_true(w->r->tsc_gather_end - w->r->tsc_gather_start <= TIMEOUT + 2 * STEP);
	}
}

static void test_reboot_cpu_old_boot_cpu_halted(void **state)
{
	(void)state;
	reboot_cpu_2(false, false);
}

static void test_reboot_cpu_old_boot_cpu_halted_next_refuses_bsp(void **state)
{
	(void)state;
	reboot_cpu_2(false, true);
}

static void test_reboot_cpu_old_boot_cpu_returned(void **state)
{
	(void)state;
	reboot_cpu_2(true, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dead_mailbox_costs_one_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_mailbox_one_dead_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reboot_cpu_old_boot_cpu_halted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reboot_cpu_old_boot_cpu_halted_next_refuses_bsp,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reboot_cpu_old_boot_cpu_returned, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
