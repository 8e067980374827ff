//! GitHub: repository search over MCP topics and keywords, split by date windows (discovery),
//! then enrichment of the repositories found (README and manifests), most starred first, within
//! the rate-limit budget.
//!
//! Every request goes through the shared client to the configured API base, which attaches the
//! token (when one is set) to every request under that base and to nothing else. Search runs in
//! the `search` lane, everything else in `core`, so the two buckets pace and pause apart.
//! `GET /rate_limit` (free) is read at the start and the end for the report and the plan.
//!
//! GitHub search answers at most 1,000 results per query. Each query starts as one window
//! open at the top (`created:2008-01-01..*` on a full sweep, `pushed:<last night − 1 day>..*`
//! on an incremental night, so nothing newer than the crawl's clock is missed). Each query is
//! swept in full every `sweep_days` nights (`[crawl] github_sweep_days`, default 7, spread so
//! about one in `sweep_days` of the queries sweeps a night): a sweep finds what gained a topic
//! or keyword without a push, refreshes stars, and a repository no query's sweep has returned
//! since it was last seen is removed. A repository listed but not returned tonight keeps the
//! night it was last seen (`seen:<repo>` marks, [`Found::seen_at`]). A window whose
//! `total_count` is over 1,000 is split adaptively, never assuming an even spread: at the
//! quantiles of its first page's dates (a second the sample shows to be dense gets a window of
//! its own), down to single seconds, and a one-second window by `stars:` ranges. Only a window
//! of one second and one star count still over 1,000 loses results; its excess is counted
//! (`shortfall`) and noted, never dropped silently. A page answering 422 ends its window;
//! `incomplete_results: true` is retried once, then noted. A search item carries everything a record needs (metadata, stars, license,
//! topics, dates), so discovery alone gives a complete listing. Enrichment then fetches the
//! README, the root listing and the manifests that reveal how a server is launched
//! (package.json, pyproject.toml, Cargo.toml, server.json, smithery.yaml); a renamed repository
//! answers those with a redirect, which is followed and its new metadata read (its numeric id
//! keeps its record's id). Repositories enriched at their current `pushed_at` are not enriched
//! again. When the budget cannot cover every repository, the most starred go first and the
//! rest keep yesterday's enrichment (or their search metadata) until a later night.

use std::collections::BTreeMap;

use dataset::{Repository, Source};
use futures::future::BoxFuture;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{url_with, Crawl, Ctx, PlannedLimit, Resolved};
use crate::found::{signal, Found};
use crate::http::{BodyCap, Budget, HttpError};
use crate::normalize::{normalize_repo, pep503};

/// The GitHub source.
pub struct Github {
    pub api: String,
    pub queries: Vec<String>,
    pub concurrency: usize,
    /// The earliest `created:` date of a full run (Unix seconds).
    pub epoch: i64,
    /// The crawl's clock (Unix seconds).
    pub now: i64,
    /// How much faster than real time the API's windows run (1 in real use).
    pub time_scale: f64,
    /// Days between two full sweeps of one query (0: every night in full).
    pub sweep_days: u64,
}

/// The default of [`Github::sweep_days`].
pub const DEFAULT_SWEEP_DAYS: u64 = 7;

