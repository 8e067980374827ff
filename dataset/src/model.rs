//! The records of the dataset file: one [`Server`] per MCP server, merged across sources.
//!
//! Field names are snake_case, except inside [`Install`], whose `packages` and `remotes` use the
//! official `server.json` (2025-12-11) field names so they can be copied to and from the MCP Registry
//! unchanged. Every optional field is omitted when empty, so files stay small and diffs stay quiet.
//! Timestamps are RFC 3339 strings in UTC (`2026-11-22T03:00:00Z`); days are `YYYY-MM-DD`.
//! Unknown fields are ignored on load (a newer minor writer must not break an older reader).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::enrich::{CategoryAssignment, Checklist, Duplicates, SafetySummary, Score, Trust};
use crate::probe::{HealthEntry, ProbeRecord};

fn is_false(b: &bool) -> bool {
    !*b
}

/// The whole dataset file (`data/servers.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Dataset {
    /// Version of this schema; readers refuse versions they do not know.
    pub schema_version: u32,
    /// When the file was produced (RFC 3339, UTC).
    pub generated_at: String,
    /// Per-source summary of the crawl that produced the records, keyed by source name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub crawl: BTreeMap<String, SourceSummary>,
    /// One record per server, sorted by `id`.
    pub servers: Vec<Server>,
}

impl Dataset {
    /// An empty dataset stamped with `generated_at`.
    pub fn new(generated_at: impl Into<String>) -> Self {
        Dataset {
            schema_version: crate::SCHEMA_VERSION,
            generated_at: generated_at.into(),
            crawl: BTreeMap::new(),
            servers: Vec::new(),
        }
    }

    /// Puts everything in canonical order so that equal content serializes to equal bytes:
    /// servers by id, sources by (source, identifier), keywords and topics sorted and deduplicated.
    /// Lists whose order carries meaning (tools as the server sent them, health by date) keep it.
    pub fn normalize(&mut self) {
        for s in &mut self.servers {
            s.normalize();
        }
        self.servers.sort_by(|a, b| a.id.cmp(&b.id));
    }

    /// The server with this id, if any (binary search: the list is sorted after [`Self::normalize`]).
    pub fn get(&self, id: &str) -> Option<&Server> {
        match self.servers.binary_search_by(|s| s.id.as_str().cmp(id)) {
            Ok(i) => Some(&self.servers[i]),
            Err(_) => self.servers.iter().find(|s| s.id == id),
        }
    }
}

/// What one source contributed to the last crawl.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SourceSummary {
    /// Outcome of tonight's crawl of this source.
    pub status: CrawlStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<String>,
    /// Records this source contributed to the dataset.
    pub records: u64,
    #[serde(default)]
    pub requests: u64,
    #[serde(default)]
    pub errors: u64,
    /// A human-readable note (why it failed, where it stopped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How a source's crawl ended.
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
pub enum CrawlStatus {
    /// Complete.
    #[default]
    Ok,
    /// Stopped at a deadline or rate limit; a checkpoint continues it next run.
    Partial,
    /// Failed; its records were carried over from the previous dataset and marked stale.
    Failed,
    /// Not crawled in this run (not selected, or imported from a listing).
    Skipped,
}

/// Where a record was found.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Github,
    Npm,
    Pypi,
    McpRegistry,
}

impl Source {
    pub const ALL: [Source; 4] = [
        Source::Github,
        Source::Npm,
        Source::Pypi,
        Source::McpRegistry,
    ];

    /// The name used in the file, on the command line and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Github => "github",
            Source::Npm => "npm",
            Source::Pypi => "pypi",
            Source::McpRegistry => "mcp-registry",
        }
    }

    /// Parses `github`, `npm`, `pypi`, `mcp-registry` (also `registry`).
    pub fn parse(s: &str) -> Option<Source> {
        match s.trim().to_ascii_lowercase().as_str() {
            "github" => Some(Source::Github),
            "npm" => Some(Source::Npm),
            "pypi" => Some(Source::Pypi),
            "mcp-registry" | "registry" => Some(Source::McpRegistry),
            _ => None,
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Source::Github => "GitHub",
            Source::Npm => "npm",
            Source::Pypi => "PyPI",
            Source::McpRegistry => "MCP Registry",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a record is.
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
pub enum Kind {
    /// An MCP server: something a client launches or connects to.
    #[default]
    Server,
    /// An MCP SDK (the protocol library itself).
    Sdk,
    /// A framework for building servers on top of an SDK.
    Framework,
    /// An MCP client, inspector, gateway or proxy.
    Client,
    /// Related but none of the above (awesome lists, docs, tooling).
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Server => "server",
            Kind::Sdk => "sdk",
            Kind::Framework => "framework",
            Kind::Client => "client",
            Kind::Other => "other",
        }
    }
}

