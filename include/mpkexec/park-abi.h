/* SPDX-License-Identifier: GPL-2.0-only */
/* The park region ABI: shared by the loader (which builds a region), the
 * park code (arch/x86_64/park.S, which includes this file and places its
 * fields at these offsets with .org, so a mismatch fails the build),
 * purgatory (which gathers CPUs into it) and the tests.  Documented in
 * docs/park-abi.md; change both together and bump PARK_ABI_VERSION.
 *
 * The region is a run of 4 KiB pages, 4 KiB aligned, below 4 GiB:
 *
 *   0x0000  mailbox page: the ACPI MADT Multiprocessor Wakeup mailbox;
 *           0x000-0x7ff as ACPI lays it out, 0x800-0xfff (the firmware half,
 *           read-only to the OS) holds struct park_header
 *   0x1000  code page: park.S (entries, loop, handlers, two IDTs, scratch
 *           stack, GDT, CR3 values).  Linux's
 *           ResetVector identity map covers only this page, so everything
 *           the ResetVector path touches before its CR3 switch lives here
 *   0x2000  page tables: PML5, PML4, PDPT, 4 PDs (identity, low 4 GiB)
 *   0x9000  status table: an ACPI table, signature "MPKP", listed in the
 *           next kernel's XSDT/RSDT, so Linux exports it live (it maps ACPI
 *           NVS, also on TDX) as /sys/firmware/acpi/tables/MPKP: a 64-byte
 *           head, then the per-CPU records struct park_cpu[PARK_MAX_CPUS]
 *           at 0x9040.  The park code updates records in place, so its
 *           checksum is only right when purgatory hands over (which is when
 *           the kernel checks it).
 *  0x11800  spare-stack owners (ABI 2): u32[PARK_SPARE_STACKS], APIC ID + 1
 *           of the CPU without a record that claimed spare stack i (0: free)
 *  0x12000  per-CPU stacks (ABI 2): PARK_STACK_SIZE bytes each, one per
 *           record (stack i <-> record i), then PARK_SPARE_STACKS spares for
 *           CPUs without a record; only exception frames ever use them
 *
 * ABI 2 (issue 10) added the IDTs and the stacks: a CPU in the loop of an
 * ABI 1 region has a null IDT, so an NMI there is a triple fault.  An ABI 1
 * region is never reused in place; its CPUs migrate into an ABI 2 region.
 */
#ifndef MPKEXEC_PARK_ABI_H
#define MPKEXEC_PARK_ABI_H

#define PARK_MAGIC            0x324b5241504b504dull /* "MPKPARK2" little-endian */
#define PARK_ABI_VERSION      2

#define PARK_MAILBOX_OFF      0x0000
#define PARK_HEADER_OFF       0x0800
#define PARK_CODE_OFF         0x1000
#define PARK_PT_OFF           0x2000
#define PARK_PT_PML5          (PARK_PT_OFF + 0x0000)
#define PARK_PT_PML4          (PARK_PT_OFF + 0x1000)
#define PARK_PT_PDPT          (PARK_PT_OFF + 0x2000)
#define PARK_PT_PD0           (PARK_PT_OFF + 0x3000) /* 4 pages */
#define PARK_STATUS_OFF       0x9000
#define PARK_STATUS_SIG       "MPKP"
#define PARK_STATUS_BODY      36    /* struct park_status_body, after the SDT header */
#define PARK_STATUS_HEAD      0x40  /* SDT header (36) + struct park_status_body */
#define PARK_CPUS_OFF         (PARK_STATUS_OFF + PARK_STATUS_HEAD)
#define PARK_MAX_CPUS         1024
#define PARK_CPU_SIZE         32
#define PARK_SPARE_OFF        0x11800 /* u32[PARK_SPARE_STACKS]: owners */
#define PARK_SPARE_STACKS     64
#define PARK_STACKS_OFF       0x12000
#define PARK_STACK_SIZE       0xc0  /* 192: three nested frames (see park.S) */
#define PARK_NR_STACKS        (PARK_MAX_CPUS + PARK_SPARE_STACKS)
#define PARK_REGION_SIZE      0x45000 /* PARK_STACKS_OFF + stacks, page-rounded */
#define PARK_STATUS_LEN(n)    (PARK_STATUS_HEAD + (n) * PARK_CPU_SIZE)

