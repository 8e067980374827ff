//! Every HTML page of the site and the files around them, one module per page family. Each
//! family builds typed, borrowed views of the dataset (the page structs of its module) and
//! renders them through the templates of `templates/` (compiled in by askama, configured in
//! `site/askama.toml`), in parallel, and returns the paths it wants in the sitemap.
//!
//! | family | module | paths |
//! |---|---|---|
//! | server pages | [`server`] | `/servers/<slug>/` |
//! | listings | [`listings`] | `/browse/` (also `name/`, `updated/`, `page/N/`), `/sources/<source>/…`, `/categories/<id>/…` |
//! | tools | [`tools`] | `/tools/` (and `page/N/`), `/tools/<slug>/` |
//! | indexes | [`indexes`] | `/sources/`, `/categories/` |
//! | changes | [`changes`] | `/changes/` |
//! | home and stats | [`home`] | `/`, `/stats/`, `/about/`, `/search/`, `/404.html` |
//! | prebuilt searches | [`searches`] | `/search/q/`, `/search/q/<slug>/` |
//! | machine files | [`files`] | static assets, feed, changes, registry mirror, history, sitemaps, robots |
//!
//! The families share one [`Ctx`]: the dataset's slugs, list items (each rendered once as a card
//! and reused by every list), sort orders and categories. It decides what a page shows; the
//! templates decide how it looks.

pub mod changes;
pub mod files;
pub mod home;
pub mod indexes;
pub mod listings;
pub mod searches;
pub mod server;
pub mod tools;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use askama::Template;
use rayon::prelude::*;
use serde::Serialize;

use dataset::{Dataset, Server, Source};

use crate::history::History;
use crate::markdown::clean_text;
use crate::view::{day, Item};
use crate::{Base, Out, CSP};

/// Servers per browse page.
pub const PER_PAGE: usize = 100;
/// Tool names per tools-index page.
pub const TOOLS_PER_PAGE: usize = 500;
/// Bytes of README Markdown rendered on a server page (longer ones are cut at a line end).
pub const README_MAX: usize = 48 * 1024;
/// Servers listed on one tool's page.
pub const TOOL_PAGE_CAP: usize = 200;

/// Everything the pages are made from.
pub struct Inputs<'a> {
    pub ds: &'a Dataset,
    pub previous: Option<&'a Dataset>,
    pub crawl_report: Option<&'a dataset::files::CrawlReport>,
    pub categories_file: Option<&'a dataset::files::CategoriesFile>,
    pub history: &'a History,
    pub base: &'a Base,
    pub has_search: bool,
    /// Prebuilt results of common searches (the indexer's `common.json`), if any.
    pub common_searches: Option<&'a searches::CommonFile>,
    /// Whether `servers.json` is published uncompressed (see [`crate::RAW_JSON_MAX`]).
    pub raw_json: bool,
}

/// What every page knows about the site (the frame of `templates/base.html`).
#[derive(Debug, Clone, Serialize)]
pub struct SiteCtx {
    pub base: String,
    pub abs: String,
    pub csp: &'static str,
    pub crawl_day: String,
    /// Every source's crawl was skipped (the bundled sample, imported from package listings):
    /// the footer says "Imported", not "Last crawl".
    pub imported: bool,
    pub has_search: bool,
    /// `/search/q/` exists (prebuilt results of common searches).
    pub has_common_searches: bool,
    pub has_categories: bool,
    /// `servers.json` is published uncompressed too (not when over [`crate::RAW_JSON_MAX`]).
    pub raw_json: bool,
}

/// Per-page head data.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Meta<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// Path relative to the base, for canonical/og:url (`servers/x/`).
    pub path: &'a str,
    /// Nav section to highlight.
    pub section: &'static str,
    pub og_type: &'static str,
}

impl<'a> Meta<'a> {
    pub fn new(title: &'a str, description: &'a str, path: &'a str, section: &'static str) -> Self {
        Meta {
            title,
            description,
            path,
            section,
            og_type: "website",
        }
    }
}

