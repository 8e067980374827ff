//! Hand-written renderers for the pages the site has by the thousand (server pages and browse
//! list pages), writing into one `String` with an escaping writer instead of building a tera
//! value tree per page.
//!
//! The page frame (head, header, footer) still comes from `templates/base.html`: [`Shell`] renders
//! it once per nav section through tera with sentinel values and keeps the literal fragments
//! between them, so every page of a kind is a few `push_str` calls plus its escaped values. Every
//! value from the dataset goes through [`push_esc`] (attributes) or [`push_text`] (text); only the sanitized README and the SVG health
//! strip (built escaped by their own modules) are inserted as they are.
//!
//! It does not decide what a page shows: the page structs of [`crate::pages`] do.

use std::fmt::Write as _;

use crate::pages::{ListPage, Pagination, ServerPage, SiteCtx};
use crate::view::Param;

/// Appends `s` to `h`, escaping `& < > " '` (text and quoted attribute values).
pub fn push_esc(h: &mut String, s: &str) {
    push_escaped(h, s, true);
}

/// Appends `s` to `h` as text content: escapes `& < >` (quotes are harmless outside tags, and
/// JSON snippets stay readable and short).
pub fn push_text(h: &mut String, s: &str) {
    push_escaped(h, s, false);
}

fn push_escaped(h: &mut String, s: &str, quotes: bool) {
    let mut last = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quotes => "&quot;",
            b'\'' if quotes => "&#39;",
            _ => continue,
        };
        h.push_str(&s[last..i]);
        h.push_str(rep);
        last = i + 1;
    }
    h.push_str(&s[last..]);
}

