#!/bin/bash
# Apply the series to the kernel tree:  tree.sh [--reset]
#   Without --reset: apply patches/ with git am when the tree has no commits
#   beyond the base tag; otherwise leave the tree alone.
#   With --reset: refuse on a dirty tree, else reset to the base and re-apply.
# Environment: KSRC (default build/linux), PATCHES (default patches).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/base.conf"
KSRC=$(realpath -m "${KSRC:-$ROOT/build/linux}")
PATCHES=$(realpath -m "${PATCHES:-$ROOT/patches}")
g() { git -C "$KSRC" "$@"; }

g rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null ||
	{ echo "tree: $KSRC has no tag $BASE_TAG (run make base)" >&2; exit 1; }

if [ "${1:-}" = --reset ]; then
	if [ -n "$(g status --porcelain)" ]; then
		echo "tree: $KSRC has uncommitted changes; commit or stash them first" >&2
		exit 1
	fi
	old=$(g rev-parse HEAD)
	g reset -q --hard "$BASE_TAG"
	echo "tree: reset to $BASE_TAG (previous HEAD $old)"
fi

count=$(g rev-list --count "$BASE_TAG..HEAD")
if [ "$count" != 0 ]; then
	echo "tree: $KSRC already has $count commits on top of $BASE_TAG, leaving it alone"
	exit 0
fi

# Every numbered patch except the cover letter, in order.
series=()
for p in "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch; do
	[ -e "$p" ] && [ "${p##*/}" != 0000-cover-letter.patch ] && series+=("$p")
done
if [ ${#series[@]} = 0 ]; then
	echo "tree: no patches in $PATCHES, tree is the plain base"
	exit 0
fi
if ! g am -q --committer-date-is-author-date "${series[@]}"; then
	g am --abort
	echo "tree: the series does not apply to $BASE_TAG (see above); tree left at $BASE_TAG" >&2
	exit 1
fi
echo "tree: applied ${#series[@]} patches on $BASE_TAG"
