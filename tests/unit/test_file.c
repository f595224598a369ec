/* SPDX-License-Identifier: GPL-2.0-only */
/* src/file.c: reading the kernel and initrd (issue 9, defects 1-5, 12, 13)
 * on real files in a temporary directory: FIFOs, devices, directories, short
 * files, gzip streams that are corrupt, cut short or followed by garbage, and
 * files changed after they were read; xz and zstd images (issue 11). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "error.h"
#include "file.h"
#include "kexec-syscall.h"

#define MAX (64u << 20)

/* Linked with -Wl,--wrap=pread: file.c's reads come here, at most 4 KiB at
 * a time, and `mid_read` runs once after the first one, so a file can be
 * changed in the middle of a read deterministically. */
ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);
static void (*mid_read)(void);

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r = __real_pread(fd, buf, n > 4096 ? 4096 : n, off);
	void (*hook)(void) = mid_read;

	mid_read = NULL;
	if (hook)
		hook();
	return r;
}

static char dir[64];
static char path[128];

static const char *mkpath(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static const char *put(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(mkpath(name), "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* Deterministic, poorly compressible bytes. */
static uint8_t *pattern(size_t len, uint32_t seed)
{
	uint8_t *p = malloc(len);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
		if (i % 7 == 0)
			p[i] = 'k'; /* some redundancy, so several blocks */
	}
	return p;
}

static uint8_t *gzip_bytes(const uint8_t *data, size_t len, size_t *outlen)
{
	z_stream zs = { 0 };
	size_t cap = len + len / 8 + 1024;
	uint8_t *out = malloc(cap);

	assert_non_null(out);
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	return out;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mpk-test-file.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void expect_fail(const char *p, enum file_mode mode, size_t max, int code,
			const char *msg)
{
	struct mpk_error err = { 0 };
	struct blob b;

	/* a blocking open would hang here: the alarm fails the test instead */
	alarm(10);
	assert_int_equal(file_read(p, "kernel image", mode, max, &b, &err), -1);
	alarm(0);
	assert_int_equal(err.exit_code, code);
	assert_string_equal(err.msg, msg);
	assert_null(b.data);
	assert_false(b.has_fd);
}

/* Defect 1: gzerror()'s text was printed after gzclose() freed it. */
static void test_gzip_invalid_block(void **state)
{
	static const uint8_t bad[14] = {
		0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03, /* gzip header */
		0xff, 0xff, 0xff, 0xff,                         /* block type 3 */
	};
	char want[256];
	const char *p = put("bad.gz", bad, sizeof(bad));

	(void)state;
	snprintf(want, sizeof(want),
		 "kernel image '%s': gzip data is corrupt near byte 11: invalid block type", p);
	expect_fail(p, FILE_INFLATE, MAX, MPK_EXIT_BADINPUT, want);
}

/* Defect 2: a stream cut short, or without its trailer, passed as the end
 * of the data. */
static void test_gzip_truncated(void **state)
{
	size_t len = 300000, glen;
	uint8_t *data = pattern(len, 1), *gz = gzip_bytes(data, len, &glen);
	static const size_t cuts[] = { 8, 4, 1 };
	char want[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		const char *p = put("cut.gz", gz, glen - cuts[i]);

		snprintf(want, sizeof(want),
			 "kernel image '%s': gzip data is truncated: the file ends at byte %zu "
			 "before the end of the gzip stream (its CRC-32 and length trailer); "
			 "the file is cut short", p, glen - cuts[i]);
		expect_fail(p, FILE_INFLATE, MAX, MPK_EXIT_BADINPUT, want);
	}
	{
		const char *p = put("half.gz", gz, glen / 2);

		snprintf(want, sizeof(want),
			 "kernel image '%s': gzip data is truncated: the file ends at byte %zu "
			 "before the end of the gzip stream (its CRC-32 and length trailer); "
			 "the file is cut short", p, glen / 2);
		expect_fail(p, FILE_INFLATE, MAX, MPK_EXIT_BADINPUT, want);
	}
	/* a wrong CRC-32, and a wrong length */
	gz[glen - 8] ^= 1;
	put("crc.gz", gz, glen);
	snprintf(want, sizeof(want), "kernel image '%s': gzip data is corrupt near byte %zu: "
		 "incorrect data check", path, glen - 4);
	expect_fail(path, FILE_INFLATE, MAX, MPK_EXIT_BADINPUT, want);
	gz[glen - 8] ^= 1;
	gz[glen - 4] ^= 1;
	put("len.gz", gz, glen);
	snprintf(want, sizeof(want), "kernel image '%s': gzip data is corrupt near byte %zu: "
		 "incorrect length check", path, glen);
	expect_fail(path, FILE_INFLATE, MAX, MPK_EXIT_BADINPUT, want);
	free(gz);
	free(data);
}

static void test_gzip_good(void **state)
{
	struct mpk_error err = { 0 };
	size_t len = 300000, glen, g2len;
	uint8_t *data = pattern(len, 2), *gz = gzip_bytes(data, len, &glen);
	uint8_t *gz2 = gzip_bytes(data, 1000, &g2len), *cat;
	struct blob b;

	(void)state;
	assert_int_equal(file_read(put("k.gz", gz, glen), "kernel image", FILE_INFLATE,
				   MAX, &b, &err), 0);
	assert_int_equal(b.size, len);
	assert_memory_equal(b.data, data, len);
	assert_true(b.inflated);
	assert_int_equal(b.file_size, glen);
	blob_free(&b);
	/* the initrd is never inflated by mpkexec */
	assert_int_equal(file_read(path, "initrd", FILE_RAW, MAX, &b, &err), 0);
	assert_int_equal(b.size, glen);
	assert_memory_equal(b.data, gz, glen);
	assert_false(b.inflated);
	blob_free(&b);
	/* two members, then zero padding: one stream, as gzip -d sees it */
	cat = calloc(1, glen + g2len + 512);
	assert_non_null(cat);
	memcpy(cat, gz, glen);
	memcpy(cat + glen, gz2, g2len);
	assert_int_equal(file_read(put("cat.gz", cat, glen + g2len + 512), "kernel image",
				   FILE_INFLATE, MAX, &b, &err), 0);
	assert_int_equal(b.size, len + 1000);
	assert_memory_equal(b.data + len, data, 1000);
	blob_free(&b);
	/* anything else after the stream is refused */
	cat[glen] = 'x';
	{
		char want[300];
		const char *p = put("junk.gz", cat, glen + 16);

		snprintf(want, sizeof(want), "kernel image '%s': gzip data is corrupt: 16 bytes "
			 "after the end of the gzip stream at byte %zu are neither another gzip "
			 "member nor zero padding", p, glen);
		expect_fail(p, FILE_INFLATE, MAX, MPK_EXIT_BADINPUT, want);
	}
	/* more than max_size once inflated */
	{
		char want[300];
		size_t blen = 5u << 20, bglen;
		uint8_t *big = calloc(1, blen), *bgz = gzip_bytes(big, blen, &bglen);
		const char *p = put("big.gz", bgz, bglen);

		snprintf(want, sizeof(want), "kernel image '%s': inflates to more than 4 MiB; "
			 "that cannot be loaded", p);
		expect_fail(p, FILE_INFLATE, 4u << 20, MPK_EXIT_BADINPUT, want);
		free(bgz);
		free(big);
	}
	free(cat);
	free(gz2);
	free(gz);
	free(data);
}

/* Defect 3: open() blocked on a FIFO before the type was checked. */
static void test_not_regular(void **state)
{
	struct mpk_error err = { 0 };
	char want[300], buf[64];
	struct blob b;

	(void)state;
	assert_int_equal(mkfifo(mkpath("fifo"), 0600), 0);
	snprintf(want, sizeof(want), "kernel image '%s': not a regular file (a FIFO); give "
		 "the path of a file", path);
	expect_fail(path, FILE_INFLATE, MAX, MPK_EXIT_NOINPUT, want);
	/* file_open alone (the -s initrd path) */
	alarm(10);
	assert_int_equal(file_open(path, "initrd", &b, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_NOINPUT);
	assert_true(strstr(err.msg, "initrd '") && strstr(err.msg, "not a regular file (a FIFO)"));
	/* sysfs/procfs text reads: no hang either */
	errno = 0;
	assert_int_equal(file_read_text(path, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EINVAL);
	alarm(0);
	expect_fail("/dev/null", FILE_RAW, MAX, MPK_EXIT_NOINPUT,
		    "kernel image '/dev/null': not a regular file (a character device); give "
		    "the path of a file");
	snprintf(want, sizeof(want), "kernel image '%s': is a directory, not a file", dir);
	expect_fail(dir, FILE_RAW, MAX, MPK_EXIT_NOINPUT, want);
	errno = 0;
	assert_int_equal(file_read_text(dir, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EISDIR);
	/* procfs files are regular files of size 0 and still read */
	assert_true(file_read_text("/proc/self/stat", buf, sizeof(buf)) > 0);
	expect_fail("/nonexistent/vmlinuz", FILE_RAW, MAX, MPK_EXIT_NOINPUT,
		    "kernel image '/nonexistent/vmlinuz': cannot open: No such file or "
		    "directory");
	put("empty", "", 0);
	snprintf(want, sizeof(want), "kernel image '%s': file is empty", path);
	expect_fail(path, FILE_RAW, MAX, MPK_EXIT_BADINPUT, want);
}

/* Defect 12: a 1-byte file failed with a stale errno ("cannot read: No
 * such file or directory"); it is read, and the bzImage parser says what
 * is wrong with it. */
static void test_one_byte(void **state)
{
	struct mpk_error err = { 0 };
	struct blob b;

	(void)state;
	errno = ENOENT;
	assert_int_equal(file_read(put("one", "x", 1), "kernel image", FILE_INFLATE, MAX,
				   &b, &err), 0);
	assert_int_equal(b.size, 1);
	assert_int_equal(b.data[0], 'x');
	blob_free(&b);
	/* a lone gzip magic byte is no gzip stream */
	assert_int_equal(file_read(put("one.gz", "\x1f", 1), "kernel image",
				   FILE_INFLATE, MAX, &b, &err), 0);
	assert_int_equal(b.size, 1);
	blob_free(&b);
}

/* Defect 4: the bytes mpkexec digests and loads are its own copy.  With the
 * file mmap'ed, truncating it meant SIGBUS on the next access and
 * rewriting it changed the bytes under the digest. */
static void test_changed_after_read(void **state)
{
	struct mpk_error err = { 0 };
	size_t len = 3 * 4096 + 100;
	uint8_t *data = pattern(len, 3), *other = pattern(len, 4);
	struct blob b;
	const char *p = put("initrd", data, len);

	(void)state;
	assert_int_equal(file_read(p, "initrd", FILE_RAW, MAX, &b, &err), 0);
	assert_int_equal(truncate(p, 0), 0);
	assert_memory_equal(b.data, data, len);          /* no SIGBUS */
	put("initrd", other, len);
	assert_memory_equal(b.data, data, len);          /* not the new bytes */
	blob_free(&b);
	free(other);
	free(data);
}

/* Defect 4: a file whose size changed between open and read is refused,
 * not read half-way. */
static void test_changed_before_read(void **state)
{
	struct mpk_error err = { 0 };
	uint8_t *data = pattern(8192, 5);
	char want[300];
	struct blob b;
	const char *p = put("k", data, 8192);

	(void)state;
	assert_int_equal(file_open(p, "kernel image", &b, &err), 0);
	assert_int_equal(b.file_size, 8192);
	assert_int_equal(truncate(p, 5000), 0);
	assert_int_equal(file_load(&b, p, "kernel image", FILE_RAW, MAX, &err), -1);
	snprintf(want, sizeof(want), "kernel image '%s': changed while being read: 8192 bytes "
		 "when opened, now 5000; nothing was loaded: try again once nothing writes "
		 "to it", p);
	assert_int_equal(err.exit_code, MPK_EXIT_NOINPUT);
	assert_string_equal(err.msg, want);
	assert_null(b.data);
	blob_free(&b);
	free(data);
}

static char mid_path[160];

static void mid_truncate(void)
{
	assert_int_equal(truncate(mid_path, 5000), 0);
}

static void mid_append(void)
{
	FILE *f = fopen(mid_path, "ab");

	assert_non_null(f);
	fputs("more", f);
	fclose(f);
}

static void mid_rewrite(void)
{
	int fd = open(mid_path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "XXXX", 4, 0), 4);
	close(fd);
}

/* Defect 4: a file changed while it is being read is refused: cut short,
 * grown, or rewritten in place (size unchanged: the timestamps tell). */
static void test_changed_during_read(void **state)
{
	static const struct {
		void (*hook)(void);
		const char *what;
	} cases[] = {
		{ mid_truncate, "changed while being read: 16384 bytes when opened, but it ends "
				"at byte 5000" },
		{ mid_append, "changed while being read (it grew)" },
		{ mid_rewrite, "changed while being read (written to at the same time)" },
	};
	struct timespec past[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	uint8_t *data = pattern(16384, 8);
	char want[400];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mpk_error err = { 0 };
		struct blob b;

		snprintf(mid_path, sizeof(mid_path), "%s", put("moving", data, 16384));
		/* an old mtime, so a write in the same clock tick still shows */
		assert_int_equal(utimensat(AT_FDCWD, mid_path, past, 0), 0);
		mid_read = cases[i].hook;
		assert_int_equal(file_read(mid_path, "initrd", FILE_RAW, MAX, &b, &err), -1);
		assert_null(mid_read);
		snprintf(want, sizeof(want), "initrd '%s': %s; nothing was loaded: try again "
			 "once nothing writes to it", mid_path, cases[i].what);
		assert_int_equal(err.exit_code, MPK_EXIT_NOINPUT);
		assert_string_equal(err.msg, want);
		assert_null(b.data);
	}
	/* unchanged, the same reads succeed */
	{
		struct mpk_error err = { 0 };
		struct blob b;

		assert_int_equal(file_read(put("still", data, 16384), "initrd", FILE_RAW, MAX, &b,
					   &err), 0);
		assert_memory_equal(b.data, data, 16384);
		blob_free(&b);
	}
	free(data);
}

/* Defect 5: the size is known (and can be refused) before a byte is read:
 * a 64 GiB sparse file opens at once. */
static void test_size_before_read(void **state)
{
	struct mpk_error err = { 0 };
	char want[300];
	struct blob b;
	int fd = open(mkpath("huge"), O_CREAT | O_WRONLY, 0600);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64ll << 30), 0);
	close(fd);
	assert_int_equal(file_open(path, "initrd", &b, &err), 0);
	assert_int_equal(b.file_size, 64ull << 30);
	assert_null(b.data);
	blob_free(&b);
	snprintf(want, sizeof(want), "initrd '%s': 65536 MiB, more than the 64 MiB mpkexec "
		 "accepts", path);
	assert_int_equal(file_read(path, "initrd", FILE_RAW, MAX, &b, &err), -1);
	assert_string_equal(err.msg, want);
}

/* Defect 13: with -s, an uncompressed kernel goes to kexec_file_load as
 * the file itself (IMA reads its xattr), an inflated one as a memfd. */
static void test_file_syscall_kernel_fd(void **state)
{
	struct mpk_error err = { 0 };
	size_t len = 70000, glen;
	uint8_t *data = pattern(len, 6), *gz = gzip_bytes(data, len, &glen), *back;
	struct blob b;
	bool owned;
	int fd;

	(void)state;
	assert_int_equal(file_read(put("vmlinuz", data, len), "kernel image",
				   FILE_INFLATE, MAX, &b, &err), 0);
	fd = kexec_file_kernel_fd("vmlinuz", &b, &owned, &err);
	assert_true(b.has_fd);
	assert_int_equal(fd, b.fd);
	assert_false(owned);
	blob_free(&b);

	assert_int_equal(file_read(put("vmlinuz.gz", gz, glen), "kernel image",
				   FILE_INFLATE, MAX, &b, &err), 0);
	fd = kexec_file_kernel_fd("vmlinuz.gz", &b, &owned, &err);
	assert_true(fd >= 0);
	assert_true(owned);
	assert_int_not_equal(fd, b.fd);
	back = malloc(len + 1);
	assert_non_null(back);
	assert_int_equal(__real_pread(fd, back, len + 1, 0), len);
	assert_memory_equal(back, data, len);
	close(fd);
	blob_free(&b);
	free(back);
	free(gz);
	free(data);
}


/* xz and zstd kernels (issue 11): inflated by magic, whatever the name;
 * cut or corrupt streams refused with the format and the byte offset. */
static uint8_t *xz_bytes(const uint8_t *d, size_t n, size_t *outlen)
{
	size_t cap = lzma_stream_buffer_bound(n), pos = 0;
	uint8_t *out = malloc(cap);

	assert_non_null(out);
	assert_int_equal(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, d, n, out, &pos,
						 cap), LZMA_OK);
	*outlen = pos;
	return out;
}

static uint8_t *zstd_bytes(const uint8_t *d, size_t n, size_t *outlen)
{
	size_t cap = ZSTD_compressBound(n), r;
	uint8_t *out = malloc(cap);

	assert_non_null(out);
	r = ZSTD_compress(out, cap, d, n, 3);
	assert_false(ZSTD_isError(r));
	*outlen = r;
	return out;
}

static void test_xz_zstd(void **state)
{
	struct mpk_error err = { 0 };
	size_t len = 300000, xlen, zlen;
	uint8_t *data = pattern(len, 5), *xz = xz_bytes(data, len, &xlen);
	uint8_t *zs = zstd_bytes(data, len, &zlen), *two;
	struct blob b;
	char want[300];

	(void)state;
	assert_int_equal(file_read(put("k.img", xz, xlen), "kernel image", FILE_INFLATE,
				   MAX, &b, &err), 0);
	assert_int_equal(b.size, len);
	assert_memory_equal(b.data, data, len);
	assert_true(b.inflated);
	blob_free(&b);
	assert_int_equal(file_read(put("k.zst", zs, zlen), "kernel image", FILE_INFLATE,
				   MAX, &b, &err), 0);
	assert_int_equal(b.size, len);
	assert_memory_equal(b.data, data, len);
	blob_free(&b);
	/* two zstd frames back to back: both */
	two = malloc(2 * zlen);
	assert_non_null(two);
	memcpy(two, zs, zlen);
	memcpy(two + zlen, zs, zlen);
	assert_int_equal(file_read(put("k2.zst", two, 2 * zlen), "kernel image",
				   FILE_INFLATE, MAX, &b, &err), 0);
	assert_int_equal(b.size, 2 * len);
	blob_free(&b);
	/* cut short */
	snprintf(want, sizeof(want), "kernel image '%s': xz data is truncated: the file "
		 "ends at byte %zu before the end of the xz stream; the file is cut short",
		 mkpath("cut.xz"), xlen - 10);
	expect_fail(put("cut.xz", xz, xlen - 10), FILE_INFLATE, MAX, MPK_EXIT_BADINPUT, want);
	snprintf(want, sizeof(want), "kernel image '%s': zstd data is truncated: the file "
		 "ends at byte %zu inside a frame; the file is cut short", mkpath("cut.zst"),
		 zlen - 10);
	expect_fail(put("cut.zst", zs, zlen - 10), FILE_INFLATE, MAX, MPK_EXIT_BADINPUT, want);
	/* a flipped byte in the middle: the checks catch it */
	xz[xlen / 2] ^= 0x55;
	assert_int_equal(file_read(put("bad.xz", xz, xlen), "kernel image", FILE_INFLATE,
				   MAX, &b, &err), -1);
	assert_int_equal(err.exit_code, MPK_EXIT_BADINPUT);
	assert_non_null(strstr(err.msg, "xz data is corrupt near byte "));
	/* more than max_size */
	snprintf(want, sizeof(want), "kernel image '%s': inflates to more than 0 MiB; that "
		 "cannot be loaded", mkpath("k.zst"));
	assert_true(zlen + 4096 < len);
	expect_fail(put("k.zst", zs, zlen), FILE_INFLATE, zlen + 4096, MPK_EXIT_BADINPUT, want);
	/* the initrd is never inflated */
	assert_int_equal(file_read(mkpath("k.zst"), "initrd", FILE_RAW, MAX, &b, &err), 0);
	assert_int_equal(b.size, zlen);
	blob_free(&b);
	free(two);
	free(zs);
	free(xz);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_invalid_block),
		cmocka_unit_test(test_gzip_truncated),
		cmocka_unit_test(test_gzip_good),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_one_byte),
		cmocka_unit_test(test_changed_after_read),
		cmocka_unit_test(test_changed_before_read),
		cmocka_unit_test(test_changed_during_read),
		cmocka_unit_test(test_size_before_read),
		cmocka_unit_test(test_file_syscall_kernel_fd),
		cmocka_unit_test(test_xz_zstd),
	};

	signal(SIGALRM, SIG_DFL);
	return cmocka_run_group_tests_name("file_read", tests, setup, teardown);
}
