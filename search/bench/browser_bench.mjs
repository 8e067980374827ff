// Side-by-side browser benchmark of the Hisper search box and Pagefind on the same site, in
// headless Chromium (playwright-core), files served from 127.0.0.1 with gzip like a static host.
// Run by `cargo run --release -p hisper-indexer --example search_bench` (which writes the config);
// usage: node browser_bench.mjs <config.json>. Prints one JSON object on stdout.
//
// config: {site, queries: [{kind, q, expect: [id]}], records: <file of [{id, slug, name, text}]>,
//          pagefind: bool, max_queries: n}
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, mkdtempSync, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join, extname } from "node:path";

const cfg = JSON.parse(readFileSync(process.argv[2], "utf8"));
const tools = process.env.HISPER_SEARCH_TOOLS;
const require = createRequire(join(tools, "package.json"));
const { chromium } = require("playwright-core");
const site = cfg.site;
const queries = cfg.queries.slice(0, cfg.max_queries || cfg.queries.length);
const log = (...a) => process.stderr.write(a.join(" ") + "\n");

// ---- Pagefind index over the same records ----
let pagefindBuildMs = null;
if (cfg.pagefind) {
  const pagefind = await import(join(tools, "node_modules/pagefind/lib/index.js"));
  const t0 = Date.now();
  const { index } = await pagefind.createIndex({});
  const records = JSON.parse(readFileSync(cfg.records, "utf8"));
  for (const r of records) {
    await index.addCustomRecord({
      url: `/servers/${r.slug}/`, content: r.text, language: "en", meta: { title: r.name },
    });
  }
  await index.writeFiles({ outputPath: join(site, "pagefind") });
  await pagefind.close();
  pagefindBuildMs = Date.now() - t0;
  log(`pagefind: indexed ${records.length} records in ${pagefindBuildMs} ms`);
}

// ---- Static server with gzip (Pagefind's own files are already gzipped) ----
const gzCache = new Map();
// Bytes sent by the server (bodies), pages excluded: Pagefind searches in a Web Worker, whose
// requests the page's resource timing does not see, so bytes are counted here.
let served = 0;
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".txt": "text/plain" };
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
  if (!path.endsWith(".html")) served += body.length;
  res.writeHead(200, headers);
  res.end(body);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const origin = `http://127.0.0.1:${server.address().port}`;
writeFileSync(join(site, "bench-hisper.html"), `<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><script src="/search/search.js"></script><form role=search action="/search/"><input name=q><div id="hisper-search" data-base="/"></div></form>`);
writeFileSync(join(site, "bench-pagefind.html"), `<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><p>pagefind</p>`);

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "hisper-bench-")), {
  executablePath: process.env.HISPER_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
});

const systems = {
  hisper: {
    page: "/bench-hisper.html",
    run: (q) => window.hisperSearch.query(q).then((hits) => hits.map((h) => h.rec.i)),
  },
  pagefind: {
    page: "/bench-pagefind.html",
    run: async (q) => {
      window.__pf = window.__pf || (await import("/pagefind/pagefind.js"));
      const r = await window.__pf.search(q);
      const data = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
      return data.map((d) => d.url);
    },
  },
};

const slugToId = {};
if (cfg.records) for (const r of JSON.parse(readFileSync(cfg.records, "utf8"))) slugToId[`/servers/${r.slug}/`] = r.id;

async function bytesSoFar() {
  return served;
}

const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : null; };
const out = { pagefindBuildMs, systems: {} };
for (const [name, sys] of Object.entries(systems)) {
  if (name === "pagefind" && !cfg.pagefind) continue;
  const first = [], follow = [], cold = [], warm = [], ranked = [];
  for (let i = 0; i < queries.length; i++) {
    const page = await context.newPage();
    await page.route("**/*", (r) => r.request().url().startsWith(origin) ? r.continue() : r.abort());
    // Everything the search fetches, its script included (the page itself excluded).
    const base = await bytesSoFar();
    await page.goto(origin + sys.page);
    const t0 = Date.now();
    let ids = await page.evaluate(sys.run, queries[i].q);
    cold.push(Date.now() - t0);
    const b1 = await bytesSoFar();
    first.push(b1 - base);
    // warm: the same query again, everything loaded
    const w = await page.evaluate(async ([fn, q]) => {
      const f = eval("(" + fn + ")");
      const t = performance.now(); await f(q); return performance.now() - t;
    }, [sys.run.toString(), queries[i].q]);
    warm.push(w);
    // follow-up: the next query on the same page
    const next = queries[(i + 1) % queries.length].q;
    await page.evaluate(sys.run, next);
    follow.push((await bytesSoFar()) - b1);
    if (name === "pagefind") ids = ids.map((u) => slugToId[u] || u);
    ranked.push(ids);
    await page.close();
    if (i % 25 === 0) log(`${name}: ${i}/${queries.length}`);
  }
  const mrr = {};
  queries.forEach((q, i) => {
    const pos = ranked[i].slice(0, 10).findIndex((id) => q.expect.includes(id));
    const rr = pos < 0 ? 0 : 1 / (pos + 1);
    for (const k of [q.kind, "all"]) { mrr[k] = mrr[k] || [0, 0]; mrr[k][0] += rr; mrr[k][1]++; }
  });
  for (const k of Object.keys(mrr)) mrr[k] = mrr[k][0] / mrr[k][1];
  out.systems[name] = {
    first_bytes_median: quantile(first, 0.5), first_bytes_max: Math.max(...first),
    follow_bytes_median: quantile(follow, 0.5),
    cold_ms_median: quantile(cold, 0.5), cold_ms_max: Math.max(...cold),
    warm_ms_p50: quantile(warm, 0.5), warm_ms_p95: quantile(warm, 0.95),
    mrr, ranked,
  };
}
await context.close();
server.close();
console.log(JSON.stringify(out));
