/* SPDX-License-Identifier: GPL-2.0-only */
#include "options.h"


#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define OPT_PAGE_SIZE 0x1000u

enum {
	OPT_INITRD = 256,
	OPT_APPEND,
	OPT_REUSE_CMDLINE,
	OPT_STATUS,
	OPT_PLAN,
	OPT_CONSOLE_SERIAL,
	OPT_SYSROOT,
	OPT_LAST_HANDOFF,
	OPT_JSON,
	OPT_HOTPLUG,
	OPT_MODULE,
	OPT_ARGS_LINUX,
	OPT_ARGS_NONE,
	OPT_PREPARE_EXEC,
};

static const struct option portable_options[] = {
	{ "load", no_argument, NULL, 'l' },
	{ "exec", no_argument, NULL, 'e' },
	{ "unload", no_argument, NULL, 'u' },
	{ "type", required_argument, NULL, 't' },
	{ "no-checks", no_argument, NULL, 'i' },
	{ "kexec-file-syscall", no_argument, NULL, 's' },
	{ "debug", no_argument, NULL, 'd' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'v' },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "ramdisk", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "command-line", required_argument, NULL, OPT_APPEND },
	{ "reuse-cmdline", no_argument, NULL, OPT_REUSE_CMDLINE },
	{ "status", no_argument, NULL, OPT_STATUS },
	{ "plan", no_argument, NULL, OPT_PLAN },
	{ "console-serial", optional_argument, NULL, OPT_CONSOLE_SERIAL },
	{ "sysroot", required_argument, NULL, OPT_SYSROOT },
	{ "last-handoff", no_argument, NULL, OPT_LAST_HANDOFF },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "load-panic", no_argument, NULL, 'p' },
	{ "hotplug", no_argument, NULL, OPT_HOTPLUG },
	{ "module", required_argument, NULL, OPT_MODULE },
	{ "args-linux", no_argument, NULL, OPT_ARGS_LINUX },
	{ "args-none", no_argument, NULL, OPT_ARGS_NONE },
	{ "prepare-exec", no_argument, NULL, OPT_PREPARE_EXEC },
	{ NULL, 0, NULL, 0 },
};

static const char portable_usage[] =
	"Usage: mpkexec -l KERNEL [--initrd=FILE] [--append=STR] [options]\n"
	"       mpkexec -e | -u | --status | --plan -l KERNEL ...\n"
	"\n"
	"Actions:\n"
	"  -l, --load KERNEL        load KERNEL (a bzImage, may be gzip-compressed)\n"
	"  -p, --load-panic KERNEL  load KERNEL as the capture kernel (kdump), run on\n"
	"                           panic; with -u: unload the capture kernel\n"
	"  -e, --exec               start the loaded kernel now (no shutdown)\n"
	"  -u, --unload             unload the loaded kernel\n"
	"      --prepare-exec       only what -e does before the kexec: bring online\n"
	"                           the CPUs parked while offline (for a kexec that\n"
	"                           another program starts; systemd-shutdown hook)\n"
	"      --status             show what is loaded and whether kexec is allowed\n"
	"      --last-handoff       print the report of the handoff that started\n"
	"                           this kernel (written by mpkexec's purgatory)\n"
	"      --plan               with -l: print every segment, the memory map, the\n"
	"                           entry point and the AP handoff; load nothing\n"
	"      --json               with --plan, --status or --last-handoff: one JSON\n"
	"                           object instead of text (docs/json.md)\n"
	"  -h, --help               this text\n"
	"  -v, --version            print the version\n"
	"\n"
	"Load options:\n"
	"      --initrd=FILE        initial ramdisk (alias --ramdisk)\n"
	"      --append=STR         append STR to the command line (alias --command-line)\n"
	"      --reuse-cmdline      start from the running kernel's /proc/cmdline\n"
	"  -t, --type=TYPE          image type, not probed: multiboot2, elf,\n"
	"                           multiboot, bzImage (kexec-tools' names too:\n"
	"                           multiboot2-x86, elf-x86_64, multiboot-x86,\n"
	"                           bzImage64)\n"
	"      --module=\"FILE ARGS\" a multiboot/multiboot2 module and its command\n"
	"                           line (repeatable, in order)\n"
	"      --args-linux         ELF: pass Linux boot_params (RSI, ESI for ELF32)\n"
	"      --args-none          ELF: pass nothing (the default for ELF)\n"

	"  -i, --no-checks          skip the digest check of segments in purgatory\n"
	"  -s, --kexec-file-syscall use the kernel's kexec_file_load (works under\n"
	"                           lockdown; the kernel's purgatory, no AP handoff)\n"
	"      --console-serial[=PORT] purgatory progress on the 16550 at PORT (0x3f8)\n"
