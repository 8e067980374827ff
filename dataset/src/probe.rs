//! The probe record: what a server answered when Hisper ran it over stdio or reached it over
//! HTTP (a remote: Streamable HTTP or the legacy HTTP+SSE transport), or why it could not.
//!
//! Tools, prompts, resources and resource templates are kept exactly as the server sent them
//! (`serde_json::Value`, unknown fields included, malformed items too, with a lint), so that a
//! reader never sees less than the server said. This module holds data only; the `probe` crate
//! produces it.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The outcome of one probe.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It started, answered the handshake and its lists.
    Ok,
    /// It needs configuration it did not get (an API key, an argument).
    NeedsConfig,
    /// Installing the package failed.
    InstallFailed,
    /// A phase did not finish in time (see `phase`).
    Timeout,
    /// It exited or died before the probe finished.
    Crashed,
    /// It spoke something, but not correct MCP (see `detail`).
    ProtocolError,
    /// It ran, but what it printed was not MCP at all.
    NotMcp,
    /// There is nothing to launch over stdio (remote-only, or no launchable package).
    NoStdio,
    /// The sandbox itself could not start.
    SandboxError,
}

impl Outcome {
    pub const ALL: [Outcome; 9] = [
        Outcome::Ok,
        Outcome::NeedsConfig,
        Outcome::InstallFailed,
        Outcome::Timeout,
        Outcome::Crashed,
        Outcome::ProtocolError,
        Outcome::NotMcp,
        Outcome::NoStdio,
        Outcome::SandboxError,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::NeedsConfig => "needs_config",
            Outcome::InstallFailed => "install_failed",
            Outcome::Timeout => "timeout",
            Outcome::Crashed => "crashed",
            Outcome::ProtocolError => "protocol_error",
            Outcome::NotMcp => "not_mcp",
            Outcome::NoStdio => "no_stdio",
            Outcome::SandboxError => "sandbox_error",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// Whether this outcome counts as "up" for uptime.
    pub fn is_up(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::NeedsConfig)
    }
}

/// Which generation of the MCP lifecycle the server answered.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Era {
    /// `initialize` / `notifications/initialized` (protocol versions up to 2025-11-25).
    Legacy,
    /// `server/discover` with `_meta` on every request (2026-07-28 and later).
    Modern,
}

/// Whether the probe ran with configuration.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConfigMode {
    /// Nothing was declared, nothing was given.
    #[default]
    None,
    /// Declared required env vars or arguments were given clearly fake placeholder values.
    Placeholder,
}

/// One lint: something about the server that a user or author should know.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Lint {
    /// Stable machine code, e.g. `stdout-noise`, `tool-name`, `missing-description`.
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    pub message: String,
    /// What it is about, e.g. `tools/read_file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// How one list request went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ListStatus {
    /// `ok`, `unsupported` (-32601), `error`, `timeout`, `skipped`.
    pub status: String,
    #[serde(default)]
    pub pages: u32,
    /// Stopped at a bound (pages, items, bytes) or a repeated cursor.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
}

/// Timings of one probe, in milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Timings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_ms: Option<u64>,
    /// Spawn to the first reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_reply_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ping_ms: Option<u64>,
    pub total_ms: u64,
}

/// The record of the last probe of a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProbeRecord {
    pub outcome: Outcome,
    /// The phase an outcome other than `ok` happened in: `install`, `spawn`, `initialize`,
    /// `discover`, `tools/list`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// What went wrong, in one sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// When (RFC 3339).
    pub probed_at: String,
    /// The package version that was probed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The command line that was run (after install), placeholders included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(default)]
    pub config_mode: ConfigMode,
    /// Env var or argument names the server needs (declared, or read from its error text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
    /// Ran inside the bubblewrap sandbox.
    pub sandboxed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub era: Option<Era>,
    /// The protocol version the server answered with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    /// `serverInfo` as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_info: Option<Value>,
    /// `capabilities` as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prompts: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_templates: Vec<Value>,
    /// Per list (`tools`, `prompts`, `resources`, `resource_templates`): how it went.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lists: BTreeMap<String, ListStatus>,
    /// Notification methods received, with counts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notifications: BTreeMap<String, u64>,
    /// Server-to-client request methods received (answered with an error), with counts.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub server_requests: BTreeMap<String, u64>,
    #[serde(default)]
    pub timings: Timings,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_rss_kb: Option<u64>,
    #[serde(default)]
    pub bytes_read: u64,
    /// Exit status if it exited (`exit 1`, `signal 9`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<String>,
    /// The last lines of stderr, ANSI-stripped, with anything that looks like a token redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr_tail: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lints: Vec<Lint>,
    /// For a probe of a remote endpoint: the endpoint, the precise remote outcome and its HTTP
    /// evidence. `outcome` then holds the nearest stdio-era outcome (see
    /// [`RemoteOutcome::coarse`]) for readers that know only those.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<RemoteInfo>,
    /// Spec features the server was seen to use (stdio and remote alike).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<SpecFeatures>,
}

