/* SPDX-License-Identifier: GPL-2.0-only */
/* The command line (src/options.c): options_parse and options_cmdline. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "options.h"
#include "plan.h"

#define assert_msg_has(e, s)                                                    \
	do {                                                                    \
		if (!strstr((e).msg, (s)))                                      \
			fail_msg("error message \"%s\" lacks \"%s\"", (e).msg, (s)); \
	} while (0)

/* argv is permuted by getopt_long: give it a fresh array each time. */
#define PARSE(o, e, ...)                                                        \
	({                                                                      \
		char *argv_[] = { "mpkexec", __VA_ARGS__, NULL };               \
		options_parse((int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_, (o), (e)); \
	})

#define PARSE_FAILS(phrase, ...)                                                \
	do {                                                                    \
		struct options o_;                                              \
		struct mpk_error e_ = { 0 };                                    \
		assert_int_equal(PARSE(&o_, &e_, __VA_ARGS__), -1);             \
		assert_int_equal(e_.exit_code, MPK_EXIT_USAGE);                 \
		assert_msg_has(e_, phrase);                                     \
	} while (0)

static void test_load_short_and_long(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-l", "/boot/vmlinuz", "--initrd=/boot/initrd.img",
			       "--append=root=/dev/vda1 ro"), 0);
	assert_int_equal(o.action, ACTION_LOAD);
	assert_string_equal(o.kernel, "/boot/vmlinuz");
	assert_string_equal(o.initrd, "/boot/initrd.img");
	assert_int_equal(o.nappend, 1);
	assert_string_equal(o.append[0], "root=/dev/vda1 ro");
	assert_false(o.plan);
	assert_false(o.file_syscall);
	assert_false(o.no_checks);
	assert_false(o.debug);
	assert_false(o.reuse_cmdline);
	assert_false(o.serial_debug);
	assert_int_equal(o.serial_port, 0x3f8);
	assert_string_equal(o.sysroot, "");

	/* long forms and separate arguments; --ramdisk is an alias */
	assert_int_equal(PARSE(&o, &err, "--load", "--ramdisk", "/i", "--append", "quiet", "/k"), 0);
	assert_int_equal(o.action, ACTION_LOAD);
	assert_string_equal(o.kernel, "/k");
	assert_string_equal(o.initrd, "/i");
	assert_string_equal(o.append[0], "quiet");

	/* systemd 252's systemctl kexec, loading a boot loader entry itself:
	 * KEXEC --load KERNEL --append OPTIONS --initrd INITRD */
	assert_int_equal(PARSE(&o, &err, "--load", "/boot/vmlinuz", "--append",
			       "root=/dev/vda rw quiet", "--initrd", "/boot/initrd.img"), 0);
	assert_int_equal(o.action, ACTION_LOAD);
	assert_string_equal(o.kernel, "/boot/vmlinuz");
	assert_string_equal(o.initrd, "/boot/initrd.img");
	assert_int_equal(o.nappend, 1);
	assert_string_equal(o.append[0], "root=/dev/vda rw quiet");
}

static void test_kernel_position(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	/* kernel after all options */
	assert_int_equal(PARSE(&o, &err, "-l", "--initrd=/i", "-d", "/boot/vmlinuz"), 0);
	assert_string_equal(o.kernel, "/boot/vmlinuz");
	assert_true(o.debug);
	/* kernel before the options (GNU getopt permutes) */
	assert_int_equal(PARSE(&o, &err, "/boot/vmlinuz", "-l", "--initrd=/i", "-i"), 0);
	assert_string_equal(o.kernel, "/boot/vmlinuz");
	assert_string_equal(o.initrd, "/i");
	assert_true(o.no_checks);
	/* in the middle */
	assert_int_equal(PARSE(&o, &err, "--initrd=/i", "/k", "-l"), 0);
	assert_string_equal(o.kernel, "/k");
	assert_int_equal(o.action, ACTION_LOAD);
	/* "--" ends the options: a kernel whose name starts with '-' */
	assert_int_equal(PARSE(&o, &err, "-l", "--", "-odd-name"), 0);
	assert_string_equal(o.kernel, "-odd-name");
}

