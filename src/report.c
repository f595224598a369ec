/* SPDX-License-Identifier: GPL-2.0-only */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "file.h"
#include "json-out.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/park-abi.h"
#include "sysview.h"

/* ---- the plan ---------------------------------------------------------- */

/* The entry conventions (include/mpkexec/purgatory-params.h), in words
 * and as --json keys. */
static const char *entry_mode_text(uint32_t mode)
{
	return mode == MPK_ENTRY_LINUX64 ? "64-bit entry" :
	       mode == MPK_ENTRY_64_IDENTITY ? "64-bit entry (identity map)" :
	       mode == MPK_ENTRY_32 ? "32-bit protected-mode entry (paging off)" : "entry";
}

static const char *entry_mode_key(uint32_t mode)
{
	return mode == MPK_ENTRY_LINUX64 ? "linux64" : mode == MPK_ENTRY_64_IDENTITY ?
	       "64-identity" : mode == MPK_ENTRY_32 ? "32" : "unknown";
}

void report_ap_handoff(FILE *out, const char *prefix, const struct load_plan *plan)
{
	fprintf(out, "%sAP handoff: %s", prefix, plan->ap_desc);
	for (unsigned i = 0; i < plan->ncpu; i++) {
		const struct plan_cpu *c = &plan->cpu[i];

		fprintf(out, "\n  %s APIC ID %u: now %s -> %s", c->boot ? "boot CPU" : "AP",
			c->apic_id, c->now_text, c->handover_text);
	}
	if (plan->ap_tally[0])
		fprintf(out, "\n  %s", plan->ap_tally);
	fputc('\n', out);
}

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
	fprintf(out, "entry: purgatory %#" PRIx64 " -> payload %s %#" PRIx64, plan->entry,
		entry_mode_text(p->entry_mode), plan->payload_entry);
	if (p->entry_mode == MPK_ENTRY_LINUX64)
		fprintf(out, " (RSI = boot_params %#" PRIx64 ")\n", p->entry_rsi);
	else if (p->entry_mode == MPK_ENTRY_32)
		fprintf(out, " (EAX %#" PRIx32 ", EBX %#" PRIx32 ", ESI %#" PRIx32 ")\n",
			p->entry_eax, p->entry_ebx, p->entry_esi);
	else
		fprintf(out, " (no arguments)\n");
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
	report_ap_handoff(out, "", plan);
	/* -l says its warning on stderr; --plan, which loads nothing, says it here */
	if (!loaded && plan->warning[0])
		fprintf(out, "warning: %s\n", plan->warning);
	if (p->flags & MPK_PF_MAILBOX_APS) {
		fprintf(out, "purgatory serial output: none (the mailbox path does no port "
			"I/O; on a digest mismatch purgatory spins silently)\n");
		return;
	}
	fprintf(out, "purgatory serial output: %s",
		(p->flags & MPK_PF_SERIAL_DEBUG) ? "on, port " : "off (errors only, port ");
	fprintf(out, "%#x%s\n", p->serial_port, (p->flags & MPK_PF_SERIAL_DEBUG) ? "" : ")");
}


static const char *ap_mode(uint32_t flags)
{
	return (flags & MPK_PF_MAILBOX_APS) ? "mailbox" : (flags & MPK_PF_PARK_APS) ? "park" :
	       (flags & MPK_PF_INIT_APS) ? "init" : "none";
}

/* "" -> null */
static void json_text(struct json_out *j, const char *key, const char *s)
{
	json_string(j, key, *s ? s : NULL);
}

