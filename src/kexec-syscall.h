/* The only place that calls kexec_load(2), kexec_file_load(2) and
 * reboot(2).  Failures are turned into one message that says what the
 * kernel refused and what would work instead. */
#ifndef MPKEXEC_KEXEC_SYSCALL_H
#define MPKEXEC_KEXEC_SYSCALL_H

#include <stdbool.h>

#include "error.h"
#include "plan.h"

int kexec_load_plan(const struct load_plan *plan, struct mpk_error *err);
int kexec_unload(bool file_syscall, struct mpk_error *err);
/* kexec_file_load: the kernel's own loader and purgatory. */
int kexec_file_load_image(const char *kernel_path, const struct blob *kernel,
			  const char *initrd_path, const char *cmdline,
			  struct mpk_error *err);
/* Only returns on failure. */
int kexec_reboot(struct mpk_error *err);

/* Why would the kernel refuse kexec_load?  Fills err and returns -1 when
 * the answer is known from sysfs/procfs without trying; 0 otherwise. */
int kexec_diagnose_eperm(const char *root, const char *call, struct mpk_error *err);

#endif
