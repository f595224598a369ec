/* SPDX-License-Identifier: GPL-2.0-only */
/* The multiboot (v1) image type (arch/x86_64/multiboot.c): the header
 * search and its refusals, GRUB's real i386-multiboot image
 * (fixtures/grub-i386-multiboot.elf, fixtures/README.md), the a.out kludge,
 * the information structure byte by byte, and multiboot_plan on the q35
 * guest (fixtures/q35-sysroot: INIT handoff) and the OVMF guest
 * (fixtures/ovmf-sysroot: park handoff, new ACPI tables). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "elf-build.h"
#include "error.h"
#include "image-types.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/purgatory-params.h"
#include "multiboot.h"
#include "options.h"
#include "plan.h"
#include "purgatory-link.h"
#include "sysview.h"

#define Q35  FIXTURES "/q35-sysroot"
#define OVMF FIXTURES "/ovmf-sysroot"
#define GRUB FIXTURES "/grub-i386-multiboot.elf"
#define PURG ((size_t)(purgatory_blob_end - purgatory_blob))

#define assert_msg_eq(e, s)                                                     \
	do {                                                                    \
		if (strcmp((e).msg, (s)) != 0)                                  \
			fail_msg("error message \"%s\", want \"%s\"", (e).msg, (s)); \
	} while (0)

static struct sysview q35, ovmf;

static int setup(void **state)
{
	struct mpk_error err = { 0 };

	(void)state;
	if (sysview_read(Q35, &q35, &err) < 0 || sysview_read(OVMF, &ovmf, &err) < 0) {
		fprintf(stderr, "sysview_read: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sysview_free(&q35);
	sysview_free(&ovmf);
	return 0;
}

static void put_header(uint8_t *p, uint32_t flags)
{
	put_le32(p, MB1_HEADER_MAGIC);
	put_le32(p + 4, flags);
	put_le32(p + 8, (uint32_t)-(MB1_HEADER_MAGIC + flags));
}

static enum image_probe_result probe(const uint8_t *d, size_t n, struct mpk_error *err)
{
	struct image_probe_input in = { .data = d, .size = n, .path = "/k" };

	return multiboot_probe(&in, err);
}

static struct load_request request(uint8_t *img, size_t size)
{
	return (struct load_request){
		.kernel_path = "/k", .kernel = { .data = img, .size = size },
		.cmdline = "console=ttyS0", .verify = true, .serial_port = 0x3f8,
		.ap_handoff = AP_HANDOFF_INIT,
	};
}

static void plan_fails(const struct sysview *s, const struct load_request *rq, int code,
		       const char *msg)
{
	struct load_plan plan;
	struct mpk_error err = { 0 };

	if (multiboot_plan(s, rq, purgatory_blob, PURG, &plan, &err) == 0) {
		load_plan_free(&plan);
		fail_msg("plan accepted, want \"%s\"", msg);
	}
	assert_int_equal(err.exit_code, code);
	assert_msg_eq(err, msg);
	assert_int_equal(plan.nseg, 0);
}

static const struct segment *seg(const struct load_plan *p, const char *what, unsigned k)
{
	for (unsigned i = 0; i < p->nseg; i++)
		if (strcmp(p->seg[i].what, what) == 0 && k-- == 0)
			return &p->seg[i];
	fail_msg("no %s segment", what);
	return NULL;
}

/* --- the header ----------------------------------------------------------- */

static void test_header_search(void **state)
{
	struct mpk_error err = { 0 };
	struct mb1_header h;
	uint8_t img[12288];

	(void)state;
	memset(img, 0, sizeof(img));
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_NOT_MINE);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_msg_eq(err, "kernel image '/k': no multiboot header in the first 8 KiB");
	/* past the first 8 KiB, or not wholly inside them: not found */
	put_header(img + 8192, 0x3);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_NOT_MINE);
	put_header(img + 8184, 0x3);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_NOT_MINE);
	memset(img + 8184, 0, 24);
	/* not 4-byte aligned: not found */
	put_header(img + 0x42, 0x3);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_NOT_MINE);
	memset(img + 0x42, 0, 12);
	/* the last aligned place inside: found */
	put_header(img + 8180, 0x3);
	assert_int_equal(mb1_header_find(img, sizeof(img), "/k", &h, &err), 0);
	assert_int_equal(h.offset, 8180);
	assert_int_equal(h.flags, 0x3);
	memset(img + 8180, 0, 12);
	/* a checksum that does not hold */
	put_le32(img + 0x40, MB1_HEADER_MAGIC);
	put_le32(img + 0x44, 0x3);
	put_le32(img + 0x48, 0x12345678);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image '/k': multiboot header at offset 0x40: checksum "
		      "0x12345678 found, 0xe4524ffb computed (magic + flags 0x3 + checksum "
		      "must be 0); the header is damaged");
	/* ... unless a valid one follows */
	put_header(img + 0x80, 0x10000);
	assert_int_equal(mb1_header_find(img, 0xa0, "/k", &h, &err), 0);
	assert_int_equal(h.offset, 0x80);
	/* bit 16 with the address fields cut off */
	assert_int_equal(mb1_header_find(img, 0x90, "/k", &h, &err), -2);
	assert_msg_eq(err, "kernel image '/k': multiboot header at offset 0x80 sets flag bit 16 "
		      "(a.out kludge), but the file ends before its address fields");
}

