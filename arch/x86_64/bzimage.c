#include "bzimage.h"

#include <string.h>

#include "mpkexec/bootparam.h"

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
	if (setup_size >= size)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': truncated: setup_sects=%u says the kernel starts "
				"at %#zx, but the file has only %zu bytes", path, bz->setup_sects,
				setup_size, size);
	bz->loadflags = image[HDR_LOADFLAGS];
	bz->xloadflags = get_le16(image + HDR_XLOADFLAGS);
	if (!(bz->xloadflags & XLF_KERNEL_64))
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': has no 64-bit entry point (xloadflags %#06x lacks "
				"XLF_KERNEL_64); mpkexec loads x86_64 kernels only", path, bz->xloadflags);
	if (!(bz->loadflags & LOADED_HIGH))
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': not a bzImage (loadflags %#04x lacks LOADED_HIGH: "
				"a zImage)", path, bz->loadflags);
	bz->relocatable = image[HDR_RELOCATABLE_KERNEL] != 0;
	bz->kernel_alignment = get_le32(image + HDR_KERNEL_ALIGNMENT);
	bz->min_alignment = image[HDR_MIN_ALIGNMENT];
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
	bz->kernel_size = size - setup_size;
	if (bz->init_size < bz->kernel_size)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"kernel image '%s': init_size %#x is smaller than the kernel itself "
				"(%#zx bytes): corrupt header", path, bz->init_size, bz->kernel_size);
	return 0;
}
