#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Static check: no purgatory code reachable from ROOT runs a forbidden insn.

Links the relocatable purgatory object to a fixed address, disassembles it
with binutils, and follows every function address the code names (direct
call/jmp targets, movabs/mov immediates, lea of %rip-relative addresses)
from the roots.  Every reachable function is then scanned for instructions
that trap or touch hardware (port I/O, HLT, MWAIT, WRMSR, INT, ...), for
names with a forbidden prefix, and for indirect calls/jumps whose target
is not provably one of the addresses the function itself loaded.

Usage: callgraph.py --object purgatory/purgatory.ro --root aps_init
           [--root SYM ...] [--forbid-symbol-prefix apic_ ...]
           [--allow-indirect purgatory_enter ...] [--code32 SYM ...]
Exit status: 0 PASS, 1 FAIL (or vacuous/broken check).
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

# Link far above 4 GiB at an odd address: no 32-bit immediate and no
# plausible constant (1 MiB, 4 GiB, ...) can then alias a function address,
# so every function reference must be a movabs or a %rip-relative form.
LINK_BASE = 0x5c3e10000

FORBIDDEN = {
    'in', 'inb', 'inw', 'inl', 'out', 'outb', 'outw', 'outl', 'ins', 'insb',
    'insw', 'insl', 'outs', 'outsb', 'outsw', 'outsl', 'hlt', 'mwait',
    'monitor', 'mwaitx', 'monitorx', 'wrmsr', 'wrmsrns', 'vmcall', 'vmmcall', 'tdcall', 'wbinvd', 'wbnoinvd', 'invd',
    'int', 'int1', 'icebp', 'int3', 'into', 'sti',
    '(bad)',  # undecodable bytes: we cannot tell what they do
}
PREFIXES = {'rep', 'repz', 'repe', 'repnz', 'repne', 'lock', 'notrack', 'bnd',
            'data16', 'data32', 'addr32', 'cs', 'ds', 'es', 'ss', 'fs', 'gs'}
# Mnemonics whose last register operand is only read.
READ_ONLY = {'cmp', 'test', 'bt', 'push'}
# Registers written without being named as the destination (SysV calls
# clobber the caller-saved set; the rest are implicit-operand insns).
CALLER_SAVED = 'rax rcx rdx rsi rdi r8 r9 r10 r11'.split()
IMPLICIT = {
    'cpuid': 'rax rbx rcx rdx', 'rdmsr': 'rax rdx', 'rdtsc': 'rax rdx',
    'rdtscp': 'rax rcx rdx', 'xgetbv': 'rax rdx', 'mul': 'rax rdx',
    'imul': 'rax rdx', 'div': 'rax rdx', 'idiv': 'rax rdx', 'cqto': 'rdx',
    'cltd': 'rdx', 'cwtd': 'rdx', 'cltq': 'rax', 'cwtl': 'rax', 'cbtw': 'rax',
    'syscall': 'rcx r11', 'leave': 'rbp', 'cmpxchg': 'rax rdx',
    'cmpxchg8b': 'rax rdx', 'cmpxchg16b': 'rax rdx', 'xadd': '', 'xchg': '',
}
STRING_OP_REGS = 'rax rcx rsi rdi'.split()  # rep movs/stos/lods/...

# Every spelling of a general-purpose register -> its 64-bit name.
REG64 = {}
for _r in 'abcd':
    for _n in ('r%sx', 'e%sx', '%sx', '%sl', '%sh'):
        REG64[_n % _r] = 'r%sx' % _r
for _r in ('si', 'di', 'bp', 'sp'):
    for _n in ('r%s', 'e%s', '%s', '%sl'):
        REG64[_n % _r] = 'r' + _r
for _i in range(8, 16):
    for _s in ('', 'd', 'w', 'b'):
        REG64['r%d%s' % (_i, _s)] = 'r%d' % _i

NO_FALLTHROUGH = ('jmp', 'ljmp', 'ret', 'lret', 'iret', 'ud2', 'hlt')

Insn = collections.namedtuple('Insn', 'addr mnem ops comment text')
Func = collections.namedtuple('Func', 'names start end insns')


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode:
        sys.exit('FAIL: %s failed:\n%s' % (' '.join(cmd), p.stderr))
    return p.stdout


