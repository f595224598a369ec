/* SPDX-License-Identifier: GPL-2.0-only */
/* purgatory/entry.S: the jump into the payload. */
#ifndef PURGATORY_ENTRY_H
#define PURGATORY_ENTRY_H

#include <stdint.h>

#include "mpkexec/purgatory-params.h"

/* Written by the loader (src/purgatory-link.c) before relocation; defined
 * in purgatory.c, its flags read by entry.S to pick the handoff path. */
extern struct mpk_purgatory_params purgatory_params;

/* Jumps to `entry` with RSI = `rsi` (Linux: boot_params) and the state the
 * 64-bit boot protocol asks for; never returns. */
void purgatory_enter(uint64_t entry, uint64_t rsi) __attribute__((noreturn));

/* MPK_ENTRY_64_IDENTITY: jumps to `entry` in 64-bit mode with every
 * general register 0 (RSP too); the caller has loaded purgatory's identity
 * map of the low 4 GiB.  Never returns. */
void purgatory_enter_identity64(uint64_t entry) __attribute__((noreturn));

/* MPK_ENTRY_32: leaves long mode for 32-bit protected mode with paging
 * off and jumps to `entry` (below 4 GiB) with EAX/EBX/ESI as given, the
 * other registers 0, flat CS 0x10 / data 0x18 (Linux's __BOOT_CS/DS).
 * The caller has loaded purgatory's identity map (this code runs on, and
 * must lie below 4 GiB).  purgatory_enter32 also clears EFER.LME; the
 * _keep_efer variant, for the mailbox-only (TDX) path, does not touch
 * EFER (entry.S says why).  Never return. */
void purgatory_enter32(uint32_t entry, uint32_t eax, uint32_t ebx, uint32_t esi)
	__attribute__((noreturn));
void purgatory_enter32_keep_efer(uint32_t entry, uint32_t eax, uint32_t ebx, uint32_t esi)
	__attribute__((noreturn));

/* The parameter block's entry convention is one purgatory knows, and a
 * 32-bit entry lies below 4 GiB: checked with the magic, before anything
 * runs (a bad block stops purgatory). */
static inline int entry_mode_valid(const struct mpk_purgatory_params *p)
{
	switch (p->entry_mode) {
	case MPK_ENTRY_LINUX64:
	case MPK_ENTRY_64_IDENTITY:
		return 1;
	case MPK_ENTRY_32:
		return p->entry < (1ull << 32);
	default:
		return 0;
	}
}

/* Filled by purgatory/mailbox.c before it wakes firmware's BSP at
 * purgatory_boot_vector (entry.S, which has the offsets as BH_*). */
struct boot_handoff {
	uint32_t claim;          /* 0; BOOT_CLAIM_BSP or BOOT_CLAIM_SELF: who boots */
	uint32_t reserved;
	uint64_t entry;          /* the payload's 64-bit entry */
	uint64_t rsi;            /* its boot_params */
	uint64_t rejoin;         /* the park loop's migrate entry */
};
#define BOOT_CLAIM_BSP  1u
#define BOOT_CLAIM_SELF 2u
_Static_assert(__builtin_offsetof(struct boot_handoff, entry) == 8 &&
	       __builtin_offsetof(struct boot_handoff, rsi) == 16 &&
	       __builtin_offsetof(struct boot_handoff, rejoin) == 24 &&
	       sizeof(struct boot_handoff) == 32, "entry.S uses these offsets (BH_*)");

extern struct boot_handoff purgatory_boot_handoff;
void purgatory_boot_vector(void);

#endif
