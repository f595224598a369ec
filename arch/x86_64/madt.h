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
	unsigned n_disabled;       /* listed but neither */
};

/* Validates the table (signature, length, checksum, every entry's length)
 * and collects the APIC IDs of usable processors, in table order. */
int madt_parse_cpus(const uint8_t *tab, size_t len, struct madt_cpus *out,
		    struct mpk_error *err);

#endif
