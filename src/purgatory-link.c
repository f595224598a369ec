/* SPDX-License-Identifier: GPL-2.0-only */
#include "purgatory-link.h"

#include "arch.h"

#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#define SYM_ENTRY  "purgatory_start"
#define SYM_PARAMS "purgatory_params"

static int elf_err(struct mpk_error *err, const char *what)
{
	return mpk_fail(err, MPK_EXIT_INTERNAL, "purgatory object: %s: %s", what,
			elf_errmsg(-1));
}

/* Resolves a symbol to its offset in buf (section-relative in ET_REL). */
static int sym_offset(const struct purgatory_image *img, const GElf_Sym *sym,
		      const char *name, uint64_t *off, struct mpk_error *err)
{
	if (sym->st_shndx == SHN_UNDEF)
		return mpk_fail(err, MPK_EXIT_INTERNAL,
				"purgatory object: undefined symbol '%s' (purgatory must be "
				"self-contained)", name);
	if (sym->st_shndx == SHN_ABS || sym->st_shndx >= img->nsec ||
	    img->sec_off[sym->st_shndx] == UINT64_MAX)
		return mpk_fail(err, MPK_EXIT_INTERNAL,
				"purgatory object: symbol '%s' is not in a loaded section", name);
	*off = img->sec_off[sym->st_shndx] + sym->st_value;
	return 0;
}

static Elf *open_elf(const struct purgatory_image *img, struct mpk_error *err)
{
	Elf *elf = elf_memory((char *)img->elf_copy, img->elf_len);
	GElf_Ehdr eh;

	if (!elf) {
		elf_err(err, "elf_memory");
		return NULL;
	}
	if (!gelf_getehdr(elf, &eh) || eh.e_type != ET_REL || eh.e_machine != ARCH_ELF_MACHINE ||
	    gelf_getclass(elf) != ELFCLASS64) {
		elf_end(elf);
		mpk_fail(err, MPK_EXIT_INTERNAL,
			 "purgatory object: not an " ARCH_NAME " ELF64 relocatable object");
		return NULL;
	}
	return elf;
}

/* Finds the symbols the loader needs, by name, in .symtab. */
static int find_symbols(struct purgatory_image *img, Elf *elf, struct mpk_error *err)
{
	Elf_Scn *scn = NULL;
	int found = 0;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			uint64_t off;

			if (!gelf_getsym(data, (int)i, &sym))
				return elf_err(err, "symbol table");
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name)
				continue;
			if (strcmp(name, SYM_ENTRY) == 0) {
				if (sym_offset(img, &sym, name, &off, err) < 0)
					return -1;
				img->entry_off = off;
				found |= 1;
			} else if (strcmp(name, SYM_PARAMS) == 0) {
				if (sym_offset(img, &sym, name, &off, err) < 0)
					return -1;
				if (sym.st_size != ARCH_PURGATORY_PARAMS_SIZE)
					return mpk_fail(err, MPK_EXIT_INTERNAL,
							"purgatory object: '%s' is %" PRIu64 " bytes, "
							"the loader expects %zu (mismatched builds)",
							name, (uint64_t)sym.st_size,
							(size_t)ARCH_PURGATORY_PARAMS_SIZE);
				img->params_off = off;
				found |= 2;
			}
		}
	}
	if (found != 3)
		return mpk_fail(err, MPK_EXIT_INTERNAL,
				"purgatory object: missing symbol '%s'",
				(found & 1) ? SYM_PARAMS : SYM_ENTRY);
	return 0;
}

int purgatory_open(const uint8_t *elfbytes, size_t len, struct purgatory_image *img,
		   struct mpk_error *err)
{
	Elf_Scn *scn = NULL;
	Elf *elf;
	size_t off = 0;

	memset(img, 0, sizeof(*img));
	img->align = 4096;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return elf_err(err, "libelf version");
	img->elf_copy = malloc(len);
	if (!img->elf_copy)
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	memcpy(img->elf_copy, elfbytes, len);
	img->elf_len = len;
	elf = open_elf(img, err);
	if (!elf)
		goto fail;
	if (elf_getshdrnum(elf, &img->nsec) < 0) {
		elf_err(err, "section count");
		goto fail_elf;
	}
	img->sec_off = malloc(img->nsec * sizeof(*img->sec_off));
	if (!img->sec_off) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		goto fail_elf;
	}
	for (size_t i = 0; i < img->nsec; i++)
		img->sec_off[i] = UINT64_MAX;
	/* Lay out every allocated section in file order, each at its alignment. */
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		uint64_t a;

		if (!gelf_getshdr(scn, &sh)) {
			elf_err(err, "section header");
			goto fail_elf;
		}
		if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0)
			continue;
		a = sh.sh_addralign ? sh.sh_addralign : 1;
		if (a & (a - 1)) {
			mpk_fail(err, MPK_EXIT_INTERNAL, "purgatory object: bad alignment");
			goto fail_elf;
		}
		if (a > img->align)
			img->align = a;
		off = (off + a - 1) & ~(a - 1);
		img->sec_off[elf_ndxscn(scn)] = off;
		off += sh.sh_size;
	}
	img->size = (off + 4095) & ~(size_t)4095;
	img->buf = calloc(1, img->size);
	if (!img->buf) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		goto fail_elf;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data = NULL;
		uint64_t o = img->sec_off[elf_ndxscn(scn)];

		if (o == UINT64_MAX || !gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		while ((data = elf_getdata(scn, data)))
			if (data->d_buf && data->d_size)
				memcpy(img->buf + o + data->d_off, data->d_buf, data->d_size);
	}
	if (find_symbols(img, elf, err) < 0)
		goto fail_elf;
	elf_end(elf);
	return 0;