/// The manifests fetched from a repository's root.
pub const MANIFESTS: &[&str] = &[
    "package.json",
    "pyproject.toml",
    "Cargo.toml",
    "server.json",
    "smithery.yaml",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Window {
    query: String,
    /// `created` or `pushed`.
    field: String,
    lo: i64,
    hi: i64,
    /// The window has no upper bound (`lo..*`): repositories created or pushed after the
    /// crawl's clock (a clock behind GitHub's, a repository created during the crawl) are
    /// still found. `hi` is then only where a split puts its middle.
    #[serde(default)]
    open: bool,
    /// A `stars:` range (lowest, highest or unbounded) narrowing a one-second window that
    /// still holds more than the search can list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stars: Option<(u64, Option<u64>)>,
}

/// The most of a manifest read (a longer one is cut, and then usually unreadable).
pub const MANIFEST_CAP: usize = 1 << 20;

/// The most results one search query can page through (10 pages of 100).
pub const SEARCH_CAP: u64 = 1000;

impl Window {
    /// The `q` parameter of this window.
    fn q(&self) -> String {
        let hi = if self.open {
            "*".to_string()
        } else {
            stamp(self.hi)
        };
        let mut q = format!("{} {}:{}..{hi}", self.query, self.field, stamp(self.lo));
        if let Some((a, b)) = self.stars {
            let b = b.map(|b| b.to_string()).unwrap_or_else(|| "*".into());
            q.push_str(&format!(" stars:{a}..{b}"));
        }
        q
    }

    /// Splits a window whose `total` results the search cannot page through, into windows
    /// that together cover exactly the same repositories. Time first: cut points at the
    /// quantiles of the dates `sample` (the first page's items, in best-match order, so a
    /// fair sample of the window), a second that the sample says is dense isolated on its
    /// own, else halves. A one-second window is split by star ranges. `None`: it cannot be
    /// split further (one second, one star count).
    fn split(&self, total: u64, sample: &[i64]) -> Option<Vec<Window>> {
        let hi = if self.open {
            self.hi.max(self.lo + 1)
        } else {
            self.hi
        };
        if hi > self.lo {
            let mut cuts = std::collections::BTreeSet::new();
            let inside: Vec<i64> = {
                let mut v: Vec<i64> = sample
                    .iter()
                    .copied()
                    .filter(|t| *t >= self.lo && (self.open || *t <= hi))
                    .collect();
                v.sort_unstable();
                v
            };
            if !inside.is_empty() {
                let parts = total.div_ceil(800).clamp(2, 8) as usize;
                for i in 1..parts {
                    cuts.insert(inside[inside.len() * i / parts]);
                }
                // A second holding about half the window or more gets a window of its own.
                let mut i = 0;
                while i < inside.len() {
                    let j = inside[i..].iter().take_while(|t| **t == inside[i]).count();
                    if (j as u64) * total / (inside.len() as u64) > SEARCH_CAP / 2 {
                        cuts.insert(inside[i]);
                        cuts.insert(inside[i] + 1);
                    }
                    i += j;
                }
            }
            // A cut starts a window; it must leave something on both sides.
            cuts.retain(|c| *c > self.lo && (self.open || *c <= hi));
            if cuts.is_empty() {
                cuts.insert(self.lo + (hi - self.lo + 1) / 2);
            }
            let mut out = Vec::new();
            let mut lo = self.lo;
            for c in cuts {
                out.push(Window {
                    lo,
                    hi: c - 1,
                    open: false,
                    ..self.clone()
                });
                lo = c;
            }
            out.push(Window {
                lo,
                hi: if self.open { hi.max(lo) } else { hi },
                ..self.clone()
            });
            return Some(out);
        }
        // One second: star ranges (unbounded at first; 0–9, 10–99, … then halves).
        let (a, b) = self.stars.unwrap_or((0, None));
        let ranges = match b {
            None => {
                let c = if a == 0 { 10 } else { a.saturating_mul(10) };
                vec![(a, Some(c - 1)), (c, None)]
            }
            Some(b) if b > a => {
                let m = a + (b - a) / 2;
                vec![(a, Some(m)), (m + 1, Some(b))]
            }
            Some(_) => return None,
        };
        Some(
            ranges
                .into_iter()
                .map(|r| Window {
                    stars: Some(r),
                    ..self.clone()
                })
                .collect(),
        )
    }
}

/// Unix seconds of an RFC 3339 time (`None` when unreadable; offsets other than `Z` are
/// read as UTC, which is close enough for choosing where to split a window).
fn unix_of(t: &str) -> Option<i64> {
    let day = dataset::time::day_number(t)?;
    let hms: Vec<i64> = t
        .get(11..19)?
        .split(':')
        .map(|x| x.parse().ok())
        .collect::<Option<_>>()?;
    Some(day * 86_400 + hms.first()? * 3600 + hms.get(1)? * 60 + hms.get(2)?)
}

/// One search hit: the repository's metadata and its creation date.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Hit {
    repo: Repository,
    #[serde(default)]
    created: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Progress {
    started: bool,
    queue: Vec<Window>,
    /// Search hits: lowercase full name → metadata from the search item.
    hits: BTreeMap<String, Hit>,
    searched: bool,
    windows_done: u64,
    /// Search requests made by this run (the next night's estimate).
    #[serde(default)]
    search_requests: u64,
    /// Hits enriched by this run before it stopped.
    #[serde(default)]
    enriched: std::collections::BTreeSet<String>,
    /// Repositories the search reported but could not list: windows of one second and one
    /// star count holding more than [`SEARCH_CAP`] results (their excess).
    #[serde(default)]
    shortfall: u64,
    /// The queries searched in full (`created:` from the epoch) tonight: their sweep.
    #[serde(default)]
    sweeping: Vec<String>,
}

/// Core requests one enrichment costs on average (README, root listing, about one manifest).
pub const ENRICH_COST: u64 = 3;

/// The GitHub lanes.
pub const LANE_SEARCH: &str = "search";
pub const LANE_CORE: &str = "core";

#[derive(Deserialize)]
struct SearchPage {
    #[serde(default)]
    total_count: u64,
    #[serde(default)]
    incomplete_results: bool,
    #[serde(default)]
    items: Vec<Value>,
}

fn stamp(secs: i64) -> String {
    dataset::time::rfc3339_from_unix(secs)
}

/// A GitHub repository object (search item or `/repos/…`) into [`Repository`].
pub fn repo_from_json(v: &Value) -> Option<Repository> {
    let full = v.get("full_name")?.as_str()?;
    let (owner, name) = full.split_once('/')?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).filter(|x| !x.is_empty());
    let url = s("html_url")
        .map(str::to_string)
        .unwrap_or_else(|| format!("https://github.com/{full}"));
    let norm = normalize_repo(&url, None)?;
    Some(Repository {
        url: norm.url(),
        forge: "github".into(),
        owner: owner.into(),
        name: name.into(),
        subfolder: None,
        forge_id: v.get("id").and_then(Value::as_u64),
        description: s("description").map(str::to_string),
        stars: v.get("stargazers_count").and_then(Value::as_u64),
        forks: v.get("forks_count").and_then(Value::as_u64),
        license: v
            .get("license")
            .and_then(|l| l.get("spdx_id"))
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty() && *l != "NOASSERTION")
            .map(str::to_string),
        topics: v
            .get("topics")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default(),
        archived: v.get("archived").and_then(Value::as_bool).unwrap_or(false),
        fork: v.get("fork").and_then(Value::as_bool).unwrap_or(false),
        pushed_at: s("pushed_at")
            .filter(|t| dataset::time::is_rfc3339(t))
            .map(str::to_string),
        default_branch: s("default_branch").map(str::to_string),
    })
}

