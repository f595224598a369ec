/* SPDX-License-Identifier: GPL-2.0-only */
/* The command line, parsed once into one struct (kexec-tools compatible
 * where the meaning is the same). */
#ifndef MPKEXEC_OPTIONS_H
#define MPKEXEC_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arch-options.h"
#include "error.h"

enum action {
	ACTION_NONE,
	ACTION_LOAD,     /* -l, or --plan */
	ACTION_EXEC,     /* -e */
	ACTION_UNLOAD,   /* -u */
	ACTION_STATUS,   /* --status */
	ACTION_HELP,     /* -h */
	ACTION_VERSION,  /* -v */
	ACTION_LAST_HANDOFF, /* --last-handoff */
	ACTION_PREPARE_EXEC, /* --prepare-exec: -e's preparation only */
};

#define OPT_MAX_APPEND 16
/* --module: kexec_load takes 16 segments; payload, information structure,
 * purgatory and the AP handoff's (at most 4) leave room for 8. */
#define OPT_MAX_MODULES 8

/* How an ELF executable is entered (--args-linux / --args-none). */
enum args_style {
	ARGS_DEFAULT,    /* the type's own convention */
	ARGS_LINUX,      /* --args-linux: Linux boot_params in RSI (ELF64) / ESI (ELF32) */
	ARGS_NONE,       /* --args-none: no arguments at all */
};

struct options {
	enum action action;
	bool plan;                 /* --plan: print the plan, load nothing */
	bool file_syscall;         /* -s: kexec_file_load */
	bool no_checks;            /* -i: no digest verification in purgatory */
	bool debug;                /* -d */
	bool reuse_cmdline;        /* --reuse-cmdline */
	bool serial_debug;         /* --console-serial */
	uint16_t serial_port;      /* --console-serial=PORT, default 0x3f8 */
	const char *kernel;
	const char *initrd;
	const char *append[OPT_MAX_APPEND]; /* --append / --command-line, in order */
	unsigned nappend;
	const char *sysroot;       /* --sysroot: read the system view from here */
	bool json;                 /* --json: --plan/--status/--last-handoff as JSON */
	bool type_set;             /* -t given */
	const char *type;          /* -t TYPE (src/image-types.h), NULL: probe */
	bool crash;                /* -p: the capture kernel (with -u: unload it) */
	bool hotplug;              /* --hotplug: KEXEC_UPDATE_ELFCOREHDR */
	const char *module[OPT_MAX_MODULES]; /* --module="FILE ARGS", in order */
	unsigned nmodule;
	int args_style;            /* enum args_style: --args-linux / --args-none */
	struct arch_options arch;  /* the architecture's (arch/.../arch-options.h) */
};

/* Parses argv (getopt_long; safe to call repeatedly). */
int options_parse(int argc, char **argv, struct options *o, struct mpk_error *err);

/* The final command line: --reuse-cmdline's text (BOOT_IMAGE= dropped),
 * then every --append/--command-line, space separated.  malloc'd. */
char *options_cmdline(const struct options *o, const char *running_cmdline);

/* --help: the portable options, then the architecture's. */
void options_print_usage(FILE *out);

#endif
