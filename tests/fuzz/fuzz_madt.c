/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: the MADT parse (madt_parse_cpus), the rewrite with a
 * wakeup structure (madt_with_wakeup, madt_find_wakeup) and the mailbox-mode
 * rewrite of ap_mailbox_plan (CPUs no mailbox reaches disabled).
 *
 * Input: a 32-byte header, then the MADT.
 *   [0]      flags: 1 mailbox version 1; 2 fix the MADT's length field;
 *            4 fix its checksum; 8 run ap_mailbox_plan; 16 census region
 *            reusable; 32 APs return at kexec; 64 census has a region;
 *            128 --park-addr given
 *   [1]      index of the boot CPU in the MADT's list
 *   [4..7]   census region / --park-addr (le32, page-aligned by the harness)
 *   [8..15]  mailbox address asked for (le64), also the census's mailbox
 *   [16..23] reset vector asked for (le64)
 *   [24..31] where each CPU is (3 bits per CPU, cycling) and whether its
 *            record is known
 * Invariants that abort(): see check_rewrite and check_mailbox_plan. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "ap-census.h"
#include "ap-mailbox.h"
#include "bytes.h"
#include "madt.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/park-abi.h"
#include "park-region.h"
#include "plan.h"
#include "planner.h"

#define HDR 32u
#define RAM_END 0x40000000ull

/* Processor entries a table lists as neither enabled nor online-capable
 * (struct madt_cpus leaves them out).  `t` has passed madt_parse_cpus, but
 * every read is still bounded by len. */
static unsigned count_disabled(const uint8_t *t, size_t len)
{
	unsigned n = 0;

	/* the table ends where its header says, if that is inside the buffer */
	if (len >= 8 && get_le32(t + 4) < len)
		len = get_le32(t + 4);

	for (size_t off = 44; off + 2 <= len && t[off + 1] >= 2; off += t[off + 1]) {
		uint32_t flags;

		if (t[off] == MADT_LOCAL_APIC && t[off + 1] >= 8 && off + 8 <= len)
			flags = get_le32(t + off + 4);
		else if (t[off] == MADT_LOCAL_X2APIC && t[off + 1] >= 16 && off + 16 <= len)
			flags = get_le32(t + off + 8);
		else
			continue;
		n += !(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE));
	}
	return n;
}

/* madt_with_wakeup's copy: length and checksum right, the header kept,
 * every usable CPU of the input in it in the same order with its flags
 * offset pointing at its (enabled) flags, and one wakeup structure: ours. */
static void check_rewrite(const uint8_t *in, const struct madt_cpus *cin, const uint8_t *out,
			  size_t out_len, const uint32_t *flags_off, uint64_t mailbox,
			  uint64_t reset, unsigned version)
{
	struct madt_cpus *cout = malloc(sizeof(*cout));
	struct madt_wakeup w = { 0 };
	struct mpk_error err;

	if (!cout)
		abort();
	if (out_len != get_le32(out + 4) || acpi_checksum(out, out_len) != 0)
		abort();
	if (memcmp(out, in, 4) != 0 || memcmp(out + 10, in + 10, 34) != 0)
		abort();
	if (madt_parse_cpus(out, out_len, cout, &err) != 0 || cout->n != cin->n ||
	    count_disabled(out, out_len) != count_disabled(in, SIZE_MAX) ||
	    memcmp(cout->apic_id, cin->apic_id, cin->n * sizeof(cin->apic_id[0])) != 0)
		abort();
	for (unsigned i = 0; i < cin->n; i++)
		if (flags_off[i] < 44 || flags_off[i] + 4 > out_len ||
		    !(get_le32(out + flags_off[i]) & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE)))
			abort();
	if (madt_find_wakeup(out, out_len, &w) != 1 || w.mailbox != mailbox ||
	    w.version != version || w.length != (version ? 24u : 16u) ||
	    w.reset_vector != (version ? reset : 0))
		abort();
	free(cout);
}

/* ap_mailbox_plan's MADT: inside the ACPI tables segment, checksum 0,
 * length right, its wakeup structure naming the park base the plan
 * chose; every CPU of the input is still listed, enabled unless its route
 * is UNREACHABLE (then disabled and named in the warning); no two
 * segments overlap. */
static void check_mailbox_plan(const struct ap_census *c, const struct madt_cpus *cin,
			       unsigned cin_disabled,
			       const struct load_plan *plan, unsigned version)
{
	const struct mpk_purgatory_params *p = &plan->params;
	const uint8_t *m = plan->acpi.buf + plan->acpi.madt_off;
	size_t len = plan->acpi.madt_len;
	struct madt_wakeup w = { 0 };
	struct madt_cpus *cout = malloc(sizeof(*cout));
	struct mpk_error err;
	unsigned unreachable = 0;

	if (!cout || !plan->acpi.buf || plan->acpi.madt_off + len > plan->acpi.len)
		abort();
	if (len != get_le32(m + 4) || acpi_checksum(m, len) != 0)
		abort();
	if (madt_find_wakeup(m, len, &w) != 1 || w.mailbox != p->park_base ||
	    p->park_base != plan->park_base || w.version != version ||
	    w.reset_vector != (version ? park_reset_vector(p->park_base) : 0))
		abort();
	if (p->madt_addr != plan->acpi.madt_addr)
		abort();
	for (unsigned i = 0; i < c->n; i++) {
		uint32_t off = p->aps[i].madt_flags_off, flags;

		if (off < 44 || off + 4 > len)
			abort();
		flags = get_le32(m + off);
		if (p->aps[i].action == MPK_AP_UNREACHABLE) {
			char id[32];

			if (flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE))
				abort();
			snprintf(id, sizeof(id), "APIC ID %u ", c->cpu[i].apic_id);
			/* the warning names it unless it was truncated */
			if (!strstr(plan->warning, id) && strlen(plan->warning) < sizeof(plan->warning) - 1)
				abort();
			unreachable++;
		} else if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE))) {
			abort();
		}
		if (p->aps[i].action == MPK_AP_EXEMPT && c->cpu[i].where != AP_WHERE_BOOT)
			abort();
	}
	/* every CPU of the input: still listed (the disabled ones as disabled) */
	if (madt_parse_cpus(m, len, cout, &err) != 0 || cout->n != cin->n - unreachable ||
	    count_disabled(m, len) != cin_disabled + unreachable)
		abort();
	if (unreachable && !plan->warning[0])
		abort();
	for (unsigned i = 0; i < plan->nseg; i++)
		for (unsigned j = i + 1; j < plan->nseg; j++)
			if (plan->seg[i].mem < plan->seg[j].mem + plan->seg[j].memsz &&
			    plan->seg[j].mem < plan->seg[i].mem + plan->seg[i].memsz)
				abort();
	free(cout);
}

