//! Valid HTML: html-validate (from npm, pinned, installed by `.ci/setup/site.sh` under
//! `target/site-tools`) over the main page kinds of the built fixture site (home, server pages
//! with tools, with a failed probe and with the XSS corpus, a category, a browse page, the tools
//! index, a tool page, stats, about, search, 404), with the rules of `site/tests/htmlvalidate.json`.
//!
//! Without node or html-validate it skips loudly, except under `CI=true`, where it fails.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn validator() -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("target/site-tools/node_modules/html-validate/bin/html-validate.mjs");
    if bin.is_file() && Command::new("node").arg("--version").output().is_ok() {
        return Some(bin);
    }
    let msg = "node or html-validate missing: run .ci/setup/site.sh";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

#[test]
fn main_page_kinds_are_valid_html() {
    let Some(bin) = validator() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = common::build(dir.path(), true, None);
    let xss_page = std::fs::read_dir(out.join("servers"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("index.html"))
        .find(|p| {
            std::fs::read_to_string(p)
                .map(|h| h.contains("xss"))
                .unwrap_or(false)
        })
        .expect("an XSS corpus server page");
    let tool_page = std::fs::read_dir(out.join("tools"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("index.html"))
        .find(|p| p.is_file())
        .expect("a tool page");
    let mut pages: Vec<PathBuf> = [
        "index.html",
        "servers/example-postgres-mcp/index.html",
        "servers/weather-mcp-server/index.html",
        "categories/databases/index.html",
        "categories/index.html",
        "browse/index.html",
        "browse/name/page/2/index.html",
        "sources/index.html",
        "tools/index.html",
        "stats/index.html",
        "about/index.html",
        "search/index.html",
        "404.html",
    ]
    .iter()
    .map(|p| out.join(p))
    .collect();
    pages.push(xss_page);
    pages.push(tool_page);
    for p in &pages {
        assert!(p.is_file(), "{} was not built", p.display());
    }
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/htmlvalidate.json");
    let run = Command::new("node")
        .arg(&bin)
        .arg("--config")
        .arg(&config)
        .arg("--formatter")
        .arg("text")
        .args(&pages)
        .output()
        .expect("running html-validate");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        run.status.success(),
        "html-validate found errors:\n{report}"
    );
    // It really looked at the pages: a broken page makes it fail.
    let broken = dir.path().join("broken.html");
    std::fs::write(
        &broken,
        "<!doctype html><html lang=\"en\"><head><title>x</title></head><body><p><div></p></body></html>",
    )
    .unwrap();
    let run = Command::new("node")
        .arg(&bin)
        .arg("--config")
        .arg(&config)
        .arg(&broken)
        .output()
        .expect("running html-validate");
    assert!(!run.status.success(), "html-validate accepted broken HTML");
}
