/* SPDX-License-Identifier: GPL-2.0-only */
#include "kexec-syscall.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch.h"
#include "file.h"

#define CAP_SYS_BOOT_BIT 22

static bool has_cap_sys_boot(const char *root)
{
	char path[PATH_MAX], buf[4096];
	const char *p;

	snprintf(path, sizeof(path), "%s/proc/self/status", root);
	if (file_read_text(path, buf, sizeof(buf)) < 0)
		return geteuid() == 0;
	p = strstr(buf, "CapEff:");
	if (!p)
		return geteuid() == 0;
	return (strtoull(p + 7, NULL, 16) >> CAP_SYS_BOOT_BIT) & 1;
}

int kexec_diagnose_eperm(const char *root, const char *call, struct mpk_error *err)
{
	char path[PATH_MAX], buf[256];
	const char *mode;

	if (!has_cap_sys_boot(root))
		return mpk_fail(err, MPK_EXIT_NOPERM,
				"%s: permission denied: loading a kernel needs CAP_SYS_BOOT; "
				"run mpkexec as root", call);
	/* kernel.kexec_load_disabled covers both system calls (the kernel's
	 * kexec_load_permitted()); lockdown only the unsigned one. */
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/kexec_load_disabled", root);
	if (file_read_text(path, buf, sizeof(buf)) > 0 && strcmp(buf, "1") == 0)
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE,
				"%s: kexec is disabled on this system "
				"(kernel.kexec_load_disabled=1, a one-way switch): no kernel can "
				"be loaded, with or without -s, until the next normal reboot", call);
	if (strcmp(call, "kexec_file_load") != 0) {
		snprintf(path, sizeof(path), "%s/sys/kernel/security/lockdown", root);
		if (file_read_text(path, buf, sizeof(buf)) > 0 && (mode = strchr(buf, '[')) &&
		    strncmp(mode, "[none]", 6) != 0)
			return mpk_fail(err, MPK_EXIT_UNAVAILABLE,
					"%s: refused by kernel lockdown (%s); only a signed kernel "
					"through mpkexec -s (kexec_file_load) can be loaded", call, buf);
	}
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/kexec_load_limit_reboot",
		 root);
	if (file_read_text(path, buf, sizeof(buf)) > 0 && strcmp(buf, "0") == 0)
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE,
				"%s: refused: kernel.kexec_load_limit_reboot is 0 (no loads "
				"left until reboot)", call);
	return 0;
}

static int syscall_failed(const char *call, int e, struct mpk_error *err)
{
	if (e == EPERM) {
		if (kexec_diagnose_eperm("", call, err) < 0)
			return -1;
		return mpk_fail(err, MPK_EXIT_NOPERM,
				"%s: permission denied (EPERM) although CAP_SYS_BOOT is held and "
				"kexec is not disabled: an LSM or IMA policy refused it", call);
	}
	if (e == ENOSYS)
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE,
				"%s: not supported by this kernel (built without CONFIG_KEXEC%s)",
				call, strcmp(call, "kexec_file_load") ? "" : "_FILE");
	if (e == EBUSY)
		return mpk_fail(err, MPK_EXIT_OSERR,
				"%s: busy: another kexec load is in progress; try again", call);
	if (e == EKEYREJECTED || e == EBADMSG)
		return mpk_fail(err, MPK_EXIT_UNAVAILABLE,
				"%s: the kernel rejected the image signature (%s)", call, strerror(e));
	return mpk_fail(err, MPK_EXIT_OSERR, "%s: %s", call, strerror(e));
}

int kexec_load_plan(const struct load_plan *plan, unsigned long flags, struct mpk_error *err)
{
	struct kexec_segment segs[KEXEC_SEGMENT_MAX];

	for (unsigned i = 0; i < plan->nseg; i++)
		segs[i] = (struct kexec_segment){
			.buf = plan->seg[i].buf, .bufsz = plan->seg[i].bufsz,
			.mem = (const void *)(uintptr_t)plan->seg[i].mem,
			.memsz = plan->seg[i].memsz,
		};
	/* All or nothing: the kernel replaces the loaded image only on success. */
	if (syscall(SYS_kexec_load, plan->entry, (unsigned long)plan->nseg, segs,
		    flags | ARCH_KEXEC_FLAGS) != 0)
		return syscall_failed("kexec_load", errno, err);
	return 0;
}

