//! The HTTP layer every source shares: politeness, retries, rate limits, credentials and a disk
//! cache.
//!
//! - Per host and lane (a source may split one host into lanes with different limits, such as
//!   GitHub's `search` and `core`): at most `concurrency` requests in flight and `min_spacing`
//!   between two request starts, from the source's own [`Politeness`] or the defaults. A
//!   rate-limit answer pauses that lane only, so a source waiting on a reset never holds up
//!   another source or another lane.
//! - `Retry-After` (seconds or HTTP date), `x-ratelimit-remaining: 0` with `x-ratelimit-reset`,
//!   and GitHub's secondary rate limit (403 naming it) wait and retry; a 429 without a usable
//!   wait (npm's HTML block page says `Retry-After: 0`) cools the lane down for `cooldown`. An
//!   answer with `x-ratelimit-remaining: 0` marks the lane exhausted until its reset, so the
//!   next request waits without being sent. A wait past the deadline or past `max_wait` is
//!   [`HttpError::RateLimited`] so the source can checkpoint and stop. A bare 403 is an error at
//!   once (it must not loop).
//! - Deadlines include the time a request takes: a request starts only if it can end, at its
//!   lane's measured latency (a moving average), before the deadline less the wrap-up reserve
//!   ([`Http::set_reserve`]: what the crawl measured that checkpointing, merging and reporting
//!   cost), so a crawl ends on time rather than a request's latency plus the wrap-up late.
//! - A request in flight is bounded too: its timeout is the client's ([`HttpConfig::timeout`])
//!   or the time left before the deadline less the reserve, whichever is shorter; one the
//!   deadline cuts is [`HttpError::Deadline`] (left for the next night, not an error).
//! - 5xx, timeouts and connection resets retry with jittered exponential backoff.
//! - Redirects are followed here (at most 5 hops), not by the client, so credentials are decided
//!   per hop: an [`Auth`] is sent only to URLs under its base, never to another host or path.
//! - Conditional requests from an ETag/Last-Modified disk cache (`data/http-cache/`): a 304
//!   reuses the cached body; a corrupt cache entry (bad metadata, body hash mismatch) is ignored
//!   and refetched.
//! - Bodies are read as a stream with a cap ([`BodyCap`]): [`HttpConfig::max_body`] for a JSON
//!   document, the larger [`HttpConfig::max_listing_body`] for whole-registry listings (the
//!   PyPI simple index), a byte count for READMEs and manifests (the rest is dropped). A body
//!   over a cap stops being read at the cap and is [`HttpError::TooLarge`] (an error of that
//!   record, not retried), so a stranger's 400 MB answer never reaches memory or the dataset.
//! - [`SourceHttp::get_json`] turns an HTML page or truncated JSON into an error for that
//!   request, never a panic.
//!
//! Each source gets a [`SourceHttp`] handle that counts its requests, 304s, retries, rate-limit
//! waits and errors, carries its deadline, politeness and credentials, and records the
//! rate-limit budgets the server reported (`x-ratelimit-resource`). This module does not know
//! any API's URLs.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Politeness and retry settings.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// `hisper/<version> (+<contact>)`.
    pub user_agent: String,
    pub per_host_concurrency: usize,
    pub min_spacing: Duration,
    /// Retries for 5xx, timeouts and connection errors.
    pub max_retries: u32,
    /// First backoff; doubles each retry, with jitter.
    pub base_backoff: Duration,
    /// The longest rate-limit wait accepted before giving up on the request.
    pub max_wait: Duration,
    /// Rate-limit waits accepted for one request.
    pub max_rate_limit_waits: u32,
    /// How long a lane cools down after a 429 that names no wait.
    pub cooldown: Duration,
    pub timeout: Duration,
    /// ETag/Last-Modified cache directory; `None` disables the cache.
    pub cache_dir: Option<PathBuf>,
    /// When the crawl must stop.
    pub deadline: Option<Instant>,
    /// The largest body read for one document (package metadata, a search page).
    pub max_body: usize,
    /// The largest body read for a whole-registry listing (the PyPI simple index).
    pub max_listing_body: usize,
}

/// The default [`HttpConfig::max_body`]: 16 MiB.
pub const MAX_BODY: usize = 16 << 20;
/// The default [`HttpConfig::max_listing_body`]: 512 MiB.
pub const MAX_LISTING_BODY: usize = 512 << 20;

/// How much of a body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyCap {
    /// At most [`HttpConfig::max_body`]; more is [`HttpError::TooLarge`].
    #[default]
    Document,
    /// At most [`HttpConfig::max_listing_body`]; more is [`HttpError::TooLarge`].
    Listing,
    /// The first `n` bytes; the rest is not read (READMEs, which are capped anyway).
    Truncate(usize),
}

