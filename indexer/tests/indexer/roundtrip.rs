//! Round trip: dataset → tantivy index + browser index → native reader and CLI searcher agree.

use std::path::Path;

use indexer::Searcher;
use search::DirReader;

fn sample() -> dataset::Dataset {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/servers.json");
    if p.exists() {
        dataset::load(&p).expect("the bundled sample loads")
    } else {
        dataset::synthetic::catalogue(2000, 7)
    }
}

#[test]
fn exact_names_come_first_in_both_engines() {
    let ds = dataset::synthetic::catalogue(3000, 11);
    let dir = tempfile::tempdir().unwrap();
    let report = indexer::index(&ds, dir.path(), None).unwrap();
    assert_eq!(report.docs, 3000);
    let mut web = DirReader::open(&dir.path().join("web")).unwrap();
    let tan = Searcher::open(&dir.path().join("tantivy")).unwrap();
    assert_eq!(tan.num_docs(), 3000);
    let docs = indexer::prepare(&ds);
    let mut web_first = 0;
    let mut tan_first = 0;
    let mut tried = 0;
    for (i, d) in docs.iter().enumerate().step_by(97) {
        tried += 1;
        let q = d.name.clone();
        let w = web.search(&q, &[], 10).unwrap();
        let t = tan.search(&q, &[], 10).unwrap();
        // "@tools/x" and "x" both answer "x" exactly: first means "a server whose name (with or
        // without its scope) is the query".
        let key = search::analyze::name_key(&q);
        let same = |doc: u32| {
            key.as_ref()
                .is_some_and(|k| docs[doc as usize].name_keys.contains(k))
        };
        if w.first().is_some_and(|h| same(h.doc)) {
            web_first += 1;
        }
        if t.first().is_some_and(|h| same(h.doc)) {
            tan_first += 1;
        }
        // Every hit of an exact name matches at least one of its words.
        assert!(w.iter().all(|h| h.matched >= 1), "{q}");
        let _ = i;
    }
    assert!(web_first * 10 >= tried * 9, "web {web_first}/{tried}");
    assert!(tan_first * 10 >= tried * 9, "tantivy {tan_first}/{tried}");
}

#[test]
fn sample_queries_print() {
    let ds = sample();
    let dir = tempfile::tempdir().unwrap();
    let t0 = std::time::Instant::now();
    let report = indexer::index(&ds, dir.path(), None).unwrap();
    eprintln!("{:?} in {:?}", report.web, t0.elapsed());
    let mut web = DirReader::open(&dir.path().join("web")).unwrap();
    let tan = Searcher::open(&dir.path().join("tantivy")).unwrap();
    let docs = indexer::prepare(&ds);
    for q in [
        "postgres",
        "server-filesystem",
        "githb",
        "send a slack message",
        "playwr",
        "query postgres database",
        "kubernets",
    ] {
        let w = web.search(q, &[], 5).unwrap();
        let t = tan.search(q, &[], 5).unwrap();
        eprintln!("== {q}");
        for (a, b) in w
            .iter()
            .zip(t.iter().map(Some).chain(std::iter::repeat(None)))
        {
            eprintln!(
                "  web {:40} {:6.2} {} | tan {:40}",
                docs[a.doc as usize].name,
                a.score,
                a.matched,
                b.map(|x| x.name.as_str()).unwrap_or("")
            );
        }
    }
}

/// One reader answering the whole query set in turn (its accumulators reused between searches,
/// filters switched on and off) gives exactly what a fresh reader gives for each query.
#[test]
fn a_reader_reused_for_many_queries_answers_like_a_fresh_one() {
    let ds = sample();
    let dir = tempfile::tempdir().unwrap();
    indexer::index(&ds, dir.path(), None).unwrap();
    let web_dir = dir.path().join("web");
    let queries = indexer::relevance::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../search/tests/relevance/queries.json"),
    )
    .unwrap();
    let npm = vec![("source".to_string(), "npm".to_string())];
    let mut shared = DirReader::open(&web_dir).unwrap();
    let mut compared = 0;
    for (i, q) in queries.iter().enumerate() {
        let filters: &[(String, String)] = if i % 3 == 0 { &npm } else { &[] };
        let fresh = DirReader::open(&web_dir)
            .unwrap()
            .search(&q.q, filters, 10)
            .unwrap();
        let reused = shared.search(&q.q, filters, 10).unwrap();
        assert_eq!(reused, fresh, "query {:?} (filters {filters:?})", q.q);
        compared += usize::from(!fresh.is_empty());
    }
    assert!(compared > queries.len() / 2, "most queries find something");
}

