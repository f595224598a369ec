/* mpkexec: load a next kernel and hand the machine over to it.
 * The load path is a pipeline: options -> inputs (image, initrd, running
 * system) -> plan (pure) -> load (the one kexec_load call). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bzimage-load.h"
#include "error.h"
#include "exec-prepare.h"
#include "file.h"
#include "kexec-syscall.h"
#include "options.h"
#include "plan.h"
#include "purgatory-link.h"
#include "report.h"
#include "sysview.h"

#define MAX_KERNEL_BYTES (512ul << 20)
#define MAX_INITRD_BYTES (64ul << 30) /* the planner decides what fits */

static int load_with_file_syscall(struct load_request *rq, struct mpk_error *err)
{
	fprintf(stderr, "mpkexec: note: -s hands the image to the kernel's own "
		"kexec_file_load loader and purgatory: no digest check by mpkexec and no "
		"AP handoff (secondary CPUs stay wherever the old kernel leaves them)\n");
	return kexec_file_load_image(rq->kernel_path, &rq->kernel, rq->initrd_path,
				     rq->cmdline, err);
}

static int do_load(const struct options *o, struct mpk_error *err)
{
	struct load_request rq = {
		.kernel_path = o->kernel, .initrd_path = o->initrd,
		.verify = !o->no_checks, .serial_debug = o->serial_debug,
		.serial_port = o->serial_port, .ap_handoff = (enum ap_handoff)o->ap_handoff,
		.park_addr = o->park_addr, .mailbox_version = o->mailbox_version,
	};
	struct sysview sv;
	struct load_plan plan;
	char *cmdline = NULL;
	int rc = -1;

	if (sysview_read(o->sysroot, &sv, err) < 0)
		return -1;
	if (file_read(o->kernel, "kernel image", FILE_INFLATE_GZIP, MAX_KERNEL_BYTES,
		      &rq.kernel, err) < 0)
		goto out;
	/* -s reads the initrd itself (an fd); otherwise read it now. */
	if (o->initrd && !o->file_syscall &&
	    file_read(o->initrd, "initrd", FILE_RAW, MAX_INITRD_BYTES, &rq.initrd, err) < 0)
		goto out;
	cmdline = options_cmdline(o, sv.cmdline);
	if (!cmdline) {
		mpk_fail(err, MPK_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	rq.cmdline = cmdline;
	if (o->file_syscall) {
		rc = load_with_file_syscall(&rq, err);
		goto out;
	}
	if (bzimage_plan(&sv, &rq, purgatory_blob,
			 (size_t)(purgatory_blob_end - purgatory_blob), &plan, err) < 0)
		goto out;
	/* -l accounts for every CPU: where it is and how it gets to the next
	 * kernel (--plan prints the same inside the whole plan). */
	if (!o->plan && !o->debug)
		report_ap_handoff(stderr, "mpkexec: ", &plan);
	if (plan.warning[0] && !o->plan)
		fprintf(stderr, "mpkexec: warning: %s\n", plan.warning);
	if (o->plan && o->json)
		report_plan_json(stdout, &plan, o->kernel, cmdline);
	else if (o->plan || o->debug)
		report_plan(o->plan ? stdout : stderr, &plan, o->kernel, cmdline, !o->plan);
	rc = o->plan ? 0 : kexec_load_plan(&plan, err);
	load_plan_free(&plan);
out:
	free(cmdline);
	blob_free(&rq.kernel);
	blob_free(&rq.initrd);
	sysview_free(&sv);
	return rc;
}

int main(int argc, char **argv)
{
	struct mpk_error err = { 0 };
	struct options o;
	int rc = 0;

	if (options_parse(argc, argv, &o, &err) < 0) {
		fprintf(stderr, "mpkexec: %s\n", err.msg);
		return err.exit_code;
	}
	switch (o.action) {
	case ACTION_HELP:
		fputs(options_usage, stdout);
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
		rc = kexec_unload(o.file_syscall, &err);
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
