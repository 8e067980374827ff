//! End-to-end properties of `enrich::enrich`: deterministic and idempotent output, scores that
//! recompute from their stored components, adversarial records (empty, 1 MB and keyword-stuffed
//! descriptions), `categories.json`, and a run over the bundled real sample.

use std::collections::BTreeSet;

use dataset::{Dataset, Server, Source, SourceEntry};
use enrich::score;

fn hidden() -> indicatif::ProgressBar {
    indicatif::ProgressBar::hidden()
}

fn enriched(mut ds: Dataset) -> Dataset {
    enrich::enrich(&mut ds, &hidden());
    ds
}

fn npm(name: &str, desc: &str, downloads: u64) -> Server {
    let mut e = SourceEntry::new(Source::Npm, name, "2026-11-01T00:00:00Z");
    e.downloads_monthly = Some(downloads);
    e.summary = Some(desc.to_string());
    e.updated_at = Some("2026-11-15T00:00:00Z".into());
    Server {
        id: format!("npm:{name}"),
        name: name.into(),
        description: Some(desc.into()),
        sources: vec![e],
        first_seen: "2026-11-01T00:00:00Z".into(),
        last_seen: "2026-11-22T00:00:00Z".into(),
        last_changed: "2026-11-22T00:00:00Z".into(),
        ..Default::default()
    }
}

fn sample_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/servers.json")
}

#[test]
fn two_runs_are_byte_identical_and_a_rerun_changes_nothing() {
    let ds = dataset::synthetic::catalogue(600, 11);
    let a = enriched(ds.clone());
    let b = enriched(ds);
    let bytes_a = dataset::to_canonical_bytes(&a);
    assert_eq!(bytes_a, dataset::to_canonical_bytes(&b));
    assert_eq!(enrich::categories_json(&a), enrich::categories_json(&b));
    // Idempotent: enriching its own output (the fields it wrote included) gives the same bytes.
    let again = enriched(dataset::load_bytes(&bytes_a).expect("reloads"));
    assert_eq!(bytes_a, dataset::to_canonical_bytes(&again));
    // And it did fill things in.
    assert!(a
        .servers
        .iter()
        .all(|s| !s.categories.is_empty() && s.score.is_some()));
    assert!(a.servers.iter().any(|s| s.safety.is_some()));
    assert!(a.servers.iter().any(|s| !s.similar.is_empty()));
}

#[test]
fn every_score_recomputes_from_its_components() {
    let ds = enriched(dataset::synthetic::catalogue(800, 5));
    let max = [
        ("popularity", score::POPULARITY),
        ("health", score::HEALTH),
        ("maintenance", score::MAINTENANCE),
        ("documentation", score::DOCUMENTATION),
        ("trust", score::TRUST),
    ];
    for s in &ds.servers {
        let sc = s.score.as_ref().expect("scored");
        assert_eq!(
            sc.total,
            score::recompute(&sc.components, &sc.penalties),
            "{}",
            s.id
        );
        assert!((0.0..=100.0).contains(&sc.total));
        let keys: BTreeSet<&str> = sc.components.keys().map(String::as_str).collect();
        assert_eq!(keys, max.iter().map(|(k, _)| *k).collect());
        for (k, m) in max {
            let v = sc.components[k];
            assert!((0.0..=m).contains(&v), "{}: {k} = {v}", s.id);
        }
        for p in &sc.penalties {
            assert_eq!(p.points, score::penalty_points(&p.code));
            assert!(!p.reason.is_empty());
        }
    }
}