static void test_command_line_and_multiple_appends(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-l", "/k", "--command-line=console=ttyS0",
			       "--append=root=/dev/sda1", "--append", "quiet",
			       "--command-line=mpk.gen=1"), 0);
	assert_int_equal(o.nappend, 4);
	assert_string_equal(o.append[0], "console=ttyS0");
	assert_string_equal(o.append[1], "root=/dev/sda1");
	assert_string_equal(o.append[2], "quiet");
	assert_string_equal(o.append[3], "mpk.gen=1");
	{
		char *c = options_cmdline(&o, "BOOT_IMAGE=/x ignored");

		assert_string_equal(c, "console=ttyS0 root=/dev/sda1 quiet mpk.gen=1");
		free(c);
	}
}

static void test_too_many_appends(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };
	char *argv[2 + OPT_MAX_APPEND + 2];
	int argc = 0;

	(void)state;
	argv[argc++] = "mpkexec";
	argv[argc++] = "-l";
	for (int i = 0; i < OPT_MAX_APPEND; i++)
		argv[argc++] = "--append=x";
	argv[argc++] = "/k";
	argv[argc] = NULL;
	assert_int_equal(options_parse(argc, argv, &o, &err), 0);
	assert_int_equal(o.nappend, OPT_MAX_APPEND);
	PARSE_FAILS("--append: more than 16 given", "-l", "/k", "--append=1", "--append=2",
		    "--append=3", "--append=4", "--append=5", "--append=6", "--append=7",
		    "--append=8", "--append=9", "--append=10", "--append=11", "--append=12",
		    "--append=13", "--append=14", "--append=15", "--append=16", "--append=17");
}

static void test_reuse_cmdline(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };
	char *c;

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-l", "/k", "--reuse-cmdline", "--append=mpk.gen=2"), 0);
	assert_true(o.reuse_cmdline);
	c = options_cmdline(&o, "BOOT_IMAGE=/boot/vmlinuz-6.1.0-28-amd64 root=UUID=1234 ro "
			    "console=ttyS0,115200 quiet");
	assert_string_equal(c, "root=UUID=1234 ro console=ttyS0,115200 quiet mpk.gen=2");
	free(c);
	/* BOOT_IMAGE= anywhere, repeated spaces, leading/trailing spaces */
	c = options_cmdline(&o, "  root=/dev/vda1   BOOT_IMAGE=/vmlinuz  quiet ");
	assert_string_equal(c, "root=/dev/vda1 quiet mpk.gen=2");
	free(c);
	/* only BOOT_IMAGE: no leading space before the appended text */
	c = options_cmdline(&o, "BOOT_IMAGE=/vmlinuz");
	assert_string_equal(c, "mpk.gen=2");
	free(c);
	/* a word that merely contains BOOT_IMAGE= is kept */
	c = options_cmdline(&o, "x.BOOT_IMAGE=1 quiet");
	assert_string_equal(c, "x.BOOT_IMAGE=1 quiet mpk.gen=2");
	free(c);

	/* without --reuse-cmdline the running command line is not used */
	assert_int_equal(PARSE(&o, &err, "-l", "/k", "--append=a b"), 0);
	c = options_cmdline(&o, "root=/dev/sda1");
	assert_string_equal(c, "a b");
	free(c);
	/* nothing at all: an empty command line */
	assert_int_equal(PARSE(&o, &err, "-l", "/k"), 0);
	c = options_cmdline(&o, "root=/dev/sda1");
	assert_string_equal(c, "");
	free(c);
	/* an empty --append adds no space */
	assert_int_equal(PARSE(&o, &err, "-l", "/k", "--reuse-cmdline", "--append="), 0);
	c = options_cmdline(&o, "quiet");
	assert_string_equal(c, "quiet");
	free(c);
}

