#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# suricata_verify: every test folder of suricata-verify (the corpus' copy,
# or any folders of the same shape) through ffwd's offline IDS, judged on
# the checks of its test.yaml and its expected.json; every EVE record is
# checked against tests/eve_schema.json and read back by jq. Prints PASS,
# FAIL (what differed) or UNSUPPORTED (why) per test, then the unsupported
# count and "N passed, M failed". The judging is in suricata_verify.py.
#
#	tests/e2e/suricata_verify.sh [BUILD_DIR [TEST_FOLDER...]]
#
# Environment: FFWD_CORPUS (default ROOT/../shared/corpus).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
shift || true
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
# The IDS runs as `ffwd ids`: a generated pipeline on the runtime (capture
# -> ids -> sink), the same code path as an inline ids stage.
FFWD=$BUILD/ffwd
if [ ! -x "$FFWD" ]; then
	echo "suricata_verify: $FFWD is missing, build first" >&2
	exit 2
fi
WRAP=$(mktemp -d)
trap 'rm -rf "$WRAP"' EXIT
printf '#!/bin/sh\nexec %q ids "$@"\n' "$FFWD" >"$WRAP/ffwd-ids"
chmod +x "$WRAP/ffwd-ids"
DRIVER=$WRAP/ffwd-ids
if [ $# -eq 0 ]; then
	SV=${FFWD_CORPUS:-$ROOT/../shared/corpus}/suricata-verify
	if [ ! -d "$SV" ]; then
		echo "suricata_verify: SKIP: no suricata-verify folder at $SV" >&2
		exit 77
	fi
	set -- "$SV"
fi
# Debian's interpreter: it has python3-yaml and python3-jsonschema.
/usr/bin/python3 "$ROOT/tests/e2e/suricata_verify.py" \
	--driver "$DRIVER" --schema "$ROOT/tests/eve_schema.json" "$@"
