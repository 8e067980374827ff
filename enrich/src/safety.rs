//! Tool safety: a risk level for every tool a probe recorded, and a per-server summary.
//!
//! The assessed level (`read_only`, `network`, `writes`, `destructive`, `executes_code`) is read
//! from the tool's name and description (verbs like read/list/search vs write/create/send vs
//! delete/drop/kill vs exec/eval/shell; the riskiest word of a joined name such as
//! `create_or_delete`; destructive or code-running words of the first sentence unless negated).
//! The server's annotations (`readOnlyHint`, `destructiveHint`, `openWorldHint`) are self-declared
//! and decide only when the words say nothing, and then only the hints that were set: a missing
//! hint is the spec's default for clients, not a claim. A declaration that disagrees with the
//! assessed level becomes a `note` shown after it; an unsafe disagreement ("says read-only, name
//! says delete") is also a `conflict`. `network` is a read that talks to a remote service: the tool
//! says so (URLs, the web, a browser), an explicit `openWorldHint: true`, or the server wraps a
//! remote service (remote transports, secrets or URLs in its configuration, a description that
//! says API or web, tools that name the service the package is named after, a browser). It never
//! runs a tool.

use std::collections::BTreeMap;

use dataset::{Risk, RiskLevel, SafetySummary, Server, ToolSafety};
use serde_json::Value;

use crate::text;

/// Risk given to a tool when neither its annotations nor its words say anything.
pub const FALLBACK: Risk = Risk::ReadOnly;

const CODE_WORDS: &[&str] = &[
    "exec",
    "execute",
    "eval",
    "evaluate",
    "shell",
    "bash",
    "zsh",
    "powershell",
    "terminal",
    "repl",
    "spawn",
    "applescript",
    "osascript",
    "interpreter",
    "sandbox",
    "subprocess",
    "cmd",
];
/// Objects that turn `run`/`start`/`launch` into code execution.
const CODE_OBJECTS: &[&str] = &[
    "code",
    "command",
    "script",
    "python",
    "javascript",
    "js",
    "notebook",
    "cell",
    "program",
    "process",
    "snippet",
    "shell",
    "container",
];
/// Objects that make `execute`/`run` a database statement (it writes), not code.
const QUERY_OBJECTS: &[&str] = &["sql", "query", "statement", "cypher", "mutation", "graphql"];
const DESTRUCTIVE_WORDS: &[&str] = &[
    "delete",
    "remove",
    "rm",
    "drop",
    "kill",
    "terminate",
    "destroy",
    "purge",
    "truncate",
    "erase",
    "wipe",
    "uninstall",
    "unlink",
    "rmdir",
    "clear",
    "flush",
    "prune",
    "reset",
    "revoke",
    "overwrite",
    "discard",
    "ban",
    "deletion",
    "permanently",
];
const WRITE_WORDS: &[&str] = &[
    "write",
    "create",
    "update",
    "edit",
    "set",
    "add",
    "put",
    "post",
    "send",
    "insert",
    "modify",
    "move",
    "rename",
    "upload",
    "commit",
    "push",
    "merge",
    "publish",
    "append",
    "patch",
    "save",
    "apply",
    "assign",
    "close",
    "comment",
    "reply",
    "invite",
    "schedule",
    "fill",
    "click",
    "type",
    "press",
    "drag",
    "install",
    "deploy",
    "start",
    "stop",
    "restart",
    "enable",
    "disable",
    "toggle",
    "transition",
    "approve",
    "reject",
    "submit",
    "book",
    "order",
    "pay",
    "transfer",
    "buy",
    "sell",
    "trade",
    "fork",
    "clone",
    "checkout",
    "init",
    "mark",
    "star",
    "follow",
    "like",
    "label",
    "archive",
    "import",
    "sync",
    "store",
    "remember",
    "register",
    "copy",
    "restore",
    "rollback",
    "scale",
    "upsert",
    "attach",
    "trigger",
    "invoke",
    "notify",
    "share",
    "react",
    "pin",
    "unpin",
    "lock",
    "unlock",
    "mute",
    "accept",
    "decline",
    "complete",
    "reopen",
    "cancel",
    "replace",
    "change",
    "configure",
    "generate",
    "make",
    "build",
    "mutate",
    "swap",
    "mint",
    "deposit",
    "withdraw",
    "stake",
    "record",
    "track",
    "resize",
    "select",
    "manage",
    "forward",
    "upgrade",
    "bump",
    "release",
    "rebase",
    "stage",
    "unstage",
    "tag",
    "transcribe",
    "handle",
    "pull",
    "link",
    "finalize",
];
const READ_WORDS: &[&str] = &[
    "read",
    "get",
    "list",
    "search",
    "find",
    "fetch",
    "query",
    "describe",
    "show",
    "view",
    "lookup",
    "count",
    "check",
    "status",
    "diff",
    "inspect",
    "explain",
    "analyze",
    "analyse",
    "summarize",
    "retrieve",
    "browse",
    "scrape",
    "screenshot",
    "snapshot",
    "info",
    "detail",
    "history",
    "preview",
    "validate",
    "verify",
    "compare",
    "calculate",
    "convert",
    "estimate",
    "tree",
    "open",
    "ping",
    "echo",
    "health",
    "resolve",
    "translate",
    "extract",
    "parse",
    "current",
    "navigate",
    "geocode",
    "lookup",
    "look",
    "download",
    "export",
    "load",
    "watch",
    "monitor",
    "poll",
    "wait",
    "think",
    "reason",
    "plan",
    "recommend",
    "suggest",
    "predict",
    "test",
    "diagnose",
    "audit",
    "scan",
    "print",
    "render",
    "format",
    "visualize",
    "crawl",
    "map",
    "explore",
    "discover",
    "research",
    "ask",
    "answer",
    "whoami",
    "version",
    "help",
];
/// Words that say a tool reaches the network by itself.
const NETWORK_WORDS: &[&str] = &[
    "http",
    "https",
    "url",
    "web",
    "internet",
    "download",
    "upload",
    "navigate",
    "online",
    "fetch",
    "browser",
    "puppeteer",
    "playwright",
    "selenium",
    "remote",
    "webhook",
    "api",
    "scrape",
    "crawl",
    "website",
    "webpage",
    "search engine",
];

