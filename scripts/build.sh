#!/usr/bin/env bash
# Installs what is missing (scripts/install-deps.sh) and builds ffwd.
#   scripts/build.sh [BUILD_DIR [meson options...]]
# Default: build/ (release). Sanitizer trees: see scripts/test.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh"
dir=${1:-build}
shift || true
if [ ! -f "$dir/build.ninja" ]; then
	meson setup "$dir" "$@"
fi
ninja -C "$dir"
