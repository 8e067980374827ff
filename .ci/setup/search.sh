#!/usr/bin/env bash
# Setup for the search tests and benchmark: the wasm32 target (the search box's module), Chromium
# (browser test), and from npm playwright-core (drives Chromium) and pagefind (side-by-side
# relevance/bytes comparison), installed into target/search-tools (ignored by git).
# Idempotent and quick when everything is already installed. npm uses its own configured registry.
set -euo pipefail
cd "$(dirname "$0")/../.."

if command -v rustup >/dev/null 2>&1; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    rustup target add wasm32-unknown-unknown
  fi
fi

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v node >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

TOOLS=target/search-tools
if [ ! -d "$TOOLS/node_modules/playwright-core" ] || [ ! -d "$TOOLS/node_modules/pagefind" ]; then
  mkdir -p "$TOOLS"
  npm install --silent --no-audit --no-fund --prefix "$TOOLS" playwright-core@1.49.1 pagefind@1.6.0 >/dev/null
fi
