//! Every HTML page of the site: the page contexts and their rendering through the embedded tera
//! templates, in parallel.
//!
//! Paths: `/` home, `/servers/<slug>/`, `/browse/` (all; also `name/`, `updated/`, `page/N/`),
//! `/sources/<source>/…`, `/categories/<id>/…`, `/tools/` (and `page/N/`), `/tools/<slug>/`,
//! `/stats/`, `/about/`, `/search/`, `/404.html`, plus the feeds and machine files of [`crate::machine`].

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use tera::Tera;

use dataset::{Dataset, Kind, Outcome, Server, Source};

use crate::charts::{self, Bar, Series};
use crate::history::History;
use crate::markdown::{clean_multiline, clean_text, shorten};
use crate::view::{self, compact, day, safe_url, thousands, Item};
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
    pub categories_file: Option<&'a Value>,
    pub history: &'a History,
    pub base: &'a Base,
    pub has_search: bool,
    /// Whether `servers.json` is published uncompressed (see [`crate::RAW_JSON_MAX`]).
    pub raw_json: bool,
}

macro_rules! tpl {
    ($name:literal) => {
        ($name, include_str!(concat!("../../templates/", $name)))
    };
}

/// The embedded templates.
pub fn templates() -> &'static Tera {
    static T: OnceLock<Tera> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Tera::default();
        t.add_raw_templates(vec![
            tpl!("base.html"),
            tpl!("macros.html"),
            tpl!("home.html"),
            (
                "shell.html",
                "{% extends \"base.html\" %}{% block content %}\u{1}B{% endblock content %}",
            ),
            tpl!("index.html"),
            tpl!("tool.html"),
            tpl!("stats.html"),
            tpl!("about.html"),
            tpl!("search.html"),
            tpl!("404.html"),
        ])
        .expect("the embedded templates parse (checked by the tests)");
        // Escapes & < > " ' (not `/`, which tera escapes by default and which is safe in text
        // and quoted attributes): shorter pages, readable URLs.
        t.set_escape_fn(crate::charts::esc);
        t
    })
}

/// What every page knows about the site.
#[derive(Debug, Clone, Serialize)]
pub struct SiteCtx {
    pub base: String,
    pub abs: String,
    pub csp: &'static str,
    pub generated_at: String,
    pub crawl_day: String,
    pub has_search: bool,
    pub has_categories: bool,
    /// `servers.json` is published uncompressed too (not when over [`crate::RAW_JSON_MAX`]).
    pub raw_json: bool,
}

/// Per-page head data.
#[derive(Debug, Clone, Serialize)]
pub struct Meta {
    pub title: String,
    pub description: String,
    /// Path relative to the base, for canonical/og:url (`servers/x/`).
    pub path: String,
    /// Nav section to highlight.
    pub section: &'static str,
    pub og_type: &'static str,
}

fn render(
    tera: &Tera,
    name: &str,
    site: &SiteCtx,
    meta: &Meta,
    page: &impl Serialize,
) -> anyhow::Result<String> {
    let mut ctx = tera::Context::new();
    ctx.insert("site", site);
    ctx.insert("meta", meta);
    ctx.insert("page", page);
    tera.render(name, &ctx)
        .map(|h| crate::fast::tidy(&h))
        .map_err(|e| anyhow::anyhow!("{}", tera_error_chain(&e)))
        .with_context(|| format!("rendering {name} for {}", meta.path))
}

fn tera_error_chain(e: &tera::Error) -> String {
    let mut s = e.to_string();
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn page_file(path: &str) -> String {
    if path.is_empty() {
        "index.html".into()
    } else {
        format!("{path}index.html")
    }
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

struct Orders {
    popular: Vec<usize>,
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
        let mut updated: Vec<usize> = (0..servers.len()).collect();
        updated.par_sort_by(|&a, &b| {
            servers[b]
                .last_changed
                .cmp(&servers[a].last_changed)
                .then_with(|| servers[a].id.cmp(&servers[b].id))
        });
        Orders {
            popular,
            name,
            updated,
        }
    }
    fn get(&self, s: Sort) -> &[usize] {
        match s {
            Sort::Popular => &self.popular,
            Sort::Name => &self.name,
            Sort::Updated => &self.updated,
        }
    }
}

/// A listing: all servers, a source's or a category's.
struct Listing {
    prefix: String,
    title: String,
    description: String,
    section: &'static str,
    members: Option<Vec<bool>>,
    count: usize,
}

#[derive(Serialize)]
pub(crate) struct SortLink {
    pub(crate) label: &'static str,
    pub(crate) href: String,
    pub(crate) current: bool,
}

#[derive(Serialize)]
pub(crate) struct PageLink {
    pub(crate) n: usize,
    pub(crate) href: String,
    pub(crate) current: bool,
    pub(crate) gap_before: bool,
}

#[derive(Serialize)]
pub(crate) struct Pagination {
    pub(crate) page: usize,
    pub(crate) pages: usize,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) links: Vec<PageLink>,
}

fn pagination(prefix: &str, sort: Sort, page: usize, pages: usize) -> Pagination {
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

#[derive(Serialize)]
pub(crate) struct ListPage<'a> {
    pub(crate) heading: &'a str,
    pub(crate) description: &'a str,
    pub(crate) total: String,
    pub(crate) sorts: Vec<SortLink>,
    /// The items, pre-rendered once per server by [`item_html`] (every list page reuses them).
    pub(crate) items_html: String,
    pub(crate) pagination: Pagination,
    pub(crate) first: usize,
    pub(crate) last: usize,
}

#[derive(Serialize)]
struct Total {
    label: String,
    value: String,
    href: Option<String>,
}

#[derive(Serialize)]
struct HomePage {
    totals: Vec<Total>,
    recent_html: String,
    popular_html: String,
    categories: Vec<CategoryView>,
    sources: Vec<Total>,
    last_crawl: String,
}

