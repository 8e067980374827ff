#!/usr/bin/env bash
# Takes the README's screenshots of the site built from the bundled sample: home, search results,
# a verified server, a failing server and browse with a filter, each at desktop (1280x900) and
# phone (390x844) size, plus the home page and a server page in dark mode. Written to
# docs/screenshots/ as PNGs (shrunk with pngquant or optipng when either is installed).
#
# The sample is copied to a temporary directory first, so data/ in the repository is untouched.
#
# Usage: scripts/screenshots.sh
# Env:   HISPER (binary, default: target/debug/hisper, built when missing), CHROMIUM (default
#        /usr/bin/chromium), PORT (default 8765), VERIFIED / FAILING (server slugs), SITE (an
#        already built site to serve instead of building one).
set -euo pipefail
cd "$(dirname "$0")/.."
chromium="${CHROMIUM:-/usr/bin/chromium}"
port="${PORT:-8765}"
hisper="${HISPER:-target/debug/hisper}"
[ -x "$hisper" ] || cargo build -q -p hisper
out_dir=docs/screenshots
tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

site="${SITE:-}"
if [ -z "$site" ]; then
  cp -r data "$tmp/data"
  "$hisper" -q --data "$tmp/data" run --offline --out "$tmp/public"
  site="$tmp/public"
fi
"$hisper" -q serve --dir "$site" --port "$port" >"$tmp/serve.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 50); do
  curl -fsS "$base/" >/dev/null 2>&1 && break
  sleep 0.2
done

# The servers to show: the most downloaded verified server of the sample, and the most downloaded
# server whose probe failed (it crashes during initialize without its configuration).
verified="${VERIFIED:-chrome-devtools-mcp}"
failing="${FAILING:-azure-devops-mcp}"
echo "verified: $verified, failing: $failing" >&2

shot() { # name url width height [extra chromium flags]
  local name="$1" url="$2" w="$3" h="$4"
  shift 4
  "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$tmp/profile" --virtual-time-budget=4000 \
    --window-size="$w,$h" --screenshot="$out_dir/$name.png" "$@" "$url" >/dev/null 2>&1
}

mkdir -p "$out_dir"
for size in desktop:1280:900 phone:390:844; do
  IFS=: read -r label w h <<<"$size"
  shot "home-$label" "$base/" "$w" "$h"
  shot "search-$label" "$base/search/?q=postgres" "$w" "$h"
  shot "verified-$label" "$base/servers/$verified/" "$w" "$h"
  shot "failing-$label" "$base/servers/$failing/" "$w" "$h"
  shot "browse-verified-$label" "$base/browse/verified/" "$w" "$h"
done
shot home-dark-desktop "$base/" 1280 900 --force-dark-mode --blink-settings=preferredColorScheme=0
shot verified-dark-phone "$base/servers/$verified/" 390 844 --force-dark-mode --blink-settings=preferredColorScheme=0

if command -v pngquant >/dev/null; then
  pngquant --force --skip-if-larger --ext .png --quality 70-95 "$out_dir"/*.png || true
elif command -v optipng >/dev/null; then
  optipng -quiet -o2 "$out_dir"/*.png
fi
ls -l "$out_dir"
