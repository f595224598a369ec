/* SPDX-License-Identifier: GPL-2.0-only */
/* The ELF core header a capture kernel gets (elfcorehdr=): the dump's table
 * of contents, built by mpkexec -p from what the running kernel says in
 * /proc/iomem and sysfs.  Portable ELF64 here; the x86_64 numbers (the
 * kernel text mapping, PAGE_OFFSET) come from arch/x86_64/crash-plan.c.
 * Pure: no file access, same inputs give the same bytes. */
#ifndef MPKEXEC_ELFCORE_H
#define MPKEXEC_ELFCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "memmap.h"

#define ELFCORE_MAX_CPUS     1024
#define ELFCORE_MAX_CRASH    4
#define ELFCORE_EHDR_SIZE    64u
#define ELFCORE_PHDR_SIZE    56u
/* The capture kernel reads the header where elfcorehdr= says; kexec-tools
 * aligns it to 1 KiB, so do we. */
#define ELFCORE_ALIGN        1024u
/* Since Linux 5.13 the running kernel never uses the low 1 MiB as general
 * RAM, and the capture kernel is given it as RAM (no backup copy, as the
 * kernel's own kexec_file loader does): the dump leaves it out. */
#define ELFCORE_LOW_EXCLUDED (1ull << 20)

struct elfcore_note {
	uint64_t addr;       /* physical: crash_notes, vmcoreinfo */
	uint64_t size;
};

struct elfcore_input {
	const struct elfcore_note *cpu_notes; /* one per possible CPU, in order */
	unsigned ncpu;
	struct elfcore_note vmcoreinfo;       /* size 0: none */
	const struct memmap *iomem;           /* top level of /proc/iomem; only
						 E820_RAM ranges are dumped */
	const struct mem_range *crash;        /* the "Crash kernel" range(s) */
	unsigned ncrash;
	bool have_text;                       /* the kernel text mapping */
	uint64_t text_vaddr, text_paddr, text_size;
	uint64_t page_offset;                 /* direct map: vaddr = paddr + this */
};

/* p_type values and the ELF header fields the tests check. */
#define ELFCORE_PT_LOAD 1u
#define ELFCORE_PT_NOTE 4u

/* Builds the header (ELF64, ET_CORE, EM_X86_64) into a malloc'd buffer of
 * *len bytes (a multiple of ELFCORE_ALIGN).  Program headers: one PT_NOTE
 * per CPU, the vmcoreinfo PT_NOTE, the kernel text PT_LOAD, then one
 * PT_LOAD per System RAM piece outside the crash ranges and the low 1 MiB.
 * Fails (65) on no CPUs, or (64-bit overflow, too many headers) input. */
int elfcore_build(const struct elfcore_input *in, uint8_t **buf, size_t *len,
		  struct mpk_error *err);

/* How many program headers elfcore_build writes for `in`. */
unsigned elfcore_phnum(const struct elfcore_input *in);

/* Text parsers for the sysfs files (the fuzz target feeds them too). */
/* /sys/devices/system/cpu/cpuN/crash_notes: one hex address (with or
 * without 0x), newline. */
bool elfcore_parse_hex(const char *text, uint64_t *v);
/* crash_notes_size: decimal. */
bool elfcore_parse_dec(const char *text, uint64_t *v);
/* /sys/kernel/vmcoreinfo: "addr size", both hex. */
bool elfcore_parse_vmcoreinfo(const char *text, struct elfcore_note *n);
/* /sys/devices/system/cpu/possible: "0-3,5" into the CPU numbers (at most
 * max); false if malformed or more than max. */
bool elfcore_parse_cpulist(const char *text, unsigned *ids, unsigned max, unsigned *n);

#endif
