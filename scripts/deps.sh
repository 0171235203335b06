#!/usr/bin/env bash
# Install what flowpol needs on Debian 12 (run as root; skips what is there).
set -eu
pkgs="build-essential cmake pkg-config libnetfilter-log-dev libsqlite3-dev
libyaml-dev libcmocka-dev nftables iproute2 tcpdump python3 python3-yaml
python3-jsonschema sqlite3 clang libclang-rt-14-dev graphviz postgresql jq zsh
libcap2-bin mandoc man-db"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
