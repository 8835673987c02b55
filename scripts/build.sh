#!/usr/bin/env bash
# Installs what is missing (scripts/install-deps.sh) and builds ffwd.
#   scripts/build.sh [BUILD_DIR [meson options...]]
# Default: build/ (release, -march=x86-64-v2: runs on any x86-64 server).
# Sanitizer trees: see scripts/test.sh.
# FFWD_CPU_ISA=native (or any -march value) sets meson's cpu_instruction_set
# on a new tree and on an existing one, e.g. for benchmarks:
#   FFWD_CPU_ISA=native scripts/build.sh build-native && bench/fwd --build build-native
# FFWD_JOBS caps ninja's parallelism (default: the CPU count).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh"
dir=${1:-build}
shift || true
isa=()
if [ -n "${FFWD_CPU_ISA:-}" ]; then
	isa=(-Dcpu_instruction_set="$FFWD_CPU_ISA")
fi
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "${isa[@]}" "$@"
elif [ ${#isa[@]} -gt 0 ]; then
	meson configure "$dir" "${isa[@]}"
fi
ninja -C "$dir" -j "${FFWD_JOBS:-$(nproc)}"
