//! The site built from the bundled sample (`hisper index` and `hisper build`) in headless
//! Chromium, measured in the page (never by screenshot), by `tests/browser/ui.js`:
//! - the header search box's floating panel (filters, status, results) closes when focus leaves
//!   the box, by keyboard and by a click on the page, at desktop and phone width, and no longer
//!   covers the title; it comes back with the results when the box is focused again;
//! - at phone width (390 px) no word in a parameter or configuration table is broken across
//!   lines ("Typ e"), no table or page runs past the screen's edge, and every code block wraps
//!   to fit its box (a phone hides scrollbars, so a scrolling block looks cut off).
//!
//! Needs chromium, node and playwright-core in `target/site-tools` (`.ci/setup/site.sh`); skips
//! loudly without them, except under `CI=true`, where it fails.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn tools() -> Option<(PathBuf, PathBuf)> {
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let tools = repo().join("target/site-tools");
    let ok = chromium.is_file()
        && tools.join("node_modules/playwright-core").is_dir()
        && Command::new("node").arg("--version").output().is_ok();
    if ok {
        return Some((chromium, tools));
    }
    let msg = "chromium, node or playwright-core missing: run .ci/setup/site.sh";
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

/// Serves `root` on 127.0.0.1, one thread and one request per connection (`Connection: close`),
/// with the site's CSP; returns the base URL. (`hisper serve`'s server keeps connections alive,
/// and Chromium's sixth parallel connection to it can wait for a worker that never frees up.)
fn serve(root: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || respond(stream, &root));
        }
    });
    format!("http://{addr}/")
}

fn respond(mut stream: TcpStream, root: &Path) {
    let Ok(clone) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(clone);
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
    let mut rel = target
        .split('?')
        .next()
        .unwrap_or("/")
        .trim_start_matches('/')
        .to_string();
    if rel.is_empty() || rel.ends_with('/') {
        rel.push_str("index.html");
    }
    let body = (!rel.contains("..")).then(|| std::fs::read(root.join(&rel)).ok());
    let (status, body) = match body.flatten() {
        Some(b) => ("200 OK", b),
        None => ("404 Not Found", b"not found".to_vec()),
    };
    let ctype = site::serve::mime(Path::new(&rel));
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nContent-Security-Policy: {}\r\nConnection: close\r\n\r\n",
        body.len(),
        site::CSP
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
}

fn hisper(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_hisper"))
        .args(args)
        .arg("--quiet")
        .output()
        .expect("running hisper");
    assert!(
        out.status.success(),
        "hisper {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn slug_of(data: &Path, id: &str) -> String {
    let ds = dataset::load(&data.join("servers.json")).expect("the bundled sample");
    dataset::slug::assign(&ds.servers)
        .get(id)
        .unwrap_or_else(|| panic!("{id} is in the sample"))
        .clone()
}

#[test]
fn search_panel_closes_on_blur_and_phone_tables_keep_words_whole() {
    let Some((chromium, tools)) = tools() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(repo().join("data/servers.json"), data.join("servers.json")).unwrap();
    let site = tmp.path().join("site");
    let (d, s) = (data.to_str().unwrap(), site.to_str().unwrap());
    hisper(&["index", "--data", d]);
    hisper(&["build", "--data", d, "--out", s, "--no-history"]);
    assert!(site.join("search/search.wasm").is_file());

    let github = slug_of(&data, "npm:@modelcontextprotocol/server-github");
    let brave = slug_of(&data, "npm:@modelcontextprotocol/server-brave-search");
    let crashed = slug_of(&data, "npm:@azure-devops/mcp");
    let url = serve(site.clone());

    let cfg = tmp.path().join("ui.json");
    std::fs::write(
        &cfg,
        serde_json::to_vec(&serde_json::json!({
            "tools": tools, "chromium": chromium, "base": url,
            "server_path": format!("servers/{github}/"),
            "query": "github",
            "phone_paths": [
                format!("servers/{github}/"),
                format!("servers/{brave}/"),
                format!("servers/{crashed}/"),
            ],
        }))
        .unwrap(),
    )
    .unwrap();
    let run = Command::new("node")
        .arg(repo().join("tests/browser/ui.js"))
        .arg(&cfg)
        .output()
        .expect("running node");
    assert!(
        run.status.success(),
        "ui.js failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report: Value = serde_json::from_slice(&run.stdout).unwrap();
    let artifacts = repo().join("target/site-artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(
        artifacts.join("ui-report.json"),
        serde_json::to_vec_pretty(&report).unwrap(),
    )
    .unwrap();

    let panels = report["panel"].as_array().unwrap();
    assert_eq!(panels.len(), 4);
    for p in panels {
        assert_eq!(p["events"], serde_json::json!([]), "{p}");
        let (open, closed, back) = (&p["open"], &p["closed"], &p["refocused"]);
        assert_eq!(open["panelVisible"], true, "{p}");
        assert_eq!(open["filtersVisible"], true, "{p}");
        assert!(open["options"].as_u64().unwrap() > 0, "{p}");
        assert_eq!(open["expanded"], "true", "{p}");
        // Focus left the box: nothing of the panel is left over the page.
        assert_eq!(closed["panelVisible"], false, "{p}");
        assert_eq!(closed["filtersVisible"], false, "{p}");
        assert_eq!(closed["resultsVisible"], false, "{p}");
        assert_eq!(closed["titleCovered"], false, "{p}");
        assert_eq!(closed["expanded"], "false", "{p}");
        assert_eq!(back["panelVisible"], true, "{p}");
        assert!(back["options"].as_u64().unwrap() > 0, "{p}");
        if p["width"] == 390 {
            // The measure sees the panel where it was a problem: over the title on a phone.
            assert_eq!(open["titleCovered"], true, "{p}");
        }
    }

    let phones = report["phone"].as_array().unwrap();
    assert_eq!(phones.len(), 3);
    for p in phones {
        assert_eq!(p["events"], serde_json::json!([]), "{p}");
        assert_eq!(p["viewport"], 390, "{p}");
        assert_eq!(
            p["broken"],
            serde_json::json!([]),
            "words broken across lines: {p}"
        );
        assert!(p["pageOverflow"].as_i64().unwrap() <= 0, "{p}");
        assert!(p["widestTableRight"].as_i64().unwrap() <= 390, "{p}");
        for pre in p["pres"].as_array().unwrap() {
            // On a phone a scrollbar is hidden until touched and the block looks cut off:
            // code blocks wrap there instead.
            assert_eq!(
                pre["fits"], true,
                "a code block runs past its box: {pre} in {p}"
            );
            assert!(pre["right"].as_i64().unwrap() <= 390, "{pre} in {p}");
        }
    }
    // The pages measured have tables (tools' parameters; the configuration of the second) and
    // code blocks (install snippets; stderr on the crashed one).
    assert!(phones[0]["words"].as_u64().unwrap() > 100, "{}", phones[0]);
    assert!(phones[0]["tables"].as_u64().unwrap() > 10, "{}", phones[0]);
    assert!(phones[1]["tables"].as_u64().unwrap() > 1, "{}", phones[1]);
    assert!(phones
        .iter()
        .all(|p| !p["pres"].as_array().unwrap().is_empty()));
}
