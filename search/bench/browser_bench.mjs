// Side-by-side browser benchmark of the Hisper search box and Pagefind on the same site, in
// headless Chromium (playwright-core), files served from 127.0.0.1 with gzip like a static host.
// Run by `cargo run --release -p hisper-indexer --example search_bench` (which writes the config);
// usage: node browser_bench.mjs <config.json>. Prints one JSON object on stdout.
//
// config: {site, queries: [{kind, q, expect: [id]}], records: <file of [{id, slug, name, text}]>,
//          pagefind: bool, max_queries: n}
import { createRequire } from "node:module";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { tmpdir } from "node:os";
import { join } from "node:path";

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

// ---- Static server with gzip, in its own thread (static_server.mjs) ----
// Bytes sent by the server (bodies), pages excluded: Pagefind searches in a Web Worker, whose
// requests the page's resource timing does not see, so bytes are counted by the server.
const counter = new SharedArrayBuffer(8);
const servedBytes = new BigInt64Array(counter);
const serverThread = new Worker(new URL("./static_server.mjs", import.meta.url), { workerData: { site, counter } });
const port = await new Promise((resolve, reject) => {
  serverThread.once("message", resolve);
  serverThread.once("error", reject);
});
const origin = `http://127.0.0.1:${port}`;
writeFileSync(join(site, "bench-hisper.html"), `<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><script src="/search/search.js"></script><form role=search action="/search/"><input name=q><div id="hisper-search" data-base="/"></div></form>`);
writeFileSync(join(site, "bench-pagefind.html"), `<!doctype html><meta charset=utf-8><link rel=icon href="data:,"><p>pagefind</p>`);

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "hisper-bench-")), {
  executablePath: process.env.HISPER_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // HISPER_CHROMIUM_ARGS: extra browser flags, space-separated, to see how much of the cold time
  // is the browser's own per-request cost (e.g. --enable-features=NetworkServiceInProcess2).
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
    ...(process.env.HISPER_CHROMIUM_ARGS || "").split(" ").filter(Boolean)],
});

// Each run notes in window.__ranked when the ranked list was known, before the result records
// (Hisper) or fragments (Pagefind) that show it were loaded, and in window.__first when the top
// result's was (the search box shows results in rank order as their records arrive).
const systems = {
  hisper: {
    page: "/bench-hisper.html",
    run: async (q) => {
      const hits = await window.hisperSearch.ids(q);
      window.__ranked = performance.now();
      const recs = await Promise.all(hits.map((h, i) => window.hisperSearch.record(h.doc)
        .then((r) => { if (i === 0) window.__first = performance.now(); return r; })));
      return recs.map((r) => r.i);
    },
    // The first query of a visitor who pointed at the box: root and module already loaded.
    warmUp: () => window.hisperSearch.ids(""),
  },
  pagefind: {
    page: "/bench-pagefind.html",
    run: async (q) => {
      window.__pf = window.__pf || (await import("/pagefind/pagefind.js"));
      const r = await window.__pf.search(q);
      window.__ranked = performance.now();
      const data = await Promise.all(r.results.slice(0, 10).map((x, i) => x.data()
        .then((d) => { if (i === 0) window.__first = performance.now(); return d; })));
      return data.map((d) => d.url);
    },
    warmUp: async () => {
      window.__pf = window.__pf || (await import("/pagefind/pagefind.js"));
      await window.__pf.init();
    },
  },
};

const slugToId = {};
if (cfg.records) for (const r of JSON.parse(readFileSync(cfg.records, "utf8"))) slugToId[`/servers/${r.slug}/`] = r.id;

async function bytesSoFar() {
  return Number(Atomics.load(servedBytes, 0));
}

