#!/bin/bash
# Boot the built kernel and initramfs: qemu.sh check|demo|bench [fast|debug|bench]
#   ttyS0 (kernel console) -> $BUILD/logs/console-$CONFIG.log
#   ttyS1 (guest output)   -> $BUILD/logs/tap-$CONFIG.log (demo: demo-$CONFIG.log,
#                             bench: bench-$CONFIG.log)
# check boots the guest twice with the same fresh raw virtio disk
# ($BUILD/logs/disk-$CONFIG.img, /dev/vda): ckpt.mode=check runs every test,
# then ckpt.mode=check-reboot runs the second phase of the reboot tests
# (guest/reboot_test); both boots append to the same two logs.
# Environment: KVM=1 (use KVM instead of TCG), QEMU_TIMEOUT (seconds per boot, 1200; debug 2400),
#   TEST_TIMEOUT (seconds per test program, 600), QEMU_MEM, V=1 (stream the
#   guest output in check mode too), BENCH_REPS (bench repetitions, 5),
#   FUZZ_ITERS and FUZZ_BUDGET (fuzz_test: iterations and seconds at most
#   per seed image; debug: 10000 and 40, else the program's defaults).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MODE=${1:?usage: qemu.sh check|demo|bench [fast|debug|bench]}
CONFIG=${2:-fast}
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
# shellcheck source=scripts/qemu-lib.sh
. "$ROOT/scripts/qemu-lib.sh"
LOGS=$BUILD/logs
CONSOLE=$LOGS/console-$CONFIG.log
case $MODE in
check) OUTPUT=$LOGS/tap-$CONFIG.log ;;
demo) OUTPUT=$LOGS/demo-$CONFIG.log ;;
bench) OUTPUT=$LOGS/bench-$CONFIG.log ;;
*) echo "qemu: unknown mode '$MODE' (check, demo or bench)" >&2; exit 2 ;;
esac
qemu_init
# KASAN keeps one shadow byte per eight bytes of memory; bench holds a
# 256 MiB target, its image and a 2 x 256 MiB copy in tmpfs.
if [ "$CONFIG" = debug ] || [ "$MODE" = bench ]; then MEM=${QEMU_MEM:-3G}; else MEM=${QEMU_MEM:-2G}; fi
# the debug kernel (KASAN, lockdep) runs the tests several times slower
if [ "$CONFIG" = debug ]; then TIMEOUT=${QEMU_TIMEOUT:-2400}; else TIMEOUT=${QEMU_TIMEOUT:-1200}; fi
EXTRA=
# profile=2: /proc/profile, a counter for every 4 bytes of kernel text
if [ "$MODE" = bench ]; then EXTRA=" ckpt.reps=${BENCH_REPS:-5} profile=2"; fi
# fuzz_test: iterations and seconds at most per seed image (the debug
# configuration runs longer; the fast one takes the program's defaults)
if [ "$CONFIG" = debug ]; then
	# no ACPI PCI interrupt routing: see config/debug.config
	EXTRA="$EXTRA pci=noacpi"
	FUZZ_ITERS=${FUZZ_ITERS:-10000} FUZZ_BUDGET=${FUZZ_BUDGET:-40}
fi
if [ -n "${FUZZ_ITERS:-}" ]; then EXTRA="$EXTRA ckpt.fuzz_iters=$FUZZ_ITERS"; fi
if [ -n "${FUZZ_BUDGET:-}" ]; then EXTRA="$EXTRA ckpt.fuzz_budget=$FUZZ_BUDGET"; fi

mkdir -p "$LOGS"
: >"$CONSOLE"
: >"$OUTPUT"
DISK=()
if [ "$MODE" = check ]; then
	IMG=$LOGS/disk-$CONFIG.img
	rm -f "$IMG"
	truncate -s 16M "$IMG"
	DISK=(-drive "file=$IMG,format=raw,if=virtio")
fi

# boot GUEST_MODE: one boot, its output appended to the logs; sets rc
boot() {
	local gmode=$1 qpid tpid='' start elapsed init_at lines bytes
	if [ "$MODE" = check ]; then echo "=== qemu.sh: boot with ckpt.mode=$gmode" >>"$CONSOLE"; fi
	lines=$(wc -l <"$CONSOLE")
	bytes=$(wc -c <"$OUTPUT")
	echo "qemu: booting $CONFIG kernel (${ACCEL[1]}, ckpt.mode=$gmode, timeout ${TIMEOUT}s); console log $CONSOLE"
	start=$(date +%s)
	qemu_guest "$TIMEOUT" "$MEM" "ckpt.mode=$gmode ckpt.timeout=${TEST_TIMEOUT:-600}$EXTRA" \
		"$CONSOLE" "$OUTPUT" "${DISK[@]}" &
	qpid=$!
	if [ "$MODE" != check ] || [ "${V:-0}" = 1 ]; then
		tail -c +"$((bytes + 1))" -f --pid="$qpid" "$OUTPUT" &
		tpid=$!
	fi
	rc=0
	wait "$qpid" || rc=$?
	[ -n "$tpid" ] && wait "$tpid"
	elapsed=$(($(date +%s) - start))

	init_at=$(tail -n +"$((lines + 1))" "$CONSOLE" |
		sed -n 's/^\[ *\([0-9.]*\)\] Run \/init as init process.*/\1/p')
	echo "qemu: guest ran ${elapsed}s, /init started at ${init_at:-?}s guest time"
	case $rc in
	0) ;;
	124 | 137) echo "qemu: guest timed out after ${TIMEOUT}s (QEMU_TIMEOUT)" >&2 ;;
	*) echo "qemu: qemu-system-x86_64 exited with status $rc" >&2 ;;
	esac
}

boot "$MODE"
if [ "$MODE" = check ]; then
	rc1=$rc
	# the second boot runs whatever the first left: scripts/tap.py judges
	boot check-reboot
	[ "$rc1" = 0 ] || rc=$rc1
fi
exit "$rc"
