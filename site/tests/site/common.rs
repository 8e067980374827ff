//! Shared fixtures for the site tests: a frozen slice of the bundled sample, a fully probed
//! server, a failed probe, and an XSS corpus placed in every untrusted field.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// Payloads: script tags, event handlers, `javascript:` URLs, SVG, broken tags, markdown link
/// tricks, unicode direction overrides. Each tries to create an element marked `data-xss` or to
/// call `alert`.
pub const XSS: &[&str] = &[
    "<script>alert('xss1')</script>",
    "<img src=x onerror=alert('xss2') data-xss=1>",
    "\"><svg onload=alert('xss3') data-xss=1>",
    "'><b data-xss=1 onmouseover=alert('xss4')>hover</b>",
    "<svg><script>alert('xss5')</script></svg>",
    "<a href=\"x\" <b data-xss=1 onclick=alert('xss6')>broken</a",
    "[click me](javascript:alert('xss7'))",
    "[click](jAvAsCrIpT:alert('xss8'))",
    "[enc](&#106;avascript:alert('xss9'))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<iframe data-xss=1 src=\"javascript:alert('xss10')\"></iframe>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss11')>",
    "<style>body{display:none}</style><div data-xss=1 style=\"position:fixed\">x</div>",
    "safe\u{202E}gnp.exe",
    "{{ 7*7 }}{% raw %}",
    "<object data-xss=1 data=\"javascript:alert('xss12')\"></object>",
    "javascript:alert('xss13')",
];

pub fn xss_all() -> String {
    XSS.join(" ")
}

fn ts(day: &str) -> String {
    format!("{day}T03:00:00Z")
}