static void test_header_flags(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t img[4096];

	(void)state;
	memset(img, 0, sizeof(img));
	put_header(img, 0x4);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image '/k': multiboot header flags 0x4 require bit 2 (video "
		      "mode information), which mpkexec does not provide");
	put_header(img, 0x23);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image '/k': multiboot header flags 0x23 require bit 5, which "
		      "the multiboot specification (0.6.96) does not define; mpkexec cannot "
		      "honour it");
	put_header(img, 0x8003);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_non_null(strstr(err.msg, "require bit 15,"));
	/* bits 0 and 1, and unknown optional bits (17-31): fine, but then an
	 * image that is not ELF and has no a.out kludge has no addresses */
	put_header(img, 0x80000003);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image '/k': multiboot header at offset 0 without flag bit 16 "
		      "(a.out kludge) in an image that is not ELF: where its bytes go is "
		      "unknown");
}

/* GRUB's i386-multiboot image: an ELF32 with a multiboot header (flags
 * 0x2: memory information), loaded at 0x9000 and 0x100000. */
static void test_grub_image(void **state)
{
	struct mpk_error err = { 0 };
	struct mb1_image m;
	size_t n;
	uint8_t *img = file_slurp(GRUB, &n);
	struct image_probe_input in = { .data = img, .size = n, .path = "/k" };

	(void)state;
	assert_int_equal(mb1_image_parse(img, n, "/k", &m, &err), IMAGE_PROBE_OK);
	assert_int_equal(m.h.offset, 0x158);
	assert_int_equal(m.h.flags, 0x2);
	assert_false(m.h.aout);
	assert_int_equal(m.elfclass, 32);
	assert_int_equal(m.npiece, 2);
	assert_int_equal(m.piece[0].paddr, 0x9000);
	assert_ptr_equal(m.piece[0].bytes, img + 0x140);
	assert_int_equal(m.piece[1].paddr, 0x100000);
	assert_int_equal(m.entry, 0x9000);
	assert_string_equal(image_type_choose(image_types, image_types_count, NULL, &in,
					      &err)->name, "multiboot");
	assert_string_equal(image_type_choose(image_types, image_types_count, "multiboot-x86",
					      &in, &err)->name, "multiboot");
	free(img);
}

/* --- the a.out kludge ------------------------------------------------------- */

/* A raw image: header at 0x100 saying the file loads at 0x200000. */
static uint8_t *aout_image(size_t size, uint32_t header_addr, uint32_t load_end,
			   uint32_t bss_end, uint32_t entry)
{
	uint8_t *img = malloc(size);

	for (size_t i = 0; i < size; i++)
		img[i] = (uint8_t)(i * 7 + 1);
	put_header(img + 0x100, MB1_FLAG_AOUT_KLUDGE | 0x3);
	put_le32(img + 0x10c, header_addr);
	put_le32(img + 0x110, 0x200000);
	put_le32(img + 0x114, load_end);
	put_le32(img + 0x118, bss_end);
	put_le32(img + 0x11c, entry);
	return img;
}

