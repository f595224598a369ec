/* Reading whole input files (kernel, initrd), gzip-compressed or not. */
#ifndef MPKEXEC_FILE_H
#define MPKEXEC_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct blob {
	uint8_t *data;
	size_t size;
};

/* Reads `path` into a malloc'd blob, transparently inflating gzip.  `what`
 * names the input in error messages ("kernel image", "initrd"). */
int file_read(const char *path, const char *what, size_t max_size,
	      struct blob *out, struct mpk_error *err);

/* Reads a small text file (sysfs/procfs) into buf, NUL-terminated, trailing
 * newline removed.  Returns bytes read or -1 with errno set. */
long file_read_text(const char *path, char *buf, size_t bufsz);

void blob_free(struct blob *b);

#endif
