#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# suricata_verify_selftest: the suricata-verify harness on folders made for
# the purpose, so that FAIL and UNSUPPORTED are seen to happen when they
# should (suricata_verify_selftest.py lists the cases).
#
#	tests/e2e/suricata_verify_selftest.sh [BUILD_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
DRIVER=$BUILD/stages/app/ids/engine/ffwd-ids-offline
if [ ! -x "$DRIVER" ]; then
	echo "suricata_verify_selftest: $DRIVER is missing, build first" >&2
	exit 2
fi
exec /usr/bin/python3 "$ROOT/tests/e2e/suricata_verify_selftest.py" "$DRIVER"
