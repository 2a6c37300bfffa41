#!/bin/sh
# Guest side of scripts/migrate.sh: live migration of a process tree from
# guest A to guest B, whose only link is a pair of virtio-serial ports
# (no network).  guest/init runs it for ckpt.mode=migrate-a|migrate-b:
#   migrate.sh a|b [short|full]
#
# Ports (found by name in /sys/class/virtio-ports):
#   ckpt.image    A's checkpoint stream, byte for byte, to B's restart
#   ckpt.control  one line per message, both ways:
#     B -> A  READY                     restart is reading the image port
#     A -> B  ABORT REASON              A gave up before the checkpoint
#     A -> B  END BYTES STATUS ROOT C0 C1 S0
#             the stream is complete: BYTES long; STATUS is checkpoint's
#             exit status; ROOT the pid of the tree; C0 and C1 the last
#             count A's counter printed before and after the checkpoint;
#             S0 the last number A's consumer had checked before it
#     B -> A  PASS DETAILS | FAIL REASON   B's verdict
#     A -> B  DONE                      A acted on the verdict
# A virtio-serial port has no end of file of its own: QEMU keeps a
# guest's close() to itself.  The host relay (scripts/migrate-relay.py)
# reads END on the control port and, once BYTES image bytes went through,
# half-closes B's image socket; QEMU turns that into a host disconnect,
# which restart on B reads as the end of its input.
#
# The tree migrated: a shell, a counter (guest/counter.c) and a producer
# | consumer pair over a pipe (guest/seqpipe.c) whose consumer checks
# that it sees an unbroken sequence.  Its output goes through a pipe to a
# reader outside the tree: restart hands such a pipe's descriptors to
# whatever the restarting process has there, so on B the restored
# programs write to restart's standard output.  A checkpoints without
# --kill (the tree is frozen meanwhile, then goes on) and kills its copy
# only once B reported that its own runs.
#
# Guest A also checks `checkpoint | nc` -> `nc -l | restart` through a
# TCP connection on 127.0.0.1, while B checks the migrated tree.
#
# scripts/migrate.sh reads the lines "migrate-a: result NAME PASS|FAIL
# ..." and "migrate-a: mode|frozen|sent ..." from A's output.
set -eu
role=${1:?usage: migrate.sh a|b [short|full]}
length=${2:-short}
me=migrate-$role
# how long the programs run before the checkpoint, and are watched after
if [ "$length" = full ]; then warm=6 watch=10; else warm=3 watch=3; fi
TCP_PORT=7007

say() { echo "$me: $*"; }

