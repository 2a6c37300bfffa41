#!/bin/bash
# Run the kernel's checkpatch.pl --strict on every patch of the series (not
# the cover letter), from inside the kernel tree.  Any error, warning or
# check fails.  Environment: KSRC (default build/linux), PATCHES (default patches).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KSRC=$(realpath -m "${KSRC:-$ROOT/build/linux}")
PATCHES=$(realpath -m "${PATCHES:-$ROOT/patches}")
[ -x "$KSRC/scripts/checkpatch.pl" ] || { echo "checkpatch: no kernel tree at $KSRC (run make base)" >&2; exit 1; }

# checkpatch.pl runs scripts/spdxcheck.py, which needs the distribution's
# python3 with python3-ply and python3-git (scripts/deps.sh).
export PATH=/usr/bin:$PATH
cd "$KSRC"
total=0 bad=0
for p in "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch; do
	[ -e "$p" ] && [ "${p##*/}" != 0000-cover-letter.patch ] || continue
	total=$((total + 1))
	out=$(./scripts/checkpatch.pl --strict --no-color --show-types "$p" 2>&1) || true
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
