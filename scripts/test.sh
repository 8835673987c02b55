#!/usr/bin/env bash
# Every test: installs what is missing, builds the release tree and the
# sanitizer trees, runs the CUnit suites (release, ASan+UBSan, and the
# ring under ThreadSanitizer), then the end-to-end scripts.
# Ends with "N passed, M failed" counting test cases across all runners.
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

passed=0 failed=0 log=$(mktemp)
trap 'rm -f "$log"' EXIT

# CUnit prints "tests  <total> <ran> <passed> <failed> <inactive>".
cunit() {
	local name=$1; shift
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]} line
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

# Scripts print "N passed, M failed" last.
script() {
	local name=$1; shift
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]} line
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
cunit "firewall" build/stages/app/test_firewall
cunit "replay" build/stages/output/test_replay
cunit "ids_rules" build/stages/app/ids/test_ids_rules
cunit "ids_detect" build/stages/app/ids/test_ids_detect
cunit "ids_decode" build/stages/app/ids/engine/test_ids_decode
cunit "ids_stream" build/stages/app/ids/engine/test_ids_stream
cunit "ids_eve" build/stages/app/ids/engine/test_ids_eve
cunit "conf (asan+ubsan)" build-asan/tests/test_conf
cunit "ring (asan+ubsan)" build-asan/tests/test_ring
cunit "firewall (asan+ubsan)" build-asan/stages/app/test_firewall
cunit "replay (asan+ubsan)" build-asan/stages/output/test_replay
cunit "ids_rules (asan+ubsan)" build-asan/stages/app/ids/test_ids_rules
cunit "ids_detect (asan+ubsan)" build-asan/stages/app/ids/test_ids_detect
cunit "ids_decode (asan+ubsan)" build-asan/stages/app/ids/engine/test_ids_decode
cunit "ids_stream (asan+ubsan)" build-asan/stages/app/ids/engine/test_ids_stream
cunit "ids_eve (asan+ubsan)" build-asan/stages/app/ids/engine/test_ids_eve
cunit "ring (tsan)" build-tsan/tests/test_ring
for t in tests/e2e/[a-z]*.sh; do
	case $t in */lib.sh) continue ;; esac
	script "$t" "$t" build
done

echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
