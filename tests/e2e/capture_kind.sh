#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# capture_kind: the capture input kind and the paced output in YAML
# pipelines, and `ffwd replay` as the runtime's pipeline seen by ffwdctl.
# (capture.sh is `ffwdctl capture`'s.)
#
#	tests/e2e/capture_kind.sh [BUILD_DIR]
#
#  - yaml/*: `kind: capture` (preloaded, looped; streamed) into an output
#    paced with pps, mbps or timing, written by net_pcap: the output equals
#    the input repeated `loop` times (pcapcmp), the path adds up and every
#    mbuf is back; a paced output reports its achieved rate, never above
#    the asked one by more than 0.5 % (a pacer that sends early fails) and
#    at most 10 % below it (these runs last about a second, and the rate is
#    measured to the last departure, which a loaded host has been seen to
#    hold back by 50 ms; pace.sh holds +-0.5 % over 3 s).
#  - refused/*: a timing output with no capture input, and a capture file
#    that cannot be read, refuse to run, naming the reason.
#  - ctl/replay-status: `ffwdctl status replay-PID` on a running replay
#    shows its pipeline, its capture and output stages.
set -uo pipefail
# shellcheck source=tests/e2e/lib.bash
. "$(dirname "$0")/lib.bash"

CTL=$BUILD/control/ffwdctl
PY=/usr/bin/python3
C=$CORPUS/pcaps

# cfg LABEL IN OUT CAPTURE-KEYS OUTPUT-KEYS
cfg()
{
	e2e_cfg_pipeline "$1"
	cat <<EOT
ports:
  out: { dev: "net_pcap0,tx_pcap=$3" }
stages:
  - { name: cap, kind: capture, lcore: 1, file: "$2", $4 }
  - { name: tx, kind: output, port: out, lcore: 1, $5 }
EOT
}

# "NAME|CAPTURE|LOOPS|CAPTURE-KEYS|OUTPUT-KEYS|ASKED" (ASKED: the paced
# rate the report must show achieved, or -)
CASES=(
	"pps-loop60|tcpdump/eapon1.pcap|60|loop: 60|pps: 10000|10000"
	"mbps-ifg|tcpdump/of13_ericsson.pcapng|50|loop: 50|mbps: 50, overhead: 20|50"
	"timing-speed100|tcpdump/eapon1.pcap|1|loop: 1|timing: 100|100"
	"stream-pps|tcpdump/of13_ericsson.pcapng|20|loop: 20, stream: true|pps: 5000|5000"
	"unpaced-loop2|tcpdump/eapon1.pcap|2|loop: 2|retries: 8|-"
)
for row in "${CASES[@]}"; do
	IFS='|' read -r name cap loops ckeys okeys asked <<<"$row"
	name=yaml/$name
	dir=$TMP/$E2E_SEQ
	mkdir -p "$dir"
	e2e_label cap
	cfg "$E2E_LABEL" "$C/$cap" "$dir/o.pcap" "$ckeys" "$okeys" >"$dir/p.yaml"
	e2e_run "$E2E_LABEL" "$dir" "$dir/p.yaml"
	got=$(sed -n 's/^pace  tx .* achieved \([0-9.]*\) .*/\1/p' "$dir/out")
	if ! e2e_check_ok "$dir"; then
		e2e_fail "$name" "$E2E_WHY" "$dir"
	elif ! cmp=$("$PCAPCMP" --repeat "$loops" "$C/$cap" "$dir/o.pcap" 2>&1); then
		e2e_fail "$name" "$cmp" "$dir"
	elif ! grep -q "^capture cap .* pool \([0-9]*\)/\1 mbufs back$" "$dir/out"; then
		e2e_fail "$name" "capture pool: $(grep '^capture' "$dir/out")" "$dir"
	elif [ "$asked" != - ] && ! awk -v g="${got:-x}" -v w="$asked" \
		'BEGIN { e = (g - w) / w; exit !(g != "x" && e <= 0.005 && e >= -0.10) }'; then
		e2e_fail "$name" "achieved '${got}', asked $asked" "$dir"
	else
		e2e_pass "$name (${cmp#pcapcmp: }${got:+, achieved $got})"
	fi
	e2e_drop_dir "$dir"
