#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The job of a Debian-image scenario (tests/vm/debian_vm.py copies it to
# the job disk as "run"; the image's mpk-job services run it, stdout on the
# serial console).  `run early` at every boot before kdump-tools loads its
# capture kernel: counts the boot and, at boot 0, installs the packages
# built from the tree.  `run up` once multi-user.target is reached: reports
# the system and does this boot's steps (STEP_<boot> in scenario.conf).
# Every line the host parses starts with "MPK-"; a failure prints MPK-FAIL
# and powers off.
J=/run/mpk-job
S=/var/lib/mpk-job
. "$J/scenario.conf"
mkdir -p "$S"

fail() {
	echo "MPK-FAIL $*"
	systemctl --no-block poweroff
	exit 1
}

# rel 6.1|6.12: the kernel release of that series in the image
rel() {
	case $1 in
	6.1) echo "$REL_61" ;;
	6.12) echo "$REL_612" ;;
	*) fail "no kernel series '$1'" ;;
	esac
}

# kexec-tools' binary, wherever mpkexec-kexec has put it
kexec_tools() {
	if [ -x /sbin/kexec.kexec-tools ]; then echo /sbin/kexec.kexec-tools; else echo /sbin/kexec; fi
}

install_packages() {
	debs="$J/debs/mpkexec_*.deb"
	[ "$INSTALL_KEXEC" = 1 ] && debs="$debs $J/debs/mpkexec-kexec_*.deb"
	# shellcheck disable=SC2086
	dpkg -i $debs >/tmp/dpkg.out 2>&1
	rc=$?
	awk '{ print "MPK-DPKG line=" $0 }' /tmp/dpkg.out
	echo "MPK-INSTALL rc=$rc kexec=$(readlink /sbin/kexec || echo none) version=$(/usr/sbin/mpkexec --version | cut -d' ' -f2) hook=$([ -x /lib/systemd/system-shutdown/mpkexec ] && echo 1 || echo 0) line=$(dpkg-divert --list /sbin/kexec)"
	[ "$rc" = 0 ] || fail "dpkg -i exited $rc"
}

# oneline FILE: its lines joined with " | " (one record per command)
oneline() {
	awk 'NR > 1 { printf " | " } { printf "%s", $0 }' "$1"
}

handoff_json() {
	if /usr/sbin/mpkexec --last-handoff --json >/tmp/json.out 2>/tmp/json.err; then
		echo "MPK-HANDOFF-JSON rc=0 json=$(cat /tmp/json.out)"
	else
		echo "MPK-HANDOFF-JSON rc=$? msg=$(cat /tmp/json.err)"
	fi
}

if [ "$1" = early ]; then
	boot=$(cat "$S/boot" 2>/dev/null || echo -1)
	boot=$((boot + 1))
	echo "$boot" >"$S/boot"
	sync
	echo "MPK-BOOT boot=$boot release=$(uname -r) vmcore=$([ -e /proc/vmcore ] && echo 1 || echo 0) online=$(cat /sys/devices/system/cpu/online) cmdline=$(cat /proc/cmdline)"
	[ "$boot" = 0 ] && install_packages
	# a kdump capture boot: what started it (kdump-tools' dump service
	# then saves the dump and reboots)
	[ -e /proc/vmcore ] && handoff_json
	exit 0
fi

boot=$(cat "$S/boot")
# multi-user.target does not wait for udev's coldplug: let module loading
# (kvm, drm, ahci, ...) finish before CPU hotplug and kexec
udevadm settle --timeout=120
echo "MPK-GEN gen=$boot release=$(uname -r) online=$(cat /sys/devices/system/cpu/online) cpus=$(grep -c ^processor /proc/cpuinfo) wakeup=$(dmesg | grep -c 'replaced with acpi_wakeup_cpu') cmdline=$(cat /proc/cmdline)"
echo "MPK-UNITS multiuser=$(systemctl is-active multi-user.target) system=$(systemctl is-system-running) failed=$(systemctl --failed --plain --no-legend | awk '{ printf "%s%s", s, $1; s = "," }')"
. "$J/report-firmware.sh"
report_firmware
dmesg | grep -E 'Stale IRR|acpi_wakeup_cpu|smpboot: |smp: |Offline CPU|blocking current GP' |
	while read -r l; do echo "MPK-DMESG line=$l"; done
handoff_json

