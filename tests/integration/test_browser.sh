#!/usr/bin/env bash
# The web UI in a real browser: Debian's Chromium driven by playwright-core
# (tests/browser/ui.mjs) against the real stack on loopback. Skips (77)
# only when Chromium or playwright-core is not installed; scripts/setup.sh
# installs both, so CI always runs it.
. "$CLXS_SRCDIR/tests/integration/lib.sh"

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
# node_modules of the source tree or, as Node itself resolves packages, of
# a folder above it (make distcheck builds in a copy inside the checkout).
find_node_modules() {
  local d=$CLXS_SRCDIR
  while :; do
    if [ -f "$d/node_modules/playwright-core/index.mjs" ]; then echo "$d/node_modules"; return; fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
  done
  echo "$CLXS_SRCDIR/node_modules"
}
NODE_MODULES=${CLXS_NODE_MODULES:-$(find_node_modules)}
if [ ! -x "$CHROMIUM" ] || [ ! -f "$NODE_MODULES/playwright-core/index.mjs" ]; then
  echo "skip: needs $CHROMIUM and $NODE_MODULES/playwright-core (run scripts/setup.sh)"
  exit 77
fi
command -v node >/dev/null || { echo "node is missing (run scripts/setup.sh)" >&2; exit 99; }
[ -f "$NODE_MODULES/axe-core/axe.min.js" ] || { echo "axe-core is missing (run scripts/setup.sh)" >&2; exit 99; }

trap stop_stack EXIT
# Every lakehouse statement takes a little while, so a clone runs long
# enough for the test to cancel one mid-way (the runner and the API
# workers inherit this from clxs serve).
export CLXS_LH_FAULT_LATENCY_MS=${CLXS_BROWSER_LATENCY_MS:-60}
start_stack --workers 2 --concurrency 2
unset CLXS_LH_FAULT_LATENCY_MS

# The demo catalog: through the UI when the server has the endpoint,
# otherwise built here with the CLI on the stack's lakehouse.
DEMO_BUILT=0
http GET /api/openapi.json
if ! jq -e '.paths["/api/generate/demo-data"].post' <<<"$HTTP_BODY" >/dev/null; then
  CLXS_STATE_DIR=$STATE "$CLXS" demo-data --catalog demo >/dev/null && ok "demo catalog built with the CLI" ||
    bad "clxs demo-data failed"
  DEMO_BUILT=1
fi

# Screenshots go to tests/artifacts/ of the source tree (gitignored); a
# read-only tree (make distcheck) keeps them with the run's state instead.
ARTIFACTS=${CLXS_ARTIFACTS:-$CLXS_SRCDIR/tests/artifacts}
if ! mkdir -p "$ARTIFACTS" 2>/dev/null || [ ! -w "$ARTIFACTS" ]; then
  ARTIFACTS=$STATE/artifacts
  mkdir -p "$ARTIFACTS"
fi
BASE=$BASE ARTIFACTS=$ARTIFACTS AXE_JS=$NODE_MODULES/axe-core/axe.min.js PLAYWRIGHT_CORE=$NODE_MODULES/playwright-core \
  CHROMIUM=$CHROMIUM DEMO_BUILT=$DEMO_BUILT node "$CLXS_SRCDIR/tests/browser/ui.mjs"
rc=$?
expect "browser test (screenshots in $ARTIFACTS)" 0 "$rc"
check_sanitizer_logs
finish
