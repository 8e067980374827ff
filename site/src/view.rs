//! View models: the typed, already-cleaned values the templates render.
//!
//! Every string that came from a package, README, repository or probed server goes through
//! [`clean_text`] here, and every URL through [`safe_url`]; the templates then escape it (with
//! [`crate::html::Html`], always). Numbers are formatted here so the templates need no filters.
//! It renders no HTML: the markup of every piece is in `templates/`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use dataset::{Outcome, Server, Source};

use crate::markdown::{clean_multiline, clean_text, shorten};

/// Keeps `http(s)` URLs only (after trimming); anything else (`javascript:`, `data:`, relative) is dropped.
pub fn safe_url(u: &str) -> Option<String> {
    let u = u.trim();
    let lower = u.to_ascii_lowercase();
    if (lower.starts_with("https://") || lower.starts_with("http://"))
        && !u.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        Some(u.to_string())
    } else {
        None
    }
}

/// `1234567` → `1.2M`, `12345` → `12.3k`.
pub fn compact(n: u64) -> String {
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => trim_zero(format!("{:.1}", n as f64 / 1e3)) + "k",
        1_000_000..=999_999_999 => trim_zero(format!("{:.1}", n as f64 / 1e6)) + "M",
        _ => trim_zero(format!("{:.1}", n as f64 / 1e9)) + "B",
    }
}

fn trim_zero(s: String) -> String {
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// `12345` → `12,345`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The `YYYY-MM-DD` day of an RFC 3339 timestamp.
pub fn day(ts: &str) -> String {
    ts.get(..10).unwrap_or(ts).to_string()
}

/// A label for people.
pub fn outcome_label(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "Verified",
        Outcome::NeedsConfig => "Needs config",
        Outcome::InstallFailed => "Install failed",
        Outcome::Timeout => "Timed out",
        Outcome::Crashed => "Crashed",
        Outcome::ProtocolError => "Protocol error",
        Outcome::NotMcp => "Not MCP",
        // Not "No stdio": such a package often declares a stdio transport (the chip next to it)
        // but has nothing to run, or only a remote endpoint.
        Outcome::NoStdio => "Nothing to launch",
        Outcome::SandboxError => "Not run",
    }
}

/// The CSS class of an outcome: `good`, `warn`, `bad` or `none`.
pub fn outcome_class(o: Outcome) -> &'static str {
    match o {
        Outcome::Ok => "good",
        Outcome::NeedsConfig => "warn",
        Outcome::NoStdio | Outcome::SandboxError => "none",
        _ => "bad",
    }
}

/// One server in a list.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub kind: &'static str,
    pub sources: Vec<&'static str>,
    pub outcome: Option<&'static str>,
    pub outcome_class: &'static str,
    pub downloads: Option<String>,
    pub stars: Option<String>,
    pub version: Option<String>,
    pub tools: usize,
    /// The newest release or push date a source reports ([`source_updated`]); none when no
    /// source gives one (never the crawl date).
    pub updated: Option<String>,
    pub score: Option<String>,
    /// The best rank among a source's most downloaded packages, for a record whose sources give
    /// no download count (`#124 on PyPI`).
    pub rank: Option<String>,
    /// It has a remote (streamable HTTP or SSE) endpoint.
    pub remote: bool,
    /// Security findings on what the probe recorded, and the worst one's CSS class.
    pub findings: usize,
    pub findings_class: &'static str,
}

/// The newest date, as `YYYY-MM-DD`, that a source reports for its release or push (each
/// source's `updated_at`, the repository's `pushed_at`). Crawl dates (`first_seen`,
/// `last_seen`, `last_changed`) are not release dates and are never used.
pub fn source_updated(s: &Server) -> Option<String> {
    s.sources
        .iter()
        .filter_map(|e| e.updated_at.as_deref())
        .chain(s.repository.as_ref().and_then(|r| r.pushed_at.as_deref()))
        .map(day)
        .filter(|d| dataset::time::is_date(d))
        .max()
}

