//! The probe record: what a server answered when Hisper ran it over stdio, or why it could not.
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
