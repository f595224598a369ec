#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

int file_read(const char *path, const char *what, size_t max_size,
	      struct blob *out, struct mpk_error *err)
{
	size_t cap = 1 << 20, len = 0;
	uint8_t *buf;
	gzFile gz;
	int fd;

	out->data = NULL;
	out->size = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mpk_fail(err, MPK_EXIT_NOINPUT, "%s '%s': cannot open: %s",
				what, path, strerror(errno));
	/* gzdopen reads plain files unchanged ("transparent" mode). */
	gz = gzdopen(fd, "rb");
	if (!gz) {
		close(fd);
		return mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory", what, path);
	}
	gzbuffer(gz, 1 << 17);
	buf = malloc(cap);
	for (;;) {
		int n;

		if (!buf) {
			gzclose(gz);
			return mpk_fail(err, MPK_EXIT_INTERNAL, "%s '%s': out of memory",
					what, path);
		}
		if (len == cap) {
			uint8_t *nbuf;

			if (cap > max_size) {
				free(buf);
				gzclose(gz);
				return mpk_fail(err, MPK_EXIT_BADINPUT,
						"%s '%s': larger than %zu MiB (after decompression); "
						"that cannot be loaded", what, path, max_size >> 20);
			}
			cap *= 2;
			nbuf = realloc(buf, cap);
			if (!nbuf)
				free(buf);
			buf = nbuf;
			continue;
		}
		n = gzread(gz, buf + len, (unsigned)(cap - len < (1u << 30) ? cap - len : (1u << 30)));
		if (n < 0) {
			int zerr;
			const char *zmsg = gzerror(gz, &zerr);
			const char *why = zerr == Z_ERRNO ? strerror(errno) : zmsg;

			free(buf);
			gzclose(gz);
			return mpk_fail(err, zerr == Z_ERRNO ? MPK_EXIT_NOINPUT : MPK_EXIT_BADINPUT,
					"%s '%s': read failed: %s", what, path, why);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	gzclose(gz);
	if (len == 0) {
		free(buf);
		return mpk_fail(err, MPK_EXIT_BADINPUT, "%s '%s': file is empty", what, path);
	}
	out->data = buf;
	out->size = len;
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
	free(b->data);
	b->data = NULL;
	b->size = 0;
}