static void test_other_actions(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-e"), 0);
	assert_int_equal(o.action, ACTION_EXEC);
	assert_int_equal(PARSE(&o, &err, "--exec"), 0);
	assert_int_equal(o.action, ACTION_EXEC);
	assert_int_equal(PARSE(&o, &err, "-u"), 0);
	assert_int_equal(o.action, ACTION_UNLOAD);
	assert_false(o.file_syscall);
	assert_int_equal(PARSE(&o, &err, "-u", "-s"), 0);
	assert_int_equal(o.action, ACTION_UNLOAD);
	assert_true(o.file_syscall);
	assert_int_equal(PARSE(&o, &err, "--status"), 0);
	assert_int_equal(o.action, ACTION_STATUS);
	assert_int_equal(PARSE(&o, &err, "--prepare-exec"), 0);
	assert_int_equal(o.action, ACTION_PREPARE_EXEC);
	assert_int_equal(PARSE(&o, &err, "-h"), 0);
	assert_int_equal(o.action, ACTION_HELP);
	assert_int_equal(PARSE(&o, &err, "--version"), 0);
	assert_int_equal(o.action, ACTION_VERSION);
	/* the same action twice is fine */
	assert_int_equal(PARSE(&o, &err, "-e", "--exec"), 0);
	assert_int_equal(o.action, ACTION_EXEC);
}

static void test_plan(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, &err, "--plan", "-l", "/k"), 0);
	assert_int_equal(o.action, ACTION_LOAD);
	assert_true(o.plan);
	assert_string_equal(o.kernel, "/k");
	/* --plan alone implies loading (nothing) */
	assert_int_equal(PARSE(&o, &err, "--plan", "/k", "--sysroot=/tmp/root"), 0);
	assert_int_equal(o.action, ACTION_LOAD);
	assert_string_equal(o.sysroot, "/tmp/root");
	PARSE_FAILS("-l: needs a kernel image", "--plan");
}

static void test_flags(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-l", "-s", "/k"), 0);
	assert_true(o.file_syscall);
	assert_int_equal(PARSE(&o, &err, "-l", "--kexec-file-syscall", "/k"), 0);
	assert_true(o.file_syscall);
	assert_int_equal(PARSE(&o, &err, "-li", "/k"), 0);  /* bundled */
	assert_true(o.no_checks);
	assert_int_equal(PARSE(&o, &err, "-l", "--no-checks", "/k"), 0);
	assert_true(o.no_checks);
	assert_int_equal(PARSE(&o, &err, "-ld", "/k"), 0);
	assert_true(o.debug);
	assert_false(o.no_checks);
	assert_int_equal(PARSE(&o, &err, "-l", "--debug", "/k"), 0);
	assert_true(o.debug);
}

static void test_type(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-l", "/k"), 0);
	assert_null(o.type); /* probe the table */
	assert_int_equal(PARSE(&o, &err, "-l", "-t", "bzImage", "/k"), 0);
	assert_string_equal(o.type, "bzImage");
	assert_int_equal(PARSE(&o, &err, "-l", "--type=bzImage64", "/k"), 0);
	assert_string_equal(o.type, "bzImage64"); /* kexec-tools' name */
	assert_int_equal(PARSE(&o, &err, "-tbzImage", "-l", "/k"), 0);
	assert_string_equal(o.type, "bzImage");
	/* the name is checked against the image-type table by main()
	 * (test_image_types, tests/unit/inputs.test), not here: options.c
	 * knows no architecture */
	assert_int_equal(PARSE(&o, &err, "-l", "-t", "multiboot2-x86", "/k"), 0);
	assert_string_equal(o.type, "multiboot2-x86");
	PARSE_FAILS("-t has no effect with -u", "-u", "-t", "bzImage");
}

static void test_console_serial(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-l", "/k", "--console-serial"), 0);
	assert_true(o.serial_debug);
	assert_int_equal(o.serial_port, 0x3f8);
	assert_int_equal(PARSE(&o, &err, "-l", "/k", "--console-serial=0x2f8"), 0);
	assert_true(o.serial_debug);
	assert_int_equal(o.serial_port, 0x2f8);
	assert_int_equal(PARSE(&o, &err, "-l", "/k", "--console-serial=1016"), 0);
	assert_int_equal(o.serial_port, 0x3f8);
	assert_int_equal(PARSE(&o, &err, "-l", "/k", "--console-serial=0xfff8"), 0);
	assert_int_equal(o.serial_port, 0xfff8);
	PARSE_FAILS("--console-serial=ttyS1: not an I/O port number", "-l", "/k",
		    "--console-serial=ttyS1");
	PARSE_FAILS("--console-serial=0x10000: not an I/O port", "-l", "/k",
		    "--console-serial=0x10000");
	PARSE_FAILS("--console-serial=0xfff9", "-l", "/k", "--console-serial=0xfff9");
	PARSE_FAILS("--console-serial=0: not an I/O port", "-l", "/k", "--console-serial=0");
	PARSE_FAILS("--console-serial=: not an I/O port", "-l", "/k", "--console-serial=");
	PARSE_FAILS("--console-serial=-1", "-l", "/k", "--console-serial=-1");
}