impl HttpConfig {
    /// Polite defaults: 2 requests per host at once, 500 ms apart, 4 retries.
    pub fn new(user_agent: impl Into<String>) -> Self {
        HttpConfig {
            user_agent: user_agent.into(),
            per_host_concurrency: 2,
            min_spacing: Duration::from_millis(500),
            max_retries: 4,
            base_backoff: Duration::from_millis(500),
            max_wait: Duration::from_secs(15 * 60),
            max_rate_limit_waits: 5,
            cooldown: Duration::from_secs(60),
            timeout: Duration::from_secs(30),
            cache_dir: None,
            deadline: None,
            max_body: MAX_BODY,
            max_listing_body: MAX_LISTING_BODY,
        }
    }
}

/// The User-Agent: `hisper/<version> (+<contact>)`.
pub fn user_agent(contact: Option<&str>) -> String {
    let contact = contact.unwrap_or("https://github.com/hisper-dev/hisper");
    format!("hisper/{} (+{contact})", env!("CARGO_PKG_VERSION"))
}

/// Why a request failed (after retries).
#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    #[error("{url}: HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: rate limited for {wait_secs} s, past the deadline or the wait limit")]
    RateLimited { url: String, wait_secs: u64 },
    #[error("{url}: deadline reached")]
    Deadline { url: String },
    #[error("{url}: {message}")]
    Transport { url: String, message: String },
    #[error("{url}: expected JSON, got an HTML page")]
    Html { url: String },
    #[error("{url}: invalid JSON: {message}")]
    Json { url: String, message: String },
    #[error("{url}: body over the {limit}-byte cap, not read further")]
    TooLarge { url: String, limit: usize },
}

impl HttpError {
    /// Whether the source should checkpoint and stop (rather than note an error and go on).
    pub fn is_stop(&self) -> bool {
        matches!(
            self,
            HttpError::RateLimited { .. } | HttpError::Deadline { .. }
        )
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn url(&self) -> &str {
        match self {
            HttpError::Status { url, .. }
            | HttpError::RateLimited { url, .. }
            | HttpError::Deadline { url }
            | HttpError::Transport { url, .. }
            | HttpError::Html { url }
            | HttpError::Json { url, .. }
            | HttpError::TooLarge { url, .. } => url,
        }
    }
}

/// One answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// Lowercased header names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Answered 304 and served from the cache.
    pub from_cache: bool,
    /// The URL after redirects.
    pub final_url: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Counters of one source.
#[derive(Debug, Default)]
pub struct Counters {
    pub requests: AtomicU64,
    pub not_modified: AtomicU64,
    pub retries: AtomicU64,
    pub rate_limit_waits: AtomicU64,
}

/// How politely one source talks to one host lane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Politeness {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Shortest time between two request starts.
    pub min_spacing: Duration,
}

/// Credentials for one API base: sent only to URLs under `base` (same scheme, host, port and
/// path prefix), never to any other host or path, including redirect targets.
#[derive(Clone)]
pub struct Auth {
    base: reqwest::Url,
    header: String,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Auth {{ base: {}, header: <redacted> }}", self.base)
    }
}

impl Auth {
    /// `Authorization: Bearer <token>` for URLs under `base`; `None` when `base` is no URL.
    pub fn bearer(base: &str, token: &str) -> Option<Auth> {
        let base = reqwest::Url::parse(base.trim_end_matches('/')).ok()?;
        Some(Auth {
            base,
            header: format!("Bearer {}", token.trim()),
        })
    }

    /// Whether `url` lies under the base.
    pub fn covers(&self, url: &str) -> bool {
        let Ok(u) = reqwest::Url::parse(url) else {
            return false;
        };
        if u.scheme() != self.base.scheme()
            || u.host_str().map(str::to_ascii_lowercase)
                != self.base.host_str().map(str::to_ascii_lowercase)
            || u.port_or_known_default() != self.base.port_or_known_default()
        {
            return false;
        }
        let prefix = self.base.path().trim_end_matches('/');
        let path = u.path();
        path == prefix
            || prefix.is_empty()
            || path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    }
}

/// Rate-limit budgets, as recorded in the crawl report ([`dataset::files`]).
pub use dataset::files::{Budget, BudgetSpan};

/// Per-request options: credentials, lane, deadline and politeness.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opts<'a> {
    pub auth: Option<&'a Auth>,
    /// The lane within the host (`""` is the host's default lane).
    pub lane: &'a str,
    /// This request's deadline (the earlier of this and the crawl's applies).
    pub deadline: Option<Instant>,
    /// The lane's politeness when this request creates it (else the defaults).
    pub politeness: Option<Politeness>,
    /// How much of the body is read.
    pub cap: BodyCap,
}

