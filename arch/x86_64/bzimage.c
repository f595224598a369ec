/* SPDX-License-Identifier: GPL-2.0-only */
#include "bzimage.h"

#include <stdio.h>
#include <string.h>

#include "mpkexec/bootparam.h"

/* PE/COFF, as far as finding the certificate table (the Authenticode
 * signature sbsign/pesign append) of an EFI-stub kernel. */
#define MZ_LFANEW        0x3cu  /* u32: offset of "PE\0\0" */
#define PE_OPT_HDR_SIZE  20u    /* u16 in the COFF header, after the signature */
#define PE_OPT_HDR       24u    /* optional header, after signature + COFF header */
#define PE32_MAGIC       0x10bu
#define PE32P_MAGIC      0x20bu
#define PE_DIR_SECURITY  4u     /* data directory index: { file offset, size } */

/* Size of the certificate table that starts exactly at `end` and reaches the
 * end of the file, as the PE header records it; 0 if there is none. */
static size_t pe_signature_at(const uint8_t *image, size_t size, size_t end)
{
	size_t pe, opt, optlen, ndirs_at, dirs;
	uint32_t off, len;

	if (size < MZ_LFANEW + 4 || image[0] != 'M' || image[1] != 'Z')
		return 0;
	pe = get_le32(image + MZ_LFANEW);
	if (pe > size || size - pe < PE_OPT_HDR + 2 || memcmp(image + pe, "PE\0\0", 4) != 0)
		return 0;
	opt = pe + PE_OPT_HDR;
	optlen = get_le16(image + pe + PE_OPT_HDR_SIZE);
	if (optlen > size - opt)
		return 0;
	switch (get_le16(image + opt)) {
	case PE32_MAGIC:
		ndirs_at = 92;
		dirs = 96;
		break;
	case PE32P_MAGIC:
		ndirs_at = 108;
		dirs = 112;
		break;
	default:
		return 0;
	}
	if (optlen < dirs + (PE_DIR_SECURITY + 1) * 8 ||
	    get_le32(image + opt + ndirs_at) <= PE_DIR_SECURITY)
		return 0;
	off = get_le32(image + opt + dirs + PE_DIR_SECURITY * 8);
	len = get_le32(image + opt + dirs + PE_DIR_SECURITY * 8 + 4);
	/* end is a multiple of 16; the table is 8-byte aligned after it. */
	if (off != end || len < 8 || len != size - end)
		return 0;
	return len;
}

/* The file is the setup part, syssize * 16 bytes of protected-mode kernel
 * and at most a signature.  A file cut short (a partial copy) would load a
 * kernel that dies after -e with digests that match; a setup_sects that does
 * not fit the file (0 or 1 on a full image) would load it from the wrong
 * offset.  Both show as a size mismatch. */
static int check_size(const uint8_t *image, size_t size, const char *path,
		      struct bzimage *bz, size_t setup_size, struct mpk_error *err)
{
	uint64_t pm = (uint64_t)bz->syssize * 16, want = setup_size + pm;
	const char *zero = image[HDR_SETUP_SECTS] ? "" : " (0 in the header: 4)";

