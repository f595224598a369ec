/* SPDX-License-Identifier: GPL-2.0-only */
#include "handoff-account.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/park-abi.h"

/* Where each field is in one report version. */
struct layout {
	uint32_t version;
	size_t head, cpu_size;
	size_t strategy, digests_checked, init_ipis, sipi_ipis, tsc_khz, tsc_entry,
	       tsc_gather_start, tsc_gather_end, tsc_exit, park_base, rsdp, src_mailbox,
	       region_generation, self_apic_id, nr_cpus;
	size_t flags;                 /* 0: the version has none (reads as 0) */
	size_t cpu_apic_id, cpu_outcome, cpu_arrived_tsc;
};

/* Version 2, written by mpkexec up to the version that carried digests_ok
 * (a u32 at 20, always 1, later 0): fixed here, whatever the header says
 * now.  It has no flags; version 3 keeps its layout and puts them at 20. */
static const struct layout v2 = {
	.version = 2, .head = 112, .cpu_size = 16,
	.strategy = 12, .digests_checked = 16, .init_ipis = 24, .sipi_ipis = 28,
	.tsc_khz = 32, .tsc_entry = 40, .tsc_gather_start = 48, .tsc_gather_end = 56,
	.tsc_exit = 64, .park_base = 72, .rsdp = 80, .src_mailbox = 88,
	.region_generation = 96, .self_apic_id = 104, .nr_cpus = 108,
	.cpu_apic_id = 0, .cpu_outcome = 4, .cpu_arrived_tsc = 8,
};

#define OFF(f) __builtin_offsetof(struct mpk_handoff_report, f)
#define COFF(f) __builtin_offsetof(struct mpk_report_cpu, f)

/* The version purgatory writes today: include/mpkexec/handoff-report.h. */
static const struct layout current = {
	.version = MPK_REPORT_VERSION, .head = sizeof(struct mpk_handoff_report),
	.cpu_size = sizeof(struct mpk_report_cpu),
	.strategy = OFF(strategy), .digests_checked = OFF(digests_checked),
	.init_ipis = OFF(init_ipis), .sipi_ipis = OFF(sipi_ipis), .tsc_khz = OFF(tsc_khz),
	.tsc_entry = OFF(tsc_entry), .tsc_gather_start = OFF(tsc_gather_start),
	.tsc_gather_end = OFF(tsc_gather_end), .tsc_exit = OFF(tsc_exit),
	.park_base = OFF(park_base), .rsdp = OFF(rsdp), .src_mailbox = OFF(src_mailbox),
	.region_generation = OFF(region_generation), .self_apic_id = OFF(self_apic_id),
	.nr_cpus = OFF(nr_cpus), .flags = OFF(flags), .cpu_apic_id = COFF(apic_id),
	.cpu_outcome = COFF(outcome), .cpu_arrived_tsc = COFF(arrived_tsc),
};

#if MPK_REPORT_VERSION == 3
_Static_assert(OFF(nr_cpus) == 108 && sizeof(struct mpk_handoff_report) == 112 &&
	       OFF(init_ipis) == 24 && sizeof(struct mpk_report_cpu) == 16 &&
	       OFF(flags) == 20, "version 3 is the version 2 layout plus flags at 20");
#endif

int handoff_account_parse(const uint8_t *data, size_t len, struct handoff_account *a,
			  char *why, size_t whylen)
{
	const struct layout *l;
	uint32_t version;

	memset(a, 0, sizeof(*a));
	if (len < 12 || get_le64(data) != MPK_REPORT_MAGIC) {
		snprintf(why, whylen, "%zu bytes, no MPKREPRT magic", len);
		return -1;
	}
	version = get_le32(data + 8);
	if (version == current.version)
		l = &current;
	else if (version == v2.version)
		l = &v2;
	else {
		snprintf(why, whylen, "report version %u; this mpkexec reads versions 2 and "
			 "%u (a newer mpkexec wrote it?)", version, MPK_REPORT_VERSION);
		return -1;
	}
	if (len < l->head) {
		snprintf(why, whylen, "version %u report of %zu bytes, shorter than its "
			 "%zu-byte head", version, len, l->head);
		return -1;
	}
	a->version = version;
	a->strategy = get_le32(data + l->strategy);
	a->digests_checked = get_le32(data + l->digests_checked);
	a->init_ipis = get_le32(data + l->init_ipis);
	a->sipi_ipis = get_le32(data + l->sipi_ipis);
	a->tsc_khz = get_le64(data + l->tsc_khz);
	a->tsc_entry = get_le64(data + l->tsc_entry);
	a->tsc_gather_start = get_le64(data + l->tsc_gather_start);
	a->tsc_gather_end = get_le64(data + l->tsc_gather_end);
	a->tsc_exit = get_le64(data + l->tsc_exit);
	a->park_base = get_le64(data + l->park_base);
	a->rsdp = get_le64(data + l->rsdp);
	a->src_mailbox = get_le64(data + l->src_mailbox);
	a->region_generation = get_le64(data + l->region_generation);
	a->self_apic_id = get_le32(data + l->self_apic_id);
	a->nr_cpus = get_le32(data + l->nr_cpus);
	a->flags = l->flags ? get_le32(data + l->flags) : 0;
	if ((len - l->head) / l->cpu_size < a->nr_cpus) {
		snprintf(why, whylen, "version %u report of %zu bytes announces %u CPU "
			 "records, which do not fit", version, len, a->nr_cpus);
		a->nr_cpus = 0;
		return -1;
	}
	a->cpus = data + l->head;
	a->cpu_size = l->cpu_size;
	return 0;
}

void handoff_account_cpu(const struct handoff_account *a, uint32_t i,
			 struct handoff_account_cpu *out)
{
	const uint8_t *r = a->cpus + (size_t)i * a->cpu_size;
	const struct layout *l = a->version == current.version ? &current : &v2;

	out->apic_id = get_le32(r + l->cpu_apic_id);
	out->outcome = get_le32(r + l->cpu_outcome);
	out->arrived_tsc = get_le64(r + l->cpu_arrived_tsc);
}

int park_now_parse(const uint8_t *t, size_t len, struct park_now *p, char *why,
		   size_t whylen)
{
	memset(p, 0, sizeof(*p));
	if (len < PARK_STATUS_HEAD) {
		snprintf(why, whylen, "too short (%zu bytes)", len);
		return -1;
	}
	p->abi_version = get_le32(t + PARK_STATUS_BODY);
	p->nr_cpus = p->nr_announced = get_le32(t + PARK_STATUS_BODY + 4);
	p->region_base = get_le64(t + PARK_STATUS_BODY + 8);
	p->mailbox_version = get_le64(t + PARK_STATUS_BODY + 16);
	if ((len - PARK_STATUS_HEAD) / PARK_CPU_SIZE < p->nr_cpus)
		p->nr_cpus = (uint32_t)((len - PARK_STATUS_HEAD) / PARK_CPU_SIZE);
	p->cpus = t + PARK_STATUS_HEAD;
	return 0;
}

void park_now_cpu(const struct park_now *p, uint32_t i, struct park_now_cpu *out)
{
	const uint8_t *r = p->cpus + (size_t)i * PARK_CPU_SIZE;

	out->apic_id = get_le32(r + PARK_CPU_APIC_ID);
	out->state = get_le32(r + PARK_CPU_STATE);
	out->how = get_le32(r + PARK_CPU_HOW);
	out->wakeups = get_le32(r + PARK_CPU_WAKEUPS);
	out->arrived_tsc = get_le64(r + PARK_CPU_ARRIVED_TSC);
	out->tests = get_le32(r + PARK_CPU_TESTS);
}
