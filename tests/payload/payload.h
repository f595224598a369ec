/* SPDX-License-Identifier: GPL-2.0-only */
/* mpk-payload: a freestanding test kernel for mpkexec (issue 11, item 8).
 *
 * Two builds of the same code (tests/payload/README.md):
 *   mpk-payload.mb2    multiboot2 (and multiboot v1, a.out kludge) kernel,
 *                      entered in 32-bit protected mode (boot-mb.S)
 *   mpk-payload.elf64  ELF64 executable entered in 64-bit mode (boot-elf64.S)
 * Both reach payload_main in 64-bit mode on their own identity map of the
 * low 4 GiB (2 MiB pages; the 4th GiB uncached: the local APIC is there),
 * their own GDT (GDT_* below), IF = 0, on boot_stack.
 *
 * Fixed layout: linked at PAYLOAD_BASE (payload.ld), the INIT-mode
 * real-mode trampoline copied to TRAMP_PAGE. */
#ifndef MPK_PAYLOAD_H
#define MPK_PAYLOAD_H

#define PAYLOAD_BASE    0x200000   /* 2 MiB: below Linux's 16 MiB minimum, so never the
				      running kernel's image; RAM on SeaBIOS and OVMF q35 */
#define TRAMP_PAGE      0x8000     /* SIPI vector 0x08; checked against the memory map */
#define MAX_CPUS        256
#define STACK_SIZE      0x4000

/* Our GDT (common.S) and the trampoline's: same selectors as mpkexec's. */
#define GDT_CODE32      0x08
#define GDT_CODE64      0x10
#define GDT_DATA        0x18

/* payload_main's `entry` argument */
#define ENTRY_MULTIBOOT 1          /* boot-mb.S: EAX magic, EBX info (v1 or v2) */
#define ENTRY_ELF64     2          /* boot-elf64.S: RSI = boot_params or 0 */

#define MB2_MAGIC       0x36d76289u
#define MB1_MAGIC       0x2badb002u

#ifndef __ASSEMBLER__
#include <stdint.h>

/* 64-bit mode, our identity map, IF = 0, on boot_stack; never returns. */
void payload_main(uint32_t magic, uint64_t info, uint32_t entry) __attribute__((noreturn));

/* common.S */
extern char ap_entry64[];            /* AP check-in: mailbox WakeupVector, trampoline target */
extern char tramp_start[], tramp_end[], tramp_cr3[], tramp_target[];
extern uint64_t pt_pml4[512];
/* Check-in state, shared with ap_entry64 (common.S): a CPU claims a slot
 * (LOCK XADD on ap_slot), stores its APIC ID + 1 there, then LOCK INC
 * checkin_count. */
extern volatile uint32_t ap_slot;
extern volatile uint32_t checkin_count;
extern volatile uint32_t checkin_ids[MAX_CPUS];
#endif

#endif
