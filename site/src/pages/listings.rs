//! Browse pages: all servers (`/browse/`), per source (`/sources/<source>/`) and per category
//! (`/categories/<id>/`), each in three sort orders and paginated, through `templates/list.html`.
//! The cards are the ones rendered once per server in [`Ctx`].

use askama::Template;
use rayon::prelude::*;
use serde::Serialize;

use super::{
    list_path, page_file, pagination, write_page, Ctx, Meta, Pagination, SiteCtx, Sort, PER_PAGE,
};
use crate::view::thousands;
use crate::Out;

/// A listing: all servers, a source's or a category's.
struct Listing {
    prefix: String,
    title: String,
    description: String,
    section: &'static str,
    members: Option<Vec<bool>>,
    count: usize,
}

#[derive(Debug, Serialize)]
pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// One page of a listing.
#[derive(Debug, Serialize)]
pub struct ListPage<'a> {
    pub heading: &'a str,
    pub description: &'a str,
    pub total: String,
    pub sorts: Vec<SortLink>,
    /// The cards of this page's servers (HTML from `templates/item.html`).
    pub items: Vec<&'a str>,
    pub pagination: Pagination,
    pub first: usize,
    pub last: usize,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
    page: &'a ListPage<'a>,
}

/// A trust-layer listing: path prefix, title, description, membership.
type TrustFilter<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a dyn Fn(&dataset::Server) -> bool,
);

fn listings(ctx: &Ctx) -> Vec<Listing> {
    let ds = ctx.ds;
    let mut listings = vec![Listing {
        prefix: "browse/".into(),
        title: "All servers".into(),
        description: "Every MCP server, SDK and client Hisper found.".into(),
        section: "browse",
        members: None,
        count: ds.servers.len(),
    }];
    for &(src, count) in &ctx.source_counts {
        if count > 0 {
            listings.push(Listing {
                prefix: format!("sources/{}/", src.as_str()),
                title: format!("Servers on {}", src.label()),
                description: format!("Everything Hisper found on {}.", src.label()),
                section: "browse",
                members: Some(ds.servers.iter().map(|s| s.has_source(src)).collect()),
                count,
            });
        }
    }
    // Filters of the trust layer: servers with security findings, rug pulls, risky tools.
    let trust_filters: [TrustFilter; 4] = [
        (
            "security/",
            "Servers with security findings",
            "Servers whose tool, prompt or resource texts raised a warning or danger: hidden instructions, invisible text, instructions about other tools, requests for secrets, exfiltration, look-alike names, rug pulls.",
            &|s| s.trust.as_ref().and_then(|t| t.worst) >= Some(dataset::Severity::Warning),
        ),
        (
            "security/danger/",
            "Servers with dangerous findings",
            "Servers with at least one finding rated danger.",
            &|s| s.trust.as_ref().and_then(|t| t.worst) == Some(dataset::Severity::Danger),
        ),
        (
            "security/rug-pulls/",
            "Servers whose tools changed under the same version",
            "A tool's definition changed between two nights while the server's version stayed the same.",
            &|s| s.trust.as_ref().is_some_and(|t| t.history.changelog.iter().any(|c| c.rug_pull)),
        ),
        (
            "security/executes-code/",
            "Servers with tools that execute code",
            "At least one tool runs code or commands it is given (assessed from its name, description and parameters).",
            &|s| {
                s.safety.as_ref().is_some_and(|sf| {
                    sf.tools
                        .values()
                        .any(|t| t.level == Some(dataset::RiskLevel::ExecutesCode))
                })
            },
        ),
    ];
    for (prefix, title, description, pred) in trust_filters {
        let members: Vec<bool> = ds.servers.iter().map(pred).collect();
        let count = members.iter().filter(|m| **m).count();
        listings.push(Listing {
            prefix: prefix.into(),
            title: title.into(),
            description: description.into(),
            section: "browse",
            members: Some(members),
            count,
        });
    }
    for c in &ctx.categories {
        listings.push(Listing {
            prefix: format!("categories/{}/", c.id),
            title: c.label.clone(),
            description: if c.description.is_empty() {
                format!("Servers in the {} category.", c.label)
            } else {
                c.description.clone()
            },
            section: "categories",
            members: Some(
                ds.servers
                    .iter()
                    .map(|s| s.categories.iter().any(|x| x.id == c.id))
                    .collect(),
            ),
            count: c.count,
        });
    }
    listings
}

/// Writes every page of every listing; returns the first page of each (popular order) except
/// `/browse/`, which the home family lists.
pub fn render(ctx: &Ctx, out: &Out) -> anyhow::Result<Vec<String>> {
    let base = ctx.base;
    let listings = listings(ctx);
    let jobs: Vec<(&Listing, Sort)> = listings
        .iter()
        .flat_map(|l| Sort::ALL.into_iter().map(move |s| (l, s)))
        .collect();
    let paths: Vec<Option<String>> = jobs
        .par_iter()
        .map(|&(listing, sort)| {
            let idx: Vec<usize> = ctx
                .orders
                .get(sort)
                .iter()
                .copied()
                .filter(|&i| listing.members.as_ref().map(|m| m[i]).unwrap_or(true))
                .collect();
            let pages = idx.len().div_ceil(PER_PAGE).max(1);
            let total = thousands(listing.count as u64);
            for p in 1..=pages {
                let chunk = idx.chunks(PER_PAGE).nth(p - 1).unwrap_or(&[]);
                let path = list_path(&listing.prefix, sort, p);
                let page = ListPage {
                    heading: &listing.title,
                    description: &listing.description,
                    total: total.clone(),
                    sorts: Sort::ALL
                        .iter()
                        .map(|&s2| SortLink {
                            label: s2.label(),
                            href: format!("{base}{}", list_path(&listing.prefix, s2, 1)),
                            current: s2 == sort,
                        })
                        .collect(),
                    items: chunk.iter().map(|&i| ctx.cards[i].as_str()).collect(),
                    pagination: pagination(&format!("{base}{}", listing.prefix), sort, p, pages),
                    first: (p - 1) * PER_PAGE + 1,
                    last: (p - 1) * PER_PAGE + chunk.len(),
                };
                let title = if p > 1 {
                    format!("{} (page {p})", listing.title)
                } else {
                    listing.title.clone()
                };
                let html = ListHtml {
                    site: &ctx.site,
                    meta: Meta::new(&title, &listing.description, &path, listing.section),
                    page: &page,
                };
                write_page(out, &page_file(&path), &html)?;
            }
            let first = list_path(&listing.prefix, sort, 1);
            anyhow::Ok((sort == Sort::Popular && first != "browse/").then_some(first))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(paths.into_iter().flatten().collect())
}
