/* SPDX-License-Identifier: GPL-2.0-only */
/* Compressed images: a kernel or payload file may be gzip (Debian's
 * /boot/xen-*.gz), xz or zstd (what Linux's build and distributions use for
 * images and modules); it is inflated before the image types probe it.
 * The format is known from its magic bytes, never from the file name. */
#ifndef MPKEXEC_DECOMPRESS_H
#define MPKEXEC_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "file.h"

enum compression {
	COMPRESSION_NONE,
	COMPRESSION_GZIP,
	COMPRESSION_XZ,
	COMPRESSION_ZSTD,
};

enum compression compression_of(const uint8_t *data, size_t len);
const char *compression_name(enum compression c);

/* Inflates `in` (compressed with `c`, not NONE) into a malloc'd out->data,
 * at most max_size bytes.  A stream that ends early, is corrupt, or has
 * trailing bytes that are neither another stream nor zero padding is
 * refused with the format, the byte offset and what was wrong ("kernel
 * image 'PATH': xz data is truncated: ..."); `what` and `path` name the
 * input.  gzip: gzip_inflate (file.h). */
int decompress(enum compression c, const uint8_t *in, size_t len, const char *path,
	       const char *what, size_t max_size, struct blob *out, struct mpk_error *err);

#endif