"      --hotplug            with -p: let Linux >= 6.6 rewrite the ELF core\n"
	"                           header on CPU/memory hotplug (kept out of the\n"
	"                           digest; KEXEC_UPDATE_ELFCOREHDR)\n"
	"      --sysroot=DIR        read the running system from DIR (with --plan; tests)\n"
	"  -d, --debug              print the plan to stderr while loading\n";

static int set_action(struct options *o, enum action a, const char *name,
		      struct mpk_error *err)
{
	if (o->action != ACTION_NONE && o->action != a)
		return mpk_fail(err, MPK_EXIT_USAGE,
				"%s: only one of -l, -e, -u, --status, --last-handoff, "
				"--prepare-exec, -h, -v at a time", name);
	o->action = a;
	return 0;
}

static const char *action_name(const struct options *o)
{
	switch (o->action) {
	case ACTION_LOAD:
		return o->plan ? "--plan" : "-l (without --plan)";
	case ACTION_EXEC:
		return "-e";
	case ACTION_UNLOAD:
		return "-u";
	case ACTION_STATUS:
		return "--status";
	case ACTION_HELP:
		return "-h";
	case ACTION_VERSION:
		return "-v";
	case ACTION_LAST_HANDOFF:
		return "--last-handoff";
	case ACTION_PREPARE_EXEC:
		return "--prepare-exec";
	case ACTION_NONE:
		break;
	}
	return "no action";
}

/* The options an action ignores: refused, so nobody believes they took
 * effect (e.g. -i with -e: the digests were decided at -l). */
static const char *useless_option(const struct options *o)
{
	bool load = o->action == ACTION_LOAD;

	if (o->json && !(o->plan || o->action == ACTION_STATUS ||
			 o->action == ACTION_LAST_HANDOFF))
		return "--json";
	if (load)
		return NULL;
	if (o->no_checks)
		return "-i";
	if (o->serial_debug)
		return "--console-serial";
	if (o->type_set)
		return "-t";
	if (o->debug)
		return "-d";
	if (o->file_syscall && o->action != ACTION_UNLOAD)
		return "-s";
	if (*o->sysroot)
		return "--sysroot";
	return NULL;
}

/* getopt_long's table: the portable options, then the architecture's. */
static struct option long_options[sizeof(portable_options) / sizeof(portable_options[0]) + 16];

static void build_long_options(void)
{
	size_t n = 0;

	for (size_t i = 0; portable_options[i].name; i++)
		long_options[n++] = portable_options[i];
	for (size_t i = 0; arch_long_options[i].name &&
	     n + 1 < sizeof(long_options) / sizeof(long_options[0]); i++)
		long_options[n++] = arch_long_options[i];
	long_options[n] = (struct option){ NULL, 0, NULL, 0 };
}

void options_print_usage(FILE *out)
{
	fputs(portable_usage, out);
	fputs("\n", out);
	fputs(arch_options_usage, out);
}

