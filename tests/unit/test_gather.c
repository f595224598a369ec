/* SPDX-License-Identifier: GPL-2.0-only */
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

#include "entry.h"
#include "handoff-tables.h"
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
struct boot_handoff purgatory_boot_handoff;

/* Only its address matters (the WakeupVector given to the BSP). */
void purgatory_boot_vector(void)
{
	abort();
}

/* purgatory_enter does not return: the tests that reach it catch the jump
 * (where to, with which RSI) and come back through `entered`. */
static jmp_buf entered;
static int may_enter;
static uint64_t entered_at, entered_rsi;

void purgatory_enter(uint64_t entry, uint64_t rsi)
{
	if (!may_enter)
		abort();
	entered_at = entry;
	entered_rsi = rsi;
	longjmp(entered, 1);
}

/* The other exits (issue 11): purgatory_mailbox_start's, never reached
 * here (report_begin aborts first). */
void purgatory_enter_identity64(uint64_t entry)
{
	(void)entry;
	abort();
}

void purgatory_enter32_keep_efer(uint32_t entry, uint32_t eax, uint32_t ebx, uint32_t esi)
{
	(void)entry;
	(void)eax;
	(void)ebx;
	(void)esi;
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
	memset(&purgatory_boot_handoff, 0, sizeof(purgatory_boot_handoff));
	may_enter = 0;
	entered_at = entered_rsi = 0;
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

/* Issue 10: kdump.  The crashed kernel was started through our v1 mailbox
 * (Linux >= 6.11): its crash NMI sent every other CPU to the ResetVector,
 * into this region (reused in place).  Firmware's BSP is APIC ID 0, which
 * was also the crashed kernel's CPU 0 (`boot`, the loader's EXEMPT CPU);
 * purgatory runs on the crashing CPU, APIC ID 3.  `returned[i]`: whether
 * APIC ID i came back. */
static uint32_t dead_apic = ~0u;  /* this APIC ID never takes a Wakeup */
static uint64_t bsp_vector;        /* the vector of the last Wakeup taken */

#define PAYLOAD_ENTRY 0x1000200u
#define PAYLOAD_RSI   0x90000u

static void crash_on_cpu3(const bool returned[4], bool refuses_bsp, uint32_t boot)
{
	w->p.flags |= MPK_PF_CRASH | (refuses_bsp ? MPK_PF_NEXT_REFUSES_BSP : 0);
	w->p.entry = PAYLOAD_ENTRY;
	w->p.entry_rsi = PAYLOAD_RSI;
	add_cpus(4);
	w->p.src_region = w->p.park_base;
	w->p.src_mailbox = w->p.park_base;
	w->p.boot_apic_id = boot;
	w->p.bsp_apic_id = 0;
	for (uint32_t i = 0; i < 4; i++) {
		w->p.aps[i].action = i == boot ? MPK_AP_EXEMPT : MPK_AP_STAY;
		w->p.aps[i].src_record = i;
		record_set(i, i, returned[i] ? PARK_STATE_PARKED : PARK_STATE_WOKEN,
			   PARK_HOW_RESET_VECTOR);
	}
	fake_apic_id = 3;
	dead_apic = ~0u;
	bsp_vector = 0;
}

/* The park loop in the region, played at every PAUSE: the CPU a Wakeup
 * names takes it (if parked and alive) and, being the BSP sent to
 * purgatory_boot_vector, claims the boot as that code does. */
static void region_loop_serves_wakeups(void)
{
	uint8_t *mb = w->region + PARK_MAILBOX_OFF;
	uint32_t apic;

	if (*(volatile uint16_t *)(mb + MBOX_COMMAND) != MBOX_CMD_WAKEUP)
		return;
	memcpy(&apic, mb + MBOX_APIC_ID, 4);
	if (apic == dead_apic)
		return;
	memcpy(&bsp_vector, mb + MBOX_WAKEUP_VECTOR, 8);
	record_set(apic, apic, PARK_STATE_WOKEN, PARK_HOW_RESET_VECTOR);
	*(volatile uint16_t *)(mb + MBOX_COMMAND) = MBOX_CMD_NOOP;
	if (__sync_bool_compare_and_swap(&purgatory_boot_handoff.claim, 0, BOOT_CLAIM_BSP))
		return;
	record_set(apic, apic, PARK_STATE_PARKED, PARK_HOW_MIGRATED); /* rejoined */
}

/* Runs the mailbox handoff as purgatory_mailbox_start does; returns 1 if
 * purgatory jumped somewhere (entered_at), 0 if it returned to boot the
 * payload itself. */
static int run_mailbox_handoff(void)
{
	may_enter = 1;
	if (setjmp(entered))
		return 1;
	aps_mailbox(&w->p, w->r);
	mailbox_hand_over_boot(&w->p, w->r);
	return 0;
}

/* Crash on an AP, every CPU back through the ResetVector, payload Linux
 * >= 6.9.  Before: purgatory booted the capture kernel on APIC ID 3 with
 * APIC ID 0 (firmware's BSP, parked) first in the MADT; Linux 6.12's
 * check_for_real_bsp, on a boot CPU without IA32_APIC_BASE.BSP, rejects
 * that first entry ("Crash kernel detected. Disabling real BSP"): 3 CPUs
 * of 4 although all 4 were parked.  Now purgatory wakes the BSP through the
 * mailbox to boot the payload and parks itself: 0 INIT/SIPI, every CPU
 * enabled and parked or booting. */
static void test_crash_on_ap_bsp_returned_boots_on_bsp(void **state)
{
	const bool all[4] = { true, true, true, true };

	(void)state;
	crash_on_cpu3(all, true, 0);
	fake_other_cpus = region_loop_serves_wakeups;
	assert_int_equal(run_mailbox_handoff(), 1);
	/* purgatory joined the park loop, as a migrating CPU does */
	assert_int_equal(entered_at, w->p.park_base + PARK_CODE_OFF + PARK_ENTRY_MIGRATE);
	assert_int_equal(entered_rsi, 0);
	/* the BSP took its Wakeup at purgatory_boot_vector, to the payload */
	assert_int_equal(bsp_vector, (uint64_t)(uintptr_t)purgatory_boot_vector);
	assert_int_equal(purgatory_boot_handoff.claim, BOOT_CLAIM_BSP);
	assert_int_equal(purgatory_boot_handoff.entry, PAYLOAD_ENTRY);
	assert_int_equal(purgatory_boot_handoff.rsi, PAYLOAD_RSI);
	assert_int_equal(purgatory_boot_handoff.rejoin,
			 w->p.park_base + PARK_CODE_OFF + PARK_ENTRY_MIGRATE);
	assert_int_equal(w->r->self_apic_id, 3);
	assert_int_equal(w->r->cpu[0].outcome, MPK_CPU_BOOT_WOKEN);
	assert_int_equal(w->r->cpu[1].outcome, MPK_CPU_RETURNED);
	assert_int_equal(w->r->cpu[2].outcome, MPK_CPU_RETURNED);
	assert_int_equal(w->r->cpu[3].outcome, MPK_CPU_SELF_PARKED);
	assert_int_equal(w->r->flags & MPK_REPORT_HANDOFF_FAILED, 0);
	assert_int_equal(w->r->init_ipis + w->r->sipi_ipis, 0);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(madt_flags(i), 1);
	/* nobody was missing: no waiting in the gather */
	assert_true(w->r->tsc_gather_end - w->r->tsc_gather_start <= STEP);
}

/* The same, but the BSP never takes its Wakeup: after the gather timeout
 * purgatory boots the payload itself (it returns to do so), the report
 * says the handoff failed, and the BSP stays listed first and Enabled so
 * that Linux >= 6.9 refuses it itself: the capture kernel still starts. */
static void test_crash_on_ap_bsp_ignores_wakeup_boots_here(void **state)
{
	const bool all[4] = { true, true, true, true };
	uint64_t t0;

	(void)state;
	crash_on_cpu3(all, true, 0);
	dead_apic = 0;
	fake_other_cpus = region_loop_serves_wakeups;
	t0 = fake_tsc;
	assert_int_equal(run_mailbox_handoff(), 0);
	assert_int_equal(purgatory_boot_handoff.claim, BOOT_CLAIM_SELF);
	assert_int_equal(w->r->cpu[3].outcome, MPK_CPU_BOOT);
	assert_int_equal(w->r->cpu[0].outcome, MPK_CPU_RETURNED);
	assert_int_equal(w->r->flags & MPK_REPORT_HANDOFF_FAILED, MPK_REPORT_HANDOFF_FAILED);
	assert_int_equal(madt_flags(0), 1);
	/* the withdrawn command leaves the mailbox idle */
	assert_int_equal(*(uint16_t *)(w->region + MBOX_COMMAND), MBOX_CMD_NOOP);
	/* one more gather timeout at most */
	assert_true(fake_tsc - t0 <= TIMEOUT + 2 * STEP);
}

/* Crash on an AP; the BSP did not come back (it halted in
 * crash_nmi_callback: a running kernel without our v1 mailbox's
 * stop_this_cpu, or one that missed it) and APIC ID 2 never returns
 * either.  Nothing to hand the boot to: purgatory boots on APIC ID 3; the
 * BSP is left behind (listed Enabled for Linux >= 6.9, which refuses the
 * first entry itself; disabled for an older payload, which would wake it
 * and wait forever); APIC ID 2 is disabled and reported. */
static void crash_bsp_halted(bool refuses_bsp)
{
	const bool back[4] = { false, true, false, true };

	crash_on_cpu3(back, refuses_bsp, 0);
	fake_other_cpus = region_loop_serves_wakeups;
	assert_int_equal(run_mailbox_handoff(), 0);
	assert_int_equal(bsp_vector, 0);  /* no Wakeup sent */
	assert_int_equal(w->r->self_apic_id, 3);
	assert_int_equal(w->r->cpu[3].outcome, MPK_CPU_BOOT);
	assert_int_equal(w->r->cpu[0].outcome, MPK_CPU_LEFT_BEHIND);
	assert_int_equal(w->r->cpu[1].outcome, MPK_CPU_RETURNED);
	assert_int_equal(w->r->cpu[2].outcome, MPK_CPU_NOT_ARRIVED);
	assert_int_equal(madt_flags(0) & 3, refuses_bsp ? 1 : 0);
	assert_int_equal(madt_flags(1), 1);
	assert_int_equal(madt_flags(2) & 3, 0);
	assert_int_equal(madt_flags(3) & 1, 1);
	assert_int_equal(w->r->flags & MPK_REPORT_HANDOFF_FAILED, 0);
	assert_true(w->r->tsc_gather_end - w->r->tsc_gather_start <= TIMEOUT + 2 * STEP);
}

static void test_crash_on_ap_bsp_halted_next_refuses_bsp(void **state)
{
	(void)state;
	crash_bsp_halted(true);
}

static void test_crash_on_ap_bsp_halted_old_payload(void **state)
{
	(void)state;
	crash_bsp_halted(false);
}

/* Linux < 6.9 (6.1) wakes any enabled entry through the mailbox from any
 * boot CPU: with the BSP parked it gets all 4 CPUs booting on APIC ID 3,
 * no handoff needed. */
static void test_crash_on_ap_old_payload_no_handoff(void **state)
{
	const bool all[4] = { true, true, true, true };

	(void)state;
	crash_on_cpu3(all, false, 0);
	fake_other_cpus = region_loop_serves_wakeups;
	assert_int_equal(run_mailbox_handoff(), 0);
	assert_int_equal(bsp_vector, 0);
	assert_int_equal(w->r->cpu[3].outcome, MPK_CPU_BOOT);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(w->r->cpu[i].outcome, MPK_CPU_RETURNED);
		assert_int_equal(madt_flags(i), 1);
	}
}

