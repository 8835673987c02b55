#!/usr/bin/env bash
# The demo: build, forward conf/demo.pcap across three lcores (conf/demo.yaml),
# print the counters, and check out/demo-out.pcap equals the input.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/build.sh build >/dev/null
mkdir -p out
rm -f out/demo-out.pcap
echo "== ffwd conf/demo.yaml"
./build/ffwd conf/demo.yaml --idle-exit 500
echo "== out/demo-out.pcap against conf/demo.pcap"
./build/tests/pcapcmp conf/demo.pcap out/demo-out.pcap