/// The number of security findings of a server, and the class of the worst.
pub fn findings(s: &Server) -> (usize, &'static str) {
    let Some(t) = &s.trust else {
        return (0, "none");
    };
    let mut n = 0;
    let mut worst = None;
    for (_, f) in t.all_findings() {
        n += 1;
        worst = worst.max(Some(f.severity));
    }
    let class = match worst.or(t.worst) {
        Some(dataset::Severity::Danger) => "bad",
        Some(dataset::Severity::Warning) => "warn",
        Some(dataset::Severity::Info) => "info",
        None => "none",
    };
    (n, class)
}

/// Whether a server can be reached remotely (a remote endpoint, or a remote probe of one).
pub fn is_remote(s: &Server) -> bool {
    s.install.remotes.iter().any(|r| r.url.is_some()) || !s.remote_probes.is_empty()
}

impl Item {
    pub fn new(s: &Server, slug: &str) -> Item {
        let desc = s
            .description
            .as_deref()
            .or(s.title.as_deref())
            .unwrap_or("");
        let downloads = s.downloads_monthly();
        let (n_findings, findings_class) = findings(s);
        Item {
            slug: slug.to_string(),
            name: clean_text(&shorten(&s.name, 90)),
            description: clean_text(&shorten(desc, 180)),
            kind: s.kind.as_str(),
            sources: s.sources.iter().map(|e| e.source.label()).collect(),
            outcome: s.probe.as_ref().map(|p| outcome_label(p.outcome)),
            outcome_class: s
                .probe
                .as_ref()
                .map(|p| outcome_class(p.outcome))
                .unwrap_or("none"),
            downloads: (downloads > 0).then(|| compact(downloads)),
            stars: s.stars().filter(|n| *n > 0).map(compact),
            version: s.version().map(|v| clean_text(&shorten(v, 24))),
            tools: s.probe.as_ref().map(|p| p.tools.len()).unwrap_or(0),
            updated: source_updated(s),
            score: s.score.as_ref().map(|sc| format!("{:.0}", sc.total)),
            rank: if downloads > 0 {
                None
            } else {
                s.sources
                    .iter()
                    .filter_map(|e| e.download_rank.map(|r| (r, e.source.label())))
                    .min()
                    .map(|(r, label)| format!("#{} on {label}", thousands(r)))
            },
            remote: is_remote(s),
            findings: n_findings,
            findings_class,
        }
    }
}

/// One parameter of a tool (from `inputSchema.properties`) or field of its output.
#[derive(Debug, Clone, Serialize)]
pub struct Param {
    pub name: String,
    pub ty: String,
    pub required: bool,
    pub description: String,
}

/// A self-declared annotation badge.
#[derive(Debug, Clone, Serialize)]
pub struct Badge {
    pub label: &'static str,
    pub class: &'static str,
    /// Declared by the server (false: the spec's default was applied).
    pub declared: bool,
}

/// One tool as shown on a server page.
#[derive(Debug, Clone, Serialize)]
pub struct ToolView {
    pub name: String,
    pub anchor: String,
    pub title: Option<String>,
    pub description: String,
    pub params: Vec<Param>,
    pub params_more: usize,
    pub output: Vec<Param>,
    pub badges: Vec<Badge>,
    pub defaults_applied: bool,
    pub risk: Option<&'static str>,
    pub conflict: Option<String>,
    /// The assessed level's CSS class (`lvl-read_only`, …).
    pub level_class: &'static str,
    /// What the server's own annotations declare, when they disagree with the assessed level.
    pub note: Option<String>,
    /// Security findings on this tool, worst first.
    pub findings: Vec<FindingView>,
}

/// One security finding as shown: what it is about, and its evidence cut into the text before,
/// the matched text (highlighted) and the text after.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub severity: &'static str,
    pub rule: String,
    pub message: String,
    /// `tool read_file`, `prompt review`, `server`.
    pub subject: String,
    /// Anchor of the tool it is about, if any.
    pub href: Option<String>,
    pub field: Option<String>,
    pub before: String,
    pub matched: String,
    pub after: String,
}

