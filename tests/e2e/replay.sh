#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# replay: end-to-end tests of `ffwd replay`, a pipeline generated from the
# command line (capture input -> paced output) on ffwd's runtime.
#
#	tests/e2e/replay.sh [BUILD_DIR]		(from the repository root)
#
# One line per case ("PASS name" / "FAIL name: why"), then "N passed, M
# failed"; exit 1 if any failed, 2 if something it needs is missing, 77 if
# the corpus is not there. Everything goes under one mktemp -d folder,
# removed on exit; the only processes signalled are the replays started
# here, by PID.
#
# Cases:
#  - equal/*, loop3/*: corpus Ethernet captures (libpcap reads them whole,
#    no empty record, none over 16128 bytes, which is all net_pcap writes
#    of a chained mbuf) sent to a net_pcap writer equal the input, in
#    order; with --loop 3, three times the input. stream/*: the same with
#    --stream.
#  - rate: 100,000 pps for 2 s to net_null, achieved within +-0.5 %.
#  - linerate: --mbps 1000 --ifg of 64-byte frames is 1,488,095 pps +-0.5 %.
#  - timing*: net_pcap stamps each packet at TX; the output's relative
#    times must follow the input's (looped: across the loop boundary too).
#    Tolerance, stated: after the TSC scale of net_pcap's stamps (EAL's
#    rounded TSC rate) is corrected, each packet's error against the
#    median offset is within the departure error the tool itself reported
#    for the same run plus 200 us (p50 and max), and the median error is
#    under 2 ms in any case (~3 us on a quiet machine; an overloaded one
#    has been seen to keep the TX lcore 1.3 ms behind for a whole run).
#    Hiccups of a shared machine show in both.
#  - bad/*, linktype/*: every file of pcaps/derived and
#    pcaps/libpcap-badformat, and non-Ethernet captures: exit 2 with the
#    file named on stderr where libpcap cannot read it whole or there is
#    nothing to send, else exit 0; never a crash.
#  - args/*: bad command lines exit 2 (1 for a device EAL cannot make).
#  - port/memif: the replay serves a memif, an ffwd pipeline receives:
#    every packet sent arrives. port/af_packet-veth: net_af_packet on a
#    veth pair in a namespace made here: the peer's rx_packets = sent.
#  - pad, sigint, nosyscall, memory, chained: see each case.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in
/*) ;;
*) BUILD=$PWD/$BUILD ;;
esac
PCAPCMP=$BUILD/tests/pcapcmp
PY=/usr/bin/python3
CORPUS=${FFWD_CORPUS:-$ROOT/../shared/corpus}
TIMEOUT=${E2E_TIMEOUT:-60}

REPLAY=("$BUILD/ffwd" replay)
for f in "${REPLAY[0]}" "$PCAPCMP" "$PY"; do
	if [ ! -x "$f" ]; then
		echo "replay: $f is missing (build first: ninja -C $BUILD)" >&2
		exit 2
	fi
done
if [ ! -d "$CORPUS/pcaps" ]; then
	echo "replay: SKIP: no corpus at $CORPUS (set FFWD_CORPUS)" >&2
	exit 77
fi
CORPUS=$(cd "$CORPUS" && pwd -P)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ffwd-e2e-replay.XXXXXX")
RPID=
PASSED=0
FAILED=0

cleanup()
{
	if [ -n "$RPID" ] && kill -0 "$RPID" 2>/dev/null; then
		kill -KILL "$RPID" 2>/dev/null
		wait "$RPID" 2>/dev/null
		rm -rf "/var/run/dpdk/replay-$RPID"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass()
{
	echo "PASS $1"
	PASSED=$((PASSED + 1))
}

# fail NAME WHY: the case line; the run's last stderr lines go to stderr.
fail()
{
	echo "FAIL $1: $2"
	FAILED=$((FAILED + 1))
	[ -s "$TMP/err" ] && tail -n 3 "$TMP/err" | sed 's/^/    | /' >&2
	return 0
}

# run ARGS...: one replay, stdout in $TMP/out, stderr in $TMP/err, exit
# status in RC (124: had to be killed). SIGINT is put back to its default
# (a background job starts with it ignored) so that the replay's own
# handler gets it.
run()
{
	local i

	env --default-signal=INT,TERM "${REPLAY[@]}" "$@" >"$TMP/out" 2>"$TMP/err" &
	RPID=$!
	for ((i = 0; i < TIMEOUT * 10; i++)); do
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$RPID" 2>/dev/null; then
		kill -KILL "$RPID" 2>/dev/null
		wait "$RPID" 2>/dev/null
		RC=124
	else
		RC=0
		wait "$RPID" || RC=$?
	fi
	rm -rf "/var/run/dpdk/replay-$RPID"
	RPID=
}

# A field of the run's "replay: key=value ..." line.
field()
{
	sed -n "s/^replay: .*[ ]$1=\([^ ]*\).*/\1/p" "$TMP/out" | tail -n1
}

