#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Writes the seed corpora of fuzz_madt, fuzz_census, fuzz_memmap and
fuzz_cpuinfo (tests/fuzz/corpus/<target>/seed-*) from the real fixtures in
tests/unit/fixtures, in each target's input format (see the comment at the
top of tests/fuzz/fuzz_<target>.c).  Run from the source tree's top:
    python3 tests/fuzz/make-seeds.py
Files the fuzzer found (other names) are left alone."""
import os
import struct

FIX = "tests/unit/fixtures"
OUT = "tests/fuzz/corpus"

REGION = 0x3E760000
FW_MBOX = 0x3F000000
PARK_REGION_SIZE = 0x45000


def rd(path):
    with open(os.path.join(FIX, path), "rb") as f:
        return f.read()


def wr(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    with open(os.path.join(OUT, target, "seed-" + name), "wb") as f:
        f.write(data)


def checksum_fix(t):
    t = bytearray(t)
    t[9] = 0
    t[9] = (-sum(t)) & 0xFF
    return bytes(t)


def with_wakeup(madt, mailbox, version, reset=0):
    """The MADT with a wakeup structure appended (what mpkexec gives)."""
    n = struct.unpack_from("<I", madt, 4)[0]
    body = madt[:n]
    if version:
        w = struct.pack("<BBHIQQ", 0x10, 24, version, 0, mailbox, reset)
    else:
        w = struct.pack("<BBHIQ", 0x10, 16, 0, 0, mailbox)
    t = bytearray(body + w)
    struct.pack_into("<I", t, 4, len(t))
    return checksum_fix(t)


def mpkp(base, ids, states, abi=1, version=1):
    """The MPKP status table a park region exports (include/mpkexec/park-abi.h)."""
    n = len(ids)
    t = bytearray(0x40 + 32 * n)
    t[0:4] = b"MPKP"
    struct.pack_into("<I", t, 4, len(t))
    t[8] = 1
    t[10:16] = b"MPKEXC"
    struct.pack_into("<IIQQ", t, 36, abi, n, base, version)
    for i, (a, s) in enumerate(zip(ids, states)):
        struct.pack_into("<IIII", t, 0x40 + 32 * i, a, s, 3 if s else 0, 0)
    return checksum_fix(t)


APICS = {
    "q35": "q35-sysroot/sys/firmware/acpi/tables/APIC",
    "ovmf": "ovmf-sysroot/sys/firmware/acpi/tables/APIC",
    "i440fx": "i440fx-APIC",
    "x2apic": "madt-x2apic.aml",
    "flags": "madt-flags.aml",
}


def madt_seeds():
    def hdr(flags, boot=0, region=0, mailbox=FW_MBOX, reset=0, where=0x0123456789ABCDEF):
        return struct.pack("<BBHIQQQ", flags, boot, 0, region, mailbox, reset, where)

    q35 = rd(APICS["q35"])
    wr("madt", "q35-v0", hdr(0) + q35)
    wr("madt", "q35-v1-plan", hdr(1 | 8 | 32, reset=FW_MBOX + 0x1020) + q35)
    wr("madt", "q35-v1-in-place", hdr(1 | 8 | 16 | 32 | 64, region=REGION, mailbox=REGION) + q35)
    wr("madt", "q35-park-addr", hdr(8 | 128, region=0x20000000) + q35)
    wr("madt", "q35-mailbox-above-4g", hdr(1 | 8, mailbox=0x100000000) + q35)
    wr("madt", "q35-with-wakeup", hdr(1 | 2 | 4 | 8) + with_wakeup(q35, FW_MBOX, 1, FW_MBOX + 0x800))
    wr("madt", "ovmf-v1-plan", hdr(1 | 8 | 32, boot=2) + rd(APICS["ovmf"]))
    wr("madt", "i440fx-plan", hdr(8, boot=1, where=0xFFFFFFFFFFFFFFFF) + rd(APICS["i440fx"]))
    wr("madt", "x2apic-plan", hdr(1 | 8 | 32) + rd(APICS["x2apic"]))
    wr("madt", "flags-plan", hdr(1 | 8 | 16 | 64, region=REGION) + rd(APICS["flags"]))


def census_seeds():
    q35 = rd(APICS["q35"])
    ids = [0, 1, 2, 3]
    nvs_map = [(0x100000, REGION, 1), (REGION, REGION + PARK_REGION_SIZE, 4),
               (REGION + PARK_REGION_SIZE, 0x3FFE0000, 1)]

    def inp(flags, boot, online, release, mmap, run, fw, tail):
        b = bytes([flags, boot, len(online)]) + bytes(online)
        b += bytes([len(release)]) + release
        b += bytes([len(mmap)]) + b"".join(struct.pack("<QQB", *r) for r in mmap)
        b += struct.pack("<H", len(run)) + run + struct.pack("<H", len(fw)) + fw
        return b + tail

    rel612, rel61 = b"6.12.117+deb12-amd64", b"6.1.0-56-amd64"
    run_v1 = with_wakeup(q35, REGION, 1, REGION + 0x1020)
    run_v0 = with_wakeup(q35, 0, 0)  # Linux >= 6.11 clears a v0 mailbox
    wr("census", "612-in-place",
       inp(6, 0, [0, 1, 3], rel612, nvs_map, run_v1, q35, mpkp(REGION, ids, [0, 2, 1, 2])))
    wr("census", "61-halts",
       inp(6, 0, [0, 1, 2], rel61, nvs_map, run_v1, q35, mpkp(REGION, ids, [0, 2, 2, 1])))
    wr("census", "v0-zeroed-mpkp",
       inp(6, 0, [0, 1], rel612, nvs_map, run_v0, q35, mpkp(REGION, ids, [0, 2, 1, 1], version=0)))
    wr("census", "not-nvs",
       inp(6, 0, [0, 1], rel612, [(0x100000, 0x3FFE0000, 1)], run_v1, q35,
           mpkp(REGION, ids, [0, 2, 2, 0])))
    wr("census", "abi-2",
       inp(6, 0, [0], rel612, nvs_map, run_v1, q35, mpkp(REGION, ids, [0, 1, 1, 1], abi=2)))
    wr("census", "fw-mailbox-only",
       inp(4, 0, [0], rel612, nvs_map, b"", with_wakeup(q35, FW_MBOX, 1, FW_MBOX + 0x800), b""))
    wr("census", "no-mailbox", inp(6, 1, [0, 1, 2, 3], rel61, [], q35, q35, b""))


def memmap_seeds():
    for sysroot, n in (("q35-sysroot", 9), ("ovmf-sysroot", 16)):
        entries = b""
        for i in range(n):
            d = "%s/sys/firmware/memmap/%d/" % (sysroot, i)
            entries += rd(d + "start") + rd(d + "end") + rd(d + "type")
        name = sysroot.split("-")[0]
        wr("memmap", name + "-iomem-and-sysfs", rd(sysroot + "/proc/iomem") + b"\0" + entries)
    wr("memmap", "iomem-nonroot", rd("iomem-nonroot.txt"))


def cpuinfo_seeds():
    q35 = rd("q35-sysroot/proc/cpuinfo")
    wr("cpuinfo", "q35", q35)
    wr("cpuinfo", "ovmf", rd("ovmf-sysroot/proc/cpuinfo"))
    wr("cpuinfo", "tdx-flag-meminfo",
       q35.replace(b"vmmcall\n", b"vmmcall tdx_guest\n", 1) +
       b"MemTotal:        1004112 kB\nUnaccepted:       524288 kB\n")


def sysfs_map(sysroot):
    m, i = [], 0
    while os.path.exists(os.path.join(FIX, sysroot, "sys/firmware/memmap/%d" % i)):
        d = "%s/sys/firmware/memmap/%d/" % (sysroot, i)
        start, end = int(rd(d + "start"), 0), int(rd(d + "end"), 0)
        t = {b"System RAM": 1, b"Reserved": 2, b"ACPI Tables": 3,
             b"ACPI Non-volatile Storage": 4}.get(rd(d + "type").strip(), 2)
        m.append((start, min(end + 1, 2**64 - 1), t))
        i += 1
    return m


def plan_seeds():
    q35 = rd(APICS["q35"])

    def inp(flags, mmap, madt, online=(0, 1, 2, 3), kimg=(0x1000000, 0x4400000),
            park_addr=0, initrd=0, release=b"6.12.117+deb12-amd64", boot=0, tail=b""):
        b = bytes([flags, boot, len(mmap)]) + b"".join(struct.pack("<QQB", *r) for r in mmap)
        b += bytes([len(online)]) + bytes(online) + struct.pack("<QQII", *kimg, park_addr, initrd)
        b += bytes([len(release)]) + release + struct.pack("<H", len(madt)) + madt
        return b + tail

    qmap = sysfs_map("q35-sysroot")
    omap = sysfs_map("ovmf-sysroot")
    wr("plan", "q35-init", inp(2 | 32, qmap, q35))
    wr("plan", "q35-park-initrd", inp(1 | 16 | 32, qmap, q35, initrd=3 << 18))
    wr("plan", "q35-auto-noverify", inp(0 | 128, qmap, q35))
    wr("plan", "q35-mailbox-v1", inp(3 | 4 | 32, qmap, q35))
    wr("plan", "q35-tdx-auto-park-addr", inp(8 | 32, qmap, q35, park_addr=0x20000000))
    wr("plan", "ovmf-park", inp(1 | 32, omap, rd(APICS["ovmf"]), kimg=(0x3000000, 0x5000000)))
    wr("plan", "ovmf-mailbox-x2apic", inp(3 | 16, omap, rd(APICS["x2apic"]), initrd=4096))
    # a kernel mpkexec started on a park region, its CPUs parked there
    nvs = [(0x100000, REGION, 1), (REGION, REGION + PARK_REGION_SIZE, 4),
           (REGION + PARK_REGION_SIZE, 0x3FFE0000, 1)]
    run_v1 = with_wakeup(q35, REGION, 1, REGION + 0x1020)
    wr("plan", "mailbox-in-place",
       inp(3 | 4 | 32 | 64, nvs, run_v1, online=(0, 1), tail=mpkp(REGION, [0, 1, 2, 3], [0, 2, 1, 1])))
    wr("plan", "auto-migrate-not-nvs",
       inp(0 | 4 | 64, [(0, 0x9F000, 1), (0x100000, 0x3FFE0000, 1)], run_v1, online=(0, 3),
           release=b"6.1.0-56-amd64", tail=mpkp(REGION, [0, 1, 2, 3], [0, 1, 2, 1])))


if __name__ == "__main__":
    plan_seeds()
    madt_seeds()
    census_seeds()
    memmap_seeds()
    cpuinfo_seeds()
