#include "acpi.h"

#include <errno.h>
#include <inttypes.h>
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
#define ROOT_MAX_LEN       (64u << 10)

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

/* Reads a whole SDT (header first, for its length) into a malloc'd copy. */
static uint8_t *read_sdt(const struct physmem *mem, uint64_t addr, const char *sig,
			 struct mpk_error *err)
{
	uint8_t hdr[ACPI_SDT_HDR_LEN], *t;
	uint32_t len;

	if (mem->read(mem->ctx, addr, hdr, sizeof(hdr)) < 0) {
		mpk_fail(err, MPK_EXIT_NOINPUT, "ACPI %s at %#" PRIx64 ": cannot read: %s", sig,
			 addr, strerror(errno));
		return NULL;
	}
	len = get_le32(hdr + SDT_LENGTH);
	if (memcmp(hdr, sig, 4) != 0 || len < ACPI_SDT_HDR_LEN || len > ROOT_MAX_LEN) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI %s at %#" PRIx64 ": bad header "
			 "(signature \"%.4s\", length %u)", sig, addr, (const char *)hdr, len);
		return NULL;
	}
	t = malloc(len);
	if (!t) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	if (mem->read(mem->ctx, addr, t, len) < 0) {
		mpk_fail(err, MPK_EXIT_NOINPUT, "ACPI %s at %#" PRIx64 ": cannot read %u bytes: %s",
			 sig, addr, len, strerror(errno));
		free(t);
		return NULL;
	}
	if (acpi_checksum(t, len) != 0) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI %s at %#" PRIx64 ": checksum mismatch", sig,
			 addr);
		free(t);
		return NULL;
	}
	return t;
}

static uint64_t root_entry(const uint8_t *t, size_t i, size_t width)
{
	const uint8_t *p = t + ACPI_SDT_HDR_LEN + i * width;

	return width == 8 ? get_le64(p) : get_le32(p);
}

static size_t root_count(const uint8_t *t, size_t width)
{
	return (get_le32(t + SDT_LENGTH) - ACPI_SDT_HDR_LEN) / width;
}

int acpi_read_root(const struct physmem *mem, uint64_t rsdp_addr, struct acpi_root *root,
		   struct mpk_error *err)
{
	const uint8_t *table;
	size_t width;

	memset(root, 0, sizeof(*root));
	root->rsdp_addr = rsdp_addr;
	if (mem->read(mem->ctx, rsdp_addr, root->rsdp, ACPI_RSDP_V1_LEN) < 0)
		return mpk_fail(err, MPK_EXIT_NOINPUT, "ACPI RSDP at %#" PRIx64 ": cannot read: %s",
				rsdp_addr, strerror(errno));
	if (memcmp(root->rsdp, "RSD PTR ", 8) != 0 ||
	    acpi_checksum(root->rsdp, ACPI_RSDP_V1_LEN) != 0)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"ACPI RSDP at %#" PRIx64 ": no valid \"RSD PTR \" signature/checksum",
				rsdp_addr);
	root->revision = root->rsdp[RSDP_REVISION];
	root->rsdt_addr = get_le32(root->rsdp + RSDP_RSDT);
	if (root->revision >= 2) {
		if (mem->read(mem->ctx, rsdp_addr, root->rsdp, ACPI_RSDP_LEN) < 0 ||
		    get_le32(root->rsdp + RSDP_LENGTH) < ACPI_RSDP_LEN ||
		    acpi_checksum(root->rsdp, ACPI_RSDP_LEN) != 0)
			return mpk_fail(err, MPK_EXIT_BADINPUT,
					"ACPI RSDP at %#" PRIx64 ": bad ACPI 2.0 extended checksum",
					rsdp_addr);
		root->xsdt_addr = get_le64(root->rsdp + RSDP_XSDT);
	}
	if (root->xsdt_addr && !(root->xsdt = read_sdt(mem, root->xsdt_addr, "XSDT", err)))
		goto fail;
	if (root->rsdt_addr && !(root->rsdt = read_sdt(mem, root->rsdt_addr, "RSDT", err)))
		goto fail;
	if (!root->xsdt && !root->rsdt) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI RSDP at %#" PRIx64 ": names no XSDT or RSDT",
			 rsdp_addr);
		goto fail;
	}
	/* ACPICA uses the XSDT when there is one; find the MADT there. */
	table = root->xsdt ? root->xsdt : root->rsdt;
	width = root->xsdt ? 8 : 4;
	for (size_t i = 0; i < root_count(table, width); i++) {
		uint64_t a = root_entry(table, i, width);
		char sig[4];

		if (a && mem->read(mem->ctx, a, sig, 4) == 0 && memcmp(sig, "APIC", 4) == 0) {
			root->madt_addr = a;
			break;
		}
	}
	if (!root->madt_addr) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI: the %s lists no MADT (\"APIC\")",
			 root->xsdt ? "XSDT" : "RSDT");
		goto fail;
	}
	return 0;
