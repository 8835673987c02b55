#!/usr/bin/env bash
# cores dedicate for real, confined to a cgroup subtree this script makes
# (cores-PID under the cpuset hierarchy): a pipeline with one spinning stage
# on CPU 1, two busy competitors pinned to CPU 1 inside the subtree, and a
# task pinned to CPU 1 outside it. dedicate must move the competitors and
# ffwd's housekeeping threads to CPU 0 and the stage thread into the
# label's cpuset (read back from /proc); undo, a dedicate killed half way
# plus undo, and 'ffwdctl stop' must each put every affinity and cgroup
# back exactly; nothing outside the subtree may change. Then the verdict:
# with a competitor on the stage's CPU it names preemption; without one it
# names it only when /proc shows the thread was switched out.
# Usage: tests/e2e/cores.sh [BUILD_DIR]   (root; cgroup v1 or v2 cpuset)
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
ctl=$build/control/ffwdctl
export FFWD_BIN=$build/ffwd
[ -x "$FFWD_BIN" ] || FFWD_BIN=$build/app/ffwd
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
n=$(($$ % 10000))
L=cores$n
tmp=$(mktemp -d)
pids=()

# The cpuset hierarchy: v1 mount, or a v2 root with cpuset available.
cg=$(awk '$3 == "cgroup" && $4 ~ /(^|,)cpuset(,|$)/ { print $2; exit }' /proc/mounts)
v2=0
if [ -z "$cg" ]; then
	cg=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	grep -qw cpuset "$cg/cgroup.controllers" 2>/dev/null || cg=
	v2=1
fi
if [ "$(id -u)" != 0 ] || [ -z "$cg" ]; then
	echo "cores.sh: needs root and a cpuset controller (have uid $(id -u), cpuset '${cg:-none}'): nothing tested" >&2
	echo "0 passed, 0 failed"
	exit 0
fi
R=$cg/cores-$n-$$
tasksfile=tasks
[ "$v2" = 1 ] && tasksfile=cgroup.threads

cleanup() {
	local p d
	"$ctl" cores undo "$L" >/dev/null 2>&1
	"$ctl" stop "$L" >/dev/null 2>&1
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	# anything still in the subtree goes back to the hierarchy's root
	for d in "$R"/*/ "$R"; do
		[ -d "$d" ] || continue
		while read -r p; do echo "$p" >"$cg/cgroup.procs" 2>/dev/null; done <"$d/cgroup.procs"
	done
	for d in "$R"/*/; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
	rmdir "$R" 2>/dev/null
	rm -rf "/var/run/dpdk/$L" "$tmp"
}
trap cleanup EXIT

mkdir "$R" || { echo "cores.sh: cannot create $R" >&2; echo "0 passed, 1 failed"; exit 1; }
if [ "$v2" = 0 ]; then
	cat "$cg/cpuset.cpus" >"$R/cpuset.cpus"
	cat "$cg/cpuset.mems" >"$R/cpuset.mems"
fi

cat >"$tmp/p.yaml" <<EOF
pipeline: { label: $L, housekeeping: 0, memory: 256, mbufs: 4095, cpus: { 0: 0, 1: 1 } }
ports:
  src: { dev: "net_null7$n,copy=0" }
  dst: { dev: "net_null8$n,copy=0" }
stages:
  - { name: rx, kind: input, port: src, lcore: 1 }
  - { name: tx, kind: output, port: dst, lcore: 1 }
EOF

