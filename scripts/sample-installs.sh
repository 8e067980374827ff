#!/usr/bin/env bash
# Puts the exact package of every probed npm record of the sample on disk, in the layout a plain
# `npm install --prefix` leaves (DIR/<name>@<version>/node_modules/<name>/), without its
# dependencies and without running any script: `npm pack` fetches the package tarball through
# the npm client's own configured registry and it is unpacked, so `hisper crawl --from-installs
# DIR` can read the installed package.json and README exactly as after the probe's install.
# Use it when the probe's own install cache (data/probe-cache) is gone:
#   scripts/sample-installs.sh /tmp/sample-installs && hisper crawl --from-installs /tmp/sample-installs
# Usage: scripts/sample-installs.sh DIR [DATASET]   (DATASET default data/servers.json)
set -euo pipefail
out="${1:?usage: scripts/sample-installs.sh DIR [DATASET]}"
dataset="${2:-data/servers.json}"
mkdir -p "$out"
python3 - "$dataset" <<'PY' | while IFS=$'\t' read -r name version; do
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["servers"]:
    p = r.get("probe")
    pkgs = r.get("install", {}).get("packages") or []
    if not p or not pkgs or pkgs[0].get("registryType") != "npm":
        continue
    v = p.get("version") or pkgs[0].get("version")
    if v:
        print(pkgs[0]["identifier"], v, sep="\t")
PY
  dest="$out/$name@$version/node_modules/$name"
  [ -f "$dest/package.json" ] && continue
  tmp="$(mktemp -d)"
  if (cd "$tmp" && npm pack --silent --ignore-scripts "$name@$version" >/dev/null 2>&1); then
    mkdir -p "$dest"
    tar -xzf "$tmp"/*.tgz -C "$dest" --strip-components=1 --no-same-owner --no-same-permissions
    echo "ok $name@$version" >&2
  else
    echo "missing $name@$version (npm pack failed)" >&2
  fi
  rm -rf "$tmp"
done
# The bundled sample is committed, and no package-registry host is named in the repository: links
# to the registries' own sites inside the unpacked manifests and READMEs become the placeholder
# hosts the fixtures use (npm.example, pypi.example).
find "$out" -maxdepth 6 -path '*/node_modules/*' -type f \( -iname 'readme*' -o -name package.json \) \
  -exec sed -i -E \
    -e 's#https?://(www\.)?(registry\.)?npm[j]s\.(com|org)#https://npm.example#g' \
    -e 's#https?://(www\.|test\.)?py[p]i\.(org|python\.org)#https://pypi.example#g' \
    -e 's#https?://files\.python[h]osted\.org#https://pypi.example#g' {} +