/// How sure the classification is.
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
pub enum Confidence {
    #[default]
    Weak,
    Medium,
    Strong,
}

/// One MCP server, merged across every place it was found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Server {
    /// Stable id: `github:<owner>/<repo>[/<subfolder>]` (lowercased) when the repository is known,
    /// else `npm:<name>`, `pypi:<normalized name>` or `mcp-registry:<name>`.
    pub id: String,
    /// The name people know it by (package name, registry name or repository name).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub kind: Kind,
    pub kind_confidence: Confidence,
    /// The classification signals that fired, e.g. `npm:mcpName`, `name:mcp-server-*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kind_signals: Vec<String>,
    /// One entry per place it was found, sorted by (source, identifier).
    pub sources: Vec<SourceEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<Repository>,
    /// The ways to launch or connect to it.
    #[serde(default, skip_serializing_if = "Install::is_empty")]
    pub install: Install,
    /// Up to three categories with score and evidence (filled by `enrich`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<CategoryAssignment>,
    /// Keywords and topics from every source, lowercased, sorted, deduplicated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// README as Markdown, capped at [`README_CAP`] bytes (cut on a char boundary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readme: Option<String>,
    /// The last probe of this server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeRecord>,
    /// The last probe of each remote endpoint (`install.remotes`, in that order); each has
    /// `remote` set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remote_probes: Vec<ProbeRecord>,
    /// Nightly probe outcomes, oldest first, at most [`HEALTH_CAP`] entries: the stdio probe's
    /// and the remotes', the best of them for a night (see `probe::batch`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub health: Vec<HealthEntry>,
    /// Ranking score with its components (filled by `enrich`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    /// What the server's tools may do (filled by `enrich`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety: Option<SafetySummary>,
    /// Security findings on its tools, prompts and resources, and its tool history (filled by
    /// `enrich`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<Trust>,
    /// Quality checklist (filled by `enrich`).
    #[serde(default, skip_serializing_if = "Checklist::is_empty")]
    pub checklist: Checklist,
    /// Ids of up to five similar servers, most similar first (filled by `enrich`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub similar: Vec<String>,
    /// Links to records that look like the same server (filled by `enrich`).
    #[serde(default, skip_serializing_if = "Duplicates::is_empty")]
    pub duplicates: Duplicates,
    /// For a platform-specific binary sub-package (`@scope/tool-linux-x64`, `tool-darwin-arm64`),
    /// the id of the record it belongs to; such records are shown and searched under their parent
    /// (filled by `enrich`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_of: Option<String>,
    /// First night any source saw it (RFC 3339).
    pub first_seen: String,
    /// Last night any source saw it (RFC 3339).
    pub last_seen: String,
    /// Last night its crawled metadata changed (RFC 3339).
    pub last_changed: String,
}

/// README size cap in bytes.
pub const README_CAP: usize = 64 * 1024;
/// The longest description or summary a source may give, in chars: a longer one is cut at a
/// char boundary and ends in `…` ([`cap_chars`]).
pub const DESCRIPTION_CAP: usize = 2_000;
/// The longest name or title, in chars (cut the same way).
pub const NAME_CAP: usize = 200;
/// The longest short field (version, license), in chars (cut the same way).
pub const SHORT_CAP: usize = 200;
/// The longest keyword, in chars (a longer one is dropped), and the most keywords kept.
pub const KEYWORD_CAP: usize = 50;
pub const KEYWORDS_MAX: usize = 50;
/// The longest URL kept, in bytes (a longer one is dropped: a cut URL points elsewhere).
pub const URL_CAP: usize = 2_048;
/// Health history length cap (nights).
pub const HEALTH_CAP: usize = 120;

impl Server {
    /// Whether Hisper saw this server work: its last stdio probe, or the last probe of one of
    /// its remote endpoints, answered the MCP protocol. The one meaning of "verified" for every
    /// count, filter and ranking boost.
    pub fn verified(&self) -> bool {
        self.probe
            .as_ref()
            .is_some_and(|p| p.outcome == crate::Outcome::Ok)
            || self
                .remote_probes
                .iter()
                .any(|p| p.outcome == crate::Outcome::Ok)
    }

