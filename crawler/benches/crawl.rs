//! Crawl benchmark: a local fake holding 5,000 GitHub repositories (skewed: a quarter created in
//! one week, 250 of those in one minute, and some after the crawl's clock), 2,000 npm packages,
//! 30,000 PyPI names (3,000 of them MCP-related) and 300 MCP Registry entries.
//!
//! 1. Unlimited: for a cold run and a warm incremental run, requests, servers, requests per
//!    discovered server, wall time, CPU time and peak memory. Each run is a child process (so
//!    CPU and peak RSS are the crawler's own, not the fake's).
//! 2. Real limits, `--deadline 13m`: each API on its own host, the fake enforcing GitHub's
//!    limits (with a token: 5,000 core requests an hour, 30 searches a minute; without: 60 and
//!    10), its secondary limits, npm's search window (429 with an HTML body) and the Registry's
//!    per-minute limit, and the crawler using its default politeness (500 ms between requests
//!    to a host, GitHub search 2 s apart). Both run on simulated time, `SCALE` times faster
//!    than real time: every window, reset, `Retry-After`, spacing, cool-down and the deadline
//!    are divided by `SCALE` on both sides, so 13 simulated minutes take 13 × 60 / `SCALE` real
//!    seconds. What this does not scale is the local request latency (well under a millisecond
//!    per request here, against tens of milliseconds on the internet), so the real crawl has
//!    less slack than the table suggests. Prints per source: discovery completeness (found /
//!    present in the fake), requests, rate-limit waits, what was left for the next night.
//!
//! Run: `cargo bench -p hisper-crawler --bench crawl` (`HISPER_BENCH_SCALE=20` by default;
//! `HISPER_BENCH_ONLY=limited`, `token` or `no-token` runs only the real-limit part;
//! `RUST_LOG=crawler=info` logs the crawler's plans and phase times on stderr).

#[path = "../tests/fake/mod.rs"]
mod fake;

use std::time::{Duration, Instant};

use crawler::crawl::{crawl, Endpoints, Options};
use crawler::http::HttpConfig;
use dataset::Source;
use serde_json::json;

const NOW: &str = "2026-11-22T00:00:00Z";

