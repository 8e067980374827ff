//! What of a [`Server`] gets indexed: its text per field, filter values, prior and result record.
//!
//! Both indexes (tantivy and the browser index) are built from these [`Doc`]s, in dataset order,
//! so document numbers agree between them. This module decides field boosts and the popularity
//! prior; it does not tokenize (that is `search::analyze`).

use std::collections::BTreeMap;

use dataset::{Dataset, Server};
use serde_json::Value;

/// The searchable fields, in a fixed order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Name,
    Title,
    ToolNames,
    PromptNames,
    Keywords,
    Categories,
    Description,
    ToolDescriptions,
    Readme,
    /// The everyday words of the capabilities the vocabulary finds (`crate::vocabulary`).
    Capabilities,
    /// Names of the platform-binary sub-packages grouped under it (`tool-linux-x64`).
    Aliases,
}

impl Field {
    pub const ALL: [Field; 11] = [
        Field::Name,
        Field::Title,
        Field::ToolNames,
        Field::PromptNames,
        Field::Keywords,
        Field::Categories,
        Field::Description,
        Field::ToolDescriptions,
        Field::Readme,
        Field::Capabilities,
        Field::Aliases,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Title => "title",
            Field::ToolNames => "tool_names",
            Field::PromptNames => "prompt_names",
            Field::Keywords => "keywords",
            Field::Categories => "categories",
            Field::Description => "description",
            Field::ToolDescriptions => "tool_descriptions",
            Field::Readme => "readme",
            Field::Capabilities => "capabilities",
            Field::Aliases => "aliases",
        }
    }

    /// Field boost: name and title over tool names over description over README.
    pub fn boost(self) -> f32 {
        match self {
            Field::Name => 5.0,
            Field::Title => 4.0,
            Field::ToolNames => 2.0,
            Field::PromptNames => 1.5,
            Field::Keywords => 1.5,
            Field::Categories => 1.2,
            Field::Description => 1.2,
            Field::ToolDescriptions => 0.6,
            Field::Readme => 0.25,
            Field::Capabilities => 0.5,
            Field::Aliases => 0.5,
        }
    }

    /// How many times its terms are counted in the combined field both engines score
    /// (BM25 over the boosted combination, "BM25F" with one length normalization).
    pub fn repeat(self) -> u32 {
        match self {
            Field::Name => 8,
            Field::Title => 6,
            Field::ToolNames => 3,
            Field::PromptNames | Field::Keywords | Field::Categories | Field::Description => 2,
            Field::ToolDescriptions | Field::Readme | Field::Capabilities | Field::Aliases => 1,
        }
    }

    /// Whether its terms count toward the document's length (BM25's normalization). What the
    /// probe saw (tool and prompt names and descriptions), the README, the capability words and
    /// the sub-packages' names do not: a server whose tools were listed, that documents itself
    /// or that can do many things must not score lower on its own name than one nobody could
    /// run or that ships no README (the official filesystem server fell to third on
    /// "filesystem" when its README was filled in).
    pub fn counts_length(self) -> bool {
        !matches!(
            self,
            Field::Readme
                | Field::ToolNames
                | Field::PromptNames
                | Field::ToolDescriptions
                | Field::Capabilities
                | Field::Aliases
        )
    }

    /// Whether its terms go into the typo-correction vocabulary even when rare.
    pub fn name_like(self) -> bool {
        matches!(
            self,
            Field::Name
                | Field::Title
                | Field::ToolNames
                | Field::PromptNames
                | Field::Keywords
                | Field::Aliases
        )
    }
}

/// README characters indexed (the start says what a server does; the rest is install steps).
pub const README_CHARS: usize = 3000;
/// Description characters kept in a result record.
pub const RECORD_DESCRIPTION: usize = 180;

/// One server ready to index.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Text per field.
    pub fields: BTreeMap<Field, String>,
    /// Filter values: `source`, `kind`, `status`, `category`, `transport` (the declared kinds, plus
    /// `remote` for a record with a Streamable HTTP or SSE endpoint).
    pub filters: Vec<(String, String)>,
    /// Popularity in 0–1: log of monthly downloads (its platform sub-packages' included) and
    /// stars, relative to the catalogue's most used.
    pub popularity: f32,
    /// The multiplicative prior applied to every score ([`prior`]).
    pub prior: f32,
    /// Whole-name keys (`_` + the name's analyzed terms run together, with and without scope):
    /// an exact or started name scores a bonus in both engines.
    pub name_keys: Vec<String>,
    /// Platform-binary sub-packages grouped under this server (their names find it).
    pub platforms: u32,
    /// Monthly downloads, its platform sub-packages' included.
    pub downloads: u64,
    /// Repository stars.
    pub stars: Option<u64>,
    /// Tools the probe listed (None: the probe did not list any, or did not run).
    pub tools: Option<u32>,
}