thread_local! {
    /// One reused page buffer per rendering thread.
    static BUF: RefCell<String> = RefCell::new(String::with_capacity(64 * 1024));
}

/// Renders `t` and writes it at `rel`.
pub(crate) fn write_page(out: &Out, rel: &str, t: &impl Template) -> anyhow::Result<()> {
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        t.render_into(buf)
            .map_err(|e| anyhow::anyhow!("rendering {rel}: {e}"))?;
        out.write(rel, buf.as_bytes())
    })
}

/// The file of a page at `path` (`""` is the home page).
pub(crate) fn page_file(path: &str) -> String {
    format!("{path}index.html")
}

/// A category as listed.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryView {
    pub id: String,
    pub label: String,
    pub description: String,
    pub count: usize,
    pub href: String,
}

/// Sort orders of browse pages. Each says exactly what it orders by (its `rule`, shown on the
/// page); every order ends with the name, then the id, so it is total and stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Servers whose last probe answered the protocol first, each group in popular order: what
    /// a listing shows before anything is chosen.
    Verified,
    /// Monthly downloads (summed over package sources), then the rank among a source's most
    /// downloaded packages (a source that gives ranks, not counts), then repository stars.
    Popular,
    Name,
    /// The newest release or push date the sources report; records with none come last.
    Updated,
}

impl Sort {
    pub const ALL: [Sort; 4] = [Sort::Verified, Sort::Popular, Sort::Name, Sort::Updated];
    /// The path segment of this order when it is not the listing's default.
    fn slug(self) -> &'static str {
        match self {
            Sort::Verified => "verified-first/",
            Sort::Popular => "popular/",
            Sort::Name => "name/",
            Sort::Updated => "updated/",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Sort::Verified => "Verified first",
            Sort::Popular => "Most popular",
            Sort::Name => "Name",
            Sort::Updated => "Recently updated",
        }
    }
    /// What the order is, in a sentence for the page.
    pub fn rule(self) -> &'static str {
        match self {
            Sort::Verified => "Servers that answered Hisper's probe come first; within each group, the most popular first.",
            Sort::Popular => "By monthly downloads; then, for packages whose source gives only a rank among its most downloaded packages, by that rank; then by repository stars.",
            Sort::Name => "By name, A to Z.",
            Sort::Updated => "By the newest release or push date the package registries and repository report, newest first.",
        }
    }
    /// The segment of `self` in a listing whose default (first) order is `default`.
    pub(crate) fn segment(self, default: Sort) -> &'static str {
        if self == default {
            ""
        } else {
            self.slug()
        }
    }
}

/// Path of page `n` (1-based) of a listing under `prefix`, `seg` being its sort order's segment
/// (`""` for the default order).
pub fn list_path(prefix: &str, seg: &str, n: usize) -> String {
    if n <= 1 {
        format!("{prefix}{seg}")
    } else {
        format!("{prefix}{seg}page/{n}/")
    }
}

/// The popular order's key, compared ascending: more downloads, then a better (smaller) rank,
/// then more stars come first.
fn popularity_key(s: &Server) -> (std::cmp::Reverse<u64>, u64, std::cmp::Reverse<u64>) {
    let rank = s
        .sources
        .iter()
        .filter_map(|e| e.download_rank)
        .min()
        .unwrap_or(u64::MAX);
    (
        std::cmp::Reverse(s.downloads_monthly()),
        rank,
        std::cmp::Reverse(s.stars().unwrap_or(0)),
    )
}

/// The servers' indexes in each sort order.
pub(crate) struct Orders {
    pub(crate) popular: Vec<usize>,
    verified: Vec<usize>,
    name: Vec<usize>,
    updated: Vec<usize>,
}

