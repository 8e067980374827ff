//! Deterministic synthetic catalogues for benchmarks and scale tests (20,000 or 100,000 servers).
//!
//! Names, descriptions and tools are assembled from small vocabularies of real MCP themes, seeded,
//! so the same `(n, seed)` always gives the same bytes. It is not real data and is never shipped
//! in the bundled sample; it exists so that every stage can be measured at the scale it must reach.

use serde_json::json;

use crate::{
    Confidence, ConfigMode, Dataset, Era, HealthEntry, Install, Kind, Outcome, Package,
    ProbeRecord, Repository, Server, Source, SourceEntry, Transport,
};

/// A small xorshift PRNG: deterministic, dependency-free.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

/// Themes: (subject word, description fragment, tool verbs/nouns).
const THEMES: &[(&str, &str, &[&str])] = &[
    (
        "postgres",
        "Query and manage PostgreSQL databases",
        &["query", "list_tables", "describe_table", "execute_sql"],
    ),
    (
        "mysql",
        "Run read-only SQL against MySQL",
        &["query", "list_databases", "show_schema"],
    ),
    (
        "sqlite",
        "Explore and query SQLite files",
        &["read_query", "write_query", "list_tables"],
    ),
    (
        "github",
        "Manage GitHub issues, pull requests and repositories",
        &[
            "create_issue",
            "list_pull_requests",
            "search_code",
            "get_file_contents",
        ],
    ),
    (
        "gitlab",
        "Work with GitLab projects and merge requests",
        &["list_projects", "create_merge_request", "get_pipeline"],
    ),
    (
        "git",
        "Read, search and manipulate Git repositories",
        &["git_status", "git_diff", "git_commit", "git_log"],
    ),
    (
        "filesystem",
        "Secure file operations with configurable access",
        &["read_file", "write_file", "list_directory", "search_files"],
    ),
    (
        "slack",
        "Send messages and read channels in Slack",
        &["send_message", "list_channels", "get_thread"],
    ),
    (
        "discord",
        "Post to Discord channels and read messages",
        &["send_message", "read_messages"],
    ),
    (
        "gmail",
        "Read, search and send email with Gmail",
        &["send_email", "search_emails", "read_email"],
    ),
    (
        "calendar",
        "Create and list calendar events",
        &["create_event", "list_events", "find_free_time"],
    ),
    (
        "notion",
        "Search and edit Notion pages and databases",
        &["search_pages", "create_page", "query_database"],
    ),
    (
        "jira",
        "Create and update Jira issues",
        &["create_issue", "search_issues", "transition_issue"],
    ),
    (
        "browser",
        "Automate a web browser with Playwright",
        &["navigate", "click", "screenshot", "fill_form"],
    ),
    (
        "fetch",
        "Fetch web pages and convert them to markdown",
        &["fetch", "fetch_markdown"],
    ),
    (
        "search",
        "Web search through a search API",
        &["web_search", "news_search"],
    ),
    (
        "weather",
        "Weather forecasts and alerts",
        &["get_forecast", "get_alerts"],
    ),
    (
        "maps",
        "Geocoding, directions and places",
        &["geocode", "directions", "search_places"],
    ),
    (
        "stripe",
        "Payments, customers and invoices on Stripe",
        &["create_payment_link", "list_customers", "refund"],
    ),
    (
        "shopify",
        "Manage a Shopify store's products and orders",
        &["list_products", "get_order", "update_inventory"],
    ),
    (
        "kubernetes",
        "Inspect and manage Kubernetes clusters",
        &["get_pods", "apply_manifest", "get_logs", "delete_pod"],
    ),
    (
        "docker",
        "Manage Docker containers and images",
        &["list_containers", "run_container", "stop_container"],
    ),
    (
        "aws",
        "Work with AWS services",
        &["list_buckets", "describe_instances", "invoke_lambda"],
    ),
    (
        "sentry",
        "Read Sentry issues and events",
        &["get_issue", "list_issues"],
    ),
    (
        "grafana",
        "Query Grafana dashboards and Prometheus metrics",
        &["query_prometheus", "list_dashboards"],
    ),
    (
        "memory",
        "A knowledge graph memory for agents",
        &["create_entities", "search_nodes", "read_graph"],
    ),
    (
        "time",
        "Time and timezone conversion",
        &["get_current_time", "convert_time"],
    ),
    (
        "python",
        "Run Python code in a sandbox",
        &["run_python", "install_package"],
    ),
    (
        "shell",
        "Execute shell commands",
        &["run_command", "read_output"],
    ),
    (
        "youtube",
        "Fetch YouTube transcripts and metadata",
        &["get_transcript", "search_videos"],
    ),
    (
        "spotify",
        "Control Spotify playback",
        &["play", "pause", "search_tracks"],
    ),
    (
        "homeassistant",
        "Control Home Assistant devices",
        &["turn_on", "turn_off", "get_state"],
    ),
    (
        "pdf",
        "Read and extract text from PDF documents",
        &["read_pdf", "extract_tables"],
    ),
    (
        "excel",
        "Read and write Excel workbooks",
        &["read_sheet", "write_cell", "create_chart"],
    ),
    (
        "openai",
        "Call OpenAI models",
        &["chat_completion", "create_embedding"],
    ),
    (
        "vector",
        "Store and search embeddings in a vector database",
        &["upsert", "similarity_search"],
    ),
    (
        "figma",
        "Read Figma designs and components",
        &["get_file", "get_components"],
    ),
    (
        "linear",
        "Manage Linear issues and projects",
        &["create_issue", "list_issues", "update_issue"],
    ),
    (
        "crypto",
        "Cryptocurrency prices and wallets",
        &["get_price", "get_balance"],
    ),
    (
        "security",
        "Scan code and dependencies for vulnerabilities",
        &["scan_dependencies", "check_cve"],
    ),
];

