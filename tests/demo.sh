#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# README demo: installs what is missing, builds mpkexec, fetches Debian
# kernels, and runs a QEMU VM that kexecs 6.1 -> 6.12 with mpkexec.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tests/setup.sh"
cd "$top"
MPKEXEC_BIN="$top/mpkexec" exec python3 tests/vm/demo.py
