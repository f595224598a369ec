#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# bench/handoff-latency.sh [N]
# Median kexec handoff latency (guest "MPK-EXEC" line -> next kernel's first
# "Linux version" line, host clock) of the 6.1 -> 6.1 chain, N runs (default
# 3) with mpkexec and with kexec-tools' kexec, and their ratio.
# Env: MPKEXEC_BIN (default ./mpkexec), MPK_VM_CACHE, MPK_VM_EXTRA (mpkexec
# -l options only), BENCH_LOGDIR (default: a new private directory
# $TMPDIR/mpkexec-bench.XXXXXX, never a fixed /tmp path another user could
# have made a link), MPK_VM_FIRMWARE (seabios, the default, or ovmf: UEFI).
# BENCH_DRY_RUN=1: only print where the logs would go (bench/logdir.test).
set -eu

N=${1:-3}
HARNESS=$(cd "$(dirname "$0")/../tests/vm" && pwd)/harness.py
if [ -n "${BENCH_LOGDIR:-}" ]; then
	LOGDIR=$BENCH_LOGDIR
	mkdir -p "$LOGDIR"
else
	LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/mpkexec-bench.XXXXXX")
fi
MPKEXEC_BIN=${MPKEXEC_BIN:-./mpkexec}
export MPKEXEC_BIN
if [ -n "${BENCH_DRY_RUN:-}" ]; then
	echo "logs in $LOGDIR"
	exit 0
fi

# prints the median latency in ms of N runs with loader $1, or "n/a"
median() {
	loader=$1 extra=
	[ "$loader" = mpkexec ] && extra=${MPK_VM_EXTRA:-}
	: >"$LOGDIR/$loader.ms"
	i=1
	while [ "$i" -le "$N" ]; do
		out=$(python3 "$HARNESS" --chain 6.1,6.1 --loader "$loader" \
			--extra="$extra" --log "$LOGDIR/$loader-$i.log") || {
			echo "run $i with $loader failed (log $LOGDIR/$loader-$i.log):" >&2
			echo "$out" | tail -n 5 >&2
			echo n/a; return 0; }
		ms=$(echo "$out" | sed -n 's/^handoff gen=1 .*latency_ms=//p')
		echo "  $loader run $i: ${ms:-?} ms" >&2
		echo "$ms" >>"$LOGDIR/$loader.ms"
		i=$((i + 1))
	done
	sort -n "$LOGDIR/$loader.ms" |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

if [ -f "$MPKEXEC_BIN" ]; then
	mpk=$(median mpkexec)
else
	echo "mpkexec: $MPKEXEC_BIN not found, skipping its runs" >&2
	mpk=n/a
fi
kx=$(median kexec)

echo "handoff latency (median of $N, 6.1 -> 6.1, firmware ${MPK_VM_FIRMWARE:-seabios}, logs in $LOGDIR):"
echo "  mpkexec: $mpk ms"
echo "  kexec:   $kx ms"
case $mpk$kx in
*n/a*) echo "  ratio mpkexec/kexec: n/a" ;;
*) awk -v a="$mpk" -v b="$kx" 'BEGIN { printf "  ratio mpkexec/kexec: %.3f\n", a / b }' ;;
esac
