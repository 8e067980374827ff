//! Probing a remote MCP server over HTTP: the Streamable HTTP client transport (POST JSON-RPC,
//! answers as `application/json` or a `text/event-stream`, `Mcp-Session-Id`, the
//! `MCP-Protocol-Version` header after negotiation, DELETE of the session at the end, resuming a
//! closed stream with `Last-Event-ID`) and the legacy HTTP+SSE transport (GET the stream, the
//! `endpoint` event, POSTs to it). The session logic is `session`'s, shared with stdio.
//!
//! Safety: every connection goes through [`guard`](crate::guard) (checked, pinned addresses,
//! also after each of at most 3 redirects, same scheme or an upgrade to https), bodies, streams
//! and SSE event counts are capped, there is no cookie store and no proxy, and only the headers
//! the caller gives are sent. An auth wall is described from its public metadata (RFC 9728
//! protected-resource metadata, RFC 8414 / OpenID authorization-server metadata); nothing ever
//! logs in or registers a client.
//!
//! It does not choose which remotes to probe (see `batch`) and never touches the dataset file.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use dataset::{AuthInfo, Outcome, ProbeRecord, RemoteInfo, RemoteOutcome};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use crate::client::{Dispatch, Reply, Stats, WaitError, Wire};
use crate::guard::{self, GuardError, GuardResolver, Policy};
use crate::session::{self, now_rfc3339, Session, Stop, Transport};

/// The User-Agent of every remote request.
pub fn user_agent() -> String {
    format!(
        "Hisper/{} (MCP registry probe; lists tools, never calls them)",
        env!("CARGO_PKG_VERSION")
    )
}

/// How remote probes run.
#[derive(Debug, Clone)]
pub struct RemoteOptions {
    /// Timeouts, page and item bounds, era policy (the sandbox fields are unused).
    pub session: session::Options,
    pub policy: Policy,
    /// Largest response body read, in bytes (per response).
    pub max_body: u64,
    /// Total bytes read from one endpoint in one probe.
    pub max_total: u64,
    /// Longest time one SSE stream is read.
    pub max_stream: Duration,
    /// Most SSE events read from one stream.
    pub max_events: u64,
    /// Most redirects followed per request.
    pub max_redirects: usize,
    /// Connect timeout per connection.
    pub connect_timeout: Duration,
}

impl Default for RemoteOptions {
    fn default() -> Self {
        RemoteOptions::with_timeout(30.0)
    }
}

impl RemoteOptions {
    /// Defaults with the handshake timeout `secs` (see [`session::Options::with_timeout`]).
    pub fn with_timeout(secs: f64) -> Self {
        let session = session::Options::with_timeout(secs);
        RemoteOptions {
            max_stream: session.total_timeout,
            connect_timeout: session.init_timeout.min(Duration::from_secs(10)),
            session,
            policy: Policy::default(),
            max_body: 16 << 20,
            max_total: 64 << 20,
            max_events: 10_000,
            max_redirects: 3,
        }
    }
}

/// One remote endpoint to probe.
#[derive(Debug, Clone, Default)]
pub struct RemoteTarget {
    pub url: String,
    /// `streamable-http` or `sse`.
    pub transport: String,
    /// Headers to send (the user's, or declared non-secret values).
    pub headers: Vec<(String, String)>,
    /// Header names given placeholder values (recorded).
    pub placeholder_headers: Vec<String>,
    /// Declared configuration names that were not given (recorded in `needs`).
    pub needs: Vec<String>,
}

/// The HTTP client for remote probes: guarded resolver, no redirects followed by reqwest (we
/// follow and check them), no proxy, no cookies, Hisper's User-Agent.
pub fn client(opts: &RemoteOptions) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(user_agent())
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(GuardResolver(Arc::new(opts.policy.clone()))))
        .connect_timeout(opts.connect_timeout)
        .pool_max_idle_per_host(1)
        .build()
}

/// A failure of one HTTP exchange, already classified.
#[derive(Debug, Clone)]
struct Failure {
    outcome: RemoteOutcome,
    kind: Option<String>,
    detail: String,
}

impl Failure {
    fn new(outcome: RemoteOutcome, kind: Option<&str>, detail: impl Into<String>) -> Self {
        Failure {
            outcome,
            kind: kind.map(str::to_string),
            detail: detail.into(),
        }
    }
}

fn classify_reqwest(e: &reqwest::Error, url: &Url) -> Failure {
    if let Some(g) = guard::guard_error(e) {
        return match g {
            GuardError::Blocked { .. } => Failure::new(
                RemoteOutcome::Blocked,
                Some("private-address"),
                g.to_string(),
            ),
            GuardError::Dns { .. } => {
                Failure::new(RemoteOutcome::Unreachable, Some("dns"), g.to_string())
            }
        };
    }
    let mut chain = String::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        chain.push_str(&err.to_string());
        chain.push_str(": ");
        cur = err.source();
    }
    let lower = chain.to_ascii_lowercase();
    let host = url.host_str().unwrap_or("");
    if e.is_timeout() {
        return Failure::new(
            RemoteOutcome::Timeout,
            Some("timeout"),
            format!("{host}: timed out"),
        );
    }
    let kind = if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("invalid peer")
    {
        "tls"
    } else if lower.contains("dns") || lower.contains("resolve") {
        "dns"
    } else if e.is_connect() || lower.contains("connect") || lower.contains("refused") {
        "connect"
    } else {
        "http"
    };
    let outcome = if kind == "http" {
        RemoteOutcome::ProtocolError
    } else {
        RemoteOutcome::Unreachable
    };
    Failure::new(
        outcome,
        Some(kind),
        crate::redact::clean(&format!("{host}: {}", chain.trim_end_matches(": "))),
    )
}

/// One SSE event.
#[derive(Debug, Default, Clone)]
struct Event {
    event: String,
    data: String,
    id: Option<String>,
}

