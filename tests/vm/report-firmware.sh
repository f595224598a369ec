#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# report_firmware: what this kernel sees of the firmware and of the handoff,
# as MPK-* lines for the host to check independently (handoff_checks.py):
# MPK-APIC, MPK-IOMEM (ACPI NVS), MPK-IOMEM-ACPI, MPK-DMESG (SMP bring-up,
# RSDP, EFI), MPK-EFI, MPK-EFIVAR.  Sourced by the busybox initramfs' /init
# (tests/vm/init) and by the Debian image's job (tests/vm/debian-job.sh).
report_firmware() {
	# its MADT as hex, the ACPI NVS and ACPI Tables ranges, the SMP bring-up
	# lines
	echo "MPK-APIC hex=$(od -An -v -tx1 /sys/firmware/acpi/tables/APIC | tr -d ' \n')"
	grep "ACPI Non-volatile Storage" /proc/iomem | while read -r l; do
		echo "MPK-IOMEM range=${l%% *}"
	done
	grep "ACPI Tables" /proc/iomem | while read -r l; do
		echo "MPK-IOMEM-ACPI range=${l%% *}"
	done
	dmesg | grep -E "smp: Bringing up secondary CPUs|smp: Brought up|x86: Booting SMP|Failed to hand over|No MADT mailbox|ACPI: RSDP 0x|efi: EFI v|efi: .*ACPI=" |
		while read -r l; do echo "MPK-DMESG line=$l"; done
	# EFI as this kernel sees it (from the firmware in gen 0, from the loader
	# after that): the config tables (systab) and the runtime map, each entry
	# type:phys_addr:virt_addr:num_pages:attribute; then one variable read
	# through efivarfs, i.e. through the GetVariable runtime service.
	EFI=/sys/firmware/efi
	if [ -d $EFI ]; then
		systab=''
		[ -r $EFI/systab ] && systab=$(tr '\n' , <$EFI/systab)
		map='' i=0
		while [ -d $EFI/runtime-map/$i ]; do
			d=$EFI/runtime-map/$i
			map="$map${map:+,}$(cat $d/type):$(cat $d/phys_addr):$(cat $d/virt_addr):$(cat $d/num_pages):$(cat $d/attribute)"
			i=$((i + 1))
		done
		systab=${systab%,}
		echo "MPK-EFI present=1 systab=${systab:-none} map=${map:-none}"
		V=$EFI/efivars
		# Debian builds efivarfs as a module (mkinitramfs.sh copies it into
		# the initramfs; on a full system systemd has mounted efivarfs)
		insmod /lib/modules/"$(uname -r)"/efivarfs.ko 2>/dev/null
		if grep -q " $V efivarfs " /proc/mounts || mount -t efivarfs efivarfs $V 2>/tmp/err; then
			G=8be4df61-93ca-11d2-aa0d-00e098032b8c
			var=''
			for n in BootOrder-$G PlatformLang-$G Lang-$G; do
				[ -f "$V/$n" ] && { var=$n; break; }
			done
			[ -n "$var" ] || var=$(ls $V | head -n1)
			if [ -z "$var" ]; then
				echo "MPK-EFIVAR name=none msg=no variable in efivarfs"
			elif od -An -v -tx1 "$V/$var" >/tmp/efivar 2>/tmp/err && [ -s /tmp/efivar ]; then
				echo "MPK-EFIVAR name=$var hex=$(tr -d ' \n' </tmp/efivar)"
			else
				echo "MPK-EFIVAR name=$var msg=read failed: $(cat /tmp/err)"
			fi
		else
			echo "MPK-EFIVAR name=none msg=mount efivarfs: $(cat /tmp/err)"
		fi
	else
		echo "MPK-EFI present=0 systab=none map=none"
		echo "MPK-EFIVAR name=none msg=no EFI"
	fi
}
