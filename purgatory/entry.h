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
