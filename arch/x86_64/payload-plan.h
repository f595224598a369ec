/* SPDX-License-Identifier: GPL-2.0-only */
/* The parts of a plan every x86_64 image type shares, so that a type's
 * plan is only what is its own (where its bytes go, what it is given):
 *
 *   payload_plan_begin   the memory map handed over, the planner with what
 *                        no segment may touch, the AP handoff mode and the
 *                        SIPI trampoline, the EFI data (read once)
 *   payload_place_fixed  a segment at the address the image demands, with
 *                        a message naming what is in the way
 *   ap_handoff_plan      (ap-handoff.h) the park region and ACPI tables:
 *                        after the type's fixed segments, before anything
 *                        that describes memory (multiboot mmap, e820)
 *   payload_plan_finish  purgatory: placed, relocated, its parameters
 *                        (digest of every segment, the entry convention)
 *
 * bzimage-load.c, multiboot2.c, multiboot.c and elf-exec.c use it. */
#ifndef MPKEXEC_PAYLOAD_PLAN_H
#define MPKEXEC_PAYLOAD_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "efi-handover.h"
#include "error.h"
#include "plan.h"
#include "planner.h"
#include "sysview.h"

struct payload_ctx {
	struct planner pl;
	enum ap_handoff mode;          /* resolved */
	char mode_why[200];
	struct efi_handover eh;        /* eh.present: EFI is handed over */
	const char *type_name;         /* for messages: "multiboot2", ... */
};

/* How purgatory enters the payload (include/mpkexec/purgatory-params.h). */
struct payload_entry {
	uint32_t mode;                 /* MPK_ENTRY_* */
	uint64_t entry;
	uint64_t rsi;                  /* MPK_ENTRY_LINUX64 */
	uint32_t eax, ebx, esi;        /* MPK_ENTRY_32 */
	uint64_t boot_params;          /* Linux boot_params (report, fallback RSDP), or 0 */
	uint64_t report_addr;          /* where purgatory writes the handoff report, or 0
					  (then it keeps it to itself) */
	uint32_t report_len;
};

struct crash_setup;

/* What a type tells payload_plan_begin. */
struct payload_begin {
	const char *type_name;         /* "multiboot2", ...: for messages */
	const char *efi_refused;       /* non-NULL: EFI is not handed over, because... */
	const struct crash_setup *cs;  /* -p: the capture kernel's (crash-plan.h) set up
					  by the caller, which also filled
					  plan->handed_map; NULL: -p is refused */
};

/* Everything before the type's own segments (the caller zeroed `plan`): the memory map
 * handed over (firmware's; -p: the caller's), the planner avoiding page 0,
 * the EFI runtime ranges (reserved in the handed map too), the running
 * kernel's image, the trampoline placed (park) and then the rest of the low
 * 1 MiB, the AP handoff mode resolved, the EFI data read (ctx->eh) and the
 * unaccepted-memory check.  The caller frees ctx with payload_ctx_free. */
int payload_plan_begin(const struct sysview *sv, const struct load_request *rq,
		       const struct payload_begin *pb, struct payload_ctx *ctx,
		       struct load_plan *plan, struct mpk_error *err);

/* A segment at exactly [addr, addr + memsz): refused, naming `what` and
 * `path`, when that is not free System RAM, overlaps the running kernel,
 * the low 1 MiB, a "Crash kernel" range, the --park-addr region or an
 * earlier segment. */
int payload_place_fixed(struct payload_ctx *ctx, const struct sysview *sv,
			const struct load_request *rq, const char *what, const char *path,
			uint64_t addr, uint64_t memsz, struct mpk_error *err);

/* What a type takes of the options that configure only some types. */
#define PAYLOAD_TAKES_INITRD   (1u << 0)   /* --initrd */
#define PAYLOAD_TAKES_MODULES  (1u << 1)   /* --module */
#define PAYLOAD_TAKES_ARGS     (1u << 2)   /* --args-linux, --args-none */
#define PAYLOAD_TAKES_ENTRY32  (1u << 3)   /* --entry-32bit */

/* An option the type does not take is refused (exit 64), naming it and the
 * type, instead of being ignored. */
int payload_refuse_options(const struct load_request *rq, const char *type_name,
			   unsigned takes, struct mpk_error *err);

#define PAYLOAD_NO_ROOM (-2)

/* Purgatory placed last (its parameters name every other segment) and
 * its parameter block filled: common flags, the digest of every digested
 * segment, the entry convention; then the kernel's size and segment
 * limits.  -1, or PAYLOAD_NO_ROOM when no RAM was left for purgatory. */
int payload_plan_finish(const struct sysview *sv, const struct load_request *rq,
			struct payload_ctx *ctx, const struct payload_entry *pe,
			const uint8_t *purgatory_elf, size_t purgatory_len,
			struct load_plan *plan, struct mpk_error *err);

/* plan->rsdp_desc: where the RSDP handed over comes from; `who` ("the
 * next kernel", "the payload") searches when there is none. */
void payload_describe_rsdp(const struct sysview *sv, struct load_plan *plan, const char *who);

void payload_ctx_free(struct payload_ctx *ctx);

#endif