int kexec_unload(const char *root, bool file_syscall, bool crash, struct mpk_error *err)
{
	char path[PATH_MAX], buf[16];

	/* The kernel unloads nothing silently; say so (kdump scripts run -u -p
	 * to check that a capture kernel was there). */
	snprintf(path, sizeof(path), "%s/sys/kernel/kexec_crash_loaded", root);
	if (crash && file_read_text(path, buf, sizeof(buf)) > 0 && strcmp(buf, "0") == 0)
		return mpk_fail(err, MPK_EXIT_USAGE, "-u -p: no capture kernel is loaded "
				"(/sys/kernel/kexec_crash_loaded is 0); nothing to unload");
	if (file_syscall) {
		if (syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, KEXEC_FILE_UNLOAD |
			    (crash ? KEXEC_FILE_ON_CRASH : 0)) != 0)
			return syscall_failed("kexec_file_load", errno, err);
		return 0;
	}
	if (syscall(SYS_kexec_load, 0UL, 0UL, NULL, ARCH_KEXEC_FLAGS |
		    (crash ? KEXEC_ON_CRASH : 0)) != 0)
		return syscall_failed("kexec_load", errno, err);
	return 0;
}

int kexec_file_kernel_fd(const char *kernel_path, const struct blob *kernel, bool *owned,
			 struct mpk_error *err)
{
	int fd;

	/* The file's own fd when its bytes go to the kernel unchanged: IMA
	 * appraises a kernel by its security.ima xattr, which a memfd does not
	 * carry (kexec-tools passes the file too).  A memfd only for what
	 * mpkexec inflated. */
	*owned = false;
	if (!kernel->inflated && kernel->has_fd)
		return kernel->fd;
	fd = memfd_create("mpkexec-kernel", MFD_CLOEXEC);
	if (fd < 0)
		return mpk_fail(err, MPK_EXIT_OSERR, "kernel image '%s': cannot stage the "
				"inflated kernel for kexec_file_load: %s", kernel_path,
				strerror(errno));
	for (size_t off = 0; off < kernel->size;) {
		ssize_t n = write(fd, kernel->data + off, kernel->size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;

			close(fd);
			return mpk_fail(err, MPK_EXIT_OSERR, "kernel image '%s': cannot stage "
					"the inflated kernel for kexec_file_load: %s", kernel_path,
					strerror(e));
		}
		off += (size_t)n;
	}
	*owned = true;
	return fd;
}

int kexec_file_load_image(const char *kernel_path, const struct blob *kernel,
			  const char *initrd_path, const struct blob *initrd,
			  const char *cmdline, bool crash, struct mpk_error *err)
{
	unsigned long flags = (initrd_path ? 0 : KEXEC_FILE_NO_INITRAMFS) |
			      (crash ? KEXEC_FILE_ON_CRASH : 0);
	bool owned;
	int kfd, rc = 0;

	/* The initrd was opened (and refused if not a regular file) by
	 * file_open: the kernel reads that same open file. */
	if (initrd_path && (!initrd || !initrd->has_fd))
		return mpk_fail(err, MPK_EXIT_INTERNAL, "initrd '%s': not opened", initrd_path);
	kfd = kexec_file_kernel_fd(kernel_path, kernel, &owned, err);
	if (kfd < 0)
		return -1;
	if (syscall(SYS_kexec_file_load, kfd, initrd_path ? initrd->fd : -1,
		    strlen(cmdline) + 1, cmdline, flags) != 0)
		rc = syscall_failed("kexec_file_load", errno, err);
	if (owned)
		close(kfd);
	return rc;
}

int kexec_reboot(struct mpk_error *err)
{
	char buf[16];

	if (file_read_text("/sys/kernel/kexec_loaded", buf, sizeof(buf)) > 0 &&
	    strcmp(buf, "0") == 0)
		return mpk_fail(err, MPK_EXIT_USAGE,
				"nothing is loaded (/sys/kernel/kexec_loaded is 0); "
				"load a kernel with mpkexec -l first");
	sync();
	syscall(SYS_reboot, MPK_REBOOT_MAGIC1, MPK_REBOOT_MAGIC2, MPK_REBOOT_CMD_KEXEC, NULL);
	return syscall_failed("reboot(LINUX_REBOOT_CMD_KEXEC)", errno, err);
}