/// Characters of context shown either side of a finding's match.
const FINDING_CONTEXT: usize = 60;

/// Invisible characters written out, so highlighted evidence shows what hid there.
fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let u = c as u32;
        let invisible = matches!(u, 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF | 0x00AD | 0x180E | 0x034F | 0x061C | 0x115F | 0x1160 | 0x3164 | 0xFFA0 | 0x202A..=0x202E | 0x2066..=0x2069 | 0xE0000..=0xE007F | 0xE0100..=0xE01EF);
        if invisible || (c.is_control() && c != '\n' && c != '\t') {
            out.push_str(&format!("<U+{u:04X}>"));
        } else {
            out.push(c);
        }
    }
    out
}

/// The text of `field` (`description`, `inputSchema.properties.x.description`, …) in an item.
fn field_text<'a>(item: &'a Value, field: &str) -> Option<&'a str> {
    let mut v = item;
    let mut rest = field;
    while !rest.is_empty() {
        // A property name may hold dots: after `properties.` take the longest key that exists.
        let (key, tail) = if let Some(obj) = v.as_object() {
            let mut found = None;
            for (i, _) in rest
                .match_indices('.')
                .chain(std::iter::once((rest.len(), "")))
            {
                if obj.contains_key(&rest[..i]) {
                    found = Some((&rest[..i], rest.get(i + 1..).unwrap_or("")));
                    if v.get("type").is_none() || !obj.contains_key("properties") {
                        break;
                    }
                }
            }
            found?
        } else {
            return None;
        };
        v = v.get(key)?;
        rest = tail;
    }
    v.as_str()
}

fn severity_str(s: dataset::Severity) -> &'static str {
    s.as_str()
}

/// One finding as shown, its context taken from the item's own text when the span fits it.
pub fn finding_view(
    f: &dataset::Finding,
    item: Option<&Value>,
    subject: String,
    href: Option<String>,
) -> FindingView {
    let text = item
        .zip(f.field.as_deref())
        .and_then(|(it, field)| field_text(it, field));
    let (mut before, mut matched, mut after) = (String::new(), f.evidence.clone(), String::new());
    if let (Some(t), Some([a, b])) = (text, f.span) {
        let chars: Vec<char> = t.chars().collect();
        if a <= b && b <= chars.len() && b - a <= 2000 {
            let from = a.saturating_sub(FINDING_CONTEXT);
            let to = (b + FINDING_CONTEXT).min(chars.len());
            before = chars[from..a].iter().collect();
            if from > 0 {
                before.insert(0, '…');
            }
            matched = chars[a..b].iter().collect();
            after = chars[b..to].iter().collect();
            if to < chars.len() {
                after.push('…');
            }
        }
    }
    let tidy = |x: &str| clean_text(&shorten(&visible(x), 600));
    FindingView {
        severity: severity_str(f.severity),
        rule: clean_text(&f.rule),
        message: clean_text(&shorten(&f.message, 300)),
        subject,
        href,
        field: f.field.as_deref().map(|x| clean_text(&shorten(x, 120))),
        before: tidy(&before),
        matched: tidy(&matched),
        after: tidy(&after),
    }
}

fn level_class(l: dataset::RiskLevel) -> &'static str {
    match l {
        dataset::RiskLevel::ReadOnly => "lvl-read_only",
        dataset::RiskLevel::Network => "lvl-network",
        dataset::RiskLevel::Writes => "lvl-writes",
        dataset::RiskLevel::Destructive => "lvl-destructive",
        dataset::RiskLevel::ExecutesCode => "lvl-executes_code",
    }
}