impl Doc {
    /// The result record the browser shows (compact JSON).
    pub fn record(&self) -> Value {
        let get = |k: &str| -> Vec<&str> {
            self.filters
                .iter()
                .filter(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
                .collect()
        };
        let mut m = serde_json::Map::new();
        m.insert("i".into(), self.id.clone().into());
        m.insert("n".into(), self.name.clone().into());
        if let Some(t) = &self.title {
            m.insert("t".into(), t.clone().into());
        }
        if let Some(d) = &self.description {
            m.insert("d".into(), cut_chars(d, RECORD_DESCRIPTION).into());
        }
        m.insert("u".into(), self.slug.clone().into());
        m.insert("s".into(), get("source").into());
        m.insert(
            "k".into(),
            get("kind").first().copied().unwrap_or("server").into(),
        );
        m.insert(
            "st".into(),
            get("status").first().copied().unwrap_or("unprobed").into(),
        );
        if self.platforms > 0 {
            m.insert("p".into(), self.platforms.into());
        }
        if self.downloads > 0 {
            m.insert("dl".into(), self.downloads.into());
        }
        if let Some(n) = self.stars.filter(|&n| n > 0) {
            m.insert("sr".into(), n.into());
        }
        if let Some(n) = self.tools {
            m.insert("tc".into(), n.into());
        }
        let cats = get("category");
        if !cats.is_empty() {
            m.insert("c".into(), cats.into());
        }
        Value::Object(m)
    }
}

/// `s` cut to at most `n` characters at a word boundary (a single overlong word is cut where
/// it must), with an ellipsis when anything was cut.
fn cut_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => {
            let head = &s[..i];
            // Cut at the last space when the next character does not start a new word.
            let cut = if s[i..].starts_with(char::is_whitespace) {
                head
            } else {
                match head.rfind(char::is_whitespace) {
                    Some(j) if j > 0 => &head[..j],
                    _ => head,
                }
            };
            format!(
                "{}…",
                cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:-".contains(c))
            )
        }
        None => s.to_string(),
    }
}

fn value_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Prepares every server of the dataset, most popular first (then by id): document numbers
/// follow this order, so equal scores fall back to popularity in every engine. Platform-binary
/// sub-packages ([`platform_groups`]) get no document of their own: their parent is found by
/// their names and counts their downloads.
pub fn prepare(ds: &Dataset) -> Vec<Doc> {
    let vocab = match crate::vocabulary::Vocabulary::builtin() {
        Ok(v) => v,
        Err(e) => {
            tracing::error!("the search vocabulary is unusable, indexing without it: {e:#}");
            crate::vocabulary::Vocabulary::default()
        }
    };
    let slugs = dataset::slug::assign(&ds.servers);
    let groups = platform_groups(ds);
    let mut children: BTreeMap<&str, Vec<&Server>> = BTreeMap::new();
    for s in &ds.servers {
        if let Some(parent) = groups.get(&s.id) {
            children.entry(parent.as_str()).or_default().push(s);
        }
    }
    let kept: Vec<&Server> = ds
        .servers
        .iter()
        .filter(|s| !groups.contains_key(&s.id))
        .collect();
    let raw_pop: Vec<f64> = kept
        .iter()
        .map(|s| {
            let subs = children
                .get(s.id.as_str())
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            raw_popularity(s, subs)
        })
        .collect();
    let max_pop = raw_pop.iter().cloned().fold(0.0f64, f64::max).max(1e-9);
    let mut docs: Vec<Doc> = kept
        .iter()
        .zip(raw_pop)
        .map(|(s, p)| {
            let slug = slugs
                .get(&s.id)
                .cloned()
                .unwrap_or_else(|| dataset::slug::slugify(&s.name));
            let mut d = doc(s, slug, (p / max_pop) as f32, &vocab);
            for sub in children.get(s.id.as_str()).into_iter().flatten() {
                d.platforms += 1;
                d.downloads += sub.downloads_monthly();
                let e = d.fields.entry(Field::Aliases).or_default();
                if !e.is_empty() {
                    e.push('\n');
                }
                e.push_str(&sub.name);
                for k in name_keys(&sub.name) {
                    if !d.name_keys.contains(&k) {
                        d.name_keys.push(k);
                    }
                }
            }
            d
        })
        .collect();
    docs.sort_by(|a, b| {
        b.popularity
            .total_cmp(&a.popularity)
            .then_with(|| a.id.cmp(&b.id))
    });
    docs
}

