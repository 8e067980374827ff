//! Prebuilt results for common searches: `common.json` next to the browser index.
//!
//! A static site cannot answer `/search/?q=…` without JavaScript (the host serves the same file
//! whatever the query). What it can do is publish the answers to the searches people make most:
//! the catalogue's categories, the product names of its most used servers and the vocabulary's
//! capabilities. This module picks those queries and ranks each with the browser index itself
//! (the native reader, so the answer is what the search box would show); the site renders one
//! page per query. It writes no HTML.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;

use crate::prepare::{Doc, GENERIC_NAME_WORDS};

/// File name of the prebuilt results inside the browser index directory.
pub const FILE: &str = "common.json";
/// Results kept per query.
pub const RESULTS: usize = 30;
/// Product names taken from the most used servers.
pub const PRODUCTS: usize = 300;

/// The file's contents and one search of it, typed in [`dataset::files`] (the site reads it).
pub use dataset::files::{CommonSearch as Common, CommonSearchesFile as CommonFile};

/// The path segment of a query: its ASCII letters and digits, lowercased, words joined by `-`.
pub fn slug(q: &str) -> String {
    let mut out = String::new();
    for w in q
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w.to_lowercase());
    }
    out
}

/// The queries worth prebuilding for `docs` (most popular first, as `prepare` orders them):
/// category ids, the product names of the [`PRODUCTS`] most used servers (their unscoped name
/// without the words that only say it is an MCP server), and the vocabulary's capabilities.
pub fn queries(docs: &[Doc], vocab: &crate::vocabulary::Vocabulary) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut push = |q: String, out: &mut Vec<String>| {
        let s = slug(&q);
        if s.chars().count() >= 2 && seen.insert(s) {
            out.push(q);
        }
    };
    let mut categories: BTreeSet<&str> = BTreeSet::new();
    for d in docs {
        for (k, v) in &d.filters {
            if k == "category" && v != "other" {
                categories.insert(v);
            }
        }
    }
    for c in categories {
        push(c.replace('-', " "), &mut out);
    }
    for c in &vocab.capabilities {
        push(c.id.replace('-', " "), &mut out);
    }
    let mut products = 0;
    for d in docs {
        if products >= PRODUCTS {
            break;
        }
        let unscoped = d
            .name
            .strip_prefix('@')
            .and_then(|n| n.split_once('/'))
            .map_or(d.name.as_str(), |(_, u)| u);
        let words: Vec<&str> = unscoped
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .filter(|w| !GENERIC_NAME_WORDS.contains(&w.to_lowercase().as_str()))
            .collect();
        if words.is_empty() {
            continue;
        }
        products += 1;
        push(words.join(" ").to_lowercase(), &mut out);
    }
    out
}

/// Ranks every query of [`queries`] with the browser index in `web_dir` and writes
/// `common.json` there; returns how many searches it holds.
pub fn write(docs: &[Doc], web_dir: &Path) -> anyhow::Result<usize> {
    let vocab = crate::vocabulary::Vocabulary::builtin().unwrap_or_default();
    let mut reader = search::DirReader::open(web_dir)
        .with_context(|| format!("opening the browser index in {}", web_dir.display()))?;
    let mut searches = Vec::new();
    for q in queries(docs, &vocab) {
        let hits = reader
            .search(&q, &[], RESULTS)
            .with_context(|| format!("searching {q:?} in {}", web_dir.display()))?;
        let ids: Vec<String> = hits
            .iter()
            .filter_map(|h| docs.get(h.doc as usize).map(|d| d.id.clone()))
            .collect();
        if !ids.is_empty() {
            searches.push(Common {
                slug: slug(&q),
                q,
                ids,
            });
        }
    }
    searches.sort_by(|a, b| a.slug.cmp(&b.slug));
    let n = searches.len();
    let path = web_dir.join(FILE);
    dataset::files::write(&path, &CommonFile { searches })
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_path_safe() {
        assert_eq!(slug("Browser automation"), "browser-automation");
        assert_eq!(slug("  ../etc/passwd  "), "etc-passwd");
        assert_eq!(slug("données & co"), "donn-es-co");
        assert_eq!(slug("<script>"), "script");
        assert_eq!(slug(""), "");
    }
}