fail:
	acpi_root_free(root);
	return -1;
}

void acpi_root_free(struct acpi_root *root)
{
	free(root->xsdt);
	free(root->rsdt);
	root->xsdt = root->rsdt = NULL;
}

/* Copies a root table with every entry equal to `from` replaced by `to`,
 * and `extra` appended when not 0. */
static size_t copy_root(uint8_t *dst, const uint8_t *src, size_t width, uint64_t from,
			uint64_t to, uint64_t extra)
{
	size_t len = get_le32(src + SDT_LENGTH);

	memcpy(dst, src, len);
	if (extra) {
		if (width == 8)
			put_le64(dst + len, extra);
		else
			put_le32(dst + len, (uint32_t)extra);
		len += width;
		put_le32(dst + SDT_LENGTH, (uint32_t)len);
	}
	for (size_t i = 0; i < root_count(src, width); i++) {
		uint8_t *p = dst + ACPI_SDT_HDR_LEN + i * width;


		if (root_entry(dst, i, width) != from)
			continue;
		if (width == 8)
			put_le64(p, to);
		else
			put_le32(p, (uint32_t)to);
	}
	fix_checksum(dst, len, SDT_CHECKSUM);
	return len;
}

static size_t align16(size_t v)
{
	return (v + 15) & ~(size_t)15;
}

int acpi_build_handoff(const struct acpi_root *root, const uint8_t *madt, size_t madt_len,
		       uint64_t extra, uint64_t base, struct acpi_handoff *out,
		       struct mpk_error *err)
{
	size_t off = align16(ACPI_RSDP_LEN), xsdt_off = 0, rsdt_off = 0, cap;
	uint8_t *b;

	memset(out, 0, sizeof(*out));
	if (base & 15)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "ACPI tables base %#" PRIx64 " unaligned",
				base);
	cap = off + (root->xsdt ? align16(get_le32(root->xsdt + SDT_LENGTH) + 8) : 0) +
	      (root->rsdt ? align16(get_le32(root->rsdt + SDT_LENGTH) + 4) : 0) + align16(madt_len);
	b = calloc(1, cap);
	if (!b)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	out->madt_off = cap - align16(madt_len);
	out->madt_addr = base + out->madt_off;
	out->madt_len = madt_len;
	if (root->rsdt && (out->madt_addr > UINT32_MAX || extra > UINT32_MAX)) {
		free(b);
		return mpk_fail(err, MPK_EXIT_INTERNAL, "ACPI tables must lie below 4 GiB (RSDT)");
	}
	if (root->xsdt) {
		xsdt_off = off;
		off += align16(copy_root(b + off, root->xsdt, 8, root->madt_addr, out->madt_addr,
						  extra));
	}
	if (root->rsdt) {
		rsdt_off = off;
		off += align16(copy_root(b + off, root->rsdt, 4, root->madt_addr, out->madt_addr,
						  extra));
	}
	memcpy(b + out->madt_off, madt, madt_len);

	/* RSDP: same OEM and revision, pointing at the copies. */
	memcpy(b, root->rsdp, ACPI_RSDP_LEN);
	put_le32(b + RSDP_RSDT, root->rsdt ? (uint32_t)(base + rsdt_off) : 0);
	fix_checksum(b, ACPI_RSDP_V1_LEN, RSDP_CHECKSUM);
	if (root->revision >= 2) {
		put_le64(b + RSDP_XSDT, root->xsdt ? base + xsdt_off : 0);
		fix_checksum(b, ACPI_RSDP_LEN, RSDP_EXT_CHECKSUM);
	}
	out->buf = b;
	out->len = cap;
	out->rsdp_addr = base;
	return 0;
}

