#!/usr/bin/env bash
# The ffwd container's entrypoint on a Kubernetes node: fills the pipeline
# template with the CPUs and VFs the kubelet gave this pod, checks the
# result with `ffwd --check`, and runs ffwd in the foreground. As PID 1 it
# gets the pod's SIGTERM, so ffwd drains and prints its accounting.
#
# Inputs (defaults are the daemonset's mounts):
#   FFWD_TEMPLATE    /etc/ffwd/pipeline.yaml.in (placeholders @CPUn@, @X_PCI@)
#   FFWD_CONFIG      /run/ffwd/pipeline.yaml, the filled-in config
#   FFWD_BIN         /src/ffwd/build/ffwd
#   FFWD_NETWORKS    "wan=ffwd-wan lan=ffwd-lan": placeholder @WAN_PCI@ takes
#                    the VF Multus attached for the network ffwd-wan
#   FFWD_PODINFO     /etc/podinfo/annotations (downward API): Multus's
#                    network-status names each network's VF (device-info)
#   FFWD_VF_RESOURCE_ENV  PCIDEVICE_INTEL_COM_SRIOV_DPDK: the SR-IOV device
#                    plugin's list of VFs, used, in FFWD_NETWORKS order,
#                    when network-status has no device-info
#   FFWD_NODE_CPUS   the CPU list to use instead of this process's
#                    Cpus_allowed_list (tests)
#   FFWD_NODE_DRY_RUN=1  print the config and stop after --check (tests)
# Anything on the command line goes to ffwd after the config.
set -euo pipefail

tmpl=${FFWD_TEMPLATE:-/etc/ffwd/pipeline.yaml.in}
out=${FFWD_CONFIG:-/run/ffwd/pipeline.yaml}
ffwd=${FFWD_BIN:-/src/ffwd/build/ffwd}
networks=${FFWD_NETWORKS:-wan=ffwd-wan lan=ffwd-lan}
podinfo=${FFWD_PODINFO:-/etc/podinfo/annotations}
resource_env=${FFWD_VF_RESOURCE_ENV:-PCIDEVICE_INTEL_COM_SRIOV_DPDK}

die() {
	echo "ffwd-node: $*" >&2
	exit 2
}

[ -r "$tmpl" ] || die "no pipeline template at $tmpl"

# "2-4,7" -> "2 3 4 7", in the kernel's order.
expand_cpus() {
	local part lo hi
	local IFS=,
	for part in $1; do
		case $part in
		*-*) lo=${part%-*} hi=${part#*-}; seq "$lo" "$hi" ;;
		'') ;;
		*) echo "$part" ;;
		esac
	done
}

cpulist=${FFWD_NODE_CPUS:-$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/self/status)}
[[ $cpulist =~ ^[0-9,-]+$ ]] || die "cannot read this container's CPUs ('$cpulist')"
mapfile -t cpus < <(expand_cpus "$cpulist")
need=0
for n in $(grep -o '@CPU[0-9]*@' "$tmpl" | tr -dc '0-9\n' | sort -n | uniq); do
	[ $((n + 1)) -le "$need" ] || need=$((n + 1))
done
if [ "${#cpus[@]}" -lt "$need" ]; then
	die "the pipeline needs $need CPUs and this container has ${#cpus[@]} ($cpulist):" \
		"give it cpu: $need, requests equal to limits (Guaranteed QoS), on a kubelet" \
		"with --cpu-manager-policy=static so that they are its own"
fi

# The VF for one network, by Multus's network-status (device-info), whose
# downward-API file holds key="Go-quoted JSON" lines.
vf_from_status() {
	[ -r "$podinfo" ] || return 0
	python3 - "$podinfo" "$1" <<'EOF'
import json, sys
path, want = sys.argv[1], sys.argv[2]
for line in open(path, encoding="utf-8"):
	key, _, val = line.rstrip("\n").partition("=")
	if key != "k8s.v1.cni.cncf.io/network-status":
		continue
	try:
		nets = json.loads(json.loads(val))
	except ValueError:
		sys.exit("ffwd-node: network-status is not JSON: " + val[:80])
	for net in nets:
		name = net.get("name", "")
		if name == want or name.endswith("/" + want):
			pci = net.get("device-info", {}).get("pci", {}).get("pci-address")
			if pci:
				print(pci)
EOF
}

# All VFs from network-status, or, where it names none (no device-info),
# all from the device plugin's list: mixing the two could give one VF twice.
IFS=', ' read -r -a plugin_vfs <<<"${!resource_env:-}"
keys=() vfs=() from_status=0
for pair in $networks; do
	keys+=("${pair%%=*}")
	vf=$(vf_from_status "${pair#*=}")
	[ -z "$vf" ] || from_status=1
	vfs+=("$vf")
done
sed_args=()
i=0
for pair in $networks; do
	net=${pair#*=} vf=${vfs[$i]}
	if [ "$from_status" = 0 ]; then
		vf=${plugin_vfs[$i]:-}
		[ -n "$vf" ] || die "no VF for network $net: neither $podinfo's network-status" \
			"nor \$$resource_env ('${!resource_env:-}') names one"
	fi
	[ -n "$vf" ] || die "network-status names VFs for some networks but not for $net"
	[[ $vf =~ ^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$ ]] ||
		die "VF for network $net is '$vf', expected a PCI address DDDD:BB:DD.F"
	for j in $(seq 0 $((i - 1))); do
		[ "${vfs[$j]}" != "$vf" ] || die "VF $vf given for both ${keys[$j]} and ${keys[$i]}"
	done
	vfs[$i]=$vf
	sed_args+=(-e "s/@${keys[$i]^^}_PCI@/$vf/g")
	i=$((i + 1))
done
for n in $(seq 0 $((need - 1))); do
	sed_args+=(-e "s/@CPU$n@/${cpus[$n]}/g")
done

mkdir -p "$(dirname "$out")"
sed "${sed_args[@]}" "$tmpl" >"$out"
if grep -n '@[A-Z0-9_]*@' "$out" >&2; then
	die "$out: placeholders left unfilled (above); FFWD_NETWORKS is '$networks'"
fi
"$ffwd" --check "$out" >&2
if [ "${FFWD_NODE_DRY_RUN:-0}" = 1 ]; then
	cat "$out"
	exit 0
fi
exec "$ffwd" "$out" "$@"