impl Orders {
    fn new(servers: &[Server], items: &[Item]) -> Orders {
        let lower: Vec<String> = servers.iter().map(|s| s.name.to_lowercase()).collect();
        let by_name = |a: usize, b: usize| {
            lower[a]
                .cmp(&lower[b])
                .then_with(|| servers[a].id.cmp(&servers[b].id))
        };
        let keys: Vec<_> = servers.iter().map(popularity_key).collect();
        let mut popular: Vec<usize> = (0..servers.len()).collect();
        popular.par_sort_by(|&a, &b| keys[a].cmp(&keys[b]).then_with(|| by_name(a, b)));
        let rank: Vec<usize> = {
            let mut r = vec![0; servers.len()];
            for (pos, &i) in popular.iter().enumerate() {
                r[i] = pos;
            }
            r
        };
        let verified_server = |i: usize| servers[i].verified();
        let mut verified = popular.clone();
        // Stable: each group keeps the popular order.
        verified.sort_by_key(|&i| !verified_server(i));
        let mut name: Vec<usize> = (0..servers.len()).collect();
        name.par_sort_by(|&a, &b| by_name(a, b));
        let mut updated: Vec<usize> = (0..servers.len()).collect();
        updated.par_sort_by(|&a, &b| {
            match (&items[a].updated, &items[b].updated) {
                (Some(x), Some(y)) => y.cmp(x),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then_with(|| rank[a].cmp(&rank[b]))
        });
        Orders {
            popular,
            verified,
            name,
            updated,
        }
    }
    pub(crate) fn get(&self, s: Sort) -> &[usize] {
        match s {
            Sort::Verified => &self.verified,
            Sort::Popular => &self.popular,
            Sort::Name => &self.name,
            Sort::Updated => &self.updated,
        }
    }
}

/// A link to one page of a pager.
#[derive(Debug, Serialize)]
pub struct PageLink {
    pub n: usize,
    pub href: String,
    pub current: bool,
    pub gap_before: bool,
}

/// The pager of a paginated listing (the `pager` macro).
#[derive(Debug, Serialize)]
pub struct Pagination {
    pub page: usize,
    pub pages: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PageLink>,
}

/// Page `page` of `pages` under `prefix` (already with the base): first, last, and two either side.
pub(crate) fn pagination(prefix: &str, seg: &str, page: usize, pages: usize) -> Pagination {
    let mut shown: Vec<usize> = vec![1, pages, page];
    for d in 1..=2 {
        if page > d {
            shown.push(page - d);
        }
        shown.push(page + d);
    }
    shown.retain(|n| *n >= 1 && *n <= pages);
    shown.sort();
    shown.dedup();
    let mut prev_n = 0;
    let links = shown
        .into_iter()
        .map(|n| {
            let l = PageLink {
                n,
                href: list_path(prefix, seg, n),
                current: n == page,
                gap_before: prev_n != 0 && n > prev_n + 1,
            };
            prev_n = n;
            l
        })
        .collect();
    Pagination {
        page,
        pages,
        prev: (page > 1).then(|| list_path(prefix, seg, page - 1)),
        next: (page < pages).then(|| list_path(prefix, seg, page + 1)),
        links,
    }
}

/// A label, a value and maybe a link (home and stats totals, sources).
#[derive(Debug, Clone, Serialize)]
pub struct Total {
    pub label: String,
    pub value: String,
    pub href: Option<String>,
}

/// One server as a list card: `templates/item.html`, rendered once per server.
#[derive(Template)]
#[template(path = "item.html")]
struct ItemHtml<'a> {
    base: &'a str,
    it: &'a Item,
}

