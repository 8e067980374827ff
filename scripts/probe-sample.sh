#!/usr/bin/env bash
# Probes the 40 most downloaded stdio servers of the bundled sample (data/servers.json) and writes
# their real probe records and tonight's health into it. Installs packages by name with the npm and
# pip clients' own registry configuration (or HISPER_NPM_REGISTRY / HISPER_PYPI), into
# data/probe-cache/ (ignored by git). Needs bubblewrap (see .ci/setup/probe.sh). The probed
# records then take their repository, license, homepage and README from those installs (no
# further requests; see scripts/make-sample.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p hisper
./target/debug/hisper --data data probe --top 40 --concurrency 4 "$@"
./target/debug/hisper --data data crawl --from-installs data/probe-cache
./target/debug/hisper --data data validate
