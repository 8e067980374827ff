//! The changes page (`/changes/`, `templates/changes.html`): what tonight's dataset changed
//! against the previous night's (`<data>/previous/servers.json`), for people: the servers that
//! appeared, the ones that broke (their probe worked and now fails) and recovered (the other way
//! round), the ones whose tools changed (names added and removed), the ones whose tool
//! definitions changed tonight (from enrich's tool changelog, rug pulls first: a definition that
//! changed under the same version), and the ones that went away. The same comparison for machines is `changes/latest.json` ([`crate::machine::changes`]),
//! linked from the page. Without a previous dataset the page says there is nothing to compare.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use serde::Serialize;

use dataset::{Outcome, Server};

use super::{write_page, Ctx, Meta, SiteCtx};
use crate::markdown::{clean_text, shorten};
use crate::view::{day, outcome_class, outcome_label, thousands, Item};
use crate::Out;

/// Entries shown per section (the JSON file has them all).
pub const SECTION_MAX: usize = 300;

/// A probe outcome as shown.
#[derive(Debug, Serialize)]
pub struct OutcomeView {
    pub label: &'static str,
    pub class: &'static str,
}

/// A server whose probe outcome changed.
#[derive(Debug, Serialize)]
pub struct Flip<'a> {
    pub it: &'a Item,
    pub before: OutcomeView,
    pub after: OutcomeView,
    /// What the failing probe said (phase and detail), for a server that broke.
    pub detail: Option<String>,
}

/// A server whose tools changed.
#[derive(Debug, Serialize)]
pub struct ToolChange<'a> {
    pub it: &'a Item,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// A server whose tool definitions changed tonight (its changelog's `changed` entries dated
/// the dataset's day); the description diffs are on its page (`#changelog`).
#[derive(Debug, Serialize)]
pub struct Redefined<'a> {
    pub it: &'a Item,
    /// A definition changed while the version stayed the same.
    pub rug_pull: bool,
    /// `tool` and the parts of it that changed (`description, input_schema`).
    pub tools: Vec<(String, String)>,
}

/// A server that is no longer in the dataset.
#[derive(Debug, Serialize)]
pub struct Gone {
    pub name: String,
    pub id: String,
}

/// One section's entries, capped, with the number left out.
#[derive(Debug, Serialize)]
pub struct Section<T> {
    pub total: String,
    pub shown: Vec<T>,
    pub more: usize,
}

impl<T> Section<T> {
    fn new(all: Vec<T>) -> Section<T> {
        let total = thousands(all.len() as u64);
        let more = all.len().saturating_sub(SECTION_MAX);
        let mut shown = all;
        shown.truncate(SECTION_MAX);
        Section { total, shown, more }
    }
    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }
}

/// The changes page.
#[derive(Debug, Serialize)]
pub struct ChangesPage<'a> {
    pub date: String,
    /// The previous night's date; none without a previous dataset.
    pub previous: Option<String>,
    /// Cards of the servers that appeared (`templates/item.html`).
    pub appeared: Section<&'a str>,
    pub broke: Section<Flip<'a>>,
    pub recovered: Section<Flip<'a>>,
    pub tools: Section<ToolChange<'a>>,
    pub redefined: Section<Redefined<'a>>,
    /// How many of `redefined` are rug pulls.
    pub rug_pulls: String,
    pub gone: Section<Gone>,
    /// Servers whose version changed.
    pub new_versions: String,
}

#[derive(Template)]
#[template(path = "changes.html")]
struct ChangesHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
    page: &'a ChangesPage<'a>,
}

/// Working (answers, or asks for configuration) or failing; other outcomes (nothing to launch,
/// not run) are neither.
fn health(o: Option<Outcome>) -> Option<bool> {
    match o? {
        Outcome::Ok | Outcome::NeedsConfig => Some(true),
        Outcome::InstallFailed
        | Outcome::Timeout
        | Outcome::Crashed
        | Outcome::ProtocolError
        | Outcome::NotMcp => Some(false),
        Outcome::NoStdio | Outcome::SandboxError => None,
    }
}

fn outcome_view(o: Option<Outcome>) -> OutcomeView {
    match o {
        Some(o) => OutcomeView {
            label: outcome_label(o),
            class: outcome_class(o),
        },
        None => OutcomeView {
            label: "Not probed",
            class: "none",
        },
    }
}

fn tool_set(s: &Server) -> BTreeSet<&str> {
    s.probe
        .as_ref()
        .map(|p| p.tool_names().collect())
        .unwrap_or_default()
}

fn names(set: BTreeSet<&str>) -> Vec<String> {
    set.into_iter()
        .take(40)
        .map(|n| clean_text(&shorten(n, 80)))
        .collect()
}

