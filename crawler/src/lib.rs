//! The crawler: finds MCP servers on GitHub, npm, PyPI and the MCP Registry and merges them into
//! one dataset.
//!
//! Pipeline: each source turns API responses into [`Found`] items; [`merge::merge`] groups them
//! into one [`dataset::Server`] per server and [`classify`] says what each one is;
//! [`merge::carry_over`] reconciles with the previous dataset (probe, health, enrichment and
//! history survive; failed sources keep their records, marked stale); [`output::commit`] guards
//! against shrinking and replaces the file atomically. [`listing`] is the offline path that
//! builds the bundled sample from package listings.
//!
//! This crate does not probe, rank or render, and it knows no package-registry host: endpoints
//! are configuration.

pub mod classify;
pub mod crawl;
pub mod found;
pub mod http;
pub mod installed;
pub mod listing;
pub mod merge;
pub mod normalize;
pub mod output;
pub mod sources;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use dataset::{CrawlStatus, Dataset, Source, SourceSummary};

pub use found::Found;
pub use merge::Outcome;

/// The crawl's clock: `--now`, else `SOURCE_DATE_EPOCH`, else the system clock (RFC 3339, UTC).
pub fn now_rfc3339(explicit: Option<&str>) -> anyhow::Result<String> {
    if let Some(n) = explicit {
        anyhow::ensure!(
            dataset::time::is_rfc3339(n),
            "--now must be an RFC 3339 date-time such as 2026-11-22T00:00:00Z, not {n:?}"
        );
        return Ok(n.to_string());
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = epoch
            .trim()
            .parse()
            .with_context(|| format!("SOURCE_DATE_EPOCH is not a number: {epoch:?}"))?;
        return Ok(dataset::time::rfc3339_from_unix(secs));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Ok(dataset::time::rfc3339_from_unix(secs))
}

/// Builds a dataset from package listings (`--from-listing npm=FILE`), reconciled with
/// `previous`. Sources without a listing keep their previous records unchanged.
pub fn import_listings(
    listings: &[(Source, PathBuf)],
    pages: &listing::PageBases,
    previous: Option<&Dataset>,
    now: &str,
) -> anyhow::Result<Dataset> {
    let mut found = Vec::new();
    let mut outcomes: BTreeMap<Source, Outcome> = BTreeMap::new();
    let mut notes: BTreeMap<Source, Vec<String>> = BTreeMap::new();
    for (source, path) in listings {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading listing {}", path.display()))?;
        let l = listing::parse(*source, &text, pages)
            .with_context(|| format!("listing {}", path.display()))?;
        if l.skipped > 0 {
            tracing::warn!("{}: skipped {} bad row(s)", path.display(), l.skipped);
        }
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        notes.entry(*source).or_default().push(format!(
            "imported from listing {file} ({} rows)",
            l.found.len()
        ));
        found.extend(l.found);
        outcomes.insert(*source, Outcome::Complete);
    }
    let merged = merge::merge(found, now, previous);
    let servers = merge::carry_over(merged, previous, &outcomes, now);
    let mut ds = Dataset::new(now);
    ds.servers = servers;
    for source in Source::ALL {
        let records = ds.servers.iter().filter(|s| s.has_source(source)).count() as u64;
        let summary = SourceSummary {
            status: CrawlStatus::Skipped,
            records,
            note: notes.get(&source).map(|n| n.join("; ")),
            ..Default::default()
        };
        ds.crawl.insert(source.as_str().to_string(), summary);
    }
    ds.normalize();
    Ok(ds)
}

/// The instant `d` from now, for [`http::HttpConfig::deadline`].
pub fn deadline_after(d: std::time::Duration) -> tokio::time::Instant {
    tokio::time::Instant::now() + d
}