    /// Canonical order for the lists whose order carries no meaning.
    pub fn normalize(&mut self) {
        self.sources
            .sort_by(|a, b| (a.source, &a.identifier).cmp(&(b.source, &b.identifier)));
        self.sources
            .dedup_by(|a, b| a.source == b.source && a.identifier == b.identifier);
        for k in &mut self.keywords {
            *k = k.trim().to_lowercase();
        }
        self.keywords.retain(|k| !k.is_empty());
        self.keywords.sort();
        self.keywords.dedup();
        self.kind_signals.sort();
        self.kind_signals.dedup();
        if let Some(r) = &mut self.repository {
            r.topics.sort();
            r.topics.dedup();
        }
        if let Some(readme) = &mut self.readme {
            truncate_on_char_boundary(readme, README_CAP);
        }
        self.health.sort_by(|a, b| a.date.cmp(&b.date));
        self.health
            .dedup_by(|later, earlier| later.date == earlier.date);
        if self.health.len() > HEALTH_CAP {
            let cut = self.health.len() - HEALTH_CAP;
            self.health.drain(..cut);
        }
    }

    /// The entry of one source, if it was found there.
    pub fn source(&self, source: Source) -> Option<&SourceEntry> {
        self.sources.iter().find(|s| s.source == source)
    }

    /// Whether any source found it.
    pub fn has_source(&self, source: Source) -> bool {
        self.source(source).is_some()
    }

    /// Monthly downloads summed over package sources.
    pub fn downloads_monthly(&self) -> u64 {
        self.sources
            .iter()
            .filter_map(|s| s.downloads_monthly)
            .sum()
    }

    /// The license: the repository's, else the first a package source declares (npm
    /// `license`, PyPI license expression or classifier). `None` when nobody says.
    /// (GitHub's `NOASSERTION` says nothing.)
    pub fn license(&self) -> Option<&str> {
        let known = |l: &&str| !l.trim().is_empty() && *l != "NOASSERTION";
        self.repository
            .as_ref()
            .and_then(|r| r.license.as_deref())
            .filter(known)
            .or_else(|| {
                self.sources
                    .iter()
                    .find_map(|s| s.license.as_deref().filter(known))
            })
    }

    /// Repository stars, from the repository or any source entry.
    pub fn stars(&self) -> Option<u64> {
        self.repository
            .as_ref()
            .and_then(|r| r.stars)
            .or_else(|| self.sources.iter().filter_map(|s| s.stars).max())
    }

    /// When it was first published, as its sources say (the earliest `published_at`; never a
    /// crawl date). `None` when no source says.
    pub fn published_at(&self) -> Option<&str> {
        self.sources
            .iter()
            .filter_map(|s| s.published_at.as_deref())
            .filter(|t| crate::time::is_rfc3339(t))
            .min_by(|a, b| a[..19].cmp(&b[..19]))
    }

    /// When it was last updated, as its sources say (the latest `updated_at`, else the latest
    /// `published_at`; never a crawl date). `None` when no source says.
    pub fn updated_at(&self) -> Option<&str> {
        let latest = |f: fn(&SourceEntry) -> Option<&str>| {
            self.sources
                .iter()
                .filter_map(f)
                .filter(|t| crate::time::is_rfc3339(t))
                .max_by(|a, b| a[..19].cmp(&b[..19]))
        };
        latest(|s| s.updated_at.as_deref()).or_else(|| latest(|s| s.published_at.as_deref()))
    }

    /// The most recent version any package source reports.
    pub fn version(&self) -> Option<&str> {
        self.sources
            .iter()
            .filter(|s| s.source != Source::Github)
            .find_map(|s| s.version.as_deref())
    }
}

/// Cuts `s` to at most `cap` bytes without splitting a character.
/// Cuts `s` to at most `max` chars, the last being `…` when it was cut (so the cut shows);
/// returns whether it cut.
pub fn cap_chars(s: &mut String, max: usize) -> bool {
    match s.char_indices().nth(max) {
        None => false,
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = s
                .char_indices()
                .nth(keep)
                .map(|(i, _)| i)
                .unwrap_or(s.len());
            s.truncate(end);
            if max > 0 {
                s.push('…');
            }
            true
        }
    }
}

