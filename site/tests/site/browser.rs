//! Headless Chromium over the built fixture site: screenshots (desktop and phone) kept under
//! `target/site-artifacts/`, the XSS corpus checked in a real browser (no dialog, no console
//! error, no injected element), and axe-core with no serious or critical violation.
//!
//! Needs what `.ci/setup/site.sh` installs (chromium, node, axe-core and playwright-core in
//! `target/site-tools`). Without them it skips loudly, except under `CI=true`, where it fails.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The tools, or `None` (after a loud skip message) when they are missing outside CI.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let tools = workspace().join("target/site-tools");
    let ok = chromium.is_file()
        && tools.join("node_modules/axe-core/axe.min.js").is_file()
        && tools.join("node_modules/playwright-core").is_dir()
        && Command::new("node").arg("--version").output().is_ok();
    if ok {
        return Some((chromium, tools));
    }
    let msg = "chromium, node, axe-core or playwright-core missing: run .ci/setup/site.sh";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

fn screenshot(chromium: &Path, url: &str, file: &Path, w: u32, h: u32) {
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", file.display()))
        .arg(format!("--window-size={w},{h}"))
        .arg(url)
        .output()
        .expect("running chromium");
    assert!(
        status.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let png = std::fs::read(file).expect("a screenshot was written");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG: {}", file.display());
    assert!(
        png.len() > 10_000,
        "{} looks blank ({} bytes)",
        file.display(),
        png.len()
    );
}

#[test]
fn browser_screenshots_xss_and_accessibility() {
    let Some((chromium, tools)) = tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = common::build(dir.path(), true, None);
    let (server, url) = site::serve::bind(0).unwrap();
    let server = std::sync::Arc::new(server);
    let (s2, root) = (server.clone(), out.clone());
    let thread = std::thread::spawn(move || site::serve::run(&s2, &root));

    // Screenshots.
    let artifacts = workspace().join("target/site-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let pages = [
        ("home", ""),
        ("server", "servers/example-postgres-mcp/"),
        ("server-failed", "servers/weather-mcp-server/"),
        ("category", "categories/databases/"),
        ("stats", "stats/"),
    ];
    for (name, path) in pages {
        screenshot(
            &chromium,
            &format!("{url}{path}"),
            &artifacts.join(format!("{name}-desktop.png")),
            1280,
            1800,
        );
        screenshot(
            &chromium,
            &format!("{url}{path}"),
            &artifacts.join(format!("{name}-phone.png")),
            390,
            1600,
        );
    }

    // A server page at README size (the README's pictures are taken by scripts/screenshots.sh).
    screenshot(
        &chromium,
        &format!("{url}servers/example-postgres-mcp/"),
        &artifacts.join("readme.png"),
        1200,
        820,
    );

    // XSS and axe through playwright-core.
    let xss_pages: Vec<String> = std::fs::read_dir(out.join("servers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("xss-"))
        .map(|n| format!("{url}servers/{n}/"))
        .chain(
            ["", "browse/", "stats/", "categories/", "tools/"]
                .iter()
                .map(|p| format!("{url}{p}")),
        )
        .collect();
    assert_eq!(xss_pages.len(), common::XSS.len() + 5);
    let axe_pages: Vec<String> = [
        "",
        "servers/example-postgres-mcp/",
        "servers/weather-mcp-server/",
        "browse/",
        "categories/databases/",
        "stats/",
        "tools/",
        "search/",
        "about/",
        "404.html",
    ]
    .iter()
    .map(|p| format!("{url}{p}"))
    .collect();
    let cfg = dir.path().join("browser.json");
    std::fs::write(
        &cfg,
        serde_json::to_vec(&serde_json::json!({
            "tools": tools, "chromium": chromium, "base": url,
            "xss_pages": xss_pages, "axe_pages": axe_pages,
        }))
        .unwrap(),
    )
    .unwrap();
    let run = Command::new("node")
        .arg(workspace().join("site/tests/browser/check.js"))
        .arg(&cfg)
        .output()
        .expect("running node");
    server.unblock();
    thread.join().unwrap();
    assert!(
        run.status.success(),
        "check.js failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    std::fs::write(
        artifacts.join("browser-report.json"),
        serde_json::to_vec_pretty(&report).unwrap(),
    )
    .unwrap();

    let xss = report["xss"].as_array().unwrap();
    assert_eq!(xss.len(), 2 * (common::XSS.len() + 5));
    for r in xss {
        let d = &r["dom"];
        assert_eq!(r["events"], serde_json::json!([]), "{}", r);
        assert_eq!(d["injected"], 0, "{r}");
        assert_eq!(d["foreignScripts"], 0, "{r}");
        assert_eq!(d["handlers"], 0, "{r}");
        assert_eq!(d["jsLinks"], 0, "{r}");
        assert!(d["bodyText"].as_u64().unwrap() > 200, "{r}");
    }
    // The payloads are still shown as text on their pages.
    assert!(xss
        .iter()
        .filter(|r| r["url"].as_str().unwrap().contains("/servers/xss-"))
        .all(|r| r["dom"]["visible"] == true));

    let mut serious = Vec::new();
    for r in report["axe"].as_array().unwrap().iter().chain(xss) {
        // No request leaves the site: README images are links to the image, never loaded.
        assert_eq!(
            r["externals"],
            serde_json::json!([]),
            "{}: external requests",
            r["url"]
        );
    }
    for r in report["axe"].as_array().unwrap() {
        assert_eq!(r["events"], serde_json::json!([]), "{}", r);
        for v in r["violations"].as_array().unwrap() {
            if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                serious.push(format!(
                    "{} [{}]: {} {} {}",
                    r["url"], r["scheme"], v["id"], v["help"], v["nodes"]
                ));
            }
        }
    }
    assert!(
        serious.is_empty(),
        "axe violations:\n{}",
        serious.join("\n")
    );
}