/// Tonight's changed tool definitions, rug pulls first, then in popular order. They come from
/// the dataset's own tool history, so they are listed even without a previous dataset.
fn redefined<'a>(ctx: &'a Ctx, date: &str) -> Vec<Redefined<'a>> {
    let mut out: Vec<Redefined> = ctx
        .orders
        .popular
        .iter()
        .filter_map(|&i| {
            let t = ctx.ds.servers[i].trust.as_ref()?;
            let tonight: Vec<&dataset::ToolChange> = t
                .history
                .changelog
                .iter()
                .filter(|c| c.date == date && c.change == dataset::ChangeKind::Changed)
                .collect();
            (!tonight.is_empty()).then(|| Redefined {
                it: &ctx.items[i],
                rug_pull: tonight.iter().any(|c| c.rug_pull),
                tools: tonight
                    .iter()
                    .take(40)
                    .map(|c| {
                        (
                            clean_text(&shorten(&c.tool, 80)),
                            clean_text(&shorten(&c.fields.join(", ").replace('_', " "), 120)),
                        )
                    })
                    .collect(),
            })
        })
        .collect();
    // Stable: popular order within each group.
    out.sort_by_key(|r| !r.rug_pull);
    out
}

/// Writes `/changes/`; returns its path for the sitemap.
pub fn render(ctx: &Ctx, out: &Out) -> anyhow::Result<Vec<String>> {
    let ds = ctx.ds;
    let prev: BTreeMap<&str, &Server> = ctx
        .inp
        .previous
        .map(|p| p.servers.iter().map(|s| (s.id.as_str(), s)).collect())
        .unwrap_or_default();
    let has_previous = ctx.inp.previous.is_some();
    let mut appeared = Vec::new();
    let mut broke = Vec::new();
    let mut recovered = Vec::new();
    let mut tools = Vec::new();
    let mut new_versions = 0usize;
    if has_previous {
        // Popular order, so the servers people use come first in every section.
        for &i in &ctx.orders.popular {
            let s = &ds.servers[i];
            let it = &ctx.items[i];
            let Some(p) = prev.get(s.id.as_str()) else {
                appeared.push(ctx.cards[i].as_str());
                continue;
            };
            let (was, now) = (p.probe.as_ref(), s.probe.as_ref());
            let (was_o, now_o) = (was.map(|x| x.outcome), now.map(|x| x.outcome));
            match (health(was_o), health(now_o)) {
                (Some(true), Some(false)) => broke.push(Flip {
                    it,
                    before: outcome_view(was_o),
                    after: outcome_view(now_o),
                    detail: now.and_then(|x| {
                        let text = [x.phase.as_deref(), x.detail.as_deref()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(": ");
                        (!text.is_empty()).then(|| clean_text(&shorten(&text, 200)))
                    }),
                }),
                (Some(false), Some(true)) => recovered.push(Flip {
                    it,
                    before: outcome_view(was_o),
                    after: outcome_view(now_o),
                    detail: None,
                }),
                _ => {}
            }
            // Tools are compared only between two probes that listed them.
            if was.is_some_and(|x| !x.tools.is_empty()) && now.is_some_and(|x| !x.tools.is_empty())
            {
                let (a, b) = (tool_set(p), tool_set(s));
                if a != b {
                    tools.push(ToolChange {
                        it,
                        added: names(b.difference(&a).copied().collect()),
                        removed: names(a.difference(&b).copied().collect()),
                    });
                }
            }
            if p.version() != s.version() {
                new_versions += 1;
            }
        }
    }
    let now: BTreeSet<&str> = ds.servers.iter().map(|s| s.id.as_str()).collect();
    let gone: Vec<Gone> = prev
        .iter()
        .filter(|(id, _)| !now.contains(*id))
        .map(|(id, s)| Gone {
            name: clean_text(&shorten(&s.name, 90)),
            id: clean_text(&shorten(id, 120)),
        })
        .collect();
    let date = day(&ds.generated_at);
    let redefined = redefined(ctx, &date);
    let rug_pulls = redefined.iter().filter(|r| r.rug_pull).count();
    let page = ChangesPage {
        date,
        previous: ctx.inp.previous.map(|p| day(&p.generated_at)),
        appeared: Section::new(appeared),
        broke: Section::new(broke),
        recovered: Section::new(recovered),
        tools: Section::new(tools),
        redefined: Section::new(redefined),
        rug_pulls: thousands(rug_pulls as u64),
        gone: Section::new(gone),
        new_versions: thousands(new_versions as u64),
    };
    write_page(
        out,
        "changes/index.html",
        &ChangesHtml {
            site: &ctx.site,
            meta: Meta::new(
                "Changes since the previous night",
                "MCP servers that appeared, broke, recovered or changed their tools since the previous crawl.",
                "changes/",
                "changes",
            ),
            page: &page,
        },
    )?;
    Ok(vec!["changes/".into()])
}
