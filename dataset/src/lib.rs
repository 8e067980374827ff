//! The Hisper dataset: the one contract between the pipeline's stages.
//!
//! `crawl` writes it, `probe` and `enrich` add to it, `index` and `build` read it. This crate holds
//! the typed records ([`Dataset`], [`Server`] and everything below them), byte-stable loading and
//! atomic saving ([`io`]), the invariant checker behind `hisper validate` ([`validate`]), the export
//! to the official MCP `server.json` format ([`export`]) and the one slug function every stage uses
//! to name a server's page ([`slug`]), the types of the other files the stages exchange
//! ([`files`]: `categories.json`), and the curated subsets of `--only FILE` ([`select`]).
//!
//! It does not fetch, probe, rank or render anything, and it depends on serde only (plus schemars
//! for the JSON Schema), so it also builds for `wasm32-unknown-unknown`.

pub mod enrich;
pub mod export;
pub mod files;
pub mod io;
pub mod model;
pub mod probe;
pub mod select;
pub mod slug;
pub mod synthetic;
pub mod time;
pub mod validate;

pub use enrich::*;
pub use io::{load, load_bytes, save, to_canonical_bytes, write_atomic, LoadError};
pub use model::*;
pub use probe::*;

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema of the dataset file, generated from the types.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Dataset);
    serde_json::to_value(schema).expect("a generated schema is always JSON")
}
