//! The fields `hisper enrich` computes from the rest of a record: categories, the ranking score,
//! tool safety, the trust layer (security findings, tool fingerprints and their changelog), the
//! quality checklist and duplicate links.
//!
//! Data only: the `enrich` crate computes them, deterministically, from the dataset alone.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One category a server belongs to, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CategoryAssignment {
    /// Category slug, e.g. `databases`.
    pub id: String,
    /// Strength of the evidence, 0–1.
    pub score: f64,
    /// What matched, e.g. `tool:query (sql)`, `keyword:postgres`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// The score's components as `enrich` weighs them: name, maximum points and what it measures (the
/// server page explains each component with these; `enrich`'s tests check its weights against
/// them).
pub const SCORE_COMPONENTS: [(&str, f64, &str); 5] = [
    (
        "popularity",
        30.0,
        "monthly downloads against the busiest package of the same source, stars, PyPI download rank",
    ),
    ("health", 20.0, "the last probe's outcome and the uptime over past nights"),
    ("maintenance", 20.0, "how recent the newest release or push is"),
    (
        "documentation",
        15.0,
        "description, README, and descriptions of tools and parameters",
    ),
    (
        "trust",
        15.0,
        "listed in the MCP Registry, a license, a known repository",
    ),
];

/// The ranking score (0–100) and how it was made.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Score {
    /// Sum of the components minus the penalties, clamped to 0–100.
    pub total: f64,
    /// Named components (`popularity`, `health`, `maintenance`, `documentation`, `trust`),
    /// each already weighted.
    pub components: BTreeMap<String, f64>,
    /// Penalties applied, with reasons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub penalties: Vec<Penalty>,
}

/// A deduction from the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Penalty {
    /// Machine code: `deprecated`, `archived`, `fork`, `typosquat`, `duplicate`, `keyword-stuffing`.
    pub code: String,
    pub points: f64,
    pub reason: String,
}

/// Risk level of one tool.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    ReadOnly,
    Writes,
    Destructive,
    RunsCode,
}

/// Safety assessment of one tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToolSafety {
    pub risk: Risk,
    /// Reaches the network (open-world annotation or description).
    #[serde(default)]
    pub network: bool,
    /// What the server itself declared in annotations, with spec defaults applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<Risk>,
    /// The annotations were absent and the spec's defaults were applied.
    #[serde(default)]
    pub defaults_applied: bool,
    /// A disagreement between the declaration and the name or description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<String>,
    /// The assessed level, read from name, description, parameters and annotations (the one to
    /// show first). `risk` is the same reading on the older four-step scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<RiskLevel>,
    /// What the server's own annotations declare, when they disagree with `level` (a note shown
    /// after the assessed level, never instead of it). Absent when no annotation was declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The assessed risk level of one tool, least to most risky.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// Reads local state only.
    ReadOnly,
    /// Reads only, but talks to a remote service or the web.
    Network,
    /// Creates or changes something.
    Writes,
    /// Deletes, overwrites or kills something, or cannot be undone.
    Destructive,
    /// Runs code or commands given to it.
    ExecutesCode,
}

impl RiskLevel {
    pub const ALL: [RiskLevel; 5] = [
        RiskLevel::ReadOnly,
        RiskLevel::Network,
        RiskLevel::Writes,
        RiskLevel::Destructive,
        RiskLevel::ExecutesCode,
    ];

    /// The name used in the file and in filters.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::ReadOnly => "read_only",
            RiskLevel::Network => "network",
            RiskLevel::Writes => "writes",
            RiskLevel::Destructive => "destructive",
            RiskLevel::ExecutesCode => "executes_code",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::ReadOnly => "read-only",
            RiskLevel::Network => "network",
            RiskLevel::Writes => "writes",
            RiskLevel::Destructive => "destructive",
            RiskLevel::ExecutesCode => "executes code",
        }
    }

    pub fn parse(s: &str) -> Option<RiskLevel> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        RiskLevel::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// How serious a security finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; often legitimate.
    Info,
    /// Suspicious: read the evidence before installing.
    Warning,
    /// Looks like an attack on the model or the user.
    Danger,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Danger => "danger",
        }
    }
}

/// One security finding: a rule that matched a span of a tool's, prompt's or resource's text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// Rule family: `hidden-instructions`, `invisible-text`, `shadowing`, `credentials`,
    /// `exfiltration`, `typosquat`, `rug-pull`.
    pub rule: String,
    pub severity: Severity,
    /// The matched text (capped), with invisible characters written as `<U+200B>`.
    pub evidence: String,
    /// Which text matched: `name`, `description`, `title`, `inputSchema.properties.<p>.description`,
    /// `instructions`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The matched span in that text, `[start, end)` in characters (Unicode scalar values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<[usize; 2]>,
    /// One sentence saying what the rule saw.
    pub message: String,
}

