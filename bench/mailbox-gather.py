#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bench/mailbox-gather.py [N]

Median AP gather time in purgatory (the handoff report's "AP gather X ms"),
park mode (INIT-SIPI-SIPI into a new region) against mailbox mode (region
reused in place, CPUs back through the ResetVector), over N runs (default 3)
of the chain 6.12 -park-> 6.12 -mailbox-> 6.12 in the test VM (QEMU TCG,
-smp 4).  Also prints the next kernel's SMP bring-up time for each.
Env: MPKEXEC_BIN (default ./mpkexec), MPK_VM_CACHE, BENCH_LOGDIR (default:
a new private directory $TMPDIR/mpkexec-bench.XXXXXX, never a fixed /tmp
path), MPK_VM_FIRMWARE (seabios, the default, or ovmf: UEFI).
BENCH_DRY_RUN=1: only print where the logs would go (bench/logdir.test).
"""
import os
import re
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "vm"))
import harness  # noqa: E402
import handoff_checks  # noqa: E402

CHAIN = "6.12/x:--ap-handoff=park,6.12/x:--ap-handoff=mailbox,6.12"


def one_run(cache, img, log):
    res = harness.run(cache, img, CHAIN, log=log, timeout=400)
    if not res.ok:
        raise SystemExit("run failed (%s): %s" % (log, res.error.splitlines()[0]))
    gather, bringup, gen = {}, {}, None
    for r in res.records:
        if r["tag"] == "GEN":
            gen = int(r["gen"])
        elif r["tag"] == "HANDOFF":
            m = re.search(r"AP gather ([0-9.]+) ms", r["line"])
            if m:
                gather[gen] = float(m.group(1))
        elif r["tag"] == "DMESG":
            bringup.setdefault(gen, []).append(r["line"])
    return [(gather.get(g), handoff_checks.smp_bringup_ms(bringup.get(g, []))) for g in (1, 2)]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    cache = os.environ.get("MPK_VM_CACHE", harness.DEFAULT_CACHE)
    logdir = os.environ.get("BENCH_LOGDIR")
    if logdir:
        os.makedirs(logdir, exist_ok=True)
    else:
        logdir = tempfile.mkdtemp(prefix="mpkexec-bench.")
    print("logs in %s" % logdir)
    if os.environ.get("BENCH_DRY_RUN"):
        return 0
    img = harness.prepare(cache, os.environ.get("MPKEXEC_BIN", "./mpkexec"))
    fw = harness.firmware_name()
    print("firmware: %s, %d runs" % (fw, n))
    runs = [one_run(cache, img, os.path.join(logdir, "mailbox-%s-%d.log" % (fw, i)))
            for i in range(n)]
    for idx, mode in ((0, "park (INIT-SIPI-SIPI)"), (1, "mailbox (in place)")):
        g = [r[idx][0] for r in runs if r[idx][0] is not None]
        b = [r[idx][1] for r in runs if r[idx][1] is not None]
        print("%-22s AP gather median %.2f ms %s; next kernel SMP bring-up median %.0f ms"
              % (mode, statistics.median(g), g, statistics.median(b)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
