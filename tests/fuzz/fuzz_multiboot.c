/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: a multiboot (v1) kernel image as the multiboot type
 * probes it (multiboot_probe -> mb1_image_parse: the header search, the
 * required flag bits, the a.out kludge or the ELF PT_LOADs), then the
 * information structure (mb1_info_write) over a memory map, command line
 * and module list cut from the same bytes.  Invariants that abort():
 *   - NOT_MINE exactly when no 4-byte aligned 0x1BADB002 has its 12 bytes
 *     inside the first 8 KiB;
 *   - OK: the header is such a magic whose checksum holds, its flags need
 *     no bit of 2-15; every piece's file bytes lie in the input, memsz >=
 *     filesz, every piece below 4 GiB; the entry lies in a piece; the a.out
 *     kludge gives one piece at load_addr;
 *   - REFUSED: exit code 65 and a message naming the file;
 *   - the information structure has mb1_info_size bytes, flags 0x24d, its
 *     pointers (cmdline, mods, mmap, loader name, module strings) inside it
 *     and reading back what went in; mmap_length = 24 x entries, each
 *     entry's size field 20. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "error.h"
#include "image-types.h"
#include "multiboot.h"

static bool any_magic(const uint8_t *d, size_t n)
{
	size_t end = n < MB1_SEARCH ? n : MB1_SEARCH;

	for (size_t off = 0; off + 12 <= end; off += 4)
		if (get_le32(d + off) == MB1_HEADER_MAGIC)
			return true;
	return false;
}

static void check_probe(const uint8_t *data, size_t size)
{
	struct mpk_error err = { 0 };
	struct image_probe_input in = { .data = data, .size = size, .path = "fuzz" };
	struct mb1_image m;
	enum image_probe_result r = multiboot_probe(&in, &err);
	bool entry_in = false;

	if (r != mb1_image_parse(data, size, "fuzz", &m, &err))
		abort();
	if ((r == IMAGE_PROBE_NOT_MINE) == any_magic(data, size))
		abort();
	if (r != IMAGE_PROBE_OK) {
		if (err.exit_code != MPK_EXIT_BADINPUT ||
		    (strncmp(err.msg, "kernel image 'fuzz'", 19) &&
		     strncmp(err.msg, "ELF image 'fuzz'", 16)))
			abort();
		return;
	}
	if (m.h.offset % 4 || m.h.offset + 12 > MB1_SEARCH || m.h.offset + 12 > size ||
	    get_le32(data + m.h.offset) != MB1_HEADER_MAGIC ||
	    (uint32_t)(MB1_HEADER_MAGIC + get_le32(data + m.h.offset + 4) +
		       get_le32(data + m.h.offset + 8)) != 0 ||
	    (m.h.flags & 0xfffc) || !m.npiece || m.npiece > ELF_EXEC_MAX_LOAD)
		abort();
	for (unsigned i = 0; i < m.npiece; i++) {
		const struct fixed_piece *p = &m.piece[i];

		if (p->filesz > p->memsz || (p->filesz && (p->bytes < data ||
		    (size_t)(p->bytes - data) > size || p->filesz > size - (size_t)(p->bytes - data))) ||
		    p->paddr + p->memsz > SZ_4G || p->paddr + p->memsz < p->paddr)
			abort();
		if (m.entry >= p->paddr && m.entry - p->paddr < p->memsz)
			entry_in = true;
	}
	if (!entry_in || (m.h.aout && (m.npiece != 1 || m.piece[0].paddr != m.h.load_addr)))
		abort();
}

/* The map, command line and modules from the input's bytes. */
static void check_info(const uint8_t *data, size_t size)
{
	struct mem_range r[32];
	struct mb1_module_info mods[8];
	char cmd[64], str[8][16];
	struct memmap map = { r, 0 };
	struct mb1_info_input in = { .map = &map, .cmdline = cmd, .mod = mods };
	uint32_t base = size >= 4 ? get_le32(data) & ~0xfffu : 0x100000;
	size_t at = 4, n, clen = size % 64;
	uint8_t *buf;

	for (size_t i = 0; i < clen; i++)
		cmd[i] = (char)((data[i % (size ? size : 1)] & 0x3f) + 0x20);
	cmd[clen] = '\0';
	while (map.n < 32 && at + 9 <= size) {
		uint64_t s = get_le32(data + at) * 4096ull;

		r[map.n++] = (struct mem_range){ s, s + get_le32(data + at + 4) + 1ull,
						 data[at + 8] };
		at += 9;
	}
	in.nmod = size ? data[size - 1] % 9 : 0;
	for (unsigned i = 0; i < in.nmod; i++) {
		memset(str[i], 'a' + (int)i, sizeof(str[i]) - 1);
		str[i][i + 1] = '\0';
		mods[i] = (struct mb1_module_info){ base + 0x1000 * i, base + 0x1000 * i + i,
						    str[i] };
	}
	n = mb1_info_size(&in);
	buf = malloc(n);
	if (!buf)
		abort();
	mb1_info_write(buf, base, &in);
#define PTR(off) ((size_t)(get_le32(buf + (off)) - base))
	if (get_le32(buf) != 0x24d || PTR(MB1_INFO_CMDLINE) >= n ||
	    strcmp((char *)buf + PTR(MB1_INFO_CMDLINE), cmd) ||
	    PTR(MB1_INFO_LOADER_NAME) >= n ||
	    strcmp((char *)buf + PTR(MB1_INFO_LOADER_NAME), MB1_LOADER_NAME) ||
	    get_le32(buf + MB1_INFO_MODS_COUNT) != in.nmod ||
	    PTR(MB1_INFO_MODS_ADDR) + 16 * in.nmod > n ||
	    get_le32(buf + MB1_INFO_MMAP_LENGTH) != 24 * map.n ||
	    PTR(MB1_INFO_MMAP_ADDR) + 24 * map.n > n)
		abort();
	for (unsigned i = 0; i < in.nmod; i++) {
		const uint8_t *e = buf + PTR(MB1_INFO_MODS_ADDR) + 16 * i;
		size_t sp = (size_t)(get_le32(e + 8) - base);

		if (get_le32(e) != mods[i].start || get_le32(e + 4) != mods[i].end || sp >= n ||
		    strcmp((char *)buf + sp, mods[i].string))
			abort();
	}
	for (size_t i = 0; i < map.n; i++) {
		const uint8_t *e = buf + PTR(MB1_INFO_MMAP_ADDR) + 24 * i;
		uint32_t t = get_le32(e + 20);

		if (get_le32(e) != 20 || get_le64(e + 4) != r[i].start ||
		    get_le64(e + 12) != r[i].end - r[i].start || t < 1 || t > 5 ||
		    (r[i].type >= 1 && r[i].type <= 5 && t != r[i].type))
			abort();
	}
#undef PTR
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_probe(data, size);
	check_info(data, size);
	return 0;
}
