/* SPDX-License-Identifier: GPL-2.0-only */
/* What the next kernel needs to keep using EFI runtime services after a
 * kexec, as Linux's kexec_file_load (setup_efi_state) and kexec-tools give
 * it: boot_params.efi_info describing the running kernel's EFI runtime
 * memory map (with the virtual addresses SetVirtualAddressMap fixed, which
 * can be set only once per boot), and a SETUP_EFI setup_data node with the
 * physical addresses of the firmware tables the system table now points to
 * virtually.
 *
 * Use:
 *   efi_handover_read(root, running_bp, &eh, &err);
 *   if (eh.present) {
 *     place eh.memmap (eh.memmap_size bytes) at some physical address M
 *       below or above 4 GiB, e.g. in the boot_params segment;
 *     add a setup_data node { type SETUP_EFI, len EFI_SETUP_DATA_SIZE }
 *       whose payload is eh.setup_efi;
 *     after boot_params_build: efi_handover_put_boot_params(bp, &eh, M);
 *   } else print eh.why_not in --plan.
 *   efi_handover_free(&eh); */
#ifndef MPKEXEC_EFI_HANDOVER_H
#define MPKEXEC_EFI_HANDOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* sizeof(efi_memory_desc_t): u32 type, u32 pad, u64 phys_addr, virt_addr,
 * num_pages, attribute. */
#define EFI_MEMDESC_MIN          40u
#define EFI_MEMDESC_VERSION      1u
/* struct efi_setup_data: u64 fw_vendor, runtime (now "__unused"), tables,
 * smbios, reserved[8]. */
#define EFI_SETUP_DATA_SIZE      96u
/* "EL64" (efi_loader_signature of a 64-bit EFI boot) */
#define EFI_LOADER_SIGNATURE_64  0x34364c45u
/* More runtime ranges than any firmware has; bounds the reading. */
#define EFI_RUNTIME_MAP_MAX      4096u

struct efi_handover {
	bool present;              /* false: hand nothing EFI over */
	char why_not[200];         /* when !present: the reason, for --plan */
	char desc[200];            /* when present: the sources, for --plan */

	uint64_t systab;           /* efi_systab | efi_systab_hi << 32 */
	uint32_t loader_signature;
	uint32_t memdesc_size;     /* stride of memmap */
	uint32_t memdesc_version;
	uint8_t secure_boot;       /* boot_params.secure_boot of the running kernel */

	uint8_t *memmap;           /* n_desc descriptors of memdesc_size bytes */
	size_t memmap_size;
	unsigned n_desc;

	uint64_t fw_vendor;        /* /sys/firmware/efi/fw_vendor */
	uint64_t runtime;          /* /sys/firmware/efi/runtime */
	uint64_t config_table;     /* /sys/firmware/efi/config_table */
	uint64_t smbios;           /* SMBIOS= of /sys/firmware/efi/systab, 0 if none */
	uint8_t setup_efi[EFI_SETUP_DATA_SIZE]; /* the SETUP_EFI payload */
};

/* Reads the running system's EFI state under `root` ("" on a live system);
 * running_bp is its boot_params (BP_SIZE bytes) or NULL when unreadable.
 * A machine without EFI, or one whose EFI state cannot be handed over
 * (including runtime-map files unreadable without root), is not an error:
 * eh->present is false and eh->why_not says why.  Malformed sysfs text is
 * an error naming the file. */
int efi_handover_read(const char *root, const uint8_t *running_bp,
		      struct efi_handover *eh, struct mpk_error *err);

/* Fills efi_info and secure_boot of bp (BP_SIZE bytes) for the memory map
 * placed at physical address memmap_addr.  Does nothing unless eh->present. */
void efi_handover_put_boot_params(uint8_t *bp, const struct efi_handover *eh,
				  uint64_t memmap_addr);

/* Turns a present handover into "nothing handed over, because ...". */
__attribute__((format(printf, 2, 3)))
void efi_handover_refuse(struct efi_handover *eh, const char *fmt, ...);

void efi_handover_free(struct efi_handover *eh);

#endif
