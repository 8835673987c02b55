#!/usr/bin/env bash
# Installs every Debian 12 package that ffwd's build, tests, demo and
# benchmarks need. Idempotent: packages already present are not reinstalled,
# and apt is not touched at all when nothing is missing.
# The Dockerfile runs this same script, so the two cannot drift apart.
#   scripts/install-deps.sh [image-check] [deploy-check]
# With no argument: what builds, tests, demos and benchmarks need (and all
# the image gets). The named groups add host tools that only the checks of
# the image (scripts/docker-check.sh) and of deploy/k8s (tests/e2e/deploy.sh)
# use; those scripts ask for them, so the image stays without them.
set -euo pipefail

PKGS=(
	build-essential pkg-config meson ninja-build
	dpdk dpdk-dev libdpdk-dev
	libpcap-dev libyaml-dev libcunit1-dev libbpf-dev
	libjansson-dev libmicrohttpd-dev python3-prometheus-client
	python3 tcpdump tcpreplay strace iproute2 procps
	python3-yaml python3-jsonschema python3-scapy jq
	clang llvm libclang-rt-14-dev
	libvectorscan-dev libpcre2-dev
	jq python3-scapy
)

want_promtool=0
for group in "$@"; do
	case $group in
	image-check) PKGS+=(podman debootstrap) ;;
	deploy-check)
		PKGS+=(python3-yaml)
		# Debian 12's kubectl (kubernetes-client) renders kustomizations
		# offline; a newer kubectl already on the machine does too.
		command -v kubectl >/dev/null || PKGS+=(kubernetes-client)
		want_promtool=1
		;;
	*) echo "install-deps: unknown group '$group' (image-check, deploy-check)" >&2; exit 2 ;;
	esac
done

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

# promtool checks and unit-tests the alerting rules (deploy/prometheus).
# Debian ships it only inside prometheus, whose installation starts a
# Prometheus server: take the one binary out of the package instead.
PROMTOOL=/usr/local/lib/ffwd/promtool
if [ "$want_promtool" = 1 ] && ! command -v promtool >/dev/null && [ ! -x "$PROMTOOL" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: promtool missing; run as root and retry" >&2
		exit 1
	fi
	echo "install-deps: extracting promtool from Debian's prometheus package"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	if ! (cd "$tmp" && apt-get download -qq prometheus 2>/dev/null); then
		apt-get update -qq
		(cd "$tmp" && apt-get download -qq prometheus)
	fi
	dpkg-deb --fsys-tarfile "$tmp"/prometheus_*.deb | tar -x -C "$tmp" ./usr/bin/promtool
	install -D -m 755 "$tmp/usr/bin/promtool" "$PROMTOOL"
fi
