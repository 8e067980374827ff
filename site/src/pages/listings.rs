//! Browse pages: all servers (`/browse/`), per source (`/sources/<source>/`) and per category
//! (`/categories/<id>/`), each with at most one filter (`verified/`, `servers/`, `stdio/`,
//! `remote/`, `tools/`, `findings/`), in four sort orders (the default, verified first, then
//! `popular/`, `name/` and `updated/`) and paginated, through `templates/list.html`. Every
//! combination a filter link points to is a static page, so filtering works without JavaScript:
//! all servers and each source with every filter, each category with `verified/`. A filtered
//! listing shows its first [`FILTERED_PAGES_MAX`] pages in each order (the page says how many it
//! leaves out), which keeps the site's size bounded at 100,000 servers. The cards are the ones
//! rendered once per server in [`Ctx`].

use std::collections::HashMap;

use askama::Template;
use rayon::prelude::*;
use serde::Serialize;

use dataset::{Kind, Outcome, Server, Source};

use super::{
    list_path, page_file, pagination, write_page, CategoryView, Ctx, Meta, Pagination, SiteCtx,
    Sort, PER_PAGE,
};
use crate::view::{thousands, Item};
use crate::Out;

/// Pages of a filtered listing in each order (the unfiltered listings have all their pages).
pub const FILTERED_PAGES_MAX: usize = 20;

/// One filter of browse pages. A listing has at most one: each combination is its own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Filter {
    Verified,
    Servers,
    Stdio,
    Remote,
    Tools,
    Findings,
}

impl Filter {
    pub const ALL: [Filter; 6] = [
        Filter::Verified,
        Filter::Servers,
        Filter::Stdio,
        Filter::Remote,
        Filter::Tools,
        Filter::Findings,
    ];

    /// The path segment (`verified/`).
    pub fn segment(self) -> &'static str {
        match self {
            Filter::Verified => "verified/",
            Filter::Servers => "servers/",
            Filter::Stdio => "stdio/",
            Filter::Remote => "remote/",
            Filter::Tools => "tools/",
            Filter::Findings => "findings/",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Filter::Verified => "Verified",
            Filter::Servers => "Servers only",
            Filter::Stdio => "Runs locally (stdio)",
            Filter::Remote => "Remote",
            Filter::Tools => "With tools",
            Filter::Findings => "With security findings",
        }
    }

    /// What the filter keeps, in a sentence for the page.
    pub fn rule(self) -> &'static str {
        match self {
            Filter::Verified => "Only records whose last probe started them and got answers to the MCP protocol.",
            Filter::Servers => "Only MCP servers: no SDKs, frameworks, clients or other libraries, and no platform-specific binaries that another package installs.",
            Filter::Stdio => "Only servers with a package that runs locally over stdio (not those the probe found nothing to launch in).",
            Filter::Remote => "Only servers with a remote endpoint (streamable HTTP or SSE).",
            Filter::Tools => "Only servers whose probe recorded at least one tool.",
            Filter::Findings => "Only servers with security findings in the tools, prompts, resources or instructions the probe recorded.",
        }
    }

    /// Whether `s` (with its list item `it`) passes.
    pub fn matches(self, s: &Server, it: &Item) -> bool {
        match self {
            Filter::Verified => s.verified(),
            // A platform binary (`…-linux-x64`) is installed through its parent, listed instead.
            Filter::Servers => s.kind == Kind::Server && s.platform_of.is_none(),
            Filter::Stdio => {
                s.install.stdio_packages().next().is_some()
                    && s.probe
                        .as_ref()
                        .is_none_or(|p| p.outcome != Outcome::NoStdio)
            }
            Filter::Remote => it.remote,
            Filter::Tools => it.tools > 0,
            Filter::Findings => it.findings > 0,
        }
    }
}

/// What a listing is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Scope<'a> {
    All,
    Source(Source),
    Category(&'a str),
}

