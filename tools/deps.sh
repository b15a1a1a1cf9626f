#!/bin/sh
# deps.sh - install the Debian packages ferry needs, when they are missing.
#
#   sh tools/deps.sh GROUP...     groups: build test fuzz browser peers
#
# Does nothing when everything is there; otherwise runs apt-get (as root,
# or through sudo). Used by `make check` and `make demo`, so that a fresh
# Debian machine needs no other set-up step.
set -eu

pkgs=""
for group in "$@"; do
	case "$group" in
	build) pkgs="$pkgs gcc make pkg-config libarchive-dev libzstd-dev libjansson-dev libcurl4-openssl-dev libssl-dev" ;;
	test) pkgs="$pkgs jq zstd tar python3 xxd" ;;
	fuzz) pkgs="$pkgs clang libclang-rt-dev" ;;
	browser) pkgs="$pkgs chromium" ;;
	# Node and npm may come from elsewhere than Debian (NodeSource's nodejs
	# bundles npm and conflicts with Debian's): only install what is missing.
	peers)
		command -v npm >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
		# n8n (t-n8n-peer.sh): g++ and make build its sqlite3 module
		pkgs="$pkgs curl jq python3 g++ make" ;;
	*) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "deps.sh: these Debian packages are missing and I am not root:$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
	$sudo apt-get update -q >/dev/null
	$sudo apt-get install -y -q --no-install-recommends $missing
}
