//! End-to-end crawls against the local fake: each source alone, merging across sources,
//! kill-and-resume, failing sources, the shrink guard and incremental runs.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::fake::{self, github_repo, packument, pypi_project, registry_entry, Fake, Resp, World};
use crawler::crawl::{crawl, crawl_async, CrawlResult, Endpoints, Options};
use crawler::http::HttpConfig;
use dataset::{Confidence, CrawlStatus, Dataset, Kind, Source};
use serde_json::json;

const NOW: &str = "2026-11-22T00:00:00Z";

pub(crate) fn options(fake: &Fake, dir: &Path, sources: &[Source]) -> Options {
    let b = &fake.base;
    let e = Endpoints {
        github_api: format!("{b}/github"),
        github_token: None,
        mcp_registry: format!("{b}/registry"),
        npm_registry: Some(format!("{b}/npm")),
        npm_downloads: Some(format!("{b}/downloads")),
        pypi: Some(format!("{b}/pypi")),
    };
    let mut http = HttpConfig::new("hisper/test (+http://contact.invalid)");
    http.min_spacing = Duration::ZERO;
    http.per_host_concurrency = 8;
    http.base_backoff = Duration::from_millis(2);
    http.max_retries = 2;
    http.cooldown = Duration::from_millis(20);
    http.timeout = Duration::from_secs(10);
    http.cache_dir = Some(dir.join("http-cache"));
    let mut o = Options::new(e, http, NOW.into(), dir.join("checkpoint.json"));
    o.sources = sources.to_vec();
    o.github_queries = vec!["topic:mcp-server".into()];
    o.npm_queries = vec!["keywords:mcp".into()];
    o.concurrency = 8;
    o.politeness.clear();
    o
}

fn ids(ds: &Dataset) -> Vec<&str> {
    ds.servers.iter().map(|s| s.id.as_str()).collect()
}

fn valid(ds: &Dataset) {
    let bytes = dataset::to_canonical_bytes(ds);
    let problems = dataset::validate::validate_bytes(&bytes);
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn registry_cursor_pages_deleted_entries_and_unknown_fields() {
    let mut w = World::default();
    for i in 0..7 {
        w.registry.push(registry_entry(
            &format!("io.github.acme/server-{i}"),
            Some(&format!("@acme/server-{i}")),
            Some((
                "https://github.com/acme/servers",
                Some(&format!("src/s{i}")),
            )),
            "2026-10-01T00:00:00Z",
        ));
    }
    w.registry[3]["_meta"]["io.modelcontextprotocol.registry/official"]["status"] =
        json!("deleted");
    w.registry[4]["_meta"]["io.modelcontextprotocol.registry/official"]["status"] =
        json!("deprecated");
    let (fake, _w) = w.serve();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&fake, dir.path(), &[Source::McpRegistry]);
    o.registry_page_size = 2;
    let r = crawl(&o, None).unwrap();
    valid(&r.dataset);
    assert_eq!(r.dataset.servers.len(), 6, "{:?}", ids(&r.dataset));
    assert!(!ids(&r.dataset).contains(&"github:acme/servers/src/s3"));
    let s0 = r.dataset.get("github:acme/servers/src/s0").expect("s0");
    assert_eq!(
        (s0.kind, s0.kind_confidence),
        (Kind::Server, Confidence::Strong)
    );
    let pkg = &s0.install.packages[0];
    assert_eq!(pkg.identifier, "@acme/server-0");
    assert_eq!(
        pkg.environment_variables[0].name.as_deref(),
        Some("API_KEY")
    );
    assert!(pkg.environment_variables[0].is_secret);
    assert_eq!(pkg.package_arguments.len(), 1);
    assert_eq!(s0.install.remotes.len(), 1);
    assert_eq!(
        s0.repository.as_ref().unwrap().subfolder.as_deref(),
        Some("src/s0")
    );
    assert!(r.dataset.get("github:acme/servers/src/s4").unwrap().sources[0].deprecated);
    // 7 entries in pages of 2: 4 pages, cursors carried their `:/+=` intact.
    assert_eq!(fake.count("/registry/"), 4);
    assert_eq!(r.report.sources["mcp-registry"].errors.len(), 0);
    assert_eq!(r.report.sources["mcp-registry"].found, 6);
}

fn github_world(n: u64) -> World {
    let mut w = World::default();
    for i in 0..n {
        let day = 1 + (i % 28);
        let month = 1 + (i / 28) % 12;
        let year = 2020 + i / (28 * 12);
        let created = format!("{year}-{month:02}-{day:02}T{:02}:00:00Z", i % 24);
        let full = format!("owner{}/mcp-server-{i}", i % 50);
        w.github.insert(
            full.to_lowercase(),
            github_repo(1000 + i, &full, &created, "2026-10-01T00:00:00Z"),
        );
    }
    w
}