/// What the words of a tool say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inferred {
    pub risk: Risk,
    /// `name` or `description`.
    pub from: &'static str,
    /// The word that decided it.
    pub word: String,
}

fn class_of(tokens: &[String], i: usize) -> Option<Risk> {
    let w = tokens[i].as_str();
    let next: Vec<&str> = tokens[i + 1..].iter().take(3).map(String::as_str).collect();
    if matches!(w, "exec" | "execute" | "run" | "eval" | "evaluate")
        && next.iter().any(|n| QUERY_OBJECTS.contains(n))
    {
        return Some(Risk::Writes);
    }
    if CODE_WORDS.contains(&w) {
        return Some(Risk::RunsCode);
    }
    if matches!(w, "run" | "start" | "launch" | "call")
        && next.iter().any(|n| CODE_OBJECTS.contains(n))
    {
        return Some(Risk::RunsCode);
    }
    if DESTRUCTIVE_WORDS.contains(&w) {
        return Some(Risk::Destructive);
    }
    if WRITE_WORDS.contains(&w) {
        return Some(Risk::Writes);
    }
    if READ_WORDS.contains(&w) {
        return Some(Risk::ReadOnly);
    }
    None
}

/// Reads the risk off a tool's name: the first verb decides, unless the name joins several
/// (`create_or_update`, `search_and_replace`), where the riskiest counts; words for running code or
/// destroying things count wherever they appear.
pub fn from_name(name: &str) -> Option<Inferred> {
    let toks = text::tokens(name);
    let mut first: Option<(Risk, &str)> = None;
    let mut strongest: Option<(Risk, &str)> = None;
    for i in 0..toks.len() {
        if let Some(r) = class_of(&toks, i) {
            if first.is_none() {
                first = Some((r, &toks[i]));
            }
            if strongest.is_none_or(|(s, _)| r > s) {
                strongest = Some((r, &toks[i]));
            }
        }
    }
    let joined = toks.iter().any(|t| t == "or" || t == "and");
    let pick = match (first, strongest) {
        (Some(f), Some(s)) if joined || s.0 >= Risk::Destructive => {
            if s.0 > f.0 {
                s
            } else {
                f
            }
        }
        (Some(f), _) => f,
        _ => return None,
    };
    Some(Inferred {
        risk: pick.0,
        from: "name",
        word: pick.1.to_string(),
    })
}

