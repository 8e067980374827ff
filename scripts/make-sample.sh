#!/usr/bin/env bash
# Regenerates the bundled sample dataset data/servers.json from the real package listings.
#
# Selection (deterministic): every npm row; every PyPI row with a download rank; plus unranked
# PyPI rows released in 2026-10 or later whose name contains "mcp" and whose summary starts by
# calling itself an MCP / Model Context Protocol server. The crawl's own merge and classify
# logic builds the records; probe results and enrichment already in data/servers.json are kept.
#
# Probed records then get their repository, license, homepage and README from what the probe's
# installs have on disk, with no registry request (`hisper crawl --from-installs DIR`): the
# installed package.json and the README shipped in an npm package, the wheel's METADATA (license
# expression or classifier, Project-URL, long description) for PyPI. Only the exact version the
# record was probed at is read, and only empty fields are filled. The caches read are
# $PROBE_CACHES (default: data/probe-cache, where scripts/probe-sample.sh installs, and
# target/probe-cache/fixtures, the reference servers the probe tests install). When the probe's
# cache is gone, scripts/sample-installs.sh DIR puts the exact probed packages on disk in the same
# layout (npm pack of each probed version: no dependencies, no scripts; registry links in the
# manifests and READMEs rewritten to placeholder hosts) and PROBE_CACHES=DIR reads them; that is
# how the committed sample was filled (56 of 56 probed records on 2026-12-04). That step alone:
#   hisper --data data crawl --from-installs data/probe-cache
#
# Usage: scripts/make-sample.sh [LISTINGS_DIR]   (default /work/shared/data)
# Env:   HISPER (binary, default: cargo run -q --release -p hisper --),
#        SAMPLE_NOW (clock, default 2026-11-22T00:00:00Z), DATA (default data).
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:-/work/shared/data}"
now="${SAMPLE_NOW:-2026-11-22T00:00:00Z}"
data="${DATA:-data}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cp "$src/npm-mcp-packages.tsv" "$tmp/npm.tsv"
awk -F'\t' '
  NR == 1 { print; next }
  $4 != "" { print; next }
  $3 >= "2026-10" && tolower($1) ~ /mcp/ &&
    tolower($5) ~ /^(an? )?(mcp|model context protocol( \(mcp\))?) server/ { print }
' "$src/pypi-mcp-packages.tsv" > "$tmp/pypi.tsv"

echo "npm rows: $(($(wc -l < "$tmp/npm.tsv") - 1)), pypi rows: $(($(wc -l < "$tmp/pypi.tsv") - 1))" >&2
if [ -n "${HISPER:-}" ]; then
  run=("$HISPER")
else
  run=(cargo run -q -p hisper --)
fi
"${run[@]}" --data "$data" crawl --now "$now" \
  --from-listing "npm=$tmp/npm.tsv" --from-listing "pypi=$tmp/pypi.tsv"
for cache in ${PROBE_CACHES:-"$data/probe-cache" target/probe-cache/fixtures}; do
  if [ -d "$cache" ]; then
    "${run[@]}" --data "$data" crawl --from-installs "$cache"
  fi
done
"${run[@]}" --data "$data" validate "$data/servers.json"