#[derive(Serialize)]
struct IndexEntry {
    href: String,
    label: String,
    count: String,
    description: String,
}

#[derive(Serialize)]
struct IndexPage {
    heading: String,
    intro: String,
    entries: Vec<IndexEntry>,
    pagination: Option<Pagination>,
    compact: bool,
}

#[derive(Serialize)]
struct ToolServer<'a> {
    item: &'a Item,
    description: String,
}

#[derive(Serialize)]
struct ToolPage<'a> {
    name: String,
    count: usize,
    servers: Vec<ToolServer<'a>>,
    more: usize,
}

#[derive(Serialize)]
pub(crate) struct ServerPage<'a> {
    pub(crate) item: &'a Item,
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: String,
    pub(crate) kind: &'static str,
    pub(crate) kind_note: Option<&'static str>,
    pub(crate) sources: Vec<view::SourceLink>,
    pub(crate) repository: Option<RepoView>,
    pub(crate) license: Option<String>,
    pub(crate) stars: Option<String>,
    pub(crate) downloads: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) transports: Vec<String>,
    pub(crate) probe: Option<ProbeView>,
    pub(crate) health_svg: String,
    pub(crate) uptime: Option<String>,
    pub(crate) health_nights: usize,
    pub(crate) tools: Vec<view::ToolView>,
    pub(crate) prompts: Vec<view::Entry>,
    pub(crate) resources: Vec<view::Entry>,
    pub(crate) templates: Vec<view::Entry>,
    pub(crate) instructions: Option<String>,
    pub(crate) config: Vec<view::ConfigItem>,
    pub(crate) snippets: Vec<crate::install::Snippet>,
    pub(crate) readme: Option<String>,
    pub(crate) similar: Vec<&'a Item>,
    pub(crate) categories: Vec<CategoryView>,
    pub(crate) keywords: Vec<String>,
    pub(crate) score: Option<ScoreView>,
    pub(crate) safety: Vec<&'static str>,
    pub(crate) checklist: Vec<CheckView>,
    pub(crate) duplicate_of: Option<&'a Item>,
    pub(crate) copies: Vec<&'a Item>,
    pub(crate) first_seen: String,
    pub(crate) last_seen: String,
    pub(crate) last_changed: String,
    pub(crate) json_name: String,
    pub(crate) deprecated: bool,
    pub(crate) archived: bool,
}

