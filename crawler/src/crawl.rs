//! The crawl: runs the selected sources, checkpoints them, merges, reconciles with the previous
//! dataset, guards and writes it, and reports.
//!
//! Every source starts at once and runs on its own: its own HTTP handle (counters, politeness
//! per host lane, credentials) and its own share of the deadline ([`SOURCE_SHARE`] of it), so a
//! source waiting on a rate-limit reset never holds up another. Then a final pass resolves the
//! links between sources (a repository naming an npm or PyPI package, a package naming its
//! repository) that the linked source did not find itself, fetching only what is missing,
//! within what is left of the deadline; what it cannot reach is kept in the checkpoint and
//! tried first next night. The records a failed or stopped source keeps from yesterday still
//! count as linking, so one source's bad night does not drop what another found through it. The checkpoint file holds each source's state (see
//! [`SourceState`]) and is rewritten atomically after every unit of work, so a killed crawl
//! continues where it stopped. A source that fails or stops keeps its previous records (marked
//! stale); the dataset is replaced only when the shrink guard passes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use dataset::{CrawlStatus, Dataset, Source, SourceSummary};
use serde::{Deserialize, Serialize};

use crate::found::Found;
use crate::http::{Auth, Http, HttpConfig, Politeness, SourceHttp};
use crate::merge::{self, Outcome};
use crate::sources::{self, Crawl, Ctx, Save, Saver, SourceState};

/// Where each source lives.
#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    pub github_api: String,
    pub github_token: Option<String>,
    pub mcp_registry: String,
    /// `None`: not configured (the npm source fails with a message naming the variable).
    pub npm_registry: Option<String>,
    pub npm_downloads: Option<String>,
    pub pypi: Option<String>,
}

/// The part of the deadline the sources get for their own crawl; the rest is the final pass.
pub const SOURCE_SHARE: f64 = 0.85;

/// The built-in GitHub API base.
pub const DEFAULT_GITHUB_API: &str = "https://api.github.com";
/// The built-in MCP Registry base.
pub const DEFAULT_MCP_REGISTRY: &str = "https://registry.modelcontextprotocol.io";

/// Default GitHub repository searches.
pub fn default_github_queries() -> Vec<String> {
    [
        "topic:mcp-server",
        "topic:mcp-servers",
        "topic:mcp",
        "topic:model-context-protocol",
        "topic:modelcontextprotocol",
        "\"mcp server\" in:name,description",
        "\"model context protocol\" in:name,description",
    ]
    .map(String::from)
    .to_vec()
}

/// Default npm searches.
pub fn default_npm_queries() -> Vec<String> {
    [
        "keywords:mcp-server",
        "keywords:mcp",
        "keywords:modelcontextprotocol",
        "keywords:model-context-protocol",
        "mcp server",
    ]
    .map(String::from)
    .to_vec()
}

/// The built-in politeness: GitHub search one at a time, 2 s apart (its authenticated limit is
/// 30 a minute; the unauthenticated 10 a minute is paced by the rate-limit headers).
pub fn default_politeness() -> BTreeMap<String, Politeness> {
    [(
        "github/search".to_string(),
        Politeness {
            concurrency: 1,
            min_spacing: std::time::Duration::from_secs(2),
        },
    )]
    .into_iter()
    .collect()
}

/// Everything a crawl needs.
pub struct Options {
    pub sources: Vec<Source>,
    pub endpoints: Endpoints,
    pub http: HttpConfig,
    /// The crawl's clock (RFC 3339).
    pub now: String,
    /// Ignore incremental state: crawl everything.
    pub full: bool,
    pub github_queries: Vec<String>,
    /// Days between two full sweeps of one GitHub query (nights in between search only what
    /// was pushed since the last night); 0: every night in full.
    pub github_sweep_days: u64,
    pub npm_queries: Vec<String>,
    pub npm_search_cap: usize,
    /// Entries per MCP Registry page.
    pub registry_page_size: usize,
    /// Requests a source keeps in flight (the per-host limit still applies).
    pub concurrency: usize,
    pub checkpoint_path: PathBuf,
    /// Politeness per source (`github`, `npm`, …) or per source lane (`github/search`),
    /// overriding the defaults of [`HttpConfig`].
    pub politeness: BTreeMap<String, Politeness>,
    /// How many times faster than real time the APIs' rate-limit windows run (1 in real use;
    /// benchmarks and tests on a simulated clock set it so the plan's estimates match).
    pub time_scale: f64,
    /// Where package pages live on the web (configuration; unset links nothing).
    pub pages: crate::listing::PageBases,
    /// A progress bar for a source (the CLI decides whether it is drawn).
    pub bar: Arc<dyn Fn(Source) -> indicatif::ProgressBar + Send + Sync>,
}