static void test_usage_errors(void **state)
{
	(void)state;
	PARSE_FAILS("no action given", "--initrd=/i");
	PARSE_FAILS("no action given", "-d");
	PARSE_FAILS("only one of -l, -e, -u, --status, --last-handoff, --prepare-exec, -h, -v",
		    "-l", "/k", "-e");
	PARSE_FAILS("only one of -l, -e, -u", "--prepare-exec", "-e");
	PARSE_FAILS("/k: only meaningful with -l", "--prepare-exec", "/k");
	PARSE_FAILS("-u: only one of", "-e", "-u");
	PARSE_FAILS("--status: only one of", "-l", "/k", "--status");
	PARSE_FAILS("-l: needs a kernel image to load", "-l");
	PARSE_FAILS("-l: needs a kernel image", "-l", "--initrd=/i", "--append=quiet");
	PARSE_FAILS("/k2: only one kernel image may be given", "-l", "/k1", "/k2");
	PARSE_FAILS("--initrd: only meaningful with -l", "-e", "--initrd=/i");
	PARSE_FAILS("--append: only meaningful with -l", "-u", "--append=quiet");
	PARSE_FAILS("--reuse-cmdline: only meaningful with -l", "--status", "--reuse-cmdline");
	PARSE_FAILS("/k: only meaningful with -l", "-e", "/k");
	PARSE_FAILS("--plan with -s", "--plan", "-s", "-l", "/k");
	PARSE_FAILS("-i with -s", "-l", "/k", "-s", "-i");
	PARSE_FAILS("--console-serial with -s", "-l", "/k", "-s", "--console-serial");
	PARSE_FAILS("--sysroot: only with --plan", "-l", "/k", "--sysroot=/tmp/root");
	PARSE_FAILS("unknown option -x", "-l", "/k", "-x");
	PARSE_FAILS("unknown option --frobnicate", "-l", "/k", "--frobnicate");
	PARSE_FAILS("unknown option --load-more", "--load-more", "/k");
	PARSE_FAILS("--initrd: needs an argument", "-l", "/k", "--initrd");
	PARSE_FAILS("--append: needs an argument", "-l", "/k", "--append");
	PARSE_FAILS("-t: needs an argument", "-l", "/k", "-t");
	PARSE_FAILS("--sysroot: needs an argument", "--plan", "/k", "--sysroot");
}

/* options_parse is called more than once per process in tests and must not
 * keep state from an earlier call. */
static void test_parse_again(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	PARSE_FAILS("unknown option -x", "-l", "-x", "/k");
	assert_int_equal(PARSE(&o, &err, "-l", "/k2"), 0);
	assert_string_equal(o.kernel, "/k2");
	assert_int_equal(o.nappend, 0);
	assert_null(o.initrd);
	PARSE_FAILS("--frobnicate", "--frobnicate");
	/* a short option error after a long one reports the short option */
	PARSE_FAILS("unknown option -q", "-l", "/k", "-q");
}

