//! Ranking on small hand-made catalogues, through both engines (`hisper search` over tantivy and
//! the browser index's native reader): popularity and a verified probe put the most used,
//! working server first among those named after a product; platform-binary sub-packages never
//! appear and their names find their parent; a task in everyday words finds the servers that do
//! it through the vocabulary, even when their own text never uses those words.

use dataset::{Dataset, Server};
use serde_json::json;

fn server(name: &str, downloads: u64, description: &str) -> Server {
    serde_json::from_value(json!({
        "id": format!("npm:{name}"),
        "name": name,
        "description": description,
        "kind": "server",
        "kind_confidence": "medium",
        "sources": [{
            "source": "npm", "identifier": name, "downloads_monthly": downloads,
            "summary": description,
            "first_seen": "2026-11-01T00:00:00Z", "last_seen": "2026-11-01T00:00:00Z"
        }],
        "first_seen": "2026-11-01T00:00:00Z",
        "last_seen": "2026-11-01T00:00:00Z",
        "last_changed": "2026-11-01T00:00:00Z"
    }))
    .expect("a server record")
}

fn probed(mut s: Server, outcome: &str, tools: &[&str]) -> Server {
    let tools: Vec<serde_json::Value> = tools
        .iter()
        .map(|t| json!({"name": t, "description": format!("{t} tool")}))
        .collect();
    s.probe = Some(
        serde_json::from_value(json!({
            "outcome": outcome, "probed_at": "2026-11-01T00:00:00Z", "sandboxed": true,
            "tools": tools
        }))
        .expect("a probe record"),
    );
    s
}

fn catalogue(mut servers: Vec<Server>) -> Dataset {
    // Filler so that idf and lengths look like a catalogue, not three records.
    for i in 0..60 {
        servers.push(server(
            &format!("misc-tool-{i}-mcp"),
            (i * 37 % 500) as u64,
            "An MCP server with assorted helpers for notes, numbers and strings",
        ));
    }
    servers.sort_by(|a, b| a.id.cmp(&b.id));
    Dataset {
        schema_version: dataset::SCHEMA_VERSION,
        generated_at: "2026-11-01T00:00:00Z".into(),
        crawl: Default::default(),
        servers,
    }
}

/// The ids each engine ranks for `q` (tantivy's, the browser index's), top 10.
struct Engines {
    _dir: tempfile::TempDir,
    docs: Vec<indexer::Doc>,
    tan: indexer::Searcher,
    web: search::DirReader,
}

impl Engines {
    fn new(ds: &Dataset) -> Engines {
        let dir = tempfile::tempdir().unwrap();
        indexer::index(ds, dir.path(), None).unwrap();
        Engines {
            docs: indexer::prepare(ds),
            tan: indexer::Searcher::open(&dir.path().join("tantivy")).unwrap(),
            web: search::DirReader::open(&dir.path().join("web")).unwrap(),
            _dir: dir,
        }
    }

    /// Both engines' top 10 for `q`; asserts they agree.
    fn top(&mut self, q: &str) -> Vec<String> {
        let t: Vec<String> = self
            .tan
            .search(q, &[], 10)
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect();
        let w: Vec<String> = self
            .web
            .search(q, &[], 10)
            .unwrap()
            .into_iter()
            .map(|h| self.docs[h.doc as usize].id.clone())
            .collect();
        assert_eq!(t, w, "the CLI and the browser rank {q:?} differently");
        t
    }
}

#[test]
fn the_most_used_working_server_comes_first_for_a_product_name() {
    let ds = catalogue(vec![
        // Shorter names and descriptions that repeat the product: a text-only ranking puts
        // these first.
        server("postgres-mcp", 40, "Postgres MCP: postgres tools for postgres"),
        server("postgres-query", 300, "Query postgres"),
        probed(
            server(
                "@modelcontextprotocol/server-postgres",
                250_000,
                "MCP server for interacting with PostgreSQL databases, read-only queries and schema inspection",
            ),
            "needs_config",
            &[],
        ),
        server("@acme/postgres-admin-mcp-server", 9_000, "Administer Postgres clusters"),
    ]);
    let mut e = Engines::new(&ds);
    let top = e.top("postgres");
    assert_eq!(
        top[0], "npm:@modelcontextprotocol/server-postgres",
        "{top:?}"
    );
    assert!(top.len() >= 4, "{top:?}");

    // Equal use: the one the probe ran and listed beats the one that failed to start.
    let ds = catalogue(vec![
        probed(
            server("notion-mcp-server", 5_000, "MCP server for Notion"),
            "crashed",
            &[],
        ),
        probed(
            server(
                "@notionhq/notion-mcp-server",
                5_000,
                "Official MCP server for the Notion API: pages, databases, comments and search",
            ),
            "ok",
            &["API-post-page", "API-retrieve-a-page", "API-post-search"],
        ),
    ]);
    let mut e = Engines::new(&ds);
    let top = e.top("notion");
    assert_eq!(top[0], "npm:@notionhq/notion-mcp-server", "{top:?}");
    // The exact name still wins over popularity.
    let top = e.top("notion-mcp-server");
    assert_eq!(top[0], "npm:notion-mcp-server", "{top:?}");
}

