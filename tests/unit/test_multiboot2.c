/* SPDX-License-Identifier: GPL-2.0-only */
/* The multiboot2 image type (arch/x86_64/multiboot2.c): the probe and its
 * header tag parser on the real Xen 4.17 header (fixtures/xen-4.17.head,
 * described in xen-4.17.head.md) and on headers made here; the
 * information structure byte by byte; the plan on the q35 guest's system
 * view (fixtures/q35-sysroot: RAM 0x0-0x9fbff and 0x100000-0x3ffdefff, the
 * running kernel at 0x1000000-0x43fffff, APIC IDs 0-3) with the q35 table
 * set of acpi-fixture.c, in park and init mode. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi-fixture.h"
#include "bytes.h"
#include "efi-handover.h"
#include "error.h"
#include "image-types.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/park-abi.h"
#include "mpkexec/purgatory-params.h"
#include "multiboot2.h"
#include "plan.h"
#include "planner.h"
#include "purgatory-link.h"
#include "sysview.h"

#define XEN_HEAD  FIXTURES "/xen-4.17.head"
#define SYSROOT   FIXTURES "/q35-sysroot"
#define XEN_SIZE  (0x80u + 0x271920u)   /* to the end of its PT_LOAD */
#define XEN_MEMSZ 0x3a7000u
#define RAM_TOP   0x3ffdf000u
#define PURG      ((size_t)(purgatory_blob_end - purgatory_blob))

#define assert_msg_eq(e, s)                                                     \
	do {                                                                    \
		if (strcmp((e).msg, (s)) != 0)                                  \
			fail_msg("error message \"%s\", want \"%s\"", (e).msg, (s)); \
	} while (0)
#define assert_msg_has(e, s)                                                    \
	do {                                                                    \
		if (!strstr((e).msg, (s)))                                      \
			fail_msg("error message \"%s\" lacks \"%s\"", (e).msg, (s)); \
	} while (0)

static uint8_t *xen_image(void)
{
	uint8_t *img = calloc(1, XEN_SIZE);
	FILE *f = fopen(XEN_HEAD, "rb");

	assert_non_null(img);
	assert_non_null(f);
	assert_int_equal(fread(img, 1, 4096, f), 4096);
	fclose(f);
	return img;
}

/* --- headers made here ------------------------------------------------- */

struct hb {
	uint8_t *img;
	size_t off, at;          /* header offset, next tag offset */
};

static void hb_begin(struct hb *b, uint8_t *img, size_t off)
{
	b->img = img;
	b->off = off;
	b->at = off + 16;
	put_le32(img + off, MB2_HEADER_MAGIC);
	put_le32(img + off + 4, 0);
}

static uint8_t *hb_tag(struct hb *b, uint16_t type, uint16_t flags, uint32_t size)
{
	uint8_t *t = b->img + b->at;

	put_le16(t, type);
	put_le16(t + 2, flags);
	put_le32(t + 4, size);
	b->at += (size + 7) & ~7u;
	return t;
}

static void hb_end(struct hb *b)
{
	uint32_t len;

	hb_tag(b, 0, 0, 8);
	len = (uint32_t)(b->at - b->off);
	put_le32(b->img + b->off + 8, len);
	put_le32(b->img + b->off + 12, (uint32_t)0 - (MB2_HEADER_MAGIC + len));
}

static enum image_probe_result probe(const uint8_t *img, size_t size, struct mpk_error *err)
{
	struct image_probe_input in = { .data = img, .size = size, .path = "x" };

	return multiboot2_probe(&in, err);
}

/* --- probe --------------------------------------------------------------- */

static void test_probe_xen(void **state)
{
	struct mpk_error err = { 0 };
	struct mb2_header h;
	uint8_t *img = xen_image();

	(void)state;
	assert_int_equal(probe(img, XEN_SIZE, &err), IMAGE_PROBE_OK);
	assert_int_equal(mb2_header_parse(img, XEN_SIZE, "x", &h, &err), IMAGE_PROBE_OK);
	assert_int_equal(h.offset, 0x98);
	assert_int_equal(h.header_length, 136);
	assert_true(h.request_required);
	assert_int_equal(h.nrequest, 2);
	assert_int_equal(h.request[0], 4);
	assert_int_equal(h.request[1], 6);
	assert_false(h.have_address);
	assert_false(h.have_entry);
	assert_true(h.module_align);
	assert_true(h.relocatable);
	assert_int_equal(h.rel_min, 0x200000);
	assert_int_equal(h.rel_max, 0xffffffff);
	assert_int_equal(h.rel_align, 0x200000);
	assert_int_equal(h.rel_pref, 2);
	assert_true(h.have_console);
	assert_false(h.console_required);
	assert_int_equal(h.console_flags, 2);
	assert_true(h.have_fb);
	assert_string_equal(h.tags_seen, "1[4,6] 6 10(opt) 4(opt) 5(opt) 7(opt)-ign 9(opt)-ign");
	/* The image type table puts multiboot2 first, with kexec-tools' name. */
	assert_string_equal(image_types[0].name, "multiboot2");
	assert_string_equal(image_types[0].aliases[0], "multiboot2-x86");
	assert_false(image_types[0].linux_boot);
	assert_ptr_equal(image_type_find(image_types, image_types_count, "multiboot2-x86"),
			 &image_types[0]);
	free(img);
}

