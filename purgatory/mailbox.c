/* SPDX-License-Identifier: GPL-2.0-only */
#include "mailbox.h"

#include "cpu.h"
#include "entry.h"
#include "handoff-tables.h"
#include "mpkexec/identity-map.h"
#include "mpkexec/park-abi.h"
#include "pagetable.h"
#include "report.h"
#include "timer.h"
#include "verify.h"

#define CR4_LA57_BIT (1ull << 12)

static volatile uint16_t *mailbox_command(uint64_t mailbox)
{
	return (volatile uint16_t *)(uintptr_t)(mailbox + MBOX_COMMAND);
}

/* Nothing to print to (no serial on this path) and no HLT: spin. */
static __attribute__((noreturn)) void spin_forever(void)
{
	for (;;)
		cpu_relax();
}

static int wait_command_noop(uint64_t mailbox, uint64_t deadline)
{
	while (*mailbox_command(mailbox) != MBOX_CMD_NOOP)
		if (rdtsc() >= deadline)
			return -1;
		else
			cpu_relax();
	return 0;
}

static int is_parked(uint64_t region, uint32_t record)
{
	return *park_record_u32(region, record, PARK_CPU_STATE) == PARK_STATE_PARKED;
}

/* The OS side of ACPI's Wakeup command, as Linux's acpi_wakeup_cpu does it,
 * but bounded: -1 if the mailbox stays busy or the CPU does not take the
 * command by `deadline`.  A command nobody took is withdrawn (Command = 0);
 * if its CPU reads it just then, it still jumps to the same vector, our
 * migrate entry, and only parks in the new region with its MADT entry
 * disabled, so the race is harmless. */
static int mailbox_wakeup(uint64_t mailbox, uint32_t apic_id, uint64_t vector,
			  uint64_t deadline)
{
	if (wait_command_noop(mailbox, deadline) < 0)
		return -1;
	*u32_at(mailbox + MBOX_APIC_ID) = apic_id;
	*(volatile uint64_t *)(uintptr_t)(mailbox + MBOX_WAKEUP_VECTOR) = vector;
	/* x86-TSO keeps the stores in order; stop the compiler reordering. */
	__asm__ volatile("" ::: "memory");
	*mailbox_command(mailbox) = MBOX_CMD_WAKEUP;
	if (wait_command_noop(mailbox, deadline) == 0)
		return 0;
	*mailbox_command(mailbox) = MBOX_CMD_NOOP;
	return -1;
}

/* Routes besides the loader's MPK_AP_*: purgatory's own CPU, and the old
 * boot CPU with nowhere to wait for it. */
#define ROUTE_SELF         0x100
#define ROUTE_LEFT_BEHIND  0x101

/* What to do with aps[i] now that purgatory knows which CPU it runs on.
 * The loader planned for the running kernel's CPU 0 to run purgatory
 * (MPK_AP_EXEMPT), but Linux runs machine_kexec on reboot_cpu (reboot=s<N>)
 * and kdump on the crashing CPU.  So: our own CPU is the next kernel's boot
 * CPU whatever was planned for it (never Wakeup ourselves); the planned
 * one was stopped by the old kernel like any AP, so it is waited for like
 * one when it has a record in the source region (Linux >= 6.11 with a v1
 * mailbox sends it to the ResetVector), else it is left behind. */
static uint32_t route(const struct mpk_purgatory_params *p, uint32_t i, uint32_t self)
{
	const struct mpk_ap *ap = &p->aps[i];

	if (ap->apic_id == self)
		return ROUTE_SELF;
	if (ap->action != MPK_AP_EXEMPT)
		return ap->action;
	if (p->src_region && ap->src_record != MPK_NO_RECORD)
		return p->src_region == p->park_base ? MPK_AP_STAY : MPK_AP_MIGRATE;
	return ROUTE_LEFT_BEHIND;
}

/* Its record in the region at park_base: the one it already had when the
 * region is reused in place (STAY), else the loader's fresh table, which
 * lists the APs in aps[] order. */
static uint32_t target_record(const struct mpk_purgatory_params *p, uint32_t i,
			      uint32_t how)
{
	return how == MPK_AP_STAY ? p->aps[i].src_record : i;
}

/* How a parked CPU got here, from its own record. */
static uint32_t parked_outcome(uint64_t region, uint32_t i)
{
	switch (*park_record_u32(region, i, PARK_CPU_HOW)) {
	case PARK_HOW_RESET_VECTOR:
		return MPK_CPU_RETURNED;
	case PARK_HOW_MIGRATED:
		return MPK_CPU_MIGRATED;
	default:
		return MPK_CPU_ALREADY_PARKED;
	}
}

