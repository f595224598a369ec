#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# debian-image.sh CACHE_DIR
# Builds, once, the Debian 12 root filesystem the systemd and kdump-tools
# scenarios boot (issue 12): debootstrap minbase plus systemd-sysv,
# kdump-tools, makedumpfile and initramfs-tools, the same two Debian kernel
# packages the other scenarios use (CACHE/versions, tests/vm/fetch-kernels.sh
# must have run), each with its initrd and kdump-tools' kdump initrd, as an
# ext4 image (mkfs.ext4 -d: no loop device, no mount of the image).
#
# The package built from the tree is not in this image: each scenario
# installs it with dpkg at its first boot, from a job disk
# (tests/vm/debian_vm.py), so that a change to mpkexec never rebuilds the
# image.  The image holds only a small job runner that mounts that disk.
#
# Output: CACHE/debian12-KEY/{disk.raw,vmlinuz-6.1,initrd-6.1,vmlinuz-6.12,
# initrd-6.12,versions}; KEY hashes this script and CACHE/versions.  Prints
# the directory.  Needs root (debootstrap, chroot).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${1:?usage: debian-image.sh CACHE_DIR}
CACHE=$(cd "$CACHE" && pwd)
[ -s "$CACHE/versions" ] || { echo "debian-image: $CACHE/versions missing (run fetch-kernels.sh)" >&2; exit 1; }
key=$(cat "$0" "$CACHE/versions" | sha256sum | cut -c1-16)
out=$CACHE/debian12-$key
if [ -s "$out/disk.raw" ]; then
	echo "$out"
	exit 0
fi
for t in debootstrap mkfs.ext4 chroot; do
	command -v "$t" >/dev/null ||
		{ echo "debian-image: $t missing (tests/setup.sh installs debootstrap and e2fsprogs)" >&2; exit 1; }
done
mirror=$(sh "$HERE/apt-mirror.sh")
start=$(date +%s)