def split_ops(s):
    """Split AT&T operands on commas outside parentheses."""
    ops, depth, cur = [], 0, ''
    for c in s:
        depth += (c == '(') - (c == ')')
        if c == ',' and depth == 0:
            ops.append(cur)
            cur = ''
        else:
            cur += c
    return ops + [cur] if cur else ops


def parse_insn(addr, text):
    body, _, comment = text.partition('#')
    toks = body.split()
    pre = []
    while toks and (toks[0] in PREFIXES or toks[0].startswith('rex')):
        pre.append(toks.pop(0))
    mnem = toks[0] if toks else '(none)'
    ops = split_ops(''.join(toks[1:]))
    if any(p.startswith('rep') for p in pre):
        mnem = 'rep ' + mnem
    return Insn(addr, mnem, ops, comment.strip(), text.strip())


def disassemble(elf, extra=()):
    insns = []
    for line in run([os.environ.get('OBJDUMP', 'objdump'), '-d', '-w',
                     '--no-show-raw-insn'] + list(extra) + [elf]).splitlines():
        m = re.match(r'\s*([0-9a-f]+):\t(.*)$', line)
        if m:
            insns.append(parse_insn(int(m.group(1), 16), m.group(2)))
    return insns


def load(obj, roots, tmp, code32=()):
    """Link OBJ at LINK_BASE; return {start: Func} for all text symbols.
    The symbols in CODE32 hold 32-bit code (.code32 in entry.S): their
    bytes are decoded in 32-bit mode, the rest in 64-bit mode."""
    elf = os.path.join(tmp, 'purgatory.elf')
    run([os.environ.get('LD', 'ld'), '-static', '-nostdlib', '-N',
         '-Ttext=0x%x' % LINK_BASE, '-e', roots[0], obj, '-o', elf])
    syms = collections.defaultdict(list)  # start -> [(name, size)]
    for line in run([os.environ.get('NM', 'nm'), '-S', '-n', '--defined-only',
                     elf]).splitlines():
        f = line.split()
        if len(f) in (3, 4) and f[-2] in 'tT':
            syms[int(f[0], 16)].append((f[-1], int(f[1], 16) if len(f) == 4 else 0))
    insns = disassemble(elf)
    starts = sorted(syms)
    names = {n: st for st, l in syms.items() for n, _ in l}
    for name in code32:
        if name not in names:
            sys.exit('FAIL: --code32 symbol %s not found among text symbols' % name)
        st = names[name]
        nxt = min((x for x in starts if x > st), default=None)
        size = max(sz for _, sz in syms[st])
        end = st + size if size else nxt
        if end is None:
            sys.exit('FAIL: --code32 symbol %s has no size and no next symbol' % name)
        # 32-bit decoding prints branch targets modulo 4 GiB; LINK_BASE
        # is above it, so put the high half back (a 32-bit branch cannot
        # leave the 4 GiB window its code runs in).
        code = []
        for x in disassemble(elf, ['-M', 'i386', '--start-address=0x%x' % st,
                                   '--stop-address=0x%x' % end]):
            t = direct_target(x)
            if t is not None:
                x = x._replace(ops=['%x' % ((st & ~0xffffffff) | t)] + x.ops[1:])
            code.append(x)
        insns = [x for x in insns if not st <= x.addr < end] + code
    insns.sort(key=lambda x: x.addr)
    funcs = {}
    for i, start in enumerate(starts):
        # A symbol without size (assembly) spans to the next symbol.
        nxt = starts[i + 1] if i + 1 < len(starts) else float('inf')
        size = max(s for _, s in syms[start])
        end = min(start + size, nxt) if size else nxt
        body = [x for x in insns if start <= x.addr < end]
        if end == float('inf'):
            end = body[-1].addr + 1 if body else start
        funcs[start] = Func([n for n, _ in syms[start]], start, end, body)
    return funcs, insns


def is_padding(insn):
    return insn.mnem.startswith('nop') or (insn.mnem == 'xchg'
                                           and len(set(insn.ops)) == 1)


def direct_target(insn):
    """Target address of a direct call/jmp/jcc, else None."""
    if insn.mnem.startswith(('j', 'call', 'loop')) and insn.ops \
            and not insn.ops[0].startswith('*'):
        m = re.match(r'([0-9a-f]+)', insn.ops[0])
        if m:
            return int(m.group(1), 16)
    return None


