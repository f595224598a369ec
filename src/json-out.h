/* SPDX-License-Identifier: GPL-2.0-only */
/* A small streaming JSON writer: one compact object per call sequence,
 * strings escaped (RFC 8259), so --json output is always valid JSON.
 * Members are written with a key inside an object and with key NULL inside
 * an array (or for the top-level value).  Schemas: docs/json.md. */
#ifndef MPKEXEC_JSON_OUT_H
#define MPKEXEC_JSON_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json_out {
	FILE *f;
	unsigned depth;
	bool first[JSON_MAX_DEPTH];  /* no member written yet at this depth */
};

void json_init(struct json_out *j, FILE *f);
void json_object_begin(struct json_out *j, const char *key);
void json_object_end(struct json_out *j);
void json_array_begin(struct json_out *j, const char *key);
void json_array_end(struct json_out *j);
/* NULL writes null.  Bytes that are not UTF-8 are written as \u0080-\u00ff. */
void json_string(struct json_out *j, const char *key, const char *s);
void json_string_n(struct json_out *j, const char *key, const char *s, size_t n);
void json_u64(struct json_out *j, const char *key, uint64_t v);
/* "0x..." (lowercase hex): addresses and digests, exact beyond 2^53. */
void json_hex(struct json_out *j, const char *key, uint64_t v);
void json_bool(struct json_out *j, const char *key, bool v);
void json_null(struct json_out *j, const char *key);
/* Not finite: null. */
void json_double(struct json_out *j, const char *key, double v);
/* Ends the top-level value with a newline. */
void json_finish(struct json_out *j);

#endif