impl ProbeRecord {
    /// A record with only an outcome, for outcomes decided before anything ran.
    pub fn bare(outcome: Outcome, probed_at: impl Into<String>) -> Self {
        ProbeRecord {
            outcome,
            phase: None,
            detail: None,
            probed_at: probed_at.into(),
            version: None,
            command: Vec::new(),
            config_mode: ConfigMode::None,
            needs: Vec::new(),
            sandboxed: false,
            era: None,
            protocol_version: None,
            server_info: None,
            capabilities: None,
            instructions: None,
            tools: Vec::new(),
            prompts: Vec::new(),
            resources: Vec::new(),
            resource_templates: Vec::new(),
            lists: BTreeMap::new(),
            notifications: BTreeMap::new(),
            server_requests: BTreeMap::new(),
            timings: Timings::default(),
            peak_rss_kb: None,
            bytes_read: 0,
            exit_status: None,
            stderr_tail: None,
            lints: Vec::new(),
            remote: None,
            features: None,
        }
    }

    /// Tool names, in the order the server sent them (malformed items without a name skipped).
    pub fn tool_names(&self) -> impl Iterator<Item = &str> {
        self.tools
            .iter()
            .filter_map(|t| t.get("name").and_then(Value::as_str))
    }
}

/// One night of health: the probe outcome, or `None` for a night the server was not probed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HealthEntry {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// The night's outcome; absent when the server was not probed that night (a gap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

/// Uptime over the entries that have an outcome, in percent, or `None` with no probed night.
pub fn uptime_percent(health: &[HealthEntry]) -> Option<f64> {
    let probed: Vec<Outcome> = health.iter().filter_map(|h| h.outcome).collect();
    if probed.is_empty() {
        return None;
    }
    let up = probed.iter().filter(|o| o.is_up()).count();
    Some(100.0 * up as f64 / probed.len() as f64)
}

/// The outcome of one probe of a remote endpoint.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RemoteOutcome {
    /// It answered the handshake and its lists.
    Ok,
    /// An auth wall: 401 or 403 (see `auth` for what sign-in it asks for; Hisper never logs in).
    NeedsAuth,
    /// The URL has template variables without defaults, or required headers Hisper does not have.
    NeedsConfig,
    /// It answered HTTP, but not MCP (an HTML page, JSON that is not JSON-RPC, a 404).
    NotMcp,
    /// DNS, connect or TLS failed (see `error_kind`).
    Unreachable,
    /// No answer in time.
    Timeout,
    /// It spoke JSON-RPC, but not correct MCP, or broke a bound (body size, stream length).
    ProtocolError,
    /// Refused by Hisper before sending anything: the address is loopback, private, link-local,
    /// CGNAT or multicast, or a redirect broke the redirect rules.
    Blocked,
}

