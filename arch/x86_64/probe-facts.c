/* SPDX-License-Identifier: GPL-2.0-only */
/* What the x86_64 image probes need to know of the running system. */
#include "arch.h"

#include <stdlib.h>

#include "sysview.h"

/* Linux clears "la57" from the cpuinfo flags unless it runs with 5-level
 * paging (no5lvl, a 4-level build, no CPU support): a kernel without
 * XLF_5LEVEL cannot be kexec'd from such a host. */
void arch_probe_facts(const char *root, struct arch_probe_facts *f)
{
	size_t len;
	uint8_t *text = sysview_slurp(root, "/proc/cpuinfo", &len);

	f->host_5level = text && cpuinfo_has_flag((char *)text, "la57");
	free(text);
}
