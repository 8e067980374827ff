//! [`Found`]: what one source says about one thing, before merging.
//!
//! Every source turns its responses into `Found` values; [`crate::merge`] groups them into
//! dataset records. A `Found` holds facts only (names, links, counts, classification signals);
//! it does not decide the record's id or kind.

use dataset::{Package, Repository, Source, Transport};

use crate::normalize::RepoRef;

/// Classification signal names (also written to `kind_signals`).
pub mod signal {
    /// Listed in the official MCP Registry.
    pub const REGISTRY_LISTED: &str = "registry:listed";
    /// npm `mcpName` field.
    pub const NPM_MCP_NAME: &str = "npm:mcpName";
    /// `mcp-name:` marker in a PyPI description.
    pub const PYPI_MCP_NAME: &str = "pypi:mcp-name";
    /// A `server.json` in the repository.
    pub const SERVER_JSON: &str = "repo:server.json";
    /// Depends on an MCP SDK (`@modelcontextprotocol/sdk`, `mcp`, `fastmcp`, …).
    pub const DEPENDS_ON_SDK: &str = "deps:mcp-sdk";
    /// Has an executable entry point (npm `bin`, a console script, a Cargo binary).
    pub const ENTRY_POINT: &str = "entry-point";
    /// A `smithery.yaml` in the repository.
    pub const SMITHERY: &str = "repo:smithery.yaml";
}

/// One item from one source (serializable: checkpoints and the crawl state keep them).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Found {
    pub source: Source,
    /// `owner/repo`, the package name as published, or the Registry server name.
    pub identifier: String,
    /// Display name.
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub version: Option<String>,
    /// Page at the source, when one can be built from configuration.
    pub url: Option<String>,
    pub downloads_monthly: Option<u64>,
    pub download_rank: Option<u64>,
    pub stars: Option<u64>,
    pub summary: Option<String>,
    pub published_at: Option<String>,
    pub updated_at: Option<String>,
    /// The license the source declares.
    #[serde(default)]
    pub license: Option<String>,
    /// The homepage the source declares (not the repository).
    #[serde(default)]
    pub homepage: Option<String>,
    pub deprecated: bool,
    /// The repository it links to, normalized.
    pub repo: Option<RepoRef>,
    /// Full repository metadata (GitHub source only).
    pub repo_meta: Option<Repository>,
    pub keywords: Vec<String>,
    pub packages: Vec<Package>,
    pub remotes: Vec<Transport>,
    /// Classification signals that fired (see [`signal`]).
    pub signals: Vec<String>,
    pub readme: Option<String>,
    /// Other ids this item is known to be (a Registry entry's `npm:<pkg>`, an npm package's
    /// `mcp-registry:<mcpName>`): merging joins items that share one.
    pub links: Vec<String>,
    /// When the source last returned or confirmed this item, if not tonight (an item a source
    /// carries from an earlier night without seeing it again): its entry's `last_seen`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<String>,
}

impl Found {
    pub fn new(source: Source, identifier: impl Into<String>, name: impl Into<String>) -> Self {
        Found {
            source,
            identifier: identifier.into(),
            name: name.into(),
            title: None,
            description: None,
            version: None,
            url: None,
            downloads_monthly: None,
            download_rank: None,
            stars: None,
            summary: None,
            published_at: None,
            updated_at: None,
            license: None,
            homepage: None,
            deprecated: false,
            repo: None,
            repo_meta: None,
            keywords: Vec::new(),
            packages: Vec::new(),
            remotes: Vec::new(),
            signals: Vec::new(),
            readme: None,
            links: Vec::new(),
            seen_at: None,
        }
    }

    /// Caps what a stranger wrote ([`dataset::DESCRIPTION_CAP`] and the other caps there):
    /// long text is cut at a char boundary ending in `…`, an over-long keyword or URL is
    /// dropped, the README keeps [`dataset::README_CAP`] bytes. Every source's items pass here
    /// before they are kept or merged.
    pub fn cap_fields(&mut self) {
        use dataset::{
            cap_chars, DESCRIPTION_CAP, KEYWORDS_MAX, KEYWORD_CAP, NAME_CAP, SHORT_CAP, URL_CAP,
        };
        cap_chars(&mut self.name, NAME_CAP);
        for t in [&mut self.title].into_iter().flatten() {
            cap_chars(t, NAME_CAP);
        }
        for t in [&mut self.description, &mut self.summary]
            .into_iter()
            .flatten()
        {
            cap_chars(t, DESCRIPTION_CAP);
        }
        for t in [&mut self.version, &mut self.license].into_iter().flatten() {
            cap_chars(t, SHORT_CAP);
        }
        for u in [&mut self.url, &mut self.homepage] {
            if u.as_ref().is_some_and(|u| u.len() > URL_CAP) {
                *u = None;
            }
        }
        self.keywords
            .retain(|k| k.chars().nth(KEYWORD_CAP).is_none());
        self.keywords.truncate(KEYWORDS_MAX);
        self.links.retain(|l| l.len() <= URL_CAP);
        if let Some(r) = &mut self.readme {
            dataset::truncate_on_char_boundary(r, dataset::README_CAP);
        }
        if let Some(m) = &mut self.repo_meta {
            if let Some(d) = &mut m.description {
                cap_chars(d, DESCRIPTION_CAP);
            }
            m.topics.retain(|k| k.chars().nth(KEYWORD_CAP).is_none());
            m.topics.truncate(KEYWORDS_MAX);
        }
    }

    /// The id this item has on its own: `npm:<name>`, `pypi:<pep503>`, `mcp-registry:<name>`,
    /// `github:<owner>/<repo>` (lowercased, with the subfolder when known).
    pub fn own_id(&self) -> String {
        match self.source {
            Source::Npm => format!("npm:{}", self.identifier),
            Source::Pypi => format!("pypi:{}", crate::normalize::pep503(&self.identifier)),
            Source::McpRegistry => format!("mcp-registry:{}", self.identifier),
            Source::Github => self
                .repo
                .as_ref()
                .and_then(RepoRef::id)
                .unwrap_or_else(|| format!("github:{}", self.identifier.to_lowercase())),
        }
    }
}
