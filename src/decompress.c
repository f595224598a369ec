/* SPDX-License-Identifier: GPL-2.0-only */
#include "decompress.h"

#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static const uint8_t gzip_magic[] = { 0x1f, 0x8b };
static const uint8_t xz_magic[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const uint8_t zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };

static bool starts_with(const uint8_t *d, size_t len, const uint8_t *m, size_t mlen)
{
	return len >= mlen && memcmp(d, m, mlen) == 0;
}

enum compression compression_of(const uint8_t *data, size_t len)
{
	if (starts_with(data, len, gzip_magic, sizeof(gzip_magic)))
		return COMPRESSION_GZIP;
	if (starts_with(data, len, xz_magic, sizeof(xz_magic)))
		return COMPRESSION_XZ;
	if (starts_with(data, len, zstd_magic, sizeof(zstd_magic)))
		return COMPRESSION_ZSTD;
	return COMPRESSION_NONE;
}

const char *compression_name(enum compression c)
{
	switch (c) {
	case COMPRESSION_GZIP:
		return "gzip";
	case COMPRESSION_XZ:
		return "xz";
	case COMPRESSION_ZSTD:
		return "zstd";
	case COMPRESSION_NONE:
		break;
	}
	return "uncompressed";
}

/* An output buffer that doubles up to max_size. */
struct outbuf {
	uint8_t *buf;
	size_t len, cap, max;
};

/* Room for more output: 0, or -1 when max is reached (1) or out of memory (2). */
static int outbuf_grow(struct outbuf *o, int *why)
{
	size_t ncap;
	uint8_t *n;

	if (o->len < o->cap)
		return 0;
	if (o->cap >= o->max) {
		*why = 1;
		return -1;
	}
	ncap = o->cap ? (o->cap < o->max / 2 ? o->cap * 2 : o->max) : (o->max < (1u << 20) ?
								      o->max : (1u << 20));
	n = realloc(o->buf, ncap);
	if (!n) {
		*why = 2;
		return -1;
	}
	o->buf = n;
	o->cap = ncap;
	return 0;
}

static int too_big_or_oom(int why, const char *path, const char *what, size_t max,
			  struct mpk_error *err)
{
	if (why == 1)
		return mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': inflates to more than %zu "
				"MiB; that cannot be loaded", what, path, max >> 20);
	return mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory", what, path);
}

static const char *lzma_why(lzma_ret r)
{
	switch (r) {
	case LZMA_FORMAT_ERROR:
		return "not in the xz format";
	case LZMA_OPTIONS_ERROR:
		return "uses options this liblzma does not support";
	case LZMA_DATA_ERROR:
		return "corrupt compressed data";
	case LZMA_BUF_ERROR:
		return "the data ends before the end of the stream";
	case LZMA_MEMLIMIT_ERROR:
		return "needs more memory to decode than the limit";
	default:
		return "invalid stream";
	}
}

static int inflate_xz(const uint8_t *in, size_t len, const char *path, const char *what,
		      struct outbuf *o, struct mpk_error *err)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r;
	int why = 0;

	/* CONCATENATED: several streams and stream padding, as xz(1) writes
	 * and accepts; the integrity check of each stream is verified. */
	if (lzma_stream_decoder(&s, 1ull << 30, LZMA_CONCATENATED) != LZMA_OK)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory", what, path);
	s.next_in = in;
	s.avail_in = len;
	for (;;) {
		if (outbuf_grow(o, &why) < 0) {
			lzma_end(&s);
			return too_big_or_oom(why, path, what, o->max, err);
		}
		s.next_out = o->buf + o->len;
		s.avail_out = o->cap - o->len;
		r = lzma_code(&s, s.avail_in ? LZMA_RUN : LZMA_FINISH);
		o->len = o->cap - s.avail_out;
		if (r == LZMA_STREAM_END)
			break;
		if (r == LZMA_OK)
			continue;
		lzma_end(&s);
		if (r == LZMA_BUF_ERROR && !s.avail_in)
			return mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': xz data is truncated: "
					"the file ends at byte %zu before the end of the xz "
					"stream; the file is cut short", what, path, len);
		if (r == LZMA_MEM_ERROR)
			return mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory", what,
					path);
		return mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': xz data is corrupt near "
				"byte %zu: %s", what, path, len - s.avail_in, lzma_why(r));
	}
	lzma_end(&s);
	return 0;
}

static int inflate_zstd(const uint8_t *in, size_t len, const char *path, const char *what,
			struct outbuf *o, struct mpk_error *err)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t r = 1;
	int why = 0, rc = 0;

	if (!ds)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory", what, path);
	/* Frames follow each other until the input ends; r == 0: the frame
	 * just ended (its checksum, if it has one, verified) and nothing is
	 * buffered inside the decoder. */
	while (ib.pos < ib.size || r != 0) {
		ZSTD_outBuffer ob;
		size_t in_before = ib.pos;

		if (outbuf_grow(o, &why) < 0) {
			rc = too_big_or_oom(why, path, what, o->max, err);
			break;
		}
		ob = (ZSTD_outBuffer){ o->buf + o->len, o->cap - o->len, 0 };
		r = ZSTD_decompressStream(ds, &ob, &ib);
		o->len += ob.pos;
		if (ZSTD_isError(r)) {
			rc = mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': zstd data is corrupt "
				      "near byte %zu: %s", what, path, ib.pos,
				      ZSTD_getErrorName(r));
			break;
		}
		/* All input taken, room left, nothing came out: the frame
		 * needs bytes the file does not have. */
		if (r != 0 && ib.pos == ib.size && ib.pos == in_before && ob.pos == 0) {
			rc = mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': zstd data is truncated: "
				      "the file ends at byte %zu inside a frame; the file is "
				      "cut short", what, path, len);
			break;
		}
	}
	ZSTD_freeDStream(ds);
	return rc;
}

int decompress(enum compression c, const uint8_t *in, size_t len, const char *path,
	       const char *what, size_t max_size, struct blob *out, struct mpk_error *err)
{
	struct outbuf o = { NULL, 0, 0, max_size ? max_size : 1 };
	int rc;

	if (c == COMPRESSION_GZIP)
		return gzip_inflate(in, len, path, what, max_size, out, err);
	/* as gzip_inflate: out's fd (the input file) is kept */
	out->data = NULL;
	out->size = 0;
	out->mapped = false;
	out->inflated = false;
	rc = c == COMPRESSION_XZ ? inflate_xz(in, len, path, what, &o, err) :
	     c == COMPRESSION_ZSTD ? inflate_zstd(in, len, path, what, &o, err) :
	     mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': not compressed", what, path);
	if (rc < 0) {
		free(o.buf);
		return -1;
	}
	out->data = o.buf;
	out->size = o.len;
	out->inflated = true;
	return 0;
}
