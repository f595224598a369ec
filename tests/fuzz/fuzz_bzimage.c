/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: a kernel image as mpkexec reads it.  Input bytes that
 * start with the gzip magic go through gzip_inflate (as file_load does for
 * a kernel), then bzimage_parse and bzimage_check_host on the result.  Each
 * image is parsed twice: as it is, and with syssize patched to fit its size,
 * so mutations of the other header fields get past the size check.
 * Invariants that abort():
 *   - inflate: success gives at most MAX_OUT bytes; failure says why, naming
 *     the file, with exit code 65 (or 70 for out of memory);
 *   - parse success: setup at the image start; the protected-mode part at
 *     (setup_sects + 1) * 512 with setup_sects 1..255 (0 read as 4); it is
 *     syssize * 16 bytes (less than 16 fewer when the file ends there) and
 *     lies inside the input; the file is setup + kernel + signature,
 *     nothing else; the header fields the planner trusts are as promised
 *     (protocol >= 2.12, LOADED_HIGH, kernel_alignment a power of two >= 4 KiB, pref_address
 *     page aligned, init_size >= kernel_size, header_end inside the setup);
 *   - parse failure: exit code 65, message names the file;
 *   - the entry: 32-bit exactly without XLF_KERNEL_64 or relocation, or
 *     when forced; the 5-level check refuses exactly the 64-bit-entered
 *     images without XLF_5LEVEL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "bzimage.h"
#include "error.h"
#include "file.h"
#include "mpkexec/bootparam.h"

#define MAX_OUT (4u << 20)
#define NAME    "kernel image 'fuzz'"

static void check_err(const struct mpk_error *err, int code)
{
	if (err->exit_code != code || strncmp(err->msg, NAME, strlen(NAME)) != 0)
		abort();
}

static void check_image(const uint8_t *img, size_t size)
{
	struct mpk_error err = { 0 };
	struct bzimage bz;
	enum bzimage_entry entry;
	char why[120];
	size_t setup;

	if (bzimage_parse(img, size, "fuzz", &bz, &err) < 0) {
		check_err(&err, MPK_EXIT_BADINPUT);
		return;
	}
	setup = ((size_t)bz.setup_sects + 1) * 512;
	if (bz.setup != img || bz.setup_sects == 0 ||
	    bz.setup_sects != (img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4))
		abort();
	/* syssize * 16, or the file's rest when it ends inside the last
	 * 16-byte unit (issue 11: syssize rounded up, Memtest86+) */
	if (bz.kernel != img + setup || bz.kernel_size > (size_t)bz.syssize * 16 ||
	    (size_t)bz.syssize * 16 - bz.kernel_size >= 16 ||
	    (bz.kernel_size != (size_t)bz.syssize * 16 && bz.signature_size) ||
	    bz.syssize != get_le32(img + HDR_SYSSIZE) || bz.kernel_size == 0)
		abort();
	if (setup + bz.kernel_size + bz.signature_size != size)
		abort();
	if (bz.signature_size && bz.signature_size < 8)
		abort();
	if (bz.version < BOOT_PROTOCOL_MIN ||
	    !(bz.loadflags & LOADED_HIGH) || get_le16(img + HDR_BOOT_FLAG) != 0xaa55 ||
	    get_le32(img + HDR_HEADER) != HDR_MAGIC)
		abort();
	if (bz.kernel_alignment < 4096 || (bz.kernel_alignment & (bz.kernel_alignment - 1)) ||
	    (bz.pref_address & 0xfff) || bz.init_size < bz.kernel_size ||
	    bz.header_end < HDR_MIN_END || bz.header_end > setup)
		abort();
	if (bzimage_check_host(&bz, false, "fuzz", &err) != 0)
		abort();
	/* the 32-bit entry exactly without XLF_KERNEL_64 or relocation */
	entry = bzimage_entry(&bz, false, why, sizeof(why));
	if ((entry == BZIMAGE_ENTRY_32) != (!(bz.xloadflags & XLF_KERNEL_64) || !bz.relocatable) ||
	    bzimage_entry(&bz, true, why, sizeof(why)) != BZIMAGE_ENTRY_32)
		abort();
	/* la57 refuses exactly the 64-bit-entered images without XLF_5LEVEL */
	if ((bzimage_check_host(&bz, true, "fuzz", &err) == 0) !=
	    (entry == BZIMAGE_ENTRY_32 || !!(bz.xloadflags & XLF_5LEVEL)))
		abort();
}

/* The same bytes with syssize set to what the size allows. */
static void check_patched(const uint8_t *img, size_t size)
{
	size_t setup;
	uint8_t *copy;

	if (size < HDR_MIN_END)
		return;
	setup = ((size_t)(img[HDR_SETUP_SECTS] ? img[HDR_SETUP_SECTS] : 4) + 1) * 512;
	if (size <= setup)
		return;
	copy = malloc(size);
	if (!copy)
		return;
	memcpy(copy, img, size);
	put_le32(copy + HDR_SYSSIZE, (uint32_t)((size - setup) / 16));
	check_image(copy, setup + (size - setup) / 16 * 16);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mpk_error err = { 0 };
	struct blob b = { 0 };

	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if (gzip_inflate(data, size, "fuzz", "kernel image", MAX_OUT, &b, &err) < 0) {
			if (err.exit_code != MPK_EXIT_INTERNAL)
				check_err(&err, MPK_EXIT_BADINPUT);
			if (b.data)
				abort();
			return 0;
		}
		if (b.size > MAX_OUT || !b.inflated || (b.size && !b.data))
			abort();
		check_image(b.data, b.size);
		check_patched(b.data, b.size);
		free(b.data);
		return 0;
	}
	check_image(data, size);
	check_patched(data, size);
	return 0;
}