/// Facts from the manifests of a repository root.
pub fn manifest_facts(file: &str, text: &str, f: &mut Found) {
    match file {
        "package.json" => {
            let Ok(v) = serde_json::from_str::<Value>(text) else {
                return;
            };
            let private = v.get("private").and_then(Value::as_bool).unwrap_or(false);
            if let (Some(n), false) = (v.get("name").and_then(Value::as_str), private) {
                f.links.push(format!("npm:{n}"));
            }
            if v.get("mcpName").and_then(Value::as_str).is_some() {
                f.signals.push(signal::NPM_MCP_NAME.into());
            }
            let deps = v.get("dependencies").and_then(Value::as_object);
            if deps.is_some_and(|d| super::npm::SDK_DEPS.iter().any(|s| d.contains_key(*s))) {
                f.signals.push(signal::DEPENDS_ON_SDK.into());
            }
            if v.get("bin").is_some_and(|b| !b.is_null()) {
                f.signals.push(signal::ENTRY_POINT.into());
            }
        }
        "pyproject.toml" => {
            let mut section = String::new();
            for line in text.lines() {
                let l = line.trim();
                if l.starts_with('[') {
                    section = l.trim_matches(['[', ']']).trim().to_string();
                    continue;
                }
                if section == "project" {
                    if let Some(rest) = l.strip_prefix("name") {
                        let v = rest
                            .trim_start()
                            .trim_start_matches('=')
                            .trim()
                            .trim_matches('"');
                        if !v.is_empty() && !v.contains(' ') {
                            f.links.push(format!("pypi:{}", pep503(v)));
                        }
                    }
                }
                if section == "project.scripts" && l.contains('=') {
                    f.signals.push(signal::ENTRY_POINT.into());
                }
                let lower = l.to_lowercase();
                if (lower.starts_with("\"mcp") || lower.starts_with("\"fastmcp"))
                    && (section == "project" || section.starts_with("tool.poetry"))
                {
                    f.signals.push(signal::DEPENDS_ON_SDK.into());
                }
                if section == "project"
                    && lower.starts_with("dependencies")
                    && (lower.contains("\"mcp") || lower.contains("\"fastmcp"))
                {
                    f.signals.push(signal::DEPENDS_ON_SDK.into());
                }
            }
        }
        "Cargo.toml" => {
            if text.lines().any(|l| l.trim_start().starts_with("rmcp")) {
                f.signals.push(signal::DEPENDS_ON_SDK.into());
            }
            if text.contains("[[bin]]") || text.contains("[package]") {
                f.signals.push(signal::ENTRY_POINT.into());
            }
        }
        "server.json" => {
            f.signals.push(signal::SERVER_JSON.into());
            if let Some(n) = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
            {
                f.links.push(format!("mcp-registry:{n}"));
            }
        }
        "smithery.yaml" => f.signals.push(signal::SMITHERY.into()),
        _ => {}
    }
}

fn created_of(v: &Value) -> Option<String> {
    v.get("created_at")
        .and_then(Value::as_str)
        .filter(|t| dataset::time::is_rfc3339(t))
        .map(str::to_string)
}

/// An item from repository metadata alone (no README, no manifests).
pub fn found_from_meta(meta: &Repository) -> Found {
    let full = format!("{}/{}", meta.owner, meta.name);
    let mut f = Found::new(Source::Github, full, meta.name.clone());
    f.repo = normalize_repo(&meta.url, None);
    f.url = Some(meta.url.clone());
    f.stars = meta.stars;
    f.description = meta.description.clone();
    f.summary = meta.description.clone();
    f.keywords = meta.topics.clone();
    f.updated_at = meta.pushed_at.clone();
    f.license = meta.license.clone();
    f.repo_meta = Some(meta.clone());
    f.cap_fields();
    f
}

const RAW: &str = "application/vnd.github.raw+json";
const JSON: &str = "application/vnd.github+json";

/// Requests a budget allows before the deadline: what remains now, plus a full window's limit
/// for every reset that falls before it. `None`: unbounded (no budget reported or no deadline).
pub fn capacity(
    b: Option<&Budget>,
    window: std::time::Duration,
    left: Option<std::time::Duration>,
) -> Option<u64> {
    let b = b?;
    let left = left?.as_millis() as u64;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let reset_in = (b.reset * 1000).saturating_sub(now);
    let mut cap = b.remaining;
    if left > reset_in {
        let windows = 1 + (left - reset_in) / (window.as_millis() as u64).max(1);
        cap = cap.saturating_add(b.limit.saturating_mul(windows));
    }
    Some(cap)
}

impl Github {
    /// A rate-limit window of `secs` seconds on the API's clock.
    fn window(&self, secs: u64) -> std::time::Duration {
        std::time::Duration::from_secs(secs).div_f64(self.time_scale.max(1e-3))
    }

    fn url(&self, path: &str) -> Result<String, HttpError> {
        url_with(&self.api, path, &[])
    }

    /// Reads `GET /rate_limit` (it costs no budget) into the budget record; a failure is only
    /// logged.
    async fn read_rate_limit(&self, ctx: &Ctx) {
        let Ok(url) = self.url("rate_limit") else {
            return;
        };
        match ctx.http.get_json_lane::<Value>(&url, JSON, LANE_CORE).await {
            Ok((v, _)) => {
                for res in ["core", "search", "code_search", "graphql"] {
                    let r = &v["resources"][res];
                    let n = |k: &str| r.get(k).and_then(Value::as_u64);
                    if let (Some(limit), Some(remaining)) = (n("limit"), n("remaining")) {
                        ctx.http.observe_budget(
                            res,
                            Budget {
                                limit,
                                remaining,
                                reset: n("reset").unwrap_or(0),
                            },
                        );
                    }
                }
            }
            Err(e) => tracing::debug!("github: {url}: {e}"),
        }
    }

