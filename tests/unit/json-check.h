/* SPDX-License-Identifier: GPL-2.0-only */
/* A strict RFC 8259 JSON checker for the tests and fuzz oracles: one value,
 * optional whitespace around it, strings in valid UTF-8, nothing else. */
#ifndef MPKEXEC_JSON_CHECK_H
#define MPKEXEC_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* true if s[0..n) is exactly one valid JSON text; else false with the
 * offset of the first error in *at (if at). */
bool json_check(const char *s, size_t n, size_t *at);

#endif