#[test]
fn adversarial_records_are_handled() {
    let mut ds = Dataset::new("2026-11-22T00:00:00Z");
    ds.servers.push(npm("empty-desc", "", 10));
    let mut none = npm("no-desc", "x", 10);
    none.description = None;
    none.sources[0].summary = None;
    ds.servers.push(none);
    // 1 MB description, also in the README and a tool.
    let huge = "database ".repeat(120_000);
    let mut big = npm("huge-desc", &huge, 10);
    big.readme = Some(format!("# Title\n{huge}"));
    ds.servers.push(big);
    // Keyword stuffing: every category's vocabulary at once.
    let stuffing: Vec<String> = [
        "postgres",
        "slack",
        "gmail",
        "calendar",
        "notion",
        "playwright",
        "kubernetes",
        "aws",
        "stripe",
        "shopify",
        "weather",
        "spotify",
        "sentry",
        "vulnerability",
        "github",
        "filesystem",
        "sandbox",
        "openai",
        "memory",
        "pandas",
        "home assistant",
        "terminal",
        "web search",
        "linter",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut stuffed = npm("everything-mcp", &stuffing.join(" "), 5_000);
    stuffed.keywords = stuffing.clone();
    let mut honest = npm(
        "postgres-mcp-honest",
        "Query and manage PostgreSQL databases",
        5_000,
    );
    honest.keywords = vec!["postgres".into(), "sql".into()];
    ds.servers.push(stuffed);
    ds.servers.push(honest);
    let t = std::time::Instant::now();
    let ds = enriched(ds);
    assert!(t.elapsed().as_secs() < 30, "took {:?}", t.elapsed());
    let get = |id: &str| ds.get(id).unwrap_or_else(|| panic!("{id}"));

    for id in ["npm:empty-desc", "npm:no-desc"] {
        let s = get(id);
        assert_eq!(s.categories[0].id, "other");
        assert!(s
            .checklist
            .0
            .iter()
            .any(|c| c.id == "description" && !c.passed));
    }
    let big = get("npm:huge-desc");
    assert_eq!(big.categories[0].id, "databases");
    assert!(big.categories.iter().all(|c| c.evidence.len() <= 6));
    assert!(big
        .checklist
        .0
        .iter()
        .any(|c| c.id == "description" && !c.passed));

    let st = get("npm:everything-mcp");
    let ho = get("npm:postgres-mcp-honest");
    assert!(st.categories.len() <= 3, "{:?}", st.categories);
    assert!(
        st.categories.iter().all(|c| c.score < 0.5),
        "{:?}",
        st.categories
    );
    let (sst, sho) = (st.score.as_ref().unwrap(), ho.score.as_ref().unwrap());
    assert!(sst.penalties.iter().any(|p| p.code == "keyword-stuffing"));
    assert!(
        sst.total + 20.0 <= sho.total,
        "{} vs {}",
        sst.total,
        sho.total
    );
    let best = ds
        .servers
        .iter()
        .map(|s| s.score.as_ref().unwrap().total)
        .fold(0.0, f64::max);
    assert!(sst.total < best);
}

#[test]
fn categories_file_lists_every_category_sorted_with_counts() {
    let ds = enriched(dataset::synthetic::catalogue(300, 3));
    let bytes = enrich::categories_json(&ds);
    assert!(bytes.ends_with(b"\n"));
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    let cats = v["categories"].as_array().expect("array");
    assert_eq!(cats.len(), enrich::taxonomy::CATEGORIES.len());
    let ids: Vec<&str> = cats.iter().map(|c| c["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    let total: u64 = cats.iter().map(|c| c["count"].as_u64().unwrap()).sum();
    let assigned: usize = ds.servers.iter().map(|s| s.categories.len()).sum();
    assert_eq!(total as usize, assigned);
    for c in cats {
        assert!(!c["label"].as_str().unwrap().is_empty());
        assert!(!c["description"].as_str().unwrap().is_empty());
    }
}

#[test]
fn the_bundled_sample_enriches_deterministically() {
    let path = sample_path();
    let ds = dataset::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(ds.servers.len() >= 1000, "{} servers", ds.servers.len());
    let a = enriched(ds.clone());
    let b = enriched(ds);
    assert_eq!(
        dataset::to_canonical_bytes(&a),
        dataset::to_canonical_bytes(&b)
    );
    let n = a.servers.len();
    let categorized = a
        .servers
        .iter()
        .filter(|s| s.categories.iter().any(|c| c.id != "other"))
        .count();
    let with_similar = a.servers.iter().filter(|s| !s.similar.is_empty()).count();
    eprintln!("sample: {n} servers, {categorized} categorized, {with_similar} with similar");
    // Measured 1,759 of 2,313 (76%); the rest are mostly placeholders and non-servers.
    assert!(
        categorized * 10 >= n * 7,
        "{categorized} of {n} categorized"
    );
    assert!(
        with_similar * 2 >= n,
        "{with_similar} of {n} with similar servers"
    );
    // Popular servers outrank obscure ones on average.
    let mut by_dl: Vec<&Server> = a.servers.iter().collect();
    by_dl.sort_by_key(|s| std::cmp::Reverse(s.downloads_monthly()));
    let avg = |xs: &[&Server]| {
        xs.iter()
            .map(|s| s.score.as_ref().unwrap().total)
            .sum::<f64>()
            / xs.len() as f64
    };
    let top = avg(&by_dl[..100]);
    let bottom = avg(&by_dl[n - 100..]);
    assert!(top > bottom + 10.0, "top {top:.1} vs bottom {bottom:.1}");
    // No server lists itself or a copy of itself as similar.
    for s in &a.servers {
        assert!(!s.similar.contains(&s.id), "{}", s.id);
        if let Some(of) = &s.duplicates.of {
            assert!(!s.similar.contains(of), "{}", s.id);
        }
    }
}
