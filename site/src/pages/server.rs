//! Server pages, `/servers/<slug>/`: `templates/server.html` over a [`ServerPage`].
//!
//! Every value is cleaned here (control characters, direction overrides, length) and escaped by
//! the template; only the README (sanitized by [`crate::markdown`]) is inserted as HTML.

use std::collections::HashMap;

use askama::Template;
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use dataset::{Kind, Outcome, Server};

use super::{page_file, write_page, CategoryView, Ctx, Meta, SiteCtx, README_MAX};
use crate::install::{Plan, Snippet, Status};
use crate::markdown::{clean_multiline, clean_text, shorten};
use crate::view::{self, compact, day, safe_url, Item};
use crate::Out;

/// Clients whose snippets have the same text, shown as one tab.
#[derive(Debug, Serialize)]
pub struct SnippetGroup<'a> {
    pub labels: Vec<&'static str>,
    /// `(client, where the snippet goes)`.
    pub hints: Vec<(&'static str, &'a str)>,
    pub code: &'a str,
}

/// Groups snippets with the same code, in the order of their first member.
pub fn group_snippets(snippets: &[Snippet]) -> Vec<SnippetGroup<'_>> {
    let mut groups: Vec<SnippetGroup> = Vec::new();
    for s in snippets {
        match groups.iter_mut().find(|g| g.code == s.code) {
            Some(g) => {
                g.labels.push(s.label);
                g.hints.push((s.label, &s.hint));
            }
            None => groups.push(SnippetGroup {
                labels: vec![s.label],
                hints: vec![(s.label, &s.hint)],
                code: &s.code,
            }),
        }
    }
    groups
}

/// One value the user supplies, as shown.
#[derive(Debug, Serialize)]
pub struct InputView {
    pub name: String,
    pub kind: &'static str,
    pub placeholder: String,
    pub required: bool,
    pub secret: bool,
    pub learned: bool,
    pub description: String,
}

/// The install plan as shown: status, what to know, the values to supply and one-click links.
#[derive(Debug, Serialize)]
pub struct InstallView<'a> {
    /// `ready`, `needs_inputs`, `failing`, `not_runnable`.
    pub status: &'static str,
    pub status_label: &'static str,
    /// `good`, `warn` or `bad`, as the probe pills.
    pub class: &'static str,
    pub explanation: Option<String>,
    pub install_instead: Option<&'a Item>,
    pub notes: Vec<String>,
    pub inputs: Vec<InputView>,
    /// `(button text, link)`.
    pub links: Vec<(&'static str, &'a str)>,
}

fn install_view<'a>(ctx: &'a Ctx, plan: &'a Plan) -> InstallView<'a> {
    InstallView {
        status: plan.status.as_str(),
        status_label: plan.status.label(),
        class: match plan.status {
            Status::Ready => "good",
            Status::NeedsInputs => "warn",
            Status::Failing => "bad",
            Status::NotRunnable => "bad",
        },
        explanation: plan.explanation.as_deref().map(clean_text),
        install_instead: plan
            .install_instead
            .as_deref()
            .and_then(|id| ctx.item_of(id)),
        notes: plan.notes.iter().map(|n| clean_text(n)).collect(),
        inputs: plan
            .inputs
            .iter()
            .map(|i| InputView {
                name: clean_text(&shorten(&i.name, 80)),
                kind: i.kind.as_str(),
                placeholder: clean_text(&shorten(&i.placeholder, 80)),
                required: i.required,
                secret: i.secret,
                learned: i.learned,
                description: clean_text(&shorten(&i.description, 300)),
            })
            .collect(),
        links: plan
            .links
            .iter()
            .map(|l| (l.label, l.url.as_str()))
            .collect(),
    }
}

/// The repository as shown.
#[derive(Debug, Serialize)]
pub struct RepoView {
    pub url: Option<String>,
    pub label: String,
    pub forks: Option<String>,
    pub archived: bool,
    pub fork: bool,
    pub pushed: Option<String>,
}

