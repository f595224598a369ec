/* SPDX-License-Identifier: GPL-2.0-only */
/* Image types: one table (src/image-types.c, arch/x86_64/image-types.c).
 * A table with a fake second type shows the probe order, -t's selection by
 * our name and by kexec-tools', and the messages of a refused -t and of an
 * image no type accepts.  The bzImage entry runs the real probe on the 6.1
 * header fixture (tests/unit/fixtures/vmlinuz-6.1.head). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "bzimage.h"
#include "error.h"
#include "image-types.h"
#include "mpkexec/bootparam.h"

#define HEAD_PATH FIXTURES "/vmlinuz-6.1.head"
#define V61_IMAGE_SIZE (0x5000u + 0x7d820u * 16) /* setup + syssize * 16 */

#define assert_msg_eq(e, s)                                                     \
	do {                                                                    \
		if (strcmp((e).msg, (s)) != 0)                                  \
			fail_msg("error message \"%s\", want \"%s\"", (e).msg, (s)); \
	} while (0)

/* A fake type: images that start with "FAKE". */
static enum image_probe_result fake_probe(const struct image_probe_input *in,
					  struct mpk_error *err)
{
	if (in->size >= 4 && memcmp(in->data, "FAKE", 4) == 0)
		return IMAGE_PROBE_OK;
	mpk_fail(err, MPK_EXIT_BADINPUT, "kernel image '%s': no \"FAKE\" magic", in->path);
	return IMAGE_PROBE_NOT_MINE;
}

/* A type that takes anything: shows that the first entry in order wins. */
static enum image_probe_result any_probe(const struct image_probe_input *in,
					 struct mpk_error *err)
{
	(void)in;
	(void)err;
	return IMAGE_PROBE_OK;
}

static const char *const fake_aliases[] = { "fake-x86", NULL };
static const char *const bz_aliases[] = { "bzImage64", NULL };

/* The fake type first, as the types to come (multiboot2, ELF, multiboot)
 * probe before bzImage. */
static const struct image_type fake_table[] = {
	{ "fake", fake_aliases, fake_probe, NULL, false },
	{ "bzImage", bz_aliases, bzimage_probe, NULL, false },
};
static const struct image_type any_first[] = {
	{ "any", NULL, any_probe, NULL, false },
	{ "bzImage", bz_aliases, bzimage_probe, NULL, false },
};
static const struct image_type bz_first[] = {
	{ "bzImage", bz_aliases, bzimage_probe, NULL, false },
	{ "any", NULL, any_probe, NULL, false },
};
#define N(t) (sizeof(t) / sizeof((t)[0]))

/* The whole 6.1 image as its header announces it (setup + syssize * 16),
 * zeros after the 16 KiB header fixture. */
static uint8_t *v61_image(void)
{
	uint8_t *img = calloc(1, V61_IMAGE_SIZE);
	FILE *f = fopen(HEAD_PATH, "rb");

	assert_non_null(img);
	assert_non_null(f);
	assert_int_equal(fread(img, 1, 16384, f), 16384);
	fclose(f);
	return img;
}

static struct image_probe_input input(const void *data, size_t size)
{
	return (struct image_probe_input){ .data = data, .size = size, .path = "/k" };
}

static void test_probe_order(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t *img = v61_image();
	struct image_probe_input bz = input(img, V61_IMAGE_SIZE), fake = input("FAKEtail", 8);

	(void)state;
	/* each image to the type whose probe accepts it */
	assert_ptr_equal(image_type_choose(fake_table, 2, NULL, &fake, &err), &fake_table[0]);
	assert_ptr_equal(image_type_choose(fake_table, 2, NULL, &bz, &err), &fake_table[1]);
	/* when two accept, the earlier entry wins */
	assert_ptr_equal(image_type_choose(any_first, 2, NULL, &bz, &err), &any_first[0]);
	assert_ptr_equal(image_type_choose(bz_first, 2, NULL, &bz, &err), &bz_first[0]);
	free(img);
}

static void test_forced_type(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t *img = v61_image();
	struct image_probe_input bz = input(img, V61_IMAGE_SIZE), fake = input("FAKEtail", 8);

	(void)state;
	/* -t picks the entry, by our name or an alias, even where an earlier
	 * entry would accept the image */
	assert_ptr_equal(image_type_choose(any_first, 2, "bzImage", &bz, &err), &any_first[1]);
	assert_ptr_equal(image_type_choose(any_first, 2, "bzImage64", &bz, &err), &any_first[1]);
	assert_ptr_equal(image_type_choose(fake_table, 2, "fake-x86", &fake, &err),
			 &fake_table[0]);
	/* a forced type whose probe refuses the image: named */
	assert_null(image_type_choose(fake_table, 2, "bzImage", &fake, &err));
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_msg_eq(err, "kernel image '/k': not a bzImage (-t bzImage): truncated: 8 bytes, "
		      "too short for a bzImage setup header (needs at least 612)");
	assert_null(image_type_choose(fake_table, 2, "fake", &bz, &err));
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_msg_eq(err, "kernel image '/k': not a fake (-t fake): no \"FAKE\" magic");
	assert_null(image_type_choose(fake_table, 2, "bzImage64", &fake, &err));
	assert_msg_eq(err, "kernel image '/k': not a bzImage (-t bzImage64): truncated: 8 "
		      "bytes, too short for a bzImage setup header (needs at least 612)");
	/* unknown: a usage error listing the known names */
	assert_null(image_type_choose(fake_table, 2, "elf", &bz, &err));
	assert_int_equal(err.exit_code, MPK_EXIT_USAGE);
	assert_msg_eq(err, "--type=elf: unknown image type; the known types are fake "
		      "(kexec-tools: fake-x86), bzImage (kexec-tools: bzImage64)");
	free(img);
}

