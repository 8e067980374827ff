//! The indexer: builds Hisper's tantivy index and exports the sharded browser index.
//!
//! - [`prepare`]: what of each server is indexed (fields, boosts, filters, popularity prior).
//! - [`tantivy_index`]: the authoritative tantivy index under `data/index/tantivy/` and the
//!   CLI's query over it ([`tantivy_index::Searcher`]).
//! - [`web`]: the browser index under `data/index/web/` (format in `search::format`).
//! - [`assets`]: the search box's wasm module, script and style placed next to the browser index.
//! - [`common`]: prebuilt results for common searches (`common.json`), for pages that work
//!   without JavaScript.
//!
//! It reads a [`dataset::Dataset`] and writes files; it never touches the network.

pub mod assets;
pub mod common;
pub mod prepare;
pub mod relevance;
pub mod tantivy_index;
pub mod vocabulary;
pub mod web;

use std::path::Path;

use anyhow::Context;

pub use prepare::{prepare, Doc, Field};
pub use tantivy_index::{Found, Searcher};
pub use web::ExportStats;

/// What `index` built.
#[derive(Debug, Clone)]
pub struct IndexReport {
    pub docs: usize,
    pub web: ExportStats,
    pub wasm_bytes: usize,
}

/// Builds both indexes for `ds` under `out` (`out/tantivy/`, `out/web/`), replacing what was there.
/// `wasm` is the compiled search module to place next to the browser index (None: keep none).
pub fn index(
    ds: &dataset::Dataset,
    out: &Path,
    wasm: Option<&[u8]>,
) -> anyhow::Result<IndexReport> {
    let docs = prepare(ds);
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let tmp_t = out.join("tantivy.tmp");
    let tmp_w = out.join("web.tmp");
    for d in [&tmp_t, &tmp_w] {
        if d.exists() {
            std::fs::remove_dir_all(d).with_context(|| format!("removing {}", d.display()))?;
        }
    }
    tantivy_index::build(&docs, &tmp_t)?;
    let (web, params) = web::export_with_params(&docs, &tmp_w)?;
    // The CLI ranks with the browser index's constants and layout.
    dataset::write_atomic(
        &tmp_t.join(tantivy_index::SCORES_FILE),
        params.encode().as_bytes(),
    )?;
    common::write(&docs, &tmp_w)?;
    let root = std::fs::read(tmp_w.join(search::ROOT_FILE)).context("reading the exported root")?;
    dataset::write_atomic(&tmp_t.join(tantivy_index::ROOT_COPY), &root)?;
    if let Some(w) = wasm {
        assets::write_assets(&tmp_w, w)?;
    }
    for (tmp, name) in [(&tmp_t, "tantivy"), (&tmp_w, "web")] {
        let dest = out.join(name);
        if dest.exists() {
            std::fs::remove_dir_all(&dest)
                .with_context(|| format!("removing {}", dest.display()))?;
        }
        std::fs::rename(tmp, &dest)
            .with_context(|| format!("moving {} to {}", tmp.display(), dest.display()))?;
    }
    Ok(IndexReport {
        docs: docs.len(),
        web,
        wasm_bytes: wasm.map(<[u8]>::len).unwrap_or(0),
    })
}
