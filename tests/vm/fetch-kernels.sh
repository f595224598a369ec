#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# fetch-kernels.sh CACHE_DIR
# Idempotently fetch the Debian 6.1 (bookworm) and 6.12 (bookworm-backports)
# amd64 kernels into CACHE_DIR as vmlinuz-6.1 / vmlinuz-6.12, plus a
# "versions" file with the exact uname -r strings ("6.1 <rel>", "6.12 <rel>")
# and each kernel's efivarfs module, uncompressed (efivarfs-6.1.ko,
# efivarfs-6.12.ko: Debian builds efivarfs as a module; the UEFI scenarios
# read an EFI variable through it).
# The packages are downloaded and extracted, never installed.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)

CACHE=${1:?usage: fetch-kernels.sh CACHE_DIR}
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
if [ -s "$CACHE/vmlinuz-6.1" ] && [ -s "$CACHE/vmlinuz-6.12" ] &&
   [ -s "$CACHE/efivarfs-6.1.ko" ] && [ -s "$CACHE/efivarfs-6.12.ko" ] &&
   grep -q '^6\.1 ' "$CACHE/versions" 2>/dev/null &&
   grep -q '^6\.12 ' "$CACHE/versions" 2>/dev/null; then
	exit 0
fi

BPO=/etc/apt/sources.list.d/mpkexec-backports.sources
created=0

# Add bookworm-backports, reusing the mirror URI the machine already uses
# (so no host name ever appears in this project).
add_backports() {
	[ -e "$BPO" ] && return 0
	uri=$(sh "$HERE/apt-mirror.sh")
	cat >"$BPO" <<EOF
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	created=1
}

# Newest package name matching an ERE (sorted by version). The patterns
# exclude the -cloud/-rt flavours. Note: 6.12 may come from bookworm-security
# (linux-6.12, "+deb12") rather than backports ("+bpo"); either is accepted.
newest() {
	apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n1
}

add_backports
[ "$created" = 1 ] && apt-get update -qq

pkg61=$(newest '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$')
pkg612=$(newest '^linux-image-6\.12\.[0-9]+(\+[a-z0-9.]+)?-amd64-unsigned$')
if [ -z "$pkg61" ] || [ -z "$pkg612" ]; then
	apt-get update -qq
	pkg61=$(newest '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$')
	pkg612=$(newest '^linux-image-6\.12\.[0-9]+(\+[a-z0-9.]+)?-amd64-unsigned$')
fi
if [ -z "$pkg61" ] || [ -z "$pkg612" ]; then
	echo "fetch-kernels: kernel packages not found (6.1: '$pkg61', 6.12: '$pkg612')" >&2
	exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"   # apt's _apt sandbox user writes the .deb here
: >"$work/versions"
for k in 6.1 6.12; do
	if [ "$k" = 6.1 ]; then pkg=$pkg61; else pkg=$pkg612; fi
	(cd "$work" && apt-get download -q "$pkg")
	dpkg -x "$work"/"$pkg"_*.deb "$work/x-$k"
	img=$(find "$work/x-$k/boot" -name "vmlinuz-*" | head -n1)
	rel=${img##*/vmlinuz-}
	mod=$(find "$work/x-$k/lib/modules" -name "efivarfs.ko*" | head -n1)
	[ -n "$mod" ] || { echo "fetch-kernels: no efivarfs module in $pkg" >&2; exit 1; }
	case $mod in
	*.xz)  xz -dc "$mod" ;;
	*.zst) zstd -dcq "$mod" ;;
	*.gz)  gzip -dc "$mod" ;;
	*)     cat "$mod" ;;
	esac >"$CACHE/efivarfs-$k.ko.new"
	cp "$img" "$CACHE/vmlinuz-$k.new" && mv "$CACHE/vmlinuz-$k.new" "$CACHE/vmlinuz-$k"
	mv "$CACHE/efivarfs-$k.ko.new" "$CACHE/efivarfs-$k.ko"
	echo "$k $rel" >>"$work/versions"
	echo "fetch-kernels: $k -> $rel ($pkg)"
done
mv "$work/versions" "$CACHE/versions"