# Why the run is not a clean success, or nothing.
not_ok()
{
	if [ "$RC" -ne 0 ]; then
		echo "exit $RC, expected 0"
	elif grep -qE 'Segmentation|AddressSanitizer|runtime error:' "$TMP/out" "$TMP/err"; then
		echo "crash report"
	elif [ "$(field status)" != ok ]; then
		echo "status '$(field status)', expected ok (pool $(field pool))"
	fi
}

# Float comparison: awk 'BEGIN{exit !(EXPR)}'.
holds()
{
	awk "BEGIN { exit !($1) }"
}

cat > "$TMP/helper.py" <<'PYEOF'
#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Helpers for tests/e2e/replay.sh and bench/replay, standard library only.

  replay_helper.py select CORPUS N MAXLEN    N Ethernet captures libpcap reads
                                             whole (expected/libpcap_read.json),
                                             no empty record, caplen <= MAXLEN
  replay_helper.py gen-timing OUT            200 packets, gaps 0.5..9.5 ms
  replay_helper.py gen64 OUT N               N 64-byte frames (UDP, varied)
  replay_helper.py timing IN OUT LOOPS SPEED SCALE
        compare OUT's relative times (net_pcap TX stamps, times SCALE) with
        IN's expected departures; prints the error statistics as key=value
  replay_helper.py lens OUT                  wire lengths of OUT's records
"""
import json
import os
import random
import struct
import sys


def read_pcap(path):
    """[(t_ns, caplen, wirelen, data)] of a classic pcap (us or ns)."""
    with open(path, "rb") as f:
        buf = f.read()
    magic = struct.unpack("<I", buf[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    else:
        e = ">"
        magic = struct.unpack(">I", buf[:4])[0]
    nano = magic == 0xA1B23C4D
    off, out = 24, []
    while off + 16 <= len(buf):
        sec, frac, cap, wire = struct.unpack(e + "IIII", buf[off:off + 16])
        off += 16
        out.append((sec * 10**9 + frac * (1 if nano else 1000), cap, wire,
                    buf[off:off + cap]))
        off += cap
    return out


def write_pcap(path, recs):
    """recs: [(t_ns, data)]; writes a nanosecond pcap."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        for t, data in recs:
            f.write(struct.pack("<IIII", t // 10**9, t % 10**9, len(data),
                                len(data)))
            f.write(data)


def frame(i, size):
    eth = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, size - 14, i & 0xFFFF, 0, 64, 17,
                     0, bytes([10, 0, 0, 1]), bytes([10, 0, (i >> 8) & 255, i & 255]))
    udp = struct.pack("!HHHH", 1024 + (i % 1000), 9, size - 34, 0)
    pad = bytes((i + k) & 255 for k in range(size - 42))
    return eth + ip + udp + pad


