/* SPDX-License-Identifier: GPL-2.0-only */
/* Everything mpkexec reads from the running system, behind one interface.
 * All paths are taken relative to `root` ("" on a live system), so unit
 * tests feed fixture trees and nothing else in the loader opens sysfs or
 * procfs.  Missing optional inputs are recorded, not fatal: --plan must work
 * unprivileged and say what it could not see. */
#ifndef MPKEXEC_SYSVIEW_H
#define MPKEXEC_SYSVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi.h"
#include "elfcore.h"
#include "error.h"
#include "memmap.h"

#define SYSVIEW_MAX_KERNEL_RANGES 4

#define SYSVIEW_MAX_CPUS 1024

/* What a capture kernel's plan (mpkexec -p) needs; read by
 * sysview_read_crash only for -p and --status. */
struct crash_view {
	struct mem_range region[ELFCORE_MAX_CRASH]; /* "Crash kernel" in /proc/iomem */
	unsigned nregion;
	uint64_t crash_size;              /* /sys/kernel/kexec_crash_size, 0: none */
	int crash_loaded;                 /* /sys/kernel/kexec_crash_loaded, -1 unknown */
	struct memmap iomem;              /* top level of /proc/iomem */
	struct elfcore_note *notes;       /* per possible CPU: crash_notes(_size) */
	unsigned ncpu;
	char notes_why[200];              /* why notes is unusable, "" if fine */
	struct elfcore_note vmcoreinfo;   /* /sys/kernel/vmcoreinfo, size 0: none */
	uint64_t elfcorehdr_size;         /* /sys/kernel/crash_elfcorehdr_size (6.6+), 0 */
	char lockdown[32];                /* active /sys/kernel/security/lockdown mode,
					     "" when none or unknown */
	bool have_kcore;                  /* /proc/kcore header read (root) */
	uint64_t text_vaddr, text_paddr, text_size, page_offset;
};

struct sysview {
	const char *root;                 /* the sysroot prefix ("" live), for later reads */
	struct memmap firmware_map;       /* /sys/firmware/memmap */
	struct mem_range kernel_image[SYSVIEW_MAX_KERNEL_RANGES];
	unsigned n_kernel_image;          /* 0: unknown (needs root) */

	bool have_boot_params;            /* /sys/kernel/boot_params/data */
	uint8_t boot_params[4096];

	uint64_t rsdp;                    /* 0: not found */
	const char *rsdp_source;

	char *cmdline;                    /* /proc/cmdline, whole ("" if unreadable) */

	uint8_t *madt;                    /* /sys/firmware/acpi/tables/APIC, or NULL */
	size_t madt_len;
	int madt_errno;                   /* why madt is NULL */

	bool have_boot_apic_id;           /* from /proc/cpuinfo, processor 0 */
	uint32_t boot_apic_id;
	uint64_t tsc_khz;                 /* estimate from "cpu MHz"; 3 GHz if unknown */
	char tsc_note[160];               /* why tsc_khz is a guess; "" if it is not */

	uint32_t online_apic_ids[SYSVIEW_MAX_CPUS]; /* "apicid" of every online CPU */
	unsigned n_online;
	bool tdx_guest_flag;              /* /proc/cpuinfo flags has "tdx_guest" */
	bool live;                        /* no --sysroot: this machine (CPUID is ours) */
	bool have_unaccepted;             /* /proc/meminfo has "Unaccepted:" (Linux >= 6.5) */
	uint64_t unaccepted_kb;           /* memory firmware left for the kernel to accept */
	char osrelease[65];               /* /proc/sys/kernel/osrelease, "" if unknown */

	uint8_t *mpkp;                    /* /sys/firmware/acpi/tables/MPKP: a park */
	size_t mpkp_len;                  /* region's live status table, or NULL */

	uint8_t *acpi_snapshot;           /* firmware tables from the previous mpkexec */
	size_t acpi_snapshot_len;

	struct acpi_tableset acpi_tables; /* /sys/firmware/acpi/tables, sorted */
	char acpi_tables_why[200];        /* why acpi_tables is unusable, "" if fine */

	struct crash_view crash;          /* zero unless sysview_read_crash ran */
};

int sysview_read(const char *root, struct sysview *sv, struct mpk_error *err);
void sysview_free(struct sysview *sv);

/* The crash-kernel inputs into sv->crash (after sysview_read).  Missing
 * files are recorded, not fatal: the crash planner says what it lacks. */
void sysview_read_crash(const char *root, struct sysview *sv);

/* The kernel text mapping and PAGE_OFFSET from the program headers of
 * /proc/kcore (its first `len` bytes); false if they are not there. */
bool kcore_layout(const uint8_t *hdr, size_t len, struct crash_view *cv);

/* The active mode of /sys/kernel/security/lockdown text ("none
 * [integrity] confidentiality"): "" when none. */
void lockdown_mode(const char *text, char *mode, size_t size);

/* The payload of the first setup_data node of `type` this kernel was given
 * (/sys/kernel/boot_params/setup_data/N/data), malloc'd; NULL if none. */
uint8_t *sysview_setup_data(const char *root, uint32_t type, size_t *len);

/* Every table file directly in DIR (relative to root) into `ts`, sorted;
 * -1 with `why` (naming the file) if the directory or a table is unusable. */
int sysview_acpi_tables(const char *root, const char *dir, struct acpi_tableset *ts,
			char *why, size_t whylen);

/* Parses the "cpu MHz" of processor 0 out of /proc/cpuinfo text, in kHz;
 * 0 if absent or not a number in [CPUINFO_MHZ_MIN, CPUINFO_MHZ_MAX]. */
#define CPUINFO_MHZ_MIN 1u
#define CPUINFO_MHZ_MAX 100000u
#define SYSVIEW_TSC_KHZ_GUESS 3000000u
uint64_t cpuinfo_khz(const char *text);

/* Parses the "apicid" of processor 0 out of /proc/cpuinfo text. */
bool cpuinfo_boot_apic_id(const char *text, uint32_t *id);

/* Every "apicid" in /proc/cpuinfo text (one per online CPU); returns the count. */
unsigned cpuinfo_apic_ids(const char *text, uint32_t *ids, unsigned max);

/* The kB value of `key` ("Unaccepted:") in /proc/meminfo text. */
bool meminfo_kb(const char *text, const char *key, uint64_t *kb);

/* Whether the "flags" line of processor 0 has the word `flag`. */
bool cpuinfo_has_flag(const char *text, const char *flag);

/* Reads a whole (small) file under root; NULL + errno on failure. */
uint8_t *sysview_slurp(const char *root, const char *path, size_t *len);

#endif
