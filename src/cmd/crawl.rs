//! `hisper crawl`: finds MCP servers on GitHub, npm, PyPI and the MCP Registry and writes the
//! dataset, `crawl-report.json` and the checkpoint.
//!
//! `--from-listing npm=FILE --from-listing pypi=FILE` imports package listings offline instead
//! (this is how the bundled sample is made). Either way the old dataset is kept as
//! `previous/servers.json` and is only replaced when the new one passes the shrink guard.
//! Endpoints: env and `hisper.toml` first; for npm the npm client's registry and for PyPI pip's
//! index are read at run time; package registries have no built-in default.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use dataset::Source;

use crate::{Global, Status};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Import a package listing instead of crawling: `npm=FILE` or `pypi=FILE` (tab-separated,
    /// with a header line). Repeatable.
    #[arg(long = "from-listing", value_name = "SOURCE=FILE")]
    pub from_listing: Vec<String>,
    /// Fill the empty repository, license, homepage and README of every probed record from
    /// the probe's installs under DIR (installed package.json and README, wheel METADATA;
    /// e.g. data/probe-cache), offline; after `--from-listing` when both are given.
    #[arg(long = "from-installs", value_name = "DIR")]
    pub from_installs: Option<PathBuf>,
    /// Sources to crawl, comma-separated: github, npm, pypi, registry.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "github,npm,pypi,registry"
    )]
    pub sources: Vec<String>,
    /// Stop cleanly after this long (e.g. 45m, 2h, 90s), checkpoint and write the partial result.
    #[arg(long)]
    pub deadline: Option<String>,
    /// Ignore incremental state and crawl everything.
    #[arg(long)]
    pub full: bool,
    /// The crawl's clock (RFC 3339); default SOURCE_DATE_EPOCH, else now.
    #[arg(long)]
    pub now: Option<String>,
    /// Replace the dataset even when it shrinks below the guard.
    #[arg(long)]
    pub allow_shrink: bool,
}

fn parse_listing(spec: &str) -> anyhow::Result<(Source, PathBuf)> {
    let (src, file) = spec
        .split_once('=')
        .with_context(|| format!("--from-listing wants SOURCE=FILE, got {spec:?}"))?;
    let source = Source::parse(src)
        .with_context(|| format!("--from-listing: unknown source {src:?} (npm or pypi)"))?;
    Ok((source, PathBuf::from(file)))
}

/// `45m`, `2h`, `90s`, `90` (seconds).
fn parse_duration(s: &str) -> anyhow::Result<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .with_context(|| format!("--deadline: not a duration: {s:?} (try 45m)"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => anyhow::bail!("--deadline: unknown unit in {s:?} (s, m or h)"),
    };
    Ok(Duration::from_secs(secs))
}

fn command_output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = std::process::Command::new(cmd)
        .args(args)
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn http_url(s: &str) -> Option<String> {
    let s = s.trim().trim_matches(['\'', '"']);
    (s.starts_with("http://") || s.starts_with("https://")).then(|| s.to_string())
}

/// The npm client's configured registry.
fn npm_client_registry() -> Option<String> {
    http_url(&command_output("npm", &["config", "get", "registry"])?)
}

/// pip's configured index (`PIP_INDEX_URL`, else `pip config list`).
fn pip_index() -> Option<String> {
    if let Some(u) = std::env::var("PIP_INDEX_URL")
        .ok()
        .and_then(|u| http_url(&u))
    {
        return Some(u);
    }
    let text = command_output("pip", &["config", "list"])
        .or_else(|| command_output("python3", &["-m", "pip", "config", "list"]))?;
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        k.trim()
            .ends_with("index-url")
            .then(|| http_url(v))
            .flatten()
    })
}

/// Package page bases on the web, from `[crawl] npm_web` / `pypi_web` (or `HISPER_NPM_WEB` /
/// `HISPER_PYPI_WEB`); unset, records link no package page.
fn page_bases(c: &crate::config::CrawlConfig) -> crawler::listing::PageBases {
    crawler::listing::PageBases {
        npm: c.npm_web.clone(),
        pypi: c.pypi_web.clone(),
    }
}