    /// The search time and budget this source can spend before its deadline: the discovery
    /// plan, logged and kept for the report.
    fn plan_discovery(&self, ctx: &mut Ctx, p: &Progress) {
        let estimate = ctx
            .state
            .marks
            .get("search_requests")
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(self.queries.len() as u64 * 10)
            .saturating_sub(p.search_requests);
        let left = ctx.http.time_left();
        let search = ctx.http.budget("search");
        let cap = capacity(search.as_ref(), self.window(60), left);
        let core = ctx.http.budget("core");
        tracing::info!(
            "github plan: discovery ≈{estimate} search requests ({} queries, {} windows queued); \
             search budget {}; core budget {}; {}; capacity before the deadline: {}",
            self.queries.len(),
            p.queue.len(),
            search
                .as_ref()
                .map(|b| format!("{}/{}", b.remaining, b.limit))
                .unwrap_or("unknown".into()),
            core.as_ref()
                .map(|b| format!("{}/{}", b.remaining, b.limit))
                .unwrap_or("unknown".into()),
            left.map(|l| format!("{} s left", l.as_secs()))
                .unwrap_or("no deadline".into()),
            cap.map(|c| c.to_string()).unwrap_or("unbounded".into()),
        );
        let spacing = |lane: &str| {
            ctx.http
                .lane_politeness(lane)
                .map(|p| p.min_spacing.as_millis() as u64)
        };
        let plan = &mut ctx.plan;
        plan.seconds = left.map(|l| l.as_secs());
        plan.discovery_requests = estimate + p.search_requests;
        plan.limits.insert(
            LANE_SEARCH.into(),
            PlannedLimit {
                limit: search.as_ref().map(|b| b.limit),
                remaining: search.as_ref().map(|b| b.remaining),
                window_secs: Some(60),
                spacing_ms: spacing(LANE_SEARCH),
                capacity: cap,
            },
        );
        plan.limits.insert(
            LANE_CORE.into(),
            PlannedLimit {
                limit: core.as_ref().map(|b| b.limit),
                remaining: core.as_ref().map(|b| b.remaining),
                window_secs: Some(3600),
                spacing_ms: spacing(LANE_CORE),
                capacity: capacity(core.as_ref(), self.window(3600), left),
            },
        );
        // A first night's estimate is a guess (ten pages a query); warn only from a measured one.
        let measured = ctx.state.marks.contains_key("search_requests");
        if cap.is_some_and(|c| c < estimate) && !measured {
            tracing::info!(
                "github: the search budget ({}) may not cover discovery if every query needs \
                 ten pages (≈{estimate} requests)",
                cap.unwrap_or(0)
            );
        } else if cap.is_some_and(|c| c < estimate) {
            ctx.note(format!(
                "the search budget ({}) may not cover discovery (≈{estimate} requests)",
                cap.unwrap_or(0)
            ));
        }
    }

    /// How many repositories the core budget and the time left can enrich, and which of the
    /// two bounds it (`None`: unbounded).
    fn enrich_capacity(&self, ctx: &Ctx) -> Option<(u64, &'static str)> {
        let left = ctx.http.time_left();
        let core = ctx.http.budget("core");
        let by_budget = capacity(core.as_ref(), self.window(3600), left)
            // A twentieth stays for the final pass over other sources' links.
            .map(|c| c.saturating_sub(c / 20) / ENRICH_COST);
        // The spacing, or the measured latency when the API answers slower than that.
        let per = ctx.http.request_time(&self.api, LANE_CORE);
        let by_time = left
            .filter(|_| !per.is_zero())
            .map(|l| (l.as_micros() / per.as_micros().max(1)) as u64 / ENRICH_COST);
        match (by_budget, by_time) {
            (Some(b), Some(t)) if t < b => Some((t, "time")),
            (Some(b), _) => Some((b, "core budget")),
            (None, Some(t)) => Some((t, "time")),
            (None, None) => None,
        }
    }

    /// The queries to sweep in full tonight (`created:` from the epoch instead of `pushed:`
    /// since the last night): all of them on a first or `--full` night; else those whose last
    /// complete sweep (mark `sweep:<query>`) is [`Github::sweep_days`] old or more, most
    /// overdue first, at most a `sweep_days`-th of the queries a night, so the nights stay
    /// even. An incremental search finds only what was pushed; a sweep also finds what gained
    /// a topic or keyword without a push, refreshes every repository's stars and, once every
    /// query has been swept since a repository was last seen, lets it be removed.
    fn sweeps_due(&self, ctx: &Ctx, all: bool) -> Vec<String> {
        if all || self.sweep_days == 0 {
            return self.queries.clone();
        }
        let period = self.sweep_days as i64 * 86_400;
        let mut due: Vec<(i64, usize, &String)> = self
            .queries
            .iter()
            .enumerate()
            .filter_map(|(i, q)| {
                let t = ctx
                    .state
                    .marks
                    .get(&format!("sweep:{q}"))
                    .and_then(|t| t.parse::<i64>().ok())
                    .unwrap_or(0);
                (self.now - t >= period).then_some((t, i, q))
            })
            .collect();
        due.sort();
        let per_night = (self.queries.len() as u64).div_ceil(self.sweep_days) as usize;
        due.into_iter()
            .take(per_night.max(1))
            .map(|(_, _, q)| q.clone())
            .collect()
    }

