#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static int inflate_gzip(int fd, const char *path, const char *what, size_t max_size,
			struct blob *out, struct mpk_error *err)
{
	size_t cap = 16u << 20, len = 0;
	uint8_t *buf = NULL;
	gzFile gz = gzdopen(fd, "rb");

	if (!gz) {
		close(fd);
		return mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory", what, path);
	}
	for (;;) {
		int n;

		if (!buf || len == cap) {
			uint8_t *nbuf;

			if (buf && cap >= max_size) {
				free(buf);
				gzclose(gz);
				return mpk_fail(err, MPK_EXIT_BADINPUT,
						"%s '%s': inflates to more than %zu MiB; that cannot "
						"be loaded", what, path, max_size >> 20);
			}
			cap = buf ? cap * 2 : cap;
			nbuf = realloc(buf, cap);
			if (!nbuf) {
				free(buf);
				gzclose(gz);
				return mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory",
						what, path);
			}
			buf = nbuf;
		}
		n = gzread(gz, buf + len, (unsigned)(cap - len));
		if (n < 0) {
			int zerr;
			const char *zmsg = gzerror(gz, &zerr);

			free(buf);
			gzclose(gz);
			return mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': gzip data is corrupt: %s",
					what, path, zerr == Z_ERRNO ? strerror(errno) : zmsg);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	gzclose(gz);
	out->data = buf;
	out->size = len;
	return 0;
}

int file_read(const char *path, const char *what, enum file_mode mode,
	      size_t max_size, struct blob *out, struct mpk_error *err)
{
	uint8_t magic[2];
	struct stat st;
	void *map;
	int fd;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
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
		return mpk_fail(err, MPK_EXIT_NOINPUT, "%s '%s': %s", what, path,
				S_ISDIR(st.st_mode) ? "is a directory, not a file" :
				"not a regular file");
	}
	if (st.st_size == 0) {
		close(fd);
		return mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': file is empty", what, path);
	}
	if (pread(fd, magic, 2, 0) != 2) {
		int e = errno;

		close(fd);
		return mpk_fail(err, MPK_EXIT_NOINPUT, "%s '%s': cannot read: %s", what, path,
				e ? strerror(e) : "short read");
	}
	if (mode == FILE_INFLATE_GZIP && magic[0] == 0x1f && magic[1] == 0x8b)
		return inflate_gzip(fd, path, what, max_size, out, err);
	if ((uint64_t)st.st_size > max_size) {
		close(fd);
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"%s '%s': %llu MiB, more than the %zu MiB mpkexec accepts", what,
				path, (unsigned long long)st.st_size >> 20, max_size >> 20);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return mpk_fail(err, MPK_EXIT_NOINPUT, "%s '%s': cannot map: %s", what, path,
				strerror(errno));
	out->data = map;
	out->size = (size_t)st.st_size;
	out->mapped = true;
	return 0;
}

long file_read_text(const char *path, char *buf, size_t bufsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
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
	memset(b, 0, sizeof(*b));
}
