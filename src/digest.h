/* SPDX-License-Identifier: GPL-2.0-only */
/* Segment digests: XXH3-64 from libxxhash, a fast non-cryptographic hash
 * (integrity against stray writes between load and exec, not an attacker:
 * whoever can write kernel memory owns the machine anyway).  purgatory/
 * verify.c computes the same function from the same header. */
#ifndef MPKEXEC_DIGEST_H
#define MPKEXEC_DIGEST_H

#include <stddef.h>
#include <stdint.h>

uint64_t digest_xxh3(const void *p, size_t len);

#endif
