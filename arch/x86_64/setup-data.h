/* SPDX-License-Identifier: GPL-2.0-only */
/* The boot_params segment of a Linux payload: the zero page, the command
 * line, then the setup_data nodes (chained in the given order) and plain
 * blobs a node or a boot_params field points at, each 8-byte aligned.
 * Used by the bzImage loader and by ELF's --args-linux. */
#ifndef MPKEXEC_SETUP_DATA_H
#define MPKEXEC_SETUP_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SETUP_DATA_HDR   16u  /* struct setup_data: u64 next, u32 type, u32 len */
#define SETUP_PIECES_MAX 6

/* One piece; `data` NULL: zeros (purgatory fills the handoff report). */
struct setup_piece {
	uint32_t type;
	bool node;                   /* a setup_data node; false: a plain blob */
	const uint8_t *data;
	size_t len;
	size_t off;                  /* of the node header, or of the blob */
};

/* Sets each piece's offset after the zero page and a command line of
 * `cmdlen` bytes (+ NUL); returns the segment's size. */
size_t setup_layout(size_t cmdlen, struct setup_piece *pc, unsigned n);
/* Writes the pieces into `buf`, the segment loaded at `base`. */
void setup_write(uint8_t *buf, uint64_t base, const struct setup_piece *pc, unsigned n);
/* The physical address of the first node (boot_params.hdr.setup_data), 0 if none. */
uint64_t setup_first_node(uint64_t base, const struct setup_piece *pc, unsigned n);

#endif
