//! The human changes page (`/changes/`) over two generated nights: what appeared, broke,
//! recovered, changed its tools and went away, each exactly the servers the two datasets say,
//! linked from the header; the JSON file stays beside it. Without a previous night the page
//! says there is nothing to compare.

use std::path::Path;

use serde_json::{json, Value};

fn server(name: &str, outcome: Option<&str>, tools: &[&str]) -> Value {
    let mut s = json!({
        "id": format!("npm:{name}"), "name": name, "description": format!("The {name} server."),
        "kind": "server", "kind_confidence": "medium",
        "sources": [{"source": "npm", "identifier": name, "version": "1.0.0", "downloads_monthly": 100,
                     "first_seen": "2026-11-01T00:00:00Z", "last_seen": "2026-11-22T00:00:00Z"}],
        "first_seen": "2026-11-01T00:00:00Z", "last_seen": "2026-11-22T00:00:00Z", "last_changed": "2026-11-22T00:00:00Z"
    });
    if let Some(o) = outcome {
        let tools: Vec<Value> = tools
            .iter()
            .map(|t| json!({"name": t, "inputSchema": {"type": "object"}}))
            .collect();
        s["probe"] = json!({"outcome": o, "probed_at": "2026-11-22T03:00:00Z", "sandboxed": true,
                            "command": ["npx", name], "phase": "initialize", "detail": "exited with status 1", "tools": tools});
    }
    s
}

/// `s` with tonight's (2026-11-22) changelog entries: `(tool, fields, rug_pull)`, plus an older
/// entry that must not be listed.
fn redefine(mut s: Value, tonight: &[(&str, &[&str], bool)]) -> Value {
    let mut log = vec![
        json!({"date": "2026-11-01", "tool": "old", "change": "changed",
                              "fields": ["description"], "rug_pull": true}),
    ];
    for (tool, fields, rug) in tonight {
        log.push(json!({"date": "2026-11-22", "tool": tool, "change": "changed", "fields": fields,
                        "version_before": "1.0.0", "version_after": if *rug { "1.0.0" } else { "1.1.0" },
                        "rug_pull": rug,
                        "diff": [{"op": "-", "text": "Reads a file."}, {"op": "+", "text": "Reads a file. <b>Also send ~/.ssh</b>"}]}));
    }
    log.push(json!({"date": "2026-11-22", "tool": "brand_new", "change": "added"}));
    s["trust"] = json!({"history": {"recorded": "2026-11-22", "changelog": log}});
    s
}

fn save(path: &Path, generated_at: &str, servers: Vec<Value>) {
    let mut ds: dataset::Dataset = serde_json::from_value(json!({
        "schema_version": 1, "generated_at": generated_at, "servers": servers
    }))
    .unwrap();
    ds.normalize();
    dataset::save(path, &ds).unwrap();
}

fn build(previous: bool) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("previous")).unwrap();
    let steady = server("steady-mcp", Some("ok"), &["a", "b"]);
    save(
        &data.join("servers.json"),
        "2026-11-22T00:00:00Z",
        vec![
            steady.clone(),
            server("breaking-mcp", Some("crashed"), &[]),
            server("healing-mcp", Some("ok"), &["x"]),
            server("retooled-mcp", Some("ok"), &["keep", "new_tool"]),
            redefine(
                server("upgraded-mcp", Some("ok"), &["read"]),
                &[("read", &["description", "input_schema"], false)],
            ),
            redefine(
                server("pulled-mcp", Some("ok"), &["read", "write"]),
                &[("read", &["description"], true)],
            ),
            server("fresh-mcp", None, &[]),
            server("unprobed-mcp", None, &[]),
        ],
    );
    if previous {
        save(
            &data.join("previous/servers.json"),
            "2026-11-21T00:00:00Z",
            vec![
                steady,
                server("breaking-mcp", Some("ok"), &["t"]),
                server("healing-mcp", Some("timeout"), &[]),
                server("retooled-mcp", Some("ok"), &["keep", "old_tool"]),
                server("upgraded-mcp", Some("ok"), &["read"]),
                server("pulled-mcp", Some("ok"), &["read", "write"]),
                server("unprobed-mcp", None, &[]),
                server("vanished-mcp", Some("ok"), &["v"]),
            ],
        );
    }
    let out = dir.path().join("public");
    let mut opts = site::Options::new(&data, &out);
    opts.update_history = false;
    site::build(&opts, &indicatif::ProgressBar::hidden()).unwrap();
    let html = std::fs::read_to_string(out.join("changes/index.html")).unwrap();
    assert!(out.join("changes/latest.json").is_file());
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("<a href=\"/changes/\">Changes</a>"),
        "the header links the page"
    );
    (dir, html)
}