/// A skewed GitHub: a few hundred repositories spread over years, a burst of 1,400 in one day
/// (1,100 of them in one second, with varied stars), 1,020 in another second all with the same
/// star count (more than the search can ever list) and some created after the crawl's clock.
fn skewed_github_world() -> (World, Vec<String>, Vec<String>) {
    let mut w = World::default();
    let mut all = Vec::new();
    let mut capped = Vec::new();
    let add = |w: &mut World, i: u64, created: String, stars: u64| {
        // Names in an order unrelated to the dates (the fake answers in name order).
        let full = format!("o{:03}/mcp-{i}", (i * 7919) % 1000);
        let mut r = github_repo(100_000 + i, &full, &created, "2026-10-01T00:00:00Z");
        r["stargazers_count"] = json!(stars);
        w.github.insert(full.to_lowercase(), r);
        full
    };
    let mut i = 0u64;
    for k in 0..300u64 {
        let created = dataset::time::rfc3339_from_unix(1_546_300_800 + k as i64 * 700_000);
        all.push(add(&mut w, i, created, k % 40));
        i += 1;
    }
    for k in 0..1400u64 {
        let t = if k < 1100 { 43_200 } else { k * 61 };
        let created = dataset::time::rfc3339_from_unix(1_748_736_000 + t as i64);
        all.push(add(&mut w, i, created, k % 97));
        i += 1;
    }
    for _ in 0..1020u64 {
        let full = add(&mut w, i, "2025-07-04T00:00:00Z".into(), 5);
        all.push(full.clone());
        capped.push(full);
        i += 1;
    }
    for k in 0..30u64 {
        let created = format!("2026-11-{:02}T10:00:00Z", 23 + k % 7);
        all.push(add(&mut w, i, created, 1));
        i += 1;
    }
    (w, all, capped)
}

#[test]
fn github_finds_every_repository_of_a_skewed_world_and_counts_what_search_cannot_list() {
    let (w, all, capped) = skewed_github_world();
    let (fake, _w) = w.serve();
    let dir = tempfile::tempdir().unwrap();
    let o = options(&fake, dir.path(), &[Source::Github]);
    let r = crawl(&o, None).unwrap();
    valid(&r.dataset);
    let gh = &r.report.sources["github"];
    assert_eq!(gh.status, "ok", "{gh:?}");
    let found: std::collections::BTreeSet<String> = r
        .dataset
        .servers
        .iter()
        .flat_map(|s| s.sources.iter())
        .filter(|e| e.source == Source::Github)
        .map(|e| e.identifier.to_lowercase())
        .collect();
    // Every repository outside the one-second, one-star-count crowd is found, the ones
    // created after the crawl's clock too.
    let missed: Vec<&String> = all
        .iter()
        .filter(|f| !found.contains(&f.to_lowercase()) && !capped.contains(f))
        .collect();
    assert!(
        missed.is_empty(),
        "{} missed: {:?}",
        missed.len(),
        &missed[..missed.len().min(10)]
    );
    // Of the crowd, the search lists 1,000; the 20 others are counted and noted, not lost
    // silently.
    let crowd = capped
        .iter()
        .filter(|f| found.contains(&f.to_lowercase()))
        .count();
    assert_eq!(crowd, 1000);
    assert!(
        gh.notes
            .iter()
            .any(|n| n.contains("1020 results in one second") && n.contains("20 cannot be found")),
        "{:?}",
        gh.notes
    );
    // No query paged past the search's limit, and splitting stayed cheap: the 2,750
    // repositories need at least 28 pages.
    assert!(
        !gh.notes.iter().any(|n| n.contains("422")),
        "{:?}",
        gh.notes
    );
    let searches: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|l| l.path.ends_with("/search/repositories"))
        .collect();
    assert!(searches
        .iter()
        .all(|l| l.query["page"].parse::<u32>().unwrap() <= 10));
    assert!(searches.len() <= 80, "{} searches", searches.len());
    // The one-second windows were narrowed by stars, the top window open-ended.
    assert!(searches.iter().any(|l| l.query["q"].contains(" stars:")));
    assert!(searches
        .iter()
        .any(|l| l.query["q"].ends_with("..*") && l.query["q"].contains("created:2008-01-01")));
}

#[test]
fn github_splits_windows_past_1000_results_and_survives_422_incomplete_and_duplicates() {
    let mut w = github_world(1250);
    w.incomplete_once = true.into();
    w.dup_across_pages = true;
    // One repository with manifests, one renamed.
    w.files.insert(
        "owner0/mcp-server-0".into(),
        [
            ("README.md".to_string(), "# Server zero\n".to_string()),
            (
                "package.json".to_string(),
                json!({"name": "mcp-server-zero", "bin": {"z": "i.js"}, "dependencies": {"@modelcontextprotocol/sdk": "1"}}).to_string(),
            ),
            ("server.json".to_string(), json!({"name": "io.github.owner0/zero"}).to_string()),
        ]
        .into_iter()
        .collect(),
    );
    let moved = w.github.remove("owner1/mcp-server-1").unwrap();
    let mut moved2 = moved.clone();
    moved2["full_name"] = json!("newowner/mcp-server-1");
    moved2["name"] = json!("mcp-server-1");
    moved2["html_url"] = json!("https://github.com/newowner/mcp-server-1");
    w.github.insert("owner1/mcp-server-1".into(), moved); // search still lists the old name
    w.renamed
        .insert("owner1/mcp-server-1".into(), "newowner/mcp-server-1".into());
    w.github.insert("newowner/mcp-server-1".into(), moved2);
    let (fake, _w) = w.serve();
    let dir = tempfile::tempdir().unwrap();
    let o = options(&fake, dir.path(), &[Source::Github]);
    let r = crawl(&o, None).unwrap();
    valid(&r.dataset);
    // 1250 repositories; the renamed one is listed under both names and is one record.
    assert_eq!(
        r.dataset.servers.len(),
        1250,
        "report {:?}",
        r.report.sources["github"]
    );
    assert!(r.dataset.get("github:owner1/mcp-server-1").is_none());
    let searches: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|l| l.path.ends_with("/search/repositories"))
        .collect();
    assert!(searches
        .iter()
        .all(|l| l.query["page"].parse::<u32>().unwrap() <= 10));
    assert!(
        searches.len() > 13,
        "windows were split: {} searches",
        searches.len()
    );
    let zero = r.dataset.get("github:owner0/mcp-server-0").unwrap();
    assert_eq!(zero.readme.as_deref(), Some("# Server zero\n"));
    assert!(
        zero.kind_signals.iter().any(|s| s == "repo:server.json"),
        "{:?}",
        zero.kind_signals
    );
    assert_eq!(zero.kind_confidence, Confidence::Strong);
    let renamed = r
        .dataset
        .get("github:newowner/mcp-server-1")
        .expect("followed the 301");
    assert_eq!(renamed.repository.as_ref().unwrap().forge_id, Some(1001));
    assert_eq!(r.report.sources["github"].status, "ok");
}

