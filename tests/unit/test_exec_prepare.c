/* SPDX-License-Identifier: GPL-2.0-only */
/* What `mpkexec -e` and `--prepare-exec` do before the kexec
 * (arch/x86_64/exec-prepare.c), on a copy of the q35 sysroot: the reboot
 * CPU is steered to CPU 0 when this kernel halts its CPUs at kexec (a
 * firmware-booted kernel, or one before Linux 6.11), and left alone when it
 * sends them to a park region's ResetVector. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acpi-fixture.h"
#include "exec-prepare.h"
#include "madt.h"
#include "park-region.h"
#include "tree-fixture.h"

#define REGION 0x3e760000ull

/* A copy of the q35 sysroot with a kernel loaded, reboot CPU 2, Linux 6.1. */
static int sysroot_setup(void **state)
{
	char cmd[512];

	if (tree_setup(state) < 0)
		return -1;
	/* writable: make distcheck's source tree is read-only */
	snprintf(cmd, sizeof(cmd), "cp -r %s/q35-sysroot/. %s && chmod -R u+w %s", FIXTURES,
		 (char *)*state, (char *)*state);
	if (system(cmd) != 0)
		return -1;
	put_file(*state, "sys/kernel/kexec_loaded", "1\n");
	put_file(*state, "sys/kernel/reboot/cpu", "2\n");
	put_file(*state, "proc/sys/kernel/osrelease", "6.1.0-57-amd64\n");
	return 0;
}

/* Runs exec_prepare_cpus on root; returns what it said (caller frees). */
static char *prepare(const char *root)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	exec_prepare_cpus(root, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *reboot_cpu(const char *root)
{
	char path[512], *text = calloc(1, 16);
	FILE *f;

	snprintf(path, sizeof(path), "%s/sys/kernel/reboot/cpu", root);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(fread(text, 1, 15, f) > 0);
	fclose(f);
	return text;
}

static void test_firmware_booted_kexec_moves_to_cpu0(void **state)
{
	char *said = prepare(*state), *cpu = reboot_cpu(*state);

	assert_string_equal(cpu, "0");
	assert_non_null(said);
	assert_non_null(strstr(said, "mpkexec: note: kexec on CPU 0, not reboot CPU 2 ("));
	assert_non_null(strstr(said, "/sys/kernel/reboot/cpu): purgatory never sends INIT to "
			       "this kernel's CPU 0, so from CPU 2 it would leave CPU 0 halted in "
			       "memory the next kernel reuses (see mpkexec(8))\n"));
	free(said);
	free(cpu);
}

static void test_cpu0_already(void **state)
{
	char *said, *cpu;

	put_file(*state, "sys/kernel/reboot/cpu", "0\n");
	said = prepare(*state);
	cpu = reboot_cpu(*state);
	assert_string_equal(cpu, "0\n");	/* not rewritten */
	assert_string_equal(said, "");
	free(said);
	free(cpu);
}

static void test_nothing_loaded_changes_nothing(void **state)
{
	char *said, *cpu;

	put_file(*state, "sys/kernel/kexec_loaded", "0\n");
	said = prepare(*state);
	cpu = reboot_cpu(*state);
	assert_string_equal(cpu, "2\n");
	assert_string_equal(said, "");
	free(said);
	free(cpu);
}

static void test_no_reboot_cpu_file(void **state)
{
	char path[512], *said;

	snprintf(path, sizeof(path), "%s/sys/kernel/reboot/cpu", (char *)*state);
	assert_int_equal(unlink(path), 0);
	said = prepare(*state);
	assert_string_equal(said, "");
	assert_int_not_equal(access(path, F_OK), 0);	/* not created */
	free(said);
}

/* The running kernel's MADT becomes q35's with a v1 wakeup structure
 * whose mailbox and ResetVector are a park region's at REGION. */
static void put_wakeup_madt(const char *root)
{
	struct mpk_error err = { 0 };
	uint32_t flags_off[MPK_MAX_APS];
	uint8_t *fw, *madt;
	size_t fw_len, len;

	fw = read_file(Q35_APIC, &fw_len);
	assert_int_equal(madt_with_wakeup(fw, fw_len, REGION, park_reset_vector(REGION), 1,
					  &madt, &len, flags_off, &err), 0);
	put_bytes(root, "sys/firmware/acpi/tables/APIC", madt, len);
	free(fw);
	free(madt);
}

/* Linux >= 6.11 running on a park region (MADT wakeup v1): every CPU, CPU 0
 * too, goes to the ResetVector at kexec, so any reboot CPU is fine. */
static void test_mailbox_kernel_keeps_reboot_cpu(void **state)
{
	char *said, *cpu;

	put_wakeup_madt(*state);
	put_file(*state, "proc/sys/kernel/osrelease", "6.12.117+deb12-amd64\n");
	said = prepare(*state);
	cpu = reboot_cpu(*state);
	assert_string_equal(cpu, "2\n");
	assert_null(strstr(said, "reboot CPU"));
	free(said);
	free(cpu);
}

/* The same MADT under a kernel before 6.11, which halts its CPUs: steered. */
static void test_mailbox_v1_before_611_moves_to_cpu0(void **state)
{
	char *said, *cpu;

	put_wakeup_madt(*state);
	said = prepare(*state);
	cpu = reboot_cpu(*state);
	assert_string_equal(cpu, "0");
	assert_non_null(strstr(said, "not reboot CPU 2"));
	free(said);
	free(cpu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_firmware_booted_kexec_moves_to_cpu0,
						sysroot_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_cpu0_already, sysroot_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_nothing_loaded_changes_nothing, sysroot_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_no_reboot_cpu_file, sysroot_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_kernel_keeps_reboot_cpu, sysroot_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_mailbox_v1_before_611_moves_to_cpu0,
						sysroot_setup, tree_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