static void test_probe_none(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t *img = calloc(1, 40000);

	(void)state;
	assert_int_equal(probe(img, 40000, &err), IMAGE_PROBE_NOT_MINE);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_msg_eq(err, "kernel image 'x': no multiboot2 header in the first 32 KiB");
	/* A short file. */
	assert_int_equal(probe(img, 15, &err), IMAGE_PROBE_NOT_MINE);
	/* Only at 8-byte boundaries. */
	{
		struct hb b;

		hb_begin(&b, img, 100);
		hb_end(&b);
		assert_int_equal(probe(img, 40000, &err), IMAGE_PROBE_NOT_MINE);
	}
	free(img);
}

static void test_probe_bad_checksum(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t *img = xen_image();

	(void)state;
	img[0x98 + 12] ^= 1;   /* checksum 0x17adaea2 -> 0x17adaea3 */
	assert_int_equal(probe(img, XEN_SIZE, &err), IMAGE_PROBE_REFUSED);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_msg_eq(err, "kernel image 'x': multiboot2 header at 0x98: checksum 0x17adaea3, "
		      "but magic + architecture + header_length + checksum must be 0 mod 2^32 "
		      "(checksum 0x17adaea2); the image is damaged");
	/* The image type table gives the same refusal (not "not mine"). */
	{
		struct image_probe_input in = { .data = img, .size = XEN_SIZE, .path = "x" };

		assert_null(image_type_choose(image_types, image_types_count, NULL, &in, &err));
		assert_msg_has(err, "checksum 0x17adaea3");
	}
	free(img);
}

static void test_probe_past_32k(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t *img = calloc(1, 65536);
	struct hb b;

	(void)state;
	/* At 32 KiB exactly: outside. */
	hb_begin(&b, img, 32768);
	hb_end(&b);
	assert_int_equal(probe(img, 65536, &err), IMAGE_PROBE_NOT_MINE);
	assert_msg_eq(err, "kernel image 'x': no multiboot2 header in the first 32 KiB");
	/* Its fixed 16 bytes crossing 32 KiB: outside. */
	memset(img, 0, 65536);
	hb_begin(&b, img, 32760);
	hb_end(&b);
	assert_int_equal(probe(img, 65536, &err), IMAGE_PROBE_NOT_MINE);
	/* The fixed bytes inside, its tags past 32 KiB: refused. */
	memset(img, 0, 65536);
	hb_begin(&b, img, 32752);
	hb_end(&b);
	assert_int_equal(probe(img, 65536, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image 'x': multiboot2 header at 0x7ff0: header_length 24 "
		      "runs past the first 32 KiB (or the end of the file)");
	/* The last place it fits. */
	memset(img, 0, 65536);
	hb_begin(&b, img, 32744);
	hb_end(&b);
	assert_int_equal(probe(img, 65536, &err), IMAGE_PROBE_OK);
	free(img);
}

static void test_probe_tags_refused(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t img[4096];
	struct hb b;

	(void)state;
	/* A required tag of a type nobody knows. */
	memset(img, 0, sizeof(img));
	hb_begin(&b, img, 0);
	hb_tag(&b, 42, 0, 8);
	hb_end(&b);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image 'x': multiboot2 header tag 42 is required (not "
		      "flagged optional) and not supported by mpkexec");
	/* The same, optional: ignored. */
	memset(img, 0, sizeof(img));
	hb_begin(&b, img, 0);
	hb_tag(&b, 42, 1, 8);
	hb_end(&b);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_OK);
	/* A required information request for SMBIOS (13). */
	memset(img, 0, sizeof(img));
	hb_begin(&b, img, 0);
	put_le32(hb_tag(&b, 1, 0, 16) + 8, 6);
	put_le32(img + 16 + 12, 13);
	hb_end(&b);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image 'x': multiboot2 header tag 1 (information request) "
		      "requires information tag 13 (SMBIOS tables), which mpkexec cannot "
		      "provide");
	/* The same request, optional: fine. */
	memset(img, 0, sizeof(img));
	hb_begin(&b, img, 0);
	put_le32(hb_tag(&b, 1, 1, 16) + 8, 6);
	put_le32(img + 16 + 12, 13);
	hb_end(&b);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_OK);
	/* A required EFI amd64 entry: refused by number; optional: ignored. */
	memset(img, 0, sizeof(img));
	hb_begin(&b, img, 0);
	put_le32(hb_tag(&b, 9, 0, 12) + 8, 0x100000);
	hb_end(&b);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image 'x': multiboot2 header tag 9 (EFI amd64 entry "
		      "address) is required, but mpkexec starts images after boot services "
		      "ended, through the 32-bit entry only");
	/* A tag running past header_length. */
	memset(img, 0, sizeof(img));
	hb_begin(&b, img, 0);
	hb_tag(&b, 4, 1, 12);
	hb_end(&b);
	put_le32(img + 16 + 4, 400);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image 'x': multiboot2 header tag 4 (console flags) at "
		      "offset 0x10: size 400 does not fit in the header (header_length 40)");
	/* A short address tag. */
	memset(img, 0, sizeof(img));
	hb_begin(&b, img, 0);
	hb_tag(&b, 2, 0, 16);
	hb_end(&b);
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image 'x': multiboot2 header tag 2 (address): size 16, "
		      "at least 24 expected");
	/* Another architecture (MIPS). */
	memset(img, 0, sizeof(img));
	hb_begin(&b, img, 0);
	put_le32(img + 4, 4);
	hb_tag(&b, 0, 0, 8);
	put_le32(img + 8, 24);
	put_le32(img + 12, (uint32_t)0 - (MB2_HEADER_MAGIC + 4 + 24));
	assert_int_equal(probe(img, sizeof(img), &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "kernel image 'x': multiboot2 header at 0 is for architecture 4 "
		      "(32-bit MIPS), not 0 (i386)");
}

