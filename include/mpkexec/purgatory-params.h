/* SPDX-License-Identifier: GPL-2.0-only */
/* The contract between the loader and purgatory.
 *
 * The loader fills one `struct mpk_purgatory_params` and writes it over the
 * purgatory object's symbol `purgatory_params` before relocating it; purgatory
 * only reads it.  Everything purgatory does is decided here, in userspace
 * (u-root's "minimal purgatory" principle): purgatory executes this plan.
 *
 * Shared by the loader (hosted C), purgatory (freestanding C) and the unit
 * tests, so it uses fixed-width types only and has no padding surprises:
 * every field is naturally aligned and the struct size is a multiple of 8.
 */
#ifndef MPKEXEC_PURGATORY_PARAMS_H
#define MPKEXEC_PURGATORY_PARAMS_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define MPK_PURGATORY_MAGIC    0x4b504d50u /* "PMPK" */
#define MPK_PURGATORY_VERSION  6u

/* kexec_load(2) accepts at most 16 segments; purgatory is one of them. */
#define MPK_MAX_DIGEST_RANGES  16
/* Upper bound on the APs purgatory can be told about (x2APIC machines may
 * have more; the loader refuses the plan rather than truncating it). */
#define MPK_MAX_APS            1024

/* How long purgatory waits, in all, for the APs to check in (one deadline
 * for the whole gather, park or mailbox). */
#define MPK_GATHER_TIMEOUT_MS  1000u

/* flags */
#define MPK_PF_VERIFY_DIGESTS  (1u << 0) /* check every range, stop on mismatch */
#define MPK_PF_SERIAL_DEBUG    (1u << 1) /* progress lines on the serial port */
#define MPK_PF_INIT_APS        (1u << 2) /* put every listed AP into INIT */
#define MPK_PF_PARK_APS        (1u << 3) /* gather every listed AP into the park region */
#define MPK_PF_MAILBOX_APS     (1u << 4) /* mailbox-only handoff: no IPI, port I/O, MMIO,
					    HLT or MWAIT anywhere on the path (TDX) */
#define MPK_PF_NEXT_REFUSES_BSP (1u << 5) /* the payload is Linux >= 6.9, which refuses
					    firmware's BSP itself when it boots elsewhere
					    (see madt_hold_bsp, purgatory/handoff-tables.h) */
#define MPK_PF_CRASH           (1u << 6) /* a capture kernel (mpkexec -p): purgatory runs
					    after a panic on whichever CPU crashed; the
					    others were stopped by the crash NMI
					    (purgatory/handoff-tables.h cpu_never_init,
					    purgatory/mailbox.h); every new segment lies
					    inside the "Crash kernel" range(s) */

/* What purgatory does with one AP in mailbox mode (struct mpk_ap.action). */
#define MPK_AP_EXEMPT          0  /* the running kernel's CPU 0, which the loader expects
					    to run purgatory; if purgatory finds itself on
					    another CPU (reboot=s<N>, kdump), this one is
					    waited for like MPK_AP_STAY/MIGRATE when it has a
					    record in src_region, else left behind */
#define MPK_AP_STAY            1  /* parked in (or returning to) the region at park_base */
#define MPK_AP_MIGRATE         2  /* in src_mailbox's loop: Wakeup it into park_base */
#define MPK_AP_UNREACHABLE     3  /* no mailbox reaches it: disabled in the next MADT */
#define MPK_NO_RECORD          0xffffffffu

/* How purgatory enters the payload (struct mpk_purgatory_params.entry_mode).
 * The digest check and the AP handoff run first in every case. */
