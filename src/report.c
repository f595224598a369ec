#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "file.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/park-abi.h"
#include "sysview.h"

void report_plan(FILE *out, const struct load_plan *plan, const char *image_path,
		 const char *cmdline, bool loaded)
{
	const struct mpk_purgatory_params *p = &plan->params;

	fprintf(out, "mpkexec plan%s\n", loaded ? "" : " (nothing loaded)");
	fprintf(out, "image: %s\n  %s\n", image_path, plan->image_desc);
	fprintf(out, "command line (%s):\n  \"%s\"\n", plan->cmdline_desc, cmdline);
	fprintf(out, "segments (%u of %d):\n", plan->nseg, KEXEC_SEGMENT_MAX);
	fprintf(out, "  #  destination         end                 bufsz       memsz       what\n");
	for (unsigned i = 0; i < plan->nseg; i++) {
		const struct segment *s = &plan->seg[i];

		fprintf(out, "  %u  0x%016" PRIx64 "  0x%016" PRIx64 "  %#-10" PRIx64 "  %#-10"
			PRIx64 "  %s: %s\n", i, s->mem, s->mem + s->memsz - 1, s->bufsz,
			s->memsz, s->what, s->detail);
	}
	fprintf(out, "entry: purgatory %#" PRIx64 " -> kernel 64-bit entry %#" PRIx64
		" (RSI = boot_params %#" PRIx64 ")\n", plan->entry, plan->payload_entry,
		plan->payload_rsi);
	if (p->flags & MPK_PF_VERIFY_DIGESTS) {
		fprintf(out, "digests: XXH3-64 of %u segments, checked by purgatory:\n",
			p->nr_ranges);
		for (unsigned i = 0; i < p->nr_ranges; i++)
			fprintf(out, "  0x%016" PRIx64 " +%#-10" PRIx64 " %016" PRIx64 "\n",
				p->ranges[i].addr, p->ranges[i].len, p->ranges[i].xxh3);
	} else {
		fprintf(out, "digests: not checked (-i)\n");
	}
	fprintf(out, "ACPI RSDP for the next kernel: %s\n", plan->rsdp_desc);
	if (plan->acpi_desc[0])
		fprintf(out, "ACPI tables: %s\n", plan->acpi_desc);
	if (plan->efi_desc[0])
		fprintf(out, "EFI: %s\n", plan->efi_desc);
	fprintf(out, "memory map handed over (e820, %zu entries):\n", plan->handed_map.n);
	for (size_t i = 0; i < plan->handed_map.n; i++) {
		const struct mem_range *r = &plan->handed_map.r[i];

		fprintf(out, "  0x%016" PRIx64 "-0x%016" PRIx64 "  %s\n", r->start, r->end - 1,
			e820_type_name(r->type));
	}
	fprintf(out, "AP handoff: %s\n", plan->ap_desc);
	if (p->flags & MPK_PF_MAILBOX_APS) {
		fprintf(out, "purgatory serial output: none (the mailbox path does no port "
			"I/O; on a digest mismatch purgatory spins silently)\n");
		return;
	}
	fprintf(out, "purgatory serial output: %s",
		(p->flags & MPK_PF_SERIAL_DEBUG) ? "on, port " : "off (errors only, port ");
	fprintf(out, "%#x%s\n", p->serial_port, (p->flags & MPK_PF_SERIAL_DEBUG) ? "" : ")");
}

static void status_line(FILE *out, const char *root, const char *label, const char *file,
			const char *if0, const char *if1)
{
	char path[PATH_MAX], buf[256];

	snprintf(path, sizeof(path), "%s%s", root, file);
	if (file_read_text(path, buf, sizeof(buf)) < 0)
		fprintf(out, "%-22s unknown (%s unreadable)\n", label, file);
	else if (if0 && strcmp(buf, "0") == 0)
		fprintf(out, "%-22s %s (%s)\n", label, if0, file);
	else if (if1 && strcmp(buf, "1") == 0)
		fprintf(out, "%-22s %s (%s)\n", label, if1, file);
	else
		fprintf(out, "%-22s %s (%s)\n", label, buf, file);
}

