/* Purgatory: runs on one CPU between the old kernel and the payload.
 *
 * CPU state on entry to purgatory_main (set up by entry.S): 64-bit mode,
 * CPL 0, IF = 0, our GDT (CS 0x10, data 0x18) and stack, IDTR limit 0 (any
 * exception triple-faults), CR3 = the old kernel's kexec identity map
 * (all RAM, every segment, ACPI ranges), CR4 = PAE [| LA57] [| MCE]: no SSE.
 *
 * It reads top to bottom as the handoff: verify -> stop APs -> enter. */
#include <stddef.h>

#include "apic.h"
#include "console.h"
#include "cpu.h"
#include "mpkexec/purgatory-params.h"
#include "pagetable.h"
#include "verify.h"

/* Filled by the loader (src/purgatory-link.c) before relocation. */
struct mpk_purgatory_params purgatory_params __attribute__((section(".data")));

void purgatory_main(void) __attribute__((noreturn));
void purgatory_enter(uint64_t entry, uint64_t rsi) __attribute__((noreturn));

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

/* Sends INIT to every AP the loader listed, so that no CPU keeps running
 * (halted) inside old-kernel text that is being overwritten.  The payload
 * then starts them with INIT-SIPI-SIPI as it would after firmware. */
static void stop_aps(const struct mpk_purgatory_params *p)
{
	struct apic apic;
	uint64_t kexec_cr3 = read_cr3();
	uint32_t sent = 0, failed = 0;

	if (apic_probe(&apic) < 0) {
		say("local APIC globally disabled; APs not touched\n");
		return;
	}
	if (!apic.x2apic)
		write_cr3(pagetable_identity_4g(read_cr4() & CR4_LA57, apic.mmio_base));
	apic_enable(&apic);
	for (uint32_t i = 0; i < p->nr_aps; i++) {
		uint32_t id = p->ap_apic_ids[i];

		/* Never INIT ourselves, nor the BSP: an INIT'd BSP runs the
		 * firmware reset path instead of waiting for a SIPI. */
		if (id == apic.self_id || id == p->boot_apic_id)
			continue;
		if (apic_send_ipi(&apic, IPI_INIT_ASSERT, id, 0) < 0 ||
		    apic_send_ipi(&apic, IPI_INIT_DEASSERT, id, 0) < 0) {
			failed++;
			continue;
		}
		sent++;
	}
	write_cr3(kexec_cr3);
	say(apic.x2apic ? "x2APIC" : "xAPIC");
	console_puts(" id ");
	console_dec(apic.self_id);
	console_puts(apic.is_bsp ? " (BSP)" : " (not BSP)");
	console_puts(": INIT sent to ");
	console_dec(sent);
	console_puts(" APs, ");
	console_dec(failed);
	console_puts(" failed\n");
}

void purgatory_main(void)
{
	const struct mpk_purgatory_params *p = &purgatory_params;

	if (p->flags & MPK_PF_SERIAL_DEBUG)
		console_init(p->serial_port);
	say("entered\n");
	if (p->magic != MPK_PURGATORY_MAGIC || p->version != MPK_PURGATORY_VERSION) {
		say("bad parameter block; stopped\n");
		halt_forever();
	}
	if (p->flags & MPK_PF_VERIFY_DIGESTS)
		verify_segments(p);
	if (p->flags & MPK_PF_INIT_APS)
		stop_aps(p);
	say("entering payload at ");
	console_hex(p->entry);
	console_puts("\n");
	purgatory_enter(p->entry, p->entry_rsi);
}