/// `findings=<worst severity>` keeps only servers whose worst security finding has that
/// severity, in both engines.
#[test]
fn the_findings_filter_keeps_servers_with_findings() {
    let mut ds = dataset::synthetic::catalogue(400, 5);
    let flagged = [3usize, 40, 41, 250];
    for &i in &flagged {
        ds.servers[i].trust = Some(dataset::Trust {
            worst: Some(dataset::Severity::Danger),
            ..Default::default()
        });
    }
    ds.servers[7].trust = Some(dataset::Trust {
        worst: Some(dataset::Severity::Info),
        ..Default::default()
    });
    let dir = tempfile::tempdir().unwrap();
    indexer::index(&ds, dir.path(), None).unwrap();
    let docs = indexer::prepare(&ds);
    let danger: std::collections::BTreeSet<u32> = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.filters
                .iter()
                .any(|(k, v)| k == "findings" && v == "danger")
        })
        .map(|(i, _)| i as u32)
        .collect();
    assert_eq!(danger.len(), flagged.len());
    let f = vec![("findings".to_string(), "danger".to_string())];
    let mut web = DirReader::open(&dir.path().join("web")).unwrap();
    let tan = Searcher::open(&dir.path().join("tantivy")).unwrap();
    let mut found = 0;
    for &i in &flagged {
        let q = ds.servers[i].name.clone();
        let w = web.search(&q, &f, 50).unwrap();
        let t = tan.search(&q, &f, 50).unwrap();
        assert!(w.iter().all(|h| danger.contains(&h.doc)), "web {q}: {w:?}");
        assert!(t.iter().all(|h| danger.contains(&h.doc)), "tantivy {q}");
        assert!(!w.is_empty() && !t.is_empty(), "{q} finds itself");
        found += w.len();
    }
    assert!(found >= flagged.len());
    // An info-only server is not among the dangerous ones, and has its own value.
    let q = ds.servers[7].name.clone();
    let seven = docs.iter().position(|d| d.id == ds.servers[7].id).unwrap() as u32;
    assert!(web
        .search(&q, &f, 50)
        .unwrap()
        .iter()
        .all(|h| h.doc != seven));
    let info = vec![("findings".to_string(), "info".to_string())];
    let t = tan.search(&q, &info, 50).unwrap();
    assert!(!t.is_empty() && t.iter().all(|h| h.doc == seven), "{t:?}");
}

/// `feature=<name>` keeps only servers whose stdio or remote probe saw that spec feature, in both
/// engines.
#[test]
fn the_feature_filter_keeps_servers_whose_probes_saw_the_feature() {
    let mut ds = dataset::synthetic::catalogue(300, 9);
    let apps = |on: bool| {
        let mut p = dataset::ProbeRecord::bare(dataset::Outcome::Ok, "2026-12-01T00:00:00Z");
        p.features = Some(dataset::SpecFeatures {
            mcp_apps: on,
            tasks: !on,
            ..Default::default()
        });
        p
    };
    // One over stdio, one only on a remote endpoint; one with tasks but not apps.
    ds.servers[10].probe = Some(apps(true));
    ds.servers[20].probe = None;
    ds.servers[20].remote_probes = vec![apps(true)];
    ds.servers[30].probe = Some(apps(false));
    let with_apps: std::collections::BTreeSet<String> = [10usize, 20]
        .iter()
        .map(|&i| ds.servers[i].id.clone())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    indexer::index(&ds, dir.path(), None).unwrap();
    let docs = indexer::prepare(&ds);
    let f = vec![("feature".to_string(), "apps".to_string())];
    let mut web = DirReader::open(&dir.path().join("web")).unwrap();
    let tan = Searcher::open(&dir.path().join("tantivy")).unwrap();
    for i in [10usize, 20, 30] {
        let q = ds.servers[i].name.clone();
        let ids = |hits: Vec<u32>| -> Vec<String> {
            hits.iter().map(|&d| docs[d as usize].id.clone()).collect()
        };
        let w = ids(web
            .search(&q, &f, 50)
            .unwrap()
            .iter()
            .map(|h| h.doc)
            .collect());
        let t = ids(tan
            .search(&q, &f, 50)
            .unwrap()
            .iter()
            .map(|h| h.doc)
            .collect());
        assert!(w.iter().all(|id| with_apps.contains(id)), "web {q}: {w:?}");
        assert!(
            t.iter().all(|id| with_apps.contains(id)),
            "tantivy {q}: {t:?}"
        );
        assert_eq!(
            w.contains(&ds.servers[i].id),
            i != 30,
            "{q} finds itself only when it has apps"
        );
    }
}
