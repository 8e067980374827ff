//! `hisper enrich`: fills categories, score, safety, checklist, similar and duplicates for every
//! server of the dataset, writes it back atomically, and writes `categories.json` next to it.
//!
//! Deterministic and idempotent: a second run over its own output gives byte-identical files.
//! Prints a one-line JSON report on stdout.

use anyhow::Context;

use crate::{Global, Status};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Compute and report, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let path = g.dataset_path();
    let mut ds = dataset::load(&path).with_context(|| format!("loading {}", path.display()))?;
    let pb = crate::progress::bar(ds.servers.len() as u64, "enrich", g.quiet);
    let report = enrich::enrich(&mut ds, &pb);
    let categories = g.data.join("categories.json");
    if !args.dry_run {
        dataset::save(&path, &ds).with_context(|| format!("writing {}", path.display()))?;
        dataset::write_atomic(&categories, &enrich::categories_json(&ds))
            .with_context(|| format!("writing {}", categories.display()))?;
    }
    tracing::info!(
        "enriched {} servers: {} categorized, {} with tool safety ({} conflicts), {} copies, {} typo-squat suspects, {} stuffed, {} with similar servers",
        report.servers,
        report.categorized,
        report.with_safety,
        report.conflicts,
        report.copies,
        report.typosquats,
        report.stuffed,
        report.with_similar
    );
    println!("{}", serde_json::to_string(&report)?);
    Ok(Status::Ok)
}
