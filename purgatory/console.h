/* SPDX-License-Identifier: GPL-2.0-only */
/* Serial console (16550 at an I/O port).  Debug output only: purgatory
 * calls it when the loader asked for it (--console-serial), and for the one
 * fatal message (digest mismatch).  Never used on a mailbox-only path. */
#ifndef PURGATORY_CONSOLE_H
#define PURGATORY_CONSOLE_H

#include <stdint.h>

void console_init(uint16_t port);
void console_puts(const char *s);
void console_hex(uint64_t v);
void console_dec(uint64_t v);

#endif
