//! GitHub across several nights on a `--now` clock: incremental `pushed:` searches between
//! full sweeps, and what only a sweep sees (a repository that gained the topic without a push,
//! a deleted repository, changed star counts); and a first night cut short by the search
//! budget, which still publishes what discovery found.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::fake::{github_repo, Fake, Limits, World};
use crawler::crawl::{crawl, CrawlResult, Options};
use dataset::{Dataset, Source};
use serde_json::json;

/// The end-to-end tests' options ([`crate::crawl::options`]), GitHub only, on the clock `now`.
fn options(fake: &Fake, dir: &Path, now: &str) -> Options {
    let mut o = crate::crawl::options(fake, dir, &[Source::Github]);
    o.now = now.into();
    o
}

/// The `q` of every search request the fake saw.
fn searches(fake: &Fake) -> Vec<String> {
    fake.requests()
        .iter()
        .filter(|l| l.path.ends_with("/search/repositories"))
        .filter_map(|l| l.query.get("q").cloned())
        .collect()
}

/// Tonight's crawl against `w` (served fresh), returning the world for the next night.
fn night(
    w: World,
    dir: &Path,
    now: &str,
    prev: Option<&Dataset>,
) -> (CrawlResult, World, Vec<String>) {
    let (fake, w) = w.serve();
    let mut o = options(&fake, dir, now);
    o.github_sweep_days = 2;
    let r = crawl(&o, prev).unwrap();
    let q = searches(&fake);
    drop(fake);
    let w = Arc::try_unwrap(w).ok().expect("sole owner");
    (r, w, q)
}

fn stars(ds: &Dataset, id: &str) -> Option<u64> {
    let s = ds.get(id)?;
    s.sources
        .iter()
        .find(|e| e.source == Source::Github)
        .and_then(|e| e.stars)
}

#[test]
fn nights_between_sweeps_stay_incremental_and_a_sweep_finds_removes_and_refreshes() {
    const N1: &str = "2026-12-04T04:00:00Z";
    const N2: &str = "2026-12-05T04:00:00Z";
    const N3: &str = "2026-12-06T04:00:00Z";
    const N4: &str = "2026-12-07T04:00:00Z";
    let mut w = World::default();
    for i in 0..6 {
        let full = format!("acme/weather-mcp-{i}");
        let mut r = github_repo(
            100 + i,
            &full,
            "2025-06-01T00:00:00Z",
            "2026-10-01T00:00:00Z",
        );
        r["stargazers_count"] = json!(100);
        w.github.insert(full, r);
    }
    let dir = tempfile::tempdir().unwrap();

    // Night 1: the first night sweeps everything.
    let (n1, mut w, q1) = night(w, dir.path(), N1, None);
    assert_eq!(n1.dataset.servers.len(), 6);
    assert!(q1.iter().all(|q| q.contains("created:")), "{q1:?}");

    // Before night 2: an old repository gains the topic without a push, one is deleted, one
    // gains stars without a push, one is pushed.
    let old = github_repo(
        900,
        "legacy/old-tool",
        "2020-01-01T00:00:00Z",
        "2021-01-01T00:00:00Z",
    );
    w.github.insert("legacy/old-tool".into(), old);
    w.github.remove("acme/weather-mcp-5");
    w.github.get_mut("acme/weather-mcp-0").unwrap()["stargazers_count"] = json!(999);
    w.github.get_mut("acme/weather-mcp-1").unwrap()["pushed_at"] = json!("2026-12-04T12:00:00Z");

    // Night 2: incremental (the sweep is a day old): only what was pushed is searched.
    let (n2, w, q2) = night(w, dir.path(), N2, Some(&n1.dataset));
    assert!(!q2.is_empty());
    assert!(
        q2.iter()
            .all(|q| q.contains("pushed:2026-12-03T04:00:00Z..")),
        "{q2:?}"
    );
    let ds = &n2.dataset;
    assert!(ds.get("github:legacy/old-tool").is_none());
    assert_eq!(stars(ds, "github:acme/weather-mcp-0"), Some(100));
    // The deleted repository is still listed, but not as seen tonight.
    let gone = ds
        .get("github:acme/weather-mcp-5")
        .expect("kept until a sweep");
    assert_eq!(gone.last_seen, N1);
    assert_eq!(gone.sources[0].last_seen, N1);
    // What the search returned tonight is seen tonight; what it did not, keeps its night.
    assert_eq!(ds.get("github:acme/weather-mcp-1").unwrap().last_seen, N2);
    assert_eq!(ds.get("github:acme/weather-mcp-2").unwrap().last_seen, N1);
    assert_eq!(n2.report.sources["github"].removed, 0);

    // Night 3: the sweep is two days old: a full sweep.
    let (n3, w, q3) = night(w, dir.path(), N3, Some(&n2.dataset));
    assert!(q3.iter().all(|q| q.contains("created:")), "{q3:?}");
    let ds = &n3.dataset;
    let found = ds
        .get("github:legacy/old-tool")
        .expect("found by the sweep");
    assert_eq!(found.last_seen, N3);
    assert!(ds.get("github:acme/weather-mcp-5").is_none(), "removed");
    assert_eq!(n3.report.sources["github"].removed, 1);
    assert!(
        n3.report.sources["github"]
            .notes
            .iter()
            .any(|n| n.contains("acme/weather-mcp-5")),
        "{:?}",
        n3.report.sources["github"].notes
    );
    assert_eq!(stars(ds, "github:acme/weather-mcp-0"), Some(999));
    assert_eq!(ds.servers.len(), 6);
    for s in &ds.servers {
        assert_eq!(s.last_seen, N3, "{}", s.id);
    }

    // Night 4: incremental again, nothing lost.
    let (n4, _w, q4) = night(w, dir.path(), N4, Some(&n3.dataset));
    assert!(
        q4.iter()
            .all(|q| q.contains("pushed:2026-12-05T04:00:00Z..")),
        "{q4:?}"
    );
    assert_eq!(n4.dataset.servers.len(), 6);
    assert_eq!(n4.report.sources["github"].removed, 0);
    assert_eq!(
        n4.dataset.get("github:legacy/old-tool").unwrap().last_seen,
        N3
    );
}