impl Options {
    /// Options with the defaults for everything but endpoints, clock and checkpoint path.
    pub fn new(
        endpoints: Endpoints,
        http: HttpConfig,
        now: String,
        checkpoint_path: PathBuf,
    ) -> Self {
        Options {
            sources: Source::ALL.to_vec(),
            endpoints,
            http,
            now,
            full: false,
            github_queries: default_github_queries(),
            github_sweep_days: sources::github::DEFAULT_SWEEP_DAYS,
            npm_queries: default_npm_queries(),
            npm_search_cap: 10_000,
            registry_page_size: 100,
            concurrency: 4,
            checkpoint_path,
            politeness: default_politeness(),
            pages: Default::default(),
            time_scale: 1.0,
            bar: Arc::new(|_| indicatif::ProgressBar::hidden()),
        }
    }
}

/// The checkpoint file.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Checkpoint {
    pub version: u32,
    #[serde(default)]
    pub sources: BTreeMap<String, SourceState>,
}

impl Checkpoint {
    /// Reads the checkpoint; a missing or unreadable one starts fresh (with a warning).
    pub fn load(path: &std::path::Path) -> Checkpoint {
        match std::fs::read(path) {
            Ok(b) => serde_json::from_slice(&b).unwrap_or_else(|e| {
                tracing::warn!("{}: unreadable checkpoint ignored: {e}", path.display());
                Checkpoint::default()
            }),
            Err(_) => Checkpoint::default(),
        }
    }
}

/// Writes the checkpoint file from each source's state serialized once per save (a save
/// serializes only the saving source; the file is assembled from the parts, byte for byte what
/// serializing [`Checkpoint`] gives), and measures what writing costs.
struct CheckpointWriter {
    path: PathBuf,
    parts: BTreeMap<String, Vec<u8>>,
    last: Option<std::time::Instant>,
    /// The last serialization time of each source's state.
    serialize: BTreeMap<String, std::time::Duration>,
    /// The last file write (assembling, writing, syncing).
    io: std::time::Duration,
}

impl CheckpointWriter {
    fn new(path: PathBuf, loaded: &Checkpoint) -> Self {
        let parts = loaded
            .sources
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), serde_json::to_vec(v).ok()?)))
            .collect();
        CheckpointWriter {
            path,
            parts,
            last: None,
            serialize: BTreeMap::new(),
            io: std::time::Duration::ZERO,
        }
    }

    fn save(&mut self, source: Source, state: &SourceState, how: Save) {
        let due = self.last.is_none_or(|t| t.elapsed() >= CHECKPOINT_EVERY);
        if how == Save::Progress && !due {
            return;
        }
        let t = std::time::Instant::now();
        match serde_json::to_vec(state) {
            Ok(b) => {
                self.parts.insert(source.as_str().to_string(), b);
            }
            Err(e) => tracing::warn!("checkpoint: {source}: {e}"),
        }
        self.serialize
            .insert(source.as_str().to_string(), t.elapsed());
        if how != Save::Hold {
            self.write();
        }
    }

    fn write(&mut self) {
        let t = std::time::Instant::now();
        self.last = Some(t);
        let mut bytes = br#"{"version":1,"sources":{"#.to_vec();
        for (i, (k, v)) in self.parts.iter().enumerate() {
            if i > 0 {
                bytes.push(b',');
            }
            bytes.extend(serde_json::to_vec(k).unwrap_or_default());
            bytes.push(b':');
            bytes.extend_from_slice(v);
        }
        bytes.extend_from_slice(b"}}");
        if let Err(e) = dataset::write_atomic(&self.path, &bytes) {
            tracing::warn!("{}: cannot write checkpoint: {e}", self.path.display());
        }
        self.io = t.elapsed();
        tracing::debug!(
            "checkpoint: {} bytes written in {} ms; wrap-up reserve {} ms",
            bytes.len(),
            self.io.as_millis(),
            self.wrap_up().as_millis()
        );
    }

    /// What ending costs, measured: a final save (every source's state serialized again and
    /// the file written, possibly once per source ending at the same moment), the merge and
    /// report (which handle the same items: about twice the serialization in the benchmark),
    /// and handling the last answers.
    fn wrap_up(&self) -> std::time::Duration {
        let serialize: std::time::Duration = self.serialize.values().sum();
        (serialize + self.io) * 4
    }
}

