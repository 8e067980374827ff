//! `hisper crawl`: finds MCP servers and writes the dataset.
//!
//! `--from-listing npm=FILE --from-listing pypi=FILE` imports package listings offline (this is
//! how the bundled sample is made). The old dataset is kept as `previous/servers.json` and is only
//! replaced when the new one passes the shrink guard.

use std::path::PathBuf;

use anyhow::Context;
use dataset::Source;

use crate::{Global, Status};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Import a package listing instead of crawling: `npm=FILE` or `pypi=FILE` (tab-separated,
    /// with a header line). Repeatable.
    #[arg(long = "from-listing", value_name = "SOURCE=FILE")]
    pub from_listing: Vec<String>,
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

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let now = crawler::now_rfc3339(args.now.as_deref())?;
    let path = g.dataset_path();
    let previous = if path.exists() {
        Some(dataset::load(&path).with_context(|| "loading the previous dataset")?)
    } else {
        None
    };
    let guard = g
        .config
        .crawl
        .shrink_guard
        .unwrap_or(crawler::output::DEFAULT_SHRINK_GUARD);
    anyhow::ensure!(
        !args.from_listing.is_empty(),
        "nothing to do: pass --from-listing npm=FILE / pypi=FILE"
    );
    let listings = args
        .from_listing
        .iter()
        .map(|s| parse_listing(s))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let pages = crawler::listing::PageBases {
        npm: g.config.crawl.npm_registry.clone(),
        pypi: g.config.crawl.pypi.clone(),
    };
    let ds = crawler::import_listings(&listings, &pages, previous.as_ref(), &now)?;
    crawler::output::commit(
        &path,
        &ds,
        previous.as_ref().map(|p| p.servers.len()),
        guard,
        args.allow_shrink,
    )?;
    tracing::info!("{}: {} records", path.display(), ds.servers.len());
    Ok(Status::Ok)
}