void report_status(FILE *out, const char *root)
{
	status_line(out, root, "kexec image:", "/sys/kernel/kexec_loaded", "not loaded", "loaded");
	status_line(out, root, "crash image:", "/sys/kernel/kexec_crash_loaded", "not loaded",
		    "loaded");
	status_line(out, root, "crash region bytes:", "/sys/kernel/kexec_crash_size", NULL, NULL);
	status_line(out, root, "kexec_load:", "/proc/sys/kernel/kexec_load_disabled", "allowed",
		    "disabled (kernel.kexec_load_disabled=1; mpkexec -s may work)");
	status_line(out, root, "lockdown:", "/sys/kernel/security/lockdown", NULL, NULL);
}

static const char *strategy_name(uint32_t s)
{
	switch (s) {
	case MPK_STRATEGY_INIT:
		return "init (APs put into INIT; original MADT)";
	case MPK_STRATEGY_PARK:
		return "park (APs gathered into the park region; MADT wakeup mailbox)";
	case MPK_STRATEGY_PARK_FAILED:
		return "park failed (no AP arrived): APs put into INIT; original ACPI tables";
	case MPK_STRATEGY_MAILBOX:
		return "mailbox (APs handed over through mailboxes only; MADT wakeup mailbox)";
	}
	return "unknown";
}

static const char *outcome_name(uint32_t o)
{
	switch (o) {
	case MPK_CPU_BOOT:
		return "boot CPU (ran purgatory)";
	case MPK_CPU_INIT:
		return "INIT";
	case MPK_CPU_PARKED_INIT_SIPI:
		return "parked via INIT-SIPI-SIPI";
	case MPK_CPU_ALREADY_PARKED:
		return "already parked";
	case MPK_CPU_MIGRATED:
		return "migrated from another mailbox";
	case MPK_CPU_NOT_ARRIVED:
		return "did not arrive: disabled in the MADT";
	case MPK_CPU_RETURNED:
		return "returned through the ResetVector";
	case MPK_CPU_UNREACHABLE:
		return "unreachable (no mailbox reaches it): disabled in the MADT";
	case MPK_CPU_LEFT_BEHIND:
		return "left behind (old boot CPU or firmware's BSP; purgatory ran elsewhere): not INIT'd";
	}
	return "unknown";
}

static const char *park_state_name(uint32_t s)
{
	return s == PARK_STATE_PARKED ? "in the park loop" :
	       s == PARK_STATE_WOKEN ? "woken by mailbox" : "absent";
}

static double tsc_ms(uint64_t a, uint64_t b, uint64_t khz)
{
	return khz && b >= a ? (double)(b - a) / (double)khz : 0.0;
}

/* The park region as it is now: its status table, which Linux exports
 * live from ACPI NVS (no /dev/mem needed, also on TDX). */
static void print_park_now(FILE *out, const char *root, const struct mpk_handoff_report *r)
{
	size_t len;
	uint8_t *t = sysview_slurp(root, "/sys/firmware/acpi/tables/" PARK_STATUS_SIG, &len);
	struct park_status_body b;

	if (!t || len < PARK_STATUS_HEAD) {
		fprintf(out, "park region now: /sys/firmware/acpi/tables/%s unreadable (%s)\n",
			PARK_STATUS_SIG, t ? "too short" : strerror(errno));
		free(t);
		return;
	}
	memcpy(&b, t + PARK_STATUS_BODY, sizeof(b));
	fprintf(out, "park region now: %#" PRIx64 ", ABI %u, mailbox v%" PRIu64
		", %u CPU records%s\n", b.region_base, b.abi_version, b.mailbox_version,
		b.nr_cpus, b.region_base == r->park_base ? "" : " (not the reported region!)");
	for (uint32_t i = 0; i < b.nr_cpus && PARK_STATUS_HEAD + (i + 1) * PARK_CPU_SIZE <= len;
	     i++) {
		struct park_cpu c;

		memcpy(&c, t + PARK_STATUS_HEAD + i * PARK_CPU_SIZE, sizeof(c));
		fprintf(out, "  APIC ID %u: %s, %u wakeups, %u tests, last arrival: %s\n",
			c.apic_id, park_state_name(c.state), c.wakeups, c.tests,
			c.how == PARK_HOW_INIT_SIPI ? "INIT-SIPI" :
			c.how == PARK_HOW_MIGRATED ? "migrated" :
			c.how == PARK_HOW_RESET_VECTOR ? "ResetVector" : "never");
	}
	free(t);
}