/// An incremental `text/event-stream` parser.
#[derive(Default)]
struct SseParser {
    buf: Vec<u8>,
    cur: Event,
    has_data: bool,
    last_id: Option<String>,
    retry_ms: Option<u64>,
}

impl SseParser {
    /// Feeds bytes; returns the events completed by them.
    fn feed(&mut self, bytes: &[u8], max_line: usize) -> Vec<Event> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        loop {
            let Some(i) = self.buf.iter().position(|b| *b == b'\n' || *b == b'\r') else {
                if self.buf.len() > max_line {
                    self.buf.clear();
                }
                break;
            };
            let mut line: Vec<u8> = self.buf.drain(..=i).collect();
            let end = line.pop();
            if end == Some(b'\r') && self.buf.first() == Some(&b'\n') {
                self.buf.remove(0);
            } else if end == Some(b'\r') && self.buf.is_empty() {
                // a lone CR at the end of a chunk: treat as the end of line (a following LF is
                // an empty line only if it arrives on its own, which a server does not send)
            }
            let line = String::from_utf8_lossy(&line).into_owned();
            if line.is_empty() {
                if self.has_data || !self.cur.event.is_empty() {
                    let mut ev = std::mem::take(&mut self.cur);
                    if ev.data.ends_with('\n') {
                        ev.data.pop();
                    }
                    ev.id = self.last_id.clone();
                    out.push(ev);
                }
                self.cur = Event::default();
                self.has_data = false;
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f.to_string(), v.strip_prefix(' ').unwrap_or(v).to_string()),
                None => (line.clone(), String::new()),
            };
            match field.as_str() {
                "event" => self.cur.event = value,
                "data" => {
                    self.cur.data.push_str(&value);
                    self.cur.data.push('\n');
                    self.has_data = true;
                }
                "id" if !value.contains('\0') => self.last_id = Some(value),
                "retry" => self.retry_ms = value.trim().parse().ok(),
                _ => {}
            }
        }
        out
    }
}

/// An open SSE stream.
struct Stream {
    resp: reqwest::Response,
    parser: SseParser,
    opened: Instant,
    events: u64,
    queue: std::collections::VecDeque<Event>,
}

/// Which transport the wire speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Streamable,
    /// Legacy HTTP+SSE: replies arrive on the GET stream.
    Legacy,
}

/// The HTTP end of a [`Session`].
pub struct HttpWire {
    client: reqwest::Client,
    opts: RemoteOptions,
    mode: Mode,
    /// Where requests are POSTed (after redirects; the legacy `endpoint`).
    endpoint: Url,
    /// The original URL (the legacy GET stream's).
    url: Url,
    headers: Vec<(HeaderName, HeaderValue)>,
    session_id: Option<HeaderValue>,
    protocol_version: Option<String>,
    dispatch: Dispatch,
    failures: HashMap<u64, WaitError>,
    failure: Option<Failure>,
    stream: Option<Stream>,
    /// The optional GET stream for server-initiated messages, held open until the end.
    listen: Option<reqwest::Response>,
    deadline: Instant,
    started: Instant,
    bytes: u64,
    requests: u64,
    pub info: RemoteInfo,
}

const ACCEPT_BOTH: &str = "application/json, text/event-stream";

