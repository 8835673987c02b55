# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Globals set here (E2E_LABEL, SUM_*, PATH_*, E2E_WHY) are read by the
# scripts that source this file.
# shellcheck disable=SC2034
#
# Shared by the end-to-end scripts in this folder; sourced, never run, and
# not named *.sh so that scripts/test.sh does not run it as a test.
# Each script is run from the repository root as
#
#	tests/e2e/NAME.sh [BUILD_DIR]		(BUILD_DIR defaults to "build")
#
# and prints one line per case ("PASS name", "FAIL name: why" or, for a
# case it cannot run here, "SKIP name: why"), then "N passed, M failed,
# K skipped"; it exits 1 when M > 0, 2 when something it needs is missing,
# 77 (skip) when the corpus is not there. scripts/test.sh counts the SKIP
# lines apart: a skipped case is never a pass.
#
# What it leaves behind: nothing. Every file goes under one mktemp -d folder
# (removed on exit), the DPDK runtime folder of each run is removed after
# the run (its file prefix is the unique pipeline label), and the only
# processes ever signalled are the ffwd instances started here, by PID.
#
# Environment:
#	FFWD_CORPUS	the corpus root (default: ROOT/../shared/corpus)
#	E2E_KEEP=1	keep the temporary folder and say where it is
#	E2E_TIMEOUT	seconds one ffwd run may take (default 60)

