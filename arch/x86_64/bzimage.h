/* bzImage header parsing (Linux x86 boot protocol >= 2.12). Pure: works on
 * the bytes of an image, never touches the system. */
#ifndef MPKEXEC_BZIMAGE_H
#define MPKEXEC_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"
#include "error.h"

struct bzimage {
	uint16_t version;          /* boot protocol, e.g. 0x020f */
	uint8_t setup_sects;       /* as used: 0 already replaced by 4 */
	uint8_t loadflags;
	uint16_t xloadflags;
	bool relocatable;
	uint32_t kernel_alignment;
	uint8_t min_alignment;     /* log2 */
	uint32_t cmdline_size;     /* max command line length, NUL excluded */
	uint32_t initrd_addr_max;  /* highest byte address an initrd may use */
	uint64_t pref_address;
	uint32_t init_size;        /* bytes needed at the load address */
	size_t header_end;         /* offset one past the setup header */
	const uint8_t *setup;      /* start of the image (real-mode part) */
	const uint8_t *kernel;     /* protected-mode part */
	size_t kernel_size;
};

/* Validates and decodes `image`.  `path` only names the file in errors. */
int bzimage_parse(const uint8_t *image, size_t size, const char *path,
		  struct bzimage *bz, struct mpk_error *err);

#endif
