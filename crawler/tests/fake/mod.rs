//! A local fake of the four APIs on 127.0.0.1 (tiny_http), shared by the crawler's tests and
//! benchmark. Response shapes come from `tests/fixtures/` (recorded shapes, hosts replaced by
//! placeholders); the data is filled in by each test. The fake logs every request with its
//! start and end time and headers (so politeness and credentials can be asserted), and can
//! inject faults by path.
//!
//! [`World::serve_hosts`] serves each API from its own host (port), as in the real world, and
//! [`Limits`] makes the fake enforce the published limits: GitHub's primary limits per identity
//! (no token: 60 core requests an hour and 10 searches a minute; with the token: 5,000 and 30;
//! code search 10 a minute and only with a token), its secondary limits (too many requests in
//! flight or in a minute: 403 with `Retry-After`), `x-ratelimit-*` headers on every answer and a
//! free `/rate_limit`; npm's search window (429 with an HTML body and `Retry-After: 0`) and
//! result cap; the MCP Registry's per-minute limit (429 with `Retry-After`). Limits run on a
//! simulated clock that may run faster than real time (`scale`): every window, reset time and
//! `Retry-After` the fake reports is converted back to real seconds, so a client sees a
//! consistent world in which a minute lasts `60 / scale` real seconds.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub fn fixture(name: &str) -> Value {
    // Relative to this file, so the root package's tests can include this module too.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(
            if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("crawler")
                .is_dir()
            {
                "crawler/tests/fixtures"
            } else {
                "tests/fixtures"
            },
        )
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

/// Real package names from the shared listings, when present (else generated names).
pub fn real_names(file: &str, n: usize) -> Vec<String> {
    let path = format!("/work/shared/data/{file}");
    let mut out: Vec<String> = std::fs::read_to_string(path)
        .map(|t| {
            t.lines()
                .skip(1)
                .filter_map(|l| l.split('\t').next())
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .take(n)
                .collect()
        })
        .unwrap_or_default();
    let mut i = 0;
    while out.len() < n {
        out.push(format!("fake-mcp-server-{i}"));
        i += 1;
    }
    out
}

#[derive(Debug, Clone)]
pub struct Req {
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: Vec<(String, String)>,
}

impl Req {
    pub fn header(&self, k: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query.get(k).map(String::as_str)
    }
}

