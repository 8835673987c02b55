#!/usr/bin/env bash
# Bump in the wire over net_memif, both directions at once, counts exact.
# Two ffwd processes: the bump (memif clients "wan" and "lan", forwarding
# wan->lan and lan->wan on two lcores) and a tester (memif servers) that
# sends capture A into the bump's wan side and capture B into its lan side
# and writes what comes out of the other side. What leaves on lan must be
# A, what leaves on wan must be B, and the bump's counters exact.
# Usage: tests/e2e/bump_memif.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
ffwd=$build/ffwd
cmp=$build/tests/pcapcmp
corpus=${FFWD_CORPUS:-$root/../shared/corpus}
tmp=$(mktemp -d)
bump_pid= test_pid=
n=$(( $$ % 1000 ))
cleanup() {
	local p
	for p in $test_pid $bump_pid; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp" "/var/run/dpdk/bmpF$n" "/var/run/dpdk/bmpG$n"
}
trap cleanup EXIT
[ -n "${E2E_KEEP:-}" ] && trap - EXIT
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

A=$corpus/pcaps/tcpdump/vrrp.pcap
B=$corpus/pcaps/tcpdump/ntp-control.pcap
[ -f "$A" ] && [ -f "$B" ] || { echo "corpus missing"; echo "0 passed, 1 failed"; exit 1; }
na=$("$cmp" "$A" "$A" | awk '{print $2}')
nb=$("$cmp" "$B" "$B" | awk '{print $2}')

cat >"$tmp/bump.yaml" <<EOT
pipeline: { label: bmpF$n, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1, 2: 0 } }
ports:
  wan: { dev: "net_memif0,role=client,socket=$tmp/w.sock,id=0" }
  lan: { dev: "net_memif1,role=client,socket=$tmp/l.sock,id=0" }
paths:
  - name: w2l
    stages:
      - { name: w_rx, kind: input, port: wan, lcore: 1, idle: yield }
      - { name: w2l_fwd, kind: fwd, lcore: 1, idle: yield }
      - { name: l_tx, kind: output, port: lan, lcore: 1, idle: yield, retries: 1000 }
  - name: l2w
    stages:
      - { name: l_rx, kind: input, port: lan, lcore: 2, idle: yield }
      - { name: w_tx, kind: output, port: wan, lcore: 2, idle: yield, retries: 1000 }
EOT
cat >"$tmp/tester.yaml" <<EOT
pipeline: { label: bmpG$n, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1, 2: 0 } }
ports:
  a:  { dev: "net_pcap0,rx_pcap=$A" }
  b:  { dev: "net_pcap1,rx_pcap=$B" }
  ow: { dev: "net_pcap2,tx_pcap=$tmp/out-wan.pcap" }
  ol: { dev: "net_pcap3,tx_pcap=$tmp/out-lan.pcap" }
  w:  { dev: "net_memif2,role=server,socket=$tmp/w.sock,id=0" }
  l:  { dev: "net_memif3,role=server,socket=$tmp/l.sock,id=0" }
paths:
  - name: genA
    stages:
      - { name: a_rx, kind: input, port: a, lcore: 1, idle: yield }
      - { name: w_out, kind: output, port: w, lcore: 1, idle: yield, retries: 1000 }
  - name: genB
    stages:
      - { name: b_rx, kind: input, port: b, lcore: 1, idle: yield }
      - { name: l_out, kind: output, port: l, lcore: 1, idle: yield, retries: 1000 }
  - name: fromlan
    stages:
      - { name: l_in, kind: input, port: l, lcore: 2, idle: yield }
      - { name: ol_tx, kind: output, port: ol, lcore: 2, idle: yield }
  - name: fromwan
    stages:
      - { name: w_in, kind: input, port: w, lcore: 2, idle: yield }
      - { name: ow_tx, kind: output, port: ow, lcore: 2, idle: yield }
EOT
# The tester serves the sockets; the bump connects; each waits for its
# links, and the tester gives the bump 1.5 s more to start polling, or its
# first packets would find no buffers on the other side (tx_full).
env --default-signal=INT,TERM "$ffwd" "$tmp/tester.yaml" --idle-exit 1500 --start-delay 1500 >"$tmp/tester.out" 2>&1 &
test_pid=$!
sleep 0.5
env --default-signal=INT,TERM "$ffwd" "$tmp/bump.yaml" >"$tmp/bump.out" 2>&1 &
bump_pid=$!
if timeout 60 tail --pid=$test_pid -f /dev/null; then :; fi
wait "$test_pid"; trc=$?; test_pid=
kill -INT "$bump_pid"; wait "$bump_pid"; brc=$?; bump_pid=

if [ $trc = 0 ] && [ $brc = 0 ]; then ok "both processes exit 0"; else
	bad "exit codes: tester $trc, bump $brc"; tail -5 "$tmp/tester.out" "$tmp/bump.out"; fi
if grep -q "^path w2l: received $na sent $na dropped 0 ok" "$tmp/bump.out" &&
   grep -q "^path l2w: received $nb sent $nb dropped 0 ok" "$tmp/bump.out"; then
	ok "bump counts exact: w2l $na, l2w $nb"
else
	bad "bump counts: $(grep '^path' "$tmp/bump.out" | tr '\n' ' ') (want $na and $nb)"
fi
if "$cmp" "$A" "$tmp/out-lan.pcap" >/dev/null && "$cmp" "$B" "$tmp/out-wan.pcap" >/dev/null; then
	ok "lan side got capture A, wan side got capture B, in order"
else
	bad "outputs differ: $("$cmp" "$A" "$tmp/out-lan.pcap"); $("$cmp" "$B" "$tmp/out-wan.pcap")"
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