# Every task of the subtree: "tid affinity cgroup", sorted.
snap_subtree() {
	local d t
	for d in $(find "$R" -type d); do
		while read -r t; do
			printf '%s %s %s\n' "$t" \
				"$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$t/status" 2>/dev/null)" \
				"$(grep -E '^[0-9]+:(cpuset|):' "/proc/$t/cgroup" 2>/dev/null | grep -E 'cpuset|^0::' | head -1 | cut -d: -f3)"
		done <"$d/$tasksfile"
	done | sort -n
}
# Every task outside it started over 5 s ago: "tid affinity" (younger
# ones, such as another user's DPDK threads, still set their own).
snap_outside() {
	local s t inside old
	inside=" $(find "$R" -name "$tasksfile" -exec cat {} + | tr '\n' ' ') "
	old=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($1 - 5) * hz }' /proc/uptime)
	for s in /proc/[0-9]*/task/[0-9]*/status; do
		t=${s%/status}; t=${t##*/}
		case $inside in *" $t "*) continue ;; esac
		st=$(awk '{ sub(/.*\) /, ""); print $20 }' "${s%/status}/stat" 2>/dev/null)
		[ -n "$st" ] && [ "$st" -lt "$old" ] || continue
		printf '%s %s\n' "$t" "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$s" 2>/dev/null)"
	done | sort
}
aff() { sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/status"; }
cgof() { grep -E 'cpuset|^0::' "/proc/$1/cgroup" | head -1 | cut -d: -f3; }

# --- the pipeline, the competitors, the outsider ----------------------------
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
if ! start_ffwd "$tmp/p.yaml" "$L"; then
	bad "start: $(cat "$tmp/ffwd.log")"
	echo "$pass passed, $fail failed"
	exit 1
fi
pid=$("$ctl" stats "$L" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["info"]["pid"])')
tid=$("$ctl" stats "$L" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["info"]["lcore_tids"][0])')
echo "$pid" >"$R/cgroup.procs"
comps=()
for i in 1 2; do
	taskset -c 1 sh -c 'while :; do :; done' &
	comps+=($!)
	pids+=($!)
	echo "$!" >"$R/cgroup.procs"
done
comp1=${comps[0]} comp2=${comps[1]}
# Child cpusets: one on both CPUs (to be shrunk off CPU 1), one on CPU 1
# alone (cannot be shrunk: its task must move out), a task in each.
kid=$R/kid kid1=$R/kid1
mkdir "$kid" "$kid1"
if [ "$v2" = 0 ]; then
	cat "$R/cpuset.mems" >"$kid/cpuset.mems"
	cat "$R/cpuset.mems" >"$kid1/cpuset.mems"
	cat "$R/cpuset.cpus" >"$kid/cpuset.cpus"
	echo 1 >"$kid1/cpuset.cpus"
else
	echo "+cpuset" >"$R/cgroup.subtree_control"
	echo 0-1 >"$kid/cpuset.cpus"
	echo 1 >"$kid1/cpuset.cpus"
fi
sleep 600 &
kidt=$!
pids+=("$kidt")
echo "$kidt" >"$kid/cgroup.procs"
sleep 600 &
kid1t=$!
pids+=("$kid1t")
echo "$kid1t" >"$kid1/cgroup.procs"
kid_cpus=$(cat "$kid/cpuset.cpus")
taskset -c 1 sleep 600 &
outsider=$!
taskset -c 0-1 sleep 600 &
outsider2=$!
sleep 600 &
outsider3=$!
pids+=("$outsider" "$outsider2" "$outsider3")
sleep 0.5	# taskset sets the affinity after the fork
out_aff="$(aff "$outsider") $(aff "$outsider2") $(aff "$outsider3") $(cgof "$outsider")"
if [ -n "$tid" ] && [ "$tid" -gt 0 ] && [ "$(tr -d '\0' <"/proc/$pid/task/$tid/comm")" = rte-worker-1 ]; then
	ok "telemetry publishes the stage thread id ($tid, rte-worker-1)"
else
	bad "stage thread id '$tid' is not ffwd's rte-worker-1"
fi

# --- attribution with a competitor on CPU 1 -----------------------------------
"$ctl" status "$L" >"$tmp/st1.out" 2>&1
if grep -q "scheduler preempted rx [0-9]* times in the last .* another task runs on CPU 1" "$tmp/st1.out"; then
	ok "competitor on CPU 1: $(grep -o 'scheduler preempted rx [0-9]* times' "$tmp/st1.out")"
else
	bad "competitor on CPU 1 but the verdict names no preemption: $(cat "$tmp/st1.out")"
fi
if grep -q '^rx .*PREEMPT/S\|PREEMPT/S' "$tmp/st1.out"; then
	ok "status shows PREEMPT/S and STEAL columns"
else
	bad "status has no PREEMPT/S column"
fi
"$ctl" export --once >"$tmp/metrics" 2>&1
if grep -q "^ffwd_stages_os_preempt_total{label=\"$L\",stage=\"rx\"} [0-9]" "$tmp/metrics" &&
	grep -q "^ffwd_stages_os_steal_ticks_total{label=\"$L\"" "$tmp/metrics"; then
	ok "Prometheus: ffwd_stages_os_preempt_total and os_steal_ticks_total"
else
	bad "Prometheus lacks the attribution counters"
fi

# --- dedicate, confined ------------------------------------------------------
before=$(snap_subtree)
out_before=$(snap_outside)
if "$ctl" cores dedicate "$L" --cgroup-root "$R" >"$tmp/ded.out" 2>&1; then
	ok "dedicate --cgroup-root $R"
else
	bad "dedicate: $(cat "$tmp/ded.out")"
fi
set_=$R/ffwd-$L hk=$R/ffwd-$L-hk
rel() { echo "${1#"$cg"}"; }
if [ "$(cgof "$tid")" = "$(rel "$set_")" ] && [ "$(aff "$tid")" = 1 ]; then
	ok "stage thread $tid is in $(rel "$set_") on CPU 1 (/proc/$tid/cgroup)"
else
	bad "stage thread $tid: cgroup $(cgof "$tid"), affinity $(aff "$tid")"
fi
okc=1
for c in "$comp1" "$comp2"; do
	[ "$(cgof "$c")" = "$(rel "$hk")" ] && [ "$(aff "$c")" = 0 ] || okc=0
done
if [ "$okc" = 1 ]; then
	ok "competitors moved to the housekeeping cpuset and CPU 0"
else
	bad "competitors: $(cgof "$comp1") $(aff "$comp1"), $(cgof "$comp2") $(aff "$comp2")"
fi
okm=1
for t in /proc/"$pid"/task/*; do
	t=${t##*/}
	[ "$t" = "$tid" ] && continue
	[ "$(cgof "$t")" = "$(rel "$hk")" ] && [ "$(aff "$t")" = 0 ] || okm=0