#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Resp {
    pub fn json(v: &Value) -> Resp {
        Resp {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: serde_json::to_vec(v).unwrap(),
            delay: Duration::ZERO,
        }
    }
    pub fn text(status: u16, ct: &str, body: &str) -> Resp {
        Resp {
            status,
            headers: vec![("Content-Type".into(), ct.into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }
    pub fn status(status: u16) -> Resp {
        Resp::text(status, "application/json", "{\"message\":\"error\"}")
    }
    pub fn with(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn delayed(mut self, d: Duration) -> Resp {
        self.delay = d;
        self
    }
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: Vec<(String, String)>,
    pub start: Instant,
    pub end: Instant,
}

pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let h = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(h, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

type Handler = dyn Fn(&Req) -> Resp + Send + Sync;

/// A running fake server.
pub struct Fake {
    pub base: String,
    server: Arc<tiny_http::Server>,
    threads: Vec<std::thread::JoinHandle<()>>,
    pub log: Arc<Mutex<Vec<Logged>>>,
    pub in_flight: Arc<AtomicUsize>,
    pub max_in_flight: Arc<AtomicUsize>,
}

impl Fake {
    pub fn start(handler: impl Fn(&Req) -> Resp + Send + Sync + 'static) -> Fake {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind"));
        let port = server.server_addr().to_ip().expect("ip").port();
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::new(Mutex::new(Vec::new()));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max_in_flight = Arc::new(AtomicUsize::new(0));
        let mut threads = Vec::new();
        for _ in 0..16 {
            let (server, handler, log, inf, maxf) = (
                server.clone(),
                handler.clone(),
                log.clone(),
                in_flight.clone(),
                max_in_flight.clone(),
            );
            threads.push(std::thread::spawn(move || {
                while let Ok(rq) = server.recv() {
                    let start = Instant::now();
                    let now_in = inf.fetch_add(1, Ordering::SeqCst) + 1;
                    maxf.fetch_max(now_in, Ordering::SeqCst);
                    let url = rq.url().to_string();
                    let (p, q) = url.split_once('?').unwrap_or((&url, ""));
                    let query = q
                        .split('&')
                        .filter(|kv| !kv.is_empty())
                        .map(|kv| {
                            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                            (percent_decode(k), percent_decode(v))
                        })
                        .collect();
                    let req = Req {
                        path: p.to_string(),
                        query,
                        headers: rq
                            .headers()
                            .iter()
                            .map(|h| {
                                (
                                    h.field.as_str().as_str().to_ascii_lowercase(),
                                    h.value.as_str().to_string(),
                                )
                            })
                            .collect(),
                    };
                    let resp = handler(&req);
                    if !resp.delay.is_zero() {
                        std::thread::sleep(resp.delay);
                    }
                    let mut r = tiny_http::Response::from_data(resp.body.clone())
                        .with_status_code(resp.status);
                    for (k, v) in &resp.headers {
                        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                            r = r.with_header(h);
                        }
                    }
                    // Logged before answering, so a client that got its answer sees it logged.
                    log.lock().unwrap().push(Logged {
                        path: req.path,
                        query: req.query,
                        headers: req.headers,
                        start,
                        end: Instant::now(),
                    });
                    let _ = rq.respond(r);
                    inf.fetch_sub(1, Ordering::SeqCst);
                }
            }));
        }
        Fake {
            base: format!("http://127.0.0.1:{port}"),
            server,
            threads,
            log,
            in_flight,
            max_in_flight,
        }
    }

    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    pub fn count(&self, path_prefix: &str) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.path.starts_with(path_prefix))
            .count()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        for _ in &self.threads {
            self.server.unblock();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// A scripted fault: the next `times` requests whose path contains `path` get `resp`.
pub struct Fault {
    pub path: String,
    pub times: usize,
    pub resp: Resp,
}

pub fn pep503(name: &str) -> String {
    crawler::normalize::pep503(name)
}

/// The data behind the fake APIs, with the handler that serves them.
#[derive(Default)]
pub struct World {
    /// MCP Registry entries (full `{server, _meta}` objects).
    pub registry: Vec<Value>,
    /// npm packuments by name.
    pub npm: BTreeMap<String, Value>,
    pub npm_downloads: BTreeMap<String, u64>,
    pub npm_search_cap: usize,
    /// PyPI index: (name as published, serial).
    pub pypi_index: Vec<(String, u64)>,
    /// PyPI JSON documents by normalized name.
    pub pypi: BTreeMap<String, Value>,
    pub pypi_html_index: bool,
    /// GitHub repositories (repo objects), by lowercase full name.
    pub github: BTreeMap<String, Value>,
    /// Renamed: old lowercase full name → new full name.
    pub renamed: BTreeMap<String, String>,
    /// Root files by lowercase full name.
    pub files: BTreeMap<String, BTreeMap<String, String>>,
    pub incomplete_once: AtomicBool,
    /// Repeat the last item of page N at the start of page N+1.
    pub dup_across_pages: bool,
    pub faults: Mutex<Vec<Fault>>,
    pub base: Mutex<String>,
    /// Limits to enforce (`None`: none, as the older tests expect).
    pub limits: Option<Limits>,
    pub limit_state: Mutex<LimitState>,
    github_in_flight: AtomicUsize,
}

/// The limits a fake world enforces (see the module documentation).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Simulated seconds per real second.
    pub scale: f64,
    /// The one token GitHub accepts; any other `Authorization` is answered 401.
    pub token: Option<String>,
    /// Core requests an hour: (without a token, with it).
    pub core: (u64, u64),
    /// Searches a minute: (without a token, with it).
    pub search: (u64, u64),
    /// Code searches a minute: (without a token, with it); 0 means it needs a token (401).
    pub code_search: (u64, u64),
    /// Secondary limit: GitHub requests in flight at once.
    pub secondary_concurrency: usize,
    /// Secondary limit: GitHub requests in one simulated minute.
    pub secondary_per_minute: u64,
    /// Every GitHub answer takes this long (real time): a slow GitHub.
    pub github_delay: Duration,
    /// npm searches per window of `npm_search_window` simulated seconds.
    pub npm_searches: u64,
    pub npm_search_window: f64,
    /// MCP Registry requests a simulated minute.
    pub registry_per_minute: u64,
    /// PyPI requests a simulated second (0: unlimited).
    pub pypi_per_second: u64,
}

impl Limits {
    /// GitHub's, npm's and the Registry's published or observed limits, on real time.
    pub fn real(token: Option<&str>) -> Limits {
        Limits {
            scale: 1.0,
            token: token.map(str::to_string),
            core: (60, 5000),
            search: (10, 30),
            code_search: (0, 10),
            secondary_concurrency: 100,
            secondary_per_minute: 900,
            github_delay: Duration::ZERO,
            npm_searches: 10,
            npm_search_window: 60.0,
            registry_per_minute: 120,
            pypi_per_second: 0,
        }
    }

    /// The same limits on a clock `scale` times faster than real time.
    pub fn scaled(token: Option<&str>, scale: f64) -> Limits {
        Limits {
            scale,
            ..Limits::real(token)
        }
    }
}

/// One fixed window of a rate limit (simulated seconds).
#[derive(Debug, Clone, Default)]
pub struct Window {
    pub start: f64,
    pub used: u64,
}

/// What the limits have counted.
#[derive(Debug, Default)]
pub struct LimitState {
    pub started: Option<Instant>,
    /// By (identity, resource).
    pub windows: BTreeMap<(String, String), Window>,
    /// GitHub answers refused by a primary limit, by resource.
    pub refused: BTreeMap<String, u64>,
    /// GitHub answers refused by a secondary limit.
    pub secondary: u64,
    /// npm searches refused with a 429.
    pub npm_refused: u64,
    pub registry_refused: u64,
}

fn unix_now_f() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Which GitHub bucket a path draws from (`None`: free).
pub fn github_resource(rest: &str) -> Option<&'static str> {
    if rest == "rate_limit" {
        None
    } else if rest.starts_with("search/code") {
        Some("code_search")
    } else if rest.starts_with("search/") {
        Some("search")
    } else {
        Some("core")
    }
}

/// The hosts of [`World::serve_hosts`]: one fake per API.
pub struct Hosts {
    pub github: Fake,
    pub registry: Fake,
    pub npm: Fake,
    pub downloads: Fake,
    pub pypi: Fake,
}

impl Hosts {
    /// Endpoints pointing each source at its own host.
    pub fn endpoints(&self, token: Option<&str>) -> crawler::crawl::Endpoints {
        crawler::crawl::Endpoints {
            github_api: format!("{}/github", self.github.base),
            github_token: token.map(str::to_string),
            mcp_registry: format!("{}/registry", self.registry.base),
            npm_registry: Some(format!("{}/npm", self.npm.base)),
            npm_downloads: Some(format!("{}/downloads", self.downloads.base)),
            pypi: Some(format!("{}/pypi", self.pypi.base)),
        }
    }

    /// Every host with its name.
    pub fn all(&self) -> [(&'static str, &Fake); 5] {
        [
            ("github", &self.github),
            ("registry", &self.registry),
            ("npm", &self.npm),
            ("downloads", &self.downloads),
            ("pypi", &self.pypi),
        ]
    }
}

impl Logged {
    /// The `Authorization` header, if the request carried one.
    pub fn authorization(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.as_str())
    }
}

const CURSOR_SUFFIX: &str = ":a/b+c=d";

impl World {
    pub fn fault(&self, path: &str, times: usize, resp: Resp) {
        self.faults.lock().unwrap().push(Fault {
            path: path.into(),
            times,
            resp,
        });
    }

    /// Starts one fake per API (each on its own port, so its own host).
    pub fn serve_hosts(self) -> (Hosts, Arc<World>) {
        let w = Arc::new(self);
        let start = |w: &Arc<World>| {
            let w2 = w.clone();
            Fake::start(move |r| w2.handle(r))
        };
        let hosts = Hosts {
            github: start(&w),
            registry: start(&w),
            npm: start(&w),
            downloads: start(&w),
            pypi: start(&w),
        };
        *w.base.lock().unwrap() = hosts.github.base.clone();
        (hosts, w)
    }

    /// Simulated seconds since the first limited request.
    fn sim_now(&self, st: &mut LimitState, scale: f64) -> f64 {
        let started = *st.started.get_or_insert_with(Instant::now);
        started.elapsed().as_secs_f64() * scale
    }

    /// Counts one request against (identity, resource), a window of `period` simulated seconds
    /// holding `limit` requests. Returns (allowed, remaining, reset as Unix seconds).
    fn take(
        &self,
        st: &mut LimitState,
        l: &Limits,
        key: (String, String),
        limit: u64,
        period: f64,
    ) -> (bool, u64, u64) {
        let now = self.sim_now(st, l.scale);
        let w = st.windows.entry(key).or_insert(Window {
            start: now,
            used: 0,
        });
        if now >= w.start + period {
            *w = Window {
                start: now,
                used: 0,
            };
        }
        let reset = (unix_now_f() + (w.start + period - now) / l.scale).ceil() as u64;
        if w.used >= limit {
            return (false, 0, reset);
        }
        w.used += 1;
        (true, limit - w.used, reset)
    }

    /// A `Retry-After` of `secs` simulated seconds, in real seconds (at least 1).
    fn retry_after(l: &Limits, secs: f64) -> String {
        ((secs / l.scale).ceil().max(1.0) as u64).to_string()
    }

    /// GitHub's limits; `Err` is the refusal to send instead of an answer.
    fn github_limits(
        &self,
        l: &Limits,
        rest: &str,
        r: &Req,
    ) -> Result<Vec<(String, String)>, Resp> {
        let identity = match r.header("authorization") {
            None => "anonymous",
            Some(h) => {
                let t = h
                    .strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("token "))
                    .unwrap_or("");
                if l.token.as_deref() == Some(t) {
                    "token"
                } else {
                    return Err(Resp::text(
                        401,
                        "application/json",
                        "{\"message\":\"Bad credentials\"}",
                    ));
                }
            }
        };
        let authed = identity == "token";
        let mut st = self.limit_state.lock().unwrap();
        if rest == "rate_limit" {
            let mut resources = serde_json::Map::new();
            for (res, (anon, auth), period) in [
                ("core", l.core, 3600.0),
                ("search", l.search, 60.0),
                ("code_search", l.code_search, 60.0),
            ] {
                let limit = if authed { auth } else { anon };
                let now = self.sim_now(&mut st, l.scale);
                let key = (identity.to_string(), res.to_string());
                let (used, reset) = match st.windows.get(&key) {
                    Some(w) if now < w.start + period => (
                        w.used,
                        (unix_now_f() + (w.start + period - now) / l.scale).ceil() as u64,
                    ),
                    _ => (0, (unix_now_f() + period / l.scale).ceil() as u64),
                };
                resources.insert(
                    res.into(),
                    json!({"limit": limit, "remaining": limit.saturating_sub(used), "used": used, "reset": reset}),
                );
            }
            return Err(Resp::json(
                &json!({"resources": resources, "rate": resources["core"].clone()}),
            ));
        }
        // Secondary limits first: they apply to every identity.
        let now = self.sim_now(&mut st, l.scale);
        let minute = (now / 60.0).floor();
        let (ok, _, _) = self.take(
            &mut st,
            l,
            ("any".into(), format!("secondary-{minute}")),
            l.secondary_per_minute,
            60.0,
        );
        let in_flight = self.github_in_flight.load(Ordering::SeqCst);
        if !ok || in_flight > l.secondary_concurrency {
            st.secondary += 1;
            return Err(Resp::text(
                403,
                "application/json",
                "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.\"}",
            )
            .with("Retry-After", &Self::retry_after(l, 60.0)));
        }
        let Some(resource) = github_resource(rest) else {
            return Ok(Vec::new());
        };
        let ((anon, auth), period) = match resource {
            "search" => (l.search, 60.0),
            "code_search" => (l.code_search, 60.0),
            _ => (l.core, 3600.0),
        };
        let limit = if authed { auth } else { anon };
        if limit == 0 {
            return Err(Resp::text(
                401,
                "application/json",
                "{\"message\":\"Requires authentication\"}",
            ));
        }
        let (ok, remaining, reset) = self.take(
            &mut st,
            l,
            (identity.into(), resource.into()),
            limit,
            period,
        );
        let headers = vec![
            ("X-RateLimit-Limit".to_string(), limit.to_string()),
            ("X-RateLimit-Remaining".to_string(), remaining.to_string()),
            (
                "X-RateLimit-Used".to_string(),
                (limit - remaining).to_string(),
            ),
            ("X-RateLimit-Reset".to_string(), reset.to_string()),
            ("X-RateLimit-Resource".to_string(), resource.to_string()),
        ];
        if !ok {
            *st.refused.entry(resource.into()).or_default() += 1;
            let mut resp = Resp::text(
                403,
                "application/json",
                "{\"message\":\"API rate limit exceeded for 127.0.0.1.\",\"documentation_url\":\"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting\"}",
            );
            resp.headers.extend(headers);
            return Err(resp);
        }
        Ok(headers)
    }

    /// Limits of the package hosts; `Err` is the refusal.
    fn package_limits(&self, l: &Limits, p: &str) -> Result<(), Resp> {
        let mut st = self.limit_state.lock().unwrap();
        if p.starts_with("/npm/-/v1/search") {
            let (ok, _, _) = self.take(
                &mut st,
                l,
                ("ip".into(), "npm-search".into()),
                l.npm_searches,
                l.npm_search_window,
            );
            if !ok {
                st.npm_refused += 1;
                return Err(Resp::text(
                    429,
                    "text/html; charset=UTF-8",
                    "<!DOCTYPE html><html><head><title>Too Many Requests</title></head><body><h1>429 Too Many Requests</h1><p>You are being rate limited.</p></body></html>",
                )
                .with("Retry-After", "0"));
            }
        } else if p.starts_with("/registry/") {
            let (ok, _, reset) = self.take(
                &mut st,
                l,
                ("ip".into(), "registry".into()),
                l.registry_per_minute,
                60.0,
            );
            if !ok {
                st.registry_refused += 1;
                let wait = (reset as f64 - unix_now_f()).ceil().max(1.0) as u64;
                return Err(Resp::text(
                    429,
                    "application/json",
                    "{\"title\":\"Too Many Requests\"}",
                )
                .with("Retry-After", &wait.to_string()));
            }
        } else if p.starts_with("/pypi/") && l.pypi_per_second > 0 {
            let (ok, _, _) = self.take(
                &mut st,
                l,
                ("ip".into(), "pypi".into()),
                l.pypi_per_second,
                1.0,
            );
            if !ok {
                return Err(
                    Resp::text(429, "text/plain", "Too Many Requests").with("Retry-After", "1")
                );
            }
        }
        Ok(())
    }

    /// Starts a fake serving this world.
    pub fn serve(self) -> (Fake, Arc<World>) {
        let w = Arc::new(self);
        let w2 = w.clone();
        let fake = Fake::start(move |r| w2.handle(r));
        *w.base.lock().unwrap() = fake.base.clone();
        (fake, w)
    }

    /// The scripted fault for this request, if one is due.
    fn fault_for(&self, r: &Req) -> Option<Resp> {
        let mut faults = self.faults.lock().unwrap();
        let f = faults
            .iter_mut()
            .find(|f| f.times > 0 && r.path.contains(&f.path))?;
        f.times -= 1;
        Some(f.resp.clone())
    }

    pub fn handle(&self, r: &Req) -> Resp {
        let p = r.path.as_str();
        // Without limits, faults come first; with them, a request is counted before its
        // scripted answer, as a real server counts it.
        if self.limits.is_none() {
            if let Some(f) = self.fault_for(r) {
                return f;
            }
        }
        if let Some(l) = &self.limits {
            if let Some(rest) = p.strip_prefix("/github/") {
                self.github_in_flight.fetch_add(1, Ordering::SeqCst);
                if !l.github_delay.is_zero() {
                    std::thread::sleep(l.github_delay);
                }
                let out = match self.github_limits(l, rest, r) {
                    Ok(headers) => {
                        let mut resp = self.fault_for(r).unwrap_or_else(|| self.github(rest, r));
                        resp.headers.extend(headers);
                        resp
                    }
                    Err(refusal) => refusal,
                };
                self.github_in_flight.fetch_sub(1, Ordering::SeqCst);
                return out;
            }
            if let Err(refusal) = self.package_limits(l, p) {
                return refusal;
            }
            if let Some(f) = self.fault_for(r) {
                return f;
            }
        }
        if let Some(rest) = p.strip_prefix("/registry/") {
            return self.registry(rest, r);
        }
        if let Some(rest) = p.strip_prefix("/npm/") {
            return self.npm(rest, r);
        }
        if let Some(rest) = p.strip_prefix("/downloads/") {
            let name = percent_decode(rest.trim_start_matches("downloads/point/last-month/"));
            return match self.npm_downloads.get(&name) {
                Some(d) => Resp::json(
                    &json!({"downloads": d, "package": name, "start": "2026-10-22", "end": "2026-11-20"}),
                ),
                None => Resp::text(404, "application/json", "{\"error\":\"not found\"}"),
            };
        }
        if let Some(rest) = p.strip_prefix("/pypi/") {
            return self.pypi(rest, r);
        }
        if let Some(rest) = p.strip_prefix("/github/") {
            return self.github(rest, r);
        }
        Resp::status(404)
    }

    fn registry(&self, rest: &str, r: &Req) -> Resp {
        if rest != "v0.1/servers" {
            return Resp::status(404);
        }
        let limit: usize = r.q("limit").and_then(|l| l.parse().ok()).unwrap_or(30);
        let start = match r.q("cursor") {
            None => 0,
            Some(c) => match c.strip_suffix(CURSOR_SUFFIX).and_then(|n| n.parse().ok()) {
                Some(n) => n,
                None => return Resp::text(400, "application/json", "{\"title\":\"bad cursor\"}"),
            },
        };
        let since = r.q("updated_since").map(str::to_string);
        let items: Vec<&Value> = self
            .registry
            .iter()
            .filter(|e| match &since {
                None => true,
                Some(s) => e["_meta"]["io.modelcontextprotocol.registry/official"]["updatedAt"]
                    .as_str()
                    .is_some_and(|u| u >= s.as_str()),
            })
            .collect();
        let page: Vec<Value> = items
            .iter()
            .skip(start)
            .take(limit)
            .map(|v| (*v).clone())
            .collect();
        let mut meta = json!({"count": page.len()});
        if start + limit < items.len() {
            meta["nextCursor"] = json!(format!("{}{CURSOR_SUFFIX}", start + limit));
        }
        Resp::json(&json!({"servers": page, "metadata": meta}))
    }

    fn npm(&self, rest: &str, r: &Req) -> Resp {
        if rest == "-/v1/search" {
            let text = r.q("text").unwrap_or("");
            let size: usize = r.q("size").and_then(|s| s.parse().ok()).unwrap_or(20);
            let from: usize = r.q("from").and_then(|s| s.parse().ok()).unwrap_or(0);
            let cap = if self.npm_search_cap == 0 {
                10_000
            } else {
                self.npm_search_cap
            };
            if from + size > cap {
                return Resp::text(
                    400,
                    "application/json",
                    "{\"error\":\"from+size over the cap\"}",
                );
            }
            let hits: Vec<(&String, &Value)> = self
                .npm
                .iter()
                .filter(|(_, v)| {
                    let unstable = v["dist-tags"]["latest"]
                        .as_str()
                        .is_some_and(|l| l.starts_with("0."));
                    if text.contains("not:unstable") {
                        !unstable
                    } else if text.contains("is:unstable") {
                        unstable
                    } else {
                        true
                    }
                })
                .collect();
            let template = fixture("npm-search-object.json");
            let objects: Vec<Value> = hits
                .iter()
                .skip(from)
                .take(size)
                .map(|(name, v)| {
                    let mut o = template.clone();
                    o["package"]["name"] = json!(name);
                    o["package"]["version"] = v["dist-tags"]["latest"].clone();
                    o["package"]["description"] = v["description"].clone();
                    o["package"]["keywords"] = v["keywords"].clone();
                    // The search links the repository URL the packument names (npm shows
                    // `owner/repo` shorthands as full URLs; objects by their `url`).
                    let repo = match &v["repository"] {
                        Value::String(r) => Some(r.clone()),
                        Value::Object(o) => {
                            o.get("url").and_then(Value::as_str).map(str::to_string)
                        }
                        _ => None,
                    };
                    match repo {
                        Some(r) => o["package"]["links"]["repository"] = json!(r),
                        None => {
                            if let Some(l) = o["package"]["links"].as_object_mut() {
                                l.remove("repository");
                            }
                        }
                    }
                    o["downloads"]["monthly"] =
                        json!(self.npm_downloads.get(*name).copied().unwrap_or(0));
                    o
                })
                .collect();
            return Resp::json(
                &json!({"objects": objects, "total": hits.len(), "time": "2026-11-22T00:00:00.000Z"}),
            );
        }
        let name = percent_decode(rest);
        match self.npm.get(&name) {
            Some(v) => Resp::json(v).with(
                "ETag",
                &format!("\"{}\"", v["_rev"].as_str().unwrap_or("1")),
            ),
            None => Resp::text(404, "application/json", "{\"error\":\"Not found\"}"),
        }
    }

    fn pypi(&self, rest: &str, _r: &Req) -> Resp {
        if rest == "simple/" {
            if self.pypi_html_index {
                let links: String = self
                    .pypi_index
                    .iter()
                    .map(|(n, _)| format!("<a href=\"/simple/{n}/\">{n}</a>\n"))
                    .collect();
                return Resp::text(
                    200,
                    "text/html",
                    &format!("<!DOCTYPE html><html><body>{links}</body></html>"),
                );
            }
            let projects: Vec<Value> = self
                .pypi_index
                .iter()
                .map(|(n, s)| json!({"name": n, "_last-serial": s}))
                .collect();
            let serial = self.pypi_index.iter().map(|(_, s)| *s).max().unwrap_or(0);
            return Resp {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "application/vnd.pypi.simple.v1+json".into()),
                    ("ETag".into(), format!("\"idx-{serial}-{}\"", self.pypi_index.len())),
                ],
                body: serde_json::to_vec(&json!({"meta": {"_last-serial": serial, "api-version": "1.1"}, "projects": projects})).unwrap(),
                delay: Duration::ZERO,
            };
        }
        if let Some(name) = rest
            .strip_prefix("pypi/")
            .and_then(|n| n.strip_suffix("/json"))
        {
            return match self.pypi.get(&pep503(&percent_decode(name))) {
                Some(v) => Resp::json(v),
                None => Resp::text(404, "application/json", "{\"message\":\"Not Found\"}"),
            };
        }
        Resp::status(404)
    }

    fn github(&self, rest: &str, r: &Req) -> Resp {
        let base = self.base.lock().unwrap().clone();
        if rest == "search/repositories" {
            let q = r.q("q").unwrap_or("");
            let page: usize = r.q("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            let per: usize = r.q("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
            if page * per > 1000 {
                return Resp::text(422, "application/json", "{\"message\":\"Only the first 1000 search results are available\",\"documentation_url\":\"https://docs.github.com/v3/search/\"}");
            }
            // `created:`/`pushed:` and `stars:` ranges (`a..b`, either end may be `*`).
            let range = |name: &str| {
                q.split_whitespace().find_map(|t| {
                    let (f, range) = t.split_once(':')?;
                    if f != name {
                        return None;
                    }
                    let (a, b) = range.split_once("..")?;
                    Some((a.to_string(), b.to_string()))
                })
            };
            let (field, (lo, hi)) = ["created", "pushed"]
                .into_iter()
                .find_map(|f| Some((f, range(f)?)))
                .unwrap_or(("created", ("*".into(), "*".into())));
            let stars = range("stars").map(|(a, b)| (a.parse::<u64>().ok(), b.parse::<u64>().ok()));
            let key = format!("{field}_at");
            let hits: Vec<&Value> = self
                .github
                .values()
                .filter(|v| {
                    let t = v[&key].as_str().unwrap_or("");
                    (lo == "*" || t >= lo.as_str()) && (hi == "*" || t <= hi.as_str())
                })
                .filter(|v| {
                    let n = v["stargazers_count"].as_u64().unwrap_or(0);
                    stars.is_none_or(|(a, b)| a.is_none_or(|a| n >= a) && b.is_none_or(|b| n <= b))
                })
                .collect();
            let mut items: Vec<Value> = hits
                .iter()
                .skip((page - 1) * per)
                .take(per)
                .map(|v| (*v).clone())
                .collect();
            if self.dup_across_pages && page > 1 {
                if let Some(prev) = hits.get((page - 1) * per - 1) {
                    items.insert(0, (*prev).clone());
                }
            }
            let incomplete = page == 1 && self.incomplete_once.swap(false, Ordering::SeqCst);
            return Resp::json(&json!({"total_count": hits.len(), "incomplete_results": incomplete, "items": items}))
                .with("Link", "<garbage>; rel=\"next\", <<<; rel=last");
        }
        let Some(repo_path) = rest.strip_prefix("repos/") else {
            return Resp::status(404);
        };
        let mut parts = repo_path.splitn(3, '/');
        let (Some(o), Some(n)) = (parts.next(), parts.next()) else {
            return Resp::status(404);
        };
        let tail = parts.next();
        let full = format!("{o}/{n}").to_lowercase();
        if let Some(new) = self.renamed.get(&full) {
            let loc = match tail {
                Some(t) => format!("{base}/github/repos/{new}/{t}"),
                None => format!("{base}/github/repos/{new}"),
            };
            return Resp::text(
                301,
                "application/json",
                "{\"message\":\"Moved Permanently\"}",
            )
            .with("Location", &loc);
        }
        let Some(repo) = self.github.get(&full) else {
            return Resp::text(404, "application/json", "{\"message\":\"Not Found\"}");
        };
        let files = self.files.get(&full);
        match tail {
            None => Resp::json(repo).with("ETag", "\"r1\""),
            Some("readme") => match files.and_then(|f| f.get("README.md")) {
                Some(t) => Resp::text(200, "application/vnd.github.raw+json", t),
                None => Resp::text(404, "application/json", "{\"message\":\"Not Found\"}"),
            },
            Some("contents/") | Some("contents") => {
                let list: Vec<Value> = files
                    .map(|f| {
                        f.keys()
                            .map(|k| json!({"name": k, "path": k, "type": "file"}))
                            .collect()
                    })
                    .unwrap_or_default();
                Resp::json(&Value::Array(list))
            }
            Some(t) => match t
                .strip_prefix("contents/")
                .and_then(|f| files.and_then(|fs| fs.get(f)))
            {
                Some(text) => Resp::text(200, "application/vnd.github.raw+json", text),
                None => Resp::text(404, "application/json", "{\"message\":\"Not Found\"}"),
            },
        }
    }
}

