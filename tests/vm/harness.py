#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""QEMU (TCG) harness for the mpkexec VM tests. Stdlib only.

API:
  prepare(cache, mpkexec_bin) -> initramfs path  (fetch kernels, cached build)
  run(cache, initramfs, chain, ...) -> Result
      Result.lines     [(t_seconds, text)] host monotonic time of each line
      Result.records   [dict] parsed MPK-* lines: tag, t, and key=value fields
                       (json=: the rest of the line, see json_record)
      Result.latencies [dict] gen, kernel, ms: MPK-EXEC -> next "Linux version"
      Result.ok/error  finished with MPK-DONE / why not
      Result.first_kernel_s  QEMU start -> gen 0's first "Linux version" line
  firmware: "seabios" (QEMU's default BIOS) or "ovmf" (UEFI: Debian's OVMF,
  the kernel's EFI stub boots it); None = $MPK_VM_FIRMWARE, else seabios.
$MPK_VM_QEMU_D: QEMU -d items (e.g. cpu_reset), logged to LOG.qemu.
CLI: harness.py --chain 6.1,6.1 [--loader kexec] [--mode errors] ... (--help)
"""
import argparse
import fcntl
import glob
import hashlib
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CACHE = "/var/cache/mpkexec-vm"
QEMU = "qemu-system-x86_64"
# Fields that take the rest of the line (they contain spaces).
REST_FIELDS = ("cmdline", "msg", "line", "json")
# One host thread runs every vCPU in turn.  With multi-threaded TCG, 4 vCPUs
# on 2 host cores (3 of them spinning in a park loop) made handoffs 2-10x
# slower, and 6.12 guests now and then died of "Oops: int3" right after
# patching a static key (a vCPU ran code another vCPU had just rewritten);
# round-robin TCG has neither problem (docs/design.md, "Test VMs").
# MPK_VM_ACCEL overrides it.
ACCEL = "tcg,thread=single"
FIRMWARES = ("seabios", "ovmf")
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"


def firmware_name(firmware=None):
    """The firmware a run uses: the argument, else $MPK_VM_FIRMWARE, else
    seabios."""
    fw = firmware or os.environ.get("MPK_VM_FIRMWARE") or "seabios"
    if fw not in FIRMWARES:
        raise ValueError("firmware %r: not one of %s" % (fw, ", ".join(FIRMWARES)))
    return fw


def firmware_missing(firmware):
    """Why this host cannot run `firmware`, or None."""
    if firmware == "ovmf":
        for f in (OVMF_CODE, OVMF_VARS):
            if not os.path.isfile(f):
                return "%s not found (Debian package ovmf)" % f
    return None


def firmware_args(firmware, tmpdir):
    """QEMU arguments for `firmware`.  OVMF gets its code read-only and a
    private copy of the variable store in tmpdir (never the package's file:
    the firmware writes to it)."""
    if firmware == "seabios":
        return []
    vars_copy = os.path.join(tmpdir, "OVMF_VARS.fd")
    shutil.copyfile(OVMF_VARS, vars_copy)
    return ["-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + OVMF_CODE,
            "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]


def qemu_machine(smp, mem):
    """The QEMU command line every scenario starts from: the accelerator
    ($MPK_VM_ACCEL, default ACCEL), q35, `smp` CPUs, `mem`, serial console
    on stdout."""
    return [QEMU, "-accel", os.environ.get("MPK_VM_ACCEL", ACCEL), "-machine", "q35",
            "-smp", str(smp), "-m", mem, "-nographic"]


def qemu_available():
    return shutil.which(QEMU) is not None


def _hash_files(paths):
    h = hashlib.sha256()
    for p in paths:
        h.update(p.encode() + b"\0")
        if p and os.path.isfile(p):
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        h.update(b"\0")
    return h.hexdigest()[:16]


def _hash_payloads(payload_dir):
    """The files of a payload directory (harness.prepare), by name and bytes."""
    h = hashlib.sha256()
    for p in sorted(f for f in glob.glob(os.path.join(payload_dir, "*")) if os.path.isfile(f)):
        h.update(os.path.basename(p).encode() + b"\0")
        with open(p, "rb") as f:
            h.update(f.read())
        h.update(b"\0")
    return h.hexdigest()[:16]


def pattern_binary(cache):
    """The static tests/vm/mpk-pattern (kdump scenarios): $MPK_PATTERN_BIN,
    else the build tree's ($MPK_BUILDDIR, set by make check), else one
    compiled here into the cache, named by the hash of its source."""
    for p in (os.environ.get("MPK_PATTERN_BIN"),
              os.path.join(os.environ.get("MPK_BUILDDIR", ""), "tests", "vm", "mpk-pattern")
              if os.environ.get("MPK_BUILDDIR") else None):
        if p and os.path.isfile(p):
            return p
    src = os.path.join(HERE, "mpk-pattern.c")
    out = os.path.join(cache, "mpk-pattern-%s" % _hash_files([src]))
    if not os.path.isfile(out):
        subprocess.run([os.environ.get("CC", "gcc"), "-std=c11", "-O2", "-Wall", "-Wextra",
                        "-Werror", "-static", "-o", out + ".tmp", src], check=True)
        os.rename(out + ".tmp", out)
    return out


KDUMP_TOOLS = ("usr/sbin/kdump-config", "usr/share/kdump-tools/kdump-tools.conf",
               "etc/kdump/sysctl.conf")


def fetch_kdump_tools(cache):
    """Debian's kdump-tools, downloaded and extracted (never installed: its
    postinst would set up kdump on the host) into CACHE/kdump-tools, for the
    kdump-config scenario.  Returns the extracted files (KDUMP_TOOLS), or []
    with a warning if the package cannot be had."""
    root = os.path.join(cache, "kdump-tools")
    files = [os.path.join(root, f) for f in KDUMP_TOOLS]
    if all(os.path.isfile(f) for f in files):
        return files
    tmp = tempfile.mkdtemp(prefix="mpk-kdt-")
    try:
        subprocess.run(["apt-get", "download", "-q", "kdump-tools"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        deb = glob.glob(os.path.join(tmp, "kdump-tools_*.deb"))[0]
        subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    except (subprocess.CalledProcessError, OSError, IndexError) as e:
        print("harness: kdump-tools not available (%s): the kdump-config scenario "
              "will fail" % e, file=sys.stderr)
        return []
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return files if all(os.path.isfile(f) for f in files) else []


def prepare(cache=DEFAULT_CACHE, mpkexec_bin=None, keep=8, payload_dir=None):
    """Fetch the kernels and build (or reuse) the initramfs for this
    mpkexec binary. The cache key covers every input of the image. A lock
    serialises parallel scenarios (make -j check); only the `keep` most
    recently used images are kept.  `payload_dir`: its files go into
    /payloads of this image (payload scenarios, issue 11; the guest does not
    repack them into later generations)."""
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["sh", os.path.join(HERE, "fetch-kernels.sh"), cache],
                       check=True)
        mpk = mpkexec_bin if mpkexec_bin and os.path.isfile(mpkexec_bin) else ""
        pat = pattern_binary(cache)
        kdt = fetch_kdump_tools(cache)
        key = _hash_files([mpk, "/usr/sbin/kexec", shutil.which("busybox") or "",
                           os.path.join(HERE, "init"),
                           os.path.join(HERE, "report-firmware.sh"),
                           os.path.join(HERE, "mkinitramfs.sh"),
                           os.path.join(cache, "versions"),
                           pat, shutil.which("makedumpfile") or ""] + kdt +
                          [os.path.join(cache, "efivarfs-%s.ko" % k) for k in ("6.1", "6.12")])
        if payload_dir:
            # by file name and bytes, not path: scenarios pass a fresh
            # temporary directory each run
            key = hashlib.sha256((key + _hash_payloads(payload_dir)).encode()).hexdigest()[:16]
        out = os.path.join(cache, "initramfs-%s.cpio.gz" % key)
        if os.path.exists(out):
            os.utime(out)
        else:
            args = ["sh", os.path.join(HERE, "mkinitramfs.sh"), out, cache]
            subprocess.run(args + [mpk, pat] + ([payload_dir] if payload_dir else []),
                           check=True)
        old = sorted(glob.glob(os.path.join(cache, "initramfs-*.cpio.gz")),
                     key=os.path.getmtime, reverse=True)[keep:]
        for f in old:
            os.unlink(f)
    return out


def parse_record(text, t):
    """'MPK-GEN gen=0 ... cmdline=a b c' -> {'tag': 'GEN', 'gen': '0', ...}.
    The MPK- marker may be preceded by stray console bytes."""
    m = re.search(r"MPK-([A-Z-]+)(?: (.*))?$", text)
    if not m:
        return None
    rec = {"tag": m.group(1), "t": t}
    rest = m.group(2) or ""
    if rec["tag"] == "FAIL":
        rec["reason"] = rest
        return rec
    while rest:
        km = re.match(r"([a-z][a-z0-9_]*)=", rest)   # checked_in=, ack_us= (payload)
        if not km:
            rec.setdefault("extra", rest)
            break
        key = km.group(1)
        if key in REST_FIELDS:
            rec[key] = rest[km.end():]
            break
        val, _, rest = rest[km.end():].partition(" ")
        rec[key] = val
    return rec


def json_record(rec):
    """The object of an MPK-*-JSON record (mpkexec --json output, schemas in
    docs/json.md), or None if the command failed (rec["msg"] says why) or
    the JSON does not parse (rec["json_error"] then says why)."""
    if rec is None or rec.get("rc") != "0" or "json" not in rec:
        return None
    if "parsed" not in rec:
        try:
            rec["parsed"] = json.loads(rec["json"])
        except ValueError as e:
            rec["parsed"], rec["json_error"] = None, str(e)
    return rec["parsed"]


class Result:
    def __init__(self):
        self.lines, self.records, self.latencies = [], [], []
        self.ok, self.error, self.elapsed = False, None, 0.0
        self.firmware, self.first_kernel_s = None, None

    def recs(self, tag):
        return [r for r in self.records if r["tag"] == tag]

    def tail(self, n=30):
        return "\n".join(t for _, t in self.lines[-n:])


def compute_latencies(lines, records):
    """Per MPK-EXEC: ms until the next kernel's first 'Linux version' line."""
    nexts = [r for r in records if r["tag"] == "NEXT"]
    out = []
    execs = [t for t, s in lines if re.search(r"MPK-EXEC$", s)]
    for i, t0 in enumerate(execs):
        t1 = next((t for t, s in lines if t > t0 and "Linux version" in s), None)
        if t1 is None:
            continue
        n = nexts[i] if i < len(nexts) else {}
        out.append({"gen": n.get("gen"), "kernel": n.get("kernel"),
                    "ms": round((t1 - t0) * 1000.0, 1)})
    return out