fn world() -> fake::World {
    let mut w = fake::World::default();
    for i in 0..5000u64 {
        let year = 2019 + i % 8;
        let month = 1 + (i / 8) % 12;
        let day = 1 + (i / 96) % 28;
        let created = if i % 4 == 1 {
            // Skewed: a quarter of the repositories appear in one week (an MCP launch), 250
            // of them in the same minute.
            let s = if i % 20 == 1 {
                i % 60
            } else {
                i * 37 % (7 * 86_400)
            };
            dataset::time::rfc3339_from_unix(1_743_465_600 + s as i64)
        } else {
            // Spread over 2019–2026, some after the crawl's clock (2026-11-22).
            format!("{year}-{month:02}-{day:02}T{:02}:{:02}:00Z", i % 24, i % 60)
        };
        let full = format!("gh{}/mcp-server-{i}", i % 700);
        w.github.insert(
            full.to_lowercase(),
            fake::github_repo(10_000 + i, &full, &created, "2026-10-01T00:00:00Z"),
        );
        if i % 2 == 0 {
            w.files.insert(
                full.to_lowercase(),
                [
                    (
                        "README.md".to_string(),
                        format!("# {full}\n\nAn MCP server.\n"),
                    ),
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
    let names = fake::real_names("npm-mcp-packages.tsv", 2000);
    for (i, n) in names.iter().enumerate() {
        let repo = (i % 3 == 0).then(|| json!(format!("github:gh{}/mcp-server-{}", i % 700, i)));
        w.npm.insert(n.clone(), fake::packument(n, "1.0.0", repo));
        w.npm_downloads.insert(n.clone(), i as u64);
    }
    let mcp: Vec<String> = fake::real_names("pypi-mcp-packages.tsv", 30_000)
        .into_iter()
        .filter(|n| crawler::sources::pypi::is_candidate(&fake::pep503(n)))
        .take(3000)
        .collect();
    for (i, n) in mcp.iter().enumerate() {
        w.pypi_index.push((n.clone(), 1000 + i as u64));
        w.pypi.insert(fake::pep503(n), fake::pypi_project(n, None));
    }
    let mut i = 0;
    while w.pypi_index.len() < 30_000 {
        w.pypi_index.push((format!("unrelated-package-{i}"), 7));
        i += 1;
    }
    for i in 0..300 {
        w.registry.push(fake::registry_entry(
            &format!("io.github.reg/server-{i}"),
            Some(&format!("@reg/server-{i}")),
            Some(("https://github.com/reg/servers", Some(&format!("src/s{i}")))),
            "2026-10-01T00:00:00Z",
        ));
    }
    w
}

fn child(base: &str, dir: &std::path::Path) {
    let e = Endpoints {
        github_api: format!("{base}/github"),
        github_token: None,
        mcp_registry: format!("{base}/registry"),
        npm_registry: Some(format!("{base}/npm")),
        npm_downloads: Some(format!("{base}/downloads")),
        pypi: Some(format!("{base}/pypi")),
    };
    let mut http = HttpConfig::new("hisper/bench (+http://contact.invalid)");
    http.min_spacing = Duration::ZERO;
    http.per_host_concurrency = 8;
    http.cache_dir = Some(dir.join("http-cache"));
    let mut o = Options::new(e, http, NOW.into(), dir.join("checkpoint.json"));
    o.sources = Source::ALL.to_vec();
    o.github_queries = vec!["topic:mcp-server".into()];
    o.npm_queries = vec!["keywords:mcp".into()];
    o.concurrency = 8;
    let path = dir.join("servers.json");
    let previous = dataset::load(&path).ok();
    let t = Instant::now();
    let r = crawl(&o, previous.as_ref()).expect("crawl");
    crawler::output::commit(&path, &r.dataset, None, 0.85, true).expect("write");
    let wall = t.elapsed();
    let requests: u64 = r.report.sources.values().map(|s| s.requests).sum();
    let errors: usize = r.report.sources.values().map(|s| s.errors.len()).sum();
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) as u64 * 1000
        + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) as u64 / 1000;
    println!(
        "RESULT {requests} {} {} {cpu_ms} {} {errors}",
        r.dataset.servers.len(),
        wall.as_millis(),
        ru.ru_maxrss
    );
}

/// Simulated seconds per real second in the limited runs.
fn scale() -> f64 {
    std::env::var("HISPER_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s: &f64| *s >= 1.0)
        .unwrap_or(20.0)
}

const TOKEN: &str = "ghp_bench_token";

/// One crawl of the world under the real limits and a 13-minute deadline (scaled).
fn limited(token: Option<&str>) {
    let scale = scale();
    let mut w = world();
    w.limits = Some(fake::Limits::scaled(Some(TOKEN), scale));
    let present: Vec<(Source, std::collections::BTreeSet<String>)> = vec![
        (
            Source::Github,
            w.github
                .values()
                .filter_map(|v| v["full_name"].as_str().map(str::to_string))
                .collect(),
        ),
        (Source::Npm, w.npm.keys().cloned().collect()),
        (
            Source::Pypi,
            w.pypi_index
                .iter()
                .filter(|(n, _)| crawler::sources::pypi::is_candidate(&fake::pep503(n)))
                .map(|(n, _)| n.clone())
                .collect(),
        ),
        (
            Source::McpRegistry,
            w.registry
                .iter()
                .filter_map(|e| e["server"]["name"].as_str().map(str::to_string))
                .collect(),
        ),
    ];
    let (hosts, w) = w.serve_hosts();
    let dir = tempfile::tempdir().expect("tempdir");
    let s = |d: Duration| d.div_f64(scale);
    let mut http = HttpConfig::new("hisper/bench (+http://contact.invalid)");
    http.min_spacing = s(http.min_spacing);
    http.cooldown = s(http.cooldown);
    http.max_wait = s(http.max_wait);
    http.base_backoff = s(http.base_backoff);
    http.cache_dir = Some(dir.path().join("http-cache"));
    let deadline = s(Duration::from_secs(13 * 60));
    http.deadline = Some(crawler::deadline_after(deadline));
    let mut o = Options::new(
        hosts.endpoints(token),
        http,
        NOW.into(),
        dir.path().join("checkpoint.json"),
    );
    o.github_queries = vec!["topic:mcp-server".into()];
    o.npm_queries = vec!["keywords:mcp".into()];
    o.time_scale = scale;
    for p in o.politeness.values_mut() {
        p.min_spacing = s(p.min_spacing);
    }
    let t = Instant::now();
    let r = crawl(&o, None).expect("crawl");
    let wall = t.elapsed();
    let run = if token.is_some() { "token" } else { "no token" };
    for (source, want) in &present {
        let got: std::collections::BTreeSet<&str> = r
            .dataset
            .servers
            .iter()
            .flat_map(|srv| srv.sources.iter())
            .filter(|e| e.source == *source && !e.stale)
            .map(|e| e.identifier.as_str())
            .collect();
        let found = want.iter().filter(|n| got.contains(n.as_str())).count();
        let rep = &r.report.sources[source.as_str()];
        let left = rep
            .notes
            .iter()
            .filter(|n| n.contains("next night"))
            .map(|n| n.split(';').next().unwrap_or(n).to_string())
            .collect::<Vec<_>>()
            .join("; ");
        println!(
            "| {run} | {} | {} | {found} / {} | {:.1}% | {} | {} | {} |",
            source.as_str(),
            rep.status,
            want.len(),
            100.0 * found as f64 / want.len().max(1) as f64,
            rep.requests,
            rep.rate_limit_waits,
            if left.is_empty() { "-".into() } else { left },
        );
    }
    let st = w.limit_state.lock().expect("limits");
    eprintln!(
        "{run}: {:.1} s real = {:.1} simulated min (deadline {} s real); refused by the fake: {:?}, secondary {}, npm 429s {}, registry 429s {}",
        wall.as_secs_f64(),
        wall.as_secs_f64() * scale / 60.0,
        deadline.as_secs(),
        st.refused,
        st.secondary,
        st.npm_refused,
        st.registry_refused
    );
    println!(
        "| {run} | wall | {:.1} s real = {:.1} simulated min of 13 | | | | | |",
        wall.as_secs_f64(),
        wall.as_secs_f64() * scale / 60.0
    );
}

fn main() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    if let (Ok(base), Ok(dir)) = (
        std::env::var("HISPER_BENCH_BASE"),
        std::env::var("HISPER_BENCH_DIR"),
    ) {
        child(&base, std::path::Path::new(&dir));
        return;
    }
    // `HISPER_BENCH_ONLY=limited` (or `token`, `no-token`): only the real-limit runs (or one).
    let only = std::env::var("HISPER_BENCH_ONLY").unwrap_or_default();
    if matches!(only.as_str(), "limited" | "token" | "no-token") {
        print_limited_header();
        if only != "no-token" {
            limited(Some(TOKEN));
        }
        if only != "token" {
            limited(None);
        }
        return;
    }
    eprintln!("building the fake world…");
    let (fake, _w) = world().serve();
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("exe");
    println!(
        "{:<6} {:>9} {:>8} {:>12} {:>9} {:>9} {:>10} {:>7}",
        "run", "requests", "servers", "req/server", "wall s", "cpu s", "peak MiB", "errors"
    );
    let mut cold_requests = 0u64;
    for phase in ["cold", "warm"] {
        let out = std::process::Command::new(&exe)
            .env("HISPER_BENCH_BASE", &fake.base)
            .env("HISPER_BENCH_DIR", dir.path())
            .output()
            .expect("child");
        let text = String::from_utf8_lossy(&out.stdout);
        let Some(line) = text.lines().find(|l| l.starts_with("RESULT ")) else {
            eprintln!(
                "{phase}: child failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::process::exit(1);
        };
        let v: Vec<u64> = line[7..]
            .split(' ')
            .filter_map(|x| x.parse().ok())
            .collect();
        let (requests, servers, wall_ms, cpu_ms, rss_kb, errors) =
            (v[0], v[1], v[2], v[3], v[4], v[5]);
        if phase == "cold" {
            cold_requests = requests;
        }
        println!(
            "{:<6} {:>9} {:>8} {:>12.3} {:>9.2} {:>9.2} {:>10.1} {:>7}",
            phase,
            requests,
            servers,
            requests as f64 / servers.max(1) as f64,
            wall_ms as f64 / 1000.0,
            cpu_ms as f64 / 1000.0,
            rss_kb as f64 / 1024.0,
            errors
        );
        if phase == "warm" {
            let pct = 100.0 * requests as f64 / cold_requests.max(1) as f64;
            println!(
                "warm/cold requests: {pct:.2}% (target < 10%): {}",
                if pct < 10.0 { "ok" } else { "MISSED" }
            );
        }
    }
    drop(fake);
    println!();
    print_limited_header();
    limited(Some(TOKEN));
    limited(None);
}

fn print_limited_header() {
    println!(
        "Real limits, --deadline 13m, simulated time x{} (13 min = {:.0} s real):",
        scale(),
        13.0 * 60.0 / scale()
    );
    println!();
    println!("| run | source | status | discovered (found / present) | complete | requests | waits | left for the next night |");
    println!("|---|---|---|---|---|---|---|---|");
}