pub fn truncate_on_char_boundary(s: &mut String, cap: usize) {
    if s.len() > cap {
        let mut end = cap;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// One place a server was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SourceEntry {
    pub source: Source,
    /// `owner/repo` on GitHub, the package name on npm and PyPI, the server name in the MCP Registry.
    pub identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The record's page at the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloads_monthly: Option<u64>,
    /// Rank among the source's most downloaded packages, where the source gives a rank, not a count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_rank: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<u64>,
    /// The description this source gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// The license this source declares (npm `license`, PyPI `license_expression`/`license`
    /// or its license classifier), as given (usually an SPDX expression).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// The project homepage this source declares (npm `homepage`, PyPI `home_page` or the
    /// `Homepage` project URL), when it is not the repository itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    /// The source failed in the last crawl; this entry was carried over from the previous dataset.
    #[serde(default, skip_serializing_if = "is_false")]
    pub stale: bool,
    /// Deprecated by its publisher (npm `deprecated`, registry status `deprecated`, PyPI yanked).
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
}

impl SourceEntry {
    /// A bare entry first and last seen at `seen`.
    pub fn new(source: Source, identifier: impl Into<String>, seen: &str) -> Self {
        SourceEntry {
            source,
            identifier: identifier.into(),
            version: None,
            url: None,
            downloads_monthly: None,
            download_rank: None,
            stars: None,
            summary: None,
            first_seen: seen.to_string(),
            last_seen: seen.to_string(),
            published_at: None,
            updated_at: None,
            license: None,
            homepage: None,
            stale: false,
            deprecated: false,
        }
    }
}

/// The source repository of a server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Repository {
    /// Normalized URL, `https://github.com/<owner>/<repo>`, original case.
    pub url: String,
    /// `github`, `gitlab`, `bitbucket`, …
    pub forge: String,
    pub owner: String,
    pub name: String,
    /// Path of the server inside a monorepo, `/`-separated, no leading `./` or `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subfolder: Option<String>,
    /// The forge's numeric id: survives renames and transfers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forge_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stars: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forks: Option<u64>,
    /// SPDX id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub archived: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub fork: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_branch: Option<String>,
}

/// How to launch or connect to a server, in the official `server.json` shapes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Install {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<Package>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remotes: Vec<Transport>,
}

impl Install {
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty() && self.remotes.is_empty()
    }

    /// Packages launched over stdio, the ones `probe` can run.
    pub fn stdio_packages(&self) -> impl Iterator<Item = &Package> {
        self.packages.iter().filter(|p| p.transport.kind == "stdio")
    }
}

/// A package a client installs and runs (`server.json` `Package`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Package {
    /// `npm`, `pypi`, `oci`, `nuget`, `mcpb`, `cargo`.
    pub registry_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_base_url: Option<String>,
    pub identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_sha256: Option<String>,
    /// `npx`, `uvx`, `docker`, `dnx`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_hint: Option<String>,
    pub transport: Transport,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtime_arguments: Vec<Argument>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub package_arguments: Vec<Argument>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment_variables: Vec<Argument>,
}

/// A transport (`server.json` `Transport` / `RemoteTransport`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Transport {
    /// `stdio`, `streamable-http` or `sse`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<Argument>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, Argument>,
}

impl Transport {
    pub fn stdio() -> Self {
        Transport {
            kind: "stdio".into(),
            ..Default::default()
        }
    }
}

/// An input: a positional or named argument, an environment variable or a header
/// (`server.json` `Argument` / `KeyValueInput`, one struct for all of them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Argument {
    /// `positional` or `named` for arguments; absent for env vars and headers.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Env var or header name, or `--flag` for a named argument.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_hint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_required: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_secret: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub is_repeated: bool,
    /// `string`, `number`, `boolean`, `filepath`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placeholder: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn published_and_updated_come_from_the_sources_never_the_crawl() {
        let mut s = crate::synthetic::catalogue(1, 7).servers.remove(0);
        for e in &mut s.sources {
            e.published_at = None;
            e.updated_at = None;
        }
        assert_eq!((s.published_at(), s.updated_at()), (None, None));
        let mut a = SourceEntry::new(Source::Npm, "a", &s.first_seen);
        a.published_at = Some("2025-03-01T08:00:00Z".into());
        a.updated_at = Some("2026-01-02T00:00:00.5Z".into());
        let mut b = SourceEntry::new(Source::Github, "o/a", &s.first_seen);
        b.published_at = Some("2024-12-31T23:00:00Z".into());
        b.updated_at = Some("2026-02-01T00:00:00Z".into());
        b.license = Some("not a date".into());
        s.sources = vec![a, b];
        assert_eq!(s.published_at(), Some("2024-12-31T23:00:00Z"));
        assert_eq!(s.updated_at(), Some("2026-02-01T00:00:00Z"));
        s.sources[1].updated_at = Some("garbage".into());
        assert_eq!(s.updated_at(), Some("2026-01-02T00:00:00.5Z"));
    }
}