/// The findings about one tool, prompt or resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ItemTrust {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

/// The trust layer of one server: security findings on what the probe recorded, and the history of
/// its tool definitions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trust {
    /// The worst severity among all findings; absent with none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst: Option<Severity>,
    /// Findings about the server as a whole (its name, its instructions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Per tool name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tools: BTreeMap<String, ItemTrust>,
    /// Per prompt name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prompts: BTreeMap<String, ItemTrust>,
    /// Per resource URI (and resource template URI template).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub resources: BTreeMap<String, ItemTrust>,
    /// Tool fingerprints as last recorded, and what changed between nights.
    #[serde(default, skip_serializing_if = "ToolHistory::is_empty")]
    pub history: ToolHistory,
}

impl Trust {
    pub fn is_empty(&self) -> bool {
        self.worst.is_none()
            && self.findings.is_empty()
            && self.tools.values().all(|t| t.findings.is_empty())
            && self.prompts.values().all(|t| t.findings.is_empty())
            && self.resources.values().all(|t| t.findings.is_empty())
            && self.history.is_empty()
    }

    /// Every finding with what it is about (`server`, `tools/<name>`, `prompts/<name>`,
    /// `resources/<uri>`).
    pub fn all_findings(&self) -> impl Iterator<Item = (String, &Finding)> {
        let server = self.findings.iter().map(|f| ("server".to_string(), f));
        let items = [
            ("tools", &self.tools),
            ("prompts", &self.prompts),
            ("resources", &self.resources),
        ]
        .into_iter()
        .flat_map(|(kind, map)| {
            map.iter().flat_map(move |(k, it)| {
                it.findings.iter().map(move |f| (format!("{kind}/{k}"), f))
            })
        });
        server.chain(items)
    }
}

/// One tool as last recorded: its fingerprint and description.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolRecord {
    /// `sha256:` and the hex SHA-256 of the tool's normalized definition (name, title,
    /// description, input and output schemas, annotations; keys sorted, whitespace collapsed).
    pub fingerprint: String,
    /// The description as recorded (capped), kept to show a diff when it changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The recorded tool definitions of a server and their changes, night after night.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolHistory {
    /// The night (`YYYY-MM-DD`) the current fingerprints were first recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<String>,
    /// The server version the fingerprints were taken at (package version, else serverInfo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Fingerprint of the whole tool list (every tool's fingerprint, sorted by name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Per tool name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tools: BTreeMap<String, ToolRecord>,
    /// What changed, oldest first, capped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changelog: Vec<ToolChange>,
}

impl ToolHistory {
    pub fn is_empty(&self) -> bool {
        self.recorded.is_none() && self.tools.is_empty() && self.changelog.is_empty()
    }
}

/// How a tool changed between two recordings.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// One line of a description diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DiffLine {
    /// `=` unchanged, `-` removed, `+` added.
    pub op: String,
    pub text: String,
}

/// One entry of a server's tool changelog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolChange {
    /// The night it was seen (`YYYY-MM-DD`).
    pub date: String,
    pub tool: String,
    pub change: ChangeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint_after: Option<String>,
    /// For `changed`: which parts differ (`title`, `description`, `input_schema`,
    /// `output_schema`, `annotations`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// For a changed description: the line diff, old to new.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<DiffLine>,
    /// The definition changed while the version stayed the same.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rug_pull: bool,
}

/// What a server's tools may do, summed up.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SafetySummary {
    pub read_only: bool,
    pub writes: bool,
    pub destructive: bool,
    pub runs_code: bool,
    pub network: bool,
    /// Per tool, keyed by tool name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tools: BTreeMap<String, ToolSafety>,
}

/// One item of the quality checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Check {
    /// Machine code, e.g. `description`, `license`, `tool-descriptions`.
    pub id: String,
    pub passed: bool,
    pub message: String,
}

/// The quality checklist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Checklist(pub Vec<Check>);

impl Checklist {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Links between records that look like the same server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Duplicates {
    /// The record this one looks like a copy of (the original, preferred in rankings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    /// Records that look like copies of this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<String>,
    /// Why they were linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Duplicates {
    pub fn is_empty(&self) -> bool {
        self.of.is_none() && self.copies.is_empty()
    }
}
