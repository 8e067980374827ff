//! Untrusted text to safe HTML: README Markdown rendered with pulldown-cmark and sanitized by an
//! allowlist (ammonia), plus the plain-text cleaning applied to every other untrusted string.
//!
//! Links keep only `http`, `https` and `mailto` schemes (`javascript:` and `data:` are dropped),
//! images never load (the site makes no external request): an `https` image becomes a link to it
//! named by its alt text (inside a link, just its alt text), any other is dropped; relative links are resolved against the repository (or
//! dropped when there is none), outbound links get `rel="nofollow ugc noopener"`, and Unicode
//! direction overrides are made visible instead of reordering the page. It does not highlight code.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{html, Options, Parser};

/// The `rel` put on every link that leaves the site.
pub const OUTBOUND_REL: &str = "nofollow ugc noopener";

/// Bidirectional control characters that could reorder the text around them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Cleans one untrusted plain-text string for display: direction overrides and other control
/// characters become visible `U+XXXX` markers, newlines and tabs become spaces. HTML escaping is
/// left to the templates (autoescape is on for every template).
pub fn clean_text(s: &str) -> String {
    if !s
        .chars()
        .any(|c| is_bidi_control(c) || (c.is_control() && c != ' '))
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_bidi_control(c) {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else if c == '\n' || c == '\t' || c == '\r' {
            out.push(' ');
        } else if c.is_control() {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Like [`clean_text`] but keeps newlines (for multi-line text shown in `<pre>` or with
/// `white-space: pre-line`).
pub fn clean_multiline(s: &str) -> String {
    s.lines().map(clean_text).collect::<Vec<_>>().join("\n")
}

/// Cuts `s` to at most `max` characters (the ellipsis included), adding an ellipsis when cut.
/// Text is cut at the last word boundary (whitespace) that keeps at least half of it, and the
/// punctuation left dangling there is dropped; a single long word (a name, a URL) is cut
/// where it must be.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(1);
    let head: String = s.chars().take(keep).collect();
    // Where the next word starts right after the kept text, the cut is already at a boundary.
    let at_boundary = s.chars().nth(keep).is_some_and(char::is_whitespace);
    let mut out = if at_boundary {
        head.clone()
    } else {
        match head.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
            Some((i, _)) if head[..i].chars().count() * 2 >= keep => head[..i].to_string(),
            _ => head.clone(),
        }
    };
    let trimmed = out
        .trim_end()
        .trim_end_matches([',', ';', ':', '-', '–', '—', '(', '/']);
    if !trimmed.trim_end().is_empty() {
        out = trimmed.trim_end().to_string();
    } else {
        out = head.trim_end().to_string();
    }
    out.push('…');
    out
}

fn base_builder() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some(OUTBOUND_REL))
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" {
                if value.starts_with("https://") {
                    return Some(value.into());
                }
                return None;
            }
            Some(value.into())
        });
    b
}

fn deny_relative() -> &'static ammonia::Builder<'static> {
    static B: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    B.get_or_init(|| {
        let mut b = base_builder();
        b.url_relative(ammonia::UrlRelative::Deny);
        b
    })
}

/// The base for a repository's relative README links, when it is an http(s) URL.
pub fn readme_base(repository_url: Option<&str>, branch: Option<&str>) -> Option<ammonia::Url> {
    let url = repository_url?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return None;
    }
    let branch = branch
        .filter(|b| !b.is_empty() && !b.contains(['?', '#', ' ']))
        .unwrap_or("HEAD");
    ammonia::Url::parse(&format!("{}/blob/{branch}/", url.trim_end_matches('/'))).ok()
}

