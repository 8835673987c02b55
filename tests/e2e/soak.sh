#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# soak, short: scripts/soak.sh for 3 minutes (samples every 20 s). The hour
# long run is `scripts/soak.sh --minutes 60 --out docs/soak`.
#	tests/e2e/soak.sh [BUILD_DIR]
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/${1:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$root/scripts/soak.sh" --minutes "${SOAK_MINUTES:-3}" --sample 20 --build "$build" --out "$out" | tee "$out/log"
rc=${PIPESTATUS[0]}
if [ "$rc" = 0 ] && grep -q '^PASS soak' "$out/log"; then
	echo "1 passed, 0 failed"
else
	echo "0 passed, 1 failed"
	exit 1
fi
