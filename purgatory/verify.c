/* SPDX-License-Identifier: GPL-2.0-only */
#include "verify.h"

/* Header-only XXH3 from libxxhash-dev; the purgatory build pins
 * XXH_VECTOR=0 (scalar) so no SSE instruction is emitted. */
#define XXH_INLINE_ALL
#include <xxhash.h>

uint64_t verify_digest(const void *p, uint64_t len)
{
	return XXH3_64bits(p, (size_t)len);
}

int verify_ranges(const struct mpk_digest_range *r, uint32_t n, uint64_t *found)
{
	for (uint32_t i = 0; i < n; i++) {
		uint64_t d = verify_digest((const void *)(uintptr_t)r[i].addr, r[i].len);

		if (d != r[i].xxh3) {
			*found = d;
			return (int)i;
		}
	}
	return -1;
}