#[test]
fn a_renamed_repository_keeps_its_id() {
    let mut w = github_world(3);
    let mut prev = Dataset::new("2026-11-01T00:00:00Z");
    // Yesterday it was old/name with the same numeric id.
    let mut old = dataset::Server {
        id: "github:oldowner/old-name".into(),
        name: "old-name".into(),
        first_seen: "2026-01-01T00:00:00Z".into(),
        last_seen: "2026-11-01T00:00:00Z".into(),
        last_changed: "2026-11-01T00:00:00Z".into(),
        ..Default::default()
    };
    old.sources.push(dataset::SourceEntry::new(
        Source::Github,
        "oldowner/old-name",
        "2026-01-01T00:00:00Z",
    ));
    old.repository = Some(dataset::Repository {
        url: "https://github.com/oldowner/old-name".into(),
        forge: "github".into(),
        owner: "oldowner".into(),
        name: "old-name".into(),
        forge_id: Some(1001),
        ..Default::default()
    });
    prev.servers.push(old);
    w.github.remove("owner1/mcp-server-1");
    w.github.insert(
        "owner1/mcp-server-1".into(),
        github_repo(
            1001,
            "owner1/mcp-server-1",
            "2024-01-02T01:00:00Z",
            "2026-10-01T00:00:00Z",
        ),
    );
    let (fake, _w) = w.serve();
    let dir = tempfile::tempdir().unwrap();
    let o = options(&fake, dir.path(), &[Source::Github]);
    let r = crawl(&o, Some(&prev)).unwrap();
    let kept = r
        .dataset
        .get("github:oldowner/old-name")
        .expect("old id kept");
    assert_eq!(kept.repository.as_ref().unwrap().owner, "owner1");
    assert_eq!(kept.first_seen, "2026-01-01T00:00:00Z");
    assert_eq!(r.dataset.servers.len(), 3);
    // The next night its record says the new owner/name but still has the old id: it stays
    // there, rather than moving to the new name's id (which would read as one removed and one
    // new server).
    let dir2 = tempfile::tempdir().unwrap();
    let o2 = options(&fake, dir2.path(), &[Source::Github]);
    let r2 = crawl(&o2, Some(&r.dataset)).unwrap();
    assert!(
        r2.dataset.get("github:oldowner/old-name").is_some(),
        "{:?}",
        r2.dataset.servers.iter().map(|s| &s.id).collect::<Vec<_>>()
    );
    assert!(r2.dataset.get("github:owner1/mcp-server-1").is_none());
    assert_eq!(r2.dataset.servers.len(), 3);
}

fn npm_world() -> World {
    let names = fake::real_names("npm-mcp-packages.tsv", 40);
    let mut w = World::default();
    for (i, n) in names.iter().enumerate() {
        let version = if i % 3 == 0 { "0.4.1" } else { "1.2.0" };
        let repo = match i % 4 {
            0 => Some(json!(format!(
                "github:npmowner/{}",
                n.replace(['@', '/'], "")
            ))),
            1 => Some(
                json!({"type": "git", "url": format!("git+https://github.com/npmowner/mono.git"), "directory": format!("packages/p{i}")}),
            ),
            2 => None,
            _ => Some(json!(format!("npmowner/repo-{i}"))),
        };
        w.npm.insert(n.clone(), packument(n, version, repo));
        w.npm_downloads.insert(n.clone(), 100 + i as u64);
    }
    w
}

