#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Static check of the park code page's interrupt handling (issue 10).

Reads the assembled page (park.bin), its two IDTs and the offsets of
include/mpkexec/park-abi.h, disassembles the instructions (up to
PARK_CODE_TEXT_END) and follows every control-flow path:

 1. From each entry (SIPI, migrate, ResetVector): before any instruction
    other than `mov $imm,%ebp`, a direct jmp, cli and lgdt, the ENTRY IDT is
    loaded (lidt of PARK_CODE_IDT_ENTRY_DESC) and then RSP is set; on every
    path the loop is reached only through an IRETQ executed after the LOOP
    IDT is loaded (lidt of PARK_CODE_IDT_LOOP_DESC) and after RSP was set
    again (the CPU's own stack); no path from an entry reaches the loop
    code directly; every other path ends in a PAUSE spin.
 2. Every gate of both IDTs is present, 64-bit interrupt gate, selector
    0x10, and points into the code.  LOOP IDT vector 2 (NMI) is exactly one
    IRETQ (so it changes no register and unblocks NMIs).  Every other
    vector of both IDTs re-enters park_common (the code at the entry
    PARK_RESET_VECTOR falls into) without reading memory through RSP.
 3. No instruction anywhere in the code is forbidden on the mailbox/TDX
    path (port I/O, HLT, MWAIT/MONITOR, MSR access, VMCALL, INT, WBINVD...).

Exit 0 when all hold, 1 with FAIL lines otherwise.  --selftest-break KIND
patches the page in memory first (drop-lidt: the first lidt of the entry
path becomes NOPs; nmi-not-iret: the NMI gate points at the MCE handler)
and expects the check to fail: the checker must be able to fail.
"""
import argparse
import re
import struct
import subprocess
import sys
import tempfile

FORBIDDEN = re.compile(r"^(in|out|ins[bwl]?|outs[bwl]?|hlt|mwait|monitor|rdmsr|wrmsr|vmcall|"
                       r"wbinvd|invd|int|int3|into|sti|ltr|rdpmc|xsetbv|sysret|sysexit)$")


def header_consts(path):
    consts = {}
    for line in open(path):
        m = re.match(r"#define\s+(PARK_\w+)\s+(0x[0-9a-fA-F]+|\d+)\b", line)
        if m:
            consts[m.group(1)] = int(m.group(2), 0)
    return consts


def disassemble(page, stop):
    with tempfile.NamedTemporaryFile(suffix=".bin") as f:
        f.write(page)
        f.flush()
        out = subprocess.run(["objdump", "-D", "-b", "binary", "-m", "i386:x86-64",
                              "--stop-address=%#x" % stop, f.name],
                             capture_output=True, text=True, check=True).stdout
    insns = {}
    order = []
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not parts[0].strip().endswith(":"):
            continue
        addr = int(parts[0].strip()[:-1], 16)
        nbytes = len(parts[1].split())
        text = parts[2].strip()
        mnem, _, ops = text.partition(" ")
        ops, _, comment = ops.partition("#")
        insns[addr] = (mnem, ops.strip(), nbytes, comment.strip())
        order.append(addr)
    # objdump continues long instructions on lines without a mnemonic
    nexts = {}
    for i, a in enumerate(order):
        nexts[a] = order[i + 1] if i + 1 < len(order) else None
    return insns, nexts


def rip_target(addr, ins):
    """The address a RIP-relative operand designates (objdump prints it)."""
    m = re.match(r"0x([0-9a-f]+)", ins[3])
    return int(m.group(1), 16) if m else None


def successors(addr, insns, nexts):
    mnem, ops = insns[addr][:2]
    nxt = nexts[addr]
    if mnem in ("jmp", "jmpq") or mnem.startswith("jmp"):
        if ops.startswith("*"):
            return []                      # indirect: the Wakeup jump
        return [int(ops.split()[0], 16)]
    if re.match(r"^j[a-z]+$", mnem):
        return [int(ops.split()[0], 16), nxt]
    if mnem in ("iretq", "iret", "ret", "retq"):
        return []
    return [nxt]


class Report:
    def __init__(self):
        self.fails = []

    def fail(self, msg):
        self.fails.append(msg)
        print("FAIL: " + msg)

    def ok(self, msg):
        print("PASS: " + msg)


def check(page, k, rep):
    text_end = k["PARK_CODE_TEXT_END"]
    insns, nexts = disassemble(page, text_end)
    if len(insns) < 80:
        rep.fail("only %d instructions disassembled" % len(insns))
        return
    loop_desc, entry_desc = k["PARK_CODE_IDT_LOOP_DESC"], k["PARK_CODE_IDT_ENTRY_DESC"]
    # park_common: where the ResetVector entry falls through to
    park_common = nexts[k["PARK_RESET_VECTOR"]]
    # the loop: the target of the `lea X(%rip),%rax` pushed before the IRETQ
    bad = [(a, i) for a, i in sorted(insns.items()) if FORBIDDEN.match(i[0])]
    if bad:
        rep.fail("forbidden instructions in the park code: " +
                 ", ".join("%#x %s %s" % (a, i[0], i[1]) for a, i in bad))
    else:
        rep.ok("%d instructions in the park code, none forbidden on the mailbox/TDX path"
               % len(insns))

    # 2. The gates.
    gates = {}
    for name, base in (("loop", k["PARK_CODE_IDT_LOOP"]), ("entry", k["PARK_CODE_IDT_ENTRY"])):
        for v in range(k["PARK_IDT_GATES"]):
            g = page[base + 16 * v: base + 16 * v + 16]
            lo, sel, ist, attr, mid, hi, _ = struct.unpack("<HHBBHII", g)
            off = lo | mid << 16 | hi << 32
            if sel != k["PARK_GDT_CODE64"] or attr != 0x8e or ist != 0 or off not in insns:
                rep.fail("%s IDT vector %d: selector %#x attr %#x ist %d offset %#x "
                         "(want 0x10, 0x8e, 0, an instruction)" % (name, v, sel, attr, ist, off))
            gates[(name, v)] = off
    nmi = gates[("loop", 2)]
    if insns.get(nmi, ("",))[0] == "iretq":
        rep.ok("loop IDT: the NMI handler (%#x) is one IRETQ: no register changed, "
               "NMIs unblocked" % nmi)
    else:
        rep.fail("loop IDT: the NMI handler at %#x is %r, not IRETQ" % (nmi, insns.get(nmi)))

    def reaches_common(start):
        """Every path from start reaches park_common, through mov-immediates
        to registers and direct jumps only (no memory, no stack)."""
        seen, todo = set(), [start]
        while todo:
            a = todo.pop()
            if a == park_common:
                continue
            if a in seen:
                return False, "loops at %#x" % a
            seen.add(a)
            mnem, ops = insns[a][:2]
            if not (mnem.startswith("jmp") and not ops.startswith("*")) and not (
                    mnem == "mov" and re.match(r"^\$0x[0-9a-f]+,%e?[a-z0-9]+$", ops)):
                return False, "%#x %s %s" % (a, mnem, ops)
            todo += successors(a, insns, nexts)
        return True, ""

    others = [(n, v) for (n, v) in sorted(gates) if (n, v) != ("loop", 2)]
    bad = []
    for n, v in others:
        good, why = reaches_common(gates[(n, v)])
        if not good:
            bad.append("%s IDT vector %d: %s" % (n, v, why))
    if bad:
        rep.fail("handlers that do not simply re-enter park_common: " + "; ".join(bad))
    else:
        rep.ok("the other %d gates re-enter park_common (%#x) touching no memory"
               % (len(others), park_common))

    # 1. Every path from every entry.
    loop_code = set()
    # the loop: everything reachable from the IRETQ's target
    for a, (mnem, ops, _, _) in insns.items():
        if mnem == "lea" and ops.endswith(",%rax") and "(%rip)" in ops:
            t = rip_target(a, insns[a])
            n1 = nexts[a]
            if t in insns and n1 and insns[n1][0] == "push" and nexts[n1] and \
                    insns[nexts[n1]][0] == "iretq":
                todo = [t]
                while todo:
                    b = todo.pop()
                    if b is None or b in loop_code:
                        continue
                    loop_code.add(b)
                    todo += successors(b, insns, nexts)
    if not loop_code:
        rep.fail("no IRETQ into the loop found (lea X(%rip),%rax; push %rax; iretq)")
        return
    prefix_ok = re.compile(r"^(cli|lgdt|jmp)$")
    for entry in ("PARK_ENTRY_SIPI", "PARK_ENTRY_MIGRATE", "PARK_RESET_VECTOR"):
        start = k[entry]
        # state: (addr, entry_idt, rsp_after_entry_idt, loop_idt, rsp_after_loop_idt)
        todo, seen, problems, ends = [(start, False, False, False, False)], set(), [], set()
        while todo:
            st = todo.pop()
            if st in seen:
                continue
            seen.add(st)
            a, eidt, ersp, lidt_loop, lrsp = st
            if a is None or a not in insns:
                problems.append("runs off the code at %s" % a)
                continue
            mnem, ops = insns[a][:2]
            if a in loop_code and not (mnem == "iretq"):
                problems.append("reaches the loop code %#x without the IRETQ" % a)
                continue
            if not eidt and not prefix_ok.match(mnem) and not (
                    mnem == "mov" and re.match(r"^\$0x[0-9a-f]+,%ebp$", ops)) and mnem != "lidt":
                problems.append("%#x %s %s runs before the entry IDT is loaded" % (a, mnem, ops))
                continue
            if mnem == "lidt":
                t = rip_target(a, insns[a])
                if t == entry_desc:
                    eidt, ersp, lidt_loop, lrsp = True, False, False, False
                elif t == loop_desc:
                    if not ersp:
                        problems.append("%#x loads the loop IDT before RSP is set" % a)
                    lidt_loop = True
                else:
                    problems.append("%#x lidt of an unknown descriptor %s" % (a, t))
            elif eidt and not ersp and not (mnem in ("lea", "mov") and ops.endswith(",%rsp")):
                problems.append("%#x %s %s: RSP not set right after the entry IDT" % (a, mnem, ops))
                continue
            elif mnem in ("lea", "mov") and ops.endswith(",%rsp"):
                if lidt_loop:
                    problems.append("%#x moves RSP after the loop IDT is loaded" % a)
                if eidt and not ersp:
                    ersp = True
                else:
                    lrsp = True
            if mnem == "iretq":
                if not (lidt_loop and lrsp):
                    problems.append("%#x IRETQ into the loop without the loop IDT and own stack"
                                    % a)
                ends.add("iretq-to-loop")
                continue
            succ = successors(a, insns, nexts)
            if mnem.startswith("jmp") and succ == [a - 2] and insns.get(a - 2, ("",))[0] == "pause":
                ends.add("pause-spin")         # park_no_id / park_stopped
                continue
            if not succ:
                problems.append("%#x %s %s ends the entry path" % (a, mnem, ops))
            for s in succ:
                todo.append((s, eidt, ersp, lidt_loop, lrsp))
        if problems:
            rep.fail("%s (%#x): %s" % (entry, start, "; ".join(sorted(set(problems))[:6])))
        elif "iretq-to-loop" not in ends:
            rep.fail("%s (%#x): no path into the loop" % (entry, start))
        else:
            rep.ok("%s (%#x): entry IDT and scratch RSP first; the loop only through IRETQ "
                   "after the loop IDT and the CPU's own stack (%d states; ends: %s)"
                   % (entry, start, len(seen), ", ".join(sorted(ends))))
    # the loop itself never reloads the IDT nor moves RSP
    bad = [a for a in loop_code if insns[a][0] == "lidt" or insns[a][1].endswith(",%rsp")]
    if bad:
        rep.fail("the loop changes IDTR or RSP at " + ", ".join("%#x" % a for a in bad))
    else:
        rep.ok("the loop (%d instructions) keeps IDTR and RSP" % len(loop_code))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--header", required=True)
    ap.add_argument("--selftest-break", choices=("drop-lidt", "nmi-not-iret"))
    a = ap.parse_args()
    k = header_consts(a.header)
    page = bytearray(open(a.bin, "rb").read())
    if len(page) != 4096:
        print("FAIL: %s is %d bytes, not one page" % (a.bin, len(page)))
        return 1
    if a.selftest_break == "drop-lidt":
        # the first lidt after the ResetVector: 0f 01 1d rel32 (7 bytes)
        i = page.index(b"\x0f\x01\x1d", k["PARK_RESET_VECTOR"])
        page[i:i + 7] = b"\x90" * 7
    elif a.selftest_break == "nmi-not-iret":
        g = k["PARK_CODE_IDT_LOOP"] + 16 * 2
        page[g:g + 2] = page[k["PARK_CODE_IDT_LOOP"] + 16 * 18:][:2]
    rep = Report()
    check(bytes(page), k, rep)
    return 1 if rep.fails else 0


if __name__ == "__main__":
    sys.exit(main())