/// A server that answered the probe, with tools, prompts, resources, README and health.
pub fn rich_server() -> Value {
    let health: Vec<Value> = (0..90)
        .map(|i| {
            let d = dataset::time::day_string(
                dataset::time::day_number("2026-11-22").unwrap() - 89 + i,
            );
            let outcome = match i % 17 {
                5 => Some("crashed"),
                11 => None,
                _ => Some("ok"),
            };
            match outcome {
                Some(o) => json!({"date": d, "outcome": o}),
                None => json!({"date": d}),
            }
        })
        .collect();
    json!({
        "id": "github:example-org/postgres-mcp",
        "name": "@example/postgres-mcp",
        "title": "Postgres MCP",
        "description": "Query and inspect PostgreSQL databases: read-only SQL, schema discovery and query plans.",
        "kind": "server",
        "kind_confidence": "strong",
        "sources": [
            {"source": "github", "identifier": "example-org/postgres-mcp", "url": "https://github.com/example-org/postgres-mcp", "stars": 1840, "first_seen": ts("2025-03-02"), "last_seen": ts("2026-11-22"), "published_at": "2024-07-14T09:00:00Z", "updated_at": "2026-11-09T18:30:00Z"},
            {"source": "npm", "identifier": "@example/postgres-mcp", "version": "2.4.1", "url": "https://npm.example/package/@example/postgres-mcp", "downloads_monthly": 48210, "first_seen": ts("2025-03-04"), "last_seen": ts("2026-11-22")}
        ],
        "repository": {"url": "https://github.com/example-org/postgres-mcp", "forge": "github", "owner": "example-org", "name": "postgres-mcp", "stars": 1840, "forks": 97, "license": "MIT", "default_branch": "main", "pushed_at": ts("2026-11-19")},
        "install": {"packages": [{
            "registryType": "npm", "identifier": "@example/postgres-mcp", "version": "2.4.1", "runtimeHint": "npx",
            "transport": {"type": "stdio"},
            "packageArguments": [{"type": "positional", "valueHint": "database_url", "description": "Connection string", "isRequired": true}],
            "environmentVariables": [
                {"name": "PGPASSWORD", "description": "Password of the database user", "isRequired": true, "isSecret": true},
                {"name": "PG_READONLY", "description": "Refuse writes", "default": "true"}
            ]
        }]},
        "categories": [{"id": "databases", "score": 0.92}],
        "keywords": ["database", "mcp", "postgres", "sql"],
        "readme": "# Postgres MCP\n\nA **read-only** MCP server for PostgreSQL.\n\n## Usage\n\n```sh\nnpx -y @example/postgres-mcp postgres://localhost/db\n```\n\n| Tool | Does |\n|---|---|\n| `query` | runs SQL |\n\nSee [the docs](docs/usage.md) and ![badge](https://img.shields.io/badge/mcp-ok-green).\n",
        "probe": {
            "outcome": "ok", "probed_at": ts("2026-11-22"), "version": "2.4.1",
            "command": ["npx", "-y", "@example/postgres-mcp@2.4.1", "postgres://placeholder"],
            "config_mode": "placeholder", "needs": ["PGPASSWORD"], "sandboxed": true, "era": "legacy",
            "protocol_version": "2025-06-18",
            "server_info": {"name": "postgres-mcp", "version": "2.4.1"},
            "capabilities": {"tools": {}, "prompts": {}, "resources": {}},
            "instructions": "Use `query` for read-only SQL.\nCall `list_tables` first to discover the schema.",
            "tools": [
                {"name": "query", "title": "Run a SQL query", "description": "Run a read-only SQL query and return rows as JSON.",
                 "inputSchema": {"type": "object", "properties": {"sql": {"type": "string", "description": "The SELECT statement"}, "limit": {"type": "integer", "description": "Max rows (default 100)"}}, "required": ["sql"]},
                 "outputSchema": {"type": "object", "properties": {"rows": {"type": "array", "items": {"type": "object"}, "description": "Result rows"}}},
                 "annotations": {"readOnlyHint": true, "openWorldHint": false}},
                {"name": "list_tables", "description": "List tables in a schema.",
                 "inputSchema": {"type": "object", "properties": {"schema": {"type": "string", "description": "Schema name"}}},
                 "annotations": {"readOnlyHint": true}},
                {"name": "explain", "description": "Show the query plan of a statement.",
                 "inputSchema": {"type": "object", "properties": {"sql": {"type": "string"}, "analyze": {"type": ["boolean", "null"]}}, "required": ["sql"]}}
            ],
            "prompts": [{"name": "summarize_table", "description": "Summarize the contents of a table.", "arguments": [{"name": "table", "required": true}]}],
            "resources": [{"name": "schema", "uri": "postgres://schema", "description": "The database schema as JSON."}],
            "resource_templates": [{"name": "table", "uriTemplate": "postgres://table/{name}", "description": "One table's rows."}],
            "timings": {"first_reply_ms": 812, "total_ms": 2410},
            "bytes_read": 5120
        },
        "health": health,
        "first_seen": ts("2025-03-02"),
        "last_seen": ts("2026-11-22"),
        "last_changed": ts("2026-11-19")
    })
}

/// A server whose probe crashed, with stderr.
pub fn failed_server() -> Value {
    json!({
        "id": "pypi:weather-mcp-server",
        "name": "weather-mcp-server",
        "description": "Weather forecasts and alerts.",
        "kind": "server", "kind_confidence": "medium",
        "sources": [{"source": "pypi", "identifier": "weather-mcp-server", "version": "0.3.0", "downloads_monthly": 900, "first_seen": ts("2026-10-01"), "last_seen": ts("2026-11-22")}],
        "install": {"packages": [{"registryType": "pypi", "identifier": "weather-mcp-server", "version": "0.3.0", "transport": {"type": "stdio"}}]},
        "categories": [{"id": "weather", "score": 0.8}],
        "probe": {
            "outcome": "crashed", "phase": "initialize", "detail": "exited with status 1 before answering initialize",
            "probed_at": ts("2026-11-22"), "command": ["uvx", "weather-mcp-server==0.3.0"], "sandboxed": true,
            "exit_status": "exit 1",
            "stderr_tail": "Traceback (most recent call last):\n  File \"server.py\", line 3, in <module>\nModuleNotFoundError: No module named 'httpx'",
            "timings": {"total_ms": 1200}
        },
        "health": [{"date": "2026-11-21", "outcome": "crashed"}, {"date": "2026-11-22", "outcome": "crashed"}],
        "first_seen": ts("2026-10-01"), "last_seen": ts("2026-11-22"), "last_changed": ts("2026-11-20")
    })
}

