/* SPDX-License-Identifier: GPL-2.0-only */
/* The subset of the x86 Linux boot protocol (Documentation/arch/x86/boot.rst,
 * arch/x86/include/uapi/asm/bootparam.h) that mpkexec reads and writes.
 * Offsets are given as constants rather than a packed struct so that the
 * parser works on untrusted bytes without alignment assumptions. */
#ifndef MPKEXEC_BOOTPARAM_H
#define MPKEXEC_BOOTPARAM_H

#include <stdint.h>

#define BP_SIZE                  4096u

/* boot_params ("zero page") */
#define BP_SCREEN_INFO           0x000u
#define BP_SCREEN_INFO_SIZE      0x040u
#define BP_ACPI_RSDP_ADDR        0x070u /* u64 */
#define BP_EXT_RAMDISK_IMAGE     0x0c0u /* u32 */
#define BP_EXT_RAMDISK_SIZE      0x0c4u /* u32 */
#define BP_EXT_CMD_LINE_PTR      0x0c8u /* u32 */
#define BP_EFI_INFO              0x1c0u /* struct efi_info, 32 bytes: */
#define BP_EFI_LOADER_SIGNATURE  0x1c0u /* u32, "EL64" on 64-bit firmware */
#define BP_EFI_SYSTAB            0x1c4u /* u32 */
#define BP_EFI_MEMDESC_SIZE      0x1c8u /* u32 */
#define BP_EFI_MEMDESC_VERSION   0x1ccu /* u32 */
#define BP_EFI_MEMMAP            0x1d0u /* u32 */
#define BP_EFI_MEMMAP_SIZE       0x1d4u /* u32 */
#define BP_EFI_SYSTAB_HI         0x1d8u /* u32 */
#define BP_EFI_MEMMAP_HI         0x1dcu /* u32 */
#define BP_EFI_INFO_SIZE         0x020u
#define BP_E820_ENTRIES          0x1e8u /* u8 */
#define BP_SECURE_BOOT           0x1ecu /* u8, enum efi_secureboot_mode */
#define BP_SENTINEL              0x1efu /* u8, must be 0 */
#define BP_HDR                   0x1f1u /* setup_header starts here */
#define BP_E820_TABLE            0x2d0u
#define BP_E820_MAX              128u
#define BP_E820_ENTRY_SIZE       20u

/* setup_header fields, as offsets in the image and in boot_params */
#define HDR_SETUP_SECTS          0x1f1u /* u8 */
#define HDR_BOOT_FLAG            0x1feu /* u16, 0xAA55 */
#define HDR_JUMP                 0x200u /* u16; byte 0x201 + 0x202 = header end */
#define HDR_HEADER               0x202u /* u32 "HdrS" */
#define HDR_VERSION              0x206u /* u16 */
#define HDR_TYPE_OF_LOADER       0x210u /* u8 */
#define HDR_LOADFLAGS            0x211u /* u8 */
#define HDR_RAMDISK_IMAGE        0x218u /* u32 */
#define HDR_RAMDISK_SIZE         0x21cu /* u32 */
#define HDR_CMD_LINE_PTR         0x228u /* u32 */
#define HDR_INITRD_ADDR_MAX      0x22cu /* u32 */
#define HDR_KERNEL_ALIGNMENT     0x230u /* u32 */
#define HDR_RELOCATABLE_KERNEL   0x234u /* u8 */
#define HDR_MIN_ALIGNMENT        0x235u /* u8, log2 */
#define HDR_XLOADFLAGS           0x236u /* u16 */
#define HDR_CMDLINE_SIZE         0x238u /* u32 */
#define HDR_HARDWARE_SUBARCH     0x23cu /* u32 */
#define HDR_SETUP_DATA           0x250u /* u64 */
#define HDR_PREF_ADDRESS         0x258u /* u64 */
#define HDR_INIT_SIZE            0x260u /* u32 */
#define HDR_MIN_END              0x264u /* a 2.12 header ends at least here */

#define HDR_MAGIC                0x53726448u /* "HdrS" */
#define HDR_BOOT_FLAG_MAGIC      0xaa55u
#define BOOT_PROTOCOL_MIN        0x020cu /* 2.12: 64-bit entry, xloadflags */

#define LOADED_HIGH              (1u << 0)
#define XLF_KERNEL_64            (1u << 0)
#define XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1)
#define XLF_EFI_KEXEC            (1u << 4) /* takes EFI runtime state over a kexec */
#define XLF_5LEVEL               (1u << 5)

/* setup_data node types (arch/x86/include/uapi/asm/setup_data.h) */
#define SETUP_E820_EXT           1u  /* boot_e820_entry[] beyond the zero page's 128 */
#define SETUP_EFI                4u  /* struct efi_setup_data (kexec only) */

/* type_of_loader: 0xFF is "undefined" — mpkexec has no assigned ID. */
#define LOADER_TYPE_UNDEFINED    0xffu

/* The 64-bit entry is 0x200 bytes into the protected-mode part. */
#define BZIMAGE_ENTRY64_OFFSET   0x200u

/* e820 types (arch/x86/include/asm/e820/types.h) */
enum e820_type {
	E820_RAM = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,
	E820_NVS = 4,
	E820_UNUSABLE = 5,
	E820_PMEM = 7,
	E820_PRAM = 12,
	E820_SOFT_RESERVED = 0xefffffff,
};

#endif
