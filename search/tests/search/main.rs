//! The query engine's integration tests, in one test binary (`cargo test -p hisper-search --test
//! search`):
//!
//! - [`fuzz`]: property tests: the analyzer, the query parser and the engine never panic, and
//!   corrupt index files are refused without panicking;
//! - [`allocations`]: the cold path allocates per file and per query, never per posting (it
//!   installs the binary's global allocator, which counts per thread; see there why the other
//!   tests running beside it do not disturb its counts).
//!
//! The relevance query sets (`relevance/`) are read by the indexer's tests, the search box driver
//! (`browser/drive.mjs`) by the root package's browser test.

mod allocations;
mod fuzz;
