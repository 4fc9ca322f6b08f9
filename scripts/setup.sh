#!/usr/bin/env bash
# Install the Debian packages Clone-Xs needs to build, test and run.
# Idempotent: packages already present are not touched, so reruns are quick.
set -euo pipefail

packages=(
  # build
  build-essential autoconf automake pkg-config
  libfcgi-dev libjson-c-dev libcurl4-openssl-dev libyaml-dev liblmdb-dev
  libsqlite3-dev libssl-dev libcmocka-dev
  # run: the web front door
  nginx
  # tests and benchmarks
  curl jq wrk valgrind
  # browser tests: Debian's Chromium, driven from Node (never a downloaded browser)
  chromium
)
# Node and npm fetch the web assets (Swagger UI, ReDoc) and playwright-core.
# A machine may already have them from elsewhere; only install when absent.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

root=$(cd "$(dirname "$0")/.." && pwd)
# npm packages from package-lock.json, reinstalled only when the lock changed.
npm_install() {
  if [ ! -f "$root/node_modules/.package-lock.json" ] ||
     ! cmp -s <(sed -n '/"packages"/,$p' "$root/package-lock.json") \
               <(sed -n '/"packages"/,$p' "$root/node_modules/.package-lock.json" 2>/dev/null); then
    echo "setup: npm ci"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  npm_install
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Keep Debian's nginx service from starting on port 80 during install: we run
# nginx ourselves under a private prefix.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
npm_install