    /// Discovery is complete: tonight's sweeps and hits are recorded (`sweep:<query>`,
    /// `seen:<repo>`), listed repositories the search did not return keep the night they were
    /// last seen, and those that every query's full sweep has missed since are removed (as
    /// npm and PyPI drop what their complete listing no longer has).
    fn searched(&self, ctx: &mut Ctx, p: &Progress) {
        let now = self.now.to_string();
        let marks = &mut ctx.state.marks;
        let fallback = marks.get("last_complete").cloned();
        for q in &p.sweeping {
            marks.insert(format!("sweep:{q}"), now.clone());
        }
        let queries: std::collections::BTreeSet<String> =
            self.queries.iter().map(|q| format!("sweep:{q}")).collect();
        marks.retain(|k, _| !k.starts_with("sweep:") || queries.contains(k));
        for key in p.hits.keys() {
            marks.insert(format!("seen:{key}"), now.clone());
        }
        // Every query swept in full since this time: what none of them returned is gone.
        let swept_since: Option<i64> = self
            .queries
            .iter()
            .map(|q| {
                marks
                    .get(&format!("sweep:{q}"))
                    .and_then(|t| t.parse::<i64>().ok())
            })
            .collect::<Option<Vec<i64>>>()
            .and_then(|v| v.into_iter().min());
        let mut removed = Vec::new();
        for (key, f) in ctx.state.pending.iter_mut() {
            if p.hits.contains_key(key) {
                f.seen_at = None;
                continue;
            }
            let seen_key = format!("seen:{key}");
            let seen = match marks.get(&seen_key).and_then(|t| t.parse::<i64>().ok()) {
                Some(t) => t,
                // Listed before nights were recorded: seen by the last complete night.
                None => match fallback.as_ref().and_then(|t| t.parse::<i64>().ok()) {
                    Some(t) => {
                        marks.insert(seen_key, t.to_string());
                        t
                    }
                    None => continue,
                },
            };
            if swept_since.is_some_and(|s| seen < s) {
                removed.push(key.clone());
            } else {
                f.seen_at = Some(stamp(seen));
            }
        }
        for key in &removed {
            ctx.state.pending.remove(key);
            ctx.state.marks.remove(&format!("seen:{key}"));
        }
        if !removed.is_empty() {
            ctx.note(format!(
                "{} repositories no longer found by any query's full sweep: removed ({})",
                removed.len(),
                removed
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
                    + if removed.len() > 5 { ", …" } else { "" }
            ));
        }
        if !p.sweeping.is_empty() {
            tracing::info!(
                "github: full sweep of {} of {} queries tonight",
                p.sweeping.len(),
                self.queries.len()
            );
        }
    }

    /// Discovery stopped (out of search budget or time): what it found so far is listed from
    /// its search metadata (or yesterday's enrichment) so the night publishes it, with the
    /// source reported `partial`; the checkpoint resumes the search next night.
    fn publish_partial(&self, ctx: &mut Ctx, p: &Progress) {
        for (key, hit) in &p.hits {
            let item = Self::carried(ctx, key, hit);
            ctx.state.pending.insert(key.clone(), item);
        }
        ctx.plan.discovery_requests_made = p.search_requests;
        ctx.note(format!(
            "discovery stopped after {} search requests with {} windows left: the {} \
             repositories found so far are published from their search metadata (partial); \
             the search resumes next night",
            p.search_requests,
            p.queue.len(),
            p.hits.len()
        ));
    }

    async fn search(&self, ctx: &mut Ctx, p: &mut Progress) -> Result<(), HttpError> {
        while let Some(w) = p.queue.first().cloned() {
            let q = w.q();
            let mut page_no = 1u64;
            let mut pages = 1u64;
            let mut retried_incomplete = false;
            let mut split = false;
            while page_no <= pages {
                let url = url_with(
                    &self.api,
                    "search/repositories",
                    &[
                        ("q", q.as_str()),
                        ("per_page", "100"),
                        ("page", &page_no.to_string()),
                    ],
                )?;
                p.search_requests += 1;
                ctx.plan.discovery_requests_made = p.search_requests;
                let page = match ctx
                    .http
                    .get_json_lane::<SearchPage>(&url, JSON, LANE_SEARCH)
                    .await
                {
                    Ok((pg, _)) => pg,
                    Err(e) if e.status() == Some(422) => {
                        ctx.note(format!("{url}: 422, window ends at page {page_no}"));
                        break;
                    }
                    // Any other failure would make repositories look deleted: the source
                    // stops (or fails) and keeps yesterday's records.
                    Err(e) => return Err(e),
                };
                if page.incomplete_results && !retried_incomplete {
                    retried_incomplete = true;
                    continue;
                }
                if page.incomplete_results {
                    ctx.note(format!("{url}: incomplete_results after a retry"));
                }
                retried_incomplete = false;
                // Whatever happens to the window, its first page's repositories are found.
                for item in &page.items {
                    if let Some(r) = repo_from_json(item) {
                        p.hits
                            .entry(format!("{}/{}", r.owner, r.name).to_lowercase())
                            .or_insert(Hit {
                                repo: r,
                                created: created_of(item),
                            });
                    }
                }
                if page_no == 1 && page.total_count > SEARCH_CAP {
                    let key = format!("{}_at", w.field);
                    let sample: Vec<i64> = page
                        .items
                        .iter()
                        .filter_map(|i| i.get(&key).and_then(Value::as_str).and_then(unix_of))
                        .collect();
                    if let Some(parts) = w.split(page.total_count, &sample) {
                        tracing::debug!(
                            "github: {q}: {} results, split into {}",
                            page.total_count,
                            parts.len()
                        );
                        p.queue.splice(0..1, parts);
                        split = true;
                        break;
                    }
                    // One second and one star count: the search lists its first 1,000 only.
                    let lost = page.total_count - SEARCH_CAP;
                    p.shortfall += lost;
                    ctx.note(format!(
                        "{q}: {} results in one second with one star count; the search lists \
                         {SEARCH_CAP}, {lost} cannot be found by search tonight",
                        page.total_count
                    ));
                }
                if page_no == 1 {
                    pages = page.total_count.div_ceil(100).min(SEARCH_CAP / 100);
                }
                if page.items.is_empty() {
                    break;
                }
                page_no += 1;
            }
            if !split {
                p.queue.remove(0);
                p.windows_done += 1;
            }
            ctx.progress
                .set_message(format!("{} windows", p.windows_done));
            ctx.set_run_state(&*p);
            ctx.checkpoint();
        }
        Ok(())
    }