def cmd_select(corpus, n, maxlen):
    files = json.load(open(os.path.join(corpus, "expected",
                                        "libpcap_read.json")))["files"]
    good = []
    for name, v in sorted(files.items()):
        if name.startswith("pcaps/derived/") or not name.startswith("pcaps/"):
            continue
        if v.get("dlt") != 1 or v.get("end") != "eof" or not v.get("packets"):
            continue
        caps = v["caplen"]
        if min(caps) == 0 or max(caps) > maxlen:
            continue
        good.append(name[len("pcaps/"):])
    # spread over the corpus: pcapng, big-endian, jumbo, truncated records
    random.Random(5).shuffle(good)
    must = [g for g in good if g.endswith(".pcapng") or "of13" in g or
            "jumbo" in g or "ISIS" in g or "nano" in g][:6]
    rest = [g for g in good if g not in must]
    print("\n".join(sorted(must + rest[:max(0, n - len(must))])))


def cmd_gen_timing(out):
    rnd = random.Random(7)
    t, recs = 10**18 // 10**9 * 10**9, []
    for i in range(200):
        recs.append((t, frame(i, 60 + (i * 37) % 200)))
        t += rnd.randrange(500_000, 9_500_000)
    write_pcap(out, recs)


def cmd_gen64(out, n):
    write_pcap(out, [(10**9 + i * 1000, frame(i, 64)) for i in range(n)])


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]