/// Why one send failed: worth a retry (timeouts, resets) or final (a body over its cap).
pub enum SendError {
    Retry(String),
    Fatal(HttpError),
}

struct GateState {
    /// The earliest start of the next request.
    next: Instant,
    /// The lane is rate limited (exhausted) until then.
    limited_until: Option<Instant>,
}

struct HostGate {
    permits: Arc<Semaphore>,
    spacing: Duration,
    state: tokio::sync::Mutex<GateState>,
    /// How long a request on this lane takes (moving average, microseconds; 0: none yet).
    latency_us: AtomicU64,
}

impl HostGate {
    fn latency(&self) -> Duration {
        Duration::from_micros(self.latency_us.load(Ordering::Relaxed))
    }

    /// Folds one request's duration into the average (a quarter weight for the newest).
    fn observe(&self, d: Duration) {
        let new = d.as_micros().min(u64::MAX as u128) as u64;
        let old = self.latency_us.load(Ordering::Relaxed);
        let avg = if old == 0 { new } else { (old * 3 + new) / 4 };
        self.latency_us.store(avg.max(1), Ordering::Relaxed);
    }
}

/// The shared client.
pub struct Http {
    client: reqwest::Client,
    cfg: HttpConfig,
    hosts: Mutex<HashMap<String, Arc<HostGate>>>,
    seed: AtomicU64,
    /// Time kept free before every deadline for the work after the last request
    /// (checkpoint, merge, report), in microseconds; set by the crawl from what it measured.
    reserve_us: AtomicU64,
}

fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The budget an answer reports (`x-ratelimit-limit/remaining/reset`), with its resource name
/// (`x-ratelimit-resource`, `core` when absent).
pub fn budget_of(r: &Response) -> Option<(String, Budget)> {
    let num = |k: &str| r.header(k).and_then(|v| v.trim().parse::<u64>().ok());
    let b = Budget {
        limit: num("x-ratelimit-limit")?,
        remaining: num("x-ratelimit-remaining")?,
        reset: num("x-ratelimit-reset").unwrap_or(0),
    };
    let resource = r
        .header("x-ratelimit-resource")
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "core".into());
    Some((resource, b))
}

