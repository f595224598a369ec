/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading the CPU entries of an ACPI MADT ("APIC" table). Pure. */
#ifndef MPKEXEC_MADT_H
#define MPKEXEC_MADT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "mpkexec/purgatory-params.h"

#define MADT_LOCAL_APIC        0x00
#define MADT_LOCAL_X2APIC      0x09
#define MADT_MP_WAKEUP         0x10
#define MADT_CPU_ENABLED       (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)

struct madt_cpus {
	uint32_t apic_id[MPK_MAX_APS];
	unsigned n;                /* usable CPUs: enabled or online-capable */
};

/* Validates the table (signature, length, checksum, every entry's length)
 * and collects the APIC IDs of usable processors, in table order. */
int madt_parse_cpus(const uint8_t *tab, size_t len, struct madt_cpus *out,
		    struct mpk_error *err);

/* A copy of `tab` for the next kernel: any MP Wakeup structure removed, a
 * new one appended (mailbox_version 0: 16 bytes; 1: 24 bytes with the
 * ResetVector), length and checksum fixed.  For every usable CPU, in the
 * order madt_parse_cpus lists them, flags_off[i] receives the offset of its
 * flags field in the copy, so purgatory can disable a CPU that never
 * reached the mailbox.  *out is malloc'd. */
int madt_with_wakeup(const uint8_t *tab, size_t len, uint64_t mailbox,
		     uint64_t reset_vector, unsigned mailbox_version, uint8_t **out,
		     size_t *out_len, uint32_t *flags_off, struct mpk_error *err);

/* The first MP Wakeup structure of a (validated) MADT, if any. */
struct madt_wakeup {
	unsigned version;
	unsigned length;
	uint64_t mailbox;
	uint64_t reset_vector;     /* 0 unless version >= 1 and length >= 24 */
};
int madt_find_wakeup(const uint8_t *tab, size_t len, struct madt_wakeup *w);

#endif
