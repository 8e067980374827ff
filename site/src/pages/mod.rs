//! Every HTML page of the site and the files around them, one module per page family. Each
//! family builds typed, borrowed views of the dataset (the page structs of its module) and
//! renders them through the templates of `templates/` (compiled in by askama, see
//! [`crate::tpl`]), in parallel, and returns the paths it wants in the sitemap.
//!
//! | family | module | paths |
//! |---|---|---|
//! | server pages | [`server`] | `/servers/<slug>/` |
//! | listings | [`listings`] | `/browse/` (also `name/`, `updated/`, `page/N/`), `/sources/<source>/…`, `/categories/<id>/…` |
//! | tools | [`tools`] | `/tools/` (and `page/N/`), `/tools/<slug>/` |
//! | indexes | [`indexes`] | `/sources/`, `/categories/` |
//! | home and stats | [`home`] | `/`, `/stats/`, `/about/`, `/search/`, `/404.html` |
//! | machine files | [`files`] | static assets, feed, changes, registry mirror, history, sitemaps, robots |
//!
//! The families share one [`Ctx`]: the dataset's slugs, list items (each rendered once as a card
//! and reused by every list), sort orders and categories. It decides what a page shows; the
//! templates decide how it looks.

pub mod files;
pub mod home;
pub mod indexes;
pub mod listings;
pub mod server;
pub mod tools;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

use askama::Template;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

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
    pub crawl_report: Option<&'a Value>,
    pub categories_file: Option<&'a dataset::files::CategoriesFile>,
    pub history: &'a History,
    pub base: &'a Base,
    pub has_search: bool,
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
    pub has_search: bool,
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

/// Sort orders of browse pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Popular,
    Name,
    Updated,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Popular, Sort::Name, Sort::Updated];
    fn segment(self) -> &'static str {
        match self {
            Sort::Popular => "",
            Sort::Name => "name/",
            Sort::Updated => "updated/",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Sort::Popular => "Most popular",
            Sort::Name => "Name",
            Sort::Updated => "Recently updated",
        }
    }
}

/// Path of page `n` (1-based) of a listing under `prefix` in `sort` order.
pub fn list_path(prefix: &str, sort: Sort, n: usize) -> String {
    if n <= 1 {
        format!("{prefix}{}", sort.segment())
    } else {
        format!("{prefix}{}page/{n}/", sort.segment())
    }
}

fn popularity_key(s: &Server, use_score: bool) -> (i64, u64, u64) {
    let score = if use_score {
        s.score
            .as_ref()
            .map(|sc| (sc.total * 1000.0) as i64)
            .unwrap_or(-1)
    } else {
        0
    };
    (score, s.downloads_monthly(), s.stars().unwrap_or(0))
}

/// The servers' indexes in each sort order.
pub(crate) struct Orders {
    pub(crate) popular: Vec<usize>,
    name: Vec<usize>,
    updated: Vec<usize>,
}

impl Orders {
    fn new(servers: &[Server]) -> Orders {
        let use_score = servers.iter().any(|s| s.score.is_some());
        let mut popular: Vec<usize> = (0..servers.len()).collect();
        popular.par_sort_by(|&a, &b| {
            popularity_key(&servers[b], use_score)
                .cmp(&popularity_key(&servers[a], use_score))
                .then_with(|| servers[a].id.cmp(&servers[b].id))
        });
        let lower: Vec<String> = servers.iter().map(|s| s.name.to_lowercase()).collect();
        let mut name: Vec<usize> = (0..servers.len()).collect();
        name.par_sort_by(|&a, &b| {
            lower[a]
                .cmp(&lower[b])
                .then_with(|| servers[a].id.cmp(&servers[b].id))
        });
        // By the date its sources last updated it (never the crawl date); undated last.
        let dates: Vec<Option<&str>> = servers
            .iter()
            .map(|s| s.updated_at().map(|t| &t[..19]))
            .collect();
        let mut updated: Vec<usize> = (0..servers.len()).collect();
        updated.par_sort_by(|&a, &b| {
            dates[b]
                .cmp(&dates[a])
                .then_with(|| servers[a].id.cmp(&servers[b].id))
        });
        Orders {
            popular,
            name,
            updated,
        }
    }
    pub(crate) fn get(&self, s: Sort) -> &[usize] {
        match s {
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
pub(crate) fn pagination(prefix: &str, sort: Sort, page: usize, pages: usize) -> Pagination {
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
                href: list_path(prefix, sort, n),
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
        prev: (page > 1).then(|| list_path(prefix, sort, page - 1)),
        next: (page < pages).then(|| list_path(prefix, sort, page + 1)),
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
            has_search: inp.has_search,
            has_categories: !categories.is_empty(),
            raw_json: inp.raw_json,
        };
        let source_counts = Source::ALL
            .iter()
            .map(|&src| (src, ds.servers.iter().filter(|s| s.has_source(src)).count()))
            .collect();
        Ok(Ctx {
            inp,
            ds,
            base,
            site,
            slugs,
            items,
            cards,
            index_of,
            orders: Orders::new(&ds.servers),
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
    files::render(&ctx, out, sitemap)
}