static void test_ap_handoff_and_last_handoff(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-l", "K"), 0);
	assert_int_equal(o.arch.ap_handoff, AP_HANDOFF_AUTO); /* the default */
	assert_int_equal(o.arch.mailbox_version, 1);
	assert_int_equal(o.arch.park_addr, 0);
	assert_int_equal(PARSE(&o, &err, "-l", "K", "--ap-handoff=init"), 0);
	assert_int_equal(o.arch.ap_handoff, AP_HANDOFF_INIT);
	assert_int_equal(PARSE(&o, &err, "--ap-handoff=park", "--plan", "-l", "K"), 0);
	assert_int_equal(o.arch.ap_handoff, AP_HANDOFF_PARK);
	assert_int_equal(PARSE(&o, &err, "--last-handoff"), 0);
	assert_int_equal(o.action, ACTION_LAST_HANDOFF);
	assert_int_equal(PARSE(&o, &err, "-l", "K", "--ap-handoff=mailbox", "--park-addr=0x20000000",
			       "--mailbox-version=0"), 0);
	assert_int_equal(o.arch.ap_handoff, AP_HANDOFF_MAILBOX);
	assert_int_equal(o.arch.park_addr, 0x20000000);
	assert_int_equal(o.arch.mailbox_version, 0);
	assert_int_equal(PARSE(&o, &err, "-l", "K", "--ap-handoff=auto"), 0);
	assert_int_equal(o.arch.ap_handoff, AP_HANDOFF_AUTO);
	PARSE_FAILS("--ap-handoff=tdx: unknown; use auto, mailbox, park or init", "-l", "K",
		    "--ap-handoff=tdx");
	PARSE_FAILS("--park-addr=xyz: not a nonzero physical address", "-l", "K",
		    "--park-addr=xyz");
	PARSE_FAILS("--mailbox-version=2: use 0", "-l", "K", "--mailbox-version=2");
	PARSE_FAILS("--console-serial with --ap-handoff=mailbox: the console is port I/O", "-l",
		    "K", "--ap-handoff=mailbox", "--console-serial");
	PARSE_FAILS("--park-addr with --ap-handoff=init", "-l", "K", "--ap-handoff=init",
		    "--park-addr=0x1000000");
	PARSE_FAILS("--mailbox-version: only meaningful with -l", "-u", "--mailbox-version=0");
	PARSE_FAILS("--ap-handoff with -s", "-s", "-l", "K", "--ap-handoff=init");
	PARSE_FAILS("--ap-handoff: only meaningful with -l", "-e", "--ap-handoff=init");
	PARSE_FAILS("only one of", "--last-handoff", "--status");
}

/* Defect 11: --park-addr values that wrap, options that do nothing with
 * the action given, and a second --initrd. */
static void test_park_addr_values(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	/* strtoull accepts "-1" (as 2^64-1) and "-4096": at + size wraps */
	PARSE_FAILS("--park-addr=-1: negative; give a physical address", "-l", "K",
		    "--park-addr=-1");
	PARSE_FAILS("--park-addr=-4096: negative", "-l", "K", "--park-addr=-4096");
	PARSE_FAILS("--park-addr= -4096: negative", "-l", "K", "--park-addr= -4096");
	PARSE_FAILS("--park-addr=0x20000800: not page aligned (a multiple of 0x1000",
		    "-l", "K", "--park-addr=0x20000800");
	PARSE_FAILS("--park-addr=0xfffffffffffff000: the park region (0x45000 bytes) would "
		    "end beyond the 64-bit address space", "-l", "K",
		    "--park-addr=0xfffffffffffff000");
	PARSE_FAILS("--park-addr=0x10000000000000000: not a nonzero physical address", "-l",
		    "K", "--park-addr=0x10000000000000000");
	assert_int_equal(PARSE(&o, &err, "-l", "K", "--park-addr=0xffffffffeeffe000"), 0);
	assert_int_equal(o.arch.park_addr, 0xffffffffeeffe000ull);
	assert_int_equal(PARSE(&o, &err, "-l", "K", "--park-addr=536870912"), 0);
	assert_int_equal(o.arch.park_addr, 0x20000000);
}

static void test_no_effect_with_action(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	PARSE_FAILS("-i has no effect with -e", "-e", "-i");
	PARSE_FAILS("-i has no effect with -u", "-u", "--no-checks");
	PARSE_FAILS("--console-serial has no effect with -e", "-e", "--console-serial");
	PARSE_FAILS("--console-serial has no effect with --status", "--status",
		    "--console-serial=0x2f8");
	PARSE_FAILS("-t has no effect with --last-handoff", "--last-handoff", "-t", "bzImage");
	PARSE_FAILS("-d has no effect with -u", "-u", "-d");
	PARSE_FAILS("-s has no effect with -e", "-e", "-s");
	PARSE_FAILS("-s has no effect with --status", "--status", "-s");
	PARSE_FAILS("-s has no effect with --last-handoff", "--last-handoff", "-s");
	PARSE_FAILS("--sysroot has no effect with -e: it gives --plan another system to read",
		    "-e", "--sysroot=/tmp/r");
	PARSE_FAILS("-i has no effect with -e: it configures a load; give it with -l", "-e", "-i");
	PARSE_FAILS("-i has no effect with -h", "-h", "-i");
	/* -u -s is meaningful: it unloads what kexec_file_load loaded */
	assert_int_equal(PARSE(&o, &err, "-u", "-s"), 0);
}