/// Reads the risk off a description's first sentence: the first verb among its first words, raised
/// by any destructive or code-running word in the sentence that is not negated ("does not delete").
pub fn from_description(desc: &str) -> Option<Inferred> {
    let d = text::capped(desc);
    let sentence = d
        .split(". ")
        .next()
        .unwrap_or(d)
        .split('\n')
        .next()
        .unwrap_or(d);
    let toks = text::tokens(sentence);
    let mut first: Option<(Risk, String)> = None;
    let mut strongest: Option<(Risk, String)> = None;
    for i in 0..toks.len() {
        let negated = toks[i.saturating_sub(3)..i].iter().any(|t| {
            matches!(
                t.as_str(),
                "not" | "never" | "no" | "without" | "t" | "cannot"
            )
        });
        let Some(r) = class_of(&toks, i) else {
            continue;
        };
        if first.is_none() && i < 8 && !negated {
            first = Some((r, toks[i].clone()));
        }
        if r >= Risk::Destructive && !negated && strongest.as_ref().is_none_or(|(s, _)| r > *s) {
            strongest = Some((r, toks[i].clone()));
        }
    }
    let pick = match (first, strongest) {
        (Some(f), Some(s)) => {
            if s.0 > f.0 {
                s
            } else {
                f
            }
        }
        (Some(f), None) => f,
        (None, Some(s)) => s,
        (None, None) => return None,
    };
    Some(Inferred {
        risk: pick.0,
        from: "description",
        word: pick.1,
    })
}

/// What a tool's annotations declare, with the spec's defaults for missing hints:
/// (risk, open world, whether any annotation hint was present).
fn declared(tool: &Value) -> (Risk, bool, bool) {
    let ann = tool.get("annotations").and_then(Value::as_object);
    let hint = |k: &str| ann.and_then(|a| a.get(k)).and_then(Value::as_bool);
    let present = [
        "readOnlyHint",
        "destructiveHint",
        "openWorldHint",
        "idempotentHint",
    ]
    .iter()
    .any(|k| hint(k).is_some());
    let read_only = hint("readOnlyHint").unwrap_or(false);
    let destructive = hint("destructiveHint").unwrap_or(true);
    let open_world = hint("openWorldHint").unwrap_or(true);
    let risk = if read_only {
        Risk::ReadOnly
    } else if destructive {
        Risk::Destructive
    } else {
        Risk::Writes
    };
    (risk, open_world, present)
}

fn risk_words(r: Risk) -> &'static str {
    match r {
        Risk::ReadOnly => "read-only",
        Risk::Writes => "it writes",
        Risk::Destructive => "destructive",
        Risk::RunsCode => "runs code",
    }
}

