//! Across stages: the search box in headless Chromium on the built sample site (`hisper index` +
//! `hisper build` through their library calls, served from 127.0.0.1): type a query on `/search/`, the expected
//! server appears first, ArrowDown + Enter opens its page, no console errors, no request leaves
//! localhost; the "search needs JavaScript" note is hidden when the script runs and shows without
//! JavaScript; with the wasm module blocked a clear message (and the note) appears; a query typed
//! into the header box before the script has arrived is searched once it runs.
//!
//! Needs `chromium`, `node` and `target/search-tools` (`.ci/setup/search.sh`); skips loudly when
//! they are missing, except under `CI=true`, where it fails.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

fn repo() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    p.canonicalize().unwrap_or(p)
}

fn missing(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is missing: run .ci/setup/search.sh");
    }
    eprintln!("SKIPPED: browser test: {what} is missing (run .ci/setup/search.sh)");
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript",
        Some("css") => "text/css",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves `root` on 127.0.0.1 with the site's CSP (HTTP/1.1, one request per connection);
/// returns the base URL. Every request path is logged, 404s as `404 <path>`.
fn serve(root: PathBuf, log: Arc<Mutex<Vec<String>>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("an address");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            let log = log.clone();
            std::thread::spawn(move || respond(stream, &root, &log));
        }
    });
    format!("http://{addr}/")
}

