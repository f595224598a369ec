/* SPDX-License-Identifier: GPL-2.0-only */
#include "setup-data.h"

#include <string.h>

#include "bytes.h"
#include "mpkexec/bootparam.h"
#include "planner.h"

size_t setup_layout(size_t cmdlen, struct setup_piece *pc, unsigned n)
{
	size_t off = BP_SIZE + cmdlen + 1;

	for (unsigned i = 0; i < n; i++) {
		off = align_up(off, 8);
		pc[i].off = off;
		off += (pc[i].node ? SETUP_DATA_HDR : 0) + pc[i].len;
	}
	return off;
}

/* struct setup_data { u64 next; u32 type; u32 len; u8 data[]; } */
void setup_write(uint8_t *buf, uint64_t base, const struct setup_piece *pc, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t next = 0;
		uint8_t *p = buf + pc[i].off;

		if (!pc[i].node) {
			memcpy(p, pc[i].data, pc[i].len);
			continue;
		}
		for (unsigned j = i + 1; j < n && !next; j++)
			if (pc[j].node)
				next = base + pc[j].off;
		put_le64(p, next);
		put_le32(p + 8, pc[i].type);
		put_le32(p + 12, (uint32_t)pc[i].len);
		if (pc[i].data)
			memcpy(p + SETUP_DATA_HDR, pc[i].data, pc[i].len);
	}
}

uint64_t setup_first_node(uint64_t base, const struct setup_piece *pc, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (pc[i].node)
			return base + pc[i].off;
	return 0;
}

