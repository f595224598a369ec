/* SPDX-License-Identifier: GPL-2.0-only */
#include "efi-handover.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bytes.h"
#include "file.h"
#include "mpkexec/bootparam.h"
#include "sysview.h"

#define EFI_DIR     "/sys/firmware/efi"
#define RTMAP_DIR   EFI_DIR "/runtime-map"
/* A descriptor stride above this is garbage, not a firmware choice. */
#define EFI_MEMDESC_SANE_MAX 4096u

static int not_present(struct efi_handover *eh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records why nothing is handed over; returns 1 ("not present"). */
static int not_present(struct efi_handover *eh, const char *fmt, ...)
{
	va_list ap;

	eh->present = false;
	va_start(ap, fmt);
	vsnprintf(eh->why_not, sizeof(eh->why_not), fmt, ap);
	va_end(ap);
	free(eh->memmap);
	eh->memmap = NULL;
	eh->memmap_size = 0;
	eh->n_desc = 0;
	return 1;
}

/* "0x" and 1 to 16 hex digits, as the kernel prints these files. */
static bool parse_hex(const char *text, uint64_t *v)
{
	size_t n;

	if (text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
		return false;
	text += 2;
	n = strspn(text, "0123456789abcdefABCDEF");
	if (n == 0 || n > 16 || text[n] != '\0')
		return false;
	*v = strtoull(text, NULL, 16);
	return true;
}

/* One hex value file.  0: *v set; 1: unreadable (errno says why); -1:
 * malformed, err filled. */
static int read_hex(const char *root, const char *rel, uint64_t *v, struct mpk_error *err)
{
	char path[PATH_MAX], text[64];

	snprintf(path, sizeof(path), "%s%s", root, rel);
	if (file_read_text(path, text, sizeof(text)) < 0)
		return 1;
	if (!parse_hex(text, v))
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"EFI handover: %s: \"%s\" is not a hex number (0x...)", path,
				text);
	return 0;
}

/* The SMBIOS= line of the systab file: the SMBIOS (2.x) entry point,
 * which is what the next kernel substitutes for SMBIOS_TABLE_GUID in the
 * config table (arch/x86/platform/efi/quirks.c efi_reuse_config); an
 * SMBIOS3= address there would be read as the wrong structure. */
static int read_smbios(const char *root, uint64_t *smbios, struct mpk_error *err)
{
	size_t len;
	char *text = (char *)sysview_slurp(root, EFI_DIR "/systab", &len);
	int rc = 0;

	*smbios = 0;
	if (!text)
		return 0; /* optional: 0 tells the next kernel to keep the table's own */
	for (char *line = text; *line; ) {
		size_t n = strcspn(line, "\n");
		char end = line[n];

		line[n] = '\0';
		if (strncmp(line, "SMBIOS=", 7) == 0) {
			if (!parse_hex(line + 7, smbios))
				rc = mpk_fail(err, MPK_EXIT_BADINPUT,
					      "EFI handover: %s%s: bad SMBIOS= line \"%s\"",
					      root, EFI_DIR "/systab", line);
			break;
		}
		line += n + (end == '\n');
	}
	free(text);
	return rc;
}

static const char *const rtmap_fields[] = {
	"type", "phys_addr", "virt_addr", "num_pages", "attribute",
};

/* Entry i of the runtime map into desc (memdesc_size bytes, zeroed).
 * 0: read; 1: unreadable (errno); -1: malformed (err). */
static int read_rtmap_entry(const char *root, unsigned i, uint8_t *desc,
			    struct mpk_error *err)
{
	uint64_t v[5];
	char rel[96];

	for (unsigned f = 0; f < 5; f++) {
		int rc;

		snprintf(rel, sizeof(rel), RTMAP_DIR "/%u/%s", i, rtmap_fields[f]);
		rc = read_hex(root, rel, &v[f], err);
		if (rc)
			return rc;
	}
	if (v[0] > UINT32_MAX)
		return mpk_fail(err, MPK_EXIT_BADINPUT,
				"EFI handover: %s" RTMAP_DIR "/%u/type: %#" PRIx64
				" does not fit the descriptor's 32-bit type", root, i, v[0]);
	put_le32(desc, (uint32_t)v[0]);       /* +4: pad */
	put_le64(desc + 8, v[1]);
	put_le64(desc + 16, v[2]);
	put_le64(desc + 24, v[3]);
	put_le64(desc + 32, v[4]);
	return 0;
}

/* 0: read; 1: not handed over (why_not); -1: error. */
static int read_runtime_map(const char *root, struct efi_handover *eh, struct mpk_error *err)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s" RTMAP_DIR, root);
	if (stat(path, &st) < 0)
		return errno == ENOENT ?
		       not_present(eh, "no " RTMAP_DIR " (the running kernel lacks "
				   "CONFIG_EFI_RUNTIME_MAP, or EFI runtime services)") :
		       not_present(eh, "cannot see " RTMAP_DIR ": %s", strerror(errno));
	for (unsigned i = 0;; i++) {
		uint8_t *desc, *grown;
		int rc;

		snprintf(path, sizeof(path), "%s" RTMAP_DIR "/%u", root, i);
		if (stat(path, &st) < 0) {
			if (errno == ENOENT)
				break;
			return not_present(eh, "cannot read " RTMAP_DIR "/%u: %s", i,
					   strerror(errno));
		}
		if (i == EFI_RUNTIME_MAP_MAX)
			return mpk_fail(err, MPK_EXIT_BADINPUT,
					"EFI handover: %s" RTMAP_DIR ": more than %u entries",
					root, EFI_RUNTIME_MAP_MAX);
		grown = realloc(eh->memmap, eh->memmap_size + eh->memdesc_size);
		if (!grown)
			return mpk_fail(err, MPK_EXIT_INTERNAL, "EFI handover: out of memory");
		eh->memmap = grown;
		desc = grown + eh->memmap_size;
		memset(desc, 0, eh->memdesc_size);
		rc = read_rtmap_entry(root, i, desc, err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return not_present(eh, "cannot read " RTMAP_DIR "/%u: %s%s", i,
					   strerror(errno), errno == EACCES ? " (root only)" : "");
		eh->memmap_size += eh->memdesc_size;
		eh->n_desc++;
	}
	if (eh->n_desc == 0)
		return not_present(eh, RTMAP_DIR " is empty");
	return 0;
}

/* fw_vendor, runtime, config_table: where the system table points,
 * physical, since SetVirtualAddressMap made the table's own fields
 * virtual.  0: read; 1: not handed over (why_not); -1: error. */
static int read_efi_values(const char *root, struct efi_handover *eh, struct mpk_error *err)
{
	static const char *const names[] = { "fw_vendor", "runtime", "config_table" };
	uint64_t *dst[] = { &eh->fw_vendor, &eh->runtime, &eh->config_table };

	for (unsigned i = 0; i < 3; i++) {
		char rel[64];
		int rc;

		snprintf(rel, sizeof(rel), EFI_DIR "/%s", names[i]);
		rc = read_hex(root, rel, dst[i], err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return not_present(eh, "cannot read %s: %s: the running kernel exposes "
					   "no EFI runtime", rel, strerror(errno));
	}
	return 0;
}

/* From the running kernel's efi_info; false (with why_not) when it has
 * nothing a next kernel could use. */
static bool take_efi_info(const uint8_t *bp, struct efi_handover *eh)
{
	uint32_t size = get_le32(bp + BP_EFI_MEMDESC_SIZE);

	if (get_le32(bp + BP_EFI_MEMMAP_SIZE) == 0) {
		not_present(eh, "the running kernel was given no EFI memory map "
			    "(efi_memmap_size 0 in /sys/kernel/boot_params/data)");
		return false;
	}
	eh->loader_signature = get_le32(bp + BP_EFI_LOADER_SIGNATURE);
	if (eh->loader_signature != EFI_LOADER_SIGNATURE_64) {
		/* Linux's kexec_file refuses 32-bit EFI runtime as well. */
		not_present(eh, "efi_loader_signature %#x is not \"EL64\": no 64-bit EFI "
			    "runtime to hand over", eh->loader_signature);
		return false;
	}
	eh->memdesc_version = get_le32(bp + BP_EFI_MEMDESC_VERSION);
	if (eh->memdesc_version != EFI_MEMDESC_VERSION) {
		/* The only layout defined; kexec-tools refuses others too. */
		not_present(eh, "efi_memdesc_version %u: only version 1 descriptors are "
			    "known", eh->memdesc_version);
		return false;
	}
	/* The next kernel strides through the map by the size we write, so
	 * any size >= 40 works.  Keep the running kernel's (firmware's,
	 * usually 48), as kexec_file does; a size that cannot be a descriptor
	 * stride becomes 40, the size kexec-tools always writes. */
	eh->memdesc_size = size >= EFI_MEMDESC_MIN && size <= EFI_MEMDESC_SANE_MAX ?
			   size : EFI_MEMDESC_MIN;
	eh->systab = get_le32(bp + BP_EFI_SYSTAB) |
		     (uint64_t)get_le32(bp + BP_EFI_SYSTAB_HI) << 32;
	eh->secure_boot = bp[BP_SECURE_BOOT];
	return true;
}

int efi_handover_read(const char *root, const uint8_t *running_bp,
		      struct efi_handover *eh, struct mpk_error *err)
{
	char path[PATH_MAX];
	struct stat st;
	int rc;

	memset(eh, 0, sizeof(*eh));
	snprintf(path, sizeof(path), "%s" EFI_DIR, root);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			not_present(eh, "not booted through EFI (no " EFI_DIR ")");
		else
			not_present(eh, "cannot see " EFI_DIR ": %s", strerror(errno));
		return 0;
	}
	if (!running_bp) {
		not_present(eh, "efi_info unknown: /sys/kernel/boot_params/data unreadable");
		return 0;
	}
	if (!take_efi_info(running_bp, eh))
		return 0;
	rc = read_efi_values(root, eh, err);
	if (rc == 0)
		rc = read_smbios(root, &eh->smbios, err);
	if (rc == 0)
		rc = read_runtime_map(root, eh, err);
	if (rc < 0)
		efi_handover_free(eh);
	if (rc)
		return rc < 0 ? -1 : 0;

	put_le64(eh->setup_efi, eh->fw_vendor);
	/* "runtime" in older kernels' struct efi_setup_data (now __unused);
	 * kexec-tools fills it, kexec_file leaves 0.  Harmless either way. */
	put_le64(eh->setup_efi + 8, eh->runtime);
	put_le64(eh->setup_efi + 16, eh->config_table);
	put_le64(eh->setup_efi + 24, eh->smbios);
	eh->present = true;
	snprintf(eh->desc, sizeof(eh->desc),
		 "systab %#" PRIx64 ", %u runtime-map entries of %u bytes (" RTMAP_DIR
		 "), SETUP_EFI from " EFI_DIR, eh->systab, eh->n_desc, eh->memdesc_size);
	return 0;
}

void efi_handover_put_boot_params(uint8_t *bp, const struct efi_handover *eh,
				  uint64_t memmap_addr)
{
	if (!eh->present)
		return;
	put_le32(bp + BP_EFI_LOADER_SIGNATURE, eh->loader_signature);
	put_le32(bp + BP_EFI_SYSTAB, (uint32_t)eh->systab);
	put_le32(bp + BP_EFI_SYSTAB_HI, (uint32_t)(eh->systab >> 32));
	put_le32(bp + BP_EFI_MEMDESC_SIZE, eh->memdesc_size);
	put_le32(bp + BP_EFI_MEMDESC_VERSION, eh->memdesc_version);
	put_le32(bp + BP_EFI_MEMMAP, (uint32_t)memmap_addr);
	put_le32(bp + BP_EFI_MEMMAP_HI, (uint32_t)(memmap_addr >> 32));
	/* At most EFI_RUNTIME_MAP_MAX * EFI_MEMDESC_SANE_MAX = 16 MiB. */
	put_le32(bp + BP_EFI_MEMMAP_SIZE, (uint32_t)eh->memmap_size);
	bp[BP_SECURE_BOOT] = eh->secure_boot;
}

void efi_handover_refuse(struct efi_handover *eh, const char *fmt, ...)
{
	char why[sizeof(eh->why_not)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	not_present(eh, "%s", why);
}

void efi_handover_free(struct efi_handover *eh)
{
	free(eh->memmap);
	eh->memmap = NULL;
	eh->memmap_size = 0;
	eh->n_desc = 0;
	eh->present = false;
}