/// A server with the XSS corpus in every untrusted field.
pub fn xss_server(n: usize) -> Value {
    let p = XSS[n % XSS.len()];
    let all = xss_all();
    json!({
        "id": format!("npm:xss-{n}"),
        "name": format!("xss-{n} {p}"),
        "title": p,
        "description": all,
        "kind": "server", "kind_confidence": "weak",
        "keywords": [p],
        "sources": [{"source": "npm", "identifier": p, "version": p, "url": "javascript:alert('src')", "summary": p, "first_seen": ts("2026-11-22"), "last_seen": ts("2026-11-22")}],
        "repository": {"url": "javascript:alert('repo')", "forge": "github", "owner": p, "name": p, "license": p, "default_branch": p},
        "install": {
            "packages": [{"registryType": "npm", "identifier": p, "version": p, "runtimeHint": p, "transport": {"type": "stdio"},
                "environmentVariables": [{"name": p, "description": p, "isRequired": true, "default": p}]}],
            "remotes": [{"type": "sse", "url": "javascript:alert('remote')"}]
        },
        "categories": [{"id": "databases", "score": 0.5}, {"id": p, "score": 0.5}],
        "readme": format!("# {p}\n\n{all}\n\n<a href=\"javascript:alert('r1')\">x</a> <img src=\"http://insecure.example/x.png\"> [rel](../../../etc/passwd)\n"),
        "probe": {
            "outcome": if n % 2 == 0 { "ok" } else { "protocol_error" },
            "phase": p, "detail": p, "probed_at": ts("2026-11-22"), "sandboxed": false,
            "protocol_version": p, "server_info": {"name": p, "version": p},
            "instructions": all,
            "command": [p],
            "exit_status": p,
            "stderr_tail": all,
            "needs": [p],
            "tools": [
                {"name": p, "title": p, "description": all,
                 "inputSchema": {"type": "object", "title": p, "properties": {p: {"type": p, "description": all, "title": p}}, "required": [p]},
                 "outputSchema": {"type": "object", "properties": {p: {"type": "string", "description": p}}},
                 "annotations": {"title": p, "readOnlyHint": p}},
                {"name": "ok_tool", "description": p}
            ],
            "prompts": [{"name": p, "description": all, "arguments": [{"name": p, "description": p}]}],
            "resources": [{"name": p, "uri": "javascript:alert('res')", "description": p}],
            "resource_templates": [{"name": p, "uriTemplate": p, "description": p}],
            "lints": [{"code": "x", "severity": p, "message": p}],
            "timings": {"total_ms": 1}
        },
        "health": [{"date": "2026-11-22", "outcome": "ok"}],
        "first_seen": ts("2026-11-22"), "last_seen": ts("2026-11-22"), "last_changed": ts("2026-11-22")
    })
}

/// The frozen slice of the bundled sample (145 real npm/PyPI packages).
pub fn sample() -> Value {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.json"),
    )
    .expect("the frozen sample");
    serde_json::from_str(&text).expect("valid JSON")
}

