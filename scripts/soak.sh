#!/usr/bin/env bash
# Soak: ffwd replay at 1,488,095 pps over memif into an inline bump, watched
# every minute (pool, RSS, counters, rate error, hiccups) into a CSV and a
# plot; passes when nothing grows and every packet is accounted for.
#   scripts/soak.sh [--minutes M] [--sample S] [--out DIR] [--build DIR] [--ids RULES]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=build
for ((i = 1; i <= $#; i++)); do
	[ "${!i}" = --build ] && { j=$((i + 1)); build=${!j}; }
done
[ -x "$build/ffwd" ] || scripts/build.sh "$build" >/dev/null
exec /usr/bin/python3 scripts/soak.py --build "$build" "$@"
