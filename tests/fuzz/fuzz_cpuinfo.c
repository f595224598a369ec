/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: the /proc/cpuinfo and /proc/meminfo text parsers of
 * src/sysview.c (cpuinfo_khz, cpuinfo_boot_apic_id, cpuinfo_apic_ids,
 * cpuinfo_has_flag, meminfo_kb).  Input: the text (cut at a NUL byte).
 * Invariants that abort(): a "cpu MHz" the parser reads back is the
 * value in the text (kHz, truncated) when it lies in [CPUINFO_MHZ_MIN,
 * CPUINFO_MHZ_MAX], else 0 (none, nan, inf, 1e300, 0, negative: purgatory
 * would wait 0 or years); the APIC ID list is capped
 * at `max` and a shorter cap gives a prefix of the longer; the boot CPU's
 * APIC ID is in the list; has_flag agrees with a plain word split of
 * processor 0's flags line; meminfo_kb gives the number after the key. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysview.h"

#define MAX_IDS 1024

/* The first line starting with "flags" has `flag` as a word (after a space
 * or tab, before a space or the end of the line). */
static bool has_word(const char *text, const char *flag)
{
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");

		if (strncmp(line, "flags", 5) == 0) {
			size_t flen = strlen(flag);

			for (size_t i = 0; i + flen <= len; i++)
				if (i > 0 && (line[i - 1] == ' ' || line[i - 1] == '\t') &&
				    strncmp(line + i, flag, flen) == 0 &&
				    (i + flen == len || line[i + flen] == ' '))
					return true;
			return false;
		}
		line += len + (line[len] == '\n');
	}
	return false;
}

/* kHz = the "cpu MHz" value x 1000, truncated; 0 when there is none or it
 * is outside the bounds sysview.h gives (nan and inf included). */
static void check_khz(const char *text, uint64_t khz)
{
	const char *p = strstr(text, "cpu MHz");
	double mhz;

	if (!p || sscanf(p, "cpu MHz : %lf", &mhz) != 1 || !(mhz >= CPUINFO_MHZ_MIN && mhz <= CPUINFO_MHZ_MAX)) {
		if (khz != 0)
			abort();
		return;
	}
	if (khz != (uint64_t)(mhz * 1000.0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint32_t ids[MAX_IDS], few[4];
	char *text = malloc(size + 1);
	unsigned n, nfew;
	uint32_t boot;
	uint64_t kb;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	check_khz(text, cpuinfo_khz(text));
	n = cpuinfo_apic_ids(text, ids, MAX_IDS);
	nfew = cpuinfo_apic_ids(text, few, 4);
	if (n > MAX_IDS || nfew > 4 || nfew != (n < 4 ? n : 4) ||
	    memcmp(ids, few, nfew * sizeof(ids[0])) != 0)
		abort();
	if (cpuinfo_boot_apic_id(text, &boot) && n < MAX_IDS) {
		bool listed = false;

		for (unsigned i = 0; i < n; i++)
			listed |= ids[i] == boot;
		if (!listed)
			abort();
	}
	if (cpuinfo_has_flag(text, "tdx_guest") != has_word(text, "tdx_guest"))
		abort();
	if (meminfo_kb(text, "Unaccepted:", &kb)) {
		const char *p = strstr(text, "Unaccepted:");

		while (p && p != text && p[-1] != '\n')
			p = strstr(p + 1, "Unaccepted:");
		if (!p || strtoull(p + 11, NULL, 10) != kb)
			abort();
	}
	free(text);
	return 0;
}