static void mailbox_plan(const uint8_t *hdr, const uint8_t *madt, size_t len,
			 const struct madt_cpus *cpus)
{
	static struct ap_census c;
	static struct load_plan plan;
	struct acpi_tableset tables = { 0 };
	struct memmap map = { 0 };
	struct planner pl;
	struct mpk_error err;
	uint64_t seed = get_le64(hdr + 24), where_bits = seed;
	uint64_t region = get_le32(hdr + 4) & ~0xfffull;
	unsigned version = hdr[0] & 1, boot = cpus->n ? hdr[1] % cpus->n : 0;

	memset(&c, 0, sizeof(c));
	memset(&plan, 0, sizeof(plan));
	c.mailbox = get_le64(hdr + 8);
	snprintf(c.mailbox_src, sizeof(c.mailbox_src), "fuzz");
	if (hdr[0] & 64) {
		c.region = region;
		c.region_reusable = hdr[0] & 16;
		snprintf(c.region_why, sizeof(c.region_why), "fuzz");
	}
	c.returns_at_kexec = hdr[0] & 32;
	snprintf(c.returns_why, sizeof(c.returns_why), "fuzz");
	c.n = cpus->n;
	for (unsigned i = 0; i < cpus->n; i++) {
		c.cpu[i].apic_id = cpus->apic_id[i];
		c.cpu[i].where = i == boot ? AP_WHERE_BOOT : (enum ap_where)(1 + (where_bits & 7) % 5);
		c.cpu[i].record = (where_bits & 8) && c.region ? i : MPK_NO_RECORD;
		c.cpu[i].how = (uint32_t)(where_bits >> 4) & 3;
		where_bits = (where_bits >> 4) | (where_bits << 60);
	}
	if (memmap_add(&map, 0, 0x9f000, E820_RAM) < 0 ||
	    memmap_add(&map, 0x100000, RAM_END, E820_RAM) < 0 ||
	    memmap_add(&plan.handed_map, 0, 0x9f000, E820_RAM) < 0 ||
	    memmap_add(&plan.handed_map, 0x100000, RAM_END, E820_RAM) < 0)
		abort();
	planner_init(&pl, &map);
	if (ap_mailbox_plan(&c, &tables, madt, len, cpus, hdr[0] & 128 ? region : 0, version,
			    &pl, &plan, &err) == 0)
		check_mailbox_plan(&c, cpus, count_disabled(madt, len), &plan, version);
	load_plan_free(&plan);
	memmap_free(&map);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct madt_cpus cpus;
	static uint32_t flags_off[MPK_MAX_APS];
	struct mpk_error err;
	uint8_t *madt, *out = NULL;
	size_t len, out_len = 0;
	uint64_t mailbox, reset;
	unsigned version;
	struct madt_wakeup w;

	if (size < HDR)
		return 0;
	len = size - HDR;
	madt = malloc(len ? len : 1);
	if (!madt)
		return 0;
	memcpy(madt, data + HDR, len);
	if ((data[0] & 2) && len >= 8)
		put_le32(madt + 4, (uint32_t)len);
	if ((data[0] & 4) && len >= 10) {
		size_t tlen = get_le32(madt + 4) < len ? get_le32(madt + 4) : len;

		if (tlen >= 10) {
			madt[9] = 0;
			madt[9] = (uint8_t)-acpi_checksum(madt, tlen);
		}
	}
	version = data[0] & 1;
	mailbox = get_le64(data + 8);
	reset = get_le64(data + 16);
	(void)madt_find_wakeup(madt, len, &w);
	if (madt_parse_cpus(madt, len, &cpus, &err) == 0) {
		if (madt_with_wakeup(madt, len, mailbox, reset, version, &out, &out_len, flags_off,
				     &err) != 0)
			abort(); /* a MADT that parses can always be rewritten */
		check_rewrite(madt, &cpus, out, out_len, flags_off, mailbox, reset, version);
		free(out);
		if (data[0] & 8)
			mailbox_plan(data, madt, len, &cpus);
	} else if (madt_with_wakeup(madt, len, mailbox, reset, version, &out, &out_len,
				    flags_off, &err) == 0) {
		abort(); /* nor can one that does not parse */
	}
	free(madt);
	return 0;
}
