/* libFuzzer target: the ACPI table set read from sysfs (acpi_tableset_add,
 * sort, FADT pointers), the new tables built from it, and the snapshot
 * parser.  Input: a table count, then per table a name selector, a 16-bit
 * length and that many bytes; the rest is the MADT handed to the builder.
 * Invariants that abort(): the built buffer has the announced size, the
 * root tables and RSDP check out, every root entry lies in the buffer or is
 * the extra table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "bytes.h"

static const char *const names[] = {
	"FACP", "APIC", "DSDT", "FACS", "SSDT", "SSDT1", "SSDT2", "SSDT10", "HPET",
	"MPKP", "BGRT", "WAET", "FAC", "SSDTx", "RSDT", "XSDT",
};

#define BASE  0x3e000000ull
#define EXTRA 0x3f000000ull

static void check_root(const uint8_t *buf, size_t len, uint64_t addr, size_t width)
{
	const uint8_t *t;
	uint32_t tlen;

	if (addr < BASE || addr + 36 > BASE + len)
		abort();
	t = buf + (addr - BASE);
	tlen = get_le32(t + 4);
	if (addr + tlen > BASE + len || acpi_checksum(t, tlen) != 0)
		abort();
	for (size_t i = 36; i + width <= tlen; i += width) {
		uint64_t a = width == 8 ? get_le64(t + i) : get_le32(t + i);

		if (a != EXTRA && (a < BASE || a >= BASE + len))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acpi_tableset ts = { 0 };
	struct acpi_handoff h;
	struct mpk_error err;
	const uint8_t *p = data, *end = data + size;
	uint64_t dsdt, facs, rsdp;
	uint8_t *madt;
	size_t madt_len;
	unsigned n;

	if (acpi_snapshot_read(data, size, &rsdp, &madt, &madt_len, &err) == 0) {
		if (madt_len < 36 || memcmp(madt, "APIC", 4) != 0)
			abort();
		free(madt);
	}
	if (size < 1)
		return 0;
	n = *p++ & 15;
	for (unsigned i = 0; i < n && end - p >= 3; i++) {
		const char *name = names[p[0] % (sizeof(names) / sizeof(names[0]))];
		size_t len = get_le16(p + 1);

		p += 3;
		if (len > (size_t)(end - p))
			len = (size_t)(end - p);
		acpi_tableset_add(&ts, name, p, len, &err);
		p += len;
	}
	acpi_tableset_sort(&ts);
	acpi_fadt_pointers(acpi_tableset_find(&ts, "FACP"), &dsdt, &facs);
	if (acpi_build_handoff(&ts, p, (size_t)(end - p), EXTRA, BASE, &h, &err) == 0) {
		if (h.len != acpi_handoff_size(&ts, (size_t)(end - p), true) ||
		    acpi_checksum(h.buf, 20) != 0 || acpi_checksum(h.buf, 36) != 0 ||
		    memcmp(h.buf + h.madt_off, p, (size_t)(end - p)) != 0)
			abort();
		check_root(h.buf, h.len, get_le64(h.buf + 24), 8);
		check_root(h.buf, h.len, get_le32(h.buf + 16), 4);
		acpi_handoff_free(&h);
	}
	acpi_tableset_free(&ts);
	return 0;
}