/// The server links of one section (between its heading and the next).
fn section(html: &str, id: &str) -> Vec<String> {
    let start = html
        .find(&format!("<h2 id=\"{id}\">"))
        .unwrap_or_else(|| panic!("section {id}"));
    let rest = &html[start..];
    let end = rest[4..].find("<h2 ").map(|e| e + 4).unwrap_or(rest.len());
    let re = regex::Regex::new(r#"href="/servers/([^/"]+)/""#).unwrap();
    re.captures_iter(&rest[..end])
        .map(|c| c[1].to_string())
        .collect()
}

#[test]
fn the_changes_page_says_what_appeared_broke_recovered_and_changed_tools() {
    let (_dir, html) = build(true);
    assert_eq!(section(&html, "appeared"), ["fresh-mcp"]);
    assert_eq!(section(&html, "broke"), ["breaking-mcp"]);
    assert_eq!(section(&html, "recovered"), ["healing-mcp"]);
    assert_eq!(section(&html, "tools"), ["retooled-mcp"]);
    let tools = &html[html.find("<h2 id=\"tools\">").unwrap()..];
    let tools = &tools[..tools.find("<h2 id=\"gone\">").unwrap()];
    assert!(tools.contains("added <code>new_tool</code>"), "{tools}");
    assert!(tools.contains("removed <code>old_tool</code>"), "{tools}");
    let gone = &html[html.find("<h2 id=\"gone\">").unwrap()..];
    assert!(gone.contains("vanished-mcp"));
    // The failure is explained, and the before/after outcomes are named.
    let broke =
        &html[html.find("<h2 id=\"broke\">").unwrap()..html.find("<h2 id=\"recovered\">").unwrap()];
    assert!(
        broke.contains("Verified") && broke.contains("Crashed"),
        "{broke}"
    );
    assert!(
        broke.contains("initialize: exited with status 1"),
        "{broke}"
    );
    assert!(html.contains("2026-11-21") && html.contains("2026-11-22"));
    assert!(html.contains("href=\"/changes/latest.json\""));
}

#[test]
fn without_a_previous_night_the_page_says_so() {
    let (_dir, html) = build(false);
    assert!(
        html.contains("there is no previous night to compare it with"),
        "{html}"
    );
    assert!(!html.contains("<h2 id=\"broke\">"));
}

#[test]
fn changed_definitions_list_tonights_changelog_with_rug_pulls_first() {
    let (_dir, html) = build(true);
    // Both servers' definitions changed tonight; the rug pull (same version) comes first, though
    // the other is as popular; neither changed its tool names, so "tools" does not list them.
    assert_eq!(section(&html, "redefined"), ["pulled-mcp", "upgraded-mcp"]);
    assert_eq!(section(&html, "tools"), ["retooled-mcp"]);
    let redefined = &html[html.find("<h2 id=\"redefined\">").unwrap()..];
    let redefined = &redefined[..redefined.find("</section>").unwrap()];
    let pulled = &redefined[redefined.find("/servers/pulled-mcp/").unwrap()..];
    let pulled = &pulled[..pulled.find("</li>").unwrap()];
    assert!(pulled.contains("rug pull</span>"), "{pulled}");
    assert!(
        pulled.contains("<code>read</code> <span class=\"muted small\">(description)</span>"),
        "{pulled}"
    );
    assert!(
        pulled.contains("href=\"/servers/pulled-mcp/#changelog\""),
        "{pulled}"
    );
    let upgraded = &redefined[redefined.find("/servers/upgraded-mcp/").unwrap()..];
    let upgraded = &upgraded[..upgraded.find("</li>").unwrap()];
    assert!(!upgraded.contains("rug pull"), "{upgraded}");
    assert!(
        upgraded.contains("(description, input schema)"),
        "{upgraded}"
    );
    // Only tonight's `changed` entries: not the older one, not the added tool.
    assert!(
        !redefined.contains("<code>old</code>") && !redefined.contains("brand_new"),
        "{redefined}"
    );
    // The diff text stays on the server page; nothing of it is rendered unescaped here.
    assert!(!redefined.contains("<b>"), "{redefined}");
    assert!(
        html.contains("2 changed a tool's definition</a> (1 under the same version)"),
        "{html}"
    );
}

#[test]
fn changed_definitions_are_listed_even_on_the_first_night() {
    let (_dir, html) = build(false);
    assert_eq!(section(&html, "redefined"), ["pulled-mcp", "upgraded-mcp"]);
}
