#include "madt.h"

#include <string.h>

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
	for (uint32_t i = 0; i < tlen; i++)
		sum = (uint8_t)(sum + tab[i]);
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
		if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE))) {
			out->n_disabled++;
			goto next;
		}
		if (out->n == sizeof(out->apic_id) / sizeof(out->apic_id[0]))
			return mpk_fail(err, MPK_EXIT_BADINPUT,
					"MADT: more than %u processors", out->n);
		out->apic_id[out->n++] = id;
next:
		off += elen;
	}
	return 0;
}
