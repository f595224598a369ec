/* SPDX-License-Identifier: GPL-2.0-only */
#include "acpi.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "mpkexec/handoff-report.h"

#define RSDP_CHECKSUM      8
#define RSDP_REVISION      15
#define RSDP_RSDT          16
#define RSDP_LENGTH        20
#define RSDP_XSDT          24
#define RSDP_EXT_CHECKSUM  32
#define SDT_LENGTH         4
#define SDT_CHECKSUM       9
#define FADT_FACS          36   /* u32 FIRMWARE_CTRL */
#define FADT_DSDT          40   /* u32 DSDT */
#define FADT_X_FACS        132  /* u64 X_FIRMWARE_CTRL (ACPI 2.0+) */
#define FADT_X_DSDT        140  /* u64 X_DSDT */

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)-acpi_checksum(p, len);
}

void acpi_set_checksum(uint8_t *t, uint32_t len)
{
	fix_checksum(t, len, SDT_CHECKSUM);
}

void acpi_sdt_init(uint8_t *t, const char *sig, uint32_t len)
{
	memcpy(t, sig, 4);
	put_le32(t + SDT_LENGTH, len);
	t[8] = 1;                         /* revision */
	memcpy(t + 10, "MPKEXC", 6);      /* OEM ID */
	memcpy(t + 16, "MPKEXEC ", 8);    /* OEM table ID */
	put_le32(t + 24, 1);              /* OEM revision */
	memcpy(t + 28, "MPKX", 4);        /* creator ID */
	put_le32(t + 32, 1);              /* creator revision */
	fix_checksum(t, len, SDT_CHECKSUM);
}

static size_t align16(size_t v)
{
	return (v + 15) & ~(size_t)15;
}


int acpi_tableset_add(struct acpi_tableset *ts, const char *name, const uint8_t *data,
		      size_t len, struct mpk_error *err)
{
	struct acpi_table *t;
	size_t nlen = strlen(name);

	if (nlen < 4 || nlen >= sizeof(t->name) || strspn(name + 4, "0123456789") != nlen - 4)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI table '%s': not a table name "
				"(signature plus instance number)", name);
	if (len < 8 || memcmp(data, name, 4) != 0)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI table '%s': %zu bytes that do not "
				"start with its signature", name, len);
	/* FACS: signature and length, but no checksum or OEM fields. */
	if (get_le32(data + SDT_LENGTH) != len ||
	    (memcmp(name, "FACS", 4) != 0 && len < ACPI_SDT_HDR_LEN))
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI table '%s': header length %u, but "
				"the kernel exports %zu bytes", name, get_le32(data + SDT_LENGTH),
				len);
	if (len > ACPI_TABLESET_MAX - ts->bytes)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI tables: more than %u MiB in all "
				"(at '%s'); mpkexec copies them and refuses a set that large",
				ACPI_TABLESET_MAX >> 20, name);
	t = realloc(ts->t, (ts->n + 1) * sizeof(*t));
	if (!t)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	ts->t = t;
	t = &ts->t[ts->n];
	t->data = malloc(len);
	if (!t->data)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	memcpy(t->data, data, len);
	t->len = (uint32_t)len;
	snprintf(t->name, sizeof(t->name), "%s", name);
	ts->n++;
	ts->bytes += len;
	return 0;
}

static int table_order(const void *a, const void *b)
{
	const struct acpi_table *x = a, *y = b;
	int fx = memcmp(x->name, "FACP", 4) != 0, fy = memcmp(y->name, "FACP", 4) != 0;
	int c;

	if (fx != fy)
		return fx - fy;
	c = memcmp(x->name, y->name, 4);
	if (c)
		return c;
	/* "SSDT" (the only one) or "SSDT1" < "SSDT2" < "SSDT10". */
	return (int)(strtoul(x->name + 4, NULL, 10) - strtoul(y->name + 4, NULL, 10));
}

void acpi_tableset_sort(struct acpi_tableset *ts)
{
	if (ts->n > 1)
		qsort(ts->t, ts->n, sizeof(*ts->t), table_order);
}

const struct acpi_table *acpi_tableset_find(const struct acpi_tableset *ts, const char *name)
{
	for (size_t i = 0; i < ts->n; i++)
		if (strcmp(ts->t[i].name, name) == 0)
			return &ts->t[i];
	return NULL;
}

void acpi_tableset_free(struct acpi_tableset *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		free(ts->t[i].data);
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}

bool acpi_table_carried(const struct acpi_table *t)
{
	static const char *const kept_out[] = { "DSDT", "FACS", "APIC", "MPKP", "RSDT", "XSDT" };

	for (size_t i = 0; i < sizeof(kept_out) / sizeof(kept_out[0]); i++)
		if (memcmp(t->name, kept_out[i], 4) == 0)
			return false;
	return true;
}

