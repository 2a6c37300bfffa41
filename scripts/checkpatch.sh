#!/bin/bash
# Run the kernel's checkpatch.pl --strict on every patch of the series (not
# the cover letter), from inside the kernel tree.  Any error, warning or
# check fails, except FILE_PATH_CHANGES for a patch whose new files are all
# covered by the series' MAINTAINERS entry.  Environment: KSRC (default build/linux), PATCHES (default patches).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KSRC=$(realpath -m "${KSRC:-$ROOT/build/linux}")
PATCHES=$(realpath -m "${PATCHES:-$ROOT/patches}")
[ -x "$KSRC/scripts/checkpatch.pl" ] || { echo "checkpatch: no kernel tree at $KSRC (run make base)" >&2; exit 1; }

# The entry of the series in MAINTAINERS, at the top of the tree; in a
# tree without the series (make base), the F: lines the patches add to it.
entry=$(awk '/^CHECKPOINT\/RESTART$/ { on = 1; next } on && /^$/ { exit }
	on && /^F:/ { print $2 }' "$KSRC/MAINTAINERS")
if [ -z "$entry" ]; then
	entry=$(awk '/^diff --git / { m = ($3 == "a/MAINTAINERS") }
		m && /^\+F:/ { print $2 }' "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch)
fi

# Does the CHECKPOINT/RESTART entry cover every file patch $1 adds?  Then
# checkpatch's "does MAINTAINERS need updating?" is answered: a patch that
# adds a test program to a listed directory need not touch MAINTAINERS.
covered() {
	local f e ok
	for f in $(awk '/^diff --git / { f = substr($4, 3) }
		/^new file mode/ { print f }' "$1"); do
		ok=
		for e in $entry; do
			case $f in "$e" | "${e%/}"/*) ok=1 ;; esac
		done
		[ -n "$ok" ] || return 1
	done
}

# checkpatch.pl runs scripts/spdxcheck.py, which needs the distribution's
# python3 with python3-ply and python3-git (scripts/deps.sh).
export PATH=/usr/bin:$PATH
cd "$KSRC"
total=0 bad=0
for p in "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch; do
	[ -e "$p" ] && [ "${p##*/}" != 0000-cover-letter.patch ] || continue
	total=$((total + 1))
	ignore=
	covered "$p" && ignore="--ignore FILE_PATH_CHANGES"
	# shellcheck disable=SC2086
	out=$(./scripts/checkpatch.pl --strict --no-color --show-types $ignore "$p" 2>&1) || true
	summary=$(printf '%s\n' "$out" | grep -m1 '^total:' || echo "total: checkpatch.pl gave no summary")
	if printf '%s\n' "$summary" | grep -q '^total: 0 errors, 0 warnings, 0 checks,'; then
		echo "checkpatch: ok   ${p##*/}: $summary"
	else
		bad=$((bad + 1))
		echo "checkpatch: FAIL ${p##*/}: $summary"
		printf '%s\n' "$out" | sed -e '/^total:/,$d' -e 's/^/    /'
	fi
done
[ "$total" != 0 ] || { echo "checkpatch: no patches in $PATCHES" >&2; exit 1; }
echo "checkpatch: $((total - bad)) of $total patches clean"
[ "$bad" = 0 ]
