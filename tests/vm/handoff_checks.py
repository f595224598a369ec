# SPDX-License-Identifier: GPL-2.0-only
"""Checks of what a kernel started by mpkexec reports about the AP handoff:
its MADT (parsed here, independently of mpkexec), /proc/iomem, dmesg, the
handoff report (mpkexec --last-handoff --json, record MPK-HANDOFF-JSON),
the plan the previous generation loaded it with (mpkexec --plan --json,
MPK-PLAN-JSON; schemas in docs/json.md) and CPU hotplug; and, for every
generation and loader, what it got of the firmware: EFI (present on OVMF
with generation 0's runtime map and a working GetVariable, absent on
SeaBIOS) and the RSDP it used (check_firmware)."""
import re
import struct

from harness import json_record

SCHEMA_PLAN = "mpkexec-plan/1"
SCHEMA_HANDOFF = "mpkexec-last-handoff/1"

PARK_REGION_SIZE = 0x45000                 # include/mpkexec/park-abi.h (ABI 2)
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


def handoff_report(c, i, g):
    """The generation's handoff report (--last-handoff --json), checked to
    be there, to parse and to have the schema we read; else None."""
    rec = (g.get("HANDOFF-JSON") or [None])[0]
    r = json_record(rec)
    c.check(r is not None and r.get("schema") == SCHEMA_HANDOFF,
            "gen %d --last-handoff --json" % i, SCHEMA_HANDOFF,
            rec and (rec.get("json_error") or rec.get("msg") or
                     (r and r.get("schema"))))
    return r if r is not None and r.get("schema") == SCHEMA_HANDOFF else None


def load_plan(c, i, g):
    """The plan generation i loaded the next one with (--plan --json), checked
    to be there and to have the schema we read; else None."""
    rec = (g.get("PLAN-JSON") or [None])[0]
    p = json_record(rec)
    c.check(p is not None and p.get("schema") == SCHEMA_PLAN,
            "gen %d --plan --json" % i, SCHEMA_PLAN,
            rec and (rec.get("json_error") or rec.get("msg") or
                     (p and p.get("schema"))))
    return p if p is not None and p.get("schema") == SCHEMA_PLAN else None


def report_cpu(r, apic):
    return next((x for x in r["cpus"] if x["apic_id"] == apic), None)


def check_report_matches_plan(c, i, r, plan):
    """What purgatory reports against what the previous generation planned:
    the digests it checked, the RSDP and the park region it handed over."""
    if plan is None:
        return
    want = len(plan["digests"]["ranges"])
    c.check(r["digests_checked"] == want and want >= 1,
            "gen %d report digests: every planned range checked and matched" % i,
            want, r["digests_checked"])
    if r["strategy"] != "park-failed":
        c.check(r["rsdp"] == plan["acpi"]["rsdp"], "gen %d report RSDP is the planned one" % i,
                plan["acpi"]["rsdp"], r["rsdp"])
        c.check(r["park_base"] == (plan["ap_handoff"]["park_base"] or "0x0"),
                "gen %d report park region is the planned one" % i,
                plan["ap_handoff"]["park_base"], r["park_base"])
    c.check(len(r["cpus"]) == len(plan["ap_handoff"]["cpus"]) and
            sorted(x["apic_id"] for x in r["cpus"]) ==
            sorted(x["apic_id"] for x in plan["ap_handoff"]["cpus"]),
            "gen %d report has a record for every planned CPU" % i,
            sorted(x["apic_id"] for x in plan["ap_handoff"]["cpus"]),
            sorted(x["apic_id"] for x in r["cpus"]))


