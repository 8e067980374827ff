//! One probe of one server: spawn it (sandboxed), speak the MCP lifecycle of either era, page
//! through the four lists, ping, shut the whole process tree down, and write a [`ProbeRecord`]
//! with the outcome and its evidence.
//!
//! It does not install anything (see `install`) and does not touch the dataset (see `batch`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dataset::{ConfigMode, Era, ListStatus, Outcome, ProbeRecord};
use serde_json::{json, Value};
use tokio::io::AsyncReadExt;

use crate::client::{Bounds, Conn, Reply, RpcError, Stats, WaitError, Wire};
use crate::redact::Tail;
use crate::sandbox::{self, Limits, Sandbox, Spawn};
use crate::{lint, procs};

/// The legacy protocol version we ask for.
pub const LEGACY_VERSION: &str = "2025-11-25";
/// The modern protocol version we speak.
pub const MODERN_VERSION: &str = "2026-07-28";
const LEGACY_KNOWN: [&str; 5] = [
    "2024-10-07",
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
];

/// Which handshake to try first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EraPolicy {
    /// `initialize` first; fall forward to `server/discover` when the error names only modern
    /// versions (or is -32022). Widest compatibility, no discover timeout on silent legacy servers.
    #[default]
    LegacyFirst,
    /// `server/discover` first (the 2026-07-28 rule for dual-era clients); fall back to
    /// `initialize` on any other error or no answer within `discover_timeout`.
    DiscoverFirst,
}

/// How a probe runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub sandbox: Sandbox,
    pub limits: Limits,
    pub era_policy: EraPolicy,
    /// Spawn to the handshake reply.
    pub init_timeout: Duration,
    /// Each later request (a list page, ping).
    pub request_timeout: Duration,
    /// How long to wait for a `server/discover` answer before falling back (discover-first).
    pub discover_timeout: Duration,
    /// Hard deadline for the whole probe.
    pub total_timeout: Duration,
    /// Each shutdown step (stdin closed, SIGTERM) waits this long before the next.
    pub shutdown_grace: Duration,
    pub max_pages: u32,
    pub max_items: usize,
    pub bounds: Bounds,
    pub stderr_tail_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            sandbox: Sandbox::None,
            limits: Limits::default(),
            era_policy: EraPolicy::LegacyFirst,
            init_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(15),
            discover_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(90),
            shutdown_grace: Duration::from_secs(2),
            max_pages: 200,
            max_items: 10_000,
            bounds: Bounds {
                max_line: 8 << 20,
                max_stdout: 256 << 20,
            },
            stderr_tail_bytes: 4096,
        }
    }
}

impl Options {
    /// Defaults with the handshake timeout `secs` (later requests get the same, capped at 15 s,
    /// and the whole probe three times it).
    pub fn with_timeout(secs: f64) -> Self {
        let t = Duration::from_secs_f64(secs.max(0.1));
        Options {
            init_timeout: t,
            request_timeout: t.min(Duration::from_secs(15)),
            discover_timeout: t.min(Duration::from_secs(5)),
            total_timeout: t * 3,
            ..Options::default()
        }
    }
}

/// What to probe.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub spawn: Spawn,
    pub config_mode: ConfigMode,
    /// Declared configuration names (env vars, arguments).
    pub needs: Vec<String>,
    pub version: Option<String>,
}

/// Now as RFC 3339 (UTC, seconds): `SOURCE_DATE_EPOCH` when set (the pipeline's night clock,
/// as the crawler reads it), else the system clock.
pub fn now_rfc3339() -> String {
    if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|e| e.trim().parse::<i64>().ok())
    {
        return dataset::time::rfc3339_from_unix(secs);
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    dataset::time::rfc3339_from_unix(secs)
}

fn ms(d: Duration) -> u64 {
    d.as_millis().min(u64::MAX as u128) as u64
}

struct FreshDir(PathBuf);