/// Renders README Markdown to sanitized HTML. `base` resolves relative links (see [`readme_base`]);
/// without it relative links are removed.
pub fn render_readme(markdown: &str, base: Option<ammonia::Url>) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    let parser = Parser::new_ext(markdown, opts);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, parser);
    let cleaned = match base {
        Some(base) => {
            let mut b = base_builder();
            b.url_relative(ammonia::UrlRelative::RewriteWithBase(base));
            b.clean(&raw).to_string()
        }
        None => deny_relative().clean(&raw).to_string(),
    };
    let cleaned = fix_tags(&cleaned);
    if cleaned.chars().any(is_bidi_control) {
        cleaned
            .chars()
            .map(|c| {
                if is_bidi_control(c) {
                    format!("[U+{:04X}]", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        cleaned
    }
}

/// Keeps the sanitized HTML valid where ammonia removed an attribute the element needs, and keeps
/// the page free of external requests: an `<img>` whose `src` was dropped (not https) goes, an
/// `<img>` with a `src` becomes a link to the image named by its alt text (or "image"), or just
/// that text inside a link, and an `<a>` whose `href` was dropped loses its `rel`. `html` is ammonia's serialization (attribute
/// values double-quoted, `"` escaped inside them).
fn fix_tags(html: &str) -> String {
    if !html.contains("<img") && !html.contains("<a ") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // How many `<a>` are open: an image inside a link becomes text, not a nested link.
    let mut in_link = 0usize;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // The end of the tag, outside quoted values.
        let mut in_quote = false;
        let mut end = None;
        for (j, c) in rest.char_indices().skip(1) {
            match c {
                '"' => in_quote = !in_quote,
                '>' if !in_quote => {
                    end = Some(j);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            out.push_str(rest);
            return out;
        };
        let tag = &rest[..=end];
        if tag.starts_with("<img") && matches!(tag.as_bytes().get(4), Some(b' ' | b'>' | b'/')) {
            if let Some(src) = attr(tag, "src") {
                // Values are ammonia's serialization, already escaped for an attribute.
                let alt = attr(tag, "alt").filter(|a| !a.trim().is_empty());
                let text = alt.unwrap_or("image");
                if in_link > 0 {
                    out.push_str(&format!("<span class=\"img-alt\">[{text}]</span>"));
                } else {
                    out.push_str(&format!(
                        "<a class=\"img-link\" href=\"{src}\" rel=\"{OUTBOUND_REL}\">[{text}]</a>"
                    ));
                }
            }
        } else if tag.starts_with("<a ") || tag == "<a>" {
            in_link += 1;
            if tag.contains(" href=\"") {
                out.push_str(tag);
            } else {
                out.push_str(&tag.replace(&format!(" rel=\"{OUTBOUND_REL}\""), ""));
            }
        } else if tag == "</a>" {
            in_link = in_link.saturating_sub(1);
            out.push_str(tag);
        } else {
            out.push_str(tag);
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The value of attribute `name` in a serialized tag (`name="…"`), as written there.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_left_invalid_by_sanitizing_are_repaired() {
        let html = render_readme(
            "<img src=x alt=a> <img src=\"https://example.com/a.png\"> [x](javascript:alert(1)) <a title=\"a>b\">t</a>",
            None,
        );
        assert!(!html.contains("alt=\"a\""), "{html}");
        assert!(
            html.contains(r#"<a class="img-link" href="https://example.com/a.png" rel="nofollow ugc noopener">[image]</a>"#),
            "{html}"
        );
        assert!(!html.contains("<img"), "{html}");
        assert_eq!(html.matches("rel=").count(), 1, "{html}");
        assert!(html.contains("title=\"a&gt;b\">t</a>"), "{html}");
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let html = render_readme(
            "hi <script>alert(1)</script><img src=x onerror=alert(2)><b onclick=\"x()\">b</b>",
            None,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(html.contains("<b>b</b>"), "{html}");
    }

    #[test]
    fn dangerous_links_are_dropped_and_outbound_links_marked() {
        let html = render_readme(
            "[a](javascript:alert(1)) [b](data:text/html,x) [c](https://example.com/x) [d](JaVaScRiPt:alert(1))",
            None,
        );
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(!html.contains("data:text"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com/x" rel="nofollow ugc noopener">c</a>"#),
            "{html}"
        );
    }

    #[test]
    fn images_only_from_https() {
        let html = render_readme(
            "![a](http://example.com/a.png) ![b](https://example.com/b.png) ![c](data:image/png;base64,AAAA)",
            None,
        );
        assert!(!html.contains("http://example.com/a.png"), "{html}");
        assert!(
            html.contains("href=\"https://example.com/b.png\""),
            "{html}"
        );
        assert!(!html.contains("data:image"), "{html}");
        assert!(
            !html.contains("<img"),
            "no image loads from elsewhere: {html}"
        );
    }

    #[test]
    fn a_badge_inside_a_link_becomes_its_alt_text() {
        let html = render_readme(
            "[![npm version](https://badge.example/v.svg)](https://example.com/pkg) ![logo \"x\"](https://example.com/l.png)",
            None,
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.com/pkg" rel="nofollow ugc noopener"><span class="img-alt">[npm version]</span></a>"#),
            "{html}"
        );
        assert!(html.contains("[logo &quot;x&quot;]</a>"), "{html}");
        assert_eq!(html.matches("<a ").count(), 2, "no nested links: {html}");
    }

    #[test]
    fn relative_links_follow_the_repository_or_disappear() {
        let base = readme_base(Some("https://github.com/o/r"), Some("main"));
        let html = render_readme("[docs](docs/x.md)", base);
        assert!(
            html.contains("https://github.com/o/r/blob/main/docs/x.md"),
            "{html}"
        );
        let html = render_readme("[docs](docs/x.md) [up](../../etc)", None);
        assert!(!html.contains("href"), "{html}");
    }

    #[test]
    fn direction_overrides_become_visible() {
        assert_eq!(clean_text("abc\u{202E}fed"), "abc[U+202E]fed");
        assert_eq!(clean_text("a\nb"), "a b");
        assert!(render_readme("x\u{202E}y", None).contains("[U+202E]"));
    }

    #[test]
    fn shorten_counts_characters() {
        assert_eq!(shorten("ééééé", 3), "éé…");
        assert_eq!(shorten("abc", 3), "abc");
    }

    #[test]
    fn shorten_cuts_at_a_word_boundary() {
        let text = "Query and inspect PostgreSQL databases: read-only SQL, schema discovery";
        let cut = shorten(text, 30);
        assert_eq!(cut, "Query and inspect PostgreSQL…");
        assert!(cut.chars().count() <= 30);
        // Dangling punctuation goes with the cut word.
        assert_eq!(shorten(text, 41), "Query and inspect PostgreSQL databases…");
        // The next character is a space: the kept text ends a word already.
        assert_eq!(shorten("one two three", 8), "one two…");
        // One long word is cut where it must be.
        assert_eq!(
            shorten("@modelcontextprotocol/server-github", 12),
            "@modelconte…"
        );
        // A boundary that would drop more than half the text is not used.
        assert_eq!(shorten("a verylongwordwithoutspaces", 12), "a verylongw…");
    }
}