def check_plan(c, i, plan, ncpu, handoff):
    """The plan of a chain generation (one handoff mode): every CPU of the
    MADT listed, one boot CPU, every AP handed over in `handoff` mode and
    offered to the next kernel."""
    if plan is None:
        return
    ap = plan["ap_handoff"]
    c.check(ap["mode"] == handoff, "gen %d plan AP handoff mode" % i, handoff, ap["mode"])
    cpus = ap["cpus"]
    c.check(len(cpus) == ncpu, "gen %d plan lists every CPU" % i, ncpu, len(cpus))
    c.check([x["boot"] for x in cpus].count(True) == 1, "gen %d plan: one boot CPU" % i, 1,
            [x["apic_id"] for x in cpus if x["boot"]])
    aps = [x for x in cpus if not x["boot"]]
    c.check(all(x["handover"] == handoff and x["offered"] for x in aps),
            "gen %d plan: every AP handed over by %s and offered" % (i, handoff), handoff,
            [(x["apic_id"], x["handover"], x["offered"]) for x in aps])


def check_plan_expect(c, i, plan, want):
    """A story generation's plan against `want`: mode, summary (substrings),
    tally, cpus ({APIC ID: (now, handover)}), park_base."""
    if plan is None:
        return
    ap = plan["ap_handoff"]
    if "mode" in want:
        c.check(ap["mode"] == want["mode"], "gen %d plan AP handoff mode" % i, want["mode"],
                ap["mode"])
    for needle in want.get("summary", ()):
        c.check(needle in ap["summary"], "gen %d plan summary says %r" % (i, needle), needle,
                ap["summary"])
    if "tally" in want:
        c.check(ap["tally"] == want["tally"], "gen %d plan tally" % i, want["tally"],
                ap["tally"])
    for apic, (now, how) in sorted(want.get("cpus", {}).items()):
        got = next((x for x in ap["cpus"] if x["apic_id"] == apic), None)
        c.check(got is not None and (got["now"], got["handover"]) == (now, how),
                "gen %d plan CPU %d (now, handover)" % (i, apic), (now, how),
                got and (got["now"], got["handover"], got["now_text"], got["handover_text"]))
    if "park_base" in want:
        c.check(ap["park_base"] == want["park_base"], "gen %d plan park region" % i,
                want["park_base"], ap["park_base"])


def check_load_account(c, i, plan, msgs):
    """The AP account `mpkexec -l` printed (MPK-LOADMSG lines; the init
    script's `read` drops their indentation) is the plan's, line by line."""
    if plan is None:
        return
    ap = plan["ap_handoff"]
    want = ["mpkexec: AP handoff: " + ap["summary"]]
    want += ["%s APIC ID %d: now %s -> %s" % ("boot CPU" if x["boot"] else "AP", x["apic_id"],
                                              x["now_text"], x["handover_text"])
             for x in ap["cpus"]]
    if ap["tally"]:
        want.append(ap["tally"])
    missing = [w for w in want if w not in msgs]
    c.check(not missing, "gen %d -l account matches the plan (%d lines)" % (i, len(want)),
            "every line", missing[:3])
    if plan["warning"]:
        c.check("mpkexec: warning: " + plan["warning"] in msgs,
                "gen %d -l warning is the plan's" % i, plan["warning"], msgs)