void acpi_fadt_pointers(const struct acpi_table *fadt, uint64_t *dsdt, uint64_t *facs)
{
	const uint8_t *f = fadt ? fadt->data : NULL;
	uint32_t len = fadt ? fadt->len : 0;

	*dsdt = len >= FADT_DSDT + 4 ? get_le32(f + FADT_DSDT) : 0;
	*facs = len >= FADT_FACS + 4 ? get_le32(f + FADT_FACS) : 0;
	if (len >= FADT_X_DSDT + 8 && get_le64(f + FADT_X_DSDT))
		*dsdt = get_le64(f + FADT_X_DSDT);
	if (len >= FADT_X_FACS + 8 && get_le64(f + FADT_X_FACS))
		*facs = get_le64(f + FADT_X_FACS);
}

static size_t carried_count(const struct acpi_tableset *ts, size_t *bytes)
{
	size_t n = 0;

	*bytes = 0;
	for (size_t i = 0; i < ts->n; i++)
		if (acpi_table_carried(&ts->t[i])) {
			n++;
			*bytes += align16(ts->t[i].len);
		}
	return n;
}

size_t acpi_handoff_size(const struct acpi_tableset *ts, size_t madt_len, bool extra)
{
	size_t bytes, entries = carried_count(ts, &bytes) + 1 + extra;

	return align16(ACPI_RSDP_LEN) + align16(ACPI_SDT_HDR_LEN + 8 * entries) +
	       align16(ACPI_SDT_HDR_LEN + 4 * entries) + bytes + align16(madt_len);
}

/* A root table (XSDT: width 8, RSDT: 4) over `n` addresses, with firmware's
 * OEM identity from the FADT when there is one. */
static size_t put_root(uint8_t *t, const char *sig, const uint64_t *addr, size_t n,
		       size_t width, const struct acpi_table *fadt)
{
	uint32_t len = (uint32_t)(ACPI_SDT_HDR_LEN + n * width);

	for (size_t i = 0; i < n; i++)
		if (width == 8)
			put_le64(t + ACPI_SDT_HDR_LEN + i * 8, addr[i]);
		else
			put_le32(t + ACPI_SDT_HDR_LEN + i * 4, (uint32_t)addr[i]);
	acpi_sdt_init(t, sig, len);
	if (fadt && fadt->len >= ACPI_SDT_HDR_LEN)
		memcpy(t + 10, fadt->data + 10, 18);   /* OEM ID, table ID, revision */
	fix_checksum(t, len, SDT_CHECKSUM);
	return len;
}

int acpi_build_handoff(const struct acpi_tableset *ts, const uint8_t *madt, size_t madt_len,
		       uint64_t extra, uint64_t base, struct acpi_handoff *out,
		       struct mpk_error *err)
{
	const struct acpi_table *fadt = acpi_tableset_find(ts, "FACP");
	size_t bytes, n = carried_count(ts, &bytes), nent = 0, off, xsdt_off, rsdt_off;
	uint64_t *addr;
	uint8_t *b;

	memset(out, 0, sizeof(*out));
	if (base & 15)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "ACPI tables base %#" PRIx64 " unaligned",
				base);
	if (madt_len < ACPI_SDT_HDR_LEN)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "new MADT: %zu bytes, shorter than a "
				"table header", madt_len);
	out->len = acpi_handoff_size(ts, madt_len, extra != 0);
	if (base + out->len > (1ull << 32) || extra > UINT32_MAX)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "ACPI tables must lie below 4 GiB (RSDT)");
	b = calloc(1, out->len);
	addr = calloc(n + 2, sizeof(*addr));
	if (!b || !addr) {
		free(b);
		free(addr);
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	}
	xsdt_off = align16(ACPI_RSDP_LEN);
	rsdt_off = xsdt_off + align16(ACPI_SDT_HDR_LEN + 8 * (n + 1 + (extra != 0)));
	off = rsdt_off + align16(ACPI_SDT_HDR_LEN + 4 * (n + 1 + (extra != 0)));
	for (size_t i = 0; i < ts->n; i++) {
		if (!acpi_table_carried(&ts->t[i]))
			continue;
		memcpy(b + off, ts->t[i].data, ts->t[i].len);
		addr[nent++] = base + off;
		off += align16(ts->t[i].len);
	}
	out->madt_off = off;
	out->madt_addr = base + off;
	out->madt_len = madt_len;
	memcpy(b + off, madt, madt_len);
	addr[nent++] = out->madt_addr;
	if (extra)
		addr[nent++] = extra;
	put_root(b + xsdt_off, "XSDT", addr, nent, 8, fadt);
	put_root(b + rsdt_off, "RSDT", addr, nent, 4, fadt);
	free(addr);

	/* RSDP, ACPI 2.0: firmware's OEM ID, both root tables. */
	memcpy(b, "RSD PTR ", 8);
	memcpy(b + 9, fadt && fadt->len >= ACPI_SDT_HDR_LEN ? (const char *)fadt->data + 10 :
	       "MPKEXC", 6);
	b[RSDP_REVISION] = 2;
	put_le32(b + RSDP_RSDT, (uint32_t)(base + rsdt_off));
	put_le32(b + RSDP_LENGTH, ACPI_RSDP_LEN);
	put_le64(b + RSDP_XSDT, base + xsdt_off);
	fix_checksum(b, ACPI_RSDP_V1_LEN, RSDP_CHECKSUM);
	fix_checksum(b, ACPI_RSDP_LEN, RSDP_EXT_CHECKSUM);
	out->buf = b;
	out->rsdp_addr = base;
	out->ncopied = (unsigned)n;
	return 0;
}

