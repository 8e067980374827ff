//! The four sources behind one small trait, [`Crawl`].
//!
//! A source reads its API through a [`SourceHttp`] and fills its [`SourceState`]: `known` items
//! (the source's complete current view when it finishes), a `run` progress value (cursor, window
//! queue, names left) that makes it resumable, and high-water marks for the next incremental
//! run. It calls [`Ctx::checkpoint`] after each unit of work. It never merges, classifies
//! records or writes the dataset.

pub mod github;
pub mod npm;
pub mod pypi;
pub mod registry;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use dataset::Source;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::found::Found;
use crate::http::{HttpError, SourceHttp};
pub use dataset::files::{BudgetPlan, PlannedLimit};

/// What a source keeps between runs and during one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceState {
    /// Items by the source's own key; after a complete run, exactly what the source lists.
    #[serde(default)]
    pub known: BTreeMap<String, Found>,
    /// High-water marks and per-item change markers (serials, versions, pushed dates).
    #[serde(default)]
    pub marks: BTreeMap<String, String>,
    /// Progress of an unfinished run; `None` when the last run finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<serde_json::Value>,
    /// Items found so far by the unfinished run.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, Found>,
    /// Items fetched because another source links to them (`npm:<name>`, `pypi:<name>`,
    /// `github:<owner>/<repo>`), by that link; refreshed every [`HINT_REFRESH_DAYS`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hinted: BTreeMap<String, Found>,
    /// Links the last final pass could not resolve (out of time or budget): tried first next
    /// night.
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub unresolved: std::collections::BTreeSet<String>,
}

/// Days a resolved link (or its absence) is trusted before it is fetched again.
pub const HINT_REFRESH_DAYS: i64 = 7;

/// What the final pass over other sources' links gave one source.
#[derive(Debug, Default)]
pub struct Resolved {
    pub found: Vec<Found>,
    /// Links left for the next night.
    pub unresolved: Vec<String>,
}

/// How a source's state goes to the checkpoint file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Save {
    /// Progress: written when the last write is old enough, else skipped (the file keeps the
    /// source's previous consistent state).
    Progress,
    /// Kept for the next write without writing now (several sources ending at once).
    Hold,
    /// Written now (a source's end or stop).
    Now,
}

/// Saves the checkpoint of every source (shared by the running sources).
pub type Saver = Arc<dyn Fn(Source, &SourceState, Save) + Send + Sync>;

/// What a running source works with.
pub struct Ctx {
    pub source: Source,
    pub http: SourceHttp,
    pub state: SourceState,
    pub saver: Saver,
    pub progress: indicatif::ProgressBar,
    /// Ignore high-water marks and known items: crawl everything again.
    pub full: bool,
    /// The crawl's day (days since 1970-01-01), for refreshing resolved links.
    pub today: i64,
    /// Non-fatal problems worth reporting (incomplete results, capped queries).
    pub notes: Arc<Mutex<Vec<String>>>,
    /// The source's budget plan, for the crawl report.
    pub plan: BudgetPlan,
}

impl Ctx {
    /// Records progress (written at most every couple of seconds).
    pub fn checkpoint(&self) {
        (self.saver)(self.source, &self.state, Save::Progress);
    }

    /// Keeps the state for the next checkpoint write without writing now.
    pub fn checkpoint_hold(&self) {
        (self.saver)(self.source, &self.state, Save::Hold);
    }

    /// Writes the checkpoint now (at the end of a run and when stopping).
    pub fn checkpoint_now(&self) {
        (self.saver)(self.source, &self.state, Save::Now);
    }

    pub fn note(&self, s: impl Into<String>) {
        let s = s.into();
        tracing::warn!("{}: {s}", self.source);
        self.notes.lock().unwrap_or_else(|p| p.into_inner()).push(s);
    }

    /// Reads the run progress as `T` (default when none or unreadable).
    pub fn run_state<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        self.state
            .run
            .clone()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    pub fn set_run_state<T: Serialize>(&mut self, t: &T) {
        self.state.run = serde_json::to_value(t).ok();
    }

    /// Ends the run successfully: `pending` becomes `known`.
    pub fn finish(&mut self) {
        self.state.known = std::mem::take(&mut self.state.pending);
        self.state.run = None;
        self.checkpoint_now();
    }
}

/// One source.
pub trait Crawl: Send + Sync {
    fn source(&self) -> Source;
    /// Crawls into `ctx.state`; `Ok` when complete, `Err` when stopped or failed (the
    /// checkpoint then holds what was done).
    fn crawl<'a>(&'a self, ctx: &'a mut Ctx) -> BoxFuture<'a, Result<(), HttpError>>;
    /// Whether a link (`npm:<name>`, `pypi:<name>`, `github:<owner>/<repo>`) names something
    /// this source can fetch.
    fn claims(&self, _link: &str) -> bool {
        false
    }
    /// The final pass: fetches what other sources link to and this run did not find, within
    /// what is left of the deadline and budget. Default: nothing to resolve.
    fn resolve<'a>(&'a self, ctx: &'a mut Ctx, wanted: Vec<String>) -> BoxFuture<'a, Resolved> {
        let _ = ctx;
        Box::pin(async move {
            Resolved {
                found: Vec::new(),
                unresolved: wanted,
            }
        })
    }
}

