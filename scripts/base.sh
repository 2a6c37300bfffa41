#!/bin/bash
# Create build/linux: the pinned Debian kernel source as a git repository
# with one deterministic commit (same hash on every machine), tagged.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/base.conf

TREE=build/linux
if git -C "$TREE" rev-parse -q --verify "refs/tags/$BASE_TAG" >/dev/null 2>&1; then
	exit 0
fi

installed=$(dpkg-query -W -f='${Version}' "$BASE_PKG" 2>/dev/null || true)
if [ "$installed" != "$BASE_VERSION" ]; then
	[ "$(id -u)" = 0 ] || { echo "base: need root to install $BASE_PKG" >&2; exit 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	if ! apt-get install -y -qq --no-install-recommends --allow-downgrades \
		"$BASE_PKG=$BASE_VERSION" >/dev/null; then
		apt-get install -y -qq --no-install-recommends "$BASE_PKG" >/dev/null
	fi
	installed=$(dpkg-query -W -f='${Version}' "$BASE_PKG")
fi
if [ "$installed" != "$BASE_VERSION" ]; then
	cat >&2 <<WARN
########################################################################
# WARNING: $BASE_PKG $BASE_VERSION is not available; using $installed.
# The base commit hash will differ from the one the series was made on
# and patches/ may not apply.  Update scripts/base.conf deliberately.
########################################################################
WARN
fi

tarball=$(ls /usr/src/linux-source-6.12.tar.*)
rm -rf "$TREE" build/linux.tmp
mkdir -p build/linux.tmp
echo "base: unpacking $tarball"
tar -xf "$tarball" -C build/linux.tmp
mv build/linux.tmp/linux-source-6.12 "$TREE"
rmdir build/linux.tmp
# Debian's top-level .gitignore ignores every top-level entry (its
# packaging repository holds only debian/); drop that rule so new files
# of the series can be added like in any kernel tree.
sed -i '/^# Debian packaging: ignore everything/,$d' "$TREE/.gitignore"
sed -i '${/^#$/d}' "$TREE/.gitignore"

export GIT_AUTHOR_NAME="$BASE_NAME" GIT_AUTHOR_EMAIL="$BASE_EMAIL"
export GIT_COMMITTER_NAME="$BASE_NAME" GIT_COMMITTER_EMAIL="$BASE_EMAIL"
export GIT_AUTHOR_DATE="$BASE_DATE" GIT_COMMITTER_DATE="$BASE_DATE"
cd "$TREE"
git init -q -b master .
git config core.autocrlf false
git config core.fileMode true
git config user.name "$(git -C ../.. config user.name || echo Developer)"
git config user.email "$(git -C ../.. config user.email || echo dev@localhost)"
git add -f -A .
git commit -q --no-verify -m "Linux $BASE_PKG $installed"
git tag "$BASE_TAG"
echo "base: $(git rev-parse HEAD) tagged $BASE_TAG ($BASE_PKG $installed)"