/* Mailbox (ACPI 6.4 5.2.12.19) */
#define MBOX_COMMAND          0x000 /* u16 */
#define MBOX_APIC_ID          0x004 /* u32 */
#define MBOX_WAKEUP_VECTOR    0x008 /* u64 */
#define MBOX_CMD_NOOP         0
#define MBOX_CMD_WAKEUP       1
#define MBOX_CMD_TEST         2     /* mailbox version 1 */

/* struct park_header fields park.S reads */
#define PARK_HDR_NR_CPUS      0x18

/* Offsets inside the code page (park.S puts its symbols here). */
#define PARK_ENTRY_SIPI       0x000 /* from the SIPI trampoline, on our CR3/GDT */
#define PARK_ENTRY_MIGRATE    0x010 /* a WakeupVector for another mailbox */
#define PARK_RESET_VECTOR     0x020 /* the MADT v1 ResetVector */
#define PARK_CODE_TEXT_END    0xa00 /* instructions end before this */
#define PARK_CODE_IDT_LOOP    0xa00 /* 32 gates: the IDT of the loop */
#define PARK_CODE_IDT_ENTRY   0xc00 /* 32 gates: the IDT while entering */
#define PARK_IDT_GATES        32
#define PARK_CODE_SCRATCH_TOP 0xf00 /* RSP while entering (frames never read) */
#define PARK_CODE_CR3_4LEVEL  0xf00 /* u64: PML4 physical address */
#define PARK_CODE_CR3_5LEVEL  0xf08 /* u64: PML5 physical address */
#define PARK_CODE_GDT         0xf40 /* 4 descriptors: null, null, code64, data */
#define PARK_CODE_GDT_DESC    0xf70 /* lgdt operand: u16 limit, u64 base */
#define PARK_CODE_IDT_LOOP_DESC  0xf80 /* lidt operand: u16 limit, u64 base */
#define PARK_CODE_IDT_ENTRY_DESC 0xf90 /* lidt operand: u16 limit, u64 base */
#define PARK_GDT_CODE64       0x10  /* same selectors as Linux's boot GDT */
#define PARK_GDT_DATA         0x18

/* The flat descriptors every GDT of mpkexec holds (park page, SIPI
 * trampoline, purgatory's entry.S): defined once, here. */
#define GDT_DESC_CODE64       0x00af9a000000ffff /* L = 1, DPL 0, execute/read */
#define GDT_DESC_CODE32       0x00cf9a000000ffff /* D = 1, flat 4 GiB */
#define GDT_DESC_DATA         0x00cf92000000ffff /* flat 4 GiB, read/write */

/* The SIPI trampoline page (arch/x86_64/trampoline.S), below 1 MiB. */
#define TRAMP_GDT             0x100 /* null, code32, code64, data */
#define TRAMP_GDT_DESC        0x120 /* u16 limit, u32 base */
#define TRAMP_PM_JUMP         0x128 /* far pointer: u32 offset, u16 selector */
#define TRAMP_LM_JUMP         0x130 /* far pointer: u32 offset, u16 selector */
#define TRAMP_CR4             0x138 /* u32, written by purgatory */
#define TRAMP_CR3             0x13c /* u32, written by purgatory */
#define TRAMP_EFER            0x140 /* u32, written by purgatory */
#define TRAMP_PARK_ENTRY      0x148 /* u64: region + PARK_CODE_OFF + PARK_ENTRY_SIPI */
#define TRAMP_PM32_OFF_CHECK  0x150 /* u32 x 2: offsets of the 32/64-bit code */
#define TRAMP_SEL_CODE32      0x08
#define TRAMP_SEL_DATA        0x18

