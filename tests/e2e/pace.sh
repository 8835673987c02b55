#!/usr/bin/env bash
# Paced outputs in a YAML pipeline: pps and mbps (with per-frame overhead)
# on net_null, the achieved rate ffwd reports within +-0.5 % of the asked
# one; and pps through AF_PACKET on a veth pair, measured by the arrival
# stamps of tcpdump on the peer (a clock ffwd does not pace by).
# Usage: tests/e2e/pace.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
ffwd=$build/ffwd
tmp=$(mktemp -d)
n=$(( $$ % 1000 ))
trap 'rm -rf "$tmp" "/var/run/dpdk/pace${n:?}"' EXIT
pass=0 fail=0

# run NAME OUTPUT-KEYS WANT_PPS
run() {
	local name=$1 keys=$2 want=$3 got
	cat >"$tmp/p.yaml" <<EOT
pipeline: { label: pace$n, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1, 2: 0 } }
ports:
  src: { dev: "net_null0$n,copy=0,size=64" }
  dst: { dev: "net_null1$n,copy=0" }
stages:
  - { name: rx, kind: input, port: src, lcore: 2, idle: yield }
  - { name: tx, kind: output, port: dst, lcore: 1, $keys }
EOT
	"$ffwd" "$tmp/p.yaml" --duration 3 >"$tmp/out" 2>&1
	# ffwd's figure: units sent before the last departure over the time
	# from the first, on the TSC calibrated against CLOCK_MONOTONIC.
	got=$(sed -n 's/^pace  tx .* achieved \([0-9.]*\) .*/\1/p' "$tmp/out")
	if [ -n "$got" ] && grep -q "^summary: .* ok$" "$tmp/out" &&
	   awk -v g="$got" -v w="$want" 'BEGIN { e = (g - w) / w; exit !(e <= 0.005 && e >= -0.005) }'; then
		echo "PASS $name: achieved $got (asked $want)"
		pass=$((pass + 1))
	else
		echo "FAIL $name: achieved '$got', asked $want: $(grep -E "^(pace|summary)" "$tmp/out")"
		fail=$((fail + 1))
	fi
}

run "pps 100000" "pps: 100000" 100000
# net_null's 64-byte packets are frames with their FCS; + 20 bytes of
# preamble and inter-frame gap = 672 bits: 1000 Mbps is gigabit line rate,
# 1,488,095 frames/s.
run "mbps 1000, overhead 20" "mbps: 1000, overhead: 20" 1000

# ---- an independent clock ----------------------------------------------
# ffwd's "achieved" figure is measured on the same TSC that schedules the
# departures, so a wrong TSC rate would go unseen by it. Here the paced
# output is an AF_PACKET port on one end of a veth pair, in a network
# namespace made here, and tcpdump on the other end stamps every arrival
# with the kernel's clock. The rate is the slope of the lower convex hull
# of (packet index, arrival time): a packet can arrive late (this machine
# is shared), never early, so the on-time ones lie on the line. It must be
# within +-0.5 % of the asked rate, and tcpdump must have every packet ffwd
# sent. Too few on-time packets to trust the fit (on-time packets in fewer
# than 5 tenths of the run), or drops in tcpdump's buffer: SKIP, counted
# apart, never a pass.
hull_rate()
{
	/usr/bin/python3 - "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", data[:4])[0]
end, scale = {0xa1b2c3d4: ("<", 1000), 0xa1b23c4d: ("<", 1),
              0xd4c3b2a1: (">", 1000), 0x4d3cb2a1: (">", 1)}[magic]
t, off = [], 24
while off + 16 <= len(data):
    sec, frac, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
    t.append(sec * 1000000000 + frac * scale)
    off += 16 + caplen
n = len(t)
if n < 100:
    print("0 0 0 %d" % n)
    sys.exit(0)
t = [x - t[0] for x in t]
h = []
for i in range(n):  # lower hull, monotone chain
    while len(h) >= 2:
        a, b = h[-2], h[-1]
        if (b - a) * (t[i] - t[a]) - (i - a) * (t[b] - t[a]) > 0:
            break
        h.pop()
    h.append(i)
edges = sorted(((t[b] - t[a]) / (b - a), b - a) for a, b in zip(h, h[1:]))
total, acc, T = sum(s for _, s in edges), 0, 0
for slope, span in edges:  # span-weighted median slope
    acc += span
    if 2 * acc >= total:
        T = slope
        break
