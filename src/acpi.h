/* SPDX-License-Identifier: GPL-2.0-only */
/* ACPI tables for the next kernel, built without reading physical memory.
 *
 * The running kernel shows every table it installed from the root table in
 * /sys/firmware/acpi/tables (plus DSDT and FACS, which the FADT names).  The
 * new set is: an RSDP, an XSDT and an RSDT listing a copy of each of those
 * tables (bytes unchanged, so the FADT still names firmware's DSDT and
 * FACS in place), with the MADT replaced and one extra table (the park
 * region's status table) appended.  docs/design.md says why this replaced
 * /dev/mem.  Everything here is pure: bytes in, bytes out. */
#ifndef MPKEXEC_ACPI_H
#define MPKEXEC_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ACPI_RSDP_V1_LEN   20u
#define ACPI_RSDP_LEN      36u
#define ACPI_SDT_HDR_LEN   36u
/* The whole set copied is at most this (real servers: a few hundred KiB). */
#define ACPI_TABLESET_MAX  (16u << 20)

uint8_t acpi_checksum(const uint8_t *p, size_t len);

/* Fills a standard table header (OEM "MPKEXC") for a table of `len` bytes
 * whose body is already in place, and its checksum. */
void acpi_sdt_init(uint8_t *t, const char *sig, uint32_t len);
void acpi_set_checksum(uint8_t *t, uint32_t len);

/* One table as the running kernel exports it: `name` is the sysfs file name
 * ("FACP", "SSDT2"), which is the signature plus an instance number when a
 * signature occurs more than once. */
struct acpi_table {
	char name[16];
	uint8_t *data;
	uint32_t len;
};

struct acpi_tableset {
	struct acpi_table *t;
	size_t n;
	size_t bytes;
};

/* Validates one exported table (header length equal to the file's size, a
 * signature matching its name) and adds a copy; -1 with a message naming
 * the table otherwise.  FACS has no standard header and is accepted as is. */
int acpi_tableset_add(struct acpi_tableset *ts, const char *name, const uint8_t *data,
		      size_t len, struct mpk_error *err);
/* Root-table order: FACP first, then by signature, instances in the
 * kernel's numbering (which follows firmware's root table). */
void acpi_tableset_sort(struct acpi_tableset *ts);
const struct acpi_table *acpi_tableset_find(const struct acpi_tableset *ts, const char *name);
void acpi_tableset_free(struct acpi_tableset *ts);

/* Whether a table goes into the new root table as a copy: not DSDT or FACS
 * (the FADT names them and they stay where they are), not the MADT
 * (replaced), not MPKP (each handoff makes its own). */
bool acpi_table_carried(const struct acpi_table *t);

/* Where the FADT says firmware's DSDT and FACS are (X_ fields win when
 * set); 0 when absent or the FADT is too short. */
void acpi_fadt_pointers(const struct acpi_table *fadt, uint64_t *dsdt, uint64_t *facs);

/* The tables handed to the next kernel, laid out in one buffer loaded at
 * `base` (16-byte aligned, below 4 GiB): RSDP, XSDT, RSDT, a copy of every
 * carried table, then `madt`.  The root tables list the copies, the MADT,
 * and `extra` (a table placed elsewhere; 0: none) last. */
struct acpi_handoff {
	uint8_t *buf;
	size_t len;
	uint64_t rsdp_addr;
	uint64_t madt_addr;
	size_t madt_off;
	size_t madt_len;
	unsigned ncopied;          /* tables copied besides the MADT */
};

/* The buffer length acpi_build_handoff makes for these inputs. */
size_t acpi_handoff_size(const struct acpi_tableset *ts, size_t madt_len, bool extra);
int acpi_build_handoff(const struct acpi_tableset *ts, const uint8_t *madt, size_t madt_len,
		       uint64_t extra, uint64_t base, struct acpi_handoff *out,
		       struct mpk_error *err);
void acpi_handoff_free(struct acpi_handoff *h);
/* Whether both root tables the RSDP of `h` names (its XSDT and its RSDT,
 * inside h->buf) list `addr`: the check that the next kernel finds the
 * MADT purgatory edits (h->madt_addr, params.madt_addr). */
bool acpi_handoff_lists(const struct acpi_handoff *h, uint64_t addr);

/* What one handoff passes to every later generation through setup_data
 * (struct mpk_acpi_snapshot): firmware's RSDP address and firmware's MADT,
 * which a kernel started by mpkexec no longer sees itself.  The snapshot's
 * address fields (xsdt_addr, rsdt_addr, madt_addr) are written 0 and never
 * read: the next MADT always goes into a table set built here, whose root
 * tables list it (acpi_handoff_lists), not into firmware's in place. */
size_t acpi_snapshot_size(size_t madt_len);
void acpi_snapshot_write(uint8_t *out, uint64_t fw_rsdp, const uint8_t *madt, size_t madt_len);
/* Also reads the larger snapshots of earlier mpkexec versions (which
 * carried firmware's XSDT and RSDT too). */
int acpi_snapshot_read(const uint8_t *data, size_t len, uint64_t *fw_rsdp, uint8_t **madt,
		       size_t *madt_len, struct mpk_error *err);

#endif
