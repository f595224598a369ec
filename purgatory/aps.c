/* SPDX-License-Identifier: GPL-2.0-only */
#include "aps.h"

#include "apic.h"
#include "console.h"
#include "cpu.h"
#include "handoff-tables.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/park-abi.h"
#include "pagetable.h"
#include "timer.h"

#define MSR_EFER        0xc0000080
#define EFER_SCE        (1u << 0)
#define EFER_LME        (1u << 8)
#define EFER_NXE        (1u << 11)
#define CR4_PAE         (1u << 5)
#define CR4_MCE         (1u << 6)

/* INIT -> STARTUP: 10 ms is what the MP spec asks of old CPUs (Linux skips
 * it on modern ones); it is paid once for all APs, not per CPU. */
#define INIT_SETTLE_US  10000
/* Between the two STARTUP IPIs (Intel SDM, MP initialisation). */
#define SIPI_GAP_US     200

/* Brings up this CPU's APIC for sending IPIs: xAPIC registers need our
 * own identity map (see pagetable.h); returns -1 if the APIC is off. */
static int apic_up(struct apic *a)
{
	if (apic_probe(a) < 0)
		return -1;
	if (!a->x2apic)
		write_cr3(pagetable_identity_4g(read_cr4() & CR4_LA57, a->mmio_base));
	apic_enable(a);
	return 0;
}

/* Whom purgatory must not INIT: itself, and the CPUs the old kernel left
 * where INIT is unsafe (cpu_never_init, purgatory/handoff-tables.h).
 * Linux runs machine_kexec on reboot_cpu (reboot=s<N>) or, for kdump, on
 * the crashing CPU, so purgatory may run on an AP. */
static int is_self(const struct apic *a, uint32_t id)
{
	return id == a->self_id;
}

static int is_left_behind(const struct mpk_purgatory_params *p, const struct apic *a,
			  uint32_t id)
{
	return cpu_never_init(p, a->self_id, id);
}

static void send_init(const struct apic *a, uint32_t id, struct mpk_handoff_report *r)
{
	if (apic_send_ipi(a, IPI_INIT_ASSERT, id, 0) == 0)
		r->init_ipis++;
	apic_send_ipi(a, IPI_INIT_DEASSERT, id, 0);
}

void aps_init(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r)
{
	uint64_t kexec_cr3 = read_cr3();
	struct apic a;

	r->strategy = MPK_STRATEGY_INIT;
	if (apic_up(&a) < 0) {
		console_puts("mpkexec purgatory: local APIC globally disabled; APs not touched\n");
		return;
	}
	r->self_apic_id = a.self_id;
	for (uint32_t i = 0; i < p->nr_aps; i++) {
		uint32_t id = p->aps[i].apic_id;

		if (is_self(&a, id)) {
			r->cpu[i].outcome = MPK_CPU_BOOT;
			continue;
		}
		/* The original MADT goes to the next kernel here: it still
		 * lists a left-behind CPU (Linux >= 6.9 itself refuses to
		 * INIT a real BSP it did not boot on). */
		if (is_left_behind(p, &a, id)) {
			r->cpu[i].outcome = MPK_CPU_LEFT_BEHIND;
			continue;
		}
		send_init(&a, id, r);
		r->cpu[i].outcome = MPK_CPU_INIT;
	}
	write_cr3(kexec_cr3);
}

static volatile uint32_t *park_state(const struct mpk_purgatory_params *p, uint32_t i)
{
	return park_record_u32(p->park_base, i, PARK_CPU_STATE);
}

/* A capture kernel's trampoline (MPK_PF_CRASH): its bytes were loaded at
 * trampoline_src inside the crash region, since the kernel takes no crash
 * segment below 1 MiB; the page at `trampoline` is RAM of the firmware map
 * that the crashed kernel never used as general RAM and the dump leaves
 * out (arch/x86_64/crash-plan.h), so it is ours to overwrite.  Called
 * before any INIT or SIPI, on the kexec identity map (all RAM: the crash
 * region and the low 1 MiB), with plain 8-byte stores: no SSE (CR4 has no
 * OSFXSR here), no string instructions needed. */
static void trampoline_fetch(const struct mpk_purgatory_params *p)
{
	const volatile uint64_t *src = (const volatile uint64_t *)(uintptr_t)p->trampoline_src;
	volatile uint64_t *dst = (volatile uint64_t *)(uintptr_t)p->trampoline;

	if (!p->trampoline_src)
		return;
	for (unsigned i = 0; i < 4096 / 8; i++)
		dst[i] = src[i];
}

/* The AP climbs to long mode on the park tables with the same paging depth
 * and EFER as this CPU (CR4.LA57 must match what the park code expects). */
