/* SPDX-License-Identifier: GPL-2.0-only */
#include "file.h"

#include "decompress.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define GZIP_MAGIC0 0x1f
#define GZIP_MAGIC1 0x8b

static const char *file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a plain file";
}

static int not_regular(const char *path, const char *what, mode_t m, struct mpk_error *err)
{
	if (S_ISDIR(m))
		return mpk_fail(err, MPK_EXIT_NOINPUT, "%s '%s': is a directory, not a file",
				what, path);
	return mpk_fail(err, MPK_EXIT_NOINPUT,
			"%s '%s': not a regular file (%s); give the path of a file", what,
			path, file_kind(m));
}

int file_open(const char *path, const char *what, struct blob *out, struct mpk_error *err)
{
	struct stat st;
	int fd, fl;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	/* stat first: a device is refused without being opened at all (opening
	 * one can have effects: a watchdog, a tape).  The fstat after the
	 * O_NONBLOCK open catches a path swapped in between; a FIFO opened that
	 * way never blocks. */
	if (stat(path, &st) < 0)
		return mpk_fail(err, MPK_EXIT_NOINPUT, "%s '%s': cannot open: %s", what, path,
				strerror(errno));
	if (!S_ISREG(st.st_mode))
		return not_regular(path, what, st.st_mode, err);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return mpk_fail(err, MPK_EXIT_NOINPUT, "%s '%s': cannot open: %s",
				what, path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		return mpk_fail(err, MPK_EXIT_NOINPUT, "%s '%s': %s", what, path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return not_regular(path, what, st.st_mode, err);
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;

		close(fd);
		return mpk_fail(err, MPK_EXIT_NOINPUT, "%s '%s': %s", what, path, strerror(e));
	}
	if (st.st_size == 0) {
		close(fd);
		return mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': file is empty", what, path);
	}
	out->fd = fd;
	out->has_fd = true;
	out->file_size = (uint64_t)st.st_size;
	return 0;
}

static bool same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The whole file into private anonymous memory, read-only afterwards. */
static int read_private(int fd, const char *path, const char *what, uint64_t want,
			uint8_t **data, struct mpk_error *err)
{
	struct stat before, after;
	size_t size = (size_t)want, n = 0;
	uint8_t *buf, extra;
	ssize_t r;

	if (fstat(fd, &before) < 0)
		return mpk_fail(err, MPK_EXIT_NOINPUT, "%s '%s': %s", what, path, strerror(errno));
	if ((uint64_t)before.st_size != want)
		return mpk_fail(err, MPK_EXIT_NOINPUT,
				"%s '%s': changed while being read: %llu bytes when opened, now "
				"%llu; nothing was loaded: try again once nothing writes to it",
				what, path, (unsigned long long)want,
				(unsigned long long)before.st_size);
	buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return mpk_fail(err, MPK_EXIT_NOSPACE, "%s '%s': no memory for its %llu MiB: %s",
				what, path, (unsigned long long)(want >> 20), strerror(errno));
	while (n < size) {
		r = pread(fd, buf + n, size - n, (off_t)n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			munmap(buf, size);
			return mpk_fail(err, MPK_EXIT_NOINPUT,
					"%s '%s': cannot read at byte %zu: %s", what, path, n,
					strerror(e));
		}
		if (r == 0) {
			munmap(buf, size);
			return mpk_fail(err, MPK_EXIT_NOINPUT,
					"%s '%s': changed while being read: %llu bytes when opened, "
					"but it ends at byte %zu; nothing was loaded: try again once "
					"nothing writes to it", what, path,
					(unsigned long long)want, n);
		}
		n += (size_t)r;
	}
	do
		r = pread(fd, &extra, 1, (off_t)size);
	while (r < 0 && errno == EINTR);
	if (fstat(fd, &after) < 0 || r != 0 || !same_stat(&before, &after)) {
		munmap(buf, size);
		return mpk_fail(err, MPK_EXIT_NOINPUT,
				"%s '%s': changed while being read (%s); nothing was loaded: try "
				"again once nothing writes to it", what, path,
				r > 0 ? "it grew" : "written to at the same time");
	}
	mprotect(buf, size, PROT_READ);
	*data = buf;
	return 0;
}

int file_load(struct blob *b, const char *path, const char *what, enum file_mode mode,
	      size_t max_size, struct mpk_error *err)
{
	enum compression c;
	uint8_t *raw;
	size_t size;
	int rc;

	if (b->file_size > max_size)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"%s '%s': %llu MiB, more than the %zu MiB mpkexec accepts", what,
				path, (unsigned long long)b->file_size >> 20, max_size >> 20);
	size = (size_t)b->file_size;
	if (read_private(b->fd, path, what, b->file_size, &raw, err) < 0)
		return -1;
	c = mode == FILE_INFLATE ? compression_of(raw, size) : COMPRESSION_NONE;
	if (c == COMPRESSION_NONE) {
		b->data = raw;
		b->size = size;
		b->mapped = true;
		return 0;
	}
	rc = decompress(c, raw, size, path, what, max_size, b, err);
	munmap(raw, size);
	return rc;
}

