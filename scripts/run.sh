#!/usr/bin/env bash
# The main job on this machine: build, then start the Clone-Xs stack (nginx,
# the API worker pool, the job runner) on 127.0.0.1:8080 and check it answers.
# Stop it with: _build/src/clxs stop
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build.sh" "$top/_build"
clxs="$top/_build/src/clxs"
"$clxs" serve --port "${CLXS_PORT:-8080}"
echo "GET /api/health -> $(curl -s "http://127.0.0.1:${CLXS_PORT:-8080}/api/health")"
"$clxs" status
