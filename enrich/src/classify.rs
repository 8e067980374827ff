//! The category classifier: a primary category and at most one close secondary per server, each
//! with a 0–1 score and the
//! evidence that produced it.
//!
//! Every text field of a record (name, descriptions, keywords and topics, tool names, tool
//! descriptions, README headings) is tokenized and matched against the taxonomy's terms. Within one
//! field a category's weight is the sum of its distinct matched terms, capped, so repeating or
//! piling up words in a single field cannot buy a category; fields are then weighted (the name
//! counts most). A record whose text matches many categories at once is treated as keyword
//! stuffing: its scores are diluted and it is flagged. It does not use a trained model, the
//! network, or any other record.

use std::collections::{BTreeMap, BTreeSet};

use dataset::{CategoryAssignment, Kind, Server};
use serde_json::Value;

use crate::taxonomy::{self, CATEGORIES, OTHER};
use crate::text;

/// At most this many categories per server: a primary and at most one secondary.
pub const MAX_CATEGORIES: usize = 2;
/// A category's weight within one field never exceeds this.
const FIELD_CAP: f64 = 2.0;
/// Smallest weighted sum that can earn a category.
const MIN_RAW: f64 = 1.5;
/// A secondary category must reach this fraction of the primary's weight.
const RELATIVE: f64 = 0.9;
/// More candidate categories than this looks like keyword stuffing.
const STUFFING_CANDIDATES: usize = 7;
/// Keyword lists longer than this are down-weighted proportionally.
const KEYWORDS_FAIR: usize = 20;
/// Evidence entries kept per category.
const EVIDENCE_CAP: usize = 6;

/// The fields the classifier reads, with their weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Name,
    Description,
    Keyword,
    Tool,
    ToolDescription,
    Readme,
}

impl Field {
    fn weight(self) -> f64 {
        match self {
            Field::Name => 3.0,
            Field::Description => 2.0,
            Field::Keyword => 1.5,
            Field::Tool => 1.0,
            Field::ToolDescription => 0.75,
            Field::Readme => 0.75,
        }
    }
    fn label(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Description => "description",
            Field::Keyword => "keyword",
            Field::Tool => "tool",
            Field::ToolDescription => "tool-description",
            Field::Readme => "readme",
        }
    }
}

/// The classifier's answer for one server.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// Up to [`MAX_CATEGORIES`] categories, best first; `other` alone when nothing matched.
    pub categories: Vec<CategoryAssignment>,
    /// How many categories had enough evidence before the cut to three.
    pub candidates: usize,
    /// The text matched so many categories that it looks like keyword stuffing.
    pub stuffed: bool,
}

/// The texts of one record, grouped by field.
fn fields(s: &Server) -> Vec<(Field, Vec<String>)> {
    let mut name = vec![s.name.clone()];
    name.extend(s.title.clone());
    if let Some(r) = &s.repository {
        name.push(r.name.clone());
    }
    let mut desc: BTreeSet<String> = BTreeSet::new();
    desc.extend(s.description.clone());
    desc.extend(s.sources.iter().filter_map(|e| e.summary.clone()));
    if let Some(r) = &s.repository {
        desc.extend(r.description.clone());
    }
    let mut keywords: BTreeSet<String> = s.keywords.iter().cloned().collect();
    if let Some(r) = &s.repository {
        keywords.extend(r.topics.iter().cloned());
    }
    let mut tools = Vec::new();
    let mut tool_descs = Vec::new();
    if let Some(p) = &s.probe {
        for t in &p.tools {
            if let Some(n) = t.get("name").and_then(Value::as_str) {
                tools.push(n.to_string());
            }
            if let Some(d) = t.get("description").and_then(Value::as_str) {
                // The first sentence says what a tool is for; the rest is usage detail.
                let d = text::capped(d);
                let first = d.split(['.', '\n']).next().unwrap_or(d);
                tool_descs.push(first.to_string());
            }
        }
    }
    let mut headings = Vec::new();
    if let Some(readme) = &s.readme {
        for line in text::capped(readme).lines() {
            let l = line.trim_start();
            if l.starts_with('#') && headings.len() < 30 {
                headings.push(l.trim_start_matches('#').to_string());
            }
        }
    }
    vec![
        (Field::Name, name),
        (Field::Description, desc.into_iter().collect()),
        (Field::Keyword, keywords.into_iter().collect()),
        (Field::Tool, tools),
        (Field::ToolDescription, tool_descs),
        (Field::Readme, headings),
    ]
}

