#!/usr/bin/env bash
# Install what sipwarden needs on Debian 12 and configure the build.
#   scripts/setup.sh          build dependencies, configure build/
#   scripts/setup.sh --test   also test tools and the sanitizer build
# Installs only what is missing; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(build-essential meson ninja-build pkg-config dpdk-dev libdpdk-dev
	liburcu-dev libbpf-dev libyaml-dev libpcap-dev libmicrohttpd-dev)
test_pkgs=(libcmocka-dev python3 tshark clang llvm libclang-rt-14-dev
	valgrind sip-tester iproute2 ethtool)

want=("${build_pkgs[@]}")
if [ "${1:-}" = "--test" ]; then
	want+=("${test_pkgs[@]}")
fi

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	sudo_cmd=()
	[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
	"${sudo_cmd[@]}" apt-get update -q
	# tshark asks whether non-root users may capture: keep the default
	DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q \
		--no-install-recommends "${missing[@]}"
fi

configure() {
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@"
	fi
}
configure build
if [ "${1:-}" = "--test" ]; then
	# ASan+UBSan build: the same tests, with the sanitizers watching
	configure build-asan -Db_sanitize=address,undefined -Db_lundef=false
fi