fn content_type(h: &HeaderMap) -> String {
    h.get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

fn ms(d: Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

impl HttpWire {
    fn fail_with(&mut self, f: Failure) -> WaitError {
        let e = WaitError::Io(f.detail.clone());
        if self.failure.is_none() {
            self.failure = Some(f);
        }
        e
    }

    fn budget(&self) -> Instant {
        (Instant::now()
            + self
                .opts
                .session
                .request_timeout
                .max(self.opts.session.init_timeout))
        .min(self.deadline)
    }

    /// Checks a URL before connecting: scheme, and an IP-literal host against the policy (host
    /// names are checked by the resolver, at connect time, on the addresses actually used).
    fn check_url(&self, u: &Url) -> Result<(), Failure> {
        if !matches!(u.scheme(), "http" | "https") {
            return Err(Failure::new(
                RemoteOutcome::Blocked,
                Some("scheme"),
                format!("{} is not an http(s) URL", u.scheme()),
            ));
        }
        let port = u.port_or_known_default().unwrap_or(0);
        let Some(host) = u.host_str() else {
            return Err(Failure::new(
                RemoteOutcome::NotMcp,
                Some("url"),
                "the URL has no host",
            ));
        };
        let lit = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .ok();
        if let Some(ip) = lit {
            self.opts.policy.check_literal(ip, port).map_err(|g| {
                Failure::new(
                    RemoteOutcome::Blocked,
                    Some("private-address"),
                    g.to_string(),
                )
            })?;
        }
        Ok(())
    }

    /// Sends one request, following at most `max_redirects` redirects (each checked; same
    /// scheme or an upgrade to https).
    async fn send(
        &mut self,
        method: Method,
        url: Url,
        extra: &[(HeaderName, HeaderValue)],
        body: Option<Vec<u8>>,
        deadline: Instant,
        follow_endpoint: bool,
    ) -> Result<(reqwest::Response, Url), Failure> {
        let mut url = url;
        let mut hops = 0;
        loop {
            self.check_url(&url)?;
            let mut req = self.client.request(method.clone(), url.clone());
            for (k, v) in self.headers.iter().chain(extra.iter()) {
                req = req.header(k, v);
            }
            if let Some(b) = &body {
                req = req.body(b.clone());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::new(
                    RemoteOutcome::Timeout,
                    Some("timeout"),
                    "no answer in time",
                ));
            }
            let t = Instant::now();
            self.requests += 1;
            let resp = match tokio::time::timeout(left, req.send()).await {
                Err(_) => {
                    return Err(Failure::new(
                        RemoteOutcome::Timeout,
                        Some("timeout"),
                        format!("{}: no answer in time", url.host_str().unwrap_or("")),
                    ))
                }
                Ok(Err(e)) => return Err(classify_reqwest(&e, &url)),
                Ok(Ok(r)) => r,
            };
            if self.info.first_byte_ms.is_none() {
                self.info.first_byte_ms = Some(ms(t.elapsed()));
            }
            if !resp.status().is_redirection() || resp.status() == StatusCode::NOT_MODIFIED {
                return Ok((resp, url));
            }
            let loc = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| url.join(l).ok());
            let Some(next) = loc else {
                return Ok((resp, url));
            };
            hops += 1;
            if hops > self.opts.max_redirects {
                return Err(Failure::new(
                    RemoteOutcome::Blocked,
                    Some("redirect"),
                    format!("more than {} redirects", self.opts.max_redirects),
                ));
            }
            let ok_scheme = next.scheme() == url.scheme()
                || (url.scheme() == "http" && next.scheme() == "https");
            if !ok_scheme {
                return Err(Failure::new(
                    RemoteOutcome::Blocked,
                    Some("redirect"),
                    format!(
                        "redirect from {} to {} (only the same scheme or an upgrade to https is followed)",
                        url.scheme(),
                        next.scheme()
                    ),
                ));
            }
            if self.info.redirects.len() < 8 {
                self.info
                    .redirects
                    .push(crate::redact::clean(next.as_str()));
            }
            if follow_endpoint {
                self.endpoint = next.clone();
            }
            url = next;
        }
    }

    /// Reads a whole body under the caps.
    async fn read_body(
        &mut self,
        resp: &mut reqwest::Response,
        deadline: Instant,
    ) -> Result<Vec<u8>, Failure> {
        let mut out = Vec::new();
        loop {
            let chunk = match tokio::time::timeout_at(deadline.into(), resp.chunk()).await {
                Err(_) => {
                    return Err(Failure::new(
                        RemoteOutcome::Timeout,
                        Some("timeout"),
                        "the response body did not end in time",
                    ))
                }
                Ok(Err(e)) => return Err(classify_reqwest(&e, &self.endpoint.clone())),
                Ok(Ok(None)) => return Ok(out),
                Ok(Ok(Some(c))) => c,
            };
            self.bytes += chunk.len() as u64;
            self.dispatch.stats.bytes_read += chunk.len() as u64;
            if out.len() as u64 + chunk.len() as u64 > self.opts.max_body
                || self.bytes > self.opts.max_total
            {
                return Err(Failure::new(
                    RemoteOutcome::ProtocolError,
                    Some("body-too-large"),
                    format!(
                        "the response body is larger than {} bytes",
                        self.opts.max_body
                    ),
                ));
            }
            out.extend_from_slice(&chunk);
        }
    }

    /// The next event of the open stream, under the caps; `None` at its end.
    async fn next_event(&mut self, deadline: Instant) -> Result<Option<Event>, Failure> {
        loop {
            let Some(st) = self.stream.as_mut() else {
                return Ok(None);
            };
            if let Some(ev) = st.queue.pop_front() {
                st.events += 1;
                if st.events > self.opts.max_events {
                    return Err(Failure::new(
                        RemoteOutcome::ProtocolError,
                        Some("too-many-events"),
                        format!(
                            "the SSE stream sent more than {} events",
                            self.opts.max_events
                        ),
                    ));
                }
                return Ok(Some(ev));
            }
            let stream_end = st.opened + self.opts.max_stream;
            let dl = deadline.min(stream_end);
            let chunk = match tokio::time::timeout_at(dl.into(), st.resp.chunk()).await {
                Err(_) if Instant::now() >= stream_end && stream_end < deadline => {
                    return Err(Failure::new(
                        RemoteOutcome::ProtocolError,
                        Some("stream-too-long"),
                        format!(
                            "the SSE stream stayed open longer than {} s without the answer",
                            self.opts.max_stream.as_secs()
                        ),
                    ))
                }
                Err(_) => {
                    return Err(Failure::new(
                        RemoteOutcome::Timeout,
                        Some("timeout"),
                        "no answer on the SSE stream in time",
                    ))
                }
                Ok(Err(e)) => {
                    let u = self.endpoint.clone();
                    return Err(classify_reqwest(&e, &u));
                }
                Ok(Ok(None)) => return Ok(None),
                Ok(Ok(Some(c))) => c,
            };
            self.bytes += chunk.len() as u64;
            self.dispatch.stats.bytes_read += chunk.len() as u64;
            if self.bytes > self.opts.max_total {
                return Err(Failure::new(
                    RemoteOutcome::ProtocolError,
                    Some("body-too-large"),
                    format!("the server sent more than {} bytes", self.opts.max_total),
                ));
            }
            let max_line = self.opts.session.bounds.max_line;
            let Some(st) = self.stream.as_mut() else {
                return Ok(None);
            };
            let evs = st.parser.feed(&chunk, max_line);
            st.queue.extend(evs);
        }
    }

    /// Files one SSE `message` event and sends back answers to server requests.
    async fn handle_event(&mut self, ev: &Event) {
        if !(ev.event.is_empty() || ev.event == "message") || ev.data.trim().is_empty() {
            return;
        }
        let answers = self.dispatch.handle_text(ev.data.as_bytes());
        for a in answers {
            self.post_only(&a).await;
        }
    }

    fn post_headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        let mut h = vec![(
            reqwest::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )];
        if self.mode == Mode::Streamable {
            h.push((
                reqwest::header::ACCEPT,
                HeaderValue::from_static(ACCEPT_BOTH),
            ));
            if let Some(s) = &self.session_id {
                h.push((HeaderName::from_static("mcp-session-id"), s.clone()));
            }
            if let Some(v) = self
                .protocol_version
                .as_deref()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                h.push((HeaderName::from_static("mcp-protocol-version"), v));
            }
        }
        h
    }

    /// POSTs a message whose answer we do not wait for (a notification, an answer).
    async fn post_only(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).unwrap_or_default();
        let headers = self.post_headers();
        let dl = (Instant::now() + Duration::from_secs(5)).min(self.deadline);
        let ep = self.endpoint.clone();
        if let Ok((mut resp, _)) = self
            .send(Method::POST, ep, &headers, Some(body), dl, false)
            .await
        {
            if resp.status().is_success() && content_type(resp.headers()) == "application/json" {
                if let Ok(b) = self.read_body(&mut resp, dl).await {
                    let _ = self.dispatch.handle_text(&b);
                }
            }
        }
    }

    /// Classifies a non-success answer (the auth wall is read here).
    async fn http_failure(&mut self, resp: reqwest::Response, first: bool) -> Failure {
        let status = resp.status();
        let ct = content_type(resp.headers());
        if first {
            self.info.http_status = Some(status.as_u16());
            self.info.content_type = (!ct.is_empty()).then(|| ct.clone());
        }
        let www = resp
            .headers()
            .get(reqwest::header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if status == StatusCode::UNAUTHORIZED || (status == StatusCode::FORBIDDEN && www.is_some())
        {
            let url = resp.url().clone();
            drop(resp);
            let auth = self
                .discover_auth(status.as_u16(), www.as_deref(), &url)
                .await;
            let words = match (&auth.issuer, auth.authorization_servers.first()) {
                (Some(i), _) => format!("needs OAuth sign-in with {i}"),
                (None, Some(a)) => format!("needs OAuth sign-in with {a}"),
                _ => format!(
                    "needs authentication ({})",
                    auth.scheme
                        .clone()
                        .unwrap_or_else(|| "no scheme given".into())
                ),
            };
            self.info.auth = Some(auth);
            return Failure::new(
                RemoteOutcome::NeedsAuth,
                None,
                format!("HTTP {status}: {words}"),
            );
        }
        if self.session_id.is_some() && status == StatusCode::NOT_FOUND && !first {
            return Failure::new(
                RemoteOutcome::ProtocolError,
                Some("session-expired"),
                "the server forgot the session (404 for a request with Mcp-Session-Id)",
            );
        }
        if status.is_server_error() {
            return Failure::new(
                RemoteOutcome::Unreachable,
                Some(&format!("http-{}", status.as_u16())),
                format!("HTTP {status}"),
            );
        }
        Failure::new(
            RemoteOutcome::NotMcp,
            Some(&format!("http-{}", status.as_u16())),
            format!(
                "HTTP {status}{}",
                if ct.is_empty() {
                    String::new()
                } else {
                    format!(" ({ct})")
                }
            ),
        )
    }

    /// Reads the auth wall's public metadata. Never sends credentials or registers.
    async fn discover_auth(&mut self, status: u16, www: Option<&str>, url: &Url) -> AuthInfo {
        let mut a = AuthInfo {
            status,
            ..AuthInfo::default()
        };
        let mut challenge_scope = None;
        let mut metadata_url = None;
        if let Some(w) = www {
            a.www_authenticate = Some(crate::redact::clean(
                &w.chars().take(1000).collect::<String>(),
            ));
            let (scheme, params) = parse_challenge(w);
            a.scheme = scheme;
            challenge_scope = params.get("scope").cloned();
            metadata_url = params
                .get("resource_metadata")
                .and_then(|m| url.join(m).ok());
        }
        let origin = url.join("/").ok();
        let mut prm_candidates: Vec<Url> = Vec::new();
        if let Some(m) = metadata_url {
            prm_candidates.push(m);
        } else if let Some(o) = &origin {
            let path = url.path().trim_end_matches('/');
            if !path.is_empty() {
                if let Ok(u) = o.join(&format!("/.well-known/oauth-protected-resource{path}")) {
                    prm_candidates.push(u);
                }
            }
            if let Ok(u) = o.join("/.well-known/oauth-protected-resource") {
                prm_candidates.push(u);
            }
        }
        let mut prm = None;
        for c in prm_candidates {
            match self.get_json(c.clone()).await {
                Ok(v) => {
                    a.resource_metadata_url = Some(c.to_string());
                    prm = Some(v);
                    break;
                }
                Err(e) => a.errors.push(format!("{c}: {e}")),
            }
        }
        if let Some(p) = &prm {
            a.resource = p
                .get("resource")
                .and_then(Value::as_str)
                .map(str::to_string);
            a.authorization_servers = strings(p.get("authorization_servers"));
            if challenge_scope.is_none() {
                a.scopes = strings(p.get("scopes_supported"));
            }
        }
        if let Some(s) = challenge_scope {
            a.scopes = s.split_whitespace().map(str::to_string).collect();
        }
        // the authorization server: the first one named, else (2025-03-26 servers) the MCP
        // server's own origin
        let issuer = a
            .authorization_servers
            .first()
            .and_then(|s| Url::parse(s).ok())
            .or_else(|| origin.clone());
        if let Some(iss) = issuer {
            let path = iss.path().trim_end_matches('/').to_string();
            let mut cands = Vec::new();
            if path.is_empty() {
                cands.push("/.well-known/oauth-authorization-server".to_string());
                cands.push("/.well-known/openid-configuration".to_string());
            } else {
                cands.push(format!("/.well-known/oauth-authorization-server{path}"));
                cands.push(format!("/.well-known/openid-configuration{path}"));
                cands.push(format!("{path}/.well-known/openid-configuration"));
            }
            for c in cands {
                let Ok(u) = iss.join(&c) else { continue };
                match self.get_json(u.clone()).await {
                    Ok(m) => {
                        a.issuer = m.get("issuer").and_then(Value::as_str).map(str::to_string);
                        a.authorization_endpoint = m
                            .get("authorization_endpoint")
                            .and_then(Value::as_str)
                            .map(str::to_string);
                        a.token_endpoint = m
                            .get("token_endpoint")
                            .and_then(Value::as_str)
                            .map(str::to_string);
                        a.dcr = m
                            .get("registration_endpoint")
                            .and_then(Value::as_str)
                            .is_some();
                        a.cimd = m
                            .get("client_id_metadata_document_supported")
                            .and_then(Value::as_bool)
                            .unwrap_or(false);
                        a.pkce_methods = strings(m.get("code_challenge_methods_supported"));
                        if a.scopes.is_empty() {
                            a.scopes = strings(m.get("scopes_supported"));
                        }
                        break;
                    }
                    Err(e) => a.errors.push(format!("{u}: {e}")),
                }
            }
        }
        a.errors.truncate(8);
        a
    }

    /// GETs a small JSON document (metadata), under the same rules as everything else.
    async fn get_json(&mut self, u: Url) -> Result<Value, String> {
        let dl = (Instant::now() + self.opts.session.request_timeout).min(self.deadline);
        let h = [(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        )];
        let (mut resp, _) = self
            .send(Method::GET, u, &h, None, dl, false)
            .await
            .map_err(|f| f.detail)?;
        if !resp.status().is_success() {
            return Err(format!("HTTP {}", resp.status()));
        }
        let saved = self.opts.max_body;
        self.opts.max_body = saved.min(1 << 20);
        let body = self.read_body(&mut resp, dl).await;
        self.opts.max_body = saved;
        let body = body.map_err(|f| f.detail)?;
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) if v.is_object() => Ok(v),
            _ => Err("not a JSON object".into()),
        }
    }

    /// Opens the legacy SSE stream and reads the `endpoint` event.
    async fn open_legacy(&mut self, first: bool) -> Result<(), Failure> {
        let dl = (Instant::now() + self.opts.session.init_timeout).min(self.deadline);
        let h = [(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("text/event-stream"),
        )];
        let url = self.url.clone();
        let (resp, final_url) = self.send(Method::GET, url, &h, None, dl, false).await?;
        if !resp.status().is_success() {
            return Err(self.http_failure(resp, first).await);
        }
        let ct = content_type(resp.headers());
        if first {
            self.info.http_status = Some(resp.status().as_u16());
            self.info.content_type = (!ct.is_empty()).then(|| ct.clone());
        }
        if ct != "text/event-stream" {
            return Err(Failure::new(
                RemoteOutcome::NotMcp,
                Some("content-type"),
                format!(
                    "the SSE endpoint answered {} instead of text/event-stream",
                    if ct.is_empty() {
                        "no content type"
                    } else {
                        &ct
                    }
                ),
            ));
        }
        self.stream = Some(Stream {
            resp,
            parser: SseParser::default(),
            opened: Instant::now(),
            events: 0,
            queue: Default::default(),
        });
        loop {
            let Some(ev) = self.next_event(dl).await? else {
                return Err(Failure::new(
                    RemoteOutcome::ProtocolError,
                    Some("no-endpoint"),
                    "the SSE stream ended without an endpoint event",
                ));
            };
            if ev.event == "endpoint" {
                let ep = final_url.join(ev.data.trim()).map_err(|_| {
                    Failure::new(
                        RemoteOutcome::ProtocolError,
                        Some("endpoint"),
                        "the endpoint event is not a URL",
                    )
                })?;
                if ep.origin() != final_url.origin() {
                    return Err(Failure::new(
                        RemoteOutcome::Blocked,
                        Some("endpoint-origin"),
                        "the endpoint event names another origin (not followed)",
                    ));
                }
                self.endpoint = ep;
                self.mode = Mode::Legacy;
                self.info.transport = "sse".into();
                return Ok(());
            }
            self.handle_event(&ev).await;
        }
    }

    /// POSTs a request over Streamable HTTP and reads its answer.
    async fn exchange(&mut self, id: u64, msg: &Value) -> Result<(), Failure> {
        let first = self.requests == 0;
        let body = serde_json::to_vec(msg).unwrap_or_default();
        let headers = self.post_headers();
        let dl = self.budget();
        let ep = self.endpoint.clone();
        let (mut resp, _) = self
            .send(Method::POST, ep, &headers, Some(body), dl, first)
            .await?;
        let status = resp.status();
        let ct = content_type(resp.headers());
        if first {
            self.info.http_status = Some(status.as_u16());
            self.info.content_type = (!ct.is_empty()).then(|| ct.clone());
        }
        if !status.is_success() {
            // a legacy HTTP+SSE server answers POSTs to its stream URL with 400, 404 or 405
            if first && matches!(status.as_u16(), 400 | 404 | 405) && self.session_id.is_none() {
                let f = self.http_failure(resp, first).await;
                if self.open_legacy(false).await.is_ok() {
                    self.dispatch.stats.notifications.remove("");
                    return self.legacy_post(msg).await;
                }
                self.stream = None;
                return Err(f);
            }
            return Err(self.http_failure(resp, first).await);
        }
        if self.session_id.is_none() {
            if let Some(s) = resp.headers().get("mcp-session-id") {
                if s.len() <= 512
                    && s.to_str()
                        .is_ok_and(|t| t.bytes().all(|b| (0x21..=0x7e).contains(&b)))
                {
                    self.session_id = Some(s.clone());
                    self.info.session = true;
                }
            }
        }
        match ct.as_str() {
            "application/json" => {
                let b = self.read_body(&mut resp, dl).await?;
                let answers = self.dispatch.handle_text(&b);
                for a in answers {
                    self.post_only(&a).await;
                }
                if !self.dispatch.has(id) {
                    return Err(self.not_mcp_or_missing(first));
                }
                Ok(())
            }
            "text/event-stream" => {
                if first {
                    self.info.sse_responses = true;
                }
                self.stream = Some(Stream {
                    resp,
                    parser: SseParser::default(),
                    opened: Instant::now(),
                    events: 0,
                    queue: Default::default(),
                });
                let mut resumed = 0;
                loop {
                    match self.next_event(dl).await? {
                        Some(ev) => {
                            self.handle_event(&ev).await;
                            if self.dispatch.has(id) {
                                self.stream = None;
                                return Ok(());
                            }
                        }
                        None => {
                            // closed before the answer: resume with Last-Event-ID when the
                            // server gave an event id, after its retry delay
                            let (last, retry) = self
                                .stream
                                .as_ref()
                                .map(|s| (s.parser.last_id.clone(), s.parser.retry_ms))
                                .unwrap_or((None, None));
                            self.stream = None;
                            let Some(last) = last.filter(|_| resumed < 2) else {
                                return Err(Failure::new(
                                    RemoteOutcome::ProtocolError,
                                    Some("stream-closed"),
                                    "the SSE stream closed without the answer",
                                ));
                            };
                            resumed += 1;
                            let wait = Duration::from_millis(retry.unwrap_or(1000).min(10_000));
                            tokio::time::sleep_until((Instant::now() + wait).min(dl).into()).await;
                            let mut h = self.post_headers();
                            h.retain(|(k, _)| {
                                k != reqwest::header::CONTENT_TYPE && k != reqwest::header::ACCEPT
                            });
                            h.push((
                                reqwest::header::ACCEPT,
                                HeaderValue::from_static("text/event-stream"),
                            ));
                            if let Ok(v) = HeaderValue::from_str(&last) {
                                h.push((HeaderName::from_static("last-event-id"), v));
                            }
                            let ep = self.endpoint.clone();
                            let (r, _) = self.send(Method::GET, ep, &h, None, dl, false).await?;
                            if !r.status().is_success()
                                || content_type(r.headers()) != "text/event-stream"
                            {
                                return Err(Failure::new(
                                    RemoteOutcome::ProtocolError,
                                    Some("stream-closed"),
                                    "the SSE stream closed without the answer and could not be resumed",
                                ));
                            }
                            self.stream = Some(Stream {
                                resp: r,
                                parser: SseParser::default(),
                                opened: Instant::now(),
                                events: 0,
                                queue: Default::default(),
                            });
                        }
                    }
                }
            }
            other => {
                let b = self.read_body(&mut resp, dl).await.unwrap_or_default();
                self.dispatch.noise(&b, false);
                Err(Failure::new(
                    RemoteOutcome::NotMcp,
                    Some("content-type"),
                    format!(
                        "HTTP {status} with {} instead of JSON-RPC",
                        if other.is_empty() {
                            "no content type"
                        } else {
                            other
                        }
                    ),
                ))
            }
        }
    }

    fn not_mcp_or_missing(&self, first: bool) -> Failure {
        let s = &self.dispatch.stats;
        if first && s.messages == 0 {
            Failure::new(
                RemoteOutcome::NotMcp,
                Some("not-json-rpc"),
                if s.json_noise_lines > 0 {
                    "the answer is JSON, but not JSON-RPC"
                } else {
                    "the answer is not JSON"
                },
            )
        } else {
            Failure::new(
                RemoteOutcome::ProtocolError,
                Some("no-reply"),
                "the answer did not contain the reply to the request",
            )
        }
    }

    /// Legacy transport: POST to the endpoint; the reply arrives on the stream.
    async fn legacy_post(&mut self, msg: &Value) -> Result<(), Failure> {
        let body = serde_json::to_vec(msg).unwrap_or_default();
        let headers = self.post_headers();
        let dl = self.budget();
        let ep = self.endpoint.clone();
        let (mut resp, _) = self
            .send(Method::POST, ep, &headers, Some(body), dl, false)
            .await?;
        if !resp.status().is_success() {
            return Err(self.http_failure(resp, false).await);
        }
        if content_type(resp.headers()) == "application/json" {
            let b = self.read_body(&mut resp, dl).await?;
            let _ = self.dispatch.handle_text(&b);
        }
        Ok(())
    }

    /// Streamable HTTP: opens the optional GET stream for server-initiated messages (a server
    /// MAY refuse with 405). It is held, not read, and never changes the outcome.
    async fn open_listen_stream(&mut self) {
        let mut h = self.post_headers();
        h.retain(|(k, _)| k != reqwest::header::CONTENT_TYPE && k != reqwest::header::ACCEPT);
        h.push((
            reqwest::header::ACCEPT,
            HeaderValue::from_static("text/event-stream"),
        ));
        let dl = (Instant::now() + Duration::from_secs(2)).min(self.deadline);
        let ep = self.endpoint.clone();
        if let Ok((r, _)) = self.send(Method::GET, ep, &h, None, dl, false).await {
            if r.status().is_success() && content_type(r.headers()) == "text/event-stream" {
                self.info.server_stream = true;
                self.listen = Some(r);
            }
        }
    }

    /// Ends the session: DELETE with the session id (Streamable HTTP), or closes the stream.
    pub async fn close(&mut self) {
        self.stream = None;
        self.listen = None;
        if self.mode == Mode::Streamable {
            if let Some(s) = self.session_id.clone() {
                let mut h = vec![(HeaderName::from_static("mcp-session-id"), s)];
                if let Some(v) = self
                    .protocol_version
                    .as_deref()
                    .and_then(|v| HeaderValue::from_str(v).ok())
                {
                    h.push((HeaderName::from_static("mcp-protocol-version"), v));
                }
                let dl = Instant::now() + Duration::from_secs(3);
                let ep = self.endpoint.clone();
                let _ = self.send(Method::DELETE, ep, &h, None, dl, false).await;
            }
        }
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .take(100)
                .map(|s| s.chars().take(200).collect())
                .collect()
        })
        .unwrap_or_default()
}

