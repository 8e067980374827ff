//! The home page (`/`), the statistics page (`/stats/`) and the fixed pages (`/about/`,
//! `/search/`, `/404.html`), through `templates/home.html`, `stats.html`, `about.html`,
//! `search.html` and `404.html`.

use std::collections::BTreeMap;

use askama::Template;
use serde::Serialize;
use serde_json::Value;

use dataset::{Outcome, Source};

use crate::counts::Counts;

use super::{write_page, CategoryView, Ctx, Meta, SiteCtx, Total};
use crate::charts::{self, Bar, BarChart, LineChart, Series};
use crate::markdown::{clean_text, shorten};
use crate::view::{self, day, thousands};
use crate::Out;

/// The home page.
#[derive(Debug, Serialize)]
pub struct HomePage<'a> {
    pub totals: Vec<Total>,
    /// Cards of the newest servers.
    pub recent: Vec<&'a str>,
    /// Cards of the most popular servers.
    pub popular: Vec<&'a str>,
    pub categories: &'a [CategoryView],
    pub sources: Vec<Total>,
    /// The records were imported from package listings, not crawled (the bundled sample).
    pub imported_only: bool,
    /// Records Hisper probed.
    pub probed: String,
    pub last_crawl: String,
}

/// One source's line of the crawl summary.
#[derive(Debug, Serialize)]
pub struct CrawlSourceRow {
    pub source: String,
    pub status: String,
    pub records: String,
    pub requests: String,
    pub errors: String,
    pub note: String,
    /// The source's budget plan from `crawl-report.json` in one line (what discovery and
    /// enrichment needed, what was left for the next night and why); none without a report.
    pub plan: Option<String>,
}

/// The statistics page.
#[derive(Debug, Serialize)]
pub struct StatsPage {
    pub totals: Vec<Total>,
    pub over_time: LineChart,
    pub per_source_time: LineChart,
    /// Probe outcomes per night (the six most frequent); its series are the legend.
    pub per_outcome_time: Option<LineChart>,
    pub nights: usize,
    pub outcomes: BarChart,
    /// Outcomes of the remote endpoints (one per `install.remotes` entry probed), apart from the
    /// stdio outcomes; `None` when no record has a remote probe.
    pub remote_outcomes: Option<BarChart>,
    pub protocols: Option<BarChart>,
    pub categories: Option<BarChart>,
    pub kinds: BarChart,
    pub crawl_sources: Vec<CrawlSourceRow>,
    pub crawl_report: Vec<(String, String)>,
    pub crawl_report_more: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
    page: &'a HomePage<'a>,
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
    page: &'a StatsPage,
}

#[derive(Template)]
#[template(path = "about.html")]
struct AboutHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
}

#[derive(Template)]
#[template(path = "404.html")]
struct NotFoundHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
}

