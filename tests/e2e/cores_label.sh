#!/usr/bin/env bash
# Labels as a boundary: ffwdctl acts on a pid only if it is > 1, runs an
# ffwd binary, belongs to the label's owner and holds the label's runtime
# directory. A fake telemetry socket served here (DPDK telemetry v2's JSON,
# SOCK_SEQPACKET) reports pids 0, -1, 1, a sleep of ours and the ffwd of
# another label: stop, dedicate and undo must refuse every one and signal
# nothing. A directory or socket owned by someone else, or writable by
# others, is refused; a non-root user without XDG_RUNTIME_DIR is refused
# instead of falling back to /tmp. The exporter binds 127.0.0.1 unless told,
# and warns on 0.0.0.0. Telemetry registers no command that changes anything.
# Usage: tests/e2e/cores_label.sh [BUILD_DIR]   (root)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
ctl=$build/control/ffwdctl
export FFWD_BIN=$build/ffwd
[ -x "$FFWD_BIN" ] || FFWD_BIN=$build/app/ffwd
py=/usr/bin/python3
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
n=$(($$ % 10000))
F=coresF$n		# the fake label
G=coresG$n		# a real pipeline of another label
tmp=$(mktemp -d)
pids=()
if [ "$(id -u)" != 0 ]; then
	echo "cores_label.sh: needs root (to chown the fake directory): nothing tested" >&2
	echo "0 passed, 0 failed"
	exit 0
fi
fdir=/var/run/dpdk/$F
cleanup() {
	local p
	"$ctl" stop "$G" >/dev/null 2>&1
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$fdir" "/var/run/dpdk/$G" "$tmp"
}
trap cleanup EXIT

# fake_serve PID: a telemetry v2 server at $fdir answering /ffwd/info with
# that pid, until killed.
fake_serve() {
	"$py" - "$fdir/dpdk_telemetry.v2" "$F" "$1" <<'PYEOF' &
import json, os, socket, sys
path, label, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(path)
os.chmod(path, 0o600)
s.listen(8)
while True:
    c, _ = s.accept()
    c.send(json.dumps({"version": "DPDK 22.11.0", "pid": os.getpid(),
                       "max_output_len": 16384}).encode())
    cmd = c.recv(1024).decode()
    key = cmd.split(",")[0]
    if key == "/ffwd/info":
        val = {"label": label, "pid": pid, "state": "running", "lcores": "1@1",
               "lcore_ids": [1], "lcore_cpus": [1], "lcore_tids": [pid],
               "housekeeping": 0}
    else:
        val = {}
    c.send(json.dumps({key: val}).encode())
    c.close()
PYEOF
	fake=$!
	pids+=("$fake")
	for _ in $(seq 50); do [ -S "$fdir/dpdk_telemetry.v2" ] && break; sleep 0.05; done
}
fake_stop() {
	kill "$fake" 2>/dev/null
	wait "$fake" 2>/dev/null
	rm -f "$fdir/dpdk_telemetry.v2"
}

mkdir -m 700 "$fdir"
: >"$fdir/config"	# what EAL's primary holds open

# A real ffwd of another label, and a sleep of ours, to be reported.
cat >"$tmp/g.yaml" <<EOF
pipeline: { label: $G, housekeeping: 0, memory: 256, mbufs: 4095, cpus: { 0: 0, 1: 1 } }
ports:
  src: { dev: "net_null5$n,copy=0" }
  dst: { dev: "net_null6$n,copy=0" }
stages:
  - { name: rx, kind: input, port: src, lcore: 1, idle: yield }
  - { name: tx, kind: output, port: dst, lcore: 1, idle: yield }
