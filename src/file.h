/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading whole input files (kernel, initrd), gzip-compressed or not.
 *
 * An input is read ONCE, into private anonymous memory, and everything after
 * that (header parsing, digests, the kexec_load segments) works on that copy:
 * what purgatory checks is exactly what was loaded, whatever happens to the
 * file afterwards.  (It used to be mmap(MAP_PRIVATE)ed: a truncation while
 * mpkexec ran was a SIGBUS, and a rewrite between the digest and the
 * kexec_load copy loaded bytes that did not match their digest.)  The size is
 * taken with fstat before reading and checked again after, so a file being
 * written meanwhile is refused instead of half-read. */
#ifndef MPKEXEC_FILE_H
#define MPKEXEC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct blob {
	uint8_t *data;
	size_t size;
	bool mapped;       /* data is an anonymous mmap (munmap), else malloc'd */
	bool inflated;     /* data was inflated (gzip, xz, zstd): not the file's own bytes */
	bool has_fd;       /* fd: the input file, open until blob_free */
	int fd;
	uint64_t file_size; /* st_size when opened (compressed size if inflated) */
};

enum file_mode {
	FILE_RAW,          /* bytes as they are (an initrd: the kernel inflates it) */
	FILE_INFLATE,      /* gzip, xz or zstd is inflated (a kernel image:
			      src/decompress.h) */
};

/* Opens `path` as an input without reading it: a FIFO, socket, device or
 * directory is refused without blocking (opened O_NONBLOCK, checked with
 * fstat, then O_NONBLOCK cleared), and so is an empty file.  Sets out->fd,
 * has_fd and file_size; data stays NULL.  `what` names the input in error
 * messages ("kernel image", "initrd"). */
int file_open(const char *path, const char *what, struct blob *out, struct mpk_error *err);

/* Reads a file opened by file_open into private anonymous memory (gzip
 * inflated when it is gzip and mode allows), refusing a file that changed
 * size or was written while it was read.  `max_size` bounds the file and
 * what it inflates to.  The fd stays open (kexec_file_load wants it). */
int file_load(struct blob *b, const char *path, const char *what, enum file_mode mode,
	      size_t max_size, struct mpk_error *err);

/* file_open, a size check against max_size, then file_load. */
int file_read(const char *path, const char *what, enum file_mode mode,
	      size_t max_size, struct blob *out, struct mpk_error *err);

/* Inflates one or more concatenated gzip members from memory into a malloc'd
 * out->data.  Refuses a stream that ends early or whose trailer (CRC-32 and
 * length) is missing or wrong ("truncated"/"corrupt", with the byte offset),
 * non-zero bytes after the last member, and output beyond max_size. */
int gzip_inflate(const uint8_t *in, size_t len, const char *path, const char *what,
		 size_t max_size, struct blob *out, struct mpk_error *err);

/* Opens a sysfs/procfs/sysroot file for reading without ever blocking: only
 * a regular file is opened (procfs and sysfs files are regular files); a
 * FIFO, socket or device fails with EINVAL, a directory with EISDIR.
 * Returns the fd (O_CLOEXEC, blocking reads) or -1 with errno set. */
int file_open_text(const char *path);

/* Reads a small text file (sysfs/procfs) into buf, NUL-terminated, trailing
 * newline removed.  Returns bytes read or -1 with errno set. */
long file_read_text(const char *path, char *buf, size_t bufsz);

void blob_free(struct blob *b);

#endif