#[derive(Serialize, Deserialize)]
struct CacheMeta {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

impl Http {
    pub fn new(cfg: HttpConfig) -> anyhow::Result<Arc<Http>> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .timeout(cfg.timeout)
            .connect_timeout(Duration::from_secs(10))
            // Redirects are followed in `get`, which decides credentials per hop.
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Arc::new(Http {
            client,
            cfg,
            hosts: Mutex::new(HashMap::new()),
            seed: AtomicU64::new(0x9E37_79B9_7F4A_7C15),
            reserve_us: AtomicU64::new(0),
        }))
    }

    pub fn config(&self) -> &HttpConfig {
        &self.cfg
    }

    /// Keeps `d` free before every deadline: no request starts that could not end (at the
    /// lane's usual latency) that long before it.
    pub fn set_reserve(&self, d: Duration) {
        self.reserve_us.store(
            d.as_micros().min(u64::MAX as u128) as u64,
            Ordering::Relaxed,
        );
    }

    /// The measured latency (moving average) of a lane of `url`'s host, once it has answered.
    pub fn lane_latency(&self, url: &str, lane: &str) -> Option<Duration> {
        let host = host_of(url);
        let key = if lane.is_empty() {
            host
        } else {
            format!("{host} {lane}")
        };
        let hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .get(&key)
            .map(|g| g.latency())
            .filter(|d| !d.is_zero())
    }

    /// The time kept free before every deadline.
    pub fn reserve(&self) -> Duration {
        Duration::from_micros(self.reserve_us.load(Ordering::Relaxed))
    }

    /// The last moment a request on `gate` may start to end, with the wrap-up, by `deadline`.
    fn cutoff(&self, deadline: Option<Instant>, gate: &HostGate) -> Option<Instant> {
        let d = deadline?;
        let keep = self.reserve() + gate.latency();
        Some(d.checked_sub(keep).unwrap_or(d))
    }

    /// The moment every request must have ended by: `deadline` less the wrap-up reserve.
    fn hard_end(&self, deadline: Option<Instant>) -> Option<Instant> {
        let d = deadline?;
        Some(d.checked_sub(self.reserve()).unwrap_or(d))
    }

    fn gate(&self, key: &str, politeness: Option<Politeness>) -> Arc<HostGate> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        let p = politeness.unwrap_or(Politeness {
            concurrency: self.cfg.per_host_concurrency,
            min_spacing: self.cfg.min_spacing,
        });
        hosts
            .entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(HostGate {
                    permits: Arc::new(Semaphore::new(p.concurrency.max(1))),
                    spacing: p.min_spacing,
                    state: tokio::sync::Mutex::new(GateState {
                        next: Instant::now(),
                        limited_until: None,
                    }),
                    latency_us: AtomicU64::new(0),
                })
            })
            .clone()
    }

    /// Marks a lane rate limited until `until`.
    async fn limit_lane(&self, gate: &HostGate, until: Instant) {
        let mut st = gate.state.lock().await;
        if st.limited_until.is_none_or(|u| u < until) {
            st.limited_until = Some(until);
        }
    }

    fn jitter(&self, d: Duration) -> Duration {
        let mut x = self
            .seed
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        let frac = (x % 1000) as f64 / 1000.0; // 0..1
        d.mul_f64(0.5 + frac)
    }

    fn deadline(&self, opts: &Opts<'_>) -> Option<Instant> {
        match (self.cfg.deadline, opts.deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn cache_paths(&self, url: &str, accept: &str) -> Option<(PathBuf, PathBuf)> {
        let dir = self.cfg.cache_dir.as_ref()?;
        let mut h = Sha256::new();
        h.update(url.as_bytes());
        h.update([0]);
        h.update(accept.as_bytes());
        let key = hex(&h.finalize());
        let sub = dir.join(&key[..2]);
        Some((
            sub.join(format!("{key}.meta.json")),
            sub.join(format!("{key}.body")),
        ))
    }

    fn cache_read(&self, url: &str, accept: &str) -> Option<(CacheMeta, Vec<u8>)> {
        let (meta_p, body_p) = self.cache_paths(url, accept)?;
        let meta: CacheMeta = serde_json::from_slice(&std::fs::read(meta_p).ok()?).ok()?;
        let body = std::fs::read(body_p).ok()?;
        if meta.url != url || hex(&Sha256::digest(&body)) != meta.sha256 {
            tracing::debug!("{url}: corrupt cache entry ignored");
            return None;
        }
        Some((meta, body))
    }

    fn cache_write(&self, url: &str, accept: &str, r: &Response) {
        let Some((meta_p, body_p)) = self.cache_paths(url, accept) else {
            return;
        };
        let etag = r.header("etag").map(str::to_string);
        let last_modified = r.header("last-modified").map(str::to_string);
        if etag.is_none() && last_modified.is_none() {
            return;
        }
        let meta = CacheMeta {
            url: url.to_string(),
            etag,
            last_modified,
            sha256: hex(&Sha256::digest(&r.body)),
        };
        let Ok(meta_bytes) = serde_json::to_vec(&meta) else {
            return;
        };
        if let Err(e) = dataset::write_atomic(&body_p, &r.body)
            .and_then(|()| dataset::write_atomic(&meta_p, &meta_bytes))
        {
            tracing::debug!("{url}: cache write failed: {e}");
        }
    }

    /// Backoff before retry `attempt` (1-based).
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .cfg
            .base_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(10));
        self.jitter(exp.min(Duration::from_secs(120)))
    }

    /// GET with politeness, retries, rate limits and the cache, without credentials.
    pub async fn get(
        &self,
        url: &str,
        accept: &str,
        counters: &Counters,
    ) -> Result<Response, HttpError> {
        self.fetch(url, accept, &Opts::default(), counters, None)
            .await
    }

    /// GET with options; redirects are followed here, and `opts.auth` is attached to every hop
    /// under its base and to no other. Each answer's rate-limit budget goes to `book`.
    pub async fn fetch(
        &self,
        url: &str,
        accept: &str,
        opts: &Opts<'_>,
        counters: &Counters,
        book: Option<&Mutex<BTreeMap<String, BudgetSpan>>>,
    ) -> Result<Response, HttpError> {
        let cached = self.cache_read(url, accept);
        let cap = opts.cap;
        let mut current = url.to_string();
        let mut hops = 0;
        let r = loop {
            let authorization = opts
                .auth
                .filter(|a| a.covers(&current))
                .map(|a| a.header.clone());
            let hop_url = current.clone();
            let send = || {
                let mut req = self.client.get(hop_url.as_str()).header("accept", accept);
                if let Some(a) = &authorization {
                    req = req.header("authorization", a);
                }
                if let Some((meta, _)) = &cached {
                    if let Some(e) = &meta.etag {
                        req = req.header("if-none-match", e);
                    }
                    if let Some(lm) = &meta.last_modified {
                        req = req.header("if-modified-since", lm);
                    }
                }
                let hop_url = hop_url.clone();
                async move {
                    let mut resp = req.send().await.map_err(|e| {
                        SendError::Retry(if e.is_timeout() {
                            "timed out".to_string()
                        } else {
                            format!("request failed: {e}")
                        })
                    })?;
                    let status = resp.status().as_u16();
                    let headers = resp
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().to_ascii_lowercase(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect();
                    let (limit, truncate) = match cap {
                        BodyCap::Document => (self.cfg.max_body, false),
                        BodyCap::Listing => (self.cfg.max_listing_body, false),
                        BodyCap::Truncate(n) => (n, true),
                    };
                    let too_large = || {
                        SendError::Fatal(HttpError::TooLarge {
                            url: hop_url.clone(),
                            limit,
                        })
                    };
                    if !truncate && resp.content_length().is_some_and(|l| l > limit as u64) {
                        return Err(too_large());
                    }
                    let mut body = Vec::new();
                    while let Some(chunk) = resp
                        .chunk()
                        .await
                        .map_err(|e| SendError::Retry(format!("reading body: {e}")))?
                    {
                        if body.len() + chunk.len() > limit {
                            if !truncate {
                                return Err(too_large());
                            }
                            body.extend_from_slice(&chunk[..limit - body.len()]);
                            break;
                        }
                        body.extend_from_slice(&chunk);
                    }
                    Ok(Response {
                        status,
                        headers,
                        body,
                        from_cache: false,
                        final_url: hop_url,
                    })
                }
            };
            let r = self.run(&current, opts, counters, book, send).await?;
            if !is_redirect(r.status) {
                break r;
            }
            hops += 1;
            let next = r
                .header("location")
                .and_then(|l| reqwest::Url::parse(&current).ok()?.join(l).ok())
                .map(|u| u.to_string());
            match next {
                Some(n) if hops <= 5 => current = n,
                _ => {
                    return Err(HttpError::Status {
                        url: url.into(),
                        status: r.status,
                    })
                }
            }
        };
        match r.status {
            304 => match &cached {
                Some((_, body)) => {
                    counters.not_modified.fetch_add(1, Ordering::Relaxed);
                    Ok(Response {
                        body: body.clone(),
                        from_cache: true,
                        status: 200,
                        ..r
                    })
                }
                None => Err(HttpError::Status {
                    url: url.into(),
                    status: 304,
                }),
            },
            _ => {
                self.cache_write(url, accept, &r);
                Ok(r)
            }
        }
    }

    /// The politeness, retry and rate-limit loop around one sender. Returns 2xx, 3xx and 304
    /// answers; other statuses are errors.
    pub async fn run<F, Fut>(
        &self,
        url: &str,
        opts: &Opts<'_>,
        counters: &Counters,
        book: Option<&Mutex<BTreeMap<String, BudgetSpan>>>,
        send: F,
    ) -> Result<Response, HttpError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Response, SendError>>,
    {
        let host = host_of(url);
        let key = if opts.lane.is_empty() {
            host.clone()
        } else {
            format!("{host} {}", opts.lane)
        };
        let gate = self.gate(&key, opts.politeness);
        let deadline = self.deadline(opts);
        // A request starts only if it can end, with the wrap-up, before the deadline.
        let past = |at: Instant| self.cutoff(deadline, &gate).is_some_and(|c| at >= c);
        let mut attempt = 0u32;
        let mut waits = 0u32;
        // This request already counted the wait it is about to sit out.
        let mut counted = false;
        let err = |message: String| HttpError::Transport {
            url: url.to_string(),
            message,
        };
        loop {
            if past(Instant::now()) {
                return Err(HttpError::Deadline { url: url.into() });
            }
            let permit = gate
                .permits
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| err(e.to_string()))?;
            {
                let mut st = gate.state.lock().await;
                let now = Instant::now();
                let mut slot = st.next.max(now);
                let limited = st.limited_until.filter(|u| *u > now);
                if let Some(u) = limited {
                    slot = slot.max(u);
                    let wait = u - now;
                    if past(u) || wait > self.cfg.max_wait {
                        return Err(HttpError::RateLimited {
                            url: url.into(),
                            wait_secs: wait.as_secs(),
                        });
                    }
                    if !counted {
                        counters.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
                    }
                    tracing::debug!("{key}: exhausted, waiting {} ms", wait.as_millis());
                }
                counted = false;
                if past(slot) {
                    return Err(HttpError::Deadline { url: url.into() });
                }
                st.next = slot + gate.spacing;
                drop(st);
                tokio::time::sleep_until(slot).await;
            }
            counters.requests.fetch_add(1, Ordering::Relaxed);
            let sent = Instant::now();
            // In flight, the request may take the client's timeout or what is left before the
            // deadline less the wrap-up reserve, whichever is shorter: a request the deadline
            // cuts is left for the next night, and the crawl ends on time.
            let left = self
                .hard_end(deadline)
                .map(|e| e.saturating_duration_since(sent));
            let result = match left {
                Some(l) if l < self.cfg.timeout => match tokio::time::timeout(l, send()).await {
                    Ok(r) => r,
                    Err(_) => {
                        tracing::debug!("{url}: cut by the deadline after {} ms", l.as_millis());
                        return Err(HttpError::Deadline { url: url.into() });
                    }
                },
                _ => send().await,
            };
            if result.is_ok() {
                gate.observe(sent.elapsed());
            }
            drop(permit);
            let r = match result {
                Ok(r) => r,
                Err(SendError::Fatal(e)) => return Err(e),
                Err(SendError::Retry(message)) => {
                    attempt += 1;
                    if attempt > self.cfg.max_retries {
                        return Err(err(message));
                    }
                    counters.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!("{url}: {message}; retry {attempt}");
                    tokio::time::sleep(self.backoff(attempt)).await;
                    continue;
                }
            };
            if let Some((resource, b)) = budget_of(&r) {
                if let Some(book) = book {
                    let mut book = book.lock().unwrap_or_else(|p| p.into_inner());
                    let span = book.entry(resource).or_default();
                    if span.start.is_none() {
                        span.start = Some(b.clone());
                    }
                    span.end = Some(b.clone());
                }
                if b.remaining == 0 && b.reset > 0 && (200..400).contains(&r.status) {
                    // The last request of the window: the next one waits for the reset
                    // instead of being refused.
                    let secs = b.reset.saturating_sub(unix_now()) + 1;
                    self.limit_lane(&gate, Instant::now() + Duration::from_secs(secs))
                        .await;
                }
            }
            if r.status == 304 || is_redirect(r.status) {
                return Ok(r);
            }
            let wait = match rate_limit_wait(&r) {
                Some(w) => Some(w),
                None if r.status == 429 => Some(self.cfg.cooldown),
                None => None,
            };
            if let Some(wait) = wait {
                waits += 1;
                let until = Instant::now() + wait;
                if wait > self.cfg.max_wait || waits > self.cfg.max_rate_limit_waits || past(until)
                {
                    self.limit_lane(&gate, until).await;
                    return Err(HttpError::RateLimited {
                        url: url.into(),
                        wait_secs: wait.as_secs(),
                    });
                }
                counters.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
                counted = true;
                tracing::info!("{key}: rate limited, waiting {} ms", wait.as_millis());
                self.limit_lane(&gate, until).await;
                continue;
            }
            if r.status >= 500 {
                attempt += 1;
                if attempt > self.cfg.max_retries {
                    return Err(HttpError::Status {
                        url: url.into(),
                        status: r.status,
                    });
                }
                counters.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(self.backoff(attempt)).await;
                continue;
            }
            if !(200..300).contains(&r.status) {
                return Err(HttpError::Status {
                    url: url.into(),
                    status: r.status,
                });
            }
            return Ok(r);
        }
    }
}