/// `data/crawl-report.json` and its parts, typed in [`dataset::files`] (the site reads it too).
pub use dataset::files::{CrawlReport as Report, ReportError, SourceReport};

/// What a crawl produced (not yet written).
pub struct CrawlResult {
    pub dataset: Dataset,
    pub report: Report,
}

struct Run {
    source: Source,
    status: CrawlStatus,
    note: Option<String>,
    items: Vec<Found>,
    http: SourceHttp,
    notes: Vec<String>,
    plan: sources::BudgetPlan,
    /// Links of the previous records a source that failed or stopped keeps (stale): what they
    /// link to stays wanted, so a bad night of one source does not drop another's records.
    kept_links: BTreeSet<String>,
}

fn build_source(source: Source, o: &Options) -> Result<Box<dyn Crawl>, String> {
    let e = &o.endpoints;
    let now_secs = dataset::time::day_number(&o.now).unwrap_or(0) * 86_400
        + o.now
            .get(11..19)
            .map(|t| {
                let p: Vec<i64> = t.split(':').filter_map(|x| x.parse().ok()).collect();
                p.first().unwrap_or(&0) * 3600
                    + p.get(1).unwrap_or(&0) * 60
                    + p.get(2).unwrap_or(&0)
            })
            .unwrap_or(0);
    Ok(match source {
        Source::McpRegistry => Box::new(sources::registry::Registry {
            base: e.mcp_registry.clone(),
            page_size: o.registry_page_size,
        }),
        Source::Github => Box::new(sources::github::Github {
            api: e.github_api.clone(),
            queries: o.github_queries.clone(),
            concurrency: o.concurrency,
            epoch: 1_199_145_600, // 2008-01-01
            now: now_secs,
            time_scale: o.time_scale,
            sweep_days: o.github_sweep_days,
        }),
        Source::Npm => Box::new(sources::npm::Npm {
            registry: e.npm_registry.clone().ok_or(
                "no npm registry configured: set HISPER_NPM_REGISTRY or [crawl] npm_registry \
                 (or configure the npm client's registry)",
            )?,
            downloads: e.npm_downloads.clone(),
            queries: o.npm_queries.clone(),
            search_cap: o.npm_search_cap,
            page_size: 250,
            concurrency: o.concurrency,
            pages: o.pages.clone(),
        }),
        Source::Pypi => Box::new(sources::pypi::Pypi {
            base: e.pypi.clone().ok_or(
                "no PyPI index configured: set HISPER_PYPI or [crawl] pypi \
                 (or pip's index-url / PIP_INDEX_URL)",
            )?,
            concurrency: o.concurrency,
            pages: o.pages.clone(),
        }),
    })
}

/// A source's credentials and politeness: the GitHub token goes to the GitHub source only, and
/// through [`crate::http::Auth`] only to URLs under the GitHub API base.
fn configure_http(sh: &mut SourceHttp, source: Source, o: &Options) {
    if source == Source::Github {
        if let Some(t) = &o.endpoints.github_token {
            sh.auth = Auth::bearer(&o.endpoints.github_api, t);
        }
    }
    let name = source.as_str();
    sh.politeness = o.politeness.get(name).copied();
    let prefix = format!("{name}/");
    for (k, p) in &o.politeness {
        if let Some(lane) = k.strip_prefix(&prefix) {
            sh.lanes.insert(lane.to_string(), *p);
        }
    }
}