fail_elf:
	elf_end(elf);
fail:
	purgatory_close(img);
	return -1;
}

static uint64_t sh_target_size(const struct purgatory_image *img, Elf *elf, size_t ndx)
{
	GElf_Shdr sh;
	Elf_Scn *scn = elf_getscn(elf, ndx);

	(void)img;
	return scn && gelf_getshdr(scn, &sh) ? sh.sh_size : 0;
}

static int apply_rela(struct purgatory_image *img, Elf *elf, GElf_Shdr *sh,
		      Elf_Scn *scn, GElf_Shdr *symsh, Elf_Data *symdata,
		      struct mpk_error *err)
{
	uint64_t target = img->sec_off[sh->sh_info];
	Elf_Data *data = elf_getdata(scn, NULL);

	for (size_t i = 0; data && i < sh->sh_size / sh->sh_entsize; i++) {
		GElf_Rela r;
		GElf_Sym sym;
		const char *name;
		uint64_t soff, S, P, v, tsize;
		uint8_t *loc;
		unsigned type, width;

		if (!gelf_getrela(data, (int)i, &r) ||
		    !gelf_getsym(symdata, (int)GELF_R_SYM(r.r_info), &sym))
			return elf_err(err, "relocation");
		name = elf_strptr(elf, symsh->sh_link, sym.st_name);
		if (sym_offset(img, &sym, name ? name : "?", &soff, err) < 0)
			return -1;
		type = (unsigned)GELF_R_TYPE(r.r_info);
		width = arch_reloc_width(type);
		tsize = sh_target_size(img, elf, sh->sh_info);
		/* The field, as wide as its type writes (a PC32 in a section's last
		 * 4 bytes is fine), lies inside the section; no sum that wraps. */
		if (r.r_offset > tsize || tsize - r.r_offset < width)
			return mpk_fail(err, MPK_EXIT_INTERNAL,
					"purgatory object: relocation at %#" PRIx64 " (%u bytes) "
					"outside its section", (uint64_t)r.r_offset, width);
		S = img->load_addr + soff;
		P = img->load_addr + target + r.r_offset;
		loc = img->buf + target + r.r_offset;
		v = S + (uint64_t)r.r_addend;
		switch (arch_reloc_apply(type, loc, v, P)) {
		case ARCH_RELOC_OK:
			break;
		case ARCH_RELOC_OVERFLOW:
			goto overflow;
		case ARCH_RELOC_UNSUPPORTED:
			return mpk_fail(err, MPK_EXIT_INTERNAL,
					"purgatory object: unsupported relocation type %u "
					"against '%s'", type, name ? name : "?");
		}
		continue;
overflow:
		return mpk_fail(err, MPK_EXIT_INTERNAL,
				"purgatory object: relocation type %u against '%s' overflows "
				"at load address %#" PRIx64, type, name ? name : "?",
				img->load_addr);
	}
	return 0;
}

int purgatory_relocate(struct purgatory_image *img, uint64_t load_addr,
		       struct mpk_error *err)
{
	Elf_Scn *scn = NULL;
	Elf *elf;
	int rc = 0;

	if (load_addr & (img->align - 1))
		return mpk_fail(err, MPK_EXIT_INTERNAL,
				"purgatory: load address %#" PRIx64 " not aligned", load_addr);
	img->load_addr = load_addr;
	img->entry = load_addr + img->entry_off;
	elf = open_elf(img, err);
	if (!elf)
		return -1;
	while (rc == 0 && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh, symsh;
		Elf_Scn *symscn;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_REL) {
			rc = mpk_fail(err, MPK_EXIT_INTERNAL,
				      "purgatory object: REL (not RELA) relocations");
			break;
		}
		if (sh.sh_type != SHT_RELA || sh.sh_info >= img->nsec ||
		    img->sec_off[sh.sh_info] == UINT64_MAX)
			continue; /* relocations for debug sections */
		symscn = elf_getscn(elf, sh.sh_link);
		if (!symscn || !gelf_getshdr(symscn, &symsh)) {
			rc = elf_err(err, "symbol table of relocations");
			break;
		}
		rc = apply_rela(img, elf, &sh, scn, &symsh, elf_getdata(symscn, NULL), err);
	}
	elf_end(elf);
	return rc;
}

void purgatory_set_params(struct purgatory_image *img, const void *params)
{
	memcpy(img->buf + img->params_off, params, ARCH_PURGATORY_PARAMS_SIZE);
}

void purgatory_close(struct purgatory_image *img)
{
	free(img->buf);
	free(img->elf_copy);
	free(img->sec_off);
	memset(img, 0, sizeof(*img));
}