int options_parse(int argc, char **argv, struct options *o, struct mpk_error *err)
{
	const char *useless;
	int c;

	memset(o, 0, sizeof(*o));
	o->serial_port = 0x3f8;
	o->sysroot = "";
	arch_options_init(&o->arch);
	build_long_options();
	optind = 0; /* GNU: full reinitialisation, so tests can parse again */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":lpeut:isdhv", long_options, NULL)) != -1) {
		int rc = 0;
		char *end;

		switch (c) {
		case 'p':
			o->crash = true;
			break;
		case OPT_HOTPLUG:
			o->hotplug = true;
			break;
		case 'l':
			rc = set_action(o, ACTION_LOAD, "-l", err);
			break;
		case 'e':
			rc = set_action(o, ACTION_EXEC, "-e", err);
			break;
		case 'u':
			rc = set_action(o, ACTION_UNLOAD, "-u", err);
			break;
		case OPT_STATUS:
			rc = set_action(o, ACTION_STATUS, "--status", err);
			break;
		case 'h':
			rc = set_action(o, ACTION_HELP, "-h", err);
			break;
		case 'v':
			rc = set_action(o, ACTION_VERSION, "-v", err);
			break;
		case OPT_LAST_HANDOFF:
			rc = set_action(o, ACTION_LAST_HANDOFF, "--last-handoff", err);
			break;
		case OPT_PREPARE_EXEC:
			rc = set_action(o, ACTION_PREPARE_EXEC, "--prepare-exec", err);
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_PLAN:
			o->plan = true;
			break;
		case OPT_MODULE:
			if (o->nmodule == OPT_MAX_MODULES)
				rc = mpk_fail(err, MPK_EXIT_USAGE, "--module=%s: more than %d "
					      "modules; kexec_load takes 16 segments in all",
					      optarg, OPT_MAX_MODULES);
			else if (!*optarg || *optarg == ' ')
				rc = mpk_fail(err, MPK_EXIT_USAGE, "--module=\"%s\": give the "
					      "file first, then its arguments (--module=\"FILE "
					      "ARGS\")", optarg);
			else
				o->module[o->nmodule++] = optarg;
			break;
		case OPT_ARGS_LINUX:
		case OPT_ARGS_NONE:
			if (o->args_style && o->args_style != (c == OPT_ARGS_LINUX ?
							       ARGS_LINUX : ARGS_NONE))
				rc = mpk_fail(err, MPK_EXIT_USAGE, "--args-linux and --args-none: "
					      "give one of them");
			o->args_style = c == OPT_ARGS_LINUX ? ARGS_LINUX : ARGS_NONE;
			break;

		case 't':
			o->type_set = true;
			/* checked against the image-type table (arch code) by main() */
			o->type = optarg;
			break;
		case 'i':
			o->no_checks = true;
			break;
		case 's':
			o->file_syscall = true;
			break;
		case 'd':
			o->debug = true;
			break;
		case OPT_INITRD:
			/* kexec-tools keeps the last one; one silently lost file is
			 * worse than an error. */
			if (o->initrd)
				rc = mpk_fail(err, MPK_EXIT_USAGE, "--initrd=%s: an initrd was "
					      "already given (%s); mpkexec loads one initrd: "
					      "concatenate the files (cat a b > c) and give that",
					      optarg, o->initrd);
			else
				o->initrd = optarg;
			break;
		case OPT_APPEND:
			if (o->nappend == OPT_MAX_APPEND)
				rc = mpk_fail(err, MPK_EXIT_USAGE, "--append: more than %d given",
					      OPT_MAX_APPEND);
			else
				o->append[o->nappend++] = optarg;
			break;
		case OPT_REUSE_CMDLINE:
			o->reuse_cmdline = true;
			break;
		case OPT_CONSOLE_SERIAL:
			o->serial_debug = true;
			if (optarg) {
				unsigned long v;

				errno = 0;
				v = strtoul(optarg, &end, 0);
				if (errno || *end || v == 0 || v > 0xfff8)
					rc = mpk_fail(err, MPK_EXIT_USAGE,
						      "--console-serial=%s: not an I/O port number "
						      "(e.g. 0x3f8)", optarg);
				o->serial_port = (uint16_t)v;
			}
			break;
		case OPT_SYSROOT:
			o->sysroot = optarg;
			break;
		case ':':
			rc = mpk_fail(err, MPK_EXIT_USAGE, "%s: needs an argument",
				      argv[optind - 1]);
			break;
		default:
			if (c >= ARCH_OPT_BASE) {
				rc = arch_option(c, optarg, &o->arch, err);
				break;
			}
			rc = optopt ? mpk_fail(err, MPK_EXIT_USAGE, "unknown option -%c", optopt)
				    : mpk_fail(err, MPK_EXIT_USAGE, "unknown option %s",
					       argv[optind - 1]);
			break;
		}
		if (rc < 0)
			return -1;
	}
	/* GNU getopt moved the operands to the end: the kernel image. */
	if (optind < argc)
		o->kernel = argv[optind++];
	if (optind < argc)
		return mpk_fail(err, MPK_EXIT_USAGE, "%s: only one kernel image may be given",
				argv[optind]);
	/* kexec-tools: -p alone loads (kdump-tools: "kexec -p --command-line=...
	 * --initrd=... KERNEL"); -u -p unloads the capture kernel. */
	if ((o->plan || o->crash) && o->action == ACTION_NONE)
		o->action = ACTION_LOAD;
	if (o->crash && o->action != ACTION_LOAD && o->action != ACTION_UNLOAD)
		return mpk_fail(err, MPK_EXIT_USAGE, "-p with %s: -p loads a capture kernel "
				"(alone or with -l) or, with -u, unloads it", action_name(o));
	if (o->hotplug && !(o->crash && o->action == ACTION_LOAD))
		return mpk_fail(err, MPK_EXIT_USAGE, "--hotplug: only with -p KERNEL (it lets "
				"the kernel rewrite a capture kernel's ELF core header)");
	if (o->hotplug && o->file_syscall)
		return mpk_fail(err, MPK_EXIT_USAGE, "--hotplug with -s: kexec_file_load "
				"builds the ELF core header in the kernel, which updates it on "
				"hotplug by itself");
	if (o->action == ACTION_NONE)
		return mpk_fail(err, MPK_EXIT_USAGE,
				"no action given: use -l KERNEL, -e, -u, --status or --plan "
				"(see mpkexec --help)");
	if (o->action == ACTION_LOAD && !o->kernel)
		return mpk_fail(err, MPK_EXIT_USAGE, "%s: needs a kernel image to load",
				o->crash ? "-p" : "-l");
	if (o->action != ACTION_LOAD &&
	    (o->kernel || o->initrd || o->nappend || o->reuse_cmdline || o->plan ||
	     o->nmodule || o->args_style))
		return mpk_fail(err, MPK_EXIT_USAGE,
				"%s: only meaningful with -l", o->kernel ? o->kernel :
				o->initrd ? "--initrd" : o->nappend ? "--append" :
				o->reuse_cmdline ? "--reuse-cmdline" : o->plan ? "--plan" :
				o->nmodule ? "--module" : o->args_style == ARGS_LINUX ?
				"--args-linux" : "--args-none");
	if (o->file_syscall && (o->nmodule || o->args_style))
		return mpk_fail(err, MPK_EXIT_USAGE, "%s with -s: kexec_file_load loads "
				"bzImage only, through the kernel's own loader",
				o->nmodule ? "--module" : o->args_style == ARGS_LINUX ?
				"--args-linux" : "--args-none");
	useless = useless_option(o);
	if (useless)
		return mpk_fail(err, MPK_EXIT_USAGE, "%s has no effect with %s%s", useless,
				action_name(o), strcmp(useless, "--json") == 0 ?
				": it formats the output of --plan, --status and --last-handoff" :
				strcmp(useless, "--sysroot") == 0 ?
				": it gives --plan another system to read" :
				": it configures a load; give it with -l");
	if (o->file_syscall && o->plan)
		return mpk_fail(err, MPK_EXIT_USAGE,
				"--plan with -s: kexec_file_load plans inside the kernel; there "
				"is no mpkexec plan to show");
	if (o->file_syscall && (o->serial_debug || o->no_checks))
		return mpk_fail(err, MPK_EXIT_USAGE,
				"%s with -s: it configures mpkexec's purgatory, which "
				"kexec_file_load does not use",
				o->serial_debug ? "--console-serial" : "-i");
	if (arch_options_check(&o->arch, &(struct arch_options_context){
			       .load = o->action == ACTION_LOAD, .file_syscall = o->file_syscall,
			       .serial_debug = o->serial_debug }, err) < 0)
		return -1;
	if (*o->sysroot && !o->plan)
		return mpk_fail(err, MPK_EXIT_USAGE,
				"--sysroot: only with --plan (a load always describes this machine)");
	return 0;
}

char *options_cmdline(const struct options *o, const char *running_cmdline)
{
	size_t len = 1;
	char *out, *p;

	if (o->reuse_cmdline)
		len += strlen(running_cmdline) + 1;
	for (unsigned i = 0; i < o->nappend; i++)
		len += strlen(o->append[i]) + 1;
	out = p = malloc(len);
	if (!out)
		return NULL;
	*p = '\0';
	if (o->reuse_cmdline) {
		const char *w = running_cmdline;

		while (*w) {
			size_t n;

			w += strspn(w, " ");
			n = strcspn(w, " ");
			if (n && strncmp(w, "BOOT_IMAGE=", 11) != 0) {
				if (p != out)
					*p++ = ' ';
				memcpy(p, w, n);
				p += n;
			}
			w += n;
		}
	}
	for (unsigned i = 0; i < o->nappend; i++) {
		if (p != out && *o->append[i])
			*p++ = ' ';
		strcpy(p, o->append[i]);
		p += strlen(p);
	}
	*p = '\0';
	return out;
}