// This machine's floor for a cold query: on a fresh page, one small request to the same local
// server, then six in parallel (a browser opens at most six HTTP/1.1 connections to one host).
// Every cold number below pays at least two rounds of requests (module and root, then shards).
const baseline = { one: [], six: [] };
for (let i = 0; i < 15; i++) {
  const page = await context.newPage();
  await page.goto(origin + "/bench-pagefind.html");
  const [one, six] = await page.evaluate(async (i) => {
    const get = (k) => fetch(`/search/root.txt?baseline=${i}-${k}`, { cache: "no-store" }).then((r) => r.arrayBuffer());
    let t = performance.now();
    await get(0);
    const one = performance.now() - t;
    t = performance.now();
    await Promise.all([1, 2, 3, 4, 5, 6].map(get));
    return [one, performance.now() - t];
  }, i);
  baseline.one.push(one);
  baseline.six.push(six);
  await page.close();
}

const focusQueries = Math.min(queries.length, +(process.env.HISPER_BENCH_FOCUS || 40));
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : null; };
const out = { pagefindBuildMs, systems: {}, baseline_one_request_ms: null, baseline_six_requests_ms: null };
out.baseline_one_request_ms = quantile(baseline.one, 0.5);
out.baseline_six_requests_ms = quantile(baseline.six, 0.5);
const offsite = [];
for (const [name, sys] of Object.entries(systems)) {
  if (name === "pagefind" && !cfg.pagefind) continue;
  const first = [], follow = [], cold = [], coldRanked = [], coldFirst = [], afterFocus = [], warm = [], ranked = [];
  const phaseLog = {};
  for (let i = 0; i < queries.length; i++) {
    const page = await context.newPage();
    // Watch (not intercept: interception adds a DevTools round trip to every request, which
    // no visitor pays) for any request leaving localhost.
    page.on("request", (r) => {
      const u = r.url();
      if (!u.startsWith(origin) && !u.startsWith("data:")) offsite.push(u);
    });
    // Everything the search fetches, its script included (the page itself excluded).
    const phases = process.env.HISPER_BENCH_PHASES && name === "hisper";
    if (((i < 2 && process.env.HISPER_BENCH_TRACE) || phases) && name === "hisper") {
      // Time the module's compile and every call into it (ms since navigation).
      await page.addInitScript((again) => {
        window.__calls = [];
        const inst = WebAssembly.instantiateStreaming;
        WebAssembly.instantiateStreaming = function (...a) {
          const t = performance.now();
          return inst.apply(this, a).then((r) => {
            window.__calls.push(`${t.toFixed(1)}-${performance.now().toFixed(1)} compile+instantiate`);
            const ex = r.instance.exports, wrapped = {};
            for (const k of Object.keys(ex)) {
              wrapped[k] = typeof ex[k] !== "function" || !/init|search|provide/.test(k) ? ex[k] : (...b) => {
                const t0 = performance.now(); const v = ex[k](...b);
                window.__calls.push(`${t0.toFixed(1)}-${performance.now().toFixed(1)} ${k}`);
                if (again && k === "hs_search" && v === 0) {
                  const t1 = performance.now(); ex[k](...b);
                  window.__calls.push(`${t1.toFixed(1)}-${performance.now().toFixed(1)} hs_search again`);
                }
                return v;
              };
            }
            return { module: r.module, instance: { exports: wrapped } };
          });
        };
      }, !!(i < 2 && process.env.HISPER_BENCH_TRACE));
    }
    const base = await bytesSoFar();
    await page.goto(origin + sys.page);
    // Timed inside the page, from the call to the results (no driver round trip included).
    const c = await page.evaluate(async ([fn, q]) => {
      const f = eval("(" + fn + ")");
      const t = performance.now(); const ids = await f(q);
      return { ids, t0: t, ms: performance.now() - t, ranked: window.__ranked - t, first: (window.__first || window.__ranked) - t };
    }, [sys.run.toString(), queries[i].q]);
    let ids = c.ids;
    cold.push(c.ms);
    coldRanked.push(c.ranked);
    coldFirst.push(c.first);
    if (phases) {
      // HISPER_BENCH_PHASES=1: when each step of this cold query ended, in ms from the call.
      const p = await page.evaluate((t0) => {
        const res = performance.getEntriesByType("resource");
        const end = (re) => Math.max(...res.filter((e) => re.test(e.name)).map((e) => e.responseEnd), -Infinity);
        const calls = (window.__calls || []).map((c) => { const m = c.match(/^([\d.]+)-([\d.]+) (.*)$/); return [+m[1], +m[2], m[3]]; });
        const last = (k) => Math.max(...calls.filter((c) => c[2] === k).map((c) => c[1]), -Infinity);
        const searches = calls.filter((c) => c[2] === "hs_search");
        return {
          "root and module arrived": Math.max(end(/root\.txt/), end(/search\.wasm/)),
          "compiled and instantiated": last("compile+instantiate"),
          "first step": searches.length ? searches[0][1] : -Infinity,
          "last index file arrived": end(/\/(s|v|f)\/\d+\.bin/),
          "last file handed over": last("hs_provide"),
          "ranked (last step)": searches.length ? searches[searches.length - 1][1] : -Infinity,
          "last step alone": searches.length ? searches[searches.length - 1][1] - searches[searches.length - 1][0] : -Infinity,
          "all provide calls": calls.filter((c) => c[2] === "hs_provide").reduce((a, c) => a + c[1] - c[0], 0),
          t0,
        };
      }, c.t0);
      for (const [k, v] of Object.entries(p)) {
        if (k === "t0" || !isFinite(v)) continue;
        (phaseLog[k] = phaseLog[k] || []).push(k.startsWith("last step alone") || k.startsWith("all ") ? v : v - p.t0);
      }
    }
    if (i < 2 && process.env.HISPER_BENCH_TRACE) {
      // Where a cold query's time goes: each request's start and end (ms since navigation).
      const t = await page.evaluate(() => performance.getEntriesByType("resource").map((e) =>
        `${e.startTime.toFixed(1)}-${e.responseEnd.toFixed(1)} ${e.name.replace(location.origin, "")}`));
      const calls = await page.evaluate(() => window.__calls || []);
      log(`${name} cold ${c.ms.toFixed(1)} ms for ${JSON.stringify(queries[i].q)}:\n  ${t.concat(calls).join("\n  ")}`);
    }
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
    // After focus: a fresh page whose root and module (Pagefind: entry and wasm) were loaded by
    // pointing at the box, as the search box does; shards and records still cold.
    if (i < focusQueries) {
      const p2 = await context.newPage();
      await p2.goto(origin + sys.page);
      await p2.evaluate(sys.warmUp);
      const f = await p2.evaluate(async ([fn, q]) => {
        const f = eval("(" + fn + ")");
        const t = performance.now(); await f(q); return performance.now() - t;
      }, [sys.run.toString(), queries[i].q]);
      afterFocus.push(f);
      await p2.close();
    }
    if (i % 25 === 0) log(`${name}: ${i}/${queries.length}`);
  }
  if (Object.keys(phaseLog).length) {
    log(`${name}: a cold query's steps, median (p90) ms from the call, over ${queries.length} queries:`);
    for (const [k, v] of Object.entries(phaseLog)) log(`  ${k.padEnd(28)} ${quantile(v, 0.5).toFixed(1)} (${quantile(v, 0.9).toFixed(1)})`);
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
    cold_ranked_ms_median: quantile(coldRanked, 0.5),
    cold_first_ms_median: quantile(coldFirst, 0.5),
    after_focus_ms_median: quantile(afterFocus, 0.5), after_focus_ms_max: Math.max(...afterFocus),
    warm_ms_p50: quantile(warm, 0.5), warm_ms_p95: quantile(warm, 0.95),
    mrr, ranked,
  };
}
await context.close();
if (offsite.length) log(`requests that left localhost: ${offsite.length}, first ${offsite[0]}`);
out.offsite_requests = offsite.length;
await serverThread.terminate();
console.log(JSON.stringify(out));