base = min(t[i] - i * T for i in range(n))
on = [i for i in range(n) if t[i] - i * T - base < 50000]
per = [0] * 10
for i in on:
    per[i * 10 // n] += 1
tenths = sum(1 for c in per if c >= 5)
print("%.3f %d %d %d" % (1e9 / T if T > 0 else 0, len(on), tenths, n))
PY
}

skip=0
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null && command -v tcpdump >/dev/null; then
	ns="${FFWD_NETNS_PREFIX:-ffwd}pace$$"
	trap 'rm -rf "$tmp" "/var/run/dpdk/pace${n:?}"; ip netns del "$ns" 2>/dev/null' EXIT
	if ip netns add "$ns" 2>/dev/null &&
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
			net.ipv6.conf.all.disable_ipv6=1 &&
		ip -n "$ns" link add va type veth peer name vb &&
		ip -n "$ns" link set va up && ip -n "$ns" link set vb up; then
		want=20000
		cat >"$tmp/v.yaml" <<EOT
pipeline: { label: pace$n, housekeeping: 0, memory: 256, mbufs: 4095,
            cpus: { 0: 0, 1: 1, 2: 0 } }
ports:
  src: { dev: "net_null0$n,copy=0,size=64" }
  dst: { dev: "net_af_packet0,iface=va,qdisc_bypass=1" }
stages:
  - { name: rx, kind: input, port: src, lcore: 2, idle: yield }
  - { name: tx, kind: output, port: dst, lcore: 1, pps: $want }
EOT
		ip netns exec "$ns" tcpdump -i vb -n -B 32768 -s 64 \
			--time-stamp-precision nano -w "$tmp/v.pcap" 2>"$tmp/tcpdump.err" &
		tpid=$!
		for ((i = 0; i < 50; i++)); do
			grep -q "listening on" "$tmp/tcpdump.err" && break
			sleep 0.1
		done
		ip netns exec "$ns" "$ffwd" "$tmp/v.yaml" --duration 3 >"$tmp/out" 2>&1
		sleep 0.5
		kill -INT "$tpid" 2>/dev/null
		wait "$tpid" 2>/dev/null
		sent=$(sed -n 's/^summary: received=[0-9]* sent=\([0-9]*\) .*/\1/p' "$tmp/out")
		kdrop=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$tmp/tcpdump.err")
		read -r got on tenths ncap <<<"$(hull_rate "$tmp/v.pcap")"
		if ! grep -q "^summary: .* ok$" "$tmp/out"; then
			echo "FAIL pps $want, tcpdump clock: ffwd did not end ok: $(grep -E "^(pace|summary)" "$tmp/out")"
			fail=$((fail + 1))
		elif [ "${kdrop:-0}" -ne 0 ] || [ "$ncap" -lt "${sent:-0}" ]; then
			echo "SKIP pps $want, tcpdump clock: tcpdump kept $ncap of $sent packets (${kdrop:-?} dropped by the kernel), so departures cannot be indexed"
			skip=$((skip + 1))
		elif [ "$ncap" -ne "$sent" ]; then
			echo "FAIL pps $want, tcpdump clock: ffwd sent $sent, the peer saw $ncap"
			fail=$((fail + 1))
		elif [ "$tenths" -lt 5 ]; then
			echo "SKIP pps $want, tcpdump clock: machine too busy, $on of $ncap packets on time in $tenths tenths of the run (fit $got pps)"
			skip=$((skip + 1))
		elif awk -v g="$got" -v w="$want" 'BEGIN { e = (g - w) / w; exit !(e <= 0.005 && e >= -0.005) }'; then
			echo "PASS pps $want, tcpdump clock: $got pps by the peer's arrival stamps, $on of $ncap packets on time; ffwd says $(sed -n 's/^pace  tx .* achieved \([0-9.]*\) .*/\1/p' "$tmp/out")"
			pass=$((pass + 1))
		else
			echo "FAIL pps $want, tcpdump clock: $got pps by the peer's arrival stamps (asked $want), $on of $ncap packets on time"
			fail=$((fail + 1))
		fi
	else
		echo "FAIL pps, tcpdump clock: cannot make a veth pair in namespace $ns"
		fail=$((fail + 1))
	fi
	ip netns del "$ns" 2>/dev/null
else
	echo "SKIP pps, tcpdump clock: needs root, iproute2 and tcpdump"
	skip=$((skip + 1))
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
