#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs what mpkexec needs on Debian 12 (as root), then builds it.
# Used by tests/demo.sh, tests/check.sh and CI; safe to run again.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

PKGS="gcc make osslsigncode openssl autoconf automake pkg-config libelf-dev zlib1g-dev liblzma-dev libzstd-dev \
libxxhash-dev libcmocka-dev clang libclang-rt-dev qemu-system-x86 ovmf busybox-static cpio kexec-tools makedumpfile python3"
# issue 11, tests/vm/grub-multiboot.test: GRUB for the i386-multiboot
# platform, built from Debian's grub2 source by tests/vm/grub-build.sh into
# the VM cache (Debian ships no i386-multiboot modules); its build tools.
PKGS="$PKGS dpkg-dev bison flex autopoint gettext xz-utils"
# issue 12, tests/pkg/install.test: builds the Debian packages (debian/)
# and runs lintian on them.
PKGS="$PKGS debhelper lintian"
# issue 12, tests/vm/debian-*.test: the Debian 12 image they boot, built
# once into the VM cache by tests/vm/debian-image.sh.
PKGS="$PKGS debootstrap e2fsprogs"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi

# issue 11: Memtest86+ for tests/vm/memtest-*.test, which download Debian's
# package into the VM cache themselves (apt-get download, never installed);
# here only a check that the package index knows it.
if ! apt-cache show memtest86+ >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	apt-cache show memtest86+ >/dev/null 2>&1 ||
		echo "setup: memtest86+ is not in the package index; tests/vm/memtest-*.test will fail" >&2
fi

# issue 11: Xen 4.17 for tests/vm/xen-mb2*.test, which download Debian's
# xen-hypervisor-4.17-amd64 into the VM cache themselves (apt-get download,
# never installed); here only a check that the package index knows it.
if ! apt-cache show xen-hypervisor-4.17-amd64 >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	apt-cache show xen-hypervisor-4.17-amd64 >/dev/null 2>&1 ||
		echo "setup: xen-hypervisor-4.17-amd64 is not in the package index; tests/vm/xen-mb2*.test will fail" >&2
fi

cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
[ -f Makefile ] || ./configure -q
make -s -j"$(nproc)" mpkexec
