/* SPDX-License-Identifier: GPL-2.0-only */
#include "boot-params.h"

#include <string.h>

#include "mpkexec/bootparam.h"

/* struct boot_e820_entry: packed, the same in the zero page and in
 * SETUP_E820_EXT. */
static void put_e820_entry(uint8_t *e, const struct mem_range *r)
{
	put_le64(e, r->start);
	put_le64(e + 8, r->end - r->start);
	put_le32(e + 16, r->type);
}

size_t boot_params_e820_ext_count(const struct memmap *e820)
{
	return e820->n > BP_E820_MAX ? e820->n - BP_E820_MAX : 0;
}

size_t boot_params_e820_ext_size(const struct memmap *e820)
{
	return boot_params_e820_ext_count(e820) * BP_E820_ENTRY_SIZE;
}

void boot_params_e820_ext_write(uint8_t *payload, const struct memmap *e820)
{
	for (size_t i = BP_E820_MAX; i < e820->n; i++)
		put_e820_entry(payload + (i - BP_E820_MAX) * BP_E820_ENTRY_SIZE, &e820->r[i]);
}

int boot_params_build(uint8_t *bp, const struct boot_params_input *in,
		      struct mpk_error *err)
{
	const struct bzimage *bz = in->bz;
	size_t n = in->e820->n < BP_E820_MAX ? in->e820->n : BP_E820_MAX;

	if (in->e820->n > BP_E820_MAX && !in->e820_ext_in_setup_data)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"memory map: %zu entries; boot_params holds %u and this "
				"load path does not hand the rest over (SETUP_E820_EXT)",
				in->e820->n, BP_E820_MAX);
	memset(bp, 0, BP_SIZE);
	/* The setup header as the image has it; fields below override it. */
	if (bz) {
		memcpy(bp + BP_HDR, bz->setup + BP_HDR, bz->header_end - BP_HDR);
	} else {
		put_le16(bp + HDR_BOOT_FLAG, HDR_BOOT_FLAG_MAGIC);
		put_le32(bp + HDR_HEADER, HDR_MAGIC);
		put_le16(bp + HDR_VERSION, 0x020f);
		bp[HDR_LOADFLAGS] = LOADED_HIGH;
	}
	if (in->running_bp) {
		/* Same console/video state as the running kernel (kexec-tools too). */
		memcpy(bp + BP_SCREEN_INFO, in->running_bp + BP_SCREEN_INFO, BP_SCREEN_INFO_SIZE);
		put_le32(bp + HDR_HARDWARE_SUBARCH,
			 get_le32(in->running_bp + HDR_HARDWARE_SUBARCH));
	}
	bp[HDR_TYPE_OF_LOADER] = LOADER_TYPE_UNDEFINED;
	bp[BP_SENTINEL] = 0;
	put_le64(bp + HDR_SETUP_DATA, in->setup_data);

	put_le32(bp + HDR_CMD_LINE_PTR, (uint32_t)in->cmdline_addr);
	put_le32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(in->cmdline_addr >> 32));
	put_le32(bp + HDR_RAMDISK_IMAGE, (uint32_t)in->initrd_addr);
	put_le32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(in->initrd_addr >> 32));
	put_le32(bp + HDR_RAMDISK_SIZE, (uint32_t)in->initrd_size);
	put_le32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(in->initrd_size >> 32));
	put_le64(bp + BP_ACPI_RSDP_ADDR, in->acpi_rsdp);

	bp[BP_E820_ENTRIES] = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		put_e820_entry(bp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE, &in->e820->r[i]);
	return 0;
}
