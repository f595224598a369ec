/* SPDX-License-Identifier: GPL-2.0-only */
/* The x86_64 options of -l: how the secondary CPUs reach the next kernel
 * (--ap-handoff, --park-addr, --mailbox-version) and the bzImage 32-bit
 * entry.  src/options.c parses the portable options and hands every option
 * whose value is ARCH_OPT_BASE or above to arch_option. */
#ifndef MPKEXEC_ARCH_OPTIONS_H
#define MPKEXEC_ARCH_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define ARCH_OPT_BASE 0x200

struct arch_options {
	int ap_handoff;            /* enum ap_handoff (src/plan.h), --ap-handoff */
	bool ap_handoff_set;
	uint64_t park_addr;        /* --park-addr, 0: the planner chooses */
	unsigned mailbox_version;  /* --mailbox-version, default 1 */
	bool mailbox_version_set;
	bool entry_32bit;          /* --entry-32bit: bzImage through its 32-bit entry */
};

/* What options.c needs of them. */
struct arch_options_context {
	bool load;                 /* the action is -l / -p / --plan */
	bool file_syscall;         /* -s */
	bool serial_debug;         /* --console-serial */
};

extern const struct option arch_long_options[]; /* NULL-terminated */
extern const char arch_options_usage[];

void arch_options_init(struct arch_options *ao);
/* One option (`c` from arch_long_options); -1 with err on a bad value. */
int arch_option(int c, const char *arg, struct arch_options *ao, struct mpk_error *err);
/* The first option given, by name (for "only meaningful with -l"), or NULL. */
const char *arch_options_given(const struct arch_options *ao);
/* The combinations the architecture refuses (exit 64). */
int arch_options_check(const struct arch_options *ao, const struct arch_options_context *ctx,
		       struct mpk_error *err);

#endif