/// Writes a data directory: the sample plus the rich, failed and (when `xss`) XSS servers,
/// categories, a previous dataset, a crawl report and three nights of history.
pub fn data_dir(dir: &Path, xss: bool) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(data.join("previous")).unwrap();
    let mut ds = sample();
    let previous = ds.clone();
    let servers = ds["servers"].as_array_mut().unwrap();
    servers.push(rich_server());
    servers.push(failed_server());
    // A few sample servers in categories, so category pages have content.
    for (i, s) in servers.iter_mut().enumerate().take(40) {
        let cat = ["ai-models", "developer-tools", "databases"][i % 3];
        s["categories"] = json!([{"id": cat, "score": 0.6}]);
    }
    if xss {
        for n in 0..XSS.len() {
            servers.push(xss_server(n));
        }
    }
    let mut typed: dataset::Dataset =
        serde_json::from_value(ds).expect("fixture matches the schema");
    typed.normalize();
    dataset::save(&data.join("servers.json"), &typed).unwrap();
    let prev: dataset::Dataset = serde_json::from_value(previous).unwrap();
    let mut prev = prev;
    prev.servers.truncate(140);
    prev.generated_at = "2026-11-21T00:00:00Z".into();
    dataset::save(&data.join("previous/servers.json"), &prev).unwrap();
    std::fs::write(
        data.join("categories.json"),
        serde_json::to_vec(&json!({"categories": [
            {"id": "databases", "label": "Databases", "description": "SQL and NoSQL databases.", "count": 0},
            {"id": "ai-models", "label": "AI & ML models", "description": "Call other models.", "count": 0},
            {"id": "developer-tools", "label": "Developer tools", "description": "Build, test and ship code.", "count": 0},
            {"id": "weather", "label": "Weather", "description": format!("Forecasts {}", XSS[0]), "count": 0}
        ]}))
        .unwrap(),
    )
    .unwrap();
    std::fs::write(
        data.join("crawl-report.json"),
        serde_json::to_vec(&json!({
            "generated_at": "2026-11-22T00:00:00Z", "records": 2313, "previous_records": 2200,
            "sources": {
                "npm": {"status": "ok", "requests": 2400, "not_modified": 300, "retries": 2, "rate_limit_waits": 0, "found": 1126, "new": 40, "updated": 12, "removed": 1,
                        "errors": [{"url": "https://npm.example/x", "message": XSS[2]}],
                        "plan": {"seconds": 600, "discovery_requests": 24, "discovery_requests_made": 22,
                                 "enrich_items": 900, "enrichment_requests": 1800, "enrich_planned": 700,
                                 "left_for_next_night": 200, "limited_by": format!("time {}", XSS[3])}},
                "pypi": {"status": "partial", "requests": 1900, "not_modified": 0, "retries": 0, "rate_limit_waits": 1, "found": 1187, "new": 3, "updated": 0, "removed": 0,
                         "notes": [XSS[1]]}
            }
        }))
        .unwrap(),
    )
    .unwrap();
    std::fs::write(
        data.join("history.json"),
        serde_json::to_vec(&json!({"nights": [
            {"date": "2026-11-19", "records": 120, "servers": 100, "verified": 0, "tools": 0, "by_source": {"npm": 70, "pypi": 50}, "by_outcome": {}},
            {"date": "2026-11-20", "records": 135, "servers": 110, "verified": 1, "tools": 3, "by_source": {"npm": 78, "pypi": 57}, "by_outcome": {"ok": 1}},
            {"date": "2026-11-21", "records": 141, "servers": 118, "verified": 1, "tools": 3, "by_source": {"npm": 80, "pypi": 61}, "by_outcome": {"ok": 1}}
        ]}))
        .unwrap(),
    )
    .unwrap();
    data
}

/// Builds the fixture site into `<dir>/public` and returns the path.
pub fn build(dir: &Path, xss: bool, base: Option<&str>) -> PathBuf {
    let data = data_dir(dir, xss);
    let out = dir.join("public");
    let mut opts = site::Options::new(&data, &out);
    opts.base_url = base.map(str::to_string);
    site::build(&opts, &indicatif::ProgressBar::hidden()).expect("the fixture site builds");
    out
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, d: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(root, &e.path(), out);
            } else {
                out.push(e.path().strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}