impl FreshDir {
    fn new() -> std::io::Result<Self> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let p = std::env::temp_dir().join(format!(
            "hisper-probe-home-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p)?;
        Ok(FreshDir(p))
    }
}

impl Drop for FreshDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn legacy_init_params(version: &str) -> Value {
    json!({
        "protocolVersion": version,
        "capabilities": {},
        "clientInfo": {"name": "hisper-probe", "version": env!("CARGO_PKG_VERSION")}
    })
}

fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "hisper-probe", "version": env!("CARGO_PKG_VERSION")}
    })
}

/// Whether an error says "this server speaks the modern protocol".
fn is_modern_error(e: &RpcError) -> bool {
    if e.code == -32022 {
        return true;
    }
    let supported = supported_versions(e);
    !supported.is_empty() && supported.iter().all(|v| v.as_str() >= MODERN_VERSION)
}

fn supported_versions(e: &RpcError) -> Vec<String> {
    e.data
        .as_ref()
        .and_then(|d| d.get("supported"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The four lists: (record key, method, result key).
const LISTS: [(&str, &str, &str); 4] = [
    ("tools", "tools/list", "tools"),
    ("prompts", "prompts/list", "prompts"),
    ("resources", "resources/list", "resources"),
    (
        "resource_templates",
        "resources/templates/list",
        "resourceTemplates",
    ),
];

type ChildConn = Conn<tokio::process::ChildStdout, tokio::process::ChildStdin>;

/// An early end of the probe: outcome, phase, detail.
pub struct Stop(pub Outcome, pub String, pub String);

/// A [`Wire`] that also knows what its failures mean (a stdio server that exited, an HTTP
/// endpoint that went away).
#[allow(async_fn_in_trait)]
pub trait Transport: Wire {
    /// The outcome of a failed wait (or a failed send, as [`WaitError::Closed`]) in `phase`.
    async fn fail(&mut self, phase: &str, e: WaitError) -> Stop;
}

/// A stdio server: its connection and its process.
struct StdioWire {
    conn: ChildConn,
    child: tokio::process::Child,
    exit: Option<std::process::ExitStatus>,
}

impl Wire for StdioWire {
    async fn request(&mut self, method: &str, params: Value) -> std::io::Result<u64> {
        self.conn.request(method, params).await
    }
    async fn notify(&mut self, method: &str, params: Value) -> std::io::Result<()> {
        self.conn.notify(method, params).await
    }
    async fn wait(&mut self, ids: &[u64], deadline: Instant) -> Result<(), WaitError> {
        self.conn.wait(ids, deadline).await
    }
    fn take(&mut self, id: u64) -> Option<Reply> {
        self.conn.take(id)
    }
    fn stats(&self) -> &Stats {
        self.conn.stats()
    }
}

impl Transport for StdioWire {
    async fn fail(&mut self, phase: &str, e: WaitError) -> Stop {
        match e {
            WaitError::Timeout => {
                // it may have exited while a grandchild holds stdout open
                if let Ok(Some(st)) = self.child.try_wait() {
                    self.exit = Some(st);
                    return Stop(
                        Outcome::Crashed,
                        phase.into(),
                        format!("exited ({}) during {phase}", describe_exit(st)),
                    );
                }
                Stop(
                    Outcome::Timeout,
                    phase.into(),
                    format!("no answer to {phase} in time"),
                )
            }
            WaitError::Closed | WaitError::Io(_) => {
                if let Ok(Ok(st)) =
                    tokio::time::timeout(Duration::from_secs(1), self.child.wait()).await
                {
                    self.exit = Some(st);
                }
                let how = self
                    .exit
                    .map(describe_exit)
                    .unwrap_or_else(|| "closed stdout".into());
                Stop(
                    Outcome::Crashed,
                    phase.into(),
                    format!("exited ({how}) during {phase}"),
                )
            }
            WaitError::Flood => Stop(
                Outcome::ProtocolError,
                phase.into(),
                "stdout carried more bytes than the probe reads".into(),
            ),
        }
    }
}

impl StdioWire {
    async fn shutdown(&mut self, opts: &Options, pid: Option<i32>, snapshot: &[procs::ProcInfo]) {
        self.conn.close_stdin().await;
        let grace = opts.shutdown_grace;
        if self.exit.is_none() {
            if let Ok(Ok(st)) = tokio::time::timeout(grace, self.child.wait()).await {
                self.exit = Some(st);
            }
        }
        if self.exit.is_none() {
            let live = pid.map(procs::tree).unwrap_or_default();
            procs::signal_all(&live, libc::SIGTERM);
            if let Some(p) = pid {
                procs::signal_group(p, libc::SIGTERM);
            }
            if let Ok(Ok(st)) = tokio::time::timeout(grace, self.child.wait()).await {
                self.exit = Some(st);
            }
        }
        if self.exit.is_none() {
            let live = pid.map(procs::tree).unwrap_or_default();
            procs::signal_all(&live, libc::SIGKILL);
            if let Some(p) = pid {
                procs::signal_group(p, libc::SIGKILL);
            }
            if let Ok(Ok(st)) =
                tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await
            {
                self.exit = Some(st);
            }
        }
        // whatever the server left behind: the group and every process seen in the tree
        if let Some(p) = pid {
            procs::signal_group(p, libc::SIGKILL);
        }
        procs::signal_all(snapshot, libc::SIGKILL);
    }
}

/// The session logic shared by every transport: the lifecycle of either era, the paged lists,
/// ping, the MCP Apps UI resources; it fills `rec`.
pub struct Session<W> {
    pub rec: ProbeRecord,
    pub wire: W,
    pub deadline: Instant,
    pub era: Option<Era>,
    /// When the tools list was complete.
    pub tools_done: Option<Instant>,
    /// The MCP Apps UI resources the tools point to, read after the lists.
    pub ui_resources: Vec<dataset::UiResource>,
}

/// Probes one server. Never panics on anything the server does; every failure is an outcome.
pub async fn probe(target: &Target, opts: &Options) -> ProbeRecord {
    let started = Instant::now();
    let mut rec = ProbeRecord::bare(Outcome::Crashed, now_rfc3339());
    rec.version = target.version.clone();
    rec.config_mode = target.config_mode;
    rec.needs = target.needs.clone();
    rec.sandboxed = matches!(opts.sandbox, Sandbox::Bwrap(_));
    rec.command = std::iter::once(target.spawn.program.to_string_lossy().into_owned())
        .chain(target.spawn.args.iter().cloned())
        .collect();

    let home = match FreshDir::new() {
        Ok(h) => h,
        Err(e) => {
            rec.outcome = Outcome::SandboxError;
            rec.phase = Some("spawn".into());
            rec.detail = Some(format!("cannot create a fresh home directory: {e}"));
            return rec;
        }
    };
    let mut cmd = sandbox::command(&opts.sandbox, &target.spawn, opts.limits, &home.0);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            rec.outcome = if rec.sandboxed {
                Outcome::SandboxError
            } else {
                Outcome::Crashed
            };
            rec.phase = Some("spawn".into());
            rec.detail = Some(format!("cannot start {}: {e}", rec.command[0]));
            rec.timings.total_ms = ms(started.elapsed());
            return rec;
        }
    };
    let tail = Arc::new(Mutex::new(Tail::new(opts.stderr_tail_bytes)));
    let stderr_task = child.stderr.take().map(|mut err| {
        let tail = tail.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                match err.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if let Ok(mut t) = tail.lock() {
                            t.push(&buf[..n]);
                        }
                    }
                }
            }
        })
    });
    let (Some(stdout), Some(stdin)) = (child.stdout.take(), child.stdin.take()) else {
        rec.outcome = Outcome::SandboxError;
        rec.detail = Some("stdio pipes missing".into());
        return rec;
    };
    let conn = Conn::new(stdout, stdin, opts.bounds);
    let mut run = Session {
        rec,
        wire: StdioWire {
            conn,
            child,
            exit: None,
        },
        deadline: started + opts.total_timeout,
        era: None,
        tools_done: None,
        ui_resources: Vec::new(),
    };

    let result = run.talk(opts).await;

    // Shutdown: snapshot the tree, measure it, then stdin EOF, SIGTERM, SIGKILL.
    let pid = run.wire.child.id().map(|p| p as i32);
    let snapshot = pid.map(procs::tree).unwrap_or_default();
    run.rec.peak_rss_kb = procs::peak_rss_kb(&snapshot);
    run.wire.shutdown(opts, pid, &snapshot).await;
    if let Some(t) = stderr_task {
        // a grandchild outside our reach may hold stderr open; never wait on it for long
        let _ = tokio::time::timeout(Duration::from_millis(200), t).await;
    }

    let stderr_text = tail.lock().map(|t| t.text(40)).unwrap_or_default();
    let stderr_bytes = tail.lock().map(|t| t.total).unwrap_or(0);
    let mut rec = run.rec;
    let stats = run.wire.conn.stats().clone();
    rec.bytes_read = stats.bytes_read + stderr_bytes;
    rec.exit_status = run.wire.exit.map(describe_exit);
    rec.stderr_tail = (!stderr_text.is_empty()).then_some(stderr_text.clone());
    rec.era = run.era;
    rec.notifications = stats.notifications.clone();
    rec.server_requests = stats.server_requests.clone();
    if let Some(t) = stats.first_message_at {
        rec.timings.first_reply_ms = Some(ms(t.saturating_duration_since(started)));
    }
    match result {
        Ok(()) => rec.outcome = Outcome::Ok,
        Err(Stop(outcome, phase, detail)) => {
            rec.outcome = outcome;
            rec.phase = Some(phase);
            rec.detail = Some(crate::redact::clean(&detail));
        }
    }
    classify_exit(&mut rec, &stats, &stderr_text);
    rec.lints = lint::lints(&rec, &stats);
    if rec.era.is_some() {
        rec.features = Some(crate::features::of(
            &rec,
            &stats,
            false,
            std::mem::take(&mut run.ui_resources),
        ));
    }
    rec.timings.total_ms = ms(started.elapsed());
    rec
}

