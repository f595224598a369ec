#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# build-debs.sh BUILDDIR CACHEDIR
# The Debian packages of this tree, built once per source: `make distdir`
# of the configured BUILDDIR into a scratch directory, keyed by the hash of
# every file it ships; dpkg-buildpackage -us -uc -b there (tests skipped:
# make check runs them) unless CACHEDIR/debs-KEY already holds the result.
# Prints that directory; its build.log and build-seconds say how it went.
# Used by tests/pkg/install.test and the Debian-image VM scenarios
# (tests/vm/debian_vm.py), so one `make check` builds the packages once.
set -eu
build=${1:?usage: build-debs.sh BUILDDIR CACHEDIR}
cache=${2:?usage: build-debs.sh BUILDDIR CACHEDIR}
# Under make check: its MAKEFLAGS (jobserver, TESTS=...) must not reach the
# makes started here.
unset MAKEFLAGS MFLAGS MAKELEVEL || true
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
exec 9>"$cache/.debs.lock"
flock 9

scratch=$(mktemp -d "$cache/debs-build.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
version=$(sed -n 's/^mpkexec (\([^)]*\)).*/\1/p;q' "$(dirname "$0")/../../debian/changelog")
src=$scratch/mpkexec-$version
make -C "$build" distdir distdir="$src" top_distdir="$src" >"$scratch/distdir.log" 2>&1 ||
	{ tail -n 30 "$scratch/distdir.log" >&2; echo "build-debs: make distdir failed" >&2; exit 1; }
key=$(cd "$src" && find . -type f | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum | cut -c1-16)
out=$cache/debs-$key
if [ -f "$out/build-seconds" ]; then
	echo "$out"
	exit 0
fi
# under make distcheck the sources are read-only, and so is their copy;
# dh_autoreconf rewrites configure, Makefile.in and build-aux/ in place
chmod -R u+w "$src"
start=$(date +%s)
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
	>"$scratch/build.log" 2>&1 ||
	{ tail -n 60 "$scratch/build.log" >&2; echo "build-debs: dpkg-buildpackage failed" >&2; exit 1; }
mkdir -p "$scratch/out"
mv "$scratch"/*.deb "$scratch"/*.changes "$scratch"/*.buildinfo "$scratch/build.log" "$scratch/out/"
echo $(( $(date +%s) - start )) >"$scratch/out/build-seconds"
rm -rf "$out"
mv "$scratch/out" "$out"
# Only the newest few builds are kept (debs-KEY; not the debs-build.*
# scratch directories of builds running now).
find "$cache" -maxdepth 1 -name 'debs-*' ! -name 'debs-build.*' -printf '%T@ %p\n' |
	sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r -d '\n' rm -rf
echo "$out"
