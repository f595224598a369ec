/* SPDX-License-Identifier: GPL-2.0-only */
/* mpkexec: load a next kernel and hand the machine over to it.
 * The load path is a pipeline: options -> inputs (image, initrd, running
 * system) -> plan (pure) -> load (the one kexec_load call). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "crash-plan.h"
#include "error.h"
#include "exec-prepare.h"
#include "file.h"
#include "image-types.h"
#include "kexec-syscall.h"
#include "options.h"
#include "plan.h"
#include "planner.h"
#include "purgatory-link.h"
#include "report.h"
#include "sysview.h"

#define MAX_KERNEL_BYTES (512ul << 20)
#define MAX_INITRD_BYTES (64ul << 30) /* half of System RAM decides first */

/* System RAM in the map the planner uses: kexec_load and kexec_file_load
 * refuse a segment larger than half of it (plan_check_limits says the same
 * after planning). */
static uint64_t system_ram(const struct sysview *sv)
{
	return planner_ram_in(&(struct planner){ .map = &sv->firmware_map }, 0, UINT64_MAX);
}

/* Bytes of the "Crash kernel" range(s) (-p), 0 if unknown. */
static uint64_t crash_region_bytes(const struct sysview *sv)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < sv->crash.nregion; i++)
		total += sv->crash.region[i].end - sv->crash.region[i].start;
	return total;
}

/* The kernel is read (once, into private memory: see file.h) and its
 * type chosen from the image-type table (-t, or the first probe that
 * accepts it); the initrd is opened and its size checked against the
 * kernel's limit before a byte of it is read or digested; with -s it is
 * not read at all (kexec_file_load reads the fd). */
static int read_inputs(const struct options *o, const struct sysview *sv,
		       struct load_request *rq, const struct image_type **type,
		       struct mpk_error *err)
{
	uint64_t half = system_ram(sv) / 2;
	struct image_probe_input in;

	if (file_open(o->kernel, "kernel image", &rq->kernel, err) < 0 ||
	    file_load(&rq->kernel, o->kernel, "kernel image", FILE_INFLATE,
		      MAX_KERNEL_BYTES, err) < 0)
		return -1;
	in = (struct image_probe_input){
		.data = rq->kernel.data, .size = rq->kernel.size, .path = o->kernel,
	};
	arch_probe_facts(o->sysroot, &in.arch);
	*type = image_type_choose(image_types, image_types_count, o->type, &in, err);
	if (!*type)
		return -1;
	/* --module="FILE ARGS": the file is the text up to the first space. */
	for (unsigned i = 0; i < o->nmodule; i++) {
		struct load_module *m = &rq->module[i];
		size_t n = strcspn(o->module[i], " ");
		char *path = strndup(o->module[i], n);

		if (!path)
			return mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		m->path = path;
		m->args = o->module[i];
		rq->nmodule = i + 1;
		if (file_read(path, "module", FILE_RAW, half ? (size_t)half : MAX_INITRD_BYTES,
			      &m->data, err) < 0)
			return -1;
	}
	if (!o->initrd)
		return 0;
	if (file_open(o->initrd, "initrd", &rq->initrd, err) < 0)
		return -1;
	if (half && rq->initrd.file_size > half)
		return mpk_fail(err, MPK_EXIT_NOSPACE,
				"initrd '%s': %" PRIu64 " MiB; the kernel accepts segments of at "
				"most half of System RAM (%" PRIu64 " MiB); use a smaller initrd",
				o->initrd, rq->initrd.file_size >> 20, half >> 20);
	if (o->crash && crash_region_bytes(sv) && rq->initrd.file_size > crash_region_bytes(sv))
		return mpk_fail(err, MPK_EXIT_NOSPACE,
				"initrd '%s': %" PRIu64 " MiB, more than the whole crash kernel "
				"region (%" PRIu64 " MiB, crashkernel=); reserve more or use a "
				"smaller initrd", o->initrd, rq->initrd.file_size >> 20,
				crash_region_bytes(sv) >> 20);
	if (o->file_syscall)
		return 0;
	return file_load(&rq->initrd, o->initrd, "initrd", FILE_RAW,
			 half && half < MAX_INITRD_BYTES ? (size_t)half : MAX_INITRD_BYTES, err);
}

static int load_with_file_syscall(struct load_request *rq, struct mpk_error *err)
{
	if (rq->crash)
		fprintf(stderr, "mpkexec: note: -s -p: the kernel builds the capture kernel's "
			"ELF core header and memory map itself (KEXEC_FILE_ON_CRASH)\n");
	fprintf(stderr, "mpkexec: note: -s hands the image to the kernel's own "
		"kexec_file_load loader and purgatory: no digest check by mpkexec and no "
		"AP handoff (secondary CPUs stay wherever the old kernel leaves them)\n");
	return kexec_file_load_image(rq->kernel_path, &rq->kernel, rq->initrd_path,
				     &rq->initrd, rq->cmdline, rq->crash, err);
}

