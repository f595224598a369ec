/* Shared by the unit tests: fixture files, and a fake physical memory with
 * a firmware RSDP -> XSDT/RSDT -> (FACP, MADT) tree around q35's MADT. */
#ifndef MPKEXEC_TEST_ACPI_FIXTURE_H
#define MPKEXEC_TEST_ACPI_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "acpi.h"

#define Q35_APIC FIXTURES "/q35-sysroot/sys/firmware/acpi/tables/APIC"
#define RSDP_AT  0xf5000ull
#define XSDT_AT  0x3ffe1000ull
#define RSDT_AT  0x3ffe2000ull
#define MADT_AT  0x3ffe3000ull
#define FACP_AT  0x3ffe4000ull

struct fakemem {
	uint8_t rsdp[36], xsdt[36 + 16], rsdt[36 + 8], madt[512], facp[36];
	size_t madt_len;
};

/* The whole file (at most 64 KiB), malloc'd; fails the test if missing. */
uint8_t *read_file(const char *path, size_t *len);
/* physmem callback over a struct fakemem (EFAULT outside its tables). */
int fake_read(void *ctx, uint64_t addr, void *buf, size_t len);
void fake_init(struct fakemem *f);

#endif
