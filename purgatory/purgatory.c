/* SPDX-License-Identifier: GPL-2.0-only */
/* Purgatory: runs on one CPU between the old kernel and the payload.
 *
 * CPU state on entry to purgatory_main (set up by entry.S): 64-bit mode,
 * CPL 0, IF = 0, our GDT (CS 0x10, data 0x18) and stack, IDTR limit 0 (any
 * exception triple-faults), CR3 = the old kernel's kexec identity map
 * (all RAM, every segment, ACPI ranges), CR4 = PAE [| LA57] [| MCE]: no SSE.
 *
 * It reads top to bottom as the handoff: verify -> hand over the APs ->
 * record -> enter. */
#include <stddef.h>

#include "aps.h"
#include "console.h"
#include "cpu.h"
#include "entry.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/identity-map.h"
#include "mpkexec/purgatory-params.h"
#include "pagetable.h"
#include "report.h"
#include "timer.h"
#include "verify.h"

/* Filled by the loader (src/purgatory-link.c) before relocation. */
struct mpk_purgatory_params purgatory_params __attribute__((section(".data")));

void purgatory_main(void) __attribute__((noreturn));

static void say(const char *s)
{
	console_puts("mpkexec purgatory: ");
	console_puts(s);
}

static void verify_segments(const struct mpk_purgatory_params *p)
{
	uint64_t found = 0;
	int bad = verify_ranges(p->ranges, p->nr_ranges, &found);

	if (bad < 0) {
		say("digests of ");
		console_dec(p->nr_ranges);
		console_puts(" segments match\n");
		return;
	}
	/* Printed even without --console-serial: the handoff stops here. */
	if (!p->serial_port)
		return halt_forever();
	console_init(p->serial_port);
	say("digest mismatch in segment ");
	console_dec((uint64_t)bad);
	console_puts(" at ");
	console_hex(p->ranges[bad].addr);
	console_puts(" (");
	console_dec(p->ranges[bad].len);
	console_puts(" bytes): expected ");
	console_hex(p->ranges[bad].xxh3);
	console_puts(", found ");
	console_hex(found);
	console_puts("; memory was changed after loading. Stopped; reset the "
		     "machine (load with -i to skip this check).\n");
	halt_forever();
}

static void say_report(const struct mpk_handoff_report *r)
{
	say(r->strategy == MPK_STRATEGY_PARK ? "APs parked" :
	    r->strategy == MPK_STRATEGY_INIT ? "APs in INIT" : "parking failed, APs in INIT");
	if (r->flags & MPK_REPORT_CRASH) {
		console_puts(" (crash capture on APIC ID ");
		console_dec(r->self_apic_id);
		console_puts(")");
	}
	console_puts(": ");
	console_dec(r->init_ipis);
	console_puts(" INIT, ");
	console_dec(r->sipi_ipis);
	console_puts(" SIPI; CPU outcomes (APIC ID:outcome):");
	for (uint32_t i = 0; i < r->nr_cpus; i++) {
		console_puts(" ");
		console_dec(r->cpu[i].apic_id);
		console_puts(":");
		console_dec(r->cpu[i].outcome);
	}
	console_puts("\n");
}

/* The entry convention the loader chose (p->entry_mode; checked against
 * what purgatory knows before anything ran).  64-bit, IF = 0, our GDT,
 * CR3 = the kexec identity map here. */
static __attribute__((noreturn)) void enter_payload(const struct mpk_purgatory_params *p)
{
	switch (p->entry_mode) {
	case MPK_ENTRY_64_IDENTITY:
		say("entering payload at ");
		console_hex(p->entry);
		console_puts(" (64-bit, identity map of the low 4 GiB, registers 0)\n");
		write_cr3(pagetable_identity_4g(read_cr4() & CR4_LA57, IDMAP_NO_UNCACHED));
		purgatory_enter_identity64(p->entry);
	case MPK_ENTRY_32:
		say("entering payload at ");
		console_hex(p->entry);
		console_puts(" (32-bit protected mode, paging off, EAX ");
		console_hex(p->entry_eax);
		console_puts(" EBX ");
		console_hex(p->entry_ebx);
		console_puts(" ESI ");
		console_hex(p->entry_esi);
		console_puts(")\n");
		/* The switch runs identity-mapped: purgatory is below 4 GiB. */
		write_cr3(pagetable_identity_4g(read_cr4() & CR4_LA57, IDMAP_NO_UNCACHED));
		purgatory_enter32((uint32_t)p->entry, p->entry_eax, p->entry_ebx, p->entry_esi);
	default: /* MPK_ENTRY_LINUX64 (purgatory_main refused any other value) */
		say("entering payload at ");
		console_hex(p->entry);
		console_puts(" (64-bit, RSI ");
		console_hex(p->entry_rsi);
		console_puts(")\n");
		purgatory_enter(p->entry, p->entry_rsi);
	}
}

void purgatory_main(void)
{
	const struct mpk_purgatory_params *p = &purgatory_params;
	struct mpk_handoff_report *r;
	uint64_t tsc_entry = rdtsc();

	if (p->flags & MPK_PF_SERIAL_DEBUG)
		console_init(p->serial_port);
	say("entered\n");
	if (p->magic != MPK_PURGATORY_MAGIC || p->version != MPK_PURGATORY_VERSION ||
	    !entry_mode_valid(p)) {
		say("bad parameter block; stopped\n");
		halt_forever();
	}
	if (p->flags & MPK_PF_VERIFY_DIGESTS)
		verify_segments(p);
	r = report_begin(p, tsc_entry);
	if (p->flags & MPK_PF_PARK_APS)
		aps_park(p, r);
	else if (p->flags & MPK_PF_INIT_APS)
		aps_init(p, r);
	say_report(r);
	r->tsc_exit = rdtsc();
	enter_payload(p);
}
