/* SPDX-License-Identifier: GPL-2.0-only */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

int mpk_fail(struct mpk_error *err, int exit_code, const char *fmt, ...)
{
	va_list ap;

	err->exit_code = exit_code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}
