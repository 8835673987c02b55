#!/usr/bin/env bash
# deploy/ without a cluster: deploy/check.py renders deploy/k8s with
# kubectl kustomize (offline) and checks the pod (Guaranteed QoS, exclusive
# CPUs, hugepages, SR-IOV, scrape annotations), the entrypoint against
# ffwd --check, and the Prometheus rules with promtool, against the metric
# names of a pipeline running here for the purpose.
# Usage: tests/e2e/deploy.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
ffwd=$build/ffwd
ctl=$build/control/ffwdctl
tmp=$(mktemp -d)
label=dply$(( $$ % 100000 ))
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	rm -rf "/var/run/dpdk/$label" "$tmp"
}
trap cleanup EXIT

if ! "$root/scripts/install-deps.sh" deploy-check >"$tmp/deps.log" 2>&1; then
	cat "$tmp/deps.log"
	echo "0 passed, 1 failed"
	exit 1
fi

# A pipeline with every stage kind the rules count (input, fwd, output),
# on both ports, so that its export names every family.
n=$(( $$ % 1000 ))
cat >"$tmp/p.yaml" <<CFG
pipeline: { label: $label, housekeeping: 0, memory: 256, mbufs: 4095,
            ring_size: 256, cpus: { 0: 0, 1: 1, 2: 0, 3: 1 } }
ports:
  src: { dev: "net_null1$n,copy=0" }
  dst: { dev: "net_null2$n,copy=0" }
stages:
  - { name: rx, kind: input, port: src, lcore: 1, idle: yield }
  - { name: fw, kind: fwd, lcore: 2, idle: yield }
  - { name: tx, kind: output, port: dst, lcore: 3, idle: yield }
CFG
"$ffwd" "$tmp/p.yaml" --duration 20 >"$tmp/ffwd.out" 2>&1 &
pid=$!
export_ok=0
for _ in $(seq 50); do
	if "$ctl" export --once >"$tmp/all.prom" 2>/dev/null &&
		grep -q "^ffwd_up{label=\"$label\"" "$tmp/all.prom"; then
		export_ok=1
		break
	fi
	sleep 0.2
done
args=(--ffwd "$ffwd")
if [ "$export_ok" = 1 ]; then
	# Only this pipeline's series (others may be running on the machine).
	grep -E "^# |label=\"$label\"" "$tmp/all.prom" >"$tmp/export.prom"
	args+=(--export "$tmp/export.prom")
else
	echo "FAIL no export from pipeline $label:"
	tail -5 "$tmp/ffwd.out"
fi
/usr/bin/python3 "$root/deploy/check.py" "${args[@]}" | tee "$tmp/check.out"
rc=${PIPESTATUS[0]}
if [ "$export_ok" = 0 ]; then
	# Fold this failure into the closing line.
	line=$(tail -1 "$tmp/check.out")
	p=${line%% passed*} f=${line#*, }
	f=${f%% failed*}
	echo
	echo "$p passed, $((f + 1)) failed"
	exit 1
fi
exit "$rc"
