#!/usr/bin/env bash
# Installs what the prober's tests need: bubblewrap, and three real MCP servers by package name
# into target/probe-cache/fixtures/ (ignored by git). Idempotent; quick when already installed.
# The npm and pip clients use their own configured registries.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD/target/probe-cache/fixtures"
mkdir -p "$ROOT"

if ! command -v bwrap >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap
  fi
fi
# Ubuntu >= 23.10 blocks unprivileged user namespaces, which bwrap needs.
if [ -e /proc/sys/kernel/apparmor_restrict_unprivileged_userns ] \
   && [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns)" = 1 ]; then
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  $SUDO sysctl -q -w kernel.apparmor_restrict_unprivileged_userns=0 || true
fi

NPM_PKGS=(@modelcontextprotocol/server-everything@2026.8.31 @modelcontextprotocol/server-filesystem@2026.8.31)
if [ ! -x "$ROOT/npm/node_modules/.bin/mcp-server-everything" ] \
   || [ ! -x "$ROOT/npm/node_modules/.bin/mcp-server-filesystem" ]; then
  npm install --silent --prefix "$ROOT/npm" --ignore-scripts --no-audit --no-fund "${NPM_PKGS[@]}"
fi

if [ ! -x "$ROOT/time-venv/bin/mcp-server-time" ]; then
  PY="${PYTHON:-python3}"
  if ! "$PY" -m venv "$ROOT/time-venv"; then
    # Debian/Ubuntu system Python needs python3-venv for ensurepip
    SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    rm -rf "$ROOT/time-venv"
    "$PY" -m venv "$ROOT/time-venv"
  fi
  "$ROOT/time-venv/bin/pip" install -q --disable-pip-version-check mcp-server-time==2026.10.19
fi
echo "probe fixtures ready in $ROOT"
