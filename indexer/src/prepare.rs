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
}

impl Field {
    pub const ALL: [Field; 9] = [
        Field::Name,
        Field::Title,
        Field::ToolNames,
        Field::PromptNames,
        Field::Keywords,
        Field::Categories,
        Field::Description,
        Field::ToolDescriptions,
        Field::Readme,
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
            Field::ToolDescriptions | Field::Readme => 1,
        }
    }

    /// Whether its terms go into the typo-correction vocabulary even when rare.
    pub fn name_like(self) -> bool {
        matches!(
            self,
            Field::Name | Field::Title | Field::ToolNames | Field::PromptNames | Field::Keywords
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
    /// Filter values: `source`, `kind`, `status`, `category`, `transport`.
    pub filters: Vec<(String, String)>,
    /// Popularity in 0–1 (log of downloads and stars, or the enrich score when present).
    pub popularity: f32,
    /// The multiplicative prior applied to every score: a gentle tie-breaker.
    pub prior: f32,
    /// Whole-name keys (`_` + the name's analyzed terms run together, with and without scope):
    /// an exact or started name scores a bonus in both engines.
    pub name_keys: Vec<String>,
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
        let cats = get("category");
        if !cats.is_empty() {
            m.insert("c".into(), cats.into());
        }
        Value::Object(m)
    }
}

fn cut_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", s[..i].trim_end()),
        None => s.to_string(),
    }
}

fn value_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Prepares every server of the dataset, most popular first (then by id): document numbers
/// follow this order, so equal scores fall back to popularity in every engine.
pub fn prepare(ds: &Dataset) -> Vec<Doc> {
    let slugs = dataset::slug::assign(&ds.servers);
    let raw_pop: Vec<f64> = ds.servers.iter().map(raw_popularity).collect();
    let max_pop = raw_pop.iter().cloned().fold(0.0f64, f64::max).max(1e-9);
    let mut docs: Vec<Doc> = ds
        .servers
        .iter()
        .zip(raw_pop)
        .map(|(s, p)| {
            let slug = slugs
                .get(&s.id)
                .cloned()
                .unwrap_or_else(|| dataset::slug::slugify(&s.name));
            doc(s, slug, (p / max_pop) as f32)
        })
        .collect();
    docs.sort_by(|a, b| {
        b.popularity
            .total_cmp(&a.popularity)
            .then_with(|| a.id.cmp(&b.id))
    });
    docs
}

fn raw_popularity(s: &Server) -> f64 {
    if let Some(score) = &s.score {
        if score.total.is_finite() {
            return score.total.clamp(0.0, 100.0);
        }
    }
    let d = s.downloads_monthly() as f64 + 20.0 * s.stars().unwrap_or(0) as f64;
    (1.0 + d).ln()
}

fn doc(s: &Server, slug: String, popularity: f32) -> Doc {
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

    let mut filters: Vec<(String, String)> = Vec::new();
    for src in &s.sources {
        filters.push(("source".into(), src.source.as_str().into()));
    }
    filters.push(("kind".into(), s.kind.as_str().into()));
    let status = s
        .probe
        .as_ref()
        .map(|p| p.outcome.as_str())
        .unwrap_or("unprobed");
    filters.push(("status".into(), status.into()));
    for c in &s.categories {
        filters.push(("category".into(), c.id.clone()));
    }
    for p in &s.install.packages {
        filters.push(("transport".into(), p.transport.kind.clone()));
    }
    for r in &s.install.remotes {
        filters.push(("transport".into(), r.kind.clone()));
    }
    filters.sort();
    filters.dedup();

    let healthy = s.probe.as_ref().is_some_and(|p| p.outcome.is_up());
    let prior = 1.0 + 0.3 * popularity.clamp(0.0, 1.0) + if healthy { 0.03 } else { 0.0 };
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
    }
}

fn name_keys(name: &str) -> Vec<String> {
    let mut keys: Vec<String> = search::analyze::name_key(name).into_iter().collect();
    if let Some((_, unscoped)) = name.strip_prefix('@').and_then(|n| n.split_once('/')) {
        if let Some(k) = search::analyze::name_key(unscoped) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}