/// Assesses one tool. `server_network` says whether the server as a whole talks to a remote
/// service (it needs API keys or has remotes), which every tool then inherits unless its
/// annotations say otherwise.
pub fn assess_tool(tool: &Value, server_network: bool) -> ToolSafety {
    let name = tool.get("name").and_then(Value::as_str).unwrap_or("");
    let desc = tool
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let by_name = from_name(name);
    let by_desc = from_description(desc);
    let inferred = match (&by_name, &by_desc) {
        (Some(n), Some(d)) if d.risk > n.risk && d.risk >= Risk::Destructive => Some(d.clone()),
        (Some(n), _) => Some(n.clone()),
        (None, Some(d)) => Some(d.clone()),
        (None, None) => None,
    };
    let (declared_risk, open_world, present) = declared(tool);
    // The words decide when they say something; the server's own hints only when they do not
    // (and then only the hints it set: a missing hint is the spec's default, not a claim).
    let risk = match &inferred {
        Some(i) => i.risk,
        None if present => explicit_floor(tool),
        None => FALLBACK,
    };
    let conflict = match &inferred {
        // Only a declaration that is less cautious than the words is worth a flag.
        Some(i) if present && i.risk > declared_risk && declared_risk < Risk::Destructive => {
            Some(format!(
                "says {}, {} says {}",
                match declared_risk {
                    Risk::ReadOnly => "read-only",
                    Risk::Writes => "not destructive",
                    _ => risk_words(declared_risk),
                },
                i.from,
                i.word
            ))
        }
        _ => None,
    };
    let explicit_world = tool
        .get("annotations")
        .and_then(|a| a.get("openWorldHint"))
        .and_then(Value::as_bool);
    let first_sentence = text::capped(desc)
        .split(". ")
        .next()
        .unwrap_or("")
        .split('\n')
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let worded = text::tokens(name)
        .iter()
        .chain(text::tokens(first_sentence).iter().take(40))
        .any(|t| NETWORK_WORDS.contains(&t.as_str()));
    // `openWorldHint: false` is about the open world, not the server's own remote service: a
    // tool of a server that wraps an API still talks to it, so the hint only adds.
    let network = explicit_world == Some(true) || server_network || worded;
    let _ = open_world;
    let level = match risk {
        Risk::ReadOnly if network => RiskLevel::Network,
        Risk::ReadOnly => RiskLevel::ReadOnly,
        Risk::Writes => RiskLevel::Writes,
        Risk::Destructive => RiskLevel::Destructive,
        Risk::RunsCode => RiskLevel::ExecutesCode,
    };
    let note = declared_note(tool, level);
    ToolSafety {
        risk,
        network,
        declared: Some(declared_risk),
        defaults_applied: !present,
        conflict,
        level: Some(level),
        note,
    }
}

/// A note on what the tool's explicitly set annotations declare, when that disagrees with the
/// assessed level. Hints that are absent say nothing here: the spec's defaults (not read-only,
/// destructive, open world) are a convention for clients, not a claim by the server.
pub fn declared_note(tool: &Value, level: RiskLevel) -> Option<String> {
    let ann = tool.get("annotations");
    let hint = |k: &str| ann.and_then(|a| a.get(k)).and_then(Value::as_bool);
    let mut says = Vec::new();
    match hint("readOnlyHint") {
        Some(true) if level >= RiskLevel::Writes => says.push("read-only (readOnlyHint)"),
        Some(false) if level <= RiskLevel::Network => {
            says.push("not read-only (readOnlyHint: false)")
        }
        _ => {}
    }
    match hint("destructiveHint") {
        Some(true) if level < RiskLevel::Destructive && hint("readOnlyHint") != Some(true) => {
            says.push("destructive (destructiveHint)")
        }
        Some(false) if level == RiskLevel::Destructive => {
            says.push("not destructive (destructiveHint: false)")
        }
        _ => {}
    }
    match hint("openWorldHint") {
        Some(false) if level == RiskLevel::Network => {
            says.push("closed-world (openWorldHint: false)")
        }
        Some(true) if level == RiskLevel::ReadOnly => says.push("open-world (openWorldHint)"),
        _ => {}
    }
    if says.is_empty() {
        None
    } else {
        Some(format!(
            "the server declares it {}; assessed {} from its name, description and parameters",
            says.join(" and "),
            level.label()
        ))
    }
}

/// The least risk the explicitly set hints allow: `destructiveHint: true` with `readOnlyHint`
/// not true means at least destructive; `readOnlyHint: false` means at least writes.
fn explicit_floor(tool: &Value) -> Risk {
    let ann = tool.get("annotations");
    let hint = |k: &str| ann.and_then(|a| a.get(k)).and_then(Value::as_bool);
    match (hint("readOnlyHint"), hint("destructiveHint")) {
        (Some(true), _) => Risk::ReadOnly,
        (_, Some(true)) => Risk::Destructive,
        (Some(false), _) => Risk::Writes,
        _ => Risk::ReadOnly,
    }
}

