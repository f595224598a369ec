/* SPDX-License-Identifier: GPL-2.0-only */
#include "unaccepted.h"

#include <inttypes.h>

#include "ap-census.h"

/* Linux 6.15 (kernel/kexec_core.c) accepts every segment destination at
 * kexec_load; before it, relocate_kernel's copy into unaccepted memory is
 * fatal.  Purgatory and the park code then only touch segments, the reused
 * park region (written by an earlier purgatory, so accepted) and firmware's
 * tables and mailbox (accepted by firmware). */
#define KEXEC_ACCEPTS_MAJOR 6
#define KEXEC_ACCEPTS_MINOR 15

int unaccepted_check(const struct sysview *sv, const char *efi_why, struct mpk_error *err)
{
	if (!sv->have_unaccepted || sv->unaccepted_kb == 0)
		return 0;
	if (!osrelease_at_least(sv->osrelease, KEXEC_ACCEPTS_MAJOR, KEXEC_ACCEPTS_MINOR))
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE, "unaccepted memory: %" PRIu64 " kB of "
				"RAM is not accepted yet (/proc/meminfo Unaccepted) and this kernel "
				"(%s) predates Linux 6.15, whose kexec accepts segment destinations; "
				"a segment there would end the guest at -e.  Boot this kernel with "
				"accept_memory=eager, or kexec from Linux >= 6.15",
				sv->unaccepted_kb, *sv->osrelease ? sv->osrelease : "version unknown");
	if (efi_why)
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE, "unaccepted memory: %" PRIu64 " kB of "
				"RAM is not accepted yet, and the next kernel learns which only from "
				"the EFI configuration table, which cannot be handed over (%s)",
				sv->unaccepted_kb, efi_why);
	return 0;
}
