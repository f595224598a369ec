/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: a multiboot2 image's first bytes as the probe sees them
 * (mb2_header_parse: the header search and every header tag), then the
 * information structure built from what the header asked for.
 * Invariants that abort():
 *   - accepted: the header's 16 fixed bytes lie in the first 32 KiB at an
 *     8-byte boundary, with the magic, architecture 0 and a checksum that
 *     makes the sum 0; its header_length lies in the first 32 KiB and in
 *     the input; no earlier 8-byte boundary holds a valid header; every
 *     request recorded is one mpkexec can give; the relocatable range is
 *     ordered with a power-of-two alignment;
 *   - not mine: no 8-byte boundary in the first 32 KiB holds the magic,
 *     and the message is exactly "no multiboot2 header in the first 32 KiB";
 *   - refused: exit code 65 and a message naming the file; never for an
 *     input whose only headers are past 32 KiB;
 *   - the information structure: mb2_info_build writes exactly
 *     mb2_info_size bytes, total_size says so, every tag 8-byte aligned and
 *     inside, the last one the end tag. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "error.h"
#include "image-types.h"
#include "mpkexec/bootparam.h"
#include "multiboot2.h"

#define NAME "kernel image 'fuzz': "

static bool valid_at(const uint8_t *d, size_t off)
{
	return get_le32(d + off) == MB2_HEADER_MAGIC &&
	       get_le32(d + off) + get_le32(d + off + 4) + get_le32(d + off + 8) +
	       get_le32(d + off + 12) == 0;
}

static void check_info(const struct mb2_header *h)
{
	struct mem_range r[] = { { 0, 0x9fc00, E820_RAM }, { 0x100000, 0x800000, E820_RAM },
				 { 0x800000, 0x845000, E820_NVS } };
	struct memmap map = { r, 3 };
	struct mb2_module_info mod = { 0x900000, 0x900000 + h->header_length, h->tags_seen };
	uint8_t rsdp[36] = "RSD PTR ";
	struct mb2_info_input in = {
		.cmdline = h->tags_seen, .loader_name = MB2_LOADER_NAME, .module = &mod,
		.nmodule = h->nrequest & 1, .map = &map, .rsdp = h->nrequest ? rsdp : NULL,
		.rsdp_len = 36, .acpi_old = h->relocatable, .efi64 = h->have_entry,
		.load_base = h->relocatable, .load_base_addr = h->rel_min,
	};
	size_t size = mb2_info_size(&in), at = 8;
	uint8_t *buf = calloc(1, size);

	if (!buf)
		return;
	if (mb2_info_build(&in, buf) != size || get_le32(buf) != size)
		abort();
	for (;;) {
		uint32_t type = get_le32(buf + at), len = get_le32(buf + at + 4);

		if (at % 8 || len < 8 || at + len > size)
			abort();
		if (type == MB2_TAG_END) {
			if (len != 8 || at + 8 != size)
				abort();
			break;
		}
		at += (len + 7) & ~7u;
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpk_error err = { 0 };
	struct mb2_header h;
	size_t limit = size < MB2_SEARCH ? size : MB2_SEARCH;

	switch (mb2_header_parse(data, size, "fuzz", &h, &err)) {
	case IMAGE_PROBE_OK:
		if (h.offset % 8 || h.offset + 16 > MB2_SEARCH || h.offset + 16 > size ||
		    !valid_at(data, h.offset) || get_le32(data + h.offset + 4) != 0 ||
		    h.header_length != get_le32(data + h.offset + 8) ||
		    h.offset + h.header_length > limit)
			abort();
		for (size_t o = 0; o < h.offset; o += 8)
			if (valid_at(data, o))
				abort();
		for (unsigned i = 0; i < h.nrequest; i++)
			if (h.request_req[i] &&
			    (h.request[i] == 5 || h.request[i] == 7 || h.request[i] == 9 ||
			     h.request[i] == 10 || h.request[i] == 11 || h.request[i] == 13 ||
			     (h.request[i] >= 16 && h.request[i] <= 20) || h.request[i] > 21))
				abort();
		if (h.relocatable && (h.rel_max < h.rel_min || (h.rel_align & (h.rel_align - 1))))
			abort();
		check_info(&h);
		break;
	case IMAGE_PROBE_NOT_MINE:
		for (size_t o = 0; o + 16 <= limit; o += 8)
			if (get_le32(data + o) == MB2_HEADER_MAGIC)
				abort();
		if (strcmp(err.msg, NAME "no multiboot2 header in the first 32 KiB") != 0 ||
		    err.exit_code != MPK_EXIT_BADINPUT)
			abort();
		break;
	case IMAGE_PROBE_REFUSED: {
		bool magic = false;

		if (err.exit_code != MPK_EXIT_BADINPUT || strncmp(err.msg, NAME, strlen(NAME)))
			abort();
		for (size_t o = 0; o + 16 <= limit && !magic; o += 8)
			magic = get_le32(data + o) == MB2_HEADER_MAGIC;
		if (!magic)
			abort();
		break;
	}
	default:
		abort();
	}
	return 0;
}
