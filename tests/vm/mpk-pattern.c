/* SPDX-License-Identifier: GPL-2.0-only */
/* mpk-pattern: the known-pattern check of the kdump VM scenarios (issue 10).
 * Runs in the guest (static, no libraries); the host never runs it.
 *
 *   mpk-pattern plant TOKEN
 *       Maps one anonymous page, fills it with the pattern of TOKEN, locks
 *       it, finds its physical address in /proc/self/pagemap (needs root:
 *       without CAP_SYS_ADMIN the PFN reads as 0) and prints
 *           MPK-PATTERN phys=0x<address> token=TOKEN hex=<first 32 bytes>
 *       then keeps the page mapped (pause()) until the kernel dies.
 *   mpk-pattern check PHYS TOKEN [VMCORE]
 *       Reads the ELF core file VMCORE (default /proc/vmcore), finds the
 *       PT_LOAD whose physical range holds PHYS, reads the page there and
 *       compares it with the pattern of TOKEN; prints
 *           MPK-PATTERN-CHECK phys=0x.. load=0x<start>-0x<end> offset=0x..
 *               match=<equal bytes>/4096 hex=<first 32 bytes read>
 *       exit 0 when every byte matches, 1 when not, 65 when no PT_LOAD
 *       holds PHYS or the file is not an ELF64 core, 66 when it cannot be
 *       read, 64 on usage errors.
 *
 * The pattern: the 8 bytes "MPK-PAT:", then a xorshift64* stream (each
 * value stored little-endian) seeded with the 64-bit FNV-1a hash of TOKEN.
 * tests/vm/scenario.py computes the same bytes on the host.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096u
#define HEXBYTES 32u

static void fill(unsigned char *p, const char *token)
{
	uint64_t x = 0xcbf29ce484222325ull;	/* FNV-1a offset basis */
	for (const char *s = token; *s; s++)
		x = (x ^ (unsigned char)*s) * 0x100000001b3ull;
	if (x == 0)
		x = 1;	/* xorshift never leaves 0 */
	memcpy(p, "MPK-PAT:", 8);
	for (unsigned i = 8; i < PAGE; i += 8) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		uint64_t v = x * 0x2545f4914f6cdd1dull;
		for (unsigned b = 0; b < 8; b++)
			p[i + b] = (unsigned char)(v >> (8 * b));
	}
}

static void hex(const unsigned char *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static int plant(const char *token)
{
	unsigned char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "mpk-pattern: mmap of one page: %s\n", strerror(errno));
		return 69;
	}
	fill(p, token);
	if (mlock(p, PAGE) != 0) {
		fprintf(stderr, "mpk-pattern: mlock: %s (run as root)\n", strerror(errno));
		return 77;
	}
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "mpk-pattern: /proc/self/pagemap: %s\n", strerror(errno));
		return 66;
	}
	uint64_t ent;
	off_t off = (off_t)((uintptr_t)p / PAGE * sizeof(ent));
	ssize_t n = pread(fd, &ent, sizeof(ent), off);
	close(fd);
	if (n != (ssize_t)sizeof(ent)) {
		fprintf(stderr, "mpk-pattern: /proc/self/pagemap: short read at 0x%jx\n",
			(uintmax_t)off);
		return 66;
	}
	uint64_t pfn = ent & ((1ull << 55) - 1);
	if (!(ent >> 63) || pfn == 0) {
		fprintf(stderr, "mpk-pattern: /proc/self/pagemap gives no PFN for the page "
			"(entry 0x%016" PRIx64 "; needs root, CAP_SYS_ADMIN)\n", ent);
		return 77;
	}
	printf("MPK-PATTERN phys=0x%" PRIx64 " token=%s hex=", pfn * PAGE, token);
	hex(p, HEXBYTES);
	printf("\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int check(const char *physarg, const char *token, const char *path)
{
	char *end;
	errno = 0;
	uint64_t phys = strtoull(physarg, &end, 0);
	if (errno || *end || phys % PAGE) {
		fprintf(stderr, "mpk-pattern: PHYS '%s': not a page-aligned address\n", physarg);
		return 64;
	}
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "mpk-pattern: %s: %s\n", path, strerror(errno));
		return 66;
	}
	Elf64_Ehdr eh;
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_type != ET_CORE || eh.e_phentsize != sizeof(Elf64_Phdr)) {
		fprintf(stderr, "mpk-pattern: %s: not an ELF64 core file\n", path);
		close(fd);
		return 65;
	}
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (uint64_t)i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph)) {
			fprintf(stderr, "mpk-pattern: %s: program header %u unreadable\n", path, i);
			close(fd);
			return 65;
		}
		if (ph.p_type != PT_LOAD || phys < ph.p_paddr ||
		    phys - ph.p_paddr + PAGE > ph.p_filesz)
			continue;
		uint64_t at = ph.p_offset + (phys - ph.p_paddr);
		unsigned char want[PAGE], got[PAGE];
		ssize_t n = pread(fd, got, PAGE, (off_t)at);
		close(fd);
		if (n != (ssize_t)PAGE) {
			fprintf(stderr, "mpk-pattern: %s: read of 4096 bytes at offset 0x%" PRIx64
				" failed: %s\n", path, at, n < 0 ? strerror(errno) : "short read");
			return 66;
		}
		fill(want, token);
		unsigned same = 0;
		for (unsigned b = 0; b < PAGE; b++)
			same += want[b] == got[b];
		printf("MPK-PATTERN-CHECK phys=0x%" PRIx64 " load=0x%" PRIx64 "-0x%" PRIx64
		       " offset=0x%" PRIx64 " match=%u/%u hex=", phys, ph.p_paddr,
		       ph.p_paddr + ph.p_filesz - 1, at, same, PAGE);
		hex(got, HEXBYTES);
		printf("\n");
		return same == PAGE ? 0 : 1;
	}
	close(fd);
	printf("MPK-PATTERN-CHECK phys=0x%" PRIx64 " load=none offset=none match=0/%u hex=none\n",
	       phys, PAGE);
	fprintf(stderr, "mpk-pattern: %s: no PT_LOAD holds 0x%" PRIx64 "\n", path, phys);
	return 65;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "plant"))
		return plant(argv[2]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "check"))
		return check(argv[2], argv[3], argc == 5 ? argv[4] : "/proc/vmcore");
	fprintf(stderr, "usage: mpk-pattern plant TOKEN\n"
		"       mpk-pattern check PHYS TOKEN [VMCORE]\n");
	return 64;
}