/* --- the information structure ------------------------------------------ */

static void test_info_bytes(void **state)
{
	struct mem_range r[] = {
		{ 0, 0x9fc00, E820_RAM }, { 0x9fc00, 0x100000, E820_RESERVED },
		{ 0x100000, 0x3000000, E820_RAM }, { 0x3000000, 0x3001000, E820_ACPI },
		{ 0x3001000, 0x3046000, E820_NVS }, { 0x3046000, 0x3ffdf000, E820_RAM },
		{ 0x3ffdf000, 0x40000000, E820_RESERVED },
	};
	struct memmap map = { r, 7 };
	struct mb2_module_info mods[2] = {
		{ 0x4000000, 0x4123456, "vmlinuz console=hvc0" },
		{ 0x4124000, 0x4124001, "next.cpio" },
	};
	struct mb2_fb fb = { 0xfd000000, 4096, 1024, 768, 32, 16, 8, 8, 8, 0, 8 };
	uint8_t rsdp[36];
	struct mb2_info_input in = {
		.cmdline = "xen.gz console=com1", .loader_name = MB2_LOADER_NAME,
		.module = mods, .nmodule = 2, .map = &map, .rsdp = rsdp, .rsdp_len = 36,
		.acpi_old = true, .efi64 = true, .efi64_systab = 0x7fbee018, .fb = &fb,
		.load_base = true, .load_base_addr = 0x3fc00000,
	};
	size_t size, at = 8;
	uint8_t *buf;

	(void)state;
	for (unsigned i = 0; i < sizeof(rsdp); i++)
		rsdp[i] = (uint8_t)(0xa0 + i);
	size = mb2_info_size(&in);
	/* 8 + cmdline 28->32 + name 16 + mods 37->40, 26->32 + meminfo 16 +
	 * mmap 16+168 = 184 + base 12->16 + fb 38->40 + efi 16 + old 28->32 +
	 * new 44->48 + end 8 */
	assert_int_equal(size, 8 + 32 + 16 + 40 + 32 + 16 + 184 + 16 + 40 + 16 + 32 + 48 + 8);
	buf = calloc(1, size);
	assert_int_equal(mb2_info_build(&in, buf), size);
	assert_int_equal(get_le32(buf), size);
	assert_int_equal(get_le32(buf + 4), 0);
	/* cmdline */
	assert_int_equal(get_le32(buf + at), 1);
	assert_int_equal(get_le32(buf + at + 4), 8 + 20);
	assert_string_equal((char *)buf + at + 8, "xen.gz console=com1");
	at += 32;
	/* loader name */
	assert_int_equal(get_le32(buf + at), 2);
	assert_int_equal(get_le32(buf + at + 4), 16);
	assert_string_equal((char *)buf + at + 8, "mpkexec");
	at += 16;
	/* modules */
	assert_int_equal(get_le32(buf + at), 3);
	assert_int_equal(get_le32(buf + at + 4), 16 + 21);
	assert_int_equal(get_le32(buf + at + 8), 0x4000000);
	assert_int_equal(get_le32(buf + at + 12), 0x4123456);
	assert_string_equal((char *)buf + at + 16, "vmlinuz console=hvc0");
	at += 40;
	assert_int_equal(get_le32(buf + at), 3);
	assert_int_equal(get_le32(buf + at + 4), 16 + 10);
	assert_int_equal(get_le32(buf + at + 8), 0x4124000);
	assert_int_equal(get_le32(buf + at + 12), 0x4124001);
	assert_string_equal((char *)buf + at + 16, "next.cpio");
	at += 32;
	/* basic meminfo: 639 KiB low, upper to the ACPI tables at 0x3000000 */
	assert_int_equal(get_le32(buf + at), 4);
	assert_int_equal(get_le32(buf + at + 4), 16);
	assert_int_equal(get_le32(buf + at + 8), 0x9fc00 / 1024);
	assert_int_equal(get_le32(buf + at + 12), (0x3000000 - 0x100000) / 1024);
	at += 16;
	/* mmap */
	assert_int_equal(get_le32(buf + at), 6);
	assert_int_equal(get_le32(buf + at + 4), 16 + 7 * 24);
	assert_int_equal(get_le32(buf + at + 8), 24);
	assert_int_equal(get_le32(buf + at + 12), 0);
	{
		static const uint32_t types[] = { 1, 2, 1, 3, 4, 1, 2 };

		for (unsigned i = 0; i < 7; i++) {
			const uint8_t *e = buf + at + 16 + i * 24;

			assert_int_equal(get_le64(e), r[i].start);
			assert_int_equal(get_le64(e + 8), r[i].end - r[i].start);
			assert_int_equal(get_le32(e + 16), types[i]);
			assert_int_equal(get_le32(e + 20), 0);
		}
		/* the park region: ACPI NVS (4) */
		assert_int_equal(get_le64(buf + at + 16 + 4 * 24), 0x3001000);
		assert_int_equal(get_le64(buf + at + 16 + 4 * 24 + 8), PARK_REGION_SIZE);
	}
	at += 184;
	/* load base */
	assert_int_equal(get_le32(buf + at), 21);
	assert_int_equal(get_le32(buf + at + 4), 12);
	assert_int_equal(get_le32(buf + at + 8), 0x3fc00000);
	at += 16;
	/* framebuffer: RGB, 1024x768x32 */
	assert_int_equal(get_le32(buf + at), 8);
	assert_int_equal(get_le32(buf + at + 4), 38);
	assert_int_equal(get_le64(buf + at + 8), 0xfd000000);
	assert_int_equal(get_le32(buf + at + 16), 4096);
	assert_int_equal(get_le32(buf + at + 20), 1024);
	assert_int_equal(get_le32(buf + at + 24), 768);
	assert_int_equal(buf[at + 28], 32);
	assert_int_equal(buf[at + 29], 1);
	{
		static const uint8_t colors[] = { 16, 8, 8, 8, 0, 8 };

		assert_memory_equal(buf + at + 32, colors, 6);
	}
	at += 40;
	/* EFI64 */
	assert_int_equal(get_le32(buf + at), 12);
	assert_int_equal(get_le32(buf + at + 4), 16);
	assert_int_equal(get_le64(buf + at + 8), 0x7fbee018);
	at += 16;
	/* ACPI old: the first 20 bytes */
	assert_int_equal(get_le32(buf + at), 14);
	assert_int_equal(get_le32(buf + at + 4), 28);
	assert_memory_equal(buf + at + 8, rsdp, 20);
	at += 32;
	/* ACPI new: all 36 */
	assert_int_equal(get_le32(buf + at), 15);
	assert_int_equal(get_le32(buf + at + 4), 44);
	assert_memory_equal(buf + at + 8, rsdp, 36);
	at += 48;
	/* end */
	assert_int_equal(get_le32(buf + at), 0);
	assert_int_equal(get_le32(buf + at + 4), 8);
	assert_int_equal(at + 8, size);
	free(buf);

	/* The minimum: no modules, no RSDP, no fb, no EFI, no load base. */
	in = (struct mb2_info_input){ .cmdline = "", .loader_name = "mpkexec", .map = &map };
	size = mb2_info_size(&in);
	assert_int_equal(size, 8 + 16 + 16 + 16 + 184 + 8);
	buf = calloc(1, size);
	assert_int_equal(mb2_info_build(&in, buf), size);
	assert_int_equal(get_le32(buf + 8), 1);
	assert_int_equal(get_le32(buf + 12), 9);
	assert_int_equal(get_le32(buf + size - 8), 0);
	free(buf);
}