void acpi_handoff_free(struct acpi_handoff *h)
{
	free(h->buf);
	memset(h, 0, sizeof(*h));
}

/* The root table at `at` (width 8: XSDT, 4: RSDT) inside h->buf lists addr. */
static bool root_lists(const struct acpi_handoff *h, uint64_t at, const char *sig,
		       size_t width, uint64_t addr)
{
	const uint8_t *t;
	uint32_t len;

	if (at < h->rsdp_addr || at - h->rsdp_addr > h->len ||
	    h->len - (at - h->rsdp_addr) < ACPI_SDT_HDR_LEN)
		return false;
	t = h->buf + (at - h->rsdp_addr);
	len = get_le32(t + SDT_LENGTH);
	if (memcmp(t, sig, 4) != 0 || len < ACPI_SDT_HDR_LEN ||
	    len > h->len - (at - h->rsdp_addr))
		return false;
	for (size_t off = ACPI_SDT_HDR_LEN; off + width <= len; off += width)
		if ((width == 8 ? get_le64(t + off) : get_le32(t + off)) == addr)
			return true;
	return false;
}

bool acpi_handoff_lists(const struct acpi_handoff *h, uint64_t addr)
{
	if (!h->buf || h->len < ACPI_RSDP_LEN)
		return false;
	return root_lists(h, get_le64(h->buf + RSDP_XSDT), "XSDT", 8, addr) &&
	       root_lists(h, get_le32(h->buf + RSDP_RSDT), "RSDT", 4, addr);
}

size_t acpi_snapshot_size(size_t madt_len)
{
	return sizeof(struct mpk_acpi_snapshot) + madt_len;
}

void acpi_snapshot_write(uint8_t *out, uint64_t fw_rsdp, const uint8_t *madt, size_t madt_len)
{
	struct mpk_acpi_snapshot s = {
		.magic = MPK_ACPI_SNAPSHOT_MAGIC, .madt_len = (uint32_t)madt_len,
		.rsdp_addr = fw_rsdp,
	};

	memcpy(out, &s, sizeof(s));
	memcpy(out + sizeof(s), madt, madt_len);
}

int acpi_snapshot_read(const uint8_t *data, size_t len, uint64_t *fw_rsdp, uint8_t **madt,
		       size_t *madt_len, struct mpk_error *err)
{
	struct mpk_acpi_snapshot s;
	const uint8_t *p;

	*madt = NULL;
	if (len < sizeof(s))
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI snapshot: truncated");
	memcpy(&s, data, sizeof(s));
	if (s.magic != MPK_ACPI_SNAPSHOT_MAGIC ||
	    len < sizeof(s) + (uint64_t)s.xsdt_len + s.rsdt_len + s.madt_len)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI snapshot: bad magic or length");
	/* Older snapshots carry firmware's XSDT and RSDT first: skipped. */
	p = data + sizeof(s) + s.xsdt_len + s.rsdt_len;
	if (s.madt_len < ACPI_SDT_HDR_LEN || memcmp(p, "APIC", 4) != 0 ||
	    get_le32(p + SDT_LENGTH) != s.madt_len || acpi_checksum(p, s.madt_len) != 0)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI snapshot: bad MADT copy");
	*madt = malloc(s.madt_len);
	if (!*madt)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	memcpy(*madt, p, s.madt_len);
	*madt_len = s.madt_len;
	*fw_rsdp = s.rsdp_addr;
	return 0;
}