def run(cache, initramfs, chain, mode="chain", loader="mpkexec", extra="",
        log=None, timeout=300, smp=None, mem="1G", qemu_args=(), echo=False,
        params=(), firmware=None):
    """Boots the chain (see _run).  If generation 0, the kernel QEMU's
    firmware booted, dies before /init's first record (MPK-GEN), nothing of
    mpkexec has run yet: that is the emulator's or the firmware's doing (a
    double fault in a 6.12 OVMF boot was seen once at 0.46 s, one CPU up),
    so the run is made once more, with a note and the first log kept as
    LOG.gen0-died.  Any failure after that record is the scenario's."""
    firmware = firmware_name(firmware)
    for attempt in (1, 2):
        tmpdir = tempfile.mkdtemp(prefix="mpk-vm-")
        try:
            res = _run(cache, initramfs, chain, mode, loader, extra, log, timeout,
                       smp, mem, qemu_args, echo, params, firmware, tmpdir)
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)
        if res.ok or attempt == 2 or any(r["tag"] == "GEN" for r in res.records):
            return res
        last = next((t for _, t in reversed(res.lines) if t.strip()), "(no output)")
        print("NOTE: generation 0 (booted by %s, before mpkexec ran) died before its "
              "first record (%s; last line: %s); booting once more" % (
                  firmware, (res.error or "?").split(";")[0], last.strip()[:160]))
        if log:
            os.replace(log, log + ".gen0-died")
    return res