impl RemoteOutcome {
    pub const ALL: [RemoteOutcome; 8] = [
        RemoteOutcome::Ok,
        RemoteOutcome::NeedsAuth,
        RemoteOutcome::NeedsConfig,
        RemoteOutcome::NotMcp,
        RemoteOutcome::Unreachable,
        RemoteOutcome::Timeout,
        RemoteOutcome::ProtocolError,
        RemoteOutcome::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RemoteOutcome::Ok => "ok",
            RemoteOutcome::NeedsAuth => "needs_auth",
            RemoteOutcome::NeedsConfig => "needs_config",
            RemoteOutcome::NotMcp => "not_mcp",
            RemoteOutcome::Unreachable => "unreachable",
            RemoteOutcome::Timeout => "timeout",
            RemoteOutcome::ProtocolError => "protocol_error",
            RemoteOutcome::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Option<RemoteOutcome> {
        RemoteOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The nearest stdio-era [`Outcome`] (what `ProbeRecord::outcome` holds for a remote):
    /// an auth wall counts as "needs configuration" (it is up, it wants credentials), an
    /// unreachable host as crashed, a blocked one as not run.
    pub fn coarse(self) -> Outcome {
        match self {
            RemoteOutcome::Ok => Outcome::Ok,
            RemoteOutcome::NeedsAuth | RemoteOutcome::NeedsConfig => Outcome::NeedsConfig,
            RemoteOutcome::NotMcp => Outcome::NotMcp,
            RemoteOutcome::Unreachable => Outcome::Crashed,
            RemoteOutcome::Timeout => Outcome::Timeout,
            RemoteOutcome::ProtocolError => Outcome::ProtocolError,
            RemoteOutcome::Blocked => Outcome::SandboxError,
        }
    }

    /// Whether a night with this outcome counts in the health history (a blocked or
    /// unconfigurable endpoint was not checked).
    pub fn counts_in_health(self) -> bool {
        !matches!(self, RemoteOutcome::Blocked | RemoteOutcome::NeedsConfig)
    }
}

/// What a remote probe saw on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RemoteInfo {
    /// The endpoint as probed (template variables filled from their defaults; never a secret).
    pub url: String,
    /// `streamable-http` or `sse` (the transport that was spoken, after any fallback).
    pub transport: String,
    pub outcome: RemoteOutcome,
    /// For `unreachable`, `blocked` and bounds: `dns`, `connect`, `tls`, `private-address`,
    /// `redirect`, `body-too-large`, `stream-too-long`, `too-many-events`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<String>,
    /// The HTTP status of the first answer (the handshake's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Its `Content-Type`, without parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Redirects followed, in order (at most 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<String>,
    /// The server gave an `Mcp-Session-Id`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub session: bool,
    /// The handshake was answered as an SSE stream rather than a JSON body.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sse_responses: bool,
    /// Streamable HTTP: the server accepted the optional GET stream for server-initiated
    /// messages.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub server_stream: bool,
    /// Request to the first response byte, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_byte_ms: Option<u64>,
    /// Start of the probe to the complete tools list, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools_ms: Option<u64>,
    /// The auth wall, for `needs_auth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthInfo>,
    /// Header names sent with placeholder values (declared `remotes[].headers`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placeholder_headers: Vec<String>,
}

impl RemoteInfo {
    pub fn new(url: impl Into<String>, transport: impl Into<String>) -> Self {
        RemoteInfo {
            url: url.into(),
            transport: transport.into(),
            outcome: RemoteOutcome::ProtocolError,
            error_kind: None,
            http_status: None,
            content_type: None,
            redirects: Vec::new(),
            session: false,
            sse_responses: false,
            server_stream: false,
            first_byte_ms: None,
            tools_ms: None,
            auth: None,
            placeholder_headers: Vec::new(),
        }
    }
}

/// What an auth wall asks for, from `WWW-Authenticate`, the RFC 9728 protected-resource
/// metadata and the authorization server metadata (RFC 8414 / OpenID discovery) it names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuthInfo {
    /// 401 or 403.
    pub status: u16,
    /// The challenge's scheme, e.g. `Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// The `WWW-Authenticate` header as received (capped, cleaned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub www_authenticate: Option<String>,
    /// Where the protected-resource metadata was read (from `resource_metadata`, else the
    /// well-known URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_metadata_url: Option<String>,
    /// The metadata's `resource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_servers: Vec<String>,
    /// Scopes: the challenge's `scope`, else the metadata's `scopes_supported`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// The authorization server's `issuer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// It supports OAuth Client ID Metadata Documents
    /// (`client_id_metadata_document_supported`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cimd: bool,
    /// It supports dynamic client registration (a `registration_endpoint`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dcr: bool,
    /// `code_challenge_methods_supported` (PKCE).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pkce_methods: Vec<String>,
    /// Why a metadata document could not be read, if one could not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// Spec features a probed server was seen to use.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SpecFeatures {
    /// Capability names declared (`tools`, `prompts`, `resources`, `logging`, `completions`,
    /// `tasks`, `experimental`, …), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// Extension ids declared under `capabilities.extensions` (e.g.
    /// `io.modelcontextprotocol/ui`), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<String>,
    /// MCP Apps (`io.modelcontextprotocol/ui`): declared, or a tool points at a `ui://` resource.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mcp_apps: bool,
    /// Tasks: the capability or extension, or a tool with `execution.taskSupport`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tasks: bool,
    /// Tools with an `outputSchema`.
    #[serde(default)]
    pub tools_with_output_schema: u32,
    /// Icons on the server, a tool, a prompt or a resource.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub icons: bool,
    /// The MCP Apps UI resources tools point to, with their metadata (never the HTML).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ui_resources: Vec<UiResource>,
    /// Features the spec deprecates that the server used: `sse-transport`, `sampling`,
    /// `roots`, `logging`, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deprecated: Vec<String>,
}

/// One MCP Apps UI resource (`ui://…`) a tool's `_meta.ui.resourceUri` points to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UiResource {
    pub uri: String,
    /// Tools pointing at it, in tool order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// `_meta.ui.csp` as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csp: Option<Value>,
    /// `_meta.ui.permissions` as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Value>,
    /// `_meta.ui.domain`, `prefersBorder` and other UI metadata keys seen, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meta_keys: Vec<String>,
    /// `resources/read` failed (the error), or was not attempted because the bound was reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