#[test]
fn npm_search_cap_scoped_names_unpublished_and_repository_forms() {
    let mut w = npm_world();
    w.npm_search_cap = 30; // 40 hits: the query must be split
    let names: Vec<String> = w.npm.keys().cloned().collect();
    let scoped = names
        .iter()
        .find(|n| n.starts_with('@'))
        .cloned()
        .expect("a scoped name");
    // One unpublished (time.unpublished), one gone (404 on its packument).
    let unpub = names[5].clone();
    w.npm.get_mut(&unpub).unwrap()["time"]["unpublished"] =
        json!({"time": "2026-11-01T00:00:00.000Z"});
    let gone = names[6].clone();
    w.fault(
        &format!("/npm/{}", gone.replace('/', "%2F")),
        100,
        Resp::text(404, "application/json", "{}"),
    );
    // The search answers 429 with an HTML body once.
    w.fault(
        "/npm/-/v1/search",
        1,
        Resp::text(
            429,
            "text/html",
            "<html><body>Too Many Requests</body></html>",
        ),
    );
    let (fake, _w) = w.serve();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&fake, dir.path(), &[Source::Npm]);
    o.npm_search_cap = 30;
    let r = crawl(&o, None).unwrap();
    valid(&r.dataset);
    let npm_ids: Vec<&str> = r
        .dataset
        .servers
        .iter()
        .flat_map(|s| s.sources.iter().map(|e| e.identifier.as_str()))
        .collect();
    assert_eq!(
        npm_ids.len(),
        38,
        "{npm_ids:?} {:?}",
        r.report.sources["npm"]
    );
    assert!(!npm_ids.contains(&unpub.as_str()) && !npm_ids.contains(&gone.as_str()));
    assert!(npm_ids.contains(&scoped.as_str()));
    assert!(fake
        .requests()
        .iter()
        .any(|l| l.path == format!("/npm/{}", scoped.replace('/', "%2F"))));
    // Repository as a string shorthand and as an object with a directory.
    let s3 = r
        .dataset
        .servers
        .iter()
        .find(|s| s.sources[0].identifier == names[3])
        .unwrap();
    assert_eq!(s3.id, "github:npmowner/repo-3");
    let s1 = r
        .dataset
        .servers
        .iter()
        .find(|s| s.sources[0].identifier == names[1])
        .unwrap();
    assert_eq!(s1.id, "github:npmowner/mono/packages/p1");
    let s2 = r
        .dataset
        .servers
        .iter()
        .find(|s| s.sources[0].identifier == names[2])
        .unwrap();
    assert_eq!(s2.id, format!("npm:{}", names[2]));
    assert_eq!(s2.downloads_monthly(), 102);
    let searches: Vec<String> = fake
        .requests()
        .iter()
        .filter(|l| l.path == "/npm/-/v1/search")
        .map(|l| l.query["text"].clone())
        .collect();
    assert!(
        searches.iter().any(|t| t.contains("not:unstable"))
            && searches.iter().any(|t| t.contains("is:unstable")),
        "{searches:?}"
    );
    // The 429 with an HTML body (and no usable Retry-After) cools the lane down and the same
    // page is asked again: no page is skipped, none restarts at 0.
    assert_eq!(
        r.report.sources["npm"].rate_limit_waits, 1,
        "the 429 did not cool down"
    );
    let pages: Vec<(String, String)> = fake
        .requests()
        .iter()
        .filter(|l| l.path == "/npm/-/v1/search")
        .map(|l| (l.query["text"].clone(), l.query["from"].clone()))
        .collect();
    assert_eq!(
        pages[0], pages[1],
        "the refused page is asked again: {pages:?}"
    );
    assert_eq!(r.report.sources["npm"].status, "ok");
}

fn pypi_world() -> World {
    let names = fake::real_names("pypi-mcp-packages.tsv", 30);
    let mut w = World::default();
    for (i, n) in names.iter().enumerate() {
        w.pypi_index.push((n.clone(), 100 + i as u64));
        w.pypi.insert(fake::pep503(n), pypi_project(n, None));
    }
    for i in 0..200 {
        w.pypi_index.push((format!("unrelated-package-{i}"), 5));
    }
    w.pypi_index.push(("Weather_MCP.Server".into(), 7));
    let mut p = pypi_project(
        "Weather_MCP.Server",
        Some("https://github.com/wx/weather-mcp"),
    );
    p["info"]["requires_dist"] = serde_json::Value::Null;
    p["info"]["description"] = json!("# Weather\n\n<!-- mcp-name: io.github.wx/weather -->\n");
    w.pypi.insert("weather-mcp-server".into(), p);
    w
}

#[test]
fn pypi_index_names_normalized_requires_dist_null_and_marker() {
    let (fake, _w) = pypi_world().serve();
    let dir = tempfile::tempdir().unwrap();
    let o = options(&fake, dir.path(), &[Source::Pypi]);
    let r = crawl(&o, None).unwrap();
    valid(&r.dataset);
    let wx = r.dataset.get("github:wx/weather-mcp").expect("weather");
    assert_eq!(wx.sources[0].identifier, "Weather_MCP.Server");
    assert_eq!(wx.kind_confidence, Confidence::Strong);
    assert_eq!(wx.install.packages[0].runtime_hint.as_deref(), Some("uvx"));
    // Unrelated names were never fetched.
    assert_eq!(fake.count("/pypi/pypi/unrelated"), 0);
    assert_eq!(r.report.sources["pypi"].errors.len(), 0);
}