/// All findings of a server, worst first, then tools before prompts and resources, by name.
pub fn finding_views(s: &Server) -> Vec<FindingView> {
    let Some(t) = &s.trust else {
        return Vec::new();
    };
    let p = s.probe.as_ref();
    let tool_of = |name: &str| {
        p.and_then(|p| {
            p.tools
                .iter()
                .enumerate()
                .find(|(_, t)| t.get("name").and_then(Value::as_str) == Some(name))
        })
    };
    let mut out: Vec<(dataset::Severity, usize, FindingView)> = Vec::new();
    for f in &t.findings {
        out.push((f.severity, 0, finding_view(f, None, "server".into(), None)));
    }
    for (name, it) in &t.tools {
        let found = tool_of(name);
        for f in &it.findings {
            out.push((
                f.severity,
                1,
                finding_view(
                    f,
                    found.map(|x| x.1),
                    format!("tool {}", clean_text(&shorten(name, 80))),
                    found.map(|(i, _)| anchor("tool", name, i)),
                ),
            ));
        }
    }
    for (kind, map, list) in [
        ("prompt", &t.prompts, p.map(|p| &p.prompts)),
        ("resource", &t.resources, p.map(|p| &p.resources)),
    ] {
        for (name, it) in map {
            let item = list.and_then(|l| {
                l.iter().find(|x| {
                    x.get("name").and_then(Value::as_str) == Some(name)
                        || x.get("uri").and_then(Value::as_str) == Some(name)
                })
            });
            for f in &it.findings {
                out.push((
                    f.severity,
                    2,
                    finding_view(
                        f,
                        item,
                        format!("{kind} {}", clean_text(&shorten(name, 80))),
                        None,
                    ),
                ));
            }
        }
    }
    out.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.subject.cmp(&b.2.subject))
    });
    out.into_iter().map(|x| x.2).collect()
}

/// One tool changelog entry as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ChangeView {
    pub date: String,
    pub tool: String,
    pub change: &'static str,
    pub versions: Option<String>,
    pub rug_pull: bool,
    /// Description diff: (`=`/`-`/`+`, text).
    pub diff: Vec<(String, String)>,
}

/// The tool changelog, newest first.
pub fn changelog(s: &Server) -> Vec<ChangeView> {
    let Some(t) = &s.trust else {
        return Vec::new();
    };
    let mut v: Vec<ChangeView> = t
        .history
        .changelog
        .iter()
        .map(|c| ChangeView {
            date: clean_text(&shorten(&c.date, 10)),
            tool: clean_text(&shorten(&c.tool, 80)),
            change: c.change.as_str(),
            versions: match (&c.version_before, &c.version_after) {
                (Some(a), Some(b)) if a == b => {
                    Some(format!("still {}", clean_text(&shorten(a, 30))))
                }
                (Some(a), Some(b)) => Some(format!(
                    "{} → {}",
                    clean_text(&shorten(a, 30)),
                    clean_text(&shorten(b, 30))
                )),
                _ => None,
            },
            rug_pull: c.rug_pull,
            diff: c
                .diff
                .iter()
                .map(|d| {
                    (
                        d.op.clone(),
                        clean_multiline(&shorten(&visible(&d.text), 1500)),
                    )
                })
                .collect(),
        })
        .collect();
    v.reverse();
    v
}

fn type_of(schema: &Value) -> String {
    let t = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => {
            if schema.get("enum").is_some() {
                "enum".into()
            } else if schema.get("anyOf").is_some() || schema.get("oneOf").is_some() {
                "union".into()
            } else if schema.get("$ref").is_some() {
                "object".into()
            } else {
                "any".into()
            }
        }
    };
    let t = if t == "array" {
        match schema.get("items") {
            Some(items) => format!("{}[]", type_of(items)),
            None => t,
        }
    } else {
        t
    };
    clean_text(&shorten(&t, 40))
}

const MAX_PARAMS: usize = 40;

/// The parameters described by a JSON Schema object (`properties` + `required`).
pub fn params(schema: Option<&Value>) -> (Vec<Param>, usize) {
    let Some(schema) = schema else {
        return (Vec::new(), 0);
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return (Vec::new(), 0);
    };
    let mut out: Vec<Param> = props
        .iter()
        .take(MAX_PARAMS)
        .map(|(name, p)| {
            let desc = p
                .get("description")
                .and_then(Value::as_str)
                .or_else(|| p.get("title").and_then(Value::as_str))
                .unwrap_or("");
            Param {
                name: clean_text(&shorten(name, 80)),
                ty: type_of(p),
                required: required.contains(&name.as_str()),
                description: clean_text(&shorten(desc, 300)),
            }
        })
        .collect();
    // Required first, then as declared.
    out.sort_by_key(|p| !p.required);
    (out, props.len().saturating_sub(MAX_PARAMS))
}

