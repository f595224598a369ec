/* SPDX-License-Identifier: GPL-2.0-only */
/* Linking the embedded purgatory (src/purgatory-link.c): purgatory_open on
 * the blob this binary carries (purgatory_blob .. purgatory_blob_end),
 * purgatory_relocate at different addresses, purgatory_set_params, and
 * copies of the blob corrupted one field at a time.
 *
 * The test reads the same ELF with libelf on its own to know where the
 * relocations are, and checks the linked image against the instructions of
 * purgatory/entry.S (cli; lgdt gdt_desc(%rip); ...; lretq) and the GDT it
 * holds, which do not depend on how the loader lays sections out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "error.h"
#include "mpkexec/purgatory-params.h"
#include "purgatory-link.h"

#define assert_msg_has(e, s)                                                    \
	do {                                                                    \
		if (!strstr((e).msg, (s)))                                      \
			fail_msg("error message \"%s\" lacks \"%s\"", (e).msg, (s)); \
	} while (0)

#define BLOB_LEN ((size_t)(purgatory_blob_end - purgatory_blob))

/* --- an independent look at the object ---------------------------------- */

#define MAX_SEC 64
#define MAX_REL 1024

struct rel {
	size_t loc;          /* offset in the loaded image */
	unsigned type;
	uint64_t target;     /* S + A - load address: offset of the target */
	size_t file_off;     /* of the Elf64_Rela entry in the object */
	char sym[64];
};

struct objinfo {
	size_t nsec;
	uint64_t secoff[MAX_SEC];    /* layout: SHF_ALLOC sections in file order */
	uint64_t sh_offset[MAX_SEC];
	uint64_t sh_size[MAX_SEC];
	uint32_t sh_type[MAX_SEC];
	char name[MAX_SEC][32];
	size_t image_size;
	struct rel rel[MAX_REL];
	size_t nrel;
	size_t shoff, shentsize;
	/* symbols by name: file offset of the Elf64_Sym entry */
	size_t sym_entry_off, sym_params_off;
	uint64_t entry_value, params_value;
	size_t entry_shndx, params_shndx;
	size_t strtab_off, strtab_size;
};

static struct objinfo oi;

