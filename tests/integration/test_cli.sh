#!/usr/bin/env bash
# The clxs command line: help and version, bad input, config-driven serve,
# status exit codes.
. "$CLXS_SRCDIR/tests/integration/lib.sh"
trap stop_stack EXIT

out=$("$CLXS" --help); rc=$?
expect "clxs --help exits 0" 0 "$rc"
case "$out" in *"serve"*"stop"*"status"*) ok "--help lists the commands";; *) bad "--help: $out";; esac
expect "clxs --version" "clxs $(sed -n 's/^AC_INIT(\[[^]]*\], \[\([^]]*\)\].*/\1/p' "$CLXS_SRCDIR/configure.ac")" "$("$CLXS" --version)"
"$CLXS" frobnicate >/dev/null 2>&1; expect "unknown command exits 2" 2 "$?"
"$CLXS" serve --port 0 >/dev/null 2>&1; expect "serve rejects port 0" 2 "$?"
"$CLXS" serve --host example.com >/dev/null 2>&1; expect "serve rejects a host name" 2 "$?"
err=$("$CLXS" serve --host 0.0.0.0 --state-dir /tmp/clxs-never 2>&1); rc=$?
expect "serve refuses a non-loopback address" 1 "$rc"
case "$err" in *"loopback"*) ok "and says why";; *) bad "non-loopback message: $err";; esac
"$CLXS" serve --help | grep -q -- "--workers" && ok "serve --help documents --workers" || bad "serve --help"

cfg=$(mktemp /tmp/clxs-cfg-XXXXXX.yaml)
printf 'server:\n  workers: "three"\n' >"$cfg"
err=$("$CLXS" serve --config "$cfg" --state-dir /tmp/clxs-never 2>&1); rc=$?
expect "a config with a wrong type is refused" 1 "$rc"
case "$err" in *"server.workers"*) ok "the error names the key";; *) bad "wrong-type message: $err";; esac

"$CLXS" status --state-dir /tmp/clxs-never-started >/dev/null; expect "status of a stopped stack exits 3" 3 "$?"

port=$(pick_port); lh_port=$(pick_port)
printf 'server:\n  workers: 3\n  port: 1\nprofiles:\n  test:\n    server:\n      port: %s\n      lakehouse_port: %s\n' "$port" "$lh_port" >"$cfg"
STATE=$(mktemp -d /tmp/clxs-it-XXXXXX)
if "$CLXS" serve --config "$cfg" --profile test --state-dir "$STATE" --workers 2 >/dev/null; then
  ok "serve with --config and --profile"
  PORT=$port; BASE="http://127.0.0.1:$PORT"
  http GET /api/health
  expect "the profile's port is used" 200 "$HTTP_CODE"
  expect "a flag wins over the config (--workers 2)" 2 "$(pgrep -P "$(cat "$STATE/run/api.pid")" | wc -l)"
  "$CLXS" status --state-dir "$STATE" >/dev/null; expect "status of a running stack exits 0" 0 "$?"
  "$CLXS" serve --config "$cfg" --profile test --state-dir "$STATE" | grep -q "already running" &&
    ok "a second serve says it is already running" || bad "second serve"
else
  bad "serve with --config and --profile"
fi
rm -f "$cfg"
"$CLXS" stop --state-dir "$STATE" >/dev/null
"$CLXS" status --state-dir "$STATE" >/dev/null; expect "status after stop exits 3" 3 "$?"
check_sanitizer_logs
finish