#define MPK_ENTRY_LINUX64      0  /* 64-bit, the kexec identity map, RSI = entry_rsi
				     (Linux's 64-bit boot protocol) */
#define MPK_ENTRY_64_IDENTITY  1  /* 64-bit, purgatory's identity map of the low
				     4 GiB, every general register 0 (ELF64 --args-none) */
#define MPK_ENTRY_32           2  /* 32-bit protected mode, paging off, flat 4 GiB
				     CS/DS/ES/SS, EAX/EBX/ESI = entry_eax/ebx/esi
				     (multiboot, multiboot2, bzImage 32-bit entry, ELF32) */

#ifndef __ASSEMBLER__
/* One loaded segment and the XXH3-64 digest of its bytes. */
struct mpk_digest_range {
	uint64_t addr;   /* physical destination */
	uint64_t len;    /* bytes covered (the segment's buffer size) */
	uint64_t xxh3;   /* XXH3_64bits(seed 0) of those bytes */
};

struct mpk_purgatory_params {
	uint32_t magic;          /* MPK_PURGATORY_MAGIC, set by the loader */
	uint32_t version;        /* MPK_PURGATORY_VERSION */
	uint32_t flags;          /* MPK_PF_* */
	uint16_t serial_port;    /* I/O port of the 16550 for MPK_PF_SERIAL_DEBUG */
	uint16_t reserved0;
	uint64_t entry;          /* 64-bit entry point of the payload */
	uint64_t entry_rsi;      /* value for RSI at entry (Linux: boot_params) */
	uint32_t nr_ranges;
	uint32_t boot_apic_id;   /* APIC ID of the running kernel's CPU 0: never INIT it.
				    Not necessarily the CPU purgatory runs on: that one
				    finds its own ID (CPUID, purgatory/cpu.h) */
	struct mpk_digest_range ranges[MPK_MAX_DIGEST_RANGES];
	/* Park handoff (MPK_PF_PARK_APS) */
	uint64_t park_base;      /* park region (include/mpkexec/park-abi.h) */
	uint64_t trampoline;     /* SIPI trampoline page, below 1 MiB */
	uint64_t madt_addr;      /* the next kernel's MADT (purgatory disables CPUs there) */
	uint32_t mailbox_version; /* mailbox mode: the MADT's wakeup structure version */
	uint32_t gather_timeout_ms; /* how long to wait for APs to check in */
	uint64_t tsc_khz;        /* TSC ticks per ms (estimate; only for timeouts) */
	uint64_t orig_rsdp;      /* if no AP arrives: hand over the original tables */
	uint64_t boot_params;    /* ...by writing orig_rsdp into acpi_rsdp_addr here */
	uint64_t report_addr;    /* struct mpk_handoff_report (setup_data payload) */
	uint32_t report_len;
	uint32_t nr_aps;         /* entries used in aps[] */
	uint32_t bsp_apic_id;    /* firmware's first-enumerated CPU, the BSP by ACPI's
				    rule (Linux relies on it too): never INIT it (an
				    INIT'd BSP runs firmware's reset path) */
	uint32_t reserved1;
	/* Mailbox handoff (MPK_PF_MAILBOX_APS) */
	uint64_t src_mailbox;    /* the mailbox the APs are in or return to, 0 if none */
	uint64_t src_region;     /* its park region (per-CPU records), 0 if foreign */
	/* Park handoff of a capture kernel (MPK_PF_PARK_APS with MPK_PF_CRASH):
	 * the kernel takes crash-image segments only inside the "Crash kernel"
	 * range, so the trampoline page's bytes (built for `trampoline`) are
	 * loaded here, in that range, below 4 GiB; purgatory copies the 4 KiB
	 * from trampoline_src to trampoline with plain stores before it sends
	 * any INIT or SIPI.  `trampoline` is then a RAM page of the firmware
	 * map below 1 MiB that the capture kernel gets as RAM with no backup
	 * (arch/x86_64/crash-plan.h).  0: the trampoline is itself a segment. */
	uint64_t trampoline_src;
	/* The entry convention (MPK_ENTRY_*); for MPK_ENTRY_32 `entry` is below
	 * 4 GiB and the three registers are loaded as given. */
	uint32_t entry_mode;
	uint32_t entry_eax;
	uint32_t entry_ebx;
	uint32_t entry_esi;
	/* Every CPU the MADT lists, boot CPU included, in park-table order. */
	struct mpk_ap {
		uint32_t apic_id;
		uint32_t madt_flags_off; /* offset of its flags in the next MADT */
		uint32_t action;         /* MPK_AP_* (mailbox mode) */
		uint32_t src_record;     /* its record in src_region, or MPK_NO_RECORD */
	} aps[MPK_MAX_APS];
};

_Static_assert(__builtin_offsetof(struct mpk_purgatory_params, flags) == 8,
	       "purgatory/entry.S tests flags at offset 8");
#endif

#endif