fn hint(annotations: Option<&Value>, key: &str) -> Option<bool> {
    annotations?.get(key)?.as_bool()
}

/// A tool's annotations as badges, with the spec's defaults applied to absent hints.
pub fn annotation_badges(tool: &Value) -> (Vec<Badge>, bool) {
    let ann = tool.get("annotations").filter(|a| a.is_object());
    let ro = hint(ann, "readOnlyHint");
    let destructive = hint(ann, "destructiveHint");
    let idempotent = hint(ann, "idempotentHint");
    let open = hint(ann, "openWorldHint");
    let mut badges = Vec::new();
    let mut defaults = false;
    if ro.unwrap_or(false) {
        badges.push(Badge {
            label: "read-only",
            class: "good",
            declared: ro.is_some(),
        });
    } else {
        defaults |= ro.is_none();
        if destructive.unwrap_or(true) {
            defaults |= destructive.is_none();
            badges.push(Badge {
                label: "destructive",
                class: "bad",
                declared: destructive.is_some(),
            });
        } else {
            badges.push(Badge {
                label: "non-destructive",
                class: "warn",
                declared: true,
            });
        }
        if idempotent.unwrap_or(false) {
            badges.push(Badge {
                label: "idempotent",
                class: "info",
                declared: idempotent.is_some(),
            });
        }
    }
    if open.unwrap_or(true) {
        defaults |= open.is_none();
        badges.push(Badge {
            label: "open-world",
            class: "info",
            declared: open.is_some(),
        });
    } else {
        badges.push(Badge {
            label: "closed-world",
            class: "info",
            declared: true,
        });
    }
    (badges, defaults)
}

fn risk_label(r: dataset::Risk) -> &'static str {
    match r {
        dataset::Risk::ReadOnly => "read-only",
        dataset::Risk::Writes => "writes",
        dataset::Risk::Destructive => "destructive",
        dataset::Risk::RunsCode => "runs code",
    }
}

/// Anchor id for a tool name: `tool-` plus safe characters.
pub fn anchor(prefix: &str, name: &str, i: usize) -> String {
    let mut a = format!("{prefix}-");
    for c in name.chars().take(60) {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            a.push(c);
        } else {
            a.push('-');
        }
    }
    if a.len() == prefix.len() + 1 {
        a.push_str(&i.to_string());
    }
    a
}

/// The tools of a server, as the server sent them, with safety where enrich computed it.
pub fn tools(s: &Server) -> Vec<ToolView> {
    let Some(p) = &s.probe else {
        return Vec::new();
    };
    let mut seen = std::collections::HashSet::new();
    p.tools
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let raw_name = t.get("name").and_then(Value::as_str).unwrap_or("(unnamed)");
            let (params_v, params_more) = params(t.get("inputSchema"));
            let (output, _) = params(t.get("outputSchema"));
            let (mut badges, defaults_applied) = annotation_badges(t);
            // Only what the server declared: a spec default is not the server's claim.
            badges.retain(|b| b.declared);
            let safety = s.safety.as_ref().and_then(|sf| sf.tools.get(raw_name));
            let mut anchor = anchor("tool", raw_name, i);
            if !seen.insert(anchor.clone()) {
                anchor = format!("{anchor}-{i}");
            }
            ToolView {
                name: clean_text(&shorten(raw_name, 120)),
                anchor,
                title: t
                    .get("title")
                    .or_else(|| t.get("annotations").and_then(|a| a.get("title")))
                    .and_then(Value::as_str)
                    .map(|x| clean_text(&shorten(x, 120))),
                description: clean_multiline(&shorten(
                    t.get("description").and_then(Value::as_str).unwrap_or(""),
                    1500,
                )),
                params: params_v,
                params_more,
                output,
                badges,
                defaults_applied,
                risk: safety.map(|sf| match sf.level {
                    Some(l) => l.label(),
                    None => risk_label(sf.risk),
                }),
                conflict: safety.and_then(|sf| sf.conflict.as_deref()).map(clean_text),
                level_class: safety
                    .and_then(|sf| sf.level)
                    .map(level_class)
                    .unwrap_or(""),
                note: safety.and_then(|sf| sf.note.as_deref()).map(clean_text),
                findings: {
                    let mut v: Vec<FindingView> = s
                        .trust
                        .as_ref()
                        .and_then(|tr| tr.tools.get(raw_name))
                        .map(|it| {
                            it.findings
                                .iter()
                                .map(|f| finding_view(f, Some(t), String::new(), None))
                                .collect()
                        })
                        .unwrap_or_default();
                    v.sort_by_key(|f| match f.severity {
                        "danger" => 0,
                        "warning" => 1,
                        _ => 2,
                    });
                    v
                },
            }
        })
        .collect()
}

