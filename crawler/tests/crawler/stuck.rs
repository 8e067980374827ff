//! Requests that hang or answer too much: a request in flight ends at the deadline (less the
//! wrap-up reserve), not at the client's timeout, and counts as left for the next night; one
//! stuck request does not stall the others; bodies and fields from strangers are capped.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::fake::{self, github_repo, packument, pypi_project, Hosts, Resp, World};
use crawler::crawl::{crawl, Options};
use crawler::http::HttpConfig;
use dataset::Source;
use serde_json::json;

const NOW: &str = "2026-11-22T00:00:00Z";

/// Not flaky on a loaded 2-core machine, still far below the client's timeout.
const MARGIN: Duration = Duration::from_secs(3);

fn options(hosts: &Hosts, dir: &Path, deadline: Duration) -> Options {
    let mut http = HttpConfig::new("hisper/test (+http://contact.invalid)");
    http.min_spacing = Duration::ZERO;
    http.per_host_concurrency = 4;
    http.base_backoff = Duration::from_millis(2);
    http.max_retries = 2;
    // Far longer than the deadline: only the deadline can end a hung request in time.
    http.timeout = Duration::from_secs(60);
    http.cache_dir = Some(dir.join("http-cache"));
    http.deadline = Some(crawler::deadline_after(deadline));
    let mut o = Options::new(
        hosts.endpoints(None),
        http,
        NOW.into(),
        dir.join("checkpoint.json"),
    );
    o.github_queries = vec!["topic:mcp-server".into()];
    o.npm_queries = vec!["keywords:mcp".into()];
    o.concurrency = 4;
    o.politeness.clear();
    o
}

/// 20 repositories with a README each (`owner/repo-0` most starred), 6 npm packages linking
/// repositories GitHub does not list (resolved by the final pass), 4 PyPI projects.
fn world() -> World {
    let mut w = World::default();
    for i in 0..20u64 {
        let full = format!("owner/repo-{i}");
        let mut repo = github_repo(
            100 + i,
            &full,
            "2025-01-01T00:00:00Z",
            "2026-10-01T00:00:00Z",
        );
        repo["stargazers_count"] = json!(1000 - i);
        w.github.insert(full.clone(), repo);
        w.files.insert(
            full.clone(),
            [("README.md".to_string(), format!("# readme of {full}\n"))]
                .into_iter()
                .collect(),
        );
    }
    for i in 0..6 {
        let name = format!("mcp-pkg-{i}");
        let repo = json!(format!("github:npmowner/linked-{i}"));
        w.npm
            .insert(name.clone(), packument(&name, "1.0.0", Some(repo)));
    }
    for i in 0..4 {
        let name = format!("mcp-py-{i}");
        w.pypi_index.push((name.clone(), 10 + i));
        w.pypi
            .insert(fake::pep503(&name), pypi_project(&name, None));
    }
    w
}

fn readmes(ds: &dataset::Dataset) -> usize {
    ds.servers
        .iter()
        .filter(|s| {
            s.readme
                .as_deref()
                .is_some_and(|r| r.contains("readme of owner/"))
        })
        .count()
}

#[test]
fn a_hung_rate_limit_call_ends_at_the_deadline_and_the_other_sources_finish() {
    let w = world();
    w.fault(
        "/github/rate_limit",
        1,
        Resp::json(&json!({})).delayed(Duration::from_secs(40)),
    );
    let (hosts, _w) = w.serve_hosts();
    let dir = tempfile::tempdir().unwrap();
    let deadline = Duration::from_secs(6);
    let o = options(&hosts, dir.path(), deadline);
    let t0 = Instant::now();
    let r = crawl(&o, None).unwrap();
    let took = t0.elapsed();
    assert!(
        took < deadline + MARGIN,
        "ended {took:?} after a {deadline:?} deadline"
    );
    for name in ["npm", "pypi", "mcp-registry"] {
        let s = &r.report.sources[name];
        assert_eq!(s.status, "ok", "{name}: {s:?}");
    }
    // The cut request is not an error of the record; nothing is.
    let gh = &r.report.sources["github"];
    assert!(gh.errors.is_empty(), "{:?}", gh.errors);
    // The fake's thread still sleeps on the hung answer: do not wait for it.
    std::mem::forget(hosts);
}

#[test]
fn one_hung_readme_does_not_stall_the_other_repositories_or_the_final_pass() {
    let w = world();
    w.fault(
        "/github/repos/owner/repo-0/readme",
        1,
        Resp::text(200, "application/vnd.github.raw+json", "late").delayed(Duration::from_secs(40)),
    );
    let (hosts, _w) = w.serve_hosts();
    let dir = tempfile::tempdir().unwrap();
    let deadline = Duration::from_secs(6);
    let o = options(&hosts, dir.path(), deadline);
    let t0 = Instant::now();
    let r = crawl(&o, None).unwrap();
    let took = t0.elapsed();
    assert!(
        took < deadline + MARGIN,
        "ended {took:?} after a {deadline:?} deadline"
    );
    let gh = &r.report.sources["github"];
    assert_eq!(gh.status, "ok", "{gh:?}");
    assert!(gh.errors.is_empty(), "{:?}", gh.errors);
    // The other 19 repositories were enriched; the hung one is left for the next night.
    assert_eq!(readmes(&r.dataset), 19, "{gh:?}");
    let plan = gh.plan.as_ref().unwrap();
    assert_eq!(plan.left_for_next_night, 1, "{plan:?}");
    // The final pass ran: the repositories npm packages link to were asked for.
    let linked = hosts.github.count("/github/repos/npmowner/");
    assert_eq!(linked, 6, "final pass requests: {linked}");
    assert!(r.dataset.servers.iter().any(|s| s.has_source(Source::Npm)));
    std::mem::forget(hosts);
}