/// Writes the home, stats, about, search and 404 pages; returns the paths for the sitemap.
pub fn render(ctx: &Ctx, out: &Out) -> anyhow::Result<Vec<String>> {
    let ds = ctx.ds;
    let base = ctx.base;
    let counts = crate::counts::Counts::of(ds);
    // Recently added: by the date its sources first published it (never the crawl date);
    // servers whose sources give no date are not listed here.
    let published: Vec<Option<&str>> = ds
        .servers
        .iter()
        .map(|s| s.published_at().map(|t| &t[..19]))
        .collect();
    let mut recent_order: Vec<usize> = (0..ds.servers.len())
        .filter(|&i| published[i].is_some())
        .collect();
    recent_order.sort_by(|&a, &b| {
        published[b]
            .cmp(&published[a])
            .then(ds.servers[a].id.cmp(&ds.servers[b].id))
    });
    let home = HomePage {
        totals: vec![
            Total {
                label: "records".into(),
                value: thousands(counts.records as u64),
                href: Some(format!("{base}browse/")),
            },
            Total {
                label: "servers".into(),
                value: thousands(counts.servers as u64),
                href: Some(format!("{base}stats/")),
            },
            Total {
                label: "verified by probe".into(),
                value: thousands(counts.verified as u64),
                href: Some(format!("{base}stats/")),
            },
            Total {
                label: "tools".into(),
                value: thousands(counts.tools as u64),
                href: Some(format!("{base}tools/")),
            },
            Total {
                label: "distinct tool names".into(),
                value: thousands(counts.tool_names as u64),
                href: Some(format!("{base}tools/")),
            },
        ],
        recent: recent_order
            .iter()
            .take(8)
            .map(|&i| ctx.cards[i].as_str())
            .collect(),
        popular: ctx
            .orders
            .popular
            .iter()
            .take(8)
            .map(|&i| ctx.cards[i].as_str())
            .collect(),
        categories: &ctx.categories[..ctx.categories.len().min(24)],
        // Only the sources that gave records: "GitHub 0" says nothing but looks like a failure.
        sources: counts
            .by_source
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|&(src, n)| Total {
                label: src.label().into(),
                value: thousands(n as u64),
                href: Some(format!("{base}sources/{}/", src.as_str())),
            })
            .collect(),
        imported_only: counts.imported_only,
        probed: thousands(counts.probed as u64),
        last_crawl: day(&ds.generated_at),
    };
    let description = format!(
        "{} MCP servers from GitHub, npm, PyPI and the MCP Registry, each installed and run to record what it really does.",
        thousands(counts.servers as u64)
    );
    write_page(
        out,
        "index.html",
        &HomeHtml {
            site: &ctx.site,
            meta: Meta::new(
                "Hisper: the registry of MCP servers, probed",
                &description,
                "",
                "home",
            ),
            page: &home,
        },
    )?;
    let stats = stats_page(ctx, &counts);
    write_page(
        out,
        "stats/index.html",
        &StatsHtml {
            site: &ctx.site,
            meta: Meta::new(
                "Statistics",
                "The catalogue over time: sources, probe outcomes, tools, protocol versions.",
                "stats/",
                "stats",
            ),
            page: &stats,
        },
    )?;
    write_page(
        out,
        "about/index.html",
        &AboutHtml {
            site: &ctx.site,
            meta: Meta::new(
                "About",
                "How Hisper finds and probes MCP servers, and how to fix a listing.",
                "about/",
                "about",
            ),
        },
    )?;
    write_page(
        out,
        "search/index.html",
        &SearchHtml {
            site: &ctx.site,
            meta: Meta::new(
                "Search",
                "Search MCP servers by name, description and tools.",
                "search/",
                "search",
            ),
        },
    )?;
    write_page(
        out,
        "404.html",
        &NotFoundHtml {
            site: &ctx.site,
            meta: Meta::new("Not found", "This page does not exist.", "404.html", "none"),
        },
    )?;
    Ok(["", "browse/", "stats/", "about/"]
        .into_iter()
        .map(String::from)
        .collect())
}

fn stats_page(ctx: &Ctx, totals: &Counts) -> StatsPage {
    let (inp, categories) = (ctx.inp, &ctx.categories);
    let (verified, tools_total, servers_total) = (totals.verified, totals.tools, totals.servers);
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
    let per_outcome_time = (!outcome_series.is_empty())
        .then(|| charts::line_chart("Probe outcomes per night", &dates, &outcome_series));
    let mut outcome_counts: BTreeMap<Outcome, u64> = BTreeMap::new();
    let mut protocols: BTreeMap<String, u64> = BTreeMap::new();
    let mut kinds: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut unprobed = 0u64;
    let mut remote_counts: BTreeMap<dataset::RemoteOutcome, u64> = BTreeMap::new();
    for s in &ds.servers {
        *kinds.entry(s.kind.as_str()).or_default() += 1;
        for r in s.remote_probes.iter().filter_map(|r| r.remote.as_ref()) {
            *remote_counts.entry(r.outcome).or_default() += 1;
        }
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
    let remote_bars: Vec<Bar> = dataset::RemoteOutcome::ALL
        .iter()
        .filter_map(|o| {
            remote_counts.get(o).map(|&n| {
                let (label, class) = super::server::remote_label(*o);
                Bar {
                    label: label.into(),
                    value: n,
                    class,
                    href: None,
                }
            })
        })
        .collect();
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
            plan: inp
                .crawl_report
                .and_then(|r| r.sources.get(k))
                .and_then(|r| r.plan.as_ref())
                .map(|p| clean_text(&shorten(&p.summary(), 300))),
        })
        .collect();
    let mut report_rows = Vec::new();
    if let Some(r) = inp.crawl_report.and_then(|r| serde_json::to_value(r).ok()) {
        flatten("", &r, 0, &mut report_rows);
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
            Total {
                label: "distinct tool names".into(),
                value: thousands(totals.tool_names as u64),
                href: None,
            },
        ],
        over_time,
        per_source_time,
        per_outcome_time,
        nights: nights.len(),
        outcomes: charts::bar_chart("Probe outcomes", &outcome_bars),
        remote_outcomes: (!remote_bars.is_empty())
            .then(|| charts::bar_chart("Remote endpoint outcomes", &remote_bars)),
        protocols: (!proto_bars.is_empty())
            .then(|| charts::bar_chart("Protocol versions in use", &proto_bars)),
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
