//! `hisper index`: builds the tantivy index (`<data>/index/tantivy/`) and the browser index with
//! the search box's wasm module, script and style (`<data>/index/web/`).

use std::path::PathBuf;

use anyhow::Context;

use crate::{Global, Status};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output directory (default: `<data>/index`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Do not build or copy the wasm module, script and style (browser index files only).
    #[arg(long)]
    pub no_wasm: bool,
    /// Index a synthetic catalogue of N servers instead of the dataset (for benchmarks).
    #[arg(long, value_name = "N")]
    pub synthetic: Option<usize>,
    /// Index only the records FILE selects (the same file as `hisper build --only`).
    #[arg(long, value_name = "FILE")]
    pub only: Option<PathBuf>,
}

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let out = args.out.unwrap_or_else(|| g.data.join("index"));
    let ds = match args.synthetic {
        Some(n) => dataset::synthetic::catalogue(n, 42),
        None => {
            let path = g.dataset_path();
            dataset::load(&path).with_context(|| format!("loading {}", path.display()))?
        }
    };
    let mut ds = ds;
    let mut status = Status::Ok;
    if let Some(f) = &args.only {
        let sel = dataset::select::Selection::load(f)?;
        let missing = sel.apply(&mut ds);
        if !missing.is_empty() {
            tracing::warn!(
                "--only: {} entries matched no record: {}",
                missing.len(),
                missing.join(", ")
            );
            status = Status::ItemFailures;
        }
    }
    // The wasm module first: a missing one should fail before minutes of indexing.
    let wasm = if args.no_wasm {
        None
    } else {
        Some(indexer::assets::wasm_module()?)
    };
    let started = std::time::Instant::now();
    let report = indexer::index(&ds, &out, wasm.as_deref())?;
    tracing::info!(
        "indexed {} servers in {:.1}s: browser index {} files ({} shards, largest {} B, root {} B), wasm {} B",
        report.docs,
        started.elapsed().as_secs_f64(),
        report.web.files,
        report.web.shards,
        report.web.largest_shard,
        report.web.root_bytes,
        report.wasm_bytes
    );
    println!("{}", out.display());
    Ok(status)
}
