//! The enrichment's integration tests, in one test binary (`cargo test -p hisper-enrich --test
//! enrich`); their data (labelled corpora and tables) is in `enrich/tests/data/`.
//!
//! - [`pipeline`]: `enrich::enrich` end to end: deterministic, idempotent, adversarial records,
//!   `categories.json`, the bundled sample;
//! - [`kinds`]: the kind review (probe result over the crawler's guess, scoped packages,
//!   platform-binary sub-packages);
//! - [`history`]: tool fingerprints across nights (`rug-pull` findings, changelog entries);
//! - [`labelled`]: regression floors on hand-labelled categories and tool risk;
//! - [`findings`]: the trust rules against their labelled corpus and the sample's real tools.

mod findings;
mod history;
mod kinds;
mod labelled;
mod pipeline;
