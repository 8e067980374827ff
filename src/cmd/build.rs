//! `hisper build`: renders the dataset into the static site (see the `site` crate).

use std::path::PathBuf;

use crate::{Global, Status};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output directory (default `[site] output`, else `public`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Where the site is published, e.g. `https://owner.github.io/hisper/` (default `[site]
    /// base_url` / `HISPER_BASE_URL`, else `/`).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Directory copied to `search/` (default `<data>/index/web`, written by `hisper index`).
    #[arg(long)]
    pub search_web: Option<PathBuf>,
    /// Do not update `<data>/history.json`.
    #[arg(long)]
    pub no_history: bool,
    /// After building, check that every internal link resolves (exit 1 if one does not).
    #[arg(long)]
    pub check_links: bool,
    /// Publish only the records FILE selects (ids, names or filters, one a line; see
    /// `dataset::select`) as their own site and registry mirror; exit 1 if an entry matches nothing.
    /// Index with the same `--only` so search finds exactly these.
    #[arg(long, value_name = "FILE")]
    pub only: Option<PathBuf>,
}

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let out = args
        .out
        .or_else(|| g.config.site.output.clone().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("public"));
    let mut opts = site::Options::new(&g.data, &out);
    opts.base_url = args.base_url.or_else(|| g.config.site.base_url.clone());
    opts.search_web = args.search_web;
    opts.update_history = !args.no_history;
    if let Some(f) = &args.only {
        opts.only = Some(dataset::select::Selection::load(f)?);
    }
    let pb = crate::progress::bar(0, "build", g.quiet);
    let report = site::build(&opts, &pb)?;
    pb.finish_and_clear();
    tracing::info!(
        "built {} servers: {} pages, {} files, {:.1} MB in {:.1}s",
        report.servers,
        report.pages,
        report.files,
        report.bytes as f64 / 1e6,
        report.elapsed.as_secs_f64()
    );
    println!("{}", out.display());
    let mut status = Status::Ok;
    if !report.only_missing.is_empty() {
        tracing::warn!(
            "--only: {} entries matched no record: {}",
            report.only_missing.len(),
            report.only_missing.join(", ")
        );
        status = Status::ItemFailures;
    }
    if args.check_links {
        let base = site::Base::parse(opts.base_url.as_deref());
        let (checked, broken) = site::links::check(&out, &base.path)?;
        for b in broken.iter().take(50) {
            tracing::warn!("broken link in {}: {}", b.page, b.link);
        }
        tracing::info!("checked {checked} internal links, {} broken", broken.len());
        if !broken.is_empty() {
            return Ok(Status::ItemFailures);
        }
    }
    Ok(status)
}
