#include "report.h"

#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "file.h"

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
	fprintf(out, "memory map handed over (e820, %zu entries):\n", plan->handed_map.n);
	for (size_t i = 0; i < plan->handed_map.n; i++) {
		const struct mem_range *r = &plan->handed_map.r[i];

		fprintf(out, "  0x%016" PRIx64 "-0x%016" PRIx64 "  %s\n", r->start, r->end - 1,
			e820_type_name(r->type));
	}
	fprintf(out, "AP handoff: %s\n", plan->ap_desc);
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
