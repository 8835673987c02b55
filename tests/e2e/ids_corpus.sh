#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ids_corpus: every capture of the corpus through the IDS engine (IPS
# mode, every supported keyword, malformed packets dropped) on the
# ASan+UBSan build when there is one: no sanitizer report, counters add up
# (ids_corpus.py says exactly what is checked). It drives the engine
# library's own test driver (ffwd-ids-offline: libpcap -> engine -> EVE,
# one process, no EAL ports), because 200+ captures through `ffwd ids`
# would cost an EAL start-up and a second of idle wait each; the product
# path is `ffwd ids` (suricata_verify.sh, ids_stream.sh) and the ids stage
# (ids_inline.sh), which run the same engine.
#
#	tests/e2e/ids_corpus.sh [BUILD_DIR]
# Environment: FFWD_CORPUS (default ROOT/../shared/corpus), IDS_ASAN_BUILD
# (default ROOT/build-asan; its driver is used when built).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
DRIVER=${IDS_ASAN_BUILD:-$ROOT/build-asan}/stages/app/ids/engine/ffwd-ids-offline
if [ ! -x "$DRIVER" ]; then
	echo "ids_corpus: no sanitizer build, using $BUILD" >&2
	DRIVER=$BUILD/stages/app/ids/engine/ffwd-ids-offline
fi
if [ ! -x "$DRIVER" ]; then
	echo "ids_corpus: $DRIVER is missing, build first" >&2
	exit 2
fi
CORPUS=${FFWD_CORPUS:-$ROOT/../shared/corpus}
if [ ! -f "$CORPUS/expected/libpcap_read.json" ]; then
	echo "ids_corpus: SKIP: no corpus at $CORPUS" >&2
	exit 77
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec /usr/bin/python3 "$ROOT/tests/e2e/ids_corpus.py" "$DRIVER" "$CORPUS"
