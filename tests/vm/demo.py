#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The README demo: QEMU VMs boot Debian's 6.1, once from SeaBIOS and once
from UEFI firmware (OVMF); mpkexec loads 6.12 and kexecs into it; prints a
short account of each."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import handoff_checks  # noqa: E402
import harness  # noqa: E402


def account(res):
    gen = None
    for t, text in res.lines:
        rec = harness.parse_record(text, t)
        if text.startswith("mpkexec purgatory:"):
            print("    " + text)
        if not rec:
            continue
        if rec["tag"] == "GEN":
            gen = rec["gen"]
            print("  generation %s: Linux %s, CPUs online %s" % (
                gen, rec["release"], rec["online"]))
        elif rec["tag"] == "EFI" and rec.get("present") == "1":
            m = rec.get("map", "none")
            print("    EFI runtime services: yes, runtime map of %d entries" % (
                0 if m == "none" else len(m.split(","))))
        elif rec["tag"] == "EFI":
            print("    EFI: none (BIOS boot)")
        elif rec["tag"] == "APIC" and gen != "0":
            w = handoff_checks.parse_madt(rec.get("hex", ""))["wakeup"]
            print("    MADT: %s" % ("wakeup mailbox v%d at %#x (the park region)" % (w[0], w[2])
                                    if w else "no wakeup structure"))
        elif rec["tag"] == "HANDOFF" and rec.get("line", "").startswith(("strategy", "IPIs")):
            print("    " + rec["line"])
        elif rec["tag"] == "EXEC":
            print("  mpkexec -e")
    for l in res.latencies:
        print("  handoff: %.1f s from 'mpkexec -e' to the next kernel's first "
              "line (TCG emulation)" % (l["ms"] / 1000.0))


def main():
    cache = os.environ.get("MPK_VM_CACHE", harness.DEFAULT_CACHE)
    mpk = os.environ.get("MPKEXEC_BIN", "./mpkexec")
    initramfs = harness.prepare(cache, mpk)
    rc = 0
    for fw, what in (("seabios", "SeaBIOS"), ("ovmf", "UEFI firmware (OVMF)")):
        log = os.path.abspath("demo-%s.serial.log" % fw)
        print("demo: %s boots 6.1 in QEMU (TCG, 4 CPUs); it loads 6.12 with mpkexec "
              "and kexecs (under a minute)..." % what, flush=True)
        res = harness.run(cache, initramfs, "6.1,6.12", "chain", "mpkexec",
                          "--console-serial", log, 300, firmware=fw)
        account(res)
        print("  serial log: " + log)
        if not res.ok:
            print("demo FAILED: " + (res.error or "?"))
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