static void test_second_initrd(void **state)
{
	(void)state;
	PARSE_FAILS("--initrd=/b: an initrd was already given (/a); mpkexec loads one",
		    "-l", "K", "--initrd=/a", "--initrd=/b");
	PARSE_FAILS("--initrd=/b: an initrd was already given (/a)", "-l", "K",
		    "--ramdisk=/a", "--initrd", "/b");
	PARSE_FAILS("--initrd=/a: an initrd was already given (/a)", "-l", "K",
		    "--initrd=/a", "--ramdisk=/a");
}

static void test_json(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, &err, "--plan", "--json", "/k"), 0);
	assert_true(o.json);
	assert_true(o.plan);
	assert_int_equal(PARSE(&o, &err, "--status", "--json"), 0);
	assert_true(o.json);
	assert_int_equal(PARSE(&o, &err, "--json", "--last-handoff"), 0);
	assert_true(o.json);
	assert_int_equal(PARSE(&o, &err, "--status"), 0);
	assert_false(o.json);
	PARSE_FAILS("--json has no effect with -l (without --plan)", "-l", "/k", "--json");
	PARSE_FAILS("--json has no effect with -e", "-e", "--json");
	PARSE_FAILS("--json has no effect with -u", "-u", "--json");
	PARSE_FAILS("--json has no effect with -v", "-v", "--json");
}
/* kdump (issue 10): kexec-tools' -p; kdump-tools runs
 * "$KEXEC -p --command-line=... --initrd=... KERNEL" (exited 64 before). */
static void test_load_panic(void **state)
{
	struct options o;
	struct mpk_error err = { 0 };

	(void)state;
	assert_int_equal(PARSE(&o, &err, "-p", "--command-line=irqpoll nr_cpus=1",
			       "--initrd=/boot/initrd.img", "/boot/vmlinuz"), 0);
	assert_int_equal(o.action, ACTION_LOAD);
	assert_true(o.crash);
	assert_false(o.hotplug);
	assert_string_equal(o.kernel, "/boot/vmlinuz");
	assert_string_equal(o.append[0], "irqpoll nr_cpus=1");
	assert_int_equal(PARSE(&o, &err, "--load-panic", "-l", "--hotplug", "/k"), 0);
	assert_true(o.crash && o.hotplug && o.action == ACTION_LOAD);
	assert_int_equal(PARSE(&o, &err, "-s", "-p", "/k"), 0);
	assert_true(o.crash && o.file_syscall);
	assert_int_equal(PARSE(&o, &err, "--plan", "-p", "/k"), 0);
	assert_true(o.crash && o.plan);
	assert_int_equal(PARSE(&o, &err, "-u", "-p"), 0);
	assert_true(o.crash && o.action == ACTION_UNLOAD);
	assert_int_equal(PARSE(&o, &err, "-s", "-u", "-p"), 0);
	assert_true(o.crash && o.file_syscall);
	PARSE_FAILS("-p: needs a kernel image to load", "-p");
	PARSE_FAILS("-p with -e: -p loads a capture kernel (alone or with -l) or, with -u, "
		    "unloads it", "-e", "-p");
	PARSE_FAILS("--hotplug: only with -p KERNEL", "-l", "--hotplug", "/k");
	PARSE_FAILS("--hotplug: only with -p KERNEL", "-u", "-p", "--hotplug");
	PARSE_FAILS("--hotplug with -s: kexec_file_load builds the ELF core header in the "
		    "kernel", "-s", "-p", "--hotplug", "/k");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_short_and_long),
		cmocka_unit_test(test_ap_handoff_and_last_handoff),
		cmocka_unit_test(test_kernel_position),
		cmocka_unit_test(test_command_line_and_multiple_appends),
		cmocka_unit_test(test_too_many_appends),
		cmocka_unit_test(test_reuse_cmdline),
		cmocka_unit_test(test_other_actions),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_console_serial),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_parse_again),
		cmocka_unit_test(test_park_addr_values),
		cmocka_unit_test(test_no_effect_with_action),
		cmocka_unit_test(test_second_initrd),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_load_panic),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