/// How long a rate-limit answer asks us to wait, if it is one.
///
/// 429 or 403 with `Retry-After`; 403/429 with `x-ratelimit-remaining: 0` and a reset time;
/// 403 whose body names a secondary rate limit (60 s when no header says otherwise). A 429
/// without any of these is `None` here (plain backoff), and so is a bare 403.
pub fn rate_limit_wait(r: &Response) -> Option<Duration> {
    if r.status != 429 && r.status != 403 {
        return None;
    }
    if let Some(ra) = r.header("retry-after") {
        let ra = ra.trim();
        match ra.parse::<u64>() {
            // `Retry-After: 0` (npm's block page says so) means nothing: back off instead.
            Ok(0) => {}
            Ok(secs) => return Some(Duration::from_secs(secs)),
            Err(_) => {}
        }
        if let Ok(at) = httpdate::parse_http_date(ra) {
            let now = std::time::SystemTime::now();
            return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
        }
    }
    if r.header("x-ratelimit-remaining").map(str::trim) == Some("0") {
        if let Some(reset) = r
            .header("x-ratelimit-reset")
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
        }
    }
    if r.status == 403 {
        let body = String::from_utf8_lossy(&r.body[..r.body.len().min(4096)]).to_lowercase();
        if body.contains("secondary rate limit") || body.contains("abuse detection") {
            return Some(Duration::from_secs(60));
        }
    }
    None
}