eval "steps=\${STEP_$boot-}"
[ -n "$steps" ] || fail "boot $boot: no steps for it (an unexpected reboot?)"
for step in $steps; do
	case $step in
	nothing)
		# systemctl kexec with nothing loaded: systemd's own refusal
		systemctl kexec >/tmp/sk.out 2>&1
		echo "MPK-NOTHING rc=$? loaded=$(cat /sys/kernel/kexec_loaded) msg=$(oneline /tmp/sk.out)"
		;;
	offline:*)
		n=${step#offline:}
		# Linux 6.12 now and then refuses an offline with EIO while the
		# system is still settling (seen once in CI under TCG); the
		# scenario is about the kexec after it, so up to 5 tries, counted
		try=0 rc=1
		while [ "$rc" != 0 ] && [ "$try" -lt 5 ]; do
			try=$((try + 1))
			rc=0
			printf 0 >"/sys/devices/system/cpu/cpu$n/online" || { rc=1; sleep 1; }
		done
		echo "MPK-OFFLINE cpu=$n rc=$rc tries=$try online=$(cat /sys/devices/system/cpu/online)"
		;;
	load:*)
		# load:SERIES:TOOL[:OPTION], in the option form systemctl uses for
		# its own loads (--load KERNEL --append CMDLINE --initrd INITRD),
		# OPTION (one word, e.g. --ap-handoff=init) added
		k=${step#load:}
		tool=${k#*:}
		k=${k%%:*}
		opt=
		case $tool in *:*) opt=${tool#*:}; tool=${tool%%:*} ;; esac
		r=$(rel "$k")
		case $tool in
		kexec) bin=/sbin/kexec ;;
		mpkexec) bin=/usr/sbin/mpkexec ;;
		kexec-tools) bin=$(kexec_tools) ;;
		*) fail "load: no tool '$tool'" ;;
		esac
		echo "MPK-LOADCMD line=$bin --load /boot/vmlinuz-$r --append <cmdline> --initrd /boot/initrd.img-$r $opt ($(readlink -f "$bin"))"
		# shellcheck disable=SC2086
		"$bin" --load "/boot/vmlinuz-$r" --append "$(cat /proc/cmdline)" --initrd "/boot/initrd.img-$r" $opt >/tmp/load.out 2>&1
		rc=$?
		awk '{ print "MPK-LOADMSG line=" $0 }' /tmp/load.out
		echo "MPK-LOAD rc=$rc kernel=$k loaded=$(cat /sys/kernel/kexec_loaded)"
		[ "$rc" = 0 ] || fail "load of $k with $bin exited $rc"
		;;
	remove-kexec)
		dpkg -r mpkexec-kexec >/tmp/dpkg.out 2>&1
		echo "MPK-REMOVE rc=$? kexec=$(readlink /sbin/kexec || echo file) line=$(/sbin/kexec --version 2>&1 | head -n1)"
		;;
	hook-off)
		# for demonstrating what the systemd-shutdown hook prevents (by
		# hand, not in make check): take it away
		chmod -x /lib/systemd/system-shutdown/mpkexec
		echo "MPK-HOOK-OFF rc=$?"
		;;
	systemctl-kexec)
		echo "MPK-SYSTEMCTL-KEXEC"
		sync
		systemctl --no-block kexec || fail "systemctl kexec exited $?"
		exit 0
		;;
	kdump-status)
		kdump-config status >/tmp/kdc.out 2>&1
		echo "MPK-KDUMP-STATUS rc=$? crash_loaded=$(cat /sys/kernel/kexec_crash_loaded) line=$(oneline /tmp/kdc.out)"
		echo "MPK-KDUMP-CMD line=$(cat /var/crash/kexec_cmd 2>/dev/null)"
		/usr/sbin/mpkexec --status 2>&1 | while read -r l; do echo "MPK-STATUS line=$l"; done
		journalctl -b -u kdump-tools.service --no-pager -o cat 2>/dev/null |
			while read -r l; do echo "MPK-KDUMP-LOG line=$l"; done
		;;
	crash)
		echo "MPK-CRASH"
		sync
		echo c >/proc/sysrq-trigger
		fail "still running after the sysrq crash"
		;;
	crash-files)
		# what kdump-tools saved; the dump is makedumpfile's flattened
		# format (-F), which makedumpfile -R turns back into a
		# kdump-compressed file ("KDUMP   " signature)
		for d in /var/crash/2*; do
			[ -d "$d" ] || continue
			dump=$(ls "$d"/dump.* 2>/dev/null | head -n1)
			dm=$(ls "$d"/dmesg.* 2>/dev/null | head -n1)
			panic=$(grep -m1 'Kernel panic - not syncing' "$dm" 2>/dev/null)
			rm -f /var/tmp/dump.re
			makedumpfile -R /var/tmp/dump.re <"$dump" >/dev/null 2>&1
			rrc=$?
			echo "MPK-CRASHDIR dir=$d dump=${dump##*/} dumpsize=$(stat -c %s "$dump" 2>/dev/null || echo 0) rearranged=$rrc sig=$(head -c 8 /var/tmp/dump.re 2>/dev/null | tr -dc 'A-Za-z0-9') dmesg=${dm##*/} line=$panic"
			rm -f /var/tmp/dump.re
		done
		echo "MPK-CRASHDIRS n=$(ls -d /var/crash/2* 2>/dev/null | wc -l)"
		;;
	done)
		echo "MPK-DONE"
		systemctl --no-block poweroff
		exit 0
		;;
	*)
		fail "unknown step '$step'"
		;;
	esac
done
