#!/bin/bash
# Build the static guest programs for one kernel configuration:
#   selftests.sh [fast|debug|bench]  ->  $BUILD/guest-$CONFIG/{tests,bin}
# tests/: every program of tools/testing/selftests/checkpoint (one per .c
#         file with a main(), *_test ones are run by guest/run-tests)
# bin/:   the tools/checkpoint driver (its Makefile must honour OUTPUT= and
#         KHDR_INCLUDES= and link statically), guest/*.c helpers and the
#         bench/*.c benchmarks.
# Everything is compiled against the kernel's installed uapi headers.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONFIG=${1:-fast}
KSRC=$(realpath -m "${KSRC:-$ROOT/build/linux}")
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
HDR=$BUILD/out-$CONFIG/usr/include
G=$BUILD/guest-$CONFIG

[ -d "$HDR" ] || { echo "selftests: no installed headers in $HDR (run make kernel CONFIG=$CONFIG)" >&2; exit 1; }
rm -rf "$G"
mkdir -p "$G/tests" "$G/bin"

CFLAGS="-static -O2 -Wall -D_GNU_SOURCE -pthread -isystem $HDR"
has_main() { grep -qE '^(int )?main\(|TEST_HARNESS_MAIN' "$1"; }
is_static() { file -L "$1" | grep -q 'statically linked'; }

ST=$KSRC/tools/testing/selftests/checkpoint
if [ -d "$ST" ]; then
	# the .c files without a main() are helpers every program links
	libs=
	for src in "$ST"/*.c; do
		[ -e "$src" ] && ! has_main "$src" && libs="$libs $src"
	done
	for src in "$ST"/*.c; do
		[ -e "$src" ] && has_main "$src" || continue
		# shellcheck disable=SC2086
		gcc $CFLAGS -I"$KSRC/tools/testing/selftests" -I"$ST" \
			-o "$G/tests/$(basename "$src" .c)" "$src" $libs
	done
else
	echo "selftests: no $ST in this tree, no tests built"
fi

DRV=$KSRC/tools/checkpoint
if [ -f "$DRV/Makefile" ]; then
	mkdir -p "$G/driver"
	make -s -C "$DRV" OUTPUT="$G/driver/" KHDR_INCLUDES="-isystem $HDR"
	for f in "$G"/driver/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		is_static "$f" || { echo "selftests: $f is not statically linked" >&2; exit 1; }
		cp "$f" "$G/bin/"
	done
	rm -rf "$G/driver"
fi

for src in "$ROOT"/guest/*.c "$ROOT"/bench/*.c; do
	[ -e "$src" ] || continue
	# shellcheck disable=SC2086
	gcc $CFLAGS -o "$G/bin/$(basename "$src" .c)" "$src"
done

echo "selftests: $(find "$G/tests" -type f | wc -l) test programs, $(find "$G/bin" -type f | wc -l) guest tools in $G"
