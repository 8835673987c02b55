#!/usr/bin/env bash
# Fuzzes every parser with libFuzzer + ASan + UBSan (clang):
#
#   scripts/fuzz.sh [--seconds S | --runs N] [TARGET...]
#
# TARGET is a name from tests/fuzz (fuzz_conf, fuzz_fw_rules, ...; the
# "fuzz_" may be left out); default: all of them. Default budget: 30 s
# each; --runs N --seconds S together stop at whichever comes first (the
# closing line per target says how many inputs ran). Per target it
#   1. replays every input kept under tests/fuzz/regress/TARGET/ (a crash
#      once found and fixed), one case each;
#   2. fuzzes from seeds generated now into a temporary folder (from
#      ../shared/corpus and conf/; nothing is copied into the repo), for S
#      seconds or N runs; a crash, a leak, a sanitizer report or a
#      hang (one input running 60 s: generous, because on this shared
#      machine a process is sometimes off the CPU for 20 s) is a
#      failure, and its input is kept under
#      build-fuzz/findings/TARGET/ to be fixed and moved to regress/.
# Prints one line per case ("PASS name: ..." or "FAIL name: why"), then
# "N passed, M failed"; exits 1 when M > 0.
#
# The build is its own tree, build-fuzz (clang, -fsanitize=fuzzer-no-link
# on everything, address and undefined, no recovery), set up here when
# missing. Environment: FFWD_CORPUS (default ROOT/../shared/corpus),
# FFWD_FUZZ_PREFIX (DPDK file prefix stem, default "fuzz"), FUZZ_JOBS
# (ninja -j, default 2), FUZZ_KEEP=1 (keep the temporary folder).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds= runs=
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=${2:?--seconds S}; shift 2 ;;
	--runs) runs=${2:?--runs N}; shift 2 ;;
	-h | --help) sed -n "2,29p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
	*) targets+=("fuzz_${1#fuzz_}"); shift ;;
	esac
done
case ${runs:-1}${seconds:-1} in
*[!0-9]*) echo "fuzz.sh: --seconds and --runs take a number" >&2; exit 2 ;;
esac
[ -n "$runs$seconds" ] || seconds=30

bdir=$root/build-fuzz
corpus=${FFWD_CORPUS:-$root/../shared/corpus}
prefix=${FFWD_FUZZ_PREFIX:-fuzz}

# Every fuzz_*.c must be listed in tests/fuzz/meson.build: a target that
# is not built must not pass by not running.
all=()
for f in tests/fuzz/fuzz_*.c; do
	n=$(basename "$f" .c)
	if ! grep -q "'$n'" tests/fuzz/meson.build; then
		echo "fuzz.sh: $f has no line in tests/fuzz/meson.build; add '$n': [deps]" >&2
		exit 2
	fi
	all+=("$n")
done
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
	[ -f "tests/fuzz/$t.c" ] || { echo "fuzz.sh: no target $t (tests/fuzz/$t.c)" >&2; exit 2; }
done

if ! command -v clang >/dev/null; then
	echo "fuzz.sh: clang is missing (scripts/install-deps.sh installs it)" >&2
	exit 2
fi
if [ ! -f "$bdir/build.ninja" ]; then
	log=$(mktemp)
	CC=clang meson setup "$bdir" -Dfuzz=true -Dbuildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false \
		"-Dc_args=-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		>"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; exit 2; }
	rm -f "$log"
fi
ninja -C "$bdir" -j "${FUZZ_JOBS:-2}" "${targets[@]/#/tests/fuzz/}" || exit 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ffwd-fuzz.XXXXXX")
pids=()
cleanup()
{
	rm -rf /var/run/dpdk/"$prefix"-* "${XDG_RUNTIME_DIR:-/nonexistent}"/dpdk/"$prefix"-* 2>/dev/null
	if [ "${FUZZ_KEEP:-0}" = 1 ]; then echo "fuzz.sh: kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# Leaks count (test.sh turns them off for the other suites); UBSan stops
# at the first report (the tree is built without recovery as well).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export FFWD_FUZZ_PREFIX=$prefix

# Seeds, generated into $1 for target $2. Only small files: libFuzzer's
# input length follows the largest seed.
seed_files()
{
	local dir=$1 max=$2

	shift 2
	find "$@" -type f -size -"$max"k 2>/dev/null | sort | while read -r f; do
		cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-12)-$(basename "$f")"
	done
}

