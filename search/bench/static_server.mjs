// The benchmark's static file server, in its own thread so that the browser driver's traffic in
// the main thread never delays a response (a static host answers at once). Serves `site` on
// 127.0.0.1 with gzip like a static host (the search box's files compressed before it listens,
// Pagefind's own files are already gzipped), adds the body bytes of everything but pages to the
// shared counter, and posts its port to the parent.
import { workerData, parentPort } from "node:worker_threads";
import { readFileSync, existsSync, statSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { join, extname } from "node:path";

const { site, counter } = workerData;
const served = new BigInt64Array(counter);
const gzCache = new Map();
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".txt": "text/plain" };
// A static host serves precompressed files: compress the search box's files before listening,
// so that no request pays for compression (Pagefind's files come gzipped already).
(function precompress(dir) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) precompress(p);
    else if (e.isFile()) gzCache.set(p, gzipSync(readFileSync(p), { level: 9 }));
  }
})(join(site, "search"));
const server = createServer((req, res) => {
  let path = decodeURIComponent(new URL(req.url, "http://x").pathname);
  if (path.endsWith("/")) path += "index.html";
  const file = join(site, path);
  if (path.includes("..") || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404); return res.end(); }
  const pre = /\.pf_|\.pagefind$/.test(path);
  const headers = { "Content-Type": types[extname(path)] || "application/octet-stream", "Cache-Control": "no-cache" };
  let body = readFileSync(file);
  if (!pre && /gzip/.test(req.headers["accept-encoding"] || "")) {
    if (!gzCache.has(file)) gzCache.set(file, gzipSync(body, { level: 9 }));
    body = gzCache.get(file);
    headers["Content-Encoding"] = "gzip";
  }
  headers["Content-Length"] = body.length;
  if (!path.endsWith(".html")) Atomics.add(served, 0, BigInt(body.length));
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
