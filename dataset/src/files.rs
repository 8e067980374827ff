//! The files the stages exchange besides the dataset, typed once here so that the stage that
//! writes a file and the stages that read it agree on its shape: `crawl-report.json` (written by
//! `crawl`, read by `build`), `categories.json` (written by `enrich`, read by `build`) and
//! `index/web/common.json` (written by `index`, read by `build`). Each is pretty-printed JSON ending
//! in a newline, byte-stable, and written atomically ([`write`]); [`read`] names the file and the
//! field a bad file fails at.
//!
//! It does not decide what goes in a file: the writing stage does.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// `crawl-report.json`: what the last crawl did, per source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CrawlReport {
    pub generated_at: String,
    pub records: u64,
    pub previous_records: u64,
    pub sources: BTreeMap<String, SourceReport>,
}

/// One source's line in the crawl report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceReport {
    pub status: String,
    pub requests: u64,
    pub not_modified: u64,
    pub retries: u64,
    pub rate_limit_waits: u64,
    pub found: u64,
    pub new: u64,
    pub updated: u64,
    pub removed: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ReportError>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Rate-limit budgets the source's API reported, by resource (GitHub: `core`, `search`,
    /// `code_search`, `graphql`), at the start and at the end of the run.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rate_limits: BTreeMap<String, BudgetSpan>,
    /// The source's budget plan: what it estimated before crawling, against which limits, and
    /// what it decided to leave for the next night.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<BudgetPlan>,
}

/// A source's budget plan, made before it crawls (discovery) and again once discovery is
/// complete (enrichment): discovery (finding every server once) comes first; when the budget
/// cannot cover all enrichment, the most popular are enriched and the rest left for the next
/// night with yesterday's data kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetPlan {
    /// Seconds the source had for its own crawl (its share of the deadline); none without a
    /// deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
    /// Requests estimated for discovery (search pages, the index, registry pages).
    #[serde(default)]
    pub discovery_requests: u64,
    /// Requests discovery actually made.
    #[serde(default)]
    pub discovery_requests_made: u64,
    /// Items discovery found that need enrichment tonight (README and manifests, packument,
    /// project document; unchanged items reuse yesterday's).
    #[serde(default)]
    pub enrich_items: u64,
    /// Requests estimated to enrich all of them.
    #[serde(default)]
    pub enrichment_requests: u64,
    /// Items it planned to enrich tonight (the most popular first).
    #[serde(default)]
    pub enrich_planned: u64,
    /// Items left for the next night (planned, plus those the deadline or budget stopped),
    /// listed with yesterday's data or what discovery gave.
    #[serde(default)]
    pub left_for_next_night: u64,
    /// Items whose enrichment failed tonight (each in the source's `errors`), listed with
    /// yesterday's data or what discovery gave; not counted in `left_for_next_night`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub enrich_failed: u64,
    /// What bounded the plan (`core budget`, `time`), when something did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limited_by: Option<String>,
    /// Results the API reported but cannot list (GitHub search windows of one second and one
    /// star count over 1,000): not found tonight, never silently.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub shortfall: u64,
    /// The limits planned against, by resource or lane (`search`, `core`, `requests`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, PlannedLimit>,
    /// Links from other sources this source was asked to resolve in the final pass, and those
    /// it left for the next night.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub links_wanted: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub links_left: u64,
}

impl BudgetPlan {
    /// One line: discovery, enrichment, what was left and why.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "discovery ≈{} requests ({} made)",
            self.discovery_requests, self.discovery_requests_made
        );
        if self.shortfall > 0 {
            s.push_str(&format!(", {} not listable", self.shortfall));
        }
        s.push_str(&format!(
            "; enrichment {} items ≈{} requests, {} planned, ",
            self.enrich_items, self.enrichment_requests, self.enrich_planned,
        ));
        if self.enrich_failed > 0 {
            s.push_str(&format!("{} failed (see errors), ", self.enrich_failed));
        }
        s.push_str(&format!(
            "{} left for the next night",
            self.left_for_next_night
        ));
        if let Some(by) = &self.limited_by {
            s.push_str(&format!(" (bounded by {by})"));
        }
        if self.links_wanted > 0 {
            s.push_str(&format!(
                "; links {} wanted, {} left",
                self.links_wanted, self.links_left
            ));
        }
        s
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One limit a plan was made against.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlannedLimit {
    /// Requests per window, as the API reported (or publishes) it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Requests left in the current window when planning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// The window's length in seconds (on the API's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_secs: Option<u64>,
    /// The shortest time between two requests this source keeps on the lane (milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spacing_ms: Option<u64>,
    /// Requests the limit and the time left allow before the deadline (none: unbounded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
}

