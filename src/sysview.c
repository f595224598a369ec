/* SPDX-License-Identifier: GPL-2.0-only */
#include "sysview.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bytes.h"
#include "file.h"
#include "mpkexec/bootparam.h"
#include "mpkexec/handoff-report.h"

uint8_t *sysview_slurp(const char *root, const char *path, size_t *len)
{
	char full[PATH_MAX];
	size_t cap = 16384, n = 0;
	uint8_t *buf;
	int fd, saved;

	snprintf(full, sizeof(full), "%s%s", root, path);
	fd = file_open_text(full); /* never blocks on a FIFO (issue 9, defect 3) */
	if (fd < 0)
		return NULL;
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t r;

		if (n == cap) {
			uint8_t *nbuf = cap < (64u << 20) ? realloc(buf, cap * 2 + 1) : NULL;

			if (!nbuf) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			buf = nbuf;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			saved = errno;
			free(buf);
			buf = NULL;
			errno = saved;
			break;
		}
		if (r == 0) {
			buf[n] = '\0';
			*len = n;
			break;
		}
		n += (size_t)r;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

bool cpuinfo_boot_apic_id(const char *text, uint32_t *id)
{
	bool in_cpu0 = false;

	while (*text) {
		size_t len = strcspn(text, "\n");
		unsigned v;

		if (strncmp(text, "processor", 9) == 0)
			in_cpu0 = sscanf(text, "processor : %u", &v) == 1 && v == 0;
		else if (in_cpu0 && strncmp(text, "apicid", 6) == 0 &&
			 sscanf(text, "apicid : %u", &v) == 1) {
			*id = v;
			return true;
		}
		text += len + (text[len] == '\n');
	}
	return false;
}

unsigned cpuinfo_apic_ids(const char *text, uint32_t *ids, unsigned max)
{
	unsigned n = 0, v;

	while (*text) {
		size_t len = strcspn(text, "\n");

		if (strncmp(text, "apicid", 6) == 0 && sscanf(text, "apicid : %u", &v) == 1 &&
		    n < max)
			ids[n++] = v;
		text += len + (text[len] == '\n');
	}
	return n;
}

bool meminfo_kb(const char *text, const char *key, uint64_t *kb)
{
	size_t klen = strlen(key);

	while (*text) {
		size_t len = strcspn(text, "\n");
		char *end;

		if (strncmp(text, key, klen) == 0) {
			*kb = strtoull(text + klen, &end, 10);
			return end != text + klen;
		}
		text += len + (text[len] == '\n');
	}
	return false;
}

bool cpuinfo_has_flag(const char *text, const char *flag)
{
	size_t flen = strlen(flag);

	while (*text) {
		size_t len = strcspn(text, "\n");

		if (strncmp(text, "flags", 5) == 0) {
			for (const char *w = text + 5; w < text + len; w++)
				if ((w[-1] == ' ' || w[-1] == '\t') && strncmp(w, flag, flen) == 0 &&
				    (w + flen == text + len || w[flen] == ' '))
					return true;
			return false; /* processor 0's line only */
		}
		text += len + (text[len] == '\n');
	}
	return false;
}

/* The number after `key` where key starts a word (after `sep` or at the
 * start of text); 0 if absent. */
static uint64_t find_key_value(const char *text, const char *key, char sep)
{
	for (const char *p = strstr(text, key); p; p = strstr(p + 1, key))
		if (p == text || p[-1] == sep)
			return strtoull(p + strlen(key), NULL, 0);
	return 0;
}

uint8_t *sysview_setup_data(const char *root, uint32_t type, size_t *len)
{
	char path[96], buf[32];

	for (unsigned n = 0; n < 64; n++) {
		char full[PATH_MAX];

		snprintf(path, sizeof(path), "/sys/kernel/boot_params/setup_data/%u/type", n);
		snprintf(full, sizeof(full), "%s%s", root, path);
		if (file_read_text(full, buf, sizeof(buf)) < 0)
			return NULL;
		if (strtoul(buf, NULL, 16) != type)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/boot_params/setup_data/%u/data", n);
		return sysview_slurp(root, path, len);
	}
	return NULL;
}

uint64_t cpuinfo_khz(const char *text)
{
	const char *p = strstr(text, "cpu MHz");
	double mhz;

	/* Purgatory multiplies the rate by milliseconds: 1e300, inf or nan
	 * would make its waits 0 or years.  (The negated test catches nan.) */
	if (!p || sscanf(p, "cpu MHz : %lf", &mhz) != 1 ||
	    !(mhz >= CPUINFO_MHZ_MIN && mhz <= CPUINFO_MHZ_MAX))
		return 0;
	return (uint64_t)(mhz * 1000.0);
}

int sysview_acpi_tables(const char *root, const char *dir, struct acpi_tableset *ts,
			char *why, size_t whylen)
{
	char full[PATH_MAX], path[PATH_MAX];
	struct mpk_error err;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	memset(ts, 0, sizeof(*ts));
	snprintf(full, sizeof(full), "%s%s", root, dir);
	d = opendir(full);
	if (!d) {
		snprintf(why, whylen, "cannot list %s: %s", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d))) {
		struct stat st;
		uint8_t *data;
		size_t len;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(full, sizeof(full), "%s%s", root, path);
		/* data/ and dynamic/ are directories: tables loaded at run time
		 * by firmware's AML, which the next kernel's AML loads again. */
		if (de->d_name[0] == '.' || stat(full, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		data = sysview_slurp(root, path, &len);
		if (!data) {
			snprintf(why, whylen, "cannot read %s: %s", path, strerror(errno));
			rc = -1;
		} else if (acpi_tableset_add(ts, de->d_name, data, len, &err) < 0) {
			snprintf(why, whylen, "%s: %.150s", path, err.msg);
			rc = -1;
		}
		free(data);
	}
	closedir(d);
	if (rc < 0)
		acpi_tableset_free(ts);
	else
		acpi_tableset_sort(ts);
	return rc;
}

/* RSDP: where the running kernel found it (kernel-facts §6.1). */
static void find_rsdp(const char *root, struct sysview *sv)
{
	uint8_t *systab;
	size_t len;

	if (sv->have_boot_params) {
		sv->rsdp = get_le64(sv->boot_params + BP_ACPI_RSDP_ADDR);
		if (sv->rsdp) {
			sv->rsdp_source = "/sys/kernel/boot_params/data";
			return;
		}
	}
	systab = sysview_slurp(root, "/sys/firmware/efi/systab", &len);
	if (systab) {
		sv->rsdp = find_key_value((char *)systab, "ACPI20=", '\n');
		if (!sv->rsdp)
			sv->rsdp = find_key_value((char *)systab, "ACPI=", '\n');
		free(systab);
		if (sv->rsdp) {
			sv->rsdp_source = "/sys/firmware/efi/systab";
			return;
		}
	}
	sv->rsdp = find_key_value(sv->cmdline, "acpi_rsdp=", ' ');
	if (sv->rsdp)
		sv->rsdp_source = "acpi_rsdp= on /proc/cmdline";
}

int sysview_read(const char *root, struct sysview *sv, struct mpk_error *err)
{
	uint8_t *bp, *text;
	bool have_cpuinfo;
	size_t len;

	memset(sv, 0, sizeof(*sv));
	sv->root = root;
	text = sysview_slurp(root, "/proc/iomem", &len);
	if (memmap_read_sysfs(root, &sv->firmware_map, err) < 0) {
		/* No CONFIG_FIRMWARE_MEMMAP: the top level of /proc/iomem (root).
		 * Only then: a /sys/firmware/memmap that is there but malformed
		 * is refused, not silently replaced by another map. */
		struct mpk_error iomem_err = { 0 };
		char dir[PATH_MAX];
		struct stat st;

		snprintf(dir, sizeof(dir), "%s/sys/firmware/memmap", root);
		if (stat(dir, &st) == 0 || errno != ENOENT || !text ||
		    memmap_parse_iomem((char *)text, &sv->firmware_map, &iomem_err) < 0 ||
		    sv->firmware_map.n == 0) {
			/* /proc/iomem was the map to use, and says why it is not
			 * ("run as root"): that, rather than the missing sysfs. */
			if (stat(dir, &st) < 0 && errno == ENOENT && text &&
			    sv->firmware_map.n == 0 && iomem_err.msg[0])
				*err = iomem_err;
			memmap_free(&sv->firmware_map);
			free(text);
			return -1;
		}
	}
	if (text) {
		sv->n_kernel_image = (unsigned)iomem_find_kernel((char *)text, sv->kernel_image,
								 SYSVIEW_MAX_KERNEL_RANGES);
		free(text);
	}

	bp = sysview_slurp(root, "/sys/kernel/boot_params/data", &len);
	if (bp && len >= BP_SIZE) {
		memcpy(sv->boot_params, bp, BP_SIZE);
		sv->have_boot_params = true;
	}
	free(bp);

	/* Whole, however long: --reuse-cmdline starts from it, and the
	 * kernel's cmdline_size check (bzimage-load.c) is what bounds it. */
	sv->cmdline = (char *)sysview_slurp(root, "/proc/cmdline", &len);
	if (!sv->cmdline)
		sv->cmdline = strdup("");
	if (!sv->cmdline) {
		memmap_free(&sv->firmware_map);
		return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
	}
	sv->cmdline[strcspn(sv->cmdline, "\n")] = '\0';
	find_rsdp(root, sv);

	sv->madt = sysview_slurp(root, "/sys/firmware/acpi/tables/APIC", &sv->madt_len);
	if (!sv->madt)
		sv->madt_errno = errno;

	text = sysview_slurp(root, "/proc/cpuinfo", &len);
	have_cpuinfo = text != NULL;
	if (text) {
		const char *mhz = strstr((char *)text, "cpu MHz");

		sv->have_boot_apic_id = cpuinfo_boot_apic_id((char *)text, &sv->boot_apic_id);
		sv->tsc_khz = cpuinfo_khz((char *)text);
		if (!sv->tsc_khz && mhz) {
			sv->tsc_khz = SYSVIEW_TSC_KHZ_GUESS;
			snprintf(sv->tsc_note, sizeof(sv->tsc_note), "TSC rate assumed %u MHz: "
				 "/proc/cpuinfo says \"%.*s\", not a rate between %u and %u MHz",
				 SYSVIEW_TSC_KHZ_GUESS / 1000, (int)strcspn(mhz, "\n") > 40 ? 40 :
				 (int)strcspn(mhz, "\n"), mhz, CPUINFO_MHZ_MIN, CPUINFO_MHZ_MAX);
		}
		sv->n_online = cpuinfo_apic_ids((char *)text, sv->online_apic_ids,
						SYSVIEW_MAX_CPUS);
		sv->tdx_guest_flag = cpuinfo_has_flag((char *)text, "tdx_guest");
		free(text);
	}
	if (!sv->tsc_khz) {
		sv->tsc_khz = SYSVIEW_TSC_KHZ_GUESS;
		snprintf(sv->tsc_note, sizeof(sv->tsc_note), "TSC rate assumed %u MHz: %s",
			 SYSVIEW_TSC_KHZ_GUESS / 1000, !have_cpuinfo ? "/proc/cpuinfo unreadable" :
			 "processor 0 has no \"cpu MHz\" in /proc/cpuinfo");
	}

	text = sysview_slurp(root, "/proc/meminfo", &len);
	if (text) {
		sv->have_unaccepted = meminfo_kb((char *)text, "Unaccepted:", &sv->unaccepted_kb);
		free(text);
	}

	sv->live = !*root;
	text = sysview_slurp(root, "/proc/sys/kernel/osrelease", &len);
	if (text) {
		snprintf(sv->osrelease, sizeof(sv->osrelease), "%s", (char *)text);
		sv->osrelease[strcspn(sv->osrelease, "\n")] = '\0';
		free(text);
	}
	sv->mpkp = sysview_slurp(root, "/sys/firmware/acpi/tables/MPKP", &sv->mpkp_len);
	sv->acpi_snapshot = sysview_setup_data(root, MPK_SETUP_ACPI_ROOT, &sv->acpi_snapshot_len);
	sysview_acpi_tables(root, "/sys/firmware/acpi/tables", &sv->acpi_tables,
			    sv->acpi_tables_why, sizeof(sv->acpi_tables_why));
	return 0;
}

void sysview_free(struct sysview *sv)
{
	free(sv->crash.notes);
	sv->crash.notes = NULL;
	memmap_free(&sv->crash.iomem);
	free(sv->cmdline);
	sv->cmdline = NULL;
	acpi_tableset_free(&sv->acpi_tables);
	memmap_free(&sv->firmware_map);
	free(sv->madt);
	sv->madt = NULL;
	free(sv->acpi_snapshot);
	sv->acpi_snapshot = NULL;
	free(sv->mpkp);
	sv->mpkp = NULL;
}
