#!/usr/bin/env bash
# Installs every Debian 12 package that ffwd's build, tests, demo and
# benchmarks need. Idempotent: packages already present are not reinstalled,
# and apt is not touched at all when nothing is missing.
# The Dockerfile runs this same script, so the two cannot drift apart.
set -euo pipefail

PKGS=(
	build-essential pkg-config meson ninja-build
	dpdk dpdk-dev libdpdk-dev
	libpcap-dev libyaml-dev libcunit1-dev libbpf-dev
	libjansson-dev libmicrohttpd-dev python3-prometheus-client
	python3 python3-scapy tcpdump tcpreplay strace iproute2 procps
	clang llvm libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages: ${missing[*]}" >&2
		echo "install-deps: run as root (or install them) and retry" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