static int read_object(void **state)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	uint64_t off = 0;

	(void)state;
	memset(&oi, 0, sizeof(oi));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	elf = elf_memory((char *)purgatory_blob, BLOB_LEN);
	if (!elf || !gelf_getehdr(elf, &eh) || elf_getshdrnum(elf, &oi.nsec) < 0 ||
	    oi.nsec > MAX_SEC)
		return -1;
	oi.shoff = eh.e_shoff;
	oi.shentsize = eh.e_shentsize;
	while ((scn = elf_nextscn(elf, scn))) {
		size_t i = elf_ndxscn(scn);
		GElf_Shdr sh;

		gelf_getshdr(scn, &sh);
		oi.secoff[i] = UINT64_MAX;
		oi.sh_offset[i] = sh.sh_offset;
		oi.sh_size[i] = sh.sh_size;
		oi.sh_type[i] = sh.sh_type;
		snprintf(oi.name[i], sizeof(oi.name[i]), "%s",
			 elf_strptr(elf, eh.e_shstrndx, sh.sh_name));
		if ((sh.sh_flags & SHF_ALLOC) && sh.sh_size) {
			uint64_t a = sh.sh_addralign ? sh.sh_addralign : 1;

			off = (off + a - 1) & ~(a - 1);
			oi.secoff[i] = off;
			off += sh.sh_size;
		}
	}
	oi.image_size = (off + 4095) & ~4095ull;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		gelf_getshdr(scn, &sh);
		d = elf_getdata(scn, NULL);
		if (sh.sh_type == SHT_SYMTAB) {
			for (size_t k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
				GElf_Sym s;
				const char *n;

				gelf_getsym(d, (int)k, &s);
				n = elf_strptr(elf, sh.sh_link, s.st_name);
				if (n && strcmp(n, "purgatory_start") == 0) {
					oi.sym_entry_off = sh.sh_offset + k * sh.sh_entsize;
					oi.entry_value = s.st_value;
					oi.entry_shndx = s.st_shndx;
				} else if (n && strcmp(n, "purgatory_params") == 0) {
					oi.sym_params_off = sh.sh_offset + k * sh.sh_entsize;
					oi.params_value = s.st_value;
					oi.params_shndx = s.st_shndx;
				}
			}
			oi.strtab_off = oi.sh_offset[sh.sh_link];
			oi.strtab_size = oi.sh_size[sh.sh_link];
		}
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh, symsh;
		Elf_Data *d, *symd;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_RELA || oi.secoff[sh.sh_info] == UINT64_MAX)
			continue;
		d = elf_getdata(scn, NULL);
		gelf_getshdr(elf_getscn(elf, sh.sh_link), &symsh);
		symd = elf_getdata(elf_getscn(elf, sh.sh_link), NULL);
		for (size_t k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
			struct rel *r = &oi.rel[oi.nrel++];
			GElf_Rela ra;
			GElf_Sym s;

			if (oi.nrel > MAX_REL)
				return -1;
			gelf_getrela(d, (int)k, &ra);
			gelf_getsym(symd, (int)GELF_R_SYM(ra.r_info), &s);
			r->loc = oi.secoff[sh.sh_info] + ra.r_offset;
			r->type = (unsigned)GELF_R_TYPE(ra.r_info);
			r->target = oi.secoff[s.st_shndx] + s.st_value + (uint64_t)ra.r_addend;
			r->file_off = sh.sh_offset + k * sh.sh_entsize;
			snprintf(r->sym, sizeof(r->sym), "%s",
				 elf_strptr(elf, symsh.sh_link, s.st_name));
		}
	}
	elf_end(elf);
	return oi.nrel && oi.sym_entry_off && oi.sym_params_off ? 0 : -1;
}

static uint8_t *blob_copy(void)
{
	uint8_t *c = malloc(BLOB_LEN);

	assert_non_null(c);
	memcpy(c, purgatory_blob, BLOB_LEN);
	return c;
}

static size_t find_section(const char *name)
{
	for (size_t i = 1; i < oi.nsec; i++)
		if (strcmp(oi.name[i], name) == 0)
			return i;
	fail_msg("no section %s in the purgatory object", name);
	return 0;
}

/* Offset of purgatory/entry.S's GDT in the image: null, unused, code64,
 * data descriptors, 16-byte aligned. */
static size_t find_gdt(const uint8_t *buf, size_t size)
{
	static const uint8_t gdt[32] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0, 0, 0, 0x9a, 0xaf, 0x00,
		0xff, 0xff, 0, 0, 0, 0x92, 0xcf, 0x00,
	};

	for (size_t o = 0; o + sizeof(gdt) <= size; o += 16)
		if (memcmp(buf + o, gdt, sizeof(gdt)) == 0)
			return o;
	fail_msg("GDT not found in the purgatory image");
	return 0;
}

/* --- purgatory_open ----------------------------------------------------- */

