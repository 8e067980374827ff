//! The search vocabulary: everyday words for what servers do (`indexer/vocabulary.toml`).
//!
//! Each capability names the signals that say a server has it (words of its name, phrases of its
//! description, probed tool names, enrich categories) and the everyday words people use when they
//! want it done. [`Vocabulary::words_for`] returns the words of every capability a server has;
//! `prepare` indexes them in `Field::Capabilities`. This module does not score anything and does
//! not rewrite queries (both engines see only indexed terms).

use std::collections::BTreeSet;

use anyhow::Context;
use dataset::Server;
use serde::Deserialize;
use serde_json::Value;

use search::analyze::tokens;

/// The vocabulary shipped with Hisper.
pub const BUILTIN: &str = include_str!("../vocabulary.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    capability: Vec<RawCapability>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCapability {
    id: String,
    words: Vec<String>,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    mentions: Vec<String>,
    #[serde(default)]
    tools: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
}

/// One capability with its entries analyzed into terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Capability {
    pub id: String,
    /// The everyday words (analyzed terms, deduplicated, in file order).
    pub words: Vec<String>,
    names: Vec<Vec<String>>,
    mentions: Vec<Vec<String>>,
    tools: Vec<Vec<String>>,
    categories: Vec<String>,
}

/// Every capability.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vocabulary {
    pub capabilities: Vec<Capability>,
}

/// What of a server the signals look at, analyzed once.
struct Seen {
    /// Term sequences of the name, identifiers, title and keywords.
    names: Vec<Vec<String>>,
    /// Term sequences of the descriptions and summaries.
    mentions: Vec<Vec<String>>,
    /// Term sequences of probed tool names.
    tools: Vec<Vec<String>>,
    categories: Vec<String>,
}

fn phrases(list: &[String], id: &str, field: &str) -> anyhow::Result<Vec<Vec<String>>> {
    list.iter()
        .map(|p| {
            let t = tokens(p);
            if t.is_empty() {
                anyhow::bail!("capability {id}: field {field}: {p:?} has no searchable word");
            }
            Ok(t)
        })
        .collect()
}

/// Whether `needle` occurs as consecutive terms of `hay`.
fn contains(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

fn any_in(hays: &[Vec<String>], needles: &[Vec<String>]) -> bool {
    needles.iter().any(|n| hays.iter().any(|h| contains(h, n)))
}

impl Vocabulary {
    /// The vocabulary shipped with Hisper.
    pub fn builtin() -> anyhow::Result<Vocabulary> {
        Vocabulary::parse(BUILTIN).context("indexer/vocabulary.toml")
    }

    /// Parses a vocabulary file's text; every entry must analyze to at least one term.
    pub fn parse(text: &str) -> anyhow::Result<Vocabulary> {
        let file: File = toml::from_str(text).context("parsing the vocabulary")?;
        let mut ids = BTreeSet::new();
        let mut capabilities = Vec::with_capacity(file.capability.len());
        for c in file.capability {
            if !ids.insert(c.id.clone()) {
                anyhow::bail!("capability {}: id used twice", c.id);
            }
            let mut words: Vec<String> = Vec::new();
            for w in &c.words {
                let t = tokens(w);
                if t.is_empty() {
                    anyhow::bail!(
                        "capability {}: field words: {w:?} has no searchable word",
                        c.id
                    );
                }
                for x in t {
                    if !words.contains(&x) {
                        words.push(x);
                    }
                }
            }
            capabilities.push(Capability {
                names: phrases(&c.names, &c.id, "names")?,
                mentions: phrases(&c.mentions, &c.id, "mentions")?,
                tools: phrases(&c.tools, &c.id, "tools")?,
                categories: c.categories.clone(),
                words,
                id: c.id,
            });
        }
        Ok(Vocabulary { capabilities })
    }

    /// The capabilities `s` has, in file order.
    pub fn capabilities_of<'a>(&'a self, s: &Server) -> Vec<&'a Capability> {
        let seen = Seen::of(s);
        self.capabilities
            .iter()
            .filter(|c| {
                any_in(&seen.names, &c.names)
                    || any_in(&seen.mentions, &c.mentions)
                    || any_in(&seen.tools, &c.tools)
                    || c.categories.iter().any(|k| seen.categories.contains(k))
            })
            .collect()
    }

    /// The everyday words of every capability `s` has, each once, as indexable text (empty when
    /// it has none).
    pub fn words_for(&self, s: &Server) -> String {
        let mut out: Vec<&str> = Vec::new();
        for c in self.capabilities_of(s) {
            for w in &c.words {
                if !out.contains(&w.as_str()) {
                    out.push(w);
                }
            }
        }
        out.join(" ")
    }
}

