#!/bin/sh
# Guest side of `make demo`: runs /bin/ckpt-demo.
if [ -x /bin/ckpt-demo ]; then
	exec /bin/ckpt-demo
fi
echo "demo: /bin/ckpt-demo is not in this build."
echo "demo: it starts a counter process, checkpoints it to /tmp/counter.img,"
echo "demo: kills it and restarts it from the image, showing the count continue."