#[test]
fn platform_sub_packages_are_grouped_under_their_parent() {
    let mut servers = vec![server(
        "kube-helper-mcp",
        2_000,
        "Model Context Protocol server for Kubernetes",
    )];
    for (p, d) in [
        ("linux-x64", 9_000),
        ("darwin-arm64", 7_000),
        ("win32-x64", 3_000),
    ] {
        servers.push(server(
            &format!("kube-helper-mcp-{p}"),
            d,
            "Model Context Protocol server for Kubernetes",
        ));
    }
    // A platform-looking name with no parent in the catalogue stays a result of its own.
    servers.push(server(
        "lonely-tool-linux-x64",
        10,
        "Model Context Protocol server for Kubernetes",
    ));
    // Without any `platform_of` in the dataset the names decide ...
    let ds = catalogue(servers.clone());
    let groups = indexer::prepare::platform_groups(&ds);
    assert_eq!(groups.len(), 3, "{groups:?}");
    assert!(groups.values().all(|p| p == "npm:kube-helper-mcp"));
    let mut e = Engines::new(&ds);
    let top = e.top("kubernetes");
    assert_eq!(top[0], "npm:kube-helper-mcp", "{top:?}");
    assert!(
        top.contains(&"npm:lonely-tool-linux-x64".to_string()),
        "{top:?}"
    );
    for q in [
        "kubernetes",
        "kube helper",
        "kube-helper-mcp-linux-x64",
        "kube-helper-mcp-darwin",
    ] {
        let top = e.top(q);
        assert_eq!(top[0], "npm:kube-helper-mcp", "{q}: {top:?}");
        assert!(
            !top.iter().any(|id| id.starts_with("npm:kube-helper-mcp-")),
            "{q}: {top:?}"
        );
    }
    let doc = e
        .docs
        .iter()
        .find(|d| d.id == "npm:kube-helper-mcp")
        .unwrap();
    assert_eq!(doc.platforms, 3);
    assert_eq!(doc.record()["p"], 3);
    assert_eq!(e.docs.len(), ds.servers.len() - 3);

    // ... and once enrich fills `platform_of`, it decides alone.
    for s in &mut servers {
        if s.name == "kube-helper-mcp-linux-x64" {
            s.platform_of = Some("npm:kube-helper-mcp".into());
        }
    }
    let ds = catalogue(servers);
    let groups = indexer::prepare::platform_groups(&ds);
    assert_eq!(
        groups.into_iter().collect::<Vec<_>>(),
        [(
            "npm:kube-helper-mcp-linux-x64".to_string(),
            "npm:kube-helper-mcp".to_string()
        )]
    );
}

#[test]
fn platform_parent_names() {
    use indexer::prepare::platform_parent_name as parent;
    assert_eq!(parent("@azure/mcp-linux-x64"), Some("@azure/mcp"));
    assert_eq!(
        parent("slack-mcp-server-windows-arm64"),
        Some("slack-mcp-server")
    );
    assert_eq!(
        parent("@chaindead/telegram-mcp_linux_amd64"),
        Some("@chaindead/telegram-mcp")
    );
    assert_eq!(parent("tool-linux-x86_64-musl"), Some("tool"));
    assert_eq!(parent("tool-win32-x64-msvc"), Some("tool"));
    assert_eq!(parent("@esbuild/linux-x64"), None);
    assert_eq!(parent("linux-x64"), None);
    assert_eq!(parent("mcp-server-linux"), None);
    assert_eq!(parent("x64"), None);
    assert_eq!(parent(""), None);
}

#[test]
fn everyday_tasks_find_servers_through_what_they_do() {
    let ds = catalogue(vec![
        // Neither says "message", "team" or "channel" in its own words.
        probed(
            server("acme-slack-bridge", 800, "Slack for agents"),
            "ok",
            &["slack_post_message", "slack_list_channels"],
        ),
        server("zz-discord-mcp", 100, "Discord bot tools"),
        server("acme-weather", 900, "Forecasts from the national service"),
        server("big-popular-notes", 90_000, "Notes and numbers"),
        probed(
            server("pagegrab", 50, "Headless capture tool"),
            "ok",
            &["take_screenshot", "navigate"],
        ),
    ]);
    let mut e = Engines::new(&ds);
    let top = e.top("send a message to my team channel");
    assert!(
        top[..2].contains(&"npm:acme-slack-bridge".to_string())
            && top[..2].contains(&"npm:zz-discord-mcp".to_string()),
        "{top:?}"
    );
    let top = e.top("take a screenshot of a web page");
    assert_eq!(top[0], "npm:pagegrab", "{top:?}");
    let top = e.top("will it rain tomorrow");
    assert_eq!(top[0], "npm:acme-weather", "{top:?}");
    // A product name still finds that product only, not its competitors.
    let top = e.top("discord");
    assert_eq!(top, ["npm:zz-discord-mcp"], "{top:?}");
}
