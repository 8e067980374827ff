//! The fields `hisper enrich` computes from the rest of a record: categories, the ranking score,
//! tool safety, the quality checklist and duplicate links.
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