fn describe_exit(s: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(sig)) => format!("signal {sig}"),
        _ => "unknown".into(),
    }
}

/// Refines a crash-like outcome with what stderr and stdout said.
fn classify_exit(rec: &mut ProbeRecord, stats: &crate::client::Stats, stderr: &str) {
    if !matches!(
        rec.outcome,
        Outcome::Crashed | Outcome::Timeout | Outcome::ProtocolError
    ) {
        return;
    }
    let before_handshake = rec.era.is_none();
    if rec.sandboxed
        && rec.outcome == Outcome::Crashed
        && stats.messages == 0
        && stderr.lines().any(|l| l.starts_with("bwrap:"))
    {
        rec.outcome = Outcome::SandboxError;
        rec.detail = Some("bubblewrap failed to start the server".into());
        return;
    }
    if before_handshake && rec.outcome == Outcome::Crashed && crate::needs::config_signal(stderr) {
        rec.outcome = Outcome::NeedsConfig;
        for n in crate::needs::names_in(stderr) {
            if !rec.needs.contains(&n) {
                rec.needs.push(n);
            }
        }
        rec.detail = Some("exited before the handshake, asking for configuration".into());
        return;
    }
    if before_handshake
        && stats.messages == 0
        && stats.noise_lines + stats.json_noise_lines > 0
        && rec.outcome != Outcome::ProtocolError
    {
        rec.outcome = Outcome::NotMcp;
        rec.detail = Some(format!(
            "printed {} line(s) on stdout and no JSON-RPC message",
            stats.noise_lines + stats.json_noise_lines
        ));
    }
}