#[derive(Serialize)]
pub(crate) struct RepoView {
    pub(crate) url: Option<String>,
    pub(crate) label: String,
    pub(crate) forks: Option<String>,
    pub(crate) archived: bool,
    pub(crate) fork: bool,
    pub(crate) pushed: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct ProbeView {
    pub(crate) outcome: &'static str,
    pub(crate) label: &'static str,
    pub(crate) class: &'static str,
    pub(crate) date: String,
    pub(crate) phase: Option<String>,
    pub(crate) detail: Option<String>,
    pub(crate) stderr_tail: Option<String>,
    pub(crate) exit_status: Option<String>,
    pub(crate) command: Option<String>,
    pub(crate) protocol_version: Option<String>,
    pub(crate) server_info: Option<String>,
    pub(crate) sandboxed: bool,
    pub(crate) placeholder_config: bool,
    pub(crate) lints: Vec<LintView>,
    pub(crate) timing: Option<String>,
    pub(crate) failed: bool,
}

#[derive(Serialize)]
pub(crate) struct LintView {
    pub(crate) severity: String,
    pub(crate) message: String,
}

#[derive(Serialize)]
pub(crate) struct ScoreView {
    pub(crate) total: String,
    pub(crate) components: Vec<(String, String)>,
    pub(crate) penalties: Vec<String>,
}

#[derive(Serialize)]
pub(crate) struct CheckView {
    pub(crate) passed: bool,
    pub(crate) message: String,
}

#[derive(Serialize)]
struct StatsPage {
    totals: Vec<Total>,
    over_time: String,
    per_source_time: String,
    /// Probe outcomes per night (the six most frequent), with its legend.
    per_outcome_time: String,
    per_outcome_legend: String,
    nights: usize,
    outcomes: String,
    protocols: String,
    categories: Option<String>,
    kinds: String,
    crawl_sources: Vec<CrawlSourceRow>,
    crawl_report: Vec<(String, String)>,
    crawl_report_more: usize,
}

#[derive(Serialize)]
struct CrawlSourceRow {
    source: String,
    status: String,
    records: String,
    requests: String,
    errors: String,
    note: String,
}

#[derive(Serialize)]
struct Empty {}

/// Category ids present in the dataset with labels from `categories.json` (fallback: the id).
fn category_views(ds: &Dataset, file: Option<&Value>, base: &str) -> Vec<CategoryView> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &ds.servers {
        for c in &s.categories {
            if dataset::slug::slugify(&c.id) == c.id {
                *counts.entry(c.id.as_str()).or_default() += 1;
            }
        }
    }
    let mut labels: HashMap<String, (String, String)> = HashMap::new();
    if let Some(list) = file
        .and_then(|f| f.get("categories"))
        .and_then(Value::as_array)
    {
        for c in list {
            if let Some(id) = c.get("id").and_then(Value::as_str) {
                let label = c.get("label").and_then(Value::as_str).unwrap_or(id);
                let desc = c.get("description").and_then(Value::as_str).unwrap_or("");
                labels.insert(id.to_string(), (clean_text(label), clean_text(desc)));
            }
        }
    }
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

/// Unique slugs for tool names.
pub fn tool_slugs<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, String> {
    let mut out = BTreeMap::new();
    let mut taken = std::collections::HashSet::new();
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

/// One server in a list, as HTML: the same markup as the `item` macro of `macros.html`, built
/// here because list pages repeat each item three times (one per sort order) and tera macros are
/// the slowest part of a list page. Every value is escaped.
pub fn item_html(it: &Item, base: &str) -> String {
    use crate::fast::{push_esc, push_text};
    use std::fmt::Write as _;
    let mut h = String::with_capacity(640);
    h.push_str("<li><div><a href=\"");
    push_esc(&mut h, base);
    h.push_str("servers/");
    push_esc(&mut h, &it.slug);
    h.push_str("/\">");
    push_text(&mut h, &it.name);
    h.push_str("</a>");
    if let Some(v) = &it.version {
        h.push_str("<span class=\"ver\">");
        push_text(&mut h, v);
        h.push_str("</span>");
    }
    if let Some(o) = it.outcome {
        let _ = write!(h, "<span class=\"pill {}\">", it.outcome_class);
        push_text(&mut h, o);
        h.push_str("</span>");
    }
    if it.kind != "server" {
        let _ = write!(h, "<span class=\"pill kind\">{}</span>", it.kind);
    }
    h.push_str("</div>");
    if !it.description.is_empty() {
        h.push_str("<p>");
        push_text(&mut h, &it.description);
        h.push_str("</p>");
    }
    h.push_str("<p class=\"meta\">");
    for s in &it.sources {
        let _ = write!(h, "<span class=\"src\">{s}</span>");
    }
    if it.tools > 0 {
        let _ = write!(
            h,
            "<span>{} tool{}</span>",
            it.tools,
            if it.tools == 1 { "" } else { "s" }
        );
    }
    if let Some(d) = &it.downloads {
        h.push_str("<span title=\"Monthly downloads\">↓ ");
        push_text(&mut h, d);
        h.push_str("/mo</span>");
    }
    if let Some(st) = &it.stars {
        h.push_str("<span title=\"Stars\">★ ");
        push_text(&mut h, st);
        h.push_str("</span>");
    }
    h.push_str("<span>updated ");
    push_text(&mut h, &it.updated);
    h.push_str("</span></p></li>\n");
    h
}

/// Renders every page and the feeds; returns nothing but errors.
pub fn render_all(inp: &Inputs, out: &Out, pb: &indicatif::ProgressBar) -> anyhow::Result<()> {
    let ds = inp.ds;
    let base = inp.base.path.as_str();
    let tera = templates();
    let slugs = dataset::slug::assign(&ds.servers);
    let slug_of = |s: &Server| {
        slugs
            .get(&s.id)
            .cloned()
            .unwrap_or_else(|| dataset::slug::slugify(&s.name))
    };
    let items: Vec<Item> = ds
        .servers
        .par_iter()
        .map(|s| Item::new(s, &slug_of(s)))
        .collect();
    let index_of: HashMap<&str, usize> = ds
        .servers
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let orders = Orders::new(&ds.servers);
    let item_htmls: Vec<String> = items.par_iter().map(|it| item_html(it, base)).collect();
    let categories = category_views(ds, inp.categories_file, base);
    let today = dataset::time::day_number(&day(&ds.generated_at)).unwrap_or(0);
    let site = SiteCtx {
        base: base.to_string(),
        abs: inp.base.abs.clone(),
        csp: CSP,
        generated_at: ds.generated_at.clone(),
        crawl_day: day(&ds.generated_at),
        has_search: inp.has_search,
        has_categories: !categories.is_empty(),
        raw_json: inp.raw_json,
    };
    let cat_label: HashMap<&str, &CategoryView> =
        categories.iter().map(|c| (c.id.as_str(), c)).collect();

    // Tools index: name → servers (in popularity order).
    let mut tool_servers: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &orders.popular {
        if let Some(p) = &ds.servers[i].probe {
            let mut names: Vec<&str> = p.tool_names().collect();
            names.sort();
            names.dedup();
            for n in names {
                tool_servers.entry(n).or_default().push(i);
            }
        }
    }
    let tslugs = tool_slugs(tool_servers.keys().copied());

    // "Similar tools" fallback when enrich did not fill `similar`: most shared tool names.
    let similar_of = |i: usize| -> Vec<&Item> {
        let s = &ds.servers[i];
        if !s.similar.is_empty() {
            return s
                .similar
                .iter()
                .filter_map(|id| index_of.get(id.as_str()))
                .filter(|&&j| j != i)
                .map(|&j| &items[j])
                .take(5)
                .collect();
        }
        let Some(p) = &s.probe else { return Vec::new() };
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for n in p.tool_names() {
            if let Some(list) = tool_servers.get(n) {
                for &j in list.iter().take(64) {
                    if j != i {
                        *counts.entry(j).or_default() += 1;
                    }
                }
            }
        }
        let mut v: Vec<(usize, usize)> = counts.into_iter().collect();
        let rank: HashMap<usize, usize> = HashMap::new();
        let _ = rank;
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter()
            .filter(|(_, c)| *c >= 1)
            .take(5)
            .map(|(j, _)| &items[j])
            .collect()
    };

    let mut sitemap_paths: Vec<String> = vec![
        String::new(),
        "browse/".into(),
        "stats/".into(),
        "about/".into(),
        "tools/".into(),
        "sources/".into(),
    ];

    // Server pages and lists: hand-written bodies in a pre-rendered frame, one reused buffer per
    // thread.
    thread_local! {
        static BODY: std::cell::RefCell<String> = std::cell::RefCell::new(String::with_capacity(64 * 1024));
    }
    let browse_shell = crate::fast::Shell::new(&site, "browse")?;
    let categories_shell = crate::fast::Shell::new(&site, "categories")?;

    // Server pages.
    pb.set_length(ds.servers.len() as u64);
    (0..ds.servers.len()).into_par_iter().try_for_each(|i| {
        let s = &ds.servers[i];
        let item = &items[i];
        let page = server_page(
            s,
            item,
            today,
            &similar_of(i),
            &cat_label,
            &index_of,
            &items,
            base,
        );
        BODY.with_borrow_mut(|body| {
            body.clear();
            crate::fast::server_body(body, &page, base);
            let html = browse_shell.page(
                &shorten(&item.name, 58),
                &shorten(&item.description, 160),
                &format!("servers/{}/", item.slug),
                body,
            );
            out.write(
                &format!("servers/{}/index.html", item.slug),
                html.as_bytes(),
            )
        })?;
        pb.inc(1);
        anyhow::Ok(())
    })?;
    sitemap_paths.extend(items.iter().map(|it| format!("servers/{}/", it.slug)));

    // Listings.
    let mut listings = vec![Listing {
        prefix: "browse/".into(),
        title: "All servers".into(),
        description: "Every MCP server, SDK and client Hisper found.".into(),
        section: "browse",
        members: None,
        count: ds.servers.len(),
    }];
    let mut source_totals = Vec::new();
    for src in Source::ALL {
        let members: Vec<bool> = ds.servers.iter().map(|s| s.has_source(src)).collect();
        let count = members.iter().filter(|m| **m).count();
        source_totals.push(Total {
            label: src.label().into(),
            value: thousands(count as u64),
            href: (count > 0).then(|| format!("{base}sources/{}/", src.as_str())),
        });
        if count > 0 {
            listings.push(Listing {
                prefix: format!("sources/{}/", src.as_str()),
                title: format!("Servers on {}", src.label()),
                description: format!("Everything Hisper found on {}.", src.label()),
                section: "browse",
                members: Some(members),
                count,
            });
        }
    }
    for c in &categories {
        let members: Vec<bool> = ds
            .servers
            .iter()
            .map(|s| s.categories.iter().any(|x| x.id == c.id))
            .collect();
        listings.push(Listing {
            prefix: format!("categories/{}/", c.id),
            title: c.label.clone(),
            description: if c.description.is_empty() {
                format!("Servers in the {} category.", c.label)
            } else {
                c.description.clone()
            },
            section: "categories",
            members: Some(members),
            count: c.count,
        });
    }
    let jobs: Vec<(usize, Sort)> = (0..listings.len())
        .flat_map(|l| Sort::ALL.into_iter().map(move |s| (l, s)))
        .collect();
    let list_paths: Vec<Vec<String>> = jobs
        .par_iter()
        .map(|&(l, sort)| {
            let listing = &listings[l];
            let idx: Vec<usize> = orders
                .get(sort)
                .iter()
                .copied()
                .filter(|&i| listing.members.as_ref().map(|m| m[i]).unwrap_or(true))
                .collect();
            let pages = idx.len().div_ceil(PER_PAGE).max(1);
            let mut written = Vec::new();
            for p in 1..=pages {
                let chunk = idx.chunks(PER_PAGE).nth(p - 1).unwrap_or(&[]);
                let path = list_path(&listing.prefix, sort, p);
                let page = ListPage {
                    heading: &listing.title,
                    description: &listing.description,
                    total: thousands(listing.count as u64),
                    sorts: Sort::ALL
                        .iter()
                        .map(|&s2| SortLink {
                            label: s2.label(),
                            href: format!("{base}{}", list_path(&listing.prefix, s2, 1)),
                            current: s2 == sort,
                        })
                        .collect(),
                    items_html: chunk.iter().map(|&i| item_htmls[i].as_str()).collect(),
                    pagination: pagination(&format!("{base}{}", listing.prefix), sort, p, pages),
                    first: (p - 1) * PER_PAGE + 1,
                    last: (p - 1) * PER_PAGE + chunk.len(),
                };
                let title = if p > 1 {
                    format!("{} (page {p})", listing.title)
                } else {
                    listing.title.clone()
                };
                let shell = if listing.section == "categories" {
                    &categories_shell
                } else {
                    &browse_shell
                };
                BODY.with_borrow_mut(|body| {
                    body.clear();
                    crate::fast::list_body(body, &page);
                    let html = shell.page(&title, &listing.description, &path, body);
                    out.write(&page_file(&path), html.as_bytes())
                })?;
                if sort == Sort::Popular && p == 1 {
                    written.push(path);
                }
            }
            anyhow::Ok(written)
        })
        .collect::<anyhow::Result<_>>()?;
    sitemap_paths.extend(list_paths.into_iter().flatten().filter(|p| p != "browse/"));

    // Sources and categories indexes.
    let src_index = IndexPage {
        heading: "Sources".into(),
        intro: "Where Hisper finds MCP servers. A server found in several places is listed once."
            .into(),
        entries: Source::ALL
            .iter()
            .zip(&source_totals)
            .filter(|(_, t)| t.href.is_some())
            .map(|(src, t)| IndexEntry {
                href: t.href.clone().unwrap_or_default(),
                label: src.label().into(),
                count: t.value.clone(),
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
    out.write(
        "sources/index.html",
        render(
            tera,
            "index.html",
            &site,
            &meta(
                "Sources",
                "Where Hisper finds MCP servers.",
                "sources/",
                "browse",
            ),
            &src_index,
        )?
        .as_bytes(),
    )?;
    if !categories.is_empty() {
        let cat_index = IndexPage {
            heading: "Categories".into(),
            intro: "Categories are assigned from each server's tools, keywords and description."
                .into(),
            entries: categories
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
        out.write(
            "categories/index.html",
            render(
                tera,
                "index.html",
                &site,
                &meta(
                    "Categories",
                    "MCP servers by category.",
                    "categories/",
                    "categories",
                ),
                &cat_index,
            )?
            .as_bytes(),
        )?;
        sitemap_paths.push("categories/".into());
    }

    // Tools index and tool pages.
    let tool_list: Vec<(&&str, &Vec<usize>)> = tool_servers.iter().collect();
    let tool_pages = tool_list.len().div_ceil(TOOLS_PER_PAGE).max(1);
    for p in 1..=tool_pages {
        let chunk = tool_list.chunks(TOOLS_PER_PAGE).nth(p - 1).unwrap_or(&[]);
        let path = list_path("tools/", Sort::Popular, p);
        let page = IndexPage {
            heading: "Tools".into(),
            intro: format!(
                "Every tool name that a probed server reported, with the number of servers that have it ({} names).",
                thousands(tool_list.len() as u64)
            ),
            entries: chunk
                .iter()
                .map(|(n, v)| IndexEntry {
                    href: format!("{base}tools/{}/", tslugs[**n]),
                    label: clean_text(&shorten(n, 80)),
                    count: thousands(v.len() as u64),
                    description: String::new(),
                })
                .collect(),
            pagination: (tool_pages > 1)
                .then(|| pagination(&format!("{base}tools/"), Sort::Popular, p, tool_pages)),
            compact: true,
        };
        let m = Meta {
            title: if p > 1 {
                format!("Tools (page {p})")
            } else {
                "Tools".into()
            },
            description: "Every tool name reported by a probed MCP server.".into(),
            path: path.clone(),
            section: "tools",
            og_type: "website",
        };
        out.write(
            &page_file(&path),
            render(tera, "index.html", &site, &m, &page)?.as_bytes(),
        )?;
    }
    tool_list.par_iter().try_for_each(|(n, list)| {
        let slug = &tslugs[**n];
        let servers: Vec<ToolServer> = list
            .iter()
            .take(TOOL_PAGE_CAP)
            .map(|&i| ToolServer {
                item: &items[i],
                description: ds.servers[i]
                    .probe
                    .as_ref()
                    .and_then(|p| {
                        p.tools
                            .iter()
                            .find(|t| t.get("name").and_then(Value::as_str) == Some(**n))
                    })
                    .and_then(|t| t.get("description").and_then(Value::as_str))
                    .map(|d| clean_text(&shorten(d, 240)))
                    .unwrap_or_default(),
            })
            .collect();
        let name = clean_text(&shorten(n, 120));
        let page = ToolPage {
            name: name.clone(),
            count: list.len(),
            more: list.len().saturating_sub(TOOL_PAGE_CAP),
            servers,
        };
        let m = Meta {
            title: format!("Tool {name}"),
            description: format!("MCP servers that provide a tool named {name}."),
            path: format!("tools/{slug}/"),
            section: "tools",
            og_type: "website",
        };
        out.write(
            &format!("tools/{slug}/index.html"),
            render(tera, "tool.html", &site, &m, &page)?.as_bytes(),
        )?;
        anyhow::Ok(())
    })?;

    // Home.
    let verified = ds
        .servers
        .iter()
        .filter(|s| {
            s.probe
                .as_ref()
                .map(|p| p.outcome == Outcome::Ok)
                .unwrap_or(false)
        })
        .count();
    let tools_total: usize = ds
        .servers
        .iter()
        .filter_map(|s| s.probe.as_ref().map(|p| p.tools.len()))
        .sum();
    let servers_total = ds.servers.iter().filter(|s| s.kind == Kind::Server).count();
    let mut recent_order: Vec<usize> = (0..ds.servers.len()).collect();
    recent_order.sort_by(|&a, &b| {
        ds.servers[b]
            .first_seen
            .cmp(&ds.servers[a].first_seen)
            .then(ds.servers[a].id.cmp(&ds.servers[b].id))
    });
    let home = HomePage {
        totals: vec![
            Total {
                label: "servers".into(),
                value: thousands(servers_total as u64),
                href: Some(format!("{base}browse/")),
            },
            Total {
                label: "verified by probe".into(),
                value: thousands(verified as u64),
                href: Some(format!("{base}stats/")),
            },
            Total {
                label: "tools".into(),
                value: thousands(tools_total as u64),
                href: Some(format!("{base}tools/")),
            },
        ],
        recent_html: recent_order
            .iter()
            .take(8)
            .map(|&i| item_htmls[i].as_str())
            .collect(),
        popular_html: orders
            .popular
            .iter()
            .take(8)
            .map(|&i| item_htmls[i].as_str())
            .collect(),
        categories: categories.iter().take(24).cloned().collect(),
        sources: source_totals,
        last_crawl: day(&ds.generated_at),
    };
    out.write(
        "index.html",
        render(
            tera,
            "home.html",
            &site,
            &Meta {
                title: "Hisper: the registry of MCP servers, probed".into(),
                description: format!(
                    "{} MCP servers from GitHub, npm, PyPI and the MCP Registry, each installed and run to record what it really does.",
                    thousands(servers_total as u64)
                ),
                path: String::new(),
                section: "home",
                og_type: "website",
            },
            &home,
        )?
        .as_bytes(),
    )?;

    // Stats.
    let stats = stats_page(inp, &categories, verified, tools_total, servers_total);
    out.write(
        "stats/index.html",
        render(
            tera,
            "stats.html",
            &site,
            &meta(
                "Statistics",
                "The catalogue over time: sources, probe outcomes, tools, protocol versions.",
                "stats/",
                "stats",
            ),
            &stats,
        )?
        .as_bytes(),
    )?;
    out.write(
        "about/index.html",
        render(
            tera,
            "about.html",
            &site,
            &meta(
                "About",
                "How Hisper finds and probes MCP servers, and how to fix a listing.",
                "about/",
                "about",
            ),
            &Empty {},
        )?
        .as_bytes(),
    )?;
    out.write(
        "search/index.html",
        render(
            tera,
            "search.html",
            &site,
            &meta(
                "Search",
                "Search MCP servers by name, description and tools.",
                "search/",
                "search",
            ),
            &Empty {},
        )?
        .as_bytes(),
    )?;
    out.write(
        "404.html",
        render(
            tera,
            "404.html",
            &site,
            &meta("Not found", "This page does not exist.", "404.html", "none"),
            &Empty {},
        )?
        .as_bytes(),
    )?;

    // Static assets.
    out.write(
        "static/site.css",
        include_bytes!("../../templates/static/site.css"),
    )?;
    out.write(
        "static/site.js",
        include_bytes!("../../templates/static/site.js"),
    )?;
    out.write(
        "static/logo.svg",
        include_bytes!("../../templates/static/logo.svg"),
    )?;

    // Feeds and machine files.
    out.write(
        "feed.xml",
        crate::machine::atom(ds, &slugs, &inp.base.abs).as_bytes(),
    )?;
    let changes = crate::machine::changes(ds, inp.previous, &slugs);
    crate::machine::changes_files(out, &changes)?;
    crate::machine::registry_mirror(out, ds, base)?;
    let mut hist_bytes = inp.history.to_bytes();
    if hist_bytes.is_empty() {
        hist_bytes = b"{}\n".to_vec();
    }
    out.write("history.json", &hist_bytes)?;
    sitemap_paths.sort();
    sitemap_paths.dedup();
    write_sitemaps(out, &sitemap_paths, &inp.base.abs)?;
    out.write(
        "robots.txt",
        crate::machine::robots(&inp.base.abs).as_bytes(),
    )?;
    Ok(())
}

/// Sitemaps: one file up to 45,000 URLs, else an index of numbered files.
fn write_sitemaps(out: &Out, paths: &[String], abs: &str) -> anyhow::Result<()> {
    const CAP: usize = 45_000;
    if paths.len() <= CAP {
        return out.write(
            "sitemap.xml",
            crate::machine::sitemap(paths, abs).as_bytes(),
        );
    }
    let mut idx = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (n, chunk) in paths.chunks(CAP).enumerate() {
        let name = format!("sitemaps/{}.xml", n + 1);
        out.write(&name, crate::machine::sitemap(chunk, abs).as_bytes())?;
        idx.push_str(&format!("<sitemap><loc>{abs}{name}</loc></sitemap>\n"));
    }
    idx.push_str("</sitemapindex>\n");
    out.write("sitemap.xml", idx.as_bytes())
}

fn meta(title: &str, description: &str, path: &str, section: &'static str) -> Meta {
    Meta {
        title: title.into(),
        description: description.into(),
        path: path.into(),
        section,
        og_type: "website",
    }
}

#[allow(clippy::too_many_arguments)]
fn server_page<'a>(
    s: &'a Server,
    item: &'a Item,
    today: i64,
    similar: &[&'a Item],
    cat_label: &HashMap<&str, &CategoryView>,
    index_of: &HashMap<&str, usize>,
    items: &'a [Item],
    base: &str,
) -> ServerPage<'a> {
    let (health_svg, uptime, health_nights) = view::health_strip(s, today);
    let repository = s.repository.as_ref().map(|r| RepoView {
        url: safe_url(&r.url),
        label: clean_text(&shorten(&format!("{}/{}", r.owner, r.name), 100)),
        forks: r.forks.filter(|f| *f > 0).map(compact),
        archived: r.archived,
        fork: r.fork,
        pushed: r.pushed_at.as_deref().map(day),
    });
    let probe = s.probe.as_ref().map(|p| ProbeView {
        outcome: p.outcome.as_str(),
        label: view::outcome_label(p.outcome),
        class: view::outcome_class(p.outcome),
        date: day(&p.probed_at),
        phase: p.phase.as_deref().map(|x| clean_text(&shorten(x, 60))),
        detail: p.detail.as_deref().map(|x| clean_text(&shorten(x, 400))),
        stderr_tail: p
            .stderr_tail
            .as_deref()
            .filter(|_| p.outcome != Outcome::Ok)
            .map(|x| {
                let tail: String = {
                    let chars: Vec<char> = x.chars().collect();
                    let start = chars.len().saturating_sub(3000);
                    chars[start..].iter().collect()
                };
                clean_multiline(&tail)
            }),
        exit_status: p
            .exit_status
            .as_deref()
            .map(|x| clean_text(&shorten(x, 60))),
        command: (!p.command.is_empty()).then(|| {
            clean_text(&shorten(
                &p.command
                    .iter()
                    .map(|a| crate::install::shell_quote(a))
                    .collect::<Vec<_>>()
                    .join(" "),
                300,
            ))
        }),
        protocol_version: p
            .protocol_version
            .as_deref()
            .map(|x| clean_text(&shorten(x, 40))),
        server_info: p.server_info.as_ref().and_then(|si| {
            let name = si.get("name").and_then(Value::as_str)?;
            let version = si.get("version").and_then(Value::as_str).unwrap_or("");
            Some(
                clean_text(&shorten(&format!("{name} {version}"), 100))
                    .trim()
                    .to_string(),
            )
        }),
        sandboxed: p.sandboxed,
        placeholder_config: p.config_mode == dataset::ConfigMode::Placeholder,
        lints: p
            .lints
            .iter()
            .take(20)
            .map(|l| LintView {
                severity: clean_text(&shorten(&l.severity, 12)),
                message: clean_text(&shorten(&l.message, 240)),
            })
            .collect(),
        timing: p
            .timings
            .first_reply_ms
            .map(|ms| format!("{ms} ms to first reply")),
        failed: !matches!(p.outcome, Outcome::Ok | Outcome::NeedsConfig),
    });
    let readme = s
        .readme
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .map(|r| {
            let base = crate::markdown::readme_base(
                s.repository.as_ref().map(|r| r.url.as_str()),
                s.repository
                    .as_ref()
                    .and_then(|r| r.default_branch.as_deref()),
            );
            // Capped: a page is not a mirror of the repository.
            if r.len() > README_MAX {
                let mut cut = README_MAX;
                while !r.is_char_boundary(cut) {
                    cut -= 1;
                }
                let cut = r[..cut].rfind('\n').unwrap_or(cut);
                let mut html = crate::markdown::render_readme(&r[..cut], base);
                html.push_str("<p class=\"muted\">The README is longer than this; the repository has the rest.</p>");
                html
            } else {
                crate::markdown::render_readme(r, base)
            }
        });
    let mut transports: Vec<String> = s
        .install
        .packages
        .iter()
        .map(|p| p.transport.kind.clone())
        .chain(s.install.remotes.iter().map(|r| r.kind.clone()))
        .map(|t| clean_text(&shorten(&t, 24)))
        .collect();
    transports.sort();
    transports.dedup();
    let mut safety = Vec::new();
    if let Some(sf) = &s.safety {
        if sf.read_only {
            safety.push("read-only");
        }
        if sf.writes {
            safety.push("writes");
        }
        if sf.destructive {
            safety.push("destructive");
        }
        if sf.runs_code {
            safety.push("runs code");
        }
        if sf.network {
            safety.push("network");
        }
    }
    let lookup = |id: &str| index_of.get(id).map(|&j| &items[j]);
    ServerPage {
        item,
        name: item.name.clone(),
        title: s.title.as_deref().map(|t| clean_text(&shorten(t, 120))),
        description: clean_text(&shorten(s.description.as_deref().unwrap_or(""), 600)),
        kind: s.kind.as_str(),
        kind_note: match s.kind {
            Kind::Server => None,
            Kind::Sdk => Some("This is an MCP SDK, a library for building servers or clients."),
            Kind::Framework => Some("This is a framework for building MCP servers."),
            Kind::Client => {
                Some("This is an MCP client, inspector, gateway or proxy, not a server.")
            }
            Kind::Other => Some("This record is related to MCP but is not a server."),
        },
        sources: view::source_links(s),
        repository,
        license: s
            .repository
            .as_ref()
            .and_then(|r| r.license.as_deref())
            .map(|l| clean_text(&shorten(l, 40))),
        stars: s.stars().map(compact),
        downloads: (s.downloads_monthly() > 0).then(|| compact(s.downloads_monthly())),
        version: s.version().map(|v| clean_text(&shorten(v, 40))),
        transports,
        probe,
        health_svg,
        uptime,
        health_nights,
        tools: view::tools(s),
        prompts: s
            .probe
            .as_ref()
            .map(|p| view::prompts(&p.prompts))
            .unwrap_or_default(),
        resources: s
            .probe
            .as_ref()
            .map(|p| view::resources(&p.resources, "uri"))
            .unwrap_or_default(),
        templates: s
            .probe
            .as_ref()
            .map(|p| view::resources(&p.resource_templates, "uriTemplate"))
            .unwrap_or_default(),
        instructions: s
            .probe
            .as_ref()
            .and_then(|p| p.instructions.as_deref())
            .filter(|i| !i.trim().is_empty())
            .map(|i| clean_multiline(&shorten(i, 4000))),
        config: view::config_items(s),
        snippets: crate::install::snippets(s),
        readme,
        similar: similar.to_vec(),
        categories: s
            .categories
            .iter()
            .filter_map(|c| cat_label.get(c.id.as_str()).map(|v| (*v).clone()))
            .collect(),
        keywords: s
            .keywords
            .iter()
            .take(12)
            .map(|k| clean_text(&shorten(k, 40)))
            .collect(),
        score: s.score.as_ref().map(|sc| ScoreView {
            total: format!("{:.0}", sc.total),
            components: sc
                .components
                .iter()
                .map(|(k, v)| (clean_text(k), format!("{v:.1}")))
                .collect(),
            penalties: sc
                .penalties
                .iter()
                .map(|p| clean_text(&format!("−{:.0}: {}", p.points, p.reason)))
                .collect(),
        }),
        safety,
        checklist: s
            .checklist
            .0
            .iter()
            .map(|c| CheckView {
                passed: c.passed,
                message: clean_text(&shorten(&c.message, 200)),
            })
            .collect(),
        duplicate_of: s.duplicates.of.as_deref().and_then(lookup),
        copies: s
            .duplicates
            .copies
            .iter()
            .filter_map(|c| lookup(c))
            .take(10)
            .collect(),
        first_seen: day(&s.first_seen),
        last_seen: day(&s.last_seen),
        last_changed: day(&s.last_changed),
        json_name: {
            let _ = base;
            clean_text(&dataset::export::server_json_name(s))
        },
        deprecated: s.sources.iter().any(|e| e.deprecated),
        archived: s.repository.as_ref().map(|r| r.archived).unwrap_or(false),
    }
}

fn stats_page(
    inp: &Inputs,
    categories: &[CategoryView],
    verified: usize,
    tools_total: usize,
    servers_total: usize,
) -> StatsPage {
    let ds = inp.ds;
    let nights = &inp.history.nights;
    let dates: Vec<String> = nights.iter().map(|n| n.date.clone()).collect();
    let over_time = charts::line_chart(
        "Records, verified servers and tools per night",
        &dates,
        &[
            Series {
                label: "records".into(),
                class: "c1",
                points: nights.iter().map(|n| n.records as f64).collect(),
            },
            Series {
                label: "verified by probe".into(),
                class: "c2",
                points: nights.iter().map(|n| n.verified as f64).collect(),
            },
            Series {
                label: "tools".into(),
                class: "c3",
                points: nights.iter().map(|n| n.tools as f64).collect(),
            },
        ],
    );
    let classes = ["c1", "c4", "c5", "c6"];
    let per_source_time = charts::line_chart(
        "Records per source per night",
        &dates,
        &Source::ALL
            .iter()
            .zip(classes)
            .map(|(src, class)| Series {
                label: src.label().into(),
                class,
                points: nights
                    .iter()
                    .map(|n| n.by_source.get(src.as_str()).copied().unwrap_or(0) as f64)
                    .collect(),
            })
            .collect::<Vec<_>>(),
    );
    // Outcomes over time: the six outcomes with the most records over all nights.
    let mut outcome_sums: BTreeMap<&str, u64> = BTreeMap::new();
    for n in nights {
        for (k, v) in &n.by_outcome {
            *outcome_sums.entry(k.as_str()).or_default() += v;
        }
    }
    let mut top: Vec<(&str, u64)> = outcome_sums.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    top.truncate(6);
    let outcome_series: Vec<Series> = top
        .iter()
        .zip(["c2", "c4", "c3", "c5", "c6", "c1"])
        .map(|((key, _), class)| Series {
            label: Outcome::ALL
                .iter()
                .find(|o| o.as_str() == *key)
                .map(|o| view::outcome_label(*o).to_string())
                .unwrap_or_else(|| clean_text(&shorten(key, 24))),
            class,
            points: nights
                .iter()
                .map(|n| n.by_outcome.get(*key).copied().unwrap_or(0) as f64)
                .collect(),
        })
        .collect();
    let per_outcome_legend: String = outcome_series
        .iter()
        .map(|s| format!("<li class=\"{}\">{}</li>", s.class, charts::esc(&s.label)))
        .collect();
    let per_outcome_time = if outcome_series.is_empty() {
        String::new()
    } else {
        charts::line_chart("Probe outcomes per night", &dates, &outcome_series)
    };
    let mut outcome_counts: BTreeMap<Outcome, u64> = BTreeMap::new();
    let mut protocols: BTreeMap<String, u64> = BTreeMap::new();
    let mut kinds: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut unprobed = 0u64;
    for s in &ds.servers {
        *kinds.entry(s.kind.as_str()).or_default() += 1;
        match &s.probe {
            Some(p) => {
                *outcome_counts.entry(p.outcome).or_default() += 1;
                if let Some(v) = &p.protocol_version {
                    *protocols.entry(clean_text(&shorten(v, 24))).or_default() += 1;
                }
            }
            None => unprobed += 1,
        }
    }
    let mut outcome_bars: Vec<Bar> = Outcome::ALL
        .iter()
        .filter_map(|o| {
            outcome_counts.get(o).map(|&n| Bar {
                label: view::outcome_label(*o).into(),
                value: n,
                class: view::outcome_class(*o),
                href: None,
            })
        })
        .collect();
    if unprobed > 0 {
        outcome_bars.push(Bar {
            label: "Not probed yet".into(),
            value: unprobed,
            class: "none",
            href: None,
        });
    }
    let mut proto: Vec<(String, u64)> = protocols.into_iter().collect();
    proto.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    proto.truncate(12);
    let proto_bars: Vec<Bar> = proto
        .into_iter()
        .map(|(label, value)| Bar {
            label,
            value,
            class: "c1",
            href: None,
        })
        .collect();
    let cat_bars: Vec<Bar> = categories
        .iter()
        .take(15)
        .map(|c| Bar {
            label: c.label.clone(),
            value: c.count as u64,
            class: "c1",
            href: Some(c.href.clone()),
        })
        .collect();
    let kind_bars: Vec<Bar> = kinds
        .into_iter()
        .map(|(k, v)| Bar {
            label: k.into(),
            value: v,
            class: "c1",
            href: None,
        })
        .collect();
    let crawl_sources = ds
        .crawl
        .iter()
        .map(|(k, v)| CrawlSourceRow {
            source: clean_text(k),
            status: format!("{:?}", v.status).to_lowercase(),
            records: thousands(v.records),
            requests: thousands(v.requests),
            errors: thousands(v.errors),
            note: clean_text(&shorten(v.note.as_deref().unwrap_or(""), 200)),
        })
        .collect();
    let mut report_rows = Vec::new();
    if let Some(r) = inp.crawl_report {
        flatten("", r, 0, &mut report_rows);
    }
    let more = report_rows.len().saturating_sub(300);
    report_rows.truncate(300);
    StatsPage {
        totals: vec![
            Total {
                label: "records".into(),
                value: thousands(ds.servers.len() as u64),
                href: None,
            },
            Total {
                label: "servers".into(),
                value: thousands(servers_total as u64),
                href: None,
            },
            Total {
                label: "verified by probe".into(),
                value: thousands(verified as u64),
                href: None,
            },
            Total {
                label: "tools".into(),
                value: thousands(tools_total as u64),
                href: None,
            },
        ],
        over_time,
        per_source_time,
        per_outcome_time,
        per_outcome_legend,
        nights: nights.len(),
        outcomes: charts::bar_chart("Probe outcomes", &outcome_bars),
        protocols: if proto_bars.is_empty() {
            String::new()
        } else {
            charts::bar_chart("Protocol versions in use", &proto_bars)
        },
        categories: (!cat_bars.is_empty())
            .then(|| charts::bar_chart("Largest categories", &cat_bars)),
        kinds: charts::bar_chart("Records by kind", &kind_bars),
        crawl_sources,
        crawl_report: report_rows,
        crawl_report_more: more,
    }
}

/// Flattens a JSON value into `(path, value)` rows for display.
fn flatten(prefix: &str, v: &Value, depth: usize, out: &mut Vec<(String, String)>) {
    if out.len() > 400 {
        return;
    }
    match v {
        Value::Object(m) if depth < 4 => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, depth + 1, out);
            }
        }
        Value::Array(a) if depth < 4 && a.len() <= 20 => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), x, depth + 1, out);
            }
        }
        Value::Array(a) => out.push((clean_text(prefix), format!("({} items)", a.len()))),
        Value::Object(m) => out.push((clean_text(prefix), format!("({} fields)", m.len()))),
        Value::String(s) => out.push((clean_text(prefix), clean_text(&shorten(s, 200)))),
        other => out.push((clean_text(prefix), other.to_string())),
    }
}