static void test_open_blob(void **state)
{
	struct purgatory_image img;
	struct mpk_error err = { 0 };
	size_t text = find_section(".text");

	(void)state;
	assert_true(BLOB_LEN > 1024);
	assert_memory_equal(purgatory_blob, "\177ELF", 4);
	assert_int_equal(purgatory_open(purgatory_blob, BLOB_LEN, &img, &err), 0);
	assert_non_null(img.buf);
	assert_true(img.size > 0);
	assert_int_equal(img.size % 4096, 0);
	assert_int_equal(img.size, oi.image_size);
	assert_true(img.align >= 4096);
	assert_int_equal(img.align & (img.align - 1), 0);
	assert_true(img.entry_off < img.size);
	assert_true(img.params_off + sizeof(struct mpk_purgatory_params) <= img.size);
	assert_int_equal(img.params_off % 8, 0);
	/* the symbols as the object defines them */
	assert_int_equal(img.entry_off, oi.secoff[oi.entry_shndx] + oi.entry_value);
	assert_int_equal(img.params_off, oi.secoff[oi.params_shndx] + oi.params_value);
	/* purgatory_start: cli; lgdt disp32(%rip) */
	assert_int_equal(img.buf[img.entry_off], 0xfa);
	assert_memory_equal(img.buf + img.entry_off + 1, "\x0f\x01\x15", 3);
	/* every loaded PROGBITS section is copied where the layout puts it,
	 * byte for byte (before relocation) */
	for (size_t i = 1; i < oi.nsec; i++) {
		if (oi.secoff[i] == UINT64_MAX)
			continue;
		if (oi.sh_type[i] == SHT_NOBITS) {
			for (size_t b = 0; b < oi.sh_size[i]; b++)
				if (img.buf[oi.secoff[i] + b])
					fail_msg("%s byte %zu is not zero", oi.name[i], b);
			continue;
		}
		if (memcmp(img.buf + oi.secoff[i], purgatory_blob + oi.sh_offset[i], oi.sh_size[i]))
			fail_msg("section %s not copied at %#llx", oi.name[i],
				 (unsigned long long)oi.secoff[i]);
	}
	assert_int_equal(oi.secoff[text], 0);
	/* the parameter block starts out zeroed (purgatory checks its magic) */
	for (size_t b = 0; b < sizeof(struct mpk_purgatory_params); b++)
		assert_int_equal(img.buf[img.params_off + b], 0);
	purgatory_close(&img);
	assert_null(img.buf);
	assert_int_equal(img.size, 0);
}

/* --- purgatory_relocate ------------------------------------------------- */

static void check_linked(const struct purgatory_image *img, uint64_t load)
{
	const uint8_t *e = img->buf + img->entry_off;
	size_t gdt = find_gdt(img->buf, img->size);
	int32_t disp;
	uint64_t target;

	assert_int_equal(img->load_addr, load);
	assert_int_equal(img->entry, load + img->entry_off);
	/* lgdt gdt_desc(%rip): the descriptor follows the GDT (entry.S) */
	disp = (int32_t)get_le32(e + 4);
	target = img->entry_off + 8 + (int64_t)disp;
	assert_true(target + 10 <= img->size);
	assert_int_equal(get_le16(img->buf + target), 32 - 1);          /* limit */
	assert_int_equal(get_le64(img->buf + target + 2), load + gdt);  /* base */
	/* leaq stack_top(%rip), %rsp: a 16-byte aligned top inside the image */
	assert_memory_equal(e + 8, "\x48\x8d\x25", 3);
	disp = (int32_t)get_le32(e + 11);
	target = img->entry_off + 15 + (int64_t)disp;
	assert_true(target <= img->size);
	assert_true(target >= 16384);
	assert_int_equal(target % 16, 0);
	/* pushq $0x10; leaq 1f(%rip), %rax; pushq %rax; lretq; then the branch
	 * to the mailbox path: testl $MPK_PF_MAILBOX_APS, flags(%rip) */
	assert_memory_equal(e + 0x1e, "\x68\x10\x00\x00\x00", 5);
	assert_memory_equal(e + 0x2a, "\x50\x48\xcb\xf7\x05", 5);
	assert_int_equal(get_le32(e + 0x33), MPK_PF_MAILBOX_APS);
}

static void test_relocate_entry_and_gdt(void **state)
{
	static const uint64_t addrs[] = { 0x100000, 0x3fecd000, 0xfffff000 - 0x20000,
					  0x100000000ull };
	struct mpk_error err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct purgatory_image img;

		assert_int_equal(purgatory_open(purgatory_blob, BLOB_LEN, &img, &err), 0);
		if (purgatory_relocate(&img, addrs[i], &err) < 0)
			fail_msg("relocate at %#llx: %s", (unsigned long long)addrs[i], err.msg);
		check_linked(&img, addrs[i]);
		purgatory_close(&img);
	}
}

