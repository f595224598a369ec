/* SPDX-License-Identifier: GPL-2.0-only */
/* The ELF image type ("elf", kexec-tools' "elf-x86_64" and "elf-x86"):
 * an ELF32 or ELF64 executable (ET_EXEC, EM_386 or EM_X86_64) whose
 * PT_LOADs go to their physical addresses (p_paddr; memsz beyond filesz
 * zeroed).  Argument styles as kexec-tools':
 *
 *   --args-none (the default)  ELF64: 64-bit at the physical entry, with
 *                              purgatory's identity map of the low 4 GiB
 *                              and every register 0 (MPK_ENTRY_64_IDENTITY);
 *                              ELF32: 32-bit protected mode, paging off,
 *                              EAX = EBX = ESI = 0 (MPK_ENTRY_32)
 *   --args-linux               a Linux zero page (boot_params: e820, the
 *                              command line, acpi_rsdp_addr = the RSDP
 *                              handed over, an initrd if given, the handoff
 *                              report in setup_data): ELF64 with RSI =
 *                              boot_params (MPK_ENTRY_LINUX64), ELF32 with
 *                              ESI = boot_params (MPK_ENTRY_32)
 *
 * kexec-tools' --args-elf (ELF boot notes) is not offered.
 *
 * The probe declines an ELF executable that carries a valid multiboot (v1)
 * header in its first 8 KiB: such a kernel (GRUB's i386-multiboot image
 * is an ELF32 one) says how it wants to be booted, and the multiboot type,
 * next in the table, loads it.  kexec-tools gets the same for ELF32
 * (its elf-x86 probes after multiboot-x86); an ELF64 with a multiboot
 * header, which kexec-tools' elf-x86_64 would take, goes to multiboot
 * here too. */
#ifndef MPKEXEC_ELF_EXEC_LOAD_H
#define MPKEXEC_ELF_EXEC_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image-types.h"
#include "payload-plan.h"
#include "plan.h"
#include "sysview.h"

enum image_probe_result elf_image_probe(const struct image_probe_input *in,
					struct mpk_error *err);

int elf_image_plan(const struct sysview *sv, const struct load_request *rq,
		   const uint8_t *purgatory_elf, size_t purgatory_len,
		   struct load_plan *plan, struct mpk_error *err);

/* Bytes an image demands at a physical address (a PT_LOAD, an a.out
 * kludge's load range): `filesz` bytes from `bytes`, zeros up to `memsz`. */
struct fixed_piece {
	uint64_t paddr;
	const uint8_t *bytes;
	uint64_t filesz;
	uint64_t memsz;
};

/* Adds the pieces to `plan` as "kernel" segments (digested): pieces whose
 * pages touch share one segment (a buffer the plan owns, zeros between
 * and around them); a lone page-aligned piece points into the image.
 * Each segment is reserved with payload_place_fixed, except the part
 * below 1 MiB (multiboot kernels such as GRUB's live at 0x9000): that
 * part must be System RAM of the handed-over map, off page 0 and off the
 * SIPI trampoline page.  `what` names the image type's pieces in messages
 * ("PT_LOAD", "a.out kludge load range"). */
int fixed_pieces_place(struct payload_ctx *ctx, const struct sysview *sv,
		       const struct load_request *rq, struct load_plan *plan,
		       const char *what, const struct fixed_piece *pc, unsigned n,
		       struct mpk_error *err);

#endif
