# SPDX-License-Identifier: GPL-2.0-only
"""Shared driver for the tests/vm/*.test scenarios (automake TESTS).

Exit codes: 0 pass, 1 fail, 77 skip (no QEMU on the host).
Environment: MPKEXEC_BIN (default ./mpkexec), MPK_VM_CACHE (default
/var/cache/mpkexec-vm), MPK_LOADER (mpkexec|kexec, default mpkexec),
MPK_VM_EXTRA (extra -l options, e.g. --console-serial), MPK_VM_TIMEOUT
(seconds, default 300), MPK_VM_LOGDIR (serial logs, default cwd), SMP,
MPK_VM_FIRMWARE (seabios|ovmf: the firmware of the scenarios that do not
name one; the uefi-*.test scenarios always use ovmf).
"""
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import handoff_checks  # noqa: E402


class Checker:
    def __init__(self, name):
        self.name, self.failed = name, 0

    def check(self, cond, what, expected, seen):
        if cond:
            print("PASS: %s: %s" % (self.name, what))
        else:
            self.failed += 1
            print("FAIL: %s: %s: expected %s, seen %s" % (self.name, what,
                                                          expected, seen))


def require_vm(name, firmware=None):
    """Exits 77 (skip) when the host cannot run a VM scenario: no QEMU, or
    not the firmware.  Returns the firmware's name (harness.firmware_name)."""
    firmware = harness.firmware_name(firmware)
    missing = ("%s not installed" % harness.QEMU if not harness.qemu_available()
               else harness.firmware_missing(firmware))
    if missing:
        print("#" * 70)
        print("SKIP: %s: %s -- VM TEST NOT RUN "
              "(CI treats this as a failure)" % (name, missing))
        print("#" * 70)
        sys.exit(77)
    return firmware


def setup(name, firmware=None, payload_dir=None):
    """Common preamble: skip without QEMU (or the firmware), build/reuse the
    image.  firmware: "seabios", "ovmf", None ($MPK_VM_FIRMWARE, else
    seabios).  payload_dir: its files go to /payloads of the image
    (harness.prepare; payload scenarios, issue 11)."""
    firmware = require_vm(name, firmware)
    cfg = {
        "firmware": firmware,
        "cache": os.environ.get("MPK_VM_CACHE", harness.DEFAULT_CACHE),
        "loader": os.environ.get("MPK_LOADER", "mpkexec"),
        "extra": os.environ.get("MPK_VM_EXTRA", ""),
        "timeout": int(os.environ.get("MPK_VM_TIMEOUT", "300")),
        "log": os.path.join(os.environ.get("MPK_VM_LOGDIR", os.getcwd()),
                            name + ".serial.log"),
    }
    mpk = os.environ.get("MPKEXEC_BIN", "./mpkexec")
    if cfg["loader"] == "mpkexec" and not os.path.isfile(mpk):
        print("FAIL: %s: MPKEXEC_BIN=%s does not exist (build it, or set "
              "MPK_LOADER=kexec to use the kexec-tools stand-in)" % (name, mpk))
        sys.exit(1)
    cfg["initramfs"] = harness.prepare(cfg["cache"], mpk, payload_dir=payload_dir)
    with open(os.path.join(cfg["cache"], "versions")) as f:
        cfg["versions"] = dict(l.split() for l in f if l.strip())
    print("%s: loader=%s firmware=%s log=%s" % (name, cfg["loader"], firmware,
                                                cfg["log"]))
    return cfg


def run_vm(cfg, chain, mode="chain", extra="", params=(), qemu_args=()):
    return harness.run(cfg["cache"], cfg["initramfs"], chain, mode, cfg["loader"], extra,
                       cfg["log"], cfg["timeout"], params=params, qemu_args=qemu_args,
                       firmware=cfg["firmware"])


def finish(c, name, res):
    """The checks every chain ends with, the latencies, the verdict (exit code)."""
    c.check(res.ok, "run ends with MPK-DONE", "MPK-DONE", res.error)
    if res.first_kernel_s is not None:
        print("firmware-boot firmware=%s s=%.1f (QEMU start -> first kernel line)" % (
            res.firmware, res.first_kernel_s))
    for l in res.latencies:
        print("handoff-latency gen=%s kernel=%s ms=%.0f" % (l["gen"], l["kernel"], l["ms"]))
    print("%s: %s in %.0fs (%d checks failed)" % (
        name, "FAIL" if c.failed else "PASS", res.elapsed, c.failed))
    return 1 if c.failed else 0


def split_records(res, tag):
    """The records split at each `tag` record (it opens its part; records
    before the first are dropped): a list of {tag: [records]}."""
    out = []
    for r in res.records:
        if r["tag"] == tag:
            out.append({})
        if out:
            out[-1].setdefault(r["tag"], []).append(r)
    return out


def split_generations(res):
    """The records, one generation each (from its MPK-GEN on): a list of
    {tag: first record} and a list of {tag: [all records]}."""
    lists = split_records(res, "GEN")
    return [{t: rs[0] for t, rs in g.items()} for g in lists], lists


def boot(cfg, chain, mode="chain", extra="", params=()):
    return run_vm(cfg, chain, mode, (cfg["extra"] + " " + extra).strip(), params)