impl<W: Transport> Session<W> {
    fn phase_deadline(&self, d: Duration) -> Instant {
        (Instant::now() + d).min(self.deadline)
    }

    async fn call(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Reply, Stop> {
        let id = match self.wire.request(method, params).await {
            Ok(id) => id,
            Err(_) => return Err(self.wire.fail(method, WaitError::Closed).await),
        };
        let dl = self.phase_deadline(timeout);
        match self.wire.wait(&[id], dl).await {
            Ok(()) => Ok(self.wire.take(id).unwrap_or(Ok(Value::Null))),
            Err(e) => Err(self.wire.fail(method, e).await),
        }
    }

    pub(crate) async fn talk(&mut self, opts: &Options) -> Result<(), Stop> {
        let modern = match opts.era_policy {
            EraPolicy::LegacyFirst => self.legacy_first(opts).await?,
            EraPolicy::DiscoverFirst => self.discover_first(opts).await?,
        };
        if !modern {
            let _ = self
                .wire
                .notify("notifications/initialized", Value::Null)
                .await;
        }
        self.wire.ready().await;
        self.lists(opts, modern).await?;
        if !modern {
            let t = Instant::now();
            match self
                .call(
                    "ping",
                    Value::Null,
                    opts.request_timeout.min(Duration::from_secs(5)),
                )
                .await
            {
                Ok(Ok(_)) => self.rec.timings.ping_ms = Some(ms(t.elapsed())),
                Ok(Err(e)) => self.rec.lints.push(dataset::Lint {
                    code: "ping-failed".into(),
                    severity: "warning".into(),
                    message: format!("ping was answered with an error: {e}"),
                    subject: None,
                }),
                Err(Stop(Outcome::Timeout, ..)) => self.rec.lints.push(dataset::Lint {
                    code: "ping-failed".into(),
                    severity: "warning".into(),
                    message: "ping was not answered in time".into(),
                    subject: None,
                }),
                Err(stop) => return Err(stop),
            }
        }
        // after the ping's round trip, a list_changed sent after the lists has been read
        self.relist_tools_if_changed(opts, modern).await?;
        self.read_ui_resources(opts, modern).await?;
        Ok(())
    }

    /// MCP Apps: `resources/read` of the `ui://` resources tools point to (and only those, at
    /// most [`crate::features::MAX_UI_READS`]); keeps their metadata (CSP, permissions), never
    /// the HTML.
    async fn read_ui_resources(&mut self, opts: &Options, modern: bool) -> Result<(), Stop> {
        let mut wanted = crate::features::ui_targets(&self.rec.tools);
        for (i, ui) in wanted.iter_mut().enumerate() {
            // what resources/list said about it
            if let Some(listed) = self
                .rec
                .resources
                .iter()
                .find(|r| r.get("uri").and_then(Value::as_str) == Some(ui.uri.as_str()))
            {
                crate::features::absorb_ui_meta(ui, listed);
            }
            if i >= crate::features::MAX_UI_READS {
                ui.error = Some("not read: too many UI resources".into());
                continue;
            }
            let mut p = json!({"uri": ui.uri});
            if modern {
                p["_meta"] = modern_meta();
            }
            match self.call("resources/read", p, opts.request_timeout).await {
                Ok(Ok(r)) => {
                    let contents = r.get("contents").and_then(Value::as_array);
                    match contents.and_then(|c| c.first()) {
                        Some(c) => crate::features::absorb_ui_meta(ui, c),
                        None => ui.error = Some("resources/read returned no contents".into()),
                    }
                }
                Ok(Err(e)) => ui.error = Some(crate::redact::clean(&e.to_string())),
                Err(Stop(Outcome::Timeout, ..)) => {
                    ui.error = Some("resources/read was not answered in time".into())
                }
                Err(stop) => return Err(stop),
            }
        }
        self.ui_resources = wanted;
        Ok(())
    }

    fn accept_legacy(&mut self, r: Value) -> Result<(), Stop> {
        let Some(v) = r.get("protocolVersion").and_then(Value::as_str) else {
            return Err(Stop(
                Outcome::ProtocolError,
                "initialize".into(),
                "the initialize result has no protocolVersion".into(),
            ));
        };
        self.era = Some(Era::Legacy);
        self.wire.negotiated(v);
        self.rec.protocol_version = Some(v.to_string());
        self.rec.server_info = r.get("serverInfo").cloned();
        self.rec.capabilities = r.get("capabilities").cloned();
        self.rec.instructions = r
            .get("instructions")
            .and_then(Value::as_str)
            .map(|s| s.chars().take(16 * 1024).collect());
        Ok(())
    }

    fn accept_modern(&mut self, r: Value) -> Result<(), Stop> {
        let supported = r
            .get("supportedVersions")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>())
            .unwrap_or_default();
        if !r.is_object() {
            return Err(Stop(
                Outcome::ProtocolError,
                "discover".into(),
                "the server/discover result is not an object".into(),
            ));
        }
        self.era = Some(Era::Modern);
        let v = if supported.contains(&MODERN_VERSION) || supported.is_empty() {
            MODERN_VERSION.to_string()
        } else {
            supported
                .iter()
                .max()
                .map(|s| s.to_string())
                .unwrap_or_default()
        };
        self.wire.negotiated(&v);
        self.rec.protocol_version = Some(v);
        self.rec.server_info = r
            .get("_meta")
            .and_then(|m| m.get("io.modelcontextprotocol/serverInfo"))
            .cloned()
            .or_else(|| r.get("serverInfo").cloned());
        self.rec.capabilities = r.get("capabilities").cloned();
        self.rec.instructions = r
            .get("instructions")
            .and_then(Value::as_str)
            .map(|s| s.chars().take(16 * 1024).collect());
        Ok(())
    }