impl Seen {
    fn of(s: &Server) -> Seen {
        let mut names = vec![tokens(&s.name)];
        names.extend(s.sources.iter().map(|e| tokens(&e.identifier)));
        names.extend(s.title.iter().map(|t| tokens(t)));
        names.extend(s.keywords.iter().map(|k| tokens(k)));
        if let Some(r) = &s.repository {
            names.extend(r.topics.iter().map(|t| tokens(t)));
        }
        let mut mentions: Vec<Vec<String>> = s.description.iter().map(|d| tokens(d)).collect();
        mentions.extend(
            s.sources
                .iter()
                .filter_map(|e| e.summary.as_ref())
                .map(|d| tokens(d)),
        );
        mentions.extend(
            s.repository
                .iter()
                .filter_map(|r| r.description.as_ref())
                .map(|d| tokens(d)),
        );
        let tools = s
            .probe
            .iter()
            .flat_map(|p| &p.tools)
            .filter_map(|t| t.get("name").and_then(Value::as_str))
            .map(tokens)
            .collect();
        Seen {
            names,
            mentions,
            tools,
            categories: s.categories.iter().map(|c| c.id.clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_vocabulary_parses_and_names_no_product_in_its_words() {
        let v = Vocabulary::builtin().unwrap();
        assert!(v.capabilities.len() >= 30, "{}", v.capabilities.len());
        // A word that is some capability's product name would make a search for that product
        // find its competitors.
        let products: BTreeSet<&String> = v
            .capabilities
            .iter()
            .flat_map(|c| c.names.iter().filter(|n| n.len() == 1).map(|n| &n[0]))
            .collect();
        let mut bad = Vec::new();
        for c in &v.capabilities {
            assert!(!c.words.is_empty(), "{}", c.id);
            for w in &c.words {
                let own = c.names.iter().any(|n| n.len() == 1 && &n[0] == w);
                if !own && products.contains(w) && !GENERIC.contains(&w.as_str()) {
                    bad.push(format!("{}: {w}", c.id));
                }
            }
        }
        assert!(
            bad.is_empty(),
            "words that are another capability's product name: {bad:?}"
        );
    }

    /// Words that are both an everyday word and, in some capability, a name signal.
    const GENERIC: &[&str] = &[
        "browser",
        "calendar",
        "crypto",
        "csv",
        "database",
        "docker",
        "documentation",
        "email",
        "excel",
        "file",
        "forecast",
        "image",
        "mail",
        "map",
        "memory",
        "sms",
        "spreadsheet",
        "stock",
        "terminal",
        "shell",
        "time",
        "timezone",
        "translate",
        "translation",
        "voice",
        "weather",
        "analytics",
        "screenshot",
        "thinking",
        "reasoning",
        "clock",
        "pdf",
        "sql",
        "fetch",
        "scrape",
        "crawl",
        "remember",
        "sandbox",
        "interpreter",
        "speech",
        "container",
        "ticket",
        "transcript",
        "tts",
        "tweet",
        "maps",
        "drive",
        "kubectl",
        "helm",
        "k8s",
        "team",
    ];

    #[test]
    fn bad_vocabularies_are_errors_that_name_the_capability() {
        let e = Vocabulary::parse("[[capability]]\nid = \"x\"\nwords = [\"the\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("capability x") && e.contains("words"), "{e}");
        let e = Vocabulary::parse("[[capability]]\nid = \"x\"\nwords = [\"a1\"]\nnames = [\"\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("capability x") && e.contains("names"), "{e}");
        let twice = "[[capability]]\nid = \"x\"\nwords = [\"ab\"]\n".repeat(2);
        assert!(Vocabulary::parse(&twice).is_err());
        assert!(Vocabulary::parse("[[capability]]\nid = \"x\"\nwords = []\nbogus = 1\n").is_err());
    }

    #[test]
    fn signals_find_capabilities_and_add_their_words() {
        let v = Vocabulary::parse(
            r#"
[[capability]]
id = "chat"
words = ["message", "channel", "team"]
names = ["slack"]
tools = ["post message"]

[[capability]]
id = "home"
words = ["lights"]
names = ["home assistant"]
mentions = ["smart home"]
categories = ["iot-home"]
"#,
        )
        .unwrap();
        let server = |name: &str| Server {
            name: name.into(),
            ..Default::default()
        };
        assert_eq!(
            v.words_for(&server("@acme/slack-mcp")),
            "message channel team"
        );
        assert_eq!(v.words_for(&server("slacker")), "");
        // A phrase must appear as consecutive words.
        assert_eq!(v.words_for(&server("home-assistant-mcp")), "light");
        assert_eq!(v.words_for(&server("assistant-home")), "");
        let mut s = server("x-mcp");
        s.description = Some("Controls your Smart Home".into());
        assert_eq!(v.words_for(&s), "light");
        let mut s = server("x-mcp");
        s.probe = Some(
            serde_json::from_value(serde_json::json!({
                "outcome": "ok", "probed_at": "2026-01-01T00:00:00Z", "sandboxed": true,
                "tools": [{"name": "chat_postMessage"}]
            }))
            .unwrap(),
        );
        assert_eq!(v.words_for(&s), "message channel team");
        let mut s = server("x-mcp");
        s.categories = vec![dataset::CategoryAssignment {
            id: "iot-home".into(),
            score: 1.0,
            evidence: Vec::new(),
        }];
        assert_eq!(v.words_for(&s), "light");
    }
}
