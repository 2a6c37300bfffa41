#!/bin/bash
# Configure and build the kernel out of tree: kernel.sh [fast|debug|bench]
#   tinyconfig + config/base.config (+ config/debug.config, or for bench
#   + config/bench.config) -> $BUILD/out-$CONFIG
# Environment: KSRC (kernel tree, default build/linux), BUILD (default build),
#   OUT (default $BUILD/out-$CONFIG), KCFLAGS and W (passed to make),
#   ALLOW_NO_CHECKPOINT=1 tolerates a tree whose Kconfig has no CHECKPOINT
#   symbol yet (the default when KSRC is overridden).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=${1:-fast}
KSRC=$(realpath -m "${KSRC:-$ROOT/build/linux}")
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
OUT=${OUT:-$BUILD/out-$CONFIG}
if [ "$KSRC" != "$(realpath -m "$ROOT/build/linux")" ]; then
	ALLOW_NO_CHECKPOINT=${ALLOW_NO_CHECKPOINT:-1}
fi

case $CONFIG in
fast) FRAGS="$ROOT/config/base.config" ;;
debug) FRAGS="$ROOT/config/base.config $ROOT/config/debug.config" ;;
bench) FRAGS="$ROOT/config/base.config $ROOT/config/bench.config" ;;
*) echo "kernel: unknown config '$CONFIG' (fast, debug or bench)" >&2; exit 2 ;;
esac
[ -f "$KSRC/Makefile" ] || { echo "kernel: no kernel tree at $KSRC (run make tree)" >&2; exit 1; }

start=$(date +%s)
mkdir -p "$OUT"
# Stable identity: identical sources give identical objects and ccache hits.
export KBUILD_BUILD_TIMESTAMP="2025-01-01 00:00:00 UTC"
export KBUILD_BUILD_USER=ckpt KBUILD_BUILD_HOST=ckpt KBUILD_BUILD_VERSION=1
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$ROOT}
kmake() { make -s -C "$KSRC" O="$OUT" CC="ccache gcc" "$@"; }

# Generate into .config.new; .config is replaced only when it changes, so an
# unchanged configuration keeps the build incremental.
NEW="$OUT/.config.new"
KCONFIG_CONFIG="$NEW" kmake tinyconfig >/dev/null
# shellcheck disable=SC2086
KCONFIG_CONFIG="$NEW" "$KSRC/scripts/kconfig/merge_config.sh" -m -O "$OUT" "$NEW" $FRAGS >/dev/null
KCONFIG_CONFIG="$NEW" kmake olddefconfig >/dev/null

# Every assignment of the fragments must survive olddefconfig; one that a
# later fragment assigns again gives way to it.
last_frag() {
	local s=$1 g w=
	for g in $FRAGS; do
		grep -qE "^($s=|# $s is not set)" "$g" && w=$g
	done
	echo "$w"
}
dropped=
for f in $FRAGS; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) ;;
		"# CONFIG_"*" is not set") ;;
		*) continue ;;
		esac
		sym=${line%%=*}; sym=${sym#\# }; sym=${sym%% *}
		grep -qxF -- "$line" "$NEW" && continue
		[ "$(last_frag "$sym")" = "$f" ] || continue
		case $line in "#"*) grep -q "^$sym=" "$NEW" || continue ;; esac
		if [ "$sym" = CONFIG_CHECKPOINT ] && [ "${ALLOW_NO_CHECKPOINT:-0}" = 1 ] &&
			! grep -rqsE --include='Kconfig*' '^(menu)?config CHECKPOINT$' "$KSRC"; then
			echo "kernel: warning: this tree has no CONFIG_CHECKPOINT (ALLOW_NO_CHECKPOINT=1)" >&2
			continue
		fi
		got=$(grep -E "^($sym=|# $sym is not set)" "$NEW" || echo "absent")
		dropped="$dropped  $line (got: $got) from ${f#"$ROOT"/}\n"
	done <"$f"
done
if [ -n "$dropped" ]; then
	printf "kernel: config fragment options dropped by olddefconfig:\n%b" "$dropped" >&2
	echo "kernel: fix the fragment or add the missing dependencies" >&2
	exit 1
fi
if cmp -s "$NEW" "$OUT/.config"; then
	rm -f "$NEW"
else
	echo "kernel: $CONFIG configuration updated"
	mv "$NEW" "$OUT/.config"
fi
cfg_done=$(date +%s)

echo "kernel: building bzImage ($CONFIG, $(nproc) jobs) in $OUT"
kmake -j"$(nproc)" ${W:+W="$W"} ${KCFLAGS:+KCFLAGS="$KCFLAGS"} bzImage
kmake headers_install INSTALL_HDR_PATH="$OUT/usr" >/dev/null
end=$(date +%s)
echo "kernel: $OUT/arch/x86/boot/bzImage ready (config $((cfg_done - start))s, build $((end - cfg_done))s)"