/// A registry entry for `name` with an npm package and a repository.
pub fn registry_entry(
    name: &str,
    npm: Option<&str>,
    repo: Option<(&str, Option<&str>)>,
    updated: &str,
) -> Value {
    let mut e = fixture("registry-entry.json");
    e["server"]["name"] = json!(name);
    e["server"]["title"] = json!(name.rsplit('/').next().unwrap_or(name));
    e["server"]["description"] = json!(format!("MCP server {name}"));
    match npm {
        Some(p) => e["server"]["packages"][0]["identifier"] = json!(p),
        None => e["server"]["packages"] = json!([]),
    }
    match repo {
        Some((url, sub)) => {
            e["server"]["repository"] = json!({"url": url, "source": "github"});
            if let Some(s) = sub {
                e["server"]["repository"]["subfolder"] = json!(s);
            }
        }
        None => {
            e["server"].as_object_mut().unwrap().remove("repository");
        }
    }
    e["_meta"]["io.modelcontextprotocol.registry/official"]["updatedAt"] = json!(updated);
    e
}

/// A packument for `name` at `version` linking `repo`.
pub fn packument(name: &str, version: &str, repo: Option<Value>) -> Value {
    let mut p = fixture("npm-packument.json");
    let v = p["versions"]["1.0.0"].clone();
    p["name"] = json!(name);
    p["_id"] = json!(name);
    p["dist-tags"]["latest"] = json!(version);
    let mut v = v;
    v["name"] = json!(name);
    v["version"] = json!(version);
    p["versions"] = json!({ version: v });
    match repo {
        Some(r) => p["repository"] = r,
        None => {
            p.as_object_mut().unwrap().remove("repository");
        }
    }
    p["description"] = json!(format!("MCP server {name}"));
    p
}

/// A PyPI JSON document for `name` linking `repo`.
pub fn pypi_project(name: &str, repo: Option<&str>) -> Value {
    let mut p = fixture("pypi-project.json");
    p["info"]["name"] = json!(name);
    p["info"]["summary"] = json!(format!("MCP server {name}"));
    match repo {
        Some(r) => p["info"]["project_urls"] = json!({"Source": r}),
        None => p["info"]["project_urls"] = json!({}),
    }
    p
}

/// A GitHub repository object.
pub fn github_repo(id: u64, full: &str, created: &str, pushed: &str) -> Value {
    let mut r = fixture("github-repo.json");
    let (o, n) = full.split_once('/').unwrap();
    r["id"] = json!(id);
    r["name"] = json!(n);
    r["full_name"] = json!(full);
    r["owner"]["login"] = json!(o);
    r["html_url"] = json!(format!("https://github.com/{full}"));
    r["created_at"] = json!(created);
    r["pushed_at"] = json!(pushed);
    r
}
