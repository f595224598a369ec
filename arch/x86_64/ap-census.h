/* SPDX-License-Identifier: GPL-2.0-only */
/* Where every CPU is now, and what this kernel will do with it at kexec:
 * the input of the mailbox-only handoff and of the per-CPU account that
 * --plan, -l and --last-handoff give.  Pure: it only reads the sysview. */
#ifndef MPKEXEC_AP_CENSUS_H
#define MPKEXEC_AP_CENSUS_H

#include <stdbool.h>
#include <stdint.h>

#include "madt.h"
#include "sysview.h"

enum ap_where {
	AP_WHERE_BOOT,      /* this kernel's boot CPU: runs purgatory */
	AP_WHERE_PARKED,    /* spinning in the park region (its MPKP record says so) */
	AP_WHERE_ONLINE,    /* online in this kernel */
	AP_WHERE_HELD,      /* woken into this kernel, offline there, not given back */
	AP_WHERE_MAILBOX,   /* not running here: in the (foreign) mailbox's loop */
	AP_WHERE_STOPPED,   /* not running here, and in no mailbox */
};

struct ap_census_cpu {
	uint32_t apic_id;
	enum ap_where where;
	uint32_t record;    /* index in the park region's records, or MPK_NO_RECORD */
	uint32_t how;       /* that record's PARK_HOW_* */
};

struct ap_census {
	uint64_t mailbox;          /* where this system's APs wait and return; 0: none */
	char mailbox_src[200];     /* how mailbox was found, or why there is none */
	uint64_t region;           /* mailbox, when it is an mpkexec park region whose
				      records we can read (MPKP); else 0 */
	bool region_reusable;      /* and it can serve the next kernel in place */
	char region_why[200];      /* why not, if region && !region_reusable */
	bool returns_at_kexec;     /* online APs reach the mailbox's ResetVector at kexec */
	char returns_why[200];
	unsigned n;
	struct ap_census_cpu cpu[MPK_MAX_APS];
};

/* `cpus` is the CPU list of the MADT the next kernel builds on (firmware's),
 * `fw_madt` that MADT (its wakeup structure names firmware's mailbox). */
void ap_census_take(const struct sysview *sv, const uint8_t *fw_madt, size_t fw_madt_len,
		    const struct madt_cpus *cpus, uint32_t boot_apic_id, struct ap_census *c);

/* "parked in the park region at 0x...", "online in this kernel", ... */
const char *ap_where_text(const struct ap_census *c, const struct ap_census_cpu *cpu,
			  char *buf, size_t len);

/* "6.12.38+deb12-amd64" -> true if at least major.minor. */
bool osrelease_at_least(const char *release, unsigned major, unsigned minor);

#endif