impl Scope<'_> {
    fn prefix(&self) -> String {
        match self {
            Scope::All => "browse/".into(),
            Scope::Source(s) => format!("sources/{}/", s.as_str()),
            Scope::Category(id) => format!("categories/{id}/"),
        }
    }
    /// The filters that have pages in this scope.
    fn filters(&self) -> &'static [Filter] {
        match self {
            Scope::Category(_) => &[Filter::Verified],
            _ => &Filter::ALL,
        }
    }
    fn contains(&self, s: &Server) -> bool {
        match self {
            Scope::All => true,
            Scope::Source(src) => s.has_source(*src),
            Scope::Category(id) => s.categories.iter().any(|c| c.id == *id),
        }
    }
}

/// A link of the filter panel.
#[derive(Debug, Serialize)]
pub struct Chip {
    pub label: String,
    pub count: String,
    /// None: nothing to show (no page).
    pub href: Option<String>,
    pub current: bool,
}

/// The filter panel of a listing: plain links to the static page of each combination.
#[derive(Debug, Serialize)]
pub struct FilterPanel {
    /// All, then each filter of this scope.
    pub show: Vec<Chip>,
    /// Any source, then each source.
    pub sources: Vec<Chip>,
    /// Any category, then each category.
    pub categories: Vec<Chip>,
    /// The current category's label, when the listing is one.
    pub category: Option<String>,
    /// The current filter's rule.
    pub rule: Option<&'static str>,
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
    pub filters: &'a FilterPanel,
    pub sorts: Vec<SortLink>,
    /// What the current order is.
    pub sort_rule: &'static str,
    /// For the "recently updated" order: how many of the listing have no source date.
    pub undated: Option<String>,
    /// The cards of this page's servers (HTML from `templates/item.html`).
    pub items: Vec<&'a str>,
    pub pagination: Pagination,
    pub first: usize,
    pub last: usize,
    /// Servers left out of this order's pages (filtered listings show the first pages only).
    pub not_listed: Option<String>,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
    page: &'a ListPage<'a>,
}

/// A listing: a scope with at most one filter.
struct Listing {
    filter: Option<Filter>,
    prefix: String,
    title: String,
    description: String,
    section: &'static str,
    members: Vec<bool>,
    count: usize,
    panel: FilterPanel,
}

/// Member counts of every (scope, filter) pair, from one pass over the dataset.
struct Counts<'a>(HashMap<(Scope<'a>, Option<Filter>), usize>);

