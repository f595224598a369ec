/* SPDX-License-Identifier: GPL-2.0-only */
#include "exec-prepare.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ap-census.h"
#include "file.h"
#include "madt.h"
#include "sysview.h"

/* Can every AP that is not online be woken through the park region? */
static bool all_offline_parked(const struct sysview *sv)
{
	struct madt_cpus *cpus = malloc(sizeof(*cpus));
	struct ap_census *c = malloc(sizeof(*c));
	struct mpk_error err;
	bool ok = false;

	if (!cpus || !c || !sv->madt || !sv->mpkp || !sv->have_boot_apic_id ||
	    madt_parse_cpus(sv->madt, sv->madt_len, cpus, &err) < 0)
		goto out;
	ap_census_take(sv, NULL, 0, cpus, sv->boot_apic_id, c);
	if (!c->region || !c->returns_at_kexec)
		goto out;
	ok = true;
	for (unsigned i = 0; i < c->n; i++)
		if (c->cpu[i].where != AP_WHERE_BOOT && c->cpu[i].where != AP_WHERE_ONLINE &&
		    c->cpu[i].where != AP_WHERE_PARKED)
			ok = false;
out:
	free(cpus);
	free(c);
	return ok;
}

static bool image_loaded(const char *root)
{
	char path[PATH_MAX], state[8];

	snprintf(path, sizeof(path), "%s/sys/kernel/kexec_loaded", root);
	return file_read_text(path, state, sizeof(state)) > 0 && strcmp(state, "1") == 0;
}

/* Writes "1" to an "online" file that says "0": 1 done, 0 nothing to do
 * (or no such CPU), -1 with errno if the kernel refused. */
static int online_if_offline(const char *path)
{
	FILE *f = fopen(path, "r+");
	char state = 0;
	int rc = 0;

	if (!f)
		return 0; /* no such CPU, or not hotpluggable (cpu0) */
	if (fread(&state, 1, 1, f) == 1 && state == '0') {
		rewind(f);
		rc = (fputs("1", f) < 0 || fflush(f) != 0) ? -1 : 1;
	}
	if (fclose(f) != 0 && rc == 1)
		rc = -1;
	return rc;
}

void exec_prepare_cpus(const char *root, FILE *out)
{
	char path[PATH_MAX], done[256] = "";
	struct sysview sv;
	struct mpk_error err;

	if (!image_loaded(root))
		return; /* -e will say that nothing is loaded */
	if (sysview_read(root, &sv, &err) < 0)
		return;
	if (!all_offline_parked(&sv))
		goto out;
	for (unsigned n = 1; n < SYSVIEW_MAX_CPUS; n++) {
		int rc;

		snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpu%u/online", root, n);
		rc = online_if_offline(path);
		if (rc < 0)
			fprintf(out, "mpkexec: warning: cpu%u: cannot bring it online (%s); the "
				"kexec's stop IPI stays pending in its local APIC\n", n,
				strerror(errno));
		else if (rc > 0)
			snprintf(done + strlen(done), sizeof(done) - strlen(done), "%s%u",
				 *done ? "," : "", n);
	}
	if (*done)
		fprintf(out, "mpkexec: note: brought CPUs %s online before kexec: they were "
			"parked while offline, and Linux would leave its stop IPI pending in "
			"their local APIC for the next kernel (see mpkexec(8))\n", done);
out:
	sysview_free(&sv);
}
