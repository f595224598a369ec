/* SPDX-License-Identifier: GPL-2.0-only */
/* The only place that calls kexec_load(2), kexec_file_load(2) and
 * reboot(2).  Failures are turned into one message that says what the
 * kernel refused and what would work instead. */
#ifndef MPKEXEC_KEXEC_SYSCALL_H
#define MPKEXEC_KEXEC_SYSCALL_H

#include <stdbool.h>

#include "error.h"
#include "plan.h"

/* flags: KEXEC_ON_CRASH, KEXEC_UPDATE_ELFCOREHDR (the arch is added). */
int kexec_load_plan(const struct load_plan *plan, unsigned long flags, struct mpk_error *err);
/* -u (crash: -u -p, refused when root's kexec_crash_loaded says 0). */
int kexec_unload(const char *root, bool file_syscall, bool crash, struct mpk_error *err);
/* kexec_file_load: the kernel's own loader and purgatory.  `kernel` and
 * `initrd` come from file_open/file_load (the initrd only opened, not read:
 * the kernel reads its fd). */
int kexec_file_load_image(const char *kernel_path, const struct blob *kernel,
			  const char *initrd_path, const struct blob *initrd,
			  const char *cmdline, bool crash, struct mpk_error *err);
/* The kernel fd kexec_file_load gets: the file's own (kernel->fd) when
 * nothing was inflated, so IMA sees its xattr; otherwise a memfd holding
 * the inflated bytes, *owned set (the caller closes it). */
int kexec_file_kernel_fd(const char *kernel_path, const struct blob *kernel, bool *owned,
			 struct mpk_error *err);
/* Only returns on failure. */
int kexec_reboot(struct mpk_error *err);

/* Why would the kernel refuse kexec_load?  Fills err and returns -1 when
 * the answer is known from sysfs/procfs without trying; 0 otherwise. */
int kexec_diagnose_eperm(const char *root, const char *call, struct mpk_error *err);

#endif
