#!/bin/bash
# Live migration between two guests: migrate.sh [fast|debug] [--short] [--check]
#
# Boots two guests, A and B, of the same kernel and initramfs (those of
# make initramfs CONFIG=...), at the same time.  Each has one virtio-serial
# device with two ports, whose host ends are unix sockets:
#   ckpt.image    the checkpoint stream, A -> B
#   ckpt.control  a line protocol, both ways (guest/migrate.sh tells it)
# There is no network between the guests: scripts/migrate-relay.py joins
# A's sockets to B's, byte for byte, counts the bytes and passes the end of
# the stream on.  A starts a tree (a counter and a producer | consumer
# pair), checkpoints it without stopping it for good (checkpoint --iterate
# when the driver has it, else a plain checkpoint) into its image port;
# B restarts it from its own, checks that the programs go on from where
# they were and tells A, which then kills its copy.  Guest A also checks
# checkpoint | restart through a TCP connection on 127.0.0.1.
#
# Prints the checkpoint mode, the time the tree was frozen, the bytes sent,
# the total time and PASS or FAIL with the reason; exits 0 only on PASS
# (which also needs both kernel logs free of splats, see scripts/tap.py).
# --short watches the programs for a few seconds (make check runs it);
# without it they run and are watched longer.
# --check: for make check; writes the result as the TAP program "migrate"
# to $BUILD/logs/tap-CONFIG.log and appends both kernel logs to
# $BUILD/logs/console-CONFIG.log, where scripts/tap.py judges them.
# Logs: $BUILD/logs/migrate-{a,b}-CONFIG.log (guest output),
#   console-migrate-{a,b}-CONFIG.log (kernel), migrate-relay-CONFIG.log.
# Environment: KVM=1, QEMU_MEM, QEMU_TIMEOUT (seconds per guest; 150 short,
#   300 otherwise, three times that for debug).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=fast SHORT=0 CHECK=0
for arg in "$@"; do
	case $arg in
	--short) SHORT=1 ;;
	--check) CHECK=1 ;;
	-*) echo "usage: migrate.sh [fast|debug] [--short] [--check]" >&2; exit 2 ;;
	*) CONFIG=$arg ;;
	esac
done
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
LOGS=$BUILD/logs
TAP=$LOGS/tap-$CONFIG.log
mkdir -p "$LOGS"

# make check: from here on, whatever happens is one TAP program of the
# run's log; an exit without the "# exit:" line counts as a failure too
if [ "$CHECK" = 1 ]; then
	echo "# selftest: migrate" >>"$TAP"
fi

# shellcheck source=scripts/qemu-lib.sh
. "$ROOT/scripts/qemu-lib.sh"
qemu_init
if [ "$SHORT" = 1 ]; then LENGTH=short TIMEOUT=150; else LENGTH=full TIMEOUT=300; fi
KARGS="ckpt.migrate=$LENGTH"
MEM=${QEMU_MEM:-2G}
if [ "$CONFIG" = debug ]; then
	# see scripts/qemu.sh: no ACPI PCI interrupt routing, more memory for
	# KASAN, and everything runs several times slower
	KARGS="$KARGS pci=noacpi"
	MEM=${QEMU_MEM:-3G}
	TIMEOUT=$((TIMEOUT * 3))
fi
TIMEOUT=${QEMU_TIMEOUT:-$TIMEOUT}
RELAY_LOG=$LOGS/migrate-relay-$CONFIG.log
# unix socket paths must be short (108 bytes): not under $BUILD
SOCKS=$(mktemp -d /tmp/ckpt-migrate.XXXXXX)
STATS=$SOCKS/stats
pids=()
declare -A qpid rc out
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$SOCKS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(date +%s)
echo "migrate: booting guests A and B ($CONFIG kernel, ${ACCEL[1]}, $LENGTH run, timeout ${TIMEOUT}s)"
for g in a b; do
	: >"$LOGS/console-migrate-$g-$CONFIG.log"
	: >"$LOGS/migrate-$g-$CONFIG.log"
	qemu_guest "$TIMEOUT" "$MEM" "ckpt.mode=migrate-$g $KARGS" \
		"$LOGS/console-migrate-$g-$CONFIG.log" "$LOGS/migrate-$g-$CONFIG.log" \
		-device virtio-serial-pci \
		-chardev "socket,id=image,path=$SOCKS/$g-image,server=on,wait=off" \
		-device virtserialport,chardev=image,name=ckpt.image \
		-chardev "socket,id=control,path=$SOCKS/$g-control,server=on,wait=off" \
		-device virtserialport,chardev=control,name=ckpt.control &
	qpid[$g]=$!
	pids+=("$!")
