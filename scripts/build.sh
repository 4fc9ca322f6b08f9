#!/usr/bin/env bash
# Build out of tree: scripts/build.sh [BUILD_DIR] [configure args...]
# Generates configure when the checkout has none (nothing generated is
# committed), then configures once and runs make.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/_build}
shift || true
if [ ! -x "$top/configure" ]; then
  (cd "$top" && autoreconf -fi >/dev/null)
fi
mkdir -p "$build"
cd "$build"
if [ ! -f Makefile ]; then
  "$top/configure" --enable-werror "$@" >configure.out || { cat configure.out; exit 1; }
fi
make -j"$(nproc)" >make.out 2>&1 || { tail -n 60 make.out; exit 1; }
echo "build: $build"
