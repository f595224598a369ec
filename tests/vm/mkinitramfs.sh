#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# mkinitramfs.sh OUT.cpio.gz CACHE_DIR [MPKEXEC_BIN [PATTERN_BIN [PAYLOAD_DIR]]]
# Build the test initramfs (newc, gzip): busybox-static + applet links, the
# test /init, both kernels under /kernels (and their efivarfs modules under
# /lib/modules/RELEASE), mpkexec (if MPKEXEC_BIN exists) and
# kexec-tools' kexec with their shared libraries, and a passwd with nobody.
# For the kdump scenarios: Debian's makedumpfile with its libraries (if
# installed) and /sbin/mpk-pattern (PATTERN_BIN, a static build of
# tests/vm/mpk-pattern.c; compiled here with gcc -static if not given).
# Payload scenarios (issue 11): PAYLOAD_DIR's files under /payloads.
# Needs root (mknod /dev/console: the kernel opens it before /init runs).
set -eu

OUT=${1:?usage: mkinitramfs.sh OUT.cpio.gz CACHE_DIR [MPKEXEC_BIN]}
CACHE=${2:?usage: mkinitramfs.sh OUT.cpio.gz CACHE_DIR [MPKEXEC_BIN]}
MPK=${3:-}
PAT=${4:-}
PAYLOADS=${5:-}
HERE=$(cd "$(dirname "$0")" && pwd)
BUSYBOX=$(command -v busybox) || { echo "mkinitramfs: busybox not found" >&2; exit 1; }
KEXEC=/usr/sbin/kexec

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/etc" "$root/proc" "$root/sys" \
	"$root/dev" "$root/tmp" "$root/kernels"
chmod 755 "$root"    # mktemp -d is 0700; nobody must traverse /
chmod 1777 "$root/tmp"
mknod -m 600 "$root/dev/console" c 5 1

# busybox and the applets /init uses
cp "$BUSYBOX" "$root/bin/busybox"
for a in sh ash mount umount mkdir cat echo printf test [ tr sed awk grep cut \
	 cpio find poweroff reboot sleep ls uname dmesg tail head rm id su \
	 setpriv chmod sysctl env true false wc dd truncate od hexdump insmod taskset stat; do
	ln -s busybox "$root/bin/$a"
done

# copy a dynamically linked binary plus its ldd dependencies and the ELF
# interpreter, each at its host path (dereferencing symlinks)
copy_bin() {
	mkdir -p "$root$(dirname "$2")"
	cp -L "$1" "$root$2"
	chmod 755 "$root$2"
	for lib in $(ldd "$1" | awk '/=> \//{print $3} /^[ \t]*\//{print $1}'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
copy_bin "$KEXEC" /sbin/kexec
if [ -n "$MPK" ] && [ -f "$MPK" ]; then
	copy_bin "$MPK" /sbin/mpkexec
else
	echo "mkinitramfs: no mpkexec binary ('$MPK'), kexec stand-in only" >&2
fi
# kdump (issue 10): the capture kernel's dump tools
MKDUMP=$(command -v makedumpfile || :)
if [ -n "$MKDUMP" ]; then
	copy_bin "$MKDUMP" /sbin/makedumpfile
else
	echo "mkinitramfs: makedumpfile not installed, the kdump scenarios will fail" >&2
fi
if [ -n "$PAT" ]; then
	cp "$PAT" "$root/sbin/mpk-pattern"
else
	${CC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -static -o "$root/sbin/mpk-pattern" \
		"$HERE/mpk-pattern.c"
fi
chmod 755 "$root/sbin/mpk-pattern"
# Debian's kdump-config (CACHE/kdump-tools: harness.fetch_kdump_tools) and
# the LSB functions it sources (sysvinit-utils, essential: on every host)
if [ -f "$CACHE/kdump-tools/usr/sbin/kdump-config" ]; then
	for f in usr/sbin/kdump-config usr/share/kdump-tools/kdump-tools.conf etc/kdump/sysctl.conf; do
		mkdir -p "$root/$(dirname "$f")"
		cp "$CACHE/kdump-tools/$f" "$root/$f"
	done
	mkdir -p "$root/lib/lsb"
	cp -r /lib/lsb/init-functions /lib/lsb/init-functions.d "$root/lib/lsb/"
else
	echo "mkinitramfs: no $CACHE/kdump-tools, the kdump-config scenario will fail" >&2
fi

for k in 6.1 6.12; do
	cp "$CACHE/vmlinuz-$k" "$root/kernels/vmlinuz-$k"
	# the kernel's efivarfs module, where /init looks for it
	rel=$(sed -n "s/^$k //p" "$CACHE/versions")
	mkdir -p "$root/lib/modules/$rel"
	cp "$CACHE/efivarfs-$k.ko" "$root/lib/modules/$rel/efivarfs.ko"
done
cp "$CACHE/versions" "$root/kernels/versions"
# payload scenarios (issue 11): the files of PAYLOAD_DIR under /payloads
if [ -n "$PAYLOADS" ]; then
	mkdir -p "$root/payloads"
	cp -L "$PAYLOADS"/* "$root/payloads/"
fi
cp "$HERE/init" "$root/init"
chmod 755 "$root/init"
cp "$HERE/report-firmware.sh" "$root/report-firmware.sh"

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/sh
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo /bin/sh >"$root/etc/shells"

mkdir -p "$(dirname "$OUT")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