def _run(cache, initramfs, chain, mode, loader, extra, log, timeout, smp, mem,
         qemu_args, echo, params, firmware, tmpdir):
    # chain elements are KERNEL[/k:WORD|/x:OPT|/off:A.B]... (tests/vm/init)
    elems = [e.split("/") for e in chain.split(",")]
    kernels = [e[0] for e in elems]
    more_params = [a[2:] for a in elems[0][1:] if a.startswith("k:")] + list(params)
    params = ["mpk.gen=0", "mpk.chain=" + chain, "mpk.mode=" + mode,
              "mpk.loader=" + loader]
    if extra:
        params.append("mpk.extra=" + extra.replace(" ", "+"))
    params += list(more_params)
    append = ("console=ttyS0,115200 earlyprintk=serial,ttyS0,115200 panic=-1 "
              + " ".join(params))
    smp = smp or os.environ.get("SMP", "4")
    cmd = qemu_machine(smp, mem) + ["-no-reboot",
           "-kernel", os.path.join(cache, "vmlinuz-" + kernels[0]),
           "-initrd", initramfs, "-append", append]
    cmd += firmware_args(firmware, tmpdir) + list(qemu_args)
    return run_qemu(cmd, firmware, log, timeout, echo)


def run_qemu(cmd, firmware, log=None, timeout=300, echo=False):
    """Runs QEMU command `cmd` and reads its serial console (stdout) line by
    line until the guest prints MPK-DONE or MPK-FAIL (then at most 5 s more
    for it to power off), QEMU exits, or `timeout` seconds pass.  Returns
    the Result (see the module's doc string)."""
    if os.environ.get("MPK_VM_QEMU_D") and log:
        # QEMU's own log (e.g. cpu_reset: the CPU state at every reset and
        # "Triple fault"), next to the serial log
        cmd = list(cmd) + ["-d", os.environ["MPK_VM_QEMU_D"], "-D", log + ".qemu"]
    res = Result()
    res.firmware = firmware
    logf = open(log, "w") if log else None
    start = time.monotonic()

    def emit(t, text):
        res.lines.append((t, text))
        if logf:
            logf.write("[%10.3f] %s\n" % (t - start, text))
            logf.flush()
        if echo:
            print(text, flush=True)
        rec = parse_record(text, t)
        if rec:
            res.records.append(rec)
        return rec

    if logf:
        logf.write("# " + " ".join(cmd) + "\n")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    fd = proc.stdout.fileno()
    buf, line_t = b"", None   # line_t: arrival time of the line's first byte
    deadline, done_at = start + timeout, None
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                res.error = "timeout after %ds; last 30 lines:\n%s" % (
                    timeout, res.tail())
                break
            if done_at and now >= done_at + 5:   # MPK-DONE but no poweroff
                break
            r, _, _ = select.select([fd], [], [], 0.5)
            if not r:
                continue
            chunk = os.read(fd, 65536)
            t = time.monotonic()
            if not chunk:
                break                          # QEMU exited
            for piece in chunk.splitlines(keepends=True):
                if line_t is None:
                    line_t = t
                buf += piece
                if not piece.endswith((b"\n", b"\r")):
                    continue
                text = buf.decode("utf-8", "replace").strip("\r\n")
                buf, lt, line_t = b"", line_t, None
                if not text:
                    continue
                rec = emit(lt, text)
                if res.first_kernel_s is None and "Linux version" in text:
                    # when the line was complete: firmware's console escapes
                    # may start it long before (SeaBIOS)
                    res.first_kernel_s = t - start
                if rec and rec["tag"] in ("DONE", "FAIL") and not done_at:
                    done_at = time.monotonic()
                    if rec["tag"] == "FAIL":
                        res.error = "guest: MPK-FAIL " + rec["reason"]
    finally:
        if buf.strip():
            emit(line_t or time.monotonic(), buf.decode("utf-8", "replace"))
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        res.elapsed = time.monotonic() - start
        if logf:
            logf.write("# qemu rc=%s elapsed=%.1fs\n" % (proc.returncode,
                                                      res.elapsed))
            logf.close()
    res.latencies = compute_latencies(res.lines, res.records)
    res.ok = res.error is None and bool(res.recs("DONE"))
    if res.error is None and not res.ok:
        res.error = "QEMU exited (rc=%s) without MPK-DONE; last 30 lines:\n%s" % (
            proc.returncode, res.tail())
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--chain", default="6.1,6.1")
    ap.add_argument("--mode", default="chain", choices=["chain", "errors"])
    ap.add_argument("--loader", default=os.environ.get("MPK_LOADER", "mpkexec"))
    ap.add_argument("--extra", default="", help="extra -l options (mpk.extra)")
    ap.add_argument("--cache", default=os.environ.get("MPK_VM_CACHE", DEFAULT_CACHE))
    ap.add_argument("--mpkexec", default=os.environ.get("MPKEXEC_BIN"))
    ap.add_argument("--initramfs", help="use this image instead of building")
    ap.add_argument("--log", default="vm-serial.log")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--smp", default=None)
    ap.add_argument("--firmware", default=None, choices=FIRMWARES,
                    help="default: $MPK_VM_FIRMWARE, else seabios")
    ap.add_argument("--qemu-arg", action="append", default=[],
                    help="extra QEMU argument (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo console")
    a = ap.parse_args()
    if not qemu_available():
        print("SKIP: %s not found" % QEMU)
        return 77
    img = a.initramfs or prepare(a.cache, a.mpkexec)
    res = run(a.cache, img, a.chain, a.mode, a.loader, a.extra, a.log,
              a.timeout, a.smp, qemu_args=a.qemu_arg, echo=a.verbose,
              firmware=a.firmware)
    for r in res.records:
        print("%8.3f %s" % (r["t"] - res.lines[0][0],
                            " ".join("%s=%s" % kv for kv in r.items() if kv[0] != "t")))
    for l in res.latencies:
        print("handoff gen=%s kernel=%s latency_ms=%s" % (l["gen"], l["kernel"], l["ms"]))
    if res.first_kernel_s is not None:
        print("firmware=%s first kernel line after %.1fs" % (res.firmware,
                                                            res.first_kernel_s))
    print("elapsed %.1fs, log %s" % (res.elapsed, a.log))
    if not res.ok:
        print("ERROR: " + res.error)
    return 0 if res.ok else 1


if __name__ == "__main__":
    sys.exit(main())