/// Operating-system and architecture words of platform-binary package names
/// (`tool-linux-x64`, `tool_darwin_arm64`, `tool-win32-x64-msvc`).
const PLATFORM_OS: &[&str] = &[
    "linux", "darwin", "macos", "osx", "win32", "windows", "win", "freebsd", "android", "alpine",
];
const PLATFORM_ARCH: &[&str] = &[
    "x64",
    "x86_64",
    "x86-64",
    "amd64",
    "arm64",
    "aarch64",
    "ia32",
    "x86",
    "arm",
    "armv7",
    "universal",
];
const PLATFORM_ABI: &[&str] = &["gnu", "musl", "msvc", "gnueabihf", "eabi"];

/// The name a platform-binary package belongs to (`@azure/mcp-linux-x64` → `@azure/mcp`), by
/// its trailing `-<os>-<arch>[-<abi>]` (`-` or `_`); None for any other name.
pub fn platform_parent_name(name: &str) -> Option<&str> {
    let lower = name.to_ascii_lowercase();
    let mut parts: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for (i, c) in lower.char_indices() {
        if c == '-' || c == '_' || c == '/' {
            parts.push((start, &lower[start..i]));
            start = i + 1;
        }
    }
    parts.push((start, &lower[start..]));
    let mut n = parts.len();
    if n >= 1 && PLATFORM_ABI.contains(&parts[n - 1].1) {
        n -= 1;
    }
    // `x86_64` and `x86-64` are split by the separators: join them back.
    let mut arch_at = n.checked_sub(1)?;
    let arch_joined = if arch_at >= 1 && parts[arch_at].1 == "64" && parts[arch_at - 1].1 == "x86" {
        arch_at -= 1;
        true
    } else {
        false
    };
    if !arch_joined && !PLATFORM_ARCH.contains(&parts[arch_at].1) {
        return None;
    }
    let os_at = arch_at.checked_sub(1)?;
    if !PLATFORM_OS.contains(&parts[os_at].1) || os_at == 0 {
        return None;
    }
    let cut = parts[os_at].0.checked_sub(1)?;
    // `@scope/linux-x64` has no parent name of its own.
    if lower.as_bytes().get(cut) == Some(&b'/') {
        return None;
    }
    let parent = &name[..cut];
    (!parent.is_empty() && !parent.ends_with('@')).then_some(parent)
}

/// The platform-binary sub-packages grouped under their parent: sub-package id → parent id.
/// `Server.platform_of` (filled by enrich) decides, when it names a record of the dataset. A
/// dataset in which no record has `platform_of` (enriched before the field existed) is read by
/// [`platform_parent_name`]: a name ending in `-<os>-<arch>` whose remaining name is another
/// record's, of the same source. A parent that is itself a sub-package is never grouped under.
pub fn platform_groups(ds: &Dataset) -> BTreeMap<String, String> {
    let ids: std::collections::HashSet<&str> = ds.servers.iter().map(|s| s.id.as_str()).collect();
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    if ds.servers.iter().any(|s| s.platform_of.is_some()) {
        for s in &ds.servers {
            if let Some(p) = &s.platform_of {
                if p != &s.id && ids.contains(p.as_str()) {
                    out.insert(s.id.clone(), p.clone());
                }
            }
        }
    } else {
        let mut by_name: BTreeMap<(dataset::Source, String), &str> = BTreeMap::new();
        for s in &ds.servers {
            for e in &s.sources {
                by_name
                    .entry((e.source, e.identifier.to_ascii_lowercase()))
                    .or_insert(s.id.as_str());
            }
        }
        for s in &ds.servers {
            let parent = s.sources.iter().find_map(|e| {
                let p = platform_parent_name(&e.identifier)?;
                by_name.get(&(e.source, p.to_ascii_lowercase())).copied()
            });
            if let Some(p) = parent.filter(|p| *p != s.id) {
                out.insert(s.id.clone(), p.to_string());
            }
        }
    }
    // Never a chain: a parent that is itself grouped keeps its own sub-packages.
    let grouped: Vec<String> = out.keys().cloned().collect();
    out.retain(|_, p| !grouped.contains(p));
    out
}

/// Monthly downloads of a server and its platform sub-packages, plus 20 per repository star:
/// how much it is used, on a log scale.
fn raw_popularity(s: &Server, subs: &[&Server]) -> f64 {
    let downloads: u64 =
        s.downloads_monthly() + subs.iter().map(|c| c.downloads_monthly()).sum::<u64>();
    let d = downloads as f64 + 20.0 * s.stars().unwrap_or(0) as f64;
    (1.0 + d).ln()
}