# milliseconds since boot
now_ms() {
	local up frac
	read -r up _ </proc/uptime
	frac=${up#*.}
	echo $((${up%.*} * 1000 + ${frac#0} * 10))
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds; fails on timeout
wait_for() {
	local end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# the device of the virtio-serial port named $1 (devtmpfs makes the node;
# make it from sysfs if it did not)
port_dev() {
	local d mm
	for d in /sys/class/virtio-ports/*; do
		[ "$(cat "$d/name" 2>/dev/null)" = "$1" ] || continue
		if [ ! -c "/dev/${d##*/}" ]; then
			mm=$(cat "$d/dev")
			mknod "/dev/${d##*/}" c "${mm%:*}" "${mm#*:}"
		fi
		echo "/dev/${d##*/}"
		return 0
	done
	return 1
}
ports_up() { port_dev ckpt.image >/dev/null && port_dev ckpt.control >/dev/null; }

# send WORDS...: one line to the other guest
send() {
	printf '%s\n' "$*" >&3
	say "sent: $*"
}

# expect SECONDS WORD...: read lines from the other guest until one
# starts with one of the WORDs: $word gets it, $reply the rest.  A read
# also ends at once (end of file) while the host end of the port is not
# connected yet: try again until the time is up.
expect() {
	local end=$(($(now_ms) + $1 * 1000)) line w
	shift
	while [ "$(now_ms)" -lt "$end" ]; do
		# shellcheck disable=SC3045 # busybox sh has read -t
		if IFS= read -r -t 2 line <&3; then
			say "received: $line"
			for w in "$@"; do
				case $line in
				"$w" | "$w "*)
					word=$w
					reply=${line#"$w"}
					reply=${reply# }
					return 0
					;;
				esac
			done
		else
			sleep 0.2
		fi
	done
	return 1
}

# counts the counter printed to $1, one a line
counts() { sed -n 's/.*counter pid [0-9]*: count \([0-9]*\) .*/\1/p' "$1"; }
# the numbers the seqpipe consumer reported it checked, one a line
seqs() { sed -n 's/^seqpipe consumer: \([0-9]*\) in order$/\1/p' "$1"; }
last_or_0() { tail -n 1 | grep . || echo 0; }
has_lines() { [ "$($1 "$2" | wc -l)" -ge "$3" ]; }
# is $1 consecutive numbers, one a line?
consecutive() { echo "$1" | awk 'NR > 1 && $1 != p + 1 { bad = 1 } { p = $1 } END { exit bad }'; }

# check_counter FILE AFTER [MAX]: the counter printed to FILE resumes
# past AFTER (at most at MAX) and counts on; $details tells, or why not
check_counter() {
	local c first last n
	c=$(counts "$1")
	n=$(echo "$c" | grep -c . || true)
	first=$(echo "$c" | head -n 1)
	last=$(echo "$c" | tail -n 1)
	if [ "$n" -lt 2 ]; then
		details="the counter printed $n counts after the restart"
		return 1
	fi
	if [ "$first" -le "$2" ] || { [ -n "${3:-}" ] && [ "$first" -gt "$3" ]; }; then
		details="the counter resumed at $first, expected $(($2 + 1))${3:+..$3}"
		return 1
	fi
	if ! consecutive "$c"; then
		details="the counter skipped counts: $(echo "$c" | tr '\n' ' ')"
		return 1
	fi
	details="counter resumed at $first (checkpoint after $2), counted to $last"
}

# --- guest A ------------------------------------------------------------

# tcp_test: checkpoint a counter into a TCP connection on 127.0.0.1 and
# restart it from the other end, in this guest; sets $tcp_result
tcp_test() {
	local pid rx rrc before after hex new
	ip link set lo up
	mkfifo /tmp/tcp.fifo /tmp/tcp.hold
	cat /tmp/tcp.fifo >/tmp/tcp-orig.out 3>&- &
	setsid counter </dev/null >/tmp/tcp.fifo 2>&1 3>&- &
	pid=$!
	if ! wait_for 30 has_lines counts /tmp/tcp-orig.out 3; then
		tcp_result="FAIL the counter did not start"
		return 0
	fi
	# busybox nc half-closes the connection when its standard input ends,
	# and its peer then stops before it sent everything: the receiving nc
	# reads a FIFO that it holds open for writing itself, never ending
	nc -l -p "$TCP_PORT" <>/tmp/tcp.hold 3>&- |
		timeout 60 restart --detach --new-pid >/tmp/tcp-restored.out 2>/tmp/tcp-restart.err 3>&- &
	rx=$!
	hex=$(printf '%04X' "$TCP_PORT")
	# listening (state 0A), on IPv4 or, for busybox nc, IPv6 (dual stack)
	if ! wait_for 30 grep -qE ":$hex [0-9A-F]+:0000 0A" /proc/net/tcp /proc/net/tcp6; then
		tcp_result="FAIL nc -l did not listen on port $TCP_PORT"
		cat /proc/net/tcp /proc/net/tcp6 /tmp/tcp-restart.err || true
		kill "$pid" || true
		return 0
	fi
	before=$(counts /tmp/tcp-orig.out | last_or_0)
	say "tcp: checkpoint of counter $pid (at count $before) | nc 127.0.0.1 $TCP_PORT"
	timeout 60 checkpoint "$pid" 2>/tmp/tcp-ckpt.err 3>&- | timeout 60 nc 127.0.0.1 "$TCP_PORT" 3>&- || true
	after=$(counts /tmp/tcp-orig.out | last_or_0)
	rrc=0
	wait "$rx" || rrc=$?
	sed 's/^/    /' /tmp/tcp-ckpt.err /tmp/tcp-restart.err
	kill -9 "$pid" || true
	if [ "$rrc" != 0 ]; then
		tcp_result="FAIL restart exited with status $rrc: $(tail -n 1 /tmp/tcp-restart.err)"
		return 0
	fi
	sleep 2
	wait_for 10 has_lines counts /tmp/tcp-restored.out 2 || true
	new=$(sed -n 's/.*counter pid \([0-9]*\):.*/\1/p' /tmp/tcp-restored.out | tail -n 1)
	if check_counter /tmp/tcp-restored.out "$before" "$((after + 1))"; then
		tcp_result="PASS $details, pid $pid -> ${new:-?} (--new-pid: the original still ran)"
	else
		tcp_result="FAIL $details"
	fi
	kill -9 "$new" 2>/dev/null || true
}

run_a() {
	local root mode opts t0 t1 rc bytes c0 c1 s0 frozen result tcp_result
	exec 3<>"$control"
	# the tree gets pids well above those B's boot uses, so that B can
	# restart it under the same pids
	echo 4999 >/proc/sys/kernel/ns_last_pid || true
	mkfifo /tmp/work.fifo
	cat /tmp/work.fifo >/tmp/work.out 3>&- &
	# its own session, so that nothing of it refers to this guest's init
	setsid sh -c 'counter & seqpipe & wait' </dev/null >/tmp/work.fifo 2>&1 3>&- &
	root=$!
	say "tree: sh $root (counter, seqpipe producer | consumer), output in /tmp/work.out"
	sleep "$warm"
	if ! wait_for 30 has_lines counts /tmp/work.out 2; then
		result="FAIL the counter did not count: $(grep -v 'seqpipe consumer:' /tmp/work.out | head -n 2 | tr '\n' ' ')"
	elif ! wait_for 30 has_lines seqs /tmp/work.out 1; then
		result="FAIL the consumer reported nothing: $(grep -v 'counter pid' /tmp/work.out | head -n 2 | tr '\n' ' ')"
	elif ! expect 100 READY; then
		result="FAIL guest B never said READY"
	fi
	[ -z "${result:-}" ] || send ABORT "${result#FAIL }"
	if [ -z "${result:-}" ]; then
		if checkpoint --help 2>&1 | grep -q -- --iterate; then
			mode=iterate opts=--iterate
		else
			mode=plain opts=
		fi
		say "mode $mode (checkpoint${opts:+ $opts}, without --kill)"
		c0=$(counts /tmp/work.out | last_or_0)
		s0=$(seqs /tmp/work.out | last_or_0)
		t0=$(now_ms)
		# checkpoint(2) writes through kernel_write(), which a virtio port
		# does not offer: the stream goes through a pipe, and tee counts it
		# shellcheck disable=SC2086
		{
			rc=0
			timeout 60 checkpoint $opts "$root" 2>/tmp/ckpt.err 3>&- || rc=$?
			echo "$rc" >/tmp/ckpt.rc
		} | tee "$image" 3>&- | wc -c >/tmp/ckpt.bytes
		t1=$(now_ms)
		c1=$(counts /tmp/work.out | last_or_0)
		rc=$(cat /tmp/ckpt.rc)
		bytes=$(cat /tmp/ckpt.bytes)
		sed 's/^/    /' /tmp/ckpt.err
		frozen=$(sed -n 's/.*frozen \([0-9][0-9.]*\) ms.*/\1/p' /tmp/ckpt.err | tail -n 1)
		if [ -n "$frozen" ]; then
			say "frozen $frozen ms (reported by checkpoint)"
		else
			# a plain checkpoint keeps the tree frozen while it streams
			say "frozen $((t1 - t0)) ms (the whole checkpoint command)"
		fi
		say "sent $bytes bytes in $((t1 - t0)) ms, checkpoint status $rc"
		send END "$bytes" "$rc" "$root" "$c0" "$c1" "$s0"
		[ "$rc" = 0 ] || result="FAIL checkpoint exited with status $rc: $(tail -n 1 /tmp/ckpt.err)"
	fi

	# B checks the tree it restarted meanwhile
	tcp_test
	say "result tcp $tcp_result"

	if [ -n "${result:-}" ]; then
		:
	elif ! expect 100 PASS FAIL; then
		result="FAIL no verdict from guest B"
	elif [ "$word" = PASS ]; then
		result="PASS $reply"
		# B runs the tree: this copy goes, and is gone before init
		# writes its last line to the terminal the tree had open
		kill -9 "-$root" || true
		i=0
		while kill -0 "-$root" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		say "the tree runs on guest B: killed its copy here"
	else
		result="FAIL guest B: $reply"
		say "the tree still runs here"
	fi
	send DONE || true
	say "result migration $result"
	case "$result $tcp_result" in
	PASS*PASS*) return 0 ;;
	*) return 1 ;;
	esac
}

# --- guest B ------------------------------------------------------------

# verify C0 C1 S0: do the restored programs run on from where they were?
# $details tells, or why not
verify() {
	local s n first last
	if ! wait_for $((watch + 20)) has_lines counts /tmp/work.out 2; then
		details="the counter printed nothing for $((watch + 20)) s after the restart"
		return 1
	fi
	sleep "$watch"
	if grep -q BROKEN /tmp/work.out; then
		details=$(grep -m 1 BROKEN /tmp/work.out)
		return 1
	fi
	check_counter /tmp/work.out "$1" "$(($2 + 1))" || return 1
	s=$(seqs /tmp/work.out)
	n=$(echo "$s" | grep -c . || true)
	first=$(echo "$s" | head -n 1)
	last=$(echo "$s" | tail -n 1)
	if [ "$n" -lt 2 ] || [ "$first" -le "$3" ] || [ "$last" -le "$first" ]; then
		details="$details; the consumer reported ${first:-nothing}..${last:-nothing} ($n reports), after $3 before the checkpoint"
		return 1
	fi
	details="$details; the consumer checked 1..$last in order (was at $3)"
}

run_b() {
	local rpid rrc bytes rc root c0 c1 s0 verdict pids
	exec 3<>"$control"
	# This write waits until the host end of the control port is
	# connected; the relay connects the image ports first, so restart
	# does not read the image port before it is (it would get end of file).
	send READY
	timeout 120 restart -i "$image" --detach --new-pid >>/tmp/work.out 2>/tmp/restart.err 3>&- &
	rpid=$!
	if ! expect 100 END ABORT; then
		verdict="FAIL no END from guest A"
		kill "$rpid" 2>/dev/null || true
	elif [ "$word" = ABORT ]; then
		verdict="FAIL guest A gave up: $reply"
		kill "$rpid" 2>/dev/null || true
	else
		# shellcheck disable=SC2086
		set -- $reply
		bytes=$1 rc=$2 root=$3 c0=$4 c1=$5 s0=$6
		rrc=0
		wait "$rpid" || rrc=$?
		sed 's/^/    /' /tmp/restart.err
		if [ "$rc" != 0 ]; then
			verdict="FAIL the checkpoint on A failed (status $rc)"
		elif [ "$rrc" != 0 ]; then
			verdict="FAIL restart of $bytes bytes exited with status $rrc: $(tail -n 1 /tmp/restart.err | tr -d '\r')"
		else
			if [ -d "/proc/$root" ]; then pids="same pids"; else pids="new pids"; fi
			say "restarted from $bytes bytes ($pids), watching for ${watch}s"
			if verify "$c0" "$c1" "$s0"; then
				verdict="PASS $details; $bytes bytes, $pids"
			else
				verdict="FAIL $details"
			fi
		fi
	fi
	say "verdict $verdict"
	send "$verdict"
	expect 100 DONE || say "no DONE from guest A"
	tail -n 5 /tmp/work.out | sed 's/^/    /'
	case $verdict in PASS*) return 0 ;; *) return 1 ;; esac
}

# checkpoint and restart of a tree that is not a whole pid namespace
echo 1 >/proc/sys/kernel/ckpt_subtree_allowed || say "warning: no kernel.ckpt_subtree_allowed"
say "waiting for the virtio-serial ports"
if ! wait_for 30 ports_up; then
	say "result migration FAIL no virtio-serial ports ckpt.image and ckpt.control"
	ls /sys/class/virtio-ports 2>&1 || true
	exit 1
fi
image=$(port_dev ckpt.image)
control=$(port_dev ckpt.control)
say "image port $image, control port $control ($length run)"
case $role in
a) run_a ;;
b) run_b ;;
*) echo "migrate.sh: unknown role '$role' (a or b)" >&2; exit 2 ;;
esac