static void trampoline_setup(const struct mpk_purgatory_params *p)
{
	uint64_t cr4 = read_cr4() & (CR4_PAE | CR4_LA57 | CR4_MCE);
	uint64_t cr3 = p->park_base + ((cr4 & CR4_LA57) ? PARK_PT_PML5 : PARK_PT_PML4);

	*u32_at(p->trampoline + TRAMP_CR4) = (uint32_t)cr4;
	*u32_at(p->trampoline + TRAMP_CR3) = (uint32_t)cr3;
	*u32_at(p->trampoline + TRAMP_EFER) =
		(uint32_t)rdmsr(MSR_EFER) & (EFER_SCE | EFER_LME | EFER_NXE);
}

void aps_park(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r)
{
	uint64_t kexec_cr3 = read_cr3(), deadline;
	uint32_t expected = 0, arrived = 0;
	uint8_t vector = (uint8_t)(p->trampoline >> 12);
	struct apic a;

	r->strategy = MPK_STRATEGY_PARK;
	r->tsc_gather_start = rdtsc();
	trampoline_fetch(p);
	if (apic_up(&a) < 0) {
		console_puts("mpkexec purgatory: local APIC globally disabled; cannot gather\n");
		goto fallback;
	}
	r->self_apic_id = a.self_id;
	trampoline_setup(p);
	for (uint32_t i = 0; i < p->nr_aps; i++) {
		/* The region is fresh (the loader built it; nobody is in it
		 * before the SIPIs): every other CPU is gathered. */
		if (is_self(&a, p->aps[i].apic_id)) {
			r->cpu[i].outcome = MPK_CPU_BOOT;
			madt_enable_cpu(p, i);
		} else if (is_left_behind(p, &a, p->aps[i].apic_id)) {
			r->cpu[i].outcome = MPK_CPU_LEFT_BEHIND;
			madt_disable_cpu(p, i);
		} else {
			send_init(&a, p->aps[i].apic_id, r);
			expected++;
		}
	}
	if (expected) {
		delay_us(p->tsc_khz, INIT_SETTLE_US);
		for (int round = 0; round < 2; round++) {
			for (uint32_t i = 0; i < p->nr_aps; i++) {
				if (r->cpu[i].outcome)
					continue;
				if (apic_send_ipi(&a, IPI_STARTUP, p->aps[i].apic_id, vector) == 0)
					r->sipi_ipis++;
			}
			delay_us(p->tsc_khz, SIPI_GAP_US);
		}
	}
	/* Bounded wait: a CPU that never arrives is disabled, not waited for. */
	deadline = rdtsc() + p->tsc_khz * p->gather_timeout_ms;
	while (arrived < expected && rdtsc() < deadline) {
		arrived = 0;
		for (uint32_t i = 0; i < p->nr_aps; i++)
			if (!r->cpu[i].outcome && *park_state(p, i) == PARK_STATE_PARKED)
				arrived++;
		cpu_relax();
	}
	arrived = 0;
	for (uint32_t i = 0; i < p->nr_aps; i++) {
		volatile uint64_t *tsc = (volatile uint64_t *)
			park_record_u32(p->park_base, i, PARK_CPU_ARRIVED_TSC);

		if (r->cpu[i].outcome)  /* BOOT or LEFT_BEHIND: not gathered */
			continue;
		if (*park_state(p, i) == PARK_STATE_PARKED) {
			r->cpu[i].outcome = MPK_CPU_PARKED_INIT_SIPI;
			r->cpu[i].arrived_tsc = *tsc;
			arrived++;
			continue;
		}
		/* Never offer the next kernel a CPU that is not in the loop. */
		r->cpu[i].outcome = MPK_CPU_NOT_ARRIVED;
		madt_disable_cpu(p, i);
		send_init(&a, p->aps[i].apic_id, r);
	}
	madt_hold_bsp(p, a.self_id);
	acpi_fix_checksum(p->madt_addr);
	acpi_fix_checksum(p->park_base + PARK_STATUS_OFF);
	park_header_at(p->park_base)->generation = 1;
	r->region_generation = 1;
	write_cr3(kexec_cr3);
	r->tsc_gather_end = rdtsc();
	if (arrived || !expected)
		return;
fallback:
	/* Parking failed outright: classic INIT and the original ACPI tables. */
	console_puts("mpkexec purgatory: no AP reached the park region; falling back to INIT\n");
	/* Only Linux's boot_params carry an RSDP we can change here; another
	 * payload keeps the one it was given (the new tables). */
	if (p->boot_params) {
		*(volatile uint64_t *)(uintptr_t)(p->boot_params + BP_ACPI_RSDP_ADDR) =
			p->orig_rsdp;
		r->rsdp = p->orig_rsdp;
	}
	r->park_base = 0;
	write_cr3(kexec_cr3);
	aps_init(p, r);
	r->strategy = MPK_STRATEGY_PARK_FAILED;
	r->tsc_gather_end = rdtsc();
}