static int do_load(const struct options *o, struct mpk_error *err)
{
	struct load_request rq = {
		.kernel_path = o->kernel, .initrd_path = o->initrd,
		.verify = !o->no_checks, .serial_debug = o->serial_debug,
		.serial_port = o->serial_port, .crash = o->crash, .hotplug = o->hotplug,
		.args_style = o->args_style,
	};
	struct sysview sv;
	struct load_plan plan;
	const struct image_type *type = NULL;
	char *cmdline = NULL;
	const char *shown;
	int rc = -1;

	arch_request_set(&rq, &o->arch);
	if (sysview_read(o->sysroot, &sv, err) < 0)
		return -1;
	if (o->crash) {
		sysview_read_crash(o->sysroot, &sv);
		if (crash_check_reservation(&sv, err) < 0)
			goto out;
		/* Lockdown refuses kexec_load of anything (LOCKDOWN_KEXEC). */
		if (!o->file_syscall && sv.crash.lockdown[0]) {
			mpk_fail(err, MPK_EXIT_UNAVAILABLE, "-p: the running kernel is locked "
				 "down (lockdown=%s) and refuses kexec_load; load a signed "
				 "capture kernel with -s -p (kexec_file_load)", sv.crash.lockdown);
			goto out;
		}
	}
	if (read_inputs(o, &sv, &rq, &type, err) < 0)
		goto out;
	cmdline = options_cmdline(o, sv.cmdline);
	if (!cmdline) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	rq.cmdline = cmdline;
	if (!type->linux_boot && (o->file_syscall || o->crash)) {
		mpk_fail(err, MPK_EXIT_USAGE, "%s with a %s image ('%s'): %s; load it with -l",
			 o->crash ? "-p" : "-s", type->name, o->kernel, o->crash ?
			 "a capture kernel must be a Linux bzImage" :
			 "kexec_file_load loads Linux bzImages only");
		goto out;
	}
	/* Payloads at fixed addresses stay out of the "Crash kernel" ranges. */
	if (!type->linux_boot && !o->crash)
		sysview_read_crash(o->sysroot, &sv);
	if (o->file_syscall) {
		rc = load_with_file_syscall(&rq, err);
		goto out;
	}
	/* -l and -p alike: the chosen type plans (with rq.crash, the capture
	 * kernel's plan: crash-plan.c, called from the type's plan). */
	if (type->plan(&sv, &rq, purgatory_blob,
		       (size_t)(purgatory_blob_end - purgatory_blob), &plan, err) < 0)
		goto out;
	/* -l accounts for every CPU: where it is and how it gets to the next
	 * kernel (--plan prints the same inside the whole plan). */
	if (!o->plan && !o->debug)
		report_ap_handoff(stderr, "mpkexec: ", &plan);
	if (plan.warning[0] && !o->plan)
		fprintf(stderr, "mpkexec: warning: %s\n", plan.warning);
	/* The command line the kernel gets: with -p, elfcorehdr= appended. */
	shown = plan.cmdline ? plan.cmdline : cmdline;
	if (o->plan && o->json)
		report_plan_json(stdout, &plan, o->kernel, shown);
	else if (o->plan || o->debug)
		report_plan(o->plan ? stdout : stderr, &plan, o->kernel, shown, !o->plan);
	rc = o->plan ? 0 : kexec_load_plan(&plan, (o->crash ? KEXEC_ON_CRASH : 0) |
					   (o->hotplug ? KEXEC_UPDATE_ELFCOREHDR : 0), err);
	load_plan_free(&plan);
out:
	free(cmdline);
	blob_free(&rq.kernel);
	blob_free(&rq.initrd);
	for (unsigned i = 0; i < rq.nmodule; i++) {
		free((char *)rq.module[i].path);
		blob_free(&rq.module[i].data);
	}
	sysview_free(&sv);
	return rc;
}

int main(int argc, char **argv)
{
	struct mpk_error err = { 0 };
	struct options o;
	int rc = 0;

	if (options_parse(argc, argv, &o, &err) < 0 ||
	    (o.type && image_type_check_name(image_types, image_types_count, o.type,
					     &err) < 0)) {
		fprintf(stderr, "mpkexec: %s\n", err.msg);
		return err.exit_code;
	}
	switch (o.action) {
	case ACTION_HELP:
		options_print_usage(stdout);
		return 0;
	case ACTION_VERSION:
		printf("mpkexec %s\n", PACKAGE_VERSION);
		return 0;
	case ACTION_STATUS:
		report_status(stdout, "", o.json);
		return 0;
	case ACTION_LAST_HANDOFF:
		rc = report_last_handoff(stdout, "", o.json, &err);
		break;
	case ACTION_LOAD:
		rc = do_load(&o, &err);
		break;
	case ACTION_UNLOAD:
		rc = kexec_unload("", o.file_syscall, o.crash, &err);
		break;
	case ACTION_PREPARE_EXEC:
		exec_prepare_cpus("", stderr);
		break;
	case ACTION_EXEC:
		exec_prepare_cpus("", stderr);
		rc = kexec_reboot(&err);
		break;
	case ACTION_NONE:
		break;
	}
	if (rc < 0) {
		fprintf(stderr, "mpkexec: %s\n", err.msg);
		return err.exit_code;
	}
	return 0;
}