#[test]
fn merge_one_server_from_four_sources_and_two_in_one_monorepo() {
    let mut w = World::default();
    w.registry.push(registry_entry(
        "io.github.acme/weather",
        Some("@acme/weather-mcp"),
        Some(("https://github.com/acme/weather-mcp", None)),
        "2026-10-01T00:00:00Z",
    ));
    w.registry[0]["server"]["packages"].as_array_mut().unwrap().push(json!({
        "registryType": "pypi", "identifier": "acme_weather_mcp", "version": "1.0.0", "transport": {"type": "stdio"}
    }));
    w.npm.insert(
        "@acme/weather-mcp".into(),
        packument(
            "@acme/weather-mcp",
            "1.0.0",
            Some(json!("git+ssh://git@github.com/Acme/Weather-MCP.git")),
        ),
    );
    w.pypi_index.push(("acme_weather_mcp".into(), 3));
    w.pypi.insert(
        "acme-weather-mcp".into(),
        pypi_project(
            "acme_weather_mcp",
            Some("https://github.com/acme/weather-mcp/tree/main"),
        ),
    );
    w.github.insert(
        "acme/weather-mcp".into(),
        github_repo(
            77,
            "acme/weather-mcp",
            "2025-05-05T00:00:00Z",
            "2026-10-01T00:00:00Z",
        ),
    );
    for s in ["alpha", "beta"] {
        let name = format!("@mono/server-{s}");
        w.npm.insert(
            name.clone(),
            packument(&name, "1.0.0", Some(json!({"url": "https://github.com/mono/servers.git", "directory": format!("src/{s}")}))),
        );
    }
    let (fake, _w) = w.serve();
    let dir = tempfile::tempdir().unwrap();
    let o = options(&fake, dir.path(), &Source::ALL);
    let r = crawl(&o, None).unwrap();
    valid(&r.dataset);
    assert_eq!(
        ids(&r.dataset),
        [
            "github:acme/weather-mcp",
            "github:mono/servers/src/alpha",
            "github:mono/servers/src/beta"
        ]
    );
    let s = &r.dataset.servers[0];
    let sources: Vec<Source> = s.sources.iter().map(|e| e.source).collect();
    assert_eq!(
        sources,
        [
            Source::Github,
            Source::Npm,
            Source::Pypi,
            Source::McpRegistry
        ]
    );
    assert_eq!(s.kind, Kind::Server);
    assert_eq!(s.kind_confidence, Confidence::Strong);
    assert_eq!(r.dataset.crawl["npm"].status, CrawlStatus::Ok);
}

fn full_world() -> World {
    let mut w = github_world(60);
    let n = npm_world();
    w.npm = n.npm;
    w.npm_downloads = n.npm_downloads;
    let p = pypi_world();
    w.pypi = p.pypi;
    w.pypi_index = p.pypi_index;
    for i in 0..25 {
        w.registry.push(registry_entry(
            &format!("io.github.reg/s{i}"),
            None,
            Some(("https://github.com/reg/servers", Some(&format!("s{i}")))),
            "2026-10-01T00:00:00Z",
        ));
    }
    w
}

/// The records (the per-source crawl summary counts requests, which differ between an
/// interrupted and an uninterrupted run by design).
fn bytes(r: &CrawlResult) -> Vec<u8> {
    let mut d = r.dataset.clone();
    d.crawl.clear();
    dataset::to_canonical_bytes(&d)
}

fn same(a: &[u8], b: &[u8]) {
    if a != b {
        let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
        let first = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        panic!(
            "datasets differ ({} vs {} bytes), first at line {first}: {:?} vs {:?}",
            a.len(),
            b.len(),
            a.lines().nth(first),
            b.lines().nth(first)
        );
    }
}

#[test]
fn killed_at_any_moment_and_resumed_gives_the_same_dataset() {
    let (fake, _w) = full_world().serve();
    let clean = tempfile::tempdir().unwrap();
    let o = options(&fake, clean.path(), &Source::ALL);
    let want = bytes(&crawl(&o, None).unwrap());

    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&fake, dir.path(), &Source::ALL);
    o.concurrency = 2;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Kill (drop the crawl mid-flight) after growing budgets until one run completes.
    let mut budget_ms = 5u64;
    let mut kills = 0;
    let got = loop {
        let run = rt.block_on(async {
            tokio::time::timeout(Duration::from_millis(budget_ms), crawl_async(&o, None)).await
        });
        match run {
            Ok(r) => break bytes(&r.unwrap()),
            Err(_) => {
                kills += 1;
                budget_ms = budget_ms * 3 / 2 + 5;
            }
        }
        assert!(kills < 60, "never finished");
    };
    assert!(kills >= 2, "the crawl was interrupted {kills} times");
    same(&got, &want);
}

#[test]
fn deadline_checkpoints_and_the_next_run_continues() {
    let (fake, _w) = full_world().serve();
    let clean = tempfile::tempdir().unwrap();
    let clean_run = crawl(&options(&fake, clean.path(), &Source::ALL), None).unwrap();
    let want = bytes(&clean_run);

    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&fake, dir.path(), &Source::ALL);
    // Long enough for discovery on a loaded machine (a request the deadline cuts in flight
    // would stop its source), far too short for the enrichment at this spacing.
    o.http.min_spacing = Duration::from_millis(40);
    o.http.deadline = Some(crawler::deadline_after(Duration::from_millis(1500)));
    let partial = crawl(&o, None).unwrap();
    // Discovery comes first and fits the deadline: every server is listed; what the time did
    // not cover (packuments, project documents, READMEs) is left for the next run.
    for (name, s) in &partial.report.sources {
        assert_eq!(
            s.found, clean_run.report.sources[name].found,
            "{name} discovered everything: {s:?}"
        );
    }
    assert!(
        partial
            .report
            .sources
            .values()
            .any(|s| s.status == "partial"
                || s.notes
                    .iter()
                    .any(|n| n.contains("left for the next night"))),
        "{:?}",
        partial.report.sources
    );
    assert!(dir.path().join("checkpoint.json").exists());
    valid(&partial.dataset);
    let mut o = options(&fake, dir.path(), &Source::ALL);
    o.http.deadline = None;
    let done = crawl(&o, Some(&partial.dataset)).unwrap();
    assert!(!done.report.has_errors(), "{:?}", done.report.sources);
    same(&bytes(&done), &want);
}

