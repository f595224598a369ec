/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the unit tests: fixture files, and the table set a q35 guest's
 * kernel exports in /sys/firmware/acpi/tables, around q35's real MADT. */
#ifndef MPKEXEC_TEST_ACPI_FIXTURE_H
#define MPKEXEC_TEST_ACPI_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "acpi.h"

#define Q35_APIC FIXTURES "/q35-sysroot/sys/firmware/acpi/tables/APIC"
#define DSDT_AT  0x3ffe0040ull   /* where the fixture FADT names the DSDT */
#define FACS_AT  0x3ffe0000ull   /* and the FACS */

/* The whole file (at most 64 KiB), malloc'd; fails the test if missing. */
uint8_t *read_file(const char *path, size_t *len);
/* FACP (FADT, OEM "BOCHS ", naming DSDT_AT and FACS_AT), APIC (q35's),
 * HPET, SSDT1, SSDT2, DSDT and FACS, added in a scrambled order and sorted,
 * as sysview_acpi_tables gives them. */
void fixture_tableset(struct acpi_tableset *ts);

#endif