	if (setup_size >= size)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': truncated: setup_sects=%u%s says the kernel starts "
				"at %#zx, but the file has only %zu bytes", path, bz->setup_sects,
				zero, setup_size, size);
	if (bz->syssize == 0)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': syssize is 0: the header gives no size for the "
				"protected-mode kernel; a corrupt header", path);
	/* syssize is the protected-mode part rounded up to 16 bytes; Linux's
	 * build pads the file to it, Memtest86+'s does not (6.10's x64.bin
	 * ends 8 bytes short).  Less than one unit short is that rounding, as
	 * kexec-tools and GRUB, which load what the file has, see it. */
	if (size < want && want - size < 16 && size > setup_size) {
		bz->kernel_size = size - setup_size;
		return 0;
	}
	if (size < want)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': truncated: setup_sects=%u%s and syssize %#x say "
				"the file has %llu bytes (protected-mode part %#llx at %#zx), but it "
				"has only %zu; copy the whole file", path, bz->setup_sects, zero,
				bz->syssize, (unsigned long long)want, (unsigned long long)pm,
				setup_size, size);
	bz->kernel_size = (size_t)pm;
	if (size > want) {
		bz->signature_size = pe_signature_at(image, size, (size_t)want);
		if (!bz->signature_size)
			return mpk_fail(err, MPK_EXIT_BADINPUT,
					"kernel image '%s': %zu bytes, but setup_sects=%u%s and "
					"syssize %#x say %llu, and the %llu bytes after that are not a "
					"PE signature: setup_sects or syssize is wrong (a corrupt or "
					"patched header); refusing to guess where the kernel starts",
					path, size, bz->setup_sects, zero, bz->syssize,
					(unsigned long long)want, (unsigned long long)(size - want));
	}
	return 0;
}

int bzimage_parse(const uint8_t *image, size_t size, const char *path,
		  struct bzimage *bz, struct mpk_error *err)
{
	size_t setup_size;

	memset(bz, 0, sizeof(*bz));
	if (size >= 4 && memcmp(image, "\177ELF", 4) == 0)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': is an ELF file (a vmlinux?), not a bzImage; "
				"load the compressed kernel (vmlinuz / arch/x86/boot/bzImage)", path);
	if (size < HDR_MIN_END)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': truncated: %zu bytes, too short for a bzImage "
				"setup header (needs at least %u)", path, size, HDR_MIN_END);
	if (get_le32(image + HDR_HEADER) != HDR_MAGIC)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': not a bzImage: no \"HdrS\" signature at offset "
				"%#x (boot_flag %#06x)", path, HDR_HEADER,
				get_le16(image + HDR_BOOT_FLAG));
	if (get_le16(image + HDR_BOOT_FLAG) != HDR_BOOT_FLAG_MAGIC)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': boot_flag at offset %#x is %#06x, not 0xaa55: "
				"not a bzImage, or a corrupt one", path, HDR_BOOT_FLAG,
				get_le16(image + HDR_BOOT_FLAG));
	bz->version = get_le16(image + HDR_VERSION);
	if (bz->version < BOOT_PROTOCOL_MIN)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': boot protocol %u.%02u is too old; mpkexec needs "
				"2.12 or later (64-bit entry point, xloadflags)", path,
				bz->version >> 8, bz->version & 0xff);
	bz->header_end = 0x202u + image[HDR_JUMP + 1];
	if (bz->header_end < HDR_MIN_END || bz->header_end > size)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': setup header end %#zx (from the jump at %#x) is "
				"outside [%#x, file size %#zx]", path, bz->header_end, HDR_JUMP,
				HDR_MIN_END, size);
	bz->setup_sects = image[HDR_SETUP_SECTS] ? image[HDR_SETUP_SECTS] : 4;
	setup_size = ((size_t)bz->setup_sects + 1) * 512;
	bz->syssize = get_le32(image + HDR_SYSSIZE);
	if (check_size(image, size, path, bz, setup_size, err) < 0)
		return -1;
	bz->loadflags = image[HDR_LOADFLAGS];
	/* Without XLF_KERNEL_64 (a 32-bit kernel) the image is entered at its
	 * 32-bit entry (bzimage_entry). */
	bz->xloadflags = get_le16(image + HDR_XLOADFLAGS);
	if (!(bz->loadflags & LOADED_HIGH))
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': not a bzImage (loadflags %#04x lacks LOADED_HIGH: "
				"a zImage)", path, bz->loadflags);
	bz->relocatable = image[HDR_RELOCATABLE_KERNEL] != 0;
	bz->kernel_alignment = get_le32(image + HDR_KERNEL_ALIGNMENT);
	bz->cmdline_size = get_le32(image + HDR_CMDLINE_SIZE);
	bz->initrd_addr_max = get_le32(image + HDR_INITRD_ADDR_MAX);
	bz->pref_address = get_le64(image + HDR_PREF_ADDRESS);
	bz->init_size = get_le32(image + HDR_INIT_SIZE);
	if (bz->kernel_alignment < 4096 || (bz->kernel_alignment & (bz->kernel_alignment - 1)))
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': kernel_alignment %#x is not a power of two "
				">= 4 KiB", path, bz->kernel_alignment);
	if (bz->pref_address & 0xfff)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': pref_address %#llx is not page aligned", path,
				(unsigned long long)bz->pref_address);
	bz->setup = image;
	bz->kernel = image + setup_size;
	if (bz->init_size < bz->kernel_size)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': init_size %#x is smaller than the kernel itself "
				"(%#zx bytes): corrupt header", path, bz->init_size, bz->kernel_size);
	return 0;
}

