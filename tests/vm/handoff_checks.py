"""Checks of what a kernel started by mpkexec reports about the AP handoff:
its MADT (parsed here, independently of mpkexec), /proc/iomem, dmesg, the
handoff report (mpkexec --last-handoff) and CPU hotplug; and, for every
generation and loader, what it got of the firmware: EFI (present on OVMF
with generation 0's runtime map and a working GetVariable, absent on
SeaBIOS) and the RSDP it used (check_firmware)."""
import re
import struct

PARK_REGION_SIZE = 0x9000 + 1024 * 32      # include/mpkexec/park-abi.h
PARK_RESET_VECTOR = 0x1000 + 0x20


def parse_madt(hexstr):
    """-> dict(ok, cpus=[(apic_id, flags)], wakeup=None|(version, length,
    mailbox, reset)); ok is False on a bad checksum or length."""
    t = bytes.fromhex(hexstr)
    out = {"ok": False, "cpus": [], "wakeup": None}
    if len(t) < 44 or t[:4] != b"APIC":
        return out
    length = struct.unpack_from("<I", t, 4)[0]
    out["ok"] = length == len(t) and sum(t) % 256 == 0
    off = 44
    while off + 2 <= min(length, len(t)):
        typ, elen = t[off], t[off + 1]
        if elen < 2:
            out["ok"] = False
            break
        if typ == 0 and elen >= 8:
            out["cpus"].append((t[off + 3], struct.unpack_from("<I", t, off + 4)[0]))
        elif typ == 9 and elen >= 16:
            aid, flags = struct.unpack_from("<II", t, off + 4)
            out["cpus"].append((aid, flags))
        elif typ == 0x10 and elen >= 16 and out["wakeup"] is None:
            ver = struct.unpack_from("<H", t, off + 2)[0]
            mbox = struct.unpack_from("<Q", t, off + 8)[0]
            reset = struct.unpack_from("<Q", t, off + 16)[0] if elen >= 24 else None
            out["wakeup"] = (ver, elen, mbox, reset)
        off += elen
    return out


def smp_bringup_ms(dmesg_lines):
    """Kernel time from 'smp: Bringing up secondary CPUs' to 'smp: Brought
    up', in ms, or None."""
    t0 = t1 = None
    for l in dmesg_lines:
        m = re.match(r"\[\s*([0-9.]+)\]", l)
        if not m:
            continue
        if "Bringing up secondary CPUs" in l:
            t0 = float(m.group(1))
        elif "smp: Brought up" in l:
            t1 = float(m.group(1))
    return None if t0 is None or t1 is None else (t1 - t0) * 1000.0


def check_region_is_nvs(c, i, g, base):
    """The park region at `base` lies in an ACPI NVS range of /proc/iomem."""
    nvs = [tuple(int(x, 16) for x in r["range"].split("-")) for r in g.get("IOMEM", [])]
    c.check(any(a <= base and base + PARK_REGION_SIZE - 1 <= b for a, b in nvs),
            "gen %d park region is ACPI NVS in /proc/iomem" % i,
            "%#x-%#x" % (base, base + PARK_REGION_SIZE - 1),
            [r["range"] for r in g.get("IOMEM", [])])


def efi_map(g):
    """The runtime map of an MPK-EFI record: sorted (type, phys, virt, pages,
    attribute) tuples, or None."""
    m = (g.get("EFI") or [{}])[0].get("map", "none")
    if m == "none":
        return None
    return sorted(tuple(e.split(":")) for e in m.split(","))


def rsdp(g):
    """The RSDP address the kernel used (dmesg "ACPI: RSDP 0x..."), or None."""
    for r in g.get("DMESG", []):
        m = re.search(r"ACPI: RSDP 0x([0-9A-Fa-f]+)", r["line"])
        if m:
            return int(m.group(1), 16)
    return None


def ranges(g, tag):
    return [tuple(int(x, 16) for x in r["range"].split("-")) for r in g.get(tag, [])]