EOF
# ffwd started directly, not by 'ffwdctl start': on a shared machine
# another user's pipeline may hold CPU 1, which start would (rightly)
# refuse, and this test needs CPU 1 whatever else runs there.
start_ffwd() {
	local i
	# in a subshell, so that it is not our child: 'ffwdctl stop' waits
	# for it to be gone, and a child of ours would linger as a zombie
	(env --default-signal=INT,TERM "$FFWD_BIN" "$1" >"$tmp/ffwd.log" 2>&1 &
	 echo $! >"$tmp/ffwd.pid")
	pids+=("$(cat "$tmp/ffwd.pid")")
	for ((i = 0; i < 100; i++)); do
		"$ctl" stats "$2" --json >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
start_ffwd "$tmp/g.yaml" "$G" || bad "start $G: $(cat "$tmp/ffwd.log")"
gpid=$("$ctl" stats "$G" --json | "$py" -c 'import json,sys; print(json.load(sys.stdin)["info"]["pid"])')
sleep 600 &
victim=$!
pids+=("$victim")

# Each row: the pid the fake reports, what the refusal must say.
rows=(
	"0|not a pipeline's process"
	"-1|not a pipeline's process"
	"1|not a pipeline's process"
	"$victim|not an ffwd binary"
	"$gpid|does not hold"
	"999999999|does not exist"
)
for row in "${rows[@]}"; do
	p=${row%%|*} want=${row#*|}
	fake_serve "$p"
	# ffwdctl in a session of its own with a canary beside it: kill(0)
	# or kill(-1) would take the canary with it.
	setsid sh -c 'sleep 30 & echo $! >"$1"; exec "$2" stop "$3"' sh "$tmp/canary" "$ctl" "$F" \
		>"$tmp/stop.out" 2>&1
	rc=$?
	canary=$(cat "$tmp/canary")
	alive=1
	kill -0 "$canary" 2>/dev/null || alive=0
	kill -0 "$victim" 2>/dev/null || alive=0
	kill -0 "$gpid" 2>/dev/null || alive=0
	kill "$canary" 2>/dev/null
	if [ "$rc" != 0 ] && grep -q "$want" "$tmp/stop.out" && [ "$alive" = 1 ]; then
		ok "stop refuses reported pid $p: $(grep -o "$want.*" "$tmp/stop.out" | head -c 70)"
	else
		bad "stop with reported pid $p: rc $rc, alive $alive: $(cat "$tmp/stop.out")"
	fi
	if [ "$p" = "$gpid" ]; then
		"$ctl" cores dedicate "$F" --dry-run >"$tmp/ded.out" 2>&1
		rc=$?
		if [ "$rc" != 0 ] && grep -q "$want" "$tmp/ded.out"; then
			ok "dedicate refuses the ffwd of another label"
		else
			bad "dedicate of a fake label: rc $rc: $(cat "$tmp/ded.out")"
		fi
	fi
	fake_stop
done

# Ownership: someone else's directory or socket, or one others may write.
fake_serve "$gpid"
chown 65534 "$fdir"
"$ctl" stop "$F" >"$tmp/o1.out" 2>&1
rc1=$?
chown 0 "$fdir"
chown 65534 "$fdir/dpdk_telemetry.v2"
"$ctl" stop "$F" >"$tmp/o2.out" 2>&1
rc2=$?
chown 0 "$fdir/dpdk_telemetry.v2"
chmod 777 "$fdir"
"$ctl" stop "$F" >"$tmp/o3.out" 2>&1
rc3=$?
chmod 700 "$fdir"
if [ "$rc1" != 0 ] && grep -q "belongs to uid 65534" "$tmp/o1.out"; then
	ok "a runtime directory owned by another user is refused"
else
	bad "directory of uid 65534: rc $rc1: $(cat "$tmp/o1.out")"
fi
if [ "$rc2" != 0 ] && grep -q "dpdk_telemetry.v2 belongs to uid 65534" "$tmp/o2.out"; then
	ok "a socket owned by another user is refused"
else
	bad "socket of uid 65534: rc $rc2: $(cat "$tmp/o2.out")"
fi
if [ "$rc3" != 0 ] && grep -q "writable by others" "$tmp/o3.out"; then
	ok "a runtime directory writable by others is refused"
else
	bad "mode 777 directory: rc $rc3: $(cat "$tmp/o3.out")"
fi
fake_stop
if kill -0 "$gpid" 2>/dev/null; then
	ok "the other label's ffwd (pid $gpid) is still running"
else
	bad "the other label's ffwd was signalled"
fi

# Non-root without XDG_RUNTIME_DIR: no guessable /tmp/dpdk fallback.
rm -rf "/tmp/dpdk/$F"
out=$(env -u XDG_RUNTIME_DIR setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" stop "$F" 2>&1)
rc=$?
if [ "$rc" != 0 ] && echo "$out" | grep -q "XDG_RUNTIME_DIR" && [ ! -e "/tmp/dpdk/$F" ]; then
	ok "non-root without XDG_RUNTIME_DIR refused: $(echo "$out" | head -c 80)"
else
	bad "non-root without XDG_RUNTIME_DIR: rc $rc: $out"
fi
chmod 755 "$tmp"
chmod 644 "$tmp/g.yaml"	# readable, so that start gets past the config
out=$(env -u XDG_RUNTIME_DIR setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" start "$tmp/g.yaml" 2>&1)
rc=$?
if [ "$rc" != 0 ] && echo "$out" | grep -q "XDG_RUNTIME_DIR"; then
	ok "non-root start without XDG_RUNTIME_DIR refused"
else
	bad "non-root start without XDG_RUNTIME_DIR: rc $rc: $out"
fi

# Telemetry is read-only: ffwd registers only these readers (a resize goes
# through the runtime directory, see ffwdctl scale).
cmds=$(echo / | timeout 10 dpdk-telemetry.py -f "$G" 2>/dev/null | "$py" -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if line.startswith("{") and "\"/\"" in line:
        print(" ".join(c for c in json.loads(line)["/"] if c.startswith("/ffwd")))
')
if [ "$cmds" = "/ffwd/fleets /ffwd/info /ffwd/ports /ffwd/rings /ffwd/rules /ffwd/stages" ]; then
	ok "telemetry commands of ffwd: $cmds (readers only)"
else
	bad "telemetry commands: '$cmds'"
fi

# The exporter: 127.0.0.1 unless told, a warning for 0.0.0.0.
port=$((20000 + n))
"$ctl" export --listen ":$port" >"$tmp/e1.out" 2>&1 &
e1=$!
pids+=("$e1")
sleep 0.5
if ss -ltnH "sport = :$port" | grep -q "127.0.0.1:$port"; then
	ok "export --listen :$port binds 127.0.0.1"
else
	bad "export --listen :$port: $(ss -ltnH "sport = :$port")"
fi
kill "$e1"; wait "$e1" 2>/dev/null
"$ctl" export --listen "0.0.0.0:$((port + 1))" >"$tmp/e2.out" 2>&1 &
e2=$!
pids+=("$e2")
sleep 0.5
kill "$e2"; wait "$e2" 2>/dev/null
if grep -q "warning: listening on 0.0.0.0" "$tmp/e2.out"; then
	ok "export on 0.0.0.0 warns"
else
	bad "export on 0.0.0.0: $(cat "$tmp/e2.out")"
fi

"$ctl" stop "$G" >/dev/null 2>&1 || bad "stop $G"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
