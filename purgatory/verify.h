/* SPDX-License-Identifier: GPL-2.0-only */
/* Segment digest verification (XXH3-64, the same function the loader takes
 * from libxxhash).  Plain C with no CPU-mode assumptions, so the unit tests
 * compile this very file for the host. */
#ifndef PURGATORY_VERIFY_H
#define PURGATORY_VERIFY_H

#include <stdint.h>

#include "mpkexec/purgatory-params.h"

uint64_t verify_digest(const void *p, uint64_t len);

/* Returns the index of the first range whose bytes do not match its digest
 * (storing what was found in *found), or -1 when all match.  Ranges are
 * read through their physical addresses: purgatory runs identity-mapped. */
int verify_ranges(const struct mpk_digest_range *r, uint32_t n, uint64_t *found);

#endif
