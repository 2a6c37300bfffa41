#!/bin/sh
# Guest side of `make demo`: checkpoint a counting program, kill it,
# restart it from the image and watch it go on counting.
set -e
echo 1 >/proc/sys/kernel/ckpt_subtree_allowed
say() { printf '\n== %s\n' "$*"; }

say "start a counting program"
/bin/counter &
pid=$!
sleep 2

say "checkpoint it: pid $pid -> /tmp/counter.img (it keeps running)"
checkpoint -o /tmp/counter.img "$pid"
ls -l /tmp/counter.img
sleep 1

say "what the image holds (ckptinfo)"
ckptinfo /tmp/counter.img | sed -n '1,12p'
echo "    ..."
ckptinfo /tmp/counter.img | tail -3

say "kill it"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
sleep 1
echo "    pid $pid is gone: $( [ -d /proc/$pid ] && echo no || echo yes)"

say "restart it from the image: same pid, the count goes on from the checkpoint"
restart -i /tmp/counter.img --detach
sleep 2
echo "    /proc/$pid/exe -> $(readlink /proc/$pid/exe)"
kill -9 "$pid"

say "a tree: a shell pipeline, producer | consumer, with bytes in flight"
sh -c 'counter | while read -r line; do echo "    consumer got: $line"; done' \
	>>/tmp/pipeline.out 2>&1 </dev/null &
root=$!
sleep 3
tail -n 2 /tmp/pipeline.out
kids=$(cat /proc/"$root"/task/"$root"/children)
echo "    the tree: sh $root, its children $kids"

say "checkpoint the tree and kill it once the image is complete (-k)"
checkpoint -k -o /tmp/pipeline.img "$root"
wait "$root" 2>/dev/null || true
sleep 1
echo "    last line before the kill:"
tail -n 1 /tmp/pipeline.out

say "restart the tree: same pids, the consumer goes on from the next count"
seen=$(wc -l </tmp/pipeline.out)
restart -i /tmp/pipeline.img --detach
sleep 3
tail -n +$((seen + 1)) /tmp/pipeline.out | head -n 3
echo "    the tree: sh $root, its children $(cat /proc/"$root"/task/"$root"/children)"
for k in $kids; do kill -9 "$k"; done
kill -9 "$root"

say "a damaged image is refused with the kernel's reason"
cp /tmp/counter.img /tmp/bad.img
printf 'X' | dd of=/tmp/bad.img bs=1 seek=16 conv=notrunc 2>/dev/null
restart -i /tmp/bad.img --new-pid || true
say "done"