def chain_test(name, chain, handoff="park", hotplug=0, firmware=None):
    """Boots the chain under `firmware` (see setup); with the mpkexec loader
    every generation after the first is checked for `handoff` ("park" or
    "init") and, on 6.12, `hotplug` rounds of CPU offline/online.  handoff
    "file" loads with -s (kexec_file_load, either loader) and checks what
    applies then (no report, no park region).  Every generation, whatever
    the loader, is checked for what it got of the firmware
    (handoff_checks.check_firmware)."""
    cfg = setup(name, firmware)
    kernels = chain.split(",")
    if handoff == "file":
        extra = "-s"
    else:
        extra = "--ap-handoff=%s" % handoff if cfg["loader"] == "mpkexec" else ""
    res = boot(cfg, chain, extra=extra,
               params=["mpk.hotplug=%d" % hotplug] if hotplug else [])
    c = Checker(name)
    ncpu = int(os.environ.get("SMP", "4"))
    gens, lists = split_generations(res)
    c.check(len(gens) == len(kernels), "generation count", len(kernels),
            len(gens))
    prev_next = None
    plans = []
    for i, g in enumerate(gens[:len(kernels)]):
        rec, k = g["GEN"], kernels[i]
        words = rec.get("cmdline", "").split()
        c.check(rec.get("gen") == str(i), "gen %d index" % i, i, rec.get("gen"))
        c.check(rec.get("release") == cfg["versions"][k], "gen %d release" % i,
                cfg["versions"][k], rec.get("release"))
        c.check(rec.get("online") == "0-%d" % (ncpu - 1), "gen %d cpus online" % i,
                "0-%d" % (ncpu - 1), rec.get("online"))
        if i == 0:
            c.check(rec.get("token") == "none", "gen 0 token", "none",
                    rec.get("token"))
        else:
            want = prev_next.get("token") if prev_next else "(no MPK-NEXT)"
            c.check(rec.get("token") == want, "gen %d initrd token" % i, want,
                    rec.get("token"))
            for w in ("mpk.gen=%d" % i, "mpk.token=%s" % want):
                c.check(w in words, "gen %d cmdline has %s" % (i, w), w,
                        rec.get("cmdline"))
        handoff_checks.check_firmware(c, i, lists[i], cfg["firmware"], lists[0])
        handoff_checks.summary_row(name, i, k, lists[i], cfg["firmware"], rec.get("online"))
        if i > 0 and (cfg["loader"] == "mpkexec" or handoff == "file"):
            handoff_checks.check_generation(c, i, lists[i], ncpu, handoff,
                                            hotplug if k == "6.12" else 0, plans[i - 1])
        # the plan this generation loads the next one with (--plan --json)
        plan = None
        if i + 1 < len(kernels) and cfg["loader"] == "mpkexec" and handoff != "file":
            plan = handoff_checks.load_plan(c, i, lists[i])
            handoff_checks.check_plan(c, i, plan, ncpu, handoff)
            handoff_checks.check_load_account(
                c, i, plan, [r["line"] for r in lists[i].get("LOADMSG", [])])
        plans.append(plan)
        bring = handoff_checks.smp_bringup_ms([r["line"] for r in lists[i].get("DMESG", [])])
        if bring is not None:
            print("smp-bringup gen=%d kernel=%s handoff=%s ms=%.1f" % (
                i, k, "firmware" if i == 0 else
                handoff if cfg["loader"] == "mpkexec" or handoff == "file" else "kexec-tools",
                bring))
        prev_next = g.get("NEXT")
        lat = next((l["ms"] for l in res.latencies if l["gen"] == str(i + 1)), None)
        if i + 1 < len(kernels):
            c.check(prev_next is not None and prev_next.get("kernel") == kernels[i + 1],
                    "gen %d MPK-NEXT kernel" % i, kernels[i + 1],
                    prev_next and prev_next.get("kernel"))
            load = g.get("LOAD", {}).get("rc")
            c.check(load == "0", "gen %d MPK-LOAD rc" % i, 0, load)
        print("gen %d: kernel=%s release=%s online=%s token=%s%s" % (
            i, k, rec.get("release"), rec.get("online"), rec.get("token"),
            "" if lat is None else " -> gen %d handoff %.0f ms" % (i + 1, lat)))
    return finish(c, name, res)


