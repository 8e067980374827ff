//! Snapshot tests of the main pages built from the frozen slice of the bundled sample plus the
//! two probed fixture servers (dates and versions redacted). Each snapshot holds the page's
//! `<main>` only (the frame is the same on every page), one tag or text run per line, indented
//! by nesting, so a diff shows what changed. Review changes with `cargo insta review`, or accept
//! them with `INSTA_UPDATE=always`.

use crate::common;

use std::sync::OnceLock;

fn redact(html: &str) -> String {
    static RE: OnceLock<[(regex::Regex, &str); 2]> = OnceLock::new();
    let res = RE.get_or_init(|| {
        [
            (
                regex::Regex::new(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?").unwrap(),
                "[date]",
            ),
            (
                regex::Regex::new(r"\b\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?\b").unwrap(),
                "[version]",
            ),
        ]
    });
    let mut s = html.to_string();
    for (re, with) in res {
        s = re.replace_all(&s, *with).into_owned();
    }
    s
}

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The `<main>` element of `html`, one tag or text run per line, indented by depth. Text inside
/// `<pre>` keeps its line breaks.
fn main_pretty(html: &str) -> String {
    let start = html.find("<main").expect("a <main> element");
    let end = html.rfind("</main>").expect("a </main> end tag") + "</main>".len();
    let main = &html[start..end];
    let mut out = String::new();
    let mut depth = 0usize;
    let mut rest = main;
    while !rest.is_empty() {
        let (token, next) = if rest.starts_with('<') {
            let close = rest.find('>').map(|i| i + 1).unwrap_or(rest.len());
            rest.split_at(close)
        } else {
            rest.split_at(rest.find('<').unwrap_or(rest.len()))
        };
        rest = next;
        let text = token.trim();
        if text.is_empty() {
            continue;
        }
        let name: String = text
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let is_tag = text.starts_with('<');
        if is_tag && text.starts_with("</") {
            depth = depth.saturating_sub(1);
        }
        for line in text.lines() {
            out.push_str(&"  ".repeat(depth));
            out.push_str(line.trim_end());
            out.push('\n');
        }
        if is_tag
            && !text.starts_with("</")
            && !text.starts_with("<!")
            && !text.ends_with("/>")
            && !VOID.contains(&name.as_str())
        {
            depth += 1;
        }
    }
    out
}

#[test]
fn pretty_main_indents_by_nesting() {
    let html = "<head><title>x</title></head><main id=\"main\"><p>a <b>b</b><br>c</p><img src=\"x\"></main><footer>f</footer>";
    assert_eq!(
        main_pretty(html),
        "<main id=\"main\">\n  <p>\n    a\n    <b>\n      b\n    </b>\n    <br>\n    c\n  </p>\n  <img src=\"x\">\n</main>\n"
    );
}

#[test]
fn main_pages() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::build(dir.path(), false, None);
    let sample_server = {
        let ds = common::sample();
        let first = ds["servers"][0]["name"].as_str().unwrap().to_string();
        format!("servers/{}/index.html", dataset::slug::slugify(&first))
    };
    for (name, path) in [
        ("home", "index.html".to_string()),
        (
            "server_probed",
            "servers/example-postgres-mcp/index.html".into(),
        ),
        (
            "server_failed",
            "servers/weather-mcp-server/index.html".into(),
        ),
        ("server_sample", sample_server),
        ("browse", "browse/index.html".into()),
        ("category", "categories/databases/index.html".into()),
        ("stats", "stats/index.html".into()),
        ("tools", "tools/index.html".into()),
    ] {
        let html =
            std::fs::read_to_string(out.join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        insta::assert_snapshot!(name, main_pretty(&redact(&html)));
    }
}
