//! Search benchmark: Hisper's browser index and search box side by side with Pagefind.
//!
//! `cargo run --release -p hisper-indexer --example search_bench -- [--sizes 20000,100000]
//! [--sample] [--queries N] [--no-browser] [--no-pagefind] [--misses]`
//!
//! For each catalogue (synthetic at each size; `--sample` adds the bundled sample with its query
//! set): builds the tantivy and browser indexes (timed), then prints MRR@10 per kind of query for
//! `hisper search` (tantivy), the browser index's native reader, and, in headless Chromium, the
//! search box and Pagefind over the same records; bytes downloaded for a first and a follow-up
//! query (gzip as served), cold and warm latency, the wasm size, files per directory and the
//! CLI/browser top-10 overlap. Needs `.ci/setup/search.sh` for the browser part.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use indexer::relevance::{self, mrr, overlap, Query};

struct Opts {
    sizes: Vec<usize>,
    sample: bool,
    per_kind: usize,
    browser: bool,
    pagefind: bool,
    misses: bool,
}

fn opts() -> Opts {
    let mut o = Opts {
        sizes: vec![20_000, 100_000],
        sample: false,
        per_kind: 40,
        browser: true,
        pagefind: true,
        misses: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--sizes" => {
                i += 1;
                o.sizes = args
                    .get(i)
                    .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
                    .unwrap_or_default();
            }
            "--sample" => o.sample = true,
            "--queries" => {
                i += 1;
                o.per_kind = args.get(i).and_then(|s| s.parse().ok()).unwrap_or(40);
            }
            "--no-browser" => o.browser = false,
            "--no-pagefind" => o.pagefind = false,
            "--misses" => o.misses = true,
            other => panic!("unknown argument {other}"),
        }
        i += 1;
    }
    o
}

fn repo() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    p.canonicalize().unwrap_or(p)
}

fn gz(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap().len()
}

fn quantile(xs: &[f64], q: f64) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return 0.0;
    }
    s[((q * s.len() as f64) as usize).min(s.len() - 1)]
}