#[test]
fn a_failing_source_keeps_yesterdays_records_and_the_shrink_guard_holds() {
    let (fake, w) = full_world().serve();
    let dir = tempfile::tempdir().unwrap();
    let o = options(&fake, dir.path(), &Source::ALL);
    let first = crawl(&o, None).unwrap();
    let npm_before = first.report.sources["npm"].found;
    assert!(npm_before > 30);
    // Tonight npm answers 500 to everything; PyPI answers HTML instead of JSON.
    w.fault("/npm/", 10_000, Resp::status(500));
    w.fault(
        "/pypi/simple/",
        10_000,
        Resp::text(
            200,
            "text/html",
            "<html><a href=\"/simple/x/\">x</a></html>",
        ),
    );
    let o = options(&fake, dir.path(), &Source::ALL);
    let second = crawl(&o, Some(&first.dataset)).unwrap();
    valid(&second.dataset);
    assert_eq!(second.report.sources["npm"].status, "failed");
    assert_eq!(second.report.sources["pypi"].status, "failed");
    assert!(second.report.has_errors());
    assert!(!second.report.sources["npm"].errors.is_empty());
    assert_eq!(second.dataset.crawl["npm"].status, CrawlStatus::Failed);
    assert_eq!(second.dataset.servers.len(), first.dataset.servers.len());
    let npm_entries: Vec<_> = second
        .dataset
        .servers
        .iter()
        .flat_map(|s| s.sources.iter().filter(|e| e.source == Source::Npm))
        .collect();
    assert_eq!(npm_entries.len() as u64, npm_before);
    assert!(npm_entries.iter().all(|e| e.stale && e.last_seen == NOW));

    // The shrink guard: a dataset of a tenth of yesterday's is refused, the file untouched.
    let path = dir.path().join("servers.json");
    dataset::save(&path, &first.dataset).unwrap();
    let before = std::fs::read(&path).unwrap();
    let mut small = second.dataset.clone();
    small.servers.truncate(small.servers.len() / 10);
    let err = crawler::output::commit(
        &path,
        &small,
        Some(first.dataset.servers.len()),
        0.85,
        false,
    );
    assert!(matches!(
        err,
        Err(crawler::output::CommitError::Shrink { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    crawler::output::commit(&path, &small, Some(first.dataset.servers.len()), 0.85, true).unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("previous/servers.json")).unwrap(),
        before
    );
}

#[test]
fn a_warm_incremental_run_costs_a_fraction_of_a_cold_one() {
    let (fake, _w) = full_world().serve();
    let dir = tempfile::tempdir().unwrap();
    let o = options(&fake, dir.path(), &Source::ALL);
    let cold = crawl(&o, None).unwrap();
    let cold_requests = fake.requests().len();
    let warm = crawl(&o, Some(&cold.dataset)).unwrap();
    let warm_requests = fake.requests().len() - cold_requests;
    same(&bytes(&warm), &bytes(&cold));
    assert_eq!(ids(&warm.dataset), ids(&cold.dataset));
    assert!(
        warm_requests * 10 < cold_requests,
        "warm {warm_requests} vs cold {cold_requests}"
    );
}

#[test]
fn a_source_without_an_endpoint_stops_with_a_message_naming_the_variable() {
    let (fake, _w) = full_world().serve();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&fake, dir.path(), &[Source::Npm, Source::Pypi]);
    o.endpoints.npm_registry = None;
    o.endpoints.pypi = None;
    let r = crawl(&o, None).unwrap();
    for (name, var) in [("npm", "HISPER_NPM_REGISTRY"), ("pypi", "HISPER_PYPI")] {
        assert_eq!(r.report.sources[name].status, "failed");
        let note = r.dataset.crawl[name].note.clone().unwrap_or_default();
        assert!(note.contains(var), "{name}: {note}");
    }
    assert!(r.report.has_errors());
    assert_eq!(fake.requests().len(), 0);
}

#[test]
fn a_repository_whose_enrichment_fails_is_kept_from_its_search_hit() {
    let w = github_world(5);
    w.fault(
        "/github/repos/owner2/mcp-server-2/readme",
        1000,
        Resp::status(500),
    );
    let (fake, _w) = w.serve();
    let dir = tempfile::tempdir().unwrap();
    let r = crawl(&options(&fake, dir.path(), &[Source::Github]), None).unwrap();
    assert_eq!(r.dataset.servers.len(), 5);
    let s = r.dataset.get("github:owner2/mcp-server-2").expect("kept");
    assert_eq!(s.repository.as_ref().unwrap().forge_id, Some(1002));
    assert_eq!(r.report.sources["github"].status, "ok");
    assert_eq!(r.report.sources["github"].errors.len(), 1);
    assert!(r.report.has_errors());
}

#[test]
fn registry_incremental_run_asks_updated_since_and_drops_deleted_entries() {
    let mut w = World::default();
    for i in 0..5 {
        w.registry.push(registry_entry(
            &format!("io.github.inc/s{i}"),
            None,
            None,
            "2026-10-01T00:00:00Z",
        ));
    }
    let (fake, w) = w.serve();
    let dir = tempfile::tempdir().unwrap();
    let o = options(&fake, dir.path(), &[Source::McpRegistry]);
    let first = crawl(&o, None).unwrap();
    assert_eq!(first.dataset.servers.len(), 5);
    drop(fake);
    // Tonight s2 is deleted (and so updated after the high-water mark).
    let mut w = Arc::try_unwrap(w).ok().expect("sole owner");
    let meta = &mut w.registry[2]["_meta"]["io.modelcontextprotocol.registry/official"];
    meta["status"] = json!("deleted");
    meta["updatedAt"] = json!("2026-11-20T00:00:00Z");
    let (fake, _w) = w.serve();
    let mut o = options(&fake, dir.path(), &[Source::McpRegistry]);
    o.endpoints.mcp_registry = format!("{}/registry", fake.base);
    let second = crawl(&o, Some(&first.dataset)).unwrap();
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].query.get("updated_since").map(String::as_str),
        Some("2026-10-01T00:00:00Z")
    );
    assert_eq!(second.dataset.servers.len(), 4);
    assert!(second
        .dataset
        .get("mcp-registry:io.github.inc/s2")
        .is_none());
    assert_eq!(second.report.sources["mcp-registry"].removed, 1);
}

