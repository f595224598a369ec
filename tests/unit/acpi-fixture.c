#include "acpi-fixture.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
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

int fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fakemem *f = ctx;
	const struct { uint64_t at; const uint8_t *p; size_t n; } m[] = {
		{ RSDP_AT, f->rsdp, 36 }, { XSDT_AT, f->xsdt, sizeof(f->xsdt) },
		{ RSDT_AT, f->rsdt, sizeof(f->rsdt) }, { MADT_AT, f->madt, f->madt_len },
		{ FACP_AT, f->facp, 36 },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (addr >= m[i].at && addr + len <= m[i].at + m[i].n) {
			memcpy(buf, m[i].p + (addr - m[i].at), len);
			return 0;
		}
	errno = EFAULT;
	return -1;
}

void fake_init(struct fakemem *f)
{
	size_t len;
	uint8_t *madt = read_file(Q35_APIC, &len);

	memset(f, 0, sizeof(*f));
	memcpy(f->madt, madt, len);
	f->madt_len = len;
	free(madt);
	acpi_sdt_init(f->facp, "FACP", 36);
	put_le64(f->xsdt + 36, FACP_AT);
	put_le64(f->xsdt + 44, MADT_AT);
	acpi_sdt_init(f->xsdt, "XSDT", sizeof(f->xsdt));
	put_le32(f->rsdt + 36, FACP_AT);
	put_le32(f->rsdt + 40, MADT_AT);
	acpi_sdt_init(f->rsdt, "RSDT", sizeof(f->rsdt));
	memcpy(f->rsdp, "RSD PTR ", 8);
	memcpy(f->rsdp + 9, "BOCHS ", 6);
	f->rsdp[15] = 2;
	put_le32(f->rsdp + 16, RSDT_AT);
	put_le32(f->rsdp + 20, 36);
	put_le64(f->rsdp + 24, XSDT_AT);
	f->rsdp[8] = (uint8_t)-acpi_checksum(f->rsdp, 20);
	f->rsdp[32] = (uint8_t)-acpi_checksum(f->rsdp, 36);
}