/// One source's view of the shared client, with its own counters, error list, deadline,
/// politeness, credentials and budget record.
#[derive(Clone)]
pub struct SourceHttp {
    pub http: Arc<Http>,
    pub counters: Arc<Counters>,
    pub errors: Arc<Mutex<Vec<(String, String)>>>,
    /// Sent to URLs under its base only.
    pub auth: Option<Auth>,
    /// This source's share of the deadline.
    pub deadline: Option<Instant>,
    /// Politeness of the lanes this source opens (else the crawl's defaults).
    pub politeness: Option<Politeness>,
    /// Lanes with their own politeness (GitHub's `search`), by lane name.
    pub lanes: BTreeMap<String, Politeness>,
    /// Rate-limit budgets seen, by resource.
    pub budgets: Arc<Mutex<BTreeMap<String, BudgetSpan>>>,
    /// The source's name, for the log.
    pub source: String,
}

/// Record errors logged on stderr per source; the rest are counted ([`SourceHttp::log_rest`])
/// and all are in the crawl report.
pub const LOGGED_ERRORS: usize = 20;

impl SourceHttp {
    pub fn new(http: Arc<Http>) -> Self {
        SourceHttp {
            http,
            counters: Arc::new(Counters::default()),
            errors: Arc::new(Mutex::new(Vec::new())),
            auth: None,
            deadline: None,
            politeness: None,
            lanes: BTreeMap::new(),
            budgets: Arc::new(Mutex::new(BTreeMap::new())),
            source: String::new(),
        }
    }