enum bzimage_entry bzimage_entry(const struct bzimage *bz, bool force32, char *why,
				 size_t n)
{
	if (force32) {
		snprintf(why, n, "asked for with --entry-32bit");
		return BZIMAGE_ENTRY_32;
	}
	if (!(bz->xloadflags & XLF_KERNEL_64)) {
		snprintf(why, n, "no 64-bit entry (xloadflags %#06x lacks XLF_KERNEL_64)",
			 bz->xloadflags);
		return BZIMAGE_ENTRY_32;
	}
	/* The 64-bit entry of a bzImage that is not relocatable is not used:
	 * kexec-tools' bzImage64 loader refuses such an image and takes its
	 * 32-bit path, and Memtest86+ 6.10 (not relocatable) hangs when
	 * entered at +0x200 but runs from its 32-bit entry. */
	if (!bz->relocatable) {
		snprintf(why, n, "not relocatable (its 64-bit entry is used only for "
			 "relocatable images, as kexec-tools does)");
		return BZIMAGE_ENTRY_32;
	}
	snprintf(why, n, "relocatable, XLF_KERNEL_64");
	return BZIMAGE_ENTRY_64;
}

int bzimage_check_host(const struct bzimage *bz, bool host_5level, const char *path,
		       struct mpk_error *err)
{
	char why[120];

	/* The 32-bit entry runs with paging off: the old paging depth does
	 * not reach it (the image sets up its own). */
	if (bzimage_entry(bz, false, why, sizeof(why)) == BZIMAGE_ENTRY_32)
		return 0;
	/* With 5-level paging the old kernel, purgatory and the park code all
	 * keep CR4.LA57 set: it cannot change while paging is on, and neither
	 * purgatory (pagetable_identity_4g builds a PML5 top when LA57 is set)
	 * nor park.S (it picks PARK_CODE_CR3_5LEVEL) leaves long mode to clear
	 * it.  So the image's 64-bit entry runs with 5-level paging, which only
	 * an image with XLF_5LEVEL handles (its decompressor keeps or switches
	 * the depth); an older one loads a 4-level CR3 under LA57 and dies.  The
	 * kernel's own bzImage64 loader (kexec_file_load) refused it too. */
	if (host_5level && !(bz->xloadflags & XLF_5LEVEL))
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': cannot be entered with 5-level paging, which "
				"the running kernel uses (la57): xloadflags %#06x lacks XLF_5LEVEL; "
				"load a kernel built with 5-level paging support, or boot the "
				"running one with no5lvl", path, bz->xloadflags);
	return 0;
}

enum image_probe_result bzimage_probe(const struct image_probe_input *in,
				      struct mpk_error *err)
{
	bool signed_hdrs = in->size >= HDR_MIN_END &&
			   get_le32(in->data + HDR_HEADER) == HDR_MAGIC;
	struct bzimage bz;

	if (bzimage_parse(in->data, in->size, in->path, &bz, err) < 0)
		return signed_hdrs ? IMAGE_PROBE_REFUSED : IMAGE_PROBE_NOT_MINE;
	if (bzimage_check_host(&bz, in->arch.host_5level, in->path, err) < 0)
		return IMAGE_PROBE_REFUSED;
	return IMAGE_PROBE_OK;
}