done
if [ "$okm" = 1 ]; then
	ok "ffwd's main and housekeeping threads are outside the label's set, on CPU 0"
else
	bad "ffwd's other threads not all in $(rel "$hk") on CPU 0"
fi
if [ "$(cat "$kid/cpuset.cpus")" = 0 ] && [ "$(aff "$kidt")" = 0 ] &&
	[ "$(cgof "$kid1t")" = "$(rel "$hk")" ] && [ "$(aff "$kid1t")" = 0 ]; then
	ok "child cpuset shrunk off CPU 1 (its task on CPU 0); a CPU-1-only child's task moved out"
else
	bad "children: kid cpus $(cat "$kid/cpuset.cpus"), its task $(aff "$kidt"); kid1's task in $(cgof "$kid1t") on $(aff "$kid1t")"
fi
if grep -q "IRQs would move" "$tmp/ded.out" && grep -q "per-CPU kernel threads cannot move" "$tmp/ded.out"; then
	ok "IRQs reported as would move, per-CPU kthreads listed"
else
	bad "dedicate output lacks the IRQ or kthread report"
fi
out_after=$(snap_outside)
changed=$(join <(echo "$out_before") <(echo "$out_after") | awk '$2 != $3' | wc -l)
common=$(join <(echo "$out_before") <(echo "$out_after") | wc -l)
out_now="$(aff "$outsider") $(aff "$outsider2") $(aff "$outsider3") $(cgof "$outsider")"
if [ "$out_now" = "$out_aff" ]; then
	ok "our tasks outside the subtree untouched (affinity/cgroup '$out_now')"
else
	bad "tasks outside the subtree changed: '$out_aff' -> '$out_now'"
fi
if [ "$changed" = 0 ] && [ "$common" -gt 10 ]; then
	ok "no older task outside the subtree changed affinity ($common compared)"
else
	bad "$changed of $common tasks outside the subtree changed affinity: $(join <(echo "$out_before") <(echo "$out_after") | awk '$2 != $3' | head -3 | tr '\n' ' ')"
fi
sleep 1
"$ctl" status "$L" >"$tmp/st2.out" 2>&1
grep "lcore 1" "$tmp/st2.out" | sed 's/^ */    after dedicate: /'

# --- undo ---------------------------------------------------------------------
"$ctl" cores undo "$L" >"$tmp/undo.out" 2>&1
after=$(snap_subtree)
if [ "$before" = "$after" ] && [ ! -d "$set_" ] && [ ! -d "$hk" ] && [ "$(cat "$kid/cpuset.cpus")" = "$kid_cpus" ]; then
	ok "undo restored every affinity and cgroup ($(echo "$before" | wc -l) tasks), the child's CPUs ($kid_cpus), cpusets removed"
else
	bad "undo: $(diff <(echo "$before") <(echo "$after") | head -5 | tr '\n' ' ')"
fi

# --- a dedicate killed half way, then undo ------------------------------------
FFWDCTL_DEDICATE_DELAY_MS=150 "$ctl" cores dedicate "$L" --cgroup-root "$R" >"$tmp/kill.out" 2>&1 &
dp=$!
j=/var/run/dpdk/$L/dedicate.journal
# Kill it once the first task has moved (its second cgroup line is
# written after the first move): deterministic, whatever the load.
for ((i = 0; i < 1000; i++)); do
	c=$(grep -c '^cgroup' "$j" 2>/dev/null)
	[ "${c:-0}" -ge 2 ] && break
	kill -0 "$dp" 2>/dev/null || break
	sleep 0.02
done
kill -KILL "$dp" 2>/dev/null
wait "$dp" 2>/dev/null
mid=$(snap_subtree)
if [ "$mid" != "$before" ] && [ -s "$j" ] && ! grep -q "^moved" "$tmp/kill.out"; then
	ok "SIGKILL landed half way ($(grep -c . "$j") journal lines, some tasks moved)"