    /// Records the failure of one record (`item`: the package or repository) for the report
    /// and logs it once at warn, for the first [`LOGGED_ERRORS`] of the source.
    pub fn record_for(&self, item: &str, e: &HttpError) {
        let n = {
            let mut errs = self.errors.lock().unwrap_or_else(|p| p.into_inner());
            errs.push((e.url().to_string(), e.to_string()));
            errs.len()
        };
        if n <= LOGGED_ERRORS {
            tracing::warn!("{}: {item} failed: {e}", self.source);
        }
    }

    /// Logs how many errors [`SourceHttp::record_for`] did not show.
    pub fn log_rest(&self) {
        let n = self.errors.lock().map(|e| e.len()).unwrap_or(0);
        if n > LOGGED_ERRORS {
            tracing::warn!(
                "{}: and {} more errors, see crawl-report.json",
                self.source,
                n - LOGGED_ERRORS
            );
        }
    }

    /// Records an error (URL, message) for the report.
    pub fn record(&self, e: &HttpError) {
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((e.url().to_string(), e.to_string()));
    }

    /// Whether this source's deadline (or the crawl's), less the wrap-up reserve, has passed.
    pub fn past_deadline(&self) -> bool {
        self.time_left().is_some_and(|l| l.is_zero())
    }

    /// Time left for requests before this source's deadline, less the wrap-up reserve
    /// (`None`: no deadline).
    pub fn time_left(&self) -> Option<Duration> {
        let d = match (self.deadline, self.http.config().deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }?;
        Some(
            d.saturating_duration_since(Instant::now())
                .saturating_sub(self.http.reserve()),
        )
    }

    /// The last budget seen for `resource`.
    pub fn budget(&self, resource: &str) -> Option<Budget> {
        self.budgets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(resource)
            .and_then(|s| s.end.clone())
    }

    /// Records a budget read from a rate-limit endpoint.
    pub fn observe_budget(&self, resource: &str, b: Budget) {
        let mut book = self.budgets.lock().unwrap_or_else(|p| p.into_inner());
        let span = book.entry(resource.to_string()).or_default();
        if span.start.is_none() {
            span.start = Some(b.clone());
        }
        span.end = Some(b);
    }

    /// What one request on a lane of `url`'s host costs in time, for planning: its spacing, or
    /// its measured latency shared among the requests it lets run at once, whichever is longer
    /// (on a slow host the spacing alone promises far more than the deadline allows).
    pub fn request_time(&self, url: &str, lane: &str) -> Duration {
        let p = self.lane_politeness(lane).unwrap_or(Politeness {
            concurrency: self.http.config().per_host_concurrency,
            min_spacing: self.http.config().min_spacing,
        });
        let by_latency = self
            .http
            .lane_latency(url, lane)
            .map(|l| l / p.concurrency.max(1) as u32)
            .unwrap_or_default();
        p.min_spacing.max(by_latency)
    }

    /// The politeness of a lane: its own, else the source's.
    pub fn lane_politeness(&self, lane: &str) -> Option<Politeness> {
        self.lanes.get(lane).copied().or(self.politeness)
    }

    pub async fn get(&self, url: &str, accept: &str) -> Result<Response, HttpError> {
        self.get_lane(url, accept, "").await
    }