/// Weight of popularity (0–1, log of use relative to the catalogue's most used) in the prior:
/// the prior grows by `exp(weight × popularity)`, so the most used server of a catalogue scores
/// e^weight times one nobody uses, and 10× the downloads of another is worth the same factor at
/// any scale.
pub const POPULARITY_WEIGHT: f32 = 1.0;
/// Weight of enrich's quality score (0–100 → 0–1) in the prior.
pub const QUALITY_WEIGHT: f32 = 0.15;
/// The prior's factor for a server the probe ran and listed (`ok`), or that ran and asked for
/// configuration (`needs_config`); for one that failed (install, start or crash); for a record
/// that is not an MCP server (client, SDK, framework, other).
pub const VERIFIED: f32 = 1.15;
pub const NEEDS_CONFIG: f32 = 1.08;
pub const FAILED: f32 = 0.85;
pub const NOT_A_SERVER: f32 = 0.8;

/// The multiplicative prior of a server's every score: popularity and quality raise it, a
/// verified run raises it further, a failed probe and not being a server lower it.
pub fn prior(s: &Server, popularity: f32) -> f32 {
    use dataset::Outcome;
    let quality = s
        .score
        .as_ref()
        .map(|x| x.total)
        .filter(|t| t.is_finite())
        .map_or(0.0, |t| (t.clamp(0.0, 100.0) / 100.0) as f32);
    let mut p =
        (POPULARITY_WEIGHT * popularity.clamp(0.0, 1.0)).exp() * (1.0 + QUALITY_WEIGHT * quality);
    p *= match s.probe.as_ref().map(|p| p.outcome) {
        _ if s.verified() => VERIFIED,
        Some(Outcome::NeedsConfig) => NEEDS_CONFIG,
        Some(o) if !o.is_up() => FAILED,
        _ => 1.0,
    };
    if s.kind != dataset::Kind::Server {
        p *= NOT_A_SERVER;
    }
    p
}

