#!/bin/bash
# Export the commits on top of the base tag back to patches/, deterministically:
# re-exporting an unchanged tree changes no byte.  Patches no longer produced
# are removed.  In patches/0000-cover-letter.patch the headers and the blurb
# are edited by hand; the part from the shortlog on is regenerated, and
# its Date: is the author date of the last commit.
# Environment: KSRC (default build/linux), PATCHES (default patches).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/base.conf"
KSRC=$(realpath -m "${KSRC:-$ROOT/build/linux}")
PATCHES=$(realpath -m "${PATCHES:-$ROOT/patches}")
COVER=$PATCHES/0000-cover-letter.patch
# Only the repository's own configuration may influence the output.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
g() { git -C "$KSRC" -c diff.noprefix=false -c diff.mnemonicPrefix=false \
	-c diff.renames=true -c diff.algorithm=myers -c core.abbrev=12 "$@"; }

n=$(g rev-list --count "$BASE_TAG..HEAD")
[ "$n" != 0 ] || { echo "export: no commits on top of $BASE_TAG in $KSRC" >&2; exit 1; }
[ -z "$(g status --porcelain --untracked-files=no)" ] ||
	echo "export: warning: $KSRC has uncommitted changes, they are not exported" >&2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
g format-patch -q --zero-commit --full-index --no-signature --base="$BASE_TAG" \
	--no-cover-letter --no-thread --no-attach \
	--stat=72 -o "$tmp" "$BASE_TAG..HEAD"

# Cover letter: hand-kept headers and blurb, generated summary.
if [ -f "$COVER" ]; then
	awk '/^[^ \t].* \([0-9]+\):$/ { exit } { print }' "$COVER" >"$tmp/head"
else
	cat >"$tmp/head" <<EOF
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: $(g log -1 --format='%an <%ae>' HEAD)
Date: DATE
Subject: [PATCH 0/$n] Checkpoint/restart of processes

This series adds checkpoint(2) and restart(2): the complete state of a
task tree is written to a file descriptor as a stream of typed records,
and rebuilt from that stream so the tasks continue as if nothing happened.

EOF
fi
date=$(g log -1 --format=%aD HEAD)
sed -i -e "s|^Date: .*|Date: $date|" \
	-e "s|^\(Subject: \[[^]]*\)0/[0-9]*\]|\10/$n]|" "$tmp/head"
# Exactly one empty line between the blurb and the summary.
sed -i -e ':a' -e '/^\n*$/{$d;N;ba' -e '}' "$tmp/head"
{
	cat "$tmp/head"
	echo
	g shortlog -w72,2,4 "$BASE_TAG..HEAD"
	# the diffstat names every file; no "create mode" lines repeat them
	g diff --stat=72 "$BASE_TAG" HEAD
	echo
	echo "base-commit: $(g rev-parse "$BASE_TAG^{commit}")"
} >"$tmp/0000-cover-letter.patch"

mkdir -p "$PATCHES"
changed=0
for p in "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch; do
	[ -e "$p" ] && [ ! -e "$tmp/${p##*/}" ] || continue
	rm "$p"
	echo "export: removed ${p##*/}"
	changed=$((changed + 1))
done
for p in "$tmp"/[0-9][0-9][0-9][0-9]-*.patch; do
	cmp -s "$p" "$PATCHES/${p##*/}" && continue
	cp "$p" "$PATCHES/"
	echo "export: wrote ${p##*/}"
	changed=$((changed + 1))
done
echo "export: $n patches + cover letter in $PATCHES ($changed files changed)"