/* Every relocation the object has, checked at two load addresses; the two
 * images differ exactly in the 64-bit absolute fields, by the distance
 * between the addresses. */
static void test_relocate_two_addresses(void **state)
{
	const uint64_t a1 = 0x100000, a2 = 0x7ff00000;
	struct purgatory_image i1, i2, i0;
	struct mpk_error err = { 0 };
	uint8_t *covered;
	unsigned n64 = 0, npc = 0;
	size_t ndiff = 0;

	(void)state;
	assert_int_equal(purgatory_open(purgatory_blob, BLOB_LEN, &i0, &err), 0);
	assert_int_equal(purgatory_open(purgatory_blob, BLOB_LEN, &i1, &err), 0);
	assert_int_equal(purgatory_open(purgatory_blob, BLOB_LEN, &i2, &err), 0);
	assert_int_equal(purgatory_relocate(&i1, a1, &err), 0);
	assert_int_equal(purgatory_relocate(&i2, a2, &err), 0);
	assert_int_equal(i1.size, i2.size);
	covered = calloc(1, i1.size);
	assert_non_null(covered);
	for (size_t k = 0; k < oi.nrel; k++) {
		const struct rel *r = &oi.rel[k];

		assert_true(r->target < i1.size);
		switch (r->type) {
		case R_X86_64_64:
			n64++;
			assert_int_equal(get_le64(i1.buf + r->loc), a1 + r->target);
			assert_int_equal(get_le64(i2.buf + r->loc), a2 + r->target);
			memset(covered + r->loc, 1, 8);
			break;
		case R_X86_64_PC32:
		case R_X86_64_PLT32:
			npc++;
			assert_int_equal((int32_t)get_le32(i1.buf + r->loc),
					 (int64_t)r->target - (int64_t)r->loc);
			assert_int_equal(get_le32(i2.buf + r->loc), get_le32(i1.buf + r->loc));
			memset(covered + r->loc, 2, 4);
			break;
		default:
			fail_msg("relocation type %u in the blob: extend this test", r->type);
		}
	}
	assert_true(n64 > 50);  /* -mcmodel=large: absolute addresses everywhere */
	assert_true(npc >= 3);  /* lgdt, leaq stack_top, call purgatory_main */
	for (size_t b = 0; b < i1.size; b++) {
		if (i1.buf[b] != i2.buf[b]) {
			ndiff++;
			if (covered[b] != 1)
				fail_msg("byte %#zx differs between load addresses but no "
					 "64-bit relocation covers it", b);
		} else if (!covered[b]) {
			/* outside relocations: the bytes as the object has them */
			assert_int_equal(i1.buf[b], i0.buf[b]);
		}
	}
	/* each 64-bit field differs in at least one byte */
	assert_true(ndiff >= n64);
	free(covered);
	purgatory_close(&i0);
	purgatory_close(&i1);
	purgatory_close(&i2);
}

/* Relocating again at another address gives what a fresh image gives. */
static void test_relocate_again(void **state)
{
	struct purgatory_image a, b;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(purgatory_open(purgatory_blob, BLOB_LEN, &a, &err), 0);
	assert_int_equal(purgatory_open(purgatory_blob, BLOB_LEN, &b, &err), 0);
	assert_int_equal(purgatory_relocate(&a, 0x200000, &err), 0);
	assert_int_equal(purgatory_relocate(&a, 0x3ff00000, &err), 0);
	assert_int_equal(purgatory_relocate(&b, 0x3ff00000, &err), 0);
	assert_int_equal(a.entry, b.entry);
	assert_memory_equal(a.buf, b.buf, a.size);
	purgatory_close(&a);
	purgatory_close(&b);
}

