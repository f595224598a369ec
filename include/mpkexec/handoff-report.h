/* SPDX-License-Identifier: GPL-2.0-only */
/* The handoff report: what purgatory did, for the next system to read.
 * Purgatory writes it into a setup_data node (type MPK_SETUP_DATA_TYPE)
 * chained from the next kernel's boot_params; Linux shows it as
 * /sys/kernel/boot_params/setup_data/<N>/{type,data}, and
 * `mpkexec --last-handoff` prints it.  Documented in docs/park-abi.md. */
#ifndef MPKEXEC_HANDOFF_REPORT_H
#define MPKEXEC_HANDOFF_REPORT_H

#include <stdint.h>

#define MPK_SETUP_DATA_TYPE      0x4d504b48u        /* "HKPM"; bit 31 clear */
#define MPK_REPORT_MAGIC         0x54525045524b504dull /* "MPKREPRT" */
#define MPK_REPORT_VERSION       3

enum mpk_strategy {
	MPK_STRATEGY_INIT = 1,          /* APs put into INIT, original MADT */
	MPK_STRATEGY_PARK = 2,          /* APs parked, MADT with a wakeup mailbox */
	MPK_STRATEGY_PARK_FAILED = 3,   /* no AP arrived: INIT + original MADT */
	MPK_STRATEGY_MAILBOX = 4,       /* mailbox only: no IPI sent, MADT wakeup mailbox */
};

enum mpk_cpu_outcome {
	MPK_CPU_BOOT = 1,               /* ran purgatory: the next kernel's boot CPU */
	MPK_CPU_INIT = 2,               /* put into INIT (classic handoff) */
	MPK_CPU_PARKED_INIT_SIPI = 3,   /* gathered with INIT-SIPI-SIPI */
	MPK_CPU_ALREADY_PARKED = 4,     /* was in this park region already */
	MPK_CPU_MIGRATED = 5,           /* moved from another mailbox */
	MPK_CPU_NOT_ARRIVED = 6,        /* never checked in: disabled in the MADT */
	MPK_CPU_RETURNED = 7,           /* came back through the ResetVector (kexec/offline) */
	MPK_CPU_UNREACHABLE = 8,        /* held where no mailbox reaches: disabled in the MADT */
	MPK_CPU_LEFT_BEHIND = 9,        /* the old kernel's boot CPU (or firmware's BSP) while
					   purgatory ran on another CPU: left as the old kernel
					   stopped it, never INIT'd, disabled in the MADT (init
					   handoff: the original MADT still lists it) */
	MPK_CPU_SELF_PARKED = 10,       /* ran purgatory (with a crash: the crashing CPU),
					   handed the boot to firmware's BSP through the
					   mailbox and parked itself: offered like any
					   parked CPU (version 3) */
	MPK_CPU_BOOT_WOKEN = 11,        /* firmware's BSP, parked: woken through the
					   mailbox to boot the next kernel while purgatory
					   ran elsewhere (version 3) */
};

/* flags (version 3; the u32 was reserved0, written 0, in version 2) */
#define MPK_REPORT_CRASH         (1u << 0) /* a crash image (MPK_PF_CRASH): self_apic_id
					      is the CPU that crashed */
#define MPK_REPORT_HANDOFF_FAILED (1u << 1) /* the BSP did not take the boot: purgatory's
					      CPU booted the next kernel itself */

struct mpk_report_cpu {
	uint32_t apic_id;
	uint32_t outcome;               /* enum mpk_cpu_outcome */
	uint64_t arrived_tsc;           /* 0 unless parked */
};

struct mpk_handoff_report {
	uint64_t magic;
	uint32_t version;
	uint32_t strategy;              /* enum mpk_strategy */
	uint32_t digests_checked;       /* segments verified (0 with -i) */
	uint32_t flags;                 /* MPK_REPORT_*; in version 2 reserved0, written 0
					   (before that digests_ok, always 1) */
	uint32_t init_ipis;             /* INIT IPIs sent, assert + de-assert count once */
	uint32_t sipi_ipis;             /* STARTUP IPIs sent */
	uint64_t tsc_khz;               /* the loader's TSC frequency estimate */
	uint64_t tsc_entry;             /* purgatory entered */
	uint64_t tsc_gather_start;
	uint64_t tsc_gather_end;
	uint64_t tsc_exit;              /* jump to the payload */
	uint64_t park_base;             /* 0 without a park region */
	uint64_t rsdp;                  /* RSDP handed to the payload */
	uint64_t src_mailbox;           /* mailbox mode: where the APs came from */
	uint64_t region_generation;     /* handoffs the park region has served */
	uint32_t self_apic_id;          /* the CPU that ran purgatory (the crashing CPU
					   with MPK_REPORT_CRASH) */
	uint32_t nr_cpus;
	struct mpk_report_cpu cpu[];
};

/* Firmware's RSDP address and MADT, carried from one generation to the next
 * in a second setup_data node: a kernel booted by mpkexec sees our MADT in
 * sysfs, and every generation builds its MADT from firmware's, not from the
 * previous generation's.  Followed by xsdt_len + rsdt_len + madt_len bytes:
 * mpkexec writes xsdt_len = rsdt_len = 0 (earlier versions put firmware's
 * XSDT and RSDT there; readers skip them), then the MADT as firmware has
 * it.  rsdp[], xsdt_addr, rsdt_addr, madt_addr: zero, no longer used. */
#define MPK_SETUP_ACPI_ROOT      0x4d504b41u        /* "AKPM" */
#define MPK_ACPI_SNAPSHOT_MAGIC  0x31495043414b504dull /* "MPKACPI1" */

struct mpk_acpi_snapshot {
	uint64_t magic;
	uint32_t xsdt_len;
	uint32_t rsdt_len;
	uint32_t madt_len;
	uint32_t reserved;
	uint64_t rsdp_addr;
	uint64_t xsdt_addr;
	uint64_t rsdt_addr;
	uint64_t madt_addr;
	uint8_t rsdp[36];
	uint8_t reserved2[4];
};

#endif