/// Whether the server talks to a remote service: it has remote transports, its description says it
/// wraps an API, or it asks for secrets, tokens, API keys or URLs.
pub fn server_reaches_network(s: &Server) -> bool {
    if !s.install.remotes.is_empty() {
        return true;
    }
    // "MCP server for using the GitHub API": a server that wraps a web API reaches the network.
    if s.description.as_deref().is_some_and(|d| {
        text::words(d).iter().any(|w| {
            matches!(
                w.as_str(),
                "api" | "apis" | "web" | "cloud" | "online" | "hosted" | "saas" | "internet"
            )
        })
    }) {
        return true;
    }
    if tools_name_their_service(s) {
        return true;
    }
    // A server that drives a web browser: every tool acts on live pages.
    let mut named: Vec<String> = text::words(&s.name);
    named.extend(text::words(s.description.as_deref().unwrap_or("")));
    for p in &s.install.packages {
        named.extend(text::words(&p.identifier));
    }
    if named.iter().any(|w| {
        matches!(
            w.as_str(),
            "browser" | "playwright" | "puppeteer" | "selenium" | "chrome" | "chromium"
        )
    }) {
        return true;
    }
    let mut names: Vec<String> = Vec::new();
    for p in &s.install.packages {
        for a in &p.environment_variables {
            if a.is_secret {
                return true;
            }
            names.extend(a.name.clone());
        }
    }
    if let Some(p) = &s.probe {
        names.extend(p.needs.iter().cloned());
    }
    names.iter().any(|n| {
        let n = n.to_ascii_uppercase();
        [
            "API_KEY",
            "TOKEN",
            "SECRET",
            "_URL",
            "APIKEY",
            "ACCESS_KEY",
            "PASSWORD",
        ]
        .iter()
        .any(|k| n.contains(k))
    })
}

/// Words of a package name that are not a service's brand.
const GENERIC_NAME_WORDS: &[&str] = &[
    "mcp",
    "server",
    "servers",
    "modelcontextprotocol",
    "tool",
    "tools",
    "official",
    "plugin",
    "cli",
    "node",
    "js",
    "py",
    "python",
    "ai",
    "the",
    "for",
    "and",
    "lite",
    "pro",
    "agent",
];
/// Words saying a server works on the local machine: its brand is then not a remote service.
const LOCAL_WORDS: &[&str] = &[
    "file",
    "filesystem",
    "desktop",
    "terminal",
    "shell",
    "process",
    "local",
    "memory",
    "knowledge",
    "thinking",
    "browser",
    "chrome",
    "devtools",
    "git",
    "sqlite",
    "docker",
    "everything",
    "commander",
    "computer",
    "os",
    "system",
];

/// Whether most of a server's tools name the service the package is named after ("Retrieve the
/// status of the latest pipeline for a CircleCI project", package `@circleci/mcp-server-circleci`):
/// such tools call that service. Not for servers whose name or description says they work
/// locally.
fn tools_name_their_service(s: &Server) -> bool {
    let Some(p) = &s.probe else {
        return false;
    };
    if p.tools.is_empty() {
        return false;
    }
    let mut brand: Vec<String> = text::words(&s.name.replace('@', " "))
        .into_iter()
        .filter(|w| w.len() >= 4 && !GENERIC_NAME_WORDS.contains(&w.as_str()))
        .collect();
    brand.sort();
    brand.dedup();
    let own_words: Vec<String> = text::words(&format!(
        "{} {}",
        s.name,
        s.description.as_deref().unwrap_or("")
    ));
    if brand.is_empty() || own_words.iter().any(|w| LOCAL_WORDS.contains(&w.as_str())) {
        return false;
    }
    let naming = p
        .tools
        .iter()
        .filter(|t| {
            let d = t.get("description").and_then(Value::as_str).unwrap_or("");
            let words = text::words(text::capped(d));
            brand.iter().any(|b| words.contains(b))
        })
        .count();
    naming * 2 >= p.tools.len()
}