/// Parses a `WWW-Authenticate` challenge: its scheme and its `key=value` / `key="value"`
/// parameters (the first challenge only).
pub fn parse_challenge(h: &str) -> (Option<String>, HashMap<String, String>) {
    let h = h.trim();
    let (scheme, rest) = match h.split_once(char::is_whitespace) {
        Some((s, r)) if !s.contains('=') => (Some(s.to_string()), r),
        _ if !h.contains('=') && !h.is_empty() => (Some(h.to_string()), ""),
        _ => (None, h),
    };
    let mut params = HashMap::new();
    let b = rest.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i] == b',' || b[i].is_ascii_whitespace()) {
            i += 1;
        }
        let ks = i;
        while i < b.len() && b[i] != b'=' && b[i] != b',' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = rest[ks..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] != b'=' {
            // a new challenge's scheme: stop at the first challenge
            if !key.is_empty() && !params.is_empty() {
                break;
            }
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut val = String::new();
        if i < b.len() && b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                }
                val.push(b[i] as char);
                i += 1;
            }
            i += 1;
        } else {
            let vs = i;
            while i < b.len() && b[i] != b',' && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            val = rest[vs..i].to_string();
        }
        if !key.is_empty() {
            params.entry(key).or_insert(val);
        }
    }
    (scheme, params)
}

