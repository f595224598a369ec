/* Reading whole input files (kernel, initrd), gzip-compressed or not. */
#ifndef MPKEXEC_FILE_H
#define MPKEXEC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct blob {
	uint8_t *data;
	size_t size;
	bool mapped;       /* data is an mmap of the file, not malloc'd */
};

enum file_mode {
	FILE_RAW,          /* bytes as they are (an initrd: the kernel inflates it) */
	FILE_INFLATE_GZIP, /* gzip is inflated (a kernel image) */
};

/* Gives the contents of `path`: mapped read-only (nothing is read until
 * used, so an oversized file fails in the planner, not in malloc), or
 * inflated into memory when it is gzip and mode allows.  `what` names the
 * input in error messages ("kernel image", "initrd"). */
int file_read(const char *path, const char *what, enum file_mode mode,
	      size_t max_size, struct blob *out, struct mpk_error *err);

/* Reads a small text file (sysfs/procfs) into buf, NUL-terminated, trailing
 * newline removed.  Returns bytes read or -1 with errno set. */
long file_read_text(const char *path, char *buf, size_t bufsz);

void blob_free(struct blob *b);

#endif
