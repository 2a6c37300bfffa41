#!/bin/bash
# Run the checkpoint/restart benchmark in the guest: bench.sh [fast|debug]
#   boots the guest in bench mode (bench/ckpt-bench.c, qemu.sh bench) and
#   writes the table it prints, with how and where it ran, to RESULTS.
# Environment: BUILD, KVM=1, QEMU_MEM (default 3G), QEMU_TIMEOUT,
#   BENCH_REPS (repetitions, default 5), RESULTS (default bench/RESULTS.md).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=${1:-fast}
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
LOG=$BUILD/logs/bench-$CONFIG.log
RESULTS=${RESULTS:-$ROOT/bench/RESULTS.md}
BEGIN='<!-- ckpt-bench results begin -->'
END='<!-- ckpt-bench results end -->'

# The command as a reader would type it again.
cmd="scripts/bench.sh $CONFIG"
if [ -n "${MAKELEVEL:-}" ]; then cmd="make bench CONFIG=$CONFIG"; fi
for v in KVM QEMU_MEM BENCH_REPS; do
	if [ -n "${!v:-}" ]; then cmd="$v=${!v} $cmd"; fi
done

"$ROOT/scripts/qemu.sh" bench "$CONFIG"

# the guest's own account (kernel, CPU, accelerator) and the table; the
# serial line ends lines with CR LF
table=$(tr -d '\r' <"$LOG" | sed -n "\|^$BEGIN\$|,\|^$END\$|p")
if ! grep -qxF "$END" <<<"$table"; then
	echo "bench: no results in $LOG (see $BUILD/logs/console-$CONFIG.log)" >&2
	exit 1
fi
# the kernel splats scripts/tap.py looks for, in short
if grep -qE 'BUG:|WARNING:|Oops|KASAN:|UBSAN:|lockdep:|Call Trace|Kernel panic' \
	"$BUILD/logs/console-$CONFIG.log"; then
	echo "bench: the kernel log shows a splat, see $BUILD/logs/console-$CONFIG.log" >&2
	exit 1
fi
{
	echo "# Checkpoint/restart benchmark results"
	echo
	echo "Produced by \`bench/ckpt-bench.c\` in the QEMU guest; see that file"
	echo "for what is measured.  Times are CLOCK_MONOTONIC in the guest."
	echo
	echo "- command: \`$cmd\`"
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- kernel configuration: $CONFIG; QEMU: $(qemu-system-x86_64 --version | head -1)," \
		"$([ "${KVM:-0}" = 1 ] && echo KVM || echo TCG), -smp 2 -m ${QEMU_MEM:-3G}"
	echo "- host CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	sed '1d;$d' <<<"$table"
} >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
echo "bench: results in $RESULTS"