/// Template output without indentation, trailing spaces and blank lines (only trailing spaces
/// when the page has preformatted text, whose lines must stay as they are).
pub fn tidy(html: &str) -> String {
    let pre = html.contains("<pre") || html.contains("<textarea");
    let mut out = String::with_capacity(html.len());
    for line in html.lines() {
        let l = if pre { line.trim_end() } else { line.trim() };
        if l.is_empty() && !pre {
            continue;
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// An `Option<String>` as tera tests it: `None` and `""` are false.
fn some(o: &Option<String>) -> Option<&str> {
    o.as_deref().filter(|s| !s.is_empty())
}

const SENTINEL: char = '\u{1}';

/// One piece of the page frame: literal text, or the place of a per-page value.
#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    Title,
    /// The title as the text of `<title>`.
    TitleText,
    Description,
    Path,
    Body,
}

/// The page frame of `base.html` for one nav section, pre-rendered.
#[derive(Debug, Clone)]
pub struct Shell {
    parts: Vec<Part>,
}

impl Shell {
    /// Renders `base.html` once with sentinels in place of the per-page values.
    pub fn new(site: &SiteCtx, section: &'static str) -> anyhow::Result<Shell> {
        let meta = crate::pages::Meta {
            title: format!("{SENTINEL}T"),
            description: format!("{SENTINEL}D"),
            path: format!("{SENTINEL}P"),
            section,
            og_type: "website",
        };
        let mut ctx = tera::Context::new();
        ctx.insert("site", site);
        ctx.insert("meta", &meta);
        let html = crate::pages::templates()
            .render("shell.html", &ctx)
            .map_err(|e| anyhow::anyhow!("rendering the page frame: {e}"))?;
        // Line breaks between two tags go too: the frame has no preformatted text, and its
        // inline runs (header, navs, footer links) are flex containers, where they do not show.
        let html = tidy(&html).replace(">\n<", "><");
        let mut parts = Vec::new();
        let mut pieces = html.split(SENTINEL);
        if let Some(first) = pieces.next() {
            parts.push(Part::Lit(first.to_string()));
        }
        for p in pieces {
            let mut chars = p.chars();
            let part = match chars.next() {
                Some('T') if matches!(parts.last(), Some(Part::Lit(l)) if l.ends_with("<title>")) => {
                    Part::TitleText
                }
                Some('T') => Part::Title,
                Some('D') => Part::Description,
                Some('P') => Part::Path,
                Some('B') => Part::Body,
                _ => anyhow::bail!("unexpected sentinel in the page frame"),
            };
            parts.push(part);
            parts.push(Part::Lit(chars.as_str().to_string()));
        }
        Ok(Shell { parts })
    }

    /// The whole page: the frame around `body` (already HTML).
    pub fn page(&self, title: &str, description: &str, path: &str, body: &str) -> String {
        let mut h = String::with_capacity(body.len() + 3000);
        for p in &self.parts {
            match p {
                Part::Lit(s) => h.push_str(s),
                Part::Title => push_esc(&mut h, title),
                Part::TitleText => push_text(&mut h, title),
                Part::Description => push_esc(&mut h, description),
                Part::Path => push_esc(&mut h, path),
                Part::Body => h.push_str(body),
            }
        }
        h
    }
}

fn params(h: &mut String, list: &[Param], caption_prefix: &str, name: &str) {
    h.push_str("<table class=\"params\"><caption class=\"sr-only\">");
    push_text(h, caption_prefix);
    push_text(h, name);
    h.push_str("</caption><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Type</th><th scope=\"col\">Description</th></tr></thead><tbody>");
    for p in list {
        h.push_str("<tr><td><code>");
        push_text(h, &p.name);
        h.push_str("</code>");
        if p.required {
            h.push_str(" <span class=\"req\" title=\"required\">required</span>");
        }
        h.push_str("</td><td><code>");
        push_text(h, &p.ty);
        h.push_str("</code></td><td>");
        push_text(h, &p.description);
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody></table>");
}

/// The pager of a paginated listing (nothing when there is one page).
pub(crate) fn pager(h: &mut String, p: &Pagination) {
    if p.pages <= 1 {
        return;
    }
    h.push_str("<nav class=\"pager\" aria-label=\"Pages\">\n");
    match &p.prev {
        Some(u) => {
            h.push_str("<a rel=\"prev\" href=\"");
            push_esc(h, u);
            h.push_str("\">← Previous</a>\n");
        }
        None => h.push_str("<span class=\"dis\">← Previous</span>\n"),
    }
    for l in &p.links {
        if l.gap_before {
            h.push_str("<span class=\"gap\">…</span>");
        }
        if l.current {
            let _ = write!(
                h,
                "<span class=\"cur\" aria-current=\"page\">{}</span>",
                l.n
            );
        } else {
            h.push_str("<a href=\"");
            push_esc(h, &l.href);
            let _ = write!(h, "\">{}</a>", l.n);
        }
    }
    h.push('\n');
    match &p.next {
        Some(u) => {
            h.push_str("<a rel=\"next\" href=\"");
            push_esc(h, u);
            h.push_str("\">Next →</a>\n");
        }
        None => h.push_str("<span class=\"dis\">Next →</span>\n"),
    }
    h.push_str("</nav>\n");
}

/// The body of a browse page.
pub(crate) fn list_body(h: &mut String, page: &ListPage) {
    h.push_str("<h1>");
    push_text(h, page.heading);
    h.push_str("</h1>\n<p class=\"lead\">");
    push_text(h, page.description);
    h.push_str(" <span class=\"muted\">");
    push_text(h, &page.total);
    h.push_str(" in total");
    if page.pagination.pages > 1 {
        let _ = write!(h, ", showing {}–{}", page.first, page.last);
    }
    h.push_str(".</span></p>\n<nav class=\"sorts\" aria-label=\"Sort order\">\n<span class=\"muted\">Sort by</span>\n");
    for s in &page.sorts {
        if s.current {
            h.push_str("<span class=\"cur\" aria-current=\"page\">");
            push_text(h, s.label);
            h.push_str("</span>");
        } else {
            h.push_str("<a href=\"");
            push_esc(h, &s.href);
            h.push_str("\">");
            push_text(h, s.label);
            h.push_str("</a>");
        }
    }
    h.push_str("\n</nav>\n");
    if page.items_html.is_empty() {
        h.push_str("<p>Nothing here yet.</p>\n");
    } else {
        h.push_str("<ul class=\"items\">\n");
        h.push_str(&page.items_html);
        h.push_str("</ul>\n");
    }
    pager(h, &page.pagination);
}

/// The body of a server page.
pub(crate) fn server_body(h: &mut String, page: &ServerPage, base: &str) {
    h.push_str(
        "<article class=\"server\"><header class=\"server-head\"><p class=\"crumbs\"><a href=\"",
    );
    push_esc(h, base);
    h.push_str("browse/\">Servers</a> /</p><h1>");
    push_text(h, &page.name);
    if let Some(v) = some(&page.version) {
        h.push_str(" <span class=\"ver\">");
        push_text(h, v);
        h.push_str("</span>");
    }
    h.push_str("</h1>");
    if let Some(t) = some(&page.title) {
        if t != page.name {
            h.push_str("<p class=\"subtitle\">");
            push_text(h, t);
            h.push_str("</p>");
        }
    }
    if !page.description.is_empty() {
        h.push_str("<p class=\"lead\">");
        push_text(h, &page.description);
        h.push_str("</p>");
    }
    h.push_str("<ul class=\"badges\">");
    match &page.probe {
        Some(p) => {
            let _ = write!(
                h,
                "<li class=\"pill {}\" title=\"Probe outcome on ",
                p.class
            );
            push_esc(h, &p.date);
            h.push_str("\">");
            push_text(h, p.label);
            h.push_str(" · ");
            push_text(h, &p.date);
            h.push_str("</li>");
        }
        None => h.push_str("<li class=\"pill none\">Not probed yet</li>"),
    }
    h.push_str("<li class=\"pill kind\">");
    push_text(h, page.kind);
    h.push_str("</li>");
    for s in &page.sources {
        h.push_str("<li class=\"pill src\">");
        push_text(h, s.label);
        h.push_str("</li>");
    }
    for t in &page.transports {
        h.push_str("<li class=\"pill\">");
        push_text(h, t);
        h.push_str("</li>");
    }
    if let Some(pv) = page.probe.as_ref().and_then(|p| some(&p.protocol_version)) {
        h.push_str("<li class=\"pill\" title=\"Protocol version\">MCP ");
        push_text(h, pv);
        h.push_str("</li>");
    }
    if let Some(l) = some(&page.license) {
        h.push_str("<li class=\"pill\">");
        push_text(h, l);
        h.push_str("</li>");
    }
    if let Some(s) = some(&page.stars) {
        h.push_str("<li class=\"pill\" title=\"Repository stars\">★ ");
        push_text(h, s);
        h.push_str("</li>");
    }
    if let Some(d) = some(&page.downloads) {
        h.push_str("<li class=\"pill\" title=\"Downloads in the last month\">↓ ");
        push_text(h, d);
        h.push_str("/month</li>");
    }
    if page.deprecated {
        h.push_str("<li class=\"pill bad\">deprecated</li>");
    }
    if page.archived {
        h.push_str("<li class=\"pill bad\">archived</li>");
    }
    h.push_str("</ul>");
    if let Some(n) = page.kind_note {
        h.push_str("<p class=\"note\">");
        push_text(h, n);
        h.push_str("</p>");
    }
    if let Some(d) = page.duplicate_of {
        h.push_str("<p class=\"note\">This looks like a copy of <a href=\"");
        push_esc(h, base);
        h.push_str("servers/");
        push_esc(h, &d.slug);
        h.push_str("/\">");
        push_text(h, &d.name);
        h.push_str("</a>.</p>");
    }
    h.push_str("</header><div class=\"server-grid\"><div class=\"server-main\">");

    // Install.
    h.push_str("<section><h2>Install</h2>");
    let repo_url = page.repository.as_ref().and_then(|r| some(&r.url));
    if page.snippets.is_empty() {
        h.push_str("<p class=\"muted\">No package or remote endpoint is known for this record, so there is nothing to install from here.");
        if let Some(u) = repo_url {
            h.push_str(" See the <a href=\"");
            push_esc(h, u);
            h.push_str("\" rel=\"nofollow ugc noopener\">repository</a>.");
        }
        h.push_str("</p>");
    } else {
        h.push_str("<div class=\"snippets\">");
        // Clients that take the same text share a tab (Claude Desktop and Cursor, usually).
        let mut shown = vec![false; page.snippets.len()];
        for i in 0..page.snippets.len() {
            if shown[i] {
                continue;
            }
            let same: Vec<usize> = (i..page.snippets.len())
                .filter(|&j| page.snippets[j].code == page.snippets[i].code)
                .collect();
            h.push_str(if i == 0 {
                "<details open>"
            } else {
                "<details>"
            });
            h.push_str("<summary>");
            for (k, &j) in same.iter().enumerate() {
                if k > 0 {
                    h.push_str(" and ");
                }
                push_text(h, page.snippets[j].label);
            }
            h.push_str("</summary>");
            for &j in &same {
                shown[j] = true;
                h.push_str("<p class=\"hint\">");
                if same.len() > 1 {
                    push_text(h, page.snippets[j].label);
                    h.push_str(": ");
                }
                push_text(h, &page.snippets[j].hint);
                h.push_str("</p>");
            }
            h.push_str("<pre class=\"code\" data-copy><code>");
            push_text(h, &page.snippets[i].code);
            h.push_str("</code></pre></details>");
        }
        h.push_str("</div>");
    }
    if !page.config.is_empty() {
        h.push_str("<h3>Configuration</h3><table class=\"params\"><caption class=\"sr-only\">Configuration the server needs</caption><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Kind</th><th scope=\"col\">Description</th></tr></thead><tbody>");
        for c in &page.config {
            h.push_str("<tr><td><code>");
            push_text(h, &c.name);
            h.push_str("</code>");
            if c.required {
                h.push_str(" <span class=\"req\">required</span>");
            }
            if c.secret {
                h.push_str(" <span class=\"secret\">secret</span>");
            }
            h.push_str("</td><td>");
            push_text(h, c.kind);
            h.push_str("</td><td>");
            push_text(h, &c.description);
            if let Some(d) = some(&c.default) {
                h.push_str(" <span class=\"muted\">Default: <code>");
                push_text(h, d);
                h.push_str("</code></span>");
            }
            h.push_str("</td></tr>");
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</section>");

    // Tools.
    h.push_str("<section id=\"tools\"><h2>Tools");
    if !page.tools.is_empty() {
        let _ = write!(h, " <span class=\"count\">{}</span>", page.tools.len());
    }
    h.push_str("</h2>");
    if !page.tools.is_empty() {
        h.push_str("<p class=\"muted small\">As reported by the server when Hisper ran it");
        if let Some(p) = &page.probe {
            h.push_str(" on ");
            push_text(h, &p.date);
        }
        h.push_str(". Safety badges are the server's own annotations; <span class=\"dflt\">dotted</span> ones are the MCP spec's defaults for annotations the server did not declare.</p>");
        for t in &page.tools {
            h.push_str("<section class=\"tool\" id=\"");
            push_esc(h, &t.anchor);
            h.push_str("\" aria-label=\"Tool ");
            push_esc(h, &t.name);
            h.push_str("\"><h3><code>");
            push_text(h, &t.name);
            h.push_str("</code>");
            if let Some(ti) = some(&t.title) {
                h.push_str(" <span class=\"tool-title\">");
                push_text(h, ti);
                h.push_str("</span>");
            }
            h.push_str("</h3>");
            if !t.badges.is_empty() || t.risk.is_some() {
                h.push_str("<ul class=\"badges small\">");
                for b in &t.badges {
                    let _ = write!(h, "<li class=\"pill {}", b.class);
                    if b.declared {
                        h.push_str("\">");
                    } else {
                        h.push_str(" dflt\" title=\"spec default\">");
                    }
                    push_text(h, b.label);
                    h.push_str("</li>");
                }
                if let Some(r) = t.risk {
                    h.push_str("<li class=\"pill risk\" title=\"Hisper's assessment\">assessed: ");
                    push_text(h, r);
                    h.push_str("</li>");
                }
                h.push_str("</ul>");
            }
            if let Some(c) = some(&t.conflict) {
                h.push_str("<p class=\"note\">");
                push_text(h, c);
                h.push_str("</p>");
            }
            if !t.description.is_empty() {
                h.push_str("<p class=\"tool-desc\">");
                push_text(h, &t.description);
                h.push_str("</p>");
            }
            if t.params.is_empty() {
                h.push_str("<p class=\"muted small\">No parameters.</p>");
            } else {
                params(h, &t.params, "Parameters of ", &t.name);
                if t.params_more > 0 {
                    let _ = write!(
                        h,
                        "<p class=\"muted small\">and {} more parameters</p>",
                        t.params_more
                    );
                }
                h.push('\n');
            }
            if !t.output.is_empty() {
                h.push_str("<h4>Output</h4>");
                params(h, &t.output, "Output of ", &t.name);
                h.push('\n');
            }
            h.push_str("</section>");
        }
    } else if page.probe.as_ref().is_some_and(|p| p.outcome == "ok") {
        h.push_str("<p class=\"muted\">The server answered but reported no tools.</p>");
    } else {
        h.push_str("<p class=\"muted\">Tools are recorded when a probe succeeds.");
        if page.probe.is_some() {
            h.push_str(" The last probe did not get that far (see <a href=\"#probe-title\">the probe</a>).");
        }
        h.push_str("</p>");
    }
    h.push_str("</section>");

    // Prompts, resources, templates, instructions.
    if !page.prompts.is_empty() {
        let _ = write!(
            h,
            "<section><h2>Prompts <span class=\"count\">{}</span></h2><dl class=\"entries\">",
            page.prompts.len()
        );
        for p in &page.prompts {
            h.push_str("<dt><code>");
            push_text(h, &p.name);
            h.push_str("</code>");
            for a in &p.args {
                h.push_str(" <span class=\"arg\">");
                push_text(h, &a.name);
                if a.required {
                    h.push('*');
                }
                h.push_str("</span>");
            }
            h.push_str("</dt><dd>");
            push_text(h, &p.description);
            h.push_str("</dd>");
        }
        h.push_str("</dl></section>");
    }
    for (list, title) in [
        (&page.resources, "Resources"),
        (&page.templates, "Resource templates"),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = write!(
            h,
            "<section><h2>{title} <span class=\"count\">{}</span></h2><dl class=\"entries\">",
            list.len()
        );
        for r in list {
            h.push_str("<dt><code>");
            push_text(h, &r.name);
            h.push_str("</code> <span class=\"muted\">");
            push_text(h, &r.detail);
            h.push_str("</span></dt><dd>");
            push_text(h, &r.description);
            h.push_str("</dd>");
        }
        h.push_str("</dl></section>");
    }
    if let Some(i) = some(&page.instructions) {
        h.push_str("<section><h2>Server instructions</h2><p class=\"muted small\">Text the server sends to the model on connection.</p><blockquote class=\"instructions\">");
        push_text(h, i);
        h.push_str("</blockquote></section>");
    }
    if let Some(r) = some(&page.readme) {
        h.push_str("<section><h2>README</h2><div class=\"readme\">");
        h.push_str(r);
        h.push_str("</div></section>");
    }
    h.push_str("</div>");

    // Side: probe and health.
    h.push_str("<aside class=\"server-side\" aria-label=\"Details\"><section class=\"box\"><h2 id=\"probe-title\">Probe</h2>");
    match &page.probe {
        Some(p) => {
            let _ = write!(h, "<p><span class=\"pill {}\">", p.class);
            push_text(h, p.label);
            h.push_str("</span> on <time datetime=\"");
            push_esc(h, &p.date);
            h.push_str("\">");
            push_text(h, &p.date);
            h.push_str("</time></p>");
            if let Some(si) = some(&p.server_info) {
                h.push_str("<p class=\"small\">Server: <code>");
                push_text(h, si);
                h.push_str("</code></p>");
            }
            if let Some(t) = some(&p.timing) {
                h.push_str("<p class=\"small muted\">");
                push_text(h, t);
                if p.sandboxed {
                    h.push_str(", sandboxed");
                }
                if p.placeholder_config {
                    h.push_str(", with placeholder configuration");
                }
                h.push_str("</p>");
            }
            if p.failed || some(&p.detail).is_some() {
                let rows = [
                    ("Phase", some(&p.phase), false),
                    ("Detail", some(&p.detail), false),
                    ("Exit", some(&p.exit_status), false),
                    ("Command", some(&p.command), true),
                ];
                if rows.iter().any(|r| r.1.is_some()) {
                    h.push_str("<dl class=\"kv small\">");
                    for (label, v, code) in rows {
                        if let Some(v) = v {
                            let _ = write!(h, "<dt>{label}</dt><dd>");
                            if code {
                                h.push_str("<code>");
                            }
                            push_text(h, v);
                            if code {
                                h.push_str("</code>");
                            }
                            h.push_str("</dd>");
                        }
                    }
                    h.push_str("</dl>");
                }
                if let Some(st) = some(&p.stderr_tail) {
                    h.push_str(
                        "<details><summary>stderr (last lines)</summary><pre class=\"code small\">",
                    );
                    push_text(h, st);
                    h.push_str("</pre></details>");
                }
            }
            if !p.lints.is_empty() {
                let _ = write!(
                    h,
                    "<details><summary>Lints ({})</summary><ul class=\"small\">",
                    p.lints.len()
                );
                for l in &p.lints {
                    h.push_str("<li><b>");
                    push_text(h, &l.severity);
                    h.push_str("</b> ");
                    push_text(h, &l.message);
                    h.push_str("</li>");
                }
                h.push_str("</ul></details>");
            }
        }
        None => h.push_str("<p class=\"muted small\">Not probed yet.</p>"),
    }
    // A server never probed has no history: the probe box already says so.
    if page.health_nights > 0 || page.probe.is_some() {
        h.push_str("<h3>Health, last 90 nights</h3>");
        h.push_str(&page.health_svg);
        h.push_str("<p class=\"small\">");
        match some(&page.uptime) {
            Some(u) => {
                h.push_str("Uptime <b>");
                push_text(h, u);
                let _ = write!(
                    h,
                    "%</b> over {} probed night{}.",
                    page.health_nights,
                    if page.health_nights == 1 { "" } else { "s" }
                );
            }
            None => h.push_str("No probe history yet."),
        }
        h.push_str("</p>");
    }
    h.push_str("</section>");

    // Side: quality.
    if page.score.is_some() || !page.safety.is_empty() || !page.checklist.is_empty() {
        h.push_str("<section class=\"box\"><h2>Quality</h2>");
        if let Some(sc) = &page.score {
            h.push_str("<p>Score <b class=\"score\">");
            push_text(h, &sc.total);
            h.push_str("</b>/100</p>");
            if !sc.components.is_empty() {
                h.push_str("<dl class=\"kv small\">");
                for (k, v) in &sc.components {
                    h.push_str("<dt>");
                    push_text(h, k);
                    h.push_str("</dt><dd>");
                    push_text(h, v);
                    h.push_str("</dd>");
                }
                h.push_str("</dl>");
            }
            for p in &sc.penalties {
                h.push_str("<p class=\"small note\">");
                push_text(h, p);
                h.push_str("</p>");
            }
        }
        if !page.safety.is_empty() {
            h.push_str("<p class=\"small\">Tools may: ");
            for s in &page.safety {
                h.push_str("<span class=\"pill\">");
                push_text(h, s);
                h.push_str("</span> ");
            }
            h.push_str("</p>");
        }
        if !page.checklist.is_empty() {
            h.push_str("<ul class=\"checks small\">");
            for c in &page.checklist {
                h.push_str(if c.passed {
                    "<li class=\"ok\"><span class=\"sr-only\">Passed:</span>"
                } else {
                    "<li class=\"no\"><span class=\"sr-only\">Missing:</span>"
                });
                push_text(h, &c.message);
                h.push_str("</li>");
            }
            h.push_str("</ul>");
        }
        h.push_str("</section>");
    }

    // Side: links.
    h.push_str("<section class=\"box\"><h2>Links</h2>");
    let has_links = repo_url.is_some() || !page.sources.is_empty();
    if has_links {
        h.push_str("<ul class=\"links small\">");
        if let (Some(u), Some(r)) = (repo_url, &page.repository) {
            h.push_str("<li><a href=\"");
            push_esc(h, u);
            h.push_str("\" rel=\"nofollow ugc noopener\">Repository: ");
            push_text(h, &r.label);
            h.push_str("</a>");
            if let Some(f) = some(&r.forks) {
                h.push_str(" · ");
                push_text(h, f);
                h.push_str(" forks");
            }
            if r.fork {
                h.push_str(" · fork");
            }
            h.push_str("</li>");
        }
        for s in &page.sources {
            h.push_str("<li>");
            if let Some(u) = some(&s.url) {
                h.push_str("<a href=\"");
                push_esc(h, u);
                h.push_str("\" rel=\"nofollow ugc noopener\">");
                push_text(h, s.label);
                h.push_str(": ");
                push_text(h, &s.identifier);
                h.push_str("</a>");
            } else {
                push_text(h, s.label);
                h.push_str(": ");
                push_text(h, &s.identifier);
            }
            if let Some(v) = some(&s.version) {
                h.push_str(" <span class=\"muted\">");
                push_text(h, v);
                h.push_str("</span>");
            }
            if let Some(d) = some(&s.downloads) {
                h.push_str(" <span class=\"muted\">↓ ");
                push_text(h, d);
                h.push_str("/mo</span>");
            }
            if s.stale {
                h.push_str(" <span class=\"pill warn\">stale</span>");
            }
            h.push_str("</li>");
        }
        h.push_str("</ul>");
    }
    h.push_str("<dl class=\"kv small\"><dt>Registry name</dt><dd><code>");
    push_text(h, &page.json_name);
    h.push_str("</code></dd><dt>First seen</dt><dd>");
    push_text(h, &page.first_seen);
    h.push_str("</dd><dt>Last changed</dt><dd>");
    push_text(h, &page.last_changed);
    h.push_str("</dd>");
    if let Some(p) = page.repository.as_ref().and_then(|r| some(&r.pushed)) {
        h.push_str("<dt>Last push</dt><dd>");
        push_text(h, p);
        h.push_str("</dd>");
    }
    h.push_str("</dl>");
    if !page.categories.is_empty() {
        h.push_str("<p class=\"small\">");
        for c in &page.categories {
            h.push_str("<a class=\"chip\" href=\"");
            push_esc(h, &c.href);
            h.push_str("\">");
            push_text(h, &c.label);
            h.push_str("</a> ");
        }
        h.push_str("</p>");
    }
    if !page.keywords.is_empty() {
        h.push_str("<p class=\"small muted\">");
        for k in &page.keywords {
            h.push_str("<span class=\"kw\">");
            push_text(h, k);
            h.push_str("</span> ");
        }
        h.push_str("</p>");
    }
    h.push_str("</section>");
    if !page.similar.is_empty() {
        h.push_str("<section class=\"box\"><h2>Other servers with similar tools</h2><ul class=\"links small\">");
        for it in &page.similar {
            h.push_str("<li><a href=\"");
            push_esc(h, base);
            h.push_str("servers/");
            push_esc(h, &it.slug);
            h.push_str("/\">");
            push_text(h, &it.name);
            h.push_str("</a>");
            if let Some(o) = it.outcome {
                let _ = write!(h, " <span class=\"pill {}\">", it.outcome_class);
                push_text(h, o);
                h.push_str("</span>");
            }
            h.push_str("</li>");
        }
        h.push_str("</ul></section>");
    }
    if !page.copies.is_empty() {
        h.push_str(
            "<section class=\"box\"><h2>Copies of this server</h2><ul class=\"links small\">",
        );
        for it in &page.copies {
            h.push_str("<li><a href=\"");
            push_esc(h, base);
            h.push_str("servers/");
            push_esc(h, &it.slug);
            h.push_str("/\">");
            push_text(h, &it.name);
            h.push_str("</a></li>");
        }
        h.push_str("</ul></section>");
    }
    h.push_str("<p class=\"small muted\">Is something wrong here? <a href=\"");
    push_esc(h, base);
    h.push_str("about/#fix\">How to fix a listing</a>.</p></aside></div></article>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_the_five_characters() {
        let mut h = String::new();
        push_esc(&mut h, "a&b<c>d\"e'f ✓");
        assert_eq!(h, "a&amp;b&lt;c&gt;d&quot;e&#39;f ✓");
        assert_eq!(h, crate::charts::esc("a&b<c>d\"e'f ✓"));
        let mut t = String::new();
        push_text(&mut t, "<script>\"x\" & 'y'</script>");
        assert_eq!(t, "&lt;script&gt;\"x\" &amp; 'y'&lt;/script&gt;");
    }
}
