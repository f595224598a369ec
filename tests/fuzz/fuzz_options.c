/* SPDX-License-Identifier: GPL-2.0-only */
/* libFuzzer target: the command line (options_parse, options_cmdline).
 * Input: NUL-separated arguments (at most 24, after "mpkexec").
 * Invariants that abort(): a refusal has exit code 64 and a message; an
 * accepted command line has exactly one action, a kernel exactly when it
 * loads, load options only with -l, a --park-addr that is page aligned,
 * nonzero and does not wrap with the park region, --json only with
 * --plan/--status/--last-handoff, a serial port in 1..0xfff8, and a
 * command line that options_cmdline builds from the --append words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mpkexec/park-abi.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *argv[MAX_ARGS + 2];
	struct mpk_error err = { 0 };
	struct options o;
	int argc = 1;
	char *p, *cmd;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = "mpkexec";
	for (p = copy; p < copy + size && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	if (options_parse(argc, argv, &o, &err) < 0) {
		if (err.exit_code != MPK_EXIT_USAGE || !err.msg[0])
			abort();
		goto out;
	}
	if (o.action == ACTION_NONE)
		abort();
	if ((o.action == ACTION_LOAD) != (o.kernel != NULL))
		abort();
	if (o.action != ACTION_LOAD &&
	    (o.initrd || o.nappend || o.reuse_cmdline || o.plan || o.no_checks ||
	     o.serial_debug || o.debug || o.arch.park_addr || o.arch.ap_handoff_set ||
	     o.arch.mailbox_version_set || *o.sysroot ||
	     (o.file_syscall && o.action != ACTION_UNLOAD)))
		abort();
	if (o.arch.park_addr && ((o.arch.park_addr & 0xfff) ||
			    o.arch.park_addr > UINT64_MAX - (PARK_REGION_SIZE - 1)))
		abort();
	if (o.json && !o.plan && o.action != ACTION_STATUS && o.action != ACTION_LAST_HANDOFF)
		abort();
	if (o.serial_debug && (o.serial_port == 0 || o.serial_port > 0xfff8))
		abort();
	if (o.nappend > OPT_MAX_APPEND || o.arch.mailbox_version > 1)
		abort();
	cmd = options_cmdline(&o, "BOOT_IMAGE=/vmlinuz root=/dev/vda ro");
	if (cmd) {
		for (unsigned i = 0; i < o.nappend; i++)
			if (!strstr(cmd, o.append[i]))
				abort();
		free(cmd);
	}
out:
	free(copy);
	return 0;
}
