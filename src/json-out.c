/* SPDX-License-Identifier: GPL-2.0-only */
#include "json-out.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void json_init(struct json_out *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static void put_string(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t len = utf8_len(p + i, n - i);

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc((int)c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f || len == 0) {
			/* control characters, and bytes that are not UTF-8 */
			fprintf(f, "\\u%04x", c);
			len = 1;
		} else {
			fwrite(p + i, 1, len, f);
		}
		i += len ? len : 1;
	}
	fputc('"', f);
}

/* The separator and key before a value at the current depth. */
static void member(struct json_out *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		put_string(j->f, key, strlen(key));
		fputc(':', j->f);
	}
}

static void open_(struct json_out *j, const char *key, int c)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct json_out *j, int c)
{
	fputc(c, j->f);
	if (j->depth)
		j->depth--;
}

void json_object_begin(struct json_out *j, const char *key)
{
	open_(j, key, '{');
}

void json_object_end(struct json_out *j)
{
	close_(j, '}');
}

void json_array_begin(struct json_out *j, const char *key)
{
	open_(j, key, '[');
}

void json_array_end(struct json_out *j)
{
	close_(j, ']');
}

void json_string_n(struct json_out *j, const char *key, const char *s, size_t n)
{
	member(j, key);
	if (s)
		put_string(j->f, s, n);
	else
		fputs("null", j->f);
}

void json_string(struct json_out *j, const char *key, const char *s)
{
	json_string_n(j, key, s, s ? strlen(s) : 0);
}

void json_u64(struct json_out *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void json_hex(struct json_out *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "\"0x%" PRIx64 "\"", v);
}

void json_bool(struct json_out *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json_out *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void json_double(struct json_out *j, const char *key, double v)
{
	member(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.3f", v);
	else
		fputs("null", j->f);
}

void json_finish(struct json_out *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