/* struct park_cpu: one per CPU the loader expects (PARK_CPU_SIZE bytes) */
#define PARK_CPU_APIC_ID      0x00  /* u32, filled by the loader */
#define PARK_CPU_STATE        0x04  /* u32, PARK_STATE_* */
#define PARK_CPU_HOW          0x08  /* u32, PARK_HOW_*: how it last arrived (0: never) */
#define PARK_CPU_WAKEUPS      0x0c  /* u32, Wakeup commands taken */
#define PARK_CPU_ARRIVED_TSC  0x10  /* u64, TSC at the last arrival */
#define PARK_CPU_TESTS        0x18  /* u32, Test commands acknowledged */
#define PARK_CPU_STACK        0x1c  /* u32 (ABI 2): stack index + 1 in use (0: none) */

#define PARK_STATE_ABSENT     0     /* not (yet) in the loop */
#define PARK_STATE_PARKED     1     /* spinning on the mailbox */
#define PARK_STATE_WOKEN      2     /* left through a Wakeup command */
#define PARK_STATE_STOPPED    3     /* took a machine check: spins off the mailbox */

#define PARK_HOW_INIT_SIPI    1     /* gathered by purgatory's INIT-SIPI-SIPI */
#define PARK_HOW_MIGRATED     2     /* moved here from another mailbox */
#define PARK_HOW_RESET_VECTOR 3     /* a kernel sent it here (CPU offline/kexec) */
#define PARK_HOW_EXCEPTION    4     /* re-entered after an exception; vector << 8 */
#define PARK_HOW_MACHINE_CHECK 5    /* re-entered after #MC, then stopped */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* In the firmware half of the mailbox page; the OS must not write it. */
struct park_header {
	uint64_t magic;              /* PARK_MAGIC */
	uint32_t abi_version;        /* PARK_ABI_VERSION */
	uint32_t region_size;        /* PARK_REGION_SIZE */
	uint64_t region_base;        /* physical address of the mailbox page */
	uint32_t nr_cpus;            /* entries in use in the per-CPU table */
	uint32_t mailbox_version;    /* what the MADT says: 0 or 1 */
	uint64_t reset_vector;       /* physical, region_base + code + PARK_RESET_VECTOR */
	uint64_t generation;         /* kexecs this region has served */
};

struct park_cpu {
	uint32_t apic_id;
	uint32_t state;
	uint32_t how;
	uint32_t wakeups;
	uint64_t arrived_tsc;
	uint32_t tests;
	uint32_t stack;              /* ABI 2: stack index + 1, 0: none (was reserved) */
};

/* After the 36-byte SDT header of the status table. */
struct park_status_body {
	uint32_t abi_version;
	uint32_t nr_cpus;
	uint64_t region_base;
	uint64_t mailbox_version;
};

_Static_assert(PARK_STATUS_BODY + sizeof(struct park_status_body) <= PARK_STATUS_HEAD,
	       "status head");
_Static_assert(PARK_CPUS_OFF + PARK_MAX_CPUS * PARK_CPU_SIZE <= PARK_REGION_SIZE,
	       "per-CPU records fit the region");
_Static_assert(PARK_CPUS_OFF + PARK_MAX_CPUS * PARK_CPU_SIZE <= PARK_SPARE_OFF &&
	       PARK_SPARE_OFF + PARK_SPARE_STACKS * 4 <= PARK_STACKS_OFF &&
	       PARK_STACKS_OFF + PARK_NR_STACKS * PARK_STACK_SIZE <= PARK_REGION_SIZE &&
	       PARK_STACKS_OFF + PARK_NR_STACKS * PARK_STACK_SIZE > PARK_REGION_SIZE - 4096 &&
	       PARK_REGION_SIZE % 4096 == 0, "spare owners and stacks fit the region, no spare page");
_Static_assert(PARK_STACK_SIZE % 16 == 0 && PARK_STACKS_OFF % 16 == 0,
	       "stack tops 16-byte aligned, as the CPU aligns frames");
_Static_assert(sizeof(struct park_cpu) == PARK_CPU_SIZE, "park_cpu layout");
_Static_assert(__builtin_offsetof(struct park_header, nr_cpus) == PARK_HDR_NR_CPUS,
	       "park_header layout");
_Static_assert(sizeof(struct park_header) <= 0x800, "park_header fits the firmware half");
#endif

#endif