impl Wire for HttpWire {
    async fn request(&mut self, method: &str, params: Value) -> std::io::Result<u64> {
        let (id, msg) = self.dispatch.request(method, params);
        if self.failure.is_some() {
            self.failures
                .insert(id, WaitError::Io("the connection failed earlier".into()));
            return Ok(id);
        }
        let r = match self.mode {
            Mode::Streamable => self.exchange(id, &msg).await,
            Mode::Legacy => self.legacy_post(&msg).await,
        };
        if let Err(f) = r {
            let e = if f.outcome == RemoteOutcome::Timeout && self.failure.is_none() {
                // a timeout of one request is the session's to judge (lists tolerate it)
                self.failure = Some(f);
                WaitError::Timeout
            } else {
                self.fail_with(f)
            };
            self.failures.insert(id, e);
        }
        Ok(id)
    }

    async fn notify(&mut self, method: &str, params: Value) -> std::io::Result<()> {
        let msg = Dispatch::notification(method, params);
        self.post_only(&msg).await;
        Ok(())
    }

    async fn wait(&mut self, ids: &[u64], deadline: Instant) -> Result<(), WaitError> {
        loop {
            if self.dispatch.has_all(ids) {
                return Ok(());
            }
            if let Some(e) = ids.iter().find_map(|id| self.failures.get(id)) {
                return Err(e.clone());
            }
            if self.mode == Mode::Streamable {
                return Err(WaitError::Closed);
            }
            match self.next_event(deadline).await {
                Ok(Some(ev)) => self.handle_event(&ev).await,
                Ok(None) => {
                    let f = Failure::new(
                        RemoteOutcome::ProtocolError,
                        Some("stream-closed"),
                        "the SSE stream closed",
                    );
                    self.fail_with(f);
                    return Err(WaitError::Closed);
                }
                Err(f) if f.outcome == RemoteOutcome::Timeout => {
                    if self.failure.is_none() {
                        self.failure = Some(f);
                    }
                    return Err(WaitError::Timeout);
                }
                Err(f) => return Err(self.fail_with(f)),
            }
        }
    }

