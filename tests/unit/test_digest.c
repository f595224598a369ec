/* SPDX-License-Identifier: GPL-2.0-only */
/* Segment digests: the loader's digest_xxh3 (src/digest.c, libxxhash) and
 * purgatory's verify_digest / verify_ranges (purgatory/verify.c, compiled
 * here for the host) must agree byte for byte, or every kexec would stop in
 * purgatory with a digest mismatch. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "mpkexec/purgatory-params.h"
#include "verify.h"

#define MiB (1024u * 1024u)

static uint64_t rng = 0x243f6a8885a308d3ull;

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		p[i] = (uint8_t)(rng >> 32);
	}
}

static void test_known_answer_empty(void **state)
{
	uint8_t b = 0;

	(void)state;
	/* XXH3_64bits(seed 0) of the empty input */
	assert_int_equal(digest_xxh3(NULL, 0), 0x2d06800538d394c2ull);
	assert_int_equal(digest_xxh3(&b, 0), 0x2d06800538d394c2ull);
	assert_int_equal(verify_digest(&b, 0), 0x2d06800538d394c2ull);
}

/* XXH3 has separate code paths for 0, 1-3, 4-8, 9-16, 17-128, 129-240 and
 * longer inputs (stripes, blocks): cover every boundary. */
static void test_loader_and_purgatory_agree(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 8, 9, 16, 17, 64, 128, 129, 200, 240,
					241, 1024, 1025, 4096, 65536 + 7, MiB };
	uint8_t *buf = malloc(MiB + 1);

	(void)state;
	assert_non_null(buf);
	fill_random(buf, MiB + 1);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t d = digest_xxh3(buf, sizes[i]);

		if (verify_digest(buf, sizes[i]) != d)
			fail_msg("size %zu: loader %#llx, purgatory %#llx", sizes[i],
				 (unsigned long long)d,
				 (unsigned long long)verify_digest(buf, sizes[i]));
		/* an unaligned start (segments are page aligned, buffers are not) */
		assert_int_equal(verify_digest(buf + 1, sizes[i]), digest_xxh3(buf + 1, sizes[i]));
	}
	free(buf);
}

/* The digest depends on every byte and on the length. */
static void test_digest_sensitive(void **state)
{
	uint8_t *buf = malloc(4096);
	uint64_t d0, d;

	(void)state;
	assert_non_null(buf);
	fill_random(buf, 4096);
	d0 = digest_xxh3(buf, 4096);
	for (size_t pos = 0; pos < 4096; pos += 509) {
		buf[pos] ^= 0x01;
		d = digest_xxh3(buf, 4096);
		assert_true(d != d0);
		assert_int_equal(verify_digest(buf, 4096), d);
		buf[pos] ^= 0x01;
	}
	assert_int_equal(digest_xxh3(buf, 4096), d0);
	assert_true(digest_xxh3(buf, 4095) != d0);
	/* zero pages of different lengths differ too */
	memset(buf, 0, 4096);
	assert_true(digest_xxh3(buf, 4096) != digest_xxh3(buf, 2048));
	free(buf);
}

struct four {
	uint8_t *buf[4];
	size_t len[4];
	struct mpk_digest_range r[4];
};

static void make_four(struct four *f)
{
	static const size_t lens[4] = { 0x7d8200, 241, 4096 + 2048 + 1, 0 };

	for (unsigned i = 0; i < 4; i++) {
		f->len[i] = lens[i];
		f->buf[i] = malloc(lens[i] ? lens[i] : 1);
		assert_non_null(f->buf[i]);
		fill_random(f->buf[i], lens[i]);
		f->r[i] = (struct mpk_digest_range){
			.addr = (uint64_t)(uintptr_t)f->buf[i], .len = lens[i],
			.xxh3 = digest_xxh3(f->buf[i], lens[i]),
		};
	}
}

static void free_four(struct four *f)
{
	for (unsigned i = 0; i < 4; i++)
		free(f->buf[i]);
}

static void test_verify_ranges_all_match(void **state)
{
	struct four f;
	uint64_t found = 0;

	(void)state;
	make_four(&f);
	assert_int_equal(verify_ranges(f.r, 4, &found), -1);
	assert_int_equal(verify_ranges(f.r, 0, &found), -1);
	assert_int_equal(verify_ranges(f.r + 3, 1, &found), -1); /* an empty range */
	free_four(&f);
}

static void test_verify_ranges_one_byte_changed(void **state)
{
	struct four f;
	uint64_t found = 0, want;

	(void)state;
	make_four(&f);
	/* the last byte of the third range */
	f.buf[2][f.len[2] - 1] ^= 0x80;
	want = digest_xxh3(f.buf[2], f.len[2]);
	assert_true(want != f.r[2].xxh3);
	assert_int_equal(verify_ranges(f.r, 4, &found), 2);
	assert_int_equal(found, want);
	/* the first byte of the (large) first range as well: it is reported
	 * first, with its own digest */
	f.buf[0][0] ^= 0x01;
	want = digest_xxh3(f.buf[0], f.len[0]);
	assert_int_equal(verify_ranges(f.r, 4, &found), 0);
	assert_int_equal(found, want);
	/* the ranges after a bad one are not looked at: only the count does */
	assert_int_equal(verify_ranges(f.r + 1, 1, &found), -1);
	assert_int_equal(verify_ranges(f.r + 1, 2, &found), 1);
	free_four(&f);
}

static void test_verify_ranges_wrong_length(void **state)
{
	struct four f;
	uint64_t found = 0;

	(void)state;
	make_four(&f);
	/* a digest over a buffer of the right bytes but the wrong length */
	f.r[1].len--;
	assert_int_equal(verify_ranges(f.r, 4, &found), 1);
	assert_int_equal(found, digest_xxh3(f.buf[1], f.len[1] - 1));
	free_four(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer_empty),
		cmocka_unit_test(test_loader_and_purgatory_agree),
		cmocka_unit_test(test_digest_sensitive),
		cmocka_unit_test(test_verify_ranges_all_match),
		cmocka_unit_test(test_verify_ranges_one_byte_changed),
		cmocka_unit_test(test_verify_ranges_wrong_length),
	};

	return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