static void test_none_accepts(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t junk[4096];
	struct image_probe_input in = input(junk, sizeof(junk));

	(void)state;
	memset(junk, 0x5a, sizeof(junk));
	/* alone, bzImage's message as before the table */
	assert_null(image_type_choose(fake_table + 1, 1, NULL, &in, &err));
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_msg_eq(err, "kernel image '/k': not a bzImage: no \"HdrS\" signature at offset "
		      "0x202 (boot_flag 0x5a5a)");
	/* with more types: the fallback's message first (its substrings kept),
	 * then what each other probe said */
	assert_null(image_type_choose(fake_table, 2, NULL, &in, &err));
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_msg_eq(err, "kernel image '/k': not a bzImage: no \"HdrS\" signature at offset "
		      "0x202 (boot_flag 0x5a5a); not any other type either (fake: no \"FAKE\" "
		      "magic)");
}

/* An image with "HdrS" is a bzImage: its refusal is final, not a reason to
 * try the next type, and keeps its own wording (also under -t). */
static void test_refused_is_final(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t *img = v61_image();
	struct image_probe_input in = input(img, V61_IMAGE_SIZE - 4096);

	(void)state;
	assert_null(image_type_choose(bz_first, 2, NULL, &in, &err));
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_non_null(strstr(err.msg, "kernel image '/k': truncated: setup_sects=39"));
	assert_null(image_type_choose(bz_first, 2, "bzImage", &in, &err));
	assert_non_null(strstr(err.msg, "kernel image '/k': truncated: setup_sects=39"));
	/* the host check is the bzImage probe's too */
	in = input(img, V61_IMAGE_SIZE);
	in.arch.host_5level = true;
	put_le16(img + HDR_XLOADFLAGS, get_le16(img + HDR_XLOADFLAGS) & ~XLF_5LEVEL);
	assert_null(image_type_choose(bz_first, 2, NULL, &in, &err));
	assert_non_null(strstr(err.msg, "cannot be entered with 5-level paging"));
	free(img);
}

/* The x86_64 table: elf before multiboot before bzImage (bzImage last, the
 * fallback), each by our name and kexec-tools'. */
static void test_x86_table(void **state)
{
	struct mpk_error err = { 0 };
	const struct image_type *elf, *mb, *bz;

	(void)state;
	bz = image_type_find(image_types, image_types_count, "bzImage");
	elf = image_type_find(image_types, image_types_count, "elf");
	mb = image_type_find(image_types, image_types_count, "multiboot");
	assert_ptr_equal(bz, &image_types[image_types_count - 1]);
	assert_non_null(bz->plan);
	assert_true(elf && mb && elf < mb && mb < bz);
	/* multiboot2 first (kexec-tools' order) */
	assert_string_equal(image_types[0].name, "multiboot2");
	assert_ptr_equal(image_type_find(image_types, image_types_count, "multiboot2-x86"),
			 &image_types[0]);
	assert_ptr_equal(image_type_find(image_types, image_types_count, "bzImage64"), bz);
	assert_ptr_equal(image_type_find(image_types, image_types_count, "elf-x86_64"), elf);
	assert_ptr_equal(image_type_find(image_types, image_types_count, "elf-x86"), elf);
	assert_ptr_equal(image_type_find(image_types, image_types_count, "multiboot-x86"), mb);
	assert_null(image_type_find(image_types, image_types_count, "bzimage"));
	assert_int_equal(image_type_check_name(image_types, image_types_count,
					       "nbi-x86", &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "--type=nbi-x86: unknown image type; the known types "
			       "are "));
	assert_non_null(strstr(err.msg, "multiboot2 (kexec-tools: multiboot2-x86), elf "
			       "(kexec-tools: elf-x86_64, elf-x86), multiboot "
			       "(kexec-tools: multiboot-x86), bzImage (kexec-tools: bzImage64)"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_order),
		cmocka_unit_test(test_forced_type),
		cmocka_unit_test(test_none_accepts),
		cmocka_unit_test(test_refused_is_final),
		cmocka_unit_test(test_x86_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
