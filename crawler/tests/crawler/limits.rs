//! Crawls against fakes that enforce the real limits, each API on its own host: the token goes
//! to every GitHub request and to no other host, the report shows the budgets, a GitHub without
//! a token finishes discovery inside its limits, a slow or rate-limited GitHub does not hold
//! up npm and PyPI, and a slow host does not make the crawl end a request's latency late.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::fake::{
    self, github_repo, packument, pypi_project, registry_entry, Hosts, Limits, Resp, World,
};
use crawler::crawl::{crawl, Options};
use crawler::http::HttpConfig;
use dataset::Source;
use serde_json::json;

const NOW: &str = "2026-11-22T00:00:00Z";
const TOKEN: &str = "ghp_fake_0123456789";

fn options(hosts: &Hosts, dir: &Path, token: Option<&str>) -> Options {
    let mut http = HttpConfig::new("hisper/test (+http://contact.invalid)");
    http.min_spacing = Duration::ZERO;
    http.per_host_concurrency = 4;
    http.base_backoff = Duration::from_millis(2);
    http.max_retries = 2;
    http.cooldown = Duration::from_millis(200);
    http.timeout = Duration::from_secs(10);
    http.cache_dir = Some(dir.join("http-cache"));
    let mut o = Options::new(
        hosts.endpoints(token),
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

/// `n` repositories (every third with a README and a package.json), 30 npm packages, 20 PyPI
/// projects among 2,000 names, 10 Registry entries.
fn world(n: u64) -> World {
    let mut w = World::default();
    for i in 0..n {
        let created = format!(
            "{}-{:02}-{:02}T{:02}:00:00Z",
            2021 + i % 5,
            1 + i % 12,
            1 + i % 28,
            i % 24
        );
        let full = format!("owner{}/mcp-server-{i}", i % 40);
        let mut repo = github_repo(5000 + i, &full, &created, "2026-10-01T00:00:00Z");
        repo["stargazers_count"] = json!(i * 7 % 101);
        w.github.insert(full.to_lowercase(), repo);
        if i % 3 == 0 {
            w.files.insert(
                full.to_lowercase(),
                [
                    ("README.md".to_string(), format!("# {full}\n")),
                    (
                        "package.json".to_string(),
                        json!({"name": format!("gh-pkg-{i}"), "bin": {"x": "i.js"}}).to_string(),
                    ),
                ]
                .into_iter()
                .collect(),
            );
        }
    }
    for (i, name) in fake::real_names("npm-mcp-packages.tsv", 30)
        .iter()
        .enumerate()
    {
        let repo = (i % 2 == 0).then(|| json!(format!("github:npmowner/repo-{i}")));
        w.npm.insert(name.clone(), packument(name, "1.0.0", repo));
        w.npm_downloads.insert(name.clone(), 10 + i as u64);
    }
    for (i, name) in fake::real_names("pypi-mcp-packages.tsv", 20)
        .iter()
        .enumerate()
    {
        w.pypi_index.push((name.clone(), 100 + i as u64));
        w.pypi.insert(fake::pep503(name), pypi_project(name, None));
    }
    for i in 0..2000 {
        w.pypi_index.push((format!("unrelated-package-{i}"), 5));
    }
    for i in 0..10 {
        w.registry.push(registry_entry(
            &format!("io.github.reg/s{i}"),
            None,
            Some(("https://github.com/reg/servers", Some(&format!("s{i}")))),
            "2026-10-01T00:00:00Z",
        ));
    }
    w
}

fn present(w: &World, source: Source) -> usize {
    match source {
        Source::Github => w.github.len(),
        Source::Npm => w.npm.len(),
        // Names the index alone shows to be MCP-related (others are found only through links).
        Source::Pypi => w
            .pypi_index
            .iter()
            .filter(|(n, _)| crawler::sources::pypi::is_candidate(&fake::pep503(n)))
            .count(),
        Source::McpRegistry => w.registry.len(),
    }
}

#[test]
fn the_token_goes_to_every_github_request_and_to_no_other_host() {
    let mut w = world(40);
    w.limits = Some(Limits::real(Some(TOKEN)));
    // One renamed repository (301 inside the API base), and a README that redirects to another
    // host: the token must follow the first and never the second.
    let moved = w.github.get("owner1/mcp-server-1").cloned().unwrap();
    let mut now = moved.clone();
    now["full_name"] = json!("newowner/mcp-server-1");
    now["html_url"] = json!("https://github.com/newowner/mcp-server-1");
    w.github.insert("newowner/mcp-server-1".into(), now);
    w.renamed
        .insert("owner1/mcp-server-1".into(), "newowner/mcp-server-1".into());
    let (hosts, w) = w.serve_hosts();
    w.fault(
        "/github/repos/owner3/mcp-server-3/readme",
        1,
        Resp::text(302, "text/plain", "").with(
            "Location",
            &format!("{}/npm/elsewhere/readme", hosts.npm.base),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let r = crawl(&options(&hosts, dir.path(), Some(TOKEN)), None).unwrap();
    assert_eq!(r.report.sources["github"].status, "ok", "{:?}", r.report);

    let gh = hosts.github.requests();
    let unauthenticated: Vec<&str> = gh
        .iter()
        .filter(|l| l.authorization() != Some(&format!("Bearer {TOKEN}")))
        .map(|l| l.path.as_str())
        .collect();
    assert!(
        unauthenticated.is_empty(),
        "GitHub requests without the token: {unauthenticated:?}"
    );
    // Every kind of GitHub request was made (and so carried the token).
    for kind in [
        "/github/rate_limit",
        "/github/search/repositories",
        "/readme",
        "/contents/",
        "/contents/package.json",
        "/github/repos/newowner/mcp-server-1",
    ] {
        assert!(
            gh.iter().any(|l| l.path.contains(kind)),
            "no {kind} request among {} GitHub requests",
            gh.len()
        );
    }
    for (name, host) in hosts.all() {
        if name == "github" {
            continue;
        }
        let leaked: Vec<String> = host
            .requests()
            .iter()
            .filter(|l| l.authorization().is_some())
            .map(|l| l.path.clone())
            .collect();
        assert!(leaked.is_empty(), "{name} got credentials: {leaked:?}");
        // (Downloads come with npm's search hits here, so that host may not be asked.)
        assert!(
            name == "downloads" || !host.requests().is_empty(),
            "{name} was never asked"
        );
    }
    assert!(
        hosts
            .npm
            .requests()
            .iter()
            .any(|l| l.path == "/npm/elsewhere/readme"),
        "the cross-host redirect was followed (without the token)"
    );
    // The followed rename is one record under its new name.
    assert!(r.dataset.get("github:newowner/mcp-server-1").is_some());
    assert!(r.dataset.get("github:owner1/mcp-server-1").is_none());

    // The budgets: with the token, 5,000 core and 30 searches, read at start and end.
    let rl = &r.report.sources["github"].rate_limits;
    for res in ["core", "search", "code_search"] {
        let span = rl
            .get(res)
            .unwrap_or_else(|| panic!("no {res} budget: {rl:?}"));
        assert!(
            span.start.is_some() && span.end.is_some(),
            "{res}: {span:?}"
        );
    }
    let core = &rl["core"];
    assert_eq!(core.start.as_ref().unwrap().limit, 5000);
    assert_eq!(rl["search"].start.as_ref().unwrap().limit, 30);
    let spent = core.start.as_ref().unwrap().remaining - core.end.as_ref().unwrap().remaining;
    let core_requests = gh
        .iter()
        .filter(|l| {
            let rest = l.path.trim_start_matches("/github/");
            fake::github_resource(rest) == Some("core")
        })
        .count() as u64;
    assert_eq!(spent, core_requests, "the end budget is the fake's");
    assert!(r
        .report
        .table()
        .contains("github rate limit core: 5000/5000 at start"));
}

#[test]
fn a_wrong_token_is_a_source_error_not_a_silent_anonymous_crawl() {
    let mut w = world(5);
    w.limits = Some(Limits::real(Some(TOKEN)));
    let (hosts, _w) = w.serve_hosts();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&hosts, dir.path(), Some("wrong"));
    o.sources = vec![Source::Github];
    let r = crawl(&o, None).unwrap();
    assert_eq!(r.report.sources["github"].status, "failed");
    assert!(hosts
        .github
        .requests()
        .iter()
        .all(|l| l.authorization() == Some("Bearer wrong")));
}

#[test]
fn without_a_token_github_finishes_discovery_within_the_anonymous_limits() {
    // 300 repositories under 4 queries: 16 searches against 10 a minute, and far more
    // enrichment than 60 core requests an hour. A minute lasts 3 s here (scale 20).
    let mut w = world(300);
    w.limits = Some(Limits::scaled(None, 20.0));
    let (hosts, w) = w.serve_hosts();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&hosts, dir.path(), None);
    o.github_queries = vec![
        "topic:mcp-server".into(),
        "topic:mcp".into(),
        "topic:model-context-protocol".into(),
        "\"mcp server\" in:name,description".into(),
    ];
    o.time_scale = 20.0;
    o.http.deadline = Some(crawler::deadline_after(Duration::from_secs(20)));
    let t = Instant::now();
    let r = crawl(&o, None).unwrap();
    // Waiting for the hourly core reset (180 s here) would pass the deadline: it stops at once.
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
    let gh = &r.report.sources["github"];
    assert_eq!(gh.status, "ok", "{gh:?}");
    assert_eq!(gh.found as usize, present(&w, Source::Github), "{gh:?}");
    // 12 searches against 10 a (3 s) minute: unless the machine was slow enough for the window
    // to roll over by itself, the limit was waited out.
    let searches: Vec<Instant> = hosts
        .github
        .requests()
        .iter()
        .filter(|l| l.path.ends_with("/search/repositories"))
        .map(|l| l.start)
        .collect();
    assert!(searches.len() >= 12, "{} searches", searches.len());
    let span = *searches.iter().max().unwrap() - *searches.iter().min().unwrap();
    assert!(
        gh.rate_limit_waits >= 1 || span >= Duration::from_secs(3),
        "the search limit was neither waited out nor outlasted ({span:?}): {gh:?}"
    );
    assert!(
        gh.notes
            .iter()
            .any(|n| n.contains("left for the next night")),
        "{:?}",
        gh.notes
    );
    let st = w.limit_state.lock().unwrap();
    // The crawler paced itself by the headers: at most one refused search, and it never
    // hammered the exhausted core bucket.
    assert!(
        st.refused.get("search").copied().unwrap_or(0) <= 1,
        "{:?}",
        st.refused
    );
    assert!(
        st.refused.get("core").copied().unwrap_or(0) <= 1,
        "{:?}",
        st.refused
    );
    drop(st);
    let core_sent = hosts
        .github
        .requests()
        .iter()
        .filter(|l| fake::github_resource(l.path.trim_start_matches("/github/")) == Some("core"))
        .count();
    assert!(
        core_sent <= 61,
        "{core_sent} core requests against 60 an hour"
    );
    // The most starred were enriched first.
    let enriched: Vec<u64> = r
        .dataset
        .servers
        .iter()
        .filter(|s| s.has_source(Source::Github) && s.id.starts_with("github:owner"))
        .filter(|s| s.readme.is_some())
        .filter_map(|s| s.stars())
        .collect();
    let min_enriched = enriched.iter().min().copied().unwrap_or(0);
    assert!(!enriched.is_empty());
    assert!(min_enriched >= 50, "enriched stars {enriched:?}");
    for s in ["npm", "pypi", "mcp-registry"] {
        assert_eq!(
            r.report.sources[s].status, "ok",
            "{s}: {:?}",
            r.report.sources[s]
        );
    }
    // The budget plan is in the report, typed: GitHub planned discovery against 10 searches a
    // minute and enrichment against 60 core requests an hour, found that the core budget could
    // not cover 300 repositories and left the rest, in numbers that add up.
    let plan = gh.plan.as_ref().expect("github plan");
    assert_eq!(plan.limits["search"].limit, Some(10), "{plan:?}");
    assert_eq!(plan.limits["search"].window_secs, Some(60), "{plan:?}");
    assert_eq!(plan.limits["core"].limit, Some(60), "{plan:?}");
    assert_eq!(plan.limits["core"].window_secs, Some(3600), "{plan:?}");
    assert!(plan.seconds.is_some_and(|s| s <= 20), "{plan:?}");
    assert!(plan.discovery_requests > 0, "{plan:?}");
    assert_eq!(
        plan.discovery_requests_made as usize,
        searches.len(),
        "{plan:?}"
    );
    assert_eq!(plan.enrich_items, 300, "{plan:?}");
    assert_eq!(
        plan.enrichment_requests,
        300 * crawler::sources::github::ENRICH_COST
    );
    assert!(plan.enrich_planned < 60, "{plan:?}");
    assert!(
        plan.left_for_next_night >= 300 - plan.enrich_planned,
        "{plan:?}"
    );
    assert_eq!(plan.limited_by.as_deref(), Some("core budget"), "{plan:?}");
    assert_eq!(plan.shortfall, 0);
    for s in ["npm", "pypi", "mcp-registry"] {
        let p = r.report.sources[s].plan.as_ref().expect(s);
        assert!(p.discovery_requests >= 1, "{s}: {p:?}");
        assert!(p.discovery_requests_made >= 1, "{s}: {p:?}");
        assert!(p.limits.contains_key("requests"), "{s}: {p:?}");
    }
    let pypi = r.report.sources["pypi"].plan.as_ref().unwrap();
    assert_eq!(
        pypi.enrich_items as usize,
        present(&w, Source::Pypi),
        "{pypi:?}"
    );
    // And it is what crawl-report.json holds.
    let path = dir.path().join("crawl-report.json");
    dataset::files::write(&path, &r.report).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["sources"]["github"]["plan"]["limits"]["core"]["limit"],
        60
    );
    assert_eq!(v["sources"]["github"]["plan"]["limited_by"], "core budget");
    let back: dataset::files::CrawlReport = dataset::files::read(&path).unwrap();
    assert_eq!(back, r.report);
}

#[test]
fn a_slow_rate_limited_github_does_not_hold_up_npm_and_pypi() {
    let mut w = world(1500);
    let mut l = Limits::scaled(Some(TOKEN), 1.0);
    l.github_delay = Duration::from_millis(250);
    w.limits = Some(l);
    let (hosts, w) = w.serve_hosts();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&hosts, dir.path(), Some(TOKEN));
    o.http.deadline = Some(crawler::deadline_after(Duration::from_secs(8)));
    let t0 = Instant::now();
    let r = crawl(&o, None).unwrap();
    assert!(t0.elapsed() < Duration::from_secs(12), "{:?}", t0.elapsed());
    for (name, source) in [
        ("npm", Source::Npm),
        ("pypi", Source::Pypi),
        ("mcp-registry", Source::McpRegistry),
    ] {
        let s = &r.report.sources[name];
        assert_eq!(s.status, "ok", "{name}: {s:?}");
        assert!(s.found as usize >= present(&w, source), "{name}: {s:?}");
    }
    // npm and PyPI started with the crawl, not after GitHub.
    for host in [&hosts.npm, &hosts.pypi] {
        let first = host.requests().iter().map(|l| l.start).min().unwrap();
        assert!(first - t0 < Duration::from_secs(2), "{:?}", first - t0);
    }
    assert!(hosts
        .github
        .requests()
        .iter()
        .any(|l| l.path.ends_with("/search/repositories")));
}

