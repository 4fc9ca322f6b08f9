#!/bin/sh
# Build and run the lakehouse clone benchmark against an already configured
# build directory: bench/lakehouse-clone.sh BUILD_DIR [ROWS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-.}" && pwd)
[ $# -gt 0 ] && shift
make -s -C "$build" src/libclxs_lakehouse.a src/libclxs_core.a
mkdir -p "$build/bench"
# shellcheck disable=SC2046 # pkg-config output is meant to be split
${CC:-cc} -O2 -g -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -I"$top/include" \
	$(pkg-config --cflags json-c sqlite3) \
	-o "$build/bench/lakehouse_clone" "$top/bench/lakehouse_clone.c" \
	"$build/src/libclxs_lakehouse.a" "$build/src/libclxs_core.a" \
	$(pkg-config --libs json-c sqlite3 libcrypto) -lpthread
exec "$build/bench/lakehouse_clone" "$@"
