/* SPDX-License-Identifier: GPL-2.0-only */
/* A load plan: everything kexec_load(2) will be given, decided before any
 * syscall, plus what --plan prints about it.  Built by an architecture's
 * image loader (arch/x86_64/bzimage-load.c), loaded by src/kexec-syscall.c,
 * printed (text and JSON) by src/report.c. */
#ifndef MPKEXEC_PLAN_H
#define MPKEXEC_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "arch-plan.h"
#include "file.h"
#include "memmap.h"
#include "mpkexec/kexec-abi.h"
#include "purgatory-link.h"

/* A multiboot module (--module="FILE ARGS"). */
struct load_module {
	const char *path;
	const char *args;            /* its command line: the whole --module text */
	struct blob data;
};

/* What the user asked for (options, after files were read). */
struct load_request {
	const char *kernel_path;
	struct blob kernel;
	const char *initrd_path;     /* NULL: no initrd */
	struct blob initrd;
	const char *cmdline;         /* final command line */
	bool verify;                 /* digests checked in purgatory (not -i) */
	bool serial_debug;           /* --console-serial */
	uint16_t serial_port;
	bool crash;                  /* -p: a capture kernel (arch/x86_64/crash-plan.c) */
	bool hotplug;                /* --hotplug: elfcorehdr out of the digest */
	struct load_module module[8];  /* --module, in order (OPT_MAX_MODULES) */
	unsigned nmodule;
	int args_style;              /* enum args_style (options.h) */
	ARCH_REQUEST_FIELDS          /* the architecture's (arch-plan.h) */
};

struct segment {
	const char *what;            /* "kernel", "initrd", ... */
	char detail[160];
	const uint8_t *buf;
	uint64_t bufsz;
	uint64_t mem;                /* physical destination, page aligned */
	uint64_t memsz;              /* page multiple; the rest is zero-filled */
	bool digest;                 /* verified by purgatory */
};

/* One CPU of the AP handoff account, filled by the architecture's AP
 * handoff planner; src/report.c renders it as text and as JSON. */
struct plan_cpu {
	uint32_t apic_id;
	bool boot;                   /* runs purgatory and boots the next kernel */
	const char *now;             /* where it is now, a key: "boot", "parked",
					"online", "held", "mailbox", "stopped" */
	char now_text[128];          /* the same in words */
	const char *handover;        /* how it reaches the next kernel, a key:
					"purgatory", "init", "park", "stay",
					"migrate", "unreachable" */
	const char *handover_text;   /* the same in words (static text) */
	bool offered;                /* enabled in the MADT the next kernel gets
					(park: unless it does not arrive) */
};

struct load_plan {
	struct segment seg[KEXEC_SEGMENT_MAX];
	unsigned nseg;
	unsigned nseg_dropped;       /* beyond KEXEC_SEGMENT_MAX: plan_check_limits refuses */
	uint64_t entry;              /* where the old kernel jumps: purgatory */
	uint64_t payload_entry;      /* where purgatory jumps */
	uint64_t payload_rsi;
	const char *cmdline;         /* the command line the payload gets, as --plan
					shows it (-p: with elfcorehdr=); NULL: the request's */
	char image_desc[256];        /* one line about the image */
	char cmdline_desc[64];       /* "N bytes, at most M" */
	char rsdp_desc[128];
	char acpi_desc[600];         /* where the ACPI tables handed over come from */
	char efi_desc[300];          /* the EFI data handed over, and its sources */
	char ap_desc[1024];          /* the AP handoff strategy (per CPU: cpu[]) */
	char ap_tally[128];          /* after the CPU list: "N of M APs handed over..." */
	unsigned ncpu;               /* cpu[]: every CPU of the MADT, boot CPU included */
	struct plan_cpu cpu[ARCH_MAX_CPUS];
	char warning[600];           /* said on stderr at load time, if set */
	struct memmap handed_map;    /* the memory map the payload gets */
	struct purgatory_image purgatory;
	ARCH_PLAN_FIELDS             /* the architecture's: purgatory's parameters,
					the AP handoff (arch-plan.h) */
	void *owned[8];              /* other segment buffers, freed with the plan */
	unsigned nowned;
};

/* Appends a segment (memsz rounded up to pages); `detail` is printf-like.
 * NULL when the plan is full (counted; plan_check_limits refuses it). */
__attribute__((format(printf, 8, 9)))
struct segment *plan_add_segment(struct load_plan *plan, const char *what,
				 const uint8_t *buf, uint64_t bufsz, uint64_t mem,
				 uint64_t memsz, bool digest, const char *detail, ...);
/* printf-like, onto the end of a plan text (ap_desc, warning); truncates. */
__attribute__((format(printf, 3, 4)))
void plan_text_append(char *buf, size_t size, const char *fmt, ...);
/* The plan frees `p` in load_plan_free. */
void plan_own(struct load_plan *plan, void *p);

void load_plan_free(struct load_plan *plan);
/* The kernel's size rules for an image (half of RAM per segment and in all). */
int plan_check_limits(const struct load_plan *plan, uint64_t total_ram,
		      struct mpk_error *err);

#endif
