#!/bin/bash
# Pack the guest root filesystem: initramfs.sh [fast|debug|bench]
#   busybox + guest/ scripts + $BUILD/guest-$CONFIG  ->  $BUILD/initramfs-$CONFIG.cpio.gz
# bench also gets the host's criu (Debian package criu, scripts/deps.sh bench)
# and the shared libraries it loads, at the paths ldd shows, for the CRIU
# engine of bench/ckpt-bench.c.
# The archive is reproducible: fixed owner, mode and mtime, sorted entries.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=${1:-fast}
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
G=$BUILD/guest-$CONFIG
STAGE=$BUILD/initramfs-$CONFIG.d
IMG=$BUILD/initramfs-$CONFIG.cpio.gz

[ -d "$G" ] || { echo "initramfs: no $G (run make selftests CONFIG=$CONFIG)" >&2; exit 1; }
file -L /bin/busybox | grep -q 'statically linked' ||
	{ echo "initramfs: /bin/busybox is not static (install busybox-static)" >&2; exit 1; }

rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc,guest,tests}
cp /bin/busybox "$STAGE/bin/busybox"
for applet in $(/bin/busybox --list-full); do
	[ -e "$STAGE/$applet" ] || ln -s /bin/busybox "$STAGE/$applet"
done
# The kernel opens /dev/console for init before devtmpfs is mounted.
if [ "$(id -u)" = 0 ]; then
	mknod -m 600 "$STAGE/dev/console" c 5 1
fi
install -m 755 "$ROOT/guest/init" "$STAGE/init"
install -m 755 "$ROOT/guest/reboot_test" "$STAGE/tests/"
install -m 755 "$ROOT/guest/run-tests" "$ROOT/guest/demo.sh" "$ROOT/guest/migrate.sh" \
	"$STAGE/guest/"
cp -a "$G/tests/." "$STAGE/tests/"
cp -a "$G/bin/." "$STAGE/bin/"
if [ "$CONFIG" = bench ]; then
	criu=$(PATH=/usr/sbin:/sbin:$PATH command -v criu) ||
		{ echo "initramfs: no criu on this host (scripts/deps.sh bench)" >&2; exit 1; }
	install -D -m 755 "$criu" "$STAGE/usr/sbin/criu"
	for lib in $(ldd "$criu" | grep -oE '/[^ ]+'); do
		mkdir -p "$STAGE$(dirname "$lib")"
		cp -L "$lib" "$STAGE$lib"
	done
fi
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$STAGE/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$STAGE/etc/group"

find "$STAGE" -exec touch -h -d @0 {} +
(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n >"$IMG.tmp"
mv "$IMG.tmp" "$IMG"
echo "initramfs: $IMG ($(du -k "$IMG" | cut -f1) KiB)"