def fn_refs(insn, funcs):
    """Function start addresses this instruction names as a value."""
    refs = []
    for op in insn.ops:
        if op.startswith('$'):
            try:
                refs.append(int(op[1:], 16))
            except ValueError:
                pass
    if insn.mnem.startswith('lea') and '(%rip)' in insn.ops[0] and insn.comment:
        refs.append(int(insn.comment.split()[0], 16))
    return [r for r in refs if r in funcs]


def reg_of(op):
    return REG64.get(op[1:]) if op.startswith('%') else None


def reg64_of(op):
    """The register if OP names all 64 bits of it (no truncating copy)."""
    r = reg_of(op)
    return r if r == op[1:] else None


def transfer(insn, state, funcs):
    """Effect of one instruction on {reg64: frozenset(values)}; None = unknown."""
    unknown = frozenset([None])
    s = dict(state)
    mnem = insn.mnem.split()[-1]
    base = mnem
    if mnem[-1:] in 'bwlq' and mnem[:-1] in set(IMPLICIT) | READ_ONLY:
        base = mnem[:-1]                          # drop an AT&T size suffix
    dst = reg_of(insn.ops[-1]) if insn.ops else None
    src = reg64_of(insn.ops[0]) if len(insn.ops) == 2 else None
    refs = fn_refs(insn, funcs)
    if base.startswith('call'):
        for r in CALLER_SAVED:
            s[r] = unknown
    elif refs and base.startswith(('mov', 'lea')) and reg64_of(insn.ops[-1]):
        s[dst] = frozenset(refs)                  # movabs $f / lea f(%rip)
    elif base in ('mov', 'movq') and src and reg64_of(insn.ops[-1]):
        s[dst] = state.get(src, unknown)          # 64-bit register copy
    elif base.startswith('cmov') and src and reg64_of(insn.ops[-1]):
        s[dst] = state.get(dst, unknown) | state.get(src, unknown)
    else:
        for r in IMPLICIT.get(base, '').split():
            s[r] = unknown
        if base in ('xchg', 'xadd') and not is_padding(insn):
            for op in insn.ops:
                if reg_of(op):
                    s[reg_of(op)] = unknown
        if insn.mnem.startswith('rep') or '%es:(' in insn.text \
                or '%ds:(' in insn.text:
            for r in STRING_OP_REGS:
                s[r] = unknown
        if dst and not base.startswith('j') and base not in READ_ONLY:
            s[dst] = unknown                      # any other write: lost
    return s