else
	bad "the kill did not land half way (changed: $([ "$mid" != "$before" ] && echo yes || echo no), journal $(wc -l <"$j" 2>/dev/null)): $(cat "$tmp/kill.out")"
fi
"$ctl" cores undo "$L" >"$tmp/undo2.out" 2>&1
after=$(snap_subtree)
if [ "$before" = "$after" ] && [ ! -d "$set_" ] && [ ! -e "$j" ]; then
	ok "undo after the kill restored everything: $(cat "$tmp/undo2.out")"
else
	bad "undo after kill: $(diff <(echo "$before") <(echo "$after") | head -5 | tr '\n' ' ') $(cat "$tmp/undo2.out")"
fi

# --- attribution without a competitor -------------------------------------------
kill "$comp1" "$comp2"
wait "$comp1" "$comp2" 2>/dev/null
sleep 0.5
nv0=$(sed -n 's/^nonvoluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/task/$tid/status")
"$ctl" status "$L" >"$tmp/st3.out" 2>&1
nv1=$(sed -n 's/^nonvoluntary_ctxt_switches:[[:space:]]*//p' "/proc/$pid/task/$tid/status")
if [ "$nv1" = "$nv0" ]; then
	# the thread was never switched out: the verdict must not say so
	if ! grep -q "preempted" "$tmp/st3.out"; then
		ok "no competitor, no switch in /proc: the verdict names no preemption ($(grep -o 'no preemption[^:]*: [^:]*: steal [0-9]* %' "$tmp/st3.out" || echo 'no hiccups'))"
	else
		bad "the verdict names preemption that /proc did not see: $(cat "$tmp/st3.out")"
	fi
elif grep -q "scheduler preempted rx" "$tmp/st3.out" && ! grep -q "(sh)" "$tmp/st3.out"; then
	ok "no competitor; $((nv1 - nv0)) switches by tasks outside the test (a shared machine), named as such: $(grep -o 'another task runs on CPU 1[^)]*)' "$tmp/st3.out")"
else
	bad "no competitor: /proc saw $((nv1 - nv0)) switches, verdict: $(cat "$tmp/st3.out")"
fi

# --- ffwdctl stop undoes a dedication ------------------------------------------
for i in 1; do
	taskset -c 1 sh -c 'while :; do :; done' &
	pids+=($!)
	echo "$!" >"$R/cgroup.procs"
done
comp3=$!
sleep 0.2
c3_before="$(aff "$comp3") $(cgof "$comp3")"
"$ctl" cores dedicate "$L" --cgroup-root "$R" >"$tmp/ded2.out" 2>&1 || cat "$tmp/ded2.out" >&2
c3_mid="$(aff "$comp3") $(cgof "$comp3")"
"$ctl" stop "$L" >"$tmp/stop.out" 2>&1 || cat "$tmp/stop.out" >&2
rc=$?
c3_after="$(aff "$comp3") $(cgof "$comp3")"
if [ "$rc" = 0 ] && [ "$c3_mid" != "$c3_before" ] && [ "$c3_after" = "$c3_before" ] && [ ! -d "$set_" ] && ! kill -0 "$pid" 2>/dev/null; then
	ok "stop undid the dedication (competitor '$c3_mid' -> '$c3_after') and stopped ffwd"
else
	bad "stop: rc $rc, competitor before '$c3_before' during '$c3_mid' after '$c3_after'"
fi

# --- a stage on the housekeeping CPU cannot be dedicated ----------------------
L2=${L}h
sed -e "s/label: $L,/label: $L2,/" -e 's/1: 1 }/1: 0 }/' -e "s/net_null7$n/net_null5$n/" \
	-e "s/net_null8$n/net_null6$n/" "$tmp/p.yaml" >"$tmp/h.yaml"
if start_ffwd "$tmp/h.yaml" "$L2"; then
	"$ctl" cores dedicate "$L2" --cgroup-root "$R" >"$tmp/h.out" 2>&1
	rc=$?
	if [ "$rc" != 0 ] && grep -q "CPU 0 runs the housekeeping lcore 0 and a stage lcore" "$tmp/h.out" &&
		[ ! -e "/var/run/dpdk/$L2/dedicate.journal" ]; then
		ok "a stage on the housekeeping CPU is refused, nothing changed"
	else
		bad "stage on the housekeeping CPU: rc $rc: $(cat "$tmp/h.out")"
	fi
	"$ctl" stop "$L2" >/dev/null 2>&1
else
	bad "start $L2: $(cat "$tmp/ffwd.log")"
fi
rm -rf "/var/run/dpdk/$L2"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