def check_firmware(c, i, g, firmware, g0):
    """What generation i got of the firmware, for any loader and handoff; g0
    is generation 0's records (i == 0: g itself).
    seabios: no EFI.  ovmf: EFI present, the runtime map (every field of
    every entry) and one EFI variable, read through efivarfs, i.e. the
    GetVariable runtime service, the same as in generation 0.
    Both: the RSDP the kernel used lies in an "ACPI Tables" (e820 ACPI)
    range if it is not firmware's (generation 0's); on OVMF always (firmware
    puts its tables there, SeaBIOS its RSDP in the F segment)."""
    efi = (g.get("EFI") or [{}])[0]
    var = (g.get("EFIVAR") or [{}])[0]
    if firmware == "seabios":
        c.check(efi.get("present") == "0", "gen %d EFI absent (SeaBIOS)" % i, "present=0",
                efi.get("present"))
    else:
        c.check(efi.get("present") == "1", "gen %d EFI present (%s)" % (i, firmware),
                "present=1", efi.get("present"))
        m, m0 = efi_map(g), efi_map(g0)
        if i == 0:
            c.check(m is not None, "gen 0 EFI runtime map", "entries", efi.get("map"))
            c.check("hex" in var, "gen 0 EFI variable read (GetVariable)",
                    "name=... hex=...", var.get("msg"))
        else:
            c.check(m is not None and m == m0,
                    "gen %d EFI runtime map identical to gen 0's" % i,
                    "gen 0's %s entries" % (m0 and len(m0)),
                    efi.get("map") if m is None or m0 is None else
                    "%d entries, differing: %s" % (len(m), sorted(set(m) ^ set(m0))))
            var0 = (g0.get("EFIVAR") or [{}])[0]
            want = var0.get("name"), var0.get("hex")
            c.check("hex" in var and (var.get("name"), var.get("hex")) == want,
                    "gen %d EFI variable read (GetVariable), same bytes as gen 0" % i,
                    "%s=%s" % want, " ".join("%s=%s" % (k, var[k]) for k in
                                             ("name", "hex", "msg") if k in var))
    addr, addr0 = rsdp(g), rsdp(g0)
    c.check(addr is not None, "gen %d dmesg names the RSDP" % i, "ACPI: RSDP 0x...", addr)
    # The RSDP purgatory put in acpi_rsdp_addr is the one the kernel used,
    # not the one EFI's configuration table names.
    handed = [re.search(r"RSDP handed over: (0x[0-9a-f]+)", r["line"])
              for r in g.get("HANDOFF", [])]
    handed = [int(m.group(1), 16) for m in handed if m]
    if handed:
        c.check(addr == handed[0], "gen %d kernel used the RSDP handed over" % i,
                hex(handed[0]), addr and hex(addr))
    if addr is not None and (firmware != "seabios" or addr != addr0):
        tables = ranges(g, "IOMEM-ACPI")
        c.check(any(a <= addr and addr + 36 - 1 <= b for a, b in tables),
                "gen %d RSDP %#x in an ACPI Tables range (e820 ACPI)" % (i, addr),
                "in one of", [r["range"] for r in g.get("IOMEM-ACPI", [])])