/// The safety summary of a server, or `None` when no tools were recorded.
pub fn summarize(s: &Server) -> Option<SafetySummary> {
    let probe = s.probe.as_ref()?;
    if probe.tools.is_empty() {
        return None;
    }
    let net = server_reaches_network(s);
    let mut tools = BTreeMap::new();
    for (i, t) in probe.tools.iter().enumerate() {
        let name = t
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{i}"));
        tools.entry(name).or_insert_with(|| assess_tool(t, net));
    }
    let any = |f: &dyn Fn(&ToolSafety) -> bool| tools.values().any(f);
    Some(SafetySummary {
        read_only: tools.values().all(|t| t.risk == Risk::ReadOnly),
        writes: any(&|t| t.risk >= Risk::Writes),
        destructive: any(&|t| t.risk >= Risk::Destructive),
        runs_code: any(&|t| t.risk == Risk::RunsCode),
        network: any(&|t| t.network),
        tools,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_decide_when_annotations_are_missing() {
        let t = assess_tool(
            &json!({"name": "read_file", "description": "Read a file"}),
            false,
        );
        assert_eq!(t.risk, Risk::ReadOnly);
        assert!(t.defaults_applied);
        assert_eq!(t.declared, Some(Risk::Destructive));
        assert!(t.conflict.is_none());
        let t = assess_tool(&json!({"name": "delete_entities"}), false);
        assert_eq!(t.risk, Risk::Destructive);
        let t = assess_tool(&json!({"name": "execute_command"}), false);
        assert_eq!(t.risk, Risk::RunsCode);
        let t = assess_tool(&json!({"name": "create_or_delete_branch"}), false);
        assert_eq!(t.risk, Risk::Destructive);
    }

    #[test]
    fn a_read_only_claim_on_a_delete_tool_is_flagged() {
        let t = assess_tool(
            &json!({"name": "delete_repo", "annotations": {"readOnlyHint": true}}),
            false,
        );
        assert_eq!(t.risk, Risk::Destructive);
        assert_eq!(t.declared, Some(Risk::ReadOnly));
        assert_eq!(
            t.conflict.as_deref(),
            Some("says read-only, name says delete")
        );
    }

    #[test]
    fn negated_words_do_not_count() {
        let d = from_description("Lists files. This never deletes anything");
        assert_eq!(d.map(|d| d.risk), Some(Risk::ReadOnly));
        let d = from_description("Does not delete files, only lists them");
        assert_eq!(d.map(|d| d.risk), Some(Risk::ReadOnly));
    }

    #[test]
    fn a_closed_world_hint_is_a_note_not_a_verdict() {
        let t = assess_tool(
            &json!({"name": "fetch", "annotations": {"readOnlyHint": true, "openWorldHint": false}}),
            true,
        );
        assert!(t.network);
        assert_eq!(t.level, Some(RiskLevel::Network));
        assert!(
            t.note
                .as_deref()
                .is_some_and(|n| n.contains("closed-world")),
            "{t:?}"
        );
        let t = assess_tool(
            &json!({"name": "list_notes", "annotations": {"readOnlyHint": true, "openWorldHint": false}}),
            false,
        );
        assert_eq!(t.level, Some(RiskLevel::ReadOnly));
        assert!(t.note.is_none());
        let t = assess_tool(&json!({"name": "fetch_url"}), false);
        assert!(t.network);
    }

    #[test]
    fn words_decide_and_a_disagreeing_declaration_is_a_note() {
        // Declared destructive, but it updates: writes, with the declaration as a note.
        let t = assess_tool(
            &json!({"name": "API-update-a-block", "annotations": {"destructiveHint": true}}),
            true,
        );
        assert_eq!(t.level, Some(RiskLevel::Writes));
        assert!(
            t.note.as_deref().is_some_and(|n| n.contains("destructive")),
            "{t:?}"
        );
        // Declared not read-only, but it takes a screenshot: read-only.
        let t = assess_tool(
            &json!({"name": "take_screenshot", "annotations": {"readOnlyHint": false}}),
            false,
        );
        assert_eq!(t.level, Some(RiskLevel::ReadOnly));
        assert!(t.note.is_some());
        // No annotations at all: no note, whatever the spec's defaults say.
        let t = assess_tool(&json!({"name": "read_file"}), false);
        assert!(t.note.is_none());
        assert!(t.defaults_applied);
        // Words silent: the hints that were set decide.
        let t = assess_tool(
            &json!({"name": "zork", "annotations": {"destructiveHint": true}}),
            false,
        );
        assert_eq!(t.level, Some(RiskLevel::Destructive));
        let t = assess_tool(&json!({"name": "eval_js"}), false);
        assert_eq!(t.level, Some(RiskLevel::ExecutesCode));
    }
}
