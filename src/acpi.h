/* ACPI root tables (RSDP, XSDT, RSDT) for the next kernel: read the
 * original ones, and build new ones in which every table keeps its address
 * and bytes except one, replaced by a copy (the MADT).  Pure except for
 * acpi_read_root, which reads physical memory through a callback. */
#ifndef MPKEXEC_ACPI_H
#define MPKEXEC_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define ACPI_RSDP_V1_LEN   20u
#define ACPI_RSDP_LEN      36u
#define ACPI_SDT_HDR_LEN   36u

/* Reads `len` bytes of physical memory at `addr`; 0 or -1 with errno. */
struct physmem {
	int (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	void *ctx;
};

struct acpi_root {
	uint64_t rsdp_addr;
	uint8_t rsdp[ACPI_RSDP_LEN];
	uint8_t revision;          /* 0: ACPI 1.0 (RSDT only) */
	uint64_t xsdt_addr;        /* 0: none */
	uint8_t *xsdt;
	uint64_t rsdt_addr;        /* 0: none */
	uint8_t *rsdt;
	uint64_t madt_addr;        /* the first "APIC" entry, 0 if none */
};

uint8_t acpi_checksum(const uint8_t *p, size_t len);

/* Validates the RSDP and the root table(s) and finds the MADT entry. */
int acpi_read_root(const struct physmem *mem, uint64_t rsdp_addr, struct acpi_root *root,
		   struct mpk_error *err);
void acpi_root_free(struct acpi_root *root);

/* Fills a standard table header (OEM "MPKEXC") for a table of `len` bytes
 * whose body is already in place, and its checksum. */
void acpi_sdt_init(uint8_t *t, const char *sig, uint32_t len);
void acpi_set_checksum(uint8_t *t, uint32_t len);

/* The firmware root tables as a setup_data payload (struct
 * mpk_acpi_snapshot), and back.  acpi_snapshot_read fills root and a
 * malloc'd copy of the firmware MADT. */
size_t acpi_snapshot_size(const struct acpi_root *root, size_t madt_len);
void acpi_snapshot_write(uint8_t *out, const struct acpi_root *root, const uint8_t *madt,
			 size_t madt_len);
int acpi_snapshot_read(const uint8_t *data, size_t len, struct acpi_root *root,
		       uint8_t **madt, size_t *madt_len, struct mpk_error *err);

/* The tables handed to the next kernel, laid out in one buffer that will be
 * loaded at `base` (16-byte aligned): RSDP, XSDT, RSDT (when the original
 * has one), then `madt` copied.  The root tables list every original table
 * at its address, the MADT entry pointing at the copy, plus `extra` (a
 * table placed elsewhere; 0: none) at the end. */
struct acpi_handoff {
	uint8_t *buf;
	size_t len;
	uint64_t rsdp_addr;
	uint64_t madt_addr;
	size_t madt_off;
	size_t madt_len;
};

int acpi_build_handoff(const struct acpi_root *root, const uint8_t *madt, size_t madt_len,
		       uint64_t extra, uint64_t base, struct acpi_handoff *out,
		       struct mpk_error *err);
void acpi_handoff_free(struct acpi_handoff *h);

#endif
