//! Relevance on the bundled sample: MRR@10 floors per kind of query for `hisper search` (tantivy)
//! and the browser index's native reader, and agreement between the two; the official or most
//! used server first for a product's name; platform-binary sub-packages never among the results.

use std::path::Path;

use indexer::relevance::{self, mrr, overlap};

fn repo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn sample_mrr_floors_and_agreement() {
    let ds = dataset::load(&repo().join("data/servers.json")).expect("the bundled sample");
    let queries =
        relevance::load_sample(&repo().join("search/tests/relevance"), &ds).expect("query sets");
    assert!(queries.len() >= 250, "{} queries", queries.len());
    let tasks = queries.iter().filter(|q| q.kind == "task").count();
    assert!(tasks >= 60, "{tasks} task queries");
    let dir = tempfile::tempdir().unwrap();
    indexer::index(&ds, dir.path(), None).unwrap();
    let docs = indexer::prepare(&ds);
    let tan = indexer::Searcher::open(&dir.path().join("tantivy")).unwrap();
    let mut web = search::DirReader::open(&dir.path().join("web")).unwrap();
    let tan_ids = |q: &str| -> Vec<String> {
        tan.search(q, &[], 10)
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect()
    };
    let mut web_ids = |q: &str| -> Vec<String> {
        web.search(q, &[], 10)
            .unwrap()
            .into_iter()
            .map(|h| docs[h.doc as usize].id.clone())
            .collect()
    };
    let mut overlaps = Vec::new();
    let mut top1_same = 0usize;
    for q in &queries {
        let a = tan_ids(&q.q);
        let b = web_ids(&q.q);
        overlaps.push(overlap(&a, &b));
        if a.first() == b.first() {
            top1_same += 1;
        }
    }
    let t = mrr(&queries, tan_ids);
    let w = mrr(&queries, &mut web_ids);
    let mean_overlap = overlaps.iter().sum::<f64>() / overlaps.len() as f64;
    eprintln!("kind      tantivy  web     (n)");
    for (k, (m, n)) in &t {
        eprintln!("{k:9} {m:.3}    {:.3}   {n}", w[k].0);
    }
    eprintln!(
        "mean top-10 overlap {mean_overlap:.3}; same first result {top1_same}/{}",
        queries.len()
    );
    if std::env::var("HISPER_MISSES").is_ok() {
        for q in &queries {
            let got = web_ids(&q.q);
            if relevance::reciprocal_rank(&got, &q.expect) < 1.0 {
                eprintln!(
                    "miss {:8} {:?}: {:?} expect {:?}",
                    q.kind,
                    q.q,
                    &got[..got.len().min(4)],
                    &q.expect[..q.expect.len().min(3)]
                );
            }
        }
    }
    for (kind, floor) in [
        ("name", 0.95),
        ("typo", 0.9),
        ("partial", 0.65),
        ("topic", 0.7),
        ("task", 0.8),
        ("product", 0.9),
    ] {
        assert!(
            t[kind].0 >= floor,
            "tantivy {kind} MRR {:.3} < {floor}",
            t[kind].0
        );
        assert!(
            w[kind].0 >= floor,
            "web {kind} MRR {:.3} < {floor}",
            w[kind].0
        );
    }
    // The examples: the official or most used server first for the product's name.
    for name in [
        "postgres",
        "github",
        "notion",
        "slack",
        "filesystem",
        "brave",
        "playwright",
    ] {
        let q = queries
            .iter()
            .find(|q| q.kind == "product" && q.q == name)
            .expect("the product query");
        let got = web_ids(name);
        assert!(
            got.first().is_some_and(|id| q.expect.contains(id)),
            "{name}: {got:?}, expected first one of {:?}",
            q.expect
        );
    }
    // Platform-binary sub-packages never fill the results: their parents answer for them.
    let groups = indexer::prepare::platform_groups(&ds);
    assert!(groups.len() >= 20, "{} grouped", groups.len());
    for q in &queries {
        let got = web_ids(&q.q);
        assert!(
            !got.iter().any(|id| groups.contains_key(id)),
            "{:?}: {got:?}",
            q.q
        );
    }
    // Both rank with the exported impacts (the CLI recomputes them from tantivy's postings):
    // they should agree almost everywhere, far above the 0.8.
    assert!(
        mean_overlap >= 0.95,
        "mean top-10 overlap {mean_overlap:.3}"
    );
    assert!(
        top1_same * 100 >= queries.len() * 95,
        "same first result {top1_same}"
    );
}

/// A synthetic catalogue is full of near-identical names (`mcp-cloud-shell-server`,
/// `server-cloud-shell-server`, `cloud-shell-mcp-server`): a misspelled or started name must
/// still find its server, through the corrected whole-name key and the started name.
#[test]
fn synthetic_misspelled_and_started_names() {
    let ds = dataset::synthetic::catalogue(4000, 23);
    let queries = relevance::synthetic_queries(&ds, 30);
    let dir = tempfile::tempdir().unwrap();
    indexer::index(&ds, dir.path(), None).unwrap();
    let docs = indexer::prepare(&ds);
    let tan = indexer::Searcher::open(&dir.path().join("tantivy")).unwrap();
    let mut web = search::DirReader::open(&dir.path().join("web")).unwrap();
    let t = mrr(&queries, |q| {
        tan.search(q, &[], 10)
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect()
    });
    let w = mrr(&queries, |q| {
        web.search(q, &[], 10)
            .unwrap()
            .into_iter()
            .map(|h| docs[h.doc as usize].id.clone())
            .collect()
    });
    for (kind, floor) in [("name", 0.95), ("typo", 0.85), ("partial", 0.85)] {
        assert!(t[kind].1 >= 20, "{kind}: {} queries", t[kind].1);
        assert!(t[kind].0 >= floor, "tantivy {kind} MRR {:.3}", t[kind].0);
        assert!(w[kind].0 >= floor, "web {kind} MRR {:.3}", w[kind].0);
    }
}
