/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: the ACPI table set read from sysfs (acpi_tableset_add,
 * sort, FADT pointers), the new tables built from it, and the snapshot
 * parser.  Input: a table count, then per table a name selector, a 16-bit
 * length and that many bytes; the rest is the MADT handed to the builder.
 * Invariants that abort(): the built buffer has the announced size, the
 * root tables and RSDP check out, every root entry lies in the buffer or is
 * the extra table; the XSDT and RSDT list the same tables: the carried
 * tables of the set, byte for byte and in order, then the MADT, then the
 * extra table; a snapshot written with the MADT reads back the same, or
 * is refused exactly when that MADT is not a whole APIC table. */
#include <stdbool.h>
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

/* XSDT and RSDT: the same entries, which are the carried tables (copies,
 * whole, inside the buffer), the MADT, and the extra table. */
static void check_entries(const struct acpi_tableset *ts, const struct acpi_handoff *h)
{
	const uint8_t *x = h->buf + (get_le64(h->buf + 24) - BASE);
	const uint8_t *r = h->buf + (get_le32(h->buf + 16) - BASE);
	size_t nx = (get_le32(x + 4) - 36) / 8, nr = (get_le32(r + 4) - 36) / 4, e = 0;

	if (nx != nr || nx != h->ncopied + 2)
		abort();
	for (size_t i = 0; i < nx; i++)
		if (get_le64(x + 36 + 8 * i) != get_le32(r + 36 + 4 * i))
			abort();
	for (size_t i = 0; i < ts->n; i++) {
		uint64_t a;

		if (!acpi_table_carried(&ts->t[i]))
			continue;
		a = get_le64(x + 36 + 8 * e++);
		if (a < BASE || a - BASE + ts->t[i].len > h->len ||
		    memcmp(h->buf + (a - BASE), ts->t[i].data, ts->t[i].len) != 0)
			abort();
	}
	if (e != h->ncopied || get_le64(x + 36 + 8 * e) != h->madt_addr ||
	    h->madt_addr != BASE + h->madt_off || get_le64(x + 36 + 8 * (e + 1)) != EXTRA)
		abort();
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
		check_entries(&ts, &h);
		acpi_handoff_free(&h);
	}
	if ((size_t)(end - p) >= 36) {
		size_t mlen = (size_t)(end - p), slen = acpi_snapshot_size(mlen);
		uint64_t want = 0x7ffe0000ull + (uint64_t)size;
		bool valid = memcmp(p, "APIC", 4) == 0 && get_le32(p + 4) == mlen &&
			     acpi_checksum(p, mlen) == 0;
		uint8_t *snap = malloc(slen);
		int rc;

		if (!snap)
			abort();
		acpi_snapshot_write(snap, want, p, mlen);
		rc = acpi_snapshot_read(snap, slen, &rsdp, &madt, &madt_len, &err);
		if (rc != (valid ? 0 : -1))
			abort();
		if (rc == 0 && (rsdp != want || madt_len != mlen || memcmp(madt, p, mlen) != 0))
			abort();
		if (rc == 0)
			free(madt);
		free(snap);
	}
	acpi_tableset_free(&ts);
	return 0;
}