static void test_screen_info(void **state)
{
	uint8_t bp[4096] = { 0 };
	struct mb2_fb fb;

	(void)state;
	assert_false(mb2_fb_from_screen_info(NULL, &fb));
	bp[0x0f] = 0x22;              /* VGA text: no linear framebuffer */
	assert_false(mb2_fb_from_screen_info(bp, &fb));
	bp[0x0f] = 0x70;              /* EFI GOP */
	put_le16(bp + 0x12, 800);
	put_le16(bp + 0x14, 600);
	put_le16(bp + 0x16, 32);
	put_le32(bp + 0x18, 0x80000000);
	put_le16(bp + 0x24, 3200);
	bp[0x26] = 8; bp[0x27] = 16; bp[0x28] = 8; bp[0x29] = 8; bp[0x2a] = 8; bp[0x2b] = 0;
	put_le32(bp + 0x36, 2);       /* 64-bit base */
	put_le32(bp + 0x3a, 0x1);
	assert_true(mb2_fb_from_screen_info(bp, &fb));
	assert_int_equal(fb.addr, 0x180000000ull);
	assert_int_equal(fb.width, 800);
	assert_int_equal(fb.height, 600);
	assert_int_equal(fb.bpp, 32);
	assert_int_equal(fb.pitch, 3200);
	assert_int_equal(fb.red_pos, 16);
	assert_int_equal(fb.red_size, 8);
	assert_int_equal(fb.blue_pos, 0);
}

/* --- the plan ----------------------------------------------------------- */

struct fix {
	struct sysview sv;
	uint8_t *xen;
	uint8_t mod1[10000], mod2[5000];
	struct load_plan plan;
};

static int fix_setup(void **state)
{
	struct mpk_error err = { 0 };
	struct fix *f = calloc(1, sizeof(*f));

	if (!f || sysview_read(SYSROOT, &f->sv, &err) < 0) {
		fprintf(stderr, "sysview_read: %s\n", err.msg);
		return -1;
	}
	/* q35's exported tables around its MADT (the fixture has the MADT only). */
	acpi_tableset_free(&f->sv.acpi_tables);
	fixture_tableset(&f->sv.acpi_tables);
	f->sv.acpi_tables_why[0] = '\0';
	f->xen = xen_image();
	memset(f->mod1, 0x11, sizeof(f->mod1));
	memset(f->mod2, 0x22, sizeof(f->mod2));
	*state = f;
	return 0;
}

