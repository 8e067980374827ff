//! The sources index (`/sources/`) and the categories index (`/categories/`), through
//! `templates/index.html`.

use askama::Template;
use serde::Serialize;

use dataset::Source;

use super::{write_page, Ctx, Meta, Pagination, SiteCtx};
use crate::view::thousands;
use crate::Out;

/// One entry of an index: a source, a category or a tool name.
#[derive(Debug, Serialize)]
pub struct IndexEntry {
    pub href: String,
    pub label: String,
    pub count: String,
    pub description: String,
}

/// An index page (also the tools index, see [`super::tools`]).
#[derive(Debug, Serialize)]
pub struct IndexPage {
    pub heading: String,
    pub intro: String,
    pub entries: Vec<IndexEntry>,
    pub pagination: Option<Pagination>,
    /// Names in a dense list instead of cards.
    pub compact: bool,
}

#[derive(Template)]
#[template(path = "index.html")]
pub(crate) struct IndexHtml<'a> {
    pub(crate) site: &'a SiteCtx,
    pub(crate) meta: Meta<'a>,
    pub(crate) page: &'a IndexPage,
}

/// Writes `/sources/` and, when there are categories, `/categories/`; returns their paths.
pub fn render(ctx: &Ctx, out: &Out) -> anyhow::Result<Vec<String>> {
    let base = ctx.base;
    let sources = IndexPage {
        heading: "Sources".into(),
        intro: "Where Hisper finds MCP servers. A server found in several places is listed once."
            .into(),
        entries: ctx
            .source_counts
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|&(src, n)| IndexEntry {
                href: format!("{base}sources/{}/", src.as_str()),
                label: src.label().into(),
                count: thousands(n as u64),
                description: match src {
                    Source::Github => "Repositories that implement an MCP server.",
                    Source::Npm => "JavaScript and TypeScript packages.",
                    Source::Pypi => "Python packages.",
                    Source::McpRegistry => "The official MCP Registry.",
                }
                .into(),
            })
            .collect(),
        pagination: None,
        compact: false,
    };
    write_page(
        out,
        "sources/index.html",
        &IndexHtml {
            site: &ctx.site,
            meta: Meta::new(
                "Sources",
                "Where Hisper finds MCP servers.",
                "sources/",
                "browse",
            ),
            page: &sources,
        },
    )?;
    let mut paths = vec!["sources/".to_string()];
    if !ctx.categories.is_empty() {
        let cats = IndexPage {
            heading: "Categories".into(),
            intro: "Categories are assigned from each server's tools, keywords and description."
                .into(),
            entries: ctx
                .categories
                .iter()
                .map(|c| IndexEntry {
                    href: c.href.clone(),
                    label: c.label.clone(),
                    count: thousands(c.count as u64),
                    description: c.description.clone(),
                })
                .collect(),
            pagination: None,
            compact: false,
        };
        write_page(
            out,
            "categories/index.html",
            &IndexHtml {
                site: &ctx.site,
                meta: Meta::new(
                    "Categories",
                    "MCP servers by category.",
                    "categories/",
                    "categories",
                ),
                page: &cats,
            },
        )?;
        paths.push("categories/".into());
    }
    Ok(paths)
}
