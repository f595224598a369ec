#!/usr/bin/env python3
"""The README demo: a QEMU VM boots Debian's 6.1, mpkexec loads 6.12 and
kexecs into it; prints a short account of what happened."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def main():
    cache = os.environ.get("MPK_VM_CACHE", harness.DEFAULT_CACHE)
    mpk = os.environ.get("MPKEXEC_BIN", "./mpkexec")
    log = os.path.abspath("demo.serial.log")
    initramfs = harness.prepare(cache, mpk)
    print("demo: booting 6.1 in QEMU (TCG, 4 CPUs); it loads 6.12 with "
          "mpkexec and kexecs (about a minute)...", flush=True)
    res = harness.run(cache, initramfs, "6.1,6.12", "chain", "mpkexec",
                      "--console-serial", log, 300)
    for t, text in res.lines:
        if text.startswith(("MPK-GEN", "MPK-EXEC", "mpkexec purgatory:")):
            if text.startswith("MPK-GEN"):
                r = next(x for x in res.records if x.get("tag") == "GEN"
                         and x.get("gen") == text.split()[1].split("=")[1])
                print("  generation %s: Linux %s, CPUs online %s" % (
                    r["gen"], r["release"], r["online"]))
            elif text == "MPK-EXEC":
                print("  mpkexec -e")
            else:
                print("    " + text)
    for l in res.latencies:
        print("  handoff: %.1f s from 'mpkexec -e' to the next kernel's first "
              "line (TCG emulation)" % (l["ms"] / 1000.0))
    print("  serial log: " + log)
    if not res.ok:
        print("demo FAILED: " + (res.error or "?"))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