E2E_NAME=$(basename "$0" .sh)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in
/*) ;;
*) BUILD=$PWD/$BUILD ;;
esac
# ffwd is BUILD/app/ffwd; BUILD/ffwd where the tree builds it at the top.
FFWD=$BUILD/app/ffwd
[ -x "$FFWD" ] || [ ! -x "$BUILD/ffwd" ] || FFWD=$BUILD/ffwd
PCAPCMP=$BUILD/tests/pcapcmp
E2E_TIMEOUT=${E2E_TIMEOUT:-60}

if [ ! -x "$FFWD" ] || [ ! -x "$PCAPCMP" ]; then
	echo "$E2E_NAME: $FFWD or $PCAPCMP is missing, build first (meson compile -C $BUILD)" >&2
	exit 2
fi

CORPUS=${FFWD_CORPUS:-$ROOT/../shared/corpus}
if [ ! -d "$CORPUS/pcaps" ]; then
	echo "$E2E_NAME: SKIP: no corpus at $CORPUS (set FFWD_CORPUS)" >&2
	exit 77
fi
# Canonical, so that the devargs strings stay short and free of "..".
CORPUS=$(cd "$CORPUS" && pwd -P)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ffwd-e2e-$E2E_NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT	# until e2e_cleanup takes over, below
# Non-root EAL puts its runtime folder under XDG_RUNTIME_DIR: keep it in
# TMP. Root always uses /var/run/dpdk/PREFIX, removed by e2e_run_done().
export XDG_RUNTIME_DIR=$TMP/xdg
mkdir -m 700 "$XDG_RUNTIME_DIR"

E2E_PASSED=0
E2E_FAILED=0
E2E_SKIPPED=0
E2E_SEQ=0
FFWD_PID=
E2E_LABELS=()

# The folder EAL creates for file prefix $1 (see eal_create_runtime_dir()).
e2e_rundir()
{
	if [ "$(id -u)" -eq 0 ]; then
		echo "/var/run/dpdk/$1"
	else
		echo "$XDG_RUNTIME_DIR/dpdk/$1"
	fi
}

# Stop the ffwd started by e2e_start if it still runs: SIGTERM (it drains
# and exits), then SIGKILL after 5 s.
e2e_stop_ffwd()
{
	local pid=$FFWD_PID i

	[ -n "$pid" ] || return 0
	FFWD_PID=
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

e2e_cleanup()
{
	local l

	e2e_stop_ffwd
	for l in "${E2E_LABELS[@]}"; do
		rm -rf "$(e2e_rundir "$l")"
	done
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "$E2E_NAME: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A pipeline label unique to this script, process and run; also the DPDK
# file prefix. 1..15 chars of [A-Za-z0-9_-]: TAG (<= 4) + 4 + 1 + 3.
e2e_label()
{
	E2E_SEQ=$((E2E_SEQ + 1))
	E2E_LABEL=$(printf '%s%04dn%03d' "$1" $(($$ % 10000)) "$E2E_SEQ")
}

# net_pcap devargs are split at "," and "="; the YAML string is
# double-quoted. Refuse a path that would break either.
e2e_devpath_ok()
{
	case $1 in
	*[,=\"\\\ ]* | *$'\n'*)
		echo "$E2E_NAME: path '$1' has a character devargs cannot hold" >&2
		return 1
		;;
	esac
	return 0
}

# The pipeline block of a config: 2 CPUs, lcores 0..3 two per CPU, or the
# lcore-to-CPU map $2 (e.g. "0: 0, 1: 1").
e2e_cfg_pipeline()
{
	cat <<EOF
pipeline:
  label: $1
  housekeeping: 0
  memory: 512
  mbufs: 8191
  mbuf_size: 2176
  cpus: { ${2:-0: 0, 1: 0, 2: 1, 3: 1} }
EOF
}

# Packets in capture $1, as libpcap reads them; empty on a read error.
e2e_count()
{
	"$PCAPCMP" "$1" "$1" 2>/dev/null |
		sed -n 's/^pcapcmp: \([0-9][0-9]*\) packets equal$/\1/p'
}

# Start ffwd in the background with stdout to $1, stderr to $2, the rest
# as its arguments; FFWD_PID is its PID. A non-interactive shell starts
# background jobs with SIGINT ignored: env puts it back to the default
# before exec (ffwd then installs its own handler), so $! is ffwd itself.
e2e_start()
{
	local out=$1 err=$2

	shift 2
	env --default-signal=INT,TERM "$FFWD" "$@" >"$out" 2>"$err" &
	FFWD_PID=$!
}

# Wait up to $1 seconds for the ffwd started by e2e_start; E2E_RC is its
# exit status, 124 when it had to be stopped.
e2e_wait()
{
	local limit=$1 pid=$FFWD_PID ticks=0

	while kill -0 "$pid" 2>/dev/null; do
		if [ "$ticks" -ge $((limit * 20)) ]; then
			e2e_stop_ffwd
			E2E_RC=124
			return 0
		fi
		sleep 0.05
		ticks=$((ticks + 1))
	done
	E2E_RC=0
	wait "$pid" || E2E_RC=$?
	FFWD_PID=
}

# Run ffwd to completion: e2e_run LABEL DIR ARGS...; stdout in DIR/out,
# stderr in DIR/err, exit status in E2E_RC.
e2e_run()
{
	local label=$1 dir=$2

	shift 2
	E2E_LABELS+=("$label")
	e2e_start "$dir/out" "$dir/err" "$@"
	e2e_wait "$E2E_TIMEOUT"
	e2e_run_done "$label"
}

e2e_run_done()
{
	rm -rf "$(e2e_rundir "$1")"
}

# Why a run looks like a crash, or nothing: exit by signal, timeout,
# sanitizer report. $1: the run's folder.
e2e_crashed()
{
	local dir=$1 hit

	if [ "$E2E_RC" -eq 124 ]; then
		echo "did not exit within ${E2E_TIMEOUT} s (stopped)"
		return 0
	fi
	if [ "$E2E_RC" -ge 128 ]; then
		echo "killed by signal $((E2E_RC - 128))"
		return 0
	fi
	hit=$(grep -h -m1 -E 'Segmentation fault|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' \
		"$dir/out" "$dir/err" 2>/dev/null | head -n1 || true)
	if [ -n "$hit" ]; then
		echo "sanitizer/crash report: $hit"
		return 0
	fi
	return 1
}

# The final summary line of a run: sets SUM_RX SUM_TX SUM_DROP SUM_AVAIL
# SUM_SIZE SUM_STATUS; returns 1 when there is none.
e2e_summary()
{
	local line

	line=$(sed -n 's/^ *summary: received=\([0-9][0-9]*\) sent=\([0-9][0-9]*\) dropped=\([0-9][0-9]*\) pool=\([0-9][0-9]*\)\/\([0-9][0-9]*\) \([A-Za-z]*\).*$/\1 \2 \3 \4 \5 \6/p' \
		"$1/out" | tail -n1)
	[ -n "$line" ] || return 1
	read -r SUM_RX SUM_TX SUM_DROP SUM_AVAIL SUM_SIZE SUM_STATUS <<<"$line"
}

# The line of path $2 in run folder $1: sets PATH_RX PATH_TX PATH_DROP;
# returns 1 when there is none.
e2e_path()
{
	local line

	line=$(sed -n "s/^ *path $2: received \([0-9][0-9]*\) sent \([0-9][0-9]*\) dropped \([0-9][0-9]*\).*$/\1 \2 \3/p" \
		"$1/out" | tail -n1)
	[ -n "$line" ] || return 1
	read -r PATH_RX PATH_TX PATH_DROP <<<"$line"
}

# The checks every run that should succeed shares: exit 0, no crash, a
# summary that says ok and adds up, and every mbuf back in the pool. Sets
# E2E_WHY and returns 1 on the first failure.
e2e_check_ok()
{
	local dir=$1

	if E2E_WHY=$(e2e_crashed "$dir"); then
		return 1
	fi
	if [ "$E2E_RC" -ne 0 ]; then
		E2E_WHY="exit $E2E_RC, expected 0"
		[ "$E2E_RC" -eq 3 ] && E2E_WHY="$E2E_WHY (accounting mismatch)"
		return 1
	fi
	if ! e2e_summary "$dir"; then
		E2E_WHY="no summary line on stdout"
		return 1
	fi
	if [ "$SUM_STATUS" != ok ]; then
		E2E_WHY="summary says '$SUM_STATUS', expected ok"
		return 1
	fi
	if [ "$SUM_RX" -ne $((SUM_TX + SUM_DROP)) ]; then
		E2E_WHY="summary received $SUM_RX != sent $SUM_TX + dropped $SUM_DROP"
		return 1
	fi
	if [ "$SUM_AVAIL" -ne "$SUM_SIZE" ]; then
		E2E_WHY="pool $SUM_AVAIL/$SUM_SIZE: $((SUM_SIZE - SUM_AVAIL)) mbufs not returned"
		return 1
	fi
	return 0
}

# Remove a finished run's folder now, unless E2E_KEEP=1.
e2e_drop_dir()
{
	[ "${E2E_KEEP:-0}" = 1 ] || rm -rf "$1"
}

e2e_pass()
{
	echo "PASS $1"
	E2E_PASSED=$((E2E_PASSED + 1))
}

# e2e_fail NAME WHY [RUN_DIR]: the case line on stdout; the last lines of
# the run's stderr on stderr, indented, so that stdout stays one line per
# case.
e2e_fail()
{
	echo "FAIL $1: $2"
	E2E_FAILED=$((E2E_FAILED + 1))
	if [ -n "${3:-}" ] && [ -s "$3/err" ]; then
		tail -n 5 "$3/err" | sed 's/^/    | /' >&2
	fi
}

# e2e_skip NAME WHY: a case this machine cannot run; counted apart.
e2e_skip()
{
	echo "SKIP $1: $2"
	E2E_SKIPPED=$((E2E_SKIPPED + 1))
}

e2e_finish()
{
	echo "$E2E_PASSED passed, $E2E_FAILED failed, $E2E_SKIPPED skipped"
	[ "$E2E_FAILED" -eq 0 ]
}