static void test_aout_kludge(void **state)
{
	struct mpk_error err = { 0 };
	struct mb1_image m;
	struct load_plan plan;
	uint8_t *img = aout_image(0x3000, 0x200100, 0x202000, 0x205000, 0x200200);
	struct load_request rq = request(img, 0x3000);
	const struct segment *k;

	(void)state;
	assert_int_equal(mb1_image_parse(img, 0x3000, "/k", &m, &err), IMAGE_PROBE_OK);
	assert_true(m.h.aout);
	assert_int_equal(m.npiece, 1);
	assert_int_equal(m.piece[0].paddr, 0x200000);
	assert_ptr_equal(m.piece[0].bytes, img);
	assert_int_equal(m.piece[0].filesz, 0x2000);
	assert_int_equal(m.piece[0].memsz, 0x5000);
	assert_int_equal(m.entry, 0x200200);
	assert_int_equal(multiboot_plan(&q35, &rq, purgatory_blob, PURG, &plan, &err), 0);
	k = seg(&plan, "kernel", 0);
	assert_int_equal(k->mem, 0x200000);
	assert_ptr_equal(k->buf, img);
	assert_int_equal(k->bufsz, 0x2000);
	assert_int_equal(k->memsz, 0x5000);
	assert_int_equal(plan.params.entry_mode, MPK_ENTRY_32);
	assert_int_equal(plan.params.entry, 0x200200);
	assert_int_equal(plan.params.entry_eax, 0x2badb002);
	assert_int_equal(plan.params.entry_ebx, seg(&plan, "multiboot info", 0)->mem);
	assert_string_equal(plan.image_desc, "multiboot (v1) kernel, header at 0x100, flags "
			    "0x10003, a.out kludge: load 0x200000-0x202000, bss to 0x205000; "
			    "entry 0x200200: 32-bit protected mode, EAX = 0x2BADB002, EBX = "
			    "multiboot information");
	load_plan_free(&plan);
	free(img);

	/* load_end_addr 0: the rest of the file; bss_end_addr 0: none */
	img = aout_image(0x3000, 0x200100, 0, 0, 0x200200);
	assert_int_equal(mb1_image_parse(img, 0x3000, "/k", &m, &err), IMAGE_PROBE_OK);
	assert_int_equal(m.piece[0].filesz, 0x3000);
	assert_int_equal(m.piece[0].memsz, 0x3000);
	free(img);

	/* the refusals */
	img = aout_image(0x3000, 0x1fff00, 0x202000, 0x205000, 0x200200);
	assert_int_equal(probe(img, 0x3000, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image '/k': multiboot a.out kludge: header_addr 0x1fff00 and "
		      "load_addr 0x200000 put the load start after the header, not before, in "
		      "the file (header at offset 0x100)");
	free(img);
	img = aout_image(0x3000, 0x200200, 0x202000, 0x205000, 0x200200);
	assert_int_equal(probe(img, 0x3000, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image '/k': multiboot a.out kludge: header_addr 0x200200 and "
		      "load_addr 0x200000 put the load start before the beginning of the file "
		      "(header at offset 0x100)");
	free(img);
	img = aout_image(0x3000, 0x200100, 0x204000, 0x205000, 0x200200);
	assert_int_equal(probe(img, 0x3000, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image '/k': multiboot a.out kludge: load_addr 0x200000-"
		      "load_end_addr 0x204000 is 0x4000 bytes from file offset 0, past the end "
		      "of the file (12288 bytes)");
	free(img);
	img = aout_image(0x3000, 0x200100, 0x202000, 0x201000, 0x200200);
	assert_int_equal(probe(img, 0x3000, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image '/k': multiboot a.out kludge: bss_end_addr 0x201000 is "
		      "below the end of the loaded bytes 0x202000");
	free(img);
	img = aout_image(0x3000, 0x200100, 0x202000, 0x205000, 0x205000);
	assert_int_equal(probe(img, 0x3000, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image '/k': multiboot a.out kludge: entry_addr 0x205000 lies "
		      "outside the kernel 0x200000-0x205000");
	free(img);
	img = aout_image(0x3000, 0x200100, 0x200000, 0x205000, 0x200200);
	assert_int_equal(probe(img, 0x3000, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image '/k': multiboot a.out kludge: load_end_addr 0x200000 is "
		      "not above load_addr 0x200000");
	free(img);
}

/* --- the information structure ---------------------------------------------- */

static void test_info_bytes(void **state)
{
	struct mem_range r[] = {
		{ 0, 0x9fc00, E820_RAM }, { 0x9fc00, 0xa0000, E820_RESERVED },
		{ 0x100000, 0x3f000000, E820_RAM }, { 0x3f000000, 0x3f045000, E820_NVS },
		{ 0x3f045000, 0x3f046000, E820_ACPI }, { 0x3f046000, 0x3ffdf000, E820_RAM },
		{ 0xfd00000000ull, 0x10000000000ull, 12 /* PRAM */ },
	};
	struct memmap map = { r, 7 };
	struct mb1_module_info mods[2] = {
		{ 0x1000000, 0x1000123, "/boot/a.gz arg=1" }, { 0x1001000, 0x1001005, "/b" },
	};
	struct mb1_info_input in = { .map = &map, .cmdline = "console=ttyS0", .mod = mods,
				     .nmod = 2 };
	const uint32_t base = 0x7000000;
	uint8_t want[400], *got;
	size_t n = mb1_info_size(&in);
	uint8_t *e;

	(void)state;
	/* 116 info + 4 pad, 2 x 16 modules, 7 x 24 mmap, "console=ttyS0\0",
	 * "mpkexec\0", "/boot/a.gz arg=1\0", "/b\0" */
	assert_int_equal(n, 120 + 32 + 168 + 14 + 8 + 17 + 3);
	memset(want, 0, sizeof(want));
	put_le32(want + 0, 0x24d);                 /* mem, cmdline, mods, mmap, loader */
	put_le32(want + 4, 639);                   /* KiB from 0 */
	put_le32(want + 8, (0x3f000000 - 0x100000) / 1024); /* KiB from 1 MiB to the hole */
	put_le32(want + 16, base + 320);           /* cmdline */
	put_le32(want + 20, 2);
	put_le32(want + 24, base + 120);           /* mods */
	put_le32(want + 44, 168);                  /* mmap_length */
	put_le32(want + 48, base + 152);           /* mmap_addr */
	put_le32(want + 64, base + 334);           /* boot_loader_name */
	put_le32(want + 120, 0x1000000);
	put_le32(want + 124, 0x1000123);
	put_le32(want + 128, base + 342);
	put_le32(want + 136, 0x1001000);
	put_le32(want + 140, 0x1001005);
	put_le32(want + 144, base + 359);
	for (unsigned i = 0; i < 7; i++) {
		e = want + 152 + 24 * i;
		put_le32(e, 20);
		put_le64(e + 4, r[i].start);
		put_le64(e + 12, r[i].end - r[i].start);
		/* 1 RAM, 2 reserved, 3 ACPI, 4 NVS; unknown types reserved */
		put_le32(e + 20, i == 6 ? 2 : r[i].type);
	}
	memcpy(want + 320, "console=ttyS0", 14);
	memcpy(want + 334, "mpkexec", 8);
	memcpy(want + 342, "/boot/a.gz arg=1", 17);
	memcpy(want + 359, "/b", 3);
	got = malloc(n);
	memset(got, 0xee, n);
	mb1_info_write(got, base, &in);
	assert_memory_equal(got, want, n);
	/* the NVS entry (a park region) is type 4, the ACPI one type 3 */
	assert_int_equal(get_le32(got + 152 + 24 * 3 + 20), 4);
	assert_int_equal(get_le32(got + 152 + 24 * 4 + 20), 3);
	free(got);
}

/* --- plans ---------------------------------------------------------------------- */

static void test_plan_grub_modules(void **state)
{
	struct mpk_error err = { 0 };
	struct load_plan plan;
	size_t n;
	uint8_t *img = file_slurp(GRUB, &n), m1[5000], m2[10];
	struct load_request rq = request(img, n);
	const struct segment *info, *k0, *k1, *md;
	const uint8_t *ib;

	(void)state;
	memset(m1, 0x11, sizeof(m1));
	memset(m2, 0x22, sizeof(m2));
	rq.module[0] = (struct load_module){ .path = "/boot/vmlinuz", .args =
		"/boot/vmlinuz console=ttyS0", .data = { .data = m1, .size = sizeof(m1) } };
	rq.module[1] = (struct load_module){ .path = "/i.cpio", .args = "/i.cpio",
		.data = { .data = m2, .size = sizeof(m2) } };
	rq.nmodule = 2;
	assert_int_equal(multiboot_plan(&q35, &rq, purgatory_blob, PURG, &plan, &err), 0);
	/* GRUB at 0x9000 (low RAM) and 0x100000 */
	k0 = seg(&plan, "kernel", 0);
	k1 = seg(&plan, "kernel", 1);
	assert_int_equal(k0->mem, 0x9000);
	assert_ptr_equal(k0->buf, img + 0x140);
	assert_int_equal(k1->mem, 0x100000);
	info = seg(&plan, "multiboot info", 0);
	ib = info->buf;
	assert_true(info->mem + info->memsz <= 1ull << 32);
	assert_int_equal(get_le32(ib + MB1_INFO_FLAGS), 0x24d);
	assert_int_equal(get_le32(ib + MB1_INFO_MEM_LOWER), 0x9fc00 / 1024);
	assert_int_equal(get_le32(ib + MB1_INFO_MEM_UPPER), (0x3ffdf000 - 0x100000) / 1024);
	assert_string_equal((const char *)ib + (get_le32(ib + MB1_INFO_CMDLINE) - info->mem),
			    "console=ttyS0");
	assert_string_equal((const char *)ib + (get_le32(ib + MB1_INFO_LOADER_NAME) -
						info->mem), "mpkexec");
	assert_int_equal(get_le32(ib + MB1_INFO_MODS_COUNT), 2);
	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *e = ib + (get_le32(ib + MB1_INFO_MODS_ADDR) - info->mem) + 16 * i;

		md = seg(&plan, "module", i);
		assert_int_equal(md->mem % 4096, 0);
		assert_true(md->mem >= 1 << 20 && md->mem + md->memsz <= 1ull << 32);
		assert_ptr_equal(md->buf, rq.module[i].data.data);
		assert_int_equal(md->bufsz, rq.module[i].data.size);
		assert_int_equal(get_le32(e), md->mem);
		assert_int_equal(get_le32(e + 4), md->mem + rq.module[i].data.size);
		assert_string_equal((const char *)ib + (get_le32(e + 8) - info->mem),
				    rq.module[i].args);
	}
	/* the memory map handed over, entry for entry */
	assert_int_equal(get_le32(ib + MB1_INFO_MMAP_LENGTH), plan.handed_map.n * 24);
	for (size_t i = 0; i < plan.handed_map.n; i++) {
		const uint8_t *e = ib + (get_le32(ib + MB1_INFO_MMAP_ADDR) - info->mem) + 24 * i;

		assert_int_equal(get_le32(e), 20);
		assert_int_equal(get_le64(e + 4), plan.handed_map.r[i].start);
		assert_int_equal(get_le64(e + 12), plan.handed_map.r[i].end -
				 plan.handed_map.r[i].start);
	}
	assert_int_equal(plan.params.entry_mode, MPK_ENTRY_32);
	assert_int_equal(plan.params.entry, 0x9000);
	assert_int_equal(plan.params.entry_eax, MB1_BOOTLOADER_MAGIC);
	assert_int_equal(plan.params.entry_ebx, info->mem);
	assert_non_null(strstr(plan.image_desc, "multiboot (v1) kernel, header at 0x158, flags "
			       "0x2, ELF32 with 2 PT_LOADs at 0x9000-0x10"));
	assert_non_null(strstr(plan.image_desc, "; entry 0x9000: 32-bit protected mode, EAX = "
			       "0x2BADB002, EBX = multiboot information"));
	load_plan_free(&plan);
	free(img);
}

/* Park handoff: the park region is ACPI NVS and the new tables ACPI in
 * the multiboot memory map. */
static void test_plan_park_mmap(void **state)
{
	struct mpk_error err = { 0 };
	struct load_plan plan;
	size_t n;
	uint8_t *img = file_slurp(GRUB, &n);
	struct load_request rq = request(img, n);
	const struct segment *info, *park, *acpi;
	const uint8_t *ib, *mm;
	bool saw_park = false, saw_acpi = false;

	(void)state;
	rq.ap_handoff = AP_HANDOFF_PARK;
	assert_int_equal(multiboot_plan(&ovmf, &rq, purgatory_blob, PURG, &plan, &err), 0);
	info = seg(&plan, "multiboot info", 0);
	park = seg(&plan, "park region", 0);
	acpi = seg(&plan, "ACPI tables", 0);
	ib = info->buf;
	mm = ib + (get_le32(ib + MB1_INFO_MMAP_ADDR) - info->mem);
	for (uint32_t i = 0; i < get_le32(ib + MB1_INFO_MMAP_LENGTH) / 24; i++) {
		uint64_t a = get_le64(mm + 24 * i + 4), l = get_le64(mm + 24 * i + 12);
		uint32_t t = get_le32(mm + 24 * i + 20);

		if (a <= park->mem && park->mem + park->memsz <= a + l) {
			assert_int_equal(t, 4);
			saw_park = true;
		}
		if (a <= acpi->mem && acpi->mem + acpi->memsz <= a + l) {
			assert_int_equal(t, 3);
			saw_acpi = true;
		}
	}
	assert_true(saw_park && saw_acpi);
	assert_int_equal(plan.params.entry_mode, MPK_ENTRY_32);
	assert_string_equal(plan.efi_desc, "a multiboot (v1) kernel is handed no EFI data");
	load_plan_free(&plan);
	free(img);
}

static void test_plan_refusals(void **state)
{
	struct sysview *s2 = malloc(sizeof(*s2));
	uint8_t *img = aout_image(0x3000, 0x200100, 0x202000, 0x205000, 0x200200), one = 0;
	struct load_request rq = request(img, 0x3000);
	struct tload l[9];
	size_t n;
	uint8_t *elf;

	(void)state;
	rq.initrd_path = "/i.cpio";
	plan_fails(&q35, &rq, MPK_EXIT_USAGE, "--initrd with multiboot image '/k': a multiboot "
		   "kernel takes modules; use --module=\"/i.cpio ARGS\"");
	rq.initrd_path = NULL;
	rq.args_style = ARGS_LINUX;
	plan_fails(&q35, &rq, MPK_EXIT_USAGE, "--args-linux/--args-none with multiboot image "
		   "'/k': they are for ELF images; a multiboot kernel is entered with EAX = "
		   "0x2BADB002 and EBX = its information");
	rq.args_style = ARGS_DEFAULT;
	/* the kernel over a "Crash kernel" range, the --park-addr region */
	*s2 = q35;
	s2->crash.nregion = 1;
	s2->crash.region[0] = (struct mem_range){ 0x204000, 0x300000, 0 };
	plan_fails(s2, &rq, MPK_EXIT_NOSPACE, "a.out kludge load range at 0x200000 '/k': "
		   "0x200000-0x205000 overlaps the \"Crash kernel\" range 0x204000-0x300000 "
		   "(crashkernel=; a loaded capture kernel lives there); the multiboot image "
		   "must be loaded exactly there");
	rq.park_addr = 0x1c0000;
	plan_fails(&q35, &rq, MPK_EXIT_NOSPACE, "a.out kludge load range at 0x200000 '/k': "
		   "0x200000-0x205000 overlaps the park region --park-addr=0x1c0000 asks for "
		   "(0x45000 bytes); the multiboot image must be loaded exactly there");
	rq.park_addr = 0;
	/* a module that fits nowhere below 4 GiB (its bytes are never read) */
	rq.module[0] = (struct load_module){ .path = "/m", .args = "/m x",
		.data = { .data = &one, .size = 3ull << 30 } };
	rq.nmodule = 1;
	plan_fails(&q35, &rq, MPK_EXIT_NOSPACE, "module '/m': no free System RAM below 4 GiB "
		   "for its 3221225472 bytes (multiboot module addresses are 32-bit)");
	/* too many segments: 9 PT_LOADs + 8 modules + info + purgatory */
	for (unsigned i = 0; i < 9; i++)
		l[i] = (struct tload){ 0x300000 + 0x2000 * i, 0x300000 + 0x2000 * i, 8, 8 };
	elf = elf_build(32, EM_386, ET_EXEC, 0x300000, l, 9, &n);
	put_header(elf + 0x800, 0x3);
	rq.kernel = (struct blob){ .data = elf, .size = n };
	for (unsigned i = 0; i < 8; i++)
		rq.module[i] = (struct load_module){ .path = "/m", .args = "/m",
			.data = { .data = &one, .size = 1 } };
	rq.nmodule = 8;
	plan_fails(&q35, &rq, MPK_EXIT_BADINPUT, "19 segments: kexec_load takes at most 16 "
		   "(payload, modules, information structure, purgatory and the AP handoff's "
		   "own); give fewer modules or an image with fewer PT_LOAD headers");
	free(elf);
	free(s2);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_search),
		cmocka_unit_test(test_header_flags),
		cmocka_unit_test(test_grub_image),
		cmocka_unit_test(test_aout_kludge),
		cmocka_unit_test(test_info_bytes),
		cmocka_unit_test(test_plan_grub_modules),
		cmocka_unit_test(test_plan_park_mmap),
		cmocka_unit_test(test_plan_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
