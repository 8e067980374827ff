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

#[test]
fn a_huge_body_is_an_error_of_its_record_and_a_huge_field_is_capped() {
    let mut w = world();
    // Over the 1 MiB document cap of this test: never read whole, an error of that record.
    let mut huge = pypi_project("mcp-huge", None);
    huge["info"]["summary"] = json!("x".repeat(8 << 20));
    w.pypi_index.push(("mcp-huge".into(), 99));
    w.pypi.insert("mcp-huge".into(), huge);
    // Under the cap, but a field far past its own cap: cut to 2,000 chars, ending in "…".
    let mut long = pypi_project("mcp-long", None);
    long["info"]["summary"] = json!(format!("MCP server {}", "é".repeat(300_000)));
    long["info"]["keywords"] = json!(format!("mcp,{}", "k".repeat(5_000)));
    w.pypi_index.push(("mcp-long".into(), 98));
    w.pypi.insert("mcp-long".into(), long);
    // A README past the README cap is read only up to it.
    w.files.get_mut("owner/repo-3").unwrap().insert(
        "README.md".into(),
        format!("# readme of owner/repo-3\n{}", "r".repeat(4 << 20)),
    );
    let (hosts, _w) = w.serve_hosts();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&hosts, dir.path(), Duration::from_secs(60));
    o.http.max_body = 1 << 20;
    let r = crawl(&o, None).unwrap();
    let py = &r.report.sources["pypi"];
    assert_eq!(py.errors.len(), 1, "{:?}", py.errors);
    assert!(
        py.errors[0].url.contains("mcp-huge") && py.errors[0].message.contains("cap"),
        "{:?}",
        py.errors
    );
    let by_source = |src: Source, id: &str| {
        r.dataset.servers.iter().find(|s| {
            s.sources
                .iter()
                .any(|e| e.source == src && e.identifier == id)
        })
    };
    // The others were fetched; the huge one is listed by name only.
    assert!(by_source(Source::Pypi, "mcp-py-0").is_some());
    let listed = by_source(Source::Pypi, "mcp-huge").expect("listed by name");
    assert!(listed.description.as_deref().unwrap_or("").len() < 10_000);
    let long = by_source(Source::Pypi, "mcp-long").expect("mcp-long");
    let e = long
        .sources
        .iter()
        .find(|e| e.source == Source::Pypi)
        .unwrap();
    let summary = e.summary.as_deref().unwrap();
    assert_eq!(
        summary.chars().count(),
        dataset::DESCRIPTION_CAP,
        "{}",
        &summary[..40]
    );
    assert!(summary.ends_with('…'));
    let d = long.description.as_deref().unwrap();
    assert!(d.chars().count() <= dataset::DESCRIPTION_CAP && d.ends_with('…'));
    assert!(long
        .keywords
        .iter()
        .all(|k| k.len() <= dataset::KEYWORD_CAP));
    let repo3 = r
        .dataset
        .servers
        .iter()
        .find(|s| {
            s.readme
                .as_deref()
                .is_some_and(|t| t.starts_with("# readme of owner/repo-3"))
        })
        .expect("repo-3's README");
    assert!(repo3.readme.as_ref().unwrap().len() <= dataset::README_CAP);
    assert!(
        dataset::validate::validate_value(&serde_json::to_value(&r.dataset).unwrap()).is_empty()
    );
    // Validation flags what slipped past the caps.
    let mut bad = long.clone();
    bad.description = Some("d".repeat(dataset::DESCRIPTION_CAP + 1));
    let problems = dataset::validate::check_server(&bad);
    assert!(
        problems.iter().any(|(f, _)| f == "description"),
        "{problems:?}"
    );
}

/// Everything logged in this test binary (other tests' crawls too: filter by name).
#[derive(Clone, Default)]
struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn record_failures_are_logged_once_each_up_to_a_cap_and_told_apart_from_leftovers() {
    let log = Log::default();
    let writer = log.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::WARN)
            .with_writer(move || writer.clone())
            .finish(),
    )
    .expect("the only test that sets a subscriber");
    let mut w = world();
    for i in 0..25 {
        let name = format!("mcp-broken-{i:02}");
        w.npm.insert(name.clone(), packument(&name, "1.0.0", None));
    }
    // Truncated JSON for every broken packument.
    w.fault(
        "/npm/mcp-broken-",
        1_000,
        Resp::text(200, "application/json", "{\"name\": \"mcp-bro"),
    );
    let (hosts, _w) = w.serve_hosts();
    let dir = tempfile::tempdir().unwrap();
    let r = crawl(&options(&hosts, dir.path(), Duration::from_secs(60)), None).unwrap();
    let npm = &r.report.sources["npm"];
    assert_eq!(npm.errors.len(), 25, "{:?}", npm.errors);
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("WARN") && l.contains("npm: mcp-broken-"))
        .collect();
    assert_eq!(lines.len(), 20, "{text}");
    assert!(
        lines
            .iter()
            .all(|l| l.contains("failed") && l.contains("invalid JSON")),
        "{lines:?}"
    );
    // Each once.
    let names: std::collections::BTreeSet<&str> = lines
        .iter()
        .filter_map(|l| l.split("npm: ").nth(1)?.split(' ').next())
        .collect();
    assert_eq!(names.len(), 20, "{lines:?}");
    assert!(
        text.contains("npm: and 5 more errors, see crawl-report.json"),
        "{text}"
    );
    // Failures are not budget leftovers.
    assert!(
        npm.notes
            .iter()
            .any(|n| n.contains("25 failed (see errors), 0 left for the next night")),
        "{:?}",
        npm.notes
    );
    let plan = npm.plan.as_ref().unwrap();
    assert_eq!((plan.enrich_failed, plan.left_for_next_night), (25, 0));
    assert!(r
        .report
        .table()
        .contains("25 failed (see errors), 0 left for the next night"));
}

#[test]
fn on_a_slow_api_the_plan_counts_its_latency_not_just_its_spacing() {
    // Every GitHub answer takes 1 s; the spacing (zero here) would promise every repository.
    let mut w = world();
    let mut l = fake::Limits::scaled(Some("ghp_fake_0123456789"), 1.0);
    l.github_delay = Duration::from_secs(1);
    w.limits = Some(l);
    let (hosts, _w) = w.serve_hosts();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&hosts, dir.path(), Duration::from_secs(8));
    o.endpoints.github_token = Some("ghp_fake_0123456789".into());
    let r = crawl(&o, None).unwrap();
    let gh = &r.report.sources["github"];
    let plan = gh.plan.as_ref().unwrap();
    assert_eq!(plan.limited_by.as_deref(), Some("time"), "{plan:?}");
    assert!(plan.enrich_planned < 20, "{plan:?}");
    // What it planned, it mostly did (the tester saw 17 planned and 0 done).
    let done = readmes(&r.dataset) as u64;
    assert!(
        done >= 1 && done + plan.left_for_next_night == 20,
        "{done} {plan:?}"
    );
}