impl<'a> Counts<'a> {
    fn new(ctx: &'a Ctx) -> Counts<'a> {
        let mut m: HashMap<(Scope<'a>, Option<Filter>), usize> = HashMap::new();
        for (s, it) in ctx.ds.servers.iter().zip(&ctx.items) {
            let passing: Vec<Option<Filter>> = std::iter::once(None)
                .chain(
                    Filter::ALL
                        .into_iter()
                        .filter(|f| f.matches(s, it))
                        .map(Some),
                )
                .collect();
            let scopes = std::iter::once(Scope::All)
                .chain(s.sources.iter().map(|e| Scope::Source(e.source)))
                .chain(s.categories.iter().map(|c| Scope::Category(c.id.as_str())));
            let mut seen: Vec<Scope> = Vec::new();
            for sc in scopes {
                if seen.contains(&sc) {
                    continue;
                }
                seen.push(sc);
                for f in &passing {
                    *m.entry((sc, *f)).or_default() += 1;
                }
            }
        }
        Counts(m)
    }
    fn get(&self, scope: Scope<'a>, filter: Option<Filter>) -> usize {
        self.0.get(&(scope, filter)).copied().unwrap_or(0)
    }
    /// Whether the page of this pair exists (the unfiltered page of a scope always does).
    fn has_page(&self, scope: Scope<'a>, filter: Option<Filter>) -> bool {
        match filter {
            None => true,
            Some(f) => scope.filters().contains(&f) && self.get(scope, filter) > 0,
        }
    }
}

fn chip(
    label: impl Into<String>,
    counts: &Counts,
    base: &str,
    scope: Scope,
    filter: Option<Filter>,
    current: bool,
) -> Chip {
    let n = counts.get(scope, filter);
    Chip {
        label: label.into(),
        count: thousands(n as u64),
        href: (counts.has_page(scope, filter) && (n > 0 || filter.is_none())).then(|| {
            format!(
                "{base}{}{}",
                scope.prefix(),
                filter.map(Filter::segment).unwrap_or("")
            )
        }),
        current,
    }
}

fn panel<'a>(
    ctx: &'a Ctx,
    counts: &Counts<'a>,
    scope: Scope<'a>,
    filter: Option<Filter>,
) -> FilterPanel {
    let base = ctx.base;
    let mut show = vec![chip("All", counts, base, scope, None, filter.is_none())];
    for &f in scope.filters() {
        show.push(chip(
            f.label(),
            counts,
            base,
            scope,
            Some(f),
            filter == Some(f),
        ));
    }
    // Another source or category keeps the filter where that scope has it (a category has
    // only the verified filter); a pair without servers shows as a count of 0 without a link.
    let keep = |sc: Scope<'a>| filter.filter(|f| sc.filters().contains(f));
    let mut sources = vec![chip(
        "Any",
        counts,
        base,
        Scope::All,
        keep(Scope::All),
        matches!(scope, Scope::All),
    )];
    for &(src, n) in &ctx.source_counts {
        if n > 0 {
            let sc = Scope::Source(src);
            sources.push(chip(src.label(), counts, base, sc, keep(sc), scope == sc));
        }
    }
    let mut categories = vec![chip(
        "Any",
        counts,
        base,
        Scope::All,
        keep(Scope::All),
        !matches!(scope, Scope::Category(_)),
    )];
    for c in &ctx.categories {
        let sc = Scope::Category(c.id.as_str());
        categories.push(chip(
            c.label.clone(),
            counts,
            base,
            sc,
            keep(sc),
            scope == sc,
        ));
    }
    FilterPanel {
        show,
        sources,
        categories,
        category: match scope {
            Scope::Category(id) => ctx
                .categories
                .iter()
                .find(|c| c.id == id)
                .map(|c| c.label.clone()),
            _ => None,
        },
        rule: filter.map(Filter::rule),
    }
}

fn scope_text(ctx: &Ctx, scope: Scope) -> (String, String, &'static str) {
    match scope {
        Scope::All => (
            "All servers".into(),
            "Every MCP server, SDK and client Hisper found.".into(),
            "browse",
        ),
        Scope::Source(src) => (
            format!("Servers on {}", src.label()),
            format!("Everything Hisper found on {}.", src.label()),
            "browse",
        ),
        Scope::Category(id) => {
            let c: Option<&CategoryView> = ctx.categories.iter().find(|c| c.id == id);
            let label = c.map(|c| c.label.clone()).unwrap_or_else(|| id.to_string());
            let desc = match c {
                Some(c) if !c.description.is_empty() => c.description.clone(),
                _ => format!("Servers in the {label} category."),
            };
            (label, desc, "categories")
        }
    }
}

fn listings(ctx: &Ctx) -> Vec<Listing> {
    let counts = Counts::new(ctx);
    let mut scopes = vec![Scope::All];
    for &(src, n) in &ctx.source_counts {
        if n > 0 {
            scopes.push(Scope::Source(src));
        }
    }
    for c in &ctx.categories {
        scopes.push(Scope::Category(c.id.as_str()));
    }
    let mut out = Vec::new();
    for scope in scopes {
        let (title, description, section) = scope_text(ctx, scope);
        let filters = std::iter::once(None).chain(scope.filters().iter().copied().map(Some));
        for filter in filters {
            if !counts.has_page(scope, filter) {
                continue;
            }
            let members: Vec<bool> = ctx
                .ds
                .servers
                .iter()
                .zip(&ctx.items)
                .map(|(s, it)| scope.contains(s) && filter.is_none_or(|f| f.matches(s, it)))
                .collect();
            let (title, description) = match filter {
                None => (title.clone(), description.clone()),
                Some(f) => (
                    format!("{title} · {}", f.label()),
                    format!("{description} {}", f.rule()),
                ),
            };
            out.push(Listing {
                filter,
                prefix: format!(
                    "{}{}",
                    scope.prefix(),
                    filter.map(Filter::segment).unwrap_or("")
                ),
                title,
                description,
                section,
                count: counts.get(scope, filter),
                members,
                panel: panel(ctx, &counts, scope, filter),
            });
        }
    }
    out
}

/// The orders of a listing, its default first: verified first, except where every server is
/// verified already (then the popular order is the default).
fn sorts(listing: &Listing) -> &'static [Sort] {
    if listing.filter == Some(Filter::Verified) {
        &[Sort::Popular, Sort::Name, Sort::Updated]
    } else {
        &Sort::ALL
    }
}