/// One row of the probe's detail list.
#[derive(Debug, Serialize)]
pub struct ProbeRow {
    pub label: &'static str,
    pub value: String,
    /// Shown as code.
    pub code: bool,
}

/// The last probe as shown.
#[derive(Debug, Serialize)]
pub struct ProbeView {
    pub outcome: &'static str,
    pub label: &'static str,
    pub class: &'static str,
    pub date: String,
    /// Phase, detail, exit status and command, when the probe failed or left a detail.
    pub rows: Vec<ProbeRow>,
    pub stderr_tail: Option<String>,
    pub server_info: Option<String>,
    pub sandboxed: bool,
    pub placeholder_config: bool,
    pub lints: Vec<LintView>,
    pub timing: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct LintView {
    pub severity: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct ScoreView {
    pub total: String,
    /// `(name, points, maximum, what it measures)`; maximum and meaning empty for a component
    /// the site does not know.
    pub components: Vec<(String, String, String, &'static str)>,
    pub penalties: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CheckView {
    pub passed: bool,
    pub message: String,
}

/// Everything `templates/server.html` shows about one server.
#[derive(Debug, Serialize)]
pub struct ServerPage<'a> {
    pub item: &'a Item,
    pub name: &'a str,
    /// The title, when it says more than the name.
    pub subtitle: Option<String>,
    pub description: String,
    pub kind: &'static str,
    pub kind_note: Option<&'static str>,
    pub sources: Vec<view::SourceLink>,
    pub repository: Option<RepoView>,
    /// The repository's URL when it is a safe link.
    pub repo_url: Option<String>,
    pub license: Option<String>,
    pub stars: Option<String>,
    pub downloads: Option<String>,
    pub version: Option<String>,
    pub transports: Vec<String>,
    pub protocol_version: Option<String>,
    pub probe: Option<ProbeView>,
    /// The server answered (verified or needs config) but may have reported no tools.
    pub answered: bool,
    /// The health strip; none for a server never probed and without history.
    pub health: Option<view::Health>,
    pub tools: Vec<view::ToolView>,
    /// Security findings on everything the probe recorded, worst first.
    pub findings: Vec<view::FindingView>,
    /// Tool changelog, newest first.
    pub changelog: Vec<view::ChangeView>,
    pub prompts: Vec<view::Entry>,
    pub resources: Vec<view::Entry>,
    pub templates: Vec<view::Entry>,
    pub instructions: Option<String>,
    pub config: Vec<view::ConfigItem>,
    pub snippets: Vec<SnippetGroup<'a>>,
    pub install: InstallView<'a>,
    /// Sanitized HTML, and whether it was cut (the template says the repository has the rest).
    pub readme: Option<(String, bool)>,
    pub similar: Vec<&'a Item>,
    pub categories: Vec<&'a CategoryView>,
    pub keywords: Vec<String>,
    pub score: Option<ScoreView>,
    pub safety: Vec<&'static str>,
    pub checklist: Vec<CheckView>,
    pub duplicate_of: Option<&'a Item>,
    pub copies: Vec<&'a Item>,
    pub first_seen: String,
    pub last_seen: String,
    pub last_changed: String,
    /// First published and last updated, as the sources say; `None` when they do not.
    pub published: Option<String>,
    pub updated: Option<String>,
    pub json_name: String,
    pub deprecated: bool,
    pub archived: bool,
    /// Each declared remote endpoint with its last probe.
    pub remotes: Vec<RemoteView>,
    /// Spec features seen by the probes (stdio and remote), as badges.
    pub features: Vec<String>,
}

/// One remote endpoint as shown.
#[derive(Debug, Serialize)]
pub struct RemoteView {
    pub url: String,
    pub transport: String,
    /// `None` when not probed yet.
    pub label: Option<&'static str>,
    pub class: &'static str,
    pub date: Option<String>,
    /// The auth wall in words ("needs OAuth sign-in with …").
    pub auth: Option<String>,
    pub scopes: Vec<String>,
    pub latency: Option<String>,
    pub detail: Option<String>,
}

/// A remote outcome for people.
pub fn remote_label(o: dataset::RemoteOutcome) -> (&'static str, &'static str) {
    use dataset::RemoteOutcome as R;
    match o {
        R::Ok => ("Verified", "good"),
        R::NeedsAuth => ("Needs sign-in", "warn"),
        R::NeedsConfig => ("Needs config", "warn"),
        R::NotMcp => ("Not MCP", "bad"),
        R::Unreachable => ("Unreachable", "bad"),
        R::Timeout => ("Timed out", "bad"),
        R::ProtocolError => ("Protocol error", "bad"),
        R::Blocked => ("Not probed (private address)", "none"),
    }
}

fn remote_views(s: &Server) -> Vec<RemoteView> {
    s.install
        .remotes
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let rec = s.remote_probes.get(i).filter(|r| r.remote.is_some());
            let info = rec.and_then(|r| r.remote.as_ref());
            let (label, class) = match info.map(|i| remote_label(i.outcome)) {
                Some((l, c)) => (Some(l), c),
                None => (None, "none"),
            };
            let auth = info.and_then(|i| i.auth.as_ref()).map(|a| {
                let who = a.issuer.as_ref().or(a.authorization_servers.first());
                clean_text(&shorten(
                    &match who {
                        Some(w) => format!("needs OAuth sign-in with {w}"),
                        None => format!("needs authentication (HTTP {})", a.status),
                    },
                    200,
                ))
            });
            let latency = info.and_then(|i| match (i.first_byte_ms, i.tools_ms) {
                (Some(f), Some(t)) => Some(format!("first byte {f} ms, tools listed in {t} ms")),
                (Some(f), None) => Some(format!("first byte {f} ms")),
                _ => None,
            });
            RemoteView {
                url: clean_text(&shorten(t.url.as_deref().unwrap_or(""), 300)),
                transport: clean_text(&shorten(&t.kind, 24)),
                label,
                class,
                date: rec.map(|r| day(&r.probed_at)).and_then(nonempty),
                auth,
                scopes: info
                    .and_then(|i| i.auth.as_ref())
                    .map(|a| {
                        a.scopes
                            .iter()
                            .take(20)
                            .map(|x| clean_text(&shorten(x, 80)))
                            .collect()
                    })
                    .unwrap_or_default(),
                latency,
                detail: rec
                    .filter(|r| r.outcome != Outcome::Ok)
                    .and_then(|r| r.detail.as_deref())
                    .map(|d| clean_text(&shorten(d, 300))),
            }
        })
        .collect()
}

/// Badges for the spec features the probes saw.
pub fn feature_badges(s: &Server) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let recs = s.probe.iter().chain(s.remote_probes.iter());
    let mut add = |b: String| {
        if !out.contains(&b) {
            out.push(b);
        }
    };
    for r in recs {
        if r.remote.is_some()
            && r.remote
                .as_ref()
                .is_some_and(|i| i.outcome == dataset::RemoteOutcome::Ok)
        {
            add("remote".into());
        }
        // records of probers older than the feature record carry no badges
        let Some(f) = &r.features else { continue };
        if let (Some(e), Some(v)) = (r.era, r.protocol_version.as_deref()) {
            let era = match e {
                dataset::Era::Legacy => "legacy",
                dataset::Era::Modern => "modern",
            };
            add(format!("MCP {} ({era})", clean_text(&shorten(v, 20))));
        }
        if f.mcp_apps {
            add("MCP Apps".into());
        }
        if f.tasks {
            add("tasks".into());
        }
        if f.tools_with_output_schema > 0 {
            add("output schemas".into());
        }
        if f.icons {
            add("icons".into());
        }
        for d in &f.deprecated {
            add(format!("uses deprecated {}", clean_text(&shorten(d, 30))));
        }
    }
    out
}

