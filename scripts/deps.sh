#!/bin/bash
# Install (as root, with apt-get) every host package the project needs.
# Cheap when everything is already there: nothing is downloaded then.
set -euo pipefail

PKGS="make gcc git flex bison bc libelf-dev libssl-dev cpio xz-utils gzip
      perl python3 python3-ply python3-git rsync ccache busybox-static
      qemu-system-x86 file"
[ "${1:-}" = bench ] && PKGS="$PKGS criu"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root or install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
