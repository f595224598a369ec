/* SPDX-License-Identifier: GPL-2.0-only */
#include "madt.h"

#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "bytes.h"

#define SDT_HEADER_LEN 36u
#define MADT_ENTRIES   44u

int madt_parse_cpus(const uint8_t *tab, size_t len, struct madt_cpus *out,
		    struct mpk_error *err)
{
	uint32_t tlen;
	uint8_t sum = 0;
	size_t off;

	memset(out, 0, sizeof(*out));
	if (len < MADT_ENTRIES || memcmp(tab, "APIC", 4) != 0)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "MADT: not an APIC table (%zu bytes)", len);
	tlen = get_le32(tab + 4);
	if (tlen < MADT_ENTRIES || tlen > len)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"MADT: header length %u does not match the %zu bytes read", tlen, len);
	sum = acpi_checksum(tab, tlen);
	if (sum != 0)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "MADT: checksum mismatch (sum %#x)", sum);
	for (off = MADT_ENTRIES; off + 2 <= tlen;) {
		uint8_t type = tab[off], elen = tab[off + 1];
		uint32_t id, flags;

		/* A processor entry too short to read would silently lose a CPU. */
		if (elen < 2 || off + elen > tlen || (type == MADT_LOCAL_APIC && elen < 8) ||
		    (type == MADT_LOCAL_X2APIC && elen < 16))
			return mpk_fail(err, MPK_EXIT_BADINPUT,
					"MADT: entry at offset %zu (type %#x) has bad length %u",
					off, type, elen);
		if (type == MADT_LOCAL_APIC) {
			id = tab[off + 3];
			flags = get_le32(tab + off + 4);
		} else if (type == MADT_LOCAL_X2APIC) {
			id = get_le32(tab + off + 4);
			flags = get_le32(tab + off + 8);
			if (id == 0xffffffffu)
				goto next;
		} else {
			goto next;
		}
		if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE)))
			goto next;  /* listed, but neither enabled nor online-capable */
		if (out->n == sizeof(out->apic_id) / sizeof(out->apic_id[0]))
			return mpk_fail(err, MPK_EXIT_BADINPUT,
					"MADT: more than %u processors", out->n);
		out->apic_id[out->n++] = id;
next:
		off += elen;
	}
	return 0;
}

#define MP_WAKEUP_V0_LEN 16u
#define MP_WAKEUP_V1_LEN 24u

int madt_with_wakeup(const uint8_t *tab, size_t len, uint64_t mailbox,
		     uint64_t reset_vector, unsigned mailbox_version, uint8_t **out,
		     size_t *out_len, uint32_t *flags_off, struct mpk_error *err)
{
	struct madt_cpus *cpus = malloc(sizeof(*cpus));
	unsigned wlen = mailbox_version >= 1 ? MP_WAKEUP_V1_LEN : MP_WAKEUP_V0_LEN;
	size_t off, o = MADT_ENTRIES;
	unsigned ncpu = 0;
	uint8_t *m;

	*out = NULL;
	if (!cpus)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	/* Validates the table and entry lengths for the walk below. */
	if (madt_parse_cpus(tab, len, cpus, err) < 0) {
		free(cpus);
		return -1;
	}
	free(cpus);
	len = get_le32(tab + 4);
	m = calloc(1, len + wlen);
	if (!m)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	memcpy(m, tab, MADT_ENTRIES);
	for (off = MADT_ENTRIES; off + 2 <= len; off += tab[off + 1]) {
		uint8_t type = tab[off], elen = tab[off + 1];
		uint32_t flags = 0;
		size_t fo = 0;

		if (type == MADT_MP_WAKEUP)
			continue; /* replaced by ours */
		memcpy(m + o, tab + off, elen);
		if (type == MADT_LOCAL_APIC && elen >= 8)
			fo = 4;
		else if (type == MADT_LOCAL_X2APIC && elen >= 16 &&
			 get_le32(tab + off + 4) != 0xffffffffu)
			fo = 8;
		if (fo) {
			flags = get_le32(tab + off + fo);
			if (flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE))
				flags_off[ncpu++] = (uint32_t)(o + fo);
		}
		o += elen;
	}
	m[o] = MADT_MP_WAKEUP;
	m[o + 1] = (uint8_t)wlen;
	put_le16(m + o + 2, (uint16_t)mailbox_version);
	put_le32(m + o + 4, 0);
	put_le64(m + o + 8, mailbox);
	if (wlen >= MP_WAKEUP_V1_LEN)
		put_le64(m + o + 16, reset_vector);
	o += wlen;
	put_le32(m + 4, (uint32_t)o);
	acpi_set_checksum(m, (uint32_t)o);
	*out = m;
	*out_len = o;
	return 0;
}

int madt_find_wakeup(const uint8_t *tab, size_t len, struct madt_wakeup *w)
{
	size_t tlen = len >= MADT_ENTRIES ? get_le32(tab + 4) : 0;

	if (tlen > len)
		tlen = len;
	for (size_t off = MADT_ENTRIES; off + 2 <= tlen && tab[off + 1] >= 2;
	     off += tab[off + 1]) {
		if (tab[off] != MADT_MP_WAKEUP || tab[off + 1] < MP_WAKEUP_V0_LEN ||
		    off + tab[off + 1] > tlen)
			continue;
		w->version = get_le16(tab + off + 2);
		w->length = tab[off + 1];
		w->mailbox = get_le64(tab + off + 8);
		w->reset_vector = (w->version >= 1 && w->length >= MP_WAKEUP_V1_LEN) ?
				  get_le64(tab + off + 16) : 0;
		return 1;
	}
	return 0;
}