#[derive(Template)]
#[template(path = "server.html")]
struct ServerHtml<'a> {
    site: &'a SiteCtx,
    meta: Meta<'a>,
    page: &'a ServerPage<'a>,
}

/// `Some(s)` unless `s` is empty.
fn nonempty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Writes every server page; returns their paths.
pub fn render(ctx: &Ctx, out: &Out, pb: &indicatif::ProgressBar) -> anyhow::Result<Vec<String>> {
    let ds = ctx.ds;
    let cat_of: HashMap<&str, &CategoryView> =
        ctx.categories.iter().map(|c| (c.id.as_str(), c)).collect();
    pb.set_length(ds.servers.len() as u64);
    (0..ds.servers.len())
        .into_par_iter()
        .map(|i| {
            let s = &ds.servers[i];
            let item = &ctx.items[i];
            let plan = crate::install::plan(s);
            let page = server_page(ctx, s, item, &plan, &cat_of);
            let path = format!("servers/{}/", item.slug);
            let title = shorten(&item.name, 58);
            let description = shorten(&item.description, 160);
            let html = ServerHtml {
                site: &ctx.site,
                meta: Meta::new(&title, &description, &path, "browse"),
                page: &page,
            };
            write_page(out, &page_file(&path), &html)?;
            pb.inc(1);
            Ok(path)
        })
        .collect()
}

