//! Snapshot tests of the main pages built from the frozen slice of the bundled sample plus the
//! two probed fixture servers (dates and versions redacted). Review changes with `cargo insta
//! review`, or accept them with `INSTA_UPDATE=always`.

mod common;

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
        insta::assert_snapshot!(name, redact(&html));
    }
}