    /// The `owner/repo` a redirected answer came from, when it differs from `full`.
    fn moved(&self, full: &str, final_url: &str) -> Option<String> {
        let base = self.api.trim_end_matches('/');
        let rest = final_url.strip_prefix(base)?.trim_start_matches('/');
        let rest = rest.strip_prefix("repos/")?;
        let mut parts = rest.split(['/', '?']);
        let (o, n) = (parts.next()?, parts.next()?);
        let now = format!("{o}/{n}");
        (!o.is_empty() && !n.is_empty() && !now.eq_ignore_ascii_case(full)).then_some(now)
    }

    /// One raw file or README, at most `cap` bytes of it; `None` when absent.
    async fn raw(ctx: &Ctx, url: &str, cap: usize) -> Result<Option<String>, HttpError> {
        match ctx
            .http
            .get_capped(url, RAW, LANE_CORE, BodyCap::Truncate(cap))
            .await
        {
            Ok(r) => Ok(Some(String::from_utf8_lossy(&r.body).into_owned())),
            Err(e) if matches!(e.status(), Some(404) | Some(451)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// README and manifests of one repository (a renamed one is followed).
    async fn enrich(&self, ctx: &Ctx, hit: &Hit) -> Result<Found, HttpError> {
        let mut full = format!("{}/{}", hit.repo.owner, hit.repo.name);
        let mut meta = hit.repo.clone();
        let mut created = hit.created.clone();
        let listing_url = self.url(&format!("repos/{full}/contents/"))?;
        let files: Vec<String> = match ctx
            .http
            .get_json_lane::<Value>(&listing_url, JSON, LANE_CORE)
            .await
        {
            Ok((v, r)) => {
                if let Some(now) = self.moved(&full, &r.final_url) {
                    // Renamed or transferred: read the new name's metadata.
                    let (repo, _) = ctx
                        .http
                        .get_json_lane::<Value>(
                            &self.url(&format!("repos/{now}"))?,
                            JSON,
                            LANE_CORE,
                        )
                        .await?;
                    if let Some(m) = repo_from_json(&repo) {
                        meta = m;
                        created = created_of(&repo).or(created);
                    }
                    full = format!("{}/{}", meta.owner, meta.name);
                }
                match v {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|e| e.get("name").and_then(Value::as_str).map(str::to_string))
                        .collect(),
                    _ => Vec::new(),
                }
            }
            Err(e) if matches!(e.status(), Some(404) | Some(451)) => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut f = found_from_meta(&meta);
        f.published_at = created;
        if let Some(mut readme) = Self::raw(
            ctx,
            &self.url(&format!("repos/{full}/readme"))?,
            dataset::README_CAP,
        )
        .await?
        {
            dataset::truncate_on_char_boundary(&mut readme, dataset::README_CAP);
            f.readme = Some(readme);
        }
        for m in MANIFESTS {
            if files.iter().any(|n| n == m) {
                let u = self.url(&format!("repos/{full}/contents/{m}"))?;
                if let Some(text) = Self::raw(ctx, &u, MANIFEST_CAP).await? {
                    manifest_facts(m, &text, &mut f);
                }
            }
        }
        Ok(f)
    }

    /// Tonight's item for a hit before (or without) enrichment: yesterday's enriched item with
    /// tonight's search metadata, else the search metadata alone.
    fn carried(ctx: &Ctx, key: &str, hit: &Hit) -> Found {
        match ctx.state.known.get(key) {
            Some(k) => {
                let mut k = k.clone();
                k.seen_at = None;
                let m = &hit.repo;
                k.stars = m.stars;
                k.description = m.description.clone();
                k.summary = m.description.clone();
                k.keywords = m.topics.clone();
                k.updated_at = m.pushed_at.clone();
                k.license = m.license.clone();
                if hit.created.is_some() {
                    k.published_at = hit.created.clone();
                }
                k.repo_meta = Some(m.clone());
                k
            }
            None => {
                let mut f = found_from_meta(&hit.repo);
                f.published_at = hit.created.clone();
                f
            }
        }
    }
}

impl Crawl for Github {
    fn source(&self) -> Source {
        Source::Github
    }

    fn claims(&self, link: &str) -> bool {
        link.strip_prefix("github:")
            .is_some_and(|r| r.split('/').count() == 2)
    }

    /// Repositories that packages link to and the search did not find: their metadata (one
    /// core request each), then the end-of-run budget.
    fn resolve<'a>(&'a self, ctx: &'a mut Ctx, wanted: Vec<String>) -> BoxFuture<'a, Resolved> {
        Box::pin(async move {
            let out = super::resolve_with(ctx, wanted, self.concurrency, |http, link| async move {
                let full = link.strip_prefix("github:").unwrap_or(&link);
                let url = self.url(&format!("repos/{full}"))?;
                match http.get_json_lane::<Value>(&url, JSON, LANE_CORE).await {
                    Ok((v, _)) => Ok(repo_from_json(&v).map(|m| {
                        let mut f = found_from_meta(&m);
                        f.published_at = created_of(&v);
                        f
                    })),
                    Err(e) if matches!(e.status(), Some(404) | Some(451)) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await;
            self.read_rate_limit(ctx).await;
            out
        })
    }

    fn crawl<'a>(&'a self, ctx: &'a mut Ctx) -> BoxFuture<'a, Result<(), HttpError>> {
        Box::pin(async move {
            self.read_rate_limit(ctx).await;
            let mut p: Progress = ctx.run_state();
            if !p.started {
                p.started = true;
                let last = if ctx.full {
                    None
                } else {
                    ctx.state
                        .marks
                        .get("last_complete")
                        .and_then(|s| s.parse::<i64>().ok())
                };
                let sweeping = self.sweeps_due(ctx, last.is_none());
                p.queue = self
                    .queries
                    .iter()
                    .map(|q| {
                        let (field, lo) = match last {
                            Some(t) if !sweeping.contains(q) => ("pushed", t - 86_400),
                            _ => ("created", self.epoch),
                        };
                        Window {
                            query: q.clone(),
                            field: field.into(),
                            lo,
                            hi: self.now,
                            open: true,
                            stars: None,
                        }
                    })
                    .collect();
                p.sweeping = sweeping;
                ctx.state.pending = if last.is_some() {
                    ctx.state.known.clone()
                } else {
                    BTreeMap::new()
                };
                ctx.set_run_state(&p);
            }
            if !p.searched {
                self.plan_discovery(ctx, &p);
                if let Err(e) = self.search(ctx, &mut p).await {
                    if e.is_stop() {
                        self.publish_partial(ctx, &p);
                    }
                    return Err(e);
                }
                p.searched = true;
                self.searched(ctx, &p);
                ctx.set_run_state(&p);
                ctx.checkpoint();
            }
            // Discovery is complete: every hit is listed now, enriched or not.
            ctx.progress.set_length(p.hits.len() as u64);
            let mut todo: Vec<(String, Hit)> = Vec::new();
            for (key, hit) in &p.hits {
                if p.enriched.contains(key) {
                    ctx.progress.inc(1);
                    continue; // enriched earlier in this run
                }
                let fresh = !ctx.full
                    && hit.repo.pushed_at.is_some()
                    && ctx.state.marks.get(&format!("enriched:{key}"))
                        == hit.repo.pushed_at.as_ref();
                let item = Self::carried(ctx, key, hit);
                ctx.state.pending.insert(key.clone(), item);
                if fresh {
                    ctx.progress.inc(1);
                } else {
                    todo.push((key.clone(), hit.clone()));
                }
            }
            // Repositories listed from yesterday (an incremental search only finds what was
            // pushed since) that a past night could not enrich yet.
            for (key, f) in &ctx.state.pending {
                if p.hits.contains_key(key) || p.enriched.contains(key) {
                    continue;
                }
                let Some(m) = &f.repo_meta else { continue };
                let fresh = !ctx.full
                    && m.pushed_at.is_some()
                    && ctx.state.marks.get(&format!("enriched:{key}")) == m.pushed_at.as_ref();
                if !fresh {
                    todo.push((
                        key.clone(),
                        Hit {
                            repo: m.clone(),
                            created: f.published_at.clone(),
                        },
                    ));
                }
            }
            // Most starred first; what the budget cannot cover waits for a later night.
            todo.sort_by(|a, b| {
                (std::cmp::Reverse(a.1.repo.stars.unwrap_or(0)), &a.0)
                    .cmp(&(std::cmp::Reverse(b.1.repo.stars.unwrap_or(0)), &b.0))
            });
            let wanted = todo.len();
            let cap = self.enrich_capacity(ctx);
            let later = match cap {
                Some((c, _)) if (c as usize) < todo.len() => todo.split_off(c as usize),
                _ => Vec::new(),
            };
            {
                let core = ctx.http.budget("core");
                let left = ctx.http.time_left();
                let plan = &mut ctx.plan;
                plan.discovery_requests_made = p.search_requests;
                plan.shortfall = p.shortfall;
                plan.enrich_items = wanted as u64;
                plan.enrichment_requests = wanted as u64 * ENRICH_COST;
                plan.enrich_planned = todo.len() as u64;
                plan.limited_by = (!later.is_empty())
                    .then(|| cap.map(|(_, by)| by.to_string()))
                    .flatten();
                // What enrichment planned against: the core budget as it stands now.
                let e = plan.limits.entry(LANE_CORE.into()).or_default();
                e.remaining = core.as_ref().map(|b| b.remaining).or(e.remaining);
                e.limit = core.as_ref().map(|b| b.limit).or(e.limit);
                e.capacity = capacity(core.as_ref(), self.window(3600), left);
            }
            tracing::info!(
                "github plan: {} repositories found, {wanted} need enrichment (≈{} core requests); \
                 enriching {} now, {} left for the next night",
                p.hits.len(),
                wanted as u64 * ENRICH_COST,
                todo.len(),
                later.len()
            );
            let ctx_ref: &Ctx = ctx;
            // In any order (one stuck repository never holds up the others), then sorted back.
            #[allow(clippy::type_complexity)]
            let mut results: Vec<(
                usize,
                String,
                Option<String>,
                Result<Found, HttpError>,
            )> = futures::stream::iter(todo.into_iter().enumerate().map(
                |(i, (key, hit))| async move {
                    let r = self.enrich(ctx_ref, &hit).await;
                    ctx_ref.progress.inc(1);
                    (i, key, hit.repo.pushed_at.clone(), r)
                },
            ))
            .buffer_unordered(self.concurrency.max(1))
            .collect()
            .await;
            results.sort_by_key(|r| r.0);
            let mut deferred = later.len();
            let mut failed = 0usize;
            for (_, key, pushed, r) in results {
                match r {
                    Ok(mut f) => {
                        p.enriched.insert(key.clone());
                        if !p.hits.contains_key(&key) {
                            // Enriched from yesterday's listing, not returned tonight.
                            f.seen_at = ctx.state.pending.get(&key).and_then(|x| x.seen_at.clone());
                        }
                        if let Some(pushed) = pushed {
                            ctx.state.marks.insert(format!("enriched:{key}"), pushed);
                        }
                        ctx.state.pending.insert(key, f);
                    }
                    // Out of budget or time: it keeps its carried item until a later night.
                    Err(e) if e.is_stop() => deferred += 1,
                    Err(e) => {
                        failed += 1;
                        ctx.http.record_for(&key, &e);
                    }
                }
            }
            ctx.plan.left_for_next_night = deferred as u64;
            ctx.plan.enrich_failed = failed as u64;
            if deferred + failed > 0 {
                ctx.note(format!(
                    "enriched {} of {wanted} repositories (most starred first); {failed} failed \
                     (see errors), {deferred} left for the next night, with their search \
                     metadata or yesterday's enrichment",
                    wanted - deferred - failed
                ));
            }
            let listed = &ctx.state.pending;
            ctx.state.marks.retain(|k, _| {
                k.strip_prefix("enriched:")
                    .or_else(|| k.strip_prefix("seen:"))
                    .is_none_or(|n| listed.contains_key(n))
            });
            ctx.state
                .marks
                .insert("search_requests".into(), p.search_requests.to_string());
            ctx.state
                .marks
                .insert("last_complete".into(), self.now.to_string());
            ctx.finish();
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(lo: i64, hi: i64, open: bool) -> Window {
        Window {
            query: "topic:mcp".into(),
            field: "created".into(),
            lo,
            hi,
            open,
            stars: None,
        }
    }

    /// The parts cover exactly the parent's seconds, in order, without overlap.
    fn assert_partition(parent: &Window, parts: &[Window]) {
        assert!(parts.len() >= 2, "{parts:?}");
        assert_eq!(parts[0].lo, parent.lo);
        for pair in parts.windows(2) {
            assert_eq!(pair[0].hi + 1, pair[1].lo, "{parts:?}");
            assert!(!pair[0].open, "{parts:?}");
        }
        for p in parts {
            assert!(p.lo <= p.hi, "{p:?}");
        }
        let last = parts.last().unwrap();
        assert_eq!(last.open, parent.open, "{parts:?}");
        if !parent.open {
            assert_eq!(last.hi, parent.hi);
        }
    }

    #[test]
    fn a_window_splits_into_a_partition_that_isolates_a_dense_second() {
        let w = window(1_000, 2_000_000, true);
        // A sample crowded on one second (as a burst of repositories looks).
        let mut sample = vec![500_000; 80];
        sample.extend((0..20).map(|i| 1_000 + i * 90_000));
        let parts = w.split(5_000, &sample).unwrap();
        assert_partition(&w, &parts);
        assert!(
            parts.iter().any(|p| p.lo == 500_000 && p.hi == 500_000),
            "{parts:?}"
        );
        // No sample: halves.
        let w = window(0, 99, false);
        let parts = w.split(1_500, &[]).unwrap();
        assert_partition(&w, &parts);
        assert_eq!(parts.len(), 2);
        // A sample outside the window (or on its first second) still makes progress.
        let parts = w.split(1_500, &[0, 0, 0, 500]).unwrap();
        assert_partition(&w, &parts);
    }

    #[test]
    fn a_one_second_window_splits_by_stars_until_one_star_count() {
        let w = window(7, 7, false);
        let parts = w.split(2_000, &[7; 100]).unwrap();
        assert_eq!(
            parts.iter().map(|p| p.stars).collect::<Vec<_>>(),
            vec![Some((0, Some(9))), Some((10, None))]
        );
        assert!(parts.iter().all(|p| (p.lo, p.hi) == (7, 7)));
        let tail = parts[1].split(2_000, &[]).unwrap();
        assert_eq!(tail[0].stars, Some((10, Some(99))));
        assert_eq!(tail[1].stars, Some((100, None)));
        let halves = parts[0].split(2_000, &[]).unwrap();
        assert_eq!(halves[0].stars, Some((0, Some(4))));
        assert_eq!(halves[1].stars, Some((5, Some(9))));
        let one = Window {
            stars: Some((3, Some(3))),
            ..w.clone()
        };
        assert!(one.split(2_000, &[]).is_none());
        assert_eq!(
            one.q(),
            "topic:mcp created:1970-01-01T00:00:07Z..1970-01-01T00:00:07Z stars:3..3"
        );
        assert_eq!(
            window(0, 5, true).q(),
            "topic:mcp created:1970-01-01T00:00:00Z..*"
        );
    }
}
