#!/usr/bin/env bash
# Installs what the browser tests need: Debian's Chromium (/usr/bin/chromium, or $CHROMIUM)
# and playwright-core from npm (web-tests/package-lock.json). Does nothing when both are there.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests ..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
  else
    echo "error: the browser tests need Chromium at $chromium: install Debian's 'chromium' package (as root: apt-get install chromium), or set CHROMIUM to a Chromium binary" >&2
    exit 1
  fi
fi
if ! command -v npm >/dev/null; then
  echo "error: the browser tests need Node.js 20+ and npm (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -f web-tests/node_modules/playwright-core/package.json ] \
  || [ web-tests/package-lock.json -nt web-tests/node_modules/.package-lock.json ]; then
  npm ci --prefix web-tests --no-audit --no-fund --loglevel=error
fi