def bad_input_matrix():
    """The rows of docs/bad-input.md: [(case, exit code, message)]."""
    path = os.path.join(os.environ.get("MPK_SRCDIR", os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..")), "docs", "bad-input.md")
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("## "):
                break  # the rows after it are tests/unit/inputs.test's
            if not line.startswith("| `"):
                continue
            cells = [c.strip() for c in
                     line.strip().strip("|").replace("\\|", "\0").split("|")]
            cells = [c.replace("\0", "|") for c in cells]
            rows.append((cells[0].strip("`"), cells[2], cells[3][1:-1]))
    return rows


def errors_test(name, firmware=None):
    cfg = setup(name, firmware)
    res = boot(cfg, "6.1", mode="errors")
    c = Checker(name)
    gens, lists = split_generations(res)
    if lists:
        handoff_checks.check_firmware(c, 0, lists[0], cfg["firmware"], lists[0])
    errs = {r["name"]: r for r in res.recs("ERR")}
    for r in errs.values():
        print("case %s: rc=%s loaded=%s msg=%s" % (r.get("name"), r.get("rc"),
                                                  r.get("loaded"), r.get("msg")))
    rows = bad_input_matrix()
    c.check(len(rows) >= 15, "docs/bad-input.md has its rows", ">= 15", len(rows))
    documented = set(case for case, _, _ in rows)
    for case in sorted(set(errs) - documented):
        c.check(False, "case %s is documented" % case, "a row in docs/bad-input.md", "none")
    for case, want, needle in rows:
        r = errs.get(case)
        c.check(r is not None, "%s run" % case, "MPK-ERR name=" + case, None)
        if r is None:
            continue
        c.check(r.get("rc") == want, "%s exit status" % case, want, r.get("rc"))
        # "kept": an image was loaded before the failing command and stays
        want_loaded = "1" if case == "kept" else "0"
        c.check(r.get("loaded") == want_loaded, "%s kexec_loaded" % case, want_loaded,
                r.get("loaded"))
        c.check(needle in r.get("msg", ""), "%s message" % case,
                "'%s' in stderr" % needle, repr(r.get("msg")))
    unl = (res.recs("UNLOAD") or [{}])[0]
    c.check(unl.get("rc") == "0" and unl.get("loaded") == "0", "-u unloads",
            "rc=0 loaded=0", "rc=%s loaded=%s" % (unl.get("rc"), unl.get("loaded")))
    c.check(res.ok, "run ends with MPK-DONE", "MPK-DONE", res.error)
    print("%s: %s in %.0fs (%d checks failed)" % (
        name, "FAIL" if c.failed else "PASS", res.elapsed, c.failed))
    return 1 if c.failed else 0


def chain_element(g, more=()):
    """The tests/vm/init chain element of generation dict g: kernel, k
    (command-line words), `more` attributes, x (-l options it loads the next
    one with), off (CPUs it offlines first), e ("kexec": execute with
    kexec-tools' kexec -e)."""
    e = [g["kernel"]] + ["k:" + w for w in g.get("k", ())] + list(more)
    e += ["x:" + o for o in g.get("x", ())]
    if g.get("off"):
        e.append("off:" + ".".join(str(c) for c in g["off"]))
    if g.get("e"):
        e.append("e:" + g["e"])
    return "/".join(e)


def story_test(name, gens, qemu_args=(), firmware=None):
    """A chain whose generations differ (issue 4's stories).  gens: one dict
    per generation: kernel, k (its own command-line words), x (mpkexec -l
    options it loads the next one with), off (CPUs it offlines first), e
    (see chain_element), and
    what it must report: online, paging (4/5), loadmsg (substrings of the -l
    account it prints), plan (handoff_checks.check_plan_expect: its
    --plan --json), and for every generation after the first the
    handoff_checks.check_story_generation expectations.  Every generation is
    also checked for what it got of `firmware` (see setup;
    handoff_checks.check_firmware)."""
    cfg = setup(name, firmware)
    if cfg["loader"] != "mpkexec":
        print("SKIP: %s: needs mpkexec (MPK_LOADER=%s)" % (name, cfg["loader"]))
        sys.exit(77)
    elems = [chain_element(g) for g in gens]
    res = run_vm(cfg, ",".join(elems), extra=cfg["extra"], qemu_args=qemu_args)
    c = Checker(name)
    split, lists = split_generations(res)
    c.check(len(split) == len(gens), "generation count", len(gens), len(split))
    region = None
    plans = []
    for i, (got, exp) in enumerate(zip(split, gens)):
        rec = got["GEN"]
        c.check(rec.get("release") == cfg["versions"][exp["kernel"]], "gen %d release" % i,
                cfg["versions"][exp["kernel"]], rec.get("release"))
        c.check(rec.get("online") == exp["online"], "gen %d cpus online" % i,
                exp["online"], rec.get("online"))
        if "paging" in exp:
            c.check(rec.get("paging") == str(exp["paging"]), "gen %d paging levels" % i,
                    exp["paging"], rec.get("paging"))
        if i > 0:
            want = split[i - 1].get("NEXT", {}).get("token")
            c.check(want and rec.get("token") == want, "gen %d initrd token" % i, want,
                    rec.get("token"))
            region = handoff_checks.check_story_generation(c, i, lists[i], exp, region,
                                                           plans[i - 1])
        else:
            region = None
        handoff_checks.check_firmware(c, i, lists[i], cfg["firmware"], lists[0])
        handoff_checks.summary_row(name, i, exp["kernel"], lists[i], cfg["firmware"],
                                   rec.get("online"))
        if exp.get("off"):
            off = got.get("OFFLINE", {})
            c.check(off.get("cpus") == ",".join(map(str, exp["off"])),
                    "gen %d offlined CPUs" % i, exp["off"], off.get("cpus"))
            if "off_online" in exp:
                c.check(off.get("online") == exp["off_online"],
                        "gen %d CPUs online after the offline attempt" % i,
                        exp["off_online"], off.get("online"))
        if i + 1 < len(gens):
            load = got.get("LOAD", {}).get("rc")
            c.check(load == "0", "gen %d MPK-LOAD rc" % i, 0, load)
            if "exec_note" in exp:   # what mpkexec -e said (raw console line)
                c.check(any(exp["exec_note"] in t for _, t in res.lines),
                        "gen %d -e says %r" % (i, exp["exec_note"]), exp["exec_note"],
                        "no such line")
            msgs = [r["line"] for r in lists[i].get("LOADMSG", [])]
            for needle in exp.get("loadmsg", ()):
                c.check(any(needle in m for m in msgs), "gen %d -l account says %r" % (i, needle),
                        needle, msgs)
            # the plan of that load (--plan --json), its expectations, and
            # the -l account printed from the same plan
            plan = handoff_checks.load_plan(c, i, lists[i])
            handoff_checks.check_plan_expect(c, i, plan, exp.get("plan", {}))
            handoff_checks.check_load_account(c, i, plan, msgs)
            plans.append(plan)
        else:
            plans.append(None)
        bring = handoff_checks.smp_bringup_ms([r["line"] for r in lists[i].get("DMESG", [])])
        print("gen %d: kernel=%s online=%s paging=%s%s" % (
            i, exp["kernel"], rec.get("online"), rec.get("paging"),
            "" if bring is None else " smp-bringup %.0f ms" % bring))
    return finish(c, name, res)


# ---- kdump (issue 10) ------------------------------------------------------
# The loader of the capture kernel ("LOADER -p"): the crash_test argument,
# else $MPK_CAPTURE_LOADER, else mpkexec (MPK_CAPTURE_LOADER=kexec runs the
# same scenarios with kexec-tools: the baseline rows of KDUMP_EXPECT).
CAPTURE_LOADER_DEFAULT = "mpkexec"
CRASHKERNEL = "256M"
# kdump-tools' KDUMP_CMDLINE_APPEND has these next to nr_cpus=1
CAPTURE_WORDS = ("irqpoll", "reset_devices")
PANIC_LINE = "Kernel panic - not syncing: sysrq triggered crash"
BSP_REFUSED = "Crash kernel detected. Disabling real BSP"

# What the capture kernel reports, per capture loader:
#   (running kernel, crashing CPU, capture kernel's nr_cpus=) ->
#   online: its /sys/devices/system/cpu/online (CPU 0 is the crashing CPU);
#   bsp_refused: Linux logs BSP_REFUSED (6.12 booted on a CPU other than
#   the first MADT entry refuses that entry).
# "kexec" is the kexec-tools baseline, measured (SeaBIOS and OVMF, -smp 4,
# Debian 6.1.0 and 6.12 kernels, kexec-tools 2.0.25, kexec_load and
# kexec_file_load alike): a 6.12 capture kernel started on CPU 3 gets 3
# CPUs (it rejects APIC ID 0 itself); a 6.1 one INIT-SIPIs APIC ID 0, the
# crashed kernel's boot CPU, and gets 4 (QEMU lets it; real hardware may
# not); a crash on CPU 0 gives 4 with either.
# "mpkexec" holds what issue 10 asks of mpkexec -p on a firmware-booted
# kernel (APs gathered by INIT-SIPI, the firmware boot CPU never INIT'd:
# disabled in the MADT of a 6.1 payload, listed for a 6.12 one, which
# rejects it itself as in reboot-cpu.test): not measured; confirm, and
# change here, when mpkexec -p lands.
KDUMP_EXPECT = {
    "kexec": {
        ("6.1", 0, 4): {"online": "0-3", "bsp_refused": False},
        ("6.1", 3, 4): {"online": "0-3", "bsp_refused": False},
        ("6.12", 0, 4): {"online": "0-3", "bsp_refused": False},
        ("6.12", 3, 4): {"online": "0-2", "bsp_refused": True},
        ("6.12", 3, 1): {"online": "0", "bsp_refused": True},
    },
    "mpkexec": {
        ("6.1", 0, 4): {"online": "0-3", "bsp_refused": False},
        ("6.1", 3, 4): {"online": "0-2", "bsp_refused": False},
        ("6.12", 0, 4): {"online": "0-3", "bsp_refused": False},
        ("6.12", 3, 4): {"online": "0-2", "bsp_refused": True},
        ("6.12", 3, 1): {"online": "0", "bsp_refused": True},
    },
}


def pattern_bytes(token, n=4096):
    """The page tests/vm/mpk-pattern.c plants for `token` (its first n bytes):
    "MPK-PAT:", then xorshift64* seeded with FNV-1a 64 of the token."""
    m = (1 << 64) - 1
    x = 0xcbf29ce484222325
    for ch in token.encode():
        x = ((x ^ ch) * 0x100000001b3) & m
    x = x or 1
    out = bytearray(b"MPK-PAT:")
    while len(out) < n:
        x ^= x >> 12
        x = (x ^ (x << 25)) & m
        x ^= x >> 27
        out += ((x * 0x2545f4914f6cdd1d) & m).to_bytes(8, "little")
    return bytes(out[:n])


def _size(s):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(s[:-1]) * units[s[-1]] if s[-1] in units else int(s)


# kdump-tools 1.8.1's KDUMP_CMDLINE_APPEND default (kdump-config)
KDUMP_TOOLS_WORDS = ("reset_devices", "systemd.unit=kdump-tools-dump.service", "nr_cpus=1",
                     "irqpoll", "usbcore.nousb")


def crash_test(name, gens, crash_cpu, capture, loader=None, firmware=None, expect=None,
               crashkernel=CRASHKERNEL, kdump_config=False):
    """A kdump scenario.  gens: the generations up to the crashing one (dicts
    as story_test's: kernel, k, x, off), booted from firmware and, if more
    than one, loaded by the chain loader ($MPK_LOADER); the last one boots
    with crashkernel=, plants the pattern, loads `capture` with
    "LOADER -p" and crashes on `crash_cpu`.  capture: kernel, nr_cpus
    (nr_cpus=N on its command line), k (more words; default CAPTURE_WORDS).
    loader: the capture loader (see CAPTURE_LOADER_DEFAULT).  expect: what
    the capture kernel reports (online, bsp_refused), default the
    KDUMP_EXPECT row of (loader, last kernel, crash_cpu, nr_cpus).
    Checks: the crash on that CPU, the capture kernel's CPUs, the pattern at
    its physical address in /proc/vmcore, makedumpfile's dmesg (panic line,
    crashing CPU) and its -l -d 31 dump.  kdump_config: the crashing
    generation loads the capture kernel with Debian's "kdump-config load"
    (its defaults; it runs /sbin/kexec, the capture loader installed there),
    so the capture kernel gets kdump-tools' words (KDUMP_TOOLS_WORDS,
    nr_cpus=1) instead of capture's."""
    cfg = setup(name, firmware)
    loader = loader or os.environ.get("MPK_CAPTURE_LOADER") or CAPTURE_LOADER_DEFAULT
    print("%s: capture loader=%s (-p; the loader= above loads the generations before "
          "the crash, if any)" % (name, loader))
    crashing = gens[-1]["kernel"]
    nr = 1 if kdump_config else capture.get("nr_cpus", 4)
    key = (crashing, crash_cpu, nr)
    if expect is None:
        expect = KDUMP_EXPECT.get(loader, {}).get(key)
    if expect is None:
        print("FAIL: %s: no expectation for capture loader %s, %s (KDUMP_EXPECT)" % (
            name, loader, key))
        return 1
    last = ["k:crashkernel=" + crashkernel, "crash:%d" % crash_cpu] + (
        ["kdc:1"] if kdump_config else [])
    elems = [chain_element(g, last if i == len(gens) - 1 else ())
             for i, g in enumerate(gens)]
    cwords = [] if kdump_config else ["nr_cpus=%d" % nr] + list(capture.get("k", CAPTURE_WORDS))
    elems.append("/".join([capture["kernel"]] + ["k:" + w for w in cwords]))
    res = run_vm(cfg, ",".join(elems), extra=cfg["extra"] if len(gens) > 1 else "",
                 params=["mpk.caploader=" + loader])
    c = Checker(name)
    split, lists = split_generations(res)
    c.check(len(split) == len(gens) + 1, "generation count (the last: the capture kernel)",
            len(gens) + 1, len(split))
    for i, exp in enumerate(gens):
        if i >= len(split):
            break
        rec = split[i]["GEN"]
        c.check(rec.get("release") == cfg["versions"][exp["kernel"]], "gen %d release" % i,
                cfg["versions"][exp["kernel"]], rec.get("release"))
        want = exp.get("online", "0-3")
        c.check(rec.get("online") == want, "gen %d cpus online" % i, want, rec.get("online"))
    cr = split[len(gens) - 1] if len(split) >= len(gens) else {}
    # the crashing generation
    rng = cr.get("CRASHKERNEL", {}).get("range", "")
    try:
        lo, hi = (int(v, 16) for v in rng.split("-"))
        size = hi - lo + 1
    except ValueError:
        size = None
    c.check(size == _size(crashkernel), "crashkernel=%s reserved ('Crash kernel' in /proc/iomem)"
            % crashkernel, _size(crashkernel), "%s (%r)" % (size, rng))
    pat = cr.get("PATTERN", {})
    token = pat.get("token", "")
    want_hex = pattern_bytes(token, 32).hex()
    c.check(pat.get("hex") == want_hex, "planted page starts with the pattern of the token",
            want_hex, pat.get("hex"))
    phys = pat.get("phys")
    c.check(phys is not None and int(phys, 16) % 4096 == 0, "pattern at a page address",
            "0x...000", phys)
    nxt = cr.get("NEXT", {})
    c.check(nxt.get("token") == token and nxt.get("kernel") == capture["kernel"],
            "capture kernel and token", "kernel=%s token=%s" % (capture["kernel"], token),
            "kernel=%s token=%s" % (nxt.get("kernel"), nxt.get("token")))
    pl = cr.get("PLOAD", {})
    c.check((pl.get("rc"), pl.get("loader"), pl.get("loaded")) == ("0", loader, "1"),
            "%s -p loads the capture kernel (kexec_crash_loaded)" % loader,
            "rc=0 loader=%s loaded=1" % loader,
            "rc=%s loader=%s loaded=%s" % (pl.get("rc"), pl.get("loader"), pl.get("loaded")))
    crash = cr.get("CRASH", {})
    c.check(crash.get("cpu") == str(crash_cpu), "crash triggered on CPU %d" % crash_cpu,
            crash_cpu, crash.get("cpu"))
    t_crash = crash.get("t")
    after = [(t, s) for t, s in res.lines if t_crash is not None and t >= t_crash]
    c.check(any(PANIC_LINE in s for _, s in after), "panic on the console", PANIC_LINE,
            "not in the log")
    crl = lists[len(gens) - 1] if len(lists) >= len(gens) else {}
    if kdump_config:
        out = [r.get("line", "") for r in crl.get("KDUMPCONFIG", [])]
        for l in out:
            print("kdump-config: " + l)
        c.check("loaded kdump kernel." in out, "kdump-config load says 'loaded kdump kernel.'",
                "loaded kdump kernel.", out)
        cmd = cr.get("KDUMPCONFIG-CMD", {}).get("line", "")
        c.check(cmd.startswith('/sbin/kexec -p --command-line="') and
                cmd.endswith('" --initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz'),
                "kdump-config ran /sbin/kexec -p with its initrd and kernel links",
                '/sbin/kexec -p --command-line="..." --initrd=/var/lib/kdump/initrd.img '
                '/var/lib/kdump/vmlinuz', cmd)
    for r in crl.get("LOADMSG", []):
        print("%s -p: %s" % (loader, r.get("line")))
    # the capture kernel
    cap_i = len(gens)
    if len(split) <= cap_i:
        # nothing below can pass: one failure, not twenty
        c.check(False, "capture kernel booted", "its MPK-GEN gen=%d" % cap_i,
                res.error or "no capture kernel")
        return finish(c, name, res)
    g = split[cap_i] if len(split) > cap_i else {}
    cl = lists[cap_i] if len(lists) > cap_i else {}
    rec = g.get("GEN", {})
    c.check(rec.get("release") == cfg["versions"][capture["kernel"]], "capture kernel release",
            cfg["versions"][capture["kernel"]], rec.get("release"))
    c.check(rec.get("token") == token, "capture kernel initrd token", token, rec.get("token"))
    words = rec.get("cmdline", "").split()
    for w in ("nr_cpus=%d" % nr, "mpk.pattern=%s" % phys) + (
            KDUMP_TOOLS_WORDS if kdump_config else ()):
        c.check(w in words, "capture cmdline has %s" % w, w, rec.get("cmdline"))
    c.check(any(w.startswith("elfcorehdr=") for w in words), "capture cmdline has elfcorehdr=",
            "elfcorehdr=...", rec.get("cmdline"))
    cap = g.get("CAPTURE", {})
    c.check(cap.get("online") == expect["online"],
            "capture kernel CPUs online (%s, %s)" % (loader, "baseline" if loader == "kexec"
                                                     else "issue 10"),
            expect["online"], cap.get("online"))
    c.check(int(cap.get("vmcore", "0")) > 0, "/proc/vmcore has a size", "> 0", cap.get("vmcore"))
    text = "\n".join(s for _, s in after)
    refused = BSP_REFUSED in text
    c.check(refused == expect["bsp_refused"], "Linux's %r %s" % (
        BSP_REFUSED, "logged" if expect["bsp_refused"] else "not logged"),
        expect["bsp_refused"], refused)
    if loader == "mpkexec" and "-s" not in gens[-1].get("x", ()):
        # the capture kernel's --last-handoff (mpkexec's purgatory; not with
        # -s, where the kernel's own runs): a crash capture, run on the
        # crashing CPU (QEMU: APIC ID = CPU number), every CPU accounted for
        rep = harness.json_record(g.get("HANDOFF-JSON")) or {}
        c.check(rep.get("crash") is True, "capture report: a crash capture", True,
                rep.get("crash"))
        c.check(rep.get("self_apic_id") == crash_cpu, "capture report: purgatory ran on "
                "the crashing CPU (APIC ID %d)" % crash_cpu, crash_cpu, rep.get("self_apic_id"))
        outcomes = {cp.get("apic_id"): cp.get("outcome") for cp in rep.get("cpus", [])}
        if expect.get("outcomes"):
            c.check(outcomes == expect["outcomes"], "capture report: how every CPU was "
                    "handed over", expect["outcomes"], outcomes)
        if expect.get("ipis"):
            got = (rep.get("init_ipis"), rep.get("sipi_ipis"))
            c.check(got == expect["ipis"], "capture report: INIT/SIPI IPIs", expect["ipis"], got)
        c.check(not rep.get("boot_handoff_failed"), "capture report: no failed boot handoff",
                False, rep.get("boot_handoff_failed"))
    chk = g.get("PATTERN-CHECK", {})
    want_hex = pattern_bytes(token, 32).hex()
    c.check(chk.get("phys") == phys and chk.get("match") == "4096/4096" and
            chk.get("hex") == want_hex,
            "pattern found at its physical address in /proc/vmcore",
            "phys=%s match=4096/4096 hex=%s" % (phys, want_hex),
            "phys=%s load=%s match=%s hex=%s" % (chk.get("phys"), chk.get("load"),
                                                  chk.get("match"), chk.get("hex")))
    pr = g.get("PATTERN-RESULT", {})
    c.check(pr.get("rc") == "0", "mpk-pattern check exit status", 0,
            "%s %s" % (pr.get("rc"), pr.get("msg")))
    dd = g.get("DUMP-DMESG", {})
    c.check(dd.get("rc") == "0" and PANIC_LINE in dd.get("line", ""),
            "makedumpfile --dump-dmesg has the panic line", "rc=0, " + PANIC_LINE,
            "rc=%s line=%s" % (dd.get("rc"), dd.get("line")))
    c.check(dd.get("crashcpu") == str(crash_cpu), "crashed kernel's log: the crash on CPU %d"
            % crash_cpu, crash_cpu, dd.get("crashcpu"))
    du = g.get("DUMP", {})
    c.check(du.get("rc") == "0" and int(du.get("size", "0")) > 0 and du.get("sig") == "KDUMP___",
            "makedumpfile -l -d 31 writes a kdump-compressed dump",
            "rc=0 size>0 sig=KDUMP___", "rc=%s size=%s sig=%s msg=%s" % (
                du.get("rc"), du.get("size"), du.get("sig"), du.get("msg")))
    if cfg["firmware"] == "ovmf":
        # EFI runtime services still work in the capture kernel: the same
        # variable, the same bytes as the firmware-booted generation 0
        v0, v1 = split[0].get("EFIVAR", {}), g.get("EFIVAR", {})
        c.check(v0.get("hex") and (v1.get("name"), v1.get("hex")) == (v0.get("name"), v0.get("hex")),
                "capture kernel reads gen 0's EFI variable", "%s=%s" % (v0.get("name"), v0.get("hex")),
                "%s=%s %s" % (v1.get("name"), v1.get("hex"), v1.get("msg", "")))
    t_cap = next((t for t, s in after if "Linux version" in s), None)
    hdr = next((w for w in words if w.startswith("elfcorehdr=")), "elfcorehdr=none")
    print("kdump-baseline" if loader == "kexec" else "kdump-result",
          "loader=%s%s firmware=%s running=%s crash_cpu=%d nr_cpus=%d capture=%s %s "
          "capture_online=%s bsp_refused=%s crash_to_capture_ms=%s dump_bytes=%s" % (
              loader, "".join(" " + o for o in gens[-1].get("x", ())), cfg["firmware"],
              crashing, crash_cpu, nr, capture["kernel"], hdr,
              cap.get("online"), "yes" if refused else "no",
              "%.0f" % ((t_cap - t_crash) * 1000) if t_cap and t_crash else "none",
              du.get("size")))
    return finish(c, name, res)


# ---- payloads (issue 11) ---------------------------------------------------
# Our own test payload (tests/payload/, built by `make`): its records are
# documented at the top of tests/payload/payload.c.
PAYLOAD_FILES = ("mpk-payload.mb2", "mpk-payload.elf64")


def payload_build_dir():
    """Where the built tests/payload/ files are: $MPK_PAYLOAD_DIR, else the
    build tree's ($MPK_BUILDDIR, set by make check), else next to
    $MPKEXEC_BIN, else ./tests/payload."""
    cands = [os.environ.get("MPK_PAYLOAD_DIR")]
    if os.environ.get("MPK_BUILDDIR"):
        cands.append(os.path.join(os.environ["MPK_BUILDDIR"], "tests", "payload"))
    mpk = os.environ.get("MPKEXEC_BIN", "./mpkexec")
    cands += [os.path.join(os.path.dirname(os.path.abspath(mpk)), "tests", "payload"),
              os.path.join("tests", "payload")]
    for d in cands:
        if d and all(os.path.isfile(os.path.join(d, f)) for f in PAYLOAD_FILES):
            return d
    return None


def payload_records(res):
    """The payload's records: every MPK-PAYLOAD-* (but the loader's own
    PAYLOAD-PLAN-JSON and PAYLOAD-CMD) after the MPK-EXEC line, by tag
    (the first of each) and the WAKE ones in order; and the MPK-EXEC time."""
    t_exec = next((r["t"] for r in res.records if r["tag"] == "EXEC"), None)
    first, wakes = {}, []
    if t_exec is None:
        return first, wakes, None
    for r in res.records:
        if r["t"] < t_exec or not r["tag"].startswith("PAYLOAD-") or \
                r["tag"] in ("PAYLOAD-PLAN-JSON", "PAYLOAD-CMD"):
            continue
        first.setdefault(r["tag"], r)
        if r["tag"] == "PAYLOAD-WAKE":
            wakes.append(r)
    return first, wakes, t_exec


def payload_test(name, payload="mpk-payload.mb2", handoff="park", x=(), words=(),
                 entry="mb2", rsdp_source="mb2-acpi-new", mode=None, firmware=None,
                 ncpu=None, ptype=None, qemu_args=(), paging=None):
    """Generation 0 (6.1, firmware-booted) loads our payload `payload`
    (tests/payload/) with mpkexec -l --ap-handoff=HANDOFF plus `x` (more -l
    options) and the command line `words`, and runs it.  Checks: the plan
    (--plan --json: the handoff mode, every CPU, the park region), and what
    the payload prints: how it was entered (`entry`), where it found the
    RSDP (`rsdp_source`; with boot_params also that it is the planned
    RSDP), how it woke the APs (`mode`: default mailbox for park, init for
    init), the MADT's wakeup structure (park: version 1 at the planned park
    region; init: none), each AP woken and checked in, and every CPU of the
    MADT checked in, with its APIC ID (so a CPU that does not check in fails
    the test), then its ACPI power-off.  Prints the time from MPK-EXEC to the
    payload's first line (payload-latency) and per AP its wake times.
    ptype: -t TYPE.  qemu_args: more QEMU arguments (-cpu max: 5-level
    paging); paging: the depth the payload must report at entry (4 or 5).
    rsdp_source "bios-scan" (multiboot v1, --args-none):
    the payload reads firmware's tables, which have no wakeup structure, so
    it starts the APs with INIT-SIPI whatever the handoff."""
    ncpu = ncpu or int(os.environ.get("SMP", "4"))
    ours = rsdp_source != "bios-scan"   # the loader's table set, not firmware's
    mode = mode or ("mailbox" if handoff == "park" and ours else "init")
    src = payload_build_dir()
    if src is None:
        print("FAIL: %s: the test payload is not built (%s in tests/payload/ of the build "
              "tree: run make, or set MPK_PAYLOAD_DIR)" % (name, " and ".join(PAYLOAD_FILES)))
        return 1
    tmp = tempfile.mkdtemp(prefix="mpk-payload-")
    try:
        for f in PAYLOAD_FILES:
            shutil.copy(os.path.join(src, f), tmp)
        cfg = setup(name, firmware, payload_dir=tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if cfg["loader"] != "mpkexec":
        print("SKIP: %s: needs mpkexec (MPK_LOADER=%s)" % (name, cfg["loader"]))
        sys.exit(77)
    elem0 = ["6.1", "x:--ap-handoff=%s" % handoff] + ["x:" + o for o in x]
    elem1 = ["@" + payload] + (["t:" + ptype] if ptype else []) + ["a:" + w for w in words]
    res = run_vm(cfg, "/".join(elem0) + "," + "/".join(elem1), extra=cfg["extra"],
                 qemu_args=qemu_args)
    c = Checker(name)
    gens, lists = split_generations(res)
    c.check(len(gens) == 1, "one Linux generation (then the payload)", 1, len(gens))
    g0 = gens[0] if gens else {}
    l0 = lists[0] if lists else {}
    rec = g0.get("GEN", {})
    c.check(rec.get("release") == cfg["versions"]["6.1"], "gen 0 release",
            cfg["versions"]["6.1"], rec.get("release"))
    c.check(rec.get("online") == "0-%d" % (ncpu - 1), "gen 0 cpus online",
            "0-%d" % (ncpu - 1), rec.get("online"))
    if lists:
        handoff_checks.check_firmware(c, 0, l0, cfg["firmware"], l0)
    # the plan of the load (mpkexec --plan --json -l PAYLOAD ...)
    prec = (l0.get("PAYLOAD-PLAN-JSON") or [None])[0]
    plan = harness.json_record(prec)
    c.check(plan is not None and plan.get("schema") == handoff_checks.SCHEMA_PLAN,
            "--plan --json of the payload load", handoff_checks.SCHEMA_PLAN,
            prec and (prec.get("json_error") or prec.get("msg") or
                      (plan and plan.get("schema"))))
    if plan is not None and plan.get("schema") != handoff_checks.SCHEMA_PLAN:
        plan = None
    handoff_checks.check_plan(c, 0, plan, ncpu, handoff)
    for r in l0.get("LOADMSG", []):
        print("mpkexec -l: %s" % r.get("line"))
    cmd = (l0.get("PAYLOAD-CMD") or [{}])[0].get("line")
    print("load command: %s" % cmd)
    load = g0.get("LOAD", {}).get("rc")
    c.check(load == "0", "mpkexec -l of the payload: exit status", 0, load)
    # the payload
    p, wakes, t_exec = payload_records(res)
    hello, start, cpus = (p.get("PAYLOAD-" + t, {}) for t in ("HELLO", "START", "CPUS"))
    rsdp = p.get("PAYLOAD-RSDP", {})
    c.check(bool(hello), "the payload prints its first line", "MPK-PAYLOAD-HELLO",
            res.error or "nothing after MPK-EXEC")
    c.check(hello.get("entry") == entry and start.get("entry") == entry,
            "payload entered as %s" % entry, entry,
            "%s/%s" % (hello.get("entry"), start.get("entry")))
    if paging:
        c.check(rec.get("paging") == str(paging) and hello.get("paging") == str(paging),
                "%d-level paging in Linux and at the payload's entry" % paging, paging,
                "%s/%s" % (rec.get("paging"), hello.get("paging")))
    magic = {"mb2": "0x36d76289", "mb1": "0x2badb002"}.get(entry)
    if magic:
        c.check(hello.get("magic") == magic, "multiboot magic in EAX", magic,
                hello.get("magic"))
    c.check(rsdp.get("source") == rsdp_source, "payload found the RSDP through %s" % rsdp_source,
            rsdp_source, rsdp.get("source"))
    if rsdp_source == "boot-params" and plan is not None:
        want = plan["acpi"]["rsdp"]
        c.check(rsdp.get("addr") and int(rsdp["addr"], 16) == int(want, 16),
                "boot_params.acpi_rsdp_addr is the planned RSDP", want, rsdp.get("addr"))
    # the root table the payload read is in the table set the plan built
    seg = next((sg for sg in plan["segments"] if sg.get("what") == "ACPI tables"),
               None) if plan is not None else None
    root = rsdp.get("root", "")
    if seg is not None and ours:
        lo = int(seg["mem"], 16)
        hi = lo + int(seg["memsz"])
        try:
            at = int(root.partition("@")[2], 16)
        except ValueError:
            at = None
        c.check(at is not None and lo <= at < hi, "payload's XSDT/RSDT is in the planned "
                "ACPI tables segment", "%#x-%#x" % (lo, hi), root)
    elif ours:
        print("%s: the plan has no ACPI tables segment: the payload's root table (%s) "
              "not checked" % (name, root))
    c.check(start.get("mode") == mode, "payload wakes the APs by %s" % mode, mode,
            start.get("mode"))
    c.check(start.get("madt_cpus") == str(ncpu), "payload's MADT enables every CPU", ncpu,
            start.get("madt_cpus"))
    if handoff == "park" and ours:
        pb = plan and plan["ap_handoff"]["park_base"]
        want = "v1@%s" % pb
        got = start.get("wakeup", "")
        ok = pb is not None and got.startswith("v1@") and int(got[3:], 16) == int(pb, 16)
        c.check(ok, "payload's MADT wakeup structure: version 1, mailbox = the planned "
                "park region", want, got)
    else:
        c.check(start.get("wakeup") == "none", "payload's MADT has no wakeup structure",
                "none", start.get("wakeup"))
    for w in wakes:
        print("payload wake: apic=%s via=%s ack=%s ack_us=%s checkin=%s checkin_us=%s" % (
            w.get("apic"), w.get("via"), w.get("ack", "-"), w.get("ack_us", "-"),
            w.get("checkin"), w.get("checkin_us")))
    others = sorted(set(range(ncpu)) - {int(start.get("self", "-1"))}) if start else []
    c.check(bool(start) and sorted(int(w.get("apic", "-1")) for w in wakes) == others,
            "payload woke every other CPU once", others, [w.get("apic") for w in wakes])
    bad = [w for w in wakes if w.get("via") != mode or w.get("checkin") != "ok" or
           (mode == "mailbox" and w.get("ack") != "ok")]
    c.check(not bad and wakes, "each AP took its %s and checked in" % (
        "Wakeup command" if mode == "mailbox" else "INIT-SIPI-SIPI"), "ack=ok checkin=ok",
        [(w.get("apic"), w.get("via"), w.get("ack"), w.get("checkin")) for w in bad])
    ids = ",".join(str(i) for i in range(ncpu))
    c.check((cpus.get("checked_in"), cpus.get("expected"), cpus.get("apic_ids"),
             cpus.get("missing")) == (str(ncpu), str(ncpu), ids, "none"),
            "every CPU checked in", "checked_in=%d expected=%d apic_ids=%s missing=none" % (
                ncpu, ncpu, ids),
            "checked_in=%s expected=%s apic_ids=%s missing=%s" % (
                cpus.get("checked_in"), cpus.get("expected"), cpus.get("apic_ids"),
                cpus.get("missing")))
    off = p.get("PAYLOAD-POWEROFF", {})
    c.check(off.get("pm1a_cnt") not in (None, "0x0"), "payload powers off through ACPI PM1a",
            "pm1a_cnt=0x...", off.get("pm1a_cnt"))
    if hello and t_exec is not None:
        print("payload-latency entry=%s handoff=%s ms=%.0f (MPK-EXEC -> the payload's "
              "first line)" % (entry, handoff, (hello["t"] - t_exec) * 1000))
    if cpus and hello:
        print("payload-cpus checked_in=%s of %s in %.0f ms (first line -> MPK-PAYLOAD-CPUS)" % (
            cpus.get("checked_in"), cpus.get("expected"), (cpus["t"] - hello["t"]) * 1000))
    return finish(c, name, res)
