/* SPDX-License-Identifier: GPL-2.0-only */
#include "park-region.h"

#include <string.h>

#include "acpi.h"
#include "bytes.h"
#include "mpkexec/identity-map.h"

_Static_assert(PARK_PT_PML5 == PARK_PT_OFF + IDMAP_PML5 && PARK_PT_PML4 == PARK_PT_OFF + IDMAP_PML4 &&
	       PARK_PT_PDPT == PARK_PT_OFF + IDMAP_PDPT && PARK_PT_PD0 == PARK_PT_OFF + IDMAP_PD0 &&
	       PARK_PT_OFF + IDMAP_SIZE <= PARK_STATUS_OFF, "park-abi.h page tables = identity-map.h");
_Static_assert(PARK_CODE_IDT_ENTRY == PARK_CODE_IDT_LOOP + PARK_IDT_GATES * 16 &&
	       PARK_CODE_IDT_ENTRY + PARK_IDT_GATES * 16 <= PARK_CODE_SCRATCH_TOP - 0x100,
	       "the two IDTs follow each other, then at least 256 bytes of scratch stack");

void park_region_build(uint8_t *buf, uint64_t base, const uint8_t *code,
		       const uint32_t *apic_ids, unsigned n, unsigned mailbox_version)
{
	struct park_header *h = (struct park_header *)(buf + PARK_HEADER_OFF);
	uint8_t *c = buf + PARK_CODE_OFF;

	memset(buf, 0, PARK_REGION_SIZE);
	h->magic = PARK_MAGIC;
	h->abi_version = PARK_ABI_VERSION;
	h->region_size = PARK_REGION_SIZE;
	h->region_base = base;
	h->nr_cpus = n;
	h->mailbox_version = mailbox_version;
	h->reset_vector = park_reset_vector(base);

	memcpy(c, code, 4096);
	put_le64(c + PARK_CODE_CR3_4LEVEL, base + PARK_PT_PML4);
	put_le64(c + PARK_CODE_CR3_5LEVEL, base + PARK_PT_PML5);
	put_le64(c + PARK_CODE_GDT_DESC + 2, base + PARK_CODE_OFF + PARK_CODE_GDT);
	/* The two IDTs: park.S assembles each gate's offset as the handler's
	 * offset in the code page; make it the handler's address. */
	put_le64(c + PARK_CODE_IDT_LOOP_DESC + 2, base + PARK_CODE_OFF + PARK_CODE_IDT_LOOP);
	put_le64(c + PARK_CODE_IDT_ENTRY_DESC + 2, base + PARK_CODE_OFF + PARK_CODE_IDT_ENTRY);
	for (unsigned g = 0; g < 2 * PARK_IDT_GATES; g++) {
		uint8_t *gate = c + PARK_CODE_IDT_LOOP + g * 16;
		uint64_t addr = base + PARK_CODE_OFF + get_le16(gate);

		put_le16(gate, (uint16_t)addr);
		put_le16(gate + 6, (uint16_t)(addr >> 16));
		put_le32(gate + 8, (uint32_t)(addr >> 32));
	}

	/* Identity map of the low 4 GiB in 2 MiB pages, all write-back: the
	 * region itself, the next kernel's wakeup trampoline (< 1 MiB) and
	 * anything a WakeupVector may need; both paging depths. */
	identity_map_4g(buf + PARK_PT_OFF, base + PARK_PT_OFF, IDMAP_NO_UNCACHED);
	for (unsigned i = 0; i < n && i < PARK_MAX_CPUS; i++)
		put_le32(buf + PARK_CPUS_OFF + i * PARK_CPU_SIZE + PARK_CPU_APIC_ID, apic_ids[i]);
	/* The status table "MPKP": exported by the next kernel from sysfs. */
	put_le32(buf + PARK_STATUS_OFF + PARK_STATUS_BODY, PARK_ABI_VERSION);
	put_le32(buf + PARK_STATUS_OFF + 40, n);
	put_le64(buf + PARK_STATUS_OFF + 44, base);
	put_le64(buf + PARK_STATUS_OFF + 52, mailbox_version);
	acpi_sdt_init(buf + PARK_STATUS_OFF, PARK_STATUS_SIG, PARK_STATUS_LEN(n));
}

void trampoline_build(uint8_t *buf, uint64_t addr, uint64_t park_base,
		      const uint8_t *code)
{
	memcpy(buf, code, 4096);
	put_le32(buf + TRAMP_GDT_DESC + 2, (uint32_t)(addr + TRAMP_GDT));
	put_le32(buf + TRAMP_PM_JUMP, (uint32_t)(addr + get_le32(code + TRAMP_PM32_OFF_CHECK)));
	put_le32(buf + TRAMP_LM_JUMP,
		 (uint32_t)(addr + get_le32(code + TRAMP_PM32_OFF_CHECK + 4)));
	put_le64(buf + TRAMP_PARK_ENTRY, park_base + PARK_CODE_OFF + PARK_ENTRY_SIPI);
}