/// The shared final pass: reuses what was resolved (or found absent) in the last
/// [`HINT_REFRESH_DAYS`], fetches the rest with `fetch` (`Ok(None)`: absent), `concurrency` at
/// a time, and keeps what it could not reach for the next night (with the last known item, if
/// any, so a slow night does not drop it).
pub async fn resolve_with<F, Fut>(
    ctx: &mut Ctx,
    wanted: Vec<String>,
    concurrency: usize,
    fetch: F,
) -> Resolved
where
    F: Fn(SourceHttp, String) -> Fut,
    Fut: std::future::Future<Output = Result<Option<Found>, HttpError>>,
{
    use futures::StreamExt;
    let wanted_set: std::collections::BTreeSet<String> = wanted.iter().cloned().collect();
    ctx.state.hinted.retain(|k, _| wanted_set.contains(k));
    ctx.state.marks.retain(|k, _| {
        k.strip_prefix("hint:")
            .is_none_or(|h| wanted_set.contains(h))
    });
    let mut out = Resolved::default();
    let mut to_fetch = Vec::new();
    for h in wanted {
        let day = ctx
            .state
            .marks
            .get(&format!("hint:{h}"))
            .and_then(|d| d.parse::<i64>().ok());
        let fresh = !ctx.full && day.is_some_and(|d| ctx.today - d < HINT_REFRESH_DAYS);
        if fresh {
            out.found.extend(ctx.state.hinted.get(&h).cloned());
        } else {
            to_fetch.push(h);
        }
    }
    ctx.plan.links_wanted = to_fetch.len() as u64;
    if to_fetch.is_empty() {
        return out;
    }
    tracing::info!(
        "{}: resolving {} links from other sources",
        ctx.source,
        to_fetch.len()
    );
    // In any order (one stuck link never holds up the others), then sorted back.
    let mut results: Vec<(usize, String, Result<Option<Found>, HttpError>)> = {
        let fetch = &fetch;
        let http = &ctx.http;
        futures::stream::iter(to_fetch.into_iter().enumerate().map(|(i, h)| async move {
            let r = fetch(http.clone(), h.clone()).await;
            (i, h, r)
        }))
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
    };
    results.sort_by_key(|r| r.0);
    let mut deferred = 0;
    for (_, h, r) in results {
        match r {
            Ok(Some(f)) => {
                ctx.state.hinted.insert(h.clone(), f.clone());
                ctx.state
                    .marks
                    .insert(format!("hint:{h}"), ctx.today.to_string());
                out.found.push(f);
            }
            Ok(None) => {
                ctx.state.hinted.remove(&h);
                ctx.state
                    .marks
                    .insert(format!("hint:{h}"), ctx.today.to_string());
            }
            Err(e) => {
                if e.is_stop() {
                    deferred += 1;
                } else {
                    ctx.http.record_for(&h, &e);
                }
                out.found.extend(ctx.state.hinted.get(&h).cloned());
                out.unresolved.push(h);
            }
        }
    }
    ctx.plan.links_left = out.unresolved.len() as u64;
    if deferred > 0 {
        ctx.note(format!(
            "{deferred} links from other sources left for the next night (out of time or budget)"
        ));
    }
    out
}

/// The plan's entry for a lane of `url`'s host bounded by time alone: its spacing and the
/// requests the time left allows.
pub fn spacing_limit(http: &SourceHttp, url: &str, lane: &str) -> PlannedLimit {
    let spacing = http
        .lane_politeness(lane)
        .map(|p| p.min_spacing)
        .unwrap_or(http.http.config().min_spacing);
    PlannedLimit {
        spacing_ms: Some(spacing.as_millis() as u64),
        capacity: time_capacity(http, url, lane, 1),
        ..Default::default()
    }
}

/// How many units of `cost` requests the time left allows on one lane of `url`'s host, from
/// [`SourceHttp::request_time`] (its spacing, or its measured latency when that is longer;
/// `None`: no deadline, or neither bounds it).
pub fn time_capacity(http: &SourceHttp, url: &str, lane: &str, cost: u64) -> Option<u64> {
    let per = http.request_time(url, lane);
    let left = http.time_left()?;
    if per.is_zero() {
        return None;
    }
    Some((left.as_micros() / per.as_micros().max(1)) as u64 / cost.max(1))
}

/// Adds `key=value` query parameters to `base` with proper encoding.
pub fn url_with(base: &str, path: &str, params: &[(&str, &str)]) -> Result<String, HttpError> {
    let joined = format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    let mut url = reqwest::Url::parse(&joined).map_err(|e| HttpError::Transport {
        url: joined.clone(),
        message: format!("bad URL: {e}"),
    })?;
    if !params.is_empty() {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    Ok(url.to_string())
}

/// Percent-encodes one path segment (npm scoped names: `@scope/name` → `@scope%2Fname`).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
