/* SPDX-License-Identifier: GPL-2.0-only */
/* The handoff report purgatory left in setup_data, read from its bytes.
 * Pure (no I/O, no allocation), so it can be fuzzed: the input is the
 * `data` file of /sys/kernel/boot_params/setup_data/N, which a previous
 * kernel's loader wrote and which this kernel only copied.  Reads report
 * versions 2 and MPK_REPORT_VERSION (include/mpkexec/handoff-report.h),
 * and the live park status table (MPKP) for the "park region now" part. */
#ifndef MPKEXEC_HANDOFF_ACCOUNT_H
#define MPKEXEC_HANDOFF_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

struct handoff_account {
	uint32_t version;
	uint32_t strategy;            /* enum mpk_strategy, maybe unknown */
	uint32_t digests_checked;
	uint32_t init_ipis, sipi_ipis;
	uint64_t tsc_khz, tsc_entry, tsc_gather_start, tsc_gather_end, tsc_exit;
	uint64_t park_base, rsdp, src_mailbox, region_generation;
	uint32_t self_apic_id;
	uint32_t flags;               /* MPK_REPORT_* (0 in a version 2 report) */
	uint32_t nr_cpus;             /* records at cpus, all inside the input */
	const uint8_t *cpus;
	size_t cpu_size;
};

struct handoff_account_cpu {
	uint32_t apic_id;
	uint32_t outcome;             /* enum mpk_cpu_outcome, maybe unknown */
	uint64_t arrived_tsc;
};

/* 0, or -1 with `why` ("too short", "version 9: ...") if `data` is not a
 * report this mpkexec reads. */
int handoff_account_parse(const uint8_t *data, size_t len, struct handoff_account *a,
			  char *why, size_t whylen);
/* Record i < a->nr_cpus. */
void handoff_account_cpu(const struct handoff_account *a, uint32_t i,
			 struct handoff_account_cpu *out);

/* The park status table (ACPI "MPKP", /sys/firmware/acpi/tables/MPKP). */
struct park_now {
	uint32_t abi_version;
	uint32_t nr_cpus;             /* records at cpus, all inside the input */
	uint32_t nr_announced;        /* what the table says (> nr_cpus if cut) */
	uint64_t region_base;
	uint64_t mailbox_version;
	const uint8_t *cpus;
};

struct park_now_cpu {
	uint32_t apic_id, state, how, wakeups, tests;
	uint64_t arrived_tsc;
};

/* 0, or -1 with `why` if the table is too short; nr_cpus is cut to the
 * records the table holds. */
int park_now_parse(const uint8_t *t, size_t len, struct park_now *p, char *why,
		   size_t whylen);
void park_now_cpu(const struct park_now *p, uint32_t i, struct park_now_cpu *out);

#endif