    /// Returns whether the modern era was negotiated.
    async fn legacy_first(&mut self, opts: &Options) -> Result<bool, Stop> {
        let reply = self
            .call(
                "initialize",
                legacy_init_params(LEGACY_VERSION),
                opts.init_timeout,
            )
            .await?;
        match reply {
            Ok(r) => self.accept_legacy(r).map(|_| false),
            Err(e) if is_modern_error(&e) => {
                // fall forward on the same connection: the server refused the handshake, so no
                // era is locked yet
                let r = self
                    .call(
                        "server/discover",
                        json!({"_meta": modern_meta()}),
                        opts.init_timeout,
                    )
                    .await?;
                match r {
                    Ok(r) => self.accept_modern(r).map(|_| true),
                    Err(e2) => Err(Stop(
                        Outcome::ProtocolError,
                        "discover".into(),
                        format!("initialize was refused as modern ({e}) but server/discover failed: {e2}"),
                    )),
                }
            }
            Err(e) => {
                let retry = supported_versions(&e)
                    .into_iter()
                    .filter(|v| LEGACY_KNOWN.contains(&v.as_str()) && v != LEGACY_VERSION)
                    .max();
                if let Some(v) = retry {
                    let r = self
                        .call("initialize", legacy_init_params(&v), opts.init_timeout)
                        .await?;
                    if let Ok(r) = r {
                        return self.accept_legacy(r).map(|_| false);
                    }
                }
                Err(Stop(
                    Outcome::ProtocolError,
                    "initialize".into(),
                    format!("initialize failed: {e}"),
                ))
            }
        }
    }