fn doc(s: &Server, slug: String, popularity: f32, vocab: &crate::vocabulary::Vocabulary) -> Doc {
    let mut fields: BTreeMap<Field, String> = BTreeMap::new();
    let mut add = |f: Field, text: &str| {
        let t = text.trim();
        if t.is_empty() {
            return;
        }
        let e = fields.entry(f).or_default();
        if !e.is_empty() {
            e.push('\n');
        }
        e.push_str(t);
    };
    add(Field::Name, &s.name);
    // Other identifiers (npm package, GitHub owner/repo) when they differ from the name.
    let mut seen = vec![s.name.to_lowercase()];
    for src in &s.sources {
        let ident = src.identifier.to_lowercase();
        if !seen.contains(&ident) {
            add(Field::Name, &src.identifier);
            seen.push(ident);
        }
    }
    if let Some(t) = &s.title {
        add(Field::Title, t);
    }
    let mut descs: Vec<&str> = Vec::new();
    for d in s
        .description
        .iter()
        .chain(s.repository.iter().filter_map(|r| r.description.as_ref()))
        .chain(s.sources.iter().filter_map(|e| e.summary.as_ref()))
    {
        if !descs.iter().any(|x| x.eq_ignore_ascii_case(d)) {
            descs.push(d);
        }
    }
    for d in descs {
        add(Field::Description, d);
    }
    for k in &s.keywords {
        add(Field::Keywords, k);
    }
    if let Some(r) = &s.repository {
        for t in &r.topics {
            add(Field::Keywords, t);
        }
    }
    for c in &s.categories {
        add(Field::Categories, &c.id);
    }
    if let Some(p) = &s.probe {
        for t in &p.tools {
            if let Some(n) = value_str(t, "name") {
                add(Field::ToolNames, n);
            }
            if let Some(t) = value_str(t, "title") {
                add(Field::ToolNames, t);
            }
            if let Some(d) = value_str(t, "description") {
                add(Field::ToolDescriptions, &cut_chars(d, 400));
            }
        }
        for pr in &p.prompts {
            if let Some(n) = value_str(pr, "name") {
                add(Field::PromptNames, n);
            }
        }
    }
    if let Some(r) = &s.readme {
        add(Field::Readme, &cut_chars(r, README_CHARS));
    }
    add(Field::Capabilities, &vocab.words_for(s));

    let mut filters: Vec<(String, String)> = Vec::new();
    for src in &s.sources {
        filters.push(("source".into(), src.source.as_str().into()));
    }
    filters.push(("kind".into(), s.kind.as_str().into()));
    // A server that answered over stdio or on one of its remote endpoints is `ok`; otherwise the
    // stdio probe's outcome, else the first remote endpoint's.
    let status = if s.verified() {
        "ok"
    } else {
        s.probe
            .as_ref()
            .or(s.remote_probes.first())
            .map_or("unprobed", |p| p.outcome.as_str())
    };
    filters.push(("status".into(), status.into()));
    for c in &s.categories {
        filters.push(("category".into(), c.id.clone()));
    }
    // Spec features any probe saw, stdio or remote (`feature=apps`, `tasks`, `output-schemas`,
    // `icons`, `deprecated`), each once.
    let mut features = std::collections::BTreeSet::new();
    for f in s
        .probe
        .iter()
        .chain(&s.remote_probes)
        .filter_map(|p| p.features.as_ref())
    {
        for (on, name) in [
            (f.mcp_apps, "apps"),
            (f.tasks, "tasks"),
            (f.tools_with_output_schema > 0, "output-schemas"),
            (f.icons, "icons"),
            (!f.deprecated.is_empty(), "deprecated"),
        ] {
            if on {
                features.insert(name);
            }
        }
    }
    for f in features {
        filters.push(("feature".into(), f.into()));
    }
    // The worst security finding on what the probe recorded (`findings=danger`, `=warning`, …).
    if let Some(w) = s.trust.as_ref().and_then(|t| t.worst) {
        filters.push(("findings".into(), w.as_str().into()));
    }
    for p in &s.install.packages {
        filters.push(("transport".into(), p.transport.kind.clone()));
    }
    for r in &s.install.remotes {
        filters.push(("transport".into(), r.kind.clone()));
    }
    // One value for "reached over HTTP", whichever of the two remote transports it declares.
    if s.install
        .remotes
        .iter()
        .any(|r| matches!(r.kind.as_str(), "streamable-http" | "sse"))
    {
        filters.push(("transport".into(), "remote".into()));
    }
    filters.sort();
    filters.dedup();

    let prior = prior(s, popularity);
    Doc {
        id: s.id.clone(),
        slug,
        name: s.name.clone(),
        title: s.title.clone(),
        description: s.description.clone(),
        fields,
        filters,
        popularity,
        prior,
        name_keys: name_keys(&s.name),
        platforms: 0,
        downloads: s.downloads_monthly(),
        stars: s.stars(),
        tools: s
            .probe
            .as_ref()
            .filter(|p| !p.tools.is_empty() || p.outcome == dataset::Outcome::Ok)
            .map(|p| u32::try_from(p.tools.len()).unwrap_or(u32::MAX)),
    }
}

/// Words of a package name that say it is an MCP server, not what it is for: the product
/// name is what is left (`@modelcontextprotocol/server-github`, `github-mcp-server` → `github`).
pub const GENERIC_NAME_WORDS: &[&str] = &[
    "mcp",
    "server",
    "model",
    "context",
    "protocol",
    "modelcontextprotocol",
];

/// The whole-name keys of a name: the full name's, the unscoped name's, and the product name's
/// (the unscoped name without [`GENERIC_NAME_WORDS`], or the scope's when nothing else is left),
/// so a search for a product's name meets
/// every server named after it alike, and popularity decides among them.
pub fn name_keys(name: &str) -> Vec<String> {
    let mut keys: Vec<String> = search::analyze::name_key(name).into_iter().collect();
    let (scope, unscoped) = name
        .strip_prefix('@')
        .and_then(|n| n.split_once('/'))
        .unwrap_or(("", name));
    let product = |text: &str| -> String {
        search::analyze::tokens(text)
            .into_iter()
            .filter(|t| !GENERIC_NAME_WORDS.contains(&t.as_str()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    // `@playwright/mcp`: nothing but generic words after the scope, the scope is the product.
    let mut core = product(unscoped);
    if core.is_empty() {
        core = product(scope);
    }
    for k in [
        search::analyze::name_key(unscoped),
        search::analyze::name_key(&core),
    ]
    .into_iter()
    .flatten()
    {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::cut_chars;

    #[test]
    fn descriptions_are_cut_between_words() {
        assert_eq!(cut_chars("short", 10), "short");
        assert_eq!(
            cut_chars("read and write files, fast", 16),
            "read and write…"
        );
        assert_eq!(cut_chars("read and write files", 14), "read and write…");
        assert_eq!(cut_chars("supercalifragilistic", 5), "super…");
        assert_eq!(cut_chars("données très longues", 9), "données…");
    }
}
