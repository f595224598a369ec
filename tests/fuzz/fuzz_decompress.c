/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: compressed images (src/decompress.c, gzip in
 * src/file.c): the format from the magic bytes, then the inflater.
 *
 * Invariants that abort(): the format detected matches the magic; a
 * success never gives more than the limit, and gives the same bytes a
 * second time (no hidden state); a failure leaves no output and an
 * error message naming the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decompress.h"

#define LIMIT (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum compression c = compression_of(data, size);
	struct mpk_error err = { 0 };
	struct blob a = { .fd = -1 }, b = { .fd = -1 };
	int ra, rb;

	if (c == COMPRESSION_NONE)
		return 0;
	if ((c == COMPRESSION_GZIP && data[0] != 0x1f) ||
	    (c == COMPRESSION_XZ && data[0] != 0xfd) ||
	    (c == COMPRESSION_ZSTD && data[0] != 0x28))
		abort();
	ra = decompress(c, data, size, "fuzz", "image", LIMIT, &a, &err);
	if (ra < 0 && (a.data || !strstr(err.msg, "image 'fuzz': ")))
		abort();
	rb = decompress(c, data, size, "fuzz", "image", LIMIT, &b, &err);
	if (ra != rb)
		abort();
	if (ra == 0) {
		if (a.size > LIMIT || a.size != b.size || !a.inflated ||
		    (a.size && memcmp(a.data, b.data, a.size)))
			abort();
	}
	free(a.data);
	free(b.data);
	return 0;
}
