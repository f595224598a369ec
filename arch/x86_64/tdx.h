/* SPDX-License-Identifier: GPL-2.0-only */
/* Is this an Intel TDX guest?  Decides --ap-handoff=auto: a TDX guest has
 * no INIT/SIPI, only mailboxes. */
#ifndef MPKEXEC_TDX_H
#define MPKEXEC_TDX_H

#include <stdbool.h>

#include "sysview.h"

/* The kernel's "tdx_guest" CPU flag, or (on this machine, not under
 * --sysroot) CPUID leaf 0x21's "IntelTDX    " signature; *how says which. */
bool tdx_guest(const struct sysview *sv, const char **how);

#endif
