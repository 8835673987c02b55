#!/usr/bin/env bash
# The firewall in a running pipeline: per-rule hits in telemetry, rules
# replaced by SIGHUP while traffic flows (a bad file keeps the old rules),
# and at the end every packet accounted for.
# Usage: tests/e2e/fw_reload.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
ffwd=$build/ffwd
tmp=$(mktemp -d)
pid=
n=$(( $$ % 1000 ))
label=fwrl$n
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp" "/var/run/dpdk/${label:?}"
}
trap cleanup EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
# hits RULE: the stage's hit counter for RULE, from telemetry.
hits() {
	echo "/ffwd/stages,fw" | timeout 10 dpdk-telemetry.py -f "$label" 2>/dev/null |
		/usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['/ffwd/stages']['fw'].get('$1', -1))"
}

printf 'default allow\ndrop name udp proto udp\n' >"$tmp/fw.rules"
cat >"$tmp/cfg.yaml" <<EOT
pipeline: { label: $label, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1, 2: 1 } }
ports:
  cap: { dev: "net_pcap0,rx_pcap=$root/conf/demo.pcap,infinite_rx=1" }
  sink: { dev: "net_null0$n,copy=0" }
stages:
  - { name: rx, kind: input, port: cap, lcore: 1, idle: yield }
  - { name: fw, kind: firewall, rules: $tmp/fw.rules, lcore: 2, idle: yield }
  - { name: tx, kind: output, port: sink, lcore: 2, idle: yield }
EOT
env --default-signal=INT,TERM,HUP "$ffwd" "$tmp/cfg.yaml" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 1.5
h1=$(hits acl_udp)
if [ "${h1:-0}" -gt 0 ]; then ok "telemetry shows hits of rule udp: $h1"; else bad "no acl_udp hits ($h1)"; fi

# Replace the rules: now drop TCP, not UDP.
printf 'default allow\ndrop name tcp proto tcp\n' >"$tmp/fw.rules"
kill -HUP "$pid"
sleep 1.5
if grep -q "stage 'fw': rules reloaded" "$tmp/err"; then ok "SIGHUP reloaded the rules"; else bad "no reload: $(cat "$tmp/err")"; fi
h2=$(hits acl_tcp)
if [ "${h2:-0}" -gt 0 ] && [ "$(hits acl_udp)" = -1 ]; then
	ok "the new set is in force: acl_tcp $h2, acl_udp gone"
else
	bad "after reload: acl_tcp $h2, acl_udp $(hits acl_udp)"
fi

# A broken file keeps the old rules.
printf 'default allow\ndrop proto nosuch\n' >"$tmp/fw.rules"
kill -HUP "$pid"
sleep 0.5
if grep -q "reload refused, old rules kept: .*fw.rules:2:" "$tmp/err"; then
	ok "a bad rules file is refused with file:line: $(grep -o 'fw.rules:2:[^;]*' "$tmp/err" | head -1)"
else
	bad "bad file: $(tail -2 "$tmp/err")"
fi
for i in 1 2 3 4 5 6 7 8; do kill -HUP "$pid"; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
if [ $rc = 0 ] && grep -q "^summary: .* ok$" "$tmp/out"; then
	ok "every packet accounted for across reloads: $(grep '^path' "$tmp/out")"
else
	bad "exit $rc: $(tail -3 "$tmp/out")"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
