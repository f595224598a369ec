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

#include <stdint.h>

#define MPK_PURGATORY_MAGIC    0x4b504d50u /* "PMPK" */
#define MPK_PURGATORY_VERSION  2u

/* kexec_load(2) accepts at most 16 segments; purgatory is one of them. */
#define MPK_MAX_DIGEST_RANGES  16
/* Upper bound on the APs purgatory can be told about (x2APIC machines may
 * have more; the loader refuses the plan rather than truncating it). */
#define MPK_MAX_APS            1024

/* flags */
#define MPK_PF_VERIFY_DIGESTS  (1u << 0) /* check every range, stop on mismatch */
#define MPK_PF_SERIAL_DEBUG    (1u << 1) /* progress lines on the serial port */
#define MPK_PF_INIT_APS        (1u << 2) /* put every listed AP into INIT */
#define MPK_PF_PARK_APS        (1u << 3) /* gather every listed AP into the park region */

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
	uint32_t boot_apic_id;   /* APIC ID of the running kernel's CPU 0: never INIT it */
	struct mpk_digest_range ranges[MPK_MAX_DIGEST_RANGES];
	/* Park handoff (MPK_PF_PARK_APS) */
	uint64_t park_base;      /* park region (include/mpkexec/park-abi.h) */
	uint64_t trampoline;     /* SIPI trampoline page, below 1 MiB */
	uint64_t madt_addr;      /* the next kernel's MADT (purgatory disables CPUs there) */
	uint32_t reserved2;      /* the MADT's length is in its own header */
	uint32_t gather_timeout_ms; /* how long to wait for APs to check in */
	uint64_t tsc_khz;        /* TSC ticks per ms (estimate; only for timeouts) */
	uint64_t orig_rsdp;      /* if no AP arrives: hand over the original tables */
	uint64_t boot_params;    /* ...by writing orig_rsdp into acpi_rsdp_addr here */
	uint64_t report_addr;    /* struct mpk_handoff_report (setup_data payload) */
	uint32_t report_len;
	uint32_t nr_aps;         /* entries used in aps[] */
	/* Every CPU the MADT lists, boot CPU included, in park-table order. */
	struct mpk_ap {
		uint32_t apic_id;
		uint32_t madt_flags_off; /* offset of its flags in the next MADT */
	} aps[MPK_MAX_APS];
};

#endif