    /// GET in a lane of the host (its own politeness and rate-limit pause).
    pub async fn get_lane(
        &self,
        url: &str,
        accept: &str,
        lane: &str,
    ) -> Result<Response, HttpError> {
        self.get_capped(url, accept, lane, BodyCap::Document).await
    }

    /// GET in a lane, reading the body up to `cap`.
    pub async fn get_capped(
        &self,
        url: &str,
        accept: &str,
        lane: &str,
        cap: BodyCap,
    ) -> Result<Response, HttpError> {
        let opts = Opts {
            auth: self.auth.as_ref(),
            lane,
            deadline: self.deadline,
            politeness: self.lane_politeness(lane),
            cap,
        };
        self.http
            .fetch(url, accept, &opts, &self.counters, Some(&self.budgets))
            .await
    }

    /// GET and parse JSON; an HTML page or truncated JSON is an error for this request.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        accept: &str,
    ) -> Result<(T, Response), HttpError> {
        self.get_json_lane(url, accept, "").await
    }

    /// [`SourceHttp::get_json`] in a lane.
    pub async fn get_json_lane<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        accept: &str,
        lane: &str,
    ) -> Result<(T, Response), HttpError> {
        let r = self.get_lane(url, accept, lane).await?;
        let v = parse_json(url, &r)?;
        Ok((v, r))
    }
}

/// Parses a JSON body; an HTML page is [`HttpError::Html`].
pub fn parse_json<T: serde::de::DeserializeOwned>(url: &str, r: &Response) -> Result<T, HttpError> {
    let start = r.body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let ct = r.header("content-type").unwrap_or("");
    if start == Some(b'<') || ct.contains("text/html") {
        return Err(HttpError::Html { url: url.into() });
    }
    serde_json::from_slice(&r.body).map_err(|e| HttpError::Json {
        url: url.into(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.as_bytes().to_vec(),
            from_cache: false,
            final_url: String::new(),
        }
    }

    #[test]
    fn rate_limit_answers() {
        assert_eq!(
            rate_limit_wait(&resp(429, &[("retry-after", "7")], "")),
            Some(Duration::from_secs(7))
        );
        assert_eq!(rate_limit_wait(&resp(403, &[], "Forbidden")), None);
        assert_eq!(
            rate_limit_wait(&resp(429, &[("retry-after", "0")], "")),
            None
        );
        assert_eq!(rate_limit_wait(&resp(429, &[], "")), None);
        assert_eq!(
            rate_limit_wait(&resp(403, &[], "You have exceeded a secondary rate limit")),
            Some(Duration::from_secs(60))
        );
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 100;
        let w = rate_limit_wait(&resp(
            403,
            &[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &reset.to_string()),
            ],
            "",
        ))
        .unwrap();
        assert!(
            w >= Duration::from_secs(99) && w <= Duration::from_secs(102),
            "{w:?}"
        );
        assert_eq!(
            rate_limit_wait(&resp(500, &[("retry-after", "1")], "")),
            None
        );
    }

    #[test]
    fn auth_covers_only_its_base() {
        let a = Auth::bearer("http://127.0.0.1:9/github/", "t").unwrap();
        assert!(a.covers("http://127.0.0.1:9/github/search/repositories?q=x"));
        assert!(a.covers("http://127.0.0.1:9/github"));
        assert!(!a.covers("http://127.0.0.1:9/githubx/repos"));
        assert!(!a.covers("http://127.0.0.1:9/npm/x"));
        assert!(!a.covers("http://127.0.0.1:10/github/x"));
        assert!(!a.covers("https://127.0.0.1:9/github/x"));
        assert!(!a.covers("http://localhost:9/github/x"));
        let root = Auth::bearer("https://api.example.invalid", "t").unwrap();
        assert!(root.covers("https://api.example.invalid/repos/a/b/readme"));
        assert!(root.covers("https://API.example.invalid:443/rate_limit"));
        assert!(!root.covers("https://raw.example.invalid/a/b"));
        assert!(!format!("{a:?}").contains('t') || !format!("{a:?}").contains("Bearer"));
    }

    #[test]
    fn json_parse_errors() {
        let r = resp(200, &[], "<html>busy</html>");
        assert!(matches!(
            parse_json::<serde_json::Value>("u", &r),
            Err(HttpError::Html { .. })
        ));
        let r = resp(200, &[], "{\"a\": [1, 2");
        assert!(matches!(
            parse_json::<serde_json::Value>("u", &r),
            Err(HttpError::Json { .. })
        ));
        assert_eq!(host_of("http://127.0.0.1:80/x?y"), "127.0.0.1:80");
    }
}
