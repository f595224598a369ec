#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The whole test suite: installs dependencies, builds, runs the unit tests
# (ASan/UBSan) and the VM scenarios (QEMU TCG, Debian kernels), and ends
# with "N passed, N failed".  Run as root on Debian 12.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tests/setup.sh"
cd "$top"
rc=0
# Build every test program (and the fuzz targets) on all cores first, then
# run the tests at -j1: the VM scenarios each want both cores (QEMU TCG).
make -s -j"$(nproc)" check TESTS= >/dev/null || rc=$?
make -s -j"$(nproc)" fuzz || rc=$?
make -s check || rc=$?
# Per-test results, from automake's .trs files: SKIP counts as failed (a test
# that did not run did not pass).
pass=0 fail=0
for trs in $(find tests -name '*.trs' | sort); do
	res=$(sed -n 's/^:test-result: //p' "$trs" | head -1)
	name=${trs%.trs}
	echo "$res: $name"
	if [ "$res" = PASS ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	if [ "$res" != PASS ] && [ -f "$name.log" ]; then
		echo "---- $name.log (last 40 lines) ----"
		tail -n 40 "$name.log"
		echo "----"
	fi
done
[ $((pass + fail)) -gt 0 ] || { echo "no test ran (make check exited $rc)"; fail=1; }
[ "$rc" -eq 0 ] || [ "$fail" -gt 0 ] || { echo "make check failed (exit $rc)"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