/// `--from-installs`: probed records filled from what their installs have on disk.
fn fill_from_installs(ds: &mut dataset::Dataset, dir: &std::path::Path) {
    let r = crawler::installed::fill(ds, dir);
    tracing::info!(
        "{}: {} of {} probed records installed there; filled repository {}, license {}, \
         homepage {}, README {}",
        dir.display(),
        r.installed,
        r.probed,
        r.repository,
        r.license,
        r.homepage,
        r.readme
    );
}

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let now = crawler::now_rfc3339(args.now.as_deref())?;
    let path = g.dataset_path();
    let previous = if path.exists() {
        Some(dataset::load(&path).with_context(|| "loading the previous dataset")?)
    } else {
        None
    };
    let c = &g.config.crawl;
    let guard = c
        .shrink_guard
        .unwrap_or(crawler::output::DEFAULT_SHRINK_GUARD);
    let prev_len = previous.as_ref().map(|p| p.servers.len());

    if !args.from_listing.is_empty() {
        let listings = args
            .from_listing
            .iter()
            .map(|s| parse_listing(s))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let pages = page_bases(c);
        let mut ds = crawler::import_listings(&listings, &pages, previous.as_ref(), &now)?;
        if let Some(dir) = &args.from_installs {
            fill_from_installs(&mut ds, dir);
        }
        crawler::output::commit(&path, &ds, prev_len, guard, args.allow_shrink)?;
        tracing::info!("{}: {} records", path.display(), ds.servers.len());
        return Ok(Status::Ok);
    }

    if let Some(dir) = &args.from_installs {
        let mut ds = previous.with_context(|| format!("{}: no dataset to fill", path.display()))?;
        fill_from_installs(&mut ds, dir);
        ds.normalize();
        crawler::output::commit(&path, &ds, prev_len, guard, args.allow_shrink)?;
        return Ok(Status::Ok);
    }

    let mut sources = Vec::new();
    for s in &args.sources {
        let src = Source::parse(s).with_context(|| {
            format!("--sources: unknown source {s:?} (github, npm, pypi, registry)")
        })?;
        if !sources.contains(&src) {
            sources.push(src);
        }
    }
    let endpoints = crawler::crawl::Endpoints {
        github_api: c
            .github_api
            .clone()
            .unwrap_or_else(|| crawler::crawl::DEFAULT_GITHUB_API.into()),
        github_token: std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.is_empty()),
        mcp_registry: c
            .mcp_registry
            .clone()
            .unwrap_or_else(|| crawler::crawl::DEFAULT_MCP_REGISTRY.into()),
        npm_registry: c.npm_registry.clone().or_else(|| {
            sources
                .contains(&Source::Npm)
                .then(npm_client_registry)
                .flatten()
        }),
        npm_downloads: c.npm_downloads.clone(),
        pypi: c
            .pypi
            .clone()
            .or_else(|| sources.contains(&Source::Pypi).then(pip_index).flatten()),
    };
    let mut http = crawler::http::HttpConfig::new(crawler::http::user_agent(c.contact.as_deref()));
    if let Some(n) = c.per_host_concurrency {
        http.per_host_concurrency = n.max(1);
    }
    if let Some(ms) = c.min_spacing_ms {
        http.min_spacing = Duration::from_millis(ms);
    }
    if let Some(mb) = c.max_body_mb {
        http.max_body = mb.max(1).saturating_mul(1 << 20);
    }
    if let Some(mb) = c.max_listing_mb {
        http.max_listing_body = mb.max(1).saturating_mul(1 << 20);
    }
    http.cache_dir = Some(g.data.join("http-cache"));
    if let Some(d) = &args.deadline {
        http.deadline = Some(crawler::deadline_after(parse_duration(d)?));
    }
    let mut opts =
        crawler::crawl::Options::new(endpoints, http, now, g.data.join("checkpoint.json"));
    opts.sources = sources;
    opts.full = args.full;
    if let Some(d) = c.github_sweep_days {
        opts.github_sweep_days = d;
    }
    opts.pages = page_bases(c);
    if let Some(ms) = c.min_spacing_ms {
        // The configured spacing holds for every lane (GitHub search included).
        for p in opts.politeness.values_mut() {
            p.min_spacing = Duration::from_millis(ms);
        }
    }
    let quiet = g.quiet;
    opts.bar = Arc::new(move |s: Source| crate::progress::bar(0, s.as_str(), quiet));
    let result = crawler::crawl::crawl(&opts, previous.as_ref())?;
    let report_path = g.data.join("crawl-report.json");
    dataset::files::write(&report_path, &result.report)
        .with_context(|| format!("writing {}", report_path.display()))?;
    if !g.quiet {
        eprint!("{}", result.report.table());
    }
    crawler::output::commit(&path, &result.dataset, prev_len, guard, args.allow_shrink)?;
    tracing::info!(
        "{}: {} records",
        path.display(),
        result.dataset.servers.len()
    );
    Ok(if result.report.has_errors() {
        Status::ItemFailures
    } else {
        Status::Ok
    })
}