def check_region_is_nvs(c, i, g, base):
    """The park region at `base` lies in an ACPI NVS range of /proc/iomem."""
    c.check(any(a <= base and base + PARK_REGION_SIZE - 1 <= b for a, b in ranges(g, "IOMEM")),
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


def summary_row(name, i, kernel, g, firmware, online):
    """One line per generation, what the scenario's checks looked at: EFI
    runtime map entries, the MADT wakeup structure (version, mailbox, and
    whether the mailbox lies in an ACPI NVS range of /proc/iomem), CPUs
    enabled in the MADT and online, and the IPIs purgatory sent (handoff
    report; "-" where there is none: firmware's boot or -s)."""
    m = efi_map(g)
    madt = parse_madt((g.get("APIC") or [{}])[0].get("hex", ""))
    w = madt["wakeup"]
    if w is None:
        wakeup = "none"
    else:
        nvs = any(a <= w[2] <= b for a, b in ranges(g, "IOMEM"))
        wakeup = "v%d@%#x%s" % (w[0], w[2], " in NVS" if nvs else " NOT in NVS")
    r = json_record((g.get("HANDOFF-JSON") or [None])[0])
    ipis = ("%d INIT/%d SIPI %s" % (r["init_ipis"], r["sipi_ipis"], r["strategy"])
            if r is not None and r.get("schema") == SCHEMA_HANDOFF else "-")
    n = 0
    for part in (online or "").split(","):
        if part:
            a, _, b = part.partition("-")
            n += int(b or a) - int(a) + 1
    print("row %s firmware=%s gen=%d kernel=%s efi-map=%s wakeup=%s madt-enabled=%d "
          "online=%d ipis=%s" % (name, firmware, i, kernel, "-" if m is None else len(m),
                                 wakeup, sum(1 for _, f in madt["cpus"] if f & 3), n, ipis))


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
    r = json_record((g.get("HANDOFF-JSON") or [None])[0])
    if r is not None and r.get("schema") == SCHEMA_HANDOFF:
        handed = int(r["rsdp"], 16)
        c.check(addr == handed, "gen %d kernel used the RSDP handed over" % i,
                hex(handed), addr and hex(addr))
    if addr is not None and (firmware != "seabios" or addr != addr0):
        tables = ranges(g, "IOMEM-ACPI")
        c.check(any(a <= addr and addr + 36 - 1 <= b for a, b in tables),
                "gen %d RSDP %#x in an ACPI Tables range (e820 ACPI)" % (i, addr),
                "in one of", [r["range"] for r in g.get("IOMEM-ACPI", [])])


def check_generation(c, i, g, ncpu, handoff, hotplug, plan=None):
    """Checks generation i (started by mpkexec) for `handoff` ("park",
    "init", or "file": loaded with -s, the kernel's own kexec_file_load and
    purgatory, which put the APs in INIT and leave no report); g maps a
    record tag to its list of records; plan is the previous generation's
    --plan --json (None with -s)."""
    aps = ncpu - 1
    madt = parse_madt((g.get("APIC") or [{}])[0].get("hex", ""))
    enabled = [a for a, f in madt["cpus"] if f & 3]
    dmesg = [r["line"] for r in g.get("DMESG", [])]
    c.check(madt["ok"], "gen %d MADT checksum and length" % i, "valid", madt["ok"])
    c.check(len(enabled) == ncpu, "gen %d MADT CPUs enabled" % i, ncpu, len(enabled))
    c.check(any("smp: Brought up 1 node, %d CPUs" % ncpu in l for l in dmesg),
            "gen %d dmesg brought up" % i, "%d CPUs" % ncpu, dmesg)
    if handoff == "file":
        c.check(madt["wakeup"] is None, "gen %d MADT has no wakeup structure" % i,
                None, madt["wakeup"])
        rec = (g.get("HANDOFF-JSON") or [{}])[0]
        c.check(rec.get("rc") == "66" and "no mpkexec report" in rec.get("msg", ""),
                "gen %d no mpkexec handoff report (kexec_file_load)" % i,
                "rc=66 no mpkexec report", (rec.get("rc"), rec.get("msg")))
        return
    r = handoff_report(c, i, g)
    if r is None:
        return
    c.check(r["digests_checked"] >= 1, "gen %d report digests" % i, ">= 1 checked, all matched",
            r["digests_checked"])
    check_report_matches_plan(c, i, r, plan)
    if handoff == "init":
        c.check(madt["wakeup"] is None, "gen %d MADT has no wakeup structure" % i,
                None, madt["wakeup"])
        c.check(r["strategy"] == "init", "gen %d report strategy" % i, "init", r["strategy"])
        c.check((r["init_ipis"], r["sipi_ipis"]) == (aps, 0), "gen %d report IPIs" % i,
                (aps, 0), (r["init_ipis"], r["sipi_ipis"]))
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
    c.check(r["strategy"] == "park", "gen %d report strategy" % i, "park", r["strategy"])
    c.check((r["init_ipis"], r["sipi_ipis"]) == (aps, 2 * aps), "gen %d report IPIs" % i,
            (aps, 2 * aps), (r["init_ipis"], r["sipi_ipis"]))
    parked = [x["apic_id"] for x in r["cpus"] if x["outcome"] == "parked-init-sipi"]
    c.check(len(parked) == aps and r["self_apic_id"] not in parked,
            "gen %d report: every AP parked" % i, aps,
            [(x["apic_id"], x["outcome_text"]) for x in r["cpus"]])
    c.check(int(r["park_base"], 16) == mbox, "gen %d report park region is the MADT mailbox" % i,
            hex(mbox), r["park_base"])
    now = r.get("park_now")
    c.check(now is not None and int(now["region_base"], 16) == mbox,
            "gen %d park status table (MPKP) names the MADT mailbox" % i, hex(mbox),
            now and now["region_base"] or r.get("park_now_error"))
    woken = [x["apic_id"] for x in (now or {}).get("cpus", [])
             if x["state"] == "woken" and x["wakeups"] >= 1]
    c.check(sorted(woken) == sorted(parked), "gen %d every AP woken through the mailbox" % i,
            sorted(parked), [(x["apic_id"], x["state"], x["wakeups"])
                             for x in (now or {}).get("cpus", [])])
    if hotplug:
        rounds = g.get("HOTPLUG", [])
        good = [r for r in rounds if r.get("offline") == "0" and
                r.get("online") == "0-%d" % (ncpu - 1)]
        c.check(len(good) == hotplug, "gen %d hotplug rounds (offline 1-3, online again)" % i,
                hotplug, [(r.get("offline"), r.get("online")) for r in rounds])
        done = (g.get("HOTPLUG-DONE") or [{}])[0]
        c.check(done.get("failed") == "0", "gen %d no 'Failed to hand over CPU'" % i, 0,
                done.get("failed"))


def check_story_generation(c, i, g, exp, prev_region, plan=None):
    """Checks generation i of a story chain (scenario.story_test) against
    exp: brought (CPUs Linux brought up), enabled (APIC IDs enabled in its
    MADT), wakeup (MADT wakeup version, None for no structure), strategy
    (report key), ipis ((INIT, SIPI)), outcomes ({APIC ID: outcome key, or
    words of its outcome_text}), region ("same" or "new" relative to
    prev_region); plan is the previous generation's --plan --json.  Returns
    the park region the report's status table names."""
    madt = parse_madt((g.get("APIC") or [{}])[0].get("hex", ""))
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
    r = handoff_report(c, i, g)
    if r is None:
        return None
    c.check(r["digests_checked"] >= 1, "gen %d report digests" % i, ">= 1 checked, all matched",
            r["digests_checked"])
    check_report_matches_plan(c, i, r, plan)
    c.check(r["strategy"] == exp["strategy"], "gen %d report strategy" % i, exp["strategy"],
            r["strategy"])
    c.check((r["init_ipis"], r["sipi_ipis"]) == tuple(exp["ipis"]), "gen %d report IPIs" % i,
            tuple(exp["ipis"]), (r["init_ipis"], r["sipi_ipis"]))
    for apic, outcome in sorted(exp.get("outcomes", {}).items()):
        got = report_cpu(r, apic)
        c.check(got is not None and (got["outcome"] == outcome or
                                     outcome in got["outcome_text"]),
                "gen %d report CPU %d outcome" % (i, apic), outcome,
                got and (got["outcome"], got["outcome_text"]))
    now = r.get("park_now")
    region = int(now["region_base"], 16) if now else None
    if now:
        c.check(now["is_reported_region"], "gen %d park status table is the reported region" % i,
                r["park_base"], now["region_base"])
    w = madt["wakeup"]
    if exp.get("wakeup") is None:
        c.check(w is None, "gen %d MADT has no wakeup structure" % i, None, w)
        return region
    c.check(w is not None and w[0] == exp["wakeup"] and w[1] == (24 if exp["wakeup"] else 16),
            "gen %d MADT wakeup structure v%d" % (i, exp["wakeup"]),
            "version %d" % exp["wakeup"], w)
    if w is None or region is None:
        c.check(region is not None, "gen %d report names the park region" % i,
                "park_now.region_base", r.get("park_now_error"))
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
