#!/bin/sh
# mkinitramfs.sh OUT.cpio.gz CACHE_DIR [MPKEXEC_BIN]
# Build the test initramfs (newc, gzip): busybox-static + applet links, the
# test /init, both kernels under /kernels (and their efivarfs modules under
# /lib/modules/RELEASE), mpkexec (if MPKEXEC_BIN exists) and
# kexec-tools' kexec with their shared libraries, and a passwd with nobody.
# Needs root (mknod /dev/console: the kernel opens it before /init runs).
set -eu

OUT=${1:?usage: mkinitramfs.sh OUT.cpio.gz CACHE_DIR [MPKEXEC_BIN]}
CACHE=${2:?usage: mkinitramfs.sh OUT.cpio.gz CACHE_DIR [MPKEXEC_BIN]}
MPK=${3:-}
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
	 setpriv chmod sysctl env true false wc dd truncate od hexdump insmod taskset; do
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

for k in 6.1 6.12; do
	cp "$CACHE/vmlinuz-$k" "$root/kernels/vmlinuz-$k"
	# the kernel's efivarfs module, where /init looks for it
	rel=$(sed -n "s/^$k //p" "$CACHE/versions")
	mkdir -p "$root/lib/modules/$rel"
	cp "$CACHE/efivarfs-$k.ko" "$root/lib/modules/$rel/efivarfs.ko"
done
cp "$CACHE/versions" "$root/kernels/versions"
cp "$HERE/init" "$root/init"
chmod 755 "$root/init"

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