/* A CPU spinning in a mailbox loop takes its command within microseconds;
 * the mailbox serves one command at a time, so one CPU that never takes
 * its command must not hold it for the whole gather and starve the CPUs
 * after it.  Each command gets 1/ACK_SHARE of the gather timeout, never
 * past the gather's one deadline. */
#define ACK_SHARE 16

static uint64_t ack_deadline(const struct mpk_purgatory_params *p, uint64_t deadline)
{
	uint64_t d = rdtsc() + p->tsc_khz * p->gather_timeout_ms / ACK_SHARE;

	return d < deadline ? d : deadline;
}

/* One pass over the CPUs still pending (outcome 0): send each MIGRATE CPU
 * its Wakeup once its source record says it is in that loop (or at once
 * for a foreign mailbox, which has no records), and take every CPU whose
 * target record says it is parked.  Returns how many are still pending. */
static uint32_t gather_pass(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r,
			    uint32_t self, uint8_t *sent, uint64_t deadline)
{
	uint64_t vector = p->park_base + PARK_CODE_OFF + PARK_ENTRY_MIGRATE;
	uint32_t pending = 0;

	for (uint32_t i = 0; i < p->nr_aps; i++) {
		const struct mpk_ap *ap = &p->aps[i];
		uint32_t how = route(p, i, self), rec = target_record(p, i, how);

		if (r->cpu[i].outcome)
			continue;
		if (how == MPK_AP_MIGRATE && !sent[i]) {
			if (p->src_region && ap->src_record != MPK_NO_RECORD &&
			    !is_parked(p->src_region, ap->src_record)) {
				pending++;
				continue;
			}
			if (mailbox_wakeup(p->src_mailbox, ap->apic_id, vector,
					   ack_deadline(p, deadline)) < 0) {
				r->cpu[i].outcome = MPK_CPU_NOT_ARRIVED;
				continue;
			}
			sent[i] = 1;
		}
		if (!is_parked(p->park_base, rec)) {
			pending++;
			continue;
		}
		r->cpu[i].outcome = parked_outcome(p->park_base, rec);
		r->cpu[i].arrived_tsc = *(volatile uint64_t *)park_record_u32(
			p->park_base, rec, PARK_CPU_ARRIVED_TSC);
	}
	return pending;
}

/* Who boots the next kernel when purgatory runs on a CPU other than
 * firmware's BSP (kdump on an AP; reboot=s<N>), and the payload is Linux
 * >= 6.9 (MPK_PF_NEXT_REFUSES_BSP).  Linux 6.10+ (and 6.9.4+) decides in
 * arch/x86/kernel/cpu/topology.c, check_for_real_bsp, on the FIRST APIC it
 * registers from the MADT, reading IA32_APIC_BASE.BSP on its boot CPU; the
 * hardware sets that bit on firmware's BSP only, so on any other CPU it is
 * clear, and then:
 *   - first entry == boot CPU: "Assuming crash kernel. Limiting to one CPU";
 *   - first entry != boot CPU: "Crash kernel detected. Disabling real BSP":
 *     that entry is rejected, never started.
 * So booting on an AP, such a kernel ALWAYS loses the first entry it
 * registers, whatever the MADT order: with every CPU parked (a v1-mailbox
 * kernel's crash sends all of them, the BSP included, to the ResetVector)
 * no order gives it all of them, and moving our own CPU first costs all
 * but one.  The order that works is firmware's own, booted on the CPU it
 * names: when the BSP is parked, purgatory wakes it through the mailbox to
 * enter the payload (purgatory_boot_vector) and parks itself.  Linux then
 * boots on the real BSP (bit set, listed first: no rejection) and wakes
 * every other CPU, the crashing one included, through the mailbox.
 * Never offering a CPU that is not parked still holds: our own CPU is
 * offered while on its way, on straight-line code with IF = 0, and
 * Linux's Wakeup (acpi_wakeup_cpu) waits for the ack without a timeout.
 * Linux < 6.9 starts any enabled entry from any boot CPU: no handoff.
 * The BSP's boot needs the park loop's map (low 4 GiB) to cover the
 * payload: the entry, boot_params and every segment must lie below 4 GiB
 * (a crashkernel=...,high image does not: then no handoff, and the BSP,
 * listed first and Enabled, is refused by Linux itself: one CPU lost). */
#define FOUR_GIB (1ull << 32)

static int below_4g(uint64_t addr, uint64_t len)
{
	return addr < FOUR_GIB && len <= FOUR_GIB - addr;
}

