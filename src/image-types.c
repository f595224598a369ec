/* SPDX-License-Identifier: GPL-2.0-only */
#include "image-types.h"

#include <stdio.h>
#include <string.h>

const struct image_type *image_type_find(const struct image_type *table, size_t n,
					 const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
		for (const char *const *a = table[i].aliases; a && *a; a++)
			if (strcmp(*a, name) == 0)
				return &table[i];
	}
	return NULL;
}

/* "bzImage (kexec-tools: bzImage64, bzImage), fake" */
static void known_names(const struct image_type *table, size_t n, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && at < len; i++) {
		at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", table[i].name);
		for (const char *const *a = table[i].aliases; a && *a && at < len; a++)
			at += (size_t)snprintf(buf + at, len - at, "%s%s",
					       a == table[i].aliases ? " (kexec-tools: " : ", ", *a);
		if (table[i].aliases && table[i].aliases[0] && at < len)
			at += (size_t)snprintf(buf + at, len - at, ")");
	}
}

int image_type_check_name(const struct image_type *table, size_t n, const char *name,
			  struct mpk_error *err)
{
	char known[300];

	if (image_type_find(table, n, name))
		return 0;
	known_names(table, n, known, sizeof(known));
	return mpk_fail(err, MPK_EXIT_USAGE, "--type=%s: unknown image type; the known "
			"types are %s", name, known);
}

/* A probe's message without its "kernel image 'PATH': " prefix (probes
 * name the file as every other input error does). */
static const char *reason(const char *msg, const char *path)
{
	static const char prefix[] = "kernel image '";
	size_t plen = sizeof(prefix) - 1, len = strlen(path);

	if (strncmp(msg, prefix, plen) == 0 && strncmp(msg + plen, path, len) == 0 &&
	    strncmp(msg + plen + len, "': ", 3) == 0)
		return msg + plen + len + 3;
	return msg;
}

const struct image_type *image_type_choose(const struct image_type *table, size_t n,
					   const char *forced,
					   const struct image_probe_input *in,
					   struct mpk_error *err)
{
	struct mpk_error last = { 0 }, one;
	char others[sizeof(err->msg)];
	size_t at = 0;

	if (forced) {
		const struct image_type *t = image_type_find(table, n, forced);

		if (!t) {
			image_type_check_name(table, n, forced, err);
			return NULL;
		}
		switch (t->probe(in, &one)) {
		case IMAGE_PROBE_OK:
			return t;
		case IMAGE_PROBE_REFUSED: /* it is one: its own message says why not */
			*err = one;
			return NULL;
		case IMAGE_PROBE_NOT_MINE:
			break;
		}
		mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': not a %s (-t %s): %s",
			 in->path, t->name, forced, reason(one.msg, in->path));
		return NULL;
	}
	others[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		switch (table[i].probe(in, &one)) {
		case IMAGE_PROBE_OK:
			return &table[i];
		case IMAGE_PROBE_REFUSED:
			*err = one;
			return NULL;
		case IMAGE_PROBE_NOT_MINE:
			break;
		}
		if (i + 1 == n) {
			last = one;
		} else if (at < sizeof(others)) {
			at += (size_t)snprintf(others + at, sizeof(others) - at, "%s%s: %s",
					       at ? "; " : "", table[i].name,
					       reason(one.msg, in->path));
		}
	}
	if (n == 0) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "no image types are built in");
		return NULL;
	}
	/* The fallback type's message first (it keeps today's wording), then
	 * what the others said, shortest first-come. */
	if (others[0])
		mpk_fail(err, last.exit_code ? last.exit_code : MPK_EXIT_BADINPUT,
			 "%s; not any other type either (%s)", last.msg, others);
	else
		*err = last;
	return NULL;
}