fn respond(mut stream: TcpStream, root: &Path, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let target = first.split_whitespace().nth(1).unwrap_or("/");
    let url = target.split('?').next().unwrap_or("/").to_string();
    log.lock().unwrap().push(url.clone());
    let mut rel = url.trim_start_matches('/').to_string();
    if rel.is_empty() || rel.ends_with('/') {
        rel.push_str("index.html");
    }
    let body = if rel.contains("..") {
        None
    } else {
        std::fs::read(root.join(&rel)).ok()
    };
    let csp = site::CSP;
    let (status, ctype, body) = match body {
        Some(b) => ("200 OK", content_type(&rel), b),
        None => {
            log.lock().unwrap().push(format!("404 {url}"));
            ("404 Not Found", "text/plain", b"not found".to_vec())
        }
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nContent-Security-Policy: {csp}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}

#[test]
fn search_box_on_the_built_sample_site_in_headless_chromium() {
    let tools = repo().join("target/search-tools");
    if !tools.join("node_modules/playwright-core").is_dir() {
        return missing("target/search-tools/node_modules/playwright-core");
    }
    if !Path::new("/usr/bin/chromium").exists() && std::env::var("HISPER_CHROMIUM").is_err() {
        return missing("chromium");
    }
    if Command::new("node").arg("--version").output().is_err() {
        return missing("node");
    }
    // The real pipeline on the bundled sample: `hisper index` then `hisper build` (their library
    // calls), into a temporary data directory and site.
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(repo().join("data/servers.json"), data.join("servers.json")).unwrap();
    let ds = dataset::load(&data.join("servers.json")).expect("the bundled sample");
    let wasm = indexer::assets::wasm_module().expect("the wasm module builds");
    indexer::index(&ds, &data.join("index"), Some(&wasm)).unwrap();
    let site = tmp.path().join("site");
    let mut opts = site::Options::new(&data, &site);
    opts.update_history = false;
    site::build(&opts, &indicatif::ProgressBar::hidden()).expect("the sample site builds");
    assert!(site.join("search/index.html").is_file());
    assert!(site.join("search/search.wasm").is_file());
    let slugs = dataset::slug::assign(&ds.servers);
    let expected = slugs["npm:@playwright/mcp"].clone();
    assert!(site
        .join("servers")
        .join(&expected)
        .join("index.html")
        .is_file());

    let log = Arc::new(Mutex::new(Vec::new()));
    let base = serve(site, log.clone());
    let out = Command::new("node")
        .arg(repo().join("search/tests/browser/drive.mjs"))
        .arg(format!("{base}search/"))
        .arg("playwright")
        .arg(&expected)
        .env("HISPER_SEARCH_TOOLS", &tools)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stdout.lines().last().unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("driver output is not JSON ({e}): {stdout}\n{stderr}"));
    assert_eq!(v["ok"], true, "{v:#}\n{stderr}");
    assert_eq!(v["first"], format!("/servers/{expected}/"), "{v:#}");
    assert_eq!(v["finalPath"], format!("/servers/{expected}/"), "{v:#}");
    assert_eq!(v["expanded"], "true", "{v:#}");
    // Drawn progressively, the list ends as the whole ranking, in order, with distinct ids.
    let ranked = v["ranked"].as_array().cloned().unwrap_or_default();
    assert!(ranked.len() >= 2, "{v:#}");
    assert_eq!(v["listed"], v["ranked"], "{v:#}");
    let ids: std::collections::BTreeSet<&str> = v["optionIds"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(ids.len(), ranked.len(), "{v:#}");
    assert!(
        v["activeDescendant"]
            .as_str()
            .is_some_and(|s| s.ends_with("-0")),
        "{v:#}"
    );
    let not_found: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|u| u.starts_with("404 "))
        .cloned()
        .collect();
    assert_eq!(
        v["consoleErrors"].as_array().map(Vec::len),
        Some(0),
        "{v:#} {not_found:?}"
    );
    assert_eq!(v["external"].as_array().map(Vec::len), Some(0), "{v:#}");
    assert!(
        v["wasmOffMessage"]
            .as_str()
            .is_some_and(|s| s.contains("unavailable")),
        "{v:#}"
    );
    // Records that do not arrive: named as such, the box kept, and "Try again" recovers.
    assert!(
        v["recordsOffMessage"]
            .as_str()
            .is_some_and(|s| s.contains("could not load") && !s.contains("unavailable")),
        "{v:#}"
    );
    assert_eq!(v["recordsOffFailed"], 0, "{v:#}");
    assert_eq!(v["retriedFirst"], format!("/servers/{expected}/"), "{v:#}");
    // The search page lists every result (not the header's 10), each with its probe status,
    // tool count and downloads as the dataset has them.
    let metas: Vec<&str> = v["metas"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    assert!(metas.len() > 10, "{v:#}");
    let by_slug: std::collections::HashMap<&str, &dataset::Server> = ds
        .servers
        .iter()
        .map(|s| (slugs[&s.id].as_str(), s))
        .collect();
    let listed: Vec<&str> = v["listed"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(listed.len(), metas.len(), "{v:#}");
    for (href, meta) in listed.iter().zip(&metas) {
        let slug = href.trim_start_matches("/servers/").trim_end_matches('/');
        let s = by_slug[slug];
        let probe = s.probe.as_ref();
        let verified = probe.is_some_and(|p| p.outcome == dataset::Outcome::Ok);
        assert_eq!(meta.contains("verified"), verified, "{href}: {meta}");
        let tools = probe.map_or(0, |p| p.tools.len());
        assert_eq!(
            meta.contains(&format!("{tools} tool")),
            verified || tools > 0,
            "{href}: {meta}"
        );
        assert_eq!(
            meta.contains("downloads/month"),
            s.downloads_monthly() > 0,
            "{href}: {meta}"
        );
    }
    assert!(metas[0].contains("6.3M downloads/month"), "{metas:?}");
    // The header's list: 10 and a link to the full results page; closed, with its filters, once
    // the box loses the focus.
    assert_eq!(v["headerCount"], 10, "{v:#}");
    assert_eq!(v["allLink"], "/search/?q=playwright", "{v:#}");
    assert_eq!(v["headerListVisibleAfterBlur"], false, "{v:#}");
    assert_eq!(v["headerFiltersVisibleAfterBlur"], false, "{v:#}");
    // Typed into the header box before the script arrived: searched once it runs.
    assert_eq!(v["typedBeforeScript"], 0, "{v:#}");
    assert_eq!(
        v["typedEarlyFirst"],
        format!("/servers/{expected}/"),
        "{v:#}"
    );
    assert!(v["notesWithJs"].as_u64().is_some_and(|n| n >= 1), "{v:#}");
    assert_eq!(v["noteVisibleWithJs"], false, "{v:#}");
    assert_eq!(v["noteVisibleWithoutJs"], true, "{v:#}");
    assert_eq!(v["noteVisibleWasmOff"], true, "{v:#}");
    let log = log.lock().unwrap();
    assert!(log.iter().any(|u| u == "/search/search.wasm"), "{log:?}");
    assert!(log.iter().any(|u| u.starts_with("/search/s/")), "{log:?}");
}