fn probe_view(p: &dataset::ProbeRecord) -> ProbeView {
    let failed = !matches!(p.outcome, Outcome::Ok | Outcome::NeedsConfig);
    let detail = p.detail.as_deref().map(|x| clean_text(&shorten(x, 400)));
    let mut rows = Vec::new();
    if failed || detail.as_deref().is_some_and(|d| !d.is_empty()) {
        let command = (!p.command.is_empty()).then(|| {
            clean_text(&shorten(
                &p.command
                    .iter()
                    .map(|a| crate::install::shell_quote(a))
                    .collect::<Vec<_>>()
                    .join(" "),
                300,
            ))
        });
        for (label, value, code) in [
            (
                "Phase",
                p.phase.as_deref().map(|x| clean_text(&shorten(x, 60))),
                false,
            ),
            ("Detail", detail, false),
            (
                "Exit",
                p.exit_status
                    .as_deref()
                    .map(|x| clean_text(&shorten(x, 60))),
                false,
            ),
            ("Command", command, true),
        ] {
            if let Some(value) = value.and_then(nonempty) {
                rows.push(ProbeRow { label, value, code });
            }
        }
    }
    ProbeView {
        outcome: p.outcome.as_str(),
        label: view::outcome_label(p.outcome),
        class: view::outcome_class(p.outcome),
        date: day(&p.probed_at),
        rows,
        stderr_tail: p
            .stderr_tail
            .as_deref()
            .filter(|_| failed)
            .map(|x| {
                let chars: Vec<char> = x.chars().collect();
                let start = chars.len().saturating_sub(3000);
                clean_multiline(&chars[start..].iter().collect::<String>())
            })
            .and_then(nonempty),
        server_info: p.server_info.as_ref().and_then(|si| {
            let name = si.get("name").and_then(Value::as_str)?;
            let version = si.get("version").and_then(Value::as_str).unwrap_or("");
            nonempty(
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
    }
}

/// The README as HTML, and whether it was cut at [`README_MAX`].
fn readme_html(s: &Server) -> Option<(String, bool)> {
    let r = s.readme.as_deref().filter(|r| !r.trim().is_empty())?;
    let base = crate::markdown::readme_base(
        s.repository.as_ref().map(|r| r.url.as_str()),
        s.repository
            .as_ref()
            .and_then(|r| r.default_branch.as_deref()),
    );
    // Capped: a page is not a mirror of the repository.
    Some(if r.len() > README_MAX {
        let mut cut = README_MAX;
        while !r.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut = r[..cut].rfind('\n').unwrap_or(cut);
        (crate::markdown::render_readme(&r[..cut], base), true)
    } else {
        (crate::markdown::render_readme(r, base), false)
    })
}

fn server_page<'a>(
    ctx: &'a Ctx,
    s: &'a Server,
    item: &'a Item,
    plan: &'a Plan,
    cat_of: &HashMap<&str, &'a CategoryView>,
) -> ServerPage<'a> {
    let health = view::health(s, ctx.today);
    let repository = s.repository.as_ref().map(|r| RepoView {
        url: safe_url(&r.url),
        label: clean_text(&shorten(&format!("{}/{}", r.owner, r.name), 100)),
        forks: r.forks.filter(|f| *f > 0).map(compact),
        archived: r.archived,
        fork: r.fork,
        pushed: r.pushed_at.as_deref().map(day).and_then(nonempty),
    });
    let mut transports: Vec<String> = s
        .install
        .packages
        .iter()
        .map(|p| p.transport.kind.clone())
        .chain(s.install.remotes.iter().map(|r| r.kind.clone()))
        .map(|t| clean_text(&shorten(&t, 24)))
        .filter(|t| !t.is_empty())
        .collect();
    transports.sort();
    transports.dedup();
    let mut safety = Vec::new();
    if let Some(sf) = &s.safety {
        for (on, label) in [
            (sf.read_only, "read-only"),
            (sf.writes, "writes"),
            (sf.destructive, "destructive"),
            (sf.runs_code, "runs code"),
            (sf.network, "network"),
        ] {
            if on {
                safety.push(label);
            }
        }
    }
    let probe = s.probe.as_ref().map(probe_view);
    let remotes = remote_views(s);
    let features = feature_badges(s);
    let subtitle = s
        .title
        .as_deref()
        .map(|t| clean_text(&shorten(t, 120)))
        .filter(|t| !t.is_empty() && *t != item.name);
    ServerPage {
        item,
        name: &item.name,
        subtitle,
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
        repo_url: repository.as_ref().and_then(|r| r.url.clone()),
        repository,
        license: s
            .license()
            .map(|l| clean_text(&shorten(l, 40)))
            .and_then(nonempty),
        stars: s.stars().map(compact),
        downloads: (s.downloads_monthly() > 0).then(|| compact(s.downloads_monthly())),
        version: s
            .version()
            .map(|v| clean_text(&shorten(v, 40)))
            .and_then(nonempty),
        transports,
        protocol_version: s
            .probe
            .as_ref()
            .and_then(|p| p.protocol_version.as_deref())
            .map(|x| clean_text(&shorten(x, 40)))
            .and_then(nonempty),
        answered: s.probe.as_ref().is_some_and(|p| p.outcome == Outcome::Ok),
        remotes,
        features,
        health: (health.nights > 0 || probe.is_some()).then_some(health),
        probe,
        tools: view::tools(s),
        findings: view::finding_views(s),
        changelog: view::changelog(s),
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
        // What the probe saw it ask for is already in the plan's inputs when there is a launch.
        config: view::config_items(s)
            .into_iter()
            .filter(|c| c.kind != "seen" || plan.status == Status::NotRunnable)
            .collect(),
        snippets: group_snippets(&plan.snippets),
        install: install_view(ctx, plan),
        readme: readme_html(s),
        similar: s
            .similar
            .iter()
            .filter(|id| **id != s.id)
            .filter_map(|id| ctx.item_of(id))
            .take(5)
            .collect(),
        categories: s
            .categories
            .iter()
            .filter_map(|c| cat_of.get(c.id.as_str()).copied())
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
                .map(|(k, v)| {
                    let known = dataset::SCORE_COMPONENTS.iter().find(|c| c.0 == k.as_str());
                    (
                        clean_text(k),
                        format!("{v:.1}"),
                        known.map(|c| format!("{:.0}", c.1)).unwrap_or_default(),
                        known.map(|c| c.2).unwrap_or(""),
                    )
                })
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
        duplicate_of: s.duplicates.of.as_deref().and_then(|id| ctx.item_of(id)),
        copies: s
            .duplicates
            .copies
            .iter()
            .filter_map(|c| ctx.item_of(c))
            .take(10)
            .collect(),
        first_seen: day(&s.first_seen),
        last_seen: day(&s.last_seen),
        last_changed: day(&s.last_changed),
        published: s.published_at().map(day),
        updated: view::source_updated(s),
        json_name: clean_text(&dataset::export::server_json_name(s)),
        deprecated: s.sources.iter().any(|e| e.deprecated),
        archived: s.repository.as_ref().map(|r| r.archived).unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(label: &'static str, code: &str) -> Snippet {
        Snippet {
            id: "x",
            label,
            hint: format!("hint for {label}"),
            code: code.into(),
        }
    }

    #[test]
    fn clients_with_the_same_snippet_share_a_tab() {
        let s = [
            snippet("Claude Desktop", "{a}"),
            snippet("Claude Code", "claude mcp add"),
            snippet("Cursor", "{a}"),
        ];
        let g = group_snippets(&s);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].labels, ["Claude Desktop", "Cursor"]);
        assert_eq!(g[0].hints[1], ("Cursor", "hint for Cursor"));
        assert_eq!(g[1].labels, ["Claude Code"]);
    }
}