static int fix_teardown(void **state)
{
	struct fix *f = *state;

	load_plan_free(&f->plan);
	sysview_free(&f->sv);
	free(f->xen);
	free(f);
	return 0;
}

static struct load_request xen_request(struct fix *f, enum ap_handoff mode)
{
	struct load_request rq = {
		.kernel_path = "xen.gz", .kernel = { .data = f->xen, .size = XEN_SIZE },
		.cmdline = "console=com1 com1=115200", .verify = true, .ap_handoff = mode,
		.serial_port = 0x3f8, .nmodule = 2,
	};

	rq.module[0] = (struct load_module){ "vmlinuz-6.1", "vmlinuz-6.1 console=hvc0",
					     { .data = f->mod1, .size = sizeof(f->mod1) } };
	rq.module[1] = (struct load_module){ "next.cpio", "next.cpio",
					     { .data = f->mod2, .size = sizeof(f->mod2) } };
	return rq;
}

static const struct segment *seg(const struct load_plan *p, const char *what, unsigned nth)
{
	for (unsigned i = 0; i < p->nseg; i++)
		if (strcmp(p->seg[i].what, what) == 0 && nth-- == 0)
			return &p->seg[i];
	return NULL;
}

/* The information tag of `type` in the structure, or NULL. */
static const uint8_t *info_tag(const uint8_t *info, uint32_t type)
{
	uint32_t total = get_le32(info);

	for (uint32_t at = 8; at + 8 <= total; at += (get_le32(info + at + 4) + 7) & ~7u) {
		assert_int_equal(at % 8, 0);
		if (get_le32(info + at) == type)
			return info + at;
		if (get_le32(info + at) == 0)
			break;
	}
	return NULL;
}

/* What every plan of Xen here shares: the image relocated high (its tag
 * prefers high: 2 MiB-aligned below the top of RAM), the modules above it
 * or in the lowest free RAM, the entry convention, the information
 * structure's tags. */
static const uint8_t *check_xen_plan(struct fix *f)
{
	const struct load_plan *p = &f->plan;
	const struct segment *img = seg(p, "image", 0), *info = seg(p, "multiboot2 information", 0);
	const struct segment *m1 = seg(p, "module", 0), *m2 = seg(p, "module", 1);
	const uint8_t *t, *ib;
	uint64_t img_at = align_down(RAM_TOP - XEN_MEMSZ, 0x200000);

	assert_non_null(img);
	assert_non_null(info);
	assert_non_null(m1);
	assert_non_null(m2);
	assert_int_equal(img->mem, img_at);
	assert_int_equal(img->memsz, XEN_MEMSZ);
	assert_int_equal(img->bufsz, 0x271920);
	assert_ptr_equal(img->buf, f->xen + 0x80);
	assert_ptr_equal(m1->buf, f->mod1);
	assert_ptr_equal(m2->buf, f->mod2);
	assert_int_equal(m1->mem & 4095, 0);
	assert_int_equal(m2->mem & 4095, 0);
	assert_int_equal(p->params.entry_mode, MPK_ENTRY_32);
	assert_int_equal(p->params.entry, img_at);
	assert_int_equal(p->params.entry_eax, MB2_BOOTLOADER_MAGIC);
	assert_int_equal(p->params.entry_ebx, info->mem);
	assert_int_equal(p->payload_entry, img_at);
	assert_true(info->mem < SZ_4G);
	assert_true(strstr(p->image_desc, "multiboot2, header at 0x98, tags 1[4,6] 6 10(opt)"));
	assert_true(strstr(p->image_desc, "relocated to 0x3fc00000"));

	ib = info->buf;
	assert_int_equal(get_le32(ib), info->bufsz);
	t = info_tag(ib, MB2_TAG_CMDLINE);
	assert_non_null(t);
	assert_string_equal((const char *)t + 8, "xen.gz console=com1 com1=115200");
	t = info_tag(ib, MB2_TAG_LOADER_NAME);
	assert_string_equal((const char *)t + 8, "mpkexec");
	t = info_tag(ib, MB2_TAG_MODULE);
	assert_non_null(t);
	assert_int_equal(get_le32(t + 8), m1->mem);
	assert_int_equal(get_le32(t + 12), m1->mem + sizeof(f->mod1));
	assert_string_equal((const char *)t + 16, "vmlinuz-6.1 console=hvc0");
	t += (get_le32(t + 4) + 7) & ~7u;
	assert_int_equal(get_le32(t), MB2_TAG_MODULE);
	assert_int_equal(get_le32(t + 8), m2->mem);
	assert_int_equal(get_le32(t + 12), m2->mem + sizeof(f->mod2));
	assert_string_equal((const char *)t + 16, "next.cpio");
	t = info_tag(ib, MB2_TAG_LOAD_BASE);
	assert_non_null(t);
	assert_int_equal(get_le32(t + 8), img_at);
	t = info_tag(ib, MB2_TAG_BASIC_MEMINFO);
	assert_int_equal(get_le32(t + 8), 0x9fc00 / 1024);
	/* The mmap is the handed map, entry for entry. */
	t = info_tag(ib, MB2_TAG_MMAP);
	assert_non_null(t);
	assert_int_equal(get_le32(t + 4), 16 + 24 * p->handed_map.n);
	for (size_t i = 0; i < p->handed_map.n; i++) {
		const uint8_t *e = t + 16 + 24 * i;

		assert_int_equal(get_le64(e), p->handed_map.r[i].start);
		assert_int_equal(get_le64(e + 8), p->handed_map.r[i].end - p->handed_map.r[i].start);
		assert_int_equal(get_le32(e + 16), mb2_mem_type(p->handed_map.r[i].type));
	}
	assert_null(info_tag(ib, MB2_TAG_EFI64));      /* SeaBIOS */
	assert_null(info_tag(ib, MB2_TAG_ACPI_OLD));   /* not requested */
	return ib;
}