static void plan_boot_handoff(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r,
			      uint32_t self)
{
	uint32_t bsp = MPK_NO_RECORD, me = MPK_NO_RECORD;

	if (self == p->bsp_apic_id || !(p->flags & MPK_PF_NEXT_REFUSES_BSP))
		return;
	/* purgatory_boot_vector enters the payload the Linux 64-bit way only
	 * (a bzImage entered at its 32-bit entry boots here, on our CPU). */
	if (p->entry_mode != MPK_ENTRY_LINUX64)
		return;
	if (!below_4g(p->entry, 1) || !below_4g(p->entry_rsi, 4096))
		return;
	for (uint32_t i = 0; i < p->nr_ranges && i < MPK_MAX_DIGEST_RANGES; i++)
		if (!below_4g(p->ranges[i].addr, p->ranges[i].len))
			return;
	for (uint32_t i = 0; i < p->nr_aps; i++) {
		uint32_t o = r->cpu[i].outcome;

		if (p->aps[i].apic_id == self)
			me = i;
		else if (p->aps[i].apic_id == p->bsp_apic_id &&
			 (o == MPK_CPU_RETURNED || o == MPK_CPU_ALREADY_PARKED ||
			  o == MPK_CPU_MIGRATED))
			bsp = i;
	}
	/* Our own CPU must have an entry in the next MADT to be offered (the
	 * loop finds a record by APIC ID, and serves the mailbox without one). */
	if (bsp == MPK_NO_RECORD || me == MPK_NO_RECORD)
		return;
	r->cpu[bsp].outcome = MPK_CPU_BOOT_WOKEN;
	r->cpu[me].outcome = MPK_CPU_SELF_PARKED;
}

void aps_mailbox(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r)
{
	uint64_t kexec_cr3 = read_cr3(), deadline, generation;
	int64_t id = cpu_apic_id();
	/* No ID (in a TD whose VMM would not say): fall back on the loader's
	 * plan, that we run on the running kernel's CPU 0. */
	uint32_t self = id < 0 ? p->boot_apic_id : (uint32_t)id;
	uint8_t sent[MPK_MAX_APS];
	volatile struct park_header *h = park_header_at(p->park_base);
	/* The status body follows the 36-byte SDT header: only 4-byte aligned,
	 * so its u64 mailbox_version is written as two u32 halves. */
	uint64_t body_version = p->park_base + PARK_STATUS_OFF + PARK_STATUS_BODY +
		__builtin_offsetof(struct park_status_body, mailbox_version);

	r->strategy = MPK_STRATEGY_MAILBOX;
	r->self_apic_id = self;
	r->src_mailbox = p->src_mailbox;
	r->tsc_gather_start = rdtsc();
	/* Our own identity map of the low 4 GiB, all write-back: the kexec map
	 * need not cover a park region or a firmware mailbox in ACPI NVS.
	 * Every address here is below 4 GiB (the loader checks). */
	write_cr3(pagetable_identity_4g(read_cr4() & CR4_LA57_BIT, IDMAP_NO_UNCACHED));
	generation = (p->src_region ? park_header_at(p->src_region)->generation : 0) + 1;
	for (uint32_t i = 0; i < p->nr_aps; i++) {
		sent[i] = 0;
		switch (route(p, i, self)) {
		case ROUTE_SELF:
			r->cpu[i].outcome = MPK_CPU_BOOT;
			madt_enable_cpu(p, i);
			break;
		case MPK_AP_MIGRATE:
		case MPK_AP_STAY:
			break;
		default: /* ROUTE_LEFT_BEHIND, MPK_AP_UNREACHABLE */
			r->cpu[i].outcome = p->aps[i].action == MPK_AP_EXEMPT ?
				MPK_CPU_LEFT_BEHIND : MPK_CPU_UNREACHABLE;
			break;
		}
	}
	/* ONE deadline for the whole gather: CPUs migrating out of another
	 * mailbox and CPUs coming home through the ResetVector are polled
	 * together, so a dead source mailbox or CPU costs one timeout, not
	 * one per CPU.  Whoever is not parked by then is left behind. */
	deadline = rdtsc() + p->tsc_khz * p->gather_timeout_ms;
	while (gather_pass(p, r, self, sent, deadline) && rdtsc() < deadline)
		cpu_relax();
	for (uint32_t i = 0; i < p->nr_aps; i++) {
		uint32_t o = r->cpu[i].outcome;

		if (!o)
			o = r->cpu[i].outcome = p->aps[i].action == MPK_AP_EXEMPT ?
				MPK_CPU_LEFT_BEHIND : MPK_CPU_NOT_ARRIVED;
		/* Never offer the next kernel a CPU that is not in the loop. */
		if (o == MPK_CPU_NOT_ARRIVED || o == MPK_CPU_UNREACHABLE ||
		    o == MPK_CPU_LEFT_BEHIND)
			madt_disable_cpu(p, i);
	}
	plan_boot_handoff(p, r, self);
	h->generation = generation;
	h->mailbox_version = p->mailbox_version;
	*u32_at(body_version) = p->mailbox_version;
	*u32_at(body_version + 4) = 0;
	r->region_generation = generation;
	madt_hold_bsp(p, self);
	acpi_fix_checksum(p->madt_addr);
	acpi_fix_checksum(p->park_base + PARK_STATUS_OFF);
	write_cr3(kexec_cr3);
	r->tsc_gather_end = rdtsc();
}

