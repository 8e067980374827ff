//! The crawler's integration tests, in one test binary (`cargo test -p hisper-crawler --test
//! crawler`): [`crawl`] (end-to-end crawls against the local fake: each source, merging,
//! resume, failures, incremental runs), [`http`] (the shared HTTP layer: rate limits, retries,
//! the disk cache, per-host spacing), [`installed`] (records filled from the probe's installs on
//! disk), [`limits`] (crawls against fakes enforcing the real API limits), [`stuck`] and [`nights`]
//! (GitHub over several nights: incremental searches, full sweeps, a night cut short).
//!
//! The fake APIs stay in `tests/fake/` (shared with the benchmark and the root `tests/hisper/nightly.rs`
//! by path) and the recorded response shapes in `tests/fixtures/`. All tests share one process
//! and run on parallel threads: none sets a process environment variable or relies on
//! per-process state; each fake listens on its own port and each test writes in its own
//! temporary directory.

#[path = "../fake/mod.rs"]
mod fake;

mod crawl;
mod http;
mod installed;
mod limits;
mod nights;
mod stuck;