/* The mmap entry of the info structure at `start`, or NULL. */
static const uint8_t *mmap_entry(const uint8_t *ib, uint64_t start)
{
	const uint8_t *t = info_tag(ib, MB2_TAG_MMAP);

	for (uint32_t o = 16; o + 24 <= get_le32(t + 4); o += 24)
		if (get_le64(t + o) == start)
			return t + o;
	return NULL;
}

static void test_plan_xen_park(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct load_request rq = xen_request(f, AP_HANDOFF_PARK);
	const uint8_t *ib, *t, *e;
	const struct segment *acpi, *park;

	if (multiboot2_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err) < 0)
		fail_msg("plan: %s", err.msg);
	ib = check_xen_plan(f);
	assert_true(f->plan.params.flags & MPK_PF_PARK_APS);
	assert_int_equal(f->plan.params.nr_aps, 4);
	/* BIOS: the payload may take the BIOS memory map over the mmap tag. */
	assert_true(strstr(f->plan.warning, "(ACPI NVS in the multiboot2 memory map); a "
			   "payload that takes the BIOS memory map instead (Xen without "
			   "no-real-mode) may overwrite it: give such a payload "
			   "--ap-handoff=init"));
	park = seg(&f->plan, "park region", 0);
	acpi = seg(&f->plan, "ACPI tables", 0);
	assert_non_null(park);
	assert_non_null(acpi);
	/* The park region is ACPI NVS (4), our tables ACPI (3). */
	e = mmap_entry(ib, park->mem);
	assert_non_null(e);
	assert_int_equal(get_le64(e + 8), PARK_REGION_SIZE);
	assert_int_equal(get_le32(e + 16), MB2_MEM_NVS);
	e = mmap_entry(ib, acpi->mem);
	assert_non_null(e);
	assert_int_equal(get_le64(e + 8), align_up(acpi->bufsz, 4096));
	assert_int_equal(get_le32(e + 16), MB2_MEM_ACPI);
	/* The RSDP tag: our RSDP's 36 bytes, which name our XSDT, whose MADT
	 * has the wakeup structure. */
	t = info_tag(ib, MB2_TAG_ACPI_NEW);
	assert_non_null(t);
	assert_int_equal(get_le32(t + 4), 8 + 36);
	assert_int_equal(f->plan.acpi.rsdp_addr, acpi->mem);
	assert_memory_equal(t + 8, f->plan.acpi.buf, 36);
	assert_memory_equal(t + 8, "RSD PTR ", 8);
	assert_int_equal(get_le64(t + 8 + 24) - acpi->mem < acpi->bufsz, 1);
	assert_int_equal(acpi_checksum(t + 8, 20), 0);
	assert_int_equal(acpi_checksum(t + 8, 36), 0);
	assert_true(acpi_handoff_lists(&f->plan.acpi, f->plan.acpi.madt_addr));
	assert_true(strstr(f->plan.rsdp_desc, "new tables"));
	/* The modules sit above the image when there is room, else low. */
	for (unsigned i = 0; i < 2; i++) {
		const struct segment *m = seg(&f->plan, "module", i);

		assert_true(m->mem >= align_down(RAM_TOP - XEN_MEMSZ, 0x200000) + XEN_MEMSZ ||
			    (m->mem >= SZ_1M && m->mem + m->memsz <= 0x1000000));
	}
}

static void test_plan_xen_init(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	struct load_request rq = xen_request(f, AP_HANDOFF_INIT);
	const struct segment *acpi;
	const uint8_t *ib, *t, *e, *madt;
	uint64_t xsdt;

	if (multiboot2_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err) < 0)
		fail_msg("plan: %s", err.msg);
	ib = check_xen_plan(f);
	assert_true(f->plan.params.flags & MPK_PF_INIT_APS);
	assert_null(seg(&f->plan, "park region", 0));
	assert_null(strstr(f->plan.warning, "park region"));
	assert_null(f->plan.acpi.buf);
	/* A copy of firmware's tables, its MADT unchanged, for the RSDP tag. */
	acpi = seg(&f->plan, "ACPI tables", 0);
	assert_non_null(acpi);
	t = info_tag(ib, MB2_TAG_ACPI_NEW);
	assert_non_null(t);
	assert_memory_equal(t + 8, acpi->buf, 36);
	assert_int_equal(f->plan.next_rsdp, acpi->mem);
	e = mmap_entry(ib, acpi->mem);
	assert_int_equal(get_le32(e + 16), MB2_MEM_ACPI);
	/* The XSDT's last entry is the MADT: firmware's bytes. */
	xsdt = get_le64(t + 8 + 24);
	{
		const uint8_t *x = acpi->buf + (xsdt - acpi->mem);
		uint32_t xl = get_le32(x + 4);
		uint64_t m = get_le64(x + xl - 8);

		madt = acpi->buf + (m - acpi->mem);
		assert_memory_equal(madt, "APIC", 4);
		assert_int_equal(get_le32(madt + 4), f->sv.madt_len);
		assert_memory_equal(madt, f->sv.madt, f->sv.madt_len);
	}
	assert_true(strstr(f->plan.rsdp_desc, "a copy of firmware's tables, MADT unchanged"));
	assert_true(strstr(f->plan.acpi_desc, "for the multiboot2 ACPI tag: copies of 4 tables "
			   "from /sys/firmware/acpi/tables and of firmware's MADT, unchanged "
			   "(/sys/firmware/acpi/tables/APIC)"));
}

