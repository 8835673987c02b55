#!/usr/bin/env bash
# Every test: installs what is missing, builds the release tree and the
# sanitizer trees, runs the CUnit suites (release, ASan+UBSan, and the
# ring under ThreadSanitizer, the very code the release build ships), the
# fuzz targets (scripts/fuzz.sh, 30 s each), then the end-to-end scripts.
# Ends with "N passed, M failed, K skipped" counting test cases across all
# runners. A skipped case is never a pass: every runner prints a line
# starting with "SKIP " for each case it did not run (tests_skip() in the
# CUnit suites, e2e_skip in the scripts), and a script that exits 77
# skipped as a whole.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1}

set -e
scripts/build.sh build
scripts/build.sh build-asan -Db_sanitize=address,undefined -Dbuildtype=debugoptimized -Db_lundef=false
if [ ! -f build-tsan/build.ninja ]; then
	CC=clang meson setup build-tsan -Db_sanitize=thread -Dbuildtype=debugoptimized -Db_lundef=false
fi
ninja -C build-tsan tests/test_ring
set +e

passed=0 failed=0 skipped=0 log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Cases a runner skipped: its lines that start with "SKIP ".
count_skips() {
	local n
	n=$(grep -c '^SKIP ' "$log")
	skipped=$((skipped + n))
}

# CUnit prints "tests  <total> <ran> <passed> <failed> <inactive>".
cunit() {
	local name=$1; shift
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]} line
	count_skips
	line=$(grep -E '^ +tests +[0-9]+' "$log" | tail -1)
	if [ -n "$line" ]; then
		set -- $line
		passed=$((passed + $4)); failed=$((failed + $5))
	fi
	if [ "$rc" != 0 ] && [ -z "$line" -o "${5:-0}" = 0 ]; then
		echo "!!! $name exited $rc"
		failed=$((failed + 1))
	fi
}

# Scripts print "N passed, M failed[, K skipped]" last; exit 77: skipped.
script() {
	local name=$1; shift
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]} line
	count_skips
	if [ "$rc" = 77 ]; then
		echo "--- $name skipped as a whole (exit 77)"
		skipped=$((skipped + 1))
		return
	fi
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -n "$line" ]; then
		passed=$((passed + ${line%% passed*}))
		line=${line#*, }; failed=$((failed + ${line%% failed*}))
	fi
	if [ "$rc" != 0 ] && ! grep -qE '^[0-9]+ passed, [1-9][0-9]* failed' "$log"; then
		echo "!!! $name exited $rc"
		failed=$((failed + 1))
	fi
}

cunit "conf" build/tests/test_conf
cunit "ring" build/tests/test_ring
cunit "loopclock" build/tests/test_loopclock
cunit "firewall" build/tests/test_firewall
cunit "replay" build/tests/test_replay
cunit "ids_rules" build/stages/app/ids/test_ids_rules
cunit "ids_detect" build/stages/app/ids/test_ids_detect
cunit "ctl" build/tests/test_ctl
cunit "ids_decode" build/stages/app/ids/engine/test_ids_decode
cunit "ids_stream" build/stages/app/ids/engine/test_ids_stream
cunit "ids_eve" build/stages/app/ids/engine/test_ids_eve
cunit "conf (asan+ubsan)" build-asan/tests/test_conf
cunit "ctl (asan+ubsan)" build-asan/tests/test_ctl
cunit "ring (asan+ubsan)" build-asan/tests/test_ring
cunit "loopclock (asan+ubsan)" build-asan/tests/test_loopclock
cunit "firewall (asan+ubsan)" build-asan/tests/test_firewall
cunit "replay (asan+ubsan)" build-asan/tests/test_replay
cunit "ids_rules (asan+ubsan)" build-asan/stages/app/ids/test_ids_rules
cunit "ids_detect (asan+ubsan)" build-asan/stages/app/ids/test_ids_detect
cunit "ids_decode (asan+ubsan)" build-asan/stages/app/ids/engine/test_ids_decode
cunit "ids_stream (asan+ubsan)" build-asan/stages/app/ids/engine/test_ids_stream
cunit "ids_eve (asan+ubsan)" build-asan/stages/app/ids/engine/test_ids_eve
cunit "ring (tsan)" build-tsan/tests/test_ring
# Every parser under libFuzzer + ASan + UBSan, 30 s a target, after the
# kept crash inputs (tests/fuzz/regress/) are replayed.
script "fuzz" scripts/fuzz.sh --seconds 30
for t in tests/e2e/[a-z]*.sh; do
	case $t in */lib.sh) continue ;; esac
	script "$t" "$t" build
done
# The image: podman build of the Dockerfile, then the demo in it by chroot
# (cold, with debootstrap and the image's apt installs: 95 s on a quiet 2-CPU VM,
# 4 min under a load of 13-21; warm, sources changed: 22 s).
script "docker-check" scripts/docker-check.sh

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
