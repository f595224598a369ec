#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench/systemctl-kexec.py [N]

`systemctl kexec` on the Debian 12 test image (tests/vm/debian-image.sh,
QEMU TCG, SeaBIOS, -smp 4): seconds from the command (the job's
MPK-SYSTEMCTL-KEXEC line) to systemd's "Reached target multi-user.target"
in the next kernel, firmware-booted 6.1 -> 6.12, median of N runs (default
3) with each loader on the same image:
  mpkexec      the tree's packages with mpkexec-kexec (/sbin/kexec is
               mpkexec; park handoff, the next kernel wakes its APs through
               the mailbox);
  mpkexec-init the same with --ap-handoff=init (APs in INIT, as kexec-tools
               leaves them);
  kexec-tools  only the mpkexec package: /sbin/kexec is kexec-tools' 2.0.25.
Also prints each run's phases: the shutdown (command -> systemd-shutdown's
"Rebooting with kexec."), the handoff (-> the next kernel's first console
line) and the boot (-> multi-user.target).
Env: MPK_VM_CACHE, MPK_BUILDDIR (default: this tree), BENCH_LOGDIR
(default: a new private directory $TMPDIR/mpkexec-bench.XXXXXX).
BENCH_LOADERS="a b": only these (default: all).
BENCH_DRY_RUN=1: only print where the logs would go.
"""
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "vm"))
import debian_vm  # noqa: E402

LOADERS = {
    "mpkexec": dict(install_kexec=True, tool="kexec"),
    "mpkexec-init": dict(install_kexec=True, tool="kexec:--ap-handoff=init"),
    "kexec-tools": dict(install_kexec=False, tool="kexec-tools"),
}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    logdir = os.environ.get("BENCH_LOGDIR") or tempfile.mkdtemp(prefix="mpkexec-bench.")
    print("logs: %s" % logdir)
    if os.environ.get("BENCH_DRY_RUN"):
        return 0
    os.environ["MPK_VM_LOGDIR"] = logdir
    only = os.environ.get("BENCH_LOADERS", "").split()
    for name, how in LOADERS.items():
        if only and name not in only:
            continue
        secs = []
        for i in range(n):
            res = debian_vm.run("systemctl-kexec-%s-%d" % (name, i),
                                [["load:6.12:" + how["tool"], "systemctl-kexec"], ["done"]],
                                install_kexec=how["install_kexec"])
            phases = debian_vm.systemctl_kexec_phases(res)
            if not res.ok or len(phases) != 1:
                print("%s run %d failed: %s" % (name, i, res.error and res.error.splitlines()[0]))
                return 1
            secs.append(sum(phases[0]))
            print("  %s run %d: shutdown %.1f s, handoff %.1f s, boot %.1f s" % (
                (name, i) + phases[0]), flush=True)
        print("systemctl kexec -> multi-user.target, %-12s median %.1f s (runs: %s)" % (
            name, statistics.median(secs), ", ".join("%.1f" % x for x in secs)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
