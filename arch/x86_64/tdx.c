/* SPDX-License-Identifier: GPL-2.0-only */
#include "tdx.h"

#include <cpuid.h>
#include <string.h>

/* CPUID leaf 0x21 of a TDX guest reads "IntelTDX    " (EBX, EDX, ECX). */
static bool cpuid_tdx_guest(void)
{
	unsigned a, b, c, d;
	char sig[12];

	if (__get_cpuid_max(0, NULL) < 0x21)
		return false;
	__cpuid_count(0x21, 0, a, b, c, d);
	(void)a;
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &d, 4);
	memcpy(sig + 8, &c, 4);
	return memcmp(sig, "IntelTDX    ", 12) == 0;
}

bool tdx_guest(const struct sysview *sv, const char **how)
{
	if (sv->tdx_guest_flag) {
		*how = "the kernel's tdx_guest CPU flag";
		return true;
	}
	if (sv->live && cpuid_tdx_guest()) {
		*how = "CPUID leaf 0x21";
		return true;
	}
	return false;
}
