#include "mailbox.h"

#include "cpu.h"
#include "entry.h"
#include "handoff-tables.h"
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

static int wait_parked(uint64_t region, uint32_t record, uint64_t deadline)
{
	while (*park_record_u32(region, record, PARK_CPU_STATE) != PARK_STATE_PARKED)
		if (rdtsc() >= deadline)
			return -1;
		else
			cpu_relax();
	return 0;
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

/* One AP in another mailbox's loop (firmware's, or an older park region):
 * wait until its source record says it is there (when the source is a
 * park region), send it to our migrate entry, wait until it checks in. */
static int migrate(const struct mpk_purgatory_params *p, uint32_t i, uint64_t timeout)
{
	const struct mpk_ap *ap = &p->aps[i];
	uint64_t deadline = rdtsc() + timeout;

	if (p->src_region && ap->src_record != MPK_NO_RECORD &&
	    wait_parked(p->src_region, ap->src_record, deadline) < 0)
		return -1;
	if (mailbox_wakeup(p->src_mailbox, ap->apic_id,
			   p->park_base + PARK_CODE_OFF + PARK_ENTRY_MIGRATE, deadline) < 0)
		return -1;
	return wait_parked(p->park_base, i, deadline);
}

/* Its record in the region at park_base: the one it already had when the
 * region is reused in place (STAY), else the loader's fresh table, which
 * lists the APs in aps[] order. */
static uint32_t target_record(const struct mpk_purgatory_params *p, uint32_t i)
{
	return p->aps[i].action == MPK_AP_STAY ? p->aps[i].src_record : i;
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

void aps_mailbox(const struct mpk_purgatory_params *p, struct mpk_handoff_report *r)
{
	uint64_t kexec_cr3 = read_cr3(), timeout = p->tsc_khz * p->gather_timeout_ms;
	uint64_t deadline, generation;
	volatile struct park_header *h = park_header_at(p->park_base);
	volatile struct park_status_body *body = (volatile struct park_status_body *)
		(uintptr_t)(p->park_base + PARK_STATUS_OFF + PARK_STATUS_BODY);

	r->strategy = MPK_STRATEGY_MAILBOX;
	r->self_apic_id = p->boot_apic_id; /* assumed: kexec runs us on the boot CPU */
	r->src_mailbox = p->src_mailbox;
	r->tsc_gather_start = rdtsc();
	/* Our own identity map of the low 4 GiB (WB; the uncached 2 MiB page
	 * is page 0, which nothing here touches): the kexec map need not cover
	 * a park region or a firmware mailbox in ACPI NVS.  Every address here
	 * is below 4 GiB (the loader checks). */
	write_cr3(pagetable_identity_4g(read_cr4() & CR4_LA57_BIT, 0));
	generation = (p->src_region ? park_header_at(p->src_region)->generation : 0) + 1;
	for (uint32_t i = 0; i < p->nr_aps; i++) {
		switch (p->aps[i].action) {
		case MPK_AP_EXEMPT:
			r->cpu[i].outcome = MPK_CPU_BOOT;
			break;
		case MPK_AP_MIGRATE:
			if (migrate(p, i, timeout) < 0)
				r->cpu[i].outcome = MPK_CPU_NOT_ARRIVED;
			break;
		case MPK_AP_STAY:
			break;
		default:
			r->cpu[i].outcome = MPK_CPU_UNREACHABLE;
			break;
		}
	}
	/* CPUs coming home through the ResetVector while the old kernel shut
	 * down: one bounded wait for all of them. */
	deadline = rdtsc() + timeout;
	for (uint32_t i = 0; i < p->nr_aps; i++)
		if (p->aps[i].action == MPK_AP_STAY && !r->cpu[i].outcome &&
		    wait_parked(p->park_base, target_record(p, i), deadline) < 0)
			r->cpu[i].outcome = MPK_CPU_NOT_ARRIVED;
	for (uint32_t i = 0; i < p->nr_aps; i++) {
		if (r->cpu[i].outcome == MPK_CPU_BOOT)
			continue;
		if (!r->cpu[i].outcome) {
			r->cpu[i].outcome = parked_outcome(p->park_base, target_record(p, i));
			r->cpu[i].arrived_tsc = *(volatile uint64_t *)park_record_u32(
				p->park_base, target_record(p, i), PARK_CPU_ARRIVED_TSC);
			continue;
		}
		/* Never offer the next kernel a CPU that is not in the loop. */
		madt_disable_cpu(p, i);
	}
	h->generation = generation;
	h->mailbox_version = p->mailbox_version;
	body->mailbox_version = p->mailbox_version;
	r->region_generation = generation;
	acpi_fix_checksum(p->madt_addr);
	acpi_fix_checksum(p->park_base + PARK_STATUS_OFF);
	write_cr3(kexec_cr3);
	r->tsc_gather_end = rdtsc();
}

void purgatory_mailbox_start(void)
{
	const struct mpk_purgatory_params *p = &purgatory_params;
	uint64_t tsc_entry = rdtsc(), found;
	struct mpk_handoff_report *r;

	if (p->magic != MPK_PURGATORY_MAGIC || p->version != MPK_PURGATORY_VERSION)
		spin_forever();
	/* A mismatch stops here: nothing may be printed (port I/O), and HLT
	 * is not allowed on this path; the VMM sees a spinning vCPU. */
	if ((p->flags & MPK_PF_VERIFY_DIGESTS) && verify_ranges(p->ranges, p->nr_ranges, &found) >= 0)
		spin_forever();
	r = report_begin(p, tsc_entry);
	aps_mailbox(p, r);
	r->tsc_exit = rdtsc();
	purgatory_enter(p->entry, p->entry_rsi);
}