done

# A timing output follows capture times: none without a capture input.
dir=$TMP/refused1
mkdir -p "$dir"
e2e_label cap
cat >"$dir/p.yaml" <<EOT
$(e2e_cfg_pipeline "$E2E_LABEL")
ports:
  in: { dev: "net_pcap0,rx_pcap=$C/tcpdump/eapon1.pcap" }
  out: { dev: "net_null0" }
stages:
  - { name: rx, kind: input, port: in, lcore: 1 }
  - { name: tx, kind: output, port: out, lcore: 1, timing: 1 }
EOT
e2e_run "$E2E_LABEL" "$dir" "$dir/p.yaml"
if e2e_crashed "$dir" >/dev/null; then
	e2e_fail refused/timing-without-capture "$(e2e_crashed "$dir")" "$dir"
elif [ "$E2E_RC" -ne 1 ] || ! grep -q "stage 'tx': timing needs packets with capture times" "$dir/err"; then
	e2e_fail refused/timing-without-capture "exit $E2E_RC: $(head -c 200 "$dir/err")" "$dir"
else
	e2e_pass refused/timing-without-capture
fi

# A capture libpcap cannot read whole is a config error (--check too).
dir=$TMP/refused2
mkdir -p "$dir"
e2e_label cap
cfg "$E2E_LABEL" "$C/derived/trunc-in-record-data.pcap" "$dir/o.pcap" "loop: 1" "pps: 10" >"$dir/p.yaml"
e2e_run "$E2E_LABEL" "$dir" --check "$dir/p.yaml"
if [ "$E2E_RC" -ne 2 ] || ! grep -qF "$C/derived/trunc-in-record-data.pcap: capture broken" "$dir/err"; then
	e2e_fail refused/broken-capture "exit $E2E_RC: $(head -c 200 "$dir/err")" "$dir"
else
	e2e_pass refused/broken-capture
fi

# ffwdctl status on a replay: the runtime registers its telemetry.
dir=$TMP/ctl
mkdir -p "$dir"
env --default-signal=INT,TERM "$FFWD" replay "$C/tcpdump/eapon1.pcap" --port net_null0 \
	--pps 1000 --loop 0 --stats-interval 0 >"$dir/out" 2>"$dir/err" &
FFWD_PID=$!
E2E_LABELS+=("replay-$FFWD_PID")
st=1
for ((i = 0; i < 50; i++)); do
	sleep 0.2
	timeout 10 "$CTL" status "replay-$FFWD_PID" >"$dir/status" 2>&1 && { st=0; break; }
done
sleep 0.5
timeout 10 "$CTL" stats "replay-$FFWD_PID" --json >"$dir/stats.json" 2>&1
e2e_stop_ffwd
if [ "$st" -ne 0 ]; then
	e2e_fail ctl/replay-status "ffwdctl status: $(head -c 300 "$dir/status")" "$dir"
elif ! grep -q "^pipeline replay-[0-9]* " "$dir/status" ||
	! grep -qE "^cap +capture " "$dir/status" || ! grep -qE "^tx +output " "$dir/status"; then
	e2e_fail ctl/replay-status "no pipeline, cap or tx line: $(tr '\n' '|' <"$dir/status" | head -c 400)" "$dir"
elif ! "$PY" -c 'import json, sys
s = json.load(open(sys.argv[1]))["stages"]["tx"]
sys.exit(not (s["pace_mode_pps"] == 1 and s["pace_asked_milli"] == 1000000 and
              s["pace_achieved_milli"] > 0 and s["dep_n"] > 0))' "$dir/stats.json" 2>"$dir/py.err"; then
	e2e_fail ctl/replay-status "stats --json lacks the pacing of tx: $(head -c 300 "$dir/stats.json") $(cat "$dir/py.err")" "$dir"
elif ! grep -q "status=ok" "$dir/out"; then
	e2e_fail ctl/replay-status "the replay did not end ok after SIGTERM: $(grep '^replay:' "$dir/out")" "$dir"
else
	e2e_pass "ctl/replay-status ($(grep -cE '^(cap|tx) ' "$dir/status") stages shown)"
fi

e2e_finish
