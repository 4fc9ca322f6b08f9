#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. a -Werror build with unit (cmocka) and integration tests (the real
#      stack on loopback through nginx);
#   2. the same tests built with AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. make distcheck (the release tarball builds and passes its tests).
# Prints one closing line "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${CLXS_TEST_BUILD_ROOT:-$top/_test}
rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0

count() { # add the automake summary of BUILD_DIR to the totals
  local log=$1/test-suite.log p f
  if [ ! -f "$log" ]; then failed=$((failed + 1)); return; fi
  p=$(sed -n 's/^# PASS: *//p' "$log" | head -n1)
  f=$(awk '/^# (FAIL|ERROR|XPASS): / { n += $3 } END { print n + 0 }' "$log")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

suite() { # suite NAME BUILD_DIR [configure args...]
  local name=$1 dir=$2
  shift 2
  echo "== $name"
  if ! "$top/scripts/build.sh" "$dir" "$@"; then
    echo "$name: build failed"
    failed=$((failed + 1))
    return
  fi
  if (cd "$dir" && make -j2 check >check.out 2>&1); then
    echo "$name: tests passed"
  else
    echo "$name: tests FAILED"
    grep -E '^(FAIL|ERROR|XPASS):' "$dir/check.out" || true
    for log in "$dir"/tests/*/*.log; do
      grep -qE '^(FAIL|ERROR)' "${log%.log}.trs" 2>/dev/null && { echo "--- $log"; tail -n 80 "$log"; }
    done
  fi
  count "$dir"
}

suite "build + unit + integration" "$out/plain"
ASAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
suite "AddressSanitizer + UBSan" "$out/asan" CFLAGS="-O1 -g $ASAN" LDFLAGS="$ASAN"
unset ASAN_OPTIONS UBSAN_OPTIONS

echo "== valgrind (unit tests)"
unit=$(cd "$out/plain" && ls tests/unit/test_* 2>/dev/null | grep -v '\.' | tr '\n' ' ')
if (cd "$out/plain" && make check TESTS="$unit" \
      LOG_COMPILER="valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect -q" \
      >valgrind.out 2>&1); then
  echo "valgrind: clean"
else
  echo "valgrind: FAILED"
  grep -E '^(FAIL|ERROR):' "$out/plain/valgrind.out" || true
fi
count "$out/plain"

echo "== make distcheck"
# The release tarball carries no node_modules: its stack finds the /docs
# and /redoc assets where scripts/setup.sh installed them.
export CLXS_VENDOR_DIR=${CLXS_VENDOR_DIR:-$top/node_modules}
if (cd "$out/plain" && make -j2 distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >distcheck.out 2>&1); then
  echo "distcheck: passed"
  passed=$((passed + 1))
else
  echo "distcheck: FAILED"
  tail -n 60 "$out/plain/distcheck.out"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