/// One error with its URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportError {
    pub url: String,
    pub message: String,
}

/// A rate-limit budget as the server reported it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    pub limit: u64,
    pub remaining: u64,
    /// When the window resets (Unix seconds).
    pub reset: u64,
}

/// The first and the last budget seen for one resource during a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetSpan {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Budget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Budget>,
}

impl CrawlReport {
    /// Whether any source had errors or did not finish.
    pub fn has_errors(&self) -> bool {
        self.sources
            .values()
            .any(|s| !s.errors.is_empty() || s.status == "failed" || s.status == "partial")
    }

    /// The table printed at the end.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<13} {:>8} {:>8} {:>6} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
            "source",
            "status",
            "requests",
            "304s",
            "retries",
            "waits",
            "found",
            "new",
            "upd",
            "gone",
            "errors"
        );
        for (name, s) in &self.sources {
            out.push_str(&format!(
                "{:<13} {:>8} {:>8} {:>6} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}\n",
                name,
                s.status,
                s.requests,
                s.not_modified,
                s.retries,
                s.rate_limit_waits,
                s.found,
                s.new,
                s.updated,
                s.removed,
                s.errors.len()
            ));
        }
        for (name, s) in &self.sources {
            for (res, span) in &s.rate_limits {
                let show = |b: &Option<Budget>| {
                    b.as_ref()
                        .map(|b| format!("{}/{}", b.remaining, b.limit))
                        .unwrap_or_else(|| "?".into())
                };
                out.push_str(&format!(
                    "{name} rate limit {res}: {} at start, {} at end\n",
                    show(&span.start),
                    show(&span.end)
                ));
            }
        }
        for (name, s) in &self.sources {
            if let Some(p) = &s.plan {
                out.push_str(&format!("{name} plan: {}\n", p.summary()));
            }
        }
        out.push_str(&format!(
            "records: {} (previous {})\n",
            self.records, self.previous_records
        ));
        out
    }
}

/// `categories.json`: every category of the taxonomy, sorted by id, with how many servers carry
/// it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoriesFile {
    pub categories: Vec<CategoryEntry>,
}

/// One category of `categories.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryEntry {
    /// The slug used in `Server.categories[].id` and in the site's `/categories/<id>/`.
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub description: String,
    /// Servers carrying the category.
    #[serde(default)]
    pub count: usize,
}

impl CategoriesFile {
    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&CategoryEntry> {
        self.categories.iter().find(|c| c.id == id)
    }
}

/// `index/web/common.json`: prebuilt results of the searches people make most, ranked by the
/// indexer with the search box's own index; the site renders one page per search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommonSearchesFile {
    /// Sorted by slug.
    pub searches: Vec<CommonSearch>,
}

/// One prebuilt search of `common.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommonSearch {
    /// The query as typed.
    pub q: String,
    /// Its page's path segment (`search/q/<slug>/`).
    pub slug: String,
    /// Server ids, best first.
    pub ids: Vec<String>,
}

/// Why an exchanged file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: at `{field}`: {message}")]
    Parse {
        path: String,
        /// The JSON path of the field that did not parse (`categories[3].label`), `.` for the top.
        field: String,
        message: String,
    },
}