/// Category ids present in the dataset with labels from `categories.json` (fallback: the id).
fn category_views(
    ds: &Dataset,
    file: Option<&dataset::files::CategoriesFile>,
    base: &str,
) -> Vec<CategoryView> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &ds.servers {
        for c in &s.categories {
            if dataset::slug::slugify(&c.id) == c.id {
                *counts.entry(c.id.as_str()).or_default() += 1;
            }
        }
    }
    let labels: HashMap<&str, (String, String)> = file
        .map(|f| {
            f.categories
                .iter()
                .map(|c| {
                    (
                        c.id.as_str(),
                        (clean_text(&c.label), clean_text(&c.description)),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut v: Vec<CategoryView> = counts
        .into_iter()
        .map(|(id, count)| {
            let (label, description) = labels
                .get(id)
                .cloned()
                .unwrap_or_else(|| (id.replace('-', " "), String::new()));
            CategoryView {
                id: id.to_string(),
                label,
                description,
                count,
                href: format!("{base}categories/{id}/"),
            }
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
    v
}

/// What the page families share, computed once per build.
pub struct Ctx<'a> {
    pub(crate) inp: &'a Inputs<'a>,
    pub(crate) ds: &'a Dataset,
    /// The base path (`/` or `/hisper/`).
    pub(crate) base: &'a str,
    pub(crate) site: SiteCtx,
    /// Server id → slug.
    pub(crate) slugs: BTreeMap<String, String>,
    /// One list item per server, in dataset order.
    pub(crate) items: Vec<Item>,
    /// `items` rendered as cards (`templates/item.html`).
    pub(crate) cards: Vec<String>,
    pub(crate) index_of: HashMap<&'a str, usize>,
    pub(crate) orders: Orders,
    pub(crate) categories: Vec<CategoryView>,
    /// Day number of the dataset's generation (the health strip ends there).
    pub(crate) today: i64,
    /// Records per source, in [`Source::ALL`] order.
    pub(crate) source_counts: Vec<(Source, usize)>,
}

impl<'a> Ctx<'a> {
    pub fn new(inp: &'a Inputs<'a>) -> anyhow::Result<Ctx<'a>> {
        let ds = inp.ds;
        let base = inp.base.path.as_str();
        let slugs = dataset::slug::assign(&ds.servers);
        let items: Vec<Item> = ds
            .servers
            .par_iter()
            .map(|s| match slugs.get(&s.id) {
                Some(slug) => Item::new(s, slug),
                None => Item::new(s, &dataset::slug::slugify(&s.name)),
            })
            .collect();
        let cards = items
            .par_iter()
            .map(|it| ItemHtml { base, it }.render())
            .collect::<Result<Vec<String>, _>>()
            .map_err(|e| anyhow::anyhow!("rendering a list item: {e}"))?;
        let index_of = ds
            .servers
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let categories = category_views(ds, inp.categories_file, base);
        let site = SiteCtx {
            base: base.to_string(),
            abs: inp.base.abs.clone(),
            csp: CSP,
            crawl_day: day(&ds.generated_at),
            imported: !ds.crawl.is_empty()
                && ds
                    .crawl
                    .values()
                    .all(|v| v.status == dataset::CrawlStatus::Skipped),
            has_search: inp.has_search,
            has_common_searches: inp.common_searches.is_some_and(|c| !c.searches.is_empty()),
            has_categories: !categories.is_empty(),
            raw_json: inp.raw_json,
        };
        let source_counts = Source::ALL
            .iter()
            .map(|&src| (src, ds.servers.iter().filter(|s| s.has_source(src)).count()))
            .collect();
        let orders = Orders::new(&ds.servers, &items);
        Ok(Ctx {
            inp,
            ds,
            base,
            site,
            slugs,
            items,
            cards,
            index_of,
            orders,
            categories,
            today: dataset::time::day_number(&day(&ds.generated_at)).unwrap_or(0),
            source_counts,
        })
    }

    /// The list item of the server with this id.
    pub(crate) fn item_of(&self, id: &str) -> Option<&Item> {
        self.index_of.get(id).map(|&i| &self.items[i])
    }
}

/// Renders every page and file of the site except the dataset files ([`crate::machine::dataset_files`]).
pub fn render_all(inp: &Inputs, out: &Out, pb: &indicatif::ProgressBar) -> anyhow::Result<()> {
    let ctx = Ctx::new(inp)?;
    let mut sitemap = server::render(&ctx, out, pb)?;
    sitemap.extend(listings::render(&ctx, out)?);
    sitemap.extend(tools::render(&ctx, out)?);
    sitemap.extend(indexes::render(&ctx, out)?);
    sitemap.extend(home::render(&ctx, out)?);
    sitemap.extend(searches::render(&ctx, out)?);
    sitemap.extend(changes::render(&ctx, out)?);
    files::render(&ctx, out, sitemap)
}
