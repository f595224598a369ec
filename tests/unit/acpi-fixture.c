/* SPDX-License-Identifier: GPL-2.0-only */
#include "acpi-fixture.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(1 << 16);

	assert_non_null(f);
	*len = fread(b, 1, 1 << 16, f);
	fclose(f);
	return b;
}

static void add(struct acpi_tableset *ts, const char *name, const uint8_t *t, size_t len)
{
	struct mpk_error err;

	if (acpi_tableset_add(ts, name, t, len, &err) < 0)
		fail_msg("%s", err.msg);
}

static void add_sdt(struct acpi_tableset *ts, const char *name, size_t len, uint8_t fill)
{
	uint8_t t[256];

	memset(t, fill, sizeof(t));
	acpi_sdt_init(t, name, (uint32_t)len);
	add(ts, name, t, len);
}

void fixture_tableset(struct acpi_tableset *ts)
{
	uint8_t facp[276] = { 0 }, facs[64] = { 0 }, *madt;
	size_t len;

	memset(ts, 0, sizeof(*ts));
	add_sdt(ts, "SSDT2", 60, 0x22);
	madt = read_file(Q35_APIC, &len);
	add(ts, "APIC", madt, len);
	free(madt);
	add_sdt(ts, "HPET", 56, 0x11);
	memcpy(facs, "FACS", 4);
	put_le32(facs + 4, sizeof(facs));
	add(ts, "FACS", facs, sizeof(facs));
	add_sdt(ts, "DSDT", 100, 0x33);
	add_sdt(ts, "SSDT1", 50, 0x44);
	put_le32(facp + 36, (uint32_t)FACS_AT);
	put_le32(facp + 40, (uint32_t)DSDT_AT);
	put_le64(facp + 140, DSDT_AT);
	acpi_sdt_init(facp, "FACP", sizeof(facp));
	memcpy(facp + 10, "BOCHS BXPC    ", 14);
	acpi_set_checksum(facp, sizeof(facp));
	add(ts, "FACP", facp, sizeof(facp));
	acpi_tableset_sort(ts);
}