impl FileError {
    /// Whether the file is simply not there (an optional input).
    pub fn is_missing(&self) -> bool {
        matches!(self, FileError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Parses `bytes` (the contents of `path`, for messages) as a `T`.
pub fn from_bytes<T: DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, FileError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| FileError::Parse {
        path: path.display().to_string(),
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Reads `path` as a `T`.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<T, FileError> {
    let bytes = std::fs::read(path).map_err(|source| FileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    from_bytes(path, &bytes)
}

/// `value` as pretty-printed JSON ending in a newline.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("exchanged files serialize");
    bytes.push(b'\n');
    bytes
}

/// Writes `value` at `path` atomically (see [`to_bytes`]).
pub fn write<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    crate::write_atomic(path, &to_bytes(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_round_trip_and_bad_fields_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("categories.json");
        let file = CategoriesFile {
            categories: vec![CategoryEntry {
                id: "databases".into(),
                label: "Databases".into(),
                description: "SQL and NoSQL databases.".into(),
                count: 3,
            }],
        };
        write(&path, &file).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.ends_with(b"}\n"));
        assert_eq!(read::<CategoriesFile>(&path).unwrap(), file);
        assert_eq!(file.get("databases").unwrap().count, 3);

        std::fs::write(&path, r#"{"categories": [{"id": "x", "label": 7}]}"#).unwrap();
        let err = read::<CategoriesFile>(&path).unwrap_err().to_string();
        assert!(err.contains("categories.json"), "{err}");
        assert!(err.contains("categories[0].label"), "{err}");

        let missing = read::<CategoriesFile>(&dir.path().join("nope.json")).unwrap_err();
        assert!(missing.is_missing());
    }

    #[test]
    fn crawl_reports_round_trip_and_say_when_a_source_failed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crawl-report.json");
        let mut r = CrawlReport {
            generated_at: "2026-11-22T03:00:00Z".into(),
            records: 10,
            previous_records: 9,
            ..Default::default()
        };
        r.sources.insert(
            "github".into(),
            SourceReport {
                status: "ok".into(),
                requests: 5,
                rate_limits: [(
                    "core".to_string(),
                    BudgetSpan {
                        start: Some(Budget {
                            limit: 5000,
                            remaining: 4999,
                            reset: 1,
                        }),
                        end: None,
                    },
                )]
                .into_iter()
                .collect(),
                ..Default::default()
            },
        );
        assert!(!r.has_errors());
        write(&path, &r).unwrap();
        assert_eq!(read::<CrawlReport>(&path).unwrap(), r);
        assert!(r
            .table()
            .contains("github rate limit core: 4999/5000 at start, ? at end"));
        // A budget plan round-trips and is summarized; a report without one reads as before.
        r.sources.get_mut("github").unwrap().plan = Some(BudgetPlan {
            discovery_requests: 50,
            discovery_requests_made: 48,
            enrich_items: 5000,
            enrichment_requests: 15000,
            enrich_planned: 300,
            left_for_next_night: 4700,
            limited_by: Some("core budget".into()),
            limits: [(
                "core".to_string(),
                PlannedLimit {
                    limit: Some(5000),
                    window_secs: Some(3600),
                    ..Default::default()
                },
            )]
            .into_iter()
            .collect(),
            ..Default::default()
        });
        write(&path, &r).unwrap();
        assert_eq!(read::<CrawlReport>(&path).unwrap(), r);
        assert!(r.table().contains(
            "github plan: discovery ≈50 requests (48 made); enrichment 5000 items ≈15000 \
             requests, 300 planned, 4700 left for the next night (bounded by core budget)"
        ));
        let old: CrawlReport = serde_json::from_str(
            r#"{"generated_at":"x","records":1,"previous_records":0,"sources":{"npm":{"status":"ok","requests":1,"not_modified":0,"retries":0,"rate_limit_waits":0,"found":1,"new":1,"updated":0,"removed":0}}}"#,
        )
        .unwrap();
        assert_eq!(old.sources["npm"].plan, None);
        r.sources.get_mut("github").unwrap().status = "partial".into();
        assert!(r.has_errors());
    }

    #[test]
    fn common_searches_round_trip_and_name_the_bad_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("common.json");
        let f = CommonSearchesFile {
            searches: vec![CommonSearch {
                q: "github issues".into(),
                slug: "github-issues".into(),
                ids: vec!["npm:a".into(), "npm:b".into()],
            }],
        };
        write(&path, &f).unwrap();
        assert_eq!(read::<CommonSearchesFile>(&path).unwrap(), f);
        std::fs::write(&path, br#"{"searches":[{"q":"x","slug":"x","ids":[1]}]}"#).unwrap();
        match read::<CommonSearchesFile>(&path) {
            Err(FileError::Parse { field, .. }) => assert_eq!(field, "searches[0].ids[0]"),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }
}
