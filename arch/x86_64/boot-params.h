/* Building the Linux "zero page" (struct boot_params) for the next kernel. */
#ifndef MPKEXEC_BOOT_PARAMS_H
#define MPKEXEC_BOOT_PARAMS_H

#include <stdint.h>

#include "bzimage.h"
#include "error.h"
#include "memmap.h"

struct boot_params_input {
	const struct bzimage *bz;
	const uint8_t *running_bp;   /* running kernel's boot_params, or NULL */
	const struct memmap *e820;   /* memory map handed over */
	uint64_t cmdline_addr;
	uint64_t initrd_addr;        /* 0 with initrd_size 0: none */
	uint64_t initrd_size;
	uint64_t acpi_rsdp;          /* 0: let the kernel search */
	uint64_t setup_data;         /* first setup_data node, 0: none */
};

/* Fills bp[BP_SIZE]. */
int boot_params_build(uint8_t *bp, const struct boot_params_input *in,
		      struct mpk_error *err);

#endif
