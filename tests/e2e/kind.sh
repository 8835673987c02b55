#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# kind: a stage kind defined only in a test binary (tests/kind/cull.c,
# linked into BUILD/tests/ffwd-testkind) is registered, configured from
# YAML, validated with file:line:col, and run in a pipeline: it drops every
# 3rd packet as `culled`, its own counter is in the exit report, and the
# path adds up. Nothing outside that file knows the kind.
#
#	tests/e2e/kind.sh [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

FFWD=$BUILD/tests/ffwd-testkind
CAP=tcpdump/vrrp.pcap
in=$CORPUS/pcaps/$CAP
total=$(e2e_count "$in")

cfg()	# cfg LABEL OUT EVERY
{
	e2e_cfg_pipeline "$1"
	cat <<EOF
ports:
  in: { dev: "net_pcap0,rx_pcap=$in" }
  out: { dev: "net_pcap1,tx_pcap=$2" }
paths:
  - name: k
    stages:
      - { name: rx, kind: input, port: in, lcore: 1, idle: yield }
      - { name: c, kind: cull, every: $3, lcore: 2, idle: yield }
      - { name: tx, kind: output, port: out, lcore: 3, idle: yield }
EOF
}

# 1. The kind is listed by --help, from its registration alone.
name="cull listed in --help"
help=$("$FFWD" --help)
if grep -qE '^  cull +app +drop every Nth packet' <<<"$help"; then
	e2e_pass "$name"
else
	e2e_fail "$name" "no 'cull' line under 'stage kinds:'"
fi

# 2. Its key is parsed by its own parser, with file:line:col.
e2e_label knd
dir=$TMP/$E2E_LABEL
mkdir "$dir"
cfg "$E2E_LABEL" "$dir/o.pcap" 1 >"$dir/bad.yaml"
name="cull every: 1 refused at its value"
set +e
"$FFWD" --check "$dir/bad.yaml" >"$dir/out" 2>"$dir/err"
rc=$?
set -e
want="$dir/bad.yaml:15:39: stage 'c': every is 1, expected an integer 2..1000000"
if [ "$rc" -eq 2 ] && grep -qxF "$want" "$dir/err"; then
	e2e_pass "$name"
else
	e2e_fail "$name" "exit $rc, stderr: $(head -c 300 "$dir/err")"
fi
sed -i 's/, every: 1//' "$dir/bad.yaml"
name="cull without every refused"
set +e
"$FFWD" --check "$dir/bad.yaml" >"$dir/out" 2>"$dir/err"
rc=$?
set -e
if [ "$rc" -eq 2 ] && grep -qF "stage 'c': every is missing, expected an integer 2..1000000" "$dir/err"; then
	e2e_pass "$name"
else
	e2e_fail "$name" "exit $rc, stderr: $(head -c 300 "$dir/err")"
fi

# 3. It runs: every 3rd packet culled, counted by name, the rest forwarded.
name="cull every 3rd of $total packets in a pipeline"
cfg "$E2E_LABEL" "$dir/o.pcap" 3 >"$dir/ffwd.yaml"
e2e_run "$E2E_LABEL" "$dir" -c "$dir/ffwd.yaml" --idle-exit 300
culled=$((total / 3))
if ! e2e_check_ok "$dir"; then
	e2e_fail "$name" "$E2E_WHY" "$dir"
elif ! grep -qE "^stage c +cull +lcore 2 +in $total +out $((total - culled)) +culled $culled cull_seen $total\$" "$dir/out"; then
	e2e_fail "$name" "stage line: $(grep '^stage c ' "$dir/out")"
elif ! grep -qE "^path k: received $total sent $((total - culled)) dropped $culled culled=$culled ok\$" "$dir/out"; then
	e2e_fail "$name" "path line: $(grep '^path k' "$dir/out")"
elif [ "$(e2e_count "$dir/o.pcap")" != $((total - culled)) ]; then
	e2e_fail "$name" "output holds $(e2e_count "$dir/o.pcap") packets"
else
	e2e_pass "$name"
fi
e2e_drop_dir "$dir"
e2e_finish