seeds()
{
	local dir=$1 t=$2

	mkdir -p "$dir"
	case $t in
	fuzz_conf)
		seed_files "$dir" 64 conf -name '*.yaml'
		;;
	fuzz_fw_rules)
		seed_files "$dir" 64 conf -name '*.rules'
		# Every filter expression of the corpus oracles, 16 to a file,
		# as "drop bpf" rules (the rejected ones exercise the errors).
		if [ -d "$corpus/expected" ]; then
			jq -r '.. | objects | .expr? // empty | strings' \
				"$corpus"/expected/*.json 2>/dev/null |
				grep -v '"' | sort -u |
				awk -v d="$dir" '{ f = sprintf("%s/expr-%03d.rules", d, int((NR - 1) / 16));
					printf "drop name e%d bpf \"%s\"\n", NR, $0 > f }'
		fi
		;;
	fuzz_capsrc)
		seed_files "$dir" 256 conf "$corpus/pcaps" "$corpus/suricata-verify" \
			\( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \)
		;;
	fuzz_fw_packet)
		# One file per packet of the corpus captures (deduplicated).
		find conf "$corpus/pcaps" "$corpus/suricata-verify" -type f \
			\( -name '*.pcap' -o -name '*.pcapng' \) -size -256k 2>/dev/null |
			sort | /usr/bin/python3 -c '
import hashlib, sys
try:
    from scapy.utils import RawPcapReader
except ImportError:
    sys.exit(0)
out, n = sys.argv[1], 0
for f in sys.stdin.read().split():
    try:
        for i, (data, _) in enumerate(RawPcapReader(f)):
            if i >= 64 or len(data) > 9216:
                break
            open("%s/%s" % (out, hashlib.md5(data).hexdigest()[:16]), "wb").write(data)
            n += 1
    except Exception:
        pass
' "$dir" 2>/dev/null
		;;
	*)	# IDS and later targets: rules, YAML and captures of the corpus.
		seed_files "$dir" 64 conf "$corpus/suricata-verify" \
			\( -name '*.rules' -o -name '*.yaml' -o -name '*.pcap' \)
		;;
	esac
}

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# A libFuzzer log's verdict: empty if clean, else the first report.
finding()
{
	grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error:|fuzz finding:|==[0-9]+==ERROR|SUMMARY: ' "$1" | head -n1
}

for t in "${targets[@]}"; do
	bin=$bdir/tests/fuzz/$t
	work=$tmp/$t
	mkdir -p "$work/run"

	# 1. Regression inputs, one case each.
	for f in tests/fuzz/regress/"$t"/*; do
		[ -f "$f" ] || continue
		(cd "$work/run" && "$bin" -timeout=60 "$root/$f") >"$work/regress.log" 2>&1
		rc=$?
		why=$(finding "$work/regress.log")
		if [ "$rc" -eq 0 ] && [ -z "$why" ]; then
			pass "$t/regress/$(basename "$f")"
		else
			fail "$t/regress/$(basename "$f")" "exit $rc: ${why:-no report}"
			sed -n '1,40p' "$work/regress.log" | grep -v '^INFO' | sed 's/^/    | /' >&2
		fi
	done

	# 2. Fuzz from fresh seeds; new inputs go to a scratch corpus. A
	# "timeout" whose input then replays in well under the limit was
	# the machine stopping the process (load averages of 20-40 have
	# been seen here), not a hang: it is kept under findings/TARGET/
	# stalls/, said so, and the run goes on with what is left of the
	# budget, from the corpus so far. Any other report ends it.
	seeds "$work/seed" "$t"
	mkdir -p "$work/corpus" "$bdir/findings/$t"
	nseed=$(find "$work/seed" -type f | wc -l)
	start=$(date +%s) total=0 stalls=0 why= rc=0
	while :; do
		budget=()
		if [ -n "$runs" ]; then
			[ "$total" -lt "$runs" ] || break
			budget+=(-runs=$((runs - total)))
		fi
		if [ -n "$seconds" ]; then
			left=$((seconds - ($(date +%s) - start)))
			[ "$left" -gt 0 ] || break
			budget+=(-max_total_time="$left")
		fi
		(cd "$work/run" && "$bin" "${budget[@]}" -timeout=60 -rss_limit_mb=4096 \
			-print_final_stats=1 -artifact_prefix="$bdir/findings/$t/" \
			"$work/corpus" "$work/seed") >"$work/fuzz.log" 2>&1
		rc=$?
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n1)
		total=$((total + ${execs:-0}))
		cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$work/fuzz.log" | tail -n1)
		why=$(finding "$work/fuzz.log")
		[ "$rc" -ne 0 ] || [ -n "$why" ] || break
		art=$(grep -oE "Test unit written to [^ ]+" "$work/fuzz.log" | tail -n1)
		art=${art#Test unit written to }
		case $why in
		*"libFuzzer: timeout"*) ;;
		*) break ;;
		esac
		[ -f "$art" ] && [ "$stalls" -lt 5 ] || break
		if ! (cd "$work/run" && timeout 120 "$bin" -timeout=10 "$art") >"$work/stall.log" 2>&1; then
			break		# it hangs again: a real finding
		fi
		stalls=$((stalls + 1))
		mkdir -p "$bdir/findings/$t/stalls"
		mv "$art" "$bdir/findings/$t/stalls/"
		echo "NOTE $t: a timeout did not reproduce ($(grep -oE 'Executed .* in [0-9]+ ms' "$work/stall.log" | sed 's/.* in //')); the machine stalled; going on" >&2
		why= rc=0
	done
	secs=$(($(date +%s) - start))
	summary="$total execs in ${secs} s, ${cov:-cov: ?}, $nseed seeds"
	[ "$stalls" -eq 0 ] || summary="$summary, $stalls stall(s) of the machine retried"
	if [ "$rc" -eq 0 ] && [ -z "$why" ]; then
		pass "$t: $summary"
	else
		fail "$t" "exit $rc: ${why:-no report} (input: ${art:-none saved}; $summary)"
		grep -v -E '^(#[0-9]|INFO|"|\s*$)' "$work/fuzz.log" | sed -n '1,60p' | sed 's/^/    | /' >&2
	fi
	rm -rf /var/run/dpdk/"$prefix"-* 2>/dev/null
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
