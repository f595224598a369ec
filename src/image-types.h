/* SPDX-License-Identifier: GPL-2.0-only */
/* Image types: one table.  Each type the loader knows is one entry
 * {name, aliases, probe, plan}; main.c probes the table in order and calls
 * the chosen entry's plan, for -l and -p alike, and -t picks an entry by
 * name.  The table itself is per architecture (arch/x86_64/image-types.c);
 * this file is the portable part: the entry type and the choosing. */
#ifndef MPKEXEC_IMAGE_TYPES_H
#define MPKEXEC_IMAGE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "error.h"
#include "plan.h"
#include "sysview.h"

/* What a probe sees: the image's bytes (inflated if they were compressed),
 * its path (for messages only) and the facts about the running system a
 * probe may need.  Probes are pure: no file or system access. */
struct image_probe_input {
	const uint8_t *data;
	size_t size;
	const char *path;
	struct arch_probe_facts arch; /* the architecture's (arch.h) */
};

/* A probe's answer. */
enum image_probe_result {
	IMAGE_PROBE_OK = 0,        /* this type, and loadable */
	IMAGE_PROBE_NOT_MINE = -1, /* not this type: err says why (the next one may be) */
	IMAGE_PROBE_REFUSED = -2,  /* this type, but not loadable: err is final */
};

struct image_type {
	const char *name;             /* ours, for -t and messages */
	const char *const *aliases;   /* kexec-tools' names for -t; NULL-terminated */
	enum image_probe_result (*probe)(const struct image_probe_input *in,
					 struct mpk_error *err);
	int (*plan)(const struct sysview *sv, const struct load_request *rq,
		    const uint8_t *purgatory_elf, size_t purgatory_len,
		    struct load_plan *plan, struct mpk_error *err);
	bool linux_boot;              /* a Linux kernel: -s (kexec_file_load) and -p
					 take it; other types may be placed at fixed
					 addresses, so main reads the crash ranges */
};

/* The architecture's table, in probe order (arch/.../image-types.c). */
extern const struct image_type image_types[];
extern const size_t image_types_count;

/* The entry named `name` (ours or an alias, case sensitive), or NULL. */
const struct image_type *image_type_find(const struct image_type *table, size_t n,
					 const char *name);

/* -t NAME's check (exit 64 with the known names when NAME is unknown). */
int image_type_check_name(const struct image_type *table, size_t n, const char *name,
			  struct mpk_error *err);

/* The type of `in`: with `forced` (-t), that entry's probe alone, and a
 * refusal names the type; without, the first entry in table order that
 * accepts the image.  When none does, the message is the last entry's (the
 * fallback, bzImage on x86), then what each other probe said.  NULL with
 * err set (exit 65, or 64 for an unknown `forced`). */
const struct image_type *image_type_choose(const struct image_type *table, size_t n,
					   const char *forced,
					   const struct image_probe_input *in,
					   struct mpk_error *err);

#endif
