/* SPDX-License-Identifier: GPL-2.0-only */
#include "arch-options.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mpkexec/park-abi.h"
#include "plan.h"

#define OPT_PAGE_SIZE 0x1000u

enum {
	OPT_AP_HANDOFF = ARCH_OPT_BASE,
	OPT_PARK_ADDR,
	OPT_MAILBOX_VERSION,
	OPT_ENTRY_32BIT,
};

const struct option arch_long_options[] = {
	{ "ap-handoff", required_argument, NULL, OPT_AP_HANDOFF },
	{ "park-addr", required_argument, NULL, OPT_PARK_ADDR },
	{ "mailbox-version", required_argument, NULL, OPT_MAILBOX_VERSION },
	{ "entry-32bit", no_argument, NULL, OPT_ENTRY_32BIT },
	{ NULL, 0, NULL, 0 },
};

const char arch_options_usage[] =
	"x86_64 load options:\n"
	"      --ap-handoff=MODE    how the secondary CPUs reach the next kernel:\n"
	"                           auto (default): mailbox on TDX or where CPUs\n"
	"                           already start through a mailbox, else park;\n"
	"                           park: INIT-SIPI them into a park region the next\n"
	"                           kernel wakes through the MADT mailbox;\n"
	"                           mailbox: no INIT/SIPI ever, only mailboxes (TDX);\n"
	"                           init: put them into INIT\n"
	"      --park-addr=ADDR     put the park region at ADDR (moves parked CPUs)\n"
	"      --mailbox-version=N  MADT wakeup structure version for the next\n"
	"                           kernel: 1 (default, ResetVector) or 0\n"
	"      --entry-32bit        bzImage: start through the 32-bit entry\n";

void arch_options_init(struct arch_options *ao)
{
	memset(ao, 0, sizeof(*ao));
	ao->mailbox_version = 1;
}

/* A physical address the park region (PARK_REGION_SIZE bytes) can start
 * at: strtoull alone takes "-4096" as 2^64-4096, and at + size wraps. */
static int parse_park_addr(const char *arg, uint64_t *out, struct mpk_error *err)
{
	const char *p = arg;
	unsigned long long v;
	char *end;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '-')
		return mpk_fail(err, MPK_EXIT_USAGE, "--park-addr=%s: negative; give a "
				"physical address (e.g. 0x7f000000)", arg);
	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || !v)
		return mpk_fail(err, MPK_EXIT_USAGE, "--park-addr=%s: not a nonzero physical "
				"address (e.g. 0x7f000000)", arg);
	if (v & (OPT_PAGE_SIZE - 1))
		return mpk_fail(err, MPK_EXIT_USAGE, "--park-addr=%s: not page aligned (a "
				"multiple of %#x, e.g. 0x7f000000)", arg, OPT_PAGE_SIZE);
	if (v > UINT64_MAX - (PARK_REGION_SIZE - 1))
		return mpk_fail(err, MPK_EXIT_USAGE, "--park-addr=%s: the park region (%#x "
				"bytes) would end beyond the 64-bit address space", arg,
				PARK_REGION_SIZE);
	*out = v;
	return 0;
}

int arch_option(int c, const char *arg, struct arch_options *ao, struct mpk_error *err)
{
	switch (c) {
	case OPT_AP_HANDOFF:
		ao->ap_handoff_set = true;
		if (strcmp(arg, "auto") == 0)
			ao->ap_handoff = AP_HANDOFF_AUTO;
		else if (strcmp(arg, "park") == 0)
			ao->ap_handoff = AP_HANDOFF_PARK;
		else if (strcmp(arg, "init") == 0)
			ao->ap_handoff = AP_HANDOFF_INIT;
		else if (strcmp(arg, "mailbox") == 0)
			ao->ap_handoff = AP_HANDOFF_MAILBOX;
		else
			return mpk_fail(err, MPK_EXIT_USAGE, "--ap-handoff=%s: unknown; use "
					"auto, mailbox, park or init", arg);
		return 0;
	case OPT_PARK_ADDR:
		return parse_park_addr(arg, &ao->park_addr, err);
	case OPT_MAILBOX_VERSION:
		ao->mailbox_version_set = true;
		if (strcmp(arg, "0") == 0 || strcmp(arg, "1") == 0) {
			ao->mailbox_version = (unsigned)(arg[0] - '0');
			return 0;
		}
		return mpk_fail(err, MPK_EXIT_USAGE, "--mailbox-version=%s: use 0 (no "
				"ResetVector, as older firmware) or 1", arg);
	case OPT_ENTRY_32BIT:
		ao->entry_32bit = true;
		return 0;
	}
	return mpk_fail(err, MPK_EXIT_INTERNAL, "option %d: not an x86_64 option", c);
}

const char *arch_options_given(const struct arch_options *ao)
{
	return ao->ap_handoff_set ? "--ap-handoff" : ao->park_addr ? "--park-addr" :
	       ao->mailbox_version_set ? "--mailbox-version" :
	       ao->entry_32bit ? "--entry-32bit" : NULL;
}

int arch_options_check(const struct arch_options *ao, const struct arch_options_context *ctx,
		       struct mpk_error *err)
{
	if (ctx->file_syscall && ao->ap_handoff_set)
		return mpk_fail(err, MPK_EXIT_USAGE, "--ap-handoff with -s: it configures "
				"mpkexec's purgatory, which kexec_file_load does not use");
	if (ctx->file_syscall && ao->entry_32bit)
		return mpk_fail(err, MPK_EXIT_USAGE, "--entry-32bit with -s: kexec_file_load "
				"loads bzImage only, through the kernel's own loader");
	if (arch_options_given(ao) && (!ctx->load || ctx->file_syscall))
		return mpk_fail(err, MPK_EXIT_USAGE, "%s: only meaningful with -l (and not "
				"with -s)", arch_options_given(ao));
	if ((ao->park_addr || ao->mailbox_version_set) && ao->ap_handoff == AP_HANDOFF_INIT)
		return mpk_fail(err, MPK_EXIT_USAGE, "%s with --ap-handoff=init: there is no "
				"park region or mailbox in that mode", ao->park_addr ?
				"--park-addr" : "--mailbox-version");
	if (ctx->serial_debug && ao->ap_handoff == AP_HANDOFF_MAILBOX)
		return mpk_fail(err, MPK_EXIT_USAGE, "--console-serial with "
				"--ap-handoff=mailbox: the console is port I/O, which the mailbox "
				"handoff never does (in a TDX guest it traps, and purgatory has no "
				"handler)");
	return 0;
}
