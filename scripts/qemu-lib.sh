# shellcheck shell=bash
# How a guest boots, shared by scripts/qemu.sh and scripts/migrate.sh
# (sourced; they set ROOT, BUILD and CONFIG first).
#   qemu_init: sets KERNEL and INITRD (and fails if one is missing),
#     ACCEL: TCG, or KVM with KVM=1, and BOOT_KARGS, what the kernel
#     command line of CONFIG needs
#   qemu_guest TIMEOUT MEM KARGS CONSOLE OUTPUT [QEMU ARGUMENTS...] &: one
#     guest (2 CPUs, no display, no reboot) for TIMEOUT seconds at most;
#     ttyS0 (kernel console) is appended to CONSOLE, ttyS1 (guest output)
#     to OUTPUT; KARGS go on the kernel command line after the console
#     settings.  Run it in the background: the subshell becomes timeout(1)
#     (exec), so that $! is the pid to wait for, or to kill to stop the
#     guest.

qemu_init() {
	local f
	KERNEL=$BUILD/out-$CONFIG/arch/x86/boot/bzImage
	INITRD=$BUILD/initramfs-$CONFIG.cpio.gz
	for f in "$KERNEL" "$INITRD"; do
		[ -f "$f" ] || { echo "qemu: missing $f (run make initramfs CONFIG=$CONFIG)" >&2; exit 1; }
	done
	if [ "${KVM:-0}" = 1 ]; then
		ACCEL=(-accel kvm -cpu host)
	else
		ACCEL=(-accel tcg -cpu max)
	fi
	# KASAN finds the bounds of its shadow memory through the LA57 CPU
	# feature, which identify_cpu() clears for a moment at boot: an
	# interrupt in that window is reported as a "wild-memory-access" in
	# rcu_is_watching().  The debug guests use 4-level paging.
	# Two memory nodes, for the NUMA memory policies programs set.
	BOOT_KARGS=numa=fake=2
	[ "$CONFIG" != debug ] || BOOT_KARGS="$BOOT_KARGS no5lvl"
}

qemu_guest() {
	local timeout=$1 mem=$2 kargs=$3 console=$4 output=$5
	shift 5
	exec timeout -k 10 "$timeout" qemu-system-x86_64 "${ACCEL[@]}" -smp 2 -m "$mem" \
		-display none -monitor none -no-reboot -nodefaults \
		-kernel "$KERNEL" -initrd "$INITRD" "$@" \
		-append "console=ttyS0 loglevel=7 panic=-1 $BOOT_KARGS $kargs" \
		-chardev "file,id=ttyS0,path=$console,append=on" -serial chardev:ttyS0 \
		-chardev "file,id=ttyS1,path=$output,append=on" -serial chardev:ttyS1 \
		</dev/null
}