#[test]
fn records_carry_each_sources_dates_license_homepage_and_configured_pages() {
    let mut w = full_world();
    let name = w.npm.keys().nth(1).cloned().unwrap();
    let doc = w.npm.get_mut(&name).unwrap();
    doc["homepage"] = json!("https://docs.example.invalid/tool");
    doc["time"]["1.2.0"] = json!("2026-10-05T10:00:00.000Z");
    w.pypi.get_mut("weather-mcp-server").unwrap()["info"]["project_urls"]["Homepage"] =
        json!("https://example.invalid");
    let (fake, _w) = w.serve();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&fake, dir.path(), &Source::ALL);
    o.pages = crawler::listing::PageBases {
        npm: Some("https://npm-web.invalid".into()),
        pypi: Some("https://pypi-web.invalid/".into()),
    };
    let r = crawl(&o, None).unwrap();
    valid(&r.dataset);
    let entry = |source: Source, ident: &str| {
        r.dataset
            .servers
            .iter()
            .flat_map(|s| s.sources.iter())
            .find(|e| e.source == source && e.identifier == ident)
            .cloned()
            .unwrap_or_else(|| panic!("no {source} entry {ident}"))
    };
    // npm: `time.created`, the latest version's time, `license`, `homepage`, the web page.
    let e = entry(Source::Npm, &name);
    assert_eq!(e.published_at.as_deref(), Some("2026-03-01T10:00:00.000Z"));
    assert_eq!(e.updated_at.as_deref(), Some("2026-10-05T10:00:00.000Z"));
    assert_eq!(e.license.as_deref(), Some("MIT"));
    assert_eq!(
        e.homepage.as_deref(),
        Some("https://docs.example.invalid/tool")
    );
    assert_eq!(
        e.url.as_deref(),
        Some(format!("https://npm-web.invalid/package/{name}").as_str())
    );
    // PyPI: first and latest upload, `license_expression`, the Homepage project URL.
    let p = entry(Source::Pypi, "Weather_MCP.Server");
    assert_eq!(
        p.published_at.as_deref(),
        Some("2025-03-01T08:00:00.000000Z")
    );
    assert_eq!(p.updated_at.as_deref(), Some("2026-09-30T12:00:00.123456Z"));
    assert_eq!(p.license.as_deref(), Some("MIT"));
    assert_eq!(p.homepage.as_deref(), Some("https://example.invalid"));
    assert_eq!(
        p.url.as_deref(),
        Some("https://pypi-web.invalid/project/weather-mcp-server/")
    );
    // GitHub: `created_at` and `pushed_at`, the repository's license.
    let g = entry(Source::Github, "owner3/mcp-server-3");
    assert!(
        g.published_at
            .as_deref()
            .is_some_and(|t| t.starts_with("2020-01-04")),
        "{g:?}"
    );
    assert_eq!(g.updated_at.as_deref(), Some("2026-10-01T00:00:00Z"));
    assert_eq!(g.license.as_deref(), Some("MIT"));
    // The Registry: publishedAt and updatedAt.
    let m = entry(Source::McpRegistry, "io.github.reg/s3");
    assert_eq!(
        m.published_at.as_deref(),
        Some("2026-09-01T10:00:00.123456Z")
    );
    assert_eq!(m.updated_at.as_deref(), Some("2026-10-01T00:00:00Z"));
    // Without configured bases, no page is linked.
    let dir = tempfile::tempdir().unwrap();
    let r = crawl(
        &options(&fake, dir.path(), &[Source::Npm, Source::Pypi]),
        None,
    )
    .unwrap();
    assert!(r
        .dataset
        .servers
        .iter()
        .flat_map(|s| s.sources.iter())
        .all(|e| e.url.is_none()));
}