#[cfg(test)]
mod remote_tests {
    use super::*;

    #[test]
    fn remote_endpoints_show_outcome_auth_in_words_and_badges() {
        let mut rec = dataset::ProbeRecord::bare(Outcome::NeedsConfig, "2026-12-01T02:00:00Z");
        let mut info = dataset::RemoteInfo::new("https://mcp.example/mcp", "streamable-http");
        info.outcome = dataset::RemoteOutcome::NeedsAuth;
        info.first_byte_ms = Some(41);
        info.auth = Some(dataset::AuthInfo {
            status: 401,
            issuer: Some("https://login.example/<script>".into()),
            scopes: vec!["read".into(), "write".into()],
            ..Default::default()
        });
        rec.remote = Some(info);
        let mut ok = dataset::ProbeRecord::bare(Outcome::Ok, "2026-12-01T02:00:00Z");
        ok.era = Some(dataset::Era::Legacy);
        ok.protocol_version = Some("2025-11-25".into());
        ok.features = Some(dataset::SpecFeatures {
            mcp_apps: true,
            tools_with_output_schema: 2,
            deprecated: vec!["sse-transport".into()],
            ..Default::default()
        });
        let mut ok_info = dataset::RemoteInfo::new("https://mcp.example/sse", "sse");
        ok_info.outcome = dataset::RemoteOutcome::Ok;
        ok.remote = Some(ok_info);
        let remote = |u: &str, k: &str| dataset::Transport {
            kind: k.into(),
            url: Some(u.into()),
            ..Default::default()
        };
        let s = Server {
            install: dataset::Install {
                packages: vec![],
                remotes: vec![
                    remote("https://mcp.example/mcp", "streamable-http"),
                    remote("https://mcp.example/sse", "sse"),
                    remote("https://{tenant}.example/mcp", "streamable-http"),
                ],
            },
            remote_probes: vec![rec, ok],
            ..Default::default()
        };
        let v = remote_views(&s);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].label, Some("Needs sign-in"));
        assert_eq!(
            v[0].auth.as_deref(),
            Some("needs OAuth sign-in with https://login.example/<script>")
        );
        assert_eq!(v[0].scopes, ["read", "write"]);
        assert_eq!(v[0].latency.as_deref(), Some("first byte 41 ms"));
        assert_eq!(v[1].label, Some("Verified"));
        assert_eq!(v[2].label, None, "not probed yet");
        assert_eq!(
            feature_badges(&s),
            [
                "remote",
                "MCP 2025-11-25 (legacy)",
                "MCP Apps",
                "output schemas",
                "uses deprecated sse-transport"
            ]
        );
    }
}