int report_last_handoff(FILE *out, const char *root, struct mpk_error *err)
{
	struct mpk_handoff_report *r;
	size_t len;
	uint8_t *data = sysview_setup_data(root, MPK_SETUP_DATA_TYPE, &len);

	if (!data)
		return mpk_fail(err, MPK_EXIT_NOINPUT,
				"last handoff: no mpkexec report in /sys/kernel/boot_params/setup_data "
				"(this kernel was not started by mpkexec's purgatory, or setup_data "
				"is not readable: it needs root)");
	r = (struct mpk_handoff_report *)data;
	if (len < sizeof(*r) || r->magic != MPK_REPORT_MAGIC || r->version != MPK_REPORT_VERSION ||
	    len < sizeof(*r) + (size_t)r->nr_cpus * sizeof(r->cpu[0])) {
		free(data);
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"last handoff: setup_data type %#x is not a version %u mpkexec "
				"report (%zu bytes)", MPK_SETUP_DATA_TYPE, MPK_REPORT_VERSION, len);
	}
	fprintf(out, "last handoff (setup_data type %#x):\n", MPK_SETUP_DATA_TYPE);
	fprintf(out, "strategy: %s\n", strategy_name(r->strategy));
	fprintf(out, "digests: %u segments checked%s\n", r->digests_checked,
		r->digests_checked ? ", all matched" : " (-i)");
	fprintf(out, "IPIs sent: %u INIT, %u SIPI\n", r->init_ipis, r->sipi_ipis);
	fprintf(out, "purgatory: %.3f ms from entry to payload; AP gather %.3f ms "
		"(TSC estimate %" PRIu64 " kHz)\n",
		tsc_ms(r->tsc_entry, r->tsc_exit, r->tsc_khz),
		tsc_ms(r->tsc_gather_start, r->tsc_gather_end, r->tsc_khz), r->tsc_khz);
	fprintf(out, "RSDP handed over: %#" PRIx64 "\n", r->rsdp);
	if (r->strategy == MPK_STRATEGY_MAILBOX)
		fprintf(out, "source mailbox: %#" PRIx64 "; park region %#" PRIx64 ", "
			"handoff %" PRIu64 " it served\n", r->src_mailbox, r->park_base,
			r->region_generation);
	fprintf(out, "purgatory ran on APIC ID %u; CPUs (%u):\n", r->self_apic_id,
		r->nr_cpus);
	for (uint32_t i = 0; i < r->nr_cpus; i++) {
		fprintf(out, "  APIC ID %u: %s", r->cpu[i].apic_id,
			outcome_name(r->cpu[i].outcome));
		if (r->cpu[i].arrived_tsc && r->tsc_gather_start &&
		    r->cpu[i].arrived_tsc >= r->tsc_gather_start)
			fprintf(out, " (+%.3f ms)", tsc_ms(r->tsc_gather_start,
							  r->cpu[i].arrived_tsc, r->tsc_khz));
		else if (r->cpu[i].arrived_tsc)
			fprintf(out, " (arrived %.3f ms before this handoff began)",
				tsc_ms(r->cpu[i].arrived_tsc, r->tsc_gather_start, r->tsc_khz));
		fputc('\n', out);
	}
	if (r->park_base)
		print_park_now(out, root, r);
	free(data);
	return 0;
}
