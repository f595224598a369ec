#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# grub-build.sh CACHE: GRUB 2 for the i386-multiboot platform, built from
# Debian's grub2 source package into CACHE/grub-mb (bin/grub-mkimage and
# lib/grub/i386-multiboot).  Debian's grub-pc-bin ships i386-pc only (and
# grub-coreboot-bin's kernel, though it has a multiboot header, finds its
# memory through coreboot tables only: "No memory found"), so
# grub-multiboot.test needs this build.  Done once per cache (~7 min on 2
# cores); later calls return at once.  Needs root: adds a deb-src stanza
# (/etc/apt/sources.list.d/mpkexec-src.sources, mirror URI copied from the
# existing Debian source) and installs the build tools.
set -eu
CACHE=${1:?usage: grub-build.sh CACHE}
OUT=$CACHE/grub-mb
[ -x "$OUT/bin/grub-mkimage" ] && [ -f "$OUT/lib/grub/i386-multiboot/kernel.img" ] && exit 0

SRCLIST=/etc/apt/sources.list.d/mpkexec-src.sources
if [ ! -e "$SRCLIST" ]; then
	uri=$(sh "$(dirname "$0")/apt-mirror.sh")
	cat >"$SRCLIST" <<EOF
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends dpkg-dev bison flex autoconf automake \
	autopoint gettext python3 xz-utils gcc make >/dev/null

work=$CACHE/grub-src
rm -rf "$work"
mkdir -p "$work"
cd "$work"
apt-get source -q --download-only grub2 >/dev/null
dpkg-source -x grub2_*.dsc src >/dev/null
cd src
# Debian's patches touch the build files: regenerate them.
./autogen.sh >/dev/null 2>&1
./configure -q --with-platform=multiboot --target=i386 --disable-werror --disable-nls \
	--disable-grub-mkfont --disable-grub-themes --disable-grub-mount \
	--disable-device-mapper --disable-libzfs --disable-liblzma --prefix="$OUT" >/dev/null
nice make -j"$(nproc)" >/dev/null 2>&1 || make >/dev/null
make install >/dev/null
cd "$CACHE"
rm -rf "$work"
[ -x "$OUT/bin/grub-mkimage" ] && [ -f "$OUT/lib/grub/i386-multiboot/kernel.img" ]
