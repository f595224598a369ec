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

#endif