/// Ten repositories; repository `i` names the PyPI project `plain-tools-i` in its
/// pyproject.toml unless `i` is in `silent` (then it was pushed again without one). The index
/// does not show those names as MCP-related, so only the final pass over links finds them.
fn hinting_world(silent: std::ops::Range<u64>) -> World {
    let mut w = World::default();
    for i in 0..10u64 {
        let full = format!("hinter/repo-{i}");
        // (Pushed on the crawl's eve, so a nightly search finds it again.)
        let pushed = if silent.contains(&i) {
            "2026-11-21T12:00:00Z"
        } else {
            "2026-10-01T00:00:00Z"
        };
        w.github.insert(
            full.clone(),
            github_repo(7000 + i, &full, "2025-01-01T00:00:00Z", pushed),
        );
        if !silent.contains(&i) {
            w.files.insert(
                full,
                [(
                    "pyproject.toml".to_string(),
                    format!("[project]\nname = \"plain-tools-{i}\"\n"),
                )]
                .into_iter()
                .collect(),
            );
        }
        let name = format!("plain-tools-{i}");
        w.pypi.insert(name.clone(), pypi_project(&name, None));
    }
    w.pypi_index.push(("weather-mcp".into(), 1));
    w.pypi
        .insert("weather-mcp".into(), pypi_project("weather-mcp", None));
    w
}

/// The `pypi:plain-tools-*` project documents a fake was asked for, from the `from`-th request.
fn hint_fetches(fake: &Fake, from: usize) -> Vec<String> {
    let mut v: Vec<String> = fake.requests()[from..]
        .iter()
        .filter_map(|l| {
            l.path
                .strip_prefix("/pypi/pypi/plain-tools-")
                .and_then(|r| r.strip_suffix("/json"))
                .map(|n| format!("pypi:plain-tools-{n}"))
        })
        .collect();
    v.sort();
    v
}

fn plain_tools(r: &CrawlResult) -> Vec<String> {
    let mut v: Vec<String> = r
        .dataset
        .servers
        .iter()
        .flat_map(|s| s.sources.iter())
        .filter(|e| e.source == Source::Pypi && e.identifier.starts_with("plain-tools-"))
        .map(|e| e.identifier.clone())
        .collect();
    v.sort();
    v
}

#[test]
fn unresolved_hints_go_to_the_checkpoint_and_only_they_are_fetched_the_next_night() {
    let (fake, w) = hinting_world(0..0).serve();
    // Night 1: PyPI rate-limits the sixth link for two minutes, past what the crawl waits, so
    // it and the links after it (one at a time, in order) are left for the next night.
    w.fault(
        "/pypi/pypi/plain-tools-5/json",
        1,
        Resp::text(429, "application/json", "{}").with("Retry-After", "120"),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(&fake, dir.path(), &[Source::Github, Source::Pypi]);
    o.concurrency = 1;
    o.http.max_wait = Duration::from_millis(300);
    let night1 = crawl(&o, None).unwrap();
    let cp = crawler::crawl::Checkpoint::load(&o.checkpoint_path);
    let unresolved: Vec<String> = cp.sources["pypi"].unresolved.iter().cloned().collect();
    let left: Vec<String> = (5..10).map(|i| format!("pypi:plain-tools-{i}")).collect();
    assert_eq!(unresolved, left, "{:?}", night1.report.sources["pypi"]);
    let plan = night1.report.sources["pypi"].plan.as_ref().unwrap();
    assert_eq!((plan.links_wanted, plan.links_left), (10, 5), "{plan:?}");
    assert_eq!(plain_tools(&night1).len(), 5, "{:?}", plain_tools(&night1));

    // Night 2 (a fresh fake, counted from zero): the repositories that named the five left
    // were pushed again without naming them, so only the checkpoint still wants them. Exactly
    // those five are fetched (the five resolved last night are not asked again) and all ten
    // are listed.
    let (fake2, _w2) = hinting_world(5..10).serve();
    let mut o2 = options(&fake2, dir.path(), &[Source::Github, Source::Pypi]);
    o2.concurrency = 1;
    let night2 = crawl(&o2, Some(&night1.dataset)).unwrap();
    assert_eq!(night2.report.sources["github"].status, "ok");
    assert_eq!(hint_fetches(&fake2, 0), left);
    let all: Vec<String> = (0..10).map(|i| format!("plain-tools-{i}")).collect();
    assert_eq!(plain_tools(&night2), all);
    let cp = crawler::crawl::Checkpoint::load(&o2.checkpoint_path);
    assert!(
        cp.sources["pypi"].unresolved.is_empty(),
        "{:?}",
        cp.sources["pypi"].unresolved
    );
    let plan = night2.report.sources["pypi"].plan.as_ref().unwrap();
    assert_eq!((plan.links_wanted, plan.links_left), (5, 0), "{plan:?}");

    // Night 3, GitHub failing (its search answers 500): the repositories it keeps from
    // yesterday still link to their projects, so those stay listed, and nothing is fetched
    // again (every link was resolved within the refresh period).
    _w2.fault(
        "/github/search/repositories",
        100,
        Resp::text(500, "application/json", "{}"),
    );
    let before = fake2.requests().len();
    let night3 = crawl(&o2, Some(&night2.dataset)).unwrap();
    assert_eq!(night3.report.sources["github"].status, "failed");
    assert_eq!(hint_fetches(&fake2, before), Vec::<String>::new());
    assert_eq!(plain_tools(&night3), all[..5].to_vec());
}