/// Whether a record is tooling for building on MCP rather than a server for some domain: its
/// name is the bare `mcp` of a framework's scope or plugin (`@mui/mcp`, `fastify-mcp`,
/// `nuxt-mcp`) or says nothing but that it is MCP (`mcp-lite`, `use-mcp`).
fn mcp_tooling(s: &Server) -> bool {
    let words = text::tokens(&s.name);
    let domainless = words.iter().all(|w| {
        matches!(
            w.as_str(),
            "mcp" | "server" | "lite" | "use" | "add" | "tool" | "tools"
        )
    });
    domainless || s.name.starts_with('@') && s.name.ends_with("/mcp")
}

/// Classifies one server.
pub fn classify(s: &Server) -> Classification {
    let index = taxonomy::term_index();
    let n = CATEGORIES.len();
    let mut raw = vec![0.0f64; n];
    // Per category: (field, term weight, term) for evidence.
    let mut evidence: Vec<Vec<(Field, f64, String)>> = vec![Vec::new(); n];

    for (field, texts) in fields(s) {
        if texts.is_empty() {
            continue;
        }
        let mut scale = 1.0;
        if field == Field::Keyword && texts.len() > KEYWORDS_FAIR {
            scale = KEYWORDS_FAIR as f64 / texts.len() as f64;
        }
        // Tools: a category's weight also depends on how many of the tools point to it.
        let per_text_fraction = matches!(field, Field::Tool | Field::ToolDescription);
        let mut matched: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); n];
        let mut texts_hit = vec![0usize; n];
        for t in &texts {
            let mut hit_here = vec![false; n];
            for term in text::terms_of(&text::strip_boilerplate(text::tokens(t))) {
                if let Some(cats) = index.get(&term) {
                    for &(ci, w) in cats {
                        let e = matched[ci].entry(term.clone()).or_insert(0.0);
                        *e = f64::max(*e, w);
                        hit_here[ci] = true;
                    }
                }
            }
            for (ci, h) in hit_here.iter().enumerate() {
                texts_hit[ci] += usize::from(*h);
            }
        }
        for ci in 0..n {
            if matched[ci].is_empty() {
                continue;
            }
            let sum: f64 = matched[ci].values().sum();
            let mut v = sum.min(FIELD_CAP) * scale;
            if per_text_fraction {
                let frac = texts_hit[ci] as f64 / texts.len() as f64;
                v *= (0.25 + frac).min(1.0);
            }
            raw[ci] += v * field.weight();
            for (term, w) in &matched[ci] {
                evidence[ci].push((field, *w, term.clone()));
            }
        }
    }

    // SDKs, frameworks and clients are tools for developers, whatever their text says.
    if matches!(s.kind, Kind::Sdk | Kind::Framework | Kind::Client) {
        if let Some(ci) = CATEGORIES.iter().position(|c| c.id == "developer-tools") {
            raw[ci] += 3.0;
            evidence[ci].push((Field::Name, 1.0, format!("kind={}", s.kind.as_str())));
        }
    }

    let mut ranked: Vec<usize> = (0..n).filter(|&ci| raw[ci] >= MIN_RAW).collect();
    ranked.sort_by(|&a, &b| raw[b].total_cmp(&raw[a]).then(a.cmp(&b)));
    let candidates = ranked.len();
    let stuffed = candidates > STUFFING_CANDIDATES;
    let dilution = if stuffed {
        STUFFING_CANDIDATES as f64 / candidates as f64 / 2.0
    } else {
        1.0
    };
    let top = ranked.first().map(|&ci| raw[ci]).unwrap_or(0.0);
    let mut categories = Vec::new();
    for ci in ranked {
        if categories.len() == MAX_CATEGORIES || raw[ci] < RELATIVE * top {
            break;
        }
        let mut ev = std::mem::take(&mut evidence[ci]);
        ev.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        ev.dedup_by(|a, b| a.0 == b.0 && a.2 == b.2);
        let evidence = ev
            .into_iter()
            .take(EVIDENCE_CAP)
            .map(|(f, _, t)| format!("{}:{}", f.label(), t))
            .collect();
        categories.push(CategoryAssignment {
            id: CATEGORIES[ci].id.to_string(),
            score: text::round2((1.0 - (-raw[ci] / 4.0).exp()) * dilution),
            evidence,
        });
    }
    // Nothing fired: a library, adapter, transport or plugin for MCP itself (or any SDK,
    // framework or client) is a developer tool; only what is none of those is "other".
    if categories.is_empty() && (s.kind != Kind::Server || mcp_tooling(s)) {
        categories.push(CategoryAssignment {
            id: "developer-tools".to_string(),
            score: 0.3,
            evidence: vec![format!("kind={}", s.kind.as_str())],
        });
    }
    if categories.is_empty() {
        categories.push(CategoryAssignment {
            id: OTHER.to_string(),
            score: 0.0,
            evidence: Vec::new(),
        });
    }
    Classification {
        categories,
        candidates,
        stuffed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(name: &str, desc: &str) -> Server {
        Server {
            id: format!("npm:{name}"),
            name: name.into(),
            description: Some(desc.into()),
            ..Default::default()
        }
    }

    fn ids(c: &Classification) -> Vec<&str> {
        c.categories.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn obvious_servers_land_in_their_category() {
        let c = classify(&server(
            "@modelcontextprotocol/server-postgres",
            "MCP server for interacting with PostgreSQL databases",
        ));
        assert_eq!(ids(&c)[0], "databases");
        assert!(c.categories[0]
            .evidence
            .iter()
            .any(|e| e == "name:postgres"));
        let c = classify(&server("slack-mcp", "Send messages to Slack channels"));
        assert_eq!(ids(&c)[0], "communication");
    }

    #[test]
    fn tools_topics_and_readme_headings_count() {
        use dataset::{Outcome, ProbeRecord, Repository};
        let mut s = server("acme-thing", "");
        let mut p = ProbeRecord::bare(Outcome::Ok, "2026-11-22T00:00:00Z");
        p.tools = vec![
            serde_json::json!({"name": "list_tables", "description": "List tables in the SQL database"}),
            serde_json::json!({"name": "run_query", "description": "Run a read-only SQL query"}),
        ];
        s.probe = Some(p);
        let c = classify(&s);
        assert_eq!(ids(&c), vec!["databases"]);
        assert!(c.categories[0]
            .evidence
            .iter()
            .any(|e| e.starts_with("tool:")));
        assert!(c.categories[0]
            .evidence
            .iter()
            .any(|e| e.starts_with("tool-description:")));

        let mut s = server("acme-other", "");
        s.repository = Some(Repository {
            topics: vec!["kubernetes".into()],
            ..Default::default()
        });
        s.readme = Some("# Acme\n\n## Deploy to Kubernetes clusters\nbody text\n".into());
        let c = classify(&s);
        assert_eq!(ids(&c)[0], "devops");
        let ev = &c.categories[0].evidence;
        assert!(ev.iter().any(|e| e == "keyword:kubernetes"), "{ev:?}");
        assert!(ev.iter().any(|e| e.starts_with("readme:")), "{ev:?}");
    }

    #[test]
    fn nothing_matched_is_other() {
        let c = classify(&server("zzq", "Add your description here"));
        assert_eq!(ids(&c), vec!["other"]);
        assert_eq!(c.categories[0].score, 0.0);
    }

    #[test]
    fn stuffing_is_diluted_and_capped() {
        let mut s = server("everything-mcp", "");
        s.keywords = CATEGORIES
            .iter()
            .flat_map(|c| c.strong.split(',').take(3).map(|t| t.trim().to_string()))
            .filter(|t| !t.is_empty())
            .collect();
        s.description = Some(s.keywords.join(" "));
        let c = classify(&s);
        assert!(c.stuffed, "{} candidates", c.candidates);
        assert!(c.categories.len() <= MAX_CATEGORIES);
        assert!(
            c.categories.iter().all(|a| a.score < 0.5),
            "{:?}",
            c.categories
        );
    }
}