#[test]
fn a_slow_host_ends_the_crawl_on_its_deadline_not_a_request_later() {
    // Every GitHub answer takes 800 ms: a request started just before the deadline would end
    // the crawl most of a second late. Requests start only when they can end in time.
    let mut w = world(200);
    let mut l = Limits::scaled(Some(TOKEN), 1.0);
    l.github_delay = Duration::from_millis(800);
    w.limits = Some(l);
    let (hosts, w) = w.serve_hosts();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&hosts, dir.path(), Some(TOKEN));
    let deadline = Duration::from_secs(5);
    o.http.deadline = Some(crawler::deadline_after(deadline));
    let t0 = Instant::now();
    let r = crawl(&o, None).unwrap();
    let took = t0.elapsed();
    assert!(
        took <= deadline + Duration::from_millis(350),
        "ended {:?} after a {deadline:?} deadline",
        took
    );
    // Discovery came first and is complete; enrichment was cut short.
    let gh = &r.report.sources["github"];
    assert_eq!(gh.found as usize, present(&w, Source::Github), "{gh:?}");
    assert!(
        gh.notes
            .iter()
            .any(|n| n.contains("left for the next night")),
        "{:?}",
        gh.notes
    );
    // No GitHub request was still being answered at the deadline.
    let end = t0 + deadline;
    let late: Vec<_> = hosts
        .github
        .requests()
        .into_iter()
        .filter(|l| l.end > end)
        .map(|l| l.path)
        .collect();
    assert!(late.is_empty(), "answered after the deadline: {late:?}");
}
