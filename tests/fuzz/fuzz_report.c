/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: the handoff report of --last-handoff, read from the
 * bytes of the setup_data `data` file (src/handoff-account.c), with the
 * park region's live status table (MPKP), rendered as text and as JSON
 * (src/report.c).  Input: a little-endian u16 length L, L bytes of report,
 * then the MPKP table (none if empty).  Invariants that abort(): a parsed
 * report's nr_cpus records lie inside the report bytes; the park table's
 * records lie inside the table; the JSON is one valid JSON text (strict
 * checker, tests/unit/json-check.c) with one "apic_id" per CPU record. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handoff-account.h"
#include "../unit/json-check.h"
#include "mpkexec/park-abi.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count(const char *s, size_t n, const char *needle)
{
	size_t c = 0, l = strlen(needle);

	for (size_t i = 0; i + l <= n; i++)
		if (memcmp(s + i, needle, l) == 0)
			c++;
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct handoff_account a;
	struct park_now pn;
	const uint8_t *rep, *park;
	size_t rep_len, park_len;
	char why[200], *buf = NULL;
	size_t len = 0;
	bool have_park;
	FILE *f;

	if (size < 2)
		return 0;
	rep_len = (size_t)data[0] | (size_t)data[1] << 8;
	if (rep_len > size - 2)
		rep_len = size - 2;
	/* copies, so ASan sees any read past either part */
	rep = memcpy(malloc(rep_len ? rep_len : 1), data + 2, rep_len);
	park_len = size - 2 - rep_len;
	park = park_len ? memcpy(malloc(park_len), data + 2 + rep_len, park_len) : NULL;
	if (handoff_account_parse(rep, rep_len, &a, why, sizeof(why)) < 0) {
		if (!why[0] || a.nr_cpus)
			abort();
		goto out;
	}
	if (a.cpus < rep || a.cpu_size == 0 ||
	    (size_t)(a.cpus - rep) + (size_t)a.nr_cpus * a.cpu_size > rep_len)
		abort();
	have_park = park && park_now_parse(park, park_len, &pn, why, sizeof(why)) == 0;
	if (have_park && (pn.nr_cpus > pn.nr_announced ||
			  PARK_STATUS_HEAD + (size_t)pn.nr_cpus * PARK_CPU_SIZE > park_len))
		abort();
	if (!a.park_base)
		have_park = false;

	f = open_memstream(&buf, &len);
	if (!f)
		goto out;
	report_handoff(f, &a, park, park_len, "unreadable", false);
	fclose(f);
	free(buf);
	buf = NULL;

	f = open_memstream(&buf, &len);
	if (!f)
		goto out;
	report_handoff(f, &a, park, park_len, "unreadable", true);
	fclose(f);
	if (!json_check(buf, len, NULL))
		abort();
	if (count(buf, len, "\"apic_id\":") != a.nr_cpus + (have_park ? pn.nr_cpus : 0))
		abort();
	free(buf);
out:
	free((void *)rep);
	free((void *)park);
	return 0;
}