/* An a.out-kludge image (address + entry tags) loading at `at`. */
static uint8_t *aout_image(uint32_t at, size_t *size)
{
	uint8_t *img = calloc(1, 8192);
	struct hb b;
	uint8_t *t;

	hb_begin(&b, img, 0);
	t = hb_tag(&b, 2, 0, 24);
	put_le32(t + 8, at);            /* header_addr: the header is at file offset 0 */
	put_le32(t + 12, at);           /* load_addr */
	put_le32(t + 16, 0);            /* to the end of the file */
	put_le32(t + 20, at + 0x5000);  /* bss to 20 KiB */
	put_le32(hb_tag(&b, 3, 0, 12) + 8, at + 0x40);
	hb_end(&b);
	*size = 8192;
	return img;
}

static void test_plan_aout(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	size_t size;
	uint8_t *img = aout_image(0x8000000, &size);
	struct load_request rq = { .kernel_path = "aout", .kernel = { .data = img, .size = size },
				   .cmdline = "", .ap_handoff = AP_HANDOFF_INIT };
	const struct segment *s;

	if (multiboot2_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err) < 0)
		fail_msg("plan: %s", err.msg);
	s = seg(&f->plan, "image", 0);
	assert_int_equal(s->mem, 0x8000000);
	assert_int_equal(s->bufsz, 8192);
	assert_int_equal(s->memsz, 0x5000);
	assert_ptr_equal(s->buf, img);
	assert_int_equal(f->plan.params.entry, 0x8000040);
	assert_null(seg(&f->plan, "module", 0));
	load_plan_free(&f->plan);
	free(img);
}

static void test_plan_refusals(void **state)
{
	struct fix *f = *state;
	struct mpk_error err = { 0 };
	size_t size;
	uint8_t *img;
	struct load_request rq = { .kernel_path = "aout", .cmdline = "",
				   .ap_handoff = AP_HANDOFF_PARK };

	/* Over the running kernel. */
	img = aout_image(0x1000000, &size);
	rq.kernel = (struct blob){ .data = img, .size = size };
	assert_int_equal(multiboot2_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOSPACE);
	assert_msg_eq(err, "image 'aout': 0x1000000-0x1005000 overlaps the running kernel's "
		      "image 0x1000000-0x1e01d32 (where the other CPUs wait until purgatory "
		      "runs; boot the running kernel with another KASLR offset or nokaslr); "
		      "the multiboot2 image must be loaded exactly there");
	assert_int_equal(f->plan.nseg, 0);
	free(img);
	/* In a "Crash kernel" range. */
	img = aout_image(0x20000000, &size);
	rq.kernel = (struct blob){ .data = img, .size = size };
	f->sv.crash.region[0] = (struct mem_range){ 0x1f000000, 0x2f000000, E820_RAM };
	f->sv.crash.nregion = 1;
	assert_int_equal(multiboot2_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err), -1);
	assert_msg_eq(err, "image 'aout': 0x20000000-0x20005000 overlaps the \"Crash kernel\" "
		      "range 0x1f000000-0x2f000000 (crashkernel=; a loaded capture kernel lives "
		      "there); the multiboot2 image must be loaded exactly there");
	f->sv.crash.nregion = 0;
	/* Over the --park-addr region. */
	rq.park_addr = 0x1fffe000;
	assert_int_equal(multiboot2_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err), -1);
	assert_msg_eq(err, "image 'aout': 0x20000000-0x20005000 overlaps the park region "
		      "--park-addr=0x1fffe000 asks for (0x45000 bytes); the multiboot2 image "
		      "must be loaded exactly there");
	rq.park_addr = 0;
	free(img);
	/* Not RAM. */
	img = aout_image(0x3ffdc000, &size);
	rq.kernel = (struct blob){ .data = img, .size = size };
	assert_int_equal(multiboot2_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan, &err), -1);
	assert_msg_eq(err, "image 'aout': 0x3ffdc000-0x3ffe1000 is not free System RAM "
		      "(reserved, ACPI, not memory, or taken by another segment); the "
		      "multiboot2 image must be loaded exactly there");
	free(img);
	/* An address tag without an entry tag. */
	{
		uint8_t raw[4096] = { 0 };
		struct hb b;
		uint8_t *t;

		hb_begin(&b, raw, 0);
		t = hb_tag(&b, 2, 0, 24);
		put_le32(t + 8, 0x8000000);
		put_le32(t + 12, 0x8000000);
		hb_end(&b);
		rq.kernel = (struct blob){ .data = raw, .size = sizeof(raw) };
		assert_int_equal(multiboot2_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan,
						 &err), -1);
		assert_msg_eq(err, "kernel image 'aout': multiboot2 header has an address tag "
			      "but no entry address tag (3): where the image starts is unknown");
	}
	/* No address tag, not ELF. */
	{
		uint8_t raw[4096] = { 0 };
		struct hb b;

		hb_begin(&b, raw, 8);
		hb_end(&b);
		rq.kernel = (struct blob){ .data = raw, .size = sizeof(raw) };
		assert_int_equal(multiboot2_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan,
						 &err), -1);
		assert_msg_eq(err, "kernel image 'aout': a multiboot2 header without an address "
			      "tag, and not an ELF executable: where its bytes go is unknown");
	}
	/* A required framebuffer request with no framebuffer (q35: text mode). */
	{
		uint8_t raw[4096] = { 0 };
		struct hb b;
		uint8_t *t;

		hb_begin(&b, raw, 0);
		put_le32(hb_tag(&b, 1, 0, 12) + 8, 8);
		t = hb_tag(&b, 2, 0, 24);
		put_le32(t + 8, 0x8000000);
		put_le32(t + 12, 0x8000000);
		put_le32(hb_tag(&b, 3, 0, 12) + 8, 0x8000000);
		hb_end(&b);
		rq.kernel = (struct blob){ .data = raw, .size = sizeof(raw) };
		assert_int_equal(multiboot2_plan(&f->sv, &rq, purgatory_blob, PURG, &f->plan,
						 &err), -1);
		assert_int_equal(err.exit_code, MPK_EXIT_UNAVAILABLE);
		assert_msg_eq(err, "kernel image 'aout': its multiboot2 header requires "
			      "information tag 8 (framebuffer info), but the running kernel has "
			      "no linear framebuffer to hand over (screen_info)");
	}
}