/* Issue 11: a payload entered another way than Linux's 64-bit protocol (a
 * bzImage at its 32-bit entry): purgatory_boot_vector enters LINUX64 only,
 * so no handoff to the BSP even for Linux >= 6.9; purgatory boots it on
 * its own CPU. */
static void test_crash_on_ap_entry32_no_handoff(void **state)
{
	const bool all[4] = { true, true, true, true };

	(void)state;
	crash_on_cpu3(all, true, 0);
	w->p.entry_mode = MPK_ENTRY_32;
	fake_other_cpus = region_loop_serves_wakeups;
	assert_int_equal(run_mailbox_handoff(), 0);
	assert_int_equal(bsp_vector, 0);
	assert_int_equal(purgatory_boot_handoff.claim, 0);
	assert_int_equal(w->r->cpu[3].outcome, MPK_CPU_BOOT);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(w->r->cpu[i].outcome, MPK_CPU_RETURNED);
}

/* A capture kernel above 4 GiB (crashkernel=...,high): the park loop's map
 * (low 4 GiB) would not cover it, so the BSP cannot enter it from there;
 * purgatory boots it itself (BSP refused by Linux >= 6.9: one CPU lost,
 * never a hang). */
static void test_crash_payload_above_4g_no_handoff(void **state)
{
	const bool all[4] = { true, true, true, true };

	(void)state;
	crash_on_cpu3(all, true, 0);
	w->p.nr_ranges = 1;
	w->p.ranges[0].addr = 0x17f000000ull;
	w->p.ranges[0].len = 0x1000000;
	fake_other_cpus = region_loop_serves_wakeups;
	assert_int_equal(run_mailbox_handoff(), 0);
	assert_int_equal(bsp_vector, 0);
	assert_int_equal(w->r->cpu[3].outcome, MPK_CPU_BOOT);
	assert_int_equal(w->r->cpu[0].outcome, MPK_CPU_RETURNED);
	assert_int_equal(madt_flags(0), 1);
}

