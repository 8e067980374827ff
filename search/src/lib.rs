//! The search engine over Hisper's sharded browser index, shared by native code and the wasm build.
//!
//! - [`analyze`]: the one text analysis used by the tantivy index, the browser index and queries.
//! - [`format`]: the browser index's files (root, shards, vocabulary buckets, filters).
//! - [`engine`]: ranking over those files without doing I/O ([`Engine`], [`Step`]).
//! - [`DirReader`] (native only): the engine reading files from a directory, for the CLI and tests.
//! - `wasm` (wasm32 only): plain `extern "C"` exports driven by `web/search.js`.
//! - `alloc`: the wasm module's allocator (installed on wasm32 only).
//!
//! This crate has no dependencies so that the wasm module stays small. It does not build the index
//! (that is the `indexer` crate) and does not fetch anything by itself.

#[cfg(any(target_arch = "wasm32", test))]
mod alloc;
pub mod analyze;
pub mod engine;
pub mod format;

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(target_arch = "wasm32")]
mod wasm;

pub use engine::{parse, Engine, Hit, Parsed, Step};
pub use format::FormatError;
#[cfg(not(target_arch = "wasm32"))]
pub use native::{DirReader, ReadError};

/// The browser index's root file name inside the index directory.
pub const ROOT_FILE: &str = "root.txt";
/// The path of a document's result record inside the index directory.
pub fn record_path(doc: u32) -> String {
    format!("r/{}/{}.json", doc / 1000, doc)
}
