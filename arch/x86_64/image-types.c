/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86_64 image types, in probe order: one line each in the list below.
 * Adding a type is one new file defining PREFIX_probe and PREFIX_plan
 * (struct image_type's signatures) and one line here (plus its name in
 * Makefile.am's source list).  The order is kexec-tools': a multiboot2
 * header, then an ELF executable, then a multiboot header, then bzImage
 * last (the fallback: its message is the one shown when nothing accepts
 * the image).  The ELF probe declines an ELF with a multiboot header
 * (elf-exec-load.h), so such a kernel reaches multiboot. */
#include "image-types.h"

/* T(our name, function prefix, a Linux kernel (-s, -p), kexec-tools' names) */
#define X86_64_IMAGE_TYPES(T) \
	T("multiboot2", multiboot2, false, "multiboot2-x86") \
	T("elf", elf_image, false, "elf-x86_64", "elf-x86") \
	T("multiboot", multiboot, false, "multiboot-x86") \
	T("bzImage", bzimage, true, "bzImage64")

#define DECLARE(name, fn, is_linux, ...) \
	enum image_probe_result fn##_probe(const struct image_probe_input *in, \
					   struct mpk_error *err); \
	int fn##_plan(const struct sysview *sv, const struct load_request *rq, \
		      const uint8_t *purgatory_elf, size_t purgatory_len, \
		      struct load_plan *plan, struct mpk_error *err); \
	static const char *const fn##_aliases[] = { __VA_ARGS__, NULL };
X86_64_IMAGE_TYPES(DECLARE)

#define ENTRY(name, fn, is_linux, ...) \
	{ name, fn##_aliases, fn##_probe, fn##_plan, .linux_boot = is_linux },
const struct image_type image_types[] = {
	X86_64_IMAGE_TYPES(ENTRY)
};
const size_t image_types_count = sizeof(image_types) / sizeof(image_types[0]);
