//! The dataset crate's integration tests, in one test binary (`cargo test -p hisper-dataset
//! --test dataset`):
//!
//! - [`schema`]: the committed JSON Schema matches the types (regenerate with
//!   `HISPER_BLESS=1 cargo test -p hisper-dataset --test dataset schema`);
//! - [`fuzz`]: property tests: the validator and loader never panic, and what the validator
//!   accepts loads.

mod fuzz;
mod schema;
