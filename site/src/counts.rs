//! The catalogue's headline numbers, computed once from the dataset so that every page that shows
//! one (home, stats, browse, tools) shows the same number with the same meaning.
//!
//! It counts; it does not format or decide which page shows what.

use std::collections::BTreeSet;

use dataset::{CrawlStatus, Dataset, Kind, Source};

/// The headline numbers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Every record: servers, SDKs, frameworks, clients and others.
    pub records: usize,
    /// Records classified as servers.
    pub servers: usize,
    /// Records with a probe record (run, or found to have nothing to run).
    pub probed: usize,
    /// Records whose last probe answered `ok`.
    pub verified: usize,
    /// Tools over all probed records (a tool two servers offer counts twice).
    pub tools: usize,
    /// Distinct tool names (the tools index has one page each).
    pub tool_names: usize,
    /// Categories with at least one record.
    pub categories: usize,
    /// Records per source (a record found in two sources counts in both).
    pub by_source: Vec<(Source, usize)>,
    /// No source was crawled in this run: the records were imported from package listings (the
    /// bundled sample), so there is no crawl date to show.
    pub imported_only: bool,
}

impl Counts {
    pub fn of(ds: &Dataset) -> Counts {
        let mut names: BTreeSet<&str> = BTreeSet::new();
        let mut cats: BTreeSet<&str> = BTreeSet::new();
        let mut c = Counts {
            records: ds.servers.len(),
            ..Counts::default()
        };
        for s in &ds.servers {
            if s.kind == Kind::Server {
                c.servers += 1;
            }
            if s.verified() {
                c.verified += 1;
            }
            if let Some(p) = &s.probe {
                c.probed += 1;
                c.tools += p.tools.len();
                names.extend(p.tool_names());
            }
            cats.extend(s.categories.iter().map(|x| x.id.as_str()));
        }
        c.tool_names = names.len();
        c.categories = cats.len();
        c.by_source = Source::ALL
            .iter()
            .map(|&src| (src, ds.servers.iter().filter(|s| s.has_source(src)).count()))
            .collect();
        c.imported_only =
            !ds.crawl.is_empty() && ds.crawl.values().all(|v| v.status == CrawlStatus::Skipped);
        c
    }
}