#[test]
fn a_first_night_cut_short_by_the_search_budget_publishes_what_it_found() {
    // 250 repositories, 3 pages; 2 searches a (3 s) minute and a 2 s deadline: the budget
    // runs out after 2 pages. (With a token, so the core budget covers enrichment.)
    let mut w = World::default();
    for i in 0..250u64 {
        let full = format!("o{}/mcp-{i}", i % 30);
        let created = format!("2025-{:02}-{:02}T00:00:00Z", 1 + i % 12, 1 + i % 28);
        w.github.insert(
            full.to_lowercase(),
            github_repo(10_000 + i, &full, &created, "2026-10-01T00:00:00Z"),
        );
    }
    let mut limits = Limits::scaled(Some("ghp_test"), 20.0);
    limits.search = (2, 2);
    w.limits = Some(limits);
    let (fake, w) = w.serve();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&fake, dir.path(), "2026-12-04T04:00:00Z");
    o.endpoints.github_token = Some("ghp_test".into());
    o.time_scale = 20.0;
    o.http.deadline = Some(crawler::deadline_after(Duration::from_secs(2)));
    let first = crawl(&o, None).unwrap();
    let gh = &first.report.sources["github"];
    assert_eq!(gh.status, "partial", "{gh:?}");
    let sent = searches(&fake).len() as u64;
    assert_eq!(sent, 2, "{gh:?}");
    assert_eq!(first.dataset.servers.len(), 200, "{gh:?}");
    assert_eq!(gh.found, 200);
    let plan = gh.plan.as_ref().expect("plan");
    // Counted as the requests went, not only when discovery finished (the last one was
    // refused before it was sent).
    assert!(
        (sent..=sent + 1).contains(&plan.discovery_requests_made),
        "{plan:?}"
    );
    assert!(
        gh.notes.iter().any(|n| n.contains("published")),
        "{:?}",
        gh.notes
    );
    // The next night resumes the search and completes it.
    o.http.deadline = None;
    let second = crawl(&o, Some(&first.dataset)).unwrap();
    assert_eq!(second.report.sources["github"].status, "ok");
    assert_eq!(second.dataset.servers.len(), 250);
    drop(w);
}
