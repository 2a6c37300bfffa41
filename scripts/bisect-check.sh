#!/bin/bash
# Check that every prefix of the series builds (fast config, -Werror).
# Commits $BASE_TAG+1 .. HEAD of the kernel tree are checked out one by one
# in a separate worktree ($BUILD/bisect-wt) and built incrementally in
# $BUILD/out-bisect; the developer's checkout is not touched.
# Environment: KSRC (default build/linux), BUILD (default build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/base.conf"
KSRC=$(realpath -m "${KSRC:-$ROOT/build/linux}")
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
WT=$BUILD/bisect-wt
LOG=$BUILD/logs/bisect-check.log

commits=$(git -C "$KSRC" rev-list --reverse "$BASE_TAG..HEAD")
[ -n "$commits" ] || { echo "bisect-check: no commits on top of $BASE_TAG in $KSRC" >&2; exit 1; }
if ! git -C "$WT" rev-parse --git-dir >/dev/null 2>&1; then
	rm -rf "$WT"
	git -C "$KSRC" worktree prune
	git -C "$KSRC" worktree add -q --detach "$WT" "$BASE_TAG"
fi
mkdir -p "$BUILD/logs"

total=$(echo "$commits" | wc -l) i=0
for c in $commits; do
	i=$((i + 1))
	subject=$(git -C "$KSRC" log -1 --format=%s "$c")
	echo "bisect-check: [$i/$total] $(git -C "$KSRC" rev-parse --short "$c") $subject"
	git -C "$WT" checkout -q --detach "$c"
	if ! KSRC=$WT OUT=$BUILD/out-bisect ALLOW_NO_CHECKPOINT=1 KCFLAGS=-Werror \
		"$ROOT/scripts/kernel.sh" fast >"$LOG" 2>&1; then
		tail -n 40 "$LOG" >&2
		echo "bisect-check: FIRST BROKEN COMMIT $i/$total: $c $subject (log: $LOG)" >&2
		exit 1
	fi
done
echo "bisect-check: all $total commits build"