void report_plan_json(FILE *out, const struct load_plan *plan, const char *image_path,
		      const char *cmdline)
{
	const struct mpk_purgatory_params *p = &plan->params;
	struct json_out j;

	json_init(&j, out);
	json_object_begin(&j, NULL);
	json_string(&j, "schema", REPORT_SCHEMA_PLAN);
	json_bool(&j, "loaded", false);
	json_object_begin(&j, "image");
	json_string(&j, "path", image_path);
	json_string(&j, "description", plan->image_desc);
	json_object_end(&j);
	json_object_begin(&j, "cmdline");
	json_string(&j, "text", cmdline);
	json_string(&j, "description", plan->cmdline_desc);
	json_object_end(&j);
	json_array_begin(&j, "segments");
	for (unsigned i = 0; i < plan->nseg; i++) {
		const struct segment *s = &plan->seg[i];

		json_object_begin(&j, NULL);
		json_string(&j, "what", s->what);
		json_string(&j, "detail", s->detail);
		json_hex(&j, "mem", s->mem);
		json_u64(&j, "memsz", s->memsz);
		json_u64(&j, "bufsz", s->bufsz);
		json_bool(&j, "digest", s->digest);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_begin(&j, "entry");
	json_hex(&j, "purgatory", plan->entry);
	json_hex(&j, "kernel", plan->payload_entry);
	json_string(&j, "mode", entry_mode_key(p->entry_mode));
	/* Linux's boot_params (LINUX64, or ESI of a 32-bit Linux entry), else 0 */
	json_hex(&j, "boot_params", p->boot_params);
	json_hex(&j, "eax", p->entry_eax);
	json_hex(&j, "ebx", p->entry_ebx);
	json_object_end(&j);
	json_object_begin(&j, "digests");
	json_bool(&j, "checked", p->flags & MPK_PF_VERIFY_DIGESTS);
	json_array_begin(&j, "ranges");
	for (unsigned i = 0; (p->flags & MPK_PF_VERIFY_DIGESTS) && i < p->nr_ranges; i++) {
		json_object_begin(&j, NULL);
		json_hex(&j, "addr", p->ranges[i].addr);
		json_u64(&j, "len", p->ranges[i].len);
		json_hex(&j, "xxh3", p->ranges[i].xxh3);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_object_begin(&j, "acpi");
	json_hex(&j, "rsdp", plan->next_rsdp);
	json_text(&j, "rsdp_description", plan->rsdp_desc);
	json_text(&j, "tables", plan->acpi_desc);
	json_object_end(&j);
	json_text(&j, "efi", plan->efi_desc);
	json_array_begin(&j, "memory_map");
	for (size_t i = 0; i < plan->handed_map.n; i++) {
		const struct mem_range *r = &plan->handed_map.r[i];

		json_object_begin(&j, NULL);
		json_hex(&j, "start", r->start);
		json_hex(&j, "end", r->end - 1);
		json_string(&j, "type", e820_type_name(r->type));
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_begin(&j, "ap_handoff");
	json_string(&j, "mode", ap_mode(p->flags));
	json_string(&j, "summary", plan->ap_desc);
	json_text(&j, "tally", plan->ap_tally);
	if (plan->park_base)
		json_hex(&j, "park_base", plan->park_base);
	else
		json_null(&j, "park_base");
	json_array_begin(&j, "cpus");
	for (unsigned i = 0; i < plan->ncpu; i++) {
		const struct plan_cpu *c = &plan->cpu[i];

		json_object_begin(&j, NULL);
		json_u64(&j, "apic_id", c->apic_id);
		json_bool(&j, "boot", c->boot);
		json_string(&j, "now", c->now);
		json_string(&j, "now_text", c->now_text);
		json_string(&j, "handover", c->handover);
		json_string(&j, "handover_text", c->handover_text);
		json_bool(&j, "offered", c->offered);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_object_begin(&j, "serial");
	json_bool(&j, "enabled", p->flags & MPK_PF_SERIAL_DEBUG);
	if (p->flags & MPK_PF_MAILBOX_APS)
		json_null(&j, "port");
	else
		json_u64(&j, "port", p->serial_port);
	json_object_end(&j);
	json_text(&j, "warning", plan->warning);
	json_object_end(&j);
	json_finish(&j);
}

/* ---- --status ---------------------------------------------------------- */

struct status_item {
	const char *label, *key, *file, *if0, *if1;
	bool number;                 /* JSON: an integer, else 0/1 as a bool */
	bool text;                   /* JSON: the file's text */
};

static const struct status_item status_items[] = {
	{ "kexec image:", "kexec_loaded", "/sys/kernel/kexec_loaded", "not loaded", "loaded",
	  false, false },
	{ "crash image:", "crash_loaded", "/sys/kernel/kexec_crash_loaded", "not loaded",
	  "loaded", false, false },
	{ "crash region bytes:", "crash_size", "/sys/kernel/kexec_crash_size", NULL, NULL,
	  true, false },
	{ "kexec_load:", "kexec_load_disabled", "/proc/sys/kernel/kexec_load_disabled",
	  "allowed", "disabled (kernel.kexec_load_disabled=1; mpkexec -s may work)", false,
	  false },
	{ "lockdown:", "lockdown", "/sys/kernel/security/lockdown", NULL, NULL, false, true },
};

static void status_json(struct json_out *j, const struct status_item *it, const char *buf,
			bool readable)
{
	char *end;
	unsigned long long v;

	json_object_begin(j, it->key);
	json_string(j, "file", it->file);
	if (!readable) {
		json_null(j, "value");
	} else if (it->text) {
		json_string(j, "value", buf);
	} else {
		errno = 0;
		v = strtoull(buf, &end, 10);
		if (errno || end == buf || *end || *buf == '-' || (!it->number && v > 1))
			json_null(j, "value");   /* not what the kernel writes there */
		else if (it->number)
			json_u64(j, "value", v);
		else
			json_bool(j, "value", v == 1);
	}
	json_string(j, "raw", readable ? buf : NULL);
	json_object_end(j);
}

static void status_crash_region(FILE *out, const char *root, struct json_out *j);

void report_status(FILE *out, const char *root, bool json)
{
	struct json_out j;

	if (json) {
		json_init(&j, out);
		json_object_begin(&j, NULL);
		json_string(&j, "schema", REPORT_SCHEMA_STATUS);
	}
	for (size_t i = 0; i < sizeof(status_items) / sizeof(status_items[0]); i++) {
		const struct status_item *it = &status_items[i];
		char path[PATH_MAX], buf[256];
		bool readable;

		snprintf(path, sizeof(path), "%s%s", root, it->file);
		readable = file_read_text(path, buf, sizeof(buf)) >= 0;
		if (json)
			status_json(&j, it, buf, readable);
		else if (!readable)
			fprintf(out, "%-22s unknown (%s unreadable)\n", it->label, it->file);
		else if (it->if0 && strcmp(buf, "0") == 0)
			fprintf(out, "%-22s %s (%s)\n", it->label, it->if0, it->file);
		else if (it->if1 && strcmp(buf, "1") == 0)
			fprintf(out, "%-22s %s (%s)\n", it->label, it->if1, it->file);
		else
			fprintf(out, "%-22s %s (%s)\n", it->label, buf, it->file);
	}
	status_crash_region(out, root, json ? &j : NULL);
	if (json) {
		json_object_end(&j);
		json_finish(&j);
	}
}

/* The "Crash kernel" range(s) of /proc/iomem: where mpkexec -p loads. */
static void status_crash_region(FILE *out, const char *root, struct json_out *j)
{
	struct mem_range r[4];
	size_t len, n = 0;
	char *text = (char *)sysview_slurp(root, "/proc/iomem", &len);
	bool hidden = false;

	if (text) {
		n = iomem_find_crash(text, r, sizeof(r) / sizeof(r[0]));
		hidden = !n && strstr(text, " : Crash kernel");
		free(text);
	}
	if (j) {
		json_object_begin(j, "crash_region");
		json_string(j, "file", "/proc/iomem");
		if (!text || hidden) {
			json_null(j, "value");
		} else {
			json_array_begin(j, "value");
			for (size_t i = 0; i < n; i++) {
				json_object_begin(j, NULL);
				json_hex(j, "start", r[i].start);
				json_hex(j, "end", r[i].end - 1);
				json_u64(j, "bytes", r[i].end - r[i].start);
				json_object_end(j);
			}
			json_array_end(j);
		}
		json_null(j, "raw");
		json_object_end(j);
		return;
	}
	if (!text)
		fprintf(out, "%-22s unknown (/proc/iomem unreadable)\n", "crash region:");
	else if (hidden)
		fprintf(out, "%-22s unknown (/proc/iomem shows its addresses to root only)\n",
			"crash region:");
	else if (!n)
		fprintf(out, "%-22s none: no crashkernel= reservation, mpkexec -p cannot load "
			"(/proc/iomem)\n", "crash region:");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%-22s %#" PRIx64 "-%#" PRIx64 " (%" PRIu64 " MiB) (/proc/iomem)\n",
			"crash region:", r[i].start, r[i].end - 1, (r[i].end - r[i].start) >> 20);
}

/* ---- --last-handoff (rendering: src/report-handoff.c) ---------------- */

int report_last_handoff(FILE *out, const char *root, bool json, struct mpk_error *err)
{
	struct handoff_account a;
	size_t len, park_len = 0;
	uint8_t *data = sysview_setup_data(root, MPK_SETUP_DATA_TYPE, &len), *park = NULL;
	char why[200];

	if (!data)
		return mpk_fail(err, MPK_EXIT_NOINPUT,
				"last handoff: no mpkexec report in /sys/kernel/boot_params/setup_data "
				"(this kernel was not started by mpkexec's purgatory, or setup_data "
				"is not readable: it needs root)");
	if (handoff_account_parse(data, len, &a, why, sizeof(why)) < 0) {
		free(data);
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"last handoff: setup_data type %#x is not an mpkexec report this "
				"mpkexec reads: %s", MPK_SETUP_DATA_TYPE, why);
	}
	if (a.park_base) {
		park = sysview_slurp(root, "/sys/firmware/acpi/tables/" PARK_STATUS_SIG,
				     &park_len);
		if (!park)
			snprintf(why, sizeof(why), "%s", strerror(errno));
	}
	report_handoff(out, &a, park, park_len, why, json);
	free(park);
	free(data);
	return 0;
}