    fn take(&mut self, id: u64) -> Option<Reply> {
        self.dispatch.take(id)
    }

    fn stats(&self) -> &Stats {
        &self.dispatch.stats
    }

    fn negotiated(&mut self, version: &str) {
        self.protocol_version = Some(version.to_string());
    }

    async fn ready(&mut self) {
        if self.mode == Mode::Streamable && self.failure.is_none() {
            self.open_listen_stream().await;
        }
    }
}

impl Transport for HttpWire {
    async fn fail(&mut self, phase: &str, e: WaitError) -> Stop {
        if self.failure.is_none() {
            let f = match &e {
                WaitError::Timeout => Failure::new(
                    RemoteOutcome::Timeout,
                    Some("timeout"),
                    format!("no answer to {phase} in time"),
                ),
                WaitError::Closed => Failure::new(
                    RemoteOutcome::ProtocolError,
                    Some("no-reply"),
                    format!("no reply to {phase}"),
                ),
                WaitError::Flood => Failure::new(
                    RemoteOutcome::ProtocolError,
                    Some("body-too-large"),
                    "too many bytes",
                ),
                WaitError::Io(d) => Failure::new(RemoteOutcome::ProtocolError, None, d.clone()),
            };
            self.failure = Some(f);
        }
        let f = self.failure.clone().expect("set above");
        Stop(f.outcome.coarse(), phase.to_string(), f.detail)
    }
}

