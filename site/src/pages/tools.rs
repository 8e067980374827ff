//! The tools index (`/tools/`, paginated, through `templates/index.html`) and one page per tool
//! name (`/tools/<slug>/`, `templates/tool.html`) listing the servers that report it.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::indexes::{IndexEntry, IndexHtml, IndexPage};
use super::{
    list_path, page_file, pagination, write_page, Ctx, Meta, SiteCtx, TOOLS_PER_PAGE, TOOL_PAGE_CAP,
};
use crate::markdown::{clean_text, shorten};
use crate::view::{thousands, Item};
use crate::Out;

/// Unique slugs for tool names.
pub fn tool_slugs<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, String> {
    let mut out = BTreeMap::new();
    let mut taken = HashSet::new();
    let mut names: Vec<&str> = names.collect();
    names.sort();
    names.dedup();
    for n in names {
        let mut slug = dataset::slug::slugify(n);
        if !taken.insert(slug.clone()) {
            slug = format!("{slug}-{:08x}", dataset::slug::fnv1a(n) as u32);
            let mut k = 2;
            while !taken.insert(slug.clone()) {
                slug = format!("{slug}-{k}");
                k += 1;
            }
        }
        out.insert(n, slug);
    }
    out
}

/// A server on a tool's page, with its description of the tool.
#[derive(Debug, Serialize)]
pub struct ToolServer<'a> {
    pub item: &'a Item,
    pub description: String,
}

/// One tool name's page.
#[derive(Debug, Serialize)]
pub struct ToolPage<'a> {
    pub name: &'a str,
    pub count: usize,
    pub servers: Vec<ToolServer<'a>>,
    /// Servers beyond [`TOOL_PAGE_CAP`], not listed.
    pub more: usize,
}

#[derive(Template)]
#[template(path = "tool.html")]
struct ToolHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
    page: &'a ToolPage<'a>,
}

/// Tool name → the servers that report it, in popularity order.
fn tool_servers<'a>(ctx: &Ctx<'a>) -> BTreeMap<&'a str, Vec<usize>> {
    let mut map: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &ctx.orders.popular {
        if let Some(p) = &ctx.ds.servers[i].probe {
            let mut names: Vec<&str> = p.tool_names().collect();
            names.sort();
            names.dedup();
            for n in names {
                map.entry(n).or_default().push(i);
            }
        }
    }
    map
}

/// Writes the tools index and every tool page; returns the index's first page.
pub fn render(ctx: &Ctx, out: &Out) -> anyhow::Result<Vec<String>> {
    let base = ctx.base;
    let by_tool = tool_servers(ctx);
    let tools_total = crate::counts::Counts::of(ctx.ds).tools;
    let slugs = tool_slugs(by_tool.keys().copied());
    let list: Vec<(&str, &Vec<usize>)> = by_tool.iter().map(|(k, v)| (*k, v)).collect();
    let pages = list.len().div_ceil(TOOLS_PER_PAGE).max(1);
    for p in 1..=pages {
        let chunk = list.chunks(TOOLS_PER_PAGE).nth(p - 1).unwrap_or(&[]);
        let path = list_path("tools/", "", p);
        let page = IndexPage {
            heading: "Tools".into(),
            intro: format!(
                "Every tool name that a probed server reported, with the number of servers that have it: {} distinct names, {} tools in all (a name two servers report is two tools).",
                thousands(list.len() as u64),
                thousands(tools_total as u64)
            ),
            entries: chunk
                .iter()
                .map(|(n, v)| IndexEntry {
                    href: format!("{base}tools/{}/", slugs[n]),
                    label: clean_text(&shorten(n, 80)),
                    count: thousands(v.len() as u64),
                    description: String::new(),
                })
                .collect(),
            pagination: (pages > 1)
                .then(|| pagination(&format!("{base}tools/"), "", p, pages)),
            compact: true,
        };
        let title = if p > 1 {
            format!("Tools (page {p})")
        } else {
            "Tools".into()
        };
        let html = IndexHtml {
            site: &ctx.site,
            meta: Meta::new(
                &title,
                "Every tool name reported by a probed MCP server.",
                &path,
                "tools",
            ),
            page: &page,
        };
        write_page(out, &page_file(&path), &html)?;
    }
    list.par_iter().try_for_each(|&(n, servers)| {
        let slug = &slugs[n];
        let name = clean_text(&shorten(n, 120));
        let page = ToolPage {
            name: &name,
            count: servers.len(),
            more: servers.len().saturating_sub(TOOL_PAGE_CAP),
            servers: servers
                .iter()
                .take(TOOL_PAGE_CAP)
                .map(|&i| ToolServer {
                    item: &ctx.items[i],
                    description: ctx.ds.servers[i]
                        .probe
                        .as_ref()
                        .and_then(|p| {
                            p.tools
                                .iter()
                                .find(|t| t.get("name").and_then(Value::as_str) == Some(n))
                        })
                        .and_then(|t| t.get("description").and_then(Value::as_str))
                        .map(|d| clean_text(&shorten(d, 240)))
                        .unwrap_or_default(),
                })
                .collect(),
        };
        let title = format!("Tool {name}");
        let description = format!("MCP servers that provide a tool named {name}.");
        let path = format!("tools/{slug}/");
        let html = ToolHtml {
            site: &ctx.site,
            meta: Meta::new(&title, &description, &path, "tools"),
            page: &page,
        };
        write_page(out, &page_file(&path), &html)
    })?;
    Ok(vec!["tools/".into()])
}
