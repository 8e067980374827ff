#!/usr/bin/env bash
# Setup for the site's browser tests and benchmark: Chromium (screenshots, XSS and axe checks),
# Hugo (benchmark comparison), axe-core and playwright-core from npm (driving Chromium), and
# html-validate from npm (site/tests/site/html.rs; 10.x runs on Debian's node 20).
# Idempotent and quick when everything is already installed.
set -euo pipefail
cd "$(dirname "$0")/../.."

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v hugo >/dev/null || need+=(hugo)
command -v node >/dev/null || need+=(nodejs npm)
command -v optipng >/dev/null || need+=(optipng)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
fi

# Node tools for the browser tests, in target/site-tools (found there by site/tests/site/browser.rs).
TOOLS=target/site-tools
if [ ! -f "$TOOLS/node_modules/axe-core/axe.min.js" ] || [ ! -d "$TOOLS/node_modules/playwright-core" ] \
  || ! grep -qs '"version": "10.11.0"' "$TOOLS/node_modules/html-validate/package.json"; then
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" axe-core@4.10.3 playwright-core@1.49.1 html-validate@10.11.0 >/dev/null
fi