/* Crash on the BSP itself: it boots the payload, every AP came back. */
static void test_crash_on_bsp(void **state)
{
	const bool all[4] = { true, true, true, true };

	(void)state;
	crash_on_cpu3(all, true, 0);
	fake_apic_id = 0;
	fake_other_cpus = region_loop_serves_wakeups;
	assert_int_equal(run_mailbox_handoff(), 0);
	assert_int_equal(bsp_vector, 0);
	assert_int_equal(w->r->cpu[0].outcome, MPK_CPU_BOOT);
	for (uint32_t i = 1; i < 4; i++) {
		assert_int_equal(w->r->cpu[i].outcome, MPK_CPU_RETURNED);
		assert_int_equal(madt_flags(i), 1);
	}
}

/* INIT-SIPI gathering after a crash (aps.c uses this): every CPU but
 * purgatory's own and firmware's BSP gets INIT, the crashed kernel's CPU 0
 * included when it is not the BSP; outside a crash issue 9's rule (the old
 * boot CPU is left alone too) is unchanged. */
static void test_crash_init_policy(void **state)
{
	(void)state;
	w->p.bsp_apic_id = 0;
	w->p.boot_apic_id = 1;
	w->p.flags = MPK_PF_CRASH;
	assert_int_equal(cpu_never_init(&w->p, 3, 0), 1);
	assert_int_equal(cpu_never_init(&w->p, 3, 1), 0);
	assert_int_equal(cpu_never_init(&w->p, 3, 2), 0);
	assert_int_equal(cpu_never_init(&w->p, 3, 3), 0);
	assert_int_equal(cpu_never_init(&w->p, 0, 0), 0);
	w->p.flags = 0;
	assert_int_equal(cpu_never_init(&w->p, 3, 1), 1);
	assert_int_equal(cpu_never_init(&w->p, 3, 0), 1);
	assert_int_equal(cpu_never_init(&w->p, 3, 2), 0);
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
		cmocka_unit_test_setup_teardown(test_crash_on_ap_bsp_returned_boots_on_bsp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_on_ap_bsp_ignores_wakeup_boots_here, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_on_ap_bsp_halted_next_refuses_bsp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_on_ap_bsp_halted_old_payload, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_on_ap_old_payload_no_handoff, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_payload_above_4g_no_handoff, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_on_ap_entry32_no_handoff, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_crash_on_bsp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_init_policy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
