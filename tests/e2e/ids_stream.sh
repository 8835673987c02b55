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
DRIVER=$BUILD/stages/app/ids/engine/ffwd-ids-offline
if [ ! -x "$DRIVER" ]; then
	echo "ids_stream: $DRIVER is missing, build first" >&2
	exit 2
fi
exec /usr/bin/python3 "$ROOT/tests/e2e/ids_stream.py" "$DRIVER"