    async fn discover_first(&mut self, opts: &Options) -> Result<bool, Stop> {
        let id = match self
            .wire
            .request("server/discover", json!({"_meta": modern_meta()}))
            .await
        {
            Ok(id) => id,
            Err(_) => return Err(self.wire.fail("discover", WaitError::Closed).await),
        };
        let dl = self.phase_deadline(opts.discover_timeout.min(opts.init_timeout));
        match self.wire.wait(&[id], dl).await {
            Ok(()) => match self.wire.take(id) {
                Some(Ok(r)) => return self.accept_modern(r).map(|_| true),
                Some(Err(e)) if is_modern_error(&e) => {
                    return Err(Stop(
                        Outcome::ProtocolError,
                        "discover".into(),
                        format!("the server is modern but supports none of our versions: {e}"),
                    ))
                }
                _ => {}
            },
            Err(WaitError::Timeout) => {}
            Err(e) => return Err(self.wire.fail("discover", e).await),
        }
        let reply = self
            .call(
                "initialize",
                legacy_init_params(LEGACY_VERSION),
                opts.init_timeout,
            )
            .await?;
        match reply {
            Ok(r) => self.accept_legacy(r).map(|_| false),
            Err(e) => Err(Stop(
                Outcome::ProtocolError,
                "initialize".into(),
                format!("server/discover and initialize both failed: {e}"),
            )),
        }
    }

