//! The indexer's integration tests, in one test binary (`cargo test -p hisper-indexer --test
//! indexer`): [`roundtrip`] (dataset → tantivy and browser indexes → both readers agree),
//! [`relevance`] (MRR floors on the bundled sample) and [`ranking`] (the ranking's priors and
//! task queries). The search box in a browser, which needs the
//! site too, is a cross-stage test in the root `tests/hisper/browser.rs`.

mod ranking;
mod relevance;
mod remote;
mod roundtrip;