work=$(mktemp -d "$CACHE/debian12-build.XXXXXX")
root=$work/root
cleanup() {
	for m in proc sys dev/pts dev; do
		mountpoint -q "$root/$m" 2>/dev/null && umount -l "$root/$m"
	done
	rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"

# The kernel packages first: a missing one should fail before the long part.
kdir=$work/debs
mkdir -p "$kdir"
chmod 777 "$kdir"   # apt's _apt sandbox user writes the .deb here
rels=
for k in 6.1 6.12; do
	rel=$(awk -v k="$k" '$1 == k { print $2 }' "$CACHE/versions")
	[ -n "$rel" ] || { echo "debian-image: no $k in $CACHE/versions" >&2; exit 1; }
	(cd "$kdir" && apt-get download -q "linux-image-$rel-unsigned" >/dev/null)
	rels="$rels $rel"
done

echo "debian-image: debootstrap bookworm (minbase) from the machine's apt mirror" >&2
debootstrap --variant=minbase \
	--include=systemd-sysv,udev,kmod,initramfs-tools,zstd,kdump-tools,makedumpfile,kexec-tools,procps,e2fsprogs \
	bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	{ tail -n 30 "$work/debootstrap.log" >&2; echo "debian-image: debootstrap failed" >&2; exit 1; }

# initrds with the modules a q35 VM needs to mount its virtio root, listed
# rather than detected: MODULES=dep would look at the build host's root,
# and kdump-tools' initrd hook turns "most" into "dep".
cat >"$root/etc/initramfs-tools/conf.d/mpk-vm" <<'EOF'
MODULES=list
EOF
cat >>"$root/etc/initramfs-tools/modules" <<'EOF'
virtio_pci
virtio_blk
ext4
EOF
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$root/etc/fstab"
echo mpk-debian >"$root/etc/hostname"
# kdump-tools on by default; its debconf default is off.
sed -i 's/^USE_KDUMP=.*/USE_KDUMP=1/' "$root/etc/default/kdump-tools"
grep -q '^USE_KDUMP=1' "$root/etc/default/kdump-tools" ||
	echo USE_KDUMP=1 >>"$root/etc/default/kdump-tools"

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
cp "$kdir"/*.deb "$root/tmp/"
chroot "$root" sh -c 'dpkg -i /tmp/linux-image-*.deb' >"$work/kernels.log" 2>&1 ||
	{ tail -n 30 "$work/kernels.log" >&2; echo "debian-image: kernel install failed" >&2; exit 1; }
rm -f "$root"/tmp/*.deb
for rel in $rels; do
	for f in "/boot/initrd.img-$rel" "/var/lib/kdump/initrd.img-$rel"; do
		[ -s "$root$f" ] || { tail -n 30 "$work/kernels.log" >&2; echo "debian-image: $f was not built" >&2; exit 1; }
	done
	# What kdump-config's first load leaves behind: without it, that load
	# deletes the kdump initrd the kernel's install just built and builds
	# it again (a minute under TCG, at every scenario's first boot).
	cp "$root/etc/kdump/sysctl.conf" "$root/var/lib/kdump/latest_sysctls-$rel"
done

# The job runner (tests/vm/debian_vm.py writes the job disk): at every boot
# it mounts the disk labelled MPKJOB and runs its "run" script, once early
# (before kdump-tools loads its capture kernel: the package goes in there;
# also in a kdump capture boot, whose only unit is kdump-tools' dump
# service) and once when the system is up.
mkdir -p "$root/usr/local/sbin"
cat >"$root/usr/local/sbin/mpk-job" <<'EOF'
#!/bin/sh
# mpk-job early|up: run the test job disk's script (tests/vm/debian_vm.py).
mkdir -p /run/mpk-job
mountpoint -q /run/mpk-job || mount -o ro LABEL=MPKJOB /run/mpk-job 2>/dev/null ||
	mount -o ro /dev/vdb /run/mpk-job || { echo "MPK-FAIL no job disk" >/dev/ttyS0; exit 1; }
exec /bin/sh /run/mpk-job/run "$1" </dev/null >/dev/ttyS0 2>&1
EOF
chmod 755 "$root/usr/local/sbin/mpk-job"
cat >"$root/etc/systemd/system/mpk-job-early.service" <<'EOF'
[Unit]
Description=mpkexec test job (early)
DefaultDependencies=no
After=local-fs.target systemd-udev-settle.service
Before=kdump-tools.service kdump-tools-dump.service basic.target
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/mpk-job early
RemainAfterExit=yes
[Install]
WantedBy=basic.target kdump-tools-dump.service
EOF
cat >"$root/etc/systemd/system/mpk-job.service" <<'EOF'
[Unit]
Description=mpkexec test job
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/mpk-job up
[Install]
WantedBy=multi-user.target
EOF
chroot "$root" systemctl enable mpk-job-early.service mpk-job.service >/dev/null 2>&1
# Quiet, quick boots: no getty on the serial console the host reads, no
# timers.
chroot "$root" systemctl mask serial-getty@ttyS0.service getty@tty1.service \
	apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer >/dev/null 2>&1 || true
chroot "$root" passwd -d root >/dev/null

for m in proc sys dev; do umount -l "$root/$m"; done

mkdir -p "$work/out"
for k in 6.1 6.12; do
	rel=$(awk -v k="$k" '$1 == k { print $2 }' "$CACHE/versions")
	cp "$root/boot/vmlinuz-$rel" "$work/out/vmlinuz-$k"
	cp "$root/boot/initrd.img-$rel" "$work/out/initrd-$k"
done
cp "$CACHE/versions" "$work/out/versions"
# Room for two crash dumps and the package installs.
size=$(( $(du -sm "$root" | cut -f1) + 1024 ))
mkfs.ext4 -q -L mpkroot -d "$root" "$work/out/disk.raw" "${size}M" >&2
rm -rf "$root"
mv "$work/out" "$out"
# Older images of this script are no longer used.
for d in "$CACHE"/debian12-*; do
	[ "$d" = "$out" ] || case $d in *-build.*) ;; *) rm -rf "$d" ;; esac
done
echo "debian-image: built $out in $(( $(date +%s) - start )) s ($(du -sm "$out/disk.raw" | cut -f1) MiB)" >&2
echo "$out"