    async fn lists(&mut self, opts: &Options, modern: bool) -> Result<(), Stop> {
        let params = |cursor: Option<&str>| {
            let mut p = json!({});
            if modern {
                p["_meta"] = modern_meta();
            }
            if let Some(c) = cursor {
                p["cursor"] = json!(c);
            }
            p
        };
        // first pages of all four lists in flight at once; replies may come in any order
        let mut ids = Vec::new();
        let t0 = Instant::now();
        for (_, method, _) in LISTS {
            match self.wire.request(method, params(None)).await {
                Ok(id) => ids.push(id),
                Err(_) => return Err(self.wire.fail(method, WaitError::Closed).await),
            }
        }
        let dl = self.phase_deadline(opts.request_timeout);
        let waited = self.wire.wait(&ids, dl).await;
        let mut firsts: Vec<Option<Reply>> = ids.iter().map(|id| self.wire.take(*id)).collect();
        if let Err(e) = waited {
            if e != WaitError::Timeout {
                let missing = LISTS[firsts.iter().position(Option::is_none).unwrap_or(0)].1;
                return Err(self.wire.fail(missing, e).await);
            }
        }
        let first_ms = ms(t0.elapsed());
        for (i, first) in firsts.iter_mut().enumerate() {
            self.page_through(opts, modern, i, first.take(), first_ms)
                .await?;
        }
        Ok(())
    }

    /// Re-lists tools once when the server announced `notifications/tools/list_changed`
    /// (servers that register tools late).
    async fn relist_tools_if_changed(&mut self, opts: &Options, modern: bool) -> Result<(), Stop> {
        if !self
            .wire
            .stats()
            .notifications
            .contains_key("notifications/tools/list_changed")
        {
            return Ok(());
        }
        let before = self.rec.tools.len();
        let t0 = Instant::now();
        let p = if modern {
            json!({"_meta": modern_meta()})
        } else {
            json!({})
        };
        let first = match self.call("tools/list", p, opts.request_timeout).await {
            Ok(r) => Some(r),
            Err(Stop(Outcome::Timeout, ..)) => None,
            Err(stop) => return Err(stop),
        };
        let saved = (self.rec.tools.clone(), self.rec.lists.get("tools").cloned());
        self.page_through(opts, modern, 0, first, ms(t0.elapsed()))
            .await?;
        if self
            .rec
            .lists
            .get("tools")
            .is_some_and(|s| s.status != "ok")
        {
            // keep the first, complete answer
            self.rec.tools = saved.0;
            if let Some(s) = saved.1 {
                self.rec.lists.insert("tools".into(), s);
            }
        }
        self.rec.lints.push(dataset::Lint {
            code: "tools-list-changed".into(),
            severity: "info".into(),
            message: format!(
                "the server announced a tools/list_changed; listed again: {before} then {} tool(s)",
                self.rec.tools.len()
            ),
            subject: None,
        });
        Ok(())
    }

