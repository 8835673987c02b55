#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ids_stream: the same HTTP-like request whole, cut in two or three
# segments, in and out of order, resent and overlapped, with a hole, without
# a handshake and past the reassembly depth, through ffwd's offline IDS;
# the cases and what each must give are in ids_stream.py (captures made
# there with scapy, nothing committed).
#
#	tests/e2e/ids_stream.sh [BUILD_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
# Through `ffwd ids`: the generated pipeline on the runtime.
FFWD=$BUILD/ffwd
WRAP=$(mktemp -d)
trap 'rm -rf "$WRAP"' EXIT
printf '#!/bin/sh\nexec %q ids "$@"\n' "$FFWD" >"$WRAP/ffwd-ids"
chmod +x "$WRAP/ffwd-ids"
DRIVER=$WRAP/ffwd-ids
if [ ! -x "$FFWD" ]; then
	echo "ids_stream: $FFWD is missing, build first" >&2
	exit 2
fi
/usr/bin/python3 "$ROOT/tests/e2e/ids_stream.py" "$DRIVER"
