/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86_64 side of a capture kernel's plan (mpkexec -p): every segment
 * inside the "Crash kernel" range(s), the ELF core header (src/elfcore.c)
 * with the kernel text mapping and PAGE_OFFSET, `elfcorehdr=` on the
 * command line, and the e820 the capture kernel gets.  Called by
 * bzimage_plan (bzimage-load.c) when load_request.crash is set.
 *
 * Low 1 MiB: as the kernel's own kexec_file loader since Linux 5.13, the
 * capture kernel gets it as RAM and no backup copy is made (the running
 * kernel never uses it as general RAM since 5.13: "x86/setup: Always
 * reserve the first 1M of RAM"); the dump leaves it out.  kexec-tools
 * copies 640 KiB aside instead, for older running kernels. */
#ifndef MPKEXEC_CRASH_PLAN_H
#define MPKEXEC_CRASH_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "memmap.h"
#include "plan.h"
#include "planner.h"
#include "sysview.h"

/* Linux x86_64 without KASLR: the direct map's base (4-level paging). */
#define CRASH_PAGE_OFFSET_DEFAULT 0xffff888000000000ull

struct crash_setup {
	struct memmap ram;           /* the planner's map: the crash range(s) as RAM */
	uint64_t region_bytes;
	uint8_t *hdr;                /* the ELF core header (owned by the plan later) */
	size_t hdr_len;
	uint64_t hdr_memsz;          /* with --hotplug: room for the kernel's rewrites */
	char *cmdline;               /* the request's + " elfcorehdr=NK" */
};

/* Refuses when nothing is reserved with crashkernel= (69), or when
 * /proc/iomem hides the reservation from this user (77).  -s -p too. */
int crash_check_reservation(const struct sysview *sv, struct mpk_error *err);

/* Checks the reservation and the sizes (`kmem`: the kernel's memsz,
 * `initrd`: its bytes), builds the header and the planner's map. */
int crash_setup_begin(const struct sysview *sv, const struct load_request *rq,
		      uint64_t kmem, struct crash_setup *cs, struct mpk_error *err);

/* The capture kernel's e820 from the firmware map: RAM only inside the
 * crash range(s) and below 1 MiB; every other type as it is. */
int crash_handed_map(const struct sysview *sv, struct memmap *handed,
		     struct mpk_error *err);

/* The park handoff's SIPI trampoline page for a capture kernel: the
 * highest 4 KiB page between 4 KiB and 1 MiB that `handed` (the capture
 * kernel's e820, crash_handed_map: firmware's RAM there, less EFI runtime
 * ranges) calls RAM; 0 if none.  It is no segment (the kernel refuses
 * crash segments outside the crash region): the bytes go into the region
 * and purgatory copies them down (purgatory-params.h trampoline_src), which
 * the low 1 MiB rule above allows. */
uint64_t crash_trampoline_page(const struct memmap *handed);

/* Places the header (top of the crash range), adds its segment, marks it
 * reserved in `handed`, and makes cs->cmdline. */
int crash_place_header(struct planner *pl, struct load_plan *plan,
		       const struct load_request *rq, struct crash_setup *cs,
		       struct memmap *handed, struct mpk_error *err);

/* Rewords a placement failure inside the crash region. */
int crash_no_room(const struct crash_setup *cs, const struct sysview *sv,
		  struct mpk_error *err);

/* What the plan assumed (said on stderr at load time, in --plan). */
void crash_plan_warnings(const struct sysview *sv, struct load_plan *plan);

void crash_setup_free(struct crash_setup *cs);

#endif
