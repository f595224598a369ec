/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: the MPKP status table and the CPU census
 * (ap_census_take, ap_where_text) over a system view made from the input.
 *
 * Input, in order:
 *   u8 flags: 1 fix the two MADTs' length and checksum; 2 this kernel's MADT
 *      is given; 4 firmware's MADT is given
 *   u8 boot APIC ID
 *   u8 n (at most 64), then n bytes: the APIC IDs online in this kernel
 *   u8 n (at most 64), then n bytes: /proc/sys/kernel/osrelease
 *   u8 n (at most 16), then n memory-map ranges of 17 bytes (start le64,
 *      end le64 exclusive, e820 type u8)
 *   le16 n, then n bytes: this kernel's MADT
 *   le16 n, then n bytes: firmware's MADT
 *   the rest: /sys/firmware/acpi/tables/MPKP (absent if empty)
 * The CPU list is firmware's MADT's, else this kernel's, else the online IDs.
 * Invariants that abort(): see check_census. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "ap-census.h"
#include "bytes.h"
#include "madt.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/park-abi.h"

#define SZ_4G (1ull << 32)

struct input {
	const uint8_t *p, *end;
};

static const uint8_t *take(struct input *in, size_t n)
{
	const uint8_t *r = in->p;

	if ((size_t)(in->end - in->p) < n)
		return NULL;
	in->p += n;
	return r;
}

static unsigned take_u8(struct input *in)
{
	const uint8_t *b = take(in, 1);

	return b ? *b : 0;
}

static uint8_t *take_table(struct input *in, bool fix, size_t *len)
{
	const uint8_t *b = take(in, 2);
	size_t n = b ? get_le16(b) : 0;
	uint8_t *t;

	*len = 0;
	if (!b || n > (size_t)(in->end - in->p))
		return NULL;
	t = malloc(n ? n : 1);
	if (!t)
		return NULL;
	memcpy(t, take(in, n), n);
	if (fix && n >= 36) {
		put_le32(t + 4, (uint32_t)n);
		t[9] = 0;
		t[9] = (uint8_t)-acpi_checksum(t, n);
	}
	*len = n;
	return t;
}

/* [start, end) lies in one range of type `type` (computed without wrapping). */
static bool inside_type(const struct memmap *m, uint64_t start, uint64_t size, uint32_t type)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].type == type && m->r[i].start <= start && start < m->r[i].end &&
		    size <= m->r[i].end - start)
			return true;
	return false;
}

/* The census lists the CPUs it was given in order; a CPU's record is one the
 * MPKP table has, for the same APIC ID, and one purgatory can find inside a
 * park region (index below PARK_MAX_CPUS); a region it may reuse lies below
 * 4 GiB in ACPI NVS; the boot CPU is the one with boot_apic_id. */
static void check_census(const struct sysview *sv, const struct madt_cpus *cpus,
			 uint32_t boot_id, const struct ap_census *c)
{
	char buf[200];

	if (c->n != cpus->n || !c->mailbox_src[0] || !c->returns_why[0])
		abort();
	if (c->region && (c->region != c->mailbox || !sv->mpkp))
		abort();
	if (c->region_reusable &&
	    (!c->region || c->region > SZ_4G - PARK_REGION_SIZE ||
	     !inside_type(&sv->firmware_map, c->region, PARK_REGION_SIZE, E820_NVS)))
		abort();
	if (c->region && !c->region_reusable && !c->region_why[0])
		abort();
	for (unsigned i = 0; i < c->n; i++) {
		const struct ap_census_cpu *cpu = &c->cpu[i];

		if (cpu->apic_id != cpus->apic_id[i])
			abort();
		if ((cpu->where == AP_WHERE_BOOT) != (cpu->apic_id == boot_id))
			abort();
		if (cpu->record != MPK_NO_RECORD) {
			const uint8_t *rec;

			if (!c->region || cpu->record >= PARK_MAX_CPUS ||
			    PARK_STATUS_LEN((uint64_t)cpu->record + 1) > sv->mpkp_len)
				abort();
			rec = sv->mpkp + PARK_STATUS_HEAD + cpu->record * PARK_CPU_SIZE;
			if (get_le32(rec + PARK_CPU_APIC_ID) != cpu->apic_id)
				abort();
		} else if (cpu->where == AP_WHERE_PARKED || cpu->where == AP_WHERE_HELD) {
			abort();
		}
		if (cpu->where == AP_WHERE_MAILBOX && !c->mailbox)
			abort();
		if (!ap_where_text(c, cpu, buf, sizeof(buf))[0])
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sysview sv;
	static struct madt_cpus cpus;
	static struct ap_census c;
	struct input in = { data, data + size };
	struct mpk_error err;
	unsigned flags, n;
	uint32_t boot_id;
	uint8_t *run_madt, *fw_madt;
	size_t run_len, fw_len;
	const uint8_t *b;

	memset(&sv, 0, sizeof(sv));
	flags = take_u8(&in);
	boot_id = take_u8(&in);
	n = take_u8(&in) % 65;
	b = take(&in, n);
	for (unsigned i = 0; b && i < n; i++)
		sv.online_apic_ids[sv.n_online++] = b[i];
	n = take_u8(&in) % 65;
	b = take(&in, n);
	if (b)
		snprintf(sv.osrelease, sizeof(sv.osrelease), "%.*s", (int)n, (const char *)b);
	n = take_u8(&in) % 17;
	for (unsigned i = 0; i < n && (b = take(&in, 17)); i++)
		if (memmap_add(&sv.firmware_map, get_le64(b), get_le64(b + 8), b[16] % 21) < 0)
			abort();
	memmap_sort(&sv.firmware_map);
	run_madt = take_table(&in, flags & 1, &run_len);
	fw_madt = take_table(&in, flags & 1, &fw_len);
	if (flags & 2) {
		sv.madt = run_madt;
		sv.madt_len = run_len;
		run_madt = NULL;
	}
	if (!(flags & 4)) {
		free(fw_madt);
		fw_madt = NULL;
		fw_len = 0;
	}
	if (in.p < in.end) {
		sv.mpkp_len = (size_t)(in.end - in.p);
		sv.mpkp = malloc(sv.mpkp_len);
		if (!sv.mpkp)
			abort();
		memcpy(sv.mpkp, in.p, sv.mpkp_len);
	}
	if (!(fw_madt && madt_parse_cpus(fw_madt, fw_len, &cpus, &err) == 0) &&
	    !(sv.madt && madt_parse_cpus(sv.madt, sv.madt_len, &cpus, &err) == 0)) {
		memset(&cpus, 0, sizeof(cpus));
		for (unsigned i = 0; i < sv.n_online; i++)
			cpus.apic_id[cpus.n++] = sv.online_apic_ids[i];
	}
	ap_census_take(&sv, fw_madt, fw_len, &cpus, boot_id, &c);
	check_census(&sv, &cpus, boot_id, &c);
	free(run_madt);
	free(fw_madt);
	free(sv.madt);
	free(sv.mpkp);
	memmap_free(&sv.firmware_map);
	return 0;
}
