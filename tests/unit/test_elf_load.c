/* SPDX-License-Identifier: GPL-2.0-only */
/* The ELF image type (arch/x86_64/elf-exec-load.c, src/elf-exec.c): the
 * probe on real images (fixtures/elf64-tiny, elf32-tiny: built from
 * fixtures/elf-tiny.S; fixtures/grub-i386-multiboot.elf: GRUB's multiboot
 * image, see fixtures/README.md) and on broken ones, and elf_image_plan on
 * the q35 guest's system view (fixtures/q35-sysroot: RAM 0x0-0x9fbff and
 * 0x100000-0x3ffdefff, the running kernel at 0x1000000-0x43fffff, RSDP
 * 0xf59e0, 4 CPUs, no FADT, so the AP handoff is INIT). */
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
#include "elf-exec-load.h"
#include "elf-exec.h"
#include "error.h"
#include "image-types.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/handoff-report.h"
#include "mpkexec/purgatory-params.h"
#include "options.h"
#include "plan.h"
#include "purgatory-link.h"
#include "sysview.h"

#define SYSROOT FIXTURES "/q35-sysroot"
#define ELF64   FIXTURES "/elf64-tiny"
#define ELF32   FIXTURES "/elf32-tiny"
#define GRUB    FIXTURES "/grub-i386-multiboot.elf"
#define HEAD    FIXTURES "/vmlinuz-6.1.head"
#define PURG ((size_t)(purgatory_blob_end - purgatory_blob))

#define assert_msg_eq(e, s)                                                     \
	do {                                                                    \
		if (strcmp((e).msg, (s)) != 0)                                  \
			fail_msg("error message \"%s\", want \"%s\"", (e).msg, (s)); \
	} while (0)

static struct sysview sv;