/// A source that ran, with what the final pass needs.
struct Active {
    crawler: Box<dyn Crawl>,
    ctx: Ctx,
}

async fn run_one(
    source: Source,
    o: &Options,
    http: Arc<Http>,
    state: SourceState,
    saver: Saver,
    deadline: Option<tokio::time::Instant>,
) -> (Run, Option<Active>) {
    let mut sh = SourceHttp::new(http);
    sh.source = source.as_str().to_string();
    configure_http(&mut sh, source, o);
    sh.deadline = deadline;
    let crawler = match build_source(source, o) {
        Ok(c) => c,
        Err(msg) => {
            tracing::error!("{source}: {msg}");
            let run = Run {
                source,
                status: CrawlStatus::Failed,
                note: Some(msg.clone()),
                items: state.known.into_values().collect(),
                http: sh,
                notes: vec![msg],
                plan: Default::default(),
                kept_links: BTreeSet::new(),
            };
            return (run, None);
        }
    };
    let notes = Arc::new(Mutex::new(Vec::new()));
    let mut ctx = Ctx {
        source,
        http: sh.clone(),
        state,
        saver,
        progress: (o.bar)(source),
        full: o.full,
        today: dataset::time::day_number(&o.now).unwrap_or(0),
        notes: notes.clone(),
        plan: Default::default(),
    };
    let t0 = std::time::Instant::now();
    let result = crawler.crawl(&mut ctx).await;
    tracing::info!(
        "{source}: done after {} ms ({} ms of its share left)",
        t0.elapsed().as_millis(),
        ctx.http.time_left().unwrap_or_default().as_millis()
    );
    ctx.progress.finish_and_clear();
    let notes = notes.lock().map(|n| n.clone()).unwrap_or_default();
    match result {
        Ok(()) => {
            let run = Run {
                source,
                status: CrawlStatus::Ok,
                note: None,
                items: ctx.state.known.values().cloned().collect(),
                http: sh,
                notes,
                plan: ctx.plan.clone(),
                kept_links: BTreeSet::new(),
            };
            (run, Some(Active { crawler, ctx }))
        }
        Err(e) => {
            ctx.checkpoint_now();
            let stop = e.is_stop();
            if !stop {
                sh.record(&e);
            }
            tracing::warn!("{source}: stopped: {e}");
            // What this run saw before it stopped is fresh; everything else comes from the
            // previous dataset, marked stale. A failed source contributes nothing fresh.
            let items = if stop {
                ctx.state.pending.clone()
            } else {
                Default::default()
            };
            let run = Run {
                source,
                status: if stop {
                    CrawlStatus::Partial
                } else {
                    CrawlStatus::Failed
                },
                note: Some(e.to_string()),
                items: items.into_values().collect(),
                http: sh,
                notes,
                plan: ctx.plan.clone(),
                kept_links: ctx.state.known.values().flat_map(links_of).collect(),
            };
            (run, None)
        }
    }
}

/// The links an item makes to other sources: `npm:<name>`, `pypi:<name>` and, for packages,
/// the root of the GitHub repository they name.
fn links_of(f: &Found) -> impl Iterator<Item = String> + '_ {
    let repo = (f.source != Source::Github)
        .then(|| f.repo.as_ref().and_then(|r| r.root().id()))
        .flatten();
    f.links
        .iter()
        .filter(|l| l.starts_with("npm:") || l.starts_with("pypi:"))
        .map(|l| match l.strip_prefix("pypi:") {
            Some(n) => format!("pypi:{}", crate::normalize::pep503(n)),
            None => l.clone(),
        })
        .chain(repo)
}

/// The link keys an item answers to (what a link to it looks like).
fn answers_to(f: &Found) -> Option<String> {
    match f.source {
        Source::Github => f
            .repo
            .as_ref()
            .and_then(|r| r.root().id())
            .or_else(|| Some(format!("github:{}", f.identifier.to_lowercase()))),
        _ => Some(f.own_id()),
    }
}