/* On UEFI (fixtures/ovmf-sysroot): the EFI64 tag carries the system table
 * EFI hands over, the framebuffer tag the running kernel's GOP mode
 * (screen_info: EFI, 1280x800 at 0xc0000000); no BIOS-map warning. */
static void test_plan_xen_uefi(void **state)
{
	struct mpk_error err = { 0 };
	struct sysview sv;
	struct load_plan plan;
	struct efi_handover eh;
	struct mb2_fb fb;
	uint8_t *xen = xen_image();
	struct load_request rq = {
		.kernel_path = "xen.gz", .kernel = { .data = xen, .size = XEN_SIZE },
		.cmdline = "", .verify = true, .ap_handoff = AP_HANDOFF_PARK,
	};
	const struct segment *info;
	const uint8_t *t;

	(void)state;
	memset(&plan, 0, sizeof(plan));
	assert_int_equal(sysview_read(FIXTURES "/ovmf-sysroot", &sv, &err), 0);
	assert_int_equal(efi_handover_read(sv.root, sv.boot_params, &eh, &err), 0);
	assert_true(eh.present);
	assert_true(mb2_fb_from_screen_info(sv.boot_params, &fb));
	if (multiboot2_plan(&sv, &rq, purgatory_blob, PURG, &plan, &err) < 0)
		fail_msg("plan: %s", err.msg);
	info = seg(&plan, "multiboot2 information", 0);
	assert_non_null(info);
	t = info_tag(info->buf, MB2_TAG_EFI64);
	assert_non_null(t);
	assert_int_equal(get_le32(t + 4), 16);
	assert_int_equal(get_le64(t + 8), eh.systab);
	t = info_tag(info->buf, MB2_TAG_FRAMEBUFFER);
	assert_non_null(t);
	assert_int_equal(get_le64(t + 8), 0xc0000000);
	assert_int_equal(get_le32(t + 20), 1280);
	assert_int_equal(get_le32(t + 24), 800);
	assert_int_equal(get_le32(t + 16), fb.pitch);
	assert_int_equal(t[28], fb.bpp);
	assert_int_equal(t[29], 1);
	assert_non_null(info_tag(info->buf, MB2_TAG_ACPI_NEW));
	assert_null(strstr(plan.warning, "BIOS memory map"));
	load_plan_free(&plan);
	efi_handover_free(&eh);
	sysview_free(&sv);
	free(xen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_xen),
		cmocka_unit_test(test_probe_none),
		cmocka_unit_test(test_probe_bad_checksum),
		cmocka_unit_test(test_probe_past_32k),
		cmocka_unit_test(test_probe_tags_refused),
		cmocka_unit_test(test_info_bytes),
		cmocka_unit_test(test_screen_info),
		cmocka_unit_test_setup_teardown(test_plan_xen_park, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_plan_xen_init, fix_setup, fix_teardown),
		cmocka_unit_test_setup_teardown(test_plan_aout, fix_setup, fix_teardown),
		cmocka_unit_test(test_plan_xen_uefi),
		cmocka_unit_test_setup_teardown(test_plan_refusals, fix_setup, fix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