int file_read(const char *path, const char *what, enum file_mode mode,
	      size_t max_size, struct blob *out, struct mpk_error *err)
{
	if (file_open(path, what, out, err) < 0)
		return -1;
	if (file_load(out, path, what, mode, max_size, err) < 0) {
		blob_free(out);
		return -1;
	}
	return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n && !*p) {
		p++;
		n--;
	}
	return n == 0;
}

int gzip_inflate(const uint8_t *in, size_t len, const char *path, const char *what,
		 size_t max_size, struct blob *out, struct mpk_error *err)
{
	z_stream zs;
	size_t cap, olen = 0;
	uint8_t *buf;
	int rc = 0, zrc;

	out->data = NULL;
	out->size = 0;
	out->mapped = false;
	out->inflated = false;
	cap = len < (max_size >> 2) ? len << 2 : max_size;
	if (cap < (1u << 20))
		cap = max_size < (1u << 20) ? max_size : (1u << 20);
	if (!cap)
		cap = 1;
	buf = malloc(cap);
	memset(&zs, 0, sizeof(zs));
	if (!buf || inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory", what, path);
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	for (;;) {
		size_t pos = (size_t)(zs.next_in - in);

		if (zs.avail_in == 0 && pos < len)
			zs.avail_in = (uInt)(len - pos < UINT_MAX ? len - pos : UINT_MAX);
		if (olen == cap) {
			uint8_t *nbuf;
			size_t ncap = cap < max_size / 2 ? cap * 2 : max_size;

			if (cap >= max_size) {
				rc = mpk_fail(err, MPK_EXIT_BADINPUT,
					      "%s '%s': inflates to more than %zu MiB; that "
					      "cannot be loaded", what, path, max_size >> 20);
				break;
			}
			nbuf = realloc(buf, ncap);
			if (!nbuf) {
				rc = mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory",
					      what, path);
				break;
			}
			buf = nbuf;
			cap = ncap;
		}
		zs.next_out = buf + olen;
		zs.avail_out = (uInt)(cap - olen < UINT_MAX ? cap - olen : UINT_MAX);
		zrc = inflate(&zs, Z_NO_FLUSH);
		olen = (size_t)(zs.next_out - buf);
		pos = (size_t)(zs.next_in - in);
		if (zrc == Z_STREAM_END) {
			/* One member done, its CRC-32 and length checked.  What follows
			 * is another member, zero padding, or an error. */
			if (pos == len || all_zero(in + pos, len - pos))
				break;
			if (len - pos >= 2 && in[pos] == GZIP_MAGIC0 && in[pos + 1] == GZIP_MAGIC1) {
				inflateReset(&zs);
				continue;
			}
			rc = mpk_fail(err, MPK_EXIT_BADINPUT,
				      "%s '%s': gzip data is corrupt: %zu bytes after the end of "
				      "the gzip stream at byte %zu are neither another gzip member "
				      "nor zero padding", what, path, len - pos, pos);
			break;
		}
		if (zrc == Z_OK || (zrc == Z_BUF_ERROR && zs.avail_out == 0))
			continue;
		if (zrc == Z_BUF_ERROR && pos == len) {
			/* Input exhausted before the final block and the trailer. */
			rc = mpk_fail(err, MPK_EXIT_BADINPUT,
				      "%s '%s': gzip data is truncated: the file ends at byte %zu "
				      "before the end of the gzip stream (its CRC-32 and length "
				      "trailer); the file is cut short", what, path, len);
			break;
		}
		if (zrc == Z_MEM_ERROR) {
			rc = mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory", what, path);
			break;
		}
		/* Z_DATA_ERROR (bad header, block, distance, CRC or length),
		 * Z_NEED_DICT, Z_STREAM_ERROR.  zs.msg is zlib's static text,
		 * formatted before inflateEnd. */
		rc = mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': gzip data is corrupt near byte "
			      "%zu: %s", what, path, pos,
			      zs.msg ? zs.msg : zrc == Z_NEED_DICT ? "needs a dictionary" :
			      "invalid stream");
		break;
	}
	inflateEnd(&zs);
	if (rc < 0) {
		free(buf);
		return -1;
	}
	out->data = buf;
	out->size = olen;
	out->inflated = true;
	return 0;
}

int file_open_text(const char *path)
{
	struct stat st;
	int fd, fl;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		/* swapped for something else between stat and open */
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

long file_read_text(const char *path, char *buf, size_t bufsz)
{
	int fd = file_open_text(path);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, bufsz - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return n;
}

void blob_free(struct blob *b)
{
	if (b->mapped)
		munmap(b->data, b->size);
	else
		free(b->data);
	if (b->has_fd)
		close(b->fd);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}