def cmd_timing(inp, out, loops, speed, scale):
    a, b = read_pcap(inp), read_pcap(out)
    if len(b) != len(a) * loops:
        print("count=%d expected=%d" % (len(b), len(a) * loops))
        return
    rel, prev = [], 0
    for t, *_ in a:  # monotonic, from the first record, as capsrc does
        prev = max(prev, t - a[0][0])
        rel.append(prev)
    span = rel[-1]
    period = span + (span // (len(a) - 1) if len(a) > 1 else 0)
    signed = []
    for k, (t, *_) in enumerate(b):
        want = ((k // len(a)) * period + rel[k % len(a)]) / speed
        got = (t - b[0][0]) * scale
        signed.append((got - want) / 1000.0)
    # The first output stamp is one sample like the others: measure each
    # packet against the run's median offset, not against packet 1 alone.
    med = pct(signed, 0.5)
    errs = [abs(s - med) for s in signed]
    n = len(a)
    print("offset_us=%.1f " % med, end="")
    print("count=%d p50_us=%.1f p95_us=%.1f p99_us=%.1f max_us=%.1f "
          "boundary_us=%.1f last_us=%.1f" % (
              len(b), pct(errs, 0.5), pct(errs, 0.95), pct(errs, 0.99),
              max(errs), errs[n] if loops > 1 else 0, errs[-1]))


def main():
    c = sys.argv[1]
    if c == "select":
        cmd_select(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif c == "gen-timing":
        cmd_gen_timing(sys.argv[2])
    elif c == "gen64":
        cmd_gen64(sys.argv[2], int(sys.argv[3]))
    elif c == "timing":
        cmd_timing(sys.argv[2], sys.argv[3], int(sys.argv[4]),
                   float(sys.argv[5]), float(sys.argv[6]))
    elif c == "lens":
        for _, cap, wire, _ in read_pcap(sys.argv[2]):
            print(cap, wire)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
PYEOF
helper()
{
	"$PY" "$TMP/helper.py" "$@"
}

C=$CORPUS/pcaps

# ---- command line ------------------------------------------------------

run --help
if [ "$RC" -eq 0 ] && grep -q -- '--topspeed' "$TMP/out"; then
	pass args/help
else
	fail args/help "exit $RC or no usage text"
fi

# "RC|STDERR REGEX|ARGS..." (word-split); FILE is an Ethernet capture.
ARGS_TABLE=(
	"2|no --port|FILE"
	"2|bad value '0' for --pps|FILE --port net_null0 --pps 0"
	"2|bad value 'x' for --mbps|FILE --port net_null0 --mbps x"
	"2|exclude each other|FILE --port net_null0 --pps 10 --topspeed"
	"2|--speed goes with --timing|FILE --port net_null0 --pps 10 --speed 2"
	"2|--ifg and --fcs go with --mbps|FILE --port net_null0 --pps 10 --ifg"
	"2|bad value '33' for --burst|FILE --port net_null0 --burst 33"
	"2|unexpected argument|FILE extra --port net_null0"
	"2|no capture file|--port net_null0"
	"2|nosuch.pcap: cannot read|$TMP/nosuch.pcap --port net_null0"
	"1|EAL init failed|FILE --port net_nosuchdriver0"
	"0||FILE --port net_null0 --pps 1000"
)
for row in "${ARGS_TABLE[@]}"; do
	IFS='|' read -r want re args <<<"$row"
	# shellcheck disable=SC2086
	set -- ${args//FILE/$C/tcpdump/eapon1.pcap}
	run "$@"
	name="args/$(echo "$args" | sed "s|FILE|F|; s|$TMP/||; s| |_|g")"
	if [ "$RC" -ne "$want" ]; then
		fail "$name" "exit $RC, expected $want"
	elif [ -n "$re" ] && ! grep -qF -- "$re" "$TMP/err"; then
		fail "$name" "stderr lacks '$re'"
	else
		pass "$name"
	fi
done

# Does not fit: the preload of a capture needs more than --memory allows.
run "$C/tcpdump/eapon1.pcap" --port net_null0 --memory 16
if [ "$RC" -eq 2 ] && grep -q "eapon1.pcap: does not fit in memory" "$TMP/err"; then
	pass memory/does-not-fit
else
	fail memory/does-not-fit "exit $RC, expected 2 with 'does not fit'"
fi

# ---- corpus captures through a net_pcap writer ------------------------

mapfile -t FILES < <(helper select "$CORPUS" 24 16128)
if [ "${#FILES[@]}" -lt 20 ]; then
	fail equal/select "only ${#FILES[@]} usable captures, need 20"
fi
for f in "${FILES[@]}"; do
	for loops in 1 3; do
		case=$([ "$loops" = 1 ] && echo equal || echo loop3)/$f
		# paced for loop 1, top speed for loop 3: both paths
		pace=$([ "$loops" = 1 ] && echo "--pps 200000" || echo "--topspeed")
		rm -f "$TMP/o.pcap"
		# shellcheck disable=SC2086
		run "$C/$f" --port "net_pcap0,tx_pcap=$TMP/o.pcap" $pace --loop "$loops"
		why=$(not_ok)
		if [ -n "$why" ]; then
			fail "$case" "$why"
		elif ! cmp=$("$PCAPCMP" --repeat "$loops" "$C/$f" "$TMP/o.pcap" 2>&1); then
			fail "$case" "$cmp"
		else
			pass "$case"
		fi
	done
done

# --stream: read while sending; chained (of13_ericsson: 11858 bytes),
# pcapng, and a capture looped 3 times.
for f in tcpdump/of13_ericsson.pcapng tcpdump/eapon1.pcap "${FILES[0]}"; do
	rm -f "$TMP/o.pcap"
	run "$C/$f" --port "net_pcap0,tx_pcap=$TMP/o.pcap" --stream --topspeed --loop 3
	why=$(not_ok)
	if [ -n "$why" ]; then
		fail "stream/$f" "$why"
	elif ! cmp=$("$PCAPCMP" --repeat 3 "$C/$f" "$TMP/o.pcap" 2>&1); then
		fail "stream/$f" "$cmp"
	else
		pass "stream/$f"
	fi
done

# Chained mbufs through a preload: of13_ericsson has records of 11858 bytes.
rm -f "$TMP/o.pcap"
run "$C/tcpdump/of13_ericsson.pcapng" --port "net_pcap0,tx_pcap=$TMP/o.pcap" --topspeed --loop 2
if [ -n "$(not_ok)" ]; then
	fail chained/of13_ericsson "$(not_ok)"
elif ! grep -q "chained mbufs" "$TMP/out"; then
	fail chained/of13_ericsson "the capture was not chained"
elif ! cmp=$("$PCAPCMP" --repeat 2 "$C/tcpdump/of13_ericsson.pcapng" "$TMP/o.pcap" 2>&1); then
	fail chained/of13_ericsson "$cmp"
else
	pass chained/of13_ericsson
fi

# --pad: records shorter than the wire leave at their wire length, zero
# padded; without it, as captured.
f=$C/derived/caplen-gt-snaplen.pcap
rm -f "$TMP/o.pcap"
run "$f" --port "net_pcap0,tx_pcap=$TMP/o.pcap" --topspeed --pad
helper lens "$f" | awk '{ print ($2 > $1 ? $2 : $1) }' >"$TMP/want"
helper lens "$TMP/o.pcap" 2>/dev/null | awk '{ print $1 }' >"$TMP/got"
if [ -n "$(not_ok)" ]; then
	fail pad/on "$(not_ok)"
elif ! cmp -s "$TMP/want" "$TMP/got"; then
	fail pad/on "lengths $(tr '\n' ' ' <"$TMP/got") expected $(tr '\n' ' ' <"$TMP/want")"
else
	pass pad/on
fi
rm -f "$TMP/o.pcap"
run "$f" --port "net_pcap0,tx_pcap=$TMP/o.pcap" --topspeed
if [ -n "$(not_ok)" ]; then
	fail pad/off "$(not_ok)"
elif ! cmp=$("$PCAPCMP" "$f" "$TMP/o.pcap" 2>&1); then
	fail pad/off "$cmp"
else
	pass pad/off
fi

# ---- rate --------------------------------------------------------------

helper gen64 "$TMP/64.pcap" 1000
run "$TMP/64.pcap" --port net_null0 --pps 100000 --duration 2 --loop 0
why=$(not_ok)
err=$(field rate_err_pct)
sent=$(field sent)
if [ -n "$why" ]; then
	fail rate/100kpps "$why"
elif ! holds "$err >= -0.5 && $err <= 0.5"; then
	fail rate/100kpps "rate error $err %"
elif ! holds "$sent >= 196000 && $sent <= 200000"; then
	# --duration is wall time: what is still due at the end (behind a
	# hiccup) is not sent, so the count may fall a little short.
	fail rate/100kpps "sent $sent in 2 s, expected 196000..200000"
else
	pass "rate/100kpps (error $err %, sent $sent, dep p99 $(field dep_p99_us) us, hiccups $(field hiccups))"
fi

run "$TMP/64.pcap" --port net_null0 --mbps 1000 --ifg --duration 1 --loop 0
why=$(not_ok)
pps=$(field pps)
if [ -n "$why" ]; then
	fail linerate/1000mbps-ifg "$why"
elif ! holds "$pps >= 1488095 * 0.995 && $pps <= 1488095 * 1.005"; then
	fail linerate/1000mbps-ifg "$pps pps, expected 1488095 +-0.5 %"
else
	pass "linerate/1000mbps-ifg ($pps pps, error $(field rate_err_pct) %)"
fi

# ---- capture timing ----------------------------------------------------

# check_timing NAME IN LOOPS SPEED: compare the net_pcap output in o.pcap.
check_timing()
{
	local name=$1 in=$2 loops=$3 speed=$4 scale res p50 max dp50 dmax

	why=$(not_ok)
	if [ -n "$why" ]; then
		fail "$name" "$why"
		return
	fi
	# net_pcap converts TSC to time with EAL's rounded rate; ours is
	# measured: scale its stamps by eal/measured.
	scale=$(awk -v a="$(field eal_mhz)" -v b="$(field tsc_mhz)" 'BEGIN { print a / b }')
	res=$(helper timing "$in" "$TMP/o.pcap" "$loops" "$speed" "$scale")
	p50=$(echo "$res" | sed -n 's/.*p50_us=\([0-9.]*\).*/\1/p')
	max=$(echo "$res" | sed -n 's/.*max_us=\([0-9.]*\).*/\1/p')
	dp50=$(field dep_p50_us)
	dmax=$(field dep_max_us)
	if [ -z "$p50" ]; then
		fail "$name" "$res"
	elif ! holds "$p50 <= $dp50 + 200 && $p50 <= 2000 && $max <= $dmax + 200"; then
		fail "$name" "$res; tool's departures p50 $dp50 max $dmax us"
	else
		pass "$name ($res; departures p50 $dp50 max $dmax us)"
	fi
}

helper gen-timing "$TMP/t.pcap"
rm -f "$TMP/o.pcap"
run "$TMP/t.pcap" --port "net_pcap0,tx_pcap=$TMP/o.pcap" --timing --loop 2
check_timing timing/synthetic-loop2 "$TMP/t.pcap" 2 1

# eapon1: 114 packets over 107 s; at --speed 100, 1.07 s a pass.
rm -f "$TMP/o.pcap"
run "$C/tcpdump/eapon1.pcap" --port "net_pcap0,tx_pcap=$TMP/o.pcap" --timing --speed 100 --loop 2
check_timing timing/eapon1-speed100-loop2 "$C/tcpdump/eapon1.pcap" 2 100

# The same through --stream: capture times travel with each mbuf.
rm -f "$TMP/o.pcap"
run "$C/tcpdump/eapon1.pcap" --port "net_pcap0,tx_pcap=$TMP/o.pcap" --stream --timing --speed 100 --loop 2
check_timing timing/stream-eapon1-speed100-loop2 "$C/tcpdump/eapon1.pcap" 2 100

# ---- broken and non-Ethernet captures ---------------------------------

# "FILE RC": every file of derived/ and libpcap-badformat/ (a file with no
# row fails), from expected/libpcap_read.json: open_error, a read error or
# a link type other than Ethernet -> 2; nothing but empty records -> 2;
# else 0.
BAD_TABLE=(
	"derived/bad-magic.pcap 2"		# open: unknown file format
	"derived/bad-usec.pcap 0"		# usec 1999999: read, sent
	"derived/caplen-gt-len.pcap 0"		# sent as captured
	"derived/caplen-gt-snaplen.pcap 0"
	"derived/caplen-huge.pcap 2"		# error after 1 record
	"derived/empty-file.pcap 2"		# open: 0 header bytes
	"derived/header-only.pcap 2"		# nothing to send
	"derived/len-zero.pcap 0"
	"derived/ng-bad-bom.pcapng 2"
	"derived/ng-block-len-not-mult4.pcapng 2"
	"derived/ng-epb-bad-ifid.pcapng 2"
	"derived/ng-epb-caplen-exceeds-block.pcapng 2"
	"derived/ng-no-idb.pcapng 2"
	"derived/ng-trailer-mismatch.pcapng 2"
	"derived/ng-trunc-mid-block.pcapng 2"
	"derived/oversize-frame.pcap 0"		# 65535 bytes: 32 chained mbufs
	"derived/runt-frames.pcap 0"		# 0..15 bytes; the empty one skipped
	"derived/short-file-header.pcap 2"
	"derived/snaplen-zero.pcap 0"
	"derived/time-goes-backwards.pcap 0"
	"derived/trunc-in-record-data.pcap 2"	# error after 10 records
	"derived/trunc-in-record-header.pcap 2"	# error after 2 records
	"libpcap-badformat/linktype-reserved-field-not-zero.pcap 2"
	"libpcap-badformat/pcap-invalid-version-1.pcap 2"
	"libpcap-badformat/pcapng-invalid-vers-1.pcapng 2"
)
declare -A HAVE_ROW
for row in "${BAD_TABLE[@]}"; do
	HAVE_ROW[${row% *}]=1
done
for p in "$C"/derived/* "$C"/libpcap-badformat/*; do
	rel=${p#"$C"/}
	[ -n "${HAVE_ROW[$rel]:-}" ] || fail "bad/$rel" "no row in BAD_TABLE"
done
for row in "${BAD_TABLE[@]}"; do
	f=${row% *}
	want=${row##* }
	run "$C/$f" --port net_null0 --topspeed --loop 2
	if [ "$RC" -ne "$want" ]; then
		fail "bad/$f" "exit $RC, expected $want"
	elif grep -qE 'Segmentation|AddressSanitizer|runtime error:' "$TMP/out" "$TMP/err"; then
		fail "bad/$f" "crash report"
	elif [ "$want" -eq 2 ] && ! grep -qF "$C/$f: " "$TMP/err"; then
		fail "bad/$f" "message does not name the file"
	elif [ "$want" -eq 0 ] && [ "$(field status)" != ok ]; then
		fail "bad/$f" "status $(field status)"
	else
		pass "bad/$f ($(head -c 110 "$TMP/err" | tr '\n' ' ' | sed 's/TELEMETRY.*//'))"
	fi
done

# Non-Ethernet link types: refused, naming the file and the link type.
for f in tcpdump/quic_handshake.pcap tcpdump/reason_code-1.pcap \
	tcpdump/tcp-handshake-nano.pcap tcpdump/hdlc_slarp.pcapng \
	libpcap-filter/http_PPI.pcap; do
	run "$C/$f" --port net_null0
	if [ "$RC" -ne 2 ]; then
		fail "linktype/$f" "exit $RC, expected 2"
	elif ! grep -qE "^.*$C/$f: link type [0-9]+ \(.*\) is not Ethernet" "$TMP/err"; then
		fail "linktype/$f" "message lacks file and link type: $(head -c 200 "$TMP/err")"
	else
		pass "linktype/$f"
	fi
done

# ---- other ports ------------------------------------------------------

# net_memif: the replay serves the socket, an ffwd pipeline (memif client
# -> net_null) receives; every packet sent must arrive, and the schedule
# starts once the link is up (+ --start-delay for the peer's first poll).
if [ -x "$BUILD/ffwd" ]; then
	lbl="rplmc$(($$ % 10000))"
	cat >"$TMP/mclient.yaml" <<EOT
pipeline: { label: $lbl, housekeeping: 0, memory: 256, mbufs: 4095, cpus: { 0: 0, 1: 0 } }
ports:
  m: { dev: "net_memif0,role=client,socket=$TMP/m.sock,id=0" }
  n: { dev: "net_null0" }
stages:
  - { name: rx, kind: input, port: m, lcore: 1, idle: yield }
  - { name: tx, kind: output, port: n, lcore: 1, idle: yield }
EOT
	env --default-signal=INT,TERM "${REPLAY[@]}" "$TMP/64.pcap" \
		--port "net_memif0,role=server,socket=$TMP/m.sock,id=0" \
		--pps 100000 --duration 2 --loop 0 --start-delay 1 \
		>"$TMP/out" 2>"$TMP/err" &
	RPID=$!
	sleep 0.5
	timeout -s INT 20 "$BUILD/ffwd" "$TMP/mclient.yaml" --idle-exit 1500 \
		>"$TMP/client.out" 2>&1
	crc=$?
	RC=0
	wait "$RPID" || RC=$?
	rm -rf "/var/run/dpdk/replay-$RPID" "/var/run/dpdk/${lbl:?}"
	RPID=
	got=$(sed -n 's/^ *summary: received=\([0-9]*\) .*/\1/p' "$TMP/client.out")
	why=$(not_ok)
	if [ -n "$why" ]; then
		fail port/memif "$why"
	elif [ "$crc" -ne 0 ] || [ "${got:-x}" != "$(field sent)" ]; then
		fail port/memif "peer exit $crc, received ${got:-none}, sent $(field sent)"
	else
		pass "port/memif (sent $(field sent), peer received $got, rate error $(field rate_err_pct) %)"
	fi
else
	echo "SKIP port/memif: no $BUILD/ffwd for the peer" >&2
fi

# net_af_packet on a veth pair in a namespace made here: every packet sent
# arrives on the peer end (its rx_packets counter).
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
	ns="ffwdrpl$$"
	# No IPv6 in the namespace: the kernel's own router solicitations
	# would add to the peer's count.
	if ip netns add "$ns" 2>/dev/null &&
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1 \
			net.ipv6.conf.all.disable_ipv6=1 &&
		ip -n "$ns" link add va type veth peer name vb &&
		ip -n "$ns" link set va up && ip -n "$ns" link set vb up; then
		sleep 0.5
		before=$(ip netns exec "$ns" cat /sys/class/net/vb/statistics/rx_packets)
		env --default-signal=INT,TERM ip netns exec "$ns" "${REPLAY[@]}" \
			"$TMP/64.pcap" --port "net_af_packet0,iface=va,qdisc_bypass=1" \
			--pps 200000 --duration 1 --loop 0 >"$TMP/out" 2>"$TMP/err" &
		RPID=$!
		RC=0
		wait "$RPID" || RC=$?
		rm -rf "/var/run/dpdk/replay-$RPID"
		RPID=
		after=$(ip netns exec "$ns" cat /sys/class/net/vb/statistics/rx_packets)
		why=$(not_ok)
		if [ -n "$why" ]; then
			fail port/af_packet-veth "$why"
		elif [ $((after - before)) -ne "$(field sent)" ]; then
			fail port/af_packet-veth "sent $(field sent), peer received $((after - before))"
		else
			pass "port/af_packet-veth (sent $(field sent) = peer rx, rate error $(field rate_err_pct) %)"
		fi
	else
		fail port/af_packet-veth "cannot make a veth pair in a namespace"
	fi
	ip netns del "$ns" 2>/dev/null
else
	echo "SKIP port/af_packet-veth: needs root and iproute2" >&2
fi

# ---- stopping and the TX loop -----------------------------------------

# SIGINT ends a forever loop cleanly: exit 0, report, every mbuf back.
env --default-signal=INT,TERM "${REPLAY[@]}" "$TMP/64.pcap" --port net_null0 \
	--pps 50000 --loop 0 >"$TMP/out" 2>"$TMP/err" &
RPID=$!
sleep 2
kill -INT "$RPID"
RC=0
wait "$RPID" || RC=$?
rm -rf "/var/run/dpdk/replay-$RPID"
RPID=
why=$(not_ok)
if [ -n "$why" ]; then
	fail sigint "$why"
elif ! holds "$(field sent) > 10000"; then
	fail sigint "sent only $(field sent)"
else
	pass "sigint (sent $(field sent), pool $(field pool))"
fi

# The TX lcore makes no system call: strace its thread alone for 2 s while
# it paces to net_null. The control: the main lcore's thread, which sleeps
# between reports, must show calls, so a blind strace cannot pass.
if command -v strace >/dev/null; then
	env --default-signal=INT,TERM "${REPLAY[@]}" "$TMP/64.pcap" --port net_null0 \
		--pps 1000000 --duration 6 --loop 0 >"$TMP/out" 2>"$TMP/err" &
	RPID=$!
	tid=
	for ((i = 0; i < 50; i++)); do
		tid=$(grep -l '^rte-worker-1$' /proc/$RPID/task/*/comm 2>/dev/null |
			head -n1 | awk -F/ '{ print $5 }')
		[ -n "$tid" ] && break
		sleep 0.1
	done
	sleep 1
	if [ -n "$tid" ]; then
		timeout -s INT 2 strace -p "$tid" -o "$TMP/strace.tx" 2>/dev/null
		timeout -s INT 1 strace -p "$RPID" -o "$TMP/strace.main" 2>/dev/null
	fi
	wait "$RPID"
	RC=$?
	rm -rf "/var/run/dpdk/replay-$RPID"
	RPID=
	ntx=$(grep -cE '^[a-z_0-9]+\(' "$TMP/strace.tx" 2>/dev/null)
	nmain=$(grep -cE '^[a-z_0-9]+\(' "$TMP/strace.main" 2>/dev/null)
	if [ -z "$tid" ]; then
		fail nosyscall "no rte-worker-1 thread found"
	elif [ "${nmain:-0}" -eq 0 ]; then
		fail nosyscall "strace saw nothing even on the main thread"
	elif [ "${ntx:-0}" -ne 0 ]; then
		fail nosyscall "$ntx calls on the TX lcore: $(grep -oE '^[a-z_0-9]+' "$TMP/strace.tx" | sort | uniq -c | tr '\n' ' ')"
	else
		pass "nosyscall (TX lcore 0 calls in 2 s; main thread $nmain)"
	fi
else
	echo "SKIP nosyscall: no strace" >&2
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