void mailbox_hand_over_boot(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r)
{
	uint64_t kexec_cr3 = read_cr3(), deadline;
	uint64_t rejoin = p->park_base + PARK_CODE_OFF + PARK_ENTRY_MIGRATE;
	uint32_t bsp = MPK_NO_RECORD, me = MPK_NO_RECORD, claim = 0;

	for (uint32_t i = 0; i < p->nr_aps; i++)
		if (r->cpu[i].outcome == MPK_CPU_BOOT_WOKEN)
			bsp = i;
		else if (r->cpu[i].outcome == MPK_CPU_SELF_PARKED)
			me = i;
	if (bsp == MPK_NO_RECORD || me == MPK_NO_RECORD)
		return;
	purgatory_boot_handoff.entry = p->entry;
	purgatory_boot_handoff.rsi = p->entry_rsi;
	purgatory_boot_handoff.rejoin = rejoin;
	/* The park region's mailbox (it may lie in ACPI NVS): our own map. */
	write_cr3(pagetable_identity_4g(read_cr4() & CR4_LA57_BIT, IDMAP_NO_UNCACHED));
	deadline = rdtsc() + p->tsc_khz * p->gather_timeout_ms;
	if (mailbox_wakeup(p->park_base, p->aps[bsp].apic_id,
			   (uint64_t)(uintptr_t)purgatory_boot_vector, deadline) == 0 ||
	    !__atomic_compare_exchange_n(&purgatory_boot_handoff.claim, &claim, BOOT_CLAIM_SELF,
					 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		/* The BSP boots the payload: join the park loop, as a CPU
		 * woken out of another mailbox does (64-bit, IF = 0, an
		 * identity map covering the region, a flat GDT). */
		purgatory_enter(rejoin, 0);
	/* The BSP never took the Wakeup (and, the claim says, will not boot):
	 * boot here after all.  It stays Enabled and first in the MADT, and
	 * Linux >= 6.9 refuses it itself ("Disabling real BSP"). */
	r->cpu[bsp].outcome = parked_outcome(p->park_base,
					     target_record(p, bsp, route(p, bsp, r->self_apic_id)));
	r->cpu[me].outcome = MPK_CPU_BOOT;
	r->flags |= MPK_REPORT_HANDOFF_FAILED;
	write_cr3(kexec_cr3);
	r->tsc_exit = rdtsc();
}

/* The entry convention the loader chose, with this path's rules: no port
 * I/O (so nothing is said), no MSR (the 32-bit exit leaves EFER alone:
 * entry.S, purgatory_enter32_keep_efer, says why that is safe).  64-bit,
 * IF = 0, our GDT, the kexec CR3 here; purgatory's own map of the low
 * 4 GiB (plain stores, as aps_mailbox builds it) for the other two. */
static __attribute__((noreturn)) void mailbox_enter_payload(const struct mpk_purgatory_params *p)
{
	switch (p->entry_mode) {
	case MPK_ENTRY_64_IDENTITY:
		write_cr3(pagetable_identity_4g(read_cr4() & CR4_LA57_BIT, IDMAP_NO_UNCACHED));
		purgatory_enter_identity64(p->entry);
	case MPK_ENTRY_32:
		write_cr3(pagetable_identity_4g(read_cr4() & CR4_LA57_BIT, IDMAP_NO_UNCACHED));
		purgatory_enter32_keep_efer((uint32_t)p->entry, p->entry_eax, p->entry_ebx,
					    p->entry_esi);
	default: /* MPK_ENTRY_LINUX64 (checked on entry) */
		purgatory_enter(p->entry, p->entry_rsi);
	}
}

void purgatory_mailbox_start(void)
{
	const struct mpk_purgatory_params *p = &purgatory_params;
	uint64_t tsc_entry = rdtsc(), found;
	struct mpk_handoff_report *r;

	if (p->magic != MPK_PURGATORY_MAGIC || p->version != MPK_PURGATORY_VERSION ||
	    !entry_mode_valid(p))
		spin_forever();
	/* A mismatch stops here: nothing may be printed (port I/O), and HLT
	 * is not allowed on this path; the VMM sees a spinning vCPU. */
	if ((p->flags & MPK_PF_VERIFY_DIGESTS) && verify_ranges(p->ranges, p->nr_ranges, &found) >= 0)
		spin_forever();
	r = report_begin(p, tsc_entry);
	aps_mailbox(p, r);
	r->tsc_exit = rdtsc();
	mailbox_hand_over_boot(p, r);
	mailbox_enter_payload(p);
}