done
python3 "$ROOT/scripts/migrate-relay.py" "$SOCKS" "$STATS" "$((TIMEOUT + 30))" \
	>"$RELAY_LOG" 2>&1 &
relay=$!
pids+=("$relay")

# each guest's exit status: 0, or that of timeout (124: it ran too long)
for g in a b; do
	rc[$g]=0
	wait "${qpid[$g]}" || rc[$g]=$?
done
kill "$relay" 2>/dev/null || true
wait "$relay" || true
elapsed=$(($(date +%s) - start))

# --- the verdict, from A's output and the relay's count ------------------
# the serial line ends lines with CR LF
for g in a b; do out[$g]=$(tr -d '\r' <"$LOGS/migrate-$g-$CONFIG.log"); done
field() { sed -n "s/^migrate-a: $1 //p" <<<"${out[a]}" | tail -n 1; }
stat_of() { sed -n "s/^$1=//p" "$STATS" 2>/dev/null || true; }
mode=$(field mode)
frozen=$(field frozen)
sent=$(field sent)
relayed=$(stat_of image_bytes)
migration=$(field "result migration")
tcp=$(field "result tcp")

problems=()
for g in a b; do
	if [ "${rc[$g]}" = 124 ] || [ "${rc[$g]}" = 137 ]; then
		problems+=("guest ${g^^} timed out after ${TIMEOUT}s")
	elif [ "${rc[$g]}" != 0 ]; then
		problems+=("qemu of guest ${g^^} exited with status ${rc[$g]}")
	elif ! grep -q "^# guest complete: mode=migrate-$g" <<<"${out[$g]}"; then
		problems+=("guest ${g^^} did not complete")
	fi
done
[ -n "$migration" ] || migration="FAIL no result from guest A${problems:+ (${problems[0]})}"
[ -n "$tcp" ] || tcp="FAIL no result from guest A${problems:+ (${problems[0]})}"
if [ -n "$sent" ] && [ -n "$relayed" ] && [ "${sent%% *}" != "$relayed" ]; then
	problems+=("A sent ${sent%% *} bytes but the relay passed $relayed")
fi
# make check's scripts/tap.py looks at the kernel logs itself (--check)
if [ "$CHECK" = 0 ]; then
	for g in a b; do
		if ! "$ROOT/scripts/tap.py" --splats "$LOGS/console-migrate-$g-$CONFIG.log"; then
			problems+=("kernel splat in guest ${g^^}'s log")
		fi
	done
fi

verdict=PASS
case $migration in PASS*) ;; *) verdict=FAIL ;; esac
case $tcp in PASS*) ;; *) verdict=FAIL ;; esac
[ "${#problems[@]}" = 0 ] || verdict=FAIL

echo "migrate: checkpoint mode  ${mode:-unknown}"
echo "migrate: frozen           ${frozen:-unknown}"
echo "migrate: bytes sent       ${relayed:-0} through the relay (A counted ${sent:-nothing})"
echo "migrate: total time       ${elapsed}s, both boots included"
echo "migrate: A -> B           $migration"
echo "migrate: TCP in guest A   $tcp"
for p in "${problems[@]}"; do echo "migrate: problem: $p"; done
echo "migrate: $verdict (logs: $LOGS/migrate-{a,b}-$CONFIG.log, console-migrate-{a,b}-$CONFIG.log, $(basename "$RELAY_LOG"))"

if [ "$CHECK" = 1 ]; then
	# what scripts/tap.py reads: the program's TAP results ("#" would start
	# a TAP directive: none in descriptions), then the kernel logs, for its
	# splat check
	tap_line() {
		local d=${3//#/}
		case $2 in PASS*) echo "ok $1 $d" ;; *) echo "not ok $1 $d" ;; esac
	}
	{
		echo "1..3"
		tap_line 1 "$migration" "migration A -> B over virtio-serial, ${mode%% *} checkpoint, frozen ${frozen%% (*}: ${migration#* }"
		tap_line 2 "$tcp" "checkpoint | restart over TCP on 127.0.0.1 in guest A: ${tcp#* }"
		if [ "${#problems[@]}" = 0 ]; then
			tap_line 3 PASS "both guests completed, ${elapsed}s"
		else
			tap_line 3 FAIL "$(printf '%s; ' "${problems[@]}" | sed 's/; $//')"
		fi
		echo "# exit: migrate $([ "$verdict" = PASS ] && echo 0 || echo 1)"
	} >>"$TAP"
	for g in a b; do
		echo "=== migrate.sh: guest ${g^^} (ckpt.mode=migrate-$g)"
		cat "$LOGS/console-migrate-$g-$CONFIG.log"
	done >>"$LOGS/console-$CONFIG.log"
fi
[ "$verdict" = PASS ]