fn main() {
    let o = opts();
    let wasm = indexer::assets::wasm_module().expect("the wasm module builds");
    println!(
        "wasm module: {} B raw, {} B gzip -9 (target <= 50 KB gzip); search.js {} B gz, search.css {} B gz",
        wasm.len(),
        gz(&wasm),
        gz(indexer::assets::SEARCH_JS.as_bytes()),
        gz(indexer::assets::SEARCH_CSS.as_bytes())
    );
    let mut runs: Vec<(String, dataset::Dataset, Vec<Query>)> = Vec::new();
    if o.sample {
        let ds = dataset::load(&repo().join("data/servers.json")).expect("sample");
        let q = relevance::load_sample(&repo().join("search/tests/relevance"), &ds).unwrap();
        runs.push(("sample".into(), ds, q));
    }
    for &n in &o.sizes {
        let ds = dataset::synthetic::catalogue(n, 42);
        let q = relevance::synthetic_queries(&ds, o.per_kind);
        runs.push((format!("synthetic {n}"), ds, q));
    }
    for (label, ds, queries) in runs {
        println!(
            "\n== {label}: {} servers, {} queries",
            ds.servers.len(),
            queries.len()
        );
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("index");
        let docs = indexer::prepare(&ds);
        let t = Instant::now();
        let stats = indexer::web::export(&docs, &tmp.path().join("webx")).unwrap();
        let export_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        indexer::index(&ds, &out, Some(&wasm)).unwrap();
        let both_s = t.elapsed().as_secs_f64();
        println!(
            "browser index export: {export_s:.2} s (target <= 10 s at 100k); tantivy + export: {both_s:.2} s; \
             {} files, {} shards (largest {} B), root {} B ({} B gz), most files in one directory {}",
            stats.files, stats.shards, stats.largest_shard, stats.root_bytes,
            gz(&std::fs::read(out.join("web/root.txt")).unwrap()), stats.most_files_in_a_dir
        );
        let tan = indexer::Searcher::open(&out.join("tantivy")).unwrap();
        let web_dir = out.join("web");
        // Native: MRR, overlap, bytes a browser would fetch (gzip), latency.
        let mut gz_cache = std::collections::HashMap::<PathBuf, usize>::new();
        let mut file_gz = |p: PathBuf| -> usize {
            *gz_cache
                .entry(p.clone())
                .or_insert_with(|| gz(&std::fs::read(&p).unwrap_or_default()))
        };
        let fixed = gz(&wasm)
            + gz(indexer::assets::SEARCH_JS.as_bytes())
            + gz(indexer::assets::SEARCH_CSS.as_bytes());
        let mut first_bytes = Vec::new();
        let mut native_ms = Vec::new();
        let mut overlaps = Vec::new();
        let mut web_ranked = Vec::new();
        let mut web_scores: Vec<Vec<(f32, u32)>> = Vec::new();
        for q in &queries {
            let mut r = search::DirReader::open(&web_dir).unwrap();
            let t = Instant::now();
            let hits = r.search(&q.q, &[], 10).unwrap();
            native_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            // Files the engine loaded: root + what it asked for; we recompute by gz of each read.
            let mut b = fixed + file_gz(web_dir.join("root.txt"));
            let before = r.bytes_read;
            let _ = before;
            let ids: Vec<String> = hits
                .iter()
                .map(|h| docs[h.doc as usize].id.clone())
                .collect();
            for h in &hits {
                b += file_gz(web_dir.join(search::record_path(h.doc)));
            }
            // Shards and buckets: replay the engine's requests to size them.
            let mut e =
                search::Engine::new(&std::fs::read(web_dir.join("root.txt")).unwrap()).unwrap();
            loop {
                match e.search(&q.q, &[], 10) {
                    search::Step::Done(_) => break,
                    search::Step::Need(files) => {
                        for f in files {
                            let p = web_dir.join(&f);
                            b += file_gz(p.clone());
                            e.provide(&f, &std::fs::read(p).unwrap()).unwrap();
                        }
                    }
                }
            }
            first_bytes.push(b as f64);
            let t_ids: Vec<String> = tan
                .search(&q.q, &[], 10)
                .unwrap()
                .into_iter()
                .map(|f| f.id)
                .collect();
            overlaps.push(overlap(&t_ids, &ids));
            web_ranked.push(ids);
            web_scores.push(hits.iter().map(|h| (h.score, h.matched)).collect());
        }
        // Warm native latency: one reader, every query twice.
        let mut r = search::DirReader::open(&web_dir).unwrap();
        let mut warm = Vec::new();
        for q in &queries {
            r.search(&q.q, &[], 10).unwrap();
            let t = Instant::now();
            r.search(&q.q, &[], 10).unwrap();
            warm.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "native reader: first-query bytes (gzip, script+wasm+root+shards+10 records) median {:.1} KB, max {:.1} KB; \
             latency cold median {:.2} ms, warm p50 {:.3} ms p95 {:.3} ms",
            quantile(&first_bytes, 0.5) / 1024.0,
            quantile(&first_bytes, 1.0) / 1024.0,
            quantile(&native_ms, 0.5),
            quantile(&warm, 0.5),
            quantile(&warm, 0.95)
        );
        println!(
            "CLI/browser top-10 overlap: mean {:.3} (target >= 0.8)",
            overlaps.iter().sum::<f64>() / overlaps.len().max(1) as f64
        );
        let m_tan = mrr(&queries, |q| {
            tan.search(q, &[], 10)
                .unwrap()
                .into_iter()
                .map(|f| f.id)
                .collect()
        });
        let mut k = 0;
        let m_web = mrr(&queries, |_| {
            k += 1;
            web_ranked[k - 1].clone()
        });
        if o.misses {
            // Every query the browser index does not answer first, with what it answered.
            for ((q, ranked), sc) in queries.iter().zip(&web_ranked).zip(&web_scores) {
                let rr = relevance::reciprocal_rank(ranked, &q.expect);
                if rr < 1.0 && q.kind != "topic" {
                    let top: Vec<String> = ranked
                        .iter()
                        .zip(sc)
                        .take(3)
                        .map(|(id, (s, m))| format!("{id} {s:.2}/{m}"))
                        .collect();
                    println!(
                        "miss {:<8} rr {rr:.2} {:?} expect {:?} got {top:?}",
                        q.kind,
                        q.q,
                        q.expect.first().map(String::as_str).unwrap_or("")
                    );
                }
            }
        }
        // Browser part.
        // Cold in V8 with the network excluded (node, if installed): compile, init, search steps.
        {
            let wasm_path = tmp.path().join("search.wasm");
            let q_path = tmp.path().join("queries.json");
            std::fs::write(&wasm_path, &wasm).unwrap();
            let qs: Vec<&str> = queries.iter().map(|q| q.q.as_str()).collect();
            std::fs::write(&q_path, serde_json::to_vec(&qs).unwrap()).unwrap();
            let run = Command::new("node")
                .arg(repo().join("search/bench/cold_node.mjs"))
                .arg(&web_dir)
                .arg(&wasm_path)
                .arg(&q_path)
                .stderr(std::process::Stdio::inherit())
                .output();
            let parsed = run
                .ok()
                .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok());
            match parsed {
                Some(v) => {
                    let ms: Vec<f64> = v["ms"]
                        .as_array()
                        .map(|a| a.iter().filter_map(|x| x.as_f64()).collect())
                        .unwrap_or_default();
                    println!(
                        "cold in V8 (node), network excluded (compile + instantiate + init + search steps, \
                         files read from disk): median {:.1} ms, p95 {:.1} ms, max {:.1} ms; {} failed",
                        quantile(&ms, 0.5),
                        quantile(&ms, 0.95),
                        quantile(&ms, 1.0),
                        v["failed"]
                    );
                }
                None => println!("cold in V8: SKIPPED (node did not run)"),
            }
        }
        let mut browser: Option<serde_json::Value> = None;
        let tools = repo().join("target/search-tools");
        if o.browser && tools.join("node_modules/playwright-core").is_dir() {
            let site = tmp.path().join("site");
            std::fs::create_dir_all(&site).unwrap();
            std::fs::rename(&web_dir, site.join("search")).unwrap();
            let records: Vec<serde_json::Value> = docs
                .iter()
                .map(|d| {
                    let text: Vec<&str> = d.fields.values().map(String::as_str).collect();
                    serde_json::json!({"id": d.id, "slug": d.slug, "name": d.name, "text": text.join("\n")})
                })
                .collect();
            let rec_path = tmp.path().join("records.json");
            std::fs::write(&rec_path, serde_json::to_vec(&records).unwrap()).unwrap();
            let cfg = serde_json::json!({
                "site": site, "queries": queries, "records": rec_path, "pagefind": o.pagefind,
            });
            let cfg_path = tmp.path().join("bench.json");
            std::fs::write(&cfg_path, serde_json::to_vec(&cfg).unwrap()).unwrap();
            let outp = Command::new("node")
                .arg(repo().join("search/bench/browser_bench.mjs"))
                .arg(&cfg_path)
                .env("HISPER_SEARCH_TOOLS", &tools)
                .stderr(std::process::Stdio::inherit())
                .output()
                .expect("node runs");
            let text = String::from_utf8_lossy(&outp.stdout);
            browser = serde_json::from_str(text.lines().last().unwrap_or("")).ok();
            if browser.is_none() {
                println!("browser benchmark failed: {text}");
            }
        } else if o.browser {
            println!("browser part SKIPPED: run .ci/setup/search.sh");
        }
        println!(
            "\n{:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "MRR@10", "name", "typo", "partial", "topic", "task", "product", "all"
        );
        let row = |label: &str, m: &dyn Fn(&str) -> Option<f64>| {
            let f = |k: &str| {
                m(k).map(|v| format!("{v:.3}"))
                    .unwrap_or_else(|| "-".into())
            };
            println!(
                "{:<28} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
                label,
                f("name"),
                f("typo"),
                f("partial"),
                f("topic"),
                f("task"),
                f("product"),
                f("all")
            );
        };
        row("hisper search (tantivy)", &|k| m_tan.get(k).map(|x| x.0));
        row("browser index, native", &|k| m_web.get(k).map(|x| x.0));
        if let Some(b) = &browser {
            for sys in ["hisper", "pagefind"] {
                if let Some(s) = b["systems"].get(sys) {
                    row(&format!("{sys} in Chromium"), &|k| s["mrr"][k].as_f64());
                }
            }
            println!(
                "\n{:<22} {:>12} {:>12} {:>12} {:>10} {:>10} {:>10} {:>10}",
                "in Chromium",
                "first med KB",
                "first max KB",
                "follow med KB",
                "cold med",
                "cold max",
                "warm p50",
                "warm p95"
            );
            for sys in ["hisper", "pagefind"] {
                if let Some(s) = b["systems"].get(sys) {
                    let kb = |k: &str| {
                        s[k].as_f64()
                            .map(|v| format!("{:.1}", v / 1024.0))
                            .unwrap_or_default()
                    };
                    let ms = |k: &str| {
                        s[k].as_f64()
                            .map(|v| format!("{v:.1} ms"))
                            .unwrap_or_default()
                    };
                    println!(
                        "{:<22} {:>12} {:>12} {:>12} {:>10} {:>10} {:>10} {:>10}",
                        sys,
                        kb("first_bytes_median"),
                        kb("first_bytes_max"),
                        kb("follow_bytes_median"),
                        ms("cold_ms_median"),
                        ms("cold_ms_max"),
                        ms("warm_ms_p50"),
                        ms("warm_ms_p95")
                    );
                }
            }
            println!(
                "\n{:<22} {:>16} {:>16} {:>16} {:>16} {:>16}",
                "cold, in Chromium",
                "ranked med",
                "first shown med",
                "all shown med",
                "after focus med",
                "after focus max"
            );
            for sys in ["hisper", "pagefind"] {
                if let Some(s) = b["systems"].get(sys) {
                    let ms = |k: &str| {
                        s[k].as_f64()
                            .map(|v| format!("{v:.1} ms"))
                            .unwrap_or_default()
                    };
                    println!(
                        "{:<22} {:>16} {:>16} {:>16} {:>16} {:>16}",
                        sys,
                        ms("cold_ranked_ms_median"),
                        ms("cold_first_ms_median"),
                        ms("cold_ms_median"),
                        ms("after_focus_ms_median"),
                        ms("after_focus_ms_max")
                    );
                }
            }
            println!(
                "(cold: nothing cached, from the call to the ranked list, to the top result's \
                 record and to all 10 records loaded; after focus: root and module already loaded \
                 by pointing at the box)"
            );
            if let (Some(one), Some(six)) = (
                b["baseline_one_request_ms"].as_f64(),
                b["baseline_six_requests_ms"].as_f64(),
            ) {
                println!(
                    "this machine's floor: one small request to the local server takes {one:.1} ms \
                     in this browser, six in parallel {six:.1} ms (medians on fresh pages)"
                );
            }
            if let Some(ms) = b["pagefindBuildMs"].as_f64() {
                println!("pagefind index build: {:.1} s", ms / 1000.0);
            }
        }
        if std::env::var_os("HISPER_BENCH_KEEP").is_some() {
            // Keep the built indexes and site for experiments (HISPER_BENCH_KEEP=1).
            println!("kept: {}", tmp.keep().display());
        }
    }
}