    async fn page_through(
        &mut self,
        opts: &Options,
        modern: bool,
        i: usize,
        first: Option<Reply>,
        first_ms: u64,
    ) -> Result<(), Stop> {
        let params = |cursor: Option<&str>| {
            let mut p = json!({});
            if modern {
                p["_meta"] = modern_meta();
            }
            if let Some(c) = cursor {
                p["cursor"] = json!(c);
            }
            p
        };
        let (key, method, field) = LISTS[i];
        {
            let t = Instant::now();
            let mut status = ListStatus {
                status: "ok".into(),
                pages: 0,
                ..ListStatus::default()
            };
            let mut items: Vec<Value> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            let mut reply = first;
            loop {
                let Some(r) = reply.take() else {
                    status.status = "timeout".into();
                    status.error = Some(format!("no answer to {method} in time"));
                    break;
                };
                match r {
                    Err(e) => {
                        if status.pages == 0 {
                            status.status = if e.code == -32601 {
                                "unsupported"
                            } else {
                                "error"
                            }
                            .into();
                        } else {
                            status.status = "error".into();
                        }
                        status.error = Some(crate::redact::clean(&e.to_string()));
                        break;
                    }
                    Ok(mut r) => {
                        status.pages += 1;
                        match r.get_mut(field).map(Value::take) {
                            Some(Value::Array(page)) => {
                                for it in page {
                                    if items.len() >= opts.max_items {
                                        status.truncated = true;
                                        break;
                                    }
                                    items.push(it);
                                }
                            }
                            _ => {
                                status.status = "error".into();
                                status.error =
                                    Some(format!("the {method} result has no `{field}` array"));
                                break;
                            }
                        }
                        let next = r.get("nextCursor").and_then(|c| match c {
                            Value::String(s) => Some(s.clone()),
                            Value::Number(n) => Some(n.to_string()),
                            _ => None,
                        });
                        let Some(cursor) = next else { break };
                        if status.truncated {
                            break;
                        }
                        if !seen.insert(cursor.clone()) {
                            status.truncated = true;
                            status.error = Some(format!("repeated cursor {cursor:?}"));
                            break;
                        }
                        if status.pages >= opts.max_pages {
                            status.truncated = true;
                            break;
                        }
                        match self
                            .call(method, params(Some(&cursor)), opts.request_timeout)
                            .await
                        {
                            Ok(r) => reply = Some(r),
                            Err(Stop(Outcome::Timeout, ..)) => {
                                status.status = "timeout".into();
                                status.error = Some(format!(
                                    "no answer to {method} page {} in time",
                                    status.pages + 1
                                ));
                                break;
                            }
                            Err(stop) => {
                                self.store(key, items, status);
                                return Err(stop);
                            }
                        }
                    }
                }
            }
            status.ms = Some(if status.pages <= 1 {
                first_ms
            } else {
                first_ms + ms(t.elapsed())
            });
            let timed_out = status.status == "timeout";
            if key == "tools" {
                self.tools_done = Some(Instant::now());
            }
            self.store(key, items, status);
            if timed_out && key == "tools" {
                return Err(Stop(
                    Outcome::Timeout,
                    method.into(),
                    format!("no answer to {method} in time"),
                ));
            }
        }
        Ok(())
    }

    fn store(&mut self, key: &str, items: Vec<Value>, status: ListStatus) {
        match key {
            "tools" => self.rec.tools = items,
            "prompts" => self.rec.prompts = items,
            "resources" => self.rec.resources = items,
            _ => self.rec.resource_templates = items,
        }
        self.rec.lists.insert(key.to_string(), status);
    }
}
