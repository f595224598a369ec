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

/* Where this kernel's CPUs are now and where they go at kexec: false if
 * that cannot be worked out (no MADT, no boot CPU APIC ID). */
static bool take_census(const struct sysview *sv, struct ap_census *c)
{
	struct madt_cpus *cpus = malloc(sizeof(*cpus));
	struct mpk_error err;
	bool ok = cpus && sv->madt && sv->have_boot_apic_id &&
		  madt_parse_cpus(sv->madt, sv->madt_len, cpus, &err) == 0;

	if (ok)
		ap_census_take(sv, NULL, 0, cpus, sv->boot_apic_id, c);
	free(cpus);
	return ok;
}

/* Can every AP that is not online be woken through the park region? */
static bool all_offline_parked(const struct sysview *sv, const struct ap_census *c)
{
	if (!sv->mpkp || !c->region || !c->returns_at_kexec)
		return false;
	for (unsigned i = 0; i < c->n; i++)
		if (c->cpu[i].where != AP_WHERE_BOOT && c->cpu[i].where != AP_WHERE_ONLINE &&
		    c->cpu[i].where != AP_WHERE_PARKED)
			return false;
	return true;
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

/* Makes CPU 0 the CPU Linux runs the kexec on (kernel_kexec migrates to
 * reboot_cpu, "reboot=s<N>", /sys/kernel/reboot/cpu since Linux 5.8). */
static void reboot_on_cpu0(const char *root, FILE *out)
{
	char path[PATH_MAX], cpu[16];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/sys/kernel/reboot/cpu", root);
	if (file_read_text(path, cpu, sizeof(cpu)) <= 0 || strcmp(cpu, "0") == 0)
		return; /* no such file (Linux < 5.8), or CPU 0 already */
	f = fopen(path, "w");
	ok = f && fputs("0", f) >= 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok) {
		fprintf(out, "mpkexec: warning: %s: cannot set it to 0 (%s); the kexec runs on "
			"CPU %s, and this kernel's CPU 0 stays halted in memory the next kernel "
			"reuses (see mpkexec(8))\n", path, strerror(errno), cpu);
		return;
	}
	fprintf(out, "mpkexec: note: kexec on CPU 0, not reboot CPU %s (%s): purgatory never "
		"sends INIT to this kernel's CPU 0, so from CPU %s it would leave CPU 0 halted in "
		"memory the next kernel reuses (see mpkexec(8))\n", cpu, path, cpu);
}

/* Brings online every offline CPU (they are all parked: all_offline_parked). */
static void online_parked_cpus(const char *root, FILE *out)
{
	char path[PATH_MAX], done[256] = "";

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
}

void exec_prepare_cpus(const char *root, FILE *out)
{
	struct ap_census *c;
	struct sysview sv;
	struct mpk_error err;

	if (!image_loaded(root))
		return; /* -e will say that nothing is loaded */
	if (sysview_read(root, &sv, &err) < 0)
		return;
	c = malloc(sizeof(*c));
	/* A kernel that does not send its CPUs to a ResetVector at kexec
	 * halts them in its own stop loop, and purgatory gathers them with
	 * INIT/SIPI: all but the CPU it runs on and this kernel's CPU 0 (an
	 * INIT'd BSP runs firmware's reset path).  So the kexec must run on
	 * CPU 0, or CPU 0 stays halted in memory the next kernel reuses, and
	 * the first NMI broadcast there (kdump's crash shootdown) sends it
	 * through a stale IDT into a triple fault: the machine resets. */
	if (!c || !take_census(&sv, c) || !c->returns_at_kexec)
		reboot_on_cpu0(root, out);
	else if (all_offline_parked(&sv, c))
		online_parked_cpus(root, out);
	sysview_free(&sv);
	free(c);
}