/// The shortest interval between two progress checkpoints (ends and stops always write).
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(1500);

/// Runs the crawl (blocking; builds its own tokio runtime).
pub fn crawl(o: &Options, previous: Option<&Dataset>) -> anyhow::Result<CrawlResult> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(crawl_async(o, previous))
}

/// The crawl, for callers that already run tokio.
pub async fn crawl_async(o: &Options, previous: Option<&Dataset>) -> anyhow::Result<CrawlResult> {
    let http = Http::new(o.http.clone())?;
    let loaded = Checkpoint::load(&o.checkpoint_path);
    let writer = Arc::new(Mutex::new(CheckpointWriter::new(
        o.checkpoint_path.clone(),
        &loaded,
    )));
    let saver: Saver = {
        let writer = writer.clone();
        let http = http.clone();
        Arc::new(move |source: Source, state: &SourceState, how: Save| {
            let mut w = writer.lock().unwrap_or_else(|p| p.into_inner());
            w.save(source, state, how);
            // What stopping costs on this machine, kept free before every deadline.
            http.set_reserve(w.wrap_up());
        })
    };
    let state_of = |s: Source| loaded.sources.get(s.as_str()).cloned().unwrap_or_default();
    let selected: BTreeSet<Source> = o.sources.iter().copied().collect();
    // Every source at once, each with its share of the deadline.
    let share = o.http.deadline.map(|d| {
        let now = tokio::time::Instant::now();
        now + d.saturating_duration_since(now).mul_f64(SOURCE_SHARE)
    });
    let futs = Source::ALL
        .into_iter()
        .filter(|s| selected.contains(s))
        .map(|s| run_one(s, o, http.clone(), state_of(s), saver.clone(), share));
    let started = std::time::Instant::now();
    let (mut runs, mut active): (Vec<Run>, Vec<Option<Active>>) =
        futures::future::join_all(futs).await.into_iter().unzip();
    tracing::info!(
        "crawl: sources done after {} ms",
        started.elapsed().as_millis()
    );

    // The final pass: links between sources that the linked source did not find tonight.
    let mut links: BTreeSet<String> = runs
        .iter()
        .flat_map(|r| r.items.iter().flat_map(links_of))
        .collect();
    for r in &runs {
        links.extend(r.kept_links.iter().cloned());
    }
    for a in active.iter().flatten() {
        links.extend(a.ctx.state.unresolved.iter().cloned());
    }
    let passes = runs.iter().zip(active.iter_mut()).filter_map(|(run, a)| {
        let a = a.as_mut()?;
        let have: BTreeSet<String> = run.items.iter().filter_map(answers_to).collect();
        let wanted: Vec<String> = links
            .iter()
            .filter(|l| a.crawler.claims(l) && !have.contains(*l))
            .cloned()
            .collect();
        Some(async move {
            a.ctx.http.deadline = None; // the crawl's own deadline still applies
            let resolved = a.crawler.resolve(&mut a.ctx, wanted).await;
            a.ctx.state.unresolved = resolved.unresolved.iter().cloned().collect();
            // One write for all sources once every pass is done.
            a.ctx.checkpoint_hold();
            (a.ctx.source, resolved)
        })
    });
    let resolved: Vec<(Source, sources::Resolved)> = futures::future::join_all(passes).await;
    writer.lock().unwrap_or_else(|p| p.into_inner()).write();
    for (source, r) in resolved {
        if let Some(run) = runs.iter_mut().find(|x| x.source == source) {
            run.items.extend(r.found);
            if let Some(a) = active.iter().flatten().find(|a| a.ctx.source == source) {
                run.notes = a.ctx.notes.lock().map(|n| n.clone()).unwrap_or_default();
                run.plan = a.ctx.plan.clone();
            }
        }
    }

    tracing::info!(
        "crawl: final pass done after {} ms",
        started.elapsed().as_millis()
    );
    let mut outcomes: BTreeMap<Source, Outcome> = BTreeMap::new();
    let mut found = Vec::new();
    for r in &runs {
        outcomes.insert(
            r.source,
            if r.status == CrawlStatus::Ok {
                Outcome::Complete
            } else {
                Outcome::Failed
            },
        );
        found.extend(r.items.iter().cloned());
    }
    // What strangers wrote is capped before it is merged (yesterday's items included).
    found.iter_mut().for_each(Found::cap_fields);
    let merged = merge::merge(found, &o.now, previous);
    let servers = merge::carry_over(merged, previous, &outcomes, &o.now);
    let mut ds = Dataset::new(o.now.clone());
    ds.servers = servers;
    ds.normalize();

    let mut report = Report {
        generated_at: o.now.clone(),
        records: ds.servers.len() as u64,
        previous_records: previous.map(|p| p.servers.len() as u64).unwrap_or(0),
        sources: BTreeMap::new(),
    };
    let entries = |d: &Dataset, s: Source| -> BTreeMap<(String, String), String> {
        d.servers
            .iter()
            .flat_map(|srv| {
                srv.sources
                    .iter()
                    .filter(move |e| e.source == s && !e.stale)
                    .map(move |e| {
                        (
                            (srv.id.clone(), e.identifier.clone()),
                            srv.last_changed.clone(),
                        )
                    })
            })
            .collect()
    };
    for source in Source::ALL {
        let run = runs.iter().find(|r| r.source == source);
        let now_e = entries(&ds, source);
        let prev_e = previous.map(|p| entries(p, source)).unwrap_or_default();
        let mut sr = SourceReport {
            status: match run {
                Some(r) => match r.status {
                    CrawlStatus::Ok => "ok",
                    CrawlStatus::Partial => "partial",
                    CrawlStatus::Failed => "failed",
                    CrawlStatus::Skipped => "skipped",
                },
                None => "skipped",
            }
            .into(),
            found: now_e.len() as u64,
            new: now_e.keys().filter(|k| !prev_e.contains_key(*k)).count() as u64,
            updated: now_e
                .iter()
                .filter(|(k, changed)| prev_e.contains_key(*k) && **changed == o.now)
                .count() as u64,
            removed: if run.is_some_and(|r| r.status == CrawlStatus::Ok) {
                prev_e.keys().filter(|k| !now_e.contains_key(*k)).count() as u64
            } else {
                0
            },
            ..Default::default()
        };
        let mut summary = SourceSummary {
            status: CrawlStatus::Skipped,
            records: ds.servers.iter().filter(|s| s.has_source(source)).count() as u64,
            ..Default::default()
        };
        if let Some(r) = run {
            r.http.log_rest();
            let c = &r.http.counters;
            sr.requests = c.requests.load(Ordering::Relaxed);
            sr.not_modified = c.not_modified.load(Ordering::Relaxed);
            sr.retries = c.retries.load(Ordering::Relaxed);
            sr.rate_limit_waits = c.rate_limit_waits.load(Ordering::Relaxed);
            sr.errors = r
                .http
                .errors
                .lock()
                .map(|e| e.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|(url, message)| ReportError { url, message })
                .collect();
            sr.errors
                .sort_by(|a, b| (&a.url, &a.message).cmp(&(&b.url, &b.message)));
            sr.notes = r.notes.clone();
            sr.rate_limits = r.http.budgets.lock().map(|b| b.clone()).unwrap_or_default();
            sr.plan = (r.plan != sources::BudgetPlan::default()).then(|| r.plan.clone());
            summary.status = r.status;
            summary.started_at = Some(o.now.clone());
            summary.finished_at = Some(o.now.clone());
            summary.requests = sr.requests;
            summary.errors = sr.errors.len() as u64;
            summary.note = r.note.clone();
        } else if let Some(p) = previous.and_then(|p| p.crawl.get(source.as_str())) {
            summary.note = p.note.clone();
        }
        ds.crawl.insert(source.as_str().to_string(), summary);
        report.sources.insert(source.as_str().to_string(), sr);
    }
    tracing::info!(
        "crawl: merged and reported after {} ms",
        started.elapsed().as_millis()
    );
    Ok(CrawlResult {
        dataset: ds,
        report,
    })
}
