/* SPDX-License-Identifier: GPL-2.0-only */
/* One error style for the whole loader: a function that fails fills a
 * `struct mpk_error` with a message naming the input and the field, plus the
 * exit status main() should return, and returns -1.  Nothing prints on the
 * way up; main() prints the message once. */
#ifndef MPKEXEC_ERROR_H
#define MPKEXEC_ERROR_H

#include <sysexits.h>

struct mpk_error {
	int exit_code;      /* a sysexits.h code */
	char msg[1024];
};

/* Exit codes, one per kind of failure (see mpkexec.8, EXIT STATUS). */
enum {
	MPK_EXIT_USAGE = EX_USAGE,          /* 64: bad command line */
	MPK_EXIT_BADINPUT = EX_DATAERR,     /* 65: image/initrd/cmdline rejected */
	MPK_EXIT_NOINPUT = EX_NOINPUT,      /* 66: file missing or unreadable */
	MPK_EXIT_UNAVAILABLE = EX_UNAVAILABLE, /* 69: kexec disabled / unsupported */
	MPK_EXIT_INTERNAL = EX_SOFTWARE,    /* 70: a bug in mpkexec */
	MPK_EXIT_OSERR = EX_OSERR,          /* 71: the system refused (syscall) */
	MPK_EXIT_NOSPACE = EX_CANTCREAT,    /* 73: nowhere to put a segment */
	MPK_EXIT_NOPERM = EX_NOPERM,        /* 77: missing privilege */
};

__attribute__((format(printf, 3, 4)))
int mpk_fail(struct mpk_error *err, int exit_code, const char *fmt, ...);

#endif