void acpi_handoff_free(struct acpi_handoff *h)
{
	free(h->buf);
	memset(h, 0, sizeof(*h));
}

size_t acpi_snapshot_size(const struct acpi_root *root, size_t madt_len)
{
	return sizeof(struct mpk_acpi_snapshot) +
	       (root->xsdt ? get_le32(root->xsdt + SDT_LENGTH) : 0) +
	       (root->rsdt ? get_le32(root->rsdt + SDT_LENGTH) : 0) + madt_len;
}

void acpi_snapshot_write(uint8_t *out, const struct acpi_root *root, const uint8_t *madt,
			 size_t madt_len)
{
	struct mpk_acpi_snapshot s = {
		.magic = MPK_ACPI_SNAPSHOT_MAGIC,
		.xsdt_len = root->xsdt ? get_le32(root->xsdt + SDT_LENGTH) : 0,
		.rsdt_len = root->rsdt ? get_le32(root->rsdt + SDT_LENGTH) : 0,
		.madt_len = (uint32_t)madt_len,
		.rsdp_addr = root->rsdp_addr, .xsdt_addr = root->xsdt_addr,
		.rsdt_addr = root->rsdt_addr, .madt_addr = root->madt_addr,
	};
	uint8_t *p = out + sizeof(s);

	memcpy(s.rsdp, root->rsdp, ACPI_RSDP_LEN);
	memcpy(out, &s, sizeof(s));
	if (s.xsdt_len)
		memcpy(p, root->xsdt, s.xsdt_len);
	p += s.xsdt_len;
	if (s.rsdt_len)
		memcpy(p, root->rsdt, s.rsdt_len);
	p += s.rsdt_len;
	memcpy(p, madt, madt_len);
}

static uint8_t *dup_table(const uint8_t *p, uint32_t len, const char *sig,
			  struct mpk_error *err)
{
	uint8_t *t;

	if (len < ACPI_SDT_HDR_LEN || memcmp(p, sig, 4) != 0 || get_le32(p + SDT_LENGTH) != len ||
	    acpi_checksum(p, len) != 0) {
		mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI snapshot: bad %s copy", sig);
		return NULL;
	}
	t = malloc(len);
	if (!t) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		return NULL;
	}
	return memcpy(t, p, len);
}

int acpi_snapshot_read(const uint8_t *data, size_t len, struct acpi_root *root,
		       uint8_t **madt, size_t *madt_len, struct mpk_error *err)
{
	struct mpk_acpi_snapshot s;
	const uint8_t *p = data + sizeof(s);

	memset(root, 0, sizeof(*root));
	*madt = NULL;
	if (len < sizeof(s))
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI snapshot: truncated");
	memcpy(&s, data, sizeof(s));
	if (s.magic != MPK_ACPI_SNAPSHOT_MAGIC ||
	    len < sizeof(s) + (uint64_t)s.xsdt_len + s.rsdt_len + s.madt_len)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "ACPI snapshot: bad magic or length");
	memcpy(root->rsdp, s.rsdp, ACPI_RSDP_LEN);
	root->rsdp_addr = s.rsdp_addr;
	root->revision = root->rsdp[RSDP_REVISION];
	root->xsdt_addr = s.xsdt_addr;
	root->rsdt_addr = s.rsdt_addr;
	root->madt_addr = s.madt_addr;
	if (s.xsdt_len && !(root->xsdt = dup_table(p, s.xsdt_len, "XSDT", err)))
		goto fail;
	p += s.xsdt_len;
	if (s.rsdt_len && !(root->rsdt = dup_table(p, s.rsdt_len, "RSDT", err)))
		goto fail;
	p += s.rsdt_len;
	if (!(*madt = dup_table(p, s.madt_len, "APIC", err)))
		goto fail;
	*madt_len = s.madt_len;
	return 0;
fail:
	acpi_root_free(root);
	return -1;
}