static int setup(void **state)
{
	struct mpk_error err = { 0 };

	(void)state;
	if (sysview_read(SYSROOT, &sv, &err) < 0) {
		fprintf(stderr, "sysview_read: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sysview_free(&sv);
	return 0;
}

static enum image_probe_result probe(const uint8_t *d, size_t n, struct mpk_error *err)
{
	struct image_probe_input in = { .data = d, .size = n, .path = "/k" };

	return elf_image_probe(&in, err);
}

static struct load_request request(uint8_t *img, size_t size, int style,
				   const char *cmdline)
{
	return (struct load_request){
		.kernel_path = "/k", .kernel = { .data = img, .size = size },
		.cmdline = cmdline, .verify = true, .serial_port = 0x3f8,
		.ap_handoff = AP_HANDOFF_INIT, .args_style = style,
	};
}

static void plan_fails(const struct sysview *s, const struct load_request *rq, int code,
		       const char *msg)
{
	struct load_plan plan;
	struct mpk_error err = { 0 };

	if (elf_image_plan(s, rq, purgatory_blob, PURG, &plan, &err) == 0) {
		load_plan_free(&plan);
		fail_msg("plan accepted, want \"%s\"", msg);
	}
	assert_int_equal(err.exit_code, code);
	assert_msg_eq(err, msg);
	assert_int_equal(plan.nseg, 0);
	assert_null(plan.setup_buf);
}

/* --- probe ----------------------------------------------------------------- */

static void test_probe_real(void **state)
{
	struct mpk_error err = { 0 };
	size_t n64, n32, ng, nh;
	uint8_t *e64 = file_slurp(ELF64, &n64), *e32 = file_slurp(ELF32, &n32);
	uint8_t *grub = file_slurp(GRUB, &ng), *head = file_slurp(HEAD, &nh);
	struct image_probe_input in = { .path = "/k" };

	(void)state;
	assert_int_equal(probe(e64, n64, &err), IMAGE_PROBE_OK);
	assert_int_equal(probe(e32, n32, &err), IMAGE_PROBE_OK);
	/* a bzImage is no ELF */
	assert_int_equal(probe(head, nh, &err), IMAGE_PROBE_NOT_MINE);
	assert_msg_eq(err, "kernel image '/k': no ELF magic (7f 45 4c 46) at offset 0");
	/* GRUB's i386-multiboot image is an ELF32 with a multiboot header: the
	 * multiboot type's */
	assert_int_equal(probe(grub, ng, &err), IMAGE_PROBE_NOT_MINE);
	assert_msg_eq(err, "kernel image '/k': an ELF executable with a multiboot header at "
		      "offset 0x158: the multiboot type loads it");
	/* the table: ELF to "elf", GRUB to "multiboot", by name and alias */
	in.data = e64;
	in.size = n64;
	assert_string_equal(image_type_choose(image_types, image_types_count, NULL, &in,
					      &err)->name, "elf");
	assert_string_equal(image_type_choose(image_types, image_types_count, "elf-x86_64",
					      &in, &err)->name, "elf");
	in.data = e32;
	in.size = n32;
	assert_string_equal(image_type_choose(image_types, image_types_count, "elf-x86",
					      &in, &err)->name, "elf");
	in.data = grub;
	in.size = ng;
	assert_string_equal(image_type_choose(image_types, image_types_count, NULL, &in,
					      &err)->name, "multiboot");
	assert_null(image_type_choose(image_types, image_types_count, "elf", &in, &err));
	assert_msg_eq(err, "kernel image '/k': not a elf (-t elf): an ELF executable with a "
		      "multiboot header at offset 0x158: the multiboot type loads it");
	free(e64);
	free(e32);
	free(grub);
	free(head);
}

static void test_probe_refusals(void **state)
{
	struct mpk_error err = { 0 };
	size_t n;
	uint8_t *img = file_slurp(ELF64, &n);

	(void)state;
	/* a shared object */
	img[16] = ET_DYN;
	assert_int_equal(probe(img, n, &err), IMAGE_PROBE_REFUSED);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_msg_eq(err, "ELF image '/k': e_type 3 is not ET_EXEC (an executable); "
		      "relocatable objects and shared objects cannot be loaded");
	img[16] = ET_EXEC;
	/* another machine */
	img[18] = 183;   /* EM_AARCH64 */
	assert_int_equal(probe(img, n, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "ELF image '/k': e_machine 183 is not EM_386 or EM_X86_64");
	img[18] = EM_X86_64;
	/* big-endian */
	img[EI_DATA] = ELFDATA2MSB;
	assert_int_equal(probe(img, n, &err), IMAGE_PROBE_REFUSED);
	img[EI_DATA] = ELFDATA2LSB;
	/* cut before the program headers */
	assert_int_equal(probe(img, 80, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "ELF image '/k': 3 program headers at offset 0x40 lie past the end "
		      "of the file (80 bytes); the file is truncated");
	/* a PT_LOAD whose bytes lie past the end of the file */
	assert_int_equal(probe(img, 0x2010, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "ELF image '/k': PT_LOAD 2 (offset 0x2000, filesz 0x14, memsz "
		      "0x3000, paddr 0x202000) lies outside the file (8208 bytes) or wraps");
	free(img);
}

static void test_probe_synthetic(void **state)
{
	struct mpk_error err = { 0 };
	struct tload l[17], ov[2] = { { 0x300000, 0x300000, 0x10, 0x2000 },
				      { 0x301000, 0x301000, 0x10, 0x10 } };
	size_t n;
	uint8_t *img;

	(void)state;
	/* no PT_LOAD */
	img = elf_build(64, EM_X86_64, ET_EXEC, 0x300000, l, 0, &n);
	assert_int_equal(probe(img, n, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "ELF image '/k': no PT_LOAD program header; nothing to load");
	free(img);
	/* two PT_LOADs over each other */
	img = elf_build(64, EM_X86_64, ET_EXEC, 0x300000, ov, 2, &n);
	assert_int_equal(probe(img, n, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "ELF image '/k': PT_LOAD 0 (0x300000+0x2000) and 1 "
		      "(0x301000+0x10) overlap physically");
	free(img);
	/* 17 PT_LOADs */
	for (unsigned i = 0; i < 17; i++)
		l[i] = (struct tload){ 0x300000 + 0x2000 * i, 0x300000 + 0x2000 * i, 8, 8 };
	img = elf_build(32, EM_386, ET_EXEC, 0x300000, l, 17, &n);
	assert_int_equal(probe(img, n, &err), IMAGE_PROBE_REFUSED);
	assert_msg_eq(err, "ELF image '/k': more than 16 PT_LOAD headers; kexec_load takes "
		      "16 segments in all");
	free(img);
}

/* --- plans ------------------------------------------------------------------ */

static const struct segment *nth_kernel(const struct load_plan *p, unsigned k)
{
	for (unsigned i = 0; i < p->nseg; i++)
		if (strcmp(p->seg[i].what, "kernel") == 0 && k-- == 0)
			return &p->seg[i];
	fail_msg("no kernel segment %u", k);
	return NULL;
}

static const struct segment *seg(const struct load_plan *p, const char *what)
{
	for (unsigned i = 0; i < p->nseg; i++)
		if (strcmp(p->seg[i].what, what) == 0)
			return &p->seg[i];
	return NULL;
}

static void test_plan_elf64_none(void **state)
{
	struct mpk_error err = { 0 };
	struct load_plan plan;
	size_t n;
	uint8_t *img = file_slurp(ELF64, &n);
	struct load_request rq = request(img, n, ARGS_DEFAULT, "");
	const struct segment *s;

	(void)state;
	assert_int_equal(elf_image_plan(&sv, &rq, purgatory_blob, PURG, &plan, &err), 0);
	/* each PT_LOAD at its p_paddr, bytes = filesz, memsz page-rounded;
	 * the file's bytes themselves (page-aligned, alone in their pages) */
	s = nth_kernel(&plan, 0);
	assert_int_equal(s->mem, 0x1ff000);
	assert_int_equal(s->bufsz, 0xe8);
	assert_int_equal(s->memsz, 0x1000);
	assert_ptr_equal(s->buf, img);
	s = nth_kernel(&plan, 1);
	assert_int_equal(s->mem, 0x200000);
	assert_int_equal(s->bufsz, 0xa);
	assert_ptr_equal(s->buf, img + 0x1000);
	/* .data + .bss: 0x14 bytes, zeros to memsz 0x3000 */
	s = nth_kernel(&plan, 2);
	assert_int_equal(s->mem, 0x202000);
	assert_int_equal(s->bufsz, 0x14);
	assert_int_equal(s->memsz, 0x3000);
	assert_memory_equal(s->buf, "mpkexec elf fixture", 20);
	assert_true(s->digest);
	/* no boot_params; 64-bit identity entry at the physical entry */
	assert_null(seg(&plan, "boot_params"));
	assert_int_equal(plan.nseg, 4);
	assert_int_equal(plan.params.entry_mode, MPK_ENTRY_64_IDENTITY);
	assert_int_equal(plan.params.entry, 0x200000);
	assert_int_equal(plan.params.entry_rsi, 0);
	assert_int_equal(plan.params.report_addr, 0);
	assert_int_equal(plan.payload_entry, 0x200000);
	assert_string_equal(plan.image_desc, "ELF64 executable (EM_X86_64), 3 PT_LOADs at "
			    "0x1ff000-0x205000, entry 0x200000; --args-none: 64-bit at the "
			    "entry with an identity map of the low 4 GiB, no arguments");
	assert_string_equal(plan.cmdline_desc, "not passed: --args-none");
	load_plan_free(&plan);

	/* a command line is said not to be passed */
	rq.cmdline = "console=ttyS0";
	assert_int_equal(elf_image_plan(&sv, &rq, purgatory_blob, PURG, &plan, &err), 0);
	assert_non_null(strstr(plan.warning, "the command line is not passed with "
			       "--args-none (add --args-linux to pass it)"));
	load_plan_free(&plan);
	free(img);
}

static void test_plan_elf64_linux(void **state)
{
	struct mpk_error err = { 0 };
	struct load_plan plan;
	size_t n;
	uint8_t *img = file_slurp(ELF64, &n), initrd[5000];
	struct load_request rq = request(img, n, ARGS_LINUX, "console=ttyS0 mpk.gen=2");
	const struct segment *b, *i;
	const uint8_t *bp;
	uint64_t node;

	(void)state;
	memset(initrd, 0x77, sizeof(initrd));
	rq.initrd_path = "/i";
	rq.initrd = (struct blob){ .data = initrd, .size = sizeof(initrd) };
	assert_int_equal(elf_image_plan(&sv, &rq, purgatory_blob, PURG, &plan, &err), 0);
	b = seg(&plan, "boot_params");
	i = seg(&plan, "initrd");
	assert_non_null(b);
	assert_non_null(i);
	bp = b->buf;
	/* purgatory enters at the 64-bit entry with RSI = boot_params */
	assert_int_equal(plan.params.entry_mode, MPK_ENTRY_LINUX64);
	assert_int_equal(plan.params.entry, 0x200000);
	assert_int_equal(plan.params.entry_rsi, b->mem);
	assert_int_equal(plan.payload_rsi, b->mem);
	assert_int_equal(plan.params.boot_params, b->mem);
	/* the zero page: our own setup header, RSDP at 0x70 (what a payload
	 * reads), command line, initrd, e820 = the handed map */
	assert_int_equal(get_le16(bp + HDR_BOOT_FLAG), 0xaa55);
	assert_int_equal(get_le32(bp + HDR_HEADER), HDR_MAGIC);
	assert_int_equal(get_le16(bp + HDR_VERSION), 0x020f);
	assert_int_equal(bp[HDR_TYPE_OF_LOADER], LOADER_TYPE_UNDEFINED);
	assert_int_equal(bp[HDR_LOADFLAGS], LOADED_HIGH);
	assert_int_equal(get_le64(bp + 0x70), 0xf59e0);
	assert_int_equal(plan.next_rsdp, 0xf59e0);
	assert_int_equal(get_le32(bp + HDR_CMD_LINE_PTR), b->mem + BP_SIZE);
	assert_string_equal((const char *)bp + BP_SIZE, "console=ttyS0 mpk.gen=2");
	assert_int_equal(get_le32(bp + HDR_RAMDISK_IMAGE), i->mem);
	assert_int_equal(get_le32(bp + HDR_RAMDISK_SIZE), sizeof(initrd));
	assert_int_equal(bp[BP_E820_ENTRIES], plan.handed_map.n);
	for (size_t k = 0; k < plan.handed_map.n; k++) {
		const uint8_t *e = bp + BP_E820_TABLE + k * BP_E820_ENTRY_SIZE;

		assert_int_equal(get_le64(e), plan.handed_map.r[k].start);
		assert_int_equal(get_le64(e + 8), plan.handed_map.r[k].end -
				 plan.handed_map.r[k].start);
		assert_int_equal(get_le32(e + 16), plan.handed_map.r[k].type);
	}
	/* the handoff report node, first in setup_data, where purgatory writes */
	node = get_le64(bp + HDR_SETUP_DATA);
	assert_int_equal(node, b->mem + align_up(BP_SIZE + strlen(rq.cmdline) + 1, 8));
	assert_int_equal(get_le32(bp + (node - b->mem) + 8), MPK_SETUP_DATA_TYPE);
	assert_int_equal(get_le32(bp + (node - b->mem) + 12), sizeof(struct mpk_handoff_report) +
			 plan.params.nr_aps * sizeof(struct mpk_report_cpu));
	assert_int_equal(plan.params.report_addr, node + 16);
	assert_non_null(strstr(plan.image_desc, "--args-linux: 64-bit at the entry, RSI = "
			       "boot_params (Linux zero page)"));
	load_plan_free(&plan);
	free(img);
}

static void test_plan_elf32(void **state)
{
	struct mpk_error err = { 0 };
	struct load_plan plan;
	size_t n;
	uint8_t *img = file_slurp(ELF32, &n);
	struct load_request rq = request(img, n, ARGS_NONE, "");

	(void)state;
	assert_int_equal(elf_image_plan(&sv, &rq, purgatory_blob, PURG, &plan, &err), 0);
	assert_int_equal(plan.params.entry_mode, MPK_ENTRY_32);
	assert_int_equal(plan.params.entry, 0x200000);
	assert_int_equal(plan.params.entry_eax, 0);
	assert_int_equal(plan.params.entry_ebx, 0);
	assert_int_equal(plan.params.entry_esi, 0);
	assert_non_null(strstr(plan.image_desc, "--args-none: 32-bit protected mode (paging "
			       "off) at the entry, EAX = EBX = ESI = 0"));
	load_plan_free(&plan);
	rq.args_style = ARGS_LINUX;
	assert_int_equal(elf_image_plan(&sv, &rq, purgatory_blob, PURG, &plan, &err), 0);
	assert_int_equal(plan.params.entry_mode, MPK_ENTRY_32);
	assert_int_equal(plan.params.entry_esi, seg(&plan, "boot_params")->mem);
	assert_int_equal(plan.params.entry_eax, 0);
	assert_int_equal(plan.payload_rsi, seg(&plan, "boot_params")->mem);
	load_plan_free(&plan);
	free(img);
}

/* PT_LOADs that share a page become one segment, zeros between them. */
static void test_shared_pages(void **state)
{
	struct mpk_error err = { 0 };
	struct load_plan plan;
	struct tload l[2] = { { 0x300100, 0x300100, 0x10, 0x10 },
			      { 0x300800, 0x300800, 0x10, 0x900 } };
	size_t n;
	uint8_t *img = elf_build(64, EM_X86_64, ET_EXEC, 0x300100, l, 2, &n), zero[0x6f0] = { 0 };
	struct load_request rq = request(img, n, ARGS_NONE, "");
	const struct segment *s;

	(void)state;
	assert_int_equal(elf_image_plan(&sv, &rq, purgatory_blob, PURG, &plan, &err), 0);
	s = nth_kernel(&plan, 0);
	assert_int_equal(plan.nseg, 2);  /* kernel, purgatory */
	assert_int_equal(s->mem, 0x300000);
	assert_int_equal(s->bufsz, 0x810);
	assert_int_equal(s->memsz, 0x2000);
	assert_memory_equal(s->buf, zero, 0x100);
	assert_int_equal(s->buf[0x100], 1);
	assert_int_equal(s->buf[0x10f], 1);
	assert_memory_equal(s->buf + 0x110, zero, 0x6f0);
	assert_int_equal(s->buf[0x800], 2);
	assert_int_equal(s->buf[0x80f], 2);
	load_plan_free(&plan);
	free(img);
}

/* Fixed addresses over what must not be overwritten: payload_place_fixed's
 * messages, and the low 1 MiB's. */
static void test_overlaps(void **state)
{
	struct sysview *s2 = malloc(sizeof(*s2));
	size_t n;
	uint8_t *img = file_slurp(ELF64, &n), *bad;
	struct load_request rq = request(img, n, ARGS_NONE, "");
	struct tload l = { 0xb0000000, 0xb0000000, 0x10, 0x10 };

	(void)state;
	/* a "Crash kernel" range */
	*s2 = sv;
	s2->crash.nregion = 1;
	s2->crash.region[0] = (struct mem_range){ 0x200000, 0x300000, 0 };
	plan_fails(s2, &rq, MPK_EXIT_NOSPACE, "PT_LOAD at 0x200000 '/k': 0x200000-0x201000 "
		   "overlaps the \"Crash kernel\" range 0x200000-0x300000 (crashkernel=; a "
		   "loaded capture kernel lives there); the ELF image must be loaded exactly "
		   "there");
	/* the --park-addr region */
	rq.park_addr = 0x1e0000;
	plan_fails(&sv, &rq, MPK_EXIT_NOSPACE, "PT_LOAD at 0x1ff000 '/k': 0x1ff000-0x200000 "
		   "overlaps the park region --park-addr=0x1e0000 asks for (0x45000 bytes); "
		   "the ELF image must be loaded exactly there");
	rq.park_addr = 0;
	/* not RAM (q35: reserved at 0xb0000000) */
	bad = elf_build(64, EM_X86_64, ET_EXEC, 0xb0000000, &l, 1, &n);
	rq.kernel = (struct blob){ .data = bad, .size = n };
	plan_fails(&sv, &rq, MPK_EXIT_NOSPACE, "PT_LOAD at 0xb0000000 '/k': 0xb0000000-"
		   "0xb0001000 is not free System RAM (reserved, ACPI, not memory, or taken by "
		   "another segment); the ELF image must be loaded exactly there");
	free(bad);
	/* the running kernel */
	l = (struct tload){ 0x2000000, 0x2000000, 0x10, 0x10 };
	bad = elf_build(64, EM_X86_64, ET_EXEC, 0x2000000, &l, 1, &n);
	rq.kernel = (struct blob){ .data = bad, .size = n };
	plan_fails(&sv, &rq, MPK_EXIT_NOSPACE, "PT_LOAD at 0x2000000 '/k': 0x2000000-"
		   "0x2001000 overlaps the running kernel's image 0x2000000-0x28eb000 (where the "
		   "other CPUs wait until purgatory runs; boot the running kernel with another "
		   "KASLR offset or nokaslr); the ELF image must be loaded exactly there");
	free(bad);
	/* page 0 */
	l = (struct tload){ 0x800, 0x800, 0x10, 0x10 };
	bad = elf_build(32, EM_386, ET_EXEC, 0x800, &l, 1, &n);
	rq.kernel = (struct blob){ .data = bad, .size = n };
	plan_fails(&sv, &rq, MPK_EXIT_NOSPACE, "PT_LOAD at 0x800 '/k': 0-0x1000 overlaps page 0 "
		   "(real-mode IVT and BIOS data); the ELF image must be loaded exactly there");
	free(bad);
	/* the EBDA (q35: RAM ends at 0x9fc00) */
	l = (struct tload){ 0x9f000, 0x9f000, 0x10, 0x1000 };
	bad = elf_build(32, EM_386, ET_EXEC, 0x9f000, &l, 1, &n);
	rq.kernel = (struct blob){ .data = bad, .size = n };
	plan_fails(&sv, &rq, MPK_EXIT_NOSPACE, "PT_LOAD at 0x9f000 '/k': 0x9f000-0xa0000 is not "
		   "System RAM below 1 MiB (firmware's, the EBDA, ROM or a hole); the ELF image "
		   "must be loaded exactly there");
	free(bad);
	free(s2);
	free(img);
}

/* Low RAM is usable (multiboot kernels live at 0x9000). */
static void test_low_memory(void **state)
{
	struct mpk_error err = { 0 };
	struct load_plan plan;
	struct tload l[2] = { { 0x9000, 0x9000, 0x100, 0x18000 },
			      { 0x90000, 0x90000, 0x2000, 0x2000 } };
	size_t n;
	uint8_t *img = elf_build(32, EM_386, ET_EXEC, 0x9000, l, 2, &n);
	struct load_request rq = request(img, n, ARGS_NONE, "");

	(void)state;
	assert_int_equal(elf_image_plan(&sv, &rq, purgatory_blob, PURG, &plan, &err), 0);
	assert_int_equal(nth_kernel(&plan, 0)->mem, 0x9000);
	assert_int_equal(nth_kernel(&plan, 0)->memsz, 0x18000);
	assert_int_equal(nth_kernel(&plan, 1)->mem, 0x90000);
	assert_int_equal(nth_kernel(&plan, 1)->memsz, 0x2000);
	load_plan_free(&plan);
	free(img);
}

static void test_too_many_segments(void **state)
{
	struct tload l[16];
	size_t n;
	uint8_t *img;
	struct load_request rq;

	(void)state;
	for (unsigned i = 0; i < 16; i++)
		l[i] = (struct tload){ 0x300000 + 0x2000 * i, 0x300000 + 0x2000 * i, 8, 8 };
	img = elf_build(64, EM_X86_64, ET_EXEC, 0x300000, l, 16, &n);
	rq = request(img, n, ARGS_LINUX, "");
	/* 16 PT_LOADs + boot_params + purgatory */
	plan_fails(&sv, &rq, MPK_EXIT_BADINPUT, "18 segments: kexec_load takes at most 16 "
		   "(payload, modules, information structure, purgatory and the AP handoff's "
		   "own); give fewer modules or an image with fewer PT_LOAD headers");
	free(img);
}

static void test_request_refusals(void **state)
{
	size_t n;
	uint8_t *img = file_slurp(ELF64, &n), *bad;
	struct load_request rq = request(img, n, ARGS_NONE, "");
	struct tload l = { 0x300000, 0xffffffff80300000ull, 0x10, 0x10 };

	(void)state;
	rq.initrd_path = "/i";
	plan_fails(&sv, &rq, MPK_EXIT_USAGE, "--initrd with ELF image '/k' and --args-none: a "
		   "payload entered without arguments cannot be told where the initrd is; add "
		   "--args-linux");
	rq.initrd_path = NULL;
	rq.nmodule = 1;
	plan_fails(&sv, &rq, MPK_EXIT_USAGE, "--module with an ELF image ('/k'): modules are for "
		   "multiboot images; the elf type loads none");
	rq.nmodule = 0;
	/* an entry nothing is loaded at */
	bad = elf_build(64, EM_X86_64, ET_EXEC, 0x400000, &l, 1, &n);
	rq.kernel = (struct blob){ .data = bad, .size = n };
	plan_fails(&sv, &rq, MPK_EXIT_BADINPUT, "ELF image '/k': entry point 0x400000 (physical "
		   "0x400000) lies in no PT_LOAD; the payload would start in memory nothing was "
		   "loaded into");
	free(bad);
	/* a virtual entry (Linux-like vaddr) translates through its PT_LOAD */
	bad = elf_build(64, EM_X86_64, ET_EXEC, 0xffffffff80300008ull, &l, 1, &n);
	rq.kernel = (struct blob){ .data = bad, .size = n };
	{
		struct load_plan plan;
		struct mpk_error err = { 0 };

		assert_int_equal(elf_image_plan(&sv, &rq, purgatory_blob, PURG, &plan, &err), 0);
		assert_int_equal(plan.params.entry, 0x300008);
		load_plan_free(&plan);
	}
	free(bad);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_real),
		cmocka_unit_test(test_probe_refusals),
		cmocka_unit_test(test_probe_synthetic),
		cmocka_unit_test(test_plan_elf64_none),
		cmocka_unit_test(test_plan_elf64_linux),
		cmocka_unit_test(test_plan_elf32),
		cmocka_unit_test(test_shared_pages),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_low_memory),
		cmocka_unit_test(test_too_many_segments),
		cmocka_unit_test(test_request_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
