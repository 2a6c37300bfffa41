#!/bin/bash
# Run the checkpoint/restart benchmark in the guest: bench.sh [bench|fast|debug]
#   boots the guest in bench mode (bench/ckpt-bench.c, qemu.sh bench): ours
#   and CRIU on the same workloads, one kernel, one boot.  Writes the table
#   it prints, with how and where it ran, to RESULTS and draws it
#   (bench/chart.py) to CHART.  The bench configuration (the default) is
#   the only one whose guest has criu; the others report it as not running.
# Environment: BUILD, KVM=1, QEMU_MEM (default 3G), QEMU_TIMEOUT,
#   BENCH_REPS (repetitions, default 5), RESULTS (default bench/RESULTS.md),
#   CHART (default bench/results.png, next to RESULTS).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=${1:-bench}
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
LOG=$BUILD/logs/bench-$CONFIG.log
RESULTS=${RESULTS:-$ROOT/bench/RESULTS.md}
CHART=${CHART:-$(dirname "$RESULTS")/results.png}
BEGIN='<!-- ckpt-bench results begin -->'
END='<!-- ckpt-bench results end -->'
DBEGIN='<!-- ckpt-bench data begin -->'
DEND='<!-- ckpt-bench data end -->'

# The command as a reader would type it again.
cmd="scripts/bench.sh $CONFIG"
if [ -n "${MAKELEVEL:-}" ]; then
	cmd="make bench"
	[ "$CONFIG" = bench ] || cmd="$cmd CONFIG=$CONFIG"
fi
for v in KVM QEMU_MEM BENCH_REPS; do
	if [ -n "${!v:-}" ]; then cmd="$v=${!v} $cmd"; fi
done

start=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"$ROOT/scripts/qemu.sh" bench "$CONFIG"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - start))

# the guest's own account (kernel, CPU, accelerator) and the table; the
# serial line ends lines with CR LF
out=$(tr -d '\r' <"$LOG")
table=$(sed -n "\|^$BEGIN\$|,\|^$END\$|p" <<<"$out")
data=$(sed -n "\|^$DBEGIN\$|,\|^$DEND\$|p" <<<"$out" | sed '1d;$d')
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
python3 "$ROOT/bench/chart.py" <(printf '%s\n' "$data") "$CHART.tmp"
mv "$CHART.tmp" "$CHART"
criu=$(dpkg-query -W -f='${Version}' criu 2>/dev/null || echo "not installed")
{
	echo "# Checkpoint/restart benchmark results"
	echo
	echo "Produced by \`bench/ckpt-bench.c\` in the QEMU guest, ours and CRIU"
	echo "one after the other in the same boot; see that file for what is"
	echo "measured.  Times are CLOCK_MONOTONIC in the guest."
	echo
	echo "What is timed: ours, from the SIGSTOP that quiesces the target until"
	echo "checkpoint(2) returns, and from just before the restarter opens the"
	echo "image until the restored target runs again; CRIU, from spawning"
	echo "\`criu dump -t PID -D DIR\` (which seizes and freezes the running target"
	echo "itself) until it exits, and from just before exec of"
	echo "\`criu restore -D DIR -d\` until the restored target runs again.  The"
	echo "restored target takes the time (clock_gettime system call) when its"
	echo "interrupted 0.2 ms sleep returns (short: restart(2) resumes a sleep"
	echo "for the time it had left, CRIU ends it with EINTR), then checks its"
	echo "own state (memory,"
	echo "fds, offsets, bytes in its pipes); a restart that lost state counts as"
	echo "failed.  criu's kernel feature cache (/run/criu.kdat) is warm: \`criu"
	echo "check\` runs once before anything is timed.  The lower bounds: a"
	echo "tmpfs-to-tmpfs copy of the largest workload's bytes, and one memcpy()"
	echo "of them between two buffers whose pages are in place, which restart"
	echo "of that workload should come within 1.1x of, and one read() of the"
	echo "tmpfs file into such a buffer: the kernel's own copy of the bytes."
	echo
	echo "![ours vs CRIU, per workload and direction]($(basename "$CHART"))"
	echo
	echo "- command: \`$cmd\`"
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); the guest ran ${elapsed}s"
	echo "- kernel configuration: $CONFIG; QEMU: $(qemu-system-x86_64 --version | head -1)," \
		"$([ "${KVM:-0}" = 1 ] && echo "KVM, -cpu host" || echo "TCG, -cpu max"), -smp 2 -m ${QEMU_MEM:-3G}"
	echo "- criu: Debian package criu $criu, with its shared libraries, in the initramfs"
	echo "- host CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
		"$(nproc) CPUs; load average (1, 5, 15 min) before the run: $load_before," \
		"after: $load_after (the guest's CPUs are host threads: other host load adds noise)"
	sed '1d;$d' <<<"$table"
} >"$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
echo "bench: results in $RESULTS and $CHART (guest run ${elapsed}s)"
