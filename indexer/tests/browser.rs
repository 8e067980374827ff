//! The search box in headless Chromium: type a query on a page served from 127.0.0.1, the expected
//! server appears first, ArrowDown + Enter opens its page, no console errors, no request leaves
//! localhost; with the wasm module blocked a clear message appears.
//!
//! Needs `chromium`, `node` and `target/search-tools` (`.ci/setup/search.sh`); skips loudly when
//! they are missing, except under `CI=true`, where it fails.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

fn repo() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
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
    let csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:";
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

const PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hisper test</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/search/search.css">
<script src="/search/search.js" defer></script></head>
<body><header><form role="search" action="/search/" method="get">
<label for="q">Search servers</label> <input id="q" name="q" type="search">
<div id="hisper-search" data-base="/"></div>
<button type="submit">Search</button></form></header>
<main><h1>Hisper</h1></main></body></html>
"#;

#[test]
fn search_box_in_headless_chromium() {
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
    let ds = dataset::load(&repo().join("data/servers.json")).expect("the bundled sample");
    let wasm = indexer::assets::build_wasm().expect("the wasm module builds");
    let tmp = tempfile::tempdir().unwrap();
    indexer::index(&ds, &tmp.path().join("index"), Some(&wasm)).unwrap();
    let site = tmp.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::rename(tmp.path().join("index/web"), site.join("search")).unwrap();
    std::fs::write(site.join("index.html"), PAGE).unwrap();
    std::fs::write(site.join("favicon.ico"), b"").unwrap();
    let slugs = dataset::slug::assign(&ds.servers);
    let expected = slugs["npm:@playwright/mcp"].clone();
    let page_dir = site.join("servers").join(&expected);
    std::fs::create_dir_all(&page_dir).unwrap();
    std::fs::write(
        page_dir.join("index.html"),
        format!("<!doctype html><title>{expected}</title><h1>{expected}</h1>"),
    )
    .unwrap();

    let log = Arc::new(Mutex::new(Vec::new()));
    let base = serve(site, log.clone());
    let out = Command::new("node")
        .arg(repo().join("search/tests/browser/drive.mjs"))
        .arg(&base)
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
    let log = log.lock().unwrap();
    assert!(log.iter().any(|u| u == "/search/search.wasm"), "{log:?}");
    assert!(log.iter().any(|u| u.starts_with("/search/s/")), "{log:?}");
}