static void test_misaligned_load_address(void **state)
{
	struct purgatory_image img;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(purgatory_open(purgatory_blob, BLOB_LEN, &img, &err), 0);
	assert_int_equal(purgatory_relocate(&img, 0x100800, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_INTERNAL);
	assert_string_equal(err.msg, "purgatory: load address 0x100800 not aligned");
	assert_int_equal(purgatory_relocate(&img, 0x100000 + img.align / 2, &err), -1);
	assert_msg_has(err, "not aligned");
	assert_int_equal(purgatory_relocate(&img, 0x100000 + img.align, &err), 0);
	purgatory_close(&img);
}

/* --- purgatory_set_params ----------------------------------------------- */

static void test_set_params(void **state)
{
	struct purgatory_image img;
	struct mpk_error err = { 0 };
	struct mpk_purgatory_params *p = calloc(1, sizeof(*p));
	uint8_t *before;

	(void)state;
	assert_non_null(p);
	assert_int_equal(purgatory_open(purgatory_blob, BLOB_LEN, &img, &err), 0);
	assert_int_equal(purgatory_relocate(&img, 0x3ff00000, &err), 0);
	before = malloc(img.size);
	assert_non_null(before);
	memcpy(before, img.buf, img.size);
	p->magic = MPK_PURGATORY_MAGIC;
	p->version = MPK_PURGATORY_VERSION;
	p->flags = MPK_PF_VERIFY_DIGESTS | MPK_PF_INIT_APS;
	p->serial_port = 0x3f8;
	p->entry = 0x4400200;
	p->entry_rsi = 0x3fedc000;
	p->nr_ranges = 2;
	p->ranges[0] = (struct mpk_digest_range){ 0x4400000, 0x7d8200, 0x1122334455667788ull };
	p->ranges[1] = (struct mpk_digest_range){ 0x3fedc000, 0x1040, 0x99aabbccddeeff00ull };
	p->nr_aps = 4;
	for (unsigned i = 0; i < 4; i++)
		p->aps[i].apic_id = i;
	p->aps[MPK_MAX_APS - 1].apic_id = 0xabcdef01; /* the last byte is written too */
	purgatory_set_params(&img, p);
	assert_memory_equal(img.buf + img.params_off, p, sizeof(*p));
	assert_memory_equal(img.buf, before, img.params_off);
	assert_memory_equal(img.buf + img.params_off + sizeof(*p),
			    before + img.params_off + sizeof(*p),
			    img.size - img.params_off - sizeof(*p));
	/* "PMPK" in memory, little-endian */
	assert_memory_equal(img.buf + img.params_off, "PMPK", 4);
	free(before);
	free(p);
	purgatory_close(&img);
}

/* --- broken objects ----------------------------------------------------- */

static void expect_open_fails(const uint8_t *obj, size_t len, const char *phrase)
{
	struct purgatory_image img;
	struct mpk_error err = { 0 };

	assert_int_equal(purgatory_open(obj, len, &img, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_INTERNAL);
	assert_msg_has(err, "purgatory object");
	assert_msg_has(err, phrase);
	assert_null(img.buf); /* nothing left allocated */
	assert_null(img.elf_copy);
}

static void test_not_relocatable(void **state)
{
	uint8_t *c = blob_copy();
	FILE *f = fopen("/bin/true", "rb");
	uint8_t *exe = malloc(1 << 20);
	size_t n;

	(void)state;
	assert_non_null(f);
	assert_non_null(exe);
	n = fread(exe, 1, 1 << 20, f);
	fclose(f);
	expect_open_fails(exe, n, "not an x86_64 ELF64 relocatable object");
	put_le16(c + 16, ET_EXEC);
	expect_open_fails(c, BLOB_LEN, "not an x86_64 ELF64 relocatable object");
	put_le16(c + 16, ET_REL);
	put_le16(c + 18, EM_386);
	expect_open_fails(c, BLOB_LEN, "not an x86_64 ELF64 relocatable object");
	memset(exe, 0x5a, 4096);
	expect_open_fails(exe, 4096, "purgatory object");
	free(exe);
	free(c);
}

static void test_truncated_object(void **state)
{
	(void)state;
	/* section headers are at the end of the object: cut them off */
	expect_open_fails(purgatory_blob, oi.shoff, "purgatory object");
	expect_open_fails(purgatory_blob, 64, "purgatory object");
}

static void test_missing_entry_symbol(void **state)
{
	uint8_t *c = blob_copy();
	uint8_t *s = memmem(c + oi.strtab_off, oi.strtab_size, "\0purgatory_start\0", 17);

	(void)state;
	assert_non_null(s);
	s[13] = 'X'; /* purgatory_staXt */
	expect_open_fails(c, BLOB_LEN, "missing symbol 'purgatory_start'");
	free(c);
}

static void test_undefined_entry_symbol(void **state)
{
	uint8_t *c = blob_copy();

	(void)state;
	put_le16(c + oi.sym_entry_off + 6, 0 /* SHN_UNDEF */);
	expect_open_fails(c, BLOB_LEN, "undefined symbol 'purgatory_start'");
	free(c);
}

static void test_params_size_mismatch(void **state)
{
	uint8_t *c = blob_copy();
	char want[128];

	(void)state;
	assert_int_equal(get_le64(c + oi.sym_params_off + 16), sizeof(struct mpk_purgatory_params));
	put_le64(c + oi.sym_params_off + 16, sizeof(struct mpk_purgatory_params) + 8);
	snprintf(want, sizeof(want), "'purgatory_params' is %zu bytes, the loader expects %zu",
		 sizeof(struct mpk_purgatory_params) + 8, sizeof(struct mpk_purgatory_params));
	expect_open_fails(c, BLOB_LEN, want);
	expect_open_fails(c, BLOB_LEN, "mismatched builds");
	free(c);
}

static const struct rel *find_rel(unsigned type, const char *sym)
{
	for (size_t k = 0; k < oi.nrel; k++)
		if (oi.rel[k].type == type && (!sym || strcmp(oi.rel[k].sym, sym) == 0))
			return &oi.rel[k];
	fail_msg("no relocation of type %u against %s", type, sym ? sym : "anything");
	return NULL;
}

static void expect_relocate_fails(const uint8_t *obj, uint64_t addr, const char *phrase)
{
	struct purgatory_image img;
	struct mpk_error err = { 0 };

	assert_int_equal(purgatory_open(obj, BLOB_LEN, &img, &err), 0);
	assert_int_equal(purgatory_relocate(&img, addr, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_INTERNAL);
	assert_msg_has(err, phrase);
	purgatory_close(&img);
}

static void test_unsupported_relocation(void **state)
{
	uint8_t *c = blob_copy();
	/* call purgatory_main: R_X86_64_PLT32 (or PC32 with older binutils) */
	const struct rel *r = find_rel(R_X86_64_PLT32, "purgatory_main");

	(void)state;
	put_le32(c + r->file_off + 8, R_X86_64_GOTPCREL); /* r_info type, low half */
	expect_relocate_fails(c, 0x100000,
			      "unsupported relocation type 9 against 'purgatory_main'");
	free(c);
}

static void test_relocation_overflow(void **state)
{
	uint8_t *c = blob_copy();
	const struct rel *r = find_rel(R_X86_64_64, NULL);
	struct purgatory_image img;
	struct mpk_error err = { 0 };
	char want[160];

	(void)state;
	/* the same field as a zero-extended 32-bit address */
	put_le32(c + r->file_off + 8, R_X86_64_32);
	assert_int_equal(purgatory_open(c, BLOB_LEN, &img, &err), 0);
	assert_int_equal(purgatory_relocate(&img, 0x100000, &err), 0);
	assert_int_equal(get_le32(img.buf + r->loc), 0x100000 + r->target);
	purgatory_close(&img);
	snprintf(want, sizeof(want), "relocation type 10 against '%s' overflows at load "
		 "address 0x100000000", r->sym);
	expect_relocate_fails(c, 0x100000000ull, want);
	/* sign-extended: 2 GiB and above overflow */
	put_le32(c + r->file_off + 8, R_X86_64_32S);
	assert_int_equal(purgatory_open(c, BLOB_LEN, &img, &err), 0);
	assert_int_equal(purgatory_relocate(&img, 0x7ff00000, &err), 0);
	purgatory_close(&img);
	expect_relocate_fails(c, 0x80000000, "relocation type 11");
	free(c);
}

/* A relocation's field is as wide as its type: a PC32 in the last 4 bytes
 * of its section is applied, one byte further it is outside, and an
 * 8-byte R_X86_64_64 there is outside too. */
static void test_relocation_at_section_end(void **state)
{
	uint8_t *c = blob_copy();
	const struct rel *r = find_rel(R_X86_64_PLT32, "purgatory_main");
	size_t text = find_section(".text");
	uint64_t size = oi.sh_size[text], at = size - 4;
	struct purgatory_image img;
	struct mpk_error err = { 0 };
	char want[160];
	uint32_t v;

	(void)state;
	assert_true(r->loc >= oi.secoff[text] && r->loc < oi.secoff[text] + size);
	put_le64(c + r->file_off, at);                      /* r_offset */
	put_le32(c + r->file_off + 8, R_X86_64_PC32);
	assert_int_equal(purgatory_open(c, BLOB_LEN, &img, &err), 0);
	if (purgatory_relocate(&img, 0x100000, &err) < 0)
		fail_msg("%s", err.msg);
	v = get_le32(img.buf + oi.secoff[text] + at);
	assert_int_equal(v, (uint32_t)(r->target - (oi.secoff[text] + at)));
	purgatory_close(&img);
	put_le64(c + r->file_off, at + 1);
	snprintf(want, sizeof(want), "relocation at %#llx (4 bytes) outside its section",
		 (unsigned long long)(at + 1));
	expect_relocate_fails(c, 0x100000, want);
	put_le64(c + r->file_off, at);
	put_le32(c + r->file_off + 8, R_X86_64_64);
	snprintf(want, sizeof(want), "relocation at %#llx (8 bytes) outside its section",
		 (unsigned long long)at);
	expect_relocate_fails(c, 0x100000, want);
	put_le64(c + r->file_off, UINT64_MAX - 2);          /* r_offset + 8 would wrap */
	expect_relocate_fails(c, 0x100000, "relocation at 0xfffffffffffffffd (8 bytes) "
			      "outside its section");
	free(c);
}

static void test_rel_section_refused(void **state)
{
	uint8_t *c = blob_copy();
	size_t rd = find_section(".rela.data");

	(void)state;
	/* sh_type of .rela.data := SHT_REL */
	put_le32(c + oi.shoff + rd * oi.shentsize + 4, SHT_REL);
	expect_relocate_fails(c, 0x100000, "REL (not RELA) relocations");
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_blob),
		cmocka_unit_test(test_relocate_entry_and_gdt),
		cmocka_unit_test(test_relocate_two_addresses),
		cmocka_unit_test(test_relocate_again),
		cmocka_unit_test(test_misaligned_load_address),
		cmocka_unit_test(test_set_params),
		cmocka_unit_test(test_not_relocatable),
		cmocka_unit_test(test_truncated_object),
		cmocka_unit_test(test_missing_entry_symbol),
		cmocka_unit_test(test_undefined_entry_symbol),
		cmocka_unit_test(test_params_size_mismatch),
		cmocka_unit_test(test_unsupported_relocation),
		cmocka_unit_test(test_relocation_overflow),
		cmocka_unit_test(test_relocation_at_section_end),
		cmocka_unit_test(test_rel_section_refused),
	};

	return cmocka_run_group_tests_name("purgatory link", tests, read_object, NULL);
}