def check_generation(c, i, g, ncpu, handoff, hotplug):
    """Checks generation i (started by mpkexec) for `handoff` ("park",
    "init", or "file": loaded with -s, the kernel's own kexec_file_load and
    purgatory, which put the APs in INIT and leave no report); g maps a
    record tag to its list of records."""
    aps = ncpu - 1
    madt = parse_madt((g.get("APIC") or [{}])[0].get("hex", ""))
    enabled = [a for a, f in madt["cpus"] if f & 3]
    report = [r["line"] for r in g.get("HANDOFF", [])]
    text = "\n".join(report)
    dmesg = [r["line"] for r in g.get("DMESG", [])]
    c.check(madt["ok"], "gen %d MADT checksum and length" % i, "valid", madt["ok"])
    c.check(len(enabled) == ncpu, "gen %d MADT CPUs enabled" % i, ncpu, len(enabled))
    c.check(any("smp: Brought up 1 node, %d CPUs" % ncpu in l for l in dmesg),
            "gen %d dmesg brought up" % i, "%d CPUs" % ncpu, dmesg)
    if handoff == "file":
        c.check(madt["wakeup"] is None, "gen %d MADT has no wakeup structure" % i,
                None, madt["wakeup"])
        c.check(all("no mpkexec report" in l for l in report[:1]),
                "gen %d no mpkexec handoff report (kexec_file_load)" % i,
                "no report", report[:2])
        return
    c.check("digests:" in text and "all matched" in text,
            "gen %d report digests" % i, "all matched", report[:3])
    if handoff == "init":
        c.check(madt["wakeup"] is None, "gen %d MADT has no wakeup structure" % i,
                None, madt["wakeup"])
        c.check("strategy: init" in text, "gen %d report strategy" % i, "init", report[:2])
        c.check("IPIs sent: %d INIT, 0 SIPI" % aps in text, "gen %d report IPIs" % i,
                "%d INIT, 0 SIPI" % aps, [l for l in report if "IPIs" in l])
        return
    w = madt["wakeup"]
    c.check(w is not None and w[0] == 1 and w[1] == 24,
            "gen %d MADT wakeup structure v1" % i, "(1, 24, ...)", w)
    if w is None:
        return
    mbox, reset = w[2], w[3]
    c.check(reset == mbox + PARK_RESET_VECTOR, "gen %d MADT ResetVector" % i,
            hex(mbox + PARK_RESET_VECTOR), reset and hex(reset))
    check_region_is_nvs(c, i, g, mbox)
    c.check("strategy: park" in text, "gen %d report strategy" % i, "park", report[:2])
    c.check("IPIs sent: %d INIT, %d SIPI" % (aps, 2 * aps) in text,
            "gen %d report IPIs" % i, "%d INIT, %d SIPI" % (aps, 2 * aps),
            [l for l in report if "IPIs" in l])
    parked = [l for l in report if "parked via INIT-SIPI-SIPI" in l]
    c.check(len(parked) == aps, "gen %d report: every AP parked" % i, aps, len(parked))
    c.check("park region now: %#x" % mbox in text, "gen %d report names the MADT mailbox" % i,
            hex(mbox), [l for l in report if "park region now" in l])
    woken = [l for l in report if "woken by mailbox" in l and not l.endswith(" 0 wakeups")]
    c.check(len(woken) == aps, "gen %d every AP woken through the mailbox" % i, aps,
            [l for l in report if "APIC ID" in l and "wakeups" in l])
    if hotplug:
        rounds = g.get("HOTPLUG", [])
        good = [r for r in rounds if r.get("offline") == "0" and
                r.get("online") == "0-%d" % (ncpu - 1)]
        c.check(len(good) == hotplug, "gen %d hotplug rounds (offline 1-3, online again)" % i,
                hotplug, [(r.get("offline"), r.get("online")) for r in rounds])
        done = (g.get("HOTPLUG-DONE") or [{}])[0]
        c.check(done.get("failed") == "0", "gen %d no 'Failed to hand over CPU'" % i, 0,
                done.get("failed"))


def report_region(report):
    """The park region the handoff report names ("park region now: 0x...")."""
    for l in report:
        m = re.match(r"park region now: (0x[0-9a-f]+)", l)
        if m:
            return int(m.group(1), 16)
    return None


