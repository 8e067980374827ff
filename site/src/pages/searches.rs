//! Prebuilt results of common searches (`/search/q/<slug>/`) and their index (`/search/q/`),
//! through `templates/search_results.html` and `search_common.html`.
//!
//! A static host serves `/search/?q=…` as the same page whatever the query, so without
//! JavaScript nothing can answer it. The indexer ranks the searches people make most (categories,
//! capabilities, the products of the most used servers) with the search box's own index and
//! writes them to `common.json` next to it; this module renders one page per search from the
//! dataset's cards. Ids the dataset does not have (a `--only` subset) are left out.

use askama::Template;
use rayon::prelude::*;
use serde::Serialize;

use super::{page_file, write_page, Ctx, Meta, SiteCtx};
use crate::Out;

/// `common.json` and its searches, typed in [`dataset::files`] (written by the indexer).
pub use dataset::files::{CommonSearch, CommonSearchesFile as CommonFile};

/// One prebuilt search's page.
#[derive(Debug, Serialize)]
pub struct ResultsPage<'a> {
    pub q: &'a str,
    /// The query, URL-encoded for the "search again" link.
    pub q_url: String,
    pub items: Vec<&'a str>,
}

/// A link of the index.
#[derive(Debug, Serialize)]
pub struct CommonLink<'a> {
    pub q: &'a str,
    pub href: String,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct CommonPage<'a> {
    pub links: Vec<CommonLink<'a>>,
}

#[derive(Template)]
#[template(path = "search_results.html")]
struct ResultsHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
    page: &'a ResultsPage<'a>,
}

#[derive(Template)]
#[template(path = "search_common.html")]
struct CommonHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
    page: &'a CommonPage<'a>,
}

/// Percent-encodes everything but unreserved characters.
fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a slug is one path segment of letters, digits and `-` (the file is untrusted input).
fn safe_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Writes the prebuilt searches' pages and their index; returns their paths for the sitemap.
pub fn render(ctx: &Ctx, out: &Out) -> anyhow::Result<Vec<String>> {
    let Some(file) = ctx.inp.common_searches else {
        return Ok(Vec::new());
    };
    let base = ctx.base;
    let pages: Vec<(&CommonSearch, Vec<&str>)> = file
        .searches
        .iter()
        .filter(|c| safe_slug(&c.slug))
        .map(|c| {
            let items: Vec<&str> = c
                .ids
                .iter()
                .filter_map(|id| ctx.index_of.get(id.as_str()))
                .map(|&i| ctx.cards[i].as_str())
                .collect();
            (c, items)
        })
        .filter(|(_, items)| !items.is_empty())
        .collect();
    let mut paths: Vec<String> = pages
        .par_iter()
        .map(|(c, items)| {
            let path = format!("search/q/{}/", c.slug);
            let title = format!("Results for “{}”", c.q);
            let description = format!("MCP servers for “{}”, as Hisper's search ranks them.", c.q);
            let page = ResultsPage {
                q: &c.q,
                q_url: url_encode(&c.q),
                items: items.clone(),
            };
            let html = ResultsHtml {
                site: &ctx.site,
                meta: Meta::new(&title, &description, &path, "search"),
                page: &page,
            };
            write_page(out, &page_file(&path), &html)?;
            Ok(path)
        })
        .collect::<anyhow::Result<_>>()?;
    let mut links: Vec<CommonLink> = pages
        .iter()
        .map(|(c, items)| CommonLink {
            q: &c.q,
            href: format!("{base}search/q/{}/", c.slug),
            count: items.len(),
        })
        .collect();
    links.sort_by(|a, b| a.q.cmp(b.q));
    let index = CommonPage { links };
    let path = "search/q/";
    write_page(
        out,
        &page_file(path),
        &CommonHtml {
            site: &ctx.site,
            meta: Meta::new(
                "Common searches",
                "Prebuilt search results that work without JavaScript.",
                path,
                "search",
            ),
            page: &index,
        },
    )?;
    paths.push(path.to_string());
    paths.sort();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_queries_are_made_safe() {
        assert!(safe_slug("browser-automation"));
        assert!(!safe_slug("../x"));
        assert!(!safe_slug("a/b"));
        assert!(!safe_slug(""));
        assert_eq!(url_encode("a b&c/é"), "a%20b%26c%2F%C3%A9");
    }
}
