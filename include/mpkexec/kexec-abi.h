/* SPDX-License-Identifier: GPL-2.0-only */
/* kexec_load(2) / kexec_file_load(2) / reboot(2) constants
 * (include/uapi/linux/kexec.h, include/uapi/linux/reboot.h).  Only the ones
 * mpkexec uses: the crash-kernel flags (KEXEC_ON_CRASH,
 * KEXEC_FILE_ON_CRASH) come with the kdump support that uses them. */
#ifndef MPKEXEC_KEXEC_ABI_H
#define MPKEXEC_KEXEC_ABI_H

#include <stddef.h>

#define KEXEC_SEGMENT_MAX        16
#define KEXEC_ARCH_X86_64        (62ul << 16)

/* kexec_load flags */
#define KEXEC_ON_CRASH           0x00000001ul /* -p: the capture kernel, run on panic */
#define KEXEC_UPDATE_ELFCOREHDR  0x00000004ul /* --hotplug (Linux >= 6.6): the kernel
						 rewrites the elfcorehdr segment on
						 CPU/memory hotplug */

#define KEXEC_FILE_UNLOAD        0x00000001ul
#define KEXEC_FILE_ON_CRASH      0x00000002ul
#define KEXEC_FILE_NO_INITRAMFS  0x00000004ul

#define MPK_REBOOT_MAGIC1        0xfee1deadu
#define MPK_REBOOT_MAGIC2        672274793u
#define MPK_REBOOT_CMD_KEXEC     0x45584543u

struct kexec_segment {
	const void *buf;
	size_t bufsz;
	const void *mem;   /* physical destination */
	size_t memsz;
};

#endif