def check_story_generation(c, i, g, exp, prev_region):
    """Checks generation i of a story chain (scenario.story_test) against
    exp: brought (CPUs Linux brought up), enabled (APIC IDs enabled in its
    MADT), wakeup (MADT wakeup version, None for no structure), strategy,
    ipis ((INIT, SIPI)), outcomes ({APIC ID: outcome text}), region ("same"
    or "new" relative to prev_region).  Returns the region it saw."""
    madt = parse_madt((g.get("APIC") or [{}])[0].get("hex", ""))
    report = [r["line"] for r in g.get("HANDOFF", [])]
    text = "\n".join(report)
    dmesg = [r["line"] for r in g.get("DMESG", [])]
    enabled = sorted(a for a, f in madt["cpus"] if f & 3)
    c.check(madt["ok"] or (exp.get("wakeup") == 0 and madt["wakeup"] is not None
                           and madt["wakeup"][2] == 0),
            "gen %d MADT checksum and length (a v0 mailbox Linux zeroed excepted)" % i,
            "valid", madt["ok"])
    c.check(enabled == sorted(exp["enabled"]), "gen %d MADT CPUs enabled" % i,
            sorted(exp["enabled"]), enabled)
    c.check(any("smp: Brought up 1 node, %d CPU" % exp["brought"] in l for l in dmesg),
            "gen %d dmesg brought up" % i, "%d CPUs" % exp["brought"], dmesg)
    c.check("all matched" in text, "gen %d report digests" % i, "all matched", report[:3])
    c.check("strategy: %s" % exp["strategy"] in text, "gen %d report strategy" % i,
            exp["strategy"], [l for l in report if l.startswith("strategy")])
    want = "IPIs sent: %d INIT, %d SIPI" % exp["ipis"]
    c.check(want in text, "gen %d report IPIs" % i, want, [l for l in report if "IPIs" in l])
    # the per-CPU outcomes: after "purgatory ran on ...", before "park region now"
    start = next((n for n, l in enumerate(report) if l.startswith("purgatory ran on")),
                 len(report))
    stop = next((n for n, l in enumerate(report) if l.startswith("park region now")),
                len(report))
    for apic, outcome in sorted(exp.get("outcomes", {}).items()):
        line = next((l for l in report[start:stop]
                     if l.strip().startswith("APIC ID %d: " % apic)), None)
        c.check(line is not None and outcome in line,
                "gen %d report CPU %d outcome" % (i, apic), outcome, line)
    w = madt["wakeup"]
    region = report_region(report)
    if exp.get("wakeup") is None:
        c.check(w is None, "gen %d MADT has no wakeup structure" % i, None, w)
        return region
    c.check(w is not None and w[0] == exp["wakeup"] and w[1] == (24 if exp["wakeup"] else 16),
            "gen %d MADT wakeup structure v%d" % (i, exp["wakeup"]),
            "version %d" % exp["wakeup"], w)
    if w is None or region is None:
        c.check(region is not None, "gen %d report names the park region" % i,
                "park region now: ...", report[-6:])
        return region
    if exp.get("mailbox_zeroed"):
        # Linux >= 6.11 with a v0 mailbox: offlining off, address cleared
        c.check(w[2] == 0, "gen %d MADT mailbox address cleared by Linux (v0)" % i, 0, hex(w[2]))
    else:
        c.check(w[2] == region, "gen %d MADT mailbox is the park region" % i, hex(region),
                hex(w[2]))
    if exp["wakeup"] == 1:
        c.check(w[3] == region + PARK_RESET_VECTOR, "gen %d MADT ResetVector" % i,
                hex(region + PARK_RESET_VECTOR), w[3] and hex(w[3]))
    check_region_is_nvs(c, i, g, region)
    if exp.get("region") == "same":
        c.check(region == prev_region, "gen %d park region reused in place" % i,
                prev_region and hex(prev_region), hex(region))
    elif exp.get("region") == "new":
        c.check(region != prev_region, "gen %d park region moved" % i,
                "not %s" % (prev_region and hex(prev_region)), hex(region))
    if exp.get("region_at") is not None:
        c.check(region == exp["region_at"], "gen %d park region at --park-addr" % i,
                hex(exp["region_at"]), hex(region))
    return region