/// Writes every page of every listing; returns the first page of each (default order) except
/// `/browse/`, which the home family lists.
pub fn render(ctx: &Ctx, out: &Out) -> anyhow::Result<Vec<String>> {
    let base = ctx.base;
    let listings = listings(ctx);
    let jobs: Vec<(&Listing, Sort)> = listings
        .iter()
        .flat_map(|l| sorts(l).iter().map(move |&s| (l, s)))
        .collect();
    let paths: Vec<Option<String>> = jobs
        .par_iter()
        .map(|&(listing, sort)| {
            let order = sorts(listing);
            let default = order[0];
            let seg = sort.segment(default);
            let idx: Vec<usize> = ctx
                .orders
                .get(sort)
                .iter()
                .copied()
                .filter(|&i| listing.members[i])
                .collect();
            let all_pages = idx.len().div_ceil(PER_PAGE).max(1);
            let pages = if listing.filter.is_some() {
                all_pages.min(FILTERED_PAGES_MAX)
            } else {
                all_pages
            };
            let left_out = idx.len().saturating_sub(pages * PER_PAGE);
            let total = thousands(listing.count as u64);
            let undated = (sort == Sort::Updated)
                .then(|| {
                    idx.iter()
                        .filter(|&&i| ctx.items[i].updated.is_none())
                        .count()
                })
                .filter(|n| *n > 0)
                .map(|n| thousands(n as u64));
            for p in 1..=pages {
                let chunk = idx.chunks(PER_PAGE).nth(p - 1).unwrap_or(&[]);
                let path = list_path(&listing.prefix, seg, p);
                let page = ListPage {
                    heading: &listing.title,
                    description: &listing.description,
                    total: total.clone(),
                    filters: &listing.panel,
                    sorts: order
                        .iter()
                        .map(|&s2| SortLink {
                            label: s2.label(),
                            href: format!(
                                "{base}{}",
                                list_path(&listing.prefix, s2.segment(default), 1)
                            ),
                            current: s2 == sort,
                        })
                        .collect(),
                    sort_rule: sort.rule(),
                    undated: undated.clone(),
                    items: chunk.iter().map(|&i| ctx.cards[i].as_str()).collect(),
                    pagination: pagination(&format!("{base}{}", listing.prefix), seg, p, pages),
                    first: (p - 1) * PER_PAGE + 1,
                    last: (p - 1) * PER_PAGE + chunk.len(),
                    not_listed: (p == pages && left_out > 0).then(|| thousands(left_out as u64)),
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
            let first = list_path(&listing.prefix, seg, 1);
            anyhow::Ok((sort == default && first != "browse/").then_some(first))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(paths.into_iter().flatten().collect())
}
