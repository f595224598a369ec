/* SPDX-License-Identifier: GPL-2.0-only */
#include "digest.h"

#include <xxhash.h>

uint64_t digest_xxh3(const void *p, size_t len)
{
	return XXH3_64bits(p, len);
}