/// A prompt, resource or resource template.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub name: String,
    pub detail: String,
    pub description: String,
    pub args: Vec<Param>,
}

/// Prompts (`name`, `description`, `arguments`).
pub fn prompts(items: &[Value]) -> Vec<Entry> {
    items
        .iter()
        .map(|p| Entry {
            name: clean_text(&shorten(
                p.get("name").and_then(Value::as_str).unwrap_or("(unnamed)"),
                120,
            )),
            detail: String::new(),
            description: clean_multiline(&shorten(
                p.get("description").and_then(Value::as_str).unwrap_or(""),
                600,
            )),
            args: p
                .get("arguments")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .take(MAX_PARAMS)
                        .map(|x| Param {
                            name: clean_text(&shorten(
                                x.get("name").and_then(Value::as_str).unwrap_or(""),
                                80,
                            )),
                            ty: "string".into(),
                            required: x.get("required").and_then(Value::as_bool).unwrap_or(false),
                            description: clean_text(&shorten(
                                x.get("description").and_then(Value::as_str).unwrap_or(""),
                                300,
                            )),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// Resources (`uri`) or templates (`uriTemplate`).
pub fn resources(items: &[Value], uri_key: &str) -> Vec<Entry> {
    items
        .iter()
        .take(100)
        .map(|r| Entry {
            name: clean_text(&shorten(
                r.get("name")
                    .or_else(|| r.get("title"))
                    .and_then(Value::as_str)
                    .unwrap_or("(unnamed)"),
                120,
            )),
            detail: clean_text(&shorten(
                r.get(uri_key).and_then(Value::as_str).unwrap_or(""),
                200,
            )),
            description: clean_multiline(&shorten(
                r.get("description").and_then(Value::as_str).unwrap_or(""),
                400,
            )),
            args: Vec::new(),
        })
        .collect()
}

/// One input a server needs: an env var, an argument or a header.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigItem {
    pub name: String,
    pub kind: &'static str,
    pub required: bool,
    pub secret: bool,
    pub description: String,
    pub default: Option<String>,
}

/// Required configuration from the install data, plus names the probe saw it ask for.
pub fn config_items(s: &Server) -> Vec<ConfigItem> {
    let mut out: Vec<ConfigItem> = Vec::new();
    let mut push = |a: &dataset::Argument, kind: &'static str| {
        let name = a
            .name
            .as_deref()
            .or(a.value_hint.as_deref())
            .unwrap_or("(positional)");
        let name = clean_text(&shorten(name, 80));
        if out.iter().any(|c| c.name == name && c.kind == kind) {
            return;
        }
        out.push(ConfigItem {
            name,
            kind,
            required: a.is_required,
            secret: a.is_secret,
            description: clean_text(&shorten(a.description.as_deref().unwrap_or(""), 300)),
            default: if a.is_secret {
                None
            } else {
                a.default.as_deref().map(|d| clean_text(&shorten(d, 80)))
            },
        });
    };
    for p in &s.install.packages {
        for a in &p.environment_variables {
            push(a, "env");
        }
        for a in p.package_arguments.iter().chain(&p.runtime_arguments) {
            push(a, "argument");
        }
    }
    for r in &s.install.remotes {
        for h in &r.headers {
            push(h, "header");
        }
    }
    if let Some(p) = &s.probe {
        for n in &p.needs {
            let name = clean_text(&shorten(n, 80));
            if !out.iter().any(|c| c.name == name) {
                out.push(ConfigItem {
                    name,
                    kind: "seen",
                    required: true,
                    secret: false,
                    description: "Asked for by the server when probed without configuration."
                        .into(),
                    default: None,
                });
            }
        }
    }
    out
}

/// One run of nights with the same outcome on the health strip.
#[derive(Debug, Clone, Serialize)]
pub struct HealthRun {
    pub x: i64,
    pub w: i64,
    /// CSS class suffix: an outcome class or `gap`.
    pub class: &'static str,
    /// `2026-11-21`, or `2026-11-01 to 2026-11-20 (20 nights)`.
    pub when: String,
    pub label: &'static str,
}

/// The 90-night health strip (drawn by the `health` macro) and the uptime over it.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// Width of the strip in SVG units (4 per night).
    pub width: i64,
    pub runs: Vec<HealthRun>,
    /// Percentage with one decimal, when any night in the window was probed.
    pub uptime: Option<String>,
    /// Probed nights in the window.
    pub nights: usize,
}

/// The last 90 nights of `s` up to `today` (a day number), as runs of equal outcomes.
pub fn health(s: &Server, today: i64) -> Health {
    const NIGHTS: i64 = 90;
    let by_day: BTreeMap<i64, Option<Outcome>> = s
        .health
        .iter()
        .filter_map(|h| dataset::time::day_number(&h.date).map(|d| (d, h.outcome)))
        .collect();
    let window: Vec<dataset::HealthEntry> = s
        .health
        .iter()
        .filter(|h| {
            dataset::time::day_number(&h.date)
                .map(|d| d > today - NIGHTS && d <= today)
                .unwrap_or(false)
        })
        .cloned()
        .collect();
    let uptime = dataset::uptime_percent(&window).map(|u| format!("{u:.1}"));
    let nights = window.iter().filter(|h| h.outcome.is_some()).count();
    let night = |i: i64| {
        let d = today - NIGHTS + 1 + i;
        match by_day.get(&d) {
            Some(Some(o)) => (outcome_class(*o), outcome_label(*o)),
            Some(None) => ("gap", "not probed"),
            None => ("gap", "no data"),
        }
    };
    let mut runs = Vec::new();
    let mut i = 0;
    while i < NIGHTS {
        let cur = night(i);
        let mut j = i + 1;
        while j < NIGHTS && night(j) == cur {
            j += 1;
        }
        let (class, label) = cur;
        let first = dataset::time::day_string(today - NIGHTS + 1 + i);
        let when = if j - i == 1 {
            first
        } else {
            format!(
                "{first} to {} ({} nights)",
                dataset::time::day_string(today - NIGHTS + j),
                j - i
            )
        };
        runs.push(HealthRun {
            x: i * 4,
            w: (j - i) * 4 - 1,
            class,
            when,
            label,
        });
        i = j;
    }
    Health {
        width: NIGHTS * 4,
        runs,
        uptime,
        nights,
    }
}

/// A link to a source page.
#[derive(Debug, Clone, Serialize)]
pub struct SourceLink {
    pub source: &'static str,
    pub label: &'static str,
    pub identifier: String,
    pub url: Option<String>,
    pub version: Option<String>,
    pub downloads: Option<String>,
    pub stale: bool,
    pub deprecated: bool,
}

/// The sources of a server, with safe links.
pub fn source_links(s: &Server) -> Vec<SourceLink> {
    s.sources
        .iter()
        .map(|e| SourceLink {
            source: e.source.as_str(),
            label: e.source.label(),
            identifier: clean_text(&shorten(&e.identifier, 120)),
            url: e.url.as_deref().and_then(safe_url).or_else(|| {
                (e.source == Source::Github)
                    .then(|| s.repository.as_ref().and_then(|r| safe_url(&r.url)))
                    .flatten()
            }),
            version: e.version.as_deref().map(|v| clean_text(&shorten(v, 40))),
            downloads: e.downloads_monthly.filter(|d| *d > 0).map(compact),
            stale: e.stale,
            deprecated: e.deprecated,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_are_compact() {
        assert_eq!(compact(999), "999");
        assert_eq!(compact(1000), "1k");
        assert_eq!(compact(12_345), "12.3k");
        assert_eq!(compact(2_500_000), "2.5M");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
    }

    #[test]
    fn urls_other_than_http_are_dropped() {
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url(" JavaScript:alert(1)"), None);
        assert_eq!(safe_url("data:text/html,x"), None);
        assert_eq!(safe_url("//evil.example"), None);
        assert_eq!(safe_url("https://ok.example/a b"), None);
        assert_eq!(
            safe_url("https://ok.example/x").as_deref(),
            Some("https://ok.example/x")
        );
    }

    #[test]
    fn params_come_from_the_input_schema_required_first() {
        let schema = json!({
            "type": "object",
            "properties": {
                "limit": {"type": "integer", "description": "Max rows"},
                "sql": {"type": "string", "description": "The query"},
                "tags": {"type": "array", "items": {"type": "string"}}
            },
            "required": ["sql"]
        });
        let (p, more) = params(Some(&schema));
        assert_eq!(more, 0);
        assert_eq!(p[0].name, "sql");
        assert!(p[0].required);
        assert_eq!(p[0].ty, "string");
        let tags = p.iter().find(|x| x.name == "tags").unwrap();
        assert_eq!(tags.ty, "string[]");
        assert!(!tags.required);
    }

    #[test]
    fn spec_defaults_apply_to_missing_annotations() {
        let (b, defaults) = annotation_badges(&json!({"name": "x"}));
        let labels: Vec<_> = b.iter().map(|b| b.label).collect();
        assert_eq!(labels, ["destructive", "open-world"]);
        assert!(defaults);
        assert!(b.iter().all(|b| !b.declared));
        let (b, defaults) = annotation_badges(
            &json!({"name": "x", "annotations": {"readOnlyHint": true, "openWorldHint": false}}),
        );
        let labels: Vec<_> = b.iter().map(|b| b.label).collect();
        assert_eq!(labels, ["read-only", "closed-world"]);
        assert!(!defaults);
    }

    #[test]
    fn health_strip_counts_only_the_window() {
        let today = dataset::time::day_number("2026-11-22").unwrap();
        let s = Server {
            health: vec![
                dataset::HealthEntry {
                    date: "2026-01-01".into(),
                    outcome: Some(Outcome::Crashed),
                },
                dataset::HealthEntry {
                    date: "2026-11-20".into(),
                    outcome: Some(Outcome::Ok),
                },
                dataset::HealthEntry {
                    date: "2026-11-21".into(),
                    outcome: Some(Outcome::Crashed),
                },
                dataset::HealthEntry {
                    date: "2026-11-22".into(),
                    outcome: None,
                },
            ],
            ..Default::default()
        };
        let h = health(&s, today);
        assert_eq!(h.uptime.as_deref(), Some("50.0"));
        assert_eq!(h.nights, 2);
        // Runs: no data (87 nights), ok, crashed, not probed.
        let runs: Vec<(&str, &str)> = h.runs.iter().map(|r| (r.when.as_str(), r.label)).collect();
        assert_eq!(
            runs,
            [
                ("2026-08-25 to 2026-11-19 (87 nights)", "no data"),
                ("2026-11-20", "Verified"),
                ("2026-11-21", "Crashed"),
                ("2026-11-22", "not probed"),
            ]
        );
        assert_eq!(h.runs[3].x + h.runs[3].w, h.width - 1);
    }
}
