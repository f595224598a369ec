# SPDX-License-Identifier: GPL-2.0-only
"""Scenarios on a real Debian 12 system (issue 12): the debootstrap image of
tests/vm/debian-image.sh on a virtio disk, systemd as PID 1, the packages
built from this tree (tests/pkg/build-debs.sh) installed with dpkg at the
first boot.

A run is one QEMU process: the root disk is opened with snapshot=on (the
cached image is never written; the run's changes live until QEMU exits,
across kexecs and resets), and a second, read-only disk labelled MPKJOB
carries the job: tests/vm/debian-job.sh as "run", scenario.conf (the
kernel releases and the steps of each boot) and the .debs.  The image's
mpk-job services run it; its MPK-* lines are read from the serial console by
harness.run_qemu.
"""
import fcntl
import os
import re
import shutil
import subprocess
import tempfile

import handoff_checks
import harness
import scenario

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
MULTI_USER = re.compile(r"Reached target .*Multi-User System")


def prepare(cache, builddir):
    """The image directory and the .deb directory, built or reused (a lock
    serialises scenarios that run in parallel)."""
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["sh", os.path.join(HERE, "fetch-kernels.sh"), cache], check=True)
        image = subprocess.run(["sh", os.path.join(HERE, "debian-image.sh"), cache],
                               check=True, stdout=subprocess.PIPE, text=True).stdout.split()[-1]
    debs = subprocess.run(["sh", os.path.join(TOP, "tests", "pkg", "build-debs.sh"),
                           builddir, cache], check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()
    return image, debs


def _versions(image):
    with open(os.path.join(image, "versions")) as f:
        return dict(l.split() for l in f if l.strip())


def job_disk(tmpdir, versions, debs, steps, install_kexec=True):
    """The MPKJOB disk image: run, report-firmware.sh, scenario.conf
    (STEP_<boot>="..."), debs/."""
    jd = os.path.join(tmpdir, "job")
    os.makedirs(os.path.join(jd, "debs"))
    shutil.copy(os.path.join(HERE, "debian-job.sh"), os.path.join(jd, "run"))
    shutil.copy(os.path.join(HERE, "report-firmware.sh"), os.path.join(jd, "report-firmware.sh"))
    for name in ("mpkexec", "mpkexec-kexec"):
        for f in os.listdir(debs):
            if f.startswith(name + "_") and f.endswith(".deb"):
                shutil.copy(os.path.join(debs, f), os.path.join(jd, "debs", f))
    with open(os.path.join(jd, "scenario.conf"), "w") as f:
        f.write("REL_61=%s\nREL_612=%s\nINSTALL_KEXEC=%d\n" % (
            versions["6.1"], versions["6.12"], 1 if install_kexec else 0))
        for boot, words in enumerate(steps):
            f.write('STEP_%d="%s"\n' % (boot, " ".join(words)))
    out = os.path.join(tmpdir, "job.img")
    subprocess.run(["mkfs.ext4", "-q", "-L", "MPKJOB", "-d", jd, out, "64M"], check=True,
                   stdout=subprocess.DEVNULL)
    return out


def run(name, steps, kernel="6.1", firmware="seabios", smp=4, mem="2G",
        append=(), install_kexec=True, reboot=False, timeout=None):
    """Boots the image's `kernel` from `firmware` (QEMU -kernel, the image's
    own initrd) and runs the job: steps[N] are the words of boot N (see
    tests/vm/debian-job.sh).  reboot=True lets a guest reset restart the
    machine (kdump-tools reboots after the dump); otherwise a reset ends the
    run.  Returns the harness.Result (.versions: series -> release); the serial log is NAME.serial.log in
    $MPK_VM_LOGDIR (default cwd)."""
    cache = os.environ.get("MPK_VM_CACHE", harness.DEFAULT_CACHE)
    builddir = os.environ.get("MPK_BUILDDIR", TOP)
    image, debs = prepare(cache, builddir)
    log = os.path.join(os.environ.get("MPK_VM_LOGDIR", os.getcwd()), name + ".serial.log")
    timeout = timeout or int(os.environ.get("MPK_VM_TIMEOUT", "600"))
    tmpdir = tempfile.mkdtemp(prefix="mpk-deb-")
    try:
        versions = _versions(image)
        job = job_disk(tmpdir, versions, debs, steps, install_kexec)
        cmdline = ["root=/dev/vda", "rw", "console=ttyS0,115200", "panic=-1",
                   "systemd.show_status=1"] + list(append)
        cmd = harness.qemu_machine(smp, mem) + [
               "-kernel", os.path.join(image, "vmlinuz-" + kernel),
               "-initrd", os.path.join(image, "initrd-" + kernel),
               "-append", " ".join(cmdline),
               "-drive", "file=%s,if=virtio,format=raw,snapshot=on" % os.path.join(image, "disk.raw"),
               "-drive", "file=%s,if=virtio,format=raw,readonly=on" % job]
        if not reboot:
            cmd.append("-no-reboot")
        cmd += harness.firmware_args(firmware, tmpdir)
        print("%s: firmware=%s image=%s debs=%s log=%s" % (name, firmware, image, debs, log))
        res = harness.run_qemu(cmd, firmware, log, timeout)
        res.versions = versions
        return res
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def systemctl_kexec_phases(res):
    """Of each `systemctl kexec`: (shutdown, handoff, boot) seconds, host
    time: MPK-SYSTEMCTL-KEXEC -> systemd-shutdown's "Rebooting with kexec."
    -> the next kernel's first console line ("Linux version") ->
    'Reached target ... Multi-User System' (systemd's status line)."""
    out, marks = [], []
    want = ["MPK-SYSTEMCTL-KEXEC", "Rebooting with kexec.", "Linux version", None]
    for t, text in res.lines:
        if "MPK-SYSTEMCTL-KEXEC" in text:
            marks = [t]
            continue
        if not marks:
            continue
        w = want[len(marks)]
        if (w is None and MULTI_USER.search(text)) or (w is not None and w in text):
            marks.append(t)
            if len(marks) == 4:
                out.append(tuple(b - a for a, b in zip(marks, marks[1:])))
                marks = []
    return out


def boots(res):
    """The records split per boot (from each MPK-BOOT on; the capture
    kernel of a kdump boot has no MPK-GEN): [{tag: [recs]}]."""
    return scenario.split_records(res, "BOOT")


def systemctl_kexec_seconds(res):
    """Host seconds from each MPK-SYSTEMCTL-KEXEC line to the next kernel's
    multi-user.target: the sum of its phases (systemctl_kexec_phases)."""
    return [sum(p) for p in systemctl_kexec_phases(res)]


def one(b, tag):
    """The first record `tag` of a boot's records, or None."""
    return (b.get(tag) or [None])[0]


def check_install(c, b, kexec_diverted=True):
    """Boot 0: dpkg installed the tree's packages; /sbin/kexec is mpkexec
    (diverted kexec-tools) or still kexec-tools."""
    r = one(b, "INSTALL") or {}
    c.check(r.get("rc") == "0", "dpkg -i of the tree's packages", "rc 0", r.get("rc"))
    c.check(r.get("hook") == "1", "systemd-shutdown hook installed "
            "(/lib/systemd/system-shutdown/mpkexec)", "1", r.get("hook"))
    if kexec_diverted:
        c.check(r.get("kexec") == "/usr/sbin/mpkexec", "/sbin/kexec -> /usr/sbin/mpkexec",
                "/usr/sbin/mpkexec", r.get("kexec"))
        want = "diversion of /sbin/kexec to /sbin/kexec.kexec-tools by mpkexec-kexec"
        c.check(r.get("line") == want, "dpkg-divert --list /sbin/kexec", want, r.get("line"))
    else:
        c.check(r.get("kexec") == "none", "/sbin/kexec is kexec-tools' own file",
                "not a link", r.get("kexec"))


def check_generation(c, i, b, release, online="0-3", ncpu=4):
    """A generation reached multi-user.target on `release` with every CPU,
    without failed units, and without a stale interrupt on any CPU."""
    g = one(b, "GEN") or {}
    c.check(g.get("release") == release, "boot %d runs %s" % (i, release), release,
            g.get("release"))
    c.check(g.get("online") == online and g.get("cpus") == str(ncpu),
            "boot %d: CPUs online" % i, "%s (%d)" % (online, ncpu),
            "%s (%s)" % (g.get("online"), g.get("cpus")))
    bad, boot_cpu_timer = stale_irr(b)
    c.check(not bad, "boot %d: no CPU brought up with a stale IRR (no 'APIC: Stale IRR' "
            "after SMP bring-up begins, none with REBOOT_VECTOR 0xf8 pending)" % i,
            "none", bad)
    if boot_cpu_timer:
        # Not the offlined CPUs' problem: the boot CPU's local timer tick
        # (0xec) latched while the old kernel went down; Linux logs it for
        # any kexec that does not INIT the boot CPU (docs/design.md).
        print("note: boot %d: boot CPU's stale timer vector 0xec: %s" % (i, boot_cpu_timer))
    u = one(b, "UNITS") or {}
    c.check(u.get("multiuser") == "active", "boot %d: multi-user.target active" % i,
            "active", u.get("multiuser"))
    c.check(u.get("failed") == "", "boot %d: no failed systemd unit" % i, "none",
            u.get("failed"))
    stalls = [r["line"] for r in b.get("DMESG", []) if "blocking current GP" in r["line"]]
    c.check(not stalls, "boot %d: no RCU stall on an offline CPU" % i, "none", stalls)


TIMER_VECTOR = 0xec
STALE_IRR = re.compile(r"\[\s*([0-9.]+)\] APIC: Stale IRR: ([0-9a-f,]+) ISR")


def stale_irr(b):
    """The 'APIC: Stale IRR' lines of a boot's kernel log, split: (bad, the
    boot CPU's timer only).  Linux prints the IRR as 8 32-bit words, vector
    255 first.  Bad: on an AP (after "smp: Bringing up secondary CPUs"), or
    with anything but the timer tick pending (REBOOT_VECTOR 0xf8 is the
    offlined CPUs' stop IPI); the boot CPU with only its timer tick pending
    (TIMER_VECTOR) is the other kind."""
    smp_t, bad, timer = None, [], []
    for r in b.get("DMESG", []):
        line = r["line"]
        m = re.match(r"\[\s*([0-9.]+)\] smp: Bringing up secondary CPUs", line)
        if m and smp_t is None:
            smp_t = float(m.group(1))
        m = STALE_IRR.match(line)
        if not m:
            continue
        words = [int(w, 16) for w in m.group(2).split(",")]
        vectors = [255 - (w * 32) - (31 - bit) for w, word in enumerate(words)
                   for bit in range(32) if word >> bit & 1]
        on_ap = smp_t is not None and float(m.group(1)) >= smp_t
        if on_ap or vectors != [TIMER_VECTOR]:
            bad.append(line)
        else:
            timer.append(line)
    return bad, timer


def check_mailbox_madt(c, i, b):
    """The MADT this generation sees has a wakeup structure (version 1, in
    the park region) and every Local APIC entry enabled; the kernel says it
    woke its APs through it."""
    m = handoff_checks.parse_madt((one(b, "APIC") or {}).get("hex", ""))
    w = m["wakeup"]
    c.check(m["ok"] and w is not None and w[0] == 1,
            "boot %d MADT: multiprocessor wakeup structure, version 1" % i,
            "version 1", w and w[0])
    c.check([f & 1 for _, f in m["cpus"]] == [1, 1, 1, 1],
            "boot %d MADT: 4 Local APICs enabled" % i, "[1,1,1,1]", m["cpus"])
    g = one(b, "GEN") or {}
    c.check(g.get("wakeup") == "1", "boot %d: Linux woke its APs through the mailbox "
            "(acpi_wakeup_cpu)" % i, 1, g.get("wakeup"))


def check_handoff(c, i, b, strategy, outcomes):
    """mpkexec --last-handoff --json in this generation: the strategy and
    each APIC ID's outcome."""
    r = handoff_checks.handoff_report(c, i, b)
    if r is None:
        return None
    c.check(r.get("strategy") == strategy, "boot %d handoff strategy" % i, strategy,
            r.get("strategy"))
    got = {x.get("apic_id"): x.get("outcome") for x in r.get("cpus", [])}
    c.check(got == outcomes, "boot %d per-CPU outcomes" % i, outcomes, got)
    return r


def text_between(res, start_marker, end_marker):
    """The serial lines after the first line containing start_marker up to
    the next one containing end_marker."""
    return text_between_nth(res, start_marker, end_marker, 0)


def text_between_nth(res, start_marker, end_marker, n):
    """The same after the n-th (from 0) line containing start_marker."""
    out, seen, on = [], -1, False
    for _, text in res.lines:
        if not on and start_marker in text:
            seen += 1
            on = seen == n
        elif on and end_marker in text:
            break
        elif on:
            out.append(text)
    return out


# systemctl's refusal when nothing is loaded and it cannot load a Boot
# Loader Specification entry itself (systemd 252, systemctl-start-special.c)
NOTHING_LOADED = {
    "seabios": "No kexec kernel loaded and autodetection failed. | "
               "Automatic loading works only on systems booted with EFI.",
    "ovmf": "No kexec kernel loaded and autodetection failed. | "
            "Cannot automatically load kernel: ESP mount point not found.",
}


def systemctl_kexec_test(name, firmware):
    """Firmware-booted 6.1: `systemctl kexec` with nothing loaded, then 6.12
    loaded through /sbin/kexec (mpkexec) and `systemctl kexec`; 6.12 must
    reach multi-user.target with every CPU, woken through the mailbox, and
    keep what it got of the firmware (EFI on OVMF).  Exit code."""
    scenario.require_vm(name, firmware)
    res = run(name, [["nothing", "load:6.12:kexec", "systemctl-kexec"], ["done"]],
              firmware=firmware)
    c = scenario.Checker(name)
    b = boots(res)
    rel = res.versions
    c.check(len(b) == 2, "two boots", 2, len(b))
    b += [{}] * (2 - len(b))
    check_install(c, b[0])
    check_generation(c, 0, b[0], rel["6.1"])
    n = one(b[0], "NOTHING") or {}
    want = NOTHING_LOADED[firmware]
    c.check(n.get("rc") == "1" and n.get("msg") == want and n.get("loaded") == "0",
            "systemctl kexec with nothing loaded: systemd's message, exit 1, nothing loaded",
            "rc 1, '%s'" % want, "rc %s, '%s', loaded %s" % (n.get("rc"), n.get("msg"),
                                                           n.get("loaded")))
    ld = one(b[0], "LOAD") or {}
    c.check(ld.get("rc") == "0" and ld.get("loaded") == "1",
            "/sbin/kexec --load ... --append ... --initrd ... (mpkexec) loads 6.12",
            "rc 0, loaded 1", "rc %s, loaded %s" % (ld.get("rc"), ld.get("loaded")))
    down = text_between(res, "MPK-SYSTEMCTL-KEXEC", "Linux version")
    c.check(any("systemd-shutdown[1]: Rebooting with kexec." in l for l in down),
            "systemd-shutdown did the kexec", "'Rebooting with kexec.'", "not in the log")
    check_generation(c, 1, b[1], rel["6.12"])
    check_mailbox_madt(c, 1, b[1])
    check_handoff(c, 1, b[1], "park", {0: "boot", 1: "parked-init-sipi",
                                       2: "parked-init-sipi", 3: "parked-init-sipi"})
    for i in (0, 1):
        handoff_checks.check_firmware(c, i, b[i], firmware, b[0])
    for s in systemctl_kexec_seconds(res):
        print("systemctl-kexec firmware=%s loader=mpkexec s=%.1f (MPK-SYSTEMCTL-KEXEC -> "
              "next kernel's multi-user.target)" % (firmware, s))
    return scenario.finish(c, name, res)