def unresolved_indirect(func, funcs):
    """Addresses of indirect calls/jumps whose target is not provably a
    function address loaded (movabs/lea) in this function.

    Forward dataflow over the function's CFG: which function addresses can
    each register hold at each instruction?  Control enters at the start
    only (all registers unknown)."""
    idx = {x.addr: i for i, x in enumerate(func.insns)}
    states = {0: {}} if func.insns else {}
    work = [0] if func.insns else []
    while work:
        i = work.pop()
        insn = func.insns[i]
        out = transfer(insn, states[i], funcs)
        mnem = insn.mnem.split()[-1]
        succ = []
        tgt = direct_target(insn)
        if tgt in idx and not mnem.startswith('call'):
            succ.append(idx[tgt])
        if not mnem.startswith(NO_FALLTHROUGH):
            succ.append(i + 1)
        for j in succ:
            if j >= len(func.insns):
                continue
            old = states.get(j)
            new = dict(out) if old is None else {
                r: old.get(r, frozenset([None])) | out.get(r, frozenset([None]))
                for r in set(old) | set(out)}
            if new != old:
                states[j] = new
                work.append(j)
    bad = set()
    for i, insn in enumerate(func.insns):
        mnem = insn.mnem.split()[-1]
        if mnem.startswith(('call', 'jmp')) and insn.ops[0].startswith('*'):
            reg = reg_of(insn.ops[0][1:])     # None for memory operands
            if None in states.get(i, {}).get(reg, {None}):
                bad.add(insn.addr)
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--object', required=True)
    ap.add_argument('--root', action='append', required=True)
    ap.add_argument('--forbid-symbol-prefix', action='append', default=[])
    ap.add_argument('--allow-indirect', action='append', default=[])
    ap.add_argument('--min-insns', type=int, default=20)
    ap.add_argument('--cut', action='append', default=[],
                    help='do not follow a root\'s calls into this function (the '
                         'other side of a branch in the root, e.g. purgatory_main)')
    ap.add_argument('--forbid-insn', action='append', default=[],
                    help='also fail on this mnemonic (e.g. rdmsr, cpuid)')
    ap.add_argument('--code32', action='append', default=[],
                    help='this symbol holds 32-bit code (.code32): decode it '
                         'in 32-bit mode')
    ap.add_argument('--allow-insn', action='append', default=[],
                    help='do not fail on this otherwise forbidden mnemonic (the '
                         'caller says why, e.g. tdcall for TDG.VP.VMCALL<CPUID>)')
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        funcs, insns = load(args.object, args.root, tmp, args.code32)
    by_name = {n: f for f in funcs.values() for n in f.names}
    starts = sorted(funcs)

    def containing(addr):
        for s in reversed(starts):
            if s <= addr:
                return funcs[s] if addr < funcs[s].end else None
        return None

    fails = []
    cut_seen = set()
    parent = {}
    queue = []
    for r in args.root:
        if r not in by_name:
            fails.append('root symbol %s not found among text symbols' % r)
        elif by_name[r].start not in parent:
            parent[by_name[r].start] = None
            queue.append(by_name[r])

    def where(insn, f):
        return '%s+0x%x (0x%x): %s' % (f.names[0], insn.addr - f.start,
                                       insn.addr, insn.text)

    def edge(f, target, insn):
        g = containing(target)
        if g is not None and set(g.names) & set(args.cut) \
                and set(f.names) & set(args.root):
            cut_seen.add(g.names[0])
            return
        if g is None:
            fails.append('branch to an address outside any function at '
                         + where(insn, f))
        elif g.start not in parent:
            parent[g.start] = f.start
            queue.append(g)

    while queue:
        f = queue.pop(0)
        unresolved = unresolved_indirect(f, funcs)
        for insn in f.insns:
            mnem = insn.mnem.split()[-1]
            if ((mnem in FORBIDDEN and mnem not in args.allow_insn)
                    or mnem in args.forbid_insn):
                fails.append('forbidden instruction in ' + where(insn, f))
            tgt = direct_target(insn)
            if tgt is not None and (mnem.startswith('call')
                                    or not f.start <= tgt < f.end):
                edge(f, tgt, insn)                # call, or tail jump
            for r in fn_refs(insn, funcs):
                edge(f, r, insn)                  # function pointer taken
            if insn.addr in unresolved \
                    and not set(f.names) & set(args.allow_indirect):
                fails.append('unresolved indirect %s at %s'
                             % (mnem, where(insn, f)))
        last = f.insns[-1] if f.insns else None
        if last and not last.mnem.split()[-1].startswith(NO_FALLTHROUGH):
            # Runs on past its end (e.g. a final call that never returns):
            # over nop padding into the next function, or off into the void.
            nxt = min((s for s in starts if s >= f.end), default=None)
            gap = [x for x in insns if f.end <= x.addr < (nxt or float('inf'))]
            if nxt is None or not all(map(is_padding, gap)):
                fails.append('code runs past the end of ' + where(last, f))
            else:
                edge(f, nxt, last)

    def path(start):
        names = []
        while start is not None:
            names.append(funcs[start].names[0])
            start = parent[start]
        return ' <- '.join(names)

    ninsns = 0
    print('Reachable from %s:' % ', '.join(args.root))
    for s in sorted(parent):
        f = funcs[s]
        ninsns += len(f.insns)
        print('  0x%x %-40s %4d insns  (%s)' % (s, '/'.join(f.names),
                                                len(f.insns), path(s)))
        for p in args.forbid_symbol_prefix:
            if any(n.startswith(p) for n in f.names):
                fails.append('reachable function %s matches forbidden prefix '
                             '%r via %s' % (f.names[0], p, path(s)))
    for c in args.cut:
        print('  (not followed: %s%s)' % (c, '' if c in cut_seen else
                                          ' -- never referenced'))
    if len(parent) < 1 or ninsns < args.min_insns:
        fails.append('only %d functions / %d instructions analysed: vacuous'
                     % (len(parent), ninsns))
    for msg in fails:
        print('FAIL: ' + msg)
    if fails:
        return 1
    print('PASS: %d functions, %d instructions reachable from %s; no forbidden '
          'instructions, no unresolved indirect calls%s'
          % (len(parent), ninsns, ', '.join(args.root),
             ', no %s* functions' % '*/'.join(args.forbid_symbol_prefix)
             if args.forbid_symbol_prefix else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main())