/// Fills `{name}` variables of a remote URL from their values or defaults; `Err` names the
/// variables that have neither.
pub fn concrete_url(t: &dataset::Transport) -> Result<String, Vec<String>> {
    let url = t.url.clone().unwrap_or_default();
    let mut out = String::new();
    let mut missing = Vec::new();
    let mut rest = url.as_str();
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            out.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let name = &rest[i + 1..i + j];
        match t
            .variables
            .get(name)
            .and_then(|a| a.value.clone().or_else(|| a.default.clone()))
            .filter(|v| !v.is_empty())
        {
            Some(v) => out.push_str(&v),
            None => missing.push(name.to_string()),
        }
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

/// Probes one remote endpoint with a shared client. Never panics on anything the server does.
pub async fn probe_with(
    client: &reqwest::Client,
    target: &RemoteTarget,
    opts: &RemoteOptions,
) -> ProbeRecord {
    let started = Instant::now();
    let mut rec = ProbeRecord::bare(Outcome::ProtocolError, now_rfc3339());
    rec.needs = target.needs.clone();
    let transport = if target.transport == "sse" {
        "sse"
    } else {
        "streamable-http"
    };
    let mut info = RemoteInfo::new(crate::redact::clean(&target.url), transport);
    info.placeholder_headers = target.placeholder_headers.clone();
    let url = match Url::parse(&target.url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        _ => {
            info.outcome = RemoteOutcome::NotMcp;
            info.error_kind = Some("url".into());
            rec.outcome = info.outcome.coarse();
            rec.phase = Some("connect".into());
            rec.detail = Some("not an http(s) URL".into());
            rec.remote = Some(info);
            return rec;
        }
    };
    let mut headers = Vec::new();
    for (k, v) in &target.headers {
        match (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            (Ok(k), Ok(v)) => headers.push((k, v)),
            _ => rec.lints.push(dataset::Lint {
                code: "bad-header".into(),
                severity: "warning".into(),
                message: format!("header {k:?} is not a valid HTTP header and was not sent"),
                subject: None,
            }),
        }
    }
    let wire = HttpWire {
        client: client.clone(),
        opts: opts.clone(),
        mode: Mode::Streamable,
        endpoint: url.clone(),
        url,
        headers,
        session_id: None,
        protocol_version: None,
        dispatch: Dispatch::default(),
        failures: HashMap::new(),
        failure: None,
        stream: None,
        listen: None,
        deadline: started + opts.session.total_timeout,
        started,
        bytes: 0,
        requests: 0,
        info,
    };
    let mut s = Session {
        rec,
        wire,
        deadline: started + opts.session.total_timeout,
        era: None,
        tools_done: None,
        ui_resources: Vec::new(),
    };
    let result = if transport == "sse" {
        match s.wire.open_legacy(true).await {
            Ok(()) => s.talk(&opts.session).await,
            Err(f) => {
                s.wire.failure = Some(f.clone());
                Err(Stop(f.outcome.coarse(), "connect".into(), f.detail))
            }
        }
    } else {
        s.talk(&opts.session).await
    };
    s.wire.close().await;
    let Session {
        mut rec,
        mut wire,
        era,
        tools_done,
        ui_resources: ui,
        ..
    } = s;
    let stats = wire.dispatch.stats.clone();
    rec.era = era;
    rec.bytes_read = wire.bytes;
    rec.notifications = stats.notifications.clone();
    rec.server_requests = stats.server_requests.clone();
    if let Some(t) = stats.first_message_at {
        rec.timings.first_reply_ms = Some(ms(t.saturating_duration_since(wire.started)));
    }
    match result {
        Ok(()) => {
            rec.outcome = Outcome::Ok;
            wire.info.outcome = RemoteOutcome::Ok;
        }
        Err(Stop(outcome, phase, detail)) => {
            let f = wire.failure.clone();
            wire.info.outcome = match &f {
                Some(f) => f.outcome,
                None => match outcome {
                    Outcome::Timeout => RemoteOutcome::Timeout,
                    Outcome::NotMcp => RemoteOutcome::NotMcp,
                    _ => RemoteOutcome::ProtocolError,
                },
            };
            wire.info.error_kind = f.and_then(|f| f.kind);
            rec.outcome = wire.info.outcome.coarse();
            rec.phase = Some(phase);
            rec.detail = Some(crate::redact::clean(&detail));
        }
    }
    wire.info.tools_ms = tools_done.map(|t| ms(t.saturating_duration_since(started)));
    rec.lints.extend(crate::lint::lints(&rec, &stats));
    let info = wire.info;
    if rec.era.is_some() {
        rec.features = Some(crate::features::of(
            &rec,
            &stats,
            info.transport == "sse",
            ui,
        ));
    }
    rec.remote = Some(info);
    rec.timings.total_ms = ms(started.elapsed());
    rec
}

/// Probes one remote endpoint (builds its own client).
pub async fn probe(target: &RemoteTarget, opts: &RemoteOptions) -> ProbeRecord {
    match client(opts) {
        Ok(c) => probe_with(&c, target, opts).await,
        Err(e) => {
            let mut rec = ProbeRecord::bare(Outcome::SandboxError, now_rfc3339());
            rec.detail = Some(format!("cannot build the HTTP client: {e}"));
            rec
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_parser_splits_events_across_chunks() {
        let mut p = SseParser::default();
        assert!(p.feed(b"event: endpoint\r\ndata: /mes", 1 << 20).is_empty());
        let evs = p.feed(
            b"sages?s=1\r\n\r\n: keepalive\n\nid: 7\nretry: 500\ndata: {\"a\":\ndata: 1}\n\n",
            1 << 20,
        );
        assert_eq!(evs.len(), 2, "{evs:?}");
        assert_eq!(evs[0].event, "endpoint");
        assert_eq!(evs[0].data, "/messages?s=1");
        assert_eq!(evs[1].data, "{\"a\":\n1}");
        assert_eq!(evs[1].id.as_deref(), Some("7"));
        assert_eq!(p.retry_ms, Some(500));
    }

    #[test]
    fn challenges_parse_quoted_and_bare_parameters() {
        let (s, p) = parse_challenge(
            r#"Bearer error="invalid_token", resource_metadata="https://a.example/.well-known/oauth-protected-resource/mcp", scope="files:read files:write""#,
        );
        assert_eq!(s.as_deref(), Some("Bearer"));
        assert_eq!(p["scope"], "files:read files:write");
        assert!(p["resource_metadata"].ends_with("/mcp"));
        let (s, p) = parse_challenge("Bearer realm=mcp");
        assert_eq!((s.as_deref(), p["realm"].as_str()), (Some("Bearer"), "mcp"));
        let (s, p) = parse_challenge("Bearer");
        assert_eq!(s.as_deref(), Some("Bearer"));
        assert!(p.is_empty());
    }

    #[test]
    fn templated_urls_need_defaults() {
        let mut t = dataset::Transport {
            kind: "streamable-http".into(),
            url: Some("https://{tenant}.example.com/mcp/{region}".into()),
            ..Default::default()
        };
        assert_eq!(
            concrete_url(&t),
            Err(vec!["tenant".into(), "region".into()])
        );
        t.variables.insert(
            "tenant".into(),
            dataset::Argument {
                default: Some("acme".into()),
                ..Default::default()
            },
        );
        t.variables.insert(
            "region".into(),
            dataset::Argument {
                value: Some("eu".into()),
                ..Default::default()
            },
        );
        assert_eq!(
            concrete_url(&t).as_deref(),
            Ok("https://acme.example.com/mcp/eu")
        );
    }
}