const PREFIXES: &[&str] = &[
    "mcp-server-",
    "",
    "",
    "mcp-",
    "@acme/mcp-",
    "@tools/",
    "server-",
];
const SUFFIXES: &[&str] = &[
    "",
    "-mcp",
    "-mcp-server",
    "-server",
    "-tools",
    "-bridge",
    "-lite",
];
const ADJ: &[&str] = &[
    "simple", "fast", "secure", "open", "tiny", "smart", "cloud", "local", "super", "easy", "pro",
    "rapid",
];

fn ts(day: i64) -> String {
    format!("{}T03:00:00Z", crate::time::day_string(day))
}

/// A synthetic catalogue of `n` servers. `today` is the day number of the crawl.
pub fn catalogue(n: usize, seed: u64) -> Dataset {
    let today = crate::time::day_number("2026-11-22").unwrap_or(0);
    let mut rng = Rng::new(seed);
    let mut ds = Dataset::new(ts(today));
    let mut seen = std::collections::HashSet::new();
    let mut ids = std::collections::HashSet::new();
    for i in 0..n {
        let (subject, desc, tools) = *rng.pick(THEMES);
        let mut name = format!("{}{}{}", rng.pick(PREFIXES), subject, rng.pick(SUFFIXES));
        if !seen.insert(name.clone()) {
            name = format!(
                "{}{}-{}{}",
                rng.pick(PREFIXES),
                rng.pick(ADJ),
                subject,
                rng.pick(SUFFIXES)
            );
            if !seen.insert(name.clone()) {
                name = format!("{name}-{i}");
                seen.insert(name.clone());
            }
        }
        let source = match rng.below(10) {
            0..=4 => Source::Npm,
            5..=7 => Source::Pypi,
            8 => Source::Github,
            _ => Source::McpRegistry,
        };
        let id = match source {
            Source::Npm => format!("npm:{name}"),
            Source::Pypi => format!(
                "pypi:{}",
                name.trim_start_matches('@').replace(['/', '_', '.'], "-")
            ),
            Source::Github => format!(
                "github:synthetic-{}/{}",
                i % 997,
                name.trim_start_matches('@').replace('/', "-")
            ),
            Source::McpRegistry => format!(
                "mcp-registry:io.github.synthetic/{}",
                name.trim_start_matches('@').replace('/', "-")
            ),
        };
        let id = if ids.insert(id.clone()) {
            id
        } else {
            format!("{id}-{i}")
        };
        let first = today - rng.below(700) as i64;
        let mut entry = SourceEntry::new(source, name.clone(), &ts(first));
        entry.last_seen = ts(today);
        entry.version = Some(format!(
            "{}.{}.{}",
            rng.below(3),
            rng.below(20),
            rng.below(10)
        ));
        let downloads = 10u64.pow(rng.below(6) as u32) * (1 + rng.below(9) as u64);
        if matches!(source, Source::Npm | Source::Pypi) {
            entry.downloads_monthly = Some(downloads);
        }
        let description = format!("{desc} from your AI assistant ({}).", rng.pick(ADJ));
        entry.summary = Some(description.clone());
        let mut s = Server {
            id,
            name: name.clone(),
            description: Some(description),
            kind: if rng.chance(92) {
                Kind::Server
            } else {
                *rng.pick(&[Kind::Sdk, Kind::Client, Kind::Framework, Kind::Other])
            },
            kind_confidence: Confidence::Medium,
            kind_signals: vec!["synthetic".into()],
            sources: vec![entry],
            keywords: vec!["mcp".into(), subject.into()],
            first_seen: ts(first),
            last_seen: ts(today),
            last_changed: ts(today - rng.below(60) as i64),
            ..Default::default()
        };
        if rng.chance(60) {
            let owner = format!("synthetic-{}", i % 997);
            s.repository = Some(Repository {
                url: format!("https://github.com/{owner}/{}", slug_part(&name)),
                forge: "github".into(),
                owner,
                name: slug_part(&name),
                stars: Some(rng.below(5000) as u64),
                license: Some((*rng.pick(&["MIT", "Apache-2.0", "ISC", "GPL-3.0"])).to_string()),
                ..Default::default()
            });
        }
        if matches!(source, Source::Npm | Source::Pypi) {
            s.install = Install {
                packages: vec![Package {
                    registry_type: source.as_str().into(),
                    identifier: name.clone(),
                    version: s.sources[0].version.clone(),
                    runtime_hint: Some(if source == Source::Npm { "npx" } else { "uvx" }.into()),
                    transport: Transport::stdio(),
                    ..Default::default()
                }],
                remotes: vec![],
            };
        }
        if rng.chance(40) {
            let outcome = *rng.pick(&[
                Outcome::Ok,
                Outcome::Ok,
                Outcome::Ok,
                Outcome::NeedsConfig,
                Outcome::Crashed,
                Outcome::Timeout,
            ]);
            let mut p = ProbeRecord::bare(outcome, ts(today));
            p.sandboxed = true;
            p.config_mode = ConfigMode::None;
            if outcome == Outcome::Ok {
                p.era = Some(Era::Legacy);
                p.protocol_version = Some("2025-06-18".into());
                p.server_info = Some(json!({"name": name, "version": "1.0.0"}));
                p.tools = tools
                    .iter()
                    .map(|t| {
                        json!({
                            "name": t,
                            "description": format!("{} for {subject}", t.replace('_', " ")),
                            "inputSchema": {"type": "object", "properties": {"input": {"type": "string", "description": "What to act on"}}, "required": ["input"]},
                        })
                    })
                    .collect();
            }
            s.probe = Some(p);
            s.health = (0..rng.below(30) as i64)
                .map(|d| HealthEntry {
                    date: crate::time::day_string(today - d),
                    outcome: Some(outcome),
                })
                .collect();
        }
        ds.servers.push(s);
    }
    ds.normalize();
    ds
}

fn slug_part(name: &str) -> String {
    crate::slug::slugify(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_valid_and_unique() {
        let a = catalogue(3000, 7);
        let b = catalogue(3000, 7);
        assert_eq!(crate::to_canonical_bytes(&a), crate::to_canonical_bytes(&b));
        assert_eq!(a.servers.len(), 3000);
        let bytes = crate::to_canonical_bytes(&a);
        let problems = crate::validate::validate_bytes(&bytes);
        assert!(
            problems.is_empty(),
            "{:?}",
            &problems[..problems.len().min(5)]
        );
    }

    #[test]
    fn large_catalogue_has_unique_ids() {
        let a = catalogue(100_000, 1);
        let ids: std::collections::HashSet<_> = a.servers.iter().map(|s| &s.id).collect();
        assert_eq!(ids.len(), 100_000);
    }
}
