// Cold query latency in V8 with the network excluded, as the search research defines it: for
// each query, in a fresh node process (V8 reuses a compiled module within one process), a
// compile and instantiation of search.wasm, hs_init on the root, then every search step with the
// files it asks for read from disk, until the ranked list (records not loaded). Run by the
// search benchmark: node cold_node.mjs <index dir> <search.wasm> <queries.json>. Prints one JSON
// object: {ms: [per query], failed: n}.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const [dir, wasmPath, queriesPath, only] = process.argv.slice(2);
if (only === undefined) {
  const n = JSON.parse(readFileSync(queriesPath, "utf8")).length;
  const ms = [];
  let failed = 0;
  for (let i = 0; i < n; i++) {
    const r = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), dir, wasmPath, queriesPath, String(i)]));
    ms.push(...r.ms);
    failed += r.failed;
  }
  console.log(JSON.stringify({ ms, failed }));
  process.exit(0);
}
const wasm = readFileSync(wasmPath);
const queries = [JSON.parse(readFileSync(queriesPath, "utf8"))[+only]];
const enc = new TextEncoder();
const dec = new TextDecoder();
const ms = [];
let failed = 0;
for (const q of queries) {
  const t = performance.now();
  const module = new WebAssembly.Module(wasm);
  const x = new WebAssembly.Instance(module, {}).exports;
  const put = (b) => { const p = x.hs_alloc(b.length); new Uint8Array(x.memory.buffer, p, b.length).set(b); return p; };
  const out = () => dec.decode(new Uint8Array(x.memory.buffer, x.hs_out_ptr(), x.hs_out_len()));
  const root = readFileSync(join(dir, "root.txt"));
  let rc = x.hs_init(put(root), root.length);
  for (let round = 0; rc === 0 && round < 8; round++) {
    const qb = enc.encode(q);
    rc = x.hs_search(put(qb), qb.length, put(enc.encode("")), 0, 10);
    if (rc !== 1) break;
    for (const f of out().split("\n").filter(Boolean)) {
      const b = readFileSync(join(dir, f));
      const nb = enc.encode(f);
      if (x.hs_provide(put(nb), nb.length, put(b), b.length) !== 0) { rc = -1; break; }
    }
    rc = 0;
  }
  if (rc !== 0) failed++;
  ms.push(performance.now() - t);
}
console.log(JSON.stringify({ ms, failed }));
